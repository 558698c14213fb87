-- The life of a task, every operation through the client over libcurl against the emulator,
-- whose clock is frozen so states move only when the spec advances it: Kafka Smart Connect
-- tasks (list, show, pause, resume, restart, delete), Smart Connect itself (enable, disable,
-- show_instance), DIS dump tasks (list, show by name, start/stop by id, delete) and streams.
local hw = require("huaweicloud")
local X = require("spec.fixtures.examples")

local function named(name, start_later)
  local b = X.copy(X.kafka[1].body)
  b.task_name, b.start_later = name, start_later or false
  return b
end

describe("the Kafka task lifecycle", function()
  local emu, kafka
  before_each(function()
    emu = hw.emulator.start({ clock = "manual", instances = {
      { instance_id = "inst-1" }, { instance_id = "inst-off", connector_enable = false } } })
    kafka = hw.assert(hw.kafka.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p1" },
      retries = 0 })) -- the emulator's answers, not the retry policy (a "busy" answer is retried in 10 s steps)
  end)
  after_each(function()
    kafka:close()
    emu:stop()
  end)

  local function show(id, instance)
    return kafka:show_connector_task({ instance_id = instance or "inst-1", task_id = id })
  end

  it("creates CREATING, then RUNNING (or WAITING) as the clock moves; show and list agree", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("t-1") }))
    assert.are.equal("CREATING", task.status)
    local later = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("t-2", true) }))
    assert.are.equal("CREATING", hw.assert(show(task.id)).status)
    emu:advance(1)
    local shown, meta = show(task.id)
    assert.are.same({ "RUNNING", task.id, "t-1", 200 }, { shown.status, shown.id, shown.task_name, meta.status })
    assert.are.equal("WAITING", hw.assert(show(later.id)).status)
    if math.type then assert.are.equal("integer", math.type(shown.create_time)) end
    assert.is_nil(shown.sink_task.access_key)
    local page = hw.assert(kafka:list_connector_tasks({ instance_id = "inst-1" }))
    -- quota_tasks is the quota, not what is left (the docs' example: total_number 3, max_tasks 18, quota_tasks 18)
    assert.are.same({ 2, 18, 18 }, { page.total_number, page.max_tasks, page.quota_tasks })
    assert.are.same({ task.id, later.id }, { page.tasks[1].id, page.tasks[2].id })
  end)

  it("pages the list by offset and limit, and answers the 19th create like the service", function()
    for i = 1, 18 do hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("p-" .. i) })) end
    local seen = {}
    for offset = 0, 15, 5 do
      local page = hw.assert(kafka:list_connector_tasks({ instance_id = "inst-1", offset = offset, limit = 5 }))
      assert.are.equal(18, page.total_number)
      assert.are.equal(math.min(5, 18 - offset), #page.tasks)
      for _, t in ipairs(page.tasks) do seen[#seen + 1] = t.task_name end
    end
    assert.are.equal(18, #seen)
    assert.are.same({ "p-1", "p-18" }, { seen[1], seen[18] })
    local _, err = kafka:create_connector_task({ instance_id = "inst-1", body = named("p-19") })
    assert.are.same({ "api", 400, "DMS.00400039", "The quota limit has been reached." },
      { err.kind, err.status, err.code, err.message })
  end)

  it("pauses, resumes and restarts, each 204 with an empty result", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("m-1") }))
    emu:advance(1)
    local res, meta = kafka:pause_connector_task({ instance_id = "inst-1", task_id = task.id })
    assert.are.same({}, res, tostring(meta))
    assert.are.equal(204, meta.status)
    assert.are.equal("RUNNING", hw.assert(show(task.id)).status) -- pending: RUNNING, then PAUSED
    emu:advance(1)
    assert.are.equal("PAUSED", hw.assert(show(task.id)).status)
    local _, err = kafka:pause_connector_task({ instance_id = "inst-1", task_id = task.id })
    assert.are.same({ 400, "DMS.00400026" }, { err.status, err.code })
    hw.assert(kafka:resume_connector_task({ instance_id = "inst-1", task_id = task.id }))
    emu:advance(1)
    assert.are.equal("RUNNING", hw.assert(show(task.id)).status)
    hw.assert(kafka:restart_connector_task({ instance_id = "inst-1", task_id = task.id }))
    assert.are.equal("RESTARTING", hw.assert(show(task.id)).status)
    emu:advance(1)
    assert.are.equal("RUNNING", hw.assert(show(task.id)).status)
    -- restart starts a task created to start later
    local later = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("m-2", true) }))
    emu:advance(1)
    hw.assert(kafka:restart_connector_task({ instance_id = "inst-1", task_id = later.id }))
    emu:advance(1)
    assert.are.equal("RUNNING", hw.assert(show(later.id)).status)
  end)

  it("deletes: show answers 404 at once, never a status the service does not document", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("d-1") }))
    local res, meta = kafka:delete_connector_task({ instance_id = "inst-1", task_id = task.id })
    assert.are.same({ {}, 204 }, { res, meta.status })
    local _, err = show(task.id)
    assert.are.same({ "api", 404, "DMS.00404022" }, { err.kind, err.status, err.code })
    _, err = kafka:delete_connector_task({ instance_id = "inst-1", task_id = task.id })
    assert.are.equal(404, err.status)
    assert.are.equal(0, hw.assert(kafka:list_connector_tasks({ instance_id = "inst-1" })).total_number)
  end)

  it("enables and disables Smart Connect: EXTENDING, CONNECTOR_DELETING, then RUNNING", function()
    local inst = hw.assert(kafka:show_instance({ instance_id = "inst-off" }))
    assert.are.same({ "RUNNING", false }, { inst.status, inst.connector_enable })
    local _, err = kafka:create_connector_task({ instance_id = "inst-off", body = named("x") })
    assert.are.equal("DMS.00400026", err.code) -- Smart Connect is off there
    local job = hw.assert(kafka:create_connector({ instance_id = "inst-off", body = { node_cnt = 2 } }))
    assert.is_string(job.job_id)
    assert.are.equal("EXTENDING", hw.assert(kafka:show_instance({ instance_id = "inst-off" })).status)
    emu:advance(1)
    inst = hw.assert(kafka:show_instance({ instance_id = "inst-off" }))
    assert.are.same({ "RUNNING", true, job.connector_id, 2 },
      { inst.status, inst.connector_enable, inst.connector_id, inst.connector_node_num })
    _, err = kafka:create_connector({ instance_id = "inst-1" }) -- on already, and the body may be left out
    assert.are.same({ 400, "DMS.00400026" }, { err.status, err.code })
    assert.is_string(hw.assert(kafka:delete_connector({ instance_id = "inst-off" })).job_id)
    assert.are.equal("CONNECTOR_DELETING", hw.assert(kafka:show_instance({ instance_id = "inst-off" })).status)
    emu:advance(1)
    inst = hw.assert(kafka:show_instance({ instance_id = "inst-off" }))
    assert.are.same({ "RUNNING", false }, { inst.status, inst.connector_enable })
    _, err = kafka:show_instance({ instance_id = "no-such" })
    assert.are.same({ 404, "DMS.00404022" }, { err.status, err.code })
    -- both readings of node_cnt are sent as given
    for _, n in ipairs({ 3, "3" }) do
      local req = hw.assert(kafka:prepare("create_connector", { instance_id = "inst-off", body = { node_cnt = n } }))
      assert.are.equal('{"node_cnt":' .. (n == 3 and "3" or '"3"') .. "}", req.body)
    end
  end)

  it("refuses bad parameters, naming the field, before anything is sent", function()
    local before = emu:stats().requests
    for _, c in ipairs({
      { "list_connector_tasks", { instance_id = "inst-1", limit = 0 }, "limit", "must be between 1 and 50, got 0" },
      { "list_connector_tasks", { instance_id = "inst-1", limit = "10" }, "limit", "expected an integer, got string" },
      { "list_connector_tasks", { instance_id = "inst-1", offset = -1 }, "offset", "must be between 0 and 2147483647, got -1" },
      { "show_connector_task", { instance_id = "inst-1" }, "task_id", "required (a string; got missing)" },
      { "pause_connector_task", { instance_id = "inst-1", task_id = "a/b" }, "task_id", "must not contain '/' or '\\'" },
      { "delete_connector_task", { instance_id = "inst-1", task_id = "t", body = {} }, "body",
        "unknown parameter of delete_connector_task (it takes instance_id, task_id, headers, validate, allow_unknown)" },
      { "create_connector", { instance_id = "inst-1", body = { specification = "50MB" } }, "specification",
        'must be one of "100MB", "300MB", "600MB", "1200MB"; got "50MB"' },
      -- at least 2 connector nodes, written as the page's example (a number) or the SDK model (a string)
      { "create_connector", { instance_id = "inst-1", body = { node_cnt = 1 } }, "node_cnt",
        "must be an integer from 2 to 2147483647 (a number or a string of digits), got 1" },
      { "create_connector", { instance_id = "inst-1", body = { node_cnt = "1" } }, "node_cnt",
        'must be an integer from 2 to 2147483647 (a number or a string of digits), got "1"' },
      { "create_connector", { instance_id = "inst-1", body = { node_cnt = "two" } }, "node_cnt",
        'must be an integer from 2 to 2147483647 (a number or a string of digits), got "two"' },
    }) do
      local res, err = kafka[c[1]](kafka, c[2])
      assert.is_nil(res)
      assert.are.same({ "validation", c[3], c[4] }, { err.kind, err.field, err.message })
    end
    assert.are.equal(before, emu:stats().requests)
  end)
