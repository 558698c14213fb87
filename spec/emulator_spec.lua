-- The emulator: signature checks, validation with the SDK's descriptors, the services' answers
-- and error shapes, secrets never echoed, keep-alive and several clients at once.
local core = require("huaweicloud.core")
local cjson = require("cjson")
local emulator = require("huaweicloud.emulator")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

local NOW = 1707309296 -- 2024-02-07T12:34:56Z
local DATE = "20240207T123456Z"

-- A request as the emulator's handler sees it, built from a prepared (signed) request.
local function as_received(req)
  local headers = {}
  for k, v in pairs(req.headers) do headers[k:lower()] = v end
  return { method = req.method, target = req.url:match("^https?://[^/]+(.*)$"), headers = headers, body = req.body or "" }
end

local function signed(op, params, cred_extra, cfg_extra)
  local cfg = { endpoint = "http://127.0.0.1:9", date = DATE,
    credentials = { ak = emulator.defaults.ak, sk = emulator.defaults.sk, project_id = X.project_id } }
  for k, v in pairs(cred_extra or {}) do cfg.credentials[k] = v end
  for k, v in pairs(cfg_extra or {}) do cfg[k] = v end
  return as_received(assert(core.prepare(op, cfg, params)))
end

-- A signed request whose body is raw JSON text the SDK itself would refuse to write.
local function signed_raw(path, json)
  local headers, info = assert(core.sign({ method = "POST", url = "http://127.0.0.1:9" .. path, body = json, date = DATE,
    headers = { ["Content-Type"] = "application/json", ["X-Project-Id"] = X.project_id } },
    { ak = emulator.defaults.ak, sk = emulator.defaults.sk }))
  return as_received({ method = "POST", url = info.url, headers = headers, body = json })
end

-- An in-process emulator for signature and shape checks: whatever a call names exists
-- (auto_create); the cloud's strictness has its own tests below.
local function emu(opts)
  opts = opts or {}
  opts.now = opts.now or function() return NOW end
  if opts.auto_create == nil then opts.auto_create = true end
  return emulator.new(opts)
end

