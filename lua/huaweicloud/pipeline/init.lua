-- huaweicloud.pipeline: pipelines as code. A declaration (a table, or a Lua or JSON file; see
-- huaweicloud.pipeline.decl) names what should exist; plan reads what does (no writes), apply
-- makes it so, destroy takes it away. No state file: what exists is what the services show.
--   local pipeline = require("huaweicloud.pipeline")   -- also hw.pipeline
--   local p = hw.assert(pipeline.plan("pipeline.lua"))  -- p.items: { address, action, changes, ... }
--   local r = hw.assert(pipeline.apply("pipeline.lua", { prune = false, replace = false }))
--   r.ok, r.outcomes: { address, action, status = done | failed | skipped | unchanged, error? }
-- Options (all optional): client (options for hw.kafka.new / hw.dis.new: credentials, endpoint,
-- ...; region defaults to the declaration's), clients ({ kafka, dis } made by the caller),
-- prune, replace (true or a list of addresses or names), concurrency (8), interval, timeout,
-- on_event(e) (e: { address, action, phase = start | done | failed | skipped, seconds?,
-- history?, error? }). Programmer errors raise; a bad declaration or a failed read returns nil, err.
local decl = require("huaweicloud.pipeline.decl")
local planner = require("huaweicloud.pipeline.plan")
local apply = require("huaweicloud.pipeline.apply")
local coop = require("huaweicloud.transport.coop")

local M = { render = require("huaweicloud.pipeline.render") }

local OPTIONS = { client = "table", clients = "table", prune = "boolean", replace = "boolean|table",
  concurrency = "number", interval = "number", timeout = "number", on_event = "function", sleep = "function",
  now = "function", destroy = "boolean" }

local function check_options(fname, opts)
  if opts == nil then return {} end
  if type(opts) ~= "table" then
    error("bad argument #2 to '" .. fname .. "' (table expected, got " .. type(opts) .. ")", 3)
  end
  for k, v in pairs(opts) do
    local want = OPTIONS[k]
    if not want then error(fname .. ": unknown option " .. tostring(k), 3) end
    if not want:find(type(v), 1, true) then error(fname .. ": option " .. k .. " must be a " .. want, 3) end
  end
  local c = opts.concurrency
  if c ~= nil and (c < 1 or c > 64 or c % 1 ~= 0) then
    error(fname .. ": concurrency must be an integer from 1 to 64", 3)
  end
  return opts
end

-- The declaration checked: from a table, or a file's path.
function M.check(d)
  if type(d) == "string" then
    local loaded, err = decl.load(d)
    if not loaded then return nil, err end
    d = loaded
  end
  return decl.check(d)
end
M.load = decl.load

-- The clients a run uses and its scheduler: made from opts.client (on the scheduler's transport,
-- outside nginx), or the caller's.
local function setup(d, opts)
  local o = {}
  for k, v in pairs(opts.client or {}) do o[k] = v end
  if o.region == nil and o.endpoint == nil then o.region = d.region end
  local sched = coop.new({ timeout = o.timeout, connect_timeout = o.connect_timeout, proxy = o.proxy,
    ca_file = o.ca_file, verify_tls = o.verify_tls, user_agent = o.user_agent, max_body = o.max_body })
  if opts.clients then return opts.clients, sched end
  local ngx = rawget(_G, "ngx")
  if o.transport == nil and not (ngx and ngx.get_phase) then o.transport = sched.transport end
  local hw = require("huaweicloud")
  local kafka, err = hw.kafka.new(o)
  if not kafka then return nil, err end
  local dis
  dis, err = hw.dis.new(o)
  if not dis then return nil, err end
  return { kafka = kafka, dis = dis, own = true }, sched
end

local function close(clients, sched)
  if clients and clients.own then
    clients.kafka:close()
    clients.dis:close()
  end
  if sched then sched:close() end
end

local function planned(fname, d, opts, mode)
  opts = check_options(fname, opts)
  local checked, err = M.check(d)
  if not checked then return nil, err end
  local clients, sched = setup(checked, opts)
  if not clients then return nil, sched end
  local p
  p, err = planner.plan(clients, checked, { prune = opts.prune, destroy = mode == "destroy" or opts.destroy })
  return p, err, clients, sched, opts
end

-- plan(declaration, opts) -> { items, counts } | nil, err. Reads only; { destroy = true }: what
-- destroy would do.
function M.plan(d, opts)
  local p, err, clients, sched = planned("plan", d, opts)
  close(clients, sched)
  if not p then return nil, err end
  p.counts = planner.count(p)
  return p
end

local function carry_out(fname, d, opts, mode)
  local p, err, clients, sched, o = planned(fname, d, opts, mode)
  if not p then
    close(clients, sched)
    return nil, err
  end
  local ok, r = pcall(apply.run, clients, sched, p, o)
  close(clients, sched)
  if not ok then error(r, 0) end
  r.plan, p.counts = p, planner.count(p)
  return r
end

-- apply(declaration, opts) -> { ok, outcomes, plan } | nil, err (a bad declaration, a failed read)
function M.apply(d, opts) return carry_out("apply", d, opts) end

-- destroy(declaration, opts): deletes what the declaration names that exists (tasks, topics,
-- dump tasks, streams; Smart Connect declared on is turned off), in reverse order, waiting until
-- each is gone.
function M.destroy(d, opts) return carry_out("destroy", d, opts, "destroy") end

return M
