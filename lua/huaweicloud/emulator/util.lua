-- huaweicloud.emulator.util: what the emulator's service modules (kafka, dis, iam) and its core
-- (service) share: JSON text, error bodies in each service's shape, ids, and copies without
-- secrets. It depends on none of them, so they depend downward on it and never on each other.
local core = require("huaweicloud.core")

local M = {}

-- A private lua-cjson instance: numbers written with all their digits (ms timestamps).
local json = (function()
  local cjson = require("cjson")
  local c = cjson.new and cjson.new() or cjson
  pcall(c.encode_number_precision, 16)
  if c.encode_empty_table_as_object then c.encode_empty_table_as_object(false) end
  return c
end)()
M.json, M.null = json, require("cjson").null

-- Debian's lua-cjson 2.1.0 writes an empty table as {}: an empty list goes out as this marker,
-- which M.encode turns into [] (the docs' examples answer "tags":[]).
local EMPTY = "\0emulator-empty-array\0"
function M.array(t)
  if t == nil or next(t) == nil then return EMPTY end
  return t
end

function M.encode(v)
  return (json.encode(v):gsub('"\\u0000emulator%-empty%-array\\u0000"', "[]"))
end

function M.random_uuid()
  local f = io.open("/dev/urandom", "rb")
  local b = f and f:read(16)
  if f then f:close() end
  if not b or #b < 16 then
    local t = {}
    for i = 1, 16 do t[i] = string.char(math.random(0, 255)) end
    b = table.concat(t)
  end
  local x = { b:byte(1, 16) }
  x[7] = x[7] % 16 + 64  -- version 4
  x[9] = x[9] % 64 + 128 -- RFC 4122 variant
  local h = {}
  for i = 1, 16 do h[i] = string.format("%02x", x[i]) end
  return table.concat(h, "", 1, 4) .. "-" .. table.concat(h, "", 5, 6) .. "-" .. table.concat(h, "", 7, 8) ..
    "-" .. table.concat(h, "", 9, 10) .. "-" .. table.concat(h, "", 11, 16)
end

function M.unescape(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

-- status, body of an error in a service's shape: "dis" { errorCode, message }, else (DMS, the
-- gateway) { error_code, error_msg }.
function M.error(status, shape, code, message)
  if shape == "dis" then return status, json.encode({ errorCode = code, message = message }) end
  return status, json.encode({ error_code = code, error_msg = message })
end

-- A copy of t without the values of sensitive names (the services never echo a secret).
function M.public(t)
  if type(t) ~= "table" then return t end
  local c = {}
  for k, v in pairs(t) do
    if not (type(k) == "string" and core.sensitive_name(k)) then c[k] = M.public(v) end
  end
  return c
end

return M
