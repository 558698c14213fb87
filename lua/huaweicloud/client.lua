-- huaweicloud.client: the client every service shares. A service (huaweicloud.kafka, .dis) is a
-- name plus the operations of the C core's table that belong to it; each operation becomes a
-- method taking a params table and returning result, meta or nil, err.
--
-- Options: region | endpoint, credentials, timeout, connect_timeout, proxy, ca_file, verify_tls,
-- user_agent, max_body, validate, retries, retry_base, retry_max, retry_unsafe, transport, log.
local core = require("huaweicloud.core")
local credentials = require("huaweicloud.credentials")
local errors = require("huaweicloud.errors")
local log = require("huaweicloud.log")
local regions = require("huaweicloud.regions")
local telemetry = require("huaweicloud.telemetry")

local M = {}

-- option name -> Lua type(s) accepted (huaweicloud.contract lists them, with what each does)
local OPTIONS = {}
for _, o in ipairs(require("huaweicloud.contract").options) do OPTIONS[o[1]] = o[2] end

local function config_error(field, message)
  return errors.fail("config", message, { field = field })
end

local function check_options(opts)
  local names = {}
  for k in pairs(OPTIONS) do names[#names + 1] = k end
  table.sort(names)
  for k, v in pairs(opts) do
    local want = OPTIONS[k]
    if not want then
      local near = type(k) == "string" and core.closest(k, names)
      return config_error(tostring(k), "unknown option" .. (near and (" (did you mean " .. near .. "?)") or
        (" (options: " .. table.concat(names, ", ") .. ")")))
    end
    if not want:find(type(v), 1, true) then
      return config_error(k, "must be a " .. want:gsub("|", " or ") .. ", got " .. type(v))
    end
  end
  for _, k in ipairs({ "retry_base", "retry_max", "busy_step" }) do
    local v = opts[k]
    if v and not (v > 0 and v <= 86400) then -- NaN fails too
      return config_error(k, "must be a number of seconds greater than 0 and at most 86400")
    end
  end
  if opts.retries and (opts.retries < 0 or opts.retries % 1 ~= 0 or opts.retries > 100) then
    return config_error("retries", "must be an integer from 0 to 100")
  end
  if type(opts.traceparent) == "string" and not telemetry.valid_traceparent(opts.traceparent) then
    return config_error("traceparent", "must be a W3C traceparent (00-<32 hex>-<16 hex>-<2 hex>, lower case)")
  end
  -- timeouts, max_body, proxy, ca_file, user_agent: the core's own checks, the ones it applies
  return core.http_options(opts)
end

-- ---- the client -----------------------------------------------------------------------------

local Client = {}
Client.__index = Client

-- Creates a client class for a service: a table whose methods include one per operation.
function M.service(name)
  local class = setmetatable({ service = name }, { __index = Client })
  class.__index = class
  class.__tostring = Client.__tostring -- metamethods are looked up raw in the metatable
  class.__close = Client.close
  class.operations = {}
  for _, op in ipairs(core.operations()) do
    if op.service == name then
      class.operations[op.name] = op
      class.projects = class.projects or op.project -- IAM's operations name no project
      class[op.name] = function(self, params)
        return self:call(op.name, params)
      end
    end
  end
  return class
end

local function env(name)
  local v = os.getenv(name)
  if v ~= nil and v ~= "" then return v end
end

-- new(class, opts) -> client | nil, config error
function M.new(class, opts)
  if opts == nil then opts = {} end
  if type(opts) ~= "table" then error("bad argument #1 to 'new' (table expected, got " .. type(opts) .. ")", 3) end
  local ok, err = check_options(opts)
  if not ok then return nil, err end
  -- The endpoint: the option; else HUAWEICLOUD_SDK_ENDPOINT_<SERVICE>, HUAWEICLOUD_SDK_ENDPOINT (the
  -- environment is the one switch, as AWS_ENDPOINT_URL is: it overrides what a region implies);
  -- else the region's (the option, or HUAWEICLOUD_SDK_REGION). region keeps naming the region.
  local region = opts.region or env("HUAWEICLOUD_SDK_REGION")
  local endpoint = opts.endpoint or env("HUAWEICLOUD_SDK_ENDPOINT_" .. class.service:upper()) or
    env("HUAWEICLOUD_SDK_ENDPOINT")
  if not endpoint then
    if not region then
      return config_error("region", "set region (e.g. cn-north-4) or endpoint, or HUAWEICLOUD_SDK_REGION")
    end
    endpoint, err = regions.endpoint(class.service, region)
    if not endpoint then return nil, err end
  end
  local transport, terr = require("huaweicloud.transport").pick(opts.transport)
  if not transport then return nil, terr end
  local shared
  if opts.shared_dict then
    local why
    shared, why = credentials.shared.dict(opts.shared_dict)
    if not shared then return config_error("shared_dict", why) end
  end
  local self = setmetatable({
    opts = opts,
    region = region,
    log = log.sink(opts),
    endpoint = endpoint,
    transport = transport,
    retries = opts.retries or 2,
    retry_base = opts.retry_base or 0.01,
    retry_max = opts.retry_max or 60,
    budget = opts.retry_budget ~= false and telemetry.budget() or nil,
    shared = shared,
  }, class)
  self.chain = credentials.default_chain(opts.credentials, { endpoint = opts.metadata_endpoint,
    send = function(req) return self:raw_send(req) end, sleep = function(s) self.transport.sleep(s) end,
    shared = shared })
  return self
end

-- An unsigned request with a short timeout, for the metadata service.
function Client:raw_send(req)
  local t = credentials.metadata.TIMEOUT
  if self.transport.name == "ngx" then
    return self.transport.send({ timeout = t, connect_timeout = t }, req)
  end
  self.raw_http = self.raw_http or core.http_client({ timeout = t, connect_timeout = t, proxy = false })
  return self.raw_http:send(req)
end

-- A new libcurl handle with the client's options.
function Client:new_http()
  local o = self.opts
  return core.http_client({ timeout = o.timeout, connect_timeout = o.connect_timeout, proxy = o.proxy,
    ca_file = o.ca_file, verify_tls = o.verify_tls, user_agent = o.user_agent, max_body = o.max_body })
end

-- The client's libcurl handle, made on first use.
function Client:http()
  if not self.http_client then self.http_client = self:new_http() end
  return self.http_client
end

-- The configuration the core takes: endpoint, credentials, validate. Credentials are resolved
-- on first use; a provider that refreshes (the metadata service) is asked before each call.
-- Without a project id, IAM is asked for it (once per AK and region).
function Client:config()
  if self.cfg then return self.cfg end
  local cred, err
  if self.provider and self.provider.dynamic then
    local broken
    cred, err, broken = credentials.ask(self.provider)
    if not cred then
      return config_error("credentials", broken and err or
        ("no credentials from " .. tostring(self.provider.where) .. ": " .. tostring(err)))
    end
  elseif self.cred then
    cred = self.cred
  else
    local provider, project
    cred, provider, project = credentials.resolve(self.chain)
    if not cred then return nil, provider end
    self.provider, self.project_id = provider, project
    if not provider.dynamic then self.cred = cred end
  end
  if not cred.project_id and self.project_id then cred.project_id = self.project_id end
  if not cred.project_id and self.projects then
    local pid
    pid, err = credentials.project.discover(self, cred)
    if not pid then return nil, err end
    cred.project_id = pid
  end
  local cfg = { endpoint = self.endpoint, credentials = cred, validate = self.opts.validate }
  -- credentials that never change: the same table every call (nothing here writes to it)
  if cred == self.cred then self.cfg = cfg end
  return cfg
end

local function check_op(self, op, level)
  if type(op) ~= "string" or not self.operations[op] then
    local names = {}
    for n in pairs(self.operations) do names[#names + 1] = n end
    table.sort(names)
    error("unknown operation '" .. tostring(op) .. "' for " .. self.service .. " (" .. table.concat(names, ", ") .. ")",
      level + 1)
  end
end

-- Whether err may be retried: surely not sent, or the server asked (429/503); anything else
-- only with retry_unsafe, because a create is not idempotent.
-- A read (GET) is always safe to send again on a fault: by default its network errors, timeouts
-- and 5xx are retried too; anything else only with retry_unsafe.
function Client:should_retry(err, op)
  if err.retryable then return true end
  if err.class == "never" or err.class == "gone" or err.class == "exists" then return false end
  local read = op ~= nil and self.operations[op] and self.operations[op].method == "GET"
  if not (read or self.opts.retry_unsafe) then return false end
  return err.kind == "network" or err.kind == "timeout" or (err.kind == "api" and (err.status or 0) >= 500)
end

-- Reads what a failed attempt's error means in the service's own codes (err.class, err.retryable)
-- and names the fix where the cause is known.
function Client:explain(op, err)
  if err.kind ~= "api" then return err end
  errors.classify(self.service, self.operations[op].method, err)
  if err.class == "busy" then -- "retry later": a longer step than for a throttle
    err.retry_after = math.max(err.retry_after or 0, self.opts.busy_step or 10)
  end
  if err.status == 401 and not err.hint then
    local hint
    local date = err.server_date and require("huaweicloud.utc").parse_http(err.server_date)
    if date and math.abs(date - os.time()) > 300 then
      hint = ("this machine's clock is %d s off the server's (Date: %s); X-Sdk-Date must be within 15 minutes"):format(
        os.time() - date, err.server_date)
    end
    if hint then
      err.hint = hint
      err.message = err.message .. " (hint: " .. hint .. ")"
    end
  end
  return err
end

-- Exponential backoff with full jitter, honouring Retry-After (both capped by retry_max).
function Client:backoff(attempt, err)
  local cap = math.min(self.retry_max, self.retry_base * 2 ^ (attempt - 1))
  local delay = math.random() * cap
  if err.retry_after then delay = math.max(delay, err.retry_after) end
  return math.min(delay, self.retry_max)
end

-- A validation error of op with params, as prepare would give it, or nil: for the times the
-- credentials are missing too (a bad body is the caller's to fix whatever the credentials).
local CHECK_CFG = { endpoint = "http://127.0.0.1", credentials = { ak = "AKCHECK", sk = "check", project_id = "p" } }
local function validation_error(op, params)
  local req, err = core.prepare(op, CHECK_CFG, params)
  if not req and err.kind == "validation" then return err end
end

-- params with the client's traceparent among its headers (unless the caller set one), for one
-- attempt; a function's answer that is not a valid traceparent is not sent.
local function traced(self, params)
  local tp = self.opts.traceparent
  if tp == nil then return params end
  if type(tp) == "function" then
    local ok, v = pcall(tp)
    tp = ok and v or nil
  end
  if not telemetry.valid_traceparent(tp) then return params end
  local p, h = {}, {}
  for k, v in pairs(params) do p[k] = v end
  for k, v in pairs(type(params.headers) == "table" and params.headers or {}) do
    if type(k) == "string" and k:lower() == "traceparent" then return params end
    h[k] = v
  end
  h.traceparent = tp
  p.headers = h
  return p
end

-- The attempts of one call: the first, then retries while the policy and the budget allow.
local function attempts(self, op, params, deadline, once)
  local attempt, spent = 0, nil
  while true do
    attempt = attempt + 1
    local cfg, err = self:config()
    if not cfg then return nil, validation_error(op, params) or err end
    local started = self.log and core.clock()
    local limit = deadline and deadline - core.clock()
    if limit and limit <= 0 then
      return errors.fail("timeout", op .. ": the caller's deadline passed before attempt " .. attempt,
        { code = "DEADLINE", retryable = true, attempts = attempt - 1 })
    end
    local res, meta = self.transport.call(self, op, cfg, traced(self, params), limit)
    if type(meta) ~= "table" then -- a transport of one's own that answered neither
      res, meta = nil, errors.new({ kind = "network", message = "the transport " .. tostring(self.transport.name or
        "table") .. " returned " .. (res == nil and "nothing" or "a result without meta") })
    end
    meta.attempts = attempt
    if res == nil then self:explain(op, meta) end
    if self.log then self.log(log.event(self, op, log.url(self, op, params, cfg), attempt, started, res, meta)) end
    if res ~= nil then
      if self.budget then self.budget.give(spent or telemetry.SUCCESS) end
      return res, meta
    end
    if once or attempt > self.retries or not self:should_retry(meta, op) then return nil, meta end
    local pause = self:backoff(attempt, meta)
    if deadline and core.clock() + pause >= deadline then return nil, meta end -- no retry past it
    if self.budget then
      spent = self.budget.take(meta)
      if not spent then -- a failing service does not get the retries too
        meta.retry_budget = "exhausted"
        return nil, meta
      end
    end
    self.transport.sleep(pause)
  end
end

-- call(op, params [, deadline [, once]]) -> result, meta | nil, err. deadline (core.clock()
-- seconds), from a wait: it bounds every attempt (each gets what is left), every retry and every
-- sleep; once: no retry (a wait polls again itself). Each call is one span (on_call) and one entry
-- of client:stats().
function Client:call(op, params, deadline, once)
  check_op(self, op, 3)
  if type(params) ~= "table" then
    error("bad argument #1 to '" .. op .. "' (table expected, got " .. type(params) .. ")", 3)
  end
  local started, wall = core.clock(), core.time()
  local res, meta = attempts(self, op, params, deadline, once)
  telemetry.record(self, op, started, wall, res, meta)
  return res, meta
end

-- Per operation: { calls, errors = { [kind] = n }, retries, duration = { buckets, counts, sum,
-- count } } (counts[i]: calls that took at most buckets[i] seconds).
function Client:stats()
  return telemetry.stats(self)
end

-- Dry run: the signed request, nothing sent. Secrets are shown as *** unless { reveal = true }.
function Client:prepare(op, params, opts)
  check_op(self, op, 2)
  if type(params) ~= "table" then
    error("bad argument #2 to 'prepare' (table expected, got " .. type(params) .. ")", 2)
  end
  local cfg, err = self:config()
  if not cfg then return nil, err end
  local req
  req, err = core.prepare(op, cfg, params)
  if not req then return nil, err end
  if opts and opts.reveal then return req end
  return core.mask(req)
end

-- A binary min-heap of { at = ... } entries: retries waiting for their backoff. Taking the soonest
-- is O(log n), so 10,000 failing jobs cost what 1,000 do, per job.
-- create_many(op, list, { concurrency = 16, on_progress = function(done, total, last_err) end })
-- sends every params table of list, many at once, and returns results in input order (see
-- huaweicloud.batch).
function Client:create_many(op, list, opts)
  check_op(self, op, 2)
  return require("huaweicloud.batch").create_many(self, op, list, opts)
end

function Client:close()
  if self.http_client then self.http_client:close() end
  if self.raw_http then self.raw_http:close() end
  self.http_client, self.raw_http = nil, nil
end

Client.__close = Client.close

function Client:__tostring()
  return "huaweicloud." .. self.service .. " client (" .. self.endpoint .. ")"
end

-- The module of a service (huaweicloud.kafka, .dis): its client class (every operation of the
-- registry a method, plus the lifecycle helpers), new(opts), and the registry's builders.
function M.module(name)
  local registry = require("huaweicloud.registry").services[name]
  local mod = { Client = M.service(name) }
  require("huaweicloud.lifecycle").install(mod.Client, registry)
  function mod.new(opts)
    return M.new(mod.Client, opts)
  end
  require("huaweicloud.builders").install(mod, registry)
  return mod
end

M.Client = Client
M.curl_transport = require("huaweicloud.transport.curl")

return M
