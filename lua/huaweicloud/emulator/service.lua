-- huaweicloud.emulator.service: the fake DMS (Kafka) and DIS services behind the emulator, with
-- no sockets (testable on its own): Emulator:handle(req) -> status, body, headers.
--
-- It checks SDK-HMAC-SHA256 signatures against the AK/SK it was given (and rejects a stale
-- X-Sdk-Date), validates bodies with the SDK's own descriptors, keeps created tasks in memory and
-- answers like the services do: the Kafka create with the task (id, status, create_time; never a
-- secret), the DIS create with 201 and no body, errors in the services' shapes.
local core = require("huaweicloud.core")

local M = {}

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
}

local NO_API = "The API does not exist or has not been published in the environment"

local function decoder()
  local cjson = require("cjson")
  local c = cjson.new and cjson.new() or cjson
  return c, cjson.null
end

local function random_uuid()
  local f = io.open("/dev/urandom", "rb")
  local b = f and f:read(16)
  if f then f:close() end
  if not b or #b < 16 then
    local t = {}
    for i = 1, 16 do t[i] = string.char(math.random(0, 255)) end
    b = table.concat(t)
  end
  local x = { b:byte(1, 16) }
  x[7] = x[7] % 16 + 64  -- version 4
  x[9] = x[9] % 64 + 128 -- RFC 4122 variant
  local h = {}
  for i = 1, 16 do h[i] = string.format("%02x", x[i]) end
  return table.concat(h, "", 1, 4) .. "-" .. table.concat(h, "", 5, 6) .. "-" .. table.concat(h, "", 7, 8) ..
    "-" .. table.concat(h, "", 9, 10) .. "-" .. table.concat(h, "", 11, 16)
end

local function unescape(s)
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local function json_error(status, shape, code, message)
  local cjson = decoder()
  local body
  if shape == "dis" then
    body = { errorCode = code, message = message }
  else
    body = { error_code = code, error_msg = message }
  end
  return status, cjson.encode(body)
end

-- ---- the request handler (no sockets: testable on its own) ----------------------------

local Emulator = {}
Emulator.__index = Emulator

function M.new(opts)
  local cfg = {}
  for k, v in pairs(M.defaults) do cfg[k] = v end
  for k, v in pairs(opts or {}) do cfg[k] = v end
  local self = setmetatable({ cfg = cfg, now = opts and opts.now or os.time }, Emulator)
  self:reset()
  return self
end

function Emulator:reset()
  self.kafka_tasks, self.dis_tasks = {}, {}
  self.faults = {} -- { operation, times, status, code, message, delay, drop } answered before the real thing
  self.temporary = {} -- ak -> { sk, token, expires }: credentials the metadata service handed out
  self.metadata_tokens = {}
  self.stats = { requests = 0, connections = 0, api_connections = 0, rejected_signatures = 0, iam_calls = 0,
    metadata_calls = 0, metadata_token_calls = 0 }
end

local function parse_sdk_date(s)
  return (s or ""):match("^%d+T%d+Z$") and require("huaweicloud.utc").parse(s) or nil
end

local function auth_fail(self, message)
  self.stats.rejected_signatures = self.stats.rejected_signatures + 1
  return json_error(401, "apigw", "APIGW.0301", "Incorrect IAM authentication information: " .. message)
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
  local sk, token = cfg.sk, cfg.security_token
  if ak ~= cfg.ak then
    local t = self.temporary[ak]
    if not t then return auth_fail(self, "unknown access key") end
    if self.now() >= t.expires then return auth_fail(self, "the temporary credentials have expired") end
    sk, token = t.sk, t.token
  end
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
  if token then
    if h["x-security-token"] ~= token or not subset["x-security-token"] then
      return auth_fail(self, "security token missing, wrong or not signed")
    end
  end
  if not subset.host then return auth_fail(self, "Host is not signed") end
  local ok, info = core.sign({ method = req.method, url = "http://" .. subset.host .. req.target, headers = subset,
    body = req.body }, { ak = ak, sk = sk, algorithm = alg })
  if not ok then return auth_fail(self, "cannot verify: " .. tostring(info.message)) end
  local want = ok.Authorization:match("Signature=(%x+)$")
  if want ~= sig then
    -- like the gateway: echo the canonical request it computed, '|' for newlines
    return auth_fail(self, "verify aksk signature fail, canonical request: " .. info.canonical_request:gsub("\n", "|"))
  end
  return nil
end

local function copy_public(t)
  if type(t) ~= "table" then return t end
  local c = {}
  for k, v in pairs(t) do
    if not (type(k) == "string" and core.sensitive_name(k)) then c[k] = copy_public(v) end
  end
  return c
end

