-- huaweicloud.dis: Data Ingestion Service. Every operation of registry/dis.lua is a method of its
-- client (create_obs_transfer_task, list/show/delete_transfer_task, batch_start/stop_transfer_task,
-- create/show/list/delete_stream: docs/api.md), plus the helpers of its recipes (wait_transfer_task,
-- wait_stream, each_stream, each_transfer_task, ensure_obs_transfer_task, ensure_stream, and
-- start/stop_transfer_task by name: the service takes task ids, which the official SDK models drop)
-- and a builder for the OBS dump task body (obs_transfer_task).
--   local dis = hw.assert(hw.dis.new{ region = "cn-north-4" | endpoint = "...", credentials = {...} })
---@type huaweicloud.dis
local M = require("huaweicloud.client").module("dis")
return M
