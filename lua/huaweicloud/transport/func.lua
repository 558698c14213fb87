-- huaweicloud.transport.func: a transport from a function of one's own (e.g. lua-resty-http):
-- the signed request in, status, headers, body out (or nil and why); one call at a time.
local core = require("huaweicloud.core")
local errors = require("huaweicloud.errors")

-- transport = function(req) -> status, headers, body | nil, message (e.g. lua-resty-http)
return function(fn)
  return {
    name = "function",
    call = function(_, op, cfg, params)
      local req, err = core.prepare(op, cfg, params)
      if not req then return nil, err end
      local ok, status, headers, body = pcall(fn, req)
      if not ok or status == nil then
        local why = ok and tostring(headers or "no status") or tostring(status)
        return errors.fail("network", "transport failed: " .. why)
      end
      return core.parse(op, status, headers, body, req)
    end,
    sleep = core.sleep,
  }
end
