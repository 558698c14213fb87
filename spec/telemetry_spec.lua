-- What a client tells about its calls: one on_call span per operation call (OpenTelemetry's names,
-- never a secret), the caller's traceparent sent and signed, client:stats(), and the retry budget,
-- against the emulator over libcurl.
local hw = require("huaweicloud")
local X = require("spec.fixtures.examples")
local telemetry = require("huaweicloud.telemetry")

local TP = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

describe("telemetry", function()
  local emu
  before_each(function() emu = hw.emulator.start({ instances = { "inst-1" }, delays = { task = 0.05 } }) end)
  after_each(function() emu:stop() end)

  local function client(opts)
    local o = { endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p1" }, region = "cn-north-4",
      retry_base = 0.001 }
    for k, v in pairs(opts or {}) do o[k] = v end
    return hw.assert(hw.kafka.new(o))
  end

  it("gives one span per operation call, named and attributed as OpenTelemetry names them", function()
    local spans = {}
    local kafka = client({ on_call = function(s) spans[#spans + 1] = s end })
    emu:fail({ operation = "create_connector_task", times = 1, status = 404, code = "DMS.10240407" })
    local task = hw.assert(kafka:create_connector_task({ instance_id = "inst-1", body = X.kafka[1].body }))
    assert.are.equal(1, #spans) -- the throttle and its retry: one call, one span
    local s = spans[1]
    local host, port = emu.url:match("^http://([^:/]+):(%d+)")
    assert.are.same({ "Kafka.CreateConnectorTask", "client", "ok" }, { s.name, s.kind, s.status })
    assert.are.same({ ["rpc.system"] = "huaweicloud", ["rpc.service"] = "Kafka", ["rpc.method"] = "CreateConnectorTask",
      ["cloud.region"] = "cn-north-4", ["server.address"] = host, ["server.port"] = tonumber(port),
      ["http.request.method"] = "POST", ["http.response.status_code"] = 200, ["huaweicloud.attempts"] = 2,
      ["huaweicloud.request_id"] = s.attributes["huaweicloud.request_id"] }, s.attributes)
    assert.is_string(s.attributes["huaweicloud.request_id"])
    assert.truthy(s.start_time > 1.7e9 and s.duration >= 0)
    -- a failure names its error; a wait gives one span per poll
    local _, err = kafka:show_connector_task({ instance_id = "inst-1", task_id = "nope" })
    assert.are.same({ "error", 404, "DMS.00404022" }, { spans[2].status,
      spans[2].attributes["http.response.status_code"], spans[2].attributes["error.type"] })
    assert.are.equal(err.request_id, spans[2].attributes["huaweicloud.request_id"])
    local _, meta = hw.assert(kafka:wait_connector_task({ instance_id = "inst-1", task_id = task.id, interval = 0.02 }))
    assert.are.equal(2 + meta.polls, #spans)
    assert.are.equal("Kafka.ShowConnectorTask", spans[#spans].name)
    -- create_many: one span per item
    local n = #spans
    kafka:create_many("create_connector_task", { { instance_id = "inst-1", body = X.kafka[1].body },
      { instance_id = "inst-1", body = X.kafka[2].body } }, { concurrency = 2 })
    assert.are.equal(n + 2, #spans)
    -- never a secret, in any span
    local text = require("cjson").encode(spans)
    for _, secret in ipairs({ emu.ak, emu.sk, "OBS-SECRET" }) do assert.is_nil(text:find(secret, 1, true)) end
    kafka:close()
  end)

  it("goes on when the hook raises", function()
    local kafka = client({ on_call = function() error("the tracer is broken") end })
    hw.assert(kafka:list_connector_tasks({ instance_id = "inst-1" }))
    kafka:close()
  end)

  it("sends the caller's traceparent with each attempt, signed, and the signature verifies", function()
    local asked = 0
    local kafka = client({ traceparent = function()
      asked = asked + 1
      return TP
    end })
    emu:fail({ operation = "list_connector_tasks", times = 1, status = 404, code = "DMS.10240407" })
    hw.assert(kafka:list_connector_tasks({ instance_id = "inst-1" }))
    local stats = emu:stats()
    assert.are.same({ 1, TP, 0 }, { stats.traced, stats.last_traceparent, stats.rejected_signatures })
    assert.are.equal(2, asked) -- asked for each attempt (the fault answered before the signature is checked)
    local fixed = client({ traceparent = TP })
    hw.assert(fixed:list_connector_tasks({ instance_id = "inst-1" }))
    assert.are.equal(2, emu:stats().traced)
    local bad = client({ traceparent = function() return "not-a-traceparent" end })
    hw.assert(bad:list_connector_tasks({ instance_id = "inst-1" })) -- not sent
    assert.are.equal(2, emu:stats().traced)
    local _, err = hw.kafka.new({ endpoint = emu.url, traceparent = "00-xyz" })
    assert.are.same({ "config", "traceparent" }, { err.kind, err.field })
  end)

  it("counts calls, errors, retries and durations per operation (client:stats())", function()
    local kafka = client()
    emu:fail({ operation = "list_connector_tasks", times = 1, status = 503 })
    for _ = 1, 3 do hw.assert(kafka:list_connector_tasks({ instance_id = "inst-1" })) end
    kafka:show_connector_task({ instance_id = "inst-1", task_id = "nope" })
    local s = kafka:stats()
    assert.are.same({ 3, 1, {} }, { s.list_connector_tasks.calls, s.list_connector_tasks.retries,
      s.list_connector_tasks.errors })
    assert.are.same({ 1, { api = 1 } }, { s.show_connector_task.calls, s.show_connector_task.errors })
    local d = s.list_connector_tasks.duration
    assert.are.same({ 3, telemetry.BUCKETS }, { d.count, d.buckets })
    assert.are.equal(3, d.counts[#d.counts]) -- every call took at most 10 s
    for i = 2, #d.counts do assert.truthy(d.counts[i] >= d.counts[i - 1]) end -- cumulative, as Prometheus'
    s.list_connector_tasks.calls = 99 -- a copy
    assert.are.equal(3, kafka:stats().list_connector_tasks.calls)
  end)

  it("stops retrying once the retry budget is spent, and refills it with successes", function()
    local saved = telemetry.BUDGET
    telemetry.BUDGET = 20
    finally(function() telemetry.BUDGET = saved end)
    local kafka = client()
    emu:fail({ operation = "list_connector_tasks", times = 100, status = 503 })
    local attempts = {}
    for i = 1, 3 do
      local _, err = kafka:list_connector_tasks({ instance_id = "inst-1" })
      attempts[i] = err.attempts
      if i == 3 then assert.are.equal("exhausted", err.retry_budget) end
    end
    assert.are.same({ 3, 3, 1 }, attempts) -- 20 tokens: two calls of two retries (5 each), then none
    emu:reset()
    for _ = 1, 5 do hw.assert(kafka:list_connector_tasks({ instance_id = "inst-1" })) end -- 5 tokens back
    emu:fail({ operation = "list_connector_tasks", times = 100, status = 503 })
    local _, err = kafka:list_connector_tasks({ instance_id = "inst-1" })
    assert.are.same({ 2, "exhausted" }, { err.attempts, err.retry_budget }) -- one retry's worth
    -- without a budget, every call gets its retries
    local free = client({ retry_budget = false })
    for _ = 1, 5 do
      local _, e = free:list_connector_tasks({ instance_id = "inst-1" })
      assert.are.equal(3, e.attempts)
    end
  end)
end)
