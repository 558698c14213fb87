-- Waiting, ensuring, paging, and retries that read the service's error codes, against the
-- emulator on a frozen clock: the waiters sleep in test time (each sleep advances the
-- emulator), so a five-minute wait takes milliseconds.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

local function named(name, start_later)
  local b = X.copy(X.kafka[1].body)
  b.task_name, b.start_later = name, start_later or false
  return b
end

-- A test clock: now() and a sleep that advances it and the emulator's.
local function test_clock(emu)
  local t = 0
  return function() return t end, function(s)
    t = t + s
    emu:advance(s)
  end
end

local function start(opts)
  opts = opts or {}
  opts.clock = "manual"
  local emu = hw.emulator.start(opts)
  local creds = { ak = emu.ak, sk = emu.sk, project_id = "p1" }
  local kafka = hw.assert(hw.kafka.new({ endpoint = emu.url, credentials = creds, retries = opts.retries,
    retry_base = 0.001, busy_step = 0.01 }))
  local dis = hw.assert(hw.dis.new({ endpoint = emu.url, credentials = creds, retries = opts.retries, retry_base = 0.001 }))
  return emu, kafka, dis
end

describe("waiters", function()
  local emu, kafka, dis, now, sleep
  before_each(function()
    emu, kafka, dis = start({ delays = { task = 300, connector = 600, stream = 60, transfer = 90 },
      instances = { { instance_id = "inst-1" }, { instance_id = "off", connector_enable = false } } })
    now, sleep = test_clock(emu)
  end)
  after_each(function() emu:stop() end)

  it("waits through CREATING to RUNNING by the defaults alone, in milliseconds of real time", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("w-1") }))
    local t0 = H.now()
    local shown, meta = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, now = now, sleep = sleep })
    assert.is_table(shown, tostring(meta))
    assert.are.equal("RUNNING", shown.status)
    assert.are.same({ "CREATING", "RUNNING" }, meta.history)
    assert.truthy(now() >= 300 and now() < 400, now()) -- five minutes of test time, polled every 5 s
    assert.truthy(H.now() - t0 < 5, "took " .. (H.now() - t0) .. " s of real time")
    -- a task made to start later is done when WAITING
    local later = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("w-2", true) }))
    shown = hw.assert(kafka:wait_connector_task({ instance_id = "inst-1", task_id = later.id, now = now, sleep = sleep }))
    assert.are.equal("WAITING", shown.status)
    -- an explicit target, after a pause
    hw.assert(kafka:pause_connector_task({ instance_id = "inst-1", task_id = task.id }))
    shown, meta = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, ["until"] = "PAUSED",
      now = now, sleep = sleep })
    assert.are.same({ "PAUSED", { "RUNNING", "PAUSED" } }, { shown and shown.status, meta.history })
  end)

  it("ends at once on a failure state, and counts an undocumented state as pending", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("f-1") }))
    emu:set_state({ instance_id = "inst-1", task_id = task.id, state = "MIGRATING", to = "ERROR", after = 20 })
    local res, err = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, now = now, sleep = sleep })
    assert.is_nil(res)
    assert.are.same({ "failed", "ERROR", { "MIGRATING", "ERROR" } }, { err.kind, err.state, err.history })
    assert.truthy(now() >= 20 and now() < 40, now())
    assert.are.equal("huaweicloud: failed error: show_connector_task shows status = ERROR, a failure state", tostring(err))
  end)

  it("times out at the deadline, naming the last state", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("t-1") }))
    local res, err = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, timeout = 60, interval = 10,
      now = now, sleep = sleep })
    assert.is_nil(res)
    assert.are.same({ "timeout", "CREATING" }, { err.kind, err.state })
    assert.are.equal("show_connector_task still shows status = CREATING after 60 s (waiting for RUNNING or WAITING)",
      err.message)
    assert.truthy(now() >= 60 and now() < 70)
  end)

  it("waits for a deleted task to be gone: any 404 of the show, but a throttle's, means gone", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("g-1") }))
    hw.assert(kafka:delete_connector_task({ instance_id = "inst-1", task_id = task.id }))
    local res, meta = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, ["until"] = "deleted",
      now = now, sleep = sleep })
    assert.are.same({}, res, tostring(meta))
    assert.are.same({ { "deleted" }, true }, { meta.history, meta.gone })
    -- a 404 with a code the registry does not list is gone too (Terraform reads any 404 so); DMS's
    -- throttling 404 is polled again
    local other = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("g-2") }))
    emu:fail({ operation = "show_connector_task", times = 2, status = 404, code = "DMS.10240407" })
    emu:fail({ operation = "show_connector_task", times = 1, status = 404, code = "DMS.00404999" })
    local t0 = now()
    res, meta = kafka:wait_connector_task({ instance_id = "inst-1", task_id = other.id, ["until"] = "deleted",
      now = now, sleep = sleep })
    assert.are.same({ {}, 3 }, { res, meta.polls }, tostring(meta))
    assert.truthy(now() - t0 < 60, "polled to the deadline")
  end)

  it("keeps polling through throttled and failed polls until the deadline", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("p-1") }))
    emu:fail({ operation = "show_connector_task", times = 3, status = 404, code = "DMS.10240407" })
    emu:fail({ operation = "show_connector_task", times = 1, drop = true })
    local shown, meta = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, now = now, sleep = sleep })
    assert.are.equal("RUNNING", shown and shown.status, tostring(meta))
  end)

  it("waits for Smart Connect, DIS dump tasks and streams", function()
    hw.assert(kafka:create_connector({ instance_id = "off" }))
    local inst, meta = kafka:wait_instance({ instance_id = "off", now = now, sleep = sleep })
    assert.are.same({ "RUNNING", true, { "EXTENDING", "RUNNING" } }, { inst.status, inst.connector_enable, meta.history })
    hw.assert(dis:create_stream({ body = { stream_name = "w-stream", partition_count = 1 } }))
    local s = hw.assert(dis:wait_stream({ stream_name = "w-stream", now = now, sleep = sleep }))
    assert.are.equal("RUNNING", s.status)
    hw.assert(dis:create_obs_transfer_task({ stream_name = "w-stream", body = X.dis[1].body }))
    local t
    t, meta = dis:wait_transfer_task({ stream_name = "w-stream", task_name = "newtask", now = now, sleep = sleep })
    assert.are.same({ "RUNNING", { "STARTING", "RUNNING" } }, { t.state, meta.history })
    hw.assert(dis:stop_transfer_task({ stream_name = "w-stream", task_name = "newtask" }))
    assert.are.equal("PAUSED", hw.assert(dis:show_transfer_task({ stream_name = "w-stream", task_name = "newtask" })).state)
    hw.assert(dis:start_transfer_task({ stream_name = "w-stream", task_name = "newtask" }))
    t = hw.assert(dis:wait_transfer_task({ stream_name = "w-stream", task_name = "newtask", now = now, sleep = sleep }))
    assert.are.equal("RUNNING", t.state)
    local _, err = dis:start_transfer_task({ stream_name = "w-stream", task_name = "missing" })
    assert.are.same({ "DIS.4354", "gone" }, { err.code, err.class })
  end)

  it("waits for what was asked: Smart Connect enabled, not RUNNING alone (the state before EXTENDING too)", function()
    -- RUNNING with Smart Connect off: a plain wait is done at once, "enabled" is not
    local inst, meta = kafka:wait_instance({ instance_id = "off", now = now, sleep = sleep })
    assert.are.same({ false, 1 }, { inst.connector_enable, meta.polls })
    local _, err = kafka:wait_instance({ instance_id = "off", ["until"] = "enabled", timeout = 30, now = now, sleep = sleep })
    assert.are.equal("show_instance still shows status = RUNNING after 30 s (waiting for connector_enable = true " ..
      "and status = RUNNING)", err.message)
    hw.assert(kafka:create_connector({ instance_id = "off" }))
    inst, meta = kafka:wait_instance({ instance_id = "off", ["until"] = "enabled", now = now, sleep = sleep })
    assert.is_table(inst, tostring(meta))
    assert.is_true(inst.connector_enable)
    assert.are.same({ "EXTENDING", "RUNNING" }, meta.history)
    hw.assert(kafka:delete_connector({ instance_id = "off" }))
    inst, meta = kafka:wait_instance({ instance_id = "off", ["until"] = "disabled", now = now, sleep = sleep })
    assert.is_table(inst, tostring(meta))
    assert.are.same({ false, { "CONNECTOR_DELETING", "RUNNING" } }, { inst.connector_enable, meta.history })
  end)

  it("ends a wait at once on an answer polling will not change; polls what may pass", function()
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("n-1") }))
    for _, f in ipairs({ { status = 403, code = "APIGW.0302" }, { status = 404, code = "APIGW.0101" },
      { status = 400, code = "DMS.00400062" } }) do
      f.operation = "show_connector_task"
      emu:fail(f)
      local t0 = now()
      local res, err = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, now = now, sleep = sleep })
      assert.is_nil(res)
      assert.are.same({ "api", f.code }, { err.kind, err.code })
      assert.are.equal(0, now() - t0) -- no sleep, no second poll
    end
    emu:fail({ operation = "show_connector_task", times = 2, status = 500, code = "DMS.00500000" })
    emu:fail({ operation = "show_connector_task", times = 1, status = 400, code = "DMS.00400017" })
    local shown, meta = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, now = now, sleep = sleep })
    assert.are.equal("RUNNING", shown and shown.status, tostring(meta))
  end)

  it("refuses arguments it does not know, naming the helper and what it takes", function()
    local _, err = kafka:wait_connector_task({ instance_id = "inst-1", taskid = "x" })
    assert.are.same({ "validation", "taskid", "wait_connector_task: unknown argument taskid (did you mean task_id?); " ..
      "it takes instance_id, task_id, until, timeout, interval, sleep, now" }, { err.kind, err.field, err.message })
    _, err = kafka:wait_connector_task({ instance_id = "inst-1" })
    assert.are.same({ "validation", "task_id", "wait_connector_task needs task_id" }, { err.kind, err.field, err.message })
    -- a state nobody documents is a typo: told at once, not polled to the deadline
    local polls = emu:stats().requests
    _, err = kafka:wait_connector_task({ instance_id = "inst-1", task_id = "t", ["until"] = "PAUSD" })
    assert.are.same({ "validation", "until" }, { err.kind, err.field })
    assert.are.equal("wait_connector_task: until = PAUSD is not a state of show_connector_task (did you mean PAUSED?); " ..
      "it takes CREATING, ERROR, FAILED, PAUSED, RESTARTING, RUNNING, WAITING, deleted, or a list of them", err.message)
    _, err = kafka:wait_instance({ instance_id = "off", ["until"] = { "RUNNING", "enabeld" } })
    assert.are.same({ "validation", "until" }, { err.kind, err.field })
    assert.truthy(err.message:find("(did you mean enabled?)", 1, true), err.message)
    for _, bad in ipairs({ 0, -1, 0 / 0, 1 / 0, "x" }) do
      _, err = kafka:wait_connector_task({ instance_id = "inst-1", task_id = "t", timeout = bad })
      assert.are.same({ "validation", "timeout" }, { err.kind, err.field })
      _, err = kafka:wait_connector_task({ instance_id = "inst-1", task_id = "t", interval = bad })
      assert.are.same({ "validation", "interval" }, { err.kind, err.field })
    end
    assert.are.equal(polls, emu:stats().requests)
    -- every helper checks its own arguments, and names itself
    _, err = kafka:ensure_connector_task({ instance_id = "inst-1", body = named("x"), wiat = true })
    assert.are.same({ "validation", "wiat", "ensure_connector_task: unknown argument wiat (did you mean wait?); " ..
      "it takes instance_id, body, wait, until, timeout, interval, sleep, now, validate_first" },
      { err.kind, err.field, err.message })
    _, err = kafka:ensure_connector_task({ instance_id = "inst-1", body = named("x"), wait = true, ["until"] = "RUNING" })
    assert.are.same({ "validation", "until" }, { err.kind, err.field })
    _, err = dis:start_transfer_task({ stream_name = "s", taks_name = "t" })
    assert.are.same({ "validation", "taks_name" }, { err.kind, err.field })
    assert.truthy(err.message:find("^start_transfer_task: unknown argument taks_name %(did you mean task_name%?%)"))
    local ok, raised = pcall(dis.each_stream, dis, { limt = 5 })
    assert.is_false(ok)
    assert.are.same({ "validation", "limt" }, { raised.kind, raised.field })
    assert.truthy(raised.message:find("^each_stream: unknown argument limt %(did you mean limit%?%)"), raised.message)
    assert.are.equal(polls, emu:stats().requests)
  end)
