-- huaweicloud.cli.ops: any operation of the registry from the shell, and its reference.
--   huaweicloud call SERVICE OPERATION key=value ... [--body FILE|-] [--dry-run]
--   huaweicloud wait SERVICE THING key=value ... [--until STATE] [--timeout S] [--interval S]
--   huaweicloud describe SERVICE [OPERATION]
-- Parameters take the registry's types (integers, booleans, lists as a,b); the body is JSON. The
-- answer is JSON on stdout; an error one line on stderr and exit 1. Credentials, region and
-- endpoint come from the library's chain and environment.
local args = require("huaweicloud.cli.args")
local core = require("huaweicloud.core")

local M = {}

local unpack = table.unpack or unpack
local SERVICES = { "kafka", "dis", "iam" }

local function json(v)
  local cjson = require("cjson")
  if cjson.encode_empty_table_as_object then cjson.encode_empty_table_as_object(false) end
  return cjson.encode(v)
end

local function did_you_mean(word, names)
  local near = core.closest(word, names)
  return near and (" (did you mean " .. near .. "?)") or ""
end

-- The operations of service, by name, and their names sorted; nil and why for an unknown service.
local function operations(service)
  local ops, names = {}, {}
  for _, op in ipairs(core.operations()) do
    if op.service == service then ops[op.name], names[#names + 1] = op, op.name end
  end
  if #names == 0 then
    return nil, "unknown service " .. tostring(service) .. did_you_mean(tostring(service), SERVICES) ..
      "; services: " .. table.concat(SERVICES, ", ")
  end
  table.sort(names)
  return ops, names
end

-- key=value words as the operation's parameters, converted to their types; nil and why.
local function params_of(op, words, extra)
  local by, names = {}, {}
  for _, p in ipairs(op.params) do by[p.name], names[#names + 1] = p, p.name end
  for _, n in ipairs(extra or {}) do by[n], names[#names + 1] = { type = "string" }, n end
  local out = {}
  for _, w in ipairs(words) do
    local k, v = w:match("^([%w_]+)=(.*)$")
    if not k then return nil, "parameters are key=value, got " .. w end
    local p = by[k]
    if not p then
      return nil, "unknown parameter " .. k .. did_you_mean(k, names) .. "; " .. op.name .. " takes " ..
        (#names > 0 and table.concat(names, ", ") or "none")
    end
    if p.type == "integer" then
      local n = tonumber(v)
      if not n or n % 1 ~= 0 then return nil, k .. " must be an integer, got " .. v end
      out[k] = n
    elseif p.type == "boolean" then
      if v ~= "true" and v ~= "false" then return nil, k .. " must be true or false, got " .. v end
      out[k] = v == "true"
    elseif p.type == "list" then
      out[k] = {}
      for item in v:gmatch("[^,]+") do table.insert(out[k], item) end
    else
      out[k] = v
    end
  end
  return out
end

local function read_body(where, stdin)
  local text, why
  if where == "-" then
    text = (stdin or io.stdin):read("*a")
  else
    text, why = core.read_file(where, 16 * 1024 * 1024)
    if not text then return nil, "cannot read " .. where .. ": " .. tostring(why) end
  end
  local body = require("huaweicloud.json").decode_table(text)
  if not body then return nil, "the body is not a JSON object" end
  return body
end

local function client_of(service)
  local hw = require("huaweicloud")
  return hw[service].new({})
end

local function finish(out, err, cmd, res, meta)
  if res == nil then
    err:write("huaweicloud ", cmd, ": ", tostring(meta), "\n")
    return 1
  end
  out:write(json(res), "\n")
  return 0
end

function M.call(argv, out, err, stdin)
  local o, why = args.parse(argv, 2, { body = "string", ["dry-run"] = "flag" })
  local ops, names
  if o then
    if #o.positional < 2 then why = "name a service and an operation: huaweicloud call SERVICE OPERATION key=value" end
  end
  if o and not why then ops, names = operations(o.positional[1]) end
  if o and not why and not ops then why = names end
  local op = ops and ops[o.positional[2]]
  if ops and not op then
    why = "unknown operation " .. o.positional[2] .. " of " .. o.positional[1] .. did_you_mean(o.positional[2], names)
  end
  local params
  if op then
    params, why = params_of(op, { unpack(o.positional, 3) })
  end
  if params and o.body then
    params.body, why = read_body(o.body, stdin)
    if not params.body then params = nil end
  end
  if not params then
    err:write("huaweicloud call: ", why, "\n")
    return 1
  end
  local client, cerr = client_of(o.positional[1])
  if not client then return finish(out, err, "call", nil, cerr) end
  if o["dry-run"] then
    local req, perr = client:prepare(op.name, params)
    if req then req = { method = req.method, url = req.url, headers = req.headers, body = req.body } end
    return finish(out, err, "call", req, perr)
  end
  local res, meta = client:call(op.name, params)
  client:close()
  return finish(out, err, "call", res, meta)
end

function M.wait(argv, out, err)
  local o, why = args.parse(argv, 2, { ["until"] = "string", timeout = "seconds", interval = "seconds" })
  if o and #o.positional < 2 then why = "name a service and a thing: huaweicloud wait SERVICE THING key=value" end
  if not o or why then
    err:write("huaweicloud wait: ", why, "\n")
    return 1
  end
  local service, thing = o.positional[1], o.positional[2]
  local ops, names = operations(service)
  if not ops then
    err:write("huaweicloud wait: ", names, "\n")
    return 1
  end
  local waiters = require("huaweicloud.registry").services[service].waiters or {}
  local w = waiters[thing]
  if not w then
    local list = {}
    for k in pairs(waiters) do list[#list + 1] = k end
    table.sort(list)
    err:write("huaweicloud wait: ", service, " has no waiter ", thing, did_you_mean(thing, list), "; it has ",
      #list > 0 and table.concat(list, ", ") or "none", "\n")
    return 1
  end
  local wargs = {}
  for _, word in ipairs({ unpack(o.positional, 3) }) do
    local k, v = word:match("^([%w_]+)=(.*)$")
    if not k then
      err:write("huaweicloud wait: parameters are key=value, got ", word, "\n")
      return 1
    end
    wargs[k] = v
  end
  wargs["until"], wargs.timeout = o["until"], o.timeout
  wargs.interval = o.interval or tonumber(os.getenv("WAIT_INTERVAL") or "")
  local client, cerr = client_of(service)
  if not client then return finish(out, err, "wait", nil, cerr) end
  local res, meta = client["wait_" .. thing](client, wargs)
  client:close()
  if res then err:write(table.concat(meta.history or {}, " -> "), "\n") end
  return finish(out, err, "wait", res, meta)
end

-- ---- describe ------------------------------------------------------------------------------------

local function field_line(f, indent)
  local parts = { indent .. f.name .. ": " .. f.type .. (f.model and (" " .. f.model) or "") }
  if f.required then parts[#parts + 1] = "required" end
  if f.enum then parts[#parts + 1] = "one of " .. table.concat(f.enum, " | ") end
  if f.min and f.max then
    parts[#parts + 1] = (f.type == "string" and "length " or (f.type == "array" and "items " or "")) ..
      f.min .. "-" .. f.max
  end
  if f.sensitive then parts[#parts + 1] = "secret" end
  return table.concat(parts, ", ")
end

local function model_lines(name, indent, lines, seen)
  if seen[name] then return end
  seen[name] = true
  for _, f in ipairs(core.describe(name)) do
    lines[#lines + 1] = field_line(f, indent)
    if f.model then model_lines(f.model, indent .. "  ", lines, seen) end
  end
  seen[name] = nil
end

function M.describe(argv, out, err)
  local o, why = args.parse(argv, 2, {})
  if o and (#o.positional < 1 or #o.positional > 2) then why = "huaweicloud describe SERVICE [OPERATION]" end
  local ops, names
  if o and not why then ops, names = operations(o.positional[1]) end
  if o and not why and not ops then why = names end
  if not o or why then
    err:write("huaweicloud describe: ", why, "\n")
    return 1
  end
  local lines = {}
  if not o.positional[2] then
    for _, n in ipairs(names) do
      lines[#lines + 1] = ("%-32s %-6s %s"):format(n, ops[n].method, ops[n].path)
    end
    lines[#lines + 1] = "(huaweicloud describe " .. o.positional[1] .. " OPERATION; docs/api.md has every one in full)"
  else
    local op = ops[o.positional[2]]
    if not op then
      err:write("huaweicloud describe: unknown operation ", o.positional[2], " of ", o.positional[1],
        did_you_mean(o.positional[2], names), "\n")
      return 1
    end
    lines[#lines + 1] = op.name .. ": " .. op.method .. " " .. op.path .. " -> " .. op.success ..
      (op.response and (" " .. op.response) or "")
    for _, p in ipairs(op.params) do
      lines[#lines + 1] = "  " .. p.name .. "=" .. p.type .. " (" .. p["in"] .. (p.required and ", required" or "") ..
        (p.min and (", " .. p.min .. "-" .. p.max) or "") .. ")"
    end
    if op.request then
      lines[#lines + 1] = "  --body " .. op.request .. (op.body_optional and " (optional)" or "") .. ":"
      model_lines(op.request, "    ", lines, {})
    end
  end
  out:write(table.concat(lines, "\n"), "\n")
  return 0
end

return M
