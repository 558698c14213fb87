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

local METHOD = {} -- operation name -> HTTP method
for _, o in ipairs(core.operations()) do METHOD[o.name] = o.method end

local POOL_IDLE_MS, POOL_SIZE = 60000, 32
local FIRST_READ = 16384
local TIMER = {} -- what the racing timer thread returns

function M.usable()
  local ngx = rawget(_G, "ngx")
  return ngx ~= nil and ngx.get_phase ~= nil and COSOCKET_PHASES[ngx.get_phase()] == true
end

local fail = errors.fail

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

-- Deadlines run on the core's monotonic clock: ngx.now() is cached per event-loop turn, and
-- ngx.update_time() formats nginx's time strings on every call.
local now = core.clock

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

-- Where a URL's requests go: { scheme, host, port, where, address }, the pools' names by
-- verify_tls; made once per endpoint (a client sends every call to the same one).
local ENDPOINTS = setmetatable({}, { __mode = "k" })
local function endpoint_of(url)
  local scheme, host, port = split_url(url)
  if not scheme then return nil end
  local where = host .. ":" .. port
  return { scheme = scheme, host = host, port = port, where = where,
    address = host:match("^[%d.]+$") ~= nil or host:find(":", 1, true) ~= nil,
    pool = scheme .. ":" .. where, pool_noverify = scheme .. ":" .. where .. ":noverify" }
end

-- One connect (and TLS handshake) bounded by ms: sock, or nil, stage, err.
local function connect_once(ngx, opts, ep, ms)
  local sock = ngx.socket.tcp()
  sock:settimeouts(ms, ms, ms)
  local ok, err = sock:connect(ep.host, ep.port, { pool = opts.verify_tls == false and ep.pool_noverify or ep.pool })
  if not ok then return nil, "connect", err end
  -- a connection set up without verifying the peer never serves a client that verifies (pool)
  if ep.scheme == "https" and sock:getreusedtimes() == 0 then
    -- the host is the name checked (nginx matches DNS names only, never IP addresses)
    ok, err = sock:sslhandshake(false, ep.host, opts.verify_tls ~= false)
    if not ok then
      sock:close()
      return nil, "tls", err
    end
  end
  return sock
end

-- A new socket connected (and TLS-verified) within `limit` seconds. A host name goes through
-- nginx's resolver, whose timeout is its own: the connect then runs in a light thread raced by a
-- timer. Returns sock, or nil, err table.
local function connect(ngx, opts, ep, limit)
  local ms = math.max(1, math.ceil(limit * 1000))
  local sock, stage, err
  if ep.address then -- an address: no resolver involved
    sock, stage, err = connect_once(ngx, opts, ep, ms)
  else
    local worker = ngx.thread.spawn(connect_once, ngx, opts, ep, ms)
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
    return fail("tls", "TLS handshake with " .. ep.host .. " failed: " .. tostring(err), { request_sent = false })
  end
  if err == "timeout" then
    return fail("timeout", ("could not connect to %s within %.3g s (connect_timeout)"):format(ep.where, limit),
      { request_sent = false, retryable = true, code = "CONNECT_TIMEOUT" })
  end
  return fail("network", "connect to " .. ep.where .. " failed: " .. tostring(err),
    { request_sent = false, retryable = true, code = "COULDNT_CONNECT" })
end

-- The time left before deadline, set as sock's timeout; nil once it has passed.
local function left(sock, deadline)
  local ms = math.ceil((deadline - now()) * 1000)
  if ms <= 0 then return nil end
  sock:settimeout(ms)
  return ms
end

local function timed_out(sock, timeout, what, sent)
  sock:close()
  return fail("timeout", ("%s: no complete response within %.3g s (timeout)"):format(what, timeout),
    { request_sent = sent, code = "OPERATION_TIMEDOUT" })
end