end)

describe("the DIS lifecycle", function()
  local emu, dis
  before_each(function()
    emu = hw.emulator.start({ clock = "manual", streams = {} }) -- streams only as created
    dis = hw.assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p1" } }))
  end)
  after_each(function()
    dis:close()
    emu:stop()
  end)

  local function dump(name)
    return hw.dis.obs_transfer_task({ task_name = name, agency_name = "dis_admin_agency", obs_bucket_path = "b" })
  end

  it("creates, shows, lists and deletes streams, with the service's codes", function()
    local res, meta = dis:create_stream({ body = { stream_name = "st-1", partition_count = 3, data_type = "JSON" } })
    assert.are.same({ {}, 201 }, { res, meta.status })
    local _, err = dis:create_stream({ body = { stream_name = "st-1", partition_count = 1 } })
    assert.are.same({ 400, "DIS.4307" }, { err.status, err.code })
    -- partitions a page at a time: at most limit_partitions, after start_partitionId (exclusive)
    local s = hw.assert(dis:show_stream({ stream_name = "st-1", limit_partitions = 2 }))
    assert.are.same({ "st-1", "CREATING", 2, true, 3, 3 }, { s.stream_name, s.status, #s.partitions,
      s.has_more_partitions, s.writable_partition_count, s.readable_partition_count })
    assert.is_string(s.stream_id)
    local rest = hw.assert(dis:show_stream({ stream_name = "st-1", start_partitionId = s.partitions[2].partition_id }))
    assert.are.same({ 1, "shardId-0000000002", false },
      { #rest.partitions, rest.partitions[1].partition_id, rest.has_more_partitions })
    -- a list shows each stream's partition_count; the writable and readable counts are show_stream's
    local info = hw.assert(dis:list_streams({})).stream_info_list[1]
    assert.are.same({ "st-1", 3 }, { info.stream_name, info.partition_count })
    assert.is_nil(info.writable_partition_count)
    emu:advance(1)
    assert.are.equal("RUNNING", hw.assert(dis:show_stream({ stream_name = "st-1" })).status)
    for i = 2, 12 do hw.assert(dis:create_stream({ body = { stream_name = ("st-%02d"):format(i), partition_count = 1 } })) end
    local page = hw.assert(dis:list_streams({ limit = 5 }))
    assert.are.same({ 12, 5, true }, { page.total_number, #page.stream_names, page.has_more_streams })
    page = hw.assert(dis:list_streams({ limit = 5, start_stream_name = page.stream_names[5] }))
    assert.are.equal("st-07", page.stream_names[1]) -- names in order: st-02 .. st-09, st-1, st-10, ...
    hw.assert(dis:delete_stream({ stream_name = "st-1" }))
    assert.are.equal("TERMINATING", hw.assert(dis:show_stream({ stream_name = "st-1" })).status)
    emu:advance(1)
    _, err = dis:show_stream({ stream_name = "st-1" })
    assert.are.same({ 400, "DIS.4301" }, { err.status, err.code })
  end)

  it("adds dump tasks once per name, shows them with task_id, stops and starts them by id, deletes them", function()
    hw.assert(dis:create_stream({ body = { stream_name = "flow", partition_count = 1 } }))
    local _, err = dis:create_obs_transfer_task({ stream_name = "nowhere", body = dump("t") })
    assert.are.same({ 400, "DIS.4301" }, { err.status, err.code })
    hw.assert(dis:create_obs_transfer_task({ stream_name = "flow", body = dump("dump-1") }))
    _, err = dis:create_obs_transfer_task({ stream_name = "flow", body = dump("dump-1") })
    assert.are.same({ 400, "DIS.4355" }, { err.status, err.code })
    local list = hw.assert(dis:list_transfer_tasks({ stream_name = "flow" }))
    assert.are.same({ 1, "dump-1", "STARTING" }, { list.total_number, list.tasks[1].task_name, list.tasks[1].state })
    local id = list.tasks[1].task_id
    assert.is_string(id)
    emu:advance(1)
    local t = hw.assert(dis:show_transfer_task({ stream_name = "flow", task_name = "dump-1" }))
    assert.are.same({ "RUNNING", id, "flow", "dis_admin_agency" },
      { t.state, t.task_id, t.stream_name, t.obs_destination_description.agency_name })
    assert.is_string(t.stream_id)
    local res, meta = dis:batch_stop_transfer_task({ stream_name = "flow", body = { action = "stop", tasks = { { id = id } } } })
    assert.are.same({ {}, 200 }, { res, meta.status })
    assert.are.equal("PAUSED", hw.assert(dis:show_transfer_task({ stream_name = "flow", task_name = "dump-1" })).state)
    hw.assert(dis:batch_start_transfer_task({ stream_name = "flow", body = { action = "start", tasks = { { id = id } } } }))
    assert.are.equal("STARTING", hw.assert(dis:show_transfer_task({ stream_name = "flow", task_name = "dump-1" })).state)
    emu:advance(1)
    assert.are.equal("RUNNING", hw.assert(dis:show_transfer_task({ stream_name = "flow", task_name = "dump-1" })).state)
    _, err = dis:batch_start_transfer_task({ stream_name = "flow", body = { action = "start", tasks = { { id = "no" } } } })
    assert.are.same({ 400, "DIS.4354" }, { err.status, err.code })
    res, meta = dis:delete_transfer_task({ stream_name = "flow", task_name = "dump-1" })
    assert.are.same({ {}, 204 }, { res, meta.status })
    _, err = dis:show_transfer_task({ stream_name = "flow", task_name = "dump-1" })
    assert.are.same({ 400, "DIS.4354" }, { err.status, err.code })
  end)

  it("refuses bad parameters and bodies, naming the field", function()
    for _, c in ipairs({
      { "batch_stop_transfer_task", { stream_name = "flow", body = { action = "halt", tasks = {} } }, "action",
        'must be one of "stop"; got "halt"' },
      -- each operation takes its own action (the Go SDK's BatchStart/StopTransferTaskReqAction)
      { "batch_start_transfer_task", { stream_name = "flow", body = { action = "stop", tasks = {} } }, "action",
        'must be one of "start"; got "stop"' },
      { "batch_stop_transfer_task", { stream_name = "flow", body = { action = "start", tasks = {} } }, "action",
        'must be one of "stop"; got "start"' },
      -- the pages' limits
      { "list_streams", { limit = 101 }, "limit", "must be between 1 and 100, got 101" },
      { "show_stream", { stream_name = "flow", limit_partitions = 1001 }, "limit_partitions",
        "must be between 1 and 1000, got 1001" },
      { "create_stream", { body = { stream_name = "ok", partition_count = 1, data_duration = 12 } }, "data_duration",
        "must be between 24 and 72, got 12" },
      { "create_stream", { body = { stream_name = "ok", partition_count = 1, tags = { { key = ("k"):rep(37) } } } },
        "tags[1].key", "must be 1 to 36 characters long, got 37" },
      { "create_stream", { body = { stream_name = "ok", partition_count = 1, tags = { { key = "k", value = ("v"):rep(44) } } } },
        "tags[1].value", "must be 0 to 43 characters long, got 44" },
      { "create_stream", { body = { stream_name = "ok", partition_count = 1, tags = (function()
        local t = {}
        for i = 1, 11 do t[i] = { key = "k" .. i, value = "v" } end
        return t
      end)() } }, "tags", "must have 0 to 10 items, got 11" },
      { "batch_start_transfer_task", { stream_name = "flow", body = { action = "start", tasks = { {} } } }, "tasks[1].id",
        "required" },
      { "create_stream", { body = { stream_name = "bad name", partition_count = 1 } }, "stream_name",
        "may contain only letters, digits, '_', '-'" },
      { "create_stream", { body = { stream_name = "ok" } }, "partition_count", "required" },
      { "list_streams", { limit = 1.5 }, "limit", "expected an integer, got a number that is not an integer" },
      { "show_transfer_task", { stream_name = "flow" }, "task_name", "required (a string; got missing)" },
    }) do
      local res, err = dis[c[1]](dis, c[2])
      assert.is_nil(res)
      assert.are.same({ "validation", c[3], c[4] }, { err.kind, err.field, err.message })
    end
  end)

  it("runs any operation in a batch", function()
    local list = {}
    for i = 1, 6 do list[i] = { body = { stream_name = "b-" .. i, partition_count = 1 } } end
    local results = dis:create_many("create_stream", list, { concurrency = 3 })
    for i = 1, 6 do assert.are.equal(201, results[i][2].status, tostring(results[i][2])) end
    local shows = {}
    for i = 1, 6 do shows[i] = { stream_name = "b-" .. i } end
    results = dis:create_many("show_stream", shows, { concurrency = 3 })
    for i = 1, 6 do assert.are.equal("b-" .. i, results[i][1].stream_name) end
  end)
end)
