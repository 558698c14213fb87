-- huaweicloud.kafka: DMS for Kafka (Smart Connect). Every operation of registry/kafka.lua is a
-- method of its client (create_connector_task, list/show/pause/resume/restart/delete_connector_task,
-- create/delete_connector, show_instance: docs/api.md), plus the helpers of its recipes
-- (wait_connector_task, wait_instance, each_connector_task, ensure_connector_task: huaweicloud.lifecycle)
-- and builders for the three kinds of Smart Connect task on the API page (obs_dump_task,
-- kafka_replication_task, redis_replication_task).
--   local kafka = hw.assert(hw.kafka.new{ region = "cn-north-4" | endpoint = "...", credentials = {...} })
---@type huaweicloud.kafka
local M = require("huaweicloud.client").module("kafka")
return M
