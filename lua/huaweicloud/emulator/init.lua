-- huaweicloud.emulator: a local stand-in for the DMS (Kafka) and DIS endpoints, for demos and tests.
-- It listens on 127.0.0.1, verifies every signature, validates every body with the SDK's
-- descriptors, keeps what was created and answers like the services (see .service). Its rooms:
--   .service  the fake services (no sockets)      .server   the HTTP/1.1 server (LuaSocket, LuaSec)
--   .process  the child process it runs in        .admin    the handle start() returns
--
--   local emu = require("huaweicloud.emulator").start{ ak = "AK", sk = "SK" }  -- a child process
--   ... emu.url, emu.instance_id, emu.stream_name ...  emu:stats()  emu:tasks()  emu:reset()  emu:stop()
--   lua5.4 -e 'require("huaweicloud.emulator").serve{ port = 8080, log = true }'  -- in the foreground
local process = require("huaweicloud.emulator.process")
local service = require("huaweicloud.emulator.service")

local M = {
  defaults = service.defaults,
  READY = service.READY,
  new = service.new,
  spawn = process.spawn,
  watchdog = process.watchdog,
  interpreter = process.interpreter,
  serialize = process.serialize,
}

-- Runs the emulator in this process until it is killed. Prints "listening <url>" first, or calls
-- on_listen(url, emulator) instead (the `huaweicloud emulator` command prints what to export).
function M.serve(opts, on_listen)
  process.need_socket()
  local socket = require("socket")
  local server = require("huaweicloud.emulator.server")
  local emu = service.new(opts)
  local cfg = emu.cfg
  emu.wall_seconds = socket.gettime -- sub-second: states settle after fractions of a second
  local orphaned = process.watchdog()
  server.serve({
    host = cfg.host, port = cfg.port, tls = cfg.tls, max_body = 10 * 1024 * 1024,
    max_connections = cfg.max_connections, idle_timeout = cfg.idle_timeout,
    on_listen = function(url)
      if on_listen then return on_listen(url, emu) end
      io.stdout:write("listening ", url, "\n")
      io.stdout:flush()
    end,
    on_accept = function(conn)
      emu.stats.connections = emu.stats.connections + 1
      conn.counted = false
    end,
    on_tick = function()
      if orphaned() then os.exit(0) end
    end,
    handler = function(req, conn)
      if not conn.counted and not req.target:find("^/_emulator/") then
        conn.counted = true
        emu.stats.api_connections = emu.stats.api_connections + 1
      end
      local status, body, extra, action = emu:handle(req)
      if cfg.log then
        io.stderr:write(os.date("!%H:%M:%S "), req.method, " ", req.target:match("^[^?]*"), " -> ",
          tostring(status or "dropped"), "\n")
      end
      if action and action.delay then conn:sleep(action.delay) end
      if action and action.drop then
        conn:close()
        return nil
      end
      local headers = { ["X-Request-Id"] = service.random_uuid() }
      for k, v in pairs(extra or {}) do headers[k] = v end
      body = body or ""
      if #body > 0 and not headers["Content-Type"] then headers["Content-Type"] = "application/json" end
      return status, body, headers
    end,
  })
end

-- Starts the emulator in a child process; returns a handle with url, ak, sk, project_id?,
-- instances (the Kafka instances every project has), instance_id (the first with Smart Connect
-- on), stream_name (the first stream), stop(), stats() and the rest of .admin.
function M.start(opts)
  opts = opts or {}
  process.need_socket()
  local cfg = { admin_token = service.random_uuid() } -- the per-run secret of the admin endpoints
  for k, v in pairs(opts) do
    if k ~= "lua" and k ~= "log_file" and k ~= "detach" then cfg[k] = v end
  end
  -- detach: it outlives this process (the `huaweicloud emulator --background` command)
  local child = process.spawn("require('huaweicloud.emulator').serve(" .. process.serialize(cfg) .. ")",
    { lua = opts.lua, log_file = opts.log_file, detach = opts.detach })
  local emu = service.new(cfg)
  local handle = setmetatable({ url = child.url, pid = child.pid, process = child, ak = emu.cfg.ak, sk = emu.cfg.sk,
    security_token = emu.cfg.security_token, project_id = emu.cfg.project_id, admin_token = cfg.admin_token,
    instances = emu:declared_instances() }, require("huaweicloud.emulator.admin"))
  for _, inst in ipairs(handle.instances) do
    if inst.connector_enable ~= false and not handle.instance_id then handle.instance_id = inst.instance_id end
  end
  local first = (emu.cfg.streams or service.READY.streams)[1]
  handle.stream_name = type(first) == "table" and first.stream_name or first
  return handle
end

return M
