-- huaweicloud.emulator.admin: the handle start() returns, talking to the emulator's /_emulator/
-- endpoints (stats, stored tasks, reset, settings at run time) from the test's own process.
local core = require("huaweicloud.core")

local Handle = {}
Handle.__index = Handle

local function cjson()
  local c = require("cjson")
  return c.new and c.new() or c
end

-- lua-cjson 2.1.0 decodes every number as a float under 5.3/5.4: counts read back as 1, not 1.0.
local function integers(v)
  if type(v) == "table" then
    for k, x in pairs(v) do v[k] = integers(x) end
  elseif math.type and math.type(v) == "float" and v == math.floor(v) and math.abs(v) < 2 ^ 53 then
    return math.tointeger(v)
  end
  return v
end

function Handle:request(method, path, payload)
  local client = self.client
  if not client then
    client = core.http_client({ timeout = 10, proxy = false })
    self.client = client
  end
  local status, _, body = client:send({ method = method, url = self.url .. path,
    headers = { ["X-Emulator-Token"] = self.admin_token, ["Content-Type"] = payload and "application/json" or nil },
    body = method == "POST" and (payload or "") or nil })
  if not status then error("emulator admin request failed: " .. tostring(_)) end
  if status >= 300 then error("emulator admin request failed: HTTP " .. status) end
  return #body > 0 and integers(cjson().decode(body)) or nil
end

-- { requests, connections (those that carried API calls), rejected_signatures, kafka_tasks, dis_tasks }
function Handle:stats() return self:request("GET", "/_emulator/stats") end
function Handle:tasks() return self:request("GET", "/_emulator/tasks") end
function Handle:reset() return self:request("POST", "/_emulator/reset") end
-- Changes settings of the running emulator, e.g. { metadata_fail = true, projects = {...} }.
function Handle:config(changes) return self:request("POST", "/_emulator/config", cjson().encode(changes)) end

-- Adds a Kafka instance every project has: { instance_id? (made when absent), name?,
-- connector_enable? (default true), status? (default RUNNING) }; returns it (with its id).
function Handle:add_instance(inst)
  assert(type(inst) == "table", "emu:add_instance{ instance_id = ..., name = ..., connector_enable = ... }")
  local added = self:request("POST", "/_emulator/instances", cjson().encode(inst))
  self.instances[#self.instances + 1] = added
  return added
end

-- Makes the next calls of an operation fail, to test your retries and error handling:
--   emu:fail{ operation = "create_connector_task" (or "*"), times = 2, status = 404, code = "DMS.10240407",
--             message = "...", delay = seconds, drop = true (close the connection, no answer) }
--   emu:fail{ operation = ..., after = true, drop = true | delay = s }: the call is carried out, then
--             its answer is lost (or comes late): a create whose outcome the client cannot know
-- Faults are answered in the service's error shape, before signature checks; reset() clears them.
function Handle:fail(fault)
  assert(type(fault) == "table" and type(fault.operation) == "string", "emu:fail{ operation = ..., ... }")
  return self:request("POST", "/_emulator/faults", cjson().encode(fault))
end

-- The emulator's clock, on which states settle (CREATING -> RUNNING after cfg.delays):
--   emu:freeze()  stops it: states move only when the test says   emu:unfreeze()
--   emu:advance(seconds)  moves it on (a five-minute wait takes no time)
--   emu:delays{ task = 2, stream = 0 }  how long each kind of state takes to settle
function Handle:freeze() return self:request("POST", "/_emulator/clock", '{"freeze":true}') end
function Handle:unfreeze() return self:request("POST", "/_emulator/clock", '{"freeze":false}') end
function Handle:advance(seconds)
  return self:request("POST", "/_emulator/clock", cjson().encode({ advance = seconds }))
end
function Handle:delays(d) return self:request("POST", "/_emulator/clock", cjson().encode({ delays = d })) end

-- Puts a thing in a state (and, with to/after, on to another one later), to test what a
-- script does with states the service may show: { instance_id, task_id?, project_id?, state, to?,
-- after? } for Kafka, { stream_name, task_name?, ... } for DIS.
function Handle:set_state(s) return self:request("POST", "/_emulator/state", cjson().encode(s)) end

function Handle:stop()
  if self.client then self.client:close() end
  self.client = nil
  self.process.stop()
end
Handle.__close = Handle.stop

return Handle
