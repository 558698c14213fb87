-- huaweicloud.emulator.service: the fake services behind the emulator, with no sockets (testable on
-- its own): Emulator:handle(req) -> status, body, headers [, action].
--
-- Every operation of the SDK's registry is routed from core.operations() (method + path
-- template), so a new registry entry needs only its handler in .kafka, .dis or .iam. Before a
-- handler runs, the request's signature is verified (SDK-HMAC-SHA256/SM3 against the AK/SK it was
-- given, a stale X-Sdk-Date refused), the project checked, the query decoded and the body
-- validated with the SDK's descriptors. Answers are written with lua-cjson, never with the SDK's
-- own encoder, and errors take each service's shape.
--
-- States move on a clock of the emulator's own: by themselves after cfg.delays (a plain script
-- sees CREATING, then RUNNING within a second), or, frozen, only when a test advances it.
local core = require("huaweicloud.core")

local M = {}

-- Ready-made things, so a demo needs no invented id (docs/emulator.md): a Kafka instance with Smart
-- Connect on, one without, and a stream.
M.READY = {
  instances = {
    { instance_id = "5a1e0c2b-6f3d-4b8e-9c71-2d4f6a8b0c11", name = "demo-kafka", connector_enable = true },
    { instance_id = "7c2d9e4f-1a3b-4d5e-8f60-3e5a7b9c1d22", name = "demo-kafka-plain", connector_enable = false },
  },
  streams = { { stream_name = "demo-stream", partition_count = 1 } },
}

M.defaults = {
  host = "127.0.0.1",
  port = 0,                -- 0: the system picks a free port
  ak = "EMULATORAK0000000000",
  sk = "emulator-secret-key-0000000000000000000",
  security_token = nil,    -- when set, requests must carry and sign it
  tokens = nil,            -- list of accepted X-Auth-Token values
  project_id = nil,        -- when set, the only project accepted
  projects = nil,          -- IAM: { [region] = { project ids } }; default one project per region
  metadata_ttl = 3600,     -- seconds the metadata service's temporary credentials last
  metadata_token = true,   -- false: PUT /meta-data/latest/api/token answers 404
  metadata_fail = false,   -- true: the securitykey request fails (500)
  max_skew = 15 * 60,      -- seconds an X-Sdk-Date may be off
  tls = nil,               -- { certificate = path, key = path } to serve HTTPS (LuaSec)
  log = false,             -- one line per request on stderr (never headers or bodies)
  -- Kafka instances every project has: nil, the ready-made ones (M.READY); else a list of
  -- { instance_id, connector_enable = true, status = "RUNNING", name? } or of ids. An instance
  -- nobody declared answers 404 DMS.00404022, as in the cloud.
  instances = nil,
  -- DIS streams every project starts with: nil, M.READY's; else a list of names or of
  -- { stream_name, partition_count?, ... }. A missing stream answers DIS.4301.
  streams = nil,
  auto_create = false,      -- true: an instance or stream a call names exists on first use (load tests)
  list_lag = 0,             -- seconds a new Smart Connect task stays out of lists (tests of a lagging list)
  max_connector_tasks = 18, -- per instance; the next create answers DMS.00400039
  dis_task_quota = 5,       -- dump tasks per stream; the next answers DIS.4357
  brokers = 3,              -- brokers of every instance: a topic with more replicas answers DMS.00400861
  check_topics = false,     -- true: a dump task naming a topic its instance lacks answers DMS.00400975
  reachable = {},           -- "host:port" addresses validate_connector_connectivity can reach
  agencies = { "dis_admin_agency" }, -- IAM agencies of the account; a dump task naming another: DIS.4335
  scalings_per_hour = 5,    -- partition count changes a stream takes an hour (changing_partition_quantity.rst)
  clock = "auto",           -- "manual": states move only when the test advances the clock
  -- seconds a state takes to settle (CREATING -> RUNNING and the like)
  delays = { task = 0.3, connector = 0.5, stream = 0.3, transfer = 0.3, delete = 0.2 },
  admin_token = nil,        -- the per-run secret /_emulator/ calls carry (start() makes one)
  max_connections = 256,    -- open connections at most; past it the longest idle one is closed
  idle_timeout = 60,        -- seconds a connection may stay silent
}

