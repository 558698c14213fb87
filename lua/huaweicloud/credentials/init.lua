-- huaweicloud.credentials: the provider chain. The first provider that yields wins:
-- explicit credentials option > HUAWEICLOUD_SDK_* environment > CLOUD_SDK_* environment >
-- the profile file > the ECS metadata service. Nothing is read until a client makes its first
-- call. A provider is a table with get() -> credentials | nil, why; and `where` for messages.
local errors = require("huaweicloud.errors")

local M = {}

M.static = require("huaweicloud.credentials.static")
M.env = require("huaweicloud.credentials.env")
M.profile = require("huaweicloud.credentials.profile")
M.metadata = require("huaweicloud.credentials.metadata")
M.project = require("huaweicloud.credentials.project")

-- The chain for a client: its credentials option (a table of keys, a provider, or nil), then the
-- environment, the profile file and the metadata service. meta = { endpoint, send, sleep } for
-- the metadata provider (HUAWEICLOUD_SDK_METADATA_ENDPOINT overrides the address, e.g. in tests).
function M.default_chain(explicit, meta)
  if type(explicit) == "table" and type(explicit.get) == "function" then return { explicit } end
  meta = meta or {}
  return {
    M.static.new(explicit),
    M.env.new("HUAWEICLOUD_SDK"),
    M.env.new("CLOUD_SDK"),
    M.profile.new(),
    M.metadata.new({ endpoint = meta.endpoint or os.getenv("HUAWEICLOUD_SDK_METADATA_ENDPOINT"), send = meta.send,
      sleep = meta.sleep }),
  }
end

-- Returns credentials, the provider that yielded and the project id to use (the credentials' own
-- or another source's), or nil and a config error naming every place it looked.
-- Credentials without a project id take it from the first later-or-earlier source that has one
-- (HUAWEICLOUD_SDK_PROJECT_ID, the profile's project_id).
function M.resolve(chain)
  local looked = {}
  for _, p in ipairs(chain) do
    local c, err = p:get()
    if c then
      local project = c.project_id
      for _, other in ipairs(chain) do
        if project then break end
        if other.project_id then project = other:project_id() end
      end
      c.project_id = project
      return c, p, project
    end
    looked[#looked + 1] = p.where .. (err and (" (" .. tostring(err) .. ")") or "")
  end
  return nil, errors.new({ kind = "config", field = "credentials",
    message = "no credentials found; looked in: " .. table.concat(looked, "; ") })
end

return M
