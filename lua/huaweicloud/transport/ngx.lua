-- huaweicloud.transport.ngx: non-blocking HTTP/1.1 over nginx cosockets (OpenResty, or nginx with
-- lua-nginx-module). Chosen automatically inside nginx: core.prepare -> ngx.socket.tcp -> core.parse,
-- so a call never blocks the worker. Connections go back to a pool (setkeepalive).
--
-- Limits, as with libcurl: `connect_timeout` bounds name resolution, connecting and the TLS
-- handshake (nginx's own resolver_timeout is not waited for); `timeout` is a deadline for the whole
-- call, however the server drips its answer; the answer is read by huaweicloud.http1, which holds
-- at most the head limit and max_body in every framing.
--
-- TLS is verified by default; nginx needs `lua_ssl_trusted_certificate /etc/ssl/certs/ca-certificates.crt;`
-- (or your CA) for that: the ca_file option cannot apply inside nginx and is refused, as is proxy.
-- In phases without cosockets (init, init_worker, set, log, header/body filters) a call returns a
-- config error saying so instead of blocking; run it from a timer (ngx.timer.at) there.
local core = require("huaweicloud.core")
local errors = require("huaweicloud.errors")
local http1 = require("huaweicloud.http1")

local M = { name = "ngx" }

local COSOCKET_PHASES = {
  rewrite = true, server_rewrite = true, access = true, content = true, timer = true,
  ssl_cert = true, ssl_session_fetch = true, ssl_client_hello = true, preread = true,
}

local POOL_IDLE_MS, POOL_SIZE = 60000, 32
local TIMER = {} -- what the racing timer thread returns

function M.usable()
  local ngx = rawget(_G, "ngx")
  return ngx ~= nil and ngx.get_phase ~= nil and COSOCKET_PHASES[ngx.get_phase()] == true
end

local function fail(kind, message, extra)
  local e = { kind = kind, message = message, retryable = false }
  for k, v in pairs(extra or {}) do e[k] = v end
  return nil, errors.new(e)
end

-- The options libcurl has and cosockets cannot honour: refused, saying what to use instead.
function M.check_options(opts)
  if type(opts.proxy) == "string" then
    return fail("config", "the proxy option cannot apply inside nginx (cosockets connect directly); " ..
      "use proxy = false, or send through nginx's own proxy_pass location", { field = "proxy" })
  end
  if opts.ca_file ~= nil then
    return fail("config", "the ca_file option cannot apply inside nginx; set " ..
      "lua_ssl_trusted_certificate in nginx.conf (and lua_ssl_verify_depth) instead", { field = "ca_file" })
  end
  return true
end

local function now(ngx)
  ngx.update_time()
  return ngx.now()
end

local function split_url(url)
  local scheme, host, port, path = url:match("^(https?)://([^/:%[]+):?(%d*)(.*)$")
  if not scheme then
    local h6
    scheme, h6, port, path = url:match("^(https?)://(%[[^%]]+%]):?(%d*)(.*)$")
    host = h6 and h6:sub(2, -2)
  end
  if not scheme then return nil end
  return scheme, host, tonumber(port) or (scheme == "https" and 443 or 80), path ~= "" and path or "/"
end

-- A new socket connected (and TLS-verified) within `limit` seconds. A host name goes through
-- nginx's resolver, whose timeout is its own: the connect then runs in a light thread raced by a
-- timer. Returns sock, or nil, err table.
local function connect(ngx, opts, scheme, host, port, limit)
  local pool = scheme .. ":" .. host .. ":" .. port .. (opts.verify_tls == false and ":noverify" or "")
  local where = host .. ":" .. port
  local function attempt()
    local sock = ngx.socket.tcp()
    local ms = math.max(1, math.ceil(limit * 1000))
    sock:settimeouts(ms, ms, ms)
    local ok, err = sock:connect(host, port, { pool = pool })
    if not ok then return nil, "connect", err end
    -- a connection set up without verifying the peer never serves a client that verifies (pool)
    if scheme == "https" and sock:getreusedtimes() == 0 then
      -- the host is the name checked (nginx matches DNS names only, never IP addresses)
      ok, err = sock:sslhandshake(false, host, opts.verify_tls ~= false)
      if not ok then
        sock:close()
        return nil, "tls", err
      end
    end
    return sock
  end
  local sock, stage, err
  if host:match("^[%d.]+$") or host:find(":", 1, true) then -- an address: no resolver involved
    sock, stage, err = attempt()
  else
    local worker = ngx.thread.spawn(attempt)
    local timer = ngx.thread.spawn(function() ngx.sleep(limit) return TIMER end)
    local _, a, b, c = ngx.thread.wait(worker, timer)
    if a == TIMER then
      ngx.thread.kill(worker)
      sock, stage, err = nil, "connect", "timeout"
    else
      ngx.thread.kill(timer)
      sock, stage, err = a, b, c
    end
  end
  if sock then return sock end
  if stage == "tls" then
    return fail("tls", "TLS handshake with " .. host .. " failed: " .. tostring(err), { request_sent = false })
  end
  if err == "timeout" then
    return fail("timeout", ("could not connect to %s within %.3g s (connect_timeout)"):format(where, limit),
      { request_sent = false, retryable = true, code = "CONNECT_TIMEOUT" })
  end
  return fail("network", "connect to " .. where .. " failed: " .. tostring(err),
    { request_sent = false, retryable = true, code = "COULDNT_CONNECT" })
end

-- Sends req ({method, url, headers, body}) with the client's options; status, headers, body or nil, err.
function M.send(opts, req)
  local ngx = rawget(_G, "ngx")
  local scheme, host, port, path = split_url(req.url)
  if not scheme then return fail("config", "cannot parse URL " .. tostring(req.url)) end
  local timeout, connect_timeout = opts.timeout or 30, opts.connect_timeout or 10
  local max = opts.max_body or http1.MAX_BODY
  local start = now(ngx)
  local deadline = start + timeout
  local sock, err = connect(ngx, opts, scheme, host, port, math.min(connect_timeout, timeout))
  if not sock then return nil, err end
  local reused = sock:getreusedtimes() or 0
  local fresh_tls = scheme == "https" and reused == 0

  -- the time left before the deadline, as a socket timeout; nil once it has passed
  local function left()
    local ms = math.ceil((deadline - now(ngx)) * 1000)
    if ms <= 0 then return nil end
    sock:settimeout(ms)
    return ms
  end
  local function timed_out(what, sent)
    sock:close()
    return fail("timeout", ("%s: no complete response within %.3g s (timeout)"):format(what, timeout),
      { request_sent = sent, code = "OPERATION_TIMEDOUT" })
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
  lines[#lines + 1] = "\r\n"
  if not left() then return timed_out("sending the request", false) end
  local ok
  ok, err = sock:send(table.concat(lines, "\r\n") .. body)
  if not ok then
    sock:close()
    if err == "timeout" then return timed_out("sending the request", true) end
    -- a request not written whole cannot have been acted on. On a connection just handshaked,
    -- nginx's TLS layer reports a peer that refused the handshake this way, after sslhandshake
    -- said yes: that is a TLS failure
    if fresh_tls then
      return fail("tls", "TLS connection with " .. host .. " refused: " .. tostring(err), { request_sent = false })
    end
    return fail("network", ("sending the request failed: %s (a kept-alive connection, used %d times before)"):format(
      tostring(err), reused), { request_sent = false, retryable = true, code = "SEND_ERROR" })
  end

  local got = 0
  local reader = http1.reader(function(n)
    if not left() then return nil, "timeout" end
    local data, rerr = sock:receiveany(n)
    if data then got = got + #data end
    return data, rerr
  end)
  local resp, rerr, code = http1.read_response(reader, { method = req.method, max_body = max })
  if not resp then
    sock:close()
    if code == "timeout" then return timed_out("reading the response", true) end
    if code == "too_large" then
      return fail("network", "response body larger than max_body (" .. max .. " bytes)",
        { code = "RESPONSE_TOO_LARGE", request_sent = true })
    end
    if code == "head_too_large" then
      return fail("network", "response head larger than " .. http1.MAX_HEAD .. " bytes",
        { code = "RESPONSE_HEAD_TOO_LARGE", request_sent = true })
    end
    local what = code == "malformed" and "malformed response: " or "reading the response failed: "
    return fail("network", what .. tostring(rerr), { request_sent = true,
      code = code == "malformed" and "WEIRD_SERVER_REPLY" or (got == 0 and "GOT_NOTHING" or "RECV_ERROR") })
  end
  if resp.reusable and reader:buffered() == 0 then
    sock:setkeepalive(POOL_IDLE_MS, POOL_SIZE)
  else
    sock:close()
  end
  return resp.status, resp.headers, resp.body
end

function M.call(client, op, cfg, params)
  local ngx = rawget(_G, "ngx")
  local phase = ngx.get_phase()
  if not COSOCKET_PHASES[phase] then
    return fail("config", "cannot send from nginx phase '" .. phase ..
      "': cosockets are not available there (call from rewrite/access/content, or a timer: ngx.timer.at)")
  end
  local ok, err = M.check_options(client.opts)
  if not ok then return nil, err end
  local req
  req, err = core.prepare(op, cfg, params)
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
