-- huaweicloud.credentials: the provider chain. The first provider that yields wins:
-- explicit credentials option > HUAWEICLOUD_SDK_* environment > CLOUD_SDK_* environment >
-- the profile file. Nothing is read until a client makes its first call.
local errors = require("huaweicloud.errors")

local M = {}

M.static = require("huaweicloud.credentials.static")
M.env = require("huaweicloud.credentials.env")
M.profile = require("huaweicloud.credentials.profile")

-- The default chain for a client's credentials option (may be nil).
function M.default_chain(explicit)
  return {
    M.static.new(explicit),
    M.env.new("HUAWEICLOUD_SDK"),
    M.env.new("CLOUD_SDK"),
    M.profile.new(),
  }
end

-- Returns credentials, provider or nil, a config error naming every place it looked.
-- Credentials without a project id take it from the first later-or-earlier source that has one
-- (HUAWEICLOUD_SDK_PROJECT_ID, the profile's project_id).
function M.resolve(chain)
  local looked = {}
  for _, p in ipairs(chain) do
    local c, err = p:get()
    if c then
      for _, other in ipairs(chain) do
        if c.project_id then break end
        if other.project_id then c.project_id = other:project_id() end
      end
      return c, p
    end
    looked[#looked + 1] = p.where .. (err and (" (" .. tostring(err) .. ")") or "")
  end
  return nil, errors.new({ kind = "config", field = "credentials",
    message = "no credentials found; looked in: " .. table.concat(looked, "; ") })
end

return M
