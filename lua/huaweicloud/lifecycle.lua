-- huaweicloud.lifecycle: what scripts that manage tasks write by hand, built only from the
-- registry's operations and its recipes (registry/<service>.lua: waiters, pagers, ensure, actions):
--   client:wait_<thing>{ <ids>, until = STATE | CONDITION | { ... } | "deleted", timeout = s, interval = s }
--     -> the last object seen, { history = { states passed through }, polls, status } | nil, err
--        (err.kind "timeout" names the last state; "failed" when a failure state was reached)
--   for item in client:each_<thing>{ ... } do ... end    every page, one table per item; an error raises
--   client:ensure_<thing>{ <ids>, body = {...}, wait = true } -> thing, { created, drift?, history? }
--   client:<action>{ <ids>, <name> }  an action by name, where the service takes ids
-- Every helper checks its own arguments first: a typo is a validation error naming the helper and
-- what it takes. Polling is deadline-based with jitter, on the client's transport (ngx.sleep inside
-- nginx); only an answer that may change (throttled, busy, 5xx, network) is polled again. An
-- undocumented state is pending.
local core = require("huaweicloud.core")
local errors = require("huaweicloud.errors")

local M = {}

local function set(list)
  local s = {}
  for _, v in ipairs(list or {}) do s[v] = true end
  return s
end

local fail = errors.fail

