-- huaweicloud.errors: the error values every runtime failure returns as `nil, err`.
-- err = { kind, message, field?, status?, code?, request_id?, retryable, ... } with a one-line
-- tostring that never shows a secret. kind is one of validation, api, network, timeout, tls,
-- decode, config.
local core = require("huaweicloud.core")

local M = {}

M.kinds = { validation = true, api = true, network = true, timeout = true, tls = true, decode = true, config = true }

-- Gives t the shared error metatable (retryable defaults to false) and returns it.
function M.new(t)
  return core.error(t)
end

-- true when v is an error value of this SDK.
function M.is(v)
  return type(v) == "table" and getmetatable(v) == core.error_mt
end

return M