-- The documented defaults the service reports back for a sink.
local function sink_defaults(sink_type, sink)
  if sink_type == "REDIS_REPLICATOR_SINK" then
    if sink.target_db == nil then sink.target_db = -1 end
  elseif sink_type == "OBS_SINK" then
    local d = {
      deliver_time_interval = 300, obs_part_size = 5242880, flush_size = 1000000, timezone = "UTC",
      schema_generator_class = "io.confluent.connect.storage.hive.schema.DefaultSchemaGenerator",
      partitioner_class = "io.confluent.connect.storage.partitioner.TimeBasedPartitioner",
      value_converter = "org.apache.kafka.connect.converters.ByteArrayConverter",
      key_converter = "org.apache.kafka.connect.converters.ByteArrayConverter",
      kv_delimiter = ":",
    }
    for k, v in pairs(d) do
      if sink[k] == nil then sink[k] = v end
    end
  end
end

local function decode_body(body, model)
  local cjson, null = decoder()
  local ok, tbl = pcall(cjson.decode, body or "")
  if not ok or type(tbl) ~= "table" then return nil, "the body is not a JSON object" end
  local valid, err = core.validate(model, tbl)
  if not valid then return nil, (err.field and (err.field .. ": ") or "") .. err.message end
  -- JSON null means absent from here on
  local function strip(t)
    for k, v in pairs(t) do
      if v == null then t[k] = nil elseif type(v) == "table" then strip(v) end
    end
    return t
  end
  return strip(tbl)
end

function Emulator:check_project(project, req)
  if self.cfg.project_id and project ~= self.cfg.project_id then
    return json_error(404, "apigw", "APIGW.0101", NO_API)
  end
  local header = req.headers["x-project-id"]
  if header and header ~= project then
    return json_error(400, "apigw", "APIGW.0104", "X-Project-Id does not match the project in the path")
  end
end

