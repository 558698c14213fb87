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

-- The file is `file`, never `path`: with no HOME there is no file, and a missing field must not
-- fall through to M.path.
function M.new(path)
  local self = setmetatable({ file = path or M.path() }, { __index = M })
  self.where = self.file and ("profile file " .. self.file .. " [basic]") or
    "profile file (none: no HOME and no HUAWEICLOUD_SDK_CREDENTIALS_FILE)"
  return self
end

M.MAX_SIZE = 64 * 1024 -- a credentials file is a few lines

local SPACE = { [9] = true, [10] = true, [11] = true, [12] = true, [13] = true, [32] = true }

-- s without surrounding white space, in one pass (patterns such as "^%s*(.-)%s*$" take
-- quadratic time on a long run of spaces).
local function trim(s)
  local a, b = 1, #s
  while a <= b and SPACE[s:byte(a)] do a = a + 1 end
  while b >= a and SPACE[s:byte(b)] do b = b - 1 end
  return s:sub(a, b)
end

-- Parses INI text into { section = { key = value } }, in time linear in its length.
function M.parse(text)
  local sections, current = {}, nil
  for raw in (text .. "\n"):gmatch("([^\n]*)\n") do
    local line = trim(raw)
    local first = line:sub(1, 1)
    if first == "[" and line:sub(-1) == "]" then
      local name = trim(line:sub(2, -2))
      current = sections[name] or {}
      sections[name] = current
    elseif current and line ~= "" and first ~= "#" and first ~= ";" then
      local eq = line:find("=", 1, true)
      local k = eq and trim(line:sub(1, eq - 1))
      if k and k ~= "" then current[k] = trim(line:sub(eq + 1)) end
    end
  end
  return sections
end

-- The [basic] section; {} when there is no file. A file that is not a regular file (a FIFO, a
-- device, a link to one) or is larger than MAX_SIZE is an error: read in the C core, bounded and
-- never blocking.
function M:basic()
  if not self.file then return {} end
  local text, why, absent = require("huaweicloud.core").read_file(self.file, M.MAX_SIZE)
  if not text then
    if absent then return {} end
    error("cannot read " .. self.file .. ": " .. why, 0)
  end
  return M.parse(text).basic or {}
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
