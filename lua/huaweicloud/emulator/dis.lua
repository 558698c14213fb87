-- huaweicloud.emulator.dis: the fake DIS behind the emulator: streams and their dump (transfer)
-- tasks, with the states and error codes the service uses.
--   stream: CREATING -> RUNNING; delete TERMINATING -> gone (DIS.4301); DIS.4307 when it exists
--   dump task: STARTING -> RUNNING; stop -> PAUSED; start PAUSED -> STARTING -> RUNNING; delete ->
--   gone (DIS.4354); DIS.4355 for a second task of the same name; DIS.4357 past the quota
-- Only declared or created streams exist (DIS.4301 otherwise, as in the cloud), unless
-- cfg.auto_create. Every code and state, with its source: docs/emulator.md.
local M = { handlers = {} }
local H = M.handlers

local util = require("huaweicloud.emulator.util")

-- DIS error_codes.rst
local function err(code, message)
  return util.error(400, "dis", code, message)
end

local function no_stream(name) return err("DIS.4301", "The stream does not exist. " .. tostring(name)) end
local function no_task() return err("DIS.4354", "The transfer task does not exist.") end

-- Makes the stream spec ({ stream_name, partition_count?, ... } as create_stream takes it) in
-- project state p, CREATING.
function M.new_stream(emu, p, spec)
  local s = { stream_name = spec.stream_name, stream_id = util.random_uuid():gsub("%-", ""):sub(1, 20),
    create_time = emu:now_ms(), status = "CREATING", stream_type = spec.stream_type or "COMMON",
    data_type = spec.data_type or "BLOB", retention_period = spec.data_duration or 24,
    partition_count = spec.partition_count or 1, tasks = {}, tags = spec.tags, sys_tags = spec.sys_tags,
    auto_scale_enabled = spec.auto_scale_enabled or false,
    auto_scale_min_partition_count = spec.auto_scale_min_partition_count or 0,
    auto_scale_max_partition_count = spec.auto_scale_max_partition_count or 0,
    compression_format = spec.compression_format, data_schema = spec.data_schema, scalings = {} }
  s.last_modified_time = s.create_time
  emu:later(s, "status", "RUNNING", emu.cfg.delays.stream)
  p.streams[s.stream_name] = s
  return s
end

-- The stream (settled), or nil when it is absent or gone.
local function stream(emu, project, name, create)
  local p = emu:project(project)
  local s = p.streams[name]
  if s then
    emu:settle(s)
    if s.gone then
      p.streams[name] = nil
      s = nil
    end
  end
  if not s and create and emu.cfg.auto_create then
    s = M.new_stream(emu, p, { stream_name = name })
    s.status, s.pending = "RUNNING", nil
  end
  return s
end

local function task_named(emu, s, name)
  for i, t in ipairs(s.tasks) do
    if t.task_name == name then
      emu:settle(t)
      return t, i
    end
  end
end

local function task_view(t, s, full)
  local v = { task_name = t.task_name, task_id = t.task_id, state = t.state, destination_type = t.destination_type,
    create_time = t.create_time, last_transfer_timestamp = t.last_transfer_timestamp }
  if full then
    v.stream_name, v.stream_id = s.stream_name, s.stream_id
    v.partitions = { { partitionId = "shardId-0000000000", discard = 0, state = t.state,
      last_transfer_timestamp = t.last_transfer_timestamp, last_transfer_offset = 0 } }
    if t.obs then
      local d = util.public(t.obs)
      d.retry_duration = 1800
      v.obs_destination_description = d
    end
  end
  return v
end

-- The dump task's agency is one of the account's (cfg.agencies, what list_agencies answers); with
-- auto_create (load tests) any is.
local function known_agency(emu, obs)
  if emu.cfg.auto_create then return true end
  for _, a in ipairs(emu.cfg.agencies or {}) do
    if obs and a == obs.agency_name then return true end
  end
  return false
