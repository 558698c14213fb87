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

-- The file's text, or nil when it cannot be read (yet).
function M.read_if(path)
  local f = io.open(path, "rb")
  if not f then return nil end
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

-- core.prepare of op with params under exactly the conditions reference vector `name` was
-- signed in (endpoint, date, keys, project id); returns the request and the vector.
function M.prepare_as_vector(op, name, params)
  for _, v in ipairs(M.vectors()) do
    if v.name == name then
      local core = require("huaweicloud.core")
      local req, err = core.prepare(op, { endpoint = v.input.url:match("^https?://[^/]+"),
        date = v.input.headers["X-Sdk-Date"], credentials = { ak = v.input.ak, sk = v.input.sk,
          project_id = v.input.headers["X-Project-Id"] } }, params)
      assert(req, tostring(err))
      return req, v
    end
  end
  error("no reference vector named " .. name)
end

-- Shell-quote one argument.
function M.q(s)
  return "'" .. tostring(s):gsub("'", "'\\''") .. "'"
end

-- Run a command; returns its stdout and whether it exited 0. Under `make asan` the ASan runtime
-- is preloaded into Lua; the commands specs run (make, openssl, nginx, curl) must not inherit it.
function M.sh(cmd)
  if os.getenv("LD_PRELOAD") then cmd = "env -u LD_PRELOAD sh -c " .. M.q(cmd) end
  local p = assert(io.popen(cmd, "r"))
  local out = p:read("*a")
  local ok = p:close()
  return out, ok == true or ok == 0
end

-- A TCP port on 127.0.0.1 free at the time of asking (LuaSocket).
function M.free_port()
  local socket = require("socket")
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return port
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

-- A CA and a server certificate for 127.0.0.1/localhost signed by it, made with the openssl
-- command in a fresh folder. Returns { dir, ca, cert, key }.
function M.make_ca()
  local dir = M.tmpname()
  local cmd = "(" .. table.concat({
    "mkdir -p " .. dir, "cd " .. dir,
    "openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=hwc-test-ca",
    "openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=localhost",
    -- DNS:127.0.0.1 too: nginx's cosocket TLS check matches DNS names only, never IP SANs
    "printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:127.0.0.1' > ext.cnf",
    "openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile ext.cnf",
  }, " && ") .. ") >/dev/null 2>&1"
  local _, ok = M.sh(cmd)
  assert(ok, "openssl could not make the test CA")
  return { dir = dir, ca = dir .. "/ca.pem", cert = dir .. "/server.pem", key = dir .. "/server.key" }
end

-- Runs Lua code in a child process of the same interpreter, with only the environment given
-- (plus PATH), this process's package paths, and HOME set to a fresh folder unless env.HOME is
-- set (HOME = false: no HOME at all, as in nginx workers, cron and systemd units); prefix (e.g.
-- "prlimit --nofile=4096:4096") runs before the interpreter. Returns its output (stdout and
-- stderr) and whether it exited 0.
function M.run_lua(code, env, prefix)
  env = env or {}
  local home = env.HOME
  local made_home = false
  if home == nil then
    home = M.tmpname()
    made_home = true
    os.execute("mkdir -p " .. home)
  end
  local parts = { "env -i", "PATH=" .. M.q(os.getenv("PATH") or "/usr/bin:/bin"), home and ("HOME=" .. M.q(home)) or "",
    -- never let a child fall through to the real metadata address
    "HUAWEICLOUD_SDK_METADATA_ENDPOINT=" .. M.q(env.HUAWEICLOUD_SDK_METADATA_ENDPOINT or
      os.getenv("HUAWEICLOUD_SDK_METADATA_ENDPOINT") or "http://127.0.0.1:9") }
  for k, v in pairs(env) do
    if k ~= "HOME" and k ~= "HUAWEICLOUD_SDK_METADATA_ENDPOINT" then parts[#parts + 1] = k .. "=" .. M.q(v) end
  end
  parts[#parts + 1] = M.sanitizer_env()
  local chunk = "package.path=" .. string.format("%q", package.path) .. " package.cpath=" ..
    string.format("%q", package.cpath) .. " " .. code
  local file = M.tmpname() .. ".lua"
  M.write(file, chunk)
  parts[#parts + 1] = (prefix and (prefix .. " ") or "") .. require("huaweicloud.emulator").interpreter() .. " " ..
    M.q(file) .. " 2>&1"
  local out, ok = M.sh(table.concat(parts, " "))
  os.remove(file)
  if made_home then os.execute("rm -rf " .. M.q(home)) end
  return out, ok
end

-- "K=V ..." for the sanitizer variables of this process: a Lua child that loads the same
-- (instrumented) core needs them even though M.sh strips them from other commands.
function M.sanitizer_env()
  local parts = {}
  for _, k in ipairs({ "LD_PRELOAD", "ASAN_OPTIONS", "UBSAN_OPTIONS" }) do
    if os.getenv(k) then parts[#parts + 1] = k .. "=" .. M.q(os.getenv(k)) end
  end
  return table.concat(parts, " ")
end

-- Seconds since some point, with sub-second resolution (LuaSocket).
function M.now()
  return require("socket").gettime()
end

return M
