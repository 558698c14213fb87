-- huaweicloud.utc: UTC calendar times to seconds since the epoch, without os.time's local-time
-- conversion (the SDK reads X-Sdk-Date and metadata expiry times, both UTC).
local M = {}

-- Seconds since 1970-01-01T00:00:00Z of a UTC date and time (days from civil, H. Hinnant).
function M.epoch(y, mo, d, h, mi, s)
  if mo <= 2 then y = y - 1 end
  local era = math.floor(y / 400)
  local yoe = y - era * 400
  local doy = math.floor((153 * (mo > 2 and mo - 3 or mo + 9) + 2) / 5) + d - 1
  local days = era * 146097 + yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy - 719468
  return days * 86400 + h * 3600 + mi * 60 + s
end

-- "20240207T123456Z" (X-Sdk-Date) or "2024-02-07T12:34:56[.frac]Z" (ISO 8601) -> seconds, or nil
function M.parse(s)
  local y, mo, d, h, mi, sec = tostring(s):match("^(%d%d%d%d)(%d%d)(%d%d)T(%d%d)(%d%d)(%d%d)Z$")
  if not y then
    y, mo, d, h, mi, sec = tostring(s):match("^(%d%d%d%d)%-(%d%d)%-(%d%d)[T ](%d%d):(%d%d):(%d%d)")
  end
  if not y then return nil end
  return M.epoch(tonumber(y), tonumber(mo), tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
end

local MONTHS = { Jan = 1, Feb = 2, Mar = 3, Apr = 4, May = 5, Jun = 6, Jul = 7, Aug = 8, Sep = 9, Oct = 10,
  Nov = 11, Dec = 12 }

-- An HTTP date ("Tue, 01 Dec 2026 20:14:34 GMT", RFC 9110) -> seconds, or nil
function M.parse_http(s)
  local d, mon, y, h, mi, sec = tostring(s):match("^%a+, (%d%d) (%a%a%a) (%d%d%d%d) (%d%d):(%d%d):(%d%d) GMT$")
  if not d or not MONTHS[mon] then return nil end
  return M.epoch(tonumber(y), MONTHS[mon], tonumber(d), tonumber(h), tonumber(mi), tonumber(sec))
end

return M