end

function H.create_obs_transfer_task(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name, true)
  if not s then return no_stream(ctx.params.stream_name) end
  local body = ctx.body
  local name = body.obs_destination_descriptor and body.obs_destination_descriptor.task_name or "task"
  if task_named(emu, s, name) then return err("DIS.4355", "The transfer task already exists.") end
  if not known_agency(emu, body.obs_destination_descriptor) then return err("DIS.4335", "Invalid IAM agency.") end
  if #s.tasks >= emu.cfg.dis_task_quota then return err("DIS.4357", "Exceeded transfer task quota.") end
  local t = { task_name = name, task_id = util.random_uuid():gsub("%-", ""):sub(1, 20), state = "STARTING",
    destination_type = body.destination_type, create_time = emu:now_ms(), last_transfer_timestamp = 0,
    obs = body.obs_destination_descriptor }
  emu:later(t, "state", "RUNNING", emu.cfg.delays.transfer)
  table.insert(s.tasks, t)
  emu.dis_tasks[#emu.dis_tasks + 1] = { project_id = ctx.project, stream_name = ctx.params.stream_name, task = body }
  return 201, ""
end

function H.list_transfer_tasks(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name)
  if not s then return no_stream(ctx.params.stream_name) end
  local tasks = {}
  for _, t in ipairs(s.tasks) do tasks[#tasks + 1] = task_view(emu:settle(t), s) end
  return 200, { total_number = #tasks, quota = emu.cfg.dis_task_quota, tasks = util.array(tasks) }
end

function H.show_transfer_task(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name)
  if not s then return no_stream(ctx.params.stream_name) end
  local t = task_named(emu, s, ctx.params.task_name)
  if not t then return no_task() end
  return 200, task_view(t, s, true)
end

function H.delete_transfer_task(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name)
  if not s then return no_stream(ctx.params.stream_name) end
  local _, i = task_named(emu, s, ctx.params.task_name)
  if not i then return no_task() end
  table.remove(s.tasks, i)
  return 204, ""
end

-- The body's action is checked by the request model (each operation's enum has its own).
local function action(emu, ctx, want)
  local s = stream(emu, ctx.project, ctx.params.stream_name)
  if not s then return no_stream(ctx.params.stream_name) end
  local found = {}
  for _, ref in ipairs(ctx.body.tasks) do
    local hit
    for _, t in ipairs(s.tasks) do
      if t.task_id == ref.id then hit = emu:settle(t) end
    end
    if not hit then return no_task() end
    found[#found + 1] = hit
  end
  for _, t in ipairs(found) do
    if want == "stop" then
      t.state, t.pending = "PAUSED", nil
    elseif t.state ~= "RUNNING" then
      t.state = "STARTING"
      emu:later(t, "state", "RUNNING", emu.cfg.delays.transfer)
    end
  end
  return 200, ""
end

function H.batch_start_transfer_task(emu, ctx) return action(emu, ctx, "start") end
function H.batch_stop_transfer_task(emu, ctx) return action(emu, ctx, "stop") end

function H.create_stream(emu, ctx)
  local name = ctx.body.stream_name
  if stream(emu, ctx.project, name) then return err("DIS.4307", "The stream already exists.") end
  M.new_stream(emu, emu:project(ctx.project), ctx.body)
  return 201, ""
end

-- What list_streams shows of a stream (querying_streams.rst: partition_count, auto_scale_*, tags).
local function stream_info(s)
  return { stream_name = s.stream_name, stream_id = s.stream_id, create_time = s.create_time,
    retention_period = s.retention_period, status = s.status, stream_type = s.stream_type, data_type = s.data_type,
    partition_count = s.partition_count, tags = util.array(s.tags), sys_tags = s.sys_tags,
    auto_scale_enabled = s.auto_scale_enabled, auto_scale_min_partition_count = s.auto_scale_min_partition_count,
    auto_scale_max_partition_count = s.auto_scale_max_partition_count }
end

local function partition_id(i) return ("shardId-%010d"):format(i) end

-- show_stream: the stream with a page of its partitions, after start_partitionId (exclusive) and
-- at most limit_partitions (default 100) of them (querying_details_of_a_stream.rst).
function H.show_stream(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name)
  if not s then return no_stream(ctx.params.stream_name) end
  local v = { stream_name = s.stream_name, stream_id = s.stream_id, create_time = s.create_time,
    last_modified_time = s.last_modified_time, status = s.status, stream_type = s.stream_type,
    data_type = s.data_type, retention_period = s.retention_period, writable_partition_count = s.partition_count,
    readable_partition_count = s.partition_count, tags = util.array(s.tags), sys_tags = s.sys_tags,
    auto_scale_enabled = s.auto_scale_enabled, auto_scale_min_partition_count = s.auto_scale_min_partition_count,
    auto_scale_max_partition_count = s.auto_scale_max_partition_count, compression_format = s.compression_format,
    data_schema = s.data_schema, update_partition_counts = util.array(s.scalings) }
  local after, limit = ctx.query.start_partitionId, tonumber(ctx.query.limit_partitions) or 100
  local parts = {}
  for i = 0, s.partition_count - 1 do
    local id = partition_id(i)
    if (after == nil or id > after) and #parts < limit then
      parts[#parts + 1] = { status = "ACTIVE", partition_id = id, hash_range = "[0 : 9223372036854775807]",
        sequence_number_range = "[0 : 0]" }
    end
  end
  v.partitions = util.array(parts)
  v.has_more_partitions = #parts > 0 and parts[#parts].partition_id < partition_id(s.partition_count - 1)
  return 200, v
end

function H.list_streams(emu, ctx)
  local names, p = {}, emu:project(ctx.project)
  for name in pairs(p.streams) do
    if stream(emu, ctx.project, name) then names[#names + 1] = name end
  end
  table.sort(names)
  local limit, after = tonumber(ctx.query.limit) or 10, ctx.query.start_stream_name
  local page, infos, more = {}, {}, false
  for _, n in ipairs(names) do
    if not after or n > after then
      if #page == limit then
        more = true
        break
      end
      page[#page + 1] = n
      infos[#infos + 1] = stream_info(p.streams[n])
    end
  end
  return 200, { total_number = #names, stream_names = util.array(page), has_more_streams = more,
    stream_info_list = util.array(infos) }
end

function H.delete_stream(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name)
  if not s or s.status == "TERMINATING" then return no_stream(ctx.params.stream_name) end
  s.status = "TERMINATING"
  emu:later(s, "status", "DELETED", emu.cfg.delays.delete, function(x) x.gone = true end)
  return 204, ""
end

-- ---- scaling (changing_partition_quantity.rst) -----------------------------------------------------

-- A count below 1, or a body naming another stream: DIS.4200. More than cfg.scalings_per_hour
-- (5, the page's "a total of five times within one hour") in the last hour: not documented which
-- code, the emulator answers DIS.4200 too. The new count holds at once (the page gives no state).
function H.update_partition_count(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name)
  if not s then return no_stream(ctx.params.stream_name) end
  local b = ctx.body
  if b.stream_name ~= s.stream_name then
    return err("DIS.4200", "Invalid request. stream_name differs from the path.")
  end
  if b.target_partition_count < 1 then
    return err("DIS.4200", "Invalid request. target_partition_count must be greater than 0.")
  end
  local now, recent = emu:now_ms(), 0
  for _, sc in ipairs(s.scalings) do
    if now - sc.create_timestamp < 3600 * 1000 then recent = recent + 1 end
  end
  if recent >= emu.cfg.scalings_per_hour then
    return err("DIS.4200", "Invalid request. The stream was scaled " .. recent .. " times in the last hour.")
  end
  s.scalings[#s.scalings + 1] = { create_timestamp = now, src_partition_count = s.partition_count,
    target_partition_count = b.target_partition_count, result_code = 0, result_msg = "success", auto_scale = false }
  s.partition_count, s.last_modified_time = b.target_partition_count, now
  return 200, ""
end

-- ---- tags (tag_management/*.rst) ---------------------------------------------------------------------

local MAX_TAGS = 10 -- DIS.4601 "A maximum of 10 tags can be added to a resource."

local function by_id(emu, ctx)
  for name in pairs(emu:project(ctx.project).streams) do
    local s = stream(emu, ctx.project, name)
    if s and s.stream_id == ctx.params.stream_id then return s end
  end
end

local function no_resource() return err("DIS.4603", "The resource does not exist.") end

-- Adds or changes the tags of list on s; DIS.4601 past MAX_TAGS (nothing is changed then).
local function put_tags(s, list)
  local tags = {}
  for _, t in ipairs(s.tags or {}) do tags[#tags + 1] = { key = t.key, value = t.value } end
  for _, t in ipairs(list) do
    local hit
    for _, have in ipairs(tags) do
      if have.key == t.key then hit = have end
    end
    if hit then hit.value = t.value else tags[#tags + 1] = { key = t.key, value = t.value } end
  end
  if #tags > MAX_TAGS then return err("DIS.4601", "The number of resource tags has reached the maximum.") end
  s.tags = tags
  return 204, ""
end

local function drop_tag(s, key)
  for i, t in ipairs(s.tags or {}) do
    if t.key == key then
      table.remove(s.tags, i)
      return true
    end
  end
end

function H.create_tag(emu, ctx)
  local s = by_id(emu, ctx)
  if not s then return no_resource() end
  return put_tags(s, { ctx.body.tag })
end

-- Two tags of one key in the body: "an error is reported" (adding_resource_tags.rst; its code is
-- not documented: the emulator answers DIS.4200).
function H.batch_create_tags(emu, ctx)
  local s = by_id(emu, ctx)
  if not s then return no_resource() end
  local seen = {}
  for _, t in ipairs(ctx.body.tags) do
    if seen[t.key] then return err("DIS.4200", "Invalid request. Duplicate tag key " .. tostring(t.key) .. ".") end
    seen[t.key] = true
  end
  return put_tags(s, ctx.body.tags)
end

function H.delete_tag(emu, ctx)
  local s = by_id(emu, ctx)
  if not s then return no_resource() end
  if not drop_tag(s, ctx.params.key) then return err("DIS.4604", "The key does not exist.") end
  return 204, ""
end

-- A key the stream lacks is no error in a batch (deleting_resource_tags.rst: "If the deleted tag does
-- not exist, the deletion is considered successful").
function H.batch_delete_tags(emu, ctx)
  local s = by_id(emu, ctx)
  if not s then return no_resource() end
  for _, t in ipairs(ctx.body.tags) do drop_tag(s, t.key) end
  return 204, ""
end

function H.show_stream_tags(emu, ctx)
  local s = by_id(emu, ctx)
  if not s then return no_resource() end
  return 200, { tags = util.array(s.tags) }
end

-- Every key of the project's streams with its values, keys in order.
function H.list_tags(emu, ctx)
  local values, keys = {}, {}
  for name in pairs(emu:project(ctx.project).streams) do
    local s = stream(emu, ctx.project, name)
    for _, t in ipairs(s and s.tags or {}) do
      if not values[t.key] then
        values[t.key], keys[#keys + 1] = {}, t.key
      end
      values[t.key][#values[t.key] + 1] = t.value
    end
  end
  table.sort(keys)
  local out = {}
  for _, k in ipairs(keys) do
    table.sort(values[k])
    out[#out + 1] = { key = k, values = values[k] }
  end
  return 200, { tags = util.array(out) }
end

return M
