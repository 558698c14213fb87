-- The libcurl transport and the one-call operations against real servers on 127.0.0.1:
-- the emulator, a scriptable fake server, and nothing at all. No mocked HTTP.
local core = require("huaweicloud.core")
local emulator = require("huaweicloud.emulator")
local fake = require("spec.support.fake_server")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

local function creds(emu, sk)
  return { ak = emu.ak, sk = sk or emu.sk, project_id = X.project_id }
end

describe("core operations through libcurl and the emulator", function()
  local emu, client
  setup(function()
    emu = emulator.start({ auto_create = true })
    client = core.http_client({ timeout = 5 })
  end)
  teardown(function()
    client:close()
    emu:stop()
  end)

  it("creates all five API-page examples with signatures the emulator verified", function()
    local cfg = { endpoint = emu.url, credentials = creds(emu) }
    for _, ex in ipairs(X.kafka) do
      local task, meta = core.create_connector_task(client, cfg, { instance_id = X.instance_id, body = ex.body })
      assert.is_table(task, tostring(meta))
      assert.are.equal(200, meta.status)
      assert.truthy(task.id:match("^%x+%-%x+%-4%x+%-[89ab]%x+%-%x+$"), task.id)
      assert.are.equal("CREATING", task.status) -- then WAITING or RUNNING, as the service does
      assert.are.equal(ex.body.task_name, task.task_name)
      assert.truthy(meta.request_id and #meta.request_id > 0)
      if math.type then assert.are.equal("integer", math.type(task.create_time)) end
    end
    for i, ex in ipairs(X.dis) do -- both are named newtask: a stream each
      local res, meta = core.create_obs_transfer_task(client, cfg, { stream_name = X.stream_name .. i, body = ex.body })
      assert.are.same({}, res, tostring(meta))
      assert.are.equal(201, meta.status)
    end
    local s = emu:stats()
    assert.are.equal(0, s.rejected_signatures)
    assert.are.equal(3, s.kafka_tasks)
    assert.are.equal(2, s.dis_tasks)
  end)

  it("reuses one connection for many calls (keep-alive)", function()
    local c = core.http_client()
    emu:reset()
    local cfg = { endpoint = emu.url, credentials = creds(emu) }
    for _ = 1, 20 do
      assert(core.create_obs_transfer_task(c, cfg, { stream_name = X.unique("s"), body = X.dis[1].body }))
    end
    assert.are.same({ requests = 20, connections = 1 }, c:stats())
    local s = emu:stats()
    assert.are.equal(20, s.requests)
    assert.are.equal(1, s.connections)
    c:close()
  end)

  it("a wrong SK is an api error 401 whose diff says the canonical requests match", function()
    local task, err = core.create_connector_task(client, { endpoint = emu.url, credentials = creds(emu, "wrong-sk-0000") },
      { instance_id = X.instance_id, body = X.kafka[1].body })
    assert.is_nil(task)
    assert.are.equal("api", err.kind)
    assert.are.equal(401, err.status)
    assert.are.equal("APIGW.0301", err.code)
    assert.is_false(err.retryable)
    assert.is_true(err.canonical_request_diff.identical)
    assert.is_nil(tostring(err):find("wrong-sk-0000", 1, true))
  end)

  it("a request changed after signing shows the first differing canonical line", function()
    local cfg = { endpoint = emu.url, credentials = creds(emu) }
    local req = assert(core.prepare("create_connector_task", cfg, { instance_id = X.instance_id, body = X.kafka[1].body }))
    req.headers["X-Project-Id"] = "tampered0000"
    req.url = req.url:gsub("/v2/[^/]+", "/v2/tampered0000")
    local status, headers, body = client:send(req)
    assert.are.equal(401, status)
    local _, err = core.parse("create_connector_task", status, headers, body, req)
    local d = err.canonical_request_diff
    assert.are.equal(2, d.line)
    assert.are.equal("uri", d.part)
    assert.truthy(d.ours:find(X.project_id, 1, true))
    assert.truthy(d.theirs:find("tampered0000", 1, true))
  end)
end)

describe("error bodies are mapped as the official SDKs do", function()
  local srv, client
  local shapes = {
    { status = 400, headers = { ["X-Request-Id"] = "rid-1" }, body = '{"error_code":"DMS.10240001","error_msg":"Invalid task."}' },
    { status = 403, body = '{"errorCode":"DIS.4117","errorMsg":"Forbidden.","encoded_authorization_message":"enc-abc"}' },
    { status = 404, body = '{"code":"APIGW.0101","message":"The API does not exist"}' },
    { status = 409, body = '{"error":{"code":"DMS.409","message":"Conflict","title":"x"}}' },
    { status = 400, body = '{"errorCode":"DIS.4200","message":"Invalid request."}' },
    { status = 502, headers = { ["Content-Type"] = "text/html" }, body = "<html><body><h1>502 Bad Gateway</h1></body></html>" },
    { status = 429, headers = { ["Retry-After"] = "3" }, body = '{"error_code":"APIGW.0308","error_msg":"Too many requests"}' },
    { status = 503, body = "" },
    { status = 500, body = '{"error_code":1234,"error_msg":"numeric code"}' },
    { status = 400, body = '{"error_msg":"only a message"}' },
  }
  setup(function()
    srv = fake.start(shapes)
    client = core.http_client({ timeout = 5 })
  end)
  teardown(function()
    client:close()
    srv.stop()
  end)

  local function call()
    return core.create_connector_task(client, { endpoint = srv.url, credentials = { ak = "AK0123", sk = "SK0123", project_id = "p" } },
      { instance_id = "i", body = X.kafka[1].body })
  end

  it("maps each shape to kind, status, code, message, request_id, retryable", function()
    local want = {
      { 400, "DMS.10240001", "Invalid task.", false },
      { 403, "DIS.4117", "Forbidden.", false },
      { 404, "APIGW.0101", "The API does not exist", false },
      { 409, "DMS.409", "Conflict", false },
      { 400, "DIS.4200", "Invalid request.", false },
      { 502, "502", "<html><body><h1>502 Bad Gateway</h1></body></html>", false },
      { 429, "APIGW.0308", "Too many requests", true },
      { 503, "503", "(empty body)", true },
      { 500, "1234", "numeric code", false },
      { 400, "400", "only a message", false }, -- no code: the status stands in
    }
    for i, w in ipairs(want) do
      local res, err = call()
      assert.is_nil(res)
      assert.are.equal("api", err.kind, "shape " .. i)
      assert.are.equal(w[1], err.status, "shape " .. i)
      assert.are.equal(w[2], err.code, "shape " .. i)
      assert.are.equal(w[3], err.message, "shape " .. i)
      assert.are.equal(w[4], err.retryable, "shape " .. i)
      assert.is_nil(tostring(err):find("\n"))
      if i == 1 then
        assert.are.equal("rid-1", err.request_id)
        assert.are.equal("huaweicloud: api error: HTTP 400 DMS.10240001: Invalid task. (request_id=rid-1)", tostring(err))
      elseif i == 2 then
        assert.are.equal("enc-abc", err.encoded_authorization_message)
      elseif i == 7 then
        assert.are.equal(3, err.retry_after)
      end
    end
  end)
end)

describe("transport failures", function()
  it("connection refused is a network error that surely never reached the server", function()
    local c = core.http_client({ timeout = 2 })
    local res, err = core.create_obs_transfer_task(c, { endpoint = "http://127.0.0.1:1",
      credentials = { ak = "AK0123", sk = "SK0123", project_id = "p" } }, { stream_name = X.unique("s"), body = X.dis[1].body })
    assert.is_nil(res)
    assert.are.equal("network", err.kind)
    assert.are.equal("COULDNT_CONNECT", err.code)
    assert.is_false(err.request_sent)
    assert.is_true(err.retryable)
    c:close()
  end)

  it("a server that never answers is a timeout after about the configured time", function()
    local srv = fake.start({ { fault = "stall" } })
    finally(srv.stop)
    local c = core.http_client({ timeout = 0.5 })
    local t0 = H.now()
    local res, err = core.create_obs_transfer_task(c, { endpoint = srv.url,
      credentials = { ak = "AK0123", sk = "SK0123", project_id = "p" } }, { stream_name = X.unique("s"), body = X.dis[1].body })
    local took = H.now() - t0
    srv.stop()
    assert.is_nil(res)
    assert.are.equal("timeout", err.kind)
    assert.is_true(err.request_sent)
    assert.is_false(err.retryable)
    assert.truthy(took >= 0.45 and took < 2, "took " .. took)
    c:close()
  end)

  it("a body over the size cap is an error, not a truncated result", function()
    local srv = fake.start({ { fault = "big", size = 300000 } })
    finally(srv.stop)
    local c = core.http_client({ max_body = 100000 })
    local res, err = core.create_connector_task(c, { endpoint = srv.url,
      credentials = { ak = "AK0123", sk = "SK0123", project_id = "p" } }, { instance_id = "i", body = X.kafka[1].body })
    srv.stop()
    assert.is_nil(res)
    assert.are.equal("network", err.kind)
    assert.are.equal("RESPONSE_TOO_LARGE", err.code)
    assert.truthy(err.message:find("100000", 1, true))
    c:close()
  end)

  it("a 200 that is not JSON is a decode error carrying the status", function()
    local srv = fake.start({ { status = 200, body = "<html>maintenance</html>" } })
    finally(srv.stop)
    local c = core.http_client()
    local res, err = core.create_connector_task(c, { endpoint = srv.url,
      credentials = { ak = "AK0123", sk = "SK0123", project_id = "p" } }, { instance_id = "i", body = X.kafka[1].body })
    srv.stop()
    assert.is_nil(res)
    assert.are.equal("decode", err.kind)
    assert.are.equal(200, err.status)
    c:close()
  end)

  it("sends Host exactly as signed and no Expect or form Content-Type", function()
    -- the server echoes the headers it received: what went over the wire, not the prepared table
    local srv = fake.start({ { status = 200, echo = "text" } })
    finally(srv.stop)
    local c = core.http_client()
    local cfg = { endpoint = srv.url, credentials = { ak = "AK0123", sk = "SK0123", project_id = "p" } }
    local req = assert(core.prepare("create_obs_transfer_task", cfg, { stream_name = X.unique("s"),
      body = X.dis[1].body }))
    local function received(r)
      local status, _, body = c:send(r)
      assert.are.equal(200, status)
      -- "you sent name:value|name:value|... <body>", names sorted (x-sdk-date, without spaces, last)
      local h, pieces = {}, {}
      for piece in body:gsub("^you sent ", ""):gmatch("[^|]+") do pieces[#pieces + 1] = piece end
      pieces[#pieces] = pieces[#pieces]:match("^(%S+)")
      for _, piece in ipairs(pieces) do
        local k, v = piece:match("^([%w%-]+):(.*)$")
        if k then h[k] = v end
      end
      return h
    end
    local h = received(req)
    assert.are.equal(req.headers.Host, h.host) -- exactly as signed
    assert.are.equal("application/json", h["content-type"])
    assert.is_nil(h.expect) -- no 100-continue round trip, no unsigned header
    assert.are.equal(req.headers.Authorization, h.authorization)
    -- a POST without a body: libcurl would add its form Content-Type; none goes out
    local bare = assert(core.prepare("delete_connector", cfg, { instance_id = "i" }))
    h = received(bare)
    assert.is_nil(h["content-type"])
    assert.is_nil(h.expect)
    assert.are.equal("0", h["content-length"])
    srv.stop()
    c:close()
  end)
end)

describe("HTTPS against the emulator with a CA made here", function()
  local pki, emu
  setup(function()
    pki = H.make_ca()
    emu = emulator.start({ auto_create = true, tls = { certificate = pki.cert, key = pki.key } })
  end)
  teardown(function()
    emu:stop()
    H.sh("rm -rf " .. pki.dir)
  end)

  local function call(client)
    return core.create_obs_transfer_task(client, { endpoint = emu.url, credentials = creds(emu) },
      { stream_name = X.unique("s"), body = X.dis[1].body })
  end

  it("fails with a tls error by default (the CA is not trusted)", function()
    assert.truthy(emu.url:find("^https://"))
    local c = core.http_client({ timeout = 5 })
    local res, err = call(c)
    assert.is_nil(res)
    assert.are.equal("tls", err.kind, tostring(err))
    c:close()
  end)

  it("works with ca_file", function()
    local c = core.http_client({ timeout = 5, ca_file = pki.ca })
    local res, meta = call(c)
    assert.are.same({}, res, tostring(meta))
    assert.are.equal(201, meta.status)
    c:close()
  end)
end)

describe("the client object", function()
  it("is closed idempotently, by close, __gc and __close", function()
    local c = core.http_client()
    c:close()
    c:close()
    assert.error_matches(function() c:send({ method = "GET", url = "http://127.0.0.1:1/" }) end,
      "calling 'send' on bad self (the HTTP client is closed)", 1, true)
    assert.truthy(tostring(c):find("closed"))
    -- __gc: a client dropped with a connection open is closed by its finalizer
    local srv = fake.start({ { status = 200, body = "ok" } })
    finally(srv.stop)
    local dropped = core.http_client()
    assert.are.equal(200, (dropped:send({ method = "GET", url = srv.url .. "/x" })))
    local mt = getmetatable(dropped)
    local old, after = mt.__gc, nil
    assert.is_function(old)
    mt.__gc = function(self)
      old(self)
      after = tostring(self) -- what the finalizer left
    end
    dropped = nil -- luacheck: ignore
    collectgarbage()
    collectgarbage()
    mt.__gc = old
    assert.truthy(after and after:find("closed"), tostring(after))
    -- __close (Lua 5.4's to-be-closed variables)
    if _VERSION == "Lua 5.4" then
      local closed
      local chunk = assert(load([[
        local core, url = ...
        local client <close> = core.http_client()
        assert(client:send({ method = "GET", url = url .. "/y" }))
        return client
      ]]))
      closed = chunk(core, srv.url)
      assert.truthy(tostring(closed):find("closed"), tostring(closed)) -- closed when its scope ended
    end
    srv.stop()
  end)

  it("refuses bad options", function()
    assert.error_matches(function() core.http_client({ timeout = -1 }) end,
      "timeout must be a number of seconds greater than 0 and at most 86400", 1, true)
    assert.error_matches(function() core.http_client({ timeout = "5" }) end,
      "timeout must be a number of seconds greater than 0 and at most 86400", 1, true)
    assert.error_matches(function() core.http_client({ verify_tls = "no" }) end, "verify_tls must be a boolean", 1, true)
    assert.error_matches(function() core.http_client({ user_agent = "a\r\nb" }) end, "user_agent must not contain control characters", 1, true)
    assert.error_matches(function() core.http_client({ max_body = 0 }) end, "max_body must be a whole number of bytes, at least 1", 1, true)
  end)
end)
