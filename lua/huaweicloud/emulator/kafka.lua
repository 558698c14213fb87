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

local util = require("huaweicloud.emulator.util")

local function err(status, code, message)
  return util.error(status, "dms", code, message)
end

-- DMS error_codes.rst
local NO_INSTANCE = { 404, "DMS.00404022", "This instance does not exist." }
local BAD_STATUS = { 400, "DMS.00400026", "This operation is not allowed due to the instance status." }
local QUOTA = { 400, "DMS.00400039", "The quota limit has been reached." }
local BAD_TOPIC_NAME = { 400, "DMS.00400101", "The name of a Kafka topic must be 3 to 200 characters long and " ..
  "start with a letter." }
local TOO_MANY_REPLICAS = { 400, "DMS.00400861", "Replication factor larger than available brokers." }
local NO_TOPIC = { 400, "DMS.00400975", "Failed to query topics." }

local function answer(e, detail)
  return err(e[1], e[2], e[3] .. (detail and (" " .. detail) or ""))
end

-- What an instance keeps that the service does not show.
local PRIVATE = { tasks = true, pending = true, topics = true, jobs = true, seq = true }

-- Makes the instance d ({ instance_id, name?, status?, connector_enable? }) in project state p.
function M.new_instance(emu, p, d)
  p.seq = (p.seq or 0) + 1
  local inst = { instance_id = d.instance_id, name = d.name or ("kafka-" .. d.instance_id:sub(1, 8)),
    status = d.status or "RUNNING", connector_enable = d.connector_enable ~= false, tasks = {}, engine = "kafka",
    engine_version = "2.7", type = "cluster", specification = "100MB", storage_space = 600, used_storage_space = 0,
    created_at = tostring(math.floor(emu:now_ms())), topics = {}, jobs = {}, seq = p.seq }
  if inst.connector_enable then inst.connector_id, inst.connector_node_num = util.random_uuid(), 2 end
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

local function used_partitions(inst)
  local n = 0
  for _, t in ipairs(inst.topics) do n = n + t.partition end
  return n
end

local function topic_named(inst, name)
  for i, t in ipairs(inst.topics) do
    if t.name == name then return t, i end
  end
end

