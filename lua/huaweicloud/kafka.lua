-- huaweicloud.kafka: DMS for Kafka (Smart Connect). Every operation of registry/kafka.lua is a
-- method (create_connector_task, list/show/pause/resume/restart/delete_connector_task,
-- create/delete_connector, show_instance: docs/api.md), plus wait_connector_task, wait_instance,
-- each_connector_task, ensure_connector_task (huaweicloud.lifecycle) and builders for the three
-- kinds of Smart Connect task on the API page.
local builders = require("huaweicloud.builders")
local client = require("huaweicloud.client")

local M = {}

M.Client = client.service("kafka")
-- wait_*, each_*, ensure_*: from the registry's recipes (huaweicloud.lifecycle)
require("huaweicloud.lifecycle").install(M.Client, require("huaweicloud.registry").services.kafka)

-- hw.kafka.new{ region = "cn-north-4" | endpoint = "...", credentials = {...}, ... }
function M.new(opts)
  return client.new(M.Client, opts)
end

local TOP = { "task_name", "start_later", "topics", "topics_regex" }

-- A Kafka -> OBS dump: source NONE, sink OBS_SINK; every other option is a sink_task field.
-- Documented defaults: destination_file_type TEXT (the only one), deliver_time_interval 300 s.
M.obs_dump_task = builders.make({
  name = "obs_dump_task", top = TOP, into = "sink_task", into_model = "SmartConnectTaskReqSinkConfig",
  fixed = { source_type = "NONE", sink_type = "OBS_SINK" },
  defaults = { ["sink_task.destination_file_type"] = "TEXT", ["sink_task.deliver_time_interval"] = 300 },
})

-- Kafka -> Kafka replication: source KAFKA_REPLICATOR_SOURCE; other options are source_task
-- fields. Documented default: task_num 2.
M.kafka_replication_task = builders.make({
  name = "kafka_replication_task", top = TOP, into = "source_task", into_model = "SmartConnectTaskReqSourceConfig",
  fixed = { source_type = "KAFKA_REPLICATOR_SOURCE" },
  defaults = { ["source_task.task_num"] = 2 },
})

-- Redis -> Redis replication: source_task and sink_task given as tables.
M.redis_replication_task = builders.make({
  name = "redis_replication_task", top = TOP, nested = { source_task = true, sink_task = true },
  fixed = { source_type = "REDIS_REPLICATOR_SOURCE", sink_type = "REDIS_REPLICATOR_SINK" },
})

return M