-- Writes `wire` (a whole HTTP/1.1 request for method, to endpoint ep) and reads the answer, with
-- the client's options; status, headers, body or nil, err.
local function send_wire(opts, method, ep, wire)
  local ngx = rawget(_G, "ngx")
  local timeout, connect_timeout = opts.timeout or 30, opts.connect_timeout or 10
  local max = opts.max_body or http1.MAX_BODY
  local deadline = now() + timeout
  local sock, err = connect(ngx, opts, ep, math.min(connect_timeout, timeout))
  if not sock then return nil, err end
  local reused = sock:getreusedtimes() or 0
  local fresh_tls = ep.scheme == "https" and reused == 0

  if not left(sock, deadline) then return timed_out(sock, timeout, "sending the request", false) end
  local ok
  ok, err = sock:send(wire)
  if not ok then
    sock:close()
    if err == "timeout" then return timed_out(sock, timeout, "sending the request", true) end
    -- a request not written whole cannot have been acted on. On a connection just handshaked,
    -- nginx's TLS layer reports a peer that refused the handshake this way, after sslhandshake
    -- said yes: that is a TLS failure
    if fresh_tls then
      return fail("tls", "TLS connection with " .. ep.host .. " refused: " .. tostring(err), { request_sent = false })
    end
    return fail("network", ("sending the request failed: %s (a kept-alive connection, used %d times before)"):format(
      tostring(err), reused), { request_sent = false, retryable = true, code = "SEND_ERROR" })
  end

  -- the first bytes: most answers are all here, a plain head (core.http_head) and its
  -- Content-Length body; anything else goes through the general reader, from these bytes on
  local got = 0
  local first, ferr
  if not left(sock, deadline) then return timed_out(sock, timeout, "reading the response", true) end
  first, ferr = sock:receiveany(FIRST_READ)
  if first then
    local status, _, headers, head_len, body_len, reusable = core.http_head(first, method == "HEAD")
    if status and #first == head_len + body_len and body_len <= max then
      if reusable then sock:setkeepalive(POOL_IDLE_MS, POOL_SIZE) else sock:close() end
      return status, headers, body_len > 0 and first:sub(head_len + 1) or ""
    end
  end
  local pending = true
  local reader = http1.reader(function(n)
    local data, rerr
    if pending then
      pending, data, rerr = false, first, ferr
    else
      if not left(sock, deadline) then return nil, "timeout" end
      data, rerr = sock:receiveany(n)
    end
    if data then got = got + #data end
    return data, rerr
  end)
  local resp, rerr, code = http1.read_response(reader, { method = method, max_body = max })
  if not resp then
    sock:close()
    if code == "timeout" then return timed_out(sock, timeout, "reading the response", true) end
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

local function user_agent(opts)
  return opts.user_agent or ("huaweicloud-sdk-lua/" .. core.version)
end

-- Sends req ({method, url, headers, body}) with the client's options; status, headers, body or nil, err.
-- The bytes are the core's one writer (core.http_bytes): a header a server chose (a metadata token)
-- cannot add a line of its own, as with libcurl.
function M.send(opts, req)
  local scheme, host, _, path = split_url(req.url)
  if not scheme then return fail("config", "cannot parse URL " .. tostring(req.url)) end
  local ok, bytes, err = pcall(core.http_bytes, req.method, path, host, req.headers or {}, req.body,
    user_agent(opts))
  if not ok or not bytes then
    local name = ok and err and err.field and err.field:match("^headers%.(.*)$")
    return fail("validation", "request header " .. tostring(name or "") .. " has a bad name, or CR, LF or NUL in " ..
      "its value (" .. tostring(ok and err and err.message or bytes) .. ")")
  end
  return send_wire(opts, req.method, endpoint_of(req.url), bytes)
end

-- client's options, with timeout (and connect_timeout) at most limit seconds: a wait's deadline.
local function within(opts, limit)
  if not limit or limit >= (opts.timeout or 30) then return opts end
  return setmetatable({ timeout = limit, connect_timeout = math.min(opts.connect_timeout or 10, limit) },
    { __index = opts })
end

function M.call(client, op, cfg, params, limit)
  local ngx = rawget(_G, "ngx")
  local phase = ngx.get_phase()
  if not COSOCKET_PHASES[phase] then
    return fail("config", "cannot send from nginx phase '" .. phase ..
      "': cosockets are not available there (call from rewrite/access/content, or a timer: ngx.timer.at)")
  end
  local ok, err = M.check_options(client.opts)
  if not ok then return nil, err end
  -- prepared straight into HTTP/1.1 bytes; `sent` is what parse needs of the request
  local wire, sent, url = core.wire(op, cfg, params, user_agent(client.opts))
  if not wire then return nil, sent end
  local ep = ENDPOINTS[client]
  if not ep or ep.url ~= cfg.endpoint then
    ep = endpoint_of(cfg.endpoint)
    if not ep then return fail("config", "cannot parse URL " .. tostring(url)) end
    ep.url = cfg.endpoint
    ENDPOINTS[client] = ep
  end
  local status, headers, body = send_wire(within(client.opts, limit), METHOD[op], ep, wire)
  if not status then return nil, headers end
  return core.parse(op, status, headers, body, sent)
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
