-- Shared spec helpers: fixtures, shell commands, and an independent HMAC via the openssl CLI.
local cjson = require("cjson")

local M = {}

M.root = os.getenv("PWD") or "."

function M.read(path)
  local f = assert(io.open(path, "rb"))
  local s = f:read("*a")
  f:close()
  return s
end

function M.write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

function M.fixture(name)
  return M.read("spec/fixtures/" .. name)
end

function M.vectors()
  return cjson.decode(M.fixture("signing.json")).cases
end

-- Shell-quote one argument.
function M.q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Run a command; returns its stdout and whether it exited 0.
function M.sh(cmd)
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("*a")
  local ok = p:close()
  return out, ok == true or ok == 0
end

function M.tmpname()
  local name = os.tmpname()
  os.remove(name)
  return name
end

-- hex(digest) and hex(HMAC(key, data)) computed by the openssl command, not by us.
function M.openssl_digest(alg, data, key)
  local path = M.tmpname()
  M.write(path, data)
  local cmd = "openssl dgst -" .. alg .. (key and (" -hmac " .. M.q(key)) or "") .. " -r " .. M.q(path)
  local out = M.sh(cmd)
  os.remove(path)
  return (out:match("^(%x+)"))
end

return M
