-- What a replication task needs before it exists, step by step, each safe to run again:
-- find the instance by name, enable Smart Connect and follow its job, make sure the topic
-- exists, check that the peer can be reached, then ensure the task and wait until it runs.
-- Reads KAFKA_INSTANCE_NAME (default demo-kafka-plain, the emulator's instance without Smart
-- Connect), KAFKA_PEER_NAME (default demo-kafka), WAIT_INTERVAL (default 5 s), and the SDK's
-- environment (HUAWEICLOUD_SDK_*). As a module (require) it returns the walk for other callers.
local hw = require("huaweicloud")

-- o: { instance = name, peer = name, topic = name, task = name, interval = s, sleep = fn? }
-- Returns what each step gave: { instance, job?, enabled, topic, topic_meta, task, task_meta }.
local function walk(kafka, o)
  local out = {}
  local inst = hw.assert(kafka:find_instance({ name = o.instance }))
  local peer = hw.assert(kafka:find_instance({ name = o.peer }))
  out.instance = inst
  if not inst.connector_enable then
    local job = hw.assert(kafka:create_connector({ instance_id = inst.instance_id }))
    -- the job first (EXECUTING -> SUCCESS), then the instance with Smart Connect on
    out.job = select(2, hw.assert(kafka:wait_job({ instance_id = inst.instance_id, job_id = job.job_id,
      interval = o.interval, sleep = o.sleep })))
    inst = hw.assert(kafka:wait_instance({ instance_id = inst.instance_id, ["until"] = "enabled",
      interval = o.interval, sleep = o.sleep }))
  end
  out.enabled = inst.connector_enable
  out.topic, out.topic_meta = hw.assert(kafka:ensure_topic({ instance_id = inst.instance_id,
    body = { id = o.topic, partition = 3, replication = 3 } }))
  out.task, out.task_meta = hw.assert(kafka:ensure_connector_task({ instance_id = inst.instance_id,
    validate_first = true, wait = true, interval = o.interval, sleep = o.sleep,
    body = hw.kafka.kafka_replication_task({ task_name = o.task, topics = o.topic, instance_id = peer.instance_id,
      current_cluster_name = "here", cluster_name = "peer", direction = "pull", replication_factor = 3,
      consumer_strategy = "earliest" }) }))
  return out
end

if ... ~= nil then return walk end -- required as a module

local kafka = hw.assert(hw.kafka.new({
  region = os.getenv("HUAWEICLOUD_SDK_REGION") or "cn-north-4",
  endpoint = os.getenv("HUAWEICLOUD_SDK_ENDPOINT"),
}))
local r = walk(kafka, { instance = os.getenv("KAFKA_INSTANCE_NAME") or "demo-kafka-plain",
  peer = os.getenv("KAFKA_PEER_NAME") or "demo-kafka", topic = "orders", task = "orders-from-peer",
  interval = tonumber(os.getenv("WAIT_INTERVAL") or "") or 5 })
print(("instance %s (%s): Smart Connect %s%s"):format(r.instance.name, r.instance.instance_id,
  r.enabled and "on" or "off", r.job and (", enabled by a job: " .. table.concat(r.job.history, " -> ")) or ""))
print(("topic %s: %s"):format(r.topic.name, r.topic_meta.created and "created" or "exists"))
print(("task %s: %s (%s)"):format(r.task.task_name, r.task.status,
  r.task_meta.created and table.concat(r.task_meta.history, " -> ") or "exists"))
