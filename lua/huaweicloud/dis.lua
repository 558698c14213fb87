-- huaweicloud.dis: Data Ingestion Service. Every operation of registry/dis.lua is a method
-- (create_obs_transfer_task, list/show/delete_transfer_task, batch_start/stop_transfer_task,
-- create/show/list/delete_stream: docs/api.md), plus wait_transfer_task, wait_stream,
-- each_stream, each_transfer_task, ensure_obs_transfer_task, ensure_stream, start/stop_transfer_task
-- by name (the registry's actions: the service takes task ids, which the official SDK models drop),
-- and a builder for the OBS dump task body.
local builders = require("huaweicloud.builders")
local client = require("huaweicloud.client")

local M = {}

M.Client = client.service("dis")
-- wait_*, each_*, ensure_*: from the registry's recipes (huaweicloud.lifecycle)
require("huaweicloud.lifecycle").install(M.Client, require("huaweicloud.registry").services.dis)

-- hw.dis.new{ region = "cn-north-4" | endpoint = "...", credentials = {...}, ... }
function M.new(opts)
  return client.new(M.Client, opts)
end

-- An OBS dump task: destination OBS; every option is an obs_destination_descriptor field.
-- Documented defaults: consumer_strategy LATEST, destination_file_type text,
-- deliver_time_interval 300 s, record_delimiter "\n".
M.obs_transfer_task = builders.make({
  name = "obs_transfer_task", into = "obs_destination_descriptor", into_model = "OBSDestinationDescriptorRequest",
  fixed = { destination_type = "OBS" },
  defaults = {
    ["obs_destination_descriptor.consumer_strategy"] = "LATEST",
    ["obs_destination_descriptor.destination_file_type"] = "text",
    ["obs_destination_descriptor.deliver_time_interval"] = 300,
    ["obs_destination_descriptor.record_delimiter"] = "\n",
  },
})

return M
