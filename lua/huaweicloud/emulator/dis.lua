-- huaweicloud.emulator.dis: the fake DIS behind the emulator: streams and their dump (transfer)
-- tasks, with the states and error codes the service uses.
--   stream: CREATING -> RUNNING; delete TERMINATING -> gone (DIS.4301); DIS.4307 when it exists
--   dump task: STARTING -> RUNNING; stop -> PAUSED; start PAUSED -> STARTING -> RUNNING; delete ->
--   gone (DIS.4354); DIS.4355 for a second task of the same name; DIS.4357 past the quota
-- A stream a dump task names exists on first use unless the test declared streams (cfg.streams).
local M = { handlers = {} }
local H = M.handlers

local function svc() return require("huaweicloud.emulator.service") end

local function err(code, message)
  return svc().error(400, "dis", code, message)
end

local function no_stream(name) return err("DIS.4301", "The stream does not exist: " .. tostring(name)) end
local function no_task(name) return err("DIS.4354", "The transfer task does not exist: " .. tostring(name)) end

local function new_stream(emu, project, name, spec)
  spec = spec or {}
  local s = { stream_name = name, stream_id = svc().random_uuid():gsub("%-", ""):sub(1, 20),
    create_time = emu:now_ms(), status = "CREATING", stream_type = spec.stream_type or "COMMON",
    data_type = spec.data_type or "BLOB", retention_period = spec.data_duration or 24,
    partition_count = spec.partition_count or 1, tasks = {}, tags = spec.tags }
  s.last_modified_time = s.create_time
  emu:later(s, "status", "RUNNING", emu.cfg.delays.stream)
  emu.streams[project .. "/" .. name] = s
  return s
end

-- The stream (settled), or nil when it is absent or gone.
local function stream(emu, project, name, create)
  local key = project .. "/" .. name
  local s = emu.streams[key]
  if s then
    emu:settle(s)
    if s.gone then
      emu.streams[key] = nil
      s = nil
    end
  end
  if not s and create and not emu.cfg.streams then
    s = new_stream(emu, project, name)
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
      local d = svc().public(t.obs)
      d.retry_duration = 1800
      v.obs_destination_description = d
    end
  end
  return v
end

function H.create_obs_transfer_task(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name, true)
  if not s then return no_stream(ctx.params.stream_name) end
  local body = ctx.body
  local name = body.obs_destination_descriptor and body.obs_destination_descriptor.task_name or "task"
  if task_named(emu, s, name) then return err("DIS.4355", "The transfer task already exists: " .. name) end
  if #s.tasks >= emu.cfg.dis_task_quota then
    return err("DIS.4357", "The number of transfer tasks has reached the quota (" .. emu.cfg.dis_task_quota .. ")")
  end
  local t = { task_name = name, task_id = svc().random_uuid():gsub("%-", ""):sub(1, 20), state = "STARTING",
    destination_type = body.destination_type, create_time = emu:now_ms(), last_transfer_timestamp = 0,
    obs = body.obs_destination_descriptor }
  emu:later(t, "state", "RUNNING", emu.cfg.delays.transfer)
  table.insert(s.tasks, t)
  emu.dis_tasks[#emu.dis_tasks + 1] = { project_id = ctx.project, stream_name = ctx.params.stream_name, task = body }
  return 201, ""
end

function H.list_transfer_tasks(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name, true)
  if not s then return no_stream(ctx.params.stream_name) end
  local tasks = {}
  for _, t in ipairs(s.tasks) do tasks[#tasks + 1] = task_view(emu:settle(t), s) end
  return 200, { total_number = #tasks, quota = emu.cfg.dis_task_quota, tasks = tasks }
end

function H.show_transfer_task(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name, true)
  if not s then return no_stream(ctx.params.stream_name) end
  local t = task_named(emu, s, ctx.params.task_name)
  if not t then return no_task(ctx.params.task_name) end
  return 200, task_view(t, s, true)
end

function H.delete_transfer_task(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name, true)
  if not s then return no_stream(ctx.params.stream_name) end
  local _, i = task_named(emu, s, ctx.params.task_name)
  if not i then return no_task(ctx.params.task_name) end
  table.remove(s.tasks, i)
  return 204, ""
end

local function action(emu, ctx, want)
  local s = stream(emu, ctx.project, ctx.params.stream_name, true)
  if not s then return no_stream(ctx.params.stream_name) end
  if ctx.body.action ~= want then
    return err("DIS.4200", "Invalid request: action must be " .. want .. " for this operation")
  end
  local found = {}
  for _, ref in ipairs(ctx.body.tasks) do
    local hit
    for _, t in ipairs(s.tasks) do
      if t.task_id == ref.id then hit = emu:settle(t) end
    end
    if not hit then return no_task(ref.id) end
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
  if stream(emu, ctx.project, name, false) then return err("DIS.4307", "The stream already exists: " .. name) end
  new_stream(emu, ctx.project, name, ctx.body)
  return 201, ""
end

local function stream_view(s)
  return { stream_name = s.stream_name, stream_id = s.stream_id, create_time = s.create_time,
    last_modified_time = s.last_modified_time, status = s.status, stream_type = s.stream_type, data_type = s.data_type,
    retention_period = s.retention_period, writable_partition_count = s.partition_count,
    readable_partition_count = s.partition_count, tags = s.tags }
end

function H.show_stream(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name, false)
  if not s then return no_stream(ctx.params.stream_name) end
  local v = stream_view(s)
  v.partitions = {}
  for i = 1, s.partition_count do
    v.partitions[i] = { status = "ACTIVE", partition_id = ("shardId-%010d"):format(i - 1),
      hash_range = "[0 : 9223372036854775807]", sequence_number_range = "[0 : 0]" }
  end
  v.has_more_partitions = false
  return 200, v
end

function H.list_streams(emu, ctx)
  local names, prefix = {}, ctx.project .. "/"
  for key in pairs(emu.streams) do
    if key:sub(1, #prefix) == prefix then
      local s = stream(emu, ctx.project, key:sub(#prefix + 1), false)
      if s then names[#names + 1] = s.stream_name end
    end
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
      infos[#infos + 1] = stream_view(emu.streams[prefix .. n])
    end
  end
  return 200, { total_number = #names, stream_names = page, has_more_streams = more, stream_info_list = infos }
end

function H.delete_stream(emu, ctx)
  local s = stream(emu, ctx.project, ctx.params.stream_name, false)
  if not s or s.status == "TERMINATING" then return no_stream(ctx.params.stream_name) end
  s.status = "TERMINATING"
  emu:later(s, "status", "DELETED", emu.cfg.delays.delete, function(x) x.gone = true end)
  return 204, ""
end

return M
