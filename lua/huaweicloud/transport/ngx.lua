-- huaweicloud.transport.ngx: non-blocking HTTP/1.1 over nginx cosockets (OpenResty, or nginx with
-- lua-nginx-module). Chosen automatically inside nginx: core.prepare -> ngx.socket.tcp -> core.parse,
-- so a call never blocks the worker. Connections go back to a pool (setkeepalive).
--
-- TLS is verified by default; nginx needs `lua_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;`
-- (or your CA) for that. Timeouts: connect_timeout for connecting, timeout for each send and read.
-- In phases without cosockets (init, init_worker, set, log, header/body filters) a call returns a
-- config error saying so instead of blocking; run it from a timer (ngx.timer.at) there.
local core = require("huaweicloud.core")
local errors = require("huaweicloud.errors")

local M = { name = "ngx" }

local COSOCKET_PHASES = {
  rewrite = true, server_rewrite = true, access = true, content = true, timer = true,
  ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true, preread = true,
}

local POOL_IDLE_MS, POOL_SIZE = 60000, 32
local DEFAULT_MAX_BODY = 8 * 1024 * 1024

function M.usable()
  local ngx = rawget(_G, "ngx")
  return ngx ~= nil and ngx.get_phase ~= nil and COSOCKET_PHASES[ngx.get_phase()] == true
end

local function fail(kind, message, extra)
  local e = { kind = kind, message = message, retryable = false }
  for k, v in pairs(extra or {}) do e[k] = v end
  return nil, errors.new(e)
end

local function io_error(err, sent, what)
  if err == "timeout" then
    return fail("timeout", what .. " timed out", { request_sent = sent })
  end
  return fail("network", what .. " failed: " .. tostring(err), { request_sent = sent, retryable = not sent })
end

local function read_headers(sock)
  local line, err = sock:receive("*l")
  if not line then return nil, err end
  local version, status = line:match("^HTTP/(%d%.%d) (%d%d%d)")
  if not status then return nil, "malformed status line" end
  local headers = {}
  while true do
    line, err = sock:receive("*l")
    if not line then return nil, err end
    if line == "" then break end
    local name, value = line:match("^([^:]+):%s*(.-)%s*$")
    if name then
      name = name:lower()
      headers[name] = headers[name] and (headers[name] .. ", " .. value) or value
    end
  end
  return tonumber(status), headers, version
end

