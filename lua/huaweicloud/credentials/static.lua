-- Credentials given in code: hw.kafka.new{ credentials = { ak = ..., sk = ..., project_id = ... } }
-- or { token = ... } for X-Auth-Token. Yields when they carry AK/SK or a token.
local M = {}

M.where = "the credentials option"

function M.new(cred)
  return setmetatable({ cred = cred }, { __index = M })
end

function M:get()
  local c = self.cred
  if c and ((c.ak and c.sk) or c.token) then
    return { ak = c.ak, sk = c.sk, security_token = c.security_token, token = c.token, project_id = c.project_id,
      algorithm = c.algorithm, iam_endpoint = c.iam_endpoint }
  end
  return nil
end

return M
