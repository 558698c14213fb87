-- Soak: many calls mixing successes and every error kind; memory stays flat. HWC_SOAK sets the
-- number of calls (10,000 by default; fewer under valgrind, which is 30x slower and checks
-- every allocation anyway).
local hw = require("huaweicloud")
local fake = require("spec.support.fake_server")
local X = require("spec.fixtures.examples")

local CALLS = tonumber(os.getenv("HWC_SOAK") or "") or 10000

local function rss_kb()
  local f = io.open("/proc/self/status")
  if not f then return 0 end
  local s = f:read("*a")
  f:close()
  return tonumber(s:match("VmRSS:%s*(%d+)")) or 0
end

describe("soak", function()
  it(CALLS .. " calls of every outcome keep memory flat", function()
    local srv = fake.start({
      { status = 200, headers = { ["Content-Type"] = "application/json" }, body = X.kafka_response },
      { status = 400, body = '{"error_code":"DMS.00400002","error_msg":"Invalid parameter"}' },
      { status = 200, body = "<html>not json</html>" },
      { status = 503, headers = { ["Retry-After"] = "1" }, body = "" },
      { status = 401, body = '{"error_code":"APIGW.0301","error_msg":"verify aksk signature fail, canonical request: ' ..
        'POST|/v2/p/instances/i/connector/tasks/||host:x||host|00"}' },
      { fault = "garbage" },
      { fault = "truncate" },
    })
    local creds = { ak = "SOAKAK0001", sk = "soak-sk-0001", project_id = "p" }
    -- retries = 0: the two rounds must be the same work (a retry budget spent in the first would
    -- make the second another workload, with other code paths, and other memory under LuaJIT)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = creds, timeout = 5, retries = 0 }))
    local refused = assert(hw.kafka.new({ endpoint = "http://127.0.0.1:1", credentials = creds, retries = 0 }))
    local stall = fake.start({ { fault = "stall" } })
    local slow = assert(hw.kafka.new({ endpoint = stall.url, credentials = creds, timeout = 0.05, retries = 0 }))
    -- a certificate from a CA the client does not trust: a tls error every time
    local pki = require("spec.support.helpers").make_ca()
    local tls_emu = hw.emulator.start({ auto_create = true, tls = { certificate = pki.cert, key = pki.key } })
    finally(function() -- busted keeps only the last finally: one for everything
      srv.stop()
      stall.stop()
      tls_emu:stop()
      os.execute("rm -rf " .. pki.dir)
    end)
    local tls = assert(hw.kafka.new({ endpoint = tls_emu.url, credentials = creds, timeout = 5, retries = 0 }))
    local no_project = assert(hw.kafka.new({ endpoint = srv.url, credentials = { ak = "A", sk = "S" }, retries = 0 }))
    local bad = X.copy(X.kafka[1].body)
    bad.sink_task.deliver_time_interval = "soon"
    local kinds = {}
    local function one(i)
      local res, err
      local pick = i % 10
      if i % 500 == 0 then
        res, err = slow:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
      elseif i % 1000 == 1 then -- full TLS handshakes are the costly part: a few suffice
        res, err = tls:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
      elseif i % 100 == 2 then
        res, err = no_project:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
      elseif pick == 8 then
        res, err = kafka:create_connector_task({ instance_id = "i", body = bad })
      elseif pick == 9 and i % 100 == 99 then
        res, err = refused:create_connector_task({ instance_id = "i", body = X.kafka[2].body })
      elseif pick == 9 then
        res, err = kafka:prepare("create_connector_task", { instance_id = "i", body = X.kafka[3].body })
      else
        res, err = kafka:create_connector_task({ instance_id = "i", body = X.kafka[1 + i % 3].body })
      end
      local k = res and "ok" or err.kind
      kinds[k] = (kinds[k] or 0) + 1
    end
    local warm = math.min(500, math.floor(CALLS / 10))
    for i = 1, warm do one(i) end
    -- two equal rounds: allocator and connection caches settle in the first; a leak keeps
    -- growing in the second (200 bytes a call would be 2 MB over 10,000 calls)
    local function round()
      local t0 = os.clock()
      for i = 1, CALLS do one(i) end
      collectgarbage("collect")
      collectgarbage("collect")
      return collectgarbage("count"), rss_kb(), os.clock() - t0
    end
    collectgarbage("collect")
    collectgarbage("collect")
    local lua0, rss0 = collectgarbage("count"), rss_kb()
    local lua1, rss1, cpu = round()
    local lua2, rss2 = round()
    kafka:close()
    slow:close()
    tls:close()
    local names = {}
    for k, n in pairs(kinds) do names[#names + 1] = k .. "=" .. n end
    table.sort(names)
    print(string.format("\n    soak: 2 x %d calls (%s), %.2f s CPU a round; Lua heap %.0f -> %.0f -> %.0f KB; " ..
      "RSS %d -> %d -> %d KB", CALLS, table.concat(names, " "), cpu, lua0, lua1, lua2, rss0, rss1, rss2))
    for _, k in ipairs({ "ok", "api", "decode", "network", "validation", "timeout", "tls", "config" }) do
      assert.truthy(kinds[k], "no " .. k .. " outcome")
    end
    -- a leak of even 100 bytes per call would show here
    assert.truthy(lua2 - lua1 < 1024, "Lua heap grew by " .. (lua2 - lua1) .. " KB in the second round")
    -- ASan keeps freed memory in quarantine: RSS means nothing there (valgrind and ASan check
    -- the C heap themselves)
    if CALLS >= 10000 and not (os.getenv("LD_PRELOAD") or ""):find("asan", 1, true) then
      assert.truthy(rss2 - rss1 < 2048, "RSS grew by " .. (rss2 - rss1) .. " KB in the second round")
    end
  end)
end)
