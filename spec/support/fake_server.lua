-- A scriptable HTTP server for specs, run as a child process on 127.0.0.1: it answers each
-- request with the next step of a script (cycling), so specs can provoke every answer and
-- fault a real server can give. GET /_fake/stats returns {"requests": n, "connections": n,
-- "dates": [X-Sdk-Date of each request]} and does not use a step.
--
-- Steps: { status = 200, headers = {...}, body = "..." } or { fault = name, ... } with names
--   stall        read the request, never answer (the connection stays open)
--   close        close without answering
--   reset        abort the connection with a TCP RST before the status line
--   reset_body   send the head and half the body, then RST
--   garbage      answer with bytes that are not HTTP
--   truncate     promise Content-Length bytes, send fewer, close
--   drip         send the head, then one body byte every `every` seconds (default 0.2)
--   big          a 200 whose body is `size` bytes
-- A step with echo = "json" or "text" (and a status) reflects the request's headers and body
-- in its answer, as a careless server's error message might. A step with delay = seconds is
-- answered that much later (others are served meanwhile); stats().max_held is the most
-- requests held at once.
local M = {}

local function parse_request(buf)
  return require("huaweicloud.emulator").parse_request(buf)
end

function M.serve(script)
  local socket = require("socket")
  local cjson = require("cjson")
  local server = assert(socket.bind("127.0.0.1", 0))
  server:settimeout(0)
  local _, port = server:getsockname()
  io.stdout:write("listening http://127.0.0.1:", port, "\n")
  io.stdout:flush()
  local list, conns, drips = { server }, {}, {}
  local step, stats = 0, { requests = 0, connections = 0, dates = {}, max_held = 0 }
  local held = {} -- delayed answers: { c, due, step }

  local function drop(c, rst)
    conns[c], drips[c] = nil, nil
    for i = #list, 1, -1 do
      if list[i] == c then table.remove(list, i) end
    end
    if rst then c:setoption("linger", { on = true, timeout = 0 }) end
    c:close()
  end

  local function send(c, data)
    c:settimeout(5)
    local ok = c:send(data)
    c:settimeout(0)
    return ok
  end

  local function head(status, headers, length)
    local t = { "HTTP/1.1 " .. status .. " Status" }
    for k, v in pairs(headers or {}) do t[#t + 1] = k .. ": " .. v end
    if length then t[#t + 1] = "Content-Length: " .. length end
    return table.concat(t, "\r\n") .. "\r\n\r\n"
  end

  local answer_step
  local function answer(c, req)
    if req.target == "/_fake/stats" then
      local body = cjson.encode(stats)
      send(c, head(200, { ["Content-Type"] = "application/json" }, #body) .. body)
      return
    end
    stats.requests = stats.requests + 1
    stats.dates[#stats.dates + 1] = req.headers["x-sdk-date"] or ""
    step = step % #script + 1
    local s = script[step]
    if s.delay then
      held[#held + 1] = { c = c, due = socket.gettime() + s.delay, s = s }
      if #held > stats.max_held then stats.max_held = #held end
      return
    end
    answer_step(c, s, req)
  end

  answer_step = function(c, s, req)
    local f = s.fault
    if f == "stall" then
      return
    elseif f == "close" then
      drop(c)
    elseif f == "reset" then
      drop(c, true)
    elseif f == "reset_body" then
      send(c, head(200, { ["Content-Type"] = "application/json" }, 100) .. string.rep("x", 50))
      drop(c, true)
    elseif f == "garbage" then
      send(c, "SSH-2.0-OpenSSH_9.2\r\nthis is not http\r\n\r\n")
      drop(c)
    elseif f == "truncate" then
      send(c, head(200, { ["Content-Type"] = "application/json" }, 1000) .. '{"id":"trunc')
      drop(c)
    elseif f == "drip" then
      send(c, head(200, { ["Content-Type"] = "application/json" }, 1000000))
      drips[c] = { every = s.every or 0.2, next = socket.gettime() }
    elseif f == "big" then
      local size = s.size or 10 * 1024 * 1024
      send(c, head(200, { ["Content-Type"] = "application/json" }, size))
      local chunk = string.rep("a", 65536)
      local sent = 0
      c:settimeout(5)
      while sent < size do
        local n = math.min(#chunk, size - sent)
        if not c:send(chunk, 1, n) then break end
        sent = sent + n
      end
      drop(c)
    elseif s.echo then
      local seen = {}
      for k, v in pairs(req.headers) do seen[#seen + 1] = k .. ":" .. v end
      table.sort(seen)
      local text = "you sent " .. table.concat(seen, "|") .. " " .. req.body
      local body = s.echo == "json" and cjson.encode({ error_code = "ECHO.1", error_msg = text }) or text
      send(c, head(s.status or 400, {}, #body) .. body)
    else
      local body = s.body or ""
      local ok = send(c, head(s.status or 200, s.headers, #body) .. body)
      if not ok or s.close then drop(c) end
    end
  end

  local orphaned = require("huaweicloud.emulator").watchdog()
  while true do
    local wait = (next(drips) or #held > 0) and 0.01 or 1
    local readable = socket.select(list, nil, wait)
    if orphaned() then os.exit(0) end
    for _, s in ipairs(readable or {}) do
      if s == server then
        local c = server:accept()
        while c do
          stats.connections = stats.connections + 1
          c:settimeout(0)
          conns[c] = ""
          list[#list + 1] = c
          c = server:accept()
        end
      elseif conns[s] then
        local data, err, partial = s:receive(65536)
        data = data or partial
        if data and #data > 0 then conns[s] = conns[s] .. data end
        if err == "closed" then
          drop(s)
        else
          while conns[s] do
            local req, rest = parse_request(conns[s])
            if not req then break end
            conns[s] = rest
            answer(s, req)
          end
        end
      end
    end
    local now = socket.gettime()
    for k = #held, 1, -1 do
      local h = held[k]
      if now >= h.due then
        table.remove(held, k)
        if conns[h.c] then answer_step(h.c, h.s, { headers = {}, body = "" }) end
      end
    end
    for c, d in pairs(drips) do
      if now >= d.next then
        if not send(c, "x") then drop(c) else d.next = now + d.every end
      end
    end
  end
end

-- Starts a fake server with the given script; returns { url, stop(), stats() }.
function M.start(script)
  local core = require("huaweicloud.core")
  local emulator = require("huaweicloud.emulator")
  local process = emulator.spawn("require('spec.support.fake_server').serve(" .. emulator.serialize(script) .. ")")
  local admin
  return {
    url = process.url,
    process = process,
    stats = function()
      admin = admin or core.http_client({ timeout = 5, proxy = false })
      local status, _, body = admin:send({ method = "GET", url = process.url .. "/_fake/stats", headers = {} })
      assert(status == 200, "fake server stats failed")
      return require("cjson").decode(body)
    end,
    stop = function()
      if admin then admin:close() end
      admin = nil
      process.stop()
    end,
  }
end

return M
