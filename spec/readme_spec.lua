-- Every ```lua block of README.md runs, so the README cannot rot. Each block runs in its own
-- process against the emulator: credentials come from the environment and its
-- region = "cn-north-4" is pointed at the emulator's URL. A `print(x) -- huaweicloud: ...`
-- comment is output the block must print. `make demo` runs too.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")

local function blocks()
  local out = {}
  for code in H.read("README.md"):gmatch("```lua\n(.-)```") do out[#out + 1] = code end
  return out
end

describe("README", function()
  local emu
  setup(function() emu = hw.emulator.start() end)
  teardown(function() emu:stop() end)

  local list = blocks()
  it("has Lua blocks to run", function()
    assert.is_true(#list >= 7)
  end)

  for i, code in ipairs(list) do
    local first = code:match("[^\n]*\n[^\n]*") or code
    it("block " .. i .. " runs: " .. first:gsub("\n", " | "), function()
      local runnable = code:gsub('region = "cn%-north%-4"', function() return 'endpoint = "' .. emu.url .. '"' end)
      local out, ok = H.run_lua(runnable, { HUAWEICLOUD_SDK_AK = emu.ak, HUAWEICLOUD_SDK_SK = emu.sk,
        HUAWEICLOUD_SDK_PROJECT_ID = "0a1b2c3d4e5f67890a1b2c3d4e5f6789" })
      assert.is_true(ok, out)
      for expected in code:gmatch("print%b()%s*%-%-%s*(huaweicloud:[^\n]+)") do
        assert.truthy(out:find(expected, 1, true), "missing output: " .. expected .. "\n" .. out)
      end
    end)
  end

  it("make demo runs every example against the emulator", function()
    local lua = hw.emulator.interpreter()
    local target = (lua == "lua5.4") and "lua5.4" or lua
    local out, ok = H.sh("make -s demo LUA=" .. target .. " 2>&1")
    assert.is_true(ok, out)
    assert.truthy(out:find("created 3 Kafka and 2 DIS tasks on the emulator; 0 example(s) failed", 1, true), out)
    assert.is_nil(out:find("OBS-SECRET-KEY", 1, true))
    assert.is_nil(out:find("peer-password", 1, true))
  end)
end)
