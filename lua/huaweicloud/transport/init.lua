-- huaweicloud.transport: which transport a client's `transport` option names (curl, ngx, a
-- function, a table of one's own), or inside nginx the cosocket one whatever it names.
local errors = require("huaweicloud.errors")

local M = {}

-- The transport an option names, or nil and a config error.
function M.pick(t)
  if type(t) == "function" then return require("huaweicloud.transport.func")(t) end
  if type(t) == "table" then
    if type(t.call) ~= "function" or type(t.sleep) ~= "function" then
      return errors.fail("config", "a transport table needs call and sleep functions", { field = "transport" })
    end
    return t
  end
  if t == "curl" then return require("huaweicloud.transport.curl") end
  -- inside nginx a blocking libcurl call would stall the worker: always cosockets there
  local ngx = rawget(_G, "ngx")
  if t == "ngx" or (t == nil and ngx and ngx.get_phase) then return require("huaweicloud.transport.ngx") end
  if t == nil then return require("huaweicloud.transport.curl") end
  return errors.fail("config", "unknown transport '" .. tostring(t) .. "' (curl, ngx, a function or a table)",
    { field = "transport" })
end

return M
