-- huaweicloud.errors: the error values every runtime failure returns as `nil, err`.
-- err = { kind, message, field?, status?, code?, request_id?, retryable, class?, ... } with a
-- one-line tostring that never shows a secret. kind is one of validation, api, network, timeout,
-- tls, decode, config, and (the lifecycle helpers) failed, conflict.
local core = require("huaweicloud.core")
local registry = require("huaweicloud.registry")

local M = {}

M.kinds = {}
for _, k in ipairs(require("huaweicloud.contract").kinds) do M.kinds[k[1]] = true end

-- Gives t the shared error metatable (retryable defaults to false) and returns it.
function M.new(t)
  return core.error(t)
end

-- nil and a new error of kind with message and the fields of extra (field, retryable, ...): the
-- one way every module of the SDK returns a runtime failure.
function M.fail(kind, message, extra)
  local e = { kind = kind, message = message }
  for k, v in pairs(extra or {}) do e[k] = v end
  return nil, core.error(e)
end

-- true when v is an error value of this SDK.
function M.is(v)
  return type(v) == "table" and getmetatable(v) == core.error_mt
end

-- (status, code) -> class, per service, from the registry
local CLASSES = {}
for name, svc in pairs(registry.services) do
  local t = {}
  for _, e in ipairs(svc.errors or {}) do t[e.status .. " " .. e.code] = e.class end
  CLASSES[name] = t
end

local IDEMPOTENT = { GET = true, PUT = true, DELETE = true, HEAD = true }

-- What an API error of service means, as the registry says: not_processed (retry later, even a
-- create), busy (retry with a longer step), idempotent (retry only what can be repeated), gone,
-- exists, never; nil for a code it does not list.
function M.class(service, err)
  if err.kind ~= "api" then return nil end
  return CLASSES[service] and CLASSES[service][tostring(err.status) .. " " .. tostring(err.code)]
end

-- Sets err.class and err.retryable for an API error of an operation with this method: retryable
-- when the service said the request was not processed, or is busy, or failed internally on a
-- call that can be repeated; a code the registry does not list keeps the status rule (429, 503).
function M.classify(service, method, err)
  local class = M.class(service, err)
  if class then
    err.class = class
    err.retryable = class == "not_processed" or class == "busy" or
      (class == "idempotent" and IDEMPOTENT[method] == true)
  end
  return err
end

return M
