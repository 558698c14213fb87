-- Temporary credentials from the ECS instance metadata service, as the official SDKs fetch them:
--   PUT  /meta-data/latest/api/token        X-Metadata-Token-Ttl-Seconds: 21600
--        (404, 405 or 503: the service has no tokens; go on without one)
--   GET  /openstack/latest/securitykey      X-Metadata-Token: <token>
--        -> {"credential":{"access","secret","securitytoken","expires_at"}}
-- They are refreshed when less than 40 minutes remain (the official threshold). A failed refresh
-- keeps the current ones while they are valid and tries again a minute later. One refresh runs at
-- a time however many coroutines (or nginx requests) share the client; the others keep using the
-- current credentials, or wait for the first ones. Each call gets a whole {ak, sk, token} table,
-- never a mix of an old and a new one.
local M = {}

M.DEFAULT_ENDPOINT = "http://169.254.169.254"
M.REFRESH_BEFORE = 40 * 60 -- seconds before expiry
M.RETRY_AFTER = 60         -- seconds between attempts after a failed refresh
M.TIMEOUT = 3              -- seconds, as the official SDKs: a machine without metadata is not held up

-- opts: endpoint, send(req) -> status, headers, body | nil, err; sleep(seconds); now() -> epoch s;
-- shared: a lua_shared_dict (nginx) where every worker finds the credentials one of them fetched
function M.new(opts)
  opts = opts or {}
  local self = setmetatable({
    endpoint = (opts.endpoint or M.DEFAULT_ENDPOINT):gsub("/+$", ""),
    send = opts.send,
    sleep = opts.sleep,
    now = opts.now or os.time,
    dynamic = true, -- the client asks again before each call
    fetches = 0,
    shared = opts.shared,
  }, { __index = M })
  self.where = "ECS metadata " .. self.endpoint
  if self.shared then self.shared_key = require("huaweicloud.credentials.shared").key("metadata", self.endpoint) end
  return self
end

-- "2024-02-07T12:34:56.000000Z" (or without the fraction) -> seconds since the epoch
M.parse_time = require("huaweicloud.utc").parse

local function fetch(self)
  local token
  local status, headers, body = self.send({ method = "PUT", url = self.endpoint .. "/meta-data/latest/api/token",
    headers = { ["X-Metadata-Token-Ttl-Seconds"] = "21600" }, body = "" })
  if status == nil then return nil, "unreachable (" .. tostring(headers) .. ")" end
  if status == 200 then
    token = body
  elseif status ~= 404 and status ~= 405 and status ~= 503 then
    return nil, "token request answered HTTP " .. status
  end
  status, headers, body = self.send({ method = "GET", url = self.endpoint .. "/openstack/latest/securitykey",
    headers = token and { ["X-Metadata-Token"] = token } or {} })
  if status == nil then return nil, "unreachable (" .. tostring(headers) .. ")" end
  if status ~= 200 then return nil, "securitykey answered HTTP " .. status end
  local cjson = require("cjson")
  local ok, doc = pcall(cjson.decode, body)
  local c = ok and type(doc) == "table" and type(doc.credential) == "table" and doc.credential
  if not (c and type(c.access) == "string" and type(c.secret) == "string") then
    return nil, "securitykey answer has no credential"
  end
  local expires = M.parse_time(c.expires_at)
  if not expires then return nil, "securitykey answer has no valid expires_at" end
  -- never sign with keys that have expired: the call would be refused (401) and tell nothing
  if expires <= self.now() then
    return nil, "securitykey answered credentials that expired at " .. tostring(c.expires_at)
  end
  self.fetches = self.fetches + 1
  return { ak = c.access, sk = c.secret, security_token = type(c.securitytoken) == "string" and c.securitytoken or nil,
    expires = expires }
end

-- PUC Lua 5.1 cannot yield across pcall, and a transport may yield (a cosocket, a coroutine
-- scheduler): there the fetch runs unprotected.
local YIELDABLE_PCALL = type(jit) == "table" or _VERSION ~= "Lua 5.1"

local function protected(self)
  if YIELDABLE_PCALL then return pcall(fetch, self) end
  return true, fetch(self)
end

-- With a shared dict: the credentials any worker fetched; when they are due, one worker (the
-- election's winner) fetches while the others keep using them, or wait for the first ones. A
-- failed refresh is not tried again by anyone for RETRY_AFTER seconds.
function M:get_shared(now, current)
  local sh, dict, key = require("huaweicloud.credentials.shared"), self.shared, self.shared_key
  local seen = sh.get_json(dict, key)
  if seen and (not current or seen.expires > current.expires) then self.cred, current = seen, seen end
  if current and current.expires - now > M.REFRESH_BEFORE then return current end
  local valid = current and current.expires > now
  if valid and dict:get(key .. "#retry") then return current end
  -- the election outlives a fetch (two requests of at most TIMEOUT each): no second fetch starts
  -- while the first may still answer
  local ttl = math.max(sh.LOCK_TTL, 2 * M.TIMEOUT + 1)
  for _ = 1, math.ceil((ttl + M.TIMEOUT * 2) / sh.WAIT_STEP) do
    if sh.elect(dict, key, ttl) then
      local ok, fresh, err = protected(self)
      if ok and fresh then sh.set_json(dict, key, fresh, fresh.expires - self.now()) end
      if not (ok and fresh) then dict:set(key .. "#retry", true, M.RETRY_AFTER) end
      sh.release(dict, key)
      if ok and fresh then
        self.cred, self.last_err = fresh, nil
        return fresh
      end
      self.last_err = ok and err or ("failed: " .. tostring(fresh))
      if valid then return current end
      return nil, self.last_err
    end
    if valid then return current end -- another worker refreshes; these still work
    self.sleep(sh.WAIT_STEP)
    seen = sh.get_json(dict, key)
    if seen and seen.expires > self.now() then
      self.cred = seen
      return seen
    end
  end
  return nil, self.last_err or "timed out waiting for another nginx worker's refresh"
end

function M:get()
  local now, current = self.now(), self.cred
  if current and current.expires - now > M.REFRESH_BEFORE then return current end
  if self.shared then return self:get_shared(now, current) end
  -- another coroutine is fetching: never start a second fetch (a fetch that died without
  -- clearing the mark stops counting after a while)
  if self.refreshing and os.time() - self.refreshing < M.TIMEOUT * 4 then
    if current and current.expires > now then return current end
    for _ = 1, M.TIMEOUT * 2 * 20 do
      self.sleep(0.05)
      if not self.refreshing then break end
    end
    if self.cred and self.cred.expires > self.now() then return self.cred end
    return nil, self.last_err or "timed out waiting for a refresh"
  end
  if current and current.expires > now and self.retry_at and now < self.retry_at then return current end
  self.refreshing = os.time()
  local ok, fresh, err = protected(self)
  self.refreshing = nil
  if ok and fresh then
    self.cred, self.retry_at, self.last_err = fresh, nil, nil
    return fresh
  end
  self.last_err = ok and err or ("failed: " .. tostring(fresh))
  if current and current.expires > now then -- keep what still works; try again later
    self.retry_at = now + M.RETRY_AFTER
    return current
  end
  return nil, self.last_err
end

return M
