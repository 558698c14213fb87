-- Credentials from the environment, as the official SDKs read them:
-- HUAWEICLOUD_SDK_AK / _SK / _PROJECT_ID / _SECURITY_TOKEN, or (prefix = "CLOUD_SDK")
-- CLOUD_SDK_AK / CLOUD_SDK_SK, the names the API pages' examples use.
local M = {}

function M.new(prefix, getenv)
  local self = setmetatable({ prefix = prefix or "HUAWEICLOUD_SDK", getenv = getenv or os.getenv }, { __index = M })
  self.where = "environment " .. self.prefix .. "_AK/" .. self.prefix .. "_SK"
  return self
end

local function nonempty(s)
  if s ~= nil and s ~= "" then return s end
end

function M:get()
  local p, env = self.prefix, self.getenv
  local ak, sk = nonempty(env(p .. "_AK")), nonempty(env(p .. "_SK"))
  if not (ak and sk) then return nil end
  return { ak = ak, sk = sk, project_id = nonempty(env(p .. "_PROJECT_ID")),
    security_token = nonempty(env(p .. "_SECURITY_TOKEN")), iam_endpoint = nonempty(env(p .. "_IAM_ENDPOINT")) }
end

-- The project id alone, for credentials from elsewhere that lack one.
function M:project_id()
  return nonempty(self.getenv(self.prefix .. "_PROJECT_ID"))
end

return M
