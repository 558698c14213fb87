-- Pipelines as code against the emulator: a declaration of every kind of thing through plan, apply,
-- change, replace, destroy (the library), the `huaweicloud` command as a subprocess with its exit
-- codes, applies killed with SIGKILL at random points and run again, and two applies at once.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")
local pipeline = require("huaweicloud.pipeline")

local DELAYS = { task = 0.05, connector = 0.1, stream = 0.05, transfer = 0.05, delete = 0.05 }
local INSTANCES = {
  { instance_id = "i-orders", name = "orders-kafka", connector_enable = false },
  { instance_id = "i-peer", name = "peer-kafka" },
}

-- A declaration of every kind of thing (a fresh table each time: tests change it).
local function declaration()
  return {
    kafka_instances = {
      ["orders-kafka"] = { smart_connect = true, topics = { orders = { partition = 3, replication = 3 },
        audit = { partition = 1 } } },
    },
    kafka_tasks = {
      ["orders-to-obs"] = { instance = "orders-kafka", kind = "obs_dump", topics = "orders",
        consumer_strategy = "earliest", obs_bucket_name = "bucket", obs_path = "kafka/orders",
        partition_format = "yyyy/MM/dd", record_delimiter = "\n", access_key = "OBS-AK-PIPE",
        secret_key = "OBS-SECRET-PIPE" },
      ["orders-from-peer"] = { instance = "orders-kafka", kind = "kafka_replication", topics = "orders",
        current_cluster_name = "here", cluster_name = "peer", direction = "pull", instance_id = "i-peer",
        password = "PEER-PASSWORD-PIPE", user_name = "u", security_protocol = "SASL_SSL", sasl_mechanism = "PLAIN" },
    },
    dis_streams = { clicks = { partition_count = 2, data_duration = 24, tags = { { key = "team", value = "data" } } } },
    dis_dump_tasks = {
      ["clicks-to-obs"] = { stream = "clicks", agency_name = "dis_admin_agency", obs_bucket_path = "bucket",
        file_prefix = "clicks" },
    },
  }
end

local SECRETS = { "OBS-AK-PIPE", "OBS-SECRET-PIPE", "PEER-PASSWORD-PIPE" }

local function no_secret(text)
  for _, s in ipairs(SECRETS) do assert.is_nil(text:find(s, 1, true), "a secret in: " .. text) end
end

local function actions(p)
  local out = {}
  for _, it in ipairs(p.items) do
    if it.action ~= "none" then out[it.address] = it.action end
  end
  return out
end

