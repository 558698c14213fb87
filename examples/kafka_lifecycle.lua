-- A Smart Connect task's whole life: create it (only if absent), look at it, pause, resume,
-- delete, waiting after each step for the state the service documents. Reads the same
-- environment as kafka_obs_dump.lua; WAIT_INTERVAL sets the polling step (default 5 s).
local hw = require("huaweicloud")

local kafka = hw.assert(hw.kafka.new({
  region = os.getenv("HUAWEICLOUD_SDK_REGION") or "cn-north-4",
  endpoint = os.getenv("HUAWEICLOUD_SDK_ENDPOINT"),
}))
local instance = os.getenv("KAFKA_INSTANCE_ID") or "b54c9dd8-1111-2222-3333-444455556666"
local step = tonumber(os.getenv("WAIT_INTERVAL") or "") or 5

local task, meta = hw.assert(kafka:ensure_connector_task({ instance_id = instance, wait = true, interval = step,
  body = hw.kafka.obs_dump_task({
    task_name = "lifecycle-demo", topics = "orders", consumer_strategy = "earliest",
    access_key = os.getenv("OBS_AK") or "OBS-AK", secret_key = os.getenv("OBS_SK") or "OBS-SECRET-KEY",
    obs_bucket_name = "my-bucket", obs_path = "kafka/orders", partition_format = "yyyy/MM/dd", record_delimiter = "\n",
  }) }))
print(("created %s: %s (%s)"):format(task.id, task.status, table.concat(meta.history, " -> ")))

local shown = hw.assert(kafka:show_connector_task({ instance_id = instance, task_id = task.id }))
print("show: " .. shown.task_name .. " " .. shown.status)

local function step_to(action, target)
  hw.assert(kafka[action .. "_connector_task"](kafka, { instance_id = instance, task_id = task.id }))
  local now, m = hw.assert(kafka:wait_connector_task({ instance_id = instance, task_id = task.id, ["until"] = target,
    interval = step }))
  print(("%s: %s (%s)"):format(action, now.status, table.concat(m.history, " -> ")))
end
step_to("pause", "PAUSED")
step_to("resume", "RUNNING")

hw.assert(kafka:delete_connector_task({ instance_id = instance, task_id = task.id }))
local _, gone = hw.assert(kafka:wait_connector_task({ instance_id = instance, task_id = task.id, ["until"] = "deleted",
  interval = step }))
print("delete: " .. table.concat(gone.history, " -> "))
