-- huaweicloud.credentials.shared: what nginx workers share through a lua_shared_dict (the client
-- option shared_dict): ECS metadata credentials and discovered project ids, and the election that
-- lets one worker refresh them while the others go on with what still works. The election is the
-- dict's atomic add of a lock that lapses after LOCK_TTL seconds, so a worker that dies holding it
-- stops no one for longer. Keys are digests (an AK never shows in a key); values are never logged.
local M = {}

M.LOCK_TTL = 10    -- seconds an election lasts at most
M.WAIT_STEP = 0.05 -- seconds between looks while another worker refreshes
M.PROJECT_TTL = 86400

local function ngx() return rawget(_G, "ngx") end

-- The dict of that name, or nil and why.
function M.dict(name)
  local n = ngx()
  local d = n and n.shared and n.shared[name]
  if d then return d end
  if not (n and n.shared) then return nil, "shared_dict needs nginx (lua_shared_dict " .. name .. " ...;)" end
  return nil, "no lua_shared_dict named " .. name .. " in nginx.conf"
end

-- The dict key of kind for these parts: "huaweicloud:<kind>:<base64 sha1>".
function M.key(kind, ...)
  local n = ngx()
  return "huaweicloud:" .. kind .. ":" .. n.encode_base64(n.sha1_bin(table.concat({ ... }, "\n")))
end

function M.get_json(dict, key)
  local text = dict:get(key)
  if type(text) ~= "string" then return nil end
  local ok, v = pcall(require("cjson").decode, text)
  if ok and type(v) == "table" then return v end
end

function M.set_json(dict, key, value, ttl)
  dict:set(key, require("cjson").encode(value), ttl and math.max(1, ttl) or 0)
end

-- true when this worker won the election for key (it must release it). The election lapses
-- after ttl seconds (LOCK_TTL by default): longer than the work it guards may take.
function M.elect(dict, key, ttl)
  local n = ngx()
  return (dict:add(key .. "#lock", n.worker and n.worker.pid() or 0, ttl or M.LOCK_TTL)) == true
end

function M.release(dict, key)
  dict:delete(key .. "#lock")
end

-- The value at key, made by one worker at a time: the elected one calls make() -> value | nil, err
-- and stores it (ttl seconds, 0: until evicted); the others wait for it, or for the election to
-- lapse (its holder died or failed) and stand themselves. Bounded: at most LOCK_TTL and a little.
function M.once(dict, key, sleep, make, ttl)
  local value = dict:get(key)
  if value ~= nil then return value end
  for _ = 1, math.ceil((M.LOCK_TTL + 1) / M.WAIT_STEP) do
    if M.elect(dict, key) then
      local ok, v, err = pcall(make)
      if ok and v ~= nil then dict:set(key, v, ttl or 0) end
      M.release(dict, key)
      if not ok then error(v, 0) end
      return v, err
    end
    sleep(M.WAIT_STEP)
    value = dict:get(key)
    if value ~= nil then return value end
  end
  return nil, "timed out waiting for another nginx worker to look " .. key:match("^huaweicloud:(%w+)") .. " up"
end

return M