local function read_body(sock, headers, max)
  local te = headers["transfer-encoding"]
  if te and te:lower():find("chunked", 1, true) then
    local parts, total = {}, 0
    while true do
      local line, err = sock:receive("*l")
      if not line then return nil, err end
      local size = tonumber(line:match("^%s*(%x+)"), 16)
      if not size then return nil, "malformed chunk size" end
      if size == 0 then
        repeat line, err = sock:receive("*l") until not line or line == "" -- trailers
        if not line then return nil, err end
        break
      end
      total = total + size
      if total > max then return nil, "too large" end
      local chunk
      chunk, err = sock:receive(size)
      if not chunk then return nil, err end
      parts[#parts + 1] = chunk
      line, err = sock:receive("*l")
      if not line then return nil, err end
    end
    return table.concat(parts), true
  end
  local length = tonumber(headers["content-length"])
  if length then
    if length > max then return nil, "too large" end
    if length == 0 then return "", true end
    local body, err = sock:receive(length)
    if not body then return nil, err == "closed" and "truncated" or err end
    return body, true
  end
  -- no length: the body runs to the end of the connection (receive("*a") hides truncation)
  local body, err = sock:receive("*a")
  if not body then return nil, err end
  if #body > max then return nil, "too large" end
  return body, false
end

-- Sends req ({method, url, headers, body}) with the client's options; status, headers, body or nil, err.
function M.send(opts, req)
  local ngx = rawget(_G, "ngx")
  local scheme, host, port, path = req.url:match("^(https?)://([^/:]+):?(%d*)(.*)$")
  if not scheme then
    local h6
    scheme, h6, port, path = req.url:match("^(https?)://(%[[^%]]+%]):?(%d*)(.*)$")
    host = h6 and h6:sub(2, -2)
  end
  if not scheme then return fail("config", "cannot parse URL " .. tostring(req.url)) end
  port = tonumber(port) or (scheme == "https" and 443 or 80)
  if path == "" then path = "/" end
  local max = opts.max_body or DEFAULT_MAX_BODY
  local sock = ngx.socket.tcp()
  local t = (opts.timeout or 30) * 1000
  sock:settimeouts((opts.connect_timeout or 10) * 1000, t, t)
  -- a connection set up without verifying the peer must never serve a client that verifies
  local pool = scheme .. ":" .. host .. ":" .. port .. (opts.verify_tls == false and ":noverify" or "")
  local ok, err = sock:connect(host, port, { pool = pool })
  if not ok then
    if err == "timeout" then return fail("timeout", "connect to " .. host .. ":" .. port .. " timed out",
      { request_sent = false, retryable = true }) end
    return fail("network", "connect to " .. host .. ":" .. port .. " failed: " .. tostring(err),
      { request_sent = false, retryable = true, code = "COULDNT_CONNECT" })
  end
  if scheme == "https" and sock:getreusedtimes() == 0 then
    -- the host is the name checked (nginx matches DNS names only, never IP addresses)
    ok, err = sock:sslhandshake(false, host, opts.verify_tls ~= false)
    if not ok then
      sock:close()
      return fail("tls", "TLS handshake with " .. host .. " failed: " .. tostring(err), { request_sent = false })
    end
  end
  local lines = { req.method .. " " .. path .. " HTTP/1.1" }
  local has = {}
  for k, v in pairs(req.headers or {}) do
    lines[#lines + 1] = k .. ": " .. v
    has[k:lower()] = true
  end
  if not has.host then lines[#lines + 1] = "Host: " .. host end
  if not has["user-agent"] then
    lines[#lines + 1] = "User-Agent: " .. (opts.user_agent or ("huaweicloud-sdk-lua/" .. core.version))
  end
  local body = req.body or ""
  if req.body or req.method == "POST" or req.method == "PUT" then lines[#lines + 1] = "Content-Length: " .. #body end
  ok, err = sock:send(table.concat(lines, "\r\n") .. "\r\n\r\n" .. body)
  if not ok then
    sock:close()
    return io_error(err, true, "sending the request")
  end
  local status, headers, version = read_headers(sock)
  if not status then
    sock:close()
    return io_error(headers, true, "reading the response head")
  end
  local resp, reusable = read_body(sock, headers, max)
  if not resp then
    sock:close()
    if reusable == "too large" then
      return fail("network", "response body larger than max_body (" .. max .. " bytes)", { code = "RESPONSE_TOO_LARGE",
        request_sent = true })
    end
    return io_error(reusable, true, "reading the response body")
  end
  local conn = (headers.connection or ""):lower()
  if reusable and version == "1.1" and not conn:find("close", 1, true) then
    sock:setkeepalive(POOL_IDLE_MS, POOL_SIZE)
  else
    sock:close()
  end
  return status, headers, resp
end

function M.call(client, op, cfg, params)
  local ngx = rawget(_G, "ngx")
  local phase = ngx.get_phase()
  if not COSOCKET_PHASES[phase] then
    return fail("config", "cannot send from nginx phase '" .. phase ..
      "': cosockets are not available there (call from rewrite/access/content, or a timer: ngx.timer.at)")
  end
  local req, err = core.prepare(op, cfg, params)
  if not req then return nil, err end
  local status, headers, body = M.send(client.opts, req)
  if not status then return nil, headers end
  return core.parse(op, status, headers, body, req)
end

-- create_many inside nginx: `concurrency` light threads, each calling on cosockets.
function M.many(client, op, concurrency, jobs)
  local ngx = rawget(_G, "ngx")
  if not M.usable() then -- each call will say why it cannot be sent
    while not jobs.done() do
      local i, params, attempt = jobs.next()
      if i then jobs.finish(i, nil, select(2, M.call(client, op, {}, params)), attempt, true) end
    end
    return
  end
  local function worker()
    while not jobs.done() do
      local i, params = jobs.next()
      if i then
        local res, meta = client:call(op, params)
        jobs.finish(i, res, meta, meta.attempts, true)
      else
        ngx.sleep(0.01)
      end
    end
  end
  local threads = {}
  for k = 1, concurrency do threads[k] = ngx.thread.spawn(worker) end
  for k = 1, #threads do
    local ok, err = ngx.thread.wait(threads[k])
    if not ok then error(err, 0) end
  end
end

function M.sleep(seconds)
  rawget(_G, "ngx").sleep(seconds)
end

return M
