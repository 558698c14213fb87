-- The soak workload (spec/soak_spec.lua): `calls` calls mixing successes and every error kind,
-- in two equal rounds after a warm-up. Returns the outcome counts and, before and after each
-- round, the Lua heap and the process's RSS. Run in a process of its own (see the spec), the
-- RSS is this workload's alone.
local hw = require("huaweicloud")
local fake = require("spec.support.fake_server")
local X = require("spec.fixtures.examples")

local M = {}

local function rss_kb()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("*a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)")) or 0
end

-- Fills c with the servers and clients of the workload (each as soon as made, for stop()).
local function clients(c, creds)
  c.srv = fake.start({
    { status = 200, headers = { ["Content-Type"] = "application/json" }, body = X.kafka_response },
    { status = 400, body = '{"error_code":"DMS.00400002","error_msg":"Invalid parameter"}' },
    { status = 200, body = "<html>not json</html>" },
    { status = 503, headers = { ["Retry-After"] = "1" }, body = "" },
    { status = 401, body = '{"error_code":"APIGW.0301","error_msg":"verify aksk signature fail, canonical request: ' ..
      'POST|/v2/p/instances/i/connector/tasks/||host:x||host|00"}' },
    { fault = "garbage" },
    { fault = "truncate" },
  })
  -- retries = 0: the two rounds must be the same work (a retry budget spent in the first would
  -- make the second another workload, with other code paths, and other memory under LuaJIT)
  c.kafka = assert(hw.kafka.new({ endpoint = c.srv.url, credentials = creds, timeout = 5, retries = 0 }))
  c.refused = assert(hw.kafka.new({ endpoint = "http://127.0.0.1:1", credentials = creds, retries = 0 }))
  c.stall = fake.start({ { fault = "stall" } })
  c.slow = assert(hw.kafka.new({ endpoint = c.stall.url, credentials = creds, timeout = 0.05, retries = 0 }))
  -- a certificate from a CA the client does not trust: a tls error every time
  c.pki = require("spec.support.helpers").make_ca()
  c.tls_emu = hw.emulator.start({ auto_create = true, tls = { certificate = c.pki.cert, key = c.pki.key } })
  c.tls = assert(hw.kafka.new({ endpoint = c.tls_emu.url, credentials = creds, timeout = 5, retries = 0 }))
  c.no_project = assert(hw.kafka.new({ endpoint = c.srv.url, credentials = { ak = "A", sk = "S" }, retries = 0 }))
end

-- Stops whatever clients() got to make (it may have failed half way); never raises.
local function stop(c)
  for _, k in ipairs({ "kafka", "refused", "slow", "tls", "no_project" }) do
    if c[k] then pcall(c[k].close, c[k]) end
  end
  for _, k in ipairs({ "srv", "stall" }) do
    if c[k] then pcall(c[k].stop) end
  end
  if c.tls_emu then pcall(c.tls_emu.stop, c.tls_emu) end
  if c.pki then os.execute("rm -rf " .. c.pki.dir) end
end

function M.run(calls)
  local c = {}
  local ok, res = pcall(function()
    clients(c, { ak = "SOAKAK0001", sk = "soak-sk-0001", project_id = "p" })
    local bad = X.copy(X.kafka[1].body)
    bad.sink_task.deliver_time_interval = "soon"
    local kinds = {}
    local function one(i)
      local res, err
      local pick = i % 10
      if i % 500 == 0 then
        res, err = c.slow:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
      elseif i % 1000 == 1 then -- full TLS handshakes are the costly part: a few suffice
        res, err = c.tls:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
      elseif i % 100 == 2 then
        res, err = c.no_project:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
      elseif pick == 8 then
        res, err = c.kafka:create_connector_task({ instance_id = "i", body = bad })
      elseif pick == 9 and i % 100 == 99 then
        res, err = c.refused:create_connector_task({ instance_id = "i", body = X.kafka[2].body })
      elseif pick == 9 then
        res, err = c.kafka:prepare("create_connector_task", { instance_id = "i", body = X.kafka[3].body })
      else
        res, err = c.kafka:create_connector_task({ instance_id = "i", body = X.kafka[1 + i % 3].body })
      end
      local k = res and "ok" or err.kind
      kinds[k] = (kinds[k] or 0) + 1
    end
    for i = 1, math.min(500, math.floor(calls / 10)) do one(i) end
    -- two equal rounds: allocator and connection caches settle in the first; a leak keeps
    -- growing in the second (200 bytes a call would be 2 MB over 10,000 calls)
    local r = { calls = calls, kinds = kinds, lua = {}, rss = {} }
    local function sample()
      collectgarbage("collect")
      collectgarbage("collect")
      r.lua[#r.lua + 1], r.rss[#r.rss + 1] = collectgarbage("count"), rss_kb()
    end
    sample()
    for round = 1, 2 do
      local t0 = os.clock()
      for i = 1, calls do one(i) end
      if round == 1 then r.cpu = os.clock() - t0 end
      sample()
    end
    return r
  end)
  stop(c)
  if not ok then error(res, 0) end
  return res
end

return M
