-- Project id discovery, as the official SDKs do it when only AK/SK and a region are given: ask IAM
-- once, GET /v3/projects?name=<region> (the C core's keystone_list_projects, signed like every
-- call), and remember the answer per AK + region + IAM endpoint for the life of the process
-- (in nginx: of the worker). No project, or more than one, is a config error that says so and
-- carries IAM's X-IAM-Trace-Id.
local errors = require("huaweicloud.errors")

local M = {}

M.cache = {}   -- key -> project id
local pending = {} -- key -> true while a lookup is in flight

-- The IAM endpoint for a region: the option, the credentials' iam_endpoint, the environment, or
-- the region's (the official SDKs' IamRegion; a region not listed there: its public name).
function M.iam_endpoint(opts, cred, region)
  return opts.iam_endpoint or cred.iam_endpoint or os.getenv("HUAWEICLOUD_SDK_IAM_ENDPOINT") or
    require("huaweicloud.regions").endpoints.iam[region] or ("https://iam." .. region .. ".myhuaweicloud.com")
end

local function fail(message, extra)
  extra = extra or {}
  extra.field = "credentials.project_id"
  return errors.fail("config", message, extra)
end

-- Returns the project id for cred in the client's region, or nil and a config error.
function M.discover(client, cred)
  local region = client.region
  if not region then
    return fail("no project id, and no region to look it up in IAM (set credentials.project_id or region)")
  end
  local iam = M.iam_endpoint(client.opts, cred, region)
  local key = table.concat({ cred.ak or cred.token or "", region, iam }, "\n")
  if client.shared then return M.discover_shared(client, cred, region, iam, key) end
  for _ = 1, 200 do -- another coroutine is asking already: wait for its answer (up to ~10 s)
    if not pending[key] then break end
    client.transport.sleep(0.05)
  end
  if M.cache[key] then return M.cache[key] end
  pending[key] = true
  local ok, pid, err = pcall(M.lookup, client, cred, region, iam)
  pending[key] = nil
  if not ok then error(pid, 0) end
  if pid then M.cache[key] = pid end
  return pid, err
end

-- With a shared dict (nginx): one worker asks IAM, every worker finds its answer there.
function M.discover_shared(client, cred, region, iam, key)
  if M.cache[key] then return M.cache[key] end
  local sh = require("huaweicloud.credentials.shared")
  local failed
  local function sleep(s) client.transport.sleep(s) end
  local pid, why = sh.once(client.shared, sh.key("project", key), sleep, function()
    local p, err = M.lookup(client, cred, region, iam)
    failed = err
    return p
  end, sh.PROJECT_TTL)
  if failed then return nil, failed end
  if not pid then return fail(why) end
  M.cache[key] = pid
  return pid
end

-- Asks IAM: the project id, or nil and a config error.
function M.lookup(client, cred, region, iam)
  local res, meta = client.transport.call(client, "keystone_list_projects",
    { endpoint = iam, credentials = cred, validate = true }, { name = region })
  if not res then
    return fail("looking the project id up in IAM (" .. iam .. ") failed: " .. tostring(meta),
      { status = meta.status, code = meta.code, request_id = meta.request_id, cause = meta,
        iam_trace_id = meta.headers and meta.headers["x-iam-trace-id"] })
  end
  local trace = meta.headers and meta.headers["x-iam-trace-id"]
  local projects = type(res.projects) == "table" and res.projects or {}
  if #projects ~= 1 or type(projects[1].id) ~= "string" then
    return fail(string.format("IAM lists %d projects named %s for these credentials (one is needed); " ..
      "set credentials.project_id (IAM trace id %s)", #projects, region, tostring(trace)), { iam_trace_id = trace })
  end
  return projects[1].id
end

return M
