-- huaweicloud.cli.args: the command line of one command: positional words, --flags, --name value
-- and lists (--replace a b), checked against a spec { name = "flag" | "string" | "seconds" |
-- "count" | "port" | "list" }. parse(args, first, spec) -> { positional = {...}, <name> = value }
-- | nil, one line saying what is wrong.
local M = {}

local function closest(name, spec)
  local names = {}
  for k in pairs(spec) do names[#names + 1] = k end
  table.sort(names)
  local near = require("huaweicloud.core").closest(name, names)
  return near and (" (did you mean --" .. near .. "?)") or ""
end

local CHECK = {
  string = function(v) return v end,
  seconds = function(v)
    local n = tonumber(v)
    if n and n > 0 and n <= 7 * 86400 then return n end
  end,
  count = function(v)
    local n = tonumber(v)
    if n and n % 1 == 0 and n >= 1 and n <= 64 then return n end
  end,
  port = function(v)
    local n = tonumber(v)
    if n and n % 1 == 0 and n >= 0 and n <= 65535 then return n end
  end,
}
local WANT = { seconds = "a number of seconds above 0", count = "an integer from 1 to 64", port = "a port number" }

function M.parse(args, first, spec)
  local o, i = { positional = {} }, first
  while args[i] ~= nil do
    local a = args[i]
    local name = a:match("^%-%-([%w%-]+)$")
    if not name then
      if a:match("^%-") and a ~= "-" then return nil, "unknown option " .. a end
      o.positional[#o.positional + 1] = a
    else
      local kind = spec[name]
      if not kind then return nil, "unknown option --" .. name .. closest(name, spec) end
      if kind == "flag" then
        o[name] = true
      elseif kind == "list" then
        o[name] = o[name] or {}
        while args[i + 1] ~= nil and not args[i + 1]:match("^%-%-") do
          i = i + 1
          table.insert(o[name], args[i])
        end
        if #o[name] == 0 then return nil, "--" .. name .. " needs at least one name" end
      else
        local v = args[i + 1]
        if v == nil then return nil, "--" .. name .. " needs a value" end
        local checked = CHECK[kind](v)
        if checked == nil then return nil, "--" .. name .. " must be " .. WANT[kind] .. ", got " .. v end
        o[name] = checked
        i = i + 1
      end
    end
    i = i + 1
  end
  return o
end

-- Whether file descriptor n (0 stdin, 1 stdout) is a terminal.
function M.tty(n)
  local ok = os.execute("test -t " .. n)
  return ok == true or ok == 0
end

return M
