-- huaweicloud: the SDK's entry point.
--   local hw = require("huaweicloud")
--   local kafka = assert(hw.kafka.new{ region = "cn-north-4" })
--   local task, err = kafka:create_connector_task{ instance_id = IID, body = hw.kafka.obs_dump_task{...} }
-- Requiring it reads no file and opens no connection; the emulator loads on first use.
local core = require("huaweicloud.core")

---@class huaweicloud (its fields and functions: lua/huaweicloud/types.lua, for the editor)
local M = {
  version = core.version,
  log = require("huaweicloud.log"),
  core = core,
  kafka = require("huaweicloud.kafka"),
  dis = require("huaweicloud.dis"),
  iam = require("huaweicloud.iam"),
  errors = require("huaweicloud.errors"),
  regions = require("huaweicloud.regions"),
  credentials = require("huaweicloud.credentials"),
  inspect = require("huaweicloud.inspect"),
}

-- hw.assert(v, err, ...): v and the rest when v is true; else raises err's one-line message as a
-- string, which every Lua (5.1's assert takes only strings) and nginx's error log print as it is.
-- Code that inspects errors takes `local v, err = ...` instead.
function M.assert(v, err, ...)
  if v then return v, err, ... end
  error(err ~= nil and tostring(err) or "assertion failed!", 2)
end

return setmetatable(M, {
  __index = function(t, k)
    if k == "emulator" or k == "pipeline" then -- loaded on first use
      local mod = require("huaweicloud." .. k)
      rawset(t, k, mod)
      return mod
    end
  end,
})