end)

describe("ensure", function()
  local emu, kafka, dis, now, sleep
  before_each(function()
    emu, kafka, dis = start({ instances = { { instance_id = "inst-1" } }, streams = {} })
    now, sleep = test_clock(emu)
  end)
  after_each(function() emu:stop() end)

  it("creates a Smart Connect task once, however often it is run, and waits for it", function()
    local task, meta = kafka:ensure_connector_task({ instance_id = "inst-1", body = named("e-1"), wait = true,
      now = now, sleep = sleep })
    assert.are.same({ "RUNNING", true }, { task and task.status, meta.created })
    local again, meta2 = kafka:ensure_connector_task({ instance_id = "inst-1", body = named("e-1"), wait = true,
      now = now, sleep = sleep })
    assert.are.same({ task.id, false }, { again.id, meta2.created })
    assert.is_nil(meta2.drift)
    assert.are.equal(1, emu:stats().kafka_tasks) -- one create, counted on the emulator
    -- what differs from the body is named, secrets never compared
    local changed = named("e-1")
    changed.topics_regex, changed.sink_task.obs_path, changed.sink_task.secret_key = "other*", "elsewhere", "new-sk"
    local _, meta3 = kafka:ensure_connector_task({ instance_id = "inst-1", body = changed })
    assert.are.same({ false, { "sink_task.obs_path", "topics_regex" } }, { meta3.created, meta3.drift })
  end)

  it("after a create whose answer was lost, looks the task up instead of creating another", function()
    emu:fail({ operation = "create_connector_task", after = true, drop = true })
    local task, meta = kafka:ensure_connector_task({ instance_id = "inst-1", body = named("lost-1") })
    assert.is_table(task, tostring(meta))
    assert.are.equal(true, meta.created)
    assert.are.equal(1, emu:stats().kafka_tasks)
    -- a plain create never retries by itself
    emu:fail({ operation = "create_connector_task", after = true, drop = true })
    local res, err = kafka:create_connector_task({ instance_id = "inst-1", body = named("lost-2") })
    assert.are.same({ nil, true }, { res, err.request_sent })
    assert.are.equal(2, emu:stats().kafka_tasks)
  end)

  it("looks a created task up by name when the create's answer has no id (optional in every official model)", function()
    local http = hw.core.http_client({ timeout = 10 })
    local stripped = 0
    local client = hw.assert(hw.kafka.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p1" },
      transport = function(req)
        local status, headers, body = http:send(req)
        if req.method == "POST" and status == 200 then -- the create: its answer loses the id
          local t = require("cjson").decode(body)
          t.id, stripped = nil, stripped + 1
          body = require("cjson").encode(t)
        end
        return status, headers, body
      end }))
    local task, meta = client:ensure_connector_task({ instance_id = "inst-1", body = named("no-id") })
    assert.are.same({ 1, true, 1 }, { stripped, meta and meta.created, emu:stats().kafka_tasks }, tostring(meta))
    assert.is_string(task.id)
    -- a second run finds it and creates nothing
    local again
    again, meta = client:ensure_connector_task({ instance_id = "inst-1", body = named("no-id") })
    assert.are.same({ task.id, false, 1, 1 }, { again.id, meta.created, emu:stats().kafka_tasks, stripped })
    http:close()
  end)

  it("one process ensuring twice while the list lags behind its create makes no twin", function()
    emu:config({ list_lag = 2 }) -- a new task shows in lists 2 s (of the emulator's clock) after its create
    local args = { instance_id = "inst-1", body = named("lag-1"), sleep = function(sec) emu:advance(sec) end }
    local task, meta = kafka:ensure_connector_task(args)
    assert.are.same({ true, nil }, { meta and meta.created, meta and meta.raced }, tostring(meta))
    local again, meta2 = kafka:ensure_connector_task(args)
    assert.are.same({ task.id, false }, { again.id, meta2.created })
    assert.are.equal(1, emu:stats().kafka_tasks)
  end)

  it("two processes ensuring one name at once agree on one task; the loser deletes its own twin", function()
    local lua = hw.emulator.interpreter()
    for round = 1, 3 do
      local name = "race-" .. round
      -- a slow list: both look, find nothing, and create
      emu:fail({ operation = "list_connector_tasks", times = 2, after = true, delay = 0.5 })
      local at = H.now() + 0.3
      local code = ([[
        local hw = require("huaweicloud")
        local socket = require("socket")
        local kafka = hw.assert(hw.kafka.new({ endpoint = %q, credentials = { ak = %q, sk = %q, project_id = "p1" } }))
        socket.sleep(math.max(0, %f - socket.gettime()))
        local body = { task_name = %q, source_type = "NONE", sink_type = "NONE" }
        local task, meta = kafka:ensure_connector_task({ instance_id = "inst-1", body = body })
        if not task then io.write("ERR ", tostring(meta)) os.exit(1) end
        io.write(task.id, " ", tostring(meta.created), " ", tostring(meta.raced))
      ]]):format(emu.url, emu.ak, emu.sk, at, name)
      local outs = { H.tmpname(), H.tmpname() }
      local files = {}
      for k = 1, 2 do
        files[k] = H.tmpname() .. ".lua"
        H.write(files[k], "package.path=" .. string.format("%q", package.path) .. " package.cpath=" ..
          string.format("%q", package.cpath) .. " " .. code)
      end
      H.sh(("env %s %s %s > %s 2>&1 & env %s %s %s > %s 2>&1 & wait"):format(H.sanitizer_env(), lua, files[1], outs[1],
        H.sanitizer_env(), lua, files[2], outs[2]))
      local a, b = H.read(outs[1]), H.read(outs[2])
      local ida, ca, ra = a:match("^(%S+) (%S+) (%S+)$")
      local idb, cb, rb = b:match("^(%S+) (%S+) (%S+)$")
      assert.truthy(ida and idb, a .. " | " .. b)
      assert.are.equal(ida, idb) -- both callers name the same task
      local left = {}
      for t in kafka:each_connector_task({ instance_id = "inst-1" }) do
        if t.task_name == name then left[#left + 1] = t.id end
      end
      assert.are.same({ ida }, left) -- and it is the only one of the name
      -- one was told it created it, the other that it did not (and that it raced: the loser
      -- saw both; the winner may look after the loser deleted its twin)
      assert.are.same({ true, true }, { (ca == "true") ~= (cb == "true"), ra == "true" or rb == "true" })
      print(("    race round %d: %s created=%s raced=%s | created=%s raced=%s"):format(round, ida, ca, ra, cb, rb))
    end
    assert.are.equal(6, emu:stats().kafka_tasks) -- both created, every round: the loser deleted its own
  end)

  it("names both ids when two tasks have the name", function()
    local a = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("twice") }))
    local b = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("twice") }))
    local res, err = kafka:ensure_connector_task({ instance_id = "inst-1", body = named("twice") })
    assert.is_nil(res)
    assert.are.same({ "conflict", { a.id, b.id } }, { err.kind, err.ids })
    assert.are.equal("2 exist with the name twice: " .. a.id .. ", " .. b.id, err.message)
  end)

  it("ensures DIS streams and dump tasks (DIS.4307 and DIS.4355 mean it exists)", function()
    local body = { stream_name = "es-1", partition_count = 2 }
    local s, meta = dis:ensure_stream({ body = body, wait = true, now = now, sleep = sleep })
    assert.are.same({ "RUNNING", true }, { s.status, meta.created })
    s, meta = dis:ensure_stream({ body = body })
    assert.are.same({ "es-1", false }, { s.stream_name, meta.created })
    assert.is_nil(meta.drift)
    -- every field ensure can read back is compared: partition_count as show_stream's writable count
    s, meta = dis:ensure_stream({ body = { stream_name = "es-1", partition_count = 3, data_duration = 48 } })
    assert.are.same({ false, { "data_duration", "partition_count" }, 2 },
      { meta.created, meta.drift, s.writable_partition_count })
    local t
    t, meta = dis:ensure_obs_transfer_task({ stream_name = "es-1", body = X.dis[1].body, wait = true, now = now,
      sleep = sleep })
    assert.are.same({ "RUNNING", true }, { t.state, meta.created })
    assert.is_string(t.task_id)
    local changed = X.copy(X.dis[1].body)
    changed.obs_destination_descriptor.deliver_time_interval = 120
    t, meta = dis:ensure_obs_transfer_task({ stream_name = "es-1", body = changed })
    assert.are.same({ false, { "obs_destination_descriptor.deliver_time_interval" }, 30 }, -- what exists stays
      { meta.created, meta.drift, t.obs_destination_description.deliver_time_interval })
    assert.are.equal(1, emu:stats().dis_tasks)
    -- the one made meanwhile by someone else: the create answers DIS.4355, ensure takes it
    emu:fail({ operation = "show_transfer_task", times = 1, status = 400, code = "DIS.4354" })
    t, meta = dis:ensure_obs_transfer_task({ stream_name = "es-1", body = X.dis[1].body })
    assert.are.same({ false, "newtask" }, { meta.created, t.task_name })
    local _, err = dis:ensure_obs_transfer_task({ stream_name = "es-1", body = { destination_type = "OBS" } })
    assert.are.same({ "validation", "body.obs_destination_descriptor.task_name" }, { err.kind, err.field })
  end)
