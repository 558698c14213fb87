-- Everyday use: configuration from the environment, errors any host prints, the logging hook and
-- the debug switch, and the emulator as a test double of its users' own (faults on demand, its
-- TLS mode, a clear word when LuaSocket is missing).
local hw = require("huaweicloud")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

describe("configuration from the environment", function()
  local function endpoint_of(opts_src, env)
    return H.run_lua("local hw = require('huaweicloud') local k, err = hw.kafka.new(" .. opts_src .. ") " ..
      "local d = hw.dis.new(" .. opts_src .. ") io.write(k and k.endpoint or tostring(err), ' ', " ..
      "d and d.endpoint or '-', ' ', tostring(k and k.region))", env)
  end

  it("reads region and endpoint from the environment; the endpoint option wins, the environment's beats a region", function()
    assert.are.equal("https://dms.cn-east-3.myhuaweicloud.com https://dis.cn-east-3.myhuaweicloud.com cn-east-3",
      endpoint_of("{}", { HUAWEICLOUD_SDK_REGION = "cn-east-3" }))
    assert.are.equal("http://127.0.0.1:7 http://127.0.0.1:7 nil",
      endpoint_of("{}", { HUAWEICLOUD_SDK_ENDPOINT = "http://127.0.0.1:7" }))
    -- one endpoint per service for a process that talks to both
    assert.are.equal("http://127.0.0.1:8 http://127.0.0.1:7 cn-east-3", endpoint_of("{}", {
      HUAWEICLOUD_SDK_ENDPOINT = "http://127.0.0.1:7", HUAWEICLOUD_SDK_ENDPOINT_KAFKA = "http://127.0.0.1:8",
      HUAWEICLOUD_SDK_REGION = "cn-east-3" }))
    -- the environment's endpoint overrides the one a region implies (the one switch, as
    -- AWS_ENDPOINT_URL is); region keeps naming the region
    assert.are.equal("http://127.0.0.1:7 http://127.0.0.1:7 cn-north-4",
      endpoint_of("{ region = 'cn-north-4' }", { HUAWEICLOUD_SDK_ENDPOINT = "http://127.0.0.1:7",
        HUAWEICLOUD_SDK_REGION = "cn-east-3" }))
    assert.are.equal("http://127.0.0.1:8 https://dis.cn-north-4.myhuaweicloud.com cn-north-4",
      endpoint_of("{ region = 'cn-north-4' }", { HUAWEICLOUD_SDK_ENDPOINT_KAFKA = "http://127.0.0.1:8" }))
    -- the endpoint option wins; the region (for project id discovery) still comes from the environment
    assert.are.equal("http://127.0.0.1:9 http://127.0.0.1:9 cn-east-3", endpoint_of("{ endpoint = 'http://127.0.0.1:9' }",
      { HUAWEICLOUD_SDK_ENDPOINT_KAFKA = "http://127.0.0.1:8", HUAWEICLOUD_SDK_REGION = "cn-east-3" }))
    local out = endpoint_of("{}", {})
    assert.truthy(out:find("config error: region: set region", 1, true), out)
  end)
end)

describe("errors in the order a user fixes them", function()
  it("reports a bad body before missing credentials", function()
    local out = H.run_lua([[
      local hw = require("huaweicloud")
      local kafka = hw.assert(hw.kafka.new({ endpoint = "http://127.0.0.1:9" }))
      local _, err = kafka:create_connector_task({ instance_id = "i", body = { sink_task = { obs_bucket = "b" } } })
      io.write(err.kind, " ", err.field, "|")
      _, err = kafka:create_connector_task({ instance_id = "i", body = { task_name = "fine" } })
      io.write(err.kind, " ", err.field)
    ]])
    assert.are.equal("validation sink_task.obs_bucket|config credentials", out)
  end)
end)

describe("errors every host can print", function()
  it("hw.assert raises the SDK's own message, under every Lua", function()
    local out = H.run_lua('local hw = require("huaweicloud") hw.assert(hw.dis.new({ region = "nowhere-1" }))')
    assert.truthy(out:find("huaweicloud: config error: region: unknown dis region 'nowhere-1'", 1, true), out)
    out = H.run_lua('local hw = require("huaweicloud") local ok, e = pcall(hw.assert, nil, "plain") io.write(e)')
    assert.are.equal("plain", out)
    local a, b, c = hw.assert(1, 2, 3)
    assert.are.same({ 1, 2, 3 }, { a, b, c })
  end)
end)

