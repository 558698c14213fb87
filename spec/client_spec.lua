-- The client: options, transports, and the module's shape.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

describe("require 'huaweicloud'", function()
  it("returns kafka, dis, emulator (lazily) and version", function()
    assert.is_table(hw.kafka)
    assert.is_table(hw.dis)
    assert.is_string(hw.version)
    assert.is_nil(rawget(hw, "emulator"), "loaded before first use")
    local out = H.run_lua([[
      local hw = require("huaweicloud")
      io.write(tostring(package.loaded["huaweicloud.emulator"] ~= nil), " ", tostring(package.loaded["socket"] ~= nil), " ")
      local _ = hw.emulator
      io.write(tostring(package.loaded["huaweicloud.emulator"] ~= nil))
    ]])
    assert.are.equal("false false true", out)
  end)
end)

describe("client options", function()
  it("refuses unknown options (suggesting the closest) and wrong types", function()
    local c, err = hw.kafka.new({ region = "cn-north-4", conect_timeout = 3 })
    assert.is_nil(c)
    assert.are.equal("config", err.kind)
    assert.truthy(err.message:find("did you mean connect_timeout", 1, true))
    for opt, v in pairs({ timeout = "30", verify_tls = "yes", retries = -1, timeout_ = 1, retry_max = 0 }) do
      c, err = hw.kafka.new({ region = "cn-north-4", [opt] = v })
      assert.is_nil(c, opt)
      assert.are.equal(opt, err.field)
    end
    assert.error_matches(function() hw.kafka.new("cn-north-4") end, "bad argument #1 to 'new' (table expected, got string)", 1, true)
  end)

  it("applies timeouts, user agent and size cap to the libcurl transport", function()
    local fake = require("spec.support.fake_server")
    -- a stall, an echo of the headers received, a body larger than the cap
    local srv = fake.start({ { fault = "stall" }, { status = 400, echo = "text" },
      { fault = "big", size = 64 * 1024 } })
    finally(srv.stop)
    local c = assert(hw.dis.new({ endpoint = srv.url, timeout = 0.3, user_agent = "pipeline-tests/1.0",
      max_body = 4096, retries = 0, credentials = { ak = "AK01", sk = "SK01", project_id = "p" } }))
    local function create() return c:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body }) end
    local t0 = H.now()
    local _, err = create()
    assert.are.equal("timeout", err.kind)
    assert.truthy(H.now() - t0 < 1.5) -- one-sided: the 0.3 s timeout, not the server, ended it
    _, err = create()
    assert.are.equal(400, err.status)
    assert.truthy(err.message:find("user-agent:pipeline-tests/1.0", 1, true), err.message) -- the option's, on the wire
    _, err = create()
    assert.are.same({ "network", "RESPONSE_TOO_LARGE" }, { err.kind, err.code }) -- 64 KB against a 4 KB cap
    c:close()
    c:close()
    srv.stop()
  end)
end)

describe("transports", function()
  local emu
  setup(function() emu = hw.emulator.start({ auto_create = true }) end)
  teardown(function() emu:stop() end)

  it("takes a function from the signed request to status, headers, body", function()
    local http = hw.core.http_client()
    local seen
    local dis = assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p" },
      transport = function(req)
        seen = req
        return http:send(req)
      end }))
    local res, meta = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.same({}, res, tostring(meta))
    assert.are.equal(201, meta.status)
    assert.are.equal("POST", seen.method)
    assert.truthy(seen.headers.Authorization)
    http:close()
  end)

  it("turns a transport failure into a network error", function()
    local dis = assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p" },
      transport = function() return nil, "connection refused by proxy" end }))
    local _, err = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.equal("network", err.kind)
    assert.truthy(err.message:find("connection refused by proxy", 1, true))
    dis = assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p" },
      transport = function() error("boom") end }))
    _, err = dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.equal("network", err.kind)
    assert.truthy(err.message:find("boom", 1, true))
  end)

  it("refuses an unknown transport name with a config error, as an unknown option", function()
    local c, err = hw.dis.new({ region = "cn-north-4", transport = "carrier-pigeon" })
    assert.is_nil(c)
    assert.are.same({ "config", "transport", "unknown transport 'carrier-pigeon' (curl, ngx, a function or a table)" },
      { err.kind, err.field, err.message })
    c, err = hw.dis.new({ region = "cn-north-4", transport = { call = function() end } })
    assert.are.same({ "config", "transport", nil }, { err.kind, err.field, c })
  end)

  it("turns a transport of one's own that answers nothing into a network error, not a crash", function()
    for _, t in ipairs({ function() end, { call = function() end, sleep = function() end } }) do
      local dis = assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p" },
        transport = t }))
      local res, err = dis:show_stream({ stream_name = "s" })
      assert.is_nil(res)
      assert.are.equal("network", err.kind)
    end
  end)

  it("checks busy_step in new(), as every option", function()
    for _, v in ipairs({ -1, 0, 0 / 0, 1e9 }) do
      local c, err = hw.dis.new({ region = "cn-north-4", busy_step = v })
      assert.is_nil(c)
      assert.are.same({ "config", "busy_step" }, { err.kind, err.field })
    end
  end)
end)
