-- huaweicloud.inspect: a readable, deterministic dump of a value for logs and printing. It always
-- masks: a prepared request (even one prepared with reveal) is masked as a dry run is, fields are
-- masked by model when one is given, else by name, and every string loses the values after
-- X-Security-Token:, X-Auth-Token: and Signature=.
local core = require("huaweicloud.core")

local function dump(v, indent, out, seen)
  local t = type(v)
  if t == "string" then
    out[#out + 1] = string.format("%q", core.scrub(v)):gsub("\\\n", "\\n")
  elseif t ~= "table" then
    out[#out + 1] = tostring(v)
  elseif seen[v] then
    out[#out + 1] = "<cycle>"
  else
    seen[v] = true
    local keys = {}
    for k in pairs(v) do keys[#keys + 1] = k end
    table.sort(keys, function(a, b)
      if type(a) == type(b) and (type(a) == "number" or type(a) == "string") then return a < b end
      return type(a) < type(b)
    end)
    if #keys == 0 then
      out[#out + 1] = "{}"
    else
      out[#out + 1] = "{\n"
      for _, k in ipairs(keys) do
        local name = type(k) == "string" and k:match("^[%a_][%w_]*$") and k or ("[" .. tostring(k) .. "]")
        out[#out + 1] = indent .. "  " .. name
        out[#out + 1] = " = "
        dump(v[k], indent .. "  ", out, seen)
        out[#out + 1] = ",\n"
      end
      out[#out + 1] = indent .. "}"
    end
    seen[v] = nil
  end
end

-- inspect(value [, model]) -> string
return function(value, model)
  if type(value) == "table" and core.prepared(value) then value = core.mask(value) end
  local masked = core.redact(model or "SmartConnectTaskEntity", value)
  local out = {}
  dump(masked, "", out, {})
  return table.concat(out)
end
