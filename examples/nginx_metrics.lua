-- Prometheus metrics of the SDK's calls inside nginx, in the style of nginx-lua-prometheus, with
-- nothing but a lua_shared_dict: every worker counts into it through the clients' on_call hook, and
-- one location serves the text format. Copy this file where lua_package_path finds it.
--   http {
--     lua_shared_dict huaweicloud_metrics 1m;
--     ...
--       local metrics = require("nginx_metrics")
--       local dis = hw.assert(hw.dis.new({ on_call = metrics.on_call }))
--     location = /metrics { content_by_lua_block { require("nginx_metrics").collect() } }
--   }
-- Series: huaweicloud_calls_total{service,method,status}, huaweicloud_call_errors_total{service,
-- method,error_type}, huaweicloud_call_duration_seconds{service,method} (a histogram),
-- huaweicloud_call_retries_total{service,method}.
local M = { dict = "huaweicloud_metrics",
  buckets = { 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10 } }

local function escape(v)
  return (tostring(v):gsub("[\\\"\n]", { ["\\"] = "\\\\", ['"'] = '\\"', ["\n"] = "\\n" }))
end

local function labels(t)
  local keys, parts = {}, {}
  for k in pairs(t) do keys[#keys + 1] = k end
  table.sort(keys)
  for _, k in ipairs(keys) do parts[#parts + 1] = k .. '="' .. escape(t[k]) .. '"' end
  return "{" .. table.concat(parts, ",") .. "}"
end

-- The client option on_call: one span, counted.
function M.on_call(span)
  local d = ngx.shared[M.dict]
  if not d then return end
  local a = span.attributes
  local base = { service = a["rpc.service"], method = a["rpc.method"] }
  local status = a["http.response.status_code"] or "none"
  d:incr("huaweicloud_calls_total" .. labels({ service = base.service, method = base.method, status = status }), 1, 0)
  if span.status == "error" then
    d:incr("huaweicloud_call_errors_total" .. labels({ service = base.service, method = base.method,
      error_type = a["error.type"] or "unknown" }), 1, 0)
  end
  local retries = (a["huaweicloud.attempts"] or 1) - 1
  if retries > 0 then d:incr("huaweicloud_call_retries_total" .. labels(base), retries, 0) end
  for _, le in ipairs(M.buckets) do
    if span.duration <= le then
      d:incr("huaweicloud_call_duration_seconds_bucket" .. labels({ service = base.service, method = base.method,
        le = le }), 1, 0)
    end
  end
  d:incr("huaweicloud_call_duration_seconds_bucket" .. labels({ service = base.service, method = base.method,
    le = "+Inf" }), 1, 0)
  d:incr("huaweicloud_call_duration_seconds_sum" .. labels(base), span.duration, 0)
  d:incr("huaweicloud_call_duration_seconds_count" .. labels(base), 1, 0)
end

local TYPES = { huaweicloud_calls_total = "counter", huaweicloud_call_errors_total = "counter",
  huaweicloud_call_retries_total = "counter", huaweicloud_call_duration_seconds = "histogram" }

-- The text exposition format of every series, for a /metrics location.
function M.collect()
  local d = ngx.shared[M.dict]
  local keys = d and d:get_keys(0) or {}
  table.sort(keys)
  local out, typed = {}, {}
  for _, key in ipairs(keys) do
    local name = key:match("^([%w_]+)")
    local family = name:gsub("_bucket$", ""):gsub("_sum$", ""):gsub("_count$", "")
    if TYPES[family] and not typed[family] then
      typed[family] = true
      out[#out + 1] = "# TYPE " .. family .. " " .. TYPES[family]
    end
    out[#out + 1] = key .. " " .. tostring(d:get(key))
  end
  ngx.header["Content-Type"] = "text/plain; version=0.0.4"
  ngx.print(table.concat(out, "\n"), "\n")
end

return M
