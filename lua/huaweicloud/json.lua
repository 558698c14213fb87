-- huaweicloud.json: JSON text as the SDK's Lua side reads it (a declaration file, a --body, the
-- emulator's requests): lua-cjson's decode, with JSON null meaning absent.
local cjson = require("cjson")

local M = {}

-- t with every JSON null removed, at any depth (in place); t itself.
function M.without_nulls(t)
  for k, v in pairs(t) do
    if v == cjson.null then t[k] = nil elseif type(v) == "table" then M.without_nulls(v) end
  end
  return t
end

-- The table a JSON text holds, nulls removed, or nil when the text is not JSON or holds no table.
function M.decode_table(text)
  local ok, v = pcall(cjson.decode, text or "")
  if ok and type(v) == "table" then return M.without_nulls(v) end
end

return M
