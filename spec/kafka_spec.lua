-- huaweicloud.kafka: create_connector_task through the Lua client against the emulator, the
-- builders, path parameters, validation before sending, and the dry run.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

describe("kafka:create_connector_task", function()
  local emu, kafka
  setup(function()
    emu = hw.emulator.start({ auto_create = true, project_id = X.project_id })
    kafka = assert(hw.kafka.new({ endpoint = emu.url,
      credentials = { ak = emu.ak, sk = emu.sk, project_id = X.project_id } }))
  end)
  teardown(function()
    kafka:close()
    emu:stop()
  end)

  it("creates the three API-page examples, tables in and tables out", function()
    for _, ex in ipairs(X.kafka) do
      local task, meta = kafka:create_connector_task({ instance_id = X.instance_id, body = ex.body })
      assert.is_table(task, tostring(meta))
      assert.are.equal(200, meta.status)
      assert.are.equal(1, meta.attempts)
      assert.are.equal(ex.body.task_name, task.task_name)
      assert.are.equal(ex.body.source_type, task.source_type)
      assert.is_string(task.id)
      assert.is_number(task.create_time)
      assert.is_nil(task.source_task and task.source_task.password)
    end
    assert.are.equal(0, emu:stats().rejected_signatures)
  end)

  it("matches the official SDK's signature for each page example (marshal + sign)", function()
    for _, ex in ipairs(X.kafka) do
      local req, v = H.prepare_as_vector("create_connector_task", ex.name, { instance_id = X.instance_id, body = ex.body })
      assert.are.equal(v.input.url, req.url)
      assert.are.equal(v.input.body, req.body)
      assert.are.equal(v.expected.canonical_request, req.canonical_request)
      assert.are.equal(v.expected.authorization, req.headers.Authorization)
    end
  end)

  it("builds the three kinds of task with the documented defaults", function()
    local obs = hw.kafka.obs_dump_task({ task_name = "b1", topics = "t", consumer_strategy = "latest",
      access_key = "AKX1", secret_key = "SKX1", obs_bucket_name = "b", obs_path = "p",
      partition_format = "yyyy/MM/dd", record_delimiter = ",", store_keys = true })
    assert.are.same({ task_name = "b1", topics = "t", source_type = "NONE", sink_type = "OBS_SINK", sink_task = {
      consumer_strategy = "latest", access_key = "AKX1", secret_key = "SKX1", obs_bucket_name = "b", obs_path = "p",
      partition_format = "yyyy/MM/dd", record_delimiter = ",", store_keys = true, destination_file_type = "TEXT",
      deliver_time_interval = 300 } }, obs)
    local rep = hw.kafka.kafka_replication_task({ task_name = "r1", current_cluster_name = "A", cluster_name = "B",
      bootstrap_servers = "10.0.0.1:9092", direction = "push", security_protocol = "PLAINTEXT" })
    assert.are.equal("KAFKA_REPLICATOR_SOURCE", rep.source_type)
    assert.are.equal(2, rep.source_task.task_num)
    local redis = hw.kafka.redis_replication_task({ task_name = "d1", topics = "t",
      source_task = { redis_address = "10.0.0.2:6379", redis_type = "standalone", sync_mode = "CUSTOM_OFFSET" },
      sink_task = { redis_address = "10.0.0.3:6379", redis_type = "cluster" } })
    assert.are.equal("REDIS_REPLICATOR_SINK", redis.sink_type)
    for _, body in ipairs({ obs, rep, redis }) do
      local task, err = kafka:create_connector_task({ instance_id = "i", body = body })
      assert.is_table(task, tostring(err))
    end
    local ok, msg = pcall(hw.kafka.obs_dump_task, { obs_bucket = "b" })
    assert.is_false(ok)
    assert.truthy(msg:find("did you mean obs_bucket_name", 1, true))
    assert.error_matches(function() hw.kafka.obs_dump_task("x") end, "bad argument #1 to 'obs_dump_task' (table expected, got string)", 1, true)
  end)

  it("validates before sending: nothing reaches the server", function()
    local before = emu:stats().requests
    local body = X.copy(X.kafka[2].body)
    body.source_task.bootstrap_servers = "10.0.0.1:9092"
    local task, err = kafka:create_connector_task({ instance_id = "i", body = body })
    assert.is_nil(task)
    assert.are.equal("validation", err.kind)
    assert.are.equal("source_task", err.field)
    assert.are.equal(before, emu:stats().requests)
  end)

  it("refuses bad path parameters and unknown parameters, naming them", function()
    for _, id in ipairs({ "", ".", "..", "a/b", "a%2Fb", "a%2fb", "a\\b", "a\rb", "a\0b", "x\255" }) do
      local task, err = kafka:create_connector_task({ instance_id = id, body = X.kafka[1].body })
      assert.is_nil(task)
      assert.are.equal("validation", err.kind, id)
      assert.are.equal("instance_id", err.field, id)
    end
    local _, err = kafka:create_connector_task({ body = X.kafka[1].body })
    assert.are.equal("instance_id", err.field)
    assert.truthy(err.message:find("required"))
    _, err = kafka:create_connector_task({ instanceid = "i", body = X.kafka[1].body })
    assert.are.equal("instanceid", err.field)
    assert.truthy(err.message:find("unknown parameter of create_connector_task"))
    _, err = kafka:create_connector_task({ instance_id = "i" })
    assert.are.equal("body", err.field)
  end)

  it("percent-encodes path parameters and signs them as sent", function()
    local task, meta = kafka:create_connector_task({ instance_id = "a b+c~d", body = X.kafka[1].body })
    assert.is_table(task, tostring(meta))
    local stored = emu:tasks().kafka
    assert.are.equal("a b+c~d", stored[#stored].instance_id)
    local req = assert(kafka:prepare("create_connector_task", { instance_id = "a b", body = X.kafka[1].body }))
    assert.truthy(req.url:find("/instances/a%20b/connector", 1, true))
    assert.truthy(req.canonical_request:find("/instances/a%20b/connector/tasks/\n", 1, true))
  end)

  it("lets validate = false (per client or per call) through to the server's own checks", function()
    local body = X.copy(X.kafka[1].body)
    body.sink_task.record_delimiter = "tab"
    local _, err = kafka:create_connector_task({ instance_id = "i", body = body })
    assert.are.equal("validation", err.kind)
    _, err = kafka:create_connector_task({ instance_id = "i", body = body, validate = false })
    assert.are.equal("api", err.kind)
    assert.are.equal(400, err.status)
    assert.truthy(err.message:find("sink_task.record_delimiter", 1, true))
    local loose = assert(hw.kafka.new({ endpoint = emu.url, validate = false,
      credentials = { ak = emu.ak, sk = emu.sk, project_id = X.project_id } }))
    _, err = loose:create_connector_task({ instance_id = "i", body = body })
    assert.are.equal("api", err.kind)
    loose:close()
  end)

  it("dry-runs with secrets masked unless reveal = true", function()
    local req = assert(kafka:prepare("create_connector_task", { instance_id = "i", body = X.kafka[2].body }))
    assert.is_nil(req.body:find("pw-EXAMPLE", 1, true))
    assert.truthy(req.body:find('"password":"***"', 1, true))
    assert.is_nil(req.headers.Authorization:find(emu.ak, 1, true))
    assert.truthy(req.headers.Authorization:find("Signature=***", 1, true))
    local raw = assert(kafka:prepare("create_connector_task", { instance_id = "i", body = X.kafka[2].body }, { reveal = true }))
    assert.truthy(raw.body:find('"password":"pw-EXAMPLE"', 1, true))
    assert.truthy(raw.headers.Authorization:find("Access=" .. emu.ak, 1, true))
    assert.are.equal(0, emu:stats().rejected_signatures)
    assert.error_matches(function() kafka:prepare("create_obs_transfer_task", {}) end,
      "unknown operation 'create_obs_transfer_task' for kafka", 1, true)
    assert.error_matches(function() kafka:prepare("create_connector_task", "x") end,
      "bad argument #2 to 'prepare' (table expected, got string)", 1, true)
  end)

  it("raises on misuse", function()
    assert.error_matches(function() kafka:create_connector_task("x") end,
      "bad argument #1 to 'create_connector_task' (table expected, got string)", 1, true)
    assert.error_matches(function() kafka:create_connector_task() end,
      "bad argument #1 to 'create_connector_task' (table expected, got nil)", 1, true)
    assert.is_nil(kafka.create_obs_transfer_task)
  end)
end)
