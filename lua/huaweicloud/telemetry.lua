-- huaweicloud.telemetry: what a client tells about its calls, once per operation call (retries
-- included): the on_call span (OpenTelemetry's semantic-convention names), client:stats() (calls,
-- errors by kind, retries, a duration histogram per operation), and the retry budget (a token
-- bucket as the AWS SDKs' "standard" mode: 500 tokens, 5 a retry (10 after a timeout), one back
-- per success, the retry's cost back when a retried call succeeds). Never a secret: names, ids,
-- statuses and codes only.
local core = require("huaweicloud.core")

local M = {}

-- Prometheus' default buckets, in seconds (the last one, +Inf, is the count)
M.BUCKETS = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 }

-- The official SDKs' client names (KafkaClient, DisClient, IamClient) and method names.
local SERVICE = { kafka = "Kafka", dis = "Dis", iam = "Iam" }
local METHOD = {}
for _, o in ipairs(core.operations()) do
  METHOD[o.name] = o.name:gsub("^%l", string.upper):gsub("_(%l)", string.upper)
end

function M.service_name(service)
  return SERVICE[service] or service
end

function M.method_name(op)
  return METHOD[op] or op
end

local function host_port(endpoint)
  local scheme, authority = tostring(endpoint):match("^(%a+)://([^/]+)")
  if not authority then return nil end
  local host, port = authority:match("^%[(.-)%]:?(%d*)$") -- [v6]:port
  if not host then host, port = authority:match("^([^:]*):?(%d*)$") end
  return host, tonumber(port) or (scheme == "https" and 443 or 80)
end

-- The span of one call: started (core.clock), wall (core.time) when it began.
function M.span(client, op, started, wall, res, meta)
  local host, port = host_port(client.endpoint)
  local svc, method = M.service_name(client.service), M.method_name(op)
  local status = type(meta) == "table" and meta.status or nil
  local a = {
    ["rpc.system"] = "huaweicloud", ["rpc.service"] = svc, ["rpc.method"] = method,
    ["cloud.region"] = client.region, ["server.address"] = host, ["server.port"] = port,
    ["http.request.method"] = client.operations[op].method,
    ["http.response.status_code"] = type(status) == "number" and status or nil,
    ["huaweicloud.request_id"] = type(meta) == "table" and meta.request_id or nil,
    ["huaweicloud.attempts"] = type(meta) == "table" and meta.attempts or nil,
  }
  if res == nil and type(meta) == "table" then a["error.type"] = meta.code or meta.kind end
  return { name = svc .. "." .. method, kind = "client", start_time = wall, duration = core.clock() - started,
    status = res ~= nil and "ok" or "error", attributes = a }
end

local function stats_of(client, op)
  client.metrics = client.metrics or {}
  local s = client.metrics[op]
  if not s then
    s = { calls = 0, errors = {}, retries = 0, duration = { buckets = M.BUCKETS, counts = {}, sum = 0, count = 0 } }
    for i = 1, #M.BUCKETS do s.duration.counts[i] = 0 end
    client.metrics[op] = s
  end
  return s
end

-- Records one finished call: the client's stats, then its on_call hook (which may raise: the call
-- goes on as if it had not).
function M.record(client, op, started, wall, res, meta)
  local s = stats_of(client, op)
  local took = core.clock() - started
  s.calls = s.calls + 1
  if res == nil and type(meta) == "table" then
    local kind = meta.kind or "unknown"
    s.errors[kind] = (s.errors[kind] or 0) + 1
  end
  local attempts = type(meta) == "table" and tonumber(meta.attempts) or 1
  s.retries = s.retries + math.max(0, attempts - 1)
  local d = s.duration
  d.sum, d.count = d.sum + took, d.count + 1
  for i, le in ipairs(M.BUCKETS) do
    if took <= le then d.counts[i] = d.counts[i] + 1 end
  end
  local hook = client.opts.on_call
  if hook then pcall(hook, M.span(client, op, started, wall, res, meta)) end
end

-- client:stats(): a copy, per operation.
function M.stats(client)
  local out = {}
  for op, s in pairs(client.metrics or {}) do
    local errors, counts = {}, {}
    for k, v in pairs(s.errors) do errors[k] = v end
    for i, v in ipairs(s.duration.counts) do counts[i] = v end
    out[op] = { calls = s.calls, errors = errors, retries = s.retries, duration = { buckets = M.BUCKETS,
      counts = counts, sum = s.duration.sum, count = s.duration.count } }
  end
  return out
end

-- ---- the retry budget ---------------------------------------------------------------------------

M.BUDGET, M.RETRY_COST, M.TIMEOUT_COST, M.SUCCESS = 500, 5, 10, 1

function M.budget()
  local b = { tokens = M.BUDGET }
  -- takes what a retry after err costs; false when the bucket has not that much
  function b.take(err)
    local cost = err.kind == "timeout" and M.TIMEOUT_COST or M.RETRY_COST
    if b.tokens < cost then return false end
    b.tokens = b.tokens - cost
    return cost
  end
  function b.give(n)
    b.tokens = math.min(M.BUDGET, b.tokens + n)
  end
  return b
end

-- A W3C traceparent: version-traceid-parentid-flags, lower-case hex, not all zeros.
function M.valid_traceparent(v)
  if type(v) ~= "string" then return false end
  local version, trace, parent = v:match("^(%x%x)%-(%x+)%-(%x+)%-%x%x$")
  return version ~= nil and version ~= "ff" and #trace == 32 and #parent == 16 and not v:find("%u") and
    trace ~= ("0"):rep(32) and parent ~= ("0"):rep(16)
end

return M