-- With cfg.check_topics (off by default: the docs do not say that a task's topics must exist),
-- a dump task naming a topic the instance lacks is refused with DMS.00400975 "Failed to query
-- topics." ("Check whether the topic exists.").
local function missing_topic(emu, inst, body)
  if not emu.cfg.check_topics or body.sink_type ~= "OBS_SINK" or type(body.topics) ~= "string" then return end
  for name in body.topics:gmatch("[^,]+") do
    if not topic_named(inst, name) then return name end
  end
end

function H.create_connector_task(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  if not inst.connector_enable or inst.status ~= "RUNNING" then return answer(BAD_STATUS) end
  if #inst.tasks >= emu.cfg.max_connector_tasks then return answer(QUOTA) end
  local missing = missing_topic(emu, inst, ctx.body)
  if missing then return answer(NO_TOPIC, missing) end
  local body = ctx.body
  local view = util.public(body)
  view.start_later = nil -- not part of the answer
  view.id = util.random_uuid()
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
  return 200, { tasks = util.array(page), total_number = #all, max_tasks = emu.cfg.max_connector_tasks,
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
    if not PRIVATE[k] then out[k] = v end
  end
  return out
end

function H.show_instance(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  return 200, instance_view(inst)
end

-- ---- background jobs (background_task_management/*.rst) ----------------------------------------

local function iso(ms)
  return os.date("!%Y-%m-%dT%H:%M:%S", math.floor(ms / 1000)) .. (".%03dZ"):format(math.floor(ms % 1000))
end

-- A background job of inst: EXECUTING until `delay` has passed on the emulator's clock (when the
-- change it makes is due too), then SUCCESS. Its name is the emulator's choice (docs/emulator.md).
local function new_job(emu, inst, name, params, delay)
  local now = emu:now_ms()
  local job = { id = util.random_uuid(), name = name, user_name = "emulator", user_id = "emulator",
    params = util.json.encode(params), status = "EXECUTING", created_at = iso(now), updated_at = iso(now), ms = now }
  emu:later(job, "status", "SUCCESS", delay, function(j) j.updated_at = iso(emu:now_ms()) end)
  table.insert(inst.jobs, 1, job) -- newest first, as the docs' example lists them
  return job.id
end

local function job_view(emu, job)
  emu:settle(job)
  local v = {}
  for _, k in ipairs({ "id", "name", "user_name", "user_id", "params", "status", "created_at", "updated_at" }) do
    v[k] = job[k]
  end
  return v
end

function H.create_connector(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  if inst.connector_enable or inst.status ~= "RUNNING" then return answer(BAD_STATUS) end
  local connector_id = util.random_uuid()
  local nodes = tonumber(ctx.body and ctx.body.node_cnt) or 2
  inst.status = "EXTENDING"
  emu:later(inst, "status", "RUNNING", emu.cfg.delays.connector, function(x)
    x.connector_enable, x.connector_id, x.connector_node_num = true, connector_id, nodes
  end)
  local job = new_job(emu, inst, "createConnector", { node_cnt = nodes }, emu.cfg.delays.connector)
  return 200, { job_id = job, connector_id = connector_id }
end

function H.delete_connector(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  if not inst.connector_enable or inst.status ~= "RUNNING" then return answer(BAD_STATUS) end
  inst.status = "CONNECTOR_DELETING"
  emu:later(inst, "status", "RUNNING", emu.cfg.delays.connector, function(x)
    x.connector_enable, x.connector_id, x.connector_node_num, x.tasks = false, nil, nil, {}
  end)
  return 200, { job_id = new_job(emu, inst, "deleteConnector", {}, emu.cfg.delays.connector) }
end

-- YYYYMMDDHHmmss of a job, as begin_time and end_time are written
local function stamp(job)
  return os.date("!%Y%m%d%H%M%S", math.floor(job.ms / 1000))
end

-- start: the place in the list the page starts at, from 1 (the docs: "ID of the task where the
-- query starts"); limit: 10 unless given (not documented: the emulator's choice).
function H.list_background_tasks(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  local q = ctx.query
  local all = {}
  for _, j in ipairs(inst.jobs) do
    local t = stamp(j)
    if (not q.begin_time or t >= q.begin_time) and (not q.end_time or t <= q.end_time) then all[#all + 1] = j end
  end
  local first, limit = math.max(1, tonumber(q.start) or 1), tonumber(q.limit) or 10
  local page = {}
  for i = first, math.min(#all, first + limit - 1) do page[#page + 1] = job_view(emu, all[i]) end
  return 200, { task_count = tostring(#all), tasks = util.array(page) }
end

-- One job, in the list's shape (querying_a_background_task.rst). A job that does not exist: not
-- documented, the emulator answers 404 as it does for a task.
function H.show_background_task(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  for _, j in ipairs(inst.jobs) do
    if j.id == ctx.params.task_id then return 200, { task_count = "1", tasks = { job_view(emu, j) } } end
  end
  return err(404, "DMS.00404022", "The background task does not exist: " .. tostring(ctx.params.task_id))
end

-- ---- instances (listing_all_instances.rst) --------------------------------------------------------

-- name: a part of the name, or the whole with exact_match_name; engine, instance_id, status: equal.
-- Oldest first; offset from 0, limit 10 unless given (the docs' defaults).
function H.list_instances(emu, ctx)
  local q, p = ctx.query, emu:project(ctx.project)
  local all = {}
  for _, inst in pairs(p.instances) do
    emu:settle(inst)
    local name_ok = q.name == nil or (q.exact_match_name == "true" and inst.name == q.name) or
      (q.exact_match_name ~= "true" and inst.name:find(q.name, 1, true) ~= nil)
    if name_ok and (q.engine == nil or q.engine == inst.engine) and (q.instance_id == nil or
      q.instance_id == inst.instance_id) and (q.status == nil or q.status == inst.status) then
      all[#all + 1] = inst
    end
  end
  table.sort(all, function(a, b) return a.seq < b.seq end)
  local offset, limit = tonumber(q.offset) or 0, tonumber(q.limit) or 10
  local page = {}
  for i = offset + 1, math.min(#all, offset + limit) do page[#page + 1] = instance_view(all[i]) end
  return 200, { instances = util.array(page), instance_num = #all }
end

-- What enabling Smart Connect needs where the instance is: the emulator never runs out.
function H.show_connector_resource_info(emu, ctx)
  if not instance(emu, ctx) then return answer(NO_INSTANCE) end
  return 200, { soldOut = false }
end

-- ---- topics (topic_management/*.rst) --------------------------------------------------------------

-- The list's partition quota: max_partitions 300, topic_max_partitions 200 (the docs' example).
local MAX_PARTITIONS, TOPIC_MAX_PARTITIONS = 300, 200

function H.list_instance_topics(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  local offset, limit = tonumber(ctx.query.offset) or 0, tonumber(ctx.query.limit) or 10
  local page = {}
  for i = offset + 1, math.min(#inst.topics, offset + limit) do page[#page + 1] = inst.topics[i] end
  return 200, { total = #inst.topics, size = #page, topics = util.array(page),
    remain_partitions = MAX_PARTITIONS - used_partitions(inst), max_partitions = MAX_PARTITIONS,
    topic_max_partitions = TOPIC_MAX_PARTITIONS }
end

-- A topic of a name that exists, or more partitions than the instance has left: not documented,
-- the emulator answers DMS.00400062 and DMS.00400039 (docs/emulator.md). Partitions and replicas
-- default to 3 (not documented: Kafka's console's), the retention to 72 h (the page's).
function H.create_instance_topic(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  local b = ctx.body
  if not b.id:match("^%a") then return answer(BAD_TOPIC_NAME) end
  if topic_named(inst, b.id) then
    return err(400, "DMS.00400062", "Invalid request parameter. The topic " .. b.id .. " already exists.")
  end
  local partition, replication = b.partition or 3, b.replication or 3
  if replication > emu.cfg.brokers then return answer(TOO_MANY_REPLICAS) end
  if used_partitions(inst) + partition > MAX_PARTITIONS then return answer(QUOTA, "(partitions)") end
  inst.topics[#inst.topics + 1] = { name = b.id, partition = partition, replication = replication,
    retention_time = b.retention_time or 72, sync_replication = b.sync_replication or false,
    sync_message_flush = b.sync_message_flush or false, topic_type = 0, policiesOnly = false,
    topic_desc = b.topic_desc, created_at = emu:now_ms(), topic_other_configs = util.array(b.topic_other_configs),
    external_configs = {} }
  return 200, { name = b.id }
end

function H.batch_delete_instance_topic(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  local out = {}
  for _, name in ipairs(ctx.body.topics or {}) do
    local _, i = topic_named(inst, name)
    if i then table.remove(inst.topics, i) end
    out[#out + 1] = { id = name, success = i ~= nil }
  end
  return 200, { topics = util.array(out) }
end

-- ---- connectivity (validate) -------------------------------------------------------------------

-- A replication peer is reachable when it is an instance of the project that is RUNNING, or
-- every address of its bootstrap_servers is in cfg.reachable; an OBS sink always is (the
-- emulator knows no OBS). What the service answers when it is not is not documented: the
-- emulator answers DMS.00400062 naming what it could not reach.
function H.validate_connector_connectivity(emu, ctx)
  local inst = instance(emu, ctx)
  if not inst then return answer(NO_INSTANCE) end
  local b, task = ctx.body, ctx.body.task or {}
  if b.type ~= "KAFKA_REPLICATOR_SOURCE" then return 200, {} end
  local unreachable
  if task.instance_id then
    local peer = emu:project(ctx.project).instances[task.instance_id]
    if not (peer and emu:settle(peer).status == "RUNNING") then unreachable = "instance " .. task.instance_id end
  elseif task.bootstrap_servers then
    local known = {}
    for _, a in ipairs(emu.cfg.reachable or {}) do known[a] = true end
    for addr in task.bootstrap_servers:gmatch("[^,%s]+") do
      if not known[addr] then unreachable = unreachable or addr end
    end
  else
    unreachable = "a peer (the task names neither instance_id nor bootstrap_servers)"
  end
  if unreachable then
    return err(400, "DMS.00400062", "Invalid request parameter. Cannot connect to " .. unreachable .. ".")
  end
  return 200, {}
end

-- modify_connector_task (in the SDKs; the user guide says a task cannot be modified): the emulator
-- applies the fields given (never id, status or create_time) and answers the task.
function H.modify_connector_task(emu, ctx)
  local inst, t, i = instance_task(emu, ctx)
  if not inst then return t, i end
  for k, v in pairs(util.public(ctx.body)) do
    if k ~= "id" and k ~= "status" and k ~= "create_time" then
      if type(v) == "table" and type(t.view[k]) == "table" then
        for kk, vv in pairs(v) do t.view[k][kk] = vv end
      else
        t.view[k] = v
      end
    end
  end
  return 200, shown(t)
end

return M
