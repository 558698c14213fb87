-- huaweicloud.credentials: the provider chain. The first provider that yields wins:
-- explicit credentials option > HUAWEICLOUD_SDK_* environment > CLOUD_SDK_* environment >
-- the profile file > the ECS metadata service. Nothing is read until a client makes its first
-- call. A provider is a table with get() -> credentials | nil, why; and `where` for messages.
-- A client asks its provider once, on its first call, and keeps the answer; a provider with
-- `dynamic = true` (the metadata service) is asked again before every call.
local errors = require("huaweicloud.errors")

local M = {}

M.static = require("huaweicloud.credentials.static")
M.env = require("huaweicloud.credentials.env")
M.profile = require("huaweicloud.credentials.profile")
M.metadata = require("huaweicloud.credentials.metadata")
M.project = require("huaweicloud.credentials.project")
M.shared = require("huaweicloud.credentials.shared")

-- The chain for a client: its credentials option (a table of keys, a provider, or nil), then the
-- environment, the profile file and the metadata service. meta = { endpoint, send, sleep } for
-- the metadata provider (HUAWEICLOUD_SDK_METADATA_ENDPOINT overrides the address, e.g. in tests;
-- shared: a lua_shared_dict its credentials are shared through).
function M.default_chain(explicit, meta)
  if type(explicit) == "table" and type(explicit.get) == "function" then return { explicit } end
  meta = meta or {}
  return {
    M.static.new(explicit),
    M.env.new("HUAWEICLOUD_SDK"),
    M.env.new("CLOUD_SDK"),
    M.profile.new(),
    M.metadata.new({ endpoint = meta.endpoint or os.getenv("HUAWEICLOUD_SDK_METADATA_ENDPOINT"), send = meta.send,
      sleep = meta.sleep, shared = meta.shared }),
  }
end

-- Returns credentials, the provider that yielded and the project id to use (the credentials' own
-- or another source's), or nil and a config error naming every place it looked.
-- Credentials without a project id take it from the first later-or-earlier source that has one
-- (HUAWEICLOUD_SDK_PROJECT_ID, the profile's project_id).
-- The name a provider goes by in messages.
local function name_of(p)
  return tostring(rawget(p, "where") or (getmetatable(p) and p.where) or "the credentials provider")
end

local STRING_FIELDS = { "ak", "sk", "security_token", "token", "project_id", "algorithm", "iam_endpoint" }

-- Asks provider p for credentials. Returns c, or nil and why (nothing there), or nil, why, true
-- when the provider itself is broken (it raised, or answered with something that is not
-- credentials): a config error the caller must not look past.
function M.ask(p)
  local ok, c, why = pcall(p.get, p)
  if not ok then return nil, name_of(p) .. " failed: " .. tostring(c), true end
  if c == nil then return nil, why end
  if type(c) ~= "table" then
    return nil, name_of(p) .. " returned a " .. type(c) .. ", not a table { ak, sk, security_token?, project_id? }",
      true
  end
  for _, k in ipairs(STRING_FIELDS) do
    if c[k] ~= nil and type(c[k]) ~= "string" then
      return nil, name_of(p) .. " returned " .. k .. " as a " .. type(c[k]) .. ", not a string", true
    end
  end
  return c
end

function M.resolve(chain)
  local looked = {}
  for _, p in ipairs(chain) do
    local c, err, broken = M.ask(p)
    if broken then return errors.fail("config", err, { field = "credentials" }) end
    if c then
      local project = c.project_id
      for _, other in ipairs(chain) do
        if project then break end
        if type(other.project_id) == "function" then
          local ok, pid = pcall(other.project_id, other)
          if not ok then
            return errors.fail("config", name_of(other) .. " failed: " .. tostring(pid), { field = "credentials" })
          end
          if type(pid) == "string" then project = pid end
        end
      end
      c.project_id = project
      return c, p, project
    end
    looked[#looked + 1] = name_of(p) .. (err and (" (" .. tostring(err) .. ")") or "")
  end
  return errors.fail("config", "no credentials found; looked in: " .. table.concat(looked, "; "),
    { field = "credentials" })
end

return M
