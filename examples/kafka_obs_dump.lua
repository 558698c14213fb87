-- Kafka -> OBS: "Creating a dumping task that starts immediately", the first example of the
-- API page "Creating a Smart Connect Task".
--   HUAWEICLOUD_SDK_AK / _SK / _PROJECT_ID   credentials (or CLOUD_SDK_AK / CLOUD_SDK_SK)
--   HUAWEICLOUD_SDK_REGION                   region (default cn-north-4)
--   HUAWEICLOUD_SDK_ENDPOINT                 an endpoint that wins over the region (the emulator)
--   KAFKA_INSTANCE_ID, OBS_AK, OBS_SK        the instance and the OBS keys the task writes with
local hw = require("huaweicloud")

local kafka = assert(hw.kafka.new({
  region = os.getenv("HUAWEICLOUD_SDK_REGION") or "cn-north-4",
  endpoint = os.getenv("HUAWEICLOUD_SDK_ENDPOINT"),
}))

local task, err = kafka:create_connector_task({
  instance_id = os.getenv("KAFKA_INSTANCE_ID") or "b54c9dd8-1111-2222-3333-444455556666",
  body = {
    task_name = "smart-connect-1",
    start_later = false,
    source_type = "NONE",
    topics_regex = "topic-obs*",
    sink_type = "OBS_SINK",
    sink_task = {
      consumer_strategy = "earliest",
      destination_file_type = "TEXT",
      deliver_time_interval = 300,
      access_key = os.getenv("OBS_AK") or "OBS-ACCESS-KEY",
      secret_key = os.getenv("OBS_SK") or "OBS-SECRET-KEY",
      obs_bucket_name = "obs_bucket",
      obs_path = "obsTransfer-1810125534",
      partition_format = "yyyy/MM/dd/HH/mm",
      record_delimiter = "\n",
      store_keys = false,
    },
  },
})
if not task then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end
print(hw.inspect(task))