end)

describe("a wait's timeout is a deadline", function()
  local fake = require("spec.support.fake_server")
  local CREDS = { ak = "AKDEADLINE", sk = "sk", project_id = "p" }

  it("bounds a poll the server holds, whatever the client's own timeout", function()
    local srv = fake.start({ { fault = "stall" } })
    finally(srv.stop)
    local kafka = hw.assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS, timeout = 10 }))
    local t0 = H.now()
    local _, err = kafka:wait_connector_task({ instance_id = "i", task_id = "t", timeout = 1, interval = 0.2 })
    local took = H.now() - t0
    print(("    wait timeout = 1 s against a held poll (client timeout 10 s): returned after %.2f s"):format(took))
    assert.are.equal("timeout", err.kind)
    assert.truthy(took < 3, took) -- one poll with the client's 10 s took 12 s before
  end)

  it("bounds the client's retries and their Retry-After sleeps", function()
    local srv = fake.start({ { status = 503, headers = { ["Retry-After"] = "3" }, body = "" } })
    finally(srv.stop)
    local kafka = hw.assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS, timeout = 10, retries = 3 }))
    local t0 = H.now()
    local _, err = kafka:wait_connector_task({ instance_id = "i", task_id = "t", timeout = 1, interval = 0.2 })
    local took = H.now() - t0
    print(("    wait timeout = 1 s against 503 Retry-After: 3 with retries = 3: returned after %.2f s"):format(took))
    assert.are.equal("timeout", err.kind)
    assert.truthy(took < 3, took) -- 9 s before
  end)

  it("honours Retry-After between polls", function()
    local emu = hw.emulator.start({ clock = "manual", instances = { "inst-1" } })
    finally(function() emu:stop() end)
    local kafka = hw.assert(hw.kafka.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk,
      project_id = "p1" } }))
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = named("ra-1") }))
    emu:fail({ operation = "show_connector_task", times = 3, status = 429, code = "APIGW.0308",
      headers = { ["Retry-After"] = "10" } })
    local t, slept = 0, {}
    local shown, meta = kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, interval = 1,
      now = function() return t end, sleep = function(s)
        slept[#slept + 1] = s
        t = t + s
        emu:advance(s)
      end })
    assert.are.equal("RUNNING", shown and shown.status, tostring(meta))
    assert.are.equal(4, meta.polls)
    for i = 1, 3 do assert.truthy(slept[i] >= 10, "slept " .. tostring(slept[i]) .. " s after a Retry-After of 10") end
  end)
