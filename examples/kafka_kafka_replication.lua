-- Kafka -> Kafka: "Creating a Kafka data replication task that starts later", the second
-- example of the API page "Creating a Smart Connect Task". Environment as in kafka_obs_dump.lua,
-- plus KAFKA_PEER_PASSWORD for the SASL_SSL user of the peer instance.
local hw = require("huaweicloud")

local kafka = assert(hw.kafka.new({
  region = os.getenv("HUAWEICLOUD_SDK_REGION") or "cn-north-4",
  endpoint = os.getenv("HUAWEICLOUD_SDK_ENDPOINT"),
}))

local task, err = kafka:create_connector_task({
  instance_id = os.getenv("KAFKA_INSTANCE_ID") or "b54c9dd8-1111-2222-3333-444455556666",
  body = {
    task_name = "smart-connect-2",
    start_later = true,
    source_type = "KAFKA_REPLICATOR_SOURCE",
    source_task = {
      current_cluster_name = "A",
      cluster_name = "B",
      user_name = "user1",
      password = os.getenv("KAFKA_PEER_PASSWORD") or "peer-password",
      sasl_mechanism = "SCRAM-SHA-512",
      instance_id = os.getenv("KAFKA_PEER_INSTANCE_ID") or "b54c9dd8-aaaa-bbbb-cccc",
      direction = "two-way",
      sync_consumer_offsets_enabled = false,
      replication_factor = 3,
      task_num = 2,
      rename_topic_enabled = false,
      provenance_header_enabled = true,
      consumer_strategy = "latest",
      compression_type = "snappy",
      topics_mapping = "topic-sc-1:topic-sc-3,topic-sc-2:topic-sc-4",
    },
  },
})
if not task then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end
print(hw.inspect(task))
