-- huaweicloud: the SDK's entry point.
--   local hw = require("huaweicloud")
--   local kafka = assert(hw.kafka.new{ region = "cn-north-4" })
--   local task, err = kafka:create_connector_task{ instance_id = IID, body = hw.kafka.obs_dump_task{...} }
-- Requiring it reads no file and opens no connection; the emulator loads on first use.
local core = require("huaweicloud.core")

local M = {
  version = core.version,
  core = core,
  kafka = require("huaweicloud.kafka"),
  dis = require("huaweicloud.dis"),
  errors = require("huaweicloud.errors"),
  regions = require("huaweicloud.regions"),
  credentials = require("huaweicloud.credentials"),
  inspect = require("huaweicloud.inspect"),
}

return setmetatable(M, {
  __index = function(t, k)
    if k == "emulator" then
      local emulator = require("huaweicloud.emulator")
      rawset(t, k, emulator)
      return emulator
    end
  end,
})