describe("seeing what the SDK does", function()
  local emu
  setup(function() emu = hw.emulator.start({ auto_create = true }) end)
  teardown(function() emu:stop() end)

  it("calls the log option once per attempt, with no header value or body", function()
    local events = {}
    local kafka = assert(hw.kafka.new({ endpoint = emu.url, retries = 2, retry_base = 0.01,
      credentials = { ak = emu.ak, sk = emu.sk, project_id = "p1" }, log = function(e) events[#events + 1] = e end }))
    emu:fail({ operation = "create_connector_task", times = 1, status = 503 })
    local task = assert(kafka:create_connector_task({ instance_id = "i-1", body = X.kafka[1].body }))
    assert.is_string(task.id)
    assert.are.equal(2, #events)
    local e1, e2 = events[1], events[2]
    assert.are.same({ "create_connector_task", "kafka", "POST", 1, 503, "api" },
      { e1.operation, e1.service, e1.method, e1.attempt, e1.status, e1.error })
    assert.are.equal(emu.url .. "/v2/p1/instances/i-1/connector/tasks", e1.url)
    assert.are.same({ 2, 200 }, { e2.attempt, e2.status })
    assert.is_nil(e2.error)
    assert.is_string(e2.request_id)
    assert.truthy(e2.duration >= 0 and e2.duration < 5)
    local text = require("cjson").encode(events)
    for _, secret in ipairs({ emu.sk, emu.ak, "AKEXAMPLE", "SKEXAMPLE" }) do
      assert.is_nil(text:find(secret, 1, true), secret)
    end
    -- batches report each attempt too
    events = {}
    kafka:create_many("create_connector_task", { { instance_id = "a", body = X.kafka[1].body },
      { instance_id = "b", body = X.kafka[1].body } })
    assert.are.equal(2, #events)
    table.sort(events, function(x, y) return x.url < y.url end)
    assert.are.equal(emu.url .. "/v2/p1/instances/a/connector/tasks", events[1].url)
  end)

  it("masks sensitive query values in the URL it reports", function()
    local log = require("huaweicloud.log")
    assert.are.equal("https://h/v3/projects?name=x&token=***&x_auth_token=***",
      log.masked_url("https://h/v3/projects?name=x&token=abc&x_auth_token=def"))
  end)

  it("prints one line per attempt to stderr with HUAWEICLOUD_SDK_DEBUG=1", function()
    local code = ([[
      local hw = require("huaweicloud")
      local dis = assert(hw.dis.new({ endpoint = %q, credentials = { ak = %q, sk = %q, project_id = "p1" } }))
      dis:create_obs_transfer_task({ stream_name = "s", body = hw.dis.obs_transfer_task({ task_name = "t",
        agency_name = "dis_admin_agency", obs_bucket_path = "b" }) })
    ]]):format(emu.url, emu.ak, emu.sk)
    local out = H.run_lua(code, { HUAWEICLOUD_SDK_DEBUG = "1" })
    assert.truthy(out:find("^huaweicloud: create_obs_transfer_task POST " .. emu.url:gsub("%p", "%%%0") ..
      "/v2/p1/streams/s/transfer%-tasks %-> 201 attempt 1, [%d.]+ s request_id=%S+\n$"), out)
    assert.is_nil(out:find(emu.sk, 1, true))
    assert.are.equal("", H.run_lua(code))
  end)
end)

describe("the emulator for your own tests", function()
  it("answers the next calls of an operation with the fault it is told, in the service's shape", function()
    local emu = hw.emulator.start({ auto_create = true })
    finally(function() emu:stop() end)
    local creds = { ak = emu.ak, sk = emu.sk, project_id = "p1" }
    -- retries = 0: each fault comes back as it is (by default a throttle is sent again)
    local kafka = assert(hw.kafka.new({ endpoint = emu.url, credentials = creds, retries = 0 }))
    local dis = assert(hw.dis.new({ endpoint = emu.url, credentials = creds, retries = 0 }))
    emu:fail({ operation = "create_connector_task", times = 2, status = 404, code = "DMS.10240407",
      message = "The request is too frequent." })
    emu:fail({ operation = "create_obs_transfer_task", status = 400, code = "DIS.4303" })
    for _ = 1, 2 do
      local _, err = kafka:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
      assert.are.same({ 404, "DMS.10240407", "The request is too frequent." }, { err.status, err.code, err.message })
    end
    assert(kafka:create_connector_task({ instance_id = "i", body = X.kafka[1].body })) -- the third is real
    local _, err = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.same({ 400, "DIS.4303" }, { err.status, err.code })
    -- after a delay, or a dropped connection
    emu:fail({ operation = "*", delay = 0.3, status = 503 })
    local t0 = H.now()
    _, err = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.equal(503, err.status)
    assert.truthy(H.now() - t0 >= 0.25)
    emu:fail({ operation = "create_obs_transfer_task", drop = true })
    _, err = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.same({ "network", true }, { err.kind, err.request_sent })
    assert.truthy(err.code == "CONNECTION_LOST_AFTER_SEND" or err.code == "GOT_NOTHING", err.code)
    assert(dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body }))
    assert.are.equal(1, emu:stats().dis_tasks) -- a count: 1, not 1.0
    assert.are.equal("integer", math.type and math.type(emu:stats().dis_tasks) or "integer")
  end)

  it("keeps serving everyone while a TLS handshake is refused or never finishes", function()
    local pki = H.make_ca()
    local emu = hw.emulator.start({ auto_create = true, tls = { certificate = pki.cert, key = pki.key } })
    finally(function()
      emu:stop()
      os.execute("rm -rf " .. pki.dir)
    end)
    local socket = require("socket")
    local port = tonumber(emu.url:match(":(%d+)$"))
    local silent = assert(socket.connect("127.0.0.1", port)) -- connects, never says hello
    local garbage = assert(socket.connect("127.0.0.1", port))
    garbage:send("GET / HTTP/1.1\r\n\r\n") -- not TLS: refused
    local refused = hw.core.http_client({ timeout = 5 }) -- no CA: this client refuses the server
    local status, err = refused:send({ method = "GET", url = emu.url .. "/_emulator/stats", headers = {} })
    assert.is_nil(status)
    assert.are.equal("tls", err.kind)
    local trusting = hw.core.http_client({ timeout = 5, ca_file = pki.ca })
    local t0 = H.now()
    status = trusting:send({ method = "GET", url = emu.url .. "/_emulator/stats",
      headers = { ["X-Emulator-Token"] = emu.admin_token } })
    assert.are.equal(200, status)
    assert.truthy(H.now() - t0 < 1, "a stalled handshake held the others up")
    silent:close()
    garbage:close()
  end)

  it("says it needs LuaSocket when LuaSocket is missing", function()
    local out, ok = H.run_lua([[
      package.preload.socket = function() error("module 'socket' not found") end -- as if not installed
      local ok, err = pcall(function() return require("huaweicloud").emulator.start({ auto_create = true }) end)
      io.write(tostring(err))
    ]])
    assert.is_true(ok, out)
    assert.truthy(out:find("the emulator needs LuaSocket: apt-get install lua-socket", 1, true), out)
  end)
end)

describe("the first commands on a machine", function()
  it("as a user who is not root, make names the one apt-get line that installs what it needs", function()
    local _, root = H.sh('test "$(id -u)" = 0 && command -v runuser >/dev/null')
    if not root then
      pending("needs root to run make as another user")
      return
    end
    -- the exit status as text: Lua 5.1 and LuaJIT's popen cannot tell it
    local out = H.sh("runuser -u nobody -- make -s test TEST_PACKAGES='lua5.4 no-such-package-xyz' 2>&1; echo \"exit=$?\"")
    assert.truthy(out:find("exit=2\n$"), out)
    assert.truthy(out:find("install them as root with:\n  apt-get update && apt-get install -y --no-install-recommends " ..
      "no-such-package-xyz\n", 1, true), out)
  end)
end)
