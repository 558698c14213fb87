-- huaweicloud.dis: Data Ingestion Service. One operation today:
--   client:create_obs_transfer_task{ stream_name = ..., body = {...} } -> {}, meta | nil, err
-- (201 with no body), plus a builder for the OBS dump task body.
local builders = require("huaweicloud.builders")
local client = require("huaweicloud.client")

local M = {}

M.Client = client.service("dis")

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
