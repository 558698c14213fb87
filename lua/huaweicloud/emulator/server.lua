-- huaweicloud.emulator.server: the small HTTP/1.1 server under the emulator and the test fakes,
-- on LuaSocket (and LuaSec for TLS). One process, one thread: every connection is a coroutine that
-- yields when its socket would block, so a slow or hostile client (or a refused TLS handshake)
-- never holds up the others. Requests are read by huaweicloud.http1.
--
--   server.serve{ host = "127.0.0.1", port = 0, tls = { certificate, key }?, max_body = 10 MiB,
--                 handler = function(req, conn) -> status, body, headers | nil (it answered itself),
--                 on_listen = function(url) end, on_tick = function(now) -> next wake time?,
--                 max_connections = 256, idle_timeout = 60 }
-- conn: send(data) -> ok, sleep(seconds), close(reset), peer, stats; `req` as http1.read_request.
-- One client cannot take it down: past max_connections the longest idle connection is closed (a
-- new one is refused when none is idle), a connection silent for idle_timeout is closed, a
-- descriptor select() cannot watch is never kept, and a failing accept() (out of descriptors)
-- lowers the cap instead of spinning.
local http1 = require("huaweicloud.http1")

local M = {}

local REASONS = { [200] = "OK", [201] = "Created", [204] = "No Content", [400] = "Bad Request",
  [401] = "Unauthorized", [403] = "Forbidden", [404] = "Not Found", [411] = "Length Required",
  [413] = "Payload Too Large", [429] = "Too Many Requests", [431] = "Request Header Fields Too Large",
  [500] = "Internal Server Error", [502] = "Bad Gateway", [503] = "Service Unavailable" }

