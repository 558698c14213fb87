-- Faults: each fault a real server or network can produce comes back as a structured error of
-- the right kind, and the same client works for the next call. Retries: opt-in, safe by
-- default, counted on the server.
local hw = require("huaweicloud")
local fake = require("spec.support.fake_server")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

local CREDS = { ak = "FAULTAK0001", sk = "fault-sk-0001", project_id = "p1" }
local OK = { status = 200, headers = { ["Content-Type"] = "application/json" }, body = X.kafka_response }

-- retries = 0 unless given: each case sees the first answer's error
local function kafka_client(url, opts)
  opts = opts or {}
  opts.endpoint, opts.credentials = url, CREDS
  if opts.retries == nil then opts.retries = 0 end
  return assert(hw.kafka.new(opts))
end

local function create(client)
  return client:create_connector_task({ instance_id = "i-1", body = X.kafka[1].body })
end

describe("faults", function()
  -- { name, step, kind, code (or nil), client options }
  local cases = {
    { "reset before the status line", { fault = "reset" }, "network" },
    { "reset in the middle of the body", { fault = "reset_body" }, "network" },
    { "closed without an answer", { fault = "close" }, "network", "GOT_NOTHING" },
    { "garbage instead of a status line", { fault = "garbage" }, "network" },
    { "a body shorter than its Content-Length", { fault = "truncate" }, "network", "PARTIAL_FILE" },
    { "a slow drip that outlives the total timeout", { fault = "drip", every = 0.1 }, "timeout", "OPERATION_TIMEDOUT",
      { timeout = 0.6 } },
    { "a body larger than the cap", { fault = "big", size = 2 * 1024 * 1024 }, "network", "RESPONSE_TOO_LARGE",
      { max_body = 1024 * 1024 } },
    { "truncated JSON in a 200", { status = 200, body = '{"id":"8a205bbd","status":"RUN' }, "decode" },
    { "a 200 that is not JSON", { status = 200, headers = { ["Content-Type"] = "text/html" }, body = "<h1>OK</h1>" }, "decode" },
    { "a 200 that is a JSON array", { status = 200, body = '[{"id":"x"}]' }, "decode" },
    { "a 500", { status = 500, body = '{"error_code":"DMS.00500000","error_msg":"Internal error"}' }, "api", "DMS.00500000" },
    { "a 503 with Retry-After", { status = 503, headers = { ["Retry-After"] = "7" }, body = "" }, "api", "503" },
    { "a 429 with Retry-After", { status = 429, headers = { ["Retry-After"] = "2" },
      body = '{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}' }, "api", "APIGW.0308" },
  }
  for _, c in ipairs(cases) do
    it(c[1] .. " -> " .. c[3] .. ", and the client stays usable", function()
      local srv = fake.start({ c[2], OK })
      finally(srv.stop)
      local client = kafka_client(srv.url, c[5])
      local res, err = create(client)
      assert.is_nil(res)
      assert.are.equal(c[3], err.kind, tostring(err))
      if c[4] then assert.are.equal(c[4], err.code) end
      assert.is_string(err.message)
      assert.is_nil(tostring(err):find("\n"))
      if c[2].status == 429 then
        assert.are.equal(2, err.retry_after)
        assert.is_true(err.retryable)
      elseif c[2].status == 503 then
        assert.are.equal(7, err.retry_after)
        assert.is_true(err.retryable)
      else
        assert.is_false(err.retryable) -- it may have reached the server: never retry a create blindly
      end
      local task, meta = create(client)
      assert.is_table(task, tostring(meta))
      assert.are.equal("8a205bbd-7181-4b5e-9bd6-37274ce84577", task.id)
      client:close()
      srv.stop()
    end)
  end

  -- The official SDKs raise only at >= 400 and every field of their models is optional: an answer
  -- that differs from the page in its 2xx or its fields is what happened, said in meta.note.
  it("any 2xx is a success: what came is returned, and meta.note says how it differs from the page", function()
    local srv = fake.start({ { status = 202, body = X.kafka_response }, { status = 200, body = '{"status":"RUNNING"}' },
      { status = 200, body = '{"id":null,"status":"RUNNING"}' }, { status = 200, body = "" }, { status = 204, body = "" },
      { status = 201, body = "" }, { status = 200, body = "" }, { status = 200, body = "" } })
    finally(srv.stop)
    local client = kafka_client(srv.url)
    local events = {}
    client.log = function(e) events[#events + 1] = e end
    local task, meta = create(client)
    assert.are.equal("8a205bbd-7181-4b5e-9bd6-37274ce84577", task.id, tostring(meta))
    assert.are.equal(202, meta.status)
    assert.are.equal("create_connector_task answered 202; the API documents 200", meta.note)
    assert.are.equal(meta.note, events[1].note)
    assert.truthy(require("huaweicloud.log").format(events[1]):find("(" .. meta.note .. ")", 1, true))
    task, meta = create(client) -- id is optional in every official model
    assert.are.same({ status = "RUNNING" }, task)
    assert.is_nil(meta.note)
    task = create(client) -- JSON null is absent
    assert.are.same({ status = "RUNNING" }, task)
    task, meta = create(client)
    assert.are.same({}, task)
    assert.are.equal("create_connector_task answered 200 with an empty body; the API documents 200 with " ..
      "SmartConnectTaskEntity", meta.note)
    task, meta = create(client)
    assert.are.same({}, task)
    assert.are.equal(204, meta.status)
    -- pause documented as 204 and answered 200: it paused
    local ok, pmeta = client:pause_connector_task({ instance_id = "i-1", task_id = "t-1" })
    assert.are.same({}, ok, tostring(pmeta))
    assert.are.equal("pause_connector_task answered 201; the API documents 204", pmeta.note)
    local dis = assert(hw.dis.new({ endpoint = srv.url, credentials = CREDS }))
    local res, dmeta = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.same({}, res, tostring(dmeta))
    assert.are.equal(200, dmeta.status)
    assert.are.equal("create_obs_transfer_task answered 200; the API documents 201", dmeta.note)
    res, dmeta = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.same({}, res, tostring(dmeta))
  end)

  it("connection refused -> network, surely not sent, retryable", function()
    local client = kafka_client("http://127.0.0.1:1")
    local _, err = create(client)
    assert.are.equal("network", err.kind)
    assert.are.equal("COULDNT_CONNECT", err.code)
    assert.is_false(err.request_sent)
    assert.is_true(err.retryable)
  end)

  it("a stall past the timeout -> timeout, ended by the timeout and not before it", function()
    local srv = fake.start({ { fault = "stall" }, OK })
    finally(srv.stop)
    local client = kafka_client(srv.url, { timeout = 1 })
    local t0 = H.now()
    local _, err = create(client)
    local took = H.now() - t0
    assert.are.equal("timeout", err.kind)
    assert.is_true(err.request_sent)
    print(string.format("\n    stall: timeout = 1 s, returned after %.3f s", took))
    -- one-sided where time matters: not given up early; ended by the timeout, not by the stall
    -- (which lasts as long as the connection)
    assert.truthy(took >= 0.95, "gave up after " .. took .. " s, before the 1 s timeout")
    assert.truthy(took < 10, "held " .. took .. " s by a stalled server")
    assert.is_table((create(client)))
    srv.stop()
  end)

  it("an unresolvable host -> network COULDNT_RESOLVE_HOST (in an empty network namespace)", function()
    local _, root = H.sh("test \"$(id -u)\" = 0 && command -v unshare >/dev/null")
    if not root then
      pending("needs root and unshare(1) to resolve in a namespace with no network")
      return
    end
    -- no interface is up in the new namespace: the lookup fails without sending a packet
    local code = [[
      local hw = require("huaweicloud")
      local c = assert(hw.kafka.new({ endpoint = "https://dms.no-such-region.invalid",
        credentials = { ak = "A1", sk = "S1", project_id = "p" } }))
      local _, err = c:create_connector_task({ instance_id = "i", body = { task_name = "t" } })
      io.write(err.kind, " ", tostring(err.code), " ", tostring(err.request_sent))
    ]]
    local file = H.tmpname() .. ".lua"
    H.write(file, "package.path=" .. string.format("%q", package.path) .. " package.cpath=" ..
      string.format("%q", package.cpath) .. code)
    local out = H.sh("unshare -n env " .. H.sanitizer_env() .. " " .. hw.emulator.interpreter() .. " " .. file .. " 2>&1")
    os.remove(file)
    assert.are.equal("network COULDNT_RESOLVE_HOST false", out)
  end)
end)

describe("retries", function()
  it("are on by default for reads and what was not processed; a create's 500 is not sent again", function()
    local srv = fake.start({ { status = 500, body = "" }, OK, { status = 500, body = "" }, OK })
    finally(srv.stop)
    local client = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS, retry_base = 0.001 }))
    local shown, meta = client:show_connector_task({ instance_id = "i-1", task_id = "t" })
    assert.is_table(shown, tostring(meta))
    assert.are.equal(2, meta.attempts) -- a read's 500: sent again
    local _, err = create(client)
    assert.are.same({ 500, 1 }, { err.status, err.attempts }) -- it may have been processed: not again
    assert.are.equal(3, srv.stats().requests)
    local off = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS, retries = 0 }))
    assert.is_table((off:show_connector_task({ instance_id = "i-1", task_id = "t" }))) -- the script's OK
    _, err = off:show_connector_task({ instance_id = "i-1", task_id = "t" }) -- its 500, from the top
    assert.are.same({ 500, 1 }, { err.status, err.attempts }) -- retries = 0: not again
    assert.are.equal(5, srv.stats().requests)
    srv.stop()
  end)

  it("retry 429/503, honouring Retry-After, signing every attempt afresh", function()
    local srv = fake.start({ { status = 429, headers = { ["Retry-After"] = "1" }, body = "" },
      { status = 503, headers = { ["Retry-After"] = "1" }, body = "" }, OK })
    local client = kafka_client(srv.url, { retries = 3, retry_base = 0.01 })
    local t0 = H.now()
    local task, meta = create(client)
    local took = H.now() - t0
    assert.is_table(task, tostring(meta))
    assert.are.equal(3, meta.attempts)
    local s = srv.stats()
    assert.are.equal(3, s.requests)
    assert.truthy(took >= 2, "Retry-After was not honoured: " .. took)
    assert.are_not.equal(s.dates[1], s.dates[2]) -- a new X-Sdk-Date, so a new signature
    assert.are_not.equal(s.dates[2], s.dates[3])
    srv.stop()
  end)

  it("retry a connection that was refused (the request never left)", function()
    local client = kafka_client("http://127.0.0.1:1", { retries = 2, retry_base = 0.001 })
    local _, err = create(client)
    assert.are.equal("network", err.kind)
    assert.are.equal(3, err.attempts)
  end)

  it("do not retry what may have reached the server, unless retry_unsafe", function()
    local srv = fake.start({ { status = 500, body = "" }, { fault = "reset" }, OK })
    finally(srv.stop)
    local client = kafka_client(srv.url, { retries = 3, retry_base = 0.001 })
    local _, err = create(client)
    assert.are.equal(500, err.status)
    assert.are.equal(1, err.attempts)
    assert.are.equal(1, srv.stats().requests)
    -- the reset comes on the kept-alive connection after the server read the request: libcurl
    -- would quietly send it again on a new connection; we refuse, as the create may have happened
    _, err = create(client)
    assert.are.equal("network", err.kind)
    assert.are.equal("CONNECTION_LOST_AFTER_SEND", err.code)
    assert.is_true(err.request_sent)
    assert.are.equal(1, err.attempts)
    assert.are.equal(2, srv.stats().requests)
    srv.stop()
    local srv2 = fake.start({ { status = 500, body = "" }, { fault = "reset" }, OK })
    finally(function() srv.stop() srv2.stop() end) -- busted keeps only the last finally
    srv = srv2
    client = kafka_client(srv.url, { retries = 3, retry_base = 0.001, retry_unsafe = true })
    local task, meta = create(client)
    assert.is_table(task, tostring(meta))
    assert.are.equal(3, meta.attempts)
    assert.are.equal(3, srv.stats().requests)
    srv.stop()
  end)

  it("stop after retries + 1 attempts", function()
    local srv = fake.start({ { status = 503, body = "" } })
    finally(srv.stop)
    local client = kafka_client(srv.url, { retries = 4, retry_base = 0.001 })
    local _, err = create(client)
    assert.are.equal(5, err.attempts)
    assert.are.equal(5, srv.stats().requests)
    srv.stop()
  end)

  it("back off exponentially with full jitter, capped by retry_max", function()
    local client = kafka_client("http://127.0.0.1:1", { retry_base = 0.01, retry_max = 0.05 })
    local seen_max = {}
    for attempt = 1, 6 do
      local cap = math.min(0.05, 0.01 * 2 ^ (attempt - 1))
      local hi = 0
      for _ = 1, 300 do
        local d = client:backoff(attempt, {})
        assert.truthy(d >= 0 and d <= cap + 1e-12, d)
        if d > hi then hi = d end
      end
      seen_max[attempt] = hi
      assert.truthy(hi > cap * 0.8, "jitter never approached the cap") -- full jitter spans [0, cap]
    end
    assert.truthy(seen_max[3] > seen_max[1])
    assert.are.equal(0.05, client:backoff(1, { retry_after = 30 })) -- Retry-After, still capped
    local official = kafka_client("http://127.0.0.1:1")
    assert.are.equal(0.01, official.retry_base) -- the official SDKs' 10 ms base and 60 s cap
    assert.are.equal(60, official.retry_max)
  end)
end)
