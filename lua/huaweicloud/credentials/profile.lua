-- Credentials from the profile file the official SDKs read: $HUAWEICLOUD_SDK_CREDENTIALS_FILE
-- or ~/.huaweicloud/credentials, INI with a [basic] section (ak, sk, project_id,
-- security_token, iam_endpoint). Read only; a missing file simply yields nothing.
local M = {}

function M.path(getenv)
  getenv = getenv or os.getenv
  local explicit = getenv("HUAWEICLOUD_SDK_CREDENTIALS_FILE")
  if explicit and explicit ~= "" then return explicit end
  local home = getenv("HOME")
  if home and home ~= "" then return home .. "/.huaweicloud/credentials" end
end

function M.new(path)
  local self = setmetatable({ path = path or M.path() }, { __index = M })
  self.where = "profile file " .. tostring(self.path) .. " [basic]"
  return self
end

-- Parses INI text into { section = { key = value } }.
function M.parse(text)
  local sections, current = {}, nil
  for line in (text .. "\n"):gmatch("([^\n]*)\n") do
    line = line:gsub("\r$", ""):match("^%s*(.-)%s*$")
    local name = line:match("^%[%s*([^%]]-)%s*%]$")
    if name then
      current = sections[name] or {}
      sections[name] = current
    elseif current and line ~= "" and not line:find("^[#;]") then
      local k, v = line:match("^([^=]-)%s*=%s*(.*)$")
      if k and k ~= "" then current[k] = v end
    end
  end
  return sections
end

function M:basic()
  if not self.path then return {} end
  local f = io.open(self.path, "r")
  if not f then return {} end
  local text = f:read("*a")
  f:close()
  return M.parse(text or "").basic or {}
end

function M:get()
  local basic = self:basic()
  local function val(k) local v = basic[k] if v and v ~= "" then return v end end
  if not (val("ak") and val("sk")) then return nil end
  return { ak = val("ak"), sk = val("sk"), project_id = val("project_id"), security_token = val("security_token"),
    iam_endpoint = val("iam_endpoint") }
end

-- The project id alone, for credentials from elsewhere that lack one.
function M:project_id()
  local v = self:basic().project_id
  if v and v ~= "" then return v end
end

return M
