-- huaweicloud.lifecycle: what scripts that manage tasks write by hand, built only from the
-- registry's operations and its recipes (registry/<service>.lua: waiters, pagers, ensure):
--   client:wait_<thing>{ <ids>, until = "RUNNING" | { ... } | "deleted", timeout = s, interval = s }
--     -> the last object seen, { history = { states passed through }, polls } | nil, err
--        (err.kind "timeout" names the last state; "failed" when a failure state was reached)
--   for item in client:each_<thing>{ ... } do ... end    every page; an error mid-way raises it
--   client:ensure_<thing>{ <ids>, body = {...}, wait = true } -> thing, { created, drift? }
-- Polling is deadline-based with jitter, on the client's transport (ngx.sleep inside nginx); a
-- throttled or failed poll is polled again until the deadline. An undocumented state is pending.
local core = require("huaweicloud.core")
local errors = require("huaweicloud.errors")

local M = {}

local function set(list)
  local s = {}
  for _, v in ipairs(list or {}) do s[v] = true end
  return s
end

local function fail(kind, message, extra)
  local e = { kind = kind, message = message }
  for k, v in pairs(extra or {}) do e[k] = v end
  return nil, errors.new(e)
end

-- The value at a dotted path of t ("obs_destination_descriptor.task_name").
local function at(t, path)
  for part in path:gmatch("[^.]+") do
    if type(t) ~= "table" then return nil end
    t = t[part]
  end
  return t
end

-- The parameters named in `names`, taken from args; nil and a validation error when one is missing.
local function pick(args, names, what)
  local p = {}
  for _, n in ipairs(names) do
    if args[n] == nil then return fail("validation", what .. " needs " .. n, { field = n }) end
    p[n] = args[n]
  end
  return p
end

-- ---- waiting ----------------------------------------------------------------------------------

local WAIT_KEYS = { ["until"] = true, timeout = true, interval = true, sleep = true, now = true }

