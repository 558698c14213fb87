-- make demo: starts the emulator on 127.0.0.1, runs every example against it and prints what
-- each created (secrets masked), then stops the emulator. Exits non-zero if any example failed.
local hw = require("huaweicloud")

local EXAMPLES = { "kafka_obs_dump", "kafka_kafka_replication", "kafka_redis_replication", "dis_obs_text",
  "dis_obs_parquet", "kafka_lifecycle", "dis_lifecycle", "kafka_prerequisites" }
local PROJECT = "0a1b2c3d4e5f67890a1b2c3d4e5f6789"

local function q(s) return "'" .. tostring(s):gsub("'", "'\\''") .. "'" end

local dir = (arg and arg[0] or "examples/demo.lua"):match("^(.*)/[^/]*$") or "."
-- The emulator answers as the cloud does: only instances and streams that exist. It has a Kafka
-- instance with Smart Connect on (emu.instance_id); the streams the two page examples of DIS
-- write to exist as they would in your account; dis_lifecycle makes its own.
local emu = hw.emulator.start({ project_id = PROJECT, streams = { "dis-stream-text", "dis-stream-parquet" } })
print("emulator listening on " .. emu.url .. " (Kafka instance " .. emu.instance_id .. ")\n")
local env = table.concat({
  "HUAWEICLOUD_SDK_AK=" .. q(emu.ak), "HUAWEICLOUD_SDK_SK=" .. q(emu.sk), "HUAWEICLOUD_SDK_PROJECT_ID=" .. PROJECT,
  "HUAWEICLOUD_SDK_ENDPOINT=" .. q(emu.url), "LUA_PATH=" .. q(package.path), "LUA_CPATH=" .. q(package.cpath),
  "HUAWEICLOUD_SDK_CREDENTIALS_FILE=/nonexistent", "WAIT_INTERVAL=0.1", "KAFKA_INSTANCE_ID=" .. q(emu.instance_id),
}, " ")
local failed = 0
for _, name in ipairs(EXAMPLES) do
  print("== examples/" .. name .. ".lua")
  -- both DIS examples name their task newtask: each gets a stream of its own, as DIS allows one
  -- dump task of a name per stream
  local stream = name:find("^dis_") and (" DIS_STREAM_NAME=" .. q("dis-stream-" .. name:match("_(%w+)$"))) or ""
  local ok = os.execute("env " .. env .. stream .. " " .. hw.emulator.interpreter() .. " " ..
    q(dir .. "/" .. name .. ".lua"))
  if ok ~= true and ok ~= 0 then failed = failed + 1 end
  print()
end
-- a pipeline as code: its plan, then its apply, with the `huaweicloud` command
for _, step in ipairs({ "plan", "apply" }) do
  print("== huaweicloud " .. step .. " examples/pipeline.lua" .. (step == "apply" and " --yes" or ""))
  local ok, _, code = os.execute("env " .. env .. " " .. hw.emulator.interpreter() .. " " ..
    q(dir .. "/../bin/huaweicloud") .. " " .. step .. " " .. q(dir .. "/pipeline.lua") ..
    (step == "apply" and " --yes" or ""))
  if type(ok) == "number" then code = ok / 256 elseif ok then code = 0 end -- Lua 5.1: the wait status
  -- plan exits 2 when there are changes to make
  if not (code == 0 or (step == "plan" and code == 2)) then failed = failed + 1 end
  print()
end
local stats = emu:stats()
emu:stop()
print(string.format("created %d Kafka and %d DIS tasks on the emulator; %d example(s) failed",
  stats.kafka_tasks, stats.dis_tasks, failed))
-- the paths this demo ran with (make's: the checkout's modules and core), for the user's own run
local paths = os.getenv("LUA_PATH") and ("LUA_PATH=" .. q(os.getenv("LUA_PATH")) .. " LUA_CPATH=" ..
  q(os.getenv("LUA_CPATH") or "") .. " ") or ""
print("\nYour own script against the emulator: start it, export what it prints, run the script, stop it:\n" ..
  "  eval \"$(bin/huaweicloud emulator --background)\"   # or `huaweicloud emulator` in a terminal of its own\n" ..
  "  " .. paths .. hw.emulator.interpreter() .. " my_script.lua\n" ..
  "  kill $HUAWEICLOUD_EMULATOR_PID")
os.exit(failed == 0 and 0 or 1)
