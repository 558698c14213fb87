-- Every ```lua block of README.md runs as written, so the README cannot rot. Each block runs in
-- its own process against the emulator: credentials, KAFKA_INSTANCE_ID and DIS_STREAM_NAME come
-- from the environment (the emulator's ready-made instance and stream) and its region =
-- "cn-north-4" is pointed at the emulator's URL. A `print(...) --> text` comment is
-- output the block must print, line for line and in order; plain `--` comments are prose.
-- `make demo` runs too.
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
    assert.is_true(#list >= 9)
  end)

  for i, code in ipairs(list) do
    local first = code:match("[^\n]*\n[^\n]*") or code
    it("block " .. i .. " runs and prints what it says: " .. first:gsub("\n", " | "), function()
      local runnable = code:gsub('region = "cn%-north%-4"', function() return 'endpoint = "' .. emu.url .. '"' end)
      local url = emu.url
      emu:reset() -- each block meets the emulator as it starts, with its ready-made instance and stream
      local out, ok = H.run_lua(runnable, { HUAWEICLOUD_SDK_AK = emu.ak, HUAWEICLOUD_SDK_SK = emu.sk,
        HUAWEICLOUD_SDK_PROJECT_ID = "0a1b2c3d4e5f67890a1b2c3d4e5f6789", KAFKA_INSTANCE_ID = emu.instance_id,
        DIS_STREAM_NAME = emu.stream_name })
      assert.is_true(ok, out)
      local lines = {}
      for line in (out .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
      local at = 1
      for expected in code:gmatch("%-%->%s*([^\n]+)") do
        -- the endpoint a README example names is the emulator's here
        expected = expected:gsub("https://dms%.cn%-north%-4%.myhuaweicloud%.com", url)
        local found
        for k = at, #lines do
          if lines[k] == expected then found = k break end
        end
        assert.truthy(found, "block " .. i .. " did not print: " .. expected .. "\nit printed:\n" .. out)
        at = found + 1
      end
    end)
  end

  it("make demo runs every example against the emulator", function()
    local lua = hw.emulator.interpreter()
    local target = (lua == "lua5.4") and "lua5.4" or lua
    local out, ok = H.sh("make -s demo LUA=" .. target .. " 2>&1")
    assert.is_true(ok, out)
    assert.truthy(out:find("created 4 Kafka and 3 DIS tasks on the emulator; 0 example(s) failed", 1, true), out)
    assert.is_nil(out:find("OBS-SECRET-KEY", 1, true))
    assert.is_nil(out:find("peer-password", 1, true))
  end)
end)
