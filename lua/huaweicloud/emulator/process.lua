-- huaweicloud.emulator.process: running a server (the emulator, a test fake) as a child process
-- that cannot outlive its parent, and passing it plain-data options.
local M = {}

-- The emulator and the test servers stand on LuaSocket; say so plainly when it is missing.
function M.need_socket()
  local ok = pcall(require, "socket")
  if not ok then
    error("the emulator needs LuaSocket: apt-get install lua-socket (or luarocks install luasocket)", 3)
  end
end

-- Lua source that rebuilds v (strings, numbers, booleans and tables of them).
function M.serialize(v)
  local t = type(v)
  if t == "string" then return string.format("%q", v) end
  if t == "number" or t == "boolean" or t == "nil" then return tostring(v) end
  if t == "table" then
    local parts = {}
    for k, x in pairs(v) do
      if type(x) ~= "function" then parts[#parts + 1] = "[" .. M.serialize(k) .. "]=" .. M.serialize(x) end
    end
    return "{" .. table.concat(parts, ",") .. "}"
  end
  error("cannot pass a " .. t .. " to the emulator process")
end

local function shell_quote(s)
  return "'" .. s:gsub("'", "'\\''") .. "'"
end

-- The interpreter that runs this code, as Debian names it.
function M.interpreter()
  if os.getenv("HUAWEICLOUD_EMULATOR_LUA") then return os.getenv("HUAWEICLOUD_EMULATOR_LUA") end
  if type(jit) == "table" then return "luajit" end
  return "lua" .. _VERSION:match("%d+%.%d+")
end

-- In a child started by M.spawn: a function that is true once the process that started it has
-- gone, so a server nobody stopped does not outlive its test run.
function M.watchdog()
  local parent = tonumber(os.getenv("HUAWEICLOUD_EMULATOR_PARENT") or "")
  local last = os.time()
  return function()
    if not parent or os.time() == last then return false end
    last = os.time()
    local f = io.open("/proc/" .. parent .. "/stat")
    if f then f:close() return false end
    return io.open("/proc/self/stat") ~= nil -- only trust the answer where /proc exists
  end
end

-- A finalizer that runs on every Lua (5.1 has no __gc on tables: newproxy gives a userdata).
local function on_collect(fn)
  local newproxy = rawget(_G, "newproxy")
  if newproxy then
    local p = newproxy(true)
    getmetatable(p).__gc = fn
    return p
  end
  return setmetatable({}, { __gc = fn })
end

local function sleep(s)
  require("huaweicloud.core").sleep(s)
end

-- Runs `chunk` (Lua source that serves and prints "listening <url>") in a background process
-- with this process's package paths. No pipe is kept to it: the child writes its URL to a file,
-- and exits by itself once this process is gone, so a forgotten stop() never hangs an exit.
-- Returns { url, pid, stop = function }.
function M.spawn(chunk, opts)
  opts = opts or {}
  local base = os.tmpname()
  local code = "package.path=" .. string.format("%q", package.path) .. " package.cpath=" ..
    string.format("%q", package.cpath) .. " " .. chunk
  local log = opts.log_file or (base .. ".err")
  local watch = opts.detach and "HUAWEICLOUD_EMULATOR_PARENT= " or "HUAWEICLOUD_EMULATOR_PARENT=$PPID "
  local cmd = watch .. (opts.lua or M.interpreter()) .. " -e " .. shell_quote(code) ..
    " > " .. shell_quote(base) .. " 2>>" .. shell_quote(log) .. " & echo $! > " .. shell_quote(base .. ".pid")
  os.execute(cmd)
  local url, pid
  for _ = 1, 1000 do -- up to 10 s
    local f = io.open(base)
    local line = f and f:read("*l")
    if f then f:close() end
    url = line and line:match("^listening (%S+)")
    if url then break end
    sleep(0.01)
  end
  local pf = io.open(base .. ".pid")
  pid = pf and pf:read("*l")
  if pf then pf:close() end
  os.remove(base)
  os.remove(base .. ".pid")
  if not (url and pid) then
    if pid then os.execute("kill " .. pid .. " 2>/dev/null") end
    local f = io.open(log)
    local why = f and f:read("*a") or ""
    if f then f:close() end
    if not opts.log_file then os.remove(log) end
    error("the server process did not start" .. (why ~= "" and (": " .. why:sub(1, 500)) or "") ..
      (opts.log_file and (" (see " .. opts.log_file .. ")") or ""), 2)
  end
  if not opts.log_file then os.remove(log) end -- the child keeps writing to its open descriptor
  local stopped = false
  local function stop()
    if stopped then return end
    stopped = true
    os.execute("kill " .. pid .. " 2>/dev/null")
  end
  -- a detached one is not stopped when the handle is collected: it runs until it is killed
  return { url = url, pid = pid, stop = stop, sentinel = not opts.detach and on_collect(stop) or nil }
end

return M
