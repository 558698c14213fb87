-- huaweicloud.pipeline.decl: a declaration of a pipeline (a Lua table, or a file returning one, or
-- JSON) checked and turned into the things it names, each with its request body built and checked
-- by the operations' own descriptors, its address (its path in the declaration) and what it needs:
--   { region?,
--     kafka_instances = { [name] = { id?, smart_connect?, connector?, topics = { [topic] = {...} } } },
--     kafka_tasks     = { [task_name] = { instance = name | { id }, kind, <builder options> } },
--     dis_streams     = { [stream_name] = { <create_stream body> } },
--     dis_dump_tasks  = { [task_name] = { stream, <obs_transfer_task options> } } }
-- check(decl) -> { things = { ... } } | nil, validation error whose field is the declaration path
-- (kafka_tasks.orders-to-obs.topcs) and whose message says what is allowed.
local core = require("huaweicloud.core")
local errors = require("huaweicloud.errors")

local M = {}

-- What a task's `kind` names: the registry's builder of that kind of Smart Connect task.
M.TASK_KINDS = { obs_dump = "obs_dump_task", kafka_replication = "kafka_replication_task",
  redis_replication = "redis_replication_task" }

M.MAX_FILE = 4 * 1024 * 1024 -- a declaration larger than this is not one

local TOP = { "region", "kafka_instances", "kafka_tasks", "dis_streams", "dis_dump_tasks" }