-- Polls w.show until its state is done (or, with until = "deleted", until it is gone).
function M.wait(client, w, args)
  if type(args) ~= "table" then error("bad argument #1 (table expected, got " .. type(args) .. ")", 3) end
  for k in pairs(args) do
    local known = WAIT_KEYS[k]
    for _, p in ipairs(w.params) do known = known or k == p end
    if not known then return fail("validation", "unknown argument of wait (" .. table.concat(w.params, ", ") ..
      ", until, timeout, interval)", { field = tostring(k) }) end
  end
  local params, perr = pick(args, w.params, "wait")
  if not params then return nil, perr end
  local target = args["until"]
  local gone = target == "deleted"
  local done = gone and {} or set(type(target) == "string" and { target } or target or w.done)
  local failure = set(w.failure)
  for s in pairs(done) do failure[s] = nil end
  local now = args.now or core.clock
  local sleep = args.sleep or function(s) client.transport.sleep(s) end
  local timeout, interval = args.timeout or w.timeout, args.interval or w.interval
  local deadline = now() + timeout
  local history, last, last_err, polls = {}, nil, nil, 0
  local function seen(state)
    if history[#history] ~= state then history[#history + 1] = state end
  end
  while true do
    polls = polls + 1
    local obj, meta = client:call(w.show, params)
    if obj then
      local state = obj[w.state]
      seen(state)
      last = obj
      if not gone and done[state] then return obj, { history = history, polls = polls, status = meta.status } end
      if not gone and failure[state] then
        return fail("failed", w.show .. " shows " .. w.state .. " = " .. tostring(state) .. ", a failure state",
          { state = state, history = history, last = obj })
      end
    elseif meta.class == "gone" then
      if gone then
        seen("deleted")
        return {}, { history = history, polls = polls, gone = true }
      end
      meta.history = history
      return nil, meta
    elseif meta.kind == "validation" or meta.kind == "config" or meta.class == "never" then
      return nil, meta -- polling again would get the same answer
    else
      last_err = meta -- throttled, or a failed poll: again, until the deadline
    end
    local left = deadline - now()
    if left <= 0 then
      local state = last and tostring(last[w.state]) or "unknown"
      return fail("timeout", ("%s still shows %s = %s after %g s (waiting for %s)"):format(w.show, w.state, state,
        timeout, gone and "it to be gone" or "a done state"), { state = last and last[w.state], history = history,
        last = last, last_error = last_err, retryable = true })
    end
    sleep(math.min(left, interval * (0.8 + 0.4 * math.random())))
  end
end

-- ---- paging -----------------------------------------------------------------------------------

-- An iterator over every item of pager p's list for args (offset/limit, a name cursor, or one
-- page). Each step yields the item (and, for streams, its info); an error raises it.
function M.each(client, p, args)
  if args ~= nil and type(args) ~= "table" then
    error("bad argument #1 (table expected, got " .. type(args) .. ")", 3)
  end
  args = args or {}
  local buf, i, done, offset, cursor = {}, 0, false, args.offset or 0, args[p.cursor or ""]
  local function fetch()
    local q = {}
    for k, v in pairs(args) do q[k] = v end
    if p.offset then q[p.offset], q[p.limit] = offset, q[p.limit] or p.page end
    if p.cursor then q[p.cursor], q[p.limit] = cursor, q[p.limit] or p.page end
    local res, err = client:call(p.list, q)
    if not res then error(err, 0) end
    local items, details = res[p.items] or {}, p.details and res[p.details] or {}
    buf, i = {}, 0
    for k, item in ipairs(items) do buf[k] = { item, details[k] } end
    if p.offset then
      offset = offset + #items
      done = #items < q[p.limit] or (res.total_number ~= nil and offset >= res.total_number)
    elseif p.cursor then
      cursor = items[#items]
      done = not res[p.more] or #items == 0
    else
      done = true
    end
  end
  local started = false
  return function()
    if not started then
      started = true
      fetch()
    end
    while i >= #buf do
      if done then return nil end
      fetch()
    end
    i = i + 1
    return buf[i][1], buf[i][2]
  end
end

-- ---- ensure: create only when absent ---------------------------------------------------------------

-- The field paths where body and what the service shows differ (fields the answer shows; never
-- a secret). map renames a request field to the answer's name for it.
local function drift(body, shown, map, prefix, out)
  for k, v in pairs(body) do
    local name = map and map[k] or k
    local path = (prefix and (prefix .. ".") or "") .. k
    local other = type(shown) == "table" and shown[name]
    if type(k) == "string" and not core.sensitive_name(k) and other ~= nil then
      if type(v) == "table" and type(other) == "table" then drift(v, other, nil, path, out)
      elseif v ~= other then out[#out + 1] = path end
    end
  end
  table.sort(out)
  return out
end

-- An error after which the create may have happened: the only safe next step is to look.
local function unknown_outcome(err)
  return err.kind == "timeout" or (err.kind == "network" and err.request_sent == true) or
    (err.kind == "api" and err.status >= 500)
end

local function wait_for(client, svc, e, args, obj)
  if not args.wait then return obj end
  local w = svc.waiters[e.waiter]
  local wargs = { timeout = args.timeout, interval = args.interval, sleep = args.sleep, now = args.now,
    ["until"] = args["until"] }
  for wname, from in pairs(e.wait_params) do wargs[wname] = obj and obj[from] ~= nil and obj[from] or args[from] end
  if e.show_param and wargs[e.show_param] == nil then wargs[e.show_param] = at(args.body, e.key) end
  local res, meta = M.wait(client, w, wargs)
  if not res then return nil, meta end
  return res, meta
end

local CONTROL = { body = true, wait = true, timeout = true, interval = true, sleep = true, now = true,
  ["until"] = true }

-- args without the keys of ensure itself (keep: the ones to keep anyway)
local function without_control(args, keep)
  local q = {}
  for k, v in pairs(args) do
    if not CONTROL[k] or keep == k then q[k] = v end
  end
  return q
end

-- Looks the thing up: by listing (names not unique) or by showing it by name. Returns the list
-- of matches, or nil, err.
local function lookup(client, svc, e, args, name)
  if e.find then
    local q = without_control(args)
    local ok, found = pcall(function()
      local hits = {}
      for item in M.each(client, svc.pagers[e.find], q) do
        if item[e.key] == name then hits[#hits + 1] = item end
      end
      return hits
    end)
    if not ok then return nil, found end
    return found
  end
  local q = without_control(args)
  q[e.show_param] = name
  local res, err = client:call(e.show, q)
  if res then return { res } end
  if err.class == "gone" then return {} end
  return nil, err
end


-- Creates when absent; returns the list of matches afterwards and whether it created, or nil, err.
local function create_if_absent(client, svc, e, args, name)
  local res, meta = client:call(e.create, without_control(args, "body"))
  if res and e.find then return { res }, true end -- the create answers the thing itself
  if not res and meta.class ~= "exists" and not unknown_outcome(meta) then return nil, meta end
  -- it answered nothing to show, or "it exists", or we cannot know: look
  local again, err = lookup(client, svc, e, args, name)
  if not again then return nil, err end
  if #again == 0 then
    if not res then return nil, meta end
    return fail("api", e.create .. " succeeded, yet no " .. name .. " is found", { class = "gone" })
  end
  return again, res ~= nil or unknown_outcome(meta)
end

function M.ensure(client, svc, e, args)
  if type(args) ~= "table" then error("bad argument #1 (table expected, got " .. type(args) .. ")", 3) end
  if type(args.body) ~= "table" then return fail("validation", "required: a table", { field = "body" }) end
  local name = at(args.body, e.key)
  if type(name) ~= "string" then
    return fail("validation", "required: ensure finds what exists by this name", { field = "body." .. e.key })
  end
  local found, err = lookup(client, svc, e, args, name)
  if not found then return nil, err end
  local created = false
  if #found == 0 then
    found, created = create_if_absent(client, svc, e, args, name)
    if not found then return nil, created end
  end
  if #found > 1 then
    local ids = {}
    for _, f in ipairs(found) do ids[#ids + 1] = tostring(f[e.id]) end
    return fail("conflict", #found .. " exist with the name " .. name .. ": " .. table.concat(ids, ", "), { ids = ids })
  end
  local result, wmeta = wait_for(client, svc, e, args, found[1])
  if not result then return nil, wmeta end
  local meta = { created = created, history = args.wait and wmeta and wmeta.history or nil }
  if not created then
    local d = drift(args.body, result, e.drift_map, nil, {})
    if #d > 0 then meta.drift = d end
  end
  return result, meta
end

-- ---- installing them on a client class -----------------------------------------------------------------

-- Adds wait_<w>, each_<p> and ensure_<e> for every recipe of the service to class.
function M.install(class, svc)
  for name, w in pairs(svc.waiters or {}) do
    class["wait_" .. name] = function(self, args) return M.wait(self, w, args) end
  end
  for name, p in pairs(svc.pagers or {}) do
    class["each_" .. name] = function(self, args) return M.each(self, p, args) end
  end
  for name, e in pairs(svc.ensure or {}) do
    class["ensure_" .. name] = function(self, args) return M.ensure(self, svc, e, args) end
  end
end

return M