end)

describe("paging", function()
  it("walks every page: 120 streams once each, 120 tasks over three pages", function()
    local emu, kafka, dis = start({ streams = {}, max_connector_tasks = 200, instances = { { instance_id = "i" } } })
    finally(function() emu:stop() end)
    local list = {}
    for i = 1, 120 do list[i] = { body = { stream_name = ("pg-%03d"):format(i), partition_count = 1 } } end
    for _, r in ipairs(dis:create_many("create_stream", list, { concurrency = 8 })) do assert(r[1], tostring(r[2])) end
    local seen, n = {}, 0
    for info in dis:each_stream({ limit = 50 }) do -- one table, as every each_* yields
      local name = info.stream_name
      assert.is_nil(seen[name], name .. " twice")
      seen[name] = true
      n = n + 1
      assert.are.equal(1, info.partition_count)
    end
    assert.are.equal(120, n)
    assert.are.equal(3, emu:stats().calls.list_streams)
    local tasks = {}
    for i = 1, 120 do tasks[i] = { instance_id = "i", body = named("pt-" .. i) } end
    kafka:create_many("create_connector_task", tasks, { concurrency = 8 })
    n = 0
    for task in kafka:each_connector_task({ instance_id = "i" }) do
      n = n + 1
      assert.is_string(task.id)
    end
    assert.are.equal(120, n)
    assert.are.equal(3, emu:stats().calls.list_connector_tasks)
  end)

  -- A client whose list answers come from answer(query) (a table, sent as JSON), counting calls.
  local function scripted(service, answer)
    local calls = 0
    local client = hw.assert(hw[service].new({ endpoint = "http://127.0.0.1:9",
      credentials = { ak = "AKPAGE", sk = "sk", project_id = "p" }, transport = function(req)
        calls = calls + 1
        local q = {}
        for k, v in (req.url:match("%?(.*)$") or ""):gmatch("([^&=]+)=([^&]*)") do q[k] = v end
        return 200, { ["content-type"] = "application/json" }, require("cjson").encode(answer(q, calls))
      end }))
    return client, function() return calls end
  end

  local function tasks(from, n)
    local t = {}
    for k = 1, n do t[k] = { id = "t-" .. (from + k), task_name = "n-" .. (from + k), status = "RUNNING" } end
    return t
  end

  local function walk(iter)
    local n = 0
    local ok, err = pcall(function() for _ in iter do n = n + 1 end end)
    return ok, err, n
  end

  it("ends, with a decode error naming the operation, whatever a server repeats", function()
    -- the offset ignored: the same full page again and again
    local kafka, calls = scripted("kafka", function() return { tasks = tasks(0, 50), total_number = 200 } end)
    local ok, err, n = walk(kafka:each_connector_task({ instance_id = "i" }))
    assert.are.same({ false, "decode", "list_connector_tasks", 50, 2 }, { ok, err.kind, err.operation, n, calls() })
    assert.truthy(err.message:find("nothing new", 1, true), err.message)
    -- and ensure's lookup, which walked it forever growing the heap, ends too
    local _, eerr = kafka:ensure_connector_task({ instance_id = "i", body = named("n-1") })
    assert.are.same({ "decode", "list_connector_tasks" }, { eerr.kind, eerr.operation })
    -- fresh names forever behind has_more_streams, past what total_number allows
    local dis = scripted("dis", function(_, k) return { stream_names = { "s" .. k }, has_more_streams = true,
      total_number = 3 } end)
    ok, err, n = walk(dis:each_stream({ limit = 1 }))
    assert.are.same({ false, "decode", 4 }, { ok, err.kind, n })
    assert.truthy(err.message:find("more pages than its total_number (3) allows", 1, true), err.message)
    -- and with no total at all, at most MAX_PAGES pages
    kafka, calls = scripted("kafka", function(q) return { tasks = tasks(tonumber(q.offset), 50) } end)
    ok, err = walk(kafka:each_connector_task({ instance_id = "i" }))
    assert.are.same({ false, "decode", 1000 }, { ok, err.kind, calls() })
  end)

  it("ends on a cursor that goes round, more pages with the same names, or names that are no list", function()
    local pages = { [""] = { "a", "b" }, b = { "c", "b" } } -- after b: c, then b again as the cursor
    local dis = scripted("dis", function(q)
      return { stream_names = pages[q.start_stream_name or ""] or {}, has_more_streams = true, total_number = 3 }
    end)
    local ok, err, n = walk(dis:each_stream({}))
    assert.are.same({ false, "decode", 2 }, { ok, err.kind, n })
    assert.truthy(err.message:find("brought back the cursor b", 1, true), err.message)
    dis = scripted("dis", function() return { stream_names = { "x", "y" }, has_more_streams = true } end)
    ok, err, n = walk(dis:each_stream({}))
    assert.are.same({ false, "decode", 2 }, { ok, err.kind, n })
    dis = scripted("dis", function() return { stream_names = "x", has_more_streams = true } end)
    ok, err = walk(dis:each_stream({}))
    assert.are.same({ false, "decode" }, { ok, err.kind })
    assert.truthy(err.message:find("stream_names that is not a list", 1, true), err.message)
  end)

  it("raises an error met mid-way instead of ending the loop early", function()
    local emu, _, dis = start({ streams = {} })
    finally(function() emu:stop() end)
    for i = 1, 5 do hw.assert(dis:create_stream({ body = { stream_name = "m-" .. i, partition_count = 1 } })) end
    local got = {}
    local ok, err = pcall(function()
      for info in dis:each_stream({ limit = 2 }) do
        got[#got + 1] = info.stream_name
        if #got == 1 then emu:fail({ operation = "list_streams", status = 400, code = "DIS.4306" }) end
      end
    end)
    assert.is_false(ok)
    assert.are.same({ "api", "DIS.4306" }, { err.kind, err.code })
    assert.are.same({ "m-1", "m-2" }, got)
  end)
end)

describe("retries keyed on the service's error codes", function()
  it("retry a create the service did not process, never one it may have (500)", function()
    local emu, kafka = start({ retries = 2, instances = { { instance_id = "inst-1" } } })
    finally(function() emu:stop() end)
    emu:fail({ operation = "create_connector_task", times = 2, status = 404, code = "DMS.10240407" })
    local task, meta = kafka:create_connector_task({ instance_id = "inst-1", body = named("r-1") })
    assert.is_table(task, tostring(meta))
    assert.are.equal(3, meta.attempts) -- two retries
    emu:fail({ operation = "create_connector_task", times = 1, status = 500, code = "DMS.00500000" })
    local res, err = kafka:create_connector_task({ instance_id = "inst-1", body = named("r-2") })
    assert.is_nil(res)
    assert.are.same({ 1, "idempotent", false }, { err.attempts, err.class, err.retryable })
    -- a show may be repeated: the same answer is retried there
    emu:fail({ operation = "show_connector_task", times = 1, status = 500, code = "DMS.00500000" })
    local shown
    shown, meta = kafka:show_connector_task({ instance_id = "inst-1", task_id = task.id })
    assert.are.same({ task.id, 2 }, { shown and shown.id, meta.attempts })
    -- busy: retried on a longer step
    emu:fail({ operation = "pause_connector_task", times = 1, status = 400, code = "DMS.00400017" })
    emu:advance(1)
    local _, pmeta = kafka:pause_connector_task({ instance_id = "inst-1", task_id = task.id })
    assert.are.equal(2, pmeta.attempts)
    -- quota: never
    emu:fail({ operation = "create_connector_task", times = 1, status = 400, code = "DMS.00400035" })
    res, err = kafka:create_connector_task({ instance_id = "inst-1", body = named("r-3") })
    assert.is_nil(res)
    assert.are.same({ "never", false, 1 }, { err.class, err.retryable, err.attempts })
  end)

  it("classify DIS's 400s by code", function()
    local emu, _, dis = start({ retries = 1, auto_create = true })
    finally(function() emu:stop() end)
    emu:fail({ operation = "create_obs_transfer_task", times = 1, status = 400, code = "DIS.4303" })
    local res, meta = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.same({ {}, 2 }, { res, meta.attempts })
    emu:fail({ operation = "create_obs_transfer_task", times = 1, status = 400, code = "DIS.4357" })
    local _, err = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.same({ "never", false, 1 }, { err.class, err.retryable, err.attempts })
  end)

  it("names the fix for a signature refused because of clock skew", function()
    local srv = require("spec.support.fake_server").start({ { status = 401,
      headers = { Date = "Tue, 01 Jan 2030 00:00:00 GMT" },
      body = '{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: expired"}' } })
    finally(srv.stop)
    local kafka = hw.assert(hw.kafka.new({ endpoint = srv.url, credentials = { ak = "AKSKEW", sk = "s", project_id = "p" } }))
    local _, err = kafka:show_instance({ instance_id = "i" })
    assert.truthy(err.message:find("%(hint: this machine's clock is %-%d+ s off the server's %(Date: Tue, 01 Jan 2030"),
      err.message)
    assert.are.equal("never", err.class)
  end)
end)
