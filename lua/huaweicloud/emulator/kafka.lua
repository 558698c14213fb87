-- huaweicloud.emulator.kafka: the fake DMS for Kafka behind the emulator: instances (Smart Connect
-- on or off) and their Smart Connect tasks, with the states the service moves through.
--   task:     CREATING -> RUNNING (WAITING when start_later); pause RUNNING -> PAUSED; resume
--             PAUSED -> RUNNING; restart WAITING/PAUSED/RUNNING -> RESTARTING -> RUNNING;
--             delete: gone at once (show answers 404; no deleting status is documented)
--   instance: enable EXTENDING -> RUNNING (connector_enable), disable CONNECTOR_DELETING -> RUNNING
-- Only declared instances exist (404 DMS.00404022 otherwise, as in the cloud), unless
-- cfg.auto_create. At most cfg.max_connector_tasks (18) tasks per instance. Handlers get
-- (emu, ctx); see .service. Every code and state, with its source: docs/emulator.md.
local M = { handlers = {} }
local H = M.handlers

local function svc() return require("huaweicloud.emulator.service") end

local function err(status, code, message)
  return svc().error(status, "dms", code, message)
end

-- DMS error_codes.rst
local NO_INSTANCE = { 404, "DMS.00404022", "This instance does not exist." }
local BAD_STATUS = { 400, "DMS.00400026", "This operation is not allowed due to the instance status." }
local QUOTA = { 400, "DMS.00400039", "The quota limit has been reached." }

local function answer(e, detail)
  return err(e[1], e[2], e[3] .. (detail and (" " .. detail) or ""))
end

-- Makes the instance d ({ instance_id, name?, status?, connector_enable? }) in project state p.
function M.new_instance(emu, p, d)
  local inst = { instance_id = d.instance_id, name = d.name or ("kafka-" .. d.instance_id:sub(1, 8)),
    status = d.status or "RUNNING", connector_enable = d.connector_enable ~= false, tasks = {}, engine = "kafka",
    engine_version = "2.7", type = "cluster", specification = "100MB", storage_space = 600, used_storage_space = 0,
    created_at = tostring(math.floor(emu:now_ms())) }
  if inst.connector_enable then inst.connector_id, inst.connector_node_num = svc().random_uuid(), 2 end
  p.instances[inst.instance_id] = inst
  return inst
end

-- The instance of ctx (settled), or nil when it does not exist.
local function instance(emu, ctx)
  local p = emu:project(ctx.project)
  local inst = p.instances[ctx.params.instance_id]
  if not inst and emu.cfg.auto_create then inst = M.new_instance(emu, p, { instance_id = ctx.params.instance_id }) end
  return inst and emu:settle(inst)
end

-- The task of ctx (settled) and its index, or nil.
local function task_of(emu, inst, id)
  for i, t in ipairs(inst.tasks) do
    if t.id == id then return emu:settle(t), i end
  end
end

-- Which code a missing task answers is not documented: the emulator's choice, a 404 as
-- Terraform reads one (docs/emulator.md).
local function no_task(id)
  return err(404, "DMS.00404022", "The Smart Connect task does not exist: " .. tostring(id))
end

