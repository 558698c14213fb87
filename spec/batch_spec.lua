-- create_many: many creates at once on one thread (libcurl multi), results in input order, past
-- individual failures, on kept-alive connections, with per-request timeouts, retries and progress.
local hw = require("huaweicloud")
local fake = require("spec.support.fake_server")
local X = require("spec.fixtures.examples")

local CREDS = { ak = "BATCHAK01", sk = "batch-sk-01", project_id = "p1" }
local OK = { status = 200, headers = { ["Content-Type"] = "application/json" }, body = X.kafka_response }

local function list_of(n, body)
  local t = {}
  for i = 1, n do t[i] = { instance_id = "i-" .. i, body = body or X.kafka[1].body } end
  return t
end

describe("create_many", function()
  it("returns every result in input order, past individual failures", function()
    local emu = hw.emulator.start({ auto_create = true })
    finally(function() emu:stop() end)
    local kafka = assert(hw.kafka.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p" } }))
    local list = list_of(30)
    list[4] = { instance_id = "", body = X.kafka[1].body }           -- refused before sending
    list[9] = { instance_id = "i-9", body = { sink_type = "S3" } }   -- refused before sending
    local bad_sig = X.copy(X.kafka[2].body)
    bad_sig.source_task.bootstrap_servers = "x:9092"                 -- both instance_id and bootstrap
    list[15] = { instance_id = "i-15", body = bad_sig }
    local progress = {}
    local results = kafka:create_many("create_connector_task", list, { concurrency = 6,
      on_progress = function(done, total, last_err) progress[#progress + 1] = { done, total, last_err } end })
    assert.are.equal(30, #results)
    for i = 1, 30 do
      local res, meta = results[i][1], results[i][2]
      if i == 4 or i == 9 or i == 15 then
        assert.is_nil(res)
        assert.are.equal("validation", meta.kind)
      else
        assert.is_table(res, tostring(meta))
        assert.are.equal(200, meta.status)
        assert.is_string(res.id)
      end
    end
    assert.are.equal("instance_id", results[4][2].field)
    assert.are.equal(30, #progress)
    for k, p in ipairs(progress) do
      assert.are.equal(k, p[1])
      assert.are.equal(30, p[2])
    end
    local errs = 0
    for _, p in ipairs(progress) do if p[3] then errs = errs + 1 end end
    assert.are.equal(3, errs)
    assert.are.equal(27, emu:stats().kafka_tasks)
    assert.are.equal(0, emu:stats().rejected_signatures)
  end)

  it("sends up to `concurrency` at once and reuses the connections in the next batch", function()
    local srv = fake.start({ { delay = 0.4, status = 200, headers = { ["Content-Type"] = "application/json" },
      body = X.kafka_response } })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS }))
    local results = kafka:create_many("create_connector_task", list_of(16), { concurrency = 8 })
    for i = 1, 16 do assert.is_table(results[i][1], tostring(results[i][2])) end
    local s = srv.stats()
    local conns = kafka:http():stats().connections
    local seen = ("max_held %d, server connections %d, client connections %d"):format(s.max_held, s.connections, conns)
    -- concurrent (the server held more than one at once), never more than asked
    assert.truthy(s.max_held > 1 and s.max_held <= 8, seen)
    assert.truthy(conns > 1 and conns <= 8, seen)
    kafka:create_many("create_connector_task", list_of(16), { concurrency = 8 })
    local again = srv.stats()
    assert.are.equal(32, again.requests)
    -- the next batch reused them: the server saw no new connection
    assert.are.equal(s.connections, again.connections, seen)
  end)

  it("keeps every connection of a batch that drains one transfer at a time", function()
    -- answers 20 ms apart: libcurl's default cache (4 per transfer still running) would close
    -- kept-alive connections as the batch drains, and the next batch would connect again
    local script = {}
    for k = 1, 16 do script[k] = { delay = 0.02 * k, status = 200, headers = OK.headers, body = X.kafka_response } end
    local srv = fake.start(script)
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS }))
    for round = 1, 2 do
      local results = kafka:create_many("create_connector_task", list_of(16), { concurrency = 16 })
      for i = 1, 16 do assert.is_table(results[i][1], tostring(results[i][2])) end
      assert.are.equal(16, kafka:http():stats().connections, "after round " .. round)
    end
  end)

  it("never lets libcurl send a create again when a kept-alive connection dies after it was sent", function()
    -- the second request goes out on the first one's connection, and the server resets it
    -- after reading: libcurl would replay it on a new connection by itself
    local srv = fake.start({ OK, { fault = "reset" }, OK, OK })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS }))
    local results = kafka:create_many("create_connector_task", list_of(3), { concurrency = 1 })
    assert.is_table(results[1][1])
    local err = results[2][2]
    assert.are.same({ "network", "CONNECTION_LOST_AFTER_SEND", true }, { err.kind, err.code, err.request_sent })
    assert.is_table(results[3][1], tostring(results[3][2]))
    assert.are.equal(3, srv.stats().requests) -- the reset one was seen once
  end)

  it("retries each failed job exactly once more, however many wait for their backoff", function()
    -- every attempt fails with 503; backoffs of up to 50 ms keep many jobs queued at once
    local srv = fake.start({ { status = 503, body = "" } })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS, retries = 1, retry_base = 0.05,
      retry_max = 0.05 }))
    local results = kafka:create_many("create_connector_task", list_of(60), { concurrency = 8 })
    for i = 1, 60 do
      assert.is_nil(results[i][1])
      assert.are.same({ 503, 2 }, { results[i][2].status, results[i][2].attempts })
    end
    assert.are.equal(120, srv.stats().requests)
  end)

  it("applies the timeout to each request", function()
    local srv = fake.start({ OK, { fault = "stall" }, OK, OK })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS, timeout = 0.5 }))
    local results = kafka:create_many("create_connector_task", list_of(4), { concurrency = 1 })
    assert.is_table(results[1][1])
    assert.are.equal("timeout", results[2][2].kind)
    assert.is_table(results[3][1], tostring(results[3][2]))
    assert.is_table(results[4][1])
  end)

  it("retries each request by the client's policy, signed afresh", function()
    local srv = fake.start({ { status = 503, headers = { ["Retry-After"] = "0" }, body = "" }, OK, OK, OK })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS, retries = 2, retry_base = 0.001 }))
    local results = kafka:create_many("create_connector_task", list_of(3), { concurrency = 1 })
    assert.are.equal(2, results[1][2].attempts)
    assert.are.equal(1, results[2][2].attempts)
    for i = 1, 3 do assert.is_table(results[i][1]) end
    assert.are.equal(4, srv.stats().requests)
    local strict = assert(hw.kafka.new({ endpoint = srv.url, credentials = CREDS, retries = 0 }))
    results = strict:create_many("create_connector_task", list_of(4), { concurrency = 2 })
    local failed = 0
    for i = 1, 4 do if not results[i][1] then failed = failed + 1 end end
    assert.are.equal(1, failed) -- the 503, not retried with retries = 0
  end)

  it("leaves the client clean when on_progress raises", function()
    local emu = hw.emulator.start({ auto_create = true })
    finally(function() emu:stop() end)
    local dis = assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p" } }))
    local list = {}
    for i = 1, 20 do list[i] = { stream_name = "s" .. i, body = X.dis[1].body } end
    assert.has_error(function()
      dis:create_many("create_obs_transfer_task", list, { concurrency = 8, on_progress = function(done)
        if done == 3 then error("stop here") end
      end })
    end, "stop here")
    for i = 1, 20 do list[i] = { stream_name = "again" .. i, body = X.dis[1].body } end
    local results = dis:create_many("create_obs_transfer_task", list, { concurrency = 8 })
    for i = 1, 20 do assert.are.equal(201, results[i][2].status, tostring(results[i][2])) end
  end)

  it("works with a function transport, one at a time", function()
    local emu = hw.emulator.start({ auto_create = true })
    finally(function() emu:stop() end)
    local http = hw.core.http_client()
    local calls = 0
    local dis = assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p" },
      transport = function(req) calls = calls + 1 return http:send(req) end }))
    local list = { { stream_name = "a", body = X.dis[1].body }, { stream_name = "", body = X.dis[1].body },
      { stream_name = "c", body = X.dis[1].body } }
    local results = dis:create_many("create_obs_transfer_task", list)
    assert.are.equal(201, results[1][2].status)
    assert.are.equal("validation", results[2][2].kind)
    assert.are.equal(201, results[3][2].status)
    assert.are.equal(2, calls)
  end)

  it("raises on misuse and returns nothing for an empty list", function()
    local kafka = assert(hw.kafka.new({ endpoint = "http://127.0.0.1:1", credentials = CREDS }))
    assert.are.same({}, kafka:create_many("create_connector_task", {}))
    assert.error_matches(function() kafka:create_many("create_connector_task", "x") end,
      "bad argument #2 to 'create_many' (table expected, got string)", 1, true)
    assert.error_matches(function() kafka:create_many("create_connector_task", { "x" }) end, "create_many: list[1] is a string, not a table", 1, true)
    assert.error_matches(function() kafka:create_many("create_connector_task", {}, { concurrency = 0 }) end,
      "create_many: concurrency must be an integer from 1 to 256", 1, true)
    assert.error_matches(function() kafka:create_many("create_connector_task", {}, { on_progress = 1 }) end,
      "create_many: on_progress must be a function", 1, true)
    assert.error_matches(function() kafka:create_many("delete_everything", {}) end,
      "unknown operation 'delete_everything' for kafka (batch_delete_instance_topic, create_connector, ", 1, true)
  end)
end)