-- What /_emulator/config may change at run time, and the type each takes.
local SETTABLE = { ak = "string", sk = "string", security_token = "string", tokens = "table", project_id = "string",
  projects = "table", metadata_ttl = "number", metadata_token = "boolean", metadata_fail = "boolean",
  max_skew = "number", log = "boolean", auto_create = "boolean", max_connector_tasks = "number",
  dis_task_quota = "number", list_lag = "number", brokers = "number", check_topics = "boolean", reachable = "table",
  agencies = "table", scalings_per_hour = "number" }

M.NO_API = "The API does not exist or has not been published in the environment"

local util = require("huaweicloud.emulator.util")
local json = util.json
M.json, M.null, M.array, M.encode, M.random_uuid = util.json, util.null, util.array, util.encode, util.random_uuid
M.unescape, M.error, M.public = util.unescape, util.error, util.public
local json_error = M.error

-- the handlers of every operation, by name
local HANDLERS = {}
for _, mod in ipairs({ "huaweicloud.emulator.kafka", "huaweicloud.emulator.dis", "huaweicloud.emulator.iam" }) do
  for name, fn in pairs(require(mod).handlers) do HANDLERS[name] = fn end
end
M.handlers = HANDLERS

-- The routes: every operation's method and path template as a pattern, from the registry.
local ROUTES = {}
for _, op in ipairs(core.operations()) do
  local names = {}
  local pattern = "^" .. op.path:gsub("[%^%$%(%)%%%.%[%]%*%+%-%?]", "%%%0"):gsub("{([%w_]+)}", function(n)
    names[#names + 1] = n
    return "([^/]+)"
  end) .. "$"
  ROUTES[#ROUTES + 1] = { op = op, method = op.method, pattern = pattern, names = names }
end
M.routes = ROUTES

-- ---- the emulator --------------------------------------------------------------------------

local Emulator = {}
Emulator.__index = Emulator

function M.new(opts)
  local cfg = {}
  for k, v in pairs(M.defaults) do cfg[k] = v end
  for k, v in pairs(opts or {}) do cfg[k] = v end
  local delays = {}
  for k, v in pairs(M.defaults.delays) do delays[k] = v end
  for k, v in pairs(type(cfg.delays) == "table" and cfg.delays or {}) do delays[k] = v end
  cfg.delays = delays
  -- wall: real seconds (signatures, credentials' expiry); the state clock may be frozen
  local wall = opts and opts.now or os.time
  local self = setmetatable({ cfg = cfg, now = wall, wall_seconds = opts and opts.clock_source or wall }, Emulator)
  self:reset()
  return self
end

function Emulator:reset()
  self.kafka_tasks, self.dis_tasks = {}, {} -- every create, in order (emu:tasks(), emu:stats())
  self.projects = {}                        -- the state: by project, { instances = {}, streams = {} }
  self.faults = {} -- { operation, times, status, code, message, delay, drop } answered before the real thing
  self.temporary = {} -- ak -> { sk, token, expires }: credentials the metadata service handed out
  self.metadata_tokens = {}
  self.clock_base, self.clock_start, self.frozen = 0, nil, self.cfg.clock == "manual"
  self.stats = { requests = 0, connections = 0, api_connections = 0, rejected_signatures = 0, iam_calls = 0,
    metadata_calls = 0, metadata_token_calls = 0, calls = {}, traced = 0 }
end

-- The state clock, in seconds: the wall clock when running, its value at the freeze plus what
-- the test advanced when frozen.
function Emulator:clock()
  local real = self.wall_seconds()
  if not self.clock_start then self.clock_start = real end
  if self.frozen then return self.clock_base end
  return self.clock_base + (real - self.clock_start)
end

function Emulator:freeze(on)
  local t = self:clock()
  self.frozen = on
  self.clock_base, self.clock_start = t, self.wall_seconds()
end

function Emulator:advance(seconds)
  self.clock_base = self.clock_base + seconds
end

-- The Kafka instances every project has (declared, added at run time, or ready-made), as
-- { instance_id, name, connector_enable, status }.
function Emulator:declared_instances()
  local out = {}
  for _, d in ipairs(self.cfg.instances or M.READY.instances) do
    out[#out + 1] = type(d) == "string" and { instance_id = d } or d
  end
  return out
end

-- The state of a project, made on first use with the declared instances and streams.
function Emulator:project(id)
  local p = self.projects[id]
  if p then return p end
  p = { instances = {}, streams = {} }
  self.projects[id] = p
  local kafka, dis = require("huaweicloud.emulator.kafka"), require("huaweicloud.emulator.dis")
  for _, d in ipairs(self:declared_instances()) do kafka.new_instance(self, p, d) end
  for _, d in ipairs(self.cfg.streams or M.READY.streams) do
    local st = dis.new_stream(self, p, type(d) == "string" and { stream_name = d } or d)
    st.status, st.pending = "RUNNING", nil
  end
  return p
end

-- ms since the epoch, for create_time
function Emulator:now_ms()
  return math.floor(self.wall_seconds() * 1000)
end

-- Schedules obj to move to state `to` after `delay` seconds of the state clock (field: the
-- field that holds the state). settle() applies what is due.
function Emulator:later(obj, field, to, delay, also)
  obj.pending = { field = field, to = to, at = self:clock() + (delay or 0), also = also }
end

function Emulator:settle(obj)
  local p = obj.pending
  if p and self:clock() >= p.at then
    obj.pending = nil
    obj[p.field] = p.to
    if p.also then p.also(obj) end
  end
  return obj
end

-- ---- signatures ---------------------------------------------------------------------------------

local function parse_sdk_date(s)
  return (s or ""):match("^%d+T%d+Z$") and require("huaweicloud.utc").parse(s) or nil
end

local function auth_fail(self, message)
  self.stats.rejected_signatures = self.stats.rejected_signatures + 1
  return json_error(401, "apigw", "APIGW.0301", "Incorrect IAM authentication information: " .. message)
end

-- The secret key (and token) an AK signs with, or nil and why.
function Emulator:keys_of(ak)
  if ak == self.cfg.ak then return self.cfg.sk, self.cfg.security_token end
  local t = self.temporary[ak]
  if not t then return nil, "unknown access key" end
  if self.now() >= t.expires then return nil, "the temporary credentials have expired" end
  return t.sk, t.token
end

-- Checks the signature (or token) of req; returns nil when it is good, else status, body.
function Emulator:authenticate(req)
  local cfg, h = self.cfg, req.headers
  if h["x-auth-token"] then
    for _, t in ipairs(cfg.tokens or {}) do
      if t == h["x-auth-token"] then return nil end
    end
    return auth_fail(self, "invalid token")
  end
  local auth = h["authorization"]
  if not auth then return auth_fail(self, "no Authorization header") end
  local alg, ak, signed, sig = auth:match("^(SDK%-HMAC%-[%w]+) Access=([^,]+), SignedHeaders=([^,]+), Signature=(%x+)$")
  if not alg then return auth_fail(self, "malformed Authorization header") end
  local sk, token = self:keys_of(ak)
  if not sk then return auth_fail(self, token) end
  local date = parse_sdk_date(h["x-sdk-date"])
  if not date then return auth_fail(self, "missing or malformed X-Sdk-Date") end
  if math.abs(self.now() - date) > cfg.max_skew then
    return auth_fail(self, "the request has expired (X-Sdk-Date is more than 15 minutes away)")
  end
  local subset = {}
  for name in signed:gmatch("[^;]+") do
    if h[name] == nil then return auth_fail(self, "signed header " .. name .. " is missing") end
    subset[name] = h[name]
  end
  if token and (h["x-security-token"] ~= token or not subset["x-security-token"]) then
    return auth_fail(self, "security token missing, wrong or not signed")
  end
  if not subset.host then return auth_fail(self, "Host is not signed") end
  local ok, info = core.sign({ method = req.method, url = "http://" .. subset.host .. req.target, headers = subset,
    body = req.body }, { ak = ak, sk = sk, algorithm = alg })
  if not ok then return auth_fail(self, "cannot verify: " .. tostring(info.message)) end
  if ok.Authorization:match("Signature=(%x+)$") ~= sig then
    -- like the gateway: echo the canonical request it computed, '|' for newlines
    return auth_fail(self, "verify aksk signature fail, canonical request: " .. info.canonical_request:gsub("\n", "|"))
  end
  return nil
end

-- ---- routing and dispatch ------------------------------------------------------------------------

local REG = require("huaweicloud.registry")

-- Whether req's body selects op among the operations sharing its route (the registry's match).
local function matches(op, req)
  local want = REG.operations[op.name] and REG.operations[op.name].match
  if not want then return true end
  local ok, body = pcall(json.decode, req.body or "")
  if not ok or type(body) ~= "table" then return false end
  for k, v in pairs(want) do
    if body[k] ~= v then return false end
  end
  return true
end

-- The operation a request is for and its path parameters (decoded), or nil. Operations that
-- share a route are told apart by their body (a batch action's "action").
function Emulator.route(_, req)
  local path = req.target:match("^[^?]*")
  local first
  for _, r in ipairs(ROUTES) do
    if r.method == req.method then
      local caps = { path:match(r.pattern) }
      if caps[1] then
        local params = {}
        for i, name in ipairs(r.names) do params[name] = M.unescape(caps[i]) end
        if matches(r.op, req) then return r.op, params end
        first = first or { r.op, params }
      end
    end
  end
  if first then return first[1], first[2] end -- the body is wrong: that operation's validation says how
end

local function decode_query(target)
  local q = {}
  for k, v in (target:match("%?(.*)$") or ""):gmatch("([^&=]+)=?([^&]*)") do
    k, v = M.unescape(k), M.unescape((v:gsub("+", " ")))
    if q[k] == nil then q[k] = v elseif type(q[k]) == "table" then table.insert(q[k], v) else q[k] = { q[k], v } end
  end
  return q
end

-- The body of req checked against op's request model; nil, why when it is not.
local function decode_body(op, req)
  if req.body == "" and op.body_optional then return {} end
  local ok, tbl = pcall(json.decode, req.body or "")
  if not ok or type(tbl) ~= "table" then return nil, "the body is not a JSON object" end
  local valid, err = core.validate(op.request, tbl)
  if not valid then return nil, (err.field and (err.field .. ": ") or "") .. err.message end
  return require("huaweicloud.json").without_nulls(tbl) -- JSON null means absent from here on
end

local SHAPE = { kafka = "dms", dis = "dis", iam = "apigw" }
-- the invalid-parameter codes: DMS.00400062 "Invalid request parameter." (DMS error_codes.rst);
-- DIS.4200 "Invalid request. %s" (DIS error_codes.rst); IAM.0001: the emulator's choice (docs/emulator.md)
local BAD_PARAM = { kafka = "DMS.00400062", dis = "DIS.4200", iam = "IAM.0001" }

-- The context a handler gets: { op, req, params, query, body?, project, shape }, or status, body.
function Emulator:context(op, params, req)
  local ctx = { op = op, req = req, params = params, query = decode_query(req.target), shape = SHAPE[op.service] }
  if op.project then
    ctx.project = params.project_id
    if self.cfg.project_id and ctx.project ~= self.cfg.project_id then
      return nil, json_error(404, "apigw", "APIGW.0101", M.NO_API)
    end
    local header = req.headers["x-project-id"]
    if header and header ~= ctx.project then
      return nil, json_error(400, "apigw", "APIGW.0104", "X-Project-Id does not match the project in the path")
    end
  end
  for _, prm in ipairs(op.params) do -- the registry's limits on parameters, as the service applies them
    local v = prm["in"] == "path" and params[prm.name] or ctx.query[prm.wire]
    local bad = prm.max and prm.type == "string" and type(v) == "string" and #v > prm.max and
      ("at most " .. prm.max .. " characters")
    if prm.type == "integer" and v ~= nil then
      local n = tonumber(v)
      if not n or n % 1 ~= 0 or (prm.min and (n < prm.min or n > prm.max)) then
        bad = "an integer" .. (prm.min and (" from " .. prm.min .. " to " .. prm.max) or "")
      end
    end
    if bad then
      return nil, json_error(400, ctx.shape, BAD_PARAM[op.service], "Invalid request parameter: " .. prm.name ..
        " must be " .. bad)
    end
  end
  if op.request then
    local body, why = decode_body(op, req)
    if not body then
      return nil, json_error(400, ctx.shape, BAD_PARAM[op.service], "Invalid request parameter: " .. why)
    end
    ctx.body = body
  end
  return ctx
end

-- The service's error body for a fault: DIS and the gateway have their own shapes.
local function fault_answer(f, service)
  local code = f.code or (f.status == 429 and "APIG.0308") or ("EMU." .. tostring(f.status or 500))
  local message = f.message or "injected by the emulator"
  local shape = (code:find("^APIG") and "apigw") or (service == "dis" and "dis") or "dms"
  local status, body = json_error(f.status or 500, shape, code, message)
  return status, body, f.headers
end

-- The fault waiting for op, if any (each answers `times` calls).
function Emulator:take_fault(op)
  for i, f in ipairs(self.faults) do
    if f.operation == op or f.operation == "*" then
      f.times = f.times - 1
      if f.times <= 0 then table.remove(self.faults, i) end
      return f
    end
  end
end

-- Answers one parsed request {method, target, headers (lower-case names), body}.
-- Returns status, body, headers, and { delay = s, drop = true } when an injected fault says so.
function Emulator:handle(req)
  local path = req.target:match("^[^?]*")
  local admin = path:match("^/_emulator/(%a+)$")
  if admin then return self:admin(req, admin) end
  if path == "/meta-data/latest/api/token" and req.method == "PUT" then return HANDLERS.metadata_token(self, req) end
  if path == "/openstack/latest/securitykey" and req.method == "GET" then
    return HANDLERS.metadata_securitykey(self, req)
  end
  self.stats.requests = self.stats.requests + 1
  local op, params = self:route(req)
  if not op then return json_error(404, "apigw", "APIGW.0101", M.NO_API) end
  self.stats.calls[op.name] = (self.stats.calls[op.name] or 0) + 1
  local f = self:take_fault(op.name)
  local after
  if f and f.after then after, f = f, nil end -- processed first, then the answer is lost or late
  if f then
    local action = { delay = f.delay, drop = f.drop }
    if f.drop then return nil, nil, nil, action end
    local status, body, headers = fault_answer(f, op.service)
    return status, body, headers, action
  end
  local status, body = self:authenticate(req)
  if status then return status, body end
  if req.headers.traceparent then -- what a caller's trace context looked like, signed and verified
    self.stats.traced, self.stats.last_traceparent = self.stats.traced + 1, req.headers.traceparent
  end
  local ctx
  ctx, status, body = self:context(op, params, req)
  if not ctx then return status, body end
  local handler = HANDLERS[op.name]
  if not handler then return json_error(501, "apigw", "EMU.0501", "the emulator does not serve " .. op.name) end
  local st, out, headers = handler(self, ctx)
  if type(out) == "table" then out = M.encode(out) end
  if after then return st, out, headers, { delay = after.delay, drop = after.drop } end
  return st, out, headers
end

-- The object a /_emulator/state request names: a Kafka task or instance, a stream or dump task.
function Emulator:find_state(s)
  local p = self:project(s.project_id or self.cfg.project_id or "p1")
  if type(s.instance_id) == "string" then
    local inst = p.instances[s.instance_id]
    if not inst or not s.task_id then return inst, "status" end
    for _, t in ipairs(inst.tasks) do
      if t.id == s.task_id then return t, "status" end
    end
  elseif type(s.stream_name) == "string" then
    local st = p.streams[s.stream_name]
    if not st or not s.task_name then return st, "status" end
    for _, t in ipairs(st.tasks) do
      if t.task_name == s.task_name then return t, "state" end
    end
  end
end

-- ---- the /_emulator/ endpoints -------------------------------------------------------------------
-- Only for the one who started the emulator: a request must name this machine as its Host (no
-- page of another site, no DNS rebinding) and carry the per-run token (X-Emulator-Token) or be
-- signed with the emulator's own credentials; a POST must be JSON. What it sets is checked.

local function decode_object(body)
  local ok, t = pcall(json.decode, body or "")
  if ok and type(t) == "table" then return t end
end

local function admin_error(status, message)
  return status, json.encode({ error = message })
end

local LOCAL_HOST = { "^127%.0%.0%.1:?%d*$", "^localhost:?%d*$", "^%[::1%]:?%d*$" }

-- nil when req may use the admin endpoints, else status, body.
function Emulator:admin_check(req)
  local host = (req.headers.host or ""):lower()
  local ok = host:gsub(":%d*$", "") == self.cfg.host -- the address it listens on, as its URL names it
  for _, pat in ipairs(LOCAL_HOST) do ok = ok or host:match(pat) ~= nil end
  if not ok then return admin_error(403, "the emulator's admin endpoints answer only requests to this machine") end
  local token = req.headers["x-emulator-token"]
  if token then
    if token ~= self.cfg.admin_token then return admin_error(401, "wrong X-Emulator-Token") end
  elseif self:authenticate(req) then
    return admin_error(401, "an admin request needs X-Emulator-Token or the emulator's signature")
  end
  if req.method == "POST" and #(req.body or "") > 0 and
    not (req.headers["content-type"] or ""):lower():match("^application/json") then
    return admin_error(415, "an admin request's body is application/json")
  end
end

local function finite(v, min, max)
  return type(v) == "number" and v == v and v >= min and v <= max
end

-- nil when changes are settings /_emulator/config may change, to values of the right type.
local function bad_config(changes)
  for k, v in pairs(changes) do
    local want = SETTABLE[k]
    if not want then return "unknown or fixed setting " .. tostring(k) end
    if type(v) ~= want then return k .. " must be a " .. want end
    if want == "number" and not finite(v, 0, 1e9) then return k .. " must be a number from 0 to 1e9" end
  end
end

local function bad_delays(d)
  if d == nil then return nil end
  if type(d) ~= "table" then return "delays must be an object" end
  for k, v in pairs(d) do
    if M.defaults.delays[k] == nil then return "unknown delay " .. tostring(k) end
    if not finite(v, 0, 1e6) then return "delays." .. k .. " must be a number of seconds from 0 to 1e6" end
  end
end

-- nil when f is a fault /_emulator/faults can inject.
local function bad_fault(f)
  if type(f.operation) ~= "string" then return "a fault names its operation (or \"*\")" end
  if f.operation ~= "*" and not HANDLERS[f.operation] then return "no operation " .. f.operation end
  if f.times ~= nil and not (finite(f.times, 1, 1e6) and f.times % 1 == 0) then
    return "times must be an integer from 1 to 1e6"
  end
  if f.status ~= nil and not (finite(f.status, 100, 599) and f.status % 1 == 0) then
    return "status must be an HTTP status"
  end
  if f.delay ~= nil and not finite(f.delay, 0, 600) then return "delay must be 0 to 600 seconds" end
  for _, k in ipairs({ "code", "message" }) do
    if f[k] ~= nil and type(f[k]) ~= "string" then return k .. " must be a string" end
  end
  if f.headers ~= nil and type(f.headers) ~= "table" then return "headers must be an object" end
  for k, v in pairs(f.headers or {}) do
    if type(k) ~= "string" or type(v) ~= "string" or (k .. v):find("[%c]") then
      return "headers must map names to values without control characters"
    end
  end
end

-- Adds a Kafka instance to every project (those to come too); returns it.
function Emulator:add_instance(d)
  local inst = { instance_id = d.instance_id or M.random_uuid(), name = d.name, status = d.status,
    connector_enable = d.connector_enable }
  local list = self:declared_instances()
  list[#list + 1] = inst
  self.cfg.instances = list
  for _, p in pairs(self.projects) do require("huaweicloud.emulator.kafka").new_instance(self, p, inst) end
  return inst
end

local function bad_instance(d)
  if d.instance_id ~= nil and (type(d.instance_id) ~= "string" or not d.instance_id:match("^[%w_%-]+$")) then
    return "instance_id must be letters, digits, - and _"
  end
  if d.name ~= nil and type(d.name) ~= "string" then return "name must be a string" end
  if d.status ~= nil and type(d.status) ~= "string" then return "status must be a string" end
  if d.connector_enable ~= nil and type(d.connector_enable) ~= "boolean" then
    return "connector_enable must be a boolean"
  end
end

function Emulator:admin(req, what)
  local status, body = self:admin_check(req)
  if status then return status, body end
  local post = req.method == "POST"
  if what == "stats" and req.method == "GET" then
    local calls = next(self.stats.calls) and self.stats.calls or nil
    return 200, json.encode({ requests = self.stats.requests, connections = self.stats.api_connections,
      all_connections = self.stats.connections, rejected_signatures = self.stats.rejected_signatures,
      kafka_tasks = #self.kafka_tasks, dis_tasks = #self.dis_tasks, iam_calls = self.stats.iam_calls,
      metadata_calls = self.stats.metadata_calls, metadata_token_calls = self.stats.metadata_token_calls,
      traced = self.stats.traced, last_traceparent = self.stats.last_traceparent,
      calls = calls, clock = self:clock() })
  elseif what == "tasks" and req.method == "GET" then
    return 200, json.encode({ kafka = self.kafka_tasks, dis = self.dis_tasks })
  elseif what == "reset" and post then
    self:reset()
    return 204, ""
  end
  local t = post and decode_object(req.body)
  if not t then
    return admin_error(post and 400 or 404, post and "a JSON object is needed" or "no such emulator endpoint")
  end
  local why
  if what == "faults" then -- answer the next calls of an operation so
    why = bad_fault(t)
    if not why then
      t.times = t.times or 1
      self.faults[#self.faults + 1] = t
      return 204, ""
    end
  elseif what == "clock" then -- { freeze = bool, advance = s, delays = {...} }
    why = (t.freeze ~= nil and type(t.freeze) ~= "boolean" and "freeze must be a boolean") or
      (t.advance ~= nil and not finite(t.advance, 0, 1e9) and "advance must be a number of seconds from 0 to 1e9") or
      bad_delays(t.delays)
    if not why then
      if t.freeze ~= nil then self:freeze(t.freeze) end
      if t.advance then self:advance(t.advance) end
      for k, v in pairs(t.delays or {}) do self.cfg.delays[k] = v end
      return 200, json.encode({ clock = self:clock(), frozen = self.frozen })
    end
  elseif what == "state" then -- put a task, instance or stream in a state
    why = (type(t.state) ~= "string" and "state must be a string") or
      (t.to ~= nil and type(t.to) ~= "string" and "to must be a string") or
      (t.after ~= nil and not finite(t.after, 0, 1e9) and "after must be a number of seconds")
    if not why then
      local obj, field = self:find_state(t)
      if not obj then return admin_error(404, "no such task, instance or stream") end
      obj[field], obj.pending = t.state, nil
      if t.to then self:later(obj, field, t.to, t.after or 0) end
      return 204, ""
    end
  elseif what == "config" then -- change settings at run time (tests)
    why = bad_config(t)
    if not why then
      for k, v in pairs(t) do self.cfg[k] = v end
      return 204, ""
    end
  elseif what == "instances" then
    why = bad_instance(t)
    for _, d in ipairs(self:declared_instances()) do
      if d.instance_id == t.instance_id then why = "instance " .. d.instance_id .. " exists" end
    end
    if not why then return 200, json.encode(self:add_instance(t)) end
  else
    return json_error(404, "apigw", "APIGW.0101", "no such emulator endpoint")
  end
  return admin_error(400, why)
end

return M
