-- huaweicloud.builders: thin, optional helpers that turn a flat table of options into a request
-- body with the right source/sink/destination type and the API pages' documented defaults.
-- They return plain tables; validation happens when the body is sent (or core.validate).
local core = require("huaweicloud.core")

local M = {}

local function field_set(model)
  local set = {}
  for _, f in ipairs(core.describe(model)) do set[f.name] = true end
  return set
end

local function suggest(name, sets)
  local names = {}
  for _, set in ipairs(sets) do
    for n in pairs(set) do names[#names + 1] = n end
  end
  table.sort(names)
  local best = core.closest(name, names)
  return best and (" (did you mean " .. best .. "?)") or ""
end

-- make{ name, model, top = {fields kept at the top}, into = "sink_task", into_model = "...",
--       nested = { "source_task", ... }, fixed = {...}, defaults = {...} } (a registry builder)
-- Keys of the top model listed in `top` stay at the top; keys in `nested` are tables copied in;
-- every other key must be a field of into_model and goes into body[into].
function M.make(spec)
  local into_fields = spec.into_model and field_set(spec.into_model) or {}
  local top, nested = {}, {}
  for _, k in ipairs(spec.top or {}) do top[k] = true end
  for _, k in ipairs(spec.nested or {}) do nested[k] = true end
  return function(args)
    if type(args) ~= "table" then
      error("bad argument #1 to '" .. spec.name .. "' (table expected, got " .. type(args) .. ")", 2)
    end
    local body = {}
    for k, v in pairs(spec.fixed or {}) do body[k] = v end
    local inner = spec.into and {} or nil
    for k, v in pairs(args) do
      if top[k] then
        body[k] = v
      elseif nested[k] then
        if type(v) ~= "table" then error(spec.name .. ": " .. k .. " must be a table", 2) end
        local copy = {}
        for kk, vv in pairs(v) do copy[kk] = vv end
        body[k] = copy
      elseif inner and into_fields[k] then
        inner[k] = v
      else
        error(spec.name .. ": unknown option '" .. tostring(k) .. "'" .. suggest(tostring(k), { top, into_fields }), 2)
      end
    end
    if inner then body[spec.into] = inner end
    for path, v in pairs(spec.defaults or {}) do
      local outer, key = path:match("^([^.]+)%.(.+)$")
      local t = outer and body[outer] or body
      if t and t[key or path] == nil then t[key or path] = v end
    end
    return body
  end
end

-- Adds every builder of a registry service to mod (hw.kafka.obs_dump_task, ...).
function M.install(mod, svc)
  for name, spec in pairs(svc.builders or {}) do
    local s = {}
    for k, v in pairs(spec) do s[k] = v end
    s.name = name
    mod[name] = M.make(s)
  end
end

return M