-- (the error's one line says the field first: "huaweicloud: validation error: <field>: <message>")
local function fail(field, message)
  return errors.fail("validation", message, { field = field })
end

local function sorted_keys(t)
  local keys = {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys, function(a, b) return tostring(a) < tostring(b) end)
  return keys
end

local function names_of(model, without)
  local list = {}
  for _, f in ipairs(core.describe(model)) do
    if f.name ~= without then list[#list + 1] = f.name end
  end
  return list
end

-- nil when every key of t is one of `allowed` (a list), else the error for the first that is not.
local function unknown_key(path, t, allowed)
  local set = {}
  for _, a in ipairs(allowed) do set[a] = true end
  for _, k in ipairs(sorted_keys(t)) do
    if not set[k] then
      local near = type(k) == "string" and core.closest(k, allowed)
      local _, err = fail(path .. "." .. tostring(k), "unknown field" .. (near and (" (did you mean " .. near .. "?)")
        or "") .. "; allowed: " .. table.concat(allowed, ", "))
      return err
    end
  end
end

local function table_at(path, v, what)
  if v == nil then return {} end
  if type(v) ~= "table" then
    local _, err = fail(path, (what or "a table") .. " expected, got " .. type(v))
    return nil, err
  end
  return v
end

-- body checked by model; a failing field is named from the declaration (strip: the builder's
-- `into`, whose fields the declaration gives flat).
local function validated(path, model, body, strip)
  local ok, err = core.validate(model, body)
  if ok then return body end
  local field = err.field or ""
  if strip and field:sub(1, #strip + 1) == strip .. "." then field = field:sub(#strip + 2) end
  return fail(path .. (field ~= "" and ("." .. field) or ""), err.message)
end

local function copy(t)
  local c = {}
  for k, v in pairs(t) do c[k] = v end
  return c
end

-- The body a registry builder makes of flat options (what it takes: top, nested, into_model's fields).
local function built(path, service, builder, opts, skip)
  local spec = require("huaweicloud.registry").services[service].builders[builder]
  local allowed = {}
  for _, k in ipairs(spec.top or {}) do allowed[#allowed + 1] = k end
  for _, k in ipairs(spec.nested or {}) do allowed[#allowed + 1] = k end
  if spec.into_model then
    for _, n in ipairs(names_of(spec.into_model)) do allowed[#allowed + 1] = n end
  end
  for _, k in ipairs(skip) do allowed[#allowed + 1] = k end
  local err = unknown_key(path, opts, allowed)
  if err then return nil, err end
  local given = copy(opts)
  for _, k in ipairs(skip) do given[k] = nil end
  local ok, body = pcall(require("huaweicloud." .. service)[builder], given)
  if not ok then return fail(path, tostring(body)) end
  return validated(path, spec.model, body, spec.into)
end

local function instances(decl, things, by_address)
  local list, err = table_at("kafka_instances", decl.kafka_instances)
  if not list then return nil, err end
  for _, name in ipairs(sorted_keys(list)) do
    local path = "kafka_instances." .. tostring(name)
    local d
    d, err = table_at(path, list[name])
    if not d then return nil, err end
    err = unknown_key(path, d, { "id", "smart_connect", "connector", "topics" })
    if err then return nil, err end
    if type(name) ~= "string" then return fail(path, "an instance is declared by its name (a string)") end
    if d.id ~= nil and type(d.id) ~= "string" then return fail(path .. ".id", "the instance id, a string") end
    if d.smart_connect ~= nil and type(d.smart_connect) ~= "boolean" then
      return fail(path .. ".smart_connect", "true (enabled) or false (disabled), or absent (left as it is)")
    end
    local connector
    if d.connector ~= nil then
      local c, cerr = table_at(path .. ".connector", d.connector)
      if not c then return nil, cerr end
      connector, err = validated(path .. ".connector", "CreateConnectorReq", copy(c))
      if not connector then return nil, err end
    end
    local inst = { kind = "instance", address = path, name = name, id = d.id, smart_connect = d.smart_connect,
      connector = connector, deps = {} }
    things[#things + 1], by_address[path] = inst, inst
    local topics
    topics, err = table_at(path .. ".topics", d.topics)
    if not topics then return nil, err end
    for _, tname in ipairs(sorted_keys(topics)) do
      local tpath = path .. ".topics." .. tostring(tname)
      local t
      t, err = table_at(tpath, topics[tname])
      if not t then return nil, err end
      err = unknown_key(tpath, t, names_of("CreateInstanceTopicReq", "id"))
      if err then return nil, err end
      local body = copy(t)
      body.id = tname
      body, err = validated(tpath, "CreateInstanceTopicReq", body)
      if not body then return nil, err end
      local topic = { kind = "topic", address = tpath, name = tname, instance = name, body = body, deps = { path } }
      things[#things + 1], by_address[tpath] = topic, topic
    end
  end
  return true
end

local function tasks(decl, things, by_address)
  local list, err = table_at("kafka_tasks", decl.kafka_tasks)
  if not list then return nil, err end
  local kinds = sorted_keys(M.TASK_KINDS)
  for _, name in ipairs(sorted_keys(list)) do
    local path = "kafka_tasks." .. tostring(name)
    local d
    d, err = table_at(path, list[name])
    if not d then return nil, err end
    if type(name) ~= "string" then return fail(path, "a task is declared by its name (a string)") end
    local builder = M.TASK_KINDS[d.kind]
    if not builder then
      local near = type(d.kind) == "string" and core.closest(d.kind, kinds)
      return fail(path .. ".kind", "one of " .. table.concat(kinds, ", ") .. (near and (" (did you mean " .. near ..
        "?)") or "") .. ", got " .. tostring(d.kind))
    end
    -- instance: the name of a declared or existing instance, or { id = "..." }
    local ref = d.instance
    local by_id = type(ref) == "table" and type(ref.id) == "string" and next(ref, next(ref)) == nil
    if not (type(ref) == "string" or by_id) then
      return fail(path .. ".instance", "the task's instance: its name, or { id = \"...\" }")
    end
    local options = copy(d)
    options.task_name = name
    local body
    body, err = built(path, "kafka", builder, options, { "kind", "instance" })
    if not body then return nil, err end
    local task = { kind = "task", address = path, name = name, instance = type(ref) == "string" and ref or nil,
      instance_id = type(ref) == "table" and ref.id or nil, body = body, deps = {} }
    local inst = task.instance and by_address["kafka_instances." .. task.instance]
    if inst then
      if inst.smart_connect == false then
        return fail(path .. ".instance", "its instance " .. d.instance .. " is declared with smart_connect = false")
      end
      task.deps[#task.deps + 1] = inst.address
      for topic in tostring(body.topics or ""):gmatch("[^,%s]+") do
        local dep = inst.address .. ".topics." .. topic
        if by_address[dep] then task.deps[#task.deps + 1] = dep end
      end
    end
    things[#things + 1], by_address[path] = task, task
  end
  return true
end

local function streams(decl, things, by_address)
  local list, err = table_at("dis_streams", decl.dis_streams)
  if not list then return nil, err end
  for _, name in ipairs(sorted_keys(list)) do
    local path = "dis_streams." .. tostring(name)
    local d
    d, err = table_at(path, list[name])
    if not d then return nil, err end
    if type(name) ~= "string" then return fail(path, "a stream is declared by its name (a string)") end
    err = unknown_key(path, d, names_of("CreateStreamReq", "stream_name"))
    if err then return nil, err end
    local body = copy(d)
    body.stream_name = name
    body, err = validated(path, "CreateStreamReq", body)
    if not body then return nil, err end
    local s = { kind = "stream", address = path, name = name, body = body, deps = {} }
    things[#things + 1], by_address[path] = s, s
  end
  list, err = table_at("dis_dump_tasks", decl.dis_dump_tasks)
  if not list then return nil, err end
  for _, name in ipairs(sorted_keys(list)) do
    local path = "dis_dump_tasks." .. tostring(name)
    local d
    d, err = table_at(path, list[name])
    if not d then return nil, err end
    if type(name) ~= "string" then return fail(path, "a dump task is declared by its name (a string)") end
    if type(d.stream) ~= "string" then return fail(path .. ".stream", "the stream's name (a string) is required") end
    local options = copy(d)
    options.task_name = name
    local body
    body, err = built(path, "dis", "obs_transfer_task", options, { "stream" })
    if not body then return nil, err end
    local dump = { kind = "dump", address = path, name = name, stream = d.stream, body = body, deps = {} }
    if by_address["dis_streams." .. d.stream] then dump.deps[1] = "dis_streams." .. d.stream end
    things[#things + 1], by_address[path] = dump, dump
  end
  return true
end

function M.check(decl)
  if type(decl) ~= "table" then return fail("declaration", "a table expected, got " .. type(decl)) end
  local err = unknown_key("declaration", decl, TOP)
  if err then
    err.field = err.field:gsub("^declaration%.", "")
    return nil, err
  end
  if decl.region ~= nil and type(decl.region) ~= "string" then return fail("region", "a string expected") end
  local things, by_address = {}, {}
  for _, step in ipairs({ instances, tasks, streams }) do
    local ok, serr = step(decl, things, by_address)
    if not ok then return nil, serr end
  end
  return { region = decl.region, things = things, by_address = by_address }
end

-- A declaration from a file: Lua returning a table (run with only what a declaration needs:
-- os.getenv for secrets, string, table, math), or JSON. Anything else is a validation error.
function M.load(path)
  local text, rerr = core.read_file(path, M.MAX_FILE)
  if not text then return fail(tostring(path), "cannot read the file: " .. tostring(rerr)) end
  if text:match("^%s*[%[{]") then
    local v = require("huaweicloud.json").decode_table(text)
    if v then return v end
    if text:match("^%s*%[") then return fail(tostring(path), "not a declaration: JSON that is not an object") end
  end
  local env = { os = { getenv = os.getenv }, string = string, table = table, math = math, pairs = pairs,
    ipairs = ipairs, tostring = tostring, tonumber = tonumber, type = type }
  local chunk, perr
  if setfenv then
    chunk, perr = loadstring(text, "=" .. tostring(path))
    if chunk then setfenv(chunk, env) end
  else
    chunk, perr = load(text, "=" .. tostring(path), "t", env)
  end
  if not chunk then return fail(tostring(path), "neither Lua nor JSON: " .. tostring(perr)) end
  local ok, v = pcall(chunk)
  if not ok then return fail(tostring(path), "the declaration raised: " .. tostring(v)) end
  if type(v) ~= "table" then return fail(tostring(path), "a declaration returns a table, this returned " .. type(v)) end
  return v
end

return M
