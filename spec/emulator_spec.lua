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

local function emu(opts)
  opts = opts or {}
  opts.now = opts.now or function() return NOW end
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
    assert.are.equal("DMS.00400002", err.error_code)
    assert.truthy(err.error_msg:find("sink_task.deliver_time_interval", 1, true))
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
  setup(function() e = emulator.start({ log = true, log_file = H.tmpname() }) end)
  teardown(function() e:stop() end)

  it("serves several clients at once, each on its own kept-alive connection", function()
    e:reset()
    local script = [[
      local core = require("huaweicloud.core")
      local c = core.http_client({ timeout = 10 })
      local cfg = { endpoint = URL, credentials = { ak = AK, sk = SK, project_id = "p" } }
      local body = { destination_type = "OBS", obs_destination_descriptor = { task_name = "t", agency_name = "a",
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
