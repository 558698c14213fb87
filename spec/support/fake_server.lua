-- A scriptable HTTP server for specs, run as a child process on 127.0.0.1 on the emulator's own
-- server (huaweicloud.emulator.server): it answers each request with the next step of a script
-- (cycling), so specs can provoke every answer and fault a real server can give.
-- GET /_fake/stats returns {"requests": n, "connections": n, "dates": [X-Sdk-Date of each
-- request], "max_held": n} and does not use a step.
--
-- Steps: { status = 200, headers = {...}, body = "..." } or { fault = name, ... } with names
--   stall        read the request, never answer (the connection stays open)
--   close        close without answering
--   reset        abort the connection with a TCP RST before the status line
--   reset_body   send the head and half the body, then RST
--   garbage      answer with bytes that are not HTTP
--   truncate     promise Content-Length bytes, send fewer, close
--   drip         send the head, then one body byte every `every` seconds (default 0.2)
--   drip_head    send the status line, then one header byte every `every` seconds
--   big          a 200 whose body is `size` bytes
--   flood        a 200 with no length, then body bytes for as long as the client reads
--   flood_dup_cl the same behind two different Content-Length headers
--   head_flood   header lines for as long as the client reads
--   bad_chunk    a chunked 200 whose chunk size is not hex
--   no_body      `status` (204, 304) with no Content-Length, the connection left open
--   upgrade      101 Switching Protocols; the next request on that connection gets a planted 200
--   te_and_cl    a chunked 400 that also has a Content-Length; the same
-- A step with mirror = true answers 200 with a task named as the request's body names it.
-- A step's body_rep = { before, unit, count, after } makes a body of before .. unit:rep(count) .. after.
-- A step with echo = "json", "json2" (escaped twice) or "text" (and a status) reflects the
-- request's headers and body in its answer, as a careless server's error message might. A step with delay = seconds is
-- answered that much later (others are served meanwhile); stats().max_held is the most
-- requests held at once.
local server = require("huaweicloud.emulator.server")

local M = {}

local FLOOD = string.rep("x", 65536)

local function flood(conn, first)
  if not conn:send(first) then return end
  while conn:send(FLOOD) do end
end

local PLANTED = '{"planted":true}'

