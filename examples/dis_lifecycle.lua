-- A DIS dump task's whole life: its stream first (created only if absent), then the task: add it
-- (only if absent), look at it, stop, start, delete, waiting for the documented states. Reads the
-- same environment as dis_obs_text.lua (DIS_STREAM_NAME); WAIT_INTERVAL sets the polling step
-- (default 5 s).
local hw = require("huaweicloud")

local dis = hw.assert(hw.dis.new({
  region = os.getenv("HUAWEICLOUD_SDK_REGION") or "cn-north-4",
  endpoint = os.getenv("HUAWEICLOUD_SDK_ENDPOINT"),
}))
local stream = os.getenv("DIS_STREAM_NAME") or "dis-stream-1"
local step = tonumber(os.getenv("WAIT_INTERVAL") or "") or 5
local name = "lifecycle-demo"

local st, smeta = hw.assert(dis:ensure_stream({ body = { stream_name = stream, partition_count = 1 }, wait = true,
  interval = step }))
print(("stream %s: %s (%s)"):format(st.stream_name, st.status, smeta.created and "created" or "already there"))

local task, meta = hw.assert(dis:ensure_obs_transfer_task({ stream_name = stream, wait = true, interval = step,
  body = hw.dis.obs_transfer_task({ task_name = name, agency_name = "dis_admin_agency", obs_bucket_path = "obsbucket",
    deliver_time_interval = 60 }) }))
print(("added %s (task_id %s): %s (%s)"):format(name, task.task_id, task.state, table.concat(meta.history, " -> ")))

local shown = hw.assert(dis:show_transfer_task({ stream_name = stream, task_name = name }))
print("show: " .. shown.task_name .. " " .. shown.state .. " on stream " .. shown.stream_name)

hw.assert(dis:stop_transfer_task({ stream_name = stream, task_name = name }))
local now, m = hw.assert(dis:wait_transfer_task({ stream_name = stream, task_name = name, ["until"] = "PAUSED",
  interval = step }))
print(("stop: %s (%s)"):format(now.state, table.concat(m.history, " -> ")))

hw.assert(dis:start_transfer_task({ stream_name = stream, task_name = name }))
now, m = hw.assert(dis:wait_transfer_task({ stream_name = stream, task_name = name, interval = step }))
print(("start: %s (%s)"):format(now.state, table.concat(m.history, " -> ")))

hw.assert(dis:delete_transfer_task({ stream_name = stream, task_name = name }))
local _, gone = hw.assert(dis:wait_transfer_task({ stream_name = stream, task_name = name, ["until"] = "deleted",
  interval = step }))
print("delete: " .. table.concat(gone.history, " -> "))
