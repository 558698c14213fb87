-- huaweicloud.emulator.kafka: the fake DMS for Kafka behind the emulator: instances (Smart Connect
-- on or off) and their Smart Connect tasks, with the states the service moves through.
--   task:     CREATING -> RUNNING (WAITING when start_later); pause RUNNING -> PAUSED; resume
--             PAUSED -> RUNNING; restart WAITING/PAUSED/RUNNING -> RESTARTING -> RUNNING;
--             delete DELETING -> gone (show answers 404)
--   instance: enable EXTENDING -> RUNNING (connector_enable), disable CONNECTOR_DELETING -> RUNNING
-- At most cfg.max_connector_tasks (18) tasks per instance. Handlers get (emu, ctx); see .service.
local M = { handlers = {} }
local H = M.handlers

local function svc() return require("huaweicloud.emulator.service") end

local function err(status, code, message)
  return svc().error(status, "dms", code, message)
end

local NO_INSTANCE = "DMS.00404022"

-- The instance of ctx, made on first use unless the test declared the instances.
local function instance(emu, ctx, create)
  local key = ctx.project .. "/" .. ctx.params.instance_id
  local inst = emu.instances[key]
  if inst then return emu:settle(inst) end
  local declared = emu.cfg.instances
  if declared then
    for _, d in ipairs(declared) do
      if d.instance_id == ctx.params.instance_id then
        inst = { instance_id = d.instance_id, name = d.name or d.instance_id, status = d.status or "RUNNING",
          connector_enable = d.connector_enable ~= false }
      end
    end
    if not inst then return nil end
  elseif not create then
    return nil
  else
    inst = { instance_id = ctx.params.instance_id, name = "kafka-" .. ctx.params.instance_id:sub(1, 8),
      status = "RUNNING", connector_enable = true }
  end
  inst.tasks, inst.engine, inst.engine_version, inst.type = {}, "kafka", "2.7", "cluster"
  inst.specification, inst.storage_space, inst.used_storage_space = "100MB", 600, 0
  inst.created_at = tostring(math.floor(emu:now_ms()))
  if inst.connector_enable then inst.connector_id, inst.connector_node_num = svc().random_uuid(), 2 end
  emu.instances[key] = inst
  return inst
end

local function no_instance()
  return err(404, NO_INSTANCE, "The instance does not exist")
end

-- The task of ctx (settled), its index, or nil when it is gone.
local function task_of(emu, inst, id)
  for i, t in ipairs(inst.tasks) do
    if t.id == id then
      emu:settle(t)
      if t.gone then
        table.remove(inst.tasks, i)
        return nil
      end
      return t, i
    end
  end
end

local function no_task(id)
  return err(404, "DMS.00404022", "The Smart Connect task does not exist: " .. tostring(id))
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
  local inst = instance(emu, ctx, true)
  if not inst then return no_instance() end
  if not inst.connector_enable or inst.status ~= "RUNNING" then
    return err(400, "DMS.00400026", "Smart Connect is not enabled, or the instance is " .. inst.status)
  end
  local live = 0
  for _, t in ipairs(inst.tasks) do if not emu:settle(t).gone then live = live + 1 end end
  if live >= emu.cfg.max_connector_tasks then
    return err(400, "DMS.00400035", "The number of Smart Connect tasks has reached the quota (" ..
      emu.cfg.max_connector_tasks .. ")")
  end
  local body = ctx.body
  local view = svc().public(body)
  view.start_later = nil -- not part of the answer
  view.id = svc().random_uuid()
  view.create_time = emu:now_ms()
  if type(view.sink_task) == "table" then sink_defaults(body.sink_type, view.sink_task) end
  local task = { id = view.id, view = view, status = "CREATING" }
  emu:later(task, "status", body.start_later and "WAITING" or "RUNNING", emu.cfg.delays.task)
  table.insert(inst.tasks, task)
  emu.kafka_tasks[#emu.kafka_tasks + 1] = { project_id = ctx.project, instance_id = ctx.params.instance_id,
    task = shown(task) }
  return 200, shown(task)
end

function H.list_connector_tasks(emu, ctx)
  local inst = instance(emu, ctx, true)
  if not inst then return no_instance() end
  local all = {}
  for _, t in ipairs(inst.tasks) do
    if not emu:settle(t).gone then all[#all + 1] = t end
  end
  local offset = tonumber(ctx.query.offset) or 0
  local limit = tonumber(ctx.query.limit) or 10
  local page = {}
  for i = offset + 1, math.min(#all, offset + limit) do page[#page + 1] = shown(all[i]) end
  return 200, { tasks = setmetatable(page, require("cjson").array_mt), total_number = #all,
    max_tasks = emu.cfg.max_connector_tasks, quota_tasks = emu.cfg.max_connector_tasks - #all }
end

function H.show_connector_task(emu, ctx)
  local inst = instance(emu, ctx, true)
  if not inst then return no_instance() end
  local t = task_of(emu, inst, ctx.params.task_id)
  if not t then return no_task(ctx.params.task_id) end
  return 200, shown(t)
end

function H.delete_connector_task(emu, ctx)
  local inst = instance(emu, ctx, true)
  if not inst then return no_instance() end
  local t = task_of(emu, inst, ctx.params.task_id)
  if not t or t.status == "DELETING" then return no_task(ctx.params.task_id) end
  t.status = "DELETING"
  emu:later(t, "status", "DELETED", emu.cfg.delays.delete, function(x) x.gone = true end)
  return 204, ""
end

-- pause, resume, restart: a move from the states it is allowed in, through `via` to `to`.
local function move(emu, ctx, from, via, to)
  local inst = instance(emu, ctx, true)
  if not inst then return no_instance() end
  local t = task_of(emu, inst, ctx.params.task_id)
  if not t or t.status == "DELETING" then return no_task(ctx.params.task_id) end
  if not from[t.status] then
    return err(400, "DMS.00400026", "The task cannot do that while it is " .. t.status)
  end
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
  local inst = instance(emu, ctx, true)
  local t = inst and task_of(emu, inst, ctx.params.task_id)
  if t and t.status == "WAITING" then return move(emu, ctx, { WAITING = true }, nil, "RUNNING") end
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
  local inst = instance(emu, ctx, true)
  if not inst then return no_instance() end
  return 200, instance_view(inst)
end

function H.create_connector(emu, ctx)
  local inst = instance(emu, ctx, true)
  if not inst then return no_instance() end
  if inst.connector_enable or inst.status ~= "RUNNING" then
    return err(400, "DMS.00400026", "Smart Connect is already enabled, or the instance is " .. inst.status)
  end
  local connector_id = svc().random_uuid()
  inst.status = "EXTENDING"
  emu:later(inst, "status", "RUNNING", emu.cfg.delays.connector, function(x)
    x.connector_enable, x.connector_id = true, connector_id
    x.connector_node_num = tonumber(ctx.body and ctx.body.node_cnt) or 2
  end)
  return 200, { job_id = svc().random_uuid(), connector_id = connector_id }
end

function H.delete_connector(emu, ctx)
  local inst = instance(emu, ctx, true)
  if not inst then return no_instance() end
  if not inst.connector_enable or inst.status ~= "RUNNING" then
    return err(400, "DMS.00400026", "Smart Connect is not enabled, or the instance is " .. inst.status)
  end
  inst.status = "CONNECTOR_DELETING"
  emu:later(inst, "status", "RUNNING", emu.cfg.delays.connector, function(x)
    x.connector_enable, x.connector_id, x.connector_node_num, x.tasks = false, nil, nil, {}
  end)
  return 200, { job_id = svc().random_uuid() }
end

return M
