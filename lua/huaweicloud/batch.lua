-- huaweicloud.batch: many calls of one operation at once (client:create_many): each request gets
-- the client's retry policy (and budget), one span each, results in input order. With libcurl: one
-- thread, the multi interface, kept-alive connections; in nginx: light threads on cosockets; a
-- custom function transport: one at a time.
local core = require("huaweicloud.core")
local telemetry = require("huaweicloud.telemetry")

local M = {}

local function heap()
  local h, n = {}, 0
  local function less(a, b) return h[a].at < h[b].at end
  local function swap(a, b) h[a], h[b] = h[b], h[a] end
  local self = {}
  function self.top() return h[1] end
  function self.push(e)
    n = n + 1
    h[n] = e
    local i = n
    while i > 1 and less(i, math.floor(i / 2)) do
      swap(i, math.floor(i / 2))
      i = math.floor(i / 2)
    end
  end
  function self.pop()
    local e = h[1]
    h[1] = h[n] -- two statements: with n == 1 both name the same slot
    h[n] = nil
    n = n - 1
    local i = 1
    while true do
      local l, r, m = 2 * i, 2 * i + 1, i
      if l <= n and less(l, m) then m = l end
      if r <= n and less(r, m) then m = r end
      if m == i then break end
      swap(i, m)
      i = m
    end
    return e
  end
  return self
end

-- One after the other, with the client's retries: for transports that have no concurrency.
local function sequential_many(client, op, _, jobs)
  while not jobs.done() do
    local i, params, attempt = jobs.next()
    if i then
      local res, meta = client:call(op, params)
      jobs.finish(i, res, meta, meta and meta.attempts or attempt, true)
    end
  end
end

-- Raises unless list and opts are what create_many takes; returns concurrency and on_progress.
local function check_args(list, opts)
  if type(list) ~= "table" then
    error("bad argument #2 to 'create_many' (table expected, got " .. type(list) .. ")", 4)
  end
  if type(opts) ~= "table" then error("bad argument #3 to 'create_many' (table expected)", 4) end
  for i = 1, #list do
    if type(list[i]) ~= "table" then
      error("create_many: list[" .. i .. "] is a " .. type(list[i]) .. ", not a table", 4)
    end
  end
  local concurrency = opts.concurrency or 16
  if type(concurrency) ~= "number" or concurrency < 1 or concurrency > 256 or concurrency % 1 ~= 0 then
    error("create_many: concurrency must be an integer from 1 to 256", 4)
  end
  if opts.on_progress ~= nil and type(opts.on_progress) ~= "function" then
    error("create_many: on_progress must be a function", 4)
  end
  return concurrency, opts.on_progress
end

-- The jobs of one batch (what a transport's `many` drives): next() -> i, params, attempt | nil
-- (nothing ready now; wake() is when a retry becomes due), finish(i, res, meta, attempt,
-- retried) records a result or schedules its retry, done().
local function jobs_of(client, op, list, progress, results)
  local total, done, nexti = #list, 0, 1
  local began = {} -- i -> { clock, wall } of its first attempt
  local retry = heap() -- { i, attempt, at } waiting for their backoff, soonest first
  local jobs = {}
  function jobs.done() return done == total end
  function jobs.next()
    local r = retry.top()
    if r and r.at <= core.clock() then
      retry.pop()
      return r.i, list[r.i], r.attempt
    end
    if nexti <= total then
      nexti = nexti + 1
      began[nexti - 1] = { core.clock(), core.time() }
      return nexti - 1, list[nexti - 1], 1
    end
  end
  function jobs.wake()
    local r = retry.top()
    return r and r.at or math.huge
  end
  function jobs.finish(i, res, meta, attempt, retried)
    meta.attempts = attempt
    if res == nil and not retried and attempt <= client.retries and client:should_retry(meta, op) and
      (not client.budget or client.budget.take(meta)) then
      retry.push({ i = i, attempt = attempt + 1, at = core.clock() + client:backoff(attempt, meta) })
      return
    end
    if not retried then -- one span per item (client:call made its own)
      if res ~= nil and client.budget then
        client.budget.give(attempt > 1 and telemetry.RETRY_COST or telemetry.SUCCESS)
      end
      telemetry.record(client, op, began[i][1], began[i][2], res, meta)
    end
    results[i] = { res, meta }
    done = done + 1
    if progress then progress(done, total, res == nil and meta or nil) end
  end
  return jobs
end

-- create_many(client, op, list, opts) -> { {result, meta} or {nil, err}, ... } in input order;
-- individual failures do not stop the rest.
function M.create_many(client, op, list, opts)
  opts = opts or {}
  local concurrency, progress = check_args(list, opts)
  local results = {}
  local jobs = jobs_of(client, op, list, progress, results)
  -- one at a time, the plain loop is the fastest way: no multi handle, no copies
  local many = concurrency > 1 and client.transport.many or sequential_many
  if #list > 0 then many(client, op, concurrency, jobs) end
  return results
end

return M
