-- Soak: many calls mixing successes and every error kind; memory stays flat. HWC_SOAK sets the
-- number of calls (10,000 by default; fewer under valgrind, which is 30x slower and checks
-- every allocation anyway). With the full count the workload runs in a Lua process of its own:
-- the RSS it measures is then this workload's, not whatever the specs before it left behind
-- (under LuaJIT, a suite's 14 MB heap made RSS drift by 2.5 MB with no leak).
local H = require("spec.support.helpers")
local cjson = require("cjson")

local CALLS = tonumber(os.getenv("HWC_SOAK") or "") or 10000
local OWN_PROCESS = CALLS >= 10000

local function soak()
  if not OWN_PROCESS then return require("spec.support.soak").run(CALLS) end
  local out, ok = H.run_lua(([[
    local r = require("spec.support.soak").run(%d)
    io.write("SOAK ", require("cjson").encode(r), "\n")
  ]]):format(CALLS))
  local json = out:match("SOAK (%b{})")
  assert(ok and json, "the soak process failed:\n" .. out)
  return cjson.decode(json)
end

describe("soak", function()
  it(CALLS .. " calls of every outcome keep memory flat", function()
    local r = soak()
    local names = {}
    for k, n in pairs(r.kinds) do names[#names + 1] = ("%s=%d"):format(k, n) end
    table.sort(names)
    local lua, rss = r.lua, r.rss
    print(string.format("\n    soak: 2 x %d calls (%s), %.2f s CPU a round%s; Lua heap %.0f -> %.0f -> %.0f KB; " ..
      "RSS %d -> %d -> %d KB", CALLS, table.concat(names, " "), r.cpu, OWN_PROCESS and " (own process)" or "",
      lua[1], lua[2], lua[3], rss[1], rss[2], rss[3]))
    for _, k in ipairs({ "ok", "api", "decode", "network", "validation", "timeout", "tls", "config" }) do
      assert.truthy(r.kinds[k], "no " .. k .. " outcome")
    end
    -- a leak of even 100 bytes per call would show here
    assert.truthy(lua[3] - lua[2] < 1024, "Lua heap grew by " .. (lua[3] - lua[2]) .. " KB in the second round")
    -- ASan keeps freed memory in quarantine: RSS means nothing there (valgrind and ASan check
    -- the C heap themselves)
    if OWN_PROCESS and not (os.getenv("LD_PRELOAD") or ""):find("asan", 1, true) then
      assert.truthy(rss[3] - rss[2] < 2048, "RSS grew by " .. (rss[3] - rss[2]) .. " KB in the second round")
    end
  end)
end)
