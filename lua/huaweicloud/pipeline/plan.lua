-- huaweicloud.pipeline.plan: what exists, read with list and show calls only, compared with a
-- checked declaration (pipeline.decl). One item per thing:
--   { address, kind, action, changes = { { field, from, to } }, unread = { secret fields }, note?,
--     error?, thing, current?, instance_id?, stream_name? }
-- action: create | update (the service has a call that changes it in place) | replace (a field
-- that cannot change in place differs: delete, then create) | delete (prune, destroy) | none |
-- error (the thing cannot be planned: an instance that does not exist, two tasks of one name).
-- Instances are never created (the SDK has no such operation): they are found by name or id.
-- Secrets (passwords, keys) cannot be read back: they are listed in `unread`, never compared.
local core = require("huaweicloud.core")
local lifecycle = require("huaweicloud.lifecycle")

local M = {}

-- What a stream change can do in place: its partition count (update_partition_count) and tags
-- (batch_create_tags / batch_delete_tags); any other field read back differs only by a replace.
local STREAM_READ_AS = { data_duration = "retention_period", partition_count = "writable_partition_count" }
local DUMP_READ_AS = { obs_destination_descriptor = "obs_destination_description" }

-- Every sensitive field path of body (what a plan cannot compare).
local function secrets(body, prefix, out)
  out = out or {}
  for k, v in pairs(body) do
    local path = (prefix and (prefix .. ".") or "") .. tostring(k)
    if type(k) == "string" and core.sensitive_name(k) then out[#out + 1] = path
    elseif type(v) == "table" then secrets(v, path, out) end
  end
  if not prefix then table.sort(out) end
  return out
end

local function walk(iter)
  local ok, err = pcall(function()
    local list = {}
    for item in iter do list[#list + 1] = item end
    return list
  end)
  return ok, err
end

-- key -> value of a tags list ({ { key, value } })
local function tag_map(list)
  local m = {}
  for _, t in ipairs(type(list) == "table" and list or {}) do
    if type(t) == "table" and t.key ~= nil then m[t.key] = t.value end
  end
  return m
end

local function tag_changes(want, have)
  local w, h = tag_map(want), tag_map(have)
  local out = {}
  for k, v in pairs(w) do
    if h[k] ~= v then out[#out + 1] = { field = "tags." .. k, from = h[k], to = v } end
  end
  for k, v in pairs(h) do
    if w[k] == nil then out[#out + 1] = { field = "tags." .. k, from = v } end
  end
  table.sort(out, function(a, b) return a.field < b.field end)
  return out
end

-- ---- reading what exists ---------------------------------------------------------------------------

local Reader = {}
Reader.__index = Reader

-- The instance a name or id stands for (cached), or nil and why (an error, or nil: not found).
function Reader:instance(name, id)
  local key = id and ("id:" .. id) or ("name:" .. name)
  if self.instances[key] ~= nil then return self.instances[key] or nil end
  local inst, err
  if id then
    inst, err = self.kafka:show_instance({ instance_id = id })
    if not inst and err.status == 404 then inst, err = false, nil end
  else
    inst, err = self.kafka:find_instance({ name = name })
    if not inst and err.kind == "not_found" then inst, err = false, nil end
  end
  if err then return nil, err end
  self.instances[key] = inst
  return inst or nil
end

-- The topics and tasks of an instance: { topics = { [name] = topic }, tasks = { [name] = { task, ... } } }.
function Reader:contents(id)
  if self.contents_of[id] then return self.contents_of[id] end
  local c = { topics = {}, tasks = {}, topic_list = {}, task_list = {} }
  local ok, list = walk(self.kafka:each_topic({ instance_id = id }))
  if not ok then return nil, list end
  for _, t in ipairs(list) do c.topics[t.name], c.topic_list[#c.topic_list + 1] = t, t end
  ok, list = walk(self.kafka:each_connector_task({ instance_id = id }))
  if not ok then return nil, list end
  for _, t in ipairs(list) do
    c.tasks[t.task_name] = c.tasks[t.task_name] or {}
    table.insert(c.tasks[t.task_name], t)
    c.task_list[#c.task_list + 1] = t
  end
  self.contents_of[id] = c
  return c
end

-- A stream (false when there is none) and its dump tasks by name (shown in full when asked).
function Reader:stream(name)
  if self.streams[name] ~= nil then return self.streams[name] end
  local s, err = self.dis:show_stream({ stream_name = name })
  if not s then
    if err.class ~= "gone" then return nil, err end
    s = false
  end
  if s then
    local list
    list, err = self.dis:list_transfer_tasks({ stream_name = name })
    if not list then return nil, err end
    s = { info = s, tasks = {} }
    for _, t in ipairs(list.tasks or {}) do s.tasks[t.task_name] = t end
  end
  self.streams[name] = s
  return s
end

function Reader:dump_task(stream, name)
  local t, err = self.dis:show_transfer_task({ stream_name = stream, task_name = name })
  if t then return t end
  if err.class == "gone" then return false end
  return nil, err
end

-- ---- comparing -------------------------------------------------------------------------------------

local function item(thing, action, extra)
  local it = { address = thing.address, kind = thing.kind, action = action, thing = thing, changes = {}, unread = {} }
  for k, v in pairs(extra or {}) do it[k] = v end
  return it
end

local function plan_instance(r, thing)
  local inst, err = r:instance(thing.name, thing.id)
  if err then return nil, err end
  if not inst then
    return item(thing, "error", { error = "no Kafka instance named " .. thing.name .. (thing.id and (" with id " ..
      thing.id) or "") .. " exists (instances are not created by a declaration: make it first)" })
  end
  local it = item(thing, "none", { current = inst, instance_id = inst.instance_id })
  local on = inst.connector_enable == true
  if thing.smart_connect ~= nil and thing.smart_connect ~= on then
    it.action, it.changes = "update", { { field = "smart_connect", from = on, to = thing.smart_connect } }
    if inst.status == "EXTENDING" or inst.status == "CONNECTOR_DELETING" then
      it.note = "Smart Connect is changing now (" .. inst.status .. ")"
    end
  end
  return it
end

local function plan_topic(r, thing, parent)
  if not parent.instance_id then return item(thing, "error", { error = "its instance " .. thing.instance ..
    " does not exist" }) end
  local c, err = r:contents(parent.instance_id)
  if not c then return nil, err end
  local shown = c.topics[thing.name]
  if not shown then return item(thing, "create", { instance_id = parent.instance_id }) end
  local changes = lifecycle.diff(thing.body, shown)
  return item(thing, #changes > 0 and "replace" or "none", { changes = changes, current = shown,
    instance_id = parent.instance_id })
end

local function plan_task(r, thing, by_address)
  local parent = thing.instance and by_address["kafka_instances." .. thing.instance]
  local id = parent and parent.instance_id or thing.instance_id
  if not id and not parent and thing.instance then
    local inst, err = r:instance(thing.instance)
    if err then return nil, err end
    id = inst and inst.instance_id
  end
  if not id then
    return item(thing, "error", { error = "its instance " .. tostring(thing.instance or thing.instance_id) ..
      " is neither declared nor found" })
  end
  local unread = secrets(thing.body)
  local c, err = r:contents(id)
  if not c then
    if err.status == 404 then return item(thing, "error", { error = "its instance " .. id .. " does not exist" }) end
    return nil, err
  end
  local found = c.tasks[thing.name] or {}
  if #found > 1 then
    local ids = {}
    for _, t in ipairs(found) do ids[#ids + 1] = tostring(t.id) end
    return item(thing, "error", { instance_id = id, error = #found .. " tasks are named " .. thing.name .. ": " ..
      table.concat(ids, ", ") .. " (delete all but one)" })
  end
  if #found == 0 then return item(thing, "create", { instance_id = id, unread = unread }) end
  -- Smart Connect tasks cannot be modified (the user guide): any difference is a replace
  local changes = lifecycle.diff(thing.body, found[1])
  return item(thing, #changes > 0 and "replace" or "none", { instance_id = id, changes = changes, unread = unread,
    current = found[1] })
end

local function plan_stream(r, thing)
  local s, err = r:stream(thing.name)
  if s == nil then return nil, err end
  if not s then return item(thing, "create", { stream_name = thing.name }) end
  local body = {}
  for k, v in pairs(thing.body) do
    if k ~= "tags" then body[k] = v end
  end
  local changes = lifecycle.diff(body, s.info, STREAM_READ_AS)
  local action = "none"
  for _, ch in ipairs(changes) do
    action = (ch.field == "partition_count" and action ~= "replace") and "update" or "replace"
  end
  if thing.body.tags then
    for _, ch in ipairs(tag_changes(thing.body.tags, s.info.tags)) do
      changes[#changes + 1] = ch
      if action == "none" then action = "update" end
    end
  end
  return item(thing, action, { changes = changes, current = s.info, stream_name = thing.name })
end

local function plan_dump(r, thing, streams_replaced)
  local s, err = r:stream(thing.stream)
  if s == nil then return nil, err end
  local declared = r.by_address["dis_streams." .. thing.stream]
  local unread = secrets(thing.body)
  if not s then
    if not declared then
      return item(thing, "error", { error = "its stream " .. thing.stream .. " is neither declared nor found" })
    end
    return item(thing, "create", { stream_name = thing.stream, unread = unread })
  end
  if not s.tasks[thing.name] then return item(thing, "create", { stream_name = thing.stream, unread = unread }) end
  if streams_replaced[thing.stream] then
    return item(thing, "create", { stream_name = thing.stream, unread = unread,
      note = "made again with its stream" })
  end
  local shown
  shown, err = r:dump_task(thing.stream, thing.name)
  if shown == nil then return nil, err end
  if not shown then return item(thing, "create", { stream_name = thing.stream, unread = unread }) end
  local changes = lifecycle.diff(thing.body, shown, DUMP_READ_AS)
  return item(thing, #changes > 0 and "replace" or "none", { stream_name = thing.stream, changes = changes,
    unread = unread, current = shown })
end

-- What exists under declared parents that the declaration does not name (prune deletes it):
-- tasks and topics of declared instances (not Kafka's own topics), dump tasks of declared streams.
local function undeclared(r, d, items)
  local out = {}
  for _, it in ipairs(items) do
    local thing = it.thing
    if thing.kind == "instance" and it.instance_id then
      local c, err = r:contents(it.instance_id)
      if not c then return nil, err end
      for _, t in ipairs(c.task_list) do
        if not d.by_address["kafka_tasks." .. t.task_name] then
          out[#out + 1] = { address = "kafka_tasks." .. t.task_name, kind = "task", action = "delete", changes = {},
            unread = {}, note = "on " .. thing.name .. ", not declared", instance_id = it.instance_id, current = t,
            thing = { kind = "task", name = t.task_name, address = "kafka_tasks." .. t.task_name, deps = {} } }
        end
      end
      for _, t in ipairs(c.topic_list) do
        local address = thing.address .. ".topics." .. t.name
        if not d.by_address[address] and t.name:sub(1, 2) ~= "__" and tostring(t.topic_type) ~= "1" then
          out[#out + 1] = { address = address, kind = "topic", action = "delete", changes = {}, unread = {},
            note = "not declared", instance_id = it.instance_id, current = t,
            thing = { kind = "topic", name = t.name, address = address, deps = {} } }
        end
      end
    elseif thing.kind == "stream" and it.action ~= "create" then
      local s = r.streams[thing.name]
      for name, t in pairs(s and s.tasks or {}) do
        if not d.by_address["dis_dump_tasks." .. name] then
          out[#out + 1] = { address = "dis_dump_tasks." .. name, kind = "dump", action = "delete", changes = {},
            unread = {}, note = "on " .. thing.name .. ", not declared", stream_name = thing.name, current = t,
            thing = { kind = "dump", name = name, address = "dis_dump_tasks." .. name, deps = {} } }
        end
      end
    end
  end
  table.sort(out, function(a, b) return a.address < b.address end)
  return out
end

-- plan(clients, d, { prune = bool, destroy = bool }) -> { items = { ... } } | nil, err (a read failed)
function M.plan(clients, d, opts)
  opts = opts or {}
  local r = setmetatable({ kafka = clients.kafka, dis = clients.dis, by_address = d.by_address, instances = {},
    contents_of = {}, streams = {} }, Reader)
  local items, by_address, replaced = {}, {}, {}
  for _, thing in ipairs(d.things) do
    local it, err
    if thing.kind == "instance" then it, err = plan_instance(r, thing)
    elseif thing.kind == "topic" then it, err = plan_topic(r, thing, by_address["kafka_instances." .. thing.instance])
    elseif thing.kind == "task" then it, err = plan_task(r, thing, by_address)
    elseif thing.kind == "stream" then it, err = plan_stream(r, thing)
    else it, err = plan_dump(r, thing, replaced) end
    if not it then return nil, err end
    if it.action == "replace" and thing.kind == "stream" then replaced[thing.name] = true end
    items[#items + 1], by_address[thing.address] = it, it
  end
  if opts.destroy then
    for _, it in ipairs(items) do
      if it.kind == "instance" then
        local on = it.current and it.current.connector_enable == true
        it.action, it.changes = "none", {}
        if it.thing.smart_connect == true and on then
          it.action, it.changes = "update", { { field = "smart_connect", from = true, to = false } }
          it.disable = true
        end
      elseif it.action ~= "create" and it.action ~= "error" then
        it.action, it.changes = "delete", {}
      else
        it.action, it.changes, it.error = "none", {}, nil
      end
    end
  elseif opts.prune then
    local extra, err = undeclared(r, d, items)
    if not extra then return nil, err end
    for _, it in ipairs(extra) do items[#items + 1] = it end
  end
  return { items = items, by_address = by_address }
end

-- { create = n, update = n, replace = n, delete = n, none = n, error = n }
function M.count(p)
  local n = { create = 0, update = 0, replace = 0, delete = 0, none = 0, error = 0 }
  for _, it in ipairs(p.items) do n[it.action] = n[it.action] + 1 end
  return n
end

return M
