-- huaweicloud.pipeline.apply: carries a plan out (pipeline.plan), in dependency order: deletes
-- first, tasks before what they stand on; then Smart Connect, then topics and streams, then tasks.
-- Things of one level run at once on the scheduler (huaweicloud.transport.coop: one thread). Each
-- waits until its thing is ready (or gone). A failure stops only what depends on it.
-- Every step is the registry's ensure/wait recipes, so a run stopped anywhere and run again ends
-- in the declared state with no twin (ensure's look-first and race rules).
--   run(clients, sched, p, opts) -> { outcomes = { { address, action, status, error?, seconds,
--     history? } }, ok }   status: done | failed | skipped | unchanged
local core = require("huaweicloud.core")
local errors = require("huaweicloud.errors")

local M = {}

M.LEVEL = { instance = 1, topic = 2, stream = 2, task = 3, dump = 3 }

local function fail(message, extra)
  return errors.fail("conflict", message, extra)
end

-- A delete that finds the thing gone already has done its work (another run deleted it).
local function gone(err)
  return err and (err.class == "gone" or err.status == 404)
end

local Run = {}
Run.__index = Run

-- The wait arguments every step passes: the run's interval, timeout and (tests) clock.
function Run:w(args)
  for _, k in ipairs({ "interval", "timeout", "sleep", "now" }) do
    if args[k] == nil then args[k] = self.opts[k] end
  end
  return args
end

-- ---- the steps, by kind ---------------------------------------------------------------------------

local STEP = {}

-- Smart Connect on or off: the job the call answers is followed, then the instance. Another run
-- doing the same (the instance already changing) is waited for instead of refused.
function STEP.instance(run, it)
  local kafka, id, want = run.kafka, it.instance_id, it.changes[1].to
  local target, busy = want and "enabled" or "disabled", want and "EXTENDING" or "CONNECTOR_DELETING"
  local status = it.current and it.current.status
  if status == busy then return kafka:wait_instance(run:w({ instance_id = id, ["until"] = target })) end
  if status == (want and "CONNECTOR_DELETING" or "EXTENDING") then -- the opposite change first ends
    local _, err = kafka:wait_instance(run:w({ instance_id = id, ["until"] = want and "disabled" or "enabled" }))
    if err then return nil, err end
  end
  -- Each attempt is sent once and a refusal read from the instance at once: another run's change
  -- is waited for, not retried against. Only a refusal the instance does not explain is retried,
  -- as far as the client's own policy goes (its retries, backoff, "busy" step and should_retry: an
  -- ambiguous failure of these POSTs only with retry_unsafe).
  local op = want and "create_connector" or "delete_connector"
  local params = want and { instance_id = id, body = it.thing.connector } or { instance_id = id }
  local function explained()
    local now = kafka:show_instance({ instance_id = id })
    return now and (now.status == busy or (now.status == "RUNNING" and now.connector_enable == want))
  end
  local res, err = kafka:call(op, params, nil, true)
  local tries = 0
  while not res and not explained() do
    tries = tries + 1
    if tries > kafka.retries or not kafka:should_retry(err, op) then return nil, err end
    kafka.transport.sleep(kafka:backoff(tries, err))
    res, err = kafka:call(op, params, nil, true)
  end
  return kafka:wait_instance(run:w({ instance_id = id, ["until"] = target, job_id = res and res.job_id }))
end

function STEP.topic(run, it)
  local kafka, name = run.kafka, it.thing.name
  if it.action == "delete" or it.action == "replace" then
    local res, err = kafka:batch_delete_instance_topic({ instance_id = it.instance_id, body = { topics = { name } } })
    if not res then return nil, err end
    if it.action == "delete" then return res end
  end
  return kafka:ensure_topic({ instance_id = it.instance_id, body = it.thing.body })
end

local function delete_task(run, it)
  local kafka = run.kafka
  local ok, err = kafka:delete_connector_task({ instance_id = it.instance_id, task_id = it.current.id })
  if not ok and not gone(err) then return nil, err end
  return kafka:wait_connector_task(run:w({ instance_id = it.instance_id, task_id = it.current.id,
    ["until"] = "deleted" }))
end

function STEP.task(run, it)
  if it.action == "delete" or it.action == "replace" then
    local ok, err = delete_task(run, it)
    if not ok or it.action == "delete" then return ok, err end
  end
  return run.kafka:ensure_connector_task(run:w({ instance_id = it.instance_id, body = it.thing.body, wait = true }))
end

local function delete_stream(run, name)
  local ok, err = run.dis:delete_stream({ stream_name = name })
  if not ok and not gone(err) then return nil, err end
  return run.dis:wait_stream(run:w({ stream_name = name, ["until"] = "deleted" }))
end

