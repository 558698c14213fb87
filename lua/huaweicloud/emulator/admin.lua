-- huaweicloud.emulator.admin: the handle start() returns, talking to the emulator's /_emulator/
-- endpoints (stats, stored tasks, reset, settings at run time) from the test's own process.
local core = require("huaweicloud.core")

local Handle = {}
Handle.__index = Handle

local function cjson()
  local c = require("cjson")
  return c.new and c.new() or c
end

function Handle:request(method, path, payload)
  local client = self.client
  if not client then
    client = core.http_client({ timeout = 10, proxy = false })
    self.client = client
  end
  local status, _, body = client:send({ method = method, url = self.url .. path, headers = {},
    body = method == "POST" and (payload or "") or nil })
  if not status then error("emulator admin request failed: " .. tostring(_)) end
  if status >= 300 then error("emulator admin request failed: HTTP " .. status) end
  return #body > 0 and cjson().decode(body) or nil
end

-- { requests, connections (those that carried API calls), rejected_signatures, kafka_tasks, dis_tasks }
function Handle:stats() return self:request("GET", "/_emulator/stats") end
function Handle:tasks() return self:request("GET", "/_emulator/tasks") end
function Handle:reset() return self:request("POST", "/_emulator/reset") end
-- Changes settings of the running emulator, e.g. { metadata_fail = true, projects = {...} }.
function Handle:config(changes) return self:request("POST", "/_emulator/config", cjson().encode(changes)) end

function Handle:stop()
  if self.client then self.client:close() end
  self.client = nil
  self.process.stop()
end
Handle.__close = Handle.stop

return Handle