function Emulator:create_connector_task(req, project, instance)
  local status, body = self:check_project(project, req)
  if status then return status, body end
  local task, err = decode_body(req.body, "CreateSmartConnectTaskReq")
  if not task then return json_error(400, "dms", "DMS.00400002", "Invalid parameter: " .. err) end
  local resp = copy_public(task)
  resp.start_later = nil -- not part of the response
  resp.id = random_uuid()
  resp.status = task.start_later and "WAITING" or "RUNNING"
  local ms = self.now_ms and self.now_ms() or os.time() * 1000
  resp.create_time = math.floor(ms)
  if type(resp.sink_task) == "table" then sink_defaults(task.sink_type, resp.sink_task) end
  local json = assert(core.encode("CreateConnectorTaskResponse", resp))
  self.kafka_tasks[#self.kafka_tasks + 1] = { project_id = project, instance_id = instance, task = resp }
  return 200, json
end

function Emulator:create_obs_transfer_task(req, project, stream)
  local status, body = self:check_project(project, req)
  if status then return status, body end
  if #stream > 60 then
    return json_error(400, "dis", "DIS.4200", "Invalid request. [stream_name: at most 60 characters]")
  end
  local task, err = decode_body(req.body, "CreateTransferTaskReq")
  if not task then return json_error(400, "dis", "DIS.4200", "Invalid request. [" .. err .. "]") end
  self.dis_tasks[#self.dis_tasks + 1] = { project_id = project, stream_name = stream, task = task }
  return 201, ""
end

local function iso8601(t)
  return os.date("!%Y-%m-%dT%H:%M:%S.000000Z", t)
end

-- IAM: GET /v3/projects?name=<region>
function Emulator:list_projects(req)
  local status, body = self:authenticate(req)
  if status then return status, body end
  self.stats.iam_calls = self.stats.iam_calls + 1
  local name = unescape((req.target:match("[?&]name=([^&]*)") or ""):gsub("+", " "))
  local ids = self.cfg.projects and self.cfg.projects[name]
  if ids == nil and not self.cfg.projects then ids = { self.cfg.project_id or "0a1b2c3d4e5f67890a1b2c3d4e5f6789" } end
  local projects = {}
  for i, id in ipairs(ids or {}) do
    projects[i] = { id = id, name = name, domain_id = "emulatordomain", parent_id = "emulatordomain", enabled = true,
      is_domain = false, description = "" }
  end
  local cjson = decoder()
  return 200, cjson.encode({ projects = #projects > 0 and projects or cjson.empty_array or {},
    links = { self = "/v3/projects" } }), { ["X-IAM-Trace-Id"] = random_uuid() }
end

-- The ECS metadata service: a token, then temporary credentials it will accept until they expire.
function Emulator:metadata(req, what)
  local cjson = decoder()
  if what == "token" then
    self.stats.metadata_token_calls = self.stats.metadata_token_calls + 1
    if not self.cfg.metadata_token then return 404, "" end
    local token = random_uuid()
    self.metadata_tokens[token] = true
    return 200, token, { ["Content-Type"] = "text/plain" }
  end
  self.stats.metadata_calls = self.stats.metadata_calls + 1
  local given = req.headers["x-metadata-token"]
  if self.cfg.metadata_token and not (given and self.metadata_tokens[given]) then
    return 401, '{"error":"a valid X-Metadata-Token is needed"}'
  end
  if self.cfg.metadata_fail then return 500, '{"error":"metadata service unavailable"}' end
  local ak = "TMP" .. random_uuid():gsub("%-", ""):sub(1, 17):upper()
  local t = { sk = random_uuid(), token = "tok-" .. random_uuid(), expires = self.now() + self.cfg.metadata_ttl }
  self.temporary[ak] = t
  return 200, cjson.encode({ credential = { access = ak, secret = t.sk, securitytoken = t.token,
    expires_at = iso8601(t.expires) } })
end

function Emulator:admin(req, what)
  local cjson = decoder()
  if what == "stats" and req.method == "GET" then
    return 200, cjson.encode({ requests = self.stats.requests, connections = self.stats.api_connections,
      all_connections = self.stats.connections, rejected_signatures = self.stats.rejected_signatures,
      kafka_tasks = #self.kafka_tasks, dis_tasks = #self.dis_tasks, iam_calls = self.stats.iam_calls,
      metadata_calls = self.stats.metadata_calls, metadata_token_calls = self.stats.metadata_token_calls })
  elseif what == "tasks" and req.method == "GET" then
    return 200, cjson.encode({ kafka = self.kafka_tasks, dis = self.dis_tasks })
  elseif what == "reset" and req.method == "POST" then
    self:reset()
    return 204, ""
  elseif what == "faults" and req.method == "POST" then -- answer the next calls of an operation so
    local ok, f = pcall(cjson.decode, req.body)
    if not ok or type(f) ~= "table" or type(f.operation) ~= "string" then
      return 400, '{"error":"a JSON object with operation is needed"}'
    end
    f.times = f.times or 1
    self.faults[#self.faults + 1] = f
    return 204, ""
  elseif what == "config" and req.method == "POST" then -- change settings at run time (tests)
    local ok, changes = pcall(cjson.decode, req.body)
    if not ok or type(changes) ~= "table" then return 400, '{"error":"a JSON object is needed"}' end
    for k, v in pairs(changes) do self.cfg[k] = v end
    return 204, ""
  end
  return json_error(404, "apigw", "APIGW.0101", "no such emulator endpoint")
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

local SERVICE_OF = { create_connector_task = "kafka", create_obs_transfer_task = "dis", keystone_list_projects = "iam" }

-- Answers one parsed request {method, target, headers (lower-case names), body}.
-- Returns status, body, headers, and { delay = s, drop = true } when an injected fault says so.
function Emulator:handle(req)
  local op = self:route(req)
  local f = op and self:take_fault(op)
  if f then
    self.stats.requests = self.stats.requests + 1
    local action = { delay = f.delay, drop = f.drop }
    if f.drop then return nil, nil, nil, action end
    local status, body, headers = fault_answer(f, SERVICE_OF[op])
    return status, body, headers, action
  end
  return self:serve(req)
end

-- The operation a request is for, or nil.
function Emulator.route(_, req)
  local path = req.target:match("^[^?]*")
  if path == "/v3/projects" and req.method == "GET" then return "keystone_list_projects" end
  if req.method ~= "POST" then return nil end
  if path:match("^/v2/[^/]+/instances/[^/]+/connector/tasks$") then return "create_connector_task" end
  if path:match("^/v2/[^/]+/streams/[^/]+/transfer%-tasks$") then return "create_obs_transfer_task" end
end

function Emulator:serve(req)
  local path = req.target:match("^[^?]*")
  local admin = path:match("^/_emulator/(%a+)$")
  if admin then return self:admin(req, admin) end
  if path == "/meta-data/latest/api/token" and req.method == "PUT" then return self:metadata(req, "token") end
  if path == "/openstack/latest/securitykey" and req.method == "GET" then return self:metadata(req, "securitykey") end
  self.stats.requests = self.stats.requests + 1
  if path == "/v3/projects" and req.method == "GET" then return self:list_projects(req) end
  local p, i = path:match("^/v2/([^/]+)/instances/([^/]+)/connector/tasks$")
  local p2, s = path:match("^/v2/([^/]+)/streams/([^/]+)/transfer%-tasks$")
  if not (p and req.method == "POST") and not (p2 and req.method == "POST") then
    return json_error(404, "apigw", "APIGW.0101", NO_API)
  end
  local status, body = self:authenticate(req)
  if status then return status, body end
  if p then return self:create_connector_task(req, unescape(p), unescape(i)) end
  return self:create_obs_transfer_task(req, unescape(p2), unescape(s))
end

M.random_uuid = random_uuid

return M