-- A stream's partition count and tags change in place; anything else is a replace.
local function update_stream(run, it)
  local dis, body, name = run.dis, it.thing.body, it.thing.name
  local add, drop = {}, {}
  for _, ch in ipairs(it.changes) do
    if ch.field == "partition_count" then
      local ok, err = dis:update_partition_count({ stream_name = name,
        body = { stream_name = name, target_partition_count = body.partition_count } })
      if not ok then return nil, err end
    else
      local key = ch.field:match("^tags%.(.*)$")
      if ch.to ~= nil then add[#add + 1] = { key = key, value = ch.to } else drop[#drop + 1] = { key = key } end
    end
  end
  local id = it.current.stream_id
  if #drop > 0 then
    local ok, err = dis:batch_delete_tags({ stream_id = id, body = { action = "delete", tags = drop } })
    if not ok then return nil, err end
  end
  if #add > 0 then
    local ok, err = dis:batch_create_tags({ stream_id = id, body = { action = "create", tags = add } })
    if not ok then return nil, err end
  end
  return dis:show_stream({ stream_name = name })
end

function STEP.stream(run, it)
  if it.action == "update" then return update_stream(run, it) end
  if it.action == "delete" or it.action == "replace" then
    local ok, err = delete_stream(run, it.thing.name)
    if not ok or it.action == "delete" then return ok, err end
  end
  return run.dis:ensure_stream(run:w({ body = it.thing.body, wait = true }))
end

function STEP.dump(run, it)
  local dis, stream, name = run.dis, it.stream_name, it.thing.name
  if it.action == "delete" or it.action == "replace" then
    local ok, err = dis:delete_transfer_task({ stream_name = stream, task_name = name })
    if not ok and not gone(err) then return nil, err end
    ok, err = dis:wait_transfer_task(run:w({ stream_name = stream, task_name = name, ["until"] = "deleted" }))
    if not ok or it.action == "delete" then return ok, err end
  end
  return dis:ensure_obs_transfer_task(run:w({ stream_name = stream, body = it.thing.body, wait = true }))
end

-- ---- running them -----------------------------------------------------------------------------------

-- Whether a replace of it may go ahead: opts.replace is true, or lists its address or name.
function Run:may_replace(it)
  local r = self.opts.replace
  if r == true then return true end
  for _, v in ipairs(type(r) == "table" and r or {}) do
    if v == it.address or v == it.thing.name then return true end
  end
  return false
end

function Run:event(e)
  if self.opts.on_event then self.opts.on_event(e) end
end

-- The outcome of one item: its step run (unless what it needs failed, or a replace is not allowed).
function Run:one(it)
  for _, dep in ipairs(it.thing.deps or {}) do
    local o = self.by_address[dep]
    if o and (o.status == "failed" or o.status == "skipped") then
      local out = { address = it.address, action = it.action, status = "skipped", error = dep .. " " .. o.status }
      self:event({ address = it.address, action = it.action, phase = "skipped", error = out.error })
      return out
    end
  end
  if it.action == "error" then
    self:event({ address = it.address, action = it.action, phase = "failed", error = it.error })
    return { address = it.address, action = it.action, status = "failed", error = it.error }
  end
  if it.action == "replace" and not self:may_replace(it) then
    local fields = {}
    for _, ch in ipairs(it.changes) do fields[#fields + 1] = ch.field end
    local _, err = fail(it.address .. " must be replaced (deleted, then created) to change " ..
      table.concat(fields, ", ") .. ", which cannot change in place; apply with replace = true or --replace " ..
      it.address)
    self:event({ address = it.address, action = it.action, phase = "failed", error = err })
    return { address = it.address, action = it.action, status = "failed", error = err }
  end
  self:event({ address = it.address, action = it.action, phase = "start" })
  local started = core.clock()
  local ok, res, meta = pcall(STEP[it.kind], self, it)
  local out = { address = it.address, action = it.action, seconds = core.clock() - started }
  if ok and res ~= nil then
    out.status = "done"
    out.history = type(meta) == "table" and meta.history or nil
    out.job_history = type(meta) == "table" and meta.job_history or nil
  else
    out.status, out.error = "failed", ok and meta or res
  end
  self:event({ address = it.address, action = it.action, phase = out.status, seconds = out.seconds,
    history = out.history, job_history = out.job_history, error = out.error })
  return out
end

function Run:level(items, n, actions)
  local todo, fns = {}, {}
  for _, it in ipairs(items) do
    if M.LEVEL[it.kind] == n and actions[it.action] then todo[#todo + 1] = it end
  end
  for k, it in ipairs(todo) do fns[k] = function() return self:one(it) end end
  local results = self.sched:run(fns, self.opts.concurrency or 8)
  for k, it in ipairs(todo) do
    local r = results[k]
    local out = r[1] and r[2] or { address = it.address, action = it.action, status = "failed", error = tostring(r[2]) }
    self.by_address[it.address] = out
    if it.action == "delete" then self.deleted[#self.deleted + 1] = out end
  end
end

local CHANGE = { create = true, update = true, replace = true, error = true }

function M.run(clients, sched, p, opts)
  local run = setmetatable({ kafka = clients.kafka, dis = clients.dis, sched = sched, opts = opts or {},
    by_address = {}, deleted = {} }, Run)
  for n = 3, 1, -1 do run:level(p.items, n, { delete = true }) end
  for n = 1, 3 do run:level(p.items, n, CHANGE) end
  local outcomes, ok = {}, true
  for _, it in ipairs(p.items) do
    if it.action ~= "delete" then
      outcomes[#outcomes + 1] = run.by_address[it.address] or
        { address = it.address, action = it.action, status = "unchanged" }
    end
  end
  for _, o in ipairs(run.deleted) do outcomes[#outcomes + 1] = o end
  for _, o in ipairs(outcomes) do
    if o.status == "failed" or o.status == "skipped" then ok = false end
  end
  return { outcomes = outcomes, ok = ok }
end

return M
