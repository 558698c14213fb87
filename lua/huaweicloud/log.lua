-- huaweicloud.log: what a client reports about each attempt, for a `log` option of your own
-- (log = function(event) end) or HUAWEICLOUD_SDK_DEBUG=1 (one line per attempt on stderr, or in
-- nginx's error log inside nginx: at level error, which its default error_log shows, or at the
-- level the value names: warn, notice, info). An event never holds a header value or a body: only
--   { operation, service, method, url, status?, request_id?, attempt, duration (s), error?, code?, note? }
-- where url is the request's URL with the values of sensitive query parameters shown as ***, and
-- note says how a successful answer differs from the page (another 2xx, an empty body).
local core = require("huaweicloud.core")

local M = {}

local function pct(s)
  return (tostring(s):gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end))
end

-- The URL an operation goes to with these parameters, built from the operation table (no
-- signing, no body): for the events of transports that do not hand the prepared request back.
function M.url(client, op, params, cfg)
  local info = client.operations[op]
  local path = info.path:gsub("{([%w_]+)}", function(name)
    if name == "project_id" then return pct(cfg and cfg.credentials and cfg.credentials.project_id or "") end
    return type(params[name]) == "string" and pct(params[name]) or "{" .. name .. "}"
  end)
  local q = {}
  for _, p in ipairs(info.params or {}) do
    local v = params[p.name]
    if p["in"] == "query" and v ~= nil then
      q[#q + 1] = p.wire .. "=" .. (core.sensitive_name(p.name) and "***" or pct(v))
    end
  end
  table.sort(q)
  return client.endpoint:gsub("/+$", "") .. path .. (#q > 0 and ("?" .. table.concat(q, "&")) or "")
end

-- A prepared request's URL with sensitive query values masked.
function M.masked_url(url)
  return (url:gsub("([?&])([^=&]*)=([^&]*)", function(sep, k, v)
    return sep .. k .. "=" .. (core.sensitive_name(k) and "***" or v)
  end))
end

-- The event of one attempt.
function M.event(client, op, url, attempt, started, res, meta)
  local e = { operation = op, service = client.service, method = client.operations[op].method, url = url,
    attempt = attempt, duration = core.clock() - started }
  if meta then
    e.status, e.request_id = meta.status, meta.request_id
    if res == nil then e.error, e.code = meta.kind, meta.code else e.note = meta.note end
  end
  return e
end

-- One line for an event.
function M.format(e)
  return ("huaweicloud: %s %s %s -> %s%s%s attempt %d, %.3f s%s%s"):format(e.operation, e.method, e.url,
    e.status and tostring(e.status) or "-", e.error and (" " .. e.error) or "",
    e.code and (" " .. tostring(e.code)) or "", e.attempt, e.duration,
    e.request_id and (" request_id=" .. tostring(e.request_id)) or "", e.note and (" (" .. e.note .. ")") or "")
end

-- The nginx error-log level of HUAWEICLOUD_SDK_DEBUG's value: "warn", "notice", "info", else (1)
-- "error", the level nginx's default error_log shows.
local NGX_LEVELS = { warn = "WARN", notice = "NOTICE", info = "INFO", error = "ERR" }

-- The sink for a client: its log option, else the debug printer when HUAWEICLOUD_SDK_DEBUG is set.
function M.sink(opts)
  if opts.log then return opts.log end
  local debug = os.getenv("HUAWEICLOUD_SDK_DEBUG")
  if not debug or debug == "" or debug == "0" then return nil end
  local level = NGX_LEVELS[debug:lower()] or "ERR"
  return function(e)
    local ngx = rawget(_G, "ngx")
    if ngx and ngx.log then ngx.log(ngx[level], M.format(e))
    else io.stderr:write(M.format(e), "\n") end
  end
end

return M