-- The bytes of a response head: status line, the given headers, Content-Length, Connection.
function M.head(status, headers, length, keep_alive)
  local t = { "HTTP/1.1 " .. status .. " " .. (REASONS[status] or "Status") }
  for k, v in pairs(headers or {}) do t[#t + 1] = k .. ": " .. v end
  if length then t[#t + 1] = "Content-Length: " .. length end
  if keep_alive ~= nil then t[#t + 1] = "Connection: " .. (keep_alive and "keep-alive" or "close") end
  return table.concat(t, "\r\n") .. "\r\n\r\n"
end

local Conn = {}
Conn.__index = Conn

-- Waits (yields) until the socket may be read or written again.
local function wait(self, what)
  self.waiting = what
  coroutine.yield()
  self.waiting = nil
end

function Conn:receive(max)
  while not self.closed do
    local data, err, partial = self.sock:receive(max)
    data = data or partial
    if data and #data > 0 then
      self.last_io = self.clock()
      return data
    end
    if err == "closed" or (err and err ~= "timeout" and err ~= "wantread" and err ~= "wantwrite") then
      return nil, "closed"
    end
    wait(self, err == "wantwrite" and "write" or "read")
  end
  return nil, "closed"
end

-- Sends all of data; false once the peer is gone.
function Conn:send(data)
  local from = 1
  while not self.closed do
    local last, err, partial = self.sock:send(data, from)
    if last then
      self.last_io = self.clock()
      return true
    end
    if err ~= "timeout" and err ~= "wantwrite" and err ~= "wantread" then
      self:close()
      return false
    end
    from = (partial or from - 1) + 1
    wait(self, err == "wantread" and "read" or "write")
  end
  return false
end

function Conn:sleep(seconds)
  self.wake = self.clock() + seconds
  wait(self, "sleep")
  self.wake = nil
end

-- Closes the connection; reset: abort with a TCP RST instead of a FIN.
function Conn:close(reset)
  if self.closed then return end
  self.closed = true
  if reset then pcall(self.sock.setoption, self.sock, "linger", { on = true, timeout = 0 }) end
  self.sock:close()
end

-- Writes a complete response.
function Conn:respond(status, body, headers, keep_alive)
  body = body or ""
  return self:send(M.head(status, headers, #body, keep_alive) .. body)
end

local function handshake(conn)
  while true do
    local ok, err = conn.sock:dohandshake()
    if ok then return true end
    if err ~= "wantread" and err ~= "wantwrite" then return false end
    wait(conn, err == "wantwrite" and "write" or "read")
  end
end

-- pcall that lets f yield (Lua 5.1 cannot yield across pcall): f runs in its own coroutine,
-- whose yields (they carry no values here) are passed up.
local unpack = table.unpack or unpack
local function pack(...) return { n = select("#", ...), ... } end
local function copcall(f, ...)
  local co = coroutine.create(f)
  local res = pack(coroutine.resume(co, ...))
  while coroutine.status(co) ~= "dead" do
    coroutine.yield()
    res = pack(coroutine.resume(co))
  end
  return unpack(res, 1, res.n)
end

local function serve_conn(conn, opts)
  if opts.tls_ctx then
    local ssl = require("ssl")
    local wrapped = ssl.wrap(conn.sock, opts.tls_ctx)
    if not wrapped then return conn:close() end
    wrapped:settimeout(0)
    conn.sock = wrapped
    if not handshake(conn) then return conn:close() end -- a refused handshake ends this one only
  end
  conn.reader = http1.reader(function(max) return conn:receive(max) end)
  while not conn.closed do
    conn.idle = true -- between requests: the first to close when connections run short
    local req, _, status = http1.read_request(conn.reader, { max_body = opts.max_body })
    conn.idle = false
    if not req then
      if status then conn:respond(status, "", nil, false) end
      break
    end
    local ok, st, body, headers = copcall(opts.handler, req, conn)
    if not ok then
      io.stderr:write("emulator: internal error: ", tostring(st), "\n")
      st, body, headers = 500, '{"error_code":"EMU.500","error_msg":"emulator internal error"}', nil
    end
    if st then
      if conn.closed or not conn:respond(st, body, headers, req.keep_alive) then break end
      if not req.keep_alive then break end
    end
  end
  conn:close()
end

-- Runs until the process is killed (or opts.stop() says so). Prints nothing itself.
function M.serve(opts)
  local socket = require("socket")
  local clock = socket.gettime
  local server = assert(socket.bind(opts.host or "127.0.0.1", opts.port or 0, 511)) -- nginx's backlog
  server:settimeout(0)
  local host, port = server:getsockname()
  if opts.tls then
    local ssl = require("ssl")
    opts.tls_ctx = assert(ssl.newcontext({ mode = "server", protocol = "any", certificate = opts.tls.certificate,
      key = opts.tls.key, options = { "all", "no_sslv2", "no_sslv3" } }))
  end
  if opts.on_listen then opts.on_listen((opts.tls and "https" or "http") .. "://" .. host .. ":" .. port) end
  local conns, count = {}, 0 -- the open connections (a set)
  local max_conns, idle_timeout = opts.max_connections or 256, opts.idle_timeout or 60
  local accept_paused_until = 0
  -- select() watches descriptors below FD_SETSIZE (1024): one above is closed, never watched
  local FD_LIMIT = 1000
  -- Makes room for one more connection: closes the longest idle one; false when none is idle.
  local function make_room()
    local oldest
    for c in pairs(conns) do
      if c.idle and not c.closed and c.waiting == "read" and (not oldest or c.last_io < oldest.last_io) then
        oldest = c
      end
    end
    if not oldest then return false end
    oldest:close()
    conns[oldest], count = nil, count - 1
    return true
  end
  local function resume(conn)
    local ok, err = coroutine.resume(conn.co)
    if not ok then
      io.stderr:write("server: connection failed: ", tostring(err), "\n")
      conn:close()
    end
    -- TLS may hold decrypted bytes select cannot see: go on while it has some
    while coroutine.status(conn.co) ~= "dead" and conn.waiting == "read" and conn.sock.dirty and conn.sock:dirty() do
      coroutine.resume(conn.co)
    end
  end
  while not (opts.stop and opts.stop()) do
    local now0 = clock()
    local readers, writers, wake, bysock = {}, {}, now0 + 1, {}
    if now0 >= accept_paused_until then readers[1] = server else wake = math.min(wake, accept_paused_until) end
    for c in pairs(conns) do
      local io_wait = c.waiting == "read" or c.waiting == "write"
      if not c.closed and io_wait and now0 - c.last_io > idle_timeout then c:close() end
      if c.closed or coroutine.status(c.co) == "dead" then
        if not c.closed then c:close() end
        conns[c] = nil
        count = count - 1
      elseif c.waiting == "read" then
        readers[#readers + 1] = c.sock
      elseif c.waiting == "write" then
        writers[#writers + 1] = c.sock
      elseif c.waiting == "sleep" and c.wake < wake then
        wake = c.wake
      end
      if io_wait then wake = math.min(wake, c.last_io + idle_timeout + 0.01) end
      if not c.closed then bysock[c.sock] = c end -- TLS replaces a connection's socket with its wrapper
    end
    if opts.on_tick then
      local w = opts.on_tick(clock())
      if w and w < wake then wake = w end
    end
    local readable, writable = socket.select(readers, writers, math.max(0, wake - clock()))
    local ready, seen = {}, {}
    local function mark(c)
      if c and not seen[c] then
        seen[c] = true
        ready[#ready + 1] = c
      end
    end
    for _, s in ipairs(readable or {}) do
      if s == server then
        local c, aerr = server:accept()
        while c do
          c:settimeout(0)
          if c:getfd() >= FD_LIMIT or (count >= max_conns and not make_room()) then
            c:close() -- refused: no room, and nothing idle to give up
          else
            local conn = setmetatable({ sock = c, clock = clock, last_io = clock() }, Conn)
            conn.co = coroutine.create(function() serve_conn(conn, opts) end)
            conns[conn] = true
            count = count + 1
            if opts.on_accept then opts.on_accept(conn) end
            mark(conn)
          end
          c, aerr = server:accept()
        end
        if aerr and aerr ~= "timeout" then
          -- out of descriptors: keep a few spare from now on (the cap drops below what the
          -- system gives), give one back, and wait a moment when nothing could be given
          max_conns = math.max(1, math.min(max_conns, count - 4))
          if not make_room() then accept_paused_until = clock() + 0.05 end
        end
      else
        mark(bysock[s])
      end
    end
    for _, s in ipairs(writable or {}) do mark(bysock[s]) end
    local now = clock()
    for c in pairs(conns) do
      if c.waiting == "sleep" and c.wake <= now then mark(c) end
    end
    for _, c in ipairs(ready) do
      if not c.closed and coroutine.status(c.co) ~= "dead" then resume(c) end
    end
  end
  server:close()
end

return M