-- The instance, task and its index of ctx, or nil and the error answer (status, body).
local function instance_task(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return nil, answer(NO_INSTANCE) end
  local t, i = task_of(emu, inst, ctx.params.task_id)
  if not t then return nil, no_task(ctx.params.task_id) end
  return inst, t, i
end

-- The task as the service shows it: no start_later, no secrets, no state of the emulator's own.
local function shown(t)
  local out = {}
  for k, v in pairs(t.view) do out[k] = v end
  out.status = t.status
  return out
end

-- The documented defaults the service reports back for a sink.
local function sink_defaults(sink_type, sink)
  if sink_type == "REDIS_REPLICATOR_SINK" then
    if sink.target_db == nil then sink.target_db = -1 end
  elseif sink_type == "OBS_SINK" then
    local d = {
      deliver_time_interval = 300, obs_part_size = 5242880, flush_size = 1000000, timezone = "UTC",
      schema_generator_class = "io.confluent.connect.storage.hive.schema.DefaultSchemaGenerator",
      partitioner_class = "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
      value_converter = "org.apache.kafka.connect.converters.ByteArrayConverter",
      key_converter = "org.apache.kafka.connect.converters.ByteArrayConverter",
      kv_delimiter = ":",
    }
    for k, v in pairs(d) do
      if sink[k] == nil then sink[k] = v end
    end
  end
end

function H.create_connector_task(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  if not inst.connector_enable or inst.status ~= "RUNNING" then return answer(BAD_STATUS) end
  if #inst.tasks >= emu.cfg.max_connector_tasks then return answer(QUOTA) end
  local body = ctx.body
  local view = svc().public(body)
  view.start_later = nil -- not part of the answer
  view.id = svc().random_uuid()
  view.create_time = emu:now_ms()
  if type(view.sink_task) == "table" then sink_defaults(body.sink_type, view.sink_task) end
  local task = { id = view.id, view = view, status = "CREATING", made = emu:clock() }
  emu:later(task, "status", body.start_later and "WAITING" or "RUNNING", emu.cfg.delays.task)
  table.insert(inst.tasks, task)
  emu.kafka_tasks[#emu.kafka_tasks + 1] = { project_id = ctx.project, instance_id = ctx.params.instance_id,
    task = shown(task) }
  return 200, shown(task)
end

-- quota_tasks is the quota, like max_tasks (the docs' example: total_number 3, max_tasks 18,
-- quota_tasks 18; querying_smart_connect_tasks.rst)
function H.list_connector_tasks(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  -- list_lag (the emulator's own knob, for tests): a list that shows a new task only later
  local all, lag = {}, emu.cfg.list_lag or 0
  for _, t in ipairs(inst.tasks) do
    if lag <= 0 or emu:clock() - t.made >= lag then all[#all + 1] = t end
  end
  local offset = tonumber(ctx.query.offset) or 0
  local limit = tonumber(ctx.query.limit) or 10
  local page = {}
  for i = offset + 1, math.min(#all, offset + limit) do page[#page + 1] = shown(emu:settle(all[i])) end
  return 200, { tasks = svc().array(page), total_number = #all, max_tasks = emu.cfg.max_connector_tasks,
    quota_tasks = emu.cfg.max_connector_tasks }
end

function H.show_connector_task(emu, ctx)
  local inst, t, i = instance_task(emu, ctx)
  if not inst then return t, i end
  return 200, shown(t)
end

function H.delete_connector_task(emu, ctx)
  local inst, t, i = instance_task(emu, ctx)
  if not inst then return t, i end
  table.remove(inst.tasks, i)
  return 204, ""
end

-- pause, resume, restart: a move from the states it is allowed in, through `via` to `to`. A move
-- a task's state does not allow: not documented for tasks, the emulator answers DMS.00400026.
local function move(emu, ctx, from, via, to)
  local inst, t, i = instance_task(emu, ctx)
  if not inst then return t, i end
  if not from[t.status] then return answer(BAD_STATUS, "(task status " .. t.status .. ")") end
  t.status = via or t.status
  emu:later(t, "status", to, emu.cfg.delays.task)
  return 204, ""
end

function H.pause_connector_task(emu, ctx)
  return move(emu, ctx, { RUNNING = true }, nil, "PAUSED")
end

function H.resume_connector_task(emu, ctx)
  return move(emu, ctx, { PAUSED = true }, nil, "RUNNING")
end

function H.restart_connector_task(emu, ctx)
  local inst, t = instance_task(emu, ctx)
  if inst and t.status == "WAITING" then return move(emu, ctx, { WAITING = true }, nil, "RUNNING") end
  return move(emu, ctx, { PAUSED = true, RUNNING = true }, "RESTARTING", "RUNNING")
end

local function instance_view(inst)
  local out = {}
  for k, v in pairs(inst) do
    if k ~= "tasks" and k ~= "pending" then out[k] = v end
  end
  return out
end

function H.show_instance(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  return 200, instance_view(inst)
end

function H.create_connector(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  if inst.connector_enable or inst.status ~= "RUNNING" then return answer(BAD_STATUS) end
  local connector_id = svc().random_uuid()
  inst.status = "EXTENDING"
  emu:later(inst, "status", "RUNNING", emu.cfg.delays.connector, function(x)
    x.connector_enable, x.connector_id = true, connector_id
    x.connector_node_num = tonumber(ctx.body and ctx.body.node_cnt) or 2
  end)
  return 200, { job_id = svc().random_uuid(), connector_id = connector_id }
end

function H.delete_connector(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  if not inst.connector_enable or inst.status ~= "RUNNING" then return answer(BAD_STATUS) end
  inst.status = "CONNECTOR_DELETING"
  emu:later(inst, "status", "RUNNING", emu.cfg.delays.connector, function(x)
    x.connector_enable, x.connector_id, x.connector_node_num, x.tasks = false, nil, nil, {}
  end)
  return 200, { job_id = svc().random_uuid() }
end

return M