describe("pipelines as code, from Lua", function()
  local emu, opts
  before_each(function()
    emu = hw.emulator.start({ delays = DELAYS, instances = INSTANCES })
    opts = { client = { endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p1" } },
      interval = 0.02 }
  end)
  after_each(function() emu:stop() end)

  local function plan(d, extra)
    local o = { client = opts.client }
    for k, v in pairs(extra or {}) do o[k] = v end
    return hw.assert(pipeline.plan(d, o))
  end
  local function apply(d, extra)
    local o = { client = opts.client, interval = opts.interval }
    for k, v in pairs(extra or {}) do o[k] = v end
    return hw.assert(pipeline.apply(d, o))
  end

  it("plans, applies, converges, changes in place, replaces, destroys", function()
    local d = declaration()
    local p = plan(d)
    assert.are.same({ ["kafka_instances.orders-kafka"] = "update", ["kafka_instances.orders-kafka.topics.orders"] =
      "create", ["kafka_instances.orders-kafka.topics.audit"] = "create", ["kafka_tasks.orders-to-obs"] = "create",
      ["kafka_tasks.orders-from-peer"] = "create", ["dis_streams.clicks"] = "create",
      ["dis_dump_tasks.clicks-to-obs"] = "create" }, actions(p))
    assert.are.same({ 6, 1, 0 }, { p.counts.create, p.counts.update, p.counts.none })
    local text = pipeline.render.plan(p)
    no_secret(text)
    assert.truthy(text:find("not compared, secrets cannot be read back: sink_task.access_key, sink_task.secret_key",
      1, true), text)
    local events = {}
    local r = apply(d, { on_event = function(e) events[#events + 1] = pipeline.render.event(e) end })
    assert.is_true(r.ok, pipeline.render.summary(r))
    no_secret(table.concat(events, "\n"))
    assert.are.equal(0, emu:stats().rejected_signatures)
    -- what exists is what is declared
    assert.are.same({}, actions(plan(d)))
    r = apply(d)
    for _, o in ipairs(r.outcomes) do assert.are.equal("unchanged", o.status) end
    -- a field the service changes in place: an update
    d.dis_streams.clicks.partition_count = 3
    p = plan(d)
    assert.are.same({ ["dis_streams.clicks"] = "update" }, actions(p))
    assert.are.same({ { field = "partition_count", from = 2, to = 3 } }, p.items[6].changes)
    assert.is_true(apply(d).ok)
    assert.are.same({}, actions(plan(d)))
    -- a field that cannot change in place: a replace, only when allowed
    d.dis_dump_tasks["clicks-to-obs"].file_prefix = "clicks_v2"
    p = plan(d)
    assert.are.same({ ["dis_dump_tasks.clicks-to-obs"] = "replace" }, actions(p))
    r = apply(d)
    assert.is_false(r.ok)
    local failed = r.outcomes[#r.outcomes]
    assert.are.same({ "dis_dump_tasks.clicks-to-obs", "failed" }, { failed.address, failed.status })
    assert.truthy(tostring(failed.error):find("replace = true or --replace dis_dump_tasks.clicks-to-obs", 1, true))
    assert.is_true(apply(d, { replace = { "clicks-to-obs" } }).ok)
    assert.are.same({}, actions(plan(d)))
    -- destroy takes it all away, in reverse order; then everything is to be made again
    r = hw.assert(pipeline.destroy(d, { client = opts.client, interval = opts.interval }))
    assert.is_true(r.ok)
    p = plan(d)
    assert.are.same({ 6, 1 }, { p.counts.create, p.counts.update })
  end)

  it("runs the things of one level at once, on one thread", function()
    local d = declaration()
    d.kafka_tasks = nil
    for i = 1, 4 do
      d.dis_dump_tasks["d" .. i] = { stream = "clicks", agency_name = "dis_admin_agency", obs_bucket_path = "b" }
    end
    d.dis_dump_tasks["clicks-to-obs"] = nil
    local before = emu:stats().connections
    assert.is_true(apply(d, { concurrency = 4 }).ok)
    -- four dump tasks waited for at once: more than one connection was open at a time (Lua 5.1
    -- cannot yield across pcall: one at a time there)
    if require("huaweicloud.transport.coop").yields then assert.is_true(emu:stats().connections - before > 1) end
  end)

  it("prunes what declared parents hold and the declaration does not name", function()
    local d = declaration()
    assert.is_true(apply(d).ok)
    local kafka = hw.assert(hw.kafka.new(opts.client))
    hw.assert(kafka:create_instance_topic({ instance_id = "i-orders", body = { id = "stray" } }))
    local dis = hw.assert(hw.dis.new(opts.client))
    hw.assert(dis:create_obs_transfer_task({ stream_name = "clicks", body = hw.dis.obs_transfer_task({
      task_name = "stray-dump", agency_name = "dis_admin_agency", obs_bucket_path = "b" }) }))
    assert.are.same({}, actions(plan(d)))
    local p = plan(d, { prune = true })
    assert.are.same({ ["kafka_instances.orders-kafka.topics.stray"] = "delete", ["dis_dump_tasks.stray-dump"] = "delete" },
      actions(p))
    assert.is_true(apply(d, { prune = true }).ok)
    assert.are.same({}, actions(plan(d, { prune = true })))
    kafka:close()
    dis:close()
  end)

  it("keeps going past a failure where nothing depends on it", function()
    local d = declaration()
    d.kafka_instances["nowhere-kafka"] = { smart_connect = true }
    d.kafka_tasks["lost"] = { instance = "nowhere-kafka", kind = "obs_dump", topics = "x", obs_bucket_name = "b",
      obs_path = "p", partition_format = "yyyy", access_key = "OBS-AK-PIPE", secret_key = "OBS-SECRET-PIPE",
      consumer_strategy = "latest" }
    local p = plan(d)
    assert.are.equal("error", actions(p)["kafka_instances.nowhere-kafka"])
    local r = apply(d)
    assert.is_false(r.ok)
    local by = {}
    for _, o in ipairs(r.outcomes) do by[o.address] = o.status end
    assert.are.same({ "failed", "skipped", "done", "done" }, { by["kafka_instances.nowhere-kafka"], by["kafka_tasks.lost"],
      by["kafka_tasks.orders-to-obs"], by["dis_dump_tasks.clicks-to-obs"] })
  end)

  it("reads a Smart Connect refusal from the instance, and retries it only as far as the client's retries go", function()
    local d = { kafka_instances = { ["orders-kafka"] = { smart_connect = true } } }
    local function client(extra)
      local c = {}
      for k, v in pairs(opts.client) do c[k] = v end
      for k, v in pairs(extra) do c[k] = v end
      return c
    end
    local function enable(extra)
      emu:reset()
      -- refused as busy while the instance stays RUNNING with Smart Connect off: nothing explains it
      emu:fail({ operation = "create_connector", times = 1, status = 400, code = "DMS.00400026", message = "busy" })
      local r = apply(d, { client = client(extra) })
      return r, (emu:stats().calls or {}).create_connector or 0
    end
    local r, sent = enable({ busy_step = 0.01, retry_max = 0.01 })
    assert.are.same({ true, 2 }, { r.ok, sent }) -- refused, read, retried after the busy step: enabled
    r, sent = enable({ retries = 0 })
    assert.are.same({ false, 1, "failed" }, { r.ok, sent, r.outcomes[1].status }) -- sent once, never twice
    assert.are.equal("DMS.00400026", r.outcomes[1].error.code)
  end)

  it("refuses a bad declaration naming the path and what is allowed", function()
    local function bad(mutate, field, words)
      local d = declaration()
      mutate(d)
      local p, err = pipeline.plan(d, { client = opts.client })
      assert.is_nil(p)
      assert.are.same({ "validation", field }, { err.kind, err.field })
      assert.truthy(tostring(err):find(words, 1, true), tostring(err))
      no_secret(tostring(err))
    end
    bad(function(d) d.kafka_tasks["orders-to-obs"].topcs = "x" end, "kafka_tasks.orders-to-obs.topcs",
      "did you mean topics?")
    bad(function(d) d.kafka_tasks["orders-to-obs"].deliver_time_interval = "300" end,
      "kafka_tasks.orders-to-obs.deliver_time_interval", "expected integer")
    bad(function(d) d.kafka_tasks["orders-to-obs"].kind = "obs" end, "kafka_tasks.orders-to-obs.kind",
      "did you mean obs_dump?")
    bad(function(d) d.dis_streams.clicks.partition_count = "2" end, "dis_streams.clicks.partition_count",
      "expected integer")
    bad(function(d) d.dis_dump_tasks["clicks-to-obs"].stream = nil end, "dis_dump_tasks.clicks-to-obs.stream", "required")
    bad(function(d) d.kafka_instances["orders-kafka"].topics.orders.partiton = 3 end,
      "kafka_instances.orders-kafka.topics.orders.partiton", "did you mean partition?")
    bad(function(d) d.dis_stream = {} end, "dis_stream", "did you mean dis_streams?")
    -- a dump task on a stream neither declared nor found is an error of that one thing
    local d = declaration()
    d.dis_dump_tasks["clicks-to-obs"].stream = "nowhere"
    local p = plan(d)
    assert.are.equal("error", actions(p)["dis_dump_tasks.clicks-to-obs"])
  end)

  it("reads a declaration from a Lua or a JSON file, and says when a file is neither", function()
    local dir = H.tmpname()
    os.execute("mkdir -p " .. dir)
    H.write(dir .. "/p.lua", 'return { dis_streams = { s1 = { partition_count = 1 } } }')
    H.write(dir .. "/p.json", '{ "dis_streams": { "s1": { "partition_count": 1, "tags": null } } }')
    H.write(dir .. "/p.txt", 'streams: s1')
    H.write(dir .. "/p2.lua", 'return 42')
    assert.are.equal("create", actions(plan(dir .. "/p.lua"))["dis_streams.s1"])
    assert.are.equal("create", actions(plan(dir .. "/p.json"))["dis_streams.s1"])
    local _, err = pipeline.plan(dir .. "/p.txt", { client = opts.client })
    assert.truthy(tostring(err):find("neither Lua nor JSON", 1, true), tostring(err))
    _, err = pipeline.plan(dir .. "/p2.lua", { client = opts.client })
    assert.truthy(tostring(err):find("returned number", 1, true), tostring(err))
    _, err = pipeline.plan(dir .. "/none.lua", { client = opts.client })
    assert.truthy(tostring(err):find("cannot read", 1, true), tostring(err))
    os.execute("rm -rf " .. H.q(dir))
  end)
end)

-- ---- the command -----------------------------------------------------------------------------------

-- Runs bin/huaweicloud with args against emu (env as `huaweicloud emulator` prints it); returns
-- stdout+stderr and the exit code.
local function command(emu, args, stdin)
  local env = { "env -i", "PATH=" .. H.q(os.getenv("PATH")), "HOME=/nonexistent",
    "LUA_PATH=" .. H.q(package.path), "LUA_CPATH=" .. H.q(package.cpath),
    "HUAWEICLOUD_SDK_ENDPOINT=" .. emu.url, "HUAWEICLOUD_SDK_AK=" .. emu.ak, "HUAWEICLOUD_SDK_SK=" .. emu.sk,
    "HUAWEICLOUD_SDK_PROJECT_ID=p1", "HUAWEICLOUD_SDK_METADATA_ENDPOINT=http://127.0.0.1:9", "WAIT_INTERVAL=0.02",
    H.sanitizer_env() }
  local cmd = table.concat(env, " ") .. " " .. hw.emulator.interpreter() .. " bin/huaweicloud " .. args .. " 2>&1" ..
    (stdin and (" <<'EOF'\n" .. stdin .. "\nEOF\n") or " </dev/null\n") .. "echo \"exit=$?\""
  local out = H.sh(cmd)
  local text, code = out:match("^(.*)exit=(%d+)%s*$")
  return text, tonumber(code)
end

describe("pipelines as code, from the shell", function()
  local emu, dir, file
  setup(function()
    emu = hw.emulator.start({ delays = DELAYS, instances = INSTANCES })
    dir = H.tmpname()
    os.execute("mkdir -p " .. dir)
    file = dir .. "/pipeline.lua"
    local d = declaration()
    H.write(file, "return " .. require("huaweicloud.emulator.process").serialize(d))
  end)
  teardown(function()
    emu:stop()
    os.execute("rm -rf " .. H.q(dir))
  end)

  it("exits as terraform plan -detailed-exitcode: 2 changes, 0 nothing, 1 an error", function()
    emu:reset()
    local out, code = command(emu, "plan " .. file)
    assert.are.equal(2, code, out)
    assert.truthy(out:find("Plan: 6 to create, 1 to update, 0 to replace, 0 to delete, 0 unchanged.", 1, true), out)
    assert.is_nil(out:find("\27[", 1, true)) -- colours only on a terminal
    no_secret(out)
    out, code = command(emu, "apply " .. file)
    assert.are.equal(1, code, out) -- not a terminal: --yes is needed
    assert.truthy(out:find("confirm with --yes", 1, true), out)
    out, code = command(emu, "apply " .. file .. " --yes")
    assert.are.equal(0, code, out)
    assert.truthy(out:find("Apply: 6 created, 1 updated, 0 replaced, 0 deleted, 0 failed, 0 skipped.", 1, true), out)
    assert.truthy(out:find("kafka_tasks.orders-to-obs: created in", 1, true), out)
    no_secret(out)
    out, code = command(emu, "plan " .. file)
    assert.are.equal(0, code, out)
    out, code = command(emu, "plan " .. file .. " --json")
    assert.are.equal(0, code, out)
    assert.are.equal(7, require("cjson").decode(out).counts.none)
    out, code = command(emu, "plan " .. dir .. "/missing.lua")
    assert.are.equal(1, code, out)
    assert.are.equal(1, select(2, out:gsub("\n", ""))) -- one line
    out, code = command(emu, "destroy " .. file .. " --yes --json")
    assert.are.equal(0, code, out)
    assert.is_true(require("cjson").decode(out).ok)
  end)

  it("calls any operation, waits, describes; bad input is one line and exit 1", function()
    emu:reset()
    local out, code = command(emu, "call kafka list_instances engine=kafka limit=1")
    assert.are.equal(0, code, out)
    assert.are.equal(2, require("cjson").decode(out).instance_num)
    out, code = command(emu, "call dis create_stream --body -", '{"stream_name":"s1","partition_count":1,"tags":null}') -- null: absent
    assert.are.equal(0, code, out)
    out, code = command(emu, "wait dis stream stream_name=s1 --until RUNNING")
    assert.are.equal(0, code, out)
    assert.truthy(out:find('"status":"RUNNING"', 1, true), out)
    out, code = command(emu, "call kafka create_connector_task instance_id=i-peer --dry-run --body -",
      '{"task_name":"t","source_type":"NONE","sink_type":"OBS_SINK","sink_task":{"consumer_strategy":"latest",' ..
      '"destination_file_type":"TEXT","deliver_time_interval":300,"access_key":"OBS-AK-PIPE",' ..
      '"secret_key":"OBS-SECRET-PIPE","obs_bucket_name":"b","obs_path":"p","partition_format":"yyyy"}}')
    assert.are.equal(0, code, out)
    no_secret(out)
    assert.truthy(out:find('"method":"POST"', 1, true), out)
    out, code = command(emu, "describe kafka create_instance_topic")
    assert.are.equal(0, code, out)
    assert.truthy(out:find("partition: int32, 1-200", 1, true), out)
    for _, case in ipairs({
      { "call kafka list_instance_topic instance_id=x", "did you mean list_instance_topics?" },
      { "call kafka list_instance_topics instanceid=x", "did you mean instance_id?" },
      { "call kafak list_instances", "did you mean kafka?" },
      { "call kafka list_instances engine=kafka limit=x", "limit must be an integer" },
      { "wait kafka intance instance_id=x", "did you mean instance?" },
      { "describe kafka nope", "unknown operation nope" },
      { "plna x", "did you mean plan?" },
      { "apply", "name one declaration file" },
      { "apply " .. file .. " --yse", "did you mean --yes?" },
      { "call kafka show_instance instance_id=nope", "DMS.00404022" },
    }) do
      out, code = command(emu, case[1])
      assert.are.equal(1, code, case[1] .. ": " .. out)
      assert.truthy(out:find(case[2], 1, true), case[1] .. ": " .. out)
      assert.are.equal(1, select(2, out:gsub("\n", "")), case[1] .. ": " .. out)
    end
  end)

  -- Everything the declaration names, each once: no twin of any name.
  local function converged(tag)
    local out, code = command(emu, "plan " .. file)
    assert.are.equal(0, code, tag .. ": " .. out)
    local kafka = hw.assert(hw.kafka.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk,
      project_id = "p1" } }))
    local names = {}
    for t in kafka:each_connector_task({ instance_id = "i-orders" }) do
      assert.is_nil(names[t.task_name], tag .. ": a twin of " .. t.task_name)
      names[t.task_name] = true
    end
    assert.are.same({ ["orders-to-obs"] = true, ["orders-from-peer"] = true }, names)
    kafka:close()
  end

  it("ends in the declared state with no twin after applies killed with SIGKILL at random points", function()
    local seed = os.time()
    math.randomseed(seed)
    local runs, killed = tonumber(os.getenv("PIPELINE_KILL_RUNS") or "") or 20, 0
    -- how long a whole apply takes here: the kills fall anywhere within it
    emu:reset()
    local t0 = H.now()
    assert.are.equal(0, select(2, command(emu, "apply " .. file .. " --yes")))
    local whole = H.now() - t0
    for run = 1, runs do
      emu:reset()
      local delay = math.random() * whole * 0.9
      local env = table.concat({ "env -i", "PATH=" .. H.q(os.getenv("PATH")), "HOME=/nonexistent",
        "LUA_PATH=" .. H.q(package.path), "LUA_CPATH=" .. H.q(package.cpath), "HUAWEICLOUD_SDK_ENDPOINT=" .. emu.url,
        "HUAWEICLOUD_SDK_AK=" .. emu.ak, "HUAWEICLOUD_SDK_SK=" .. emu.sk, "HUAWEICLOUD_SDK_PROJECT_ID=p1",
        "WAIT_INTERVAL=0.02", H.sanitizer_env() }, " ")
      local out = H.sh(env .. " " .. hw.emulator.interpreter() .. " bin/huaweicloud apply " .. file ..
        " --yes >/dev/null 2>&1 & pid=$!; sleep " .. ("%.3f"):format(delay) ..
        "; if kill -9 $pid 2>/dev/null; then echo killed; fi; wait $pid 2>/dev/null; true")
      if out:find("killed") then killed = killed + 1 end
      local again, code = command(emu, "apply " .. file .. " --yes")
      assert.are.equal(0, code, ("run %d (seed %d, kill after %.3f s): %s"):format(run, seed, delay, again))
      converged(("run %d (seed %d, kill after %.3f s)"):format(run, seed, delay))
    end
    print(("    kill -9: %d runs, %d killed mid-apply (a whole apply: %.2f s; seed %d), each converged on the " ..
      "next apply"):format(runs, killed, whole, seed))
    assert.is_true(killed >= runs / 2)
  end)

  it("converges with no twin when two applies of one declaration run at once", function()
    for round = 1, 3 do
      emu:reset()
      local env = table.concat({ "env -i", "PATH=" .. H.q(os.getenv("PATH")), "HOME=/nonexistent",
        "LUA_PATH=" .. H.q(package.path), "LUA_CPATH=" .. H.q(package.cpath), "HUAWEICLOUD_SDK_ENDPOINT=" .. emu.url,
        "HUAWEICLOUD_SDK_AK=" .. emu.ak, "HUAWEICLOUD_SDK_SK=" .. emu.sk, "HUAWEICLOUD_SDK_PROJECT_ID=p1",
        "WAIT_INTERVAL=0.02", H.sanitizer_env() }, " ")
      local apply = env .. " " .. hw.emulator.interpreter() .. " bin/huaweicloud apply " .. file .. " --yes"
      local out = H.sh("(" .. apply .. " >" .. dir .. "/a.out 2>&1; echo a=$? >>" .. dir .. "/codes) & (" .. apply ..
        " >" .. dir .. "/b.out 2>&1; echo b=$? >>" .. dir .. "/codes) & wait; cat " .. dir .. "/codes; rm -f " ..
        dir .. "/codes")
      assert.truthy(out:find("a=0") and out:find("b=0"), out .. H.read(dir .. "/a.out") .. H.read(dir .. "/b.out"))
      converged("round " .. round)
    end
  end)
end)
