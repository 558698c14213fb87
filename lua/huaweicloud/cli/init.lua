-- huaweicloud.cli: the `huaweicloud` command (bin/huaweicloud), a thin layer over the library so it
-- is tested as a module and as a subprocess. Every command reads credentials, region and endpoint
-- exactly as the library does (the environment, the profile file, the metadata service).
--   huaweicloud emulator [--port N] [--host H] [--background] [--log]
--   huaweicloud version | help
--   huaweicloud plan | apply | destroy FILE ...   (huaweicloud.cli.pipeline)
--   huaweicloud call | wait | describe ...        (huaweicloud.cli.ops)
-- main(args, out, err, stdin) -> exit code: 0 done, 1 error or bad usage, 2 (plan) changes to make.
local M = {}

local USAGE = [[
usage: huaweicloud <command> [options]

pipelines as code (a declaration: a Lua or JSON file; see examples/pipeline.lua):
  plan FILE [--prune] [--destroy] [--json]
      what apply would do, read from what exists (nothing is changed). Exit 0: nothing to do,
      2: changes, 1: an error.
  apply FILE [--prune] [--replace NAME...] [--replace-all] [--yes] [--json]
             [--interval S] [--timeout S] [--concurrency N]
      makes what exists what is declared, in dependency order, waiting for each thing; asks first
      on a terminal (elsewhere --yes). --prune deletes what declared instances and streams hold but
      the file does not name; --replace allows those things to be deleted and made again.
  destroy FILE [--yes] [--json] [--interval S] [--timeout S]
      deletes what the file declares, in reverse order, waiting until each is gone.

any operation:
  call SERVICE OPERATION key=value ... [--body FILE|-] [--dry-run]
      calls it and prints the answer as JSON (--dry-run: the signed request, secrets masked).
  wait SERVICE THING key=value ... [--until STATE] [--timeout S] [--interval S]
      polls until the thing reaches the state (wait_<THING> of the library).
  describe SERVICE [OPERATION]
      the operations of a service, or one operation's parameters and body.

  emulator [--port N] [--host H] [--background] [--log]
      runs the local emulator of both services and prints the lines to export so that every
      script, example and the README's blocks talk to it (endpoint, IAM endpoint, AK, SK, project
      id, a Kafka instance with Smart Connect on, a DIS stream). In the foreground until Ctrl-C;
      with --background it prints the lines (and HUAWEICLOUD_EMULATOR_PID) and returns:
        eval "$(huaweicloud emulator --background)"
  version     prints the SDK's version
  help        this text

Credentials, region and endpoint come from the environment and profile as in the library
(HUAWEICLOUD_SDK_AK, _SK, _PROJECT_ID, _REGION, _ENDPOINT). Errors are one line on stderr, exit 1.
]]

-- The project id the emulator's exports name (any would do: it accepts only this one).
M.EMULATOR_PROJECT = "0a1b2c3d4e5f67890a1b2c3d4e5f6789"

local function shell_quote(s)
  s = tostring(s)
  if s:match("^[%w%-%._/:]+$") then return s end
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- The lines to export for an emulator at url.
function M.exports(url, emu)
  local lines = {
    { "HUAWEICLOUD_SDK_ENDPOINT", url },
    { "HUAWEICLOUD_SDK_IAM_ENDPOINT", url },
    { "HUAWEICLOUD_SDK_AK", emu.ak },
    { "HUAWEICLOUD_SDK_SK", emu.sk },
    { "HUAWEICLOUD_SDK_PROJECT_ID", emu.project_id },
    { "KAFKA_INSTANCE_ID", emu.instance_id },
    { "DIS_STREAM_NAME", emu.stream_name },
    -- the emulator settles states in a fraction of a second: the examples need not poll every 5 s
    { "WAIT_INTERVAL", "0.2" },
  }
  local out = {}
  for _, kv in ipairs(lines) do
    if kv[2] then out[#out + 1] = "export " .. kv[1] .. "=" .. shell_quote(kv[2]) end
  end
  return table.concat(out, "\n") .. "\n"
end

local COMMANDS = {}

function COMMANDS.emulator(args, out, err)
  local o, why = require("huaweicloud.cli.args").parse(args, 2, { port = "port", host = "string",
    background = "flag", log = "flag" })
  if o and #o.positional > 0 then why = "unexpected " .. o.positional[1] end
  if not o or why then
    err:write("huaweicloud emulator: ", why, "\n")
    return 1
  end
  local emulator = require("huaweicloud.emulator")
  local opts = { port = o.port or 0, host = o.host, project_id = M.EMULATOR_PROJECT, log = o.log or nil }
  if o.background then
    local ok, emu = pcall(emulator.start, { port = opts.port, host = opts.host, project_id = opts.project_id,
      log = opts.log, detach = true })
    if not ok then
      err:write("huaweicloud emulator: ", tostring(emu), "\n")
      return 1
    end
    out:write(M.exports(emu.url, emu), "export HUAWEICLOUD_EMULATOR_PID=", emu.pid, "\n")
    return 0
  end
  local ok, e = pcall(emulator.serve, opts, function(url, emu)
    local handle = { ak = emu.cfg.ak, sk = emu.cfg.sk, project_id = emu.cfg.project_id }
    for _, inst in ipairs(emu:declared_instances()) do
      if inst.connector_enable ~= false and not handle.instance_id then handle.instance_id = inst.instance_id end
    end
    local first = (emu.cfg.streams or emulator.READY.streams)[1]
    handle.stream_name = type(first) == "table" and first.stream_name or first
    err:write("# huaweicloud emulator on ", url, " (Ctrl-C stops it); in another shell:\n")
    out:write(M.exports(url, handle))
    out:flush()
  end)
  if not ok then
    err:write("huaweicloud emulator: ", tostring(e), "\n")
    return 1
  end
  return 0
end

function COMMANDS.version(_, out)
  out:write("huaweicloud-sdk ", require("huaweicloud.core").version, "\n")
  return 0
end

function COMMANDS.help(_, out)
  out:write(USAGE)
  return 0
end

for _, name in ipairs({ "plan", "apply", "destroy" }) do
  COMMANDS[name] = function(args, out, err, stdin) return require("huaweicloud.cli.pipeline").run(name, args, out,
    err, stdin) end
end
for _, name in ipairs({ "call", "wait", "describe" }) do
  COMMANDS[name] = function(args, out, err, stdin)
    return require("huaweicloud.cli.ops")[name](args, out, err, stdin)
  end
end

function M.main(args, out, err, stdin)
  out, err = out or io.stdout, err or io.stderr
  local name = args[1]
  if name == nil or name == "--help" or name == "-h" then name = "help" end
  local cmd = COMMANDS[name]
  if not cmd then
    local names = {}
    for k in pairs(COMMANDS) do names[#names + 1] = k end
    table.sort(names)
    local near = require("huaweicloud.core").closest(tostring(name), names)
    err:write("huaweicloud: unknown command ", tostring(name), near and (" (did you mean " .. near .. "?)") or "",
      "; huaweicloud help lists them\n")
    return 1
  end
  return cmd(args, out, err, stdin)
end

return M
