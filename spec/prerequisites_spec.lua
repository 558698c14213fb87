-- What a pipeline needs before its task, against the emulator over libcurl: Kafka instances by
-- name, Smart Connect's background jobs, topics, a connectivity check before a create, DIS
-- partition scaling and tags, IAM agencies. The whole chain is examples/kafka_prerequisites.lua,
-- walked here on a frozen clock (and in nginx by spec/ngx_spec.lua).
local hw = require("huaweicloud")
local walk = require("examples.kafka_prerequisites")

local function creds(emu, project)
  return { ak = emu.ak, sk = emu.sk, project_id = project }
end

local INSTANCES = {
  { instance_id = "i-src", name = "orders-kafka", connector_enable = false },
  { instance_id = "i-old", name = "orders-kafka-old" },
  { instance_id = "i-peer", name = "peer-kafka" },
  { instance_id = "i-dup1", name = "twin" }, { instance_id = "i-dup2", name = "twin" },
}

describe("a pipeline's prerequisites on Kafka", function()
  local emu, kafka
  before_each(function()
    emu = hw.emulator.start({ clock = "manual", instances = INSTANCES })
    kafka = hw.assert(hw.kafka.new({ endpoint = emu.url, credentials = creds(emu, "p1") }))
  end)
  after_each(function()
    kafka:close()
    emu:stop()
  end)
  -- waits sleep on the emulator's clock: a wait of minutes takes no time
  local function sleep(s) emu:advance(s) end

  it("walks the chain: instance by name, Smart Connect and its job, topic, check, task RUNNING", function()
    local r = walk(kafka, { instance = "orders-kafka", peer = "peer-kafka", topic = "orders", task = "from-peer",
      interval = 1, sleep = sleep })
    assert.are.same({ "i-src", true }, { r.instance.instance_id, r.enabled })
    assert.are.same({ "EXECUTING", "SUCCESS" }, r.job.history)
    assert.are.same({ "orders", true }, { r.topic.name, r.topic_meta.created })
    assert.are.same({ "RUNNING", true }, { r.task.status, r.task_meta.created })
    assert.are.same({ "CREATING", "RUNNING" }, r.task_meta.history)
    assert.are.equal(1, emu:stats().calls.validate_connector_connectivity)
    -- again: everything exists, nothing is made, checked or enabled twice
    local again = walk(kafka, { instance = "orders-kafka", peer = "peer-kafka", topic = "orders", task = "from-peer",
      interval = 1, sleep = sleep })
    assert.are.same({ false, false, r.task.id }, { again.topic_meta.created, again.task_meta.created, again.task.id })
    assert.is_nil(again.job)
    local calls = emu:stats().calls
    assert.are.same({ 1, 1, 1, 1 }, { calls.validate_connector_connectivity, calls.create_connector,
      calls.create_instance_topic, calls.create_connector_task })
  end)

  it("finds an instance by its whole name; none or several is an error that says so", function()
    local inst = hw.assert(kafka:find_instance({ name = "orders-kafka" }))
    assert.are.equal("i-src", inst.instance_id) -- not orders-kafka-old: the list is asked for exact names
    local none, err = kafka:find_instance({ name = "nobody" })
    assert.is_nil(none)
    assert.are.same({ "not_found", "name" }, { err.kind, err.field })
    assert.truthy(err.message:find("no instance has name nobody", 1, true), err.message)
    local _, twin = kafka:find_instance({ name = "twin" })
    assert.are.equal("conflict", twin.kind)
    table.sort(twin.ids)
    assert.are.same({ "i-dup1", "i-dup2" }, twin.ids)
    local _, typo = kafka:find_instance({ nmae = "x" })
    assert.are.same({ "validation", "nmae" }, { typo.kind, typo.field })
  end)

  it("lists instances a page at a time, by part of a name, with their number", function()
    local page = hw.assert(kafka:list_instances({ engine = "kafka", name = "orders", limit = 1 }))
    assert.are.same({ 2, 1, "orders-kafka" }, { page.instance_num, #page.instances, page.instances[1].name })
    local names = {}
    for inst in kafka:each_instance({ limit = 2 }) do names[#names + 1] = inst.name end
    assert.are.same({ "orders-kafka", "orders-kafka-old", "peer-kafka", "twin", "twin" }, names)
    local _, err = kafka:list_instances({ engine = "kafka", limit = 51 })
    assert.are.same({ "validation", "limit" }, { err.kind, err.field })
  end)

  it("follows the job Smart Connect answers, then the instance (wait_instance{ job_id })", function()
    local job = hw.assert(kafka:create_connector({ instance_id = "i-src" }))
    local inst, meta = hw.assert(kafka:wait_instance({ instance_id = "i-src", job_id = job.job_id,
      ["until"] = "enabled", interval = 1, sleep = sleep }))
    assert.are.same({ true, "RUNNING" }, { inst.connector_enable, inst.status })
    assert.are.same({ "RUNNING" }, meta.history) -- the job was followed first: the instance was done
    local shown = hw.assert(kafka:show_background_task({ instance_id = "i-src", task_id = job.job_id }))
    assert.are.same({ "1", "SUCCESS", "createConnector" }, { shown.task_count, shown.tasks[1].status,
      shown.tasks[1].name })
    local off = hw.assert(kafka:delete_connector({ instance_id = "i-src" }))
    local done = hw.assert(kafka:wait_job({ instance_id = "i-src", job_id = off.job_id, interval = 1, sleep = sleep }))
    assert.are.equal("SUCCESS", done.tasks[1].status)
    assert.is_false(hw.assert(kafka:show_instance({ instance_id = "i-src" })).connector_enable)
    local _, bad = kafka:wait_job({ instance_id = "i-src", job_id = "j", ["until"] = "RUNNING" })
    assert.are.equal("until", bad.field) -- the documented states are EXECUTING, SUCCESS, ...
  end)

  it("lists background jobs newest first, paged by start as the docs and Python name it", function()
    local req = hw.assert(kafka:prepare("list_background_tasks", { instance_id = "i-src", start = 2, limit = 1 }))
    assert.truthy(req.url:find("[?&]start=2"), req.url)
    assert.is_nil(req.url:find("offset", 1, true))
    local first = hw.assert(kafka:create_connector({ instance_id = "i-src" }))
    emu:advance(5)
    local second = hw.assert(kafka:delete_connector({ instance_id = "i-src" }))
    local all = hw.assert(kafka:list_background_tasks({ instance_id = "i-src" }))
    assert.are.same({ "2", second.job_id, first.job_id }, { all.task_count, all.tasks[1].id, all.tasks[2].id })
    local page = hw.assert(kafka:list_background_tasks({ instance_id = "i-src", start = 2, limit = 1 }))
    assert.are.same({ "2", 1, first.job_id }, { page.task_count, #page.tasks, page.tasks[1].id })
  end)

  it("ensures a topic: created once, drift on what differs, the documented limits", function()
    local topic, meta = hw.assert(kafka:ensure_topic({ instance_id = "i-peer", body = { id = "t-1", partition = 3 } }))
    assert.are.same({ "t-1", true }, { topic.name, meta.created })
    topic, meta = hw.assert(kafka:ensure_topic({ instance_id = "i-peer",
      body = { id = "t-1", partition = 6, replication = 3, sync_replication = false } }))
    assert.are.same({ "t-1", 3, false, { "partition" } }, { topic.name, topic.partition, meta.created, meta.drift })
    local page = hw.assert(kafka:list_instance_topics({ instance_id = "i-peer" }))
    assert.are.same({ 1, 297, 300 }, { page.total, page.remain_partitions, page.max_partitions })
    local _, err = kafka:create_instance_topic({ instance_id = "i-peer", body = { id = "t-2", replication = 4 } })
    assert.are.same({ 400, "DMS.00400861" }, { err.status, err.code }) -- more replicas than brokers
    _, err = kafka:create_instance_topic({ instance_id = "i-peer", body = { id = "t-3", partition = 201 } })
    assert.are.same({ "validation", "partition" }, { err.kind, err.field })
    local _, wait_arg = kafka:ensure_topic({ instance_id = "i-peer", body = { id = "t-1" }, wait = true })
    assert.are.same({ "validation", "wait" }, { wait_arg.kind, wait_arg.field }) -- a topic has nothing to wait for
    local gone = hw.assert(kafka:batch_delete_instance_topic({ instance_id = "i-peer", body = { topics = { "t-1", "x" } } }))
    assert.are.same({ true, false }, { gone.topics[1].success, gone.topics[2].success })
  end)

  it("takes a topic another caller created between its look and its create as found", function()
    local other = hw.assert(hw.kafka.new({ endpoint = emu.url, credentials = creds(emu, "p1") }))
    local curl = require("huaweicloud.client").curl_transport
    local racing = hw.assert(hw.kafka.new({ endpoint = emu.url, credentials = creds(emu, "p1"), transport = {
      call = function(client, op, cfg, params, limit)
        if op == "create_instance_topic" then
          hw.assert(other:create_instance_topic({ instance_id = "i-peer", body = { id = "raced" } }))
        end
        return curl.call(client, op, cfg, params, limit)
      end, sleep = hw.core.sleep } }))
    local topic, meta = hw.assert(racing:ensure_topic({ instance_id = "i-peer", body = { id = "raced" } }))
    assert.are.same({ "raced", false, true }, { topic.name, meta.created, meta.raced })
    other:close()
    racing:close()
  end)

  it("checks the peer before creating (validate_first): an unreachable one creates nothing", function()
    local body = hw.kafka.kafka_replication_task({ task_name = "r", topics = "t", current_cluster_name = "a",
      cluster_name = "b", direction = "pull", bootstrap_servers = "10.9.9.9:9092", password = "peer-secret-xyz", user_name = "u" })
    local task, err = kafka:ensure_connector_task({ instance_id = "i-peer", body = body, validate_first = true })
    assert.is_nil(task)
    assert.are.same({ 400, "DMS.00400062", "validate_connector_connectivity" }, { err.status, err.code, err.stage })
    assert.is_nil(tostring(err):find("peer-secret-xyz", 1, true))
    assert.are.equal(0, hw.assert(kafka:list_connector_tasks({ instance_id = "i-peer" })).total_number)
    emu:config({ reachable = { "10.9.9.9:9092" } })
    task = hw.assert(kafka:ensure_connector_task({ instance_id = "i-peer", body = body, validate_first = true }))
    assert.are.equal("r", task.task_name)
    -- the check alone, as the SDKs send it
    hw.assert(kafka:validate_connector_connectivity({ instance_id = "i-peer",
      body = { type = "KAFKA_REPLICATOR_SOURCE", task = { instance_id = "i-src" } } }))
    local _, bad = kafka:validate_connector_connectivity({ instance_id = "i-peer", body = { type = "REDIS" } })
    assert.are.same({ "validation", "type" }, { bad.kind, bad.field })
  end)

  it("refuses a dump task on a topic the instance lacks, with the documented code, when asked to", function()
    emu:config({ check_topics = true })
    local body = hw.kafka.obs_dump_task({ task_name = "d", topics = "missing", access_key = "AK", secret_key = "SK",
      obs_bucket_name = "b", obs_path = "p", partition_format = "yyyy/MM/dd", record_delimiter = "\n",
      consumer_strategy = "latest" })
    local _, err = kafka:create_connector_task({ instance_id = "i-peer", body = body })
    assert.are.same({ 400, "DMS.00400975" }, { err.status, err.code })
    hw.assert(kafka:create_instance_topic({ instance_id = "i-peer", body = { id = "missing" } }))
    hw.assert(kafka:create_connector_task({ instance_id = "i-peer", body = body }))
  end)

  it("answers what Smart Connect needs, and changes a task the SDKs let modify", function()
    assert.is_false(hw.assert(kafka:show_connector_resource_info({ instance_id = "i-src" })).soldOut)
    local _, err = kafka:show_connector_resource_info({ instance_id = "nope" })
    assert.are.same({ 404, "DMS.00404022" }, { err.status, err.code })
    local body = hw.kafka.kafka_replication_task({ task_name = "m", topics = "a", current_cluster_name = "x",
      cluster_name = "y", direction = "pull", instance_id = "i-src" })
    local task = hw.assert(kafka:create_connector_task({ instance_id = "i-peer", body = body }))
    local changed = hw.assert(kafka:modify_connector_task({ instance_id = "i-peer", task_id = task.id,
      body = { topics = "a,b" } }))
    assert.are.same({ task.id, "a,b", "m" }, { changed.id, changed.topics, changed.task_name })
  end)
end)

describe("a pipeline's prerequisites on DIS and IAM", function()
  local emu, dis
  before_each(function()
    emu = hw.emulator.start({ streams = { { stream_name = "s1", partition_count = 1 } } })
    dis = hw.assert(hw.dis.new({ endpoint = emu.url, credentials = creds(emu, "p1") }))
  end)
  after_each(function()
    dis:close()
    emu:stop()
  end)

  it("grows a stream's partitions when asked (ensure_stream{ grow = true }), never shrinks one", function()
    local s, meta = hw.assert(dis:ensure_stream({ body = { stream_name = "s1", partition_count = 3 } }))
    assert.are.same({ 1, { "partition_count" } }, { s.writable_partition_count, meta.drift })
    s, meta = hw.assert(dis:ensure_stream({ body = { stream_name = "s1", partition_count = 3 }, grow = true }))
    assert.are.same({ 3, { from = 1, to = 3 } }, { s.writable_partition_count, meta.grown })
    assert.is_nil(meta.drift)
    assert.are.same({ 1, 3 }, { s.update_partition_counts[1].src_partition_count,
      s.update_partition_counts[1].target_partition_count })
    s, meta = hw.assert(dis:ensure_stream({ body = { stream_name = "s1", partition_count = 2 }, grow = true }))
    assert.are.same({ 3, { "partition_count" } }, { s.writable_partition_count, meta.drift })
    assert.is_nil(meta.grown)
    local _, err = dis:update_partition_count({ stream_name = "s1",
      body = { stream_name = "s1", target_partition_count = 0 } })
    assert.are.same({ 400, "DIS.4200" }, { err.status, err.code }) -- the page's Minimum 0 is sent; the service says
    for n = 4, 7 do
      hw.assert(dis:update_partition_count({ stream_name = "s1", body = { stream_name = "s1", target_partition_count = n } }))
    end
    _, err = dis:update_partition_count({ stream_name = "s1", body = { stream_name = "s1", target_partition_count = 8 } })
    assert.are.same({ 400, "DIS.4200" }, { err.status, err.code }) -- five scalings an hour
  end)

  it("tags a stream by its id, with the documented limits and codes", function()
    local id = hw.assert(dis:show_stream({ stream_name = "s1" })).stream_id
    hw.assert(dis:create_tag({ stream_id = id, body = { tag = { key = "team", value = "data" } } }))
    hw.assert(dis:batch_create_tags({ stream_id = id, body = { action = "create",
      tags = { { key = "team", value = "ops" }, { key = "env", value = "test" } } } }))
    local tags = hw.assert(dis:show_stream_tags({ stream_id = id })).tags
    assert.are.same({ { key = "team", value = "ops" }, { key = "env", value = "test" } }, tags)
    local many = {}
    for i = 1, 9 do many[i] = { key = "k" .. i, value = "v" } end
    local _, err = dis:batch_create_tags({ stream_id = id, body = { action = "create", tags = many } })
    assert.are.same({ 400, "DIS.4601" }, { err.status, err.code })
    _, err = dis:delete_tag({ stream_id = id, key = "nope" })
    assert.are.equal("DIS.4604", err.code)
    hw.assert(dis:batch_delete_tags({ stream_id = id, body = { action = "delete", tags = { { key = "env" }, { key = "x" } } } }))
    hw.assert(dis:delete_tag({ stream_id = id, key = "team" }))
    assert.are.same({}, hw.assert(dis:show_stream_tags({ stream_id = id })).tags)
    _, err = dis:show_stream_tags({ stream_id = "nope" })
    assert.are.same({ "DIS.4603", "gone" }, { err.code, err.class })
    hw.assert(dis:create_tag({ stream_id = id, body = { tag = { key = "team", value = "a" } } }))
    assert.are.same({ { key = "team", values = { "a" } } }, hw.assert(dis:list_tags({})).tags)
  end)

  it("checks the dump task's agency in IAM first; a task naming another answers DIS.4335", function()
    local iam = hw.assert(hw.iam.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk } }))
    local domain = hw.assert(iam:keystone_list_auth_domains({})).domains[1].id
    local found = hw.assert(iam:list_agencies({ domain_id = domain, name = "dis_admin_agency" })).agencies
    assert.are.same({ 1, "dis_admin_agency" }, { #found, found[1].name })
    assert.are.same({}, hw.assert(iam:list_agencies({ domain_id = domain, name = "nope" })).agencies)
    local body = hw.dis.obs_transfer_task({ task_name = "t", agency_name = "nope", obs_bucket_path = "b" })
    local _, err = dis:create_obs_transfer_task({ stream_name = "s1", body = body })
    assert.are.same({ 400, "DIS.4335", "Invalid IAM agency." }, { err.status, err.code, err.message })
    body.obs_destination_descriptor.agency_name = found[1].name
    hw.assert(dis:create_obs_transfer_task({ stream_name = "s1", body = body }))
    iam:close()
  end)

  it("serves IAM from a region's IAM endpoint, with no project needed", function()
    local iam = hw.assert(hw.iam.new({ region = "eu-west-101", credentials = { ak = "AK", sk = "SK" } }))
    assert.are.equal("https://iam.eu-west-101.myhuaweicloud.eu", iam.endpoint)
    local req = hw.assert(iam:prepare("list_agencies", { domain_id = "d" }))
    assert.are.equal("https://iam.eu-west-101.myhuaweicloud.eu/v3.0/OS-AGENCY/agencies?domain_id=d", req.url)
  end)
end)