describe("emulator request handling", function()
  it("creates a Kafka task: id, status, create_time, documented defaults, no secrets echoed", function()
    local e = emu()
    local status, body = e:handle(signed("create_connector_task", { instance_id = "inst-1", body = X.kafka[1].body }))
    assert.are.equal(200, status, body)
    local task = cjson.decode(body)
    assert.are.equal("CREATING", task.status) -- RUNNING a moment later (lifecycle_spec)
    assert.are.equal("OBS_SINK", task.sink_type)
    assert.are.equal(5242880, task.sink_task.obs_part_size)
    assert.are.equal(":", task.sink_task.kv_delimiter)
    assert.is_nil(task.sink_task.access_key)
    assert.is_nil(task.sink_task.secret_key)
    assert.is_nil(body:find("EXAMPLE", 1, true))
    assert.are.equal(1, #e.kafka_tasks)
    assert.are.equal("inst-1", e.kafka_tasks[1].instance_id)
    local redis = cjson.decode((select(2, e:handle(signed("create_connector_task", { instance_id = "i", body = X.kafka[3].body })))))
    assert.are.equal(-1, redis.sink_task.target_db)
    assert.is_nil(redis.source_task.redis_password)
    local waiting = cjson.decode((select(2, e:handle(signed("create_connector_task", { instance_id = "i", body = X.kafka[2].body })))))
    assert.are.equal("CREATING", waiting.status) -- then WAITING: it was created with start_later
    assert.is_nil(waiting.source_task.password)
  end)

  it("adds a DIS dump task with 201 and no body", function()
    local e = emu()
    local status, body = e:handle(signed("create_obs_transfer_task", { stream_name = "s1", body = X.dis[2].body }))
    assert.are.equal(201, status)
    assert.are.equal("", body)
    assert.are.equal("s1", e.dis_tasks[1].stream_name)
    assert.are.equal("parquet", e.dis_tasks[1].task.obs_destination_descriptor.destination_file_type)
  end)

  it("rejects bad signatures like the gateway, echoing its canonical request", function()
    local e = emu()
    local req = signed("create_obs_transfer_task", { stream_name = "s1", body = X.dis[1].body })
    req.body = req.body:gsub('"newtask"', '"othertask"')
    local status, body = e:handle(req)
    assert.are.equal(401, status)
    local err = cjson.decode(body)
    assert.are.equal("APIGW.0301", err.error_code)
    assert.truthy(err.error_msg:find("canonical request: POST|/v2/", 1, true))
    assert.is_nil(err.error_msg:find(emulator.defaults.sk, 1, true))
    status = e:handle(signed("create_obs_transfer_task", { stream_name = "s1", body = X.dis[1].body }, { sk = "other" }))
    assert.are.equal(401, status)
    status, body = e:handle(signed("create_obs_transfer_task", { stream_name = "s1", body = X.dis[1].body }, { ak = "OTHERAK" }))
    assert.are.equal(401, status)
    assert.truthy(body:find("unknown access key", 1, true))
    req = signed("create_obs_transfer_task", { stream_name = "s1", body = X.dis[1].body })
    req.headers.authorization = nil
    assert.are.equal(401, (e:handle(req)))
  end)

  it("accepts the official SDK's own signatures, and refuses each with one byte changed", function()
    -- the emulator verifies with core.sign: checked here against signatures the SDK did not
    -- compute, so a signer bug cannot pass on both sides
    local utc = require("huaweicloud.utc")
    local function pct(x) return (x:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end)) end
    local checked = 0
    for _, v in ipairs(H.vectors()) do
      local i = v.input
      local e = emulator.new({ ak = i.ak, sk = i.sk, now = function() return utc.parse(i.headers["X-Sdk-Date"]) end })
      local q = {}
      for k, val in pairs(i.query or {}) do
        for _, one in ipairs(type(val) == "table" and val or { val }) do q[#q + 1] = pct(k) .. "=" .. pct(one) end
      end
      local host, path = i.url:match("^https?://([^/]+)(.*)$")
      local headers = { host = host, authorization = v.expected.authorization }
      for k, val in pairs(i.headers) do headers[k:lower()] = val end
      local req = { method = i.method, target = path .. (#q > 0 and ("?" .. table.concat(q, "&")) or ""),
        headers = headers, body = i.body or "" }
      assert.is_nil(e:authenticate(req), v.name .. ": the official signature was refused")
      local function refused(mutate, what)
        local copy = { method = req.method, target = req.target, body = req.body, headers = {} }
        for k, val in pairs(req.headers) do copy.headers[k] = val end
        mutate(copy)
        assert.are.equal(401, (e:authenticate(copy)), v.name .. ": accepted with " .. what)
      end
      local function flip(s2) return s2:sub(1, -2) .. (s2:sub(-1) == "a" and "b" or "a") end
      refused(function(r) r.headers.authorization = flip(r.headers.authorization) end, "a signature byte changed")
      refused(function(r) r.headers["x-sdk-date"] = r.headers["x-sdk-date"]:gsub("56Z$", "57Z") end, "another date")
      refused(function(r) r.target = flip(r.target) end, "a path or query byte changed")
      if #req.body > 0 then refused(function(r) r.body = flip(r.body) end, "a body byte changed") end
      checked = checked + 1
    end
    assert.are.equal(#H.vectors(), checked)
  end)

  it("rejects an X-Sdk-Date more than 15 minutes away", function()
    local req = signed("create_obs_transfer_task", { stream_name = "s1", body = X.dis[1].body })
    assert.are.equal(201, (emu({ now = function() return NOW + 14 * 60 end }):handle(req)))
    local status, body = emu({ now = function() return NOW + 16 * 60 end }):handle(req)
    assert.are.equal(401, status)
    assert.truthy(body:find("expired", 1, true))
    assert.are.equal(401, (emu({ now = function() return NOW - 16 * 60 end }):handle(req)))
  end)

  it("verifies SDK-HMAC-SM3, security tokens and X-Auth-Token", function()
    local e = emu()
    assert.are.equal(201, (e:handle(signed("create_obs_transfer_task", { stream_name = X.unique("s"), body = X.dis[1].body },
      { algorithm = "SDK-HMAC-SM3" }))))
    local t = emu({ security_token = "sts-token-1" })
    assert.are.equal(401, (t:handle(signed("create_obs_transfer_task", { stream_name = X.unique("s"), body = X.dis[1].body }))))
    assert.are.equal(201, (t:handle(signed("create_obs_transfer_task", { stream_name = X.unique("s"), body = X.dis[1].body },
      { security_token = "sts-token-1" }))))
    local k = emu({ tokens = { "iam-token-1" } })
    local cfg = { endpoint = "http://127.0.0.1:9", credentials = { token = "iam-token-1", project_id = X.project_id } }
    local req = assert(core.prepare("create_obs_transfer_task", cfg, { stream_name = X.unique("s"), body = X.dis[1].body }))
    assert.are.equal("iam-token-1", req.headers["X-Auth-Token"])
    assert.is_nil(req.headers.Authorization)
    assert.are.equal(201, (k:handle(as_received(req))))
    cfg.credentials.token = "forged"
    req = assert(core.prepare("create_obs_transfer_task", cfg, { stream_name = X.unique("s"), body = X.dis[1].body }))
    assert.are.equal(401, (k:handle(as_received(req))))
  end)

  it("validates bodies with the same descriptors and answers in each service's error shape", function()
    local e = emu()
    local bad = assert(core.encode("CreateSmartConnectTaskReq", X.kafka[1].body))
      :gsub('"deliver_time_interval":300', '"deliver_time_interval":"soon"')
    local status, body = e:handle(signed_raw("/v2/" .. X.project_id .. "/instances/i/connector/tasks", bad))
    assert.are.equal(400, status)
    local err = cjson.decode(body)
    -- DMS.00400062 "Invalid request parameter." (DMS.00400002 is "The project ID format is invalid")
    assert.are.equal("DMS.00400062", err.error_code)
    assert.truthy(err.error_msg:find("sink_task.deliver_time_interval", 1, true))
    local unknown = assert(core.encode("CreateSmartConnectTaskReq", X.kafka[1].body)):gsub('"NONE"', '"FTP_SOURCE"')
    status, body = e:handle(signed_raw("/v2/" .. X.project_id .. "/instances/i/connector/tasks", unknown))
    assert.are.same({ 400, "DMS.00400062" }, { status, cjson.decode(body).error_code })
    status, body = e:handle(signed("list_connector_tasks", { instance_id = "i", limit = 51, validate = false }))
    assert.are.same({ 400, "DMS.00400062" }, { status, cjson.decode(body).error_code })
    local d = X.copy(X.dis[1].body)
    d.obs_destination_descriptor.deliver_time_interval = 10
    status, body = e:handle(signed("create_obs_transfer_task", { stream_name = "s", body = d, validate = false }))
    assert.are.equal(400, status)
    err = cjson.decode(body)
    assert.are.equal("DIS.4200", err.errorCode)
    assert.truthy(err.message:find("obs_destination_descriptor.deliver_time_interval", 1, true))
    local secret = assert(core.encode("CreateSmartConnectTaskReq", X.kafka[1].body)):gsub('"secret_key":"SKEXAMPLE"', '"secret_key":["SKEXAMPLE"]')
    status, body = e:handle(signed_raw("/v2/" .. X.project_id .. "/instances/i/connector/tasks", secret))
    assert.are.equal(400, status)
    assert.is_nil(body:find("SKEXAMPLE", 1, true))
    status = e:handle(signed_raw("/v2/" .. X.project_id .. "/streams/" .. ("s"):rep(61) .. "/transfer-tasks",
      assert(core.encode("CreateTransferTaskReq", X.dis[1].body))))
    assert.are.equal(400, status)
    assert.are.equal(0, #e.kafka_tasks + #e.dis_tasks)
  end)

  it("answers unknown paths and foreign projects like the gateway", function()
    local e = emu({ project_id = X.project_id })
    local req = signed("create_obs_transfer_task", { stream_name = X.unique("s"), body = X.dis[1].body })
    req.target = "/v2/" .. X.project_id .. "/streams/s/other"
    local status, body = e:handle(req)
    assert.are.equal(404, status)
    assert.are.equal("APIGW.0101", cjson.decode(body).error_code)
    local other = emu({ project_id = "another-project" })
    assert.are.equal(404, (other:handle(signed("create_obs_transfer_task", { stream_name = X.unique("s"), body = X.dis[1].body }))))
  end)
end)

describe("emulator over sockets", function()
  local e
  setup(function() e = emulator.start({ log = true, log_file = H.tmpname(), auto_create = true }) end)
  teardown(function() e:stop() end)

  it("serves several clients at once, each on its own kept-alive connection", function()
    e:reset()
    local script = [[
      local core = require("huaweicloud.core")
      local c = core.http_client({ timeout = 10 })
      local cfg = { endpoint = URL, credentials = { ak = AK, sk = SK, project_id = "p" } }
      local body = { destination_type = "OBS", obs_destination_descriptor = { task_name = "t", agency_name = "dis_admin_agency",
        obs_bucket_path = "b", deliver_time_interval = 60 } }
      local ok = 0
      for i = 1, 25 do
        if core.create_obs_transfer_task(c, cfg, { stream_name = "s" .. N .. "-" .. i, body = body }) then ok = ok + 1 end
      end
      io.write(ok, " ", c:stats().connections)
    ]]
    local chunk = "package.path=" .. string.format("%q", package.path) .. " package.cpath=" .. string.format("%q", package.cpath) ..
      string.format(" URL=%q AK=%q SK=%q ", e.url, e.ak, e.sk) .. script
    local outs = {}
    for i = 1, 4 do outs[i] = H.tmpname() end
    local cmd = {}
    for i = 1, 4 do
      cmd[#cmd + 1] = "env " .. H.sanitizer_env() .. " " .. emulator.interpreter() .. " -e " .. H.q("N = " .. i .. " " .. chunk) ..
        " > " .. outs[i] .. " 2>&1 &"
    end
    H.sh(table.concat(cmd, " ") .. " wait")
    for i = 1, 4 do
      assert.are.equal("25 1", H.read(outs[i]))
      os.remove(outs[i])
    end
    local s = e:stats()
    assert.are.equal(100, s.dis_tasks)
    assert.are.equal(100, s.requests)
    assert.are.equal(4, s.connections)
  end)

  it("a forgotten emulator neither hangs its parent's exit nor outlives it", function()
    local out, ok = H.run_lua([[
      local emu = require("huaweicloud.emulator").start()
      io.write(emu.pid)
    ]] .. " os.exit(0)")
    assert.is_true(ok, out)
    local pid = assert(tonumber(out), out)
    local alive = true
    for _ = 1, 40 do -- the watchdog looks once a second
      local f = io.open("/proc/" .. pid .. "/stat")
      local stat = f and f:read("*l") or ""
      if f then f:close() end
      if stat:match("^%d+ %b() Z") or not f then alive = false break end -- gone, or a zombie nobody reaped
      H.sh("sleep 0.1")
    end
    assert.is_false(alive, "the orphaned emulator is still running")
  end)

  it("lists tasks without secrets and resets", function()
    local c = core.http_client()
    assert(core.create_connector_task(c, { endpoint = e.url, credentials = { ak = e.ak, sk = e.sk, project_id = "p" } },
      { instance_id = "i", body = X.kafka[2].body }))
    c:close()
    local tasks = e:tasks()
    assert.is_true(#tasks.kafka >= 1)
    assert.is_nil(cjson.encode(tasks):find("pw-EXAMPLE", 1, true))
    e:reset()
    assert.are.equal(0, e:stats().kafka_tasks)
  end)
end)

describe("emulator as the cloud answers", function()
  it("answers only codes docs/emulator.md lists, each with its source or as its own choice", function()
    local doc = H.read("docs/emulator.md")
    local seen = 0
    for _, f in ipairs({ "service", "kafka", "dis", "iam", "server" }) do
      for code in H.read("lua/huaweicloud/emulator/" .. f .. ".lua"):gmatch('"((%u+)%.%w+)"') do
        if code:match("^[A-Z]+%.%d") or code:match("^EMU%.") then
          seen = seen + 1
          assert.truthy(doc:find("`" .. code .. "`", 1, true), code .. " is answered but not in docs/emulator.md")
        end
      end
    end
    assert.truthy(seen >= 15, seen)
  end)

  local function strict(opts)
    opts = opts or {}
    opts.now = function() return NOW end
    return emulator.new(opts)
  end

  it("knows only the instances and streams it was told of: 404 DMS.00404022 and DIS.4301 otherwise", function()
    local e = strict()
    local status, body = e:handle(signed("create_connector_task", { instance_id = "nobody-declared", body = X.kafka[1].body }))
    assert.are.same({ 404, "DMS.00404022" }, { status, cjson.decode(body).error_code })
    status, body = e:handle(signed("create_obs_transfer_task", { stream_name = "nobody-created", body = X.dis[1].body }))
    assert.are.same({ 400, "DIS.4301" }, { status, cjson.decode(body).errorCode })
    assert.are.equal(0, #e.kafka_tasks + #e.dis_tasks)
  end)

  it("starts with ready-made things: Smart Connect on, one without, a stream", function()
    local e = strict()
    local on, off = emulator.READY.instances[1], emulator.READY.instances[2]
    local status = e:handle(signed("create_connector_task", { instance_id = on.instance_id, body = X.kafka[1].body }))
    assert.are.equal(200, status)
    local body
    status, body = e:handle(signed("show_instance", { instance_id = off.instance_id }))
    local inst = cjson.decode(body)
    assert.are.same({ 200, false, "demo-kafka-plain" }, { status, inst.connector_enable, inst.name })
    status, body = e:handle(signed("create_connector_task", { instance_id = off.instance_id, body = X.kafka[1].body }))
    assert.are.same({ 400, "DMS.00400026" }, { status, cjson.decode(body).error_code })
    status = e:handle(signed("create_obs_transfer_task", { stream_name = "demo-stream", body = X.dis[1].body }))
    assert.are.equal(201, status)
    -- declared ones replace them
    e = strict({ instances = { "mine" }, streams = {} })
    assert.are.equal(404, (e:handle(signed("show_instance", { instance_id = on.instance_id }))))
    assert.are.equal(200, (e:handle(signed("show_instance", { instance_id = "mine" }))))
    status, body = e:handle(signed("list_streams", {}))
    assert.are.same({ 200, 0 }, { status, cjson.decode(body).total_number })
    assert.truthy(body:find('"stream_names":[]', 1, true), body) -- an empty list is [], as the docs write it
  end)

  it("the handle names the ready-made ids, and add_instance adds one every project has", function()
    local h = emulator.start()
    finally(function() h:stop() end)
    assert.are.equal(emulator.READY.instances[1].instance_id, h.instance_id)
    assert.are.same({ "demo-kafka", "demo-kafka-plain" }, { h.instances[1].name, h.instances[2].name })
    assert.are.equal("demo-stream", h.stream_name)
    local added = h:add_instance({ name = "late", connector_enable = false })
    assert.is_string(added.instance_id)
    local kafka = require("huaweicloud").assert(require("huaweicloud").kafka.new({ endpoint = h.url,
      credentials = { ak = h.ak, sk = h.sk, project_id = "any-project" } }))
    local inst = require("huaweicloud").assert(kafka:show_instance({ instance_id = added.instance_id }))
    assert.are.same({ "late", false }, { inst.name, inst.connector_enable })
    assert.are.equal(3, #h.instances)
    assert.has_error(function() h:add_instance({ instance_id = "a/b" }) end)
  end)
end)

describe("emulator admin endpoints", function()
  local h, http
  setup(function()
    h = emulator.start()
    http = core.http_client({ timeout = 5, proxy = false })
  end)
  teardown(function()
    http:close()
    h:stop()
  end)

  local function admin(path, body, headers)
    local hd = { ["X-Emulator-Token"] = h.admin_token, ["Content-Type"] = "application/json" }
    for k, v in pairs(headers or {}) do hd[k] = v ~= false and v or nil end
    local status, _, out = http:send({ method = body and "POST" or "GET", url = h.url .. path, headers = hd, body = body })
    return status, out
  end

  it("answer only their owner: this machine as Host, the run's token or the emulator's signature, JSON", function()
    assert.are.equal(200, (admin("/_emulator/stats")))
    -- a page of another site: a cross-site text/plain POST carries no token
    local evil = '{"sk":"x"}'
    assert.are.equal(401, (admin("/_emulator/config", evil, { ["X-Emulator-Token"] = false, ["Content-Type"] = "text/plain" })))
    assert.are.equal(401, (admin("/_emulator/config", evil, { ["X-Emulator-Token"] = "guess" })))
    assert.are.equal(415, (admin("/_emulator/config", evil, { ["Content-Type"] = "text/plain" })))
    -- DNS rebinding: a foreign name for this address
    assert.are.equal(403, (admin("/_emulator/config", evil, { Host = "evil.example:80" })))
    -- nothing of it took: calls still verify with the emulator's own key
    local kafka = require("huaweicloud").kafka.new({ endpoint = h.url, credentials = { ak = h.ak, sk = h.sk,
      project_id = "p" } })
    assert.is_table((kafka:show_instance({ instance_id = h.instance_id })))
    -- signed with the emulator's own credentials is the owner too (no token needed)
    local req = assert(core.sign({ method = "GET", url = h.url .. "/_emulator/stats", headers = {} },
      { ak = h.ak, sk = h.sk }))
    local status = http:send({ method = "GET", url = h.url .. "/_emulator/stats", headers = req })
    assert.are.equal(200, status)
  end)

  it("check what they set", function()
    for _, c in ipairs({
      { "/_emulator/config", '{"max_skew":"x"}', "max_skew must be a number" },
      { "/_emulator/config", '{"sk":5}', "sk must be a string" },
      { "/_emulator/config", '{"port":1}', "unknown or fixed setting port" },
      { "/_emulator/config", '{"max_skew":-1}', "max_skew must be a number from 0" },
      { "/_emulator/faults", '{"operation":"nope"}', "no operation nope" },
      { "/_emulator/faults", '{"operation":"*","times":0}', "times must be an integer" },
      { "/_emulator/faults", '{"operation":"*","headers":{"X":"a\r\nB: c"}}', "headers must map names" },
      { "/_emulator/clock", '{"advance":"soon"}', "advance must be a number" },
      { "/_emulator/clock", '{"delays":{"task":-1}}', "delays.task must be a number" },
      { "/_emulator/state", '{"instance_id":"x"}', "state must be a string" },
      { "/_emulator/instances", '{"connector_enable":"yes"}', "connector_enable must be a boolean" },
      { "/_emulator/config", "[1", "a JSON object is needed" },
    }) do
      local status, out = admin(c[1], c[2])
      assert.are.equal(400, status, c[2])
      assert.truthy(out:find(c[3], 1, true), c[2] .. " -> " .. out)
    end
    -- and the emulator still answers every call
    local kafka = require("huaweicloud").kafka.new({ endpoint = h.url, credentials = { ak = h.ak, sk = h.sk,
      project_id = "p" } })
    assert.is_table((kafka:show_instance({ instance_id = h.instance_id })))
  end)
end)

describe("emulator under a flood of connections", function()
  local lua = emulator.interpreter()
  -- A client that holds n idle connections to url, then makes one call on a new one; prints
  -- "opened=N call=STATUS cpu=TICKS" (the emulator's CPU ticks while the connections were held).
  local function flood(h, n)
    return H.run_lua(([[
      local socket = require("socket")
      local held = {}
      for i = 1, %d do
        local c = socket.tcp()
        c:settimeout(2)
        if c:connect("127.0.0.1", %d) then held[#held + 1] = c else c:close() end
      end
      local function ticks()
        local f = io.open("/proc/%d/stat")
        if not f then return -1 end
        local stat = f:read("*l")
        f:close()
        local fields = {}
        for x in stat:gsub("^.-%%) ", ""):gmatch("%%S+") do fields[#fields + 1] = x end
        return tonumber(fields[12]) + tonumber(fields[13])
      end
      local t0 = ticks()
      socket.sleep(1)
      local cpu = ticks() - t0
      local core = require("huaweicloud.core")
      local c = core.http_client({ timeout = 10 })
      local _, meta = core.show_instance(c, { endpoint = %q, credentials = { ak = %q, sk = %q, project_id = "p" } },
        { instance_id = %q })
      io.write("opened=", #held, " call=", tostring(meta.status), " cpu=", cpu)
    ]]):format(n, tonumber(h.url:match(":(%d+)$")), h.pid, h.url, h.ak, h.sk, h.instance_id), {},
      "prlimit --nofile=4096:4096")
  end

  it("one client's 1,100 idle connections neither kill it (select's FD_SETSIZE) nor lock others out", function()
    local h = emulator.start({ lua = "prlimit --nofile=4096:4096 " .. lua })
    finally(function() h:stop() end)
    local out = flood(h, 1100)
    assert.truthy(out:find("call=200", 1, true), out)
    assert.are.equal(0, h:stats().kafka_tasks) -- and it is still there
  end)

  it("out of descriptors, it neither spins nor stops answering", function()
    local h = emulator.start({ lua = "prlimit --nofile=64:64 " .. lua })
    finally(function() h:stop() end)
    local out = flood(h, 100)
    assert.truthy(out:find("call=200", 1, true), out)
    local cpu = tonumber(out:match("cpu=(%-?%d+)"))
    print(("    emulator out of descriptors: %d of 100 connections held, %d CPU ticks (1/100 s) in 1 s"):format(
      tonumber(out:match("opened=(%d+)")), cpu))
    assert.truthy(cpu >= 0 and cpu < 50, out) -- a spinning accept loop takes nearly all of the 100
  end)

  it("closes a connection silent for idle_timeout", function()
    local h = emulator.start({ idle_timeout = 0.3 })
    finally(function() h:stop() end)
    local socket = require("socket")
    local c = socket.tcp()
    c:settimeout(3)
    assert(c:connect("127.0.0.1", tonumber(h.url:match(":(%d+)$"))))
    local t0 = H.now()
    local data, err = c:receive(1)
    assert.are.same({ nil, "closed" }, { data, err })
    assert.truthy(H.now() - t0 < 2.5)
    c:close()
  end)
end)
