-- huaweicloud.transport.coop: many pieces of work at once on one thread. Each runs in a coroutine;
-- its calls go out on one libcurl multi handle and its sleeps wait on the scheduler, so while one
-- waits for an answer or a state, the others move. Inside nginx the pieces run on light threads
-- (ngx.thread) and the client's own cosocket transport does the same.
--   local s = coop.new(http_options)          -- s.transport: a client transport (call, sleep)
--   local results = s:run(fns, concurrency)   -- results[i] = { ok, value | err } of fns[i]()
-- A call made outside s:run (or where a coroutine cannot yield across pcall: Lua 5.1) is sent
-- at once, blocking, as the curl transport does.
local core = require("huaweicloud.core")

local M = {}

-- Lua 5.1 (not LuaJIT) cannot yield across pcall, which the helpers use: one at a time there.
M.yields = not (_VERSION == "Lua 5.1" and rawget(_G, "jit") == nil)

local TOKEN = {} -- what the scheduler's coroutines yield; anything else is a misuse

local Sched = {}
Sched.__index = Sched

function M.new(http_options)
  local s = setmetatable({ options = http_options or {}, waiting = {}, sleepers = {}, owned = setmetatable({},
    { __mode = "k" }), next_id = 0 }, Sched)
  local curl = require("huaweicloud.transport.curl")
  s.transport = {
    name = "coop",
    call = function(client, op, cfg, params, limit)
      local co = coroutine.running()
      if not (co and s.owned[co]) then return curl.call(client, op, cfg, params, limit) end
      local req, err = core.prepare(op, cfg, params)
      if not req then return nil, err end
      s.next_id = s.next_id + 1
      local id = s.next_id
      local ok, aerr = s:http():batch_add(id, req)
      if not ok then return nil, aerr end
      s.waiting[id] = co
      local f = coroutine.yield(TOKEN)
      if f.err then return nil, f.err end
      return core.parse(op, f.status, f.headers, f.body, req)
    end,
    sleep = function(seconds)
      local co = coroutine.running()
      if not (co and s.owned[co]) then return core.sleep(seconds) end
      s.sleepers[#s.sleepers + 1] = { co = co, at = core.clock() + math.max(0, seconds) }
      coroutine.yield(TOKEN)
    end,
  }
  return s
end

function Sched:http()
  if not self.handle then self.handle = core.http_client(self.options) end
  return self.handle
end

function Sched:close()
  if self.handle then self.handle:close() end
  self.handle = nil
end

-- Runs fns (a list of functions), at most `concurrency` at a time; returns { ok, value } for
-- each, in order. A function that raises gives { false, err }; the others go on.
function Sched:run(fns, concurrency)
  local ngx = rawget(_G, "ngx")
  if ngx and ngx.thread and require("huaweicloud.transport.ngx").usable() then
    return M.run_ngx(fns, concurrency)
  end
  local results, next_fn, live = {}, 1, 0
  local function step(co, i, ...)
    local ok, v = coroutine.resume(co, ...)
    if coroutine.status(co) == "dead" then
      self.owned[co] = nil
      results[i] = { ok, v }
      live = live - 1
    elseif v ~= TOKEN then -- the work yielded on its own: not ours to resume
      self.owned[co] = nil
      results[i] = { false, "huaweicloud: a coroutine of coop:run yielded a value of its own" }
      live = live - 1
    end
  end
  local index = {} -- co -> i
  while next_fn <= #fns or live > 0 do
    while next_fn <= #fns and live < concurrency do
      local i, fn = next_fn, fns[next_fn]
      next_fn = next_fn + 1
      if M.yields then
        local co = coroutine.create(fn)
        self.owned[co], index[co], live = true, i, live + 1
        step(co, i)
      else
        results[i] = { pcall(fn) }
      end
    end
    if live == 0 then break end
    -- answers first, then sleepers whose time has come; wait for whichever is sooner
    local soonest = math.huge
    for _, sl in ipairs(self.sleepers) do soonest = math.min(soonest, sl.at) end
    local wait = math.max(0, math.min(0.05, soonest - core.clock()))
    local finished, inflight = {}, 0
    if self.handle then finished, inflight = self.handle:batch_run(wait) end
    for _, f in ipairs(finished) do
      local co = self.waiting[f.id]
      self.waiting[f.id] = nil
      if co then step(co, index[co], f) end
    end
    if #finished == 0 and inflight == 0 and soonest > core.clock() and soonest < math.huge then
      core.sleep(math.min(soonest - core.clock(), 0.05))
    end
    local now, due = core.clock(), {}
    for k = #self.sleepers, 1, -1 do
      if self.sleepers[k].at <= now then
        due[#due + 1] = self.sleepers[k].co
        table.remove(self.sleepers, k)
      end
    end
    for k = #due, 1, -1 do step(due[k], index[due[k]]) end
  end
  return results
end

-- Inside nginx: light threads, at most `concurrency` alive; the cosocket transport yields for them.
-- Each thread writes its own result; a wait returns when any one is done.
function M.run_ngx(fns, concurrency)
  local ngx = rawget(_G, "ngx")
  local results, threads, next_fn = {}, {}, 1
  while next_fn <= #fns or #threads > 0 do
    while next_fn <= #fns and #threads < concurrency do
      local i, fn = next_fn, fns[next_fn]
      next_fn = next_fn + 1
      threads[#threads + 1] = { i = i, t = ngx.thread.spawn(function() results[i] = { pcall(fn) } end) }
    end
    local list = {}
    for k, th in ipairs(threads) do list[k] = th.t end
    ngx.thread.wait((table.unpack or unpack)(list))
    for k = #threads, 1, -1 do
      if results[threads[k].i] then table.remove(threads, k) end
    end
  end
  return results
end

return M
