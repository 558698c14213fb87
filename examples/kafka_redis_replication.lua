-- Redis -> Redis: "Creating a Redis data replication task that starts immediately: full
-- synchronization, 10 maximum retry times, 10,000 ms retry interval, and 10 KB/s bandwidth
-- limit", the third example of the API page "Creating a Smart Connect Task". Environment as in
-- kafka_obs_dump.lua, plus REDIS_SOURCE_PASSWORD and REDIS_TARGET_PASSWORD.
local hw = require("huaweicloud")

local kafka = assert(hw.kafka.new({
  region = os.getenv("HUAWEICLOUD_SDK_REGION") or "cn-north-4",
  endpoint = os.getenv("HUAWEICLOUD_SDK_ENDPOINT"),
}))

local task, err = kafka:create_connector_task({
  instance_id = os.getenv("KAFKA_INSTANCE_ID") or "b54c9dd8-1111-2222-3333-444455556666",
  body = {
    task_name = "smart-connect-3",
    start_later = false,
    source_type = "REDIS_REPLICATOR_SOURCE",
    source_task = {
      redis_address = "192.168.99.249:6379,192.168.120.127:6379,192.168.116.219:6379",
      redis_type = "cluster",
      redis_password = os.getenv("REDIS_SOURCE_PASSWORD") or "source-password",
      sync_mode = "RDB_ONLY",
      full_sync_max_retry = 10,
      full_sync_wait_ms = 10000,
      ratelimit = 10,
    },
    topics = "topic-sc-3",
    sink_type = "REDIS_REPLICATOR_SINK",
    sink_task = {
      redis_address = "192.168.119.51:6379",
      redis_type = "standalone",
      redis_password = os.getenv("REDIS_TARGET_PASSWORD") or "target-password",
    },
  },
})
if not task then
  io.stderr:write(tostring(err), "\n")
  os.exit(1)
end
print(hw.inspect(task))
