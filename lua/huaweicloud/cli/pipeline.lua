-- huaweicloud.cli.pipeline: `huaweicloud plan | apply | destroy FILE` (huaweicloud.pipeline).
-- Exit codes as `terraform plan -detailed-exitcode`: 0 nothing to do, 2 changes (plan), 1 an
-- error; apply and destroy: 0 when every thing is done, 1 otherwise. Progress goes to stdout as
-- it happens; --json prints one JSON document instead. apply and destroy ask before changing
-- anything, on a terminal; elsewhere they need --yes.
local args = require("huaweicloud.cli.args")

local M = {}

local SPECS = {
  plan = { json = "flag", prune = "flag", destroy = "flag" },
  apply = { json = "flag", prune = "flag", replace = "list", ["replace-all"] = "flag", yes = "flag",
    interval = "seconds", timeout = "seconds", concurrency = "count" },
  destroy = { json = "flag", yes = "flag", interval = "seconds", timeout = "seconds", concurrency = "count" },
}

local function json(v)
  local cjson = require("cjson")
  if cjson.encode_empty_table_as_object then cjson.encode_empty_table_as_object(false) end
  return cjson.encode(v)
end

local function confirm(cmd, o, out, err, stdin)
  if o.yes then return true end
  if not (stdin or args.tty(0)) then
    err:write("huaweicloud ", cmd, ": this changes what exists; confirm with --yes (stdin is not a terminal)\n")
    return false
  end
  out:write("Carry these out? Only 'yes' goes on: ")
  out:flush()
  local answer = (stdin or io.stdin):read("*l")
  if answer ~= "yes" then
    out:write("Nothing was changed.\n")
    return false
  end
  return true
end

-- main for plan, apply and destroy: argv as the command got it (argv[1] the command's name).
function M.run(cmd, argv, out, err, stdin)
  local pipeline = require("huaweicloud.pipeline")
  local o, why = args.parse(argv, 2, SPECS[cmd])
  if o and #o.positional ~= 1 then why = "name one declaration file (a Lua or JSON file)" end
  if not o or why then
    err:write("huaweicloud ", cmd, ": ", why, "\n")
    return 1
  end
  local file = o.positional[1]
  local color = not o.json and os.getenv("NO_COLOR") == nil and args.tty(1)
  local render = pipeline.render
  local interval = o.interval or tonumber(os.getenv("WAIT_INTERVAL") or "")
  local p, perr = pipeline.plan(file, { prune = o.prune or nil, destroy = (cmd == "destroy" or o.destroy) or nil })
  if not p then
    err:write("huaweicloud ", cmd, ": ", tostring(perr), "\n")
    return 1
  end
  local n = p.counts
  local changes = n.create + n.update + n.replace + n.delete + n.error
  if cmd == "plan" or changes == 0 then
    out:write(o.json and (json(render.plan_data(p)) .. "\n") or render.plan(p, { color = color }))
    if n.error > 0 then return 1 end
    return (cmd == "plan" and changes > 0) and 2 or 0
  end
  if not o.json then out:write(render.plan(p, { color = color }), "\n") end
  if not confirm(cmd, o, out, err, stdin) then return 1 end
  local opts = { prune = o.prune or nil, replace = o["replace-all"] or o.replace, interval = interval,
    timeout = o.timeout, concurrency = o.concurrency }
  if not o.json then
    opts.on_event = function(e)
      out:write(render.event(e, { color = color }), "\n")
      out:flush()
    end
  end
  local r, rerr = pipeline[cmd](file, opts)
  if not r then
    err:write("huaweicloud ", cmd, ": ", tostring(rerr), "\n")
    return 1
  end
  out:write(o.json and (json(render.run_data(r)) .. "\n") or
    ("\n" .. render.summary(r, cmd == "destroy" and "Destroy" or "Apply") .. "\n"))
  return r.ok and 0 or 1
end

return M
