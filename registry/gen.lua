-- registry/gen.lua: turns the per-service registry files (registry/<service>.lua) into everything
-- that follows from them, after checking them whole:
--   csrc/registry.c               the C descriptors (models, rules resolved to field indices,
--                                 operations with parsed path templates and typed parameters)
--   lua/huaweicloud/registry.lua  what the Lua layer needs (services, error classes, waiters)
--   lua/huaweicloud/types.lua     lua-language-server annotations for every model and method
--   docs/api.md                   the reference: operations, parameters, fields, rules, secrets
--   README.md                     the operation table, between <!-- registry:operations --> markers
--   docs/rules.md                 the list of enforced conditional rules, between its markers
--   docs/guide.md                 the public surface (lua/huaweicloud/contract.lua), between its markers
-- Usage: lua5.4 registry/gen.lua [--check] [root]. --check writes nothing and exits 1 when a
-- generated file differs from what it would write (CI: the committed output is never stale).
-- The format of a service file is described in registry/README.md.
local SERVICES = { "kafka", "dis", "iam" }
local args = { ... }
local check = false
local root = "."
for _, a in ipairs(args) do
  if a == "--check" then check = true else root = a end
end

local errors = {}
local function fail(where, msg) errors[#errors + 1] = where .. ": " .. msg end

local TYPES = { string = "HWC_T_STRING", boolean = "HWC_T_BOOLEAN", int32 = "HWC_T_INT32", int64 = "HWC_T_INT64",
  object = "HWC_T_OBJECT", array = "HWC_T_ARRAY" }
local PTYPES = { string = "HWC_P_STRING", integer = "HWC_P_INTEGER", boolean = "HWC_P_BOOLEAN", list = "HWC_P_LIST" }
local RULES = { require = "HWC_R_REQUIRE", exactly_one = "HWC_R_EXACTLY_ONE", excludes = "HWC_R_EXCLUDES" }
-- why a "mandatory only when ..." note of a page is not enforced (models.c's one rule)
local UNENFORCED = {
  example = "the page's own example for that case leaves it out",
  peer = "only some peers have it (a password, an authenticated peer)",
  tuning = "a tuning value the service fills in",
  switch = "an on/off switch",
  default = "the page documents a default",
  either = "one side of an either/or or of a 'cannot both'",
}
local FIELD_KEYS = { [1] = true, [2] = true, required = true, secret = true, enum = true, min = true, max = true,
  charset = true, no_lead_slash = true, model = true, items = true, doc = true, default = true, when = true,
  unenforced = true, number_ok = true }
local OP_KEYS = { name = true, method = true, path = true, params = true, request = true, response = true,
  success = true, doc = true, project = true, body = true, errors = true, waiter = true, state = true,
  identity = true, match = true }

-- ---- loading and checking --------------------------------------------------------------

local services, models, model_order, ops = {}, {}, {}, {}
for _, name in ipairs(SERVICES) do
  local path = root .. "/registry/" .. name .. ".lua"
  local chunk = assert(loadfile(path))
  local svc = chunk()
  svc.file = "registry/" .. name .. ".lua"
  services[#services + 1] = svc
  local mnames = {}
  for mname in pairs(svc.models or {}) do mnames[#mnames + 1] = mname end
  table.sort(mnames)
  for _, mname in ipairs(mnames) do
    if models[mname] then fail(svc.file, "model " .. mname .. " is also in " .. models[mname].service.file) end
    local m = svc.models[mname]
    m.name, m.service = mname, svc
    models[mname] = m
    model_order[#model_order + 1] = m
  end
  for _, op in ipairs(svc.operations or {}) do
    op.service = svc
    ops[#ops + 1] = op
  end
end

local function enum_of(svc, f, where)
  if f.enum == nil then return nil end
  if type(f.enum) == "table" then return f.enum end
  local e = svc.enums and svc.enums[f.enum]
  if not e then fail(where, "unknown enum " .. tostring(f.enum)) end
  return e
end

-- fields: { name, type, ... } -> normalised { name, type, enum, model, ... }
for _, m in ipairs(model_order) do
  local where = m.service.file .. ": model " .. m.name
  local seen = {}
  m.index = {}
  for i, f in ipairs(m.fields or {}) do
    for k in pairs(f) do
      if not FIELD_KEYS[k] then fail(where, "field " .. tostring(f[1]) .. " has an unknown key " .. tostring(k)) end
    end
    f.name, f.type = f[1], f[2]
    if type(f.name) ~= "string" or f.name == "" then fail(where, "field " .. i .. " has no name") end
    -- the walker writes names as JSON without escaping them
    if not f.name:match("^[%w_%-]+$") then fail(where, "field " .. f.name .. ": a name is letters, digits, _ and -") end
    if seen[f.name] then fail(where, "field " .. f.name .. " twice") end
    seen[f.name] = true
    m.index[f.name] = i
    if not TYPES[f.type] then fail(where, "field " .. tostring(f.name) .. ": unknown type " .. tostring(f.type)) end
    f.enum_values = enum_of(m.service, f, where .. "." .. tostring(f.name))
    if f.type == "object" or (f.type == "array" and not f.items) then
      if not models[f.model or ""] then fail(where, "field " .. f.name .. ": unknown model " .. tostring(f.model)) end
    end
    if f.items and not ({ string = true, int32 = true, int64 = true, boolean = true })[f.items] then
      fail(where, "field " .. f.name .. ": array items must be a scalar type or a model")
    end
    if f.min and f.max and f.min > f.max then fail(where, "field " .. f.name .. ": min > max") end
    if f.number_ok and f.type ~= "string" then fail(where, "field " .. f.name .. ": number_ok is for strings") end
    if f.unenforced and not UNENFORCED[f.unenforced] then
      fail(where, "field " .. f.name .. ": unenforced reason must be one of example, peer, tuning, switch, default, either")
    end
  end
end

-- A field path ("source_task.redis_address") of model m as field indices (1-based here).
local function resolve(m, path, where)
  local idx, cur = {}, m
  for part in path:gmatch("[^.]+") do
    local i = cur and cur.index[part]
    if not i then
      fail(where, "path " .. path .. " names no field of " .. m.name)
      return nil
    end
    idx[#idx + 1] = i
    local f = cur.fields[i]
    cur = f.type == "object" and models[f.model] or nil
  end
  return idx
end

for _, m in ipairs(model_order) do
  local where = m.service.file .. ": model " .. m.name
  for r, rule in ipairs(m.rules or {}) do
    rule.kind = rule[1]
    if not RULES[rule.kind] then fail(where, "rule " .. r .. ": unknown kind " .. tostring(rule.kind)) end
    if (rule.when == nil) ~= (rule.equals == nil) then fail(where, "rule " .. r .. ": when and equals go together") end
    if rule.when then rule.when_idx = resolve(m, rule.when, where) end
    rule.paths, rule.idx = {}, {}
    for k = 2, #rule do
      rule.paths[#rule.paths + 1] = rule[k]
      rule.idx[#rule.idx + 1] = resolve(m, rule[k], where) or {}
    end
    if #rule.paths == 0 then fail(where, "rule " .. r .. " names no field") end
  end
end

-- Every "mandatory only when" note is enforced by a rule of its model or of a model that holds
-- it (with the same condition, naming this field), or says why not: one rule for every field.
local parents = {} -- model name -> { { model, field name } }
for _, m in ipairs(model_order) do
  for _, f in ipairs(m.fields or {}) do
    if f.model then
      parents[f.model] = parents[f.model] or {}
      table.insert(parents[f.model], { m, f.name })
    end
  end
end
local function enforced(m, fname, cond_field, cond_value, prefix, depth)
  if depth > 4 then return false end
  for _, rule in ipairs(m.rules or {}) do
    if rule.kind ~= "excludes" and rule.when == cond_field and rule.equals == cond_value then
      for _, p in ipairs(rule.paths) do
        if p == prefix .. fname then return true end
      end
    end
  end
  for _, up in ipairs(parents[m.name] or {}) do
    if enforced(up[1], fname, cond_field, cond_value, up[2] .. "." .. prefix, depth + 1) then return true end
  end
  return false
end
for _, m in ipairs(model_order) do
  for _, f in ipairs(m.fields or {}) do
    if f.when then
      local cf, cv = f.when:match("^([%w_]+) = (.+)$")
      if not cf then fail(m.name .. "." .. f.name, "when must read 'field = VALUE'") end
      local is = cf and enforced(m, f.name, cf, cv, "", 0)
      f.enforced = is
      if is and f.unenforced then
        fail(m.name .. "." .. f.name, "enforced by a rule, yet marked unenforced (" .. f.unenforced .. ")")
      elseif not is and not f.unenforced then
        fail(m.name .. "." .. f.name, "'mandatory when " .. f.when .. "' is neither enforced by a rule nor " ..
          "marked unenforced with a reason")
      end
    end
  end
end

-- operations
local op_names = {}
for _, op in ipairs(ops) do
  local where = op.service.file .. ": operation " .. tostring(op.name)
  for k in pairs(op) do
    if not OP_KEYS[k] and k ~= "service" then fail(where, "unknown key " .. tostring(k)) end
  end
  if op_names[op.name] then fail(where, "defined twice") end
  op_names[op.name] = true
  if not ({ GET = true, POST = true, PUT = true, DELETE = true, PATCH = true })[op.method] then
    fail(where, "bad method " .. tostring(op.method))
  end
  if type(op.success) ~= "number" or op.success < 100 or op.success > 599 then fail(where, "bad success status") end
  if op.request and not models[op.request] then fail(where, "unknown request model " .. op.request) end
  if op.response and not models[op.response] then fail(where, "unknown response model " .. op.response) end
  op.params = op.params or {}
  local pindex = {}
  for i, p in ipairs(op.params) do
    for k in pairs(p) do
      if not ({ [1] = true, [2] = true, min = true, max = true, wire = true, doc = true, query = true,
        required = true })[k] then fail(where, "param " .. tostring(p[1]) .. " has an unknown key " .. tostring(k)) end
    end
    p.name, p.type = p[1], p[2]
    if p.type == "integer" and (p.min or p.max) and not (p.min and p.max) then
      fail(where, "param " .. p.name .. ": an integer range needs both min and max")
    end
    if not PTYPES[p.type] then fail(where, "param " .. tostring(p.name) .. ": unknown type " .. tostring(p.type)) end
    if pindex[p.name] then fail(where, "param " .. p.name .. " twice") end
    pindex[p.name] = i
    p.wire = p.wire or p.name
  end
  -- the template: literal text and {param} references, parsed here, never at call time
  op.segs = {}
  local pos, path = 1, op.path or ""
  if path:sub(1, 1) ~= "/" then fail(where, "path must start with /") end
  local in_path = {}
  while pos <= #path do
    local open = path:find("{", pos, true)
    local close = path:find("}", pos, true)
    if close and (not open or close < open) then fail(where, "path has a } without {") break end
    if not open then
      op.segs[#op.segs + 1] = { text = path:sub(pos) }
      break
    end
    if open > pos then op.segs[#op.segs + 1] = { text = path:sub(pos, open - 1) } end
    close = path:find("}", open, true)
    if not close then fail(where, "path has a { without its }") break end
    local name = path:sub(open + 1, close - 1)
    if name == "project_id" then
      op.segs[#op.segs + 1] = { project = true }
      op.has_project = true
    elseif not pindex[name] then
      fail(where, "path names {" .. name .. "}, which is not a parameter")
    else
      local p = op.params[pindex[name]]
      if p.query then fail(where, "param " .. name .. " is in the path and marked query") end
      if p.type ~= "string" then fail(where, "path param " .. name .. " must be a string") end
      p["in"] = "path"
      in_path[name] = true
      op.segs[#op.segs + 1] = { param = pindex[name] - 1 }
    end
    pos = close + 1
  end
  for _, p in ipairs(op.params) do
    if not in_path[p.name] then
      p["in"] = "query"
      if p.required == nil then p.required = false end
    elseif p.required == false then
      fail(where, "path param " .. p.name .. " cannot be optional")
    else
      p.required = true
    end
  end
  if op.project == nil then op.project = op.has_project or false end
end

-- errors, waiters, pagers and ensure name operations, parameters and classes that exist
local CLASSES = { not_processed = true, busy = true, idempotent = true, gone = true, exists = true, never = true }
local op_by_name = {}
for _, op in ipairs(ops) do op_by_name[op.name] = op end
for _, svc in ipairs(services) do
  local where = svc.file
  for i, e in ipairs(svc.errors or {}) do
    if type(e[1]) ~= "number" or type(e[2]) ~= "string" or not CLASSES[e[3]] then
      fail(where, "errors[" .. i .. "] must be { status, code, class } with a known class")
    end
  end
  for name, w in pairs(svc.waiters or {}) do
    local show = op_by_name[w.show]
    if not show then fail(where, "waiter " .. name .. ": no operation " .. tostring(w.show)) else
      for _, p in ipairs(w.params or {}) do
        local found = false
        for _, q in ipairs(show.params) do found = found or q.name == p end
        if not found then fail(where, "waiter " .. name .. ": " .. w.show .. " takes no " .. p) end
      end
      local m = models[show.response or ""]
      -- a dotted path reads into the answer (a job's "tasks.1.status"): its first field must exist
      local first = tostring(w.state):match("^[^.]+")
      if not (m and m.index[first]) then fail(where, "waiter " .. name .. ": no state field " .. tostring(w.state)) end
      for alias, param in pairs(w.aliases or {}) do
        local found = false
        for _, p in ipairs(w.params) do found = found or p == param end
        if not found then fail(where, "waiter " .. name .. ": alias " .. alias .. " names no parameter " .. param) end
      end
      if w.job and not (svc.waiters or {})[w.job] then fail(where, "waiter " .. name .. ": no job waiter " .. w.job) end
      -- every state a wait may be told to reach, done and failure among them
      local known = {}
      for _, st in ipairs(w.states or {}) do known[st] = true end
      for _, list in ipairs({ w.done or {}, w.failure or {} }) do
        for _, st in ipairs(list) do
          if not known[st] then fail(where, "waiter " .. name .. ": " .. st .. " is not in its states") end
        end
      end
      for cname, cond in pairs(w.conditions or {}) do
        if known[cname] or cname == "deleted" then fail(where, "waiter " .. name .. ": condition " .. cname ..
          " has the name of a state") end
        for field in pairs(cond) do
          if not (m and m.index[field]) then fail(where, "waiter " .. name .. ": condition " .. cname ..
            " reads " .. field .. ", which " .. w.show .. " does not answer") end
        end
      end
    end
  end
  for name, pg in pairs(svc.pagers or {}) do
    local list = op_by_name[pg.list]
    if not list then fail(where, "pager " .. name .. ": no operation " .. tostring(pg.list)) end
  end
  for name, fd in pairs(svc.finders or {}) do
    if not (svc.pagers or {})[fd.pager] then fail(where, "finder " .. name .. ": no pager " .. tostring(fd.pager)) end
  end
  for name, bd in pairs(svc.builders or {}) do
    local m = models[bd.model or ""]
    if not m then fail(where, "builder " .. name .. ": no model " .. tostring(bd.model)) else
      for _, f in ipairs(bd.top or {}) do
        if not m.index[f] then fail(where, "builder " .. name .. ": " .. bd.model .. " has no " .. f) end
      end
      for _, f in ipairs(bd.nested or {}) do
        if not m.index[f] then fail(where, "builder " .. name .. ": " .. bd.model .. " has no " .. f) end
      end
      if bd.into and not (m.index[bd.into] and models[bd.into_model or ""]) then
        fail(where, "builder " .. name .. ": into " .. bd.into .. " needs a field and its into_model")
      end
    end
  end
  for name, a in pairs(svc.actions or {}) do
    local show, call = op_by_name[a.show], op_by_name[a.call]
    if not (show and call) then fail(where, "action " .. name .. ": no operation " .. tostring(show and a.call or a.show))
    elseif not (models[show.response or ""] and models[show.response].index[a.id]) then
      fail(where, "action " .. name .. ": " .. a.show .. " answers no " .. tostring(a.id))
    end
  end
  for name, en in pairs(svc.ensure or {}) do
    if not op_by_name[en.create] then fail(where, "ensure " .. name .. ": no operation " .. tostring(en.create)) end
    if en.show and not op_by_name[en.show] then fail(where, "ensure " .. name .. ": no operation " .. en.show) end
    if en.find and not (svc.pagers or {})[en.find] then fail(where, "ensure " .. name .. ": no pager " .. en.find) end
    if en.waiter and not (svc.waiters or {})[en.waiter] then fail(where, "ensure " .. name .. ": no waiter " .. en.waiter) end
    -- names that are not unique: a lookup by listing, and what settles a race (see lifecycle.lua)
    if en.find and not en.unique and not (en.settle and en.delete and op_by_name[en.delete] and en.delete_params) then
      fail(where, "ensure " .. name .. ": found by listing names that are not unique, it needs settle, delete " ..
        "and delete_params")
    end
    if en.validate and not op_by_name[en.validate.op] then
      fail(where, "ensure " .. name .. ": no operation " .. tostring(en.validate.op))
    end
    if en.validate and not models[en.validate.model or ""] then
      fail(where, "ensure " .. name .. ": validate.model " .. tostring(en.validate.model) .. " is not a model")
    end
    if en.grow and not op_by_name[en.grow.op] then fail(where, "ensure " .. name .. ": no operation " .. en.grow.op) end
  end
end

-- operations that share a method and a path are told apart by a body field (match)
local by_route = {}
for _, op in ipairs(ops) do
  local key = op.method .. " " .. tostring(op.path)
  if by_route[key] and not (op.match and by_route[key].match) then
    fail(op.service.file, "operations " .. by_route[key].name .. " and " .. op.name ..
      " share " .. key .. ": give each a match = { field = value }")
  end
  by_route[key] = op
end

if #errors > 0 then
  io.stderr:write("registry: ", #errors, " problem(s):\n  ", table.concat(errors, "\n  "), "\n")
  os.exit(2)
end

-- ---- csrc/registry.c ---------------------------------------------------------------------

local function cstr(s)
  if s == nil then return "NULL" end
  return '"' .. s:gsub('[\\"]', "\\%0"):gsub("\n", "\\n"):gsub("\r", "\\r"):gsub("\t", "\\t") .. '"'
end

local function cid(s) return (s:gsub("[^%w]", "_")) end

local function gen_c()
  local out = {}
  local function w(...) out[#out + 1] = table.concat({ ... }) end
  w("/* registry.c - GENERATED by registry/gen.lua from the files registry/<service>.lua: do not edit; `make gen`. */")
  w("#include <stddef.h>")
  w('#include "registry.h"')
  w("")
  w("#define P(...) ((const int[]){__VA_ARGS__, -1})")
  w("")
  for _, m in ipairs(model_order) do w("static const hwc_model m_", m.name, ";") end
  w("")
  local enum_done = {}
  for _, m in ipairs(model_order) do
    for _, f in ipairs(m.fields or {}) do
      if f.enum_values then
        local id = "e_" .. cid(m.service.service .. "_" .. (type(f.enum) == "string" and f.enum or (m.name .. "_" .. f.name)))
        f.enum_id = id
        if not enum_done[id] then
          enum_done[id] = true
          local vals = {}
          for _, v in ipairs(f.enum_values) do vals[#vals + 1] = cstr(v) end
          w("static const char *const ", id, "[] = {", table.concat(vals, ", "), ", NULL};")
        end
      end
    end
  end
  w("")
  for _, m in ipairs(model_order) do
    w("static const hwc_field f_", m.name, "[] = {")
    for _, f in ipairs(m.fields or {}) do
      local flags = {}
      if f.required then flags[#flags + 1] = "HWC_F_REQUIRED" end
      if f.secret then flags[#flags + 1] = "HWC_F_SENSITIVE" end
      if f.no_lead_slash then flags[#flags + 1] = "HWC_F_NO_LEAD_SLASH" end
      if f.number_ok then flags[#flags + 1] = "HWC_F_NUMBER_OK" end
      local elem = f.type == "array" and (f.items and TYPES[f.items] or "HWC_T_OBJECT") or "HWC_T_STRING"
      w("  {", cstr(f.name), ", ", TYPES[f.type], ", ", #flags > 0 and table.concat(flags, " | ") or "0", ", ",
        f.enum_id or "NULL", ", ", tostring(f.min or 0), ", ", tostring(f.max or 0), ", ", cstr(f.charset), ", ",
        f.model and ("&m_" .. f.model) or "NULL", ", ", elem, "},")
    end
    if #(m.fields or {}) == 0 then w("  {NULL, HWC_T_STRING, 0, NULL, 0, 0, NULL, NULL, HWC_T_STRING},") end
    w("};")
    if m.rules then
      w("static const hwc_rule r_", m.name, "[] = {")
      for _, rule in ipairs(m.rules) do
        local fields, paths = {}, {}
        for k, p in ipairs(rule.paths) do
          fields[#fields + 1] = cstr(p)
          local idx = {}
          for _, i in ipairs(rule.idx[k]) do idx[#idx + 1] = tostring(i - 1) end
          paths[#paths + 1] = "P(" .. table.concat(idx, ", ") .. ")"
        end
        local when_idx = "NULL"
        if rule.when_idx then
          local idx = {}
          for _, i in ipairs(rule.when_idx) do idx[#idx + 1] = tostring(i - 1) end
          when_idx = "P(" .. table.concat(idx, ", ") .. ")"
        end
        w("  {", RULES[rule.kind], ", ", cstr(rule.when), ", ", cstr(rule.equals), ", ", when_idx, ",")
        w("   (const char *const[]){", table.concat(fields, ", "), "},")
        w("   (const int *const[]){", table.concat(paths, ", "), "}, ", tostring(#rule.paths), "},")
      end
      w("};")
    end
    w("static const hwc_model m_", m.name, " = {", cstr(m.name), ", f_", m.name, ", ", tostring(#(m.fields or {})),
      ", ", m.rules and ("r_" .. m.name) or "NULL", ", ", tostring(m.rules and #m.rules or 0), "};")
    w("")
  end
  w("const hwc_model *const hwc_models[] = {")
  for _, m in ipairs(model_order) do w("  &m_", m.name, ",") end
  w("  NULL};")
  w("")
  for _, op in ipairs(ops) do
    if #op.params > 0 then
      w("static const hwc_param p_", op.name, "[] = {")
      for _, p in ipairs(op.params) do
        w("  {", cstr(p.name), ", ", cstr(p.wire), ", ", p["in"] == "path" and "HWC_IN_PATH" or "HWC_IN_QUERY", ", ",
          PTYPES[p.type], ", ", p.required and "1" or "0", ", ", tostring(p.min or 0), ", ", tostring(p.max or 0), "},")
      end
      w("};")
    end
    w("static const hwc_seg s_", op.name, "[] = {")
    for _, sg in ipairs(op.segs) do
      if sg.text then w("  {", cstr(sg.text), ", ", tostring(#sg.text), ", HWC_SEG_TEXT},")
      elseif sg.project then w("  {NULL, 0, HWC_SEG_PROJECT},")
      else w("  {NULL, 0, ", tostring(sg.param), "},") end
    end
    w("};")
    local flags = {}
    if op.project then flags[#flags + 1] = "HWC_OP_PROJECT" end
    if op.body == "optional" then flags[#flags + 1] = "HWC_OP_BODY_OPTIONAL" end
    w("static const hwc_op o_", op.name, " = {", cstr(op.name), ", ", cstr(op.service.service), ", ", cstr(op.method),
      ", ", cstr(op.path), ", ", #op.params > 0 and ("p_" .. op.name) or "NULL", ", ", tostring(#op.params), ", s_",
      op.name, ", ", tostring(#op.segs), ", ", op.request and ("&m_" .. op.request) or "NULL", ", ",
      op.response and ("&m_" .. op.response) or "NULL", ", ", tostring(op.success), ", ",
      #flags > 0 and table.concat(flags, " | ") or "0", "};")
  end
  w("")
  w("const hwc_op *const hwc_ops[] = {")
  for _, op in ipairs(ops) do w("  &o_", op.name, ",") end
  w("  NULL};")
  return table.concat(out, "\n") .. "\n"
end

-- ---- lua/huaweicloud/registry.lua -----------------------------------------------------------

local function lua_value(v, indent)
  indent = indent or ""
  local t = type(v)
  if t == "string" then return string.format("%q", v):gsub("\\\n", "\\n") end
  if t ~= "table" then return tostring(v) end
  local keys = {}
  for k in pairs(v) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b)
    if type(a) == type(b) then return a < b end
    return type(a) == "number"
  end)
  if #keys == 0 then return "{}" end
  local parts = {}
  for _, k in ipairs(keys) do
    local key = type(k) == "number" and "" or (k:match("^[%a_][%w_]*$") and (k .. " = ") or ("[" .. string.format("%q", k) .. "] = "))
    parts[#parts + 1] = indent .. "  " .. key .. lua_value(v[k], indent .. "  ") .. ","
  end
  return "{\n" .. table.concat(parts, "\n") .. "\n" .. indent .. "}"
end

local function gen_lua_registry()
  local data = { services = {}, operations = {} }
  for _, svc in ipairs(services) do
    local errs = {}
    for _, e in ipairs(svc.errors or {}) do errs[#errs + 1] = { status = e[1], code = e[2], class = e[3] } end
    data.services[svc.service] = { host = svc.host, doc = svc.doc, errors = errs, waiters = svc.waiters,
      pagers = svc.pagers, ensure = svc.ensure, actions = svc.actions, builders = svc.builders, finders = svc.finders }
  end
  for _, op in ipairs(ops) do
    data.operations[op.name] = { service = op.service.service, waiter = op.waiter, errors = op.errors,
      state = op.state, identity = op.identity, match = op.match }
  end
  return "-- huaweicloud.registry: GENERATED by registry/gen.lua from registry/*.lua: do not edit; `make gen`.\n" ..
    "-- What the Lua layer needs of the registry (the C core has the rest): each service's error\n" ..
    "-- classes, waiters, pagers and create-if-absent (ensure) recipes.\n" ..
    "return " .. lua_value(data) .. "\n"
end

-- ---- lua/huaweicloud/types.lua (lua-language-server) ------------------------------------------

local LUATYPE = { string = "string", boolean = "boolean", int32 = "integer", int64 = "integer" }

local function field_luatype(f)
  if f.enum_values then
    local vals = {}
    for _, v in ipairs(f.enum_values) do vals[#vals + 1] = string.format("%q", v):gsub("\\\n", "\\n") end
    return table.concat(vals, "|")
  end
  if f.type == "object" then return f.model end
  if f.type == "array" then return (f.items and LUATYPE[f.items] or f.model) .. "[]" end
  if f.number_ok then return "string|integer" end
  return LUATYPE[f.type]
end

local function one_line(s) return (tostring(s or ""):gsub("%s+", " ")) end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t or {}) do keys[#keys + 1] = k end
  table.sort(keys)
  return keys
end

-- What lua/huaweicloud/contract.lua says of options, errors, meta and log events (plain data).
local contract = assert(loadfile(root .. "/lua/huaweicloud/contract.lua"))()

-- The models a request body may hold (the request models and every model they reach): exact
-- classes, so a misspelled field is flagged; answers keep fields the SDK does not know.
local function request_models()
  local set = {}
  local function reach(name)
    if set[name] then return end
    set[name] = true
    for _, f in ipairs(models[name].fields or {}) do
      if f.model then reach(f.model) end
    end
  end
  for _, op in ipairs(ops) do
    if op.request then reach(op.request) end
  end
  return set
end

local function quoted(list)
  local out = {}
  for _, v in ipairs(list) do out[#out + 1] = string.format("%q", v) end
  return out
end

local function gen_types()
  local out = { "---@meta",
    "-- huaweicloud.types: GENERATED by registry/gen.lua from registry/*.lua and lua/huaweicloud/contract.lua:",
    "-- do not edit; `make gen`. lua-language-server annotations of the whole public API: the module, the",
    "-- client classes (every operation and helper), the builders, the options, errors, meta and models.",
    "-- Never required at run time.", "" }
  local function w(s) out[#out + 1] = s end
  local function fields_of(list, optional)
    for _, f in ipairs(list) do
      w("---@field " .. f[1] .. (optional and "?" or "") .. " " .. f[2] .. " " .. one_line(f[3]))
    end
  end
  w("---@class huaweicloud.Meta")
  fields_of(contract.meta_fields, true)
  w("")
  local kinds = {}
  for _, k in ipairs(contract.kinds) do kinds[#kinds + 1] = string.format("%q", k[1]) end
  w("---@class huaweicloud.Error")
  w("---@field kind " .. table.concat(kinds, "|") .. " What went wrong (see the README's table).")
  w("---@field message string One line, never a secret.")
  fields_of(contract.error_fields, true)
  w("")
  w("---@class huaweicloud.LogEvent")
  fields_of(contract.log_fields, false)
  w("")
  w("---@class huaweicloud.Span")
  fields_of(contract.span_fields, false)
  w("")
  w("---@class (exact) huaweicloud.ClientOptions")
  for _, o in ipairs(contract.options) do w("---@field " .. o[1] .. "? " .. o[3] .. " " .. one_line(o[4])) end
  w("")
  local exact = request_models()
  for _, m in ipairs(model_order) do
    w("---@class " .. (exact[m.name] and "(exact) " or "") .. m.name .. (m.doc and (" " .. one_line(m.doc)) or ""))
    for _, f in ipairs(m.fields or {}) do
      w("---@field " .. f.name .. (f.required and " " or "? ") .. field_luatype(f) ..
        (f.doc and (" " .. one_line(f.doc)) or "") .. (f.secret and " (secret)" or ""))
    end
    w("")
  end
  w("---@class huaweicloud.Client")
  w("---@field service string")
  w("---@field endpoint string")
  w("---@field region string?")
  w("local Client = {}")
  w("")
  w("--- Dry run: the signed request, nothing sent; secrets as *** unless opts.reveal.")
  w("---@param op string")
  w("---@param params table")
  w("---@param opts { reveal?: boolean }?")
  w("---@return { method: string, url: string, headers: table<string,string>, body: string?, canonical_request: string }|nil req")
  w("---@return huaweicloud.Error? err")
  w("function Client:prepare(op, params, opts) end")
  w("")
  w("--- Many calls of one operation at once; results in input order: { {result, meta} | {nil, err}, ... }.")
  w("---@param op string")
  w("---@param list table[]")
  w("---@param opts { concurrency?: integer, on_progress?: fun(done: integer, total: integer, last_err: huaweicloud.Error?) }?")
  w("---@return { [1]: table?, [2]: huaweicloud.Meta|huaweicloud.Error }[]")
  w("function Client:create_many(op, list, opts) end")
  w("")
  w("--- Closes its connections (also on garbage collection and <close>).")
  w("function Client:close() end")
  w("")
  w("--- Any operation by name; deadline (core clock seconds) bounds every attempt; once: no retry.")
  w("---@param op string")
  w("---@param params table")
  w("---@param deadline number?")
  w("---@param once boolean?")
  w("---@return table|nil result")
  w("---@return huaweicloud.Meta|huaweicloud.Error meta_or_err")
  w("function Client:call(op, params, deadline, once) end")
  w("")
  w("--- Per operation: calls, errors by kind, retries, a duration histogram (Prometheus' buckets).")
  w("---@return table<string, { calls: integer, errors: table<string,integer>, retries: integer, " ..
    "duration: { buckets: number[], counts: integer[], sum: number, count: integer } }>")
  w("function Client:stats() end")
  w("")
  for _, name in ipairs(contract.client_internal) do
    w("--- Internal: may change without notice.")
    w("---@private")
    w("function Client:" .. name .. "(...) end")
    w("")
  end
  local function op_fields(op, skip)
    local fields = {}
    for _, p in ipairs(op.params) do
      if not (skip and skip[p.name]) then
        local t = p.type == "list" and "string[]" or p.type
        fields[#fields + 1] = p.name .. (p.required and ": " or "?: ") .. t
      end
    end
    return fields
  end
  local function item_model(pg)
    local list = op_by_name[pg.list]
    local m = models[list.response or ""]
    local f = m and m.index[pg.details or pg.items] and m.fields[m.index[pg.details or pg.items]]
    return f and f.model or "table"
  end
  local function until_type(wt)
    local names = quoted(wt.states or {})
    for _, c in ipairs(sorted_keys(wt.conditions)) do names[#names + 1] = string.format("%q", c) end
    names[#names + 1] = '"deleted"'
    return table.concat(names, "|") .. "|string[]"
  end
  local ctrl = "timeout?: number, interval?: number, sleep?: fun(seconds: number), now?: fun(): number"
  for _, svc in ipairs(services) do
    do
      local class = "huaweicloud." .. svc.service .. ".Client"
      local var = svc.service .. "_client"
      w("---@class " .. class .. " : huaweicloud.Client")
      w("local " .. var .. " = {}")
      w("")
      for _, op in ipairs(ops) do
        if op.service == svc then
          local fields = op_fields(op)
          if op.request then fields[#fields + 1] = "body" .. (op.body == "optional" and "?: " or ": ") .. op.request end
          fields[#fields + 1] = "headers?: table<string,string>"
          fields[#fields + 1] = "validate?: boolean"
          fields[#fields + 1] = "allow_unknown?: boolean|string[]"
          w("--- " .. one_line(op.doc or op.name))
          w("---@param params { " .. table.concat(fields, ", ") .. " }")
          w("---@return " .. (op.response or "table") .. "|nil result")
          w("---@return huaweicloud.Meta|huaweicloud.Error meta_or_err")
          w("function " .. var .. ":" .. op.name .. "(params) end")
          w("")
        end
      end
      for _, name in ipairs(sorted_keys(svc.waiters)) do
        local wt = svc.waiters[name]
        local show = op_by_name[wt.show]
        local fields = {}
        local aliased = {}
        for alias, param in pairs(wt.aliases or {}) do aliased[param] = alias end
        for _, p in ipairs(wt.params) do
          fields[#fields + 1] = aliased[p] and (aliased[p] .. ": string") or (p .. ": string")
        end
        if wt.job then fields[#fields + 1] = "job_id?: string" end
        w("--- Polls " .. wt.show .. " until `until` (docs/api.md#helpers).")
        w("---@param args { " .. table.concat(fields, ", ") .. ", until?: " .. until_type(wt) .. ", " .. ctrl .. " }")
        w("---@return " .. (show.response or "table") .. "|nil last")
        w("---@return huaweicloud.Meta|huaweicloud.Error meta_or_err")
        w("function " .. var .. ":wait_" .. name .. "(args) end")
        w("")
      end
      for _, name in ipairs(sorted_keys(svc.pagers)) do
        local pg = svc.pagers[name]
        local fields = op_fields(op_by_name[pg.list])
        for k = 1, #fields do fields[k] = fields[k]:gsub("^([%w_]+):", "%1?:") end
        w("--- Every item of every page of " .. pg.list .. "; an error raises it.")
        w("---@param args { " .. table.concat(fields, ", ") .. " }?")
        w("---@return fun(): " .. item_model(pg) .. "?")
        w("function " .. var .. ":each_" .. name .. "(args) end")
        w("")
      end
      for _, name in ipairs(sorted_keys(svc.ensure)) do
        local en = svc.ensure[name]
        local create = op_by_name[en.create]
        local wt = en.waiter and svc.waiters[en.waiter]
        local fields = op_fields(create)
        fields[#fields + 1] = "body: " .. create.request
        if wt then fields[#fields + 1] = "wait?: boolean, until?: " .. until_type(wt) .. ", " .. ctrl end
        if en.validate then fields[#fields + 1] = "validate_first?: boolean" end
        if en.grow then fields[#fields + 1] = en.grow.arg .. "?: boolean" end
        local thing = wt and op_by_name[wt.show].response or
          (en.find and item_model(svc.pagers[en.find])) or create.response or "table"
        w("--- Creates with " .. en.create .. " only when nothing of the name exists (docs/api.md#helpers).")
        w("---@param args { " .. table.concat(fields, ", ") .. " }")
        w("---@return " .. thing .. "|nil thing")
        w("---@return huaweicloud.Meta|huaweicloud.Error meta_or_err")
        w("function " .. var .. ":ensure_" .. name .. "(args) end")
        w("")
      end
      for _, name in ipairs(sorted_keys(svc.finders)) do
        local fd = svc.finders[name]
        local pg = svc.pagers[fd.pager]
        local fields = op_fields(op_by_name[pg.list])
        for k = 1, #fields do
          local pname = fields[k]:match("^([%w_]+)")
          fields[k] = pname == fd.key and (fd.key .. ": string") or fields[k]:gsub("^([%w_]+):", "%1?:")
        end
        w("--- The one item of " .. pg.list .. " whose " .. fd.key .. " is the one given (none or several: an error).")
        w("---@param args { " .. table.concat(fields, ", ") .. " }")
        w("---@return " .. item_model(pg) .. "|nil found")
        w("---@return huaweicloud.Error? err")
        w("function " .. var .. ":find_" .. name .. "(args) end")
        w("")
      end
      for _, name in ipairs(sorted_keys(svc.actions)) do
        local a = svc.actions[name]
        w("--- " .. a.call .. " for one thing, by name (docs/api.md#helpers).")
        w("---@param args { " .. table.concat(op_fields(op_by_name[a.show]), ", ") .. " }")
        w("---@return table|nil result")
        w("---@return huaweicloud.Meta|huaweicloud.Error meta_or_err")
        w("function " .. var .. ":" .. name .. "(args) end")
        w("")
      end
      local mod = "huaweicloud." .. svc.service
      for _, name in ipairs(sorted_keys(svc.builders)) do
        local bd = svc.builders[name]
        local m = models[bd.model]
        w("---@class (exact) " .. mod .. "." .. name .. ".Options " .. one_line(bd.doc))
        for _, f in ipairs(bd.top or {}) do
          local fd = m.fields[m.index[f]]
          w("---@field " .. f .. "? " .. field_luatype(fd) .. (fd.doc and (" " .. one_line(fd.doc)) or ""))
        end
        for _, f in ipairs(bd.nested or {}) do w("---@field " .. f .. "? " .. m.fields[m.index[f]].model) end
        for _, fd in ipairs(bd.into_model and models[bd.into_model].fields or {}) do
          w("---@field " .. fd.name .. "? " .. field_luatype(fd) .. (fd.doc and (" " .. one_line(fd.doc)) or "") ..
            (fd.secret and " (secret)" or ""))
        end
        w("")
      end
      w("---@class " .. mod)
      w("---@field Client " .. class)
      w("local " .. svc.service .. " = {}")
      w("")
      w("--- A client: region or endpoint, credentials and the other options (huaweicloud.ClientOptions).")
      w("---@param opts huaweicloud.ClientOptions?")
      w("---@return " .. class .. "|nil client")
      w("---@return huaweicloud.Error? err")
      w("function " .. svc.service .. ".new(opts) end")
      w("")
      for _, name in ipairs(sorted_keys(svc.builders)) do
        local bd = svc.builders[name]
        w("--- " .. one_line(bd.doc) .. " A body, the page's defaults filled in.")
        w("---@param opts " .. mod .. "." .. name .. ".Options")
        w("---@return " .. bd.model)
        w("function " .. svc.service .. "." .. name .. "(opts) end")
        w("")
      end
    end
  end
  w("---@class huaweicloud")
  for _, svc in ipairs(services) do w("---@field " .. svc.service .. " huaweicloud." .. svc.service) end
  w("---@field version string")
  w("---@field emulator table The local emulator of both services (docs/emulator.md).")
  w("---@field pipeline huaweicloud.pipeline Pipelines as code: plan, apply, destroy (README, Pipelines as code).")
  w("---@field inspect fun(value: any, model: string?): string Prints a value with its secrets shown as ***.")
  w("---@field core huaweicloud.core The C core's public entries (the rest of hw.core is internal).")
  w("local huaweicloud = {}")
  w("")
  w("---@class huaweicloud.core")
  for _, c in ipairs(contract.core_public) do
    w("---@field " .. c[1] .. " " .. (c[1] == "version" and "string" or "function") .. " " .. one_line(c[2]))
  end
  w("")
  w("---@class huaweicloud.pipeline.Options")
  w("---@field client huaweicloud.ClientOptions? Options of the clients it makes (region: the declaration's).")
  w("---@field clients { kafka: huaweicloud.kafka.Client, dis: huaweicloud.dis.Client }? Clients of your own.")
  w("---@field prune boolean? Also delete what declared instances and streams hold but the declaration does not name.")
  w("---@field replace (boolean|string[])? Allow replaces: all, or these addresses or names.")
  w("---@field concurrency integer? Things of one level at once (8).")
  w("---@field interval number? Seconds between polls of a wait.")
  w("---@field timeout number? Seconds a wait may take.")
  w("---@field destroy boolean? plan: what destroy would do.")
  w("---@field on_event fun(e: { address: string, action: string, phase: string, seconds: number?, " ..
    "history: string[]?, error: any })?")
  w("")
  w("---@class huaweicloud.pipeline.Plan")
  w("---@field items { address: string, kind: string, action: string, changes: { field: string, from: any, " ..
    "to: any }[], unread: string[], note: string?, error: string? }[]")
  w("---@field counts { create: integer, update: integer, replace: integer, delete: integer, none: integer, " ..
    "error: integer }")
  w("")
  w("---@class huaweicloud.pipeline.Result")
  w("---@field ok boolean Every thing done.")
  w("---@field outcomes { address: string, action: string, status: string, error: any, seconds: number?, " ..
    "history: string[]? }[]")
  w("---@field plan huaweicloud.pipeline.Plan")
  w("")
  w("---@class huaweicloud.pipeline")
  w("local pipeline = {}")
  w("--- What apply would do, read from what exists (no writes). decl: a table or a Lua/JSON file's path.")
  w("---@param decl table|string")
  w("---@param opts huaweicloud.pipeline.Options?")
  w("---@return huaweicloud.pipeline.Plan|nil plan")
  w("---@return huaweicloud.Error? err")
  w("function pipeline.plan(decl, opts) end")
  w("--- Makes what exists what is declared, in dependency order, waiting for each thing.")
  w("---@param decl table|string")
  w("---@param opts huaweicloud.pipeline.Options?")
  w("---@return huaweicloud.pipeline.Result|nil result")
  w("---@return huaweicloud.Error? err")
  w("function pipeline.apply(decl, opts) end")
  w("--- Deletes what the declaration names, in reverse order, waiting until each is gone.")
  w("---@param decl table|string")
  w("---@param opts huaweicloud.pipeline.Options?")
  w("---@return huaweicloud.pipeline.Result|nil result")
  w("---@return huaweicloud.Error? err")
  w("function pipeline.destroy(decl, opts) end")
  w("")
  w("--- v and the rest when v is true; else raises err's one-line message.")
  w("---@generic T")
  w("---@param v T?")
  w("---@param err any")
  w("---@return T")
  w("function huaweicloud.assert(v, err, ...) end")
  return table.concat(out, "\n")
end

-- ---- docs/api.md ----------------------------------------------------------------------------

local gen_helpers

local function md(s) return one_line(s):gsub("|", "\\|") end

local function field_row(f)
  local t = f.type
  if f.type == "object" then t = "[" .. f.model .. "](#" .. f.model:lower() .. ")" end
  if f.type == "array" then t = "array of " .. (f.items or ("[" .. f.model .. "](#" .. f.model:lower() .. ")")) end
  local notes = {}
  if f.enum_values then
    local vals = {}
    for _, v in ipairs(f.enum_values) do vals[#vals + 1] = "`" .. (v == "" and "\"\"" or v:gsub("\n", "\\n")) .. "`" end
    notes[#notes + 1] = "one of " .. table.concat(vals, ", ")
  end
  if f.min or f.max then
    local what = (f.type == "string" and not f.number_ok and " characters") or (f.type == "array" and " items") or ""
    notes[#notes + 1] = (f.min or 0) .. ".." .. (f.max or "") .. what
  end
  if f.charset then notes[#notes + 1] = "letters, digits and `" .. f.charset .. "`" end
  if f.no_lead_slash then notes[#notes + 1] = "no leading `/`" end
  if f.default ~= nil then
    notes[#notes + 1] = "default " .. (type(f.default) == "string" and ("`" .. f.default:gsub("\n", "\\n") .. "`")
      or tostring(f.default))
  end
  if f.when then
    notes[#notes + 1] = "page: mandatory when " .. f.when .. (f.enforced and " (enforced)" or
      (" (not enforced: " .. UNENFORCED[f.unenforced] .. ")"))
  end
  return "| `" .. f.name .. "` | " .. t .. " | " .. (f.required and "yes" or "") .. " | " ..
    (f.secret and "secret" or "") .. " | " .. md(f.doc or "") .. (#notes > 0 and ((f.doc and "; " or "") ..
    table.concat(notes, "; ")) or "") .. " |"
end

local function rule_text(rule)
  local paths = {}
  for _, p in ipairs(rule.paths) do paths[#paths + 1] = "`" .. p .. "`" end
  local cond = rule.when and (" when `" .. rule.when .. "` is `" .. rule.equals .. "`") or ""
  if rule.kind == "require" then return "requires " .. table.concat(paths, ", ") .. cond end
  if rule.kind == "excludes" then return "forbids " .. table.concat(paths, ", ") .. cond end
  return "exactly one of " .. table.concat(paths, ", ") .. cond
end

local function codes(list)
  local out = {}
  for _, v in ipairs(list or {}) do out[#out + 1] = "`" .. v .. "`" end
  return table.concat(out, ", ")
end

-- The names an operation takes: its parameters, then body ("?" when optional).
local function op_args(op)
  local names = {}
  for _, p in ipairs(op.params) do names[#names + 1] = p.name .. (p.required and "" or "?") end
  if op.request then names[#names + 1] = op.body == "optional" and "body?" or "body" end
  return names
end

-- The helpers every client gets from the registry's recipes (huaweicloud.lifecycle), and what
-- their meta carries.
gen_helpers = function(w)
  w("## Helpers")
  w("")
  w("Built by `huaweicloud.lifecycle` from each service's recipes (`waiters`, `pagers`, `ensure`, `actions` in")
  w("`registry/<service>.lua`), on the operations above. Each checks its own arguments first: an unknown one,")
  w("a missing id, an `until` that is no state of the thing, a `timeout` or `interval` that is not a number of")
  w("seconds above 0 is a `validation` error naming the helper and what it takes, before anything is sent.")
  w("`sleep` and `now` (functions) replace the transport's sleep and the clock, for tests.")
  w("")
  for _, svc in ipairs(services) do
    for _, name in ipairs(sorted_keys(svc.waiters)) do
      local wt = svc.waiters[name]
      w("### " .. svc.service .. ":wait_" .. name)
      w("")
      local takes = {}
      local aliased = {}
      for alias, param in pairs(wt.aliases or {}) do aliased[param] = alias end
      for _, p in ipairs(wt.params) do takes[#takes + 1] = aliased[p] or p end
      if wt.job then takes[#takes + 1] = "job_id?" end
      w("`" .. svc.service .. ":wait_" .. name .. "{ " .. table.concat(takes, ", ") ..
        ", until?, timeout?, interval? }` polls [`" .. wt.show .. "`](#" .. wt.show .. ") until `" .. wt.state ..
        "` is what `until` asks for, and returns the last object seen and `{ history, polls, status }`." ..
        (wt.job and (" Given the `job_id` the call that started the change answered, it first follows that job " ..
          "(`wait_" .. wt.job .. "`), within the same deadline.") or ""))
      w("")
      w("| `until` | means |")
      w("| --- | --- |")
      w("| absent | a done state: " .. codes(wt.done) .. " |")
      w("| a state, or a list of states and conditions | that state; the states it knows: " .. codes(wt.states) .. " |")
      for _, c in ipairs(sorted_keys(wt.conditions)) do
        local parts = {}
        for _, f in ipairs(sorted_keys(wt.conditions[c])) do
          parts[#parts + 1] = "`" .. f .. " = " .. tostring(wt.conditions[c][f]) .. "`"
        end
        w("| `\"" .. c .. "\"` | " .. table.concat(parts, " and ") .. " |")
      end
      w("| `\"deleted\"` | gone: any 404 of the show (but a throttle's)" ..
        (svc.service == "dis" and ", or DIS's \"does not exist\" code" or "") .. "; returns `{}` and `gone = true` |")
      w("")
      w("A failure state (" .. codes(wt.failure) .. ", unless asked for) ends it with an error of kind `failed` and " ..
        "`err.state`; the deadline (`timeout`, default " .. wt.timeout .. " s) with kind `timeout` naming the last " ..
        "state. The deadline bounds every poll (each gets what is left, whatever the client's own `timeout`), the " ..
        "client's retries and every sleep. Polls every `interval` s (default " .. wt.interval .. ", with jitter, " ..
        "and no sooner than a `Retry-After` says); only a throttled, busy, 5xx or network answer is polled " ..
        "again, any other error ends the wait with that error. A state it does not know is pending.")
      w("")
    end
    for _, name in ipairs(sorted_keys(svc.pagers)) do
      local pg = svc.pagers[name]
      local list = op_by_name[pg.list]
      w("### " .. svc.service .. ":each_" .. name)
      w("")
      local how = pg.offset and ("`" .. pg.offset .. "`/`" .. pg.limit .. "`, " .. pg.page .. " a page") or
        pg.cursor and ("the `" .. pg.cursor .. "` cursor, " .. pg.page .. " a page") or "one page"
      how = how .. "; every page must advance: a page with nothing new, a cursor seen before, more pages than " ..
        "`total_number` allows or than 1000, a list that is not a list, is an error of kind `decode` (with " ..
        "`err.operation`); an item is yielded once"
      w("`for item in " .. svc.service .. ":each_" .. name .. "{ " .. table.concat(op_args(list), ", ") ..
        " } do ... end` walks every page of [`" .. pg.list .. "`](#" .. pg.list .. ") (" .. how .. ") and yields " ..
        (pg.name and ("one table per name: the `" .. pg.details .. "` entry of that name (`" .. pg.name ..
          "` always set)") or ("each item of `" .. pg.items .. "`")) .. ". An error mid-way is raised as the error value.")
      w("")
    end
    for _, name in ipairs(sorted_keys(svc.ensure)) do
      local en = svc.ensure[name]
      local takes = op_args(op_by_name[en.create])
      if en.waiter then
        for _, a in ipairs({ "wait", "until", "timeout", "interval" }) do takes[#takes + 1] = a .. "?" end
      end
      if en.validate then takes[#takes + 1] = "validate_first?" end
      if en.grow then takes[#takes + 1] = en.grow.arg .. "?" end
      local found = en.find and (en.unique and ("by listing with `each_" .. en.find .. "`") or
        ("by listing with `each_" .. en.find .. "`: names are not unique there")) or
        ("with [`" .. en.show .. "`](#" .. en.show .. ")")
      local text = { "`" .. svc.service .. ":ensure_" .. name .. "{ " .. table.concat(takes, ", ") .. " }` creates with [`" ..
        en.create .. "`](#" .. en.create .. ") only when nothing named `body." .. en.key .. "` exists (found " .. found ..
        ")" .. (en.waiter and ("; with `wait = true` it then waits as `wait_" .. en.waiter ..
          "` (`until`, `timeout`, `interval`)") or "") .. ". Returns the thing and `{ created, drift?" ..
        (en.waiter and ", history?, polls?" or "") .. " }`: `drift` lists the body's fields whose value differs " ..
        "from what the service shows (never a secret" }
      if en.drift_map and next(en.drift_map) then
        local parts = {}
        for _, k in ipairs(sorted_keys(en.drift_map)) do
          if k ~= en.drift_map[k] then parts[#parts + 1] = "`" .. k .. "` as `" .. en.drift_map[k] .. "`" end
        end
        if #parts > 0 then text[#text + 1] = ", read back as " .. table.concat(parts, ", ") end
      end
      text[#text + 1] = "). A create whose outcome is unknown (a timeout, a connection lost after sending, a 5xx" ..
        ((en.find and not en.unique) and (", an answer without `" .. en.id .. "`") or "") ..
        ") is looked up by name before anything else; \"exists\" answers are taken as found" ..
        (en.unique and (", and so is a create refused with a 400 or 409 (which code says \"exists\" is not " ..
          "documented): another caller made it (`raced = true`)") or "") .. "."
      if en.find and not en.unique then
        text[#text + 1] = " After its create it looks until its own shows (a list may lag: up to " .. en.settle.tries ..
          " looks, " .. en.settle.interval .. " s apart); where a caller racing it made another of the name, the " ..
          "first made (earliest `create_time`, then smallest `" .. en.id .. "`) wins, the loser deletes its own " ..
          "with [`" .. en.delete .. "`](#" .. en.delete .. "), and every caller returns the winner (`raced = true`). " ..
          "Two of the name found before any create are an error of kind `conflict` with `err.ids`."
      end
      if en.validate then
        local cases = {}
        for _, c in ipairs(en.validate.cases) do cases[#cases + 1] = "`" .. c.when .. " = " .. c.equals .. "`" end
        text[#text + 1] = " With `validate_first = true` it first checks the peer or sink with [`" .. en.validate.op ..
          "`](#" .. en.validate.op .. ") (when " .. table.concat(cases, " or ") .. ") and creates nothing if that fails."
      end
      if en.grow then
        text[#text + 1] = " With `" .. en.grow.arg .. " = true`, an existing one with fewer `" .. en.grow.field ..
          "` than the body asks is scaled with [`" .. en.grow.op .. "`](#" .. en.grow.op .. ") (`meta.grown`); " ..
          "one with more is never shrunk: that is drift."
      end
      w("### " .. svc.service .. ":ensure_" .. name)
      w("")
      w(table.concat(text))
      w("")
    end
    for _, name in ipairs(sorted_keys(svc.finders)) do
      local fd = svc.finders[name]
      local pg = svc.pagers[fd.pager]
      w("### " .. svc.service .. ":find_" .. name)
      w("")
      w("`" .. svc.service .. ":find_" .. name .. "{ " .. fd.key .. ", ... }` walks [`" .. pg.list .. "`](#" .. pg.list ..
        ") (the other arguments are its parameters) and returns the one item whose `" .. fd.key .. "` is the one " ..
        "given: none is an error of kind `not_found`, several of kind `conflict` with `err.ids`.")
      w("")
    end
    for _, name in ipairs(sorted_keys(svc.actions)) do
      local a = svc.actions[name]
      w("### " .. svc.service .. ":" .. name)
      w("")
      w("`" .. svc.service .. ":" .. name .. "{ " .. table.concat(op_args(op_by_name[a.show]), ", ") ..
        " }` does [`" .. a.call .. "`](#" .. a.call .. ") for one thing named as [`" .. a.show .. "`](#" .. a.show ..
        ") names it: it shows it, takes its `" .. a.id .. "` and sends `" .. a.list .. " = { { " .. a.list_key ..
        " = <" .. a.id .. "> } }`. Returns what `" .. a.call .. "` returns.")
      w("")
    end
  end
  w("### meta")
  w("")
  w("| field | set by | means |")
  w("| --- | --- | --- |")
  w("| `status`, `request_id`, `headers` | every call | the answer's HTTP status, `X-Request-Id` and headers |")
  w("| `attempts` | every call | how many times it was sent (retries included) |")
  w("| `note` | every call | how a successful answer differs from the page (another 2xx, an empty body); " ..
    "any 2xx is a success, as in the official SDKs |")
  w("| `history`, `polls` | `wait_*`, `ensure_*{ wait = true }` | the states seen in order, and how many polls |")
  w("| `gone` | `wait_*{ until = \"deleted\" }` | true: it is gone |")
  w("| `created`, `drift`, `raced` | `ensure_*` | whether it was created now; the fields that differ from `body`; " ..
    "whether another caller created one of the name at the same time |")
  w("")
end

local function gen_docs()
  local out = { "# API reference", "",
    "GENERATED by `registry/gen.lua` from `registry/*.lua` (`make gen`): every operation of the SDK, its",
    "parameters, and the fields of its body and answer with their types, enums, ranges, defaults,",
    "conditional rules and secrets. Conditional rules marked enforced are checked before anything is sent;",
    "the others are the pages' notes that the SDK leaves to the service (the reason is given).", "" }
  local function w(s) out[#out + 1] = s end
  for _, svc in ipairs(services) do
    w("## " .. svc.service .. " - " .. (svc.doc or ""))
    w("")
    for _, op in ipairs(ops) do
      if op.service == svc then
        w("### " .. op.name)
        w("")
        w("`" .. op.method .. " " .. op.path .. "` -> " .. op.success .. (op.response and (", [" .. op.response ..
          "](#" .. op.response:lower() .. ")") or ", no body") .. ". " .. md(op.doc or ""))
        w("")
        if #op.params > 0 or op.request then
          w("| parameter | in | type | required | notes |")
          w("| --- | --- | --- | --- | --- |")
          for _, p in ipairs(op.params) do
            local notes = {}
            if p.wire ~= p.name then notes[#notes + 1] = "sent as `" .. p.wire .. "`" end
            if p.min or p.max then notes[#notes + 1] = (p.min or "") .. ".." .. (p.max or "") ..
              (p.type == "string" and " characters" or "") end
            notes[#notes + 1] = md(p.doc or "")
            w("| `" .. p.name .. "` | " .. p["in"] .. " | " .. p.type .. " | " .. (p.required and "yes" or "") .. " | " ..
              table.concat(notes, "; ") .. " |")
          end
          if op.request then
            w("| `body` | body | [" .. op.request .. "](#" .. op.request:lower() .. ") | " ..
              (op.body == "optional" and "" or "yes") .. " | |")
          end
          w("")
        end
      end
    end
  end
  gen_helpers(w)
  w("## Models")
  w("")
  for _, m in ipairs(model_order) do
    w("### " .. m.name)
    w("")
    if m.doc then w(md(m.doc)) w("") end
    if #(m.fields or {}) > 0 then
      w("| field | type | required | secret | notes |")
      w("| --- | --- | --- | --- | --- |")
      for _, f in ipairs(m.fields) do w(field_row(f)) end
      w("")
    end
    if m.rules then
      w("Rules (enforced):")
      w("")
      for _, rule in ipairs(m.rules) do w("- " .. rule_text(rule)) end
      w("")
    end
  end
  return table.concat(out, "\n")
end

-- ---- README.md sections -----------------------------------------------------------------------

local function readme_ops()
  local rows = { "| service | method | API | success |", "| --- | --- | --- | --- |" }
  for _, op in ipairs(ops) do
    local shown = op_args(op)
    rows[#rows + 1] = "| " .. op.service.service .. " | [`" .. op.name .. (#shown > 0 and ("{ " ..
      table.concat(shown, ", ") .. " }") or "{}") .. "`](docs/api.md#" .. op.name .. ") | `" .. op.method .. " " ..
      op.path .. "` | " .. op.success .. (op.response and (" " .. op.response) or ", no body") .. " |"
  end
  return table.concat(rows, "\n")
end

local function readme_rules()
  local rows = {}
  for _, m in ipairs(model_order) do
    for _, rule in ipairs(m.rules or {}) do rows[#rows + 1] = "- `" .. m.name .. "` " .. rule_text(rule) end
  end
  return table.concat(rows, "\n")
end

-- The public entries of hw.core and of every client (lua/huaweicloud/contract.lua), for docs/guide.md.
local function public_surface()
  local rows = { "| | what |", "| --- | --- |" }
  local function cell(s) return (s:gsub("|", "\\|")) end
  for _, c in ipairs(contract.client_methods) do rows[#rows + 1] = "| `client:" .. c[1] .. "` | " .. cell(c[2]) .. " |" end
  for _, c in ipairs(contract.core_public) do rows[#rows + 1] = "| `hw.core." .. c[1] .. "` | " .. cell(c[2]) .. " |" end
  return table.concat(rows, "\n")
end

local function splice(text, name, body, family)
  family = family or "registry"
  local open, close = "<!-- " .. family .. ":" .. name .. " -->", "<!-- /" .. family .. ":" .. name .. " -->"
  local a = text:find(open, 1, true)
  local b = text:find(close, 1, true)
  if not a or not b then
    io.stderr:write("registry: a generated file lacks the ", open, " ... ", close, " markers\n")
    os.exit(2)
  end
  return text:sub(1, a + #open - 1) .. "\n" .. body .. "\n" .. text:sub(b)
end

-- ---- writing ------------------------------------------------------------------------------------

local function read(path)
  local f = io.open(root .. "/" .. path, "rb")
  if not f then return nil end
  local s = f:read("*a")
  f:close()
  return s
end

local readme = splice(read("README.md") or "", "operations", readme_ops())
local rules_doc = splice(read("docs/rules.md") or "", "rules", readme_rules())
local guide = splice(read("docs/guide.md") or "", "public", public_surface(), "contract")

local outputs = {
  { "csrc/registry.c", gen_c() },
  { "lua/huaweicloud/registry.lua", gen_lua_registry() },
  { "lua/huaweicloud/types.lua", gen_types() .. "\n" },
  { "docs/api.md", gen_docs() .. "\n" },
  { "README.md", readme },
  { "docs/rules.md", rules_doc },
  { "docs/guide.md", guide },
}
local stale = {}
for _, o in ipairs(outputs) do
  if read(o[1]) ~= o[2] then
    stale[#stale + 1] = o[1]
    if not check then
      local f = assert(io.open(root .. "/" .. o[1], "wb"))
      f:write(o[2])
      f:close()
    end
  end
end
if check and #stale > 0 then
  io.stderr:write("registry: generated files are stale (run make gen): ", table.concat(stale, ", "), "\n")
  os.exit(1)
end
io.stdout:write(("registry: %d services, %d operations, %d models%s\n"):format(#services, #ops, #model_order,
  #stale > 0 and (check and "" or ("; wrote " .. table.concat(stale, ", "))) or "; up to date"))