-- Sends answer, then answers whatever comes next on this connection with PLANTED (not the
-- script's next step): a client that reuses the connection is told what it did not ask.
local function plant(conn, answer)
  if not conn:send(answer) then return end
  if require("huaweicloud.http1").read_request(conn.reader, {}) then
    conn:send(server.head(200, { ["Content-Type"] = "application/json" }, #PLANTED) .. PLANTED)
  end
end

local FAULTS = {
  stall = function(conn)
    while not conn.closed do conn:sleep(3600) end
  end,
  close = function(conn) conn:close() end,
  reset = function(conn) conn:close(true) end,
  reset_body = function(conn)
    conn:send(server.head(200, { ["Content-Type"] = "application/json" }, 100) .. string.rep("x", 50))
    conn:close(true)
  end,
  garbage = function(conn)
    conn:send("SSH-2.0-OpenSSH_9.2\r\nthis is not http\r\n\r\n")
    conn:close()
  end,
  truncate = function(conn)
    conn:send(server.head(200, { ["Content-Type"] = "application/json" }, 1000) .. '{"id":"trunc')
    conn:close()
  end,
  drip = function(conn, s)
    if not conn:send(server.head(200, { ["Content-Type"] = "application/json" }, 1000000)) then return end
    repeat conn:sleep(s.every or 0.2) until not conn:send("x")
  end,
  drip_head = function(conn, s)
    if not conn:send("HTTP/1.1 200 OK\r\nX-Slow: ") then return end
    repeat conn:sleep(s.every or 0.2) until not conn:send("x")
  end,
  big = function(conn, s)
    local size = s.size or 10 * 1024 * 1024
    if not conn:send(server.head(200, { ["Content-Type"] = "application/json" }, size)) then return end
    local sent = 0
    while sent < size do
      local n = math.min(#FLOOD, size - sent)
      if not conn:send(FLOOD:sub(1, n)) then return end
      sent = sent + n
    end
    conn:close()
  end,
  flood = function(conn) flood(conn, "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n") end,
  flood_dup_cl = function(conn)
    flood(conn, "HTTP/1.1 200 OK\r\nContent-Length: 10\r\nContent-Length: 99999999999\r\n\r\n")
  end,
  head_flood = function(conn)
    if not conn:send("HTTP/1.1 200 OK\r\n") then return end
    local line = string.rep("X-Flood: " .. string.rep("f", 90) .. "\r\n", 600)
    while conn:send(line) do end
  end,
  bad_chunk = function(conn)
    conn:send("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n")
    conn:close()
  end,
  -- an answer after which the connection must not be reused, then (a moment later, so it is not
  -- yet buffered when the answer has been read) an answer planted for whoever sends next on it
  upgrade = function(conn, s) plant(conn, "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n" ..
    "Connection: Upgrade\r\n\r\n", s) end,
  te_and_cl = function(conn, s) plant(conn, "HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n" ..
    "Transfer-Encoding: chunked\r\nContent-Length: 2\r\n\r\n2\r\n{}\r\n0\r\n\r\n", s) end,
  no_body = function(conn, s)
    if not conn:send("HTTP/1.1 " .. (s.status or 204) .. " No Content\r\nX-Request-Id: nb-1\r\n\r\n") then return end
    while not conn.closed do conn:sleep(3600) end
  end,
}

function M.serve(script)
  local socket = require("socket")
  local cjson = require("cjson")
  local orphaned = require("huaweicloud.emulator.process").watchdog()
  local step, held = 0, 0
  local stats = { requests = 0, connections = 0, dates = {}, max_held = 0 }

  local function answer_step(s, req, conn)
    if s.fault then
      FAULTS[s.fault](conn, s)
      return nil
    end
    if s.echo then
      local seen = {}
      for k, v in pairs(req.headers) do seen[#seen + 1] = k .. ":" .. v end
      table.sort(seen)
      local text = "you sent " .. table.concat(seen, "|") .. " " .. req.body
      -- json2: the text as a JSON string inside the message, as a server that wraps what it was
      -- sent in a detail object does: the body escaped twice
      if s.echo == "json2" then text = cjson.encode({ detail = text }) end
      local body = s.echo ~= "text" and cjson.encode({ error_code = "ECHO.1", error_msg = text }) or text
      return s.status or 400, body, {}
    end
    if s.close then
      conn:send(server.head(s.status or 200, s.headers, #(s.body or "")) .. (s.body or ""))
      conn:close()
      return nil
    end
    if s.mirror then -- a task named as the request's body names it (and the step's headers)
      local name = req.body:match('"task_name":"([^"]*)"') or ""
      return 200, cjson.encode({ id = "m-" .. stats.requests, task_name = name }), s.headers
    end
    if s.body_rep then -- { before, unit, count, after }: a body too large to pass on a command line
      local r = s.body_rep
      return s.status or 200, r[1] .. r[2]:rep(r[3]) .. r[4], s.headers
    end
    return s.status or 200, s.body or "", s.headers
  end

  server.serve({
    on_listen = function(url)
      io.stdout:write("listening ", url, "\n")
      io.stdout:flush()
    end,
    on_accept = function() stats.connections = stats.connections + 1 end,
    on_tick = function()
      if orphaned() then os.exit(0) end
    end,
    handler = function(req, conn)
      if req.target == "/_fake/stats" then
        return 200, cjson.encode(stats), { ["Content-Type"] = "application/json" }
      end
      stats.requests = stats.requests + 1
      stats.dates[#stats.dates + 1] = req.headers["x-sdk-date"] or ""
      step = step % #script + 1
      local s = script[step]
      if s.delay then
        held = held + 1
        if held > stats.max_held then stats.max_held = held end
        conn:sleep(s.delay)
        held = held - 1
        if conn.closed then return nil end
      end
      return answer_step(s, req, conn)
    end,
  })
  return socket
end

-- Starts a fake server with the given script; returns { url, stop(), stats() }.
function M.start(script)
  local core = require("huaweicloud.core")
  local process = require("huaweicloud.emulator.process")
  local child = process.spawn("require('spec.support.fake_server').serve(" .. process.serialize(script) .. ")")
  local admin
  return {
    url = child.url,
    process = child,
    stats = function()
      admin = admin or core.http_client({ timeout = 5, proxy = false })
      local status, _, body = admin:send({ method = "GET", url = child.url .. "/_fake/stats", headers = {} })
      assert(status == 200, "fake server stats failed")
      return require("cjson").decode(body)
    end,
    stop = function()
      if admin then admin:close() end
      admin = nil
      child.stop()
    end,
  }
end

return M