-- The secrets a helper's messages must never show, though a server may reflect them into a state,
-- an id or a name: the client's credentials and every sensitive field of the body.
local function secrets_of(client, args)
  local list = {}
  local cfg = client.cfg or client:config()
  local c = cfg and cfg.credentials or {}
  for _, k in ipairs({ "ak", "sk", "security_token", "token" }) do
    if type(c[k]) == "string" then list[#list + 1] = c[k] end
  end
  local function walk(t, depth)
    for k, v in pairs(t) do
      if type(v) == "string" and type(k) == "string" and core.sensitive_name(k) then list[#list + 1] = v
      elseif type(v) == "table" and depth < 16 then walk(v, depth + 1) end
    end
  end
  if type(args.body) == "table" then walk(args.body, 0) end
  return list
end

-- fail(), for errors that carry what a server answered: the message and every string in it
-- (state, history, ids, the last object seen) scrubbed of the secrets.
local function fail_scrubbed(client, args, kind, message, extra)
  local list = secrets_of(client, args)
  local function clean(v, depth)
    if type(v) == "string" then return core.scrub(v, list) end
    if type(v) == "table" and getmetatable(v) == nil and depth < 16 then
      local out = {}
      for k, x in pairs(v) do out[clean(k, depth + 1)] = clean(x, depth + 1) end
      return out
    end
    return v
  end
  local e = {}
  for k, v in pairs(extra or {}) do e[k] = clean(v, 0) end
  return fail(kind, core.scrub(message, list), e)
end

-- The value at a dotted path of t ("obs_destination_descriptor.task_name").
local function at(t, path)
  for part in path:gmatch("[^.]+") do
    if type(t) ~= "table" then return nil end
    t = t[tonumber(part) or part] -- "tasks.1.status": a number is a list's index
  end
  return t
end

local function check_table(helper, args)
  if type(args) ~= "table" then
    error("bad argument #1 to '" .. helper .. "' (table expected, got " .. type(args) .. ")", 4)
  end
end

-- nil when every key of args is one of takes (a list of names), else a validation error naming
-- the helper, the closest name and what it takes.
local function unknown_args(helper, args, takes)
  local known = set(takes)
  for k in pairs(args) do
    if not known[k] then
      local near = type(k) == "string" and core.closest(k, takes)
      local _, err = fail("validation", helper .. ": unknown argument " .. tostring(k) ..
        (near and (" (did you mean " .. near .. "?)") or "") .. "; it takes " .. table.concat(takes, ", "),
        { field = tostring(k) })
      return err
    end
  end
end

-- The parameters named in `names`, taken from args; nil and a validation error when one is missing.
local function pick(helper, args, names)
  local p = {}
  for _, n in ipairs(names) do
    if args[n] == nil then return fail("validation", helper .. " needs " .. n, { field = n }) end
    p[n] = args[n]
  end
  return p
end

-- The names of op's parameters (in order), then extra.
local function op_params(client, op, extra, skip)
  local names = {}
  for _, p in ipairs(client.operations[op].params or {}) do
    if not (skip and skip[p.name]) then names[#names + 1] = p.name end
  end
  if client.operations[op].request then names[#names + 1] = "body" end
  for _, n in ipairs(extra or {}) do names[#names + 1] = n end
  return names
end

-- ---- waiting ----------------------------------------------------------------------------------

local WAIT_ARGS = { "until", "timeout", "interval", "sleep", "now" }
local MAX_SECONDS = 7 * 86400

-- A number of seconds (0 < s <= a week), or a validation error.
local function seconds(helper, name, v, default)
  if v == nil then return default end
  if type(v) ~= "number" or v ~= v or v <= 0 or v > MAX_SECONDS then
    local _, err = fail("validation", helper .. ": " .. name .. " must be a number of seconds greater than 0 and at " ..
      "most " .. MAX_SECONDS .. ", got " .. (type(v) == "number" and tostring(v) or type(v)), { field = name })
    return nil, err
  end
  return v
end

-- What `until` asks for: { states = set, conditions = { {field = value} }, gone = bool }, or nil, err.
-- A target is a state the registry knows for this thing, one of its named conditions ("enabled"),
-- "deleted", or a list of states and conditions.
local function target_of(helper, w, target)
  if target == nil then return { states = set(w.done), conditions = {} } end
  if target == "deleted" then return { states = {}, conditions = {}, gone = true } end
  local list = type(target) == "table" and target or { target }
  local known, names = set(w.states), {}
  for _, s in ipairs(w.states or {}) do names[#names + 1] = s end
  for c in pairs(w.conditions or {}) do names[#names + 1] = c end
  table.sort(names)
  names[#names + 1] = "deleted"
  local t = { states = {}, conditions = {} }
  if type(target) ~= "string" and (type(target) ~= "table" or #target == 0) then
    list = { target }
  end
  for k, s in pairs(list) do
    local cond = type(s) == "string" and w.conditions and w.conditions[s]
    if type(k) ~= "number" or not (known[s] or cond) then
      local near = type(s) == "string" and core.closest(s, names)
      return fail("validation", helper .. ": until = " .. (type(s) == "string" and s or type(s)) ..
        " is not a state of " .. w.show .. (near and (" (did you mean " .. near .. "?)") or "") ..
        "; it takes " .. table.concat(names, ", ") .. ", or a list of them", { field = "until" })
    end
    if cond then t.conditions[#t.conditions + 1] = cond else t.states[s] = true end
  end
  return t
end

local function describe(target)
  if target.gone then return "it to be gone" end
  local names = {}
  for s in pairs(target.states) do names[#names + 1] = s end
  for _, c in ipairs(target.conditions) do
    local parts = {}
    for k, v in pairs(c) do parts[#parts + 1] = k .. " = " .. tostring(v) end
    table.sort(parts)
    names[#names + 1] = table.concat(parts, " and ")
  end
  table.sort(names)
  return table.concat(names, " or ")
end

local function reached(target, state, obj)
  if target.states[state] then return true end
  for _, c in ipairs(target.conditions) do
    local all = true
    for k, v in pairs(c) do all = all and obj[k] == v end
    if all then return true end
  end
  return false
end

-- Whether another poll may get another answer: throttled, busy, a server or network fault.
local function may_pass(err)
  return err.retryable == true or err.class == "not_processed" or err.class == "busy" or err.kind == "network" or
    err.kind == "timeout" or (err.kind == "api" and (err.status or 0) >= 500)
end

-- Polls w.show until its state is what was asked for (or, with until = "deleted", it is gone:
-- any 404 of the show, or the service's "gone" code).
function M.wait(client, helper, w, args, svc)
  check_table(helper, args)
  local takes, aliased = {}, {}
  for alias, param in pairs(w.aliases or {}) do aliased[param] = alias end
  for _, p in ipairs(w.params) do takes[#takes + 1] = aliased[p] or p end
  if w.job then takes[#takes + 1] = "job_id" end
  for _, a in ipairs(WAIT_ARGS) do takes[#takes + 1] = a end
  local err = unknown_args(helper, args, takes)
  if err then return nil, err end
  local named = {} -- the show's parameters, under their own names
  for k, v in pairs(args) do named[w.aliases and w.aliases[k] or k] = v end
  local params, perr = pick(helper, named, w.params)
  if not params then return nil, perr end
  local target, terr = target_of(helper, w, args["until"])
  if not target then return nil, terr end
  local timeout, interval
  timeout, err = seconds(helper, "timeout", args.timeout, w.timeout)
  if not timeout then return nil, err end
  interval, err = seconds(helper, "interval", args.interval, w.interval)
  if not interval then return nil, err end
  local failure = set(w.failure)
  for s in pairs(target.states) do failure[s] = nil end
  local now = args.now or core.clock
  local sleep = args.sleep or function(s) client.transport.sleep(s) end
  local deadline = now() + timeout
  local job_history
  if w.job and args.job_id ~= nil then -- the job the call that started the change answered: followed first
    local jargs = { job_id = args.job_id, timeout = timeout, interval = args.interval, sleep = args.sleep, now = now }
    for _, p in ipairs(w.params) do jargs[p] = args[p] end
    local job, jmeta = M.wait(client, helper, svc.waiters[w.job], jargs, svc)
    if not job then return nil, jmeta end
    job_history = jmeta.history
    timeout = math.max(0.001, deadline - now())
  end
  local history, last, last_err, polls = {}, nil, nil, 0
  local function seen(state)
    if history[#history] ~= state then history[#history + 1] = state end
  end
  while true do
    polls = polls + 1
    -- the deadline bounds this poll, its retries and its sleeps (on the client's clock)
    -- one attempt a poll: the wait itself polls again what may change, on its own clock
    local obj, meta = client:call(w.show, params, core.clock() + math.max(0, deadline - now()), true)
    if obj then
      local state = at(obj, w.state)
      seen(state)
      last = obj
      if not target.gone and reached(target, state, obj) then
        return obj, { history = history, polls = polls, status = meta.status, job_history = job_history }
      end
      if not target.gone and failure[state] then
        return fail_scrubbed(client, args, "failed", w.show .. " shows " .. w.state .. " = " .. tostring(state) ..
          ", a failure state", { state = state, history = history, last = obj })
      end
    elseif may_pass(meta) then
      last_err = meta -- throttled (DMS even with a 404), busy, or a fault: poll again
    elseif meta.class == "gone" or meta.status == 404 then
      -- any other 404 of the show means gone (as Terraform reads it); DIS says so with a 400 code
      if target.gone then
        seen("deleted")
        return {}, { history = history, polls = polls, gone = true }
      end
      meta.history = history
      return nil, meta
    else
      meta.history = history
      return nil, meta -- polling again would get the same answer
    end
    local left = deadline - now()
    if left <= 0 then
      local state = last and tostring(at(last, w.state)) or "unknown"
      return fail_scrubbed(client, args, "timeout", ("%s still shows %s = %s after %g s (waiting for %s)"):format(
        w.show, w.state, state, timeout, describe(target)), { state = last and at(last, w.state), history = history,
        last = last, last_error = last_err, retryable = true })
    end
    -- Retry-After is honoured: the service said when to ask again
    local pause = interval * (0.8 + 0.4 * math.random())
    if not obj and type(meta.retry_after) == "number" then pause = math.max(pause, meta.retry_after) end
    sleep(math.min(left, pause))
  end
end

-- ---- paging -----------------------------------------------------------------------------------

M.MAX_PAGES = 1000 -- whatever a server answers, a walk ends

-- An iterator over every item of pager p's list for args (offset/limit, a name cursor, or one
-- page). Each step yields one table: the item, or for lists of names, the details the page gives
-- for that name (with the name in p.name). An error raises it. Every page must advance: a page
-- with nothing new, a cursor seen before, more pages than the total allows or than MAX_PAGES, a
-- list that is not a list, is an error of kind decode naming the operation. An item seen before
-- (by p.key, or the name) is not yielded twice; memory grows only with what was yielded.
function M.each(client, helper, p, args)
  if args ~= nil then check_table(helper, args) end
  args = args or {}
  local err = unknown_args(helper, args, op_params(client, p.list))
  if err then error(err, 3) end
  local buf, i, done, offset, cursor = {}, 0, false, args.offset or 0, args[p.cursor or ""]
  local seen, cursors, pages, most = {}, {}, 0, 0
  local function broken(why)
    local _, e = fail_scrubbed(client, args, "decode", p.list .. " " .. why .. " (page " .. pages .. ")",
      { operation = p.list })
    error(e, 0)
  end
  local function fetch()
    pages = pages + 1
    if pages > M.MAX_PAGES then broken("answered more than " .. M.MAX_PAGES .. " pages") end
    local q = {}
    for k, v in pairs(p.defaults or {}) do q[k] = v end
    for k, v in pairs(args) do q[k] = v end
    if p.offset then q[p.offset], q[p.limit] = offset, q[p.limit] or p.page end
    if p.cursor then q[p.cursor], q[p.limit] = cursor, q[p.limit] or p.page end
    local res, cerr = client:call(p.list, q)
    if not res then error(cerr, 0) end
    local items, details = res[p.items], p.details and res[p.details]
    if items == nil then items = {} end
    if type(items) ~= "table" then broken("answered " .. p.items .. " that is not a list") end
    if type(details) ~= "table" then details = {} end
    buf, i = {}, 0
    local fresh = 0
    for k, item in ipairs(items) do
      local entry, id = item, nil
      if p.name then -- a list of names beside a list of details
        local d = details[k]
        entry = type(d) == "table" and d[p.name] == item and d or { [p.name] = item }
        id = item
      elseif type(item) == "table" and p.key then
        id = item[p.key]
      end
      if id == nil or not seen[id] then
        if id ~= nil then seen[id] = true end
        fresh = fresh + 1
        buf[#buf + 1] = entry
      end
    end
    if #items > 0 and fresh == 0 then broken("answered a page with nothing new: it does not advance") end
    local total = tonumber(res[p.total or "total_number"])
    if total and total > most then most = total end
    local limit = (p.offset or p.cursor) and q[p.limit]
    -- a walk of `most` items takes ceil(most / limit) pages, and one more that ends it
    if limit and most > 0 and pages > math.ceil(most / limit) + 1 then
      broken("answered more pages than its total_number (" .. most .. ") allows")
    end
    if p.offset then
      offset = offset + #items
      done = #items < limit or (total ~= nil and offset >= total)
    elseif p.cursor then
      cursor = items[#items]
      done = not res[p.more] or #items == 0
      if not done then
        if cursors[cursor] then broken("brought back the cursor " .. tostring(cursor) .. ": it goes round") end
        cursors[cursor] = true
      end
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
    return buf[i]
  end
end

-- ---- finding one by name -------------------------------------------------------------------------

-- The one item of the finder's pager whose f.key is args[f.key] (the other arguments are the
-- list's parameters; f.query adds the list's own filters): none is kind not_found, several kind
-- conflict with their ids.
function M.find(client, helper, svc, f, args)
  check_table(helper, args)
  local p = svc.pagers[f.pager]
  local err = unknown_args(helper, args, op_params(client, p.list))
  if err then return nil, err end
  local want = args[f.key]
  if type(want) ~= "string" then return fail("validation", helper .. " needs " .. f.key, { field = f.key }) end
  local q = {}
  for k, v in pairs(args) do q[k] = v end
  for k, from in pairs(f.query or {}) do
    if q[k] == nil then q[k] = type(from) == "string" and args[from] or from end
  end
  local ok, hits = pcall(function()
    local found = {}
    for item in M.each(client, helper, p, q) do
      if item[f.key] == want then found[#found + 1] = item end
    end
    return found
  end)
  if not ok then return nil, hits end
  if #hits == 1 then return hits[1] end
  if #hits == 0 then
    return fail_scrubbed(client, args, "not_found", helper .. ": no " .. f.pager .. " has " .. f.key .. " " .. want,
      { field = f.key })
  end
  local ids = {}
  for _, h in ipairs(hits) do ids[#ids + 1] = tostring(h[f.id]) end
  return fail_scrubbed(client, args, "conflict", helper .. ": " .. #hits .. " have " .. f.key .. " " .. want .. ": " ..
    table.concat(ids, ", "), { ids = ids, field = f.key })
end

-- ---- ensure: create only when absent ---------------------------------------------------------------

-- What differs between body and what the service shows: { field = path, from = shown, to = body }
-- for every field the answer shows, sorted by path; never a secret (it cannot be read back). map
-- renames a request field (a dotted path) to the answer's name for it. false and "false", 3 and
-- "3" are one value: the services' examples write both.
function M.diff(body, shown, map, prefix, out)
  out = out or {}
  for k, v in pairs(body) do
    local path = (prefix and (prefix .. ".") or "") .. k
    local name = map and map[path] or k
    local other = type(shown) == "table" and shown[name]
    if type(k) == "string" and not core.sensitive_name(k) and other ~= nil then
      if type(v) == "table" and type(other) == "table" then M.diff(v, other, map, path, out)
      elseif v ~= other and (type(v) == "table" or tostring(v) ~= tostring(other)) then
        out[#out + 1] = { field = path, from = other, to = v }
      end
    end
  end
  if not prefix then table.sort(out, function(a, b) return a.field < b.field end) end
  return out
end

-- The field paths where body and what the service shows differ (M.diff's fields).
local function drift(body, shown, map)
  local out = {}
  for _, d in ipairs(M.diff(body, shown, map)) do out[#out + 1] = d.field end
  return out
end

-- An error after which the create may have happened: the only safe next step is to look.
local function unknown_outcome(err)
  return err.kind == "timeout" or (err.kind == "network" and err.request_sent == true) or
    (err.kind == "api" and err.status >= 500)
end

local WAIT_CONTROL = { "wait", "until", "timeout", "interval", "sleep", "now" }

-- What ensure_<e> takes besides the create's parameters: waiting where there is a waiter, sleep
-- and now always (settling), and the recipe's own switches (validate_first, grow).
local function ensure_args(e)
  local names = {}
  for _, n in ipairs(WAIT_CONTROL) do
    if e.waiter or n == "sleep" or n == "now" then names[#names + 1] = n end
  end
  if e.validate then names[#names + 1] = "validate_first" end
  if e.grow then names[#names + 1] = e.grow.arg end
  return names
end

local function wait_for(client, svc, e, args, obj)
  if not args.wait then return obj end
  local w = svc.waiters[e.waiter]
  local wargs = { timeout = args.timeout, interval = args.interval, sleep = args.sleep, now = args.now,
    ["until"] = args["until"] }
  for wname, from in pairs(e.wait_params) do wargs[wname] = obj and obj[from] ~= nil and obj[from] or args[from] end
  if e.show_param and wargs[e.show_param] == nil then wargs[e.show_param] = at(args.body, e.key) end
  return M.wait(client, "ensure_" .. e.name, w, wargs, svc)
end

-- args without the keys of ensure itself (keep: the ones to keep anyway)
local function without_control(e, args, keep)
  local control = set(ensure_args(e))
  control.body = true
  local q = {}
  for k, v in pairs(args) do
    if not control[k] or keep == k then q[k] = v end
  end
  return q
end

-- Looks the thing up: by listing (names not unique) or by showing it by name. Returns the list
-- of matches, or nil, err.
local function lookup(client, svc, e, args, name)
  if e.find then
    local q = without_control(e, args)
    local ok, found = pcall(function()
      local hits = {}
      for item in M.each(client, "ensure_" .. e.name, svc.pagers[e.find], q) do
        if item[e.item_key or e.key] == name then hits[#hits + 1] = item end
      end
      return hits
    end)
    if not ok then return nil, found end
    return found
  end
  local q = without_control(e, args)
  q[e.show_param] = name
  local res, err = client:call(e.show, q)
  if res then return { res } end
  if err.class == "gone" then return {} end
  return nil, err
end

-- The one every caller agrees on among things of one name: the service's data decides, the
-- earliest create_time, then the smallest id.
local function first_made(found, idf)
  local best
  for _, f in ipairs(found) do
    if not best then
      best = f
    else
      local tf, tb = tonumber(f.create_time) or math.huge, tonumber(best.create_time) or math.huge
      if tf < tb or (tf == tb and tostring(f[idf]) < tostring(best[idf])) then best = f end
    end
  end
  return best
end

local function has_id(found, idf, id)
  for _, f in ipairs(found) do
    if f[idf] == id then return true end
  end
  return false
end

-- Names are not unique (e.find): after our create, look until it shows (a list may lag behind a
-- create: e.settle tries, interval apart); where others of the name show too, someone raced us:
-- the first made wins, and a loser deletes its own. Returns the list, created, raced | nil, err.
local function settle(client, svc, e, args, name, made)
  local sleep = args.sleep or function(sec) client.transport.sleep(sec) end
  local mine = made[e.id]
  local found, err
  for try = 1, e.settle.tries do
    found, err = lookup(client, svc, e, args, name)
    if not found then return nil, err end
    if has_id(found, e.id, mine) then break end
    if try == e.settle.tries then return { made }, true end -- it never showed: what the create answered
    sleep(e.settle.interval)
  end
  if #found == 1 then return found, true end
  local win = first_made(found, e.id)
  if win[e.id] == mine then return { win }, true, true end
  local q = {}
  for param, from in pairs(e.delete_params) do q[param] = from == e.id and mine or args[from] end
  local ok, derr = client:call(e.delete, q)
  if not ok then
    return fail_scrubbed(client, args, "conflict", ("%s raced another creator of %s and could not delete its own " ..
      "twin %s: %s"):format(e.create, name, tostring(mine), tostring(derr)),
      { ids = { tostring(win[e.id]), tostring(mine) }, cause = derr })
  end
  return { win }, false, true
end

-- Whether a refused create may be another caller's create of a unique name (which code says
-- "it exists" is not documented for every thing): then a look tells.
local function maybe_exists(e, err)
  return err.class == "exists" or (e.unique and err.kind == "api" and (err.status == 400 or err.status == 409))
end

-- Creates when absent; returns the list of matches afterwards, whether it created and whether it
-- raced, or nil, err.
local function create_if_absent(client, svc, e, args, name)
  local res, meta = client:call(e.create, without_control(e, args, "body"))
  if res and e.find and not e.unique and res[e.id] ~= nil then return settle(client, svc, e, args, name, res) end
  -- an answer without its id (optional in every official model), "it exists", or an outcome we
  -- cannot know: look
  if not res and not maybe_exists(e, meta) and not unknown_outcome(meta) then return nil, meta end
  local again, err = lookup(client, svc, e, args, name)
  if not again then return nil, err end
  if #again == 0 then
    if not res then return nil, meta end
    -- a unique name the list does not show yet: what the create answered
    if e.unique and res[e.id] ~= nil then return { res }, true end
    return fail("api", e.create .. " succeeded, yet no " .. name .. " is found", { class = "gone" })
  end
  local made = res ~= nil or unknown_outcome(meta)
  return again, made, (not made) or nil
end

-- validate_first: the service's pre-flight check of what the body connects to (a replication's
-- peer), for the kinds e.validate has a case for, sent as the check's model can carry it.
-- nil when it passes (or no case applies), else the check's error.
local function preflight(client, e, args)
  local v = e.validate
  for _, c in ipairs(v.cases) do
    if at(args.body, c.when) == c.equals then
      local from, task = at(args.body, c.task), {}
      for _, f in ipairs(core.describe(v.model)) do
        if type(from) == "table" and from[f.name] ~= nil then task[f.name] = from[f.name] end
      end
      local q = {}
      for _, p in ipairs(client.operations[v.op].params) do q[p.name] = args[p.name] end
      q.body = { type = c.type, task = task }
      local ok, err = client:call(v.op, q)
      if not ok then
        err.stage = v.op -- the create was not tried
        return err
      end
    end
  end
end

-- grow: a thing found with fewer (writable) units than the body asks is scaled up with e.grow.op;
-- one with more is left alone (drift says so). Returns the thing as shown now and what grew.
local function grow(client, svc, e, args, name, obj)
  local g = e.grow
  local want = tonumber(at(args.body, g.field))
  local have = tonumber(obj[e.drift_map and e.drift_map[g.field] or g.field])
  if not want or not have or want <= have then return obj end
  local q = { body = {} }
  for _, p in ipairs(client.operations[g.op].params) do q[p.name] = args[p.name] or at(args.body, p.name) end
  for field, from in pairs(g.body) do q.body[field] = at(args.body, from) end
  local ok, err = client:call(g.op, q)
  if not ok then return nil, err end
  local now, lerr = lookup(client, svc, e, args, name)
  if not now then return nil, lerr end
  return now[1] or obj, { from = have, to = want }
end

function M.ensure(client, svc, e, args)
  local helper = "ensure_" .. e.name
  check_table(helper, args)
  local err = unknown_args(helper, args, op_params(client, e.create, ensure_args(e)))
  if err then return nil, err end
  if type(args.body) ~= "table" then return fail("validation", helper .. ": body is required (a table)",
    { field = "body" }) end
  local name = at(args.body, e.key)
  if type(name) ~= "string" then
    return fail("validation", helper .. " finds what exists by this name: it is required", { field = "body." .. e.key })
  end
  if args.wait then -- a bad until or timeout is told before anything is created
    local _, terr = target_of(helper, svc.waiters[e.waiter], args["until"])
    if terr then return nil, terr end
    for _, k in ipairs({ "timeout", "interval" }) do
      local ok, serr = seconds(helper, k, args[k], 1)
      if not ok then return nil, serr end
    end
  end
  local found
  found, err = lookup(client, svc, e, args, name)
  if not found then return nil, err end
  local created, raced = false, nil
  if #found == 0 then
    if args.validate_first then
      err = preflight(client, e, args)
      if err then return nil, err end
    end
    found, created, raced = create_if_absent(client, svc, e, args, name)
    if not found then return nil, created end
  end
  if #found > 1 then
    local ids = {}
    for _, f in ipairs(found) do ids[#ids + 1] = tostring(f[e.id]) end
    return fail_scrubbed(client, args, "conflict", #found .. " exist with the name " .. name .. ": " ..
      table.concat(ids, ", "), { ids = ids })
  end
  local grown
  if e.grow and args[e.grow.arg] and not created then
    found[1], grown = grow(client, svc, e, args, name, found[1])
    if not found[1] then return nil, grown end
  end
  local result, wmeta = wait_for(client, svc, e, args, found[1])
  if not result then return nil, wmeta end
  local meta = { created = created, raced = raced, grown = grown,
    history = args.wait and wmeta and wmeta.history or nil, polls = args.wait and wmeta and wmeta.polls or nil }
  if not created then
    local d = drift(args.body, result, e.drift_map)
    if #d > 0 then meta.drift = d end
  end
  return result, meta
end

-- ---- actions by name ---------------------------------------------------------------------------

-- An action the service takes by id, done by name: show the thing by name, take its id, call.
function M.act(client, helper, a, args)
  check_table(helper, args)
  local takes = client.operations[a.show].params
  local names = {}
  for _, p in ipairs(takes) do names[#names + 1] = p.name end
  local err = unknown_args(helper, args, names)
  if err then return nil, err end
  local params, perr = pick(helper, args, names)
  if not params then return nil, perr end
  local thing, serr = client:call(a.show, params)
  if not thing then return nil, serr end
  if thing[a.id] == nil then
    return fail("decode", a.show .. " answered without " .. a.id .. ", which " .. a.call .. " needs", { field = a.id })
  end
  local body = {}
  for k, v in pairs(a.body) do body[k] = v end
  body[a.list] = { { [a.list_key] = thing[a.id] } }
  local q = {}
  for _, p in ipairs(client.operations[a.call].params) do q[p.name] = args[p.name] end
  q.body = body
  return client:call(a.call, q)
end

-- ---- installing them on a client class -----------------------------------------------------------------

-- Adds wait_<w>, each_<p>, ensure_<e> and the actions of the service to class.
function M.install(class, svc)
  for name, w in pairs(svc.waiters or {}) do
    local helper = "wait_" .. name
    class[helper] = function(self, args) return M.wait(self, helper, w, args, svc) end
  end
  for name, f in pairs(svc.finders or {}) do
    local helper = "find_" .. name
    class[helper] = function(self, args) return M.find(self, helper, svc, f, args) end
  end
  for name, p in pairs(svc.pagers or {}) do
    local helper = "each_" .. name
    class[helper] = function(self, args) return M.each(self, helper, p, args) end
  end
  for name, e in pairs(svc.ensure or {}) do
    e.name = name
    class["ensure_" .. name] = function(self, args) return M.ensure(self, svc, e, args) end
  end
  for name, a in pairs(svc.actions or {}) do
    class[name] = function(self, args) return M.act(self, name, a, args) end
  end
end

return M
