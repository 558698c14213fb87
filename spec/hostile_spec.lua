-- Hostile input: each a clear validation (or config) error, and never a request on the wire.
local hw = require("huaweicloud")
local X = require("spec.fixtures.examples")

describe("hostile input", function()
  local emu, kafka, dis
  setup(function()
    emu = hw.emulator.start({ auto_create = true })
    local creds = { ak = emu.ak, sk = emu.sk, project_id = "p1" }
    kafka = assert(hw.kafka.new({ endpoint = emu.url, credentials = creds }))
    dis = assert(hw.dis.new({ endpoint = emu.url, credentials = creds }))
  end)
  teardown(function()
    kafka:close()
    dis:close()
    emu:stop()
  end)

  -- Runs fn, expects nil + an error of kind (and field), and checks nothing reached the server.
  local function refused(kind, field, fn)
    local before = emu:stats().requests
    local res, err = fn()
    assert.is_nil(res)
    assert.are.equal(kind, err.kind, tostring(err))
    if field then assert.are.equal(field, err.field, tostring(err)) end
    assert.are.equal(before, emu:stats().requests, "a request reached the server")
    return err
  end

  it("path parameters with /, %2F, .., control characters, or too long", function()
    local bad = { "a/b", "/", "a%2Fb", "a%2f", "%5c", "..", ".", "a\nb", "a\rb", "\0", "a\127", "a\\b", "" }
    for _, v in ipairs(bad) do
      refused("validation", "instance_id", function()
        return kafka:create_connector_task({ instance_id = v, body = X.kafka[1].body })
      end)
      refused("validation", "stream_name", function()
        return dis:create_obs_transfer_task({ stream_name = v, body = X.dis[1].body })
      end)
    end
    refused("validation", "stream_name", function()
      return dis:create_obs_transfer_task({ stream_name = ("x"):rep(61), body = X.dis[1].body })
    end)
    refused("validation", "instance_id", function()
      return kafka:create_connector_task({ instance_id = 42, body = X.kafka[1].body })
    end)
  end)

  it("CR/LF in header values or names, the security token, the user agent; oversized headers", function()
    refused("validation", "headers.X-Trace", function()
      return kafka:create_connector_task({ instance_id = "i", body = X.kafka[1].body, headers = { ["X-Trace"] = "a\r\nX-Evil: 1" } })
    end)
    refused("validation", nil, function()
      return kafka:create_connector_task({ instance_id = "i", body = X.kafka[1].body, headers = { ["X-A\r\nB"] = "v" } })
    end)
    refused("validation", "headers.X-Big", function()
      return kafka:create_connector_task({ instance_id = "i", body = X.kafka[1].body, headers = { ["X-Big"] = ("v"):rep(17000) } })
    end)
    local sts = assert(hw.kafka.new({ endpoint = emu.url,
      credentials = { ak = emu.ak, sk = emu.sk, project_id = "p1", security_token = "tok\r\nX-Evil: 1" } }))
    refused("config", "credentials.security_token", function()
      return sts:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
    end)
    local c, err = hw.kafka.new({ endpoint = emu.url, user_agent = "ua\r\nX-Evil: 1" })
    assert.is_nil(c)
    assert.are.equal("user_agent", err.field)
    local bad_project = assert(hw.kafka.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = "p/../x" } }))
    refused("config", "credentials.project_id", function()
      return bad_project:create_connector_task({ instance_id = "i", body = X.kafka[1].body })
    end)
  end)

  it("headers the SDK frames or signs itself, whatever their case", function()
    local own = { "Content-Length", "content-length", "Transfer-Encoding", "Host", "HOST", "Connection", "Expect",
      "Keep-Alive", "TE", "Trailer", "Upgrade", "Proxy-Connection", "Authorization", "X-Sdk-Date", "X-Security-Token",
      "X-Auth-Token", "X-Project-Id", "Content-Type" }
    for _, name in ipairs(own) do
      local err = refused("validation", "headers." .. name, function()
        return kafka:create_connector_task({ instance_id = "i", body = X.kafka[1].body, headers = { [name] = "0" } })
      end)
      assert.truthy(err.message:find("is set .*by the SDK.*do not set it"), err.message)
    end
    -- other headers still go out, signed
    local _, meta = kafka:create_connector_task({ instance_id = "i", body = X.kafka[1].body,
      headers = { ["X-Trace-Id"] = "t-1", ["User-Agent"] = "mine/1" } })
    assert.are.equal(200, meta.status, tostring(meta))
  end)

  it("control bytes in the user agent", function()
    for _, ua in ipairs({ "ua\1x", "ua\27[31m", "ua\127", "ua\tx", "ua\0x", "ua\nx" }) do
      local c, err = hw.kafka.new({ endpoint = emu.url, user_agent = ua })
      assert.is_nil(c)
      assert.are.equal("user_agent", err.field)
      assert.are.equal("must not contain control characters", err.message)
      assert.has_error(function() hw.core.http_client({ user_agent = ua }) end,
        "user_agent must not contain control characters")
    end
  end)

  it("huge strings, deep and cyclic tables, invalid UTF-8, NaN, non-string keys", function()
    local function with(mutate, opts)
      return function()
        local body = X.copy(X.kafka[1].body)
        mutate(body)
        return kafka:create_connector_task({ instance_id = "i", body = body, validate = opts and opts.validate })
      end
    end
    refused("validation", "topics", with(function(b) b.topics = ("t"):rep(2 * 1024 * 1024) end))
    local deep = {}
    local cur = deep
    for _ = 1, 100 do cur.next = {} cur = cur.next end
    local err = refused("validation", nil, with(function(b) b.extra = deep end, { validate = false }))
    assert.truthy(err.message:find("deeper than 32"))
    err = refused("validation", nil, with(function(b) b.sink_task.loop = b end, { validate = false }))
    assert.truthy(err.message:find("cycle"))
    refused("validation", "task_name", with(function(b) b.task_name = "bad\255\254" end))
    refused("validation", "sink_task.deliver_time_interval", with(function(b) b.sink_task.deliver_time_interval = 0 / 0 end))
    refused("validation", "sink_task", with(function(b) b.sink_task[1] = "x" end))
    refused("validation", "body", function() return kafka:create_connector_task({ instance_id = "i", body = "{}" }) end)
  end)

  it("integers at and past the int32 and int64 limits", function()
    local function rep(v)
      local body = X.copy(X.kafka[2].body)
      body.source_task.replication_factor = v
      return body
    end
    for _, ok in ipairs({ 2147483647, -2147483648, 0, 2147483647.0 }) do
      local _, meta = kafka:create_connector_task({ instance_id = "i", body = rep(ok) })
      assert.are.equal(200, meta.status, tostring(meta))
    end
    local past = { 2147483648, -2147483649, 2 ^ 63, -2 ^ 64, 1e300, math.huge, -math.huge, 3.5 }
    if math.maxinteger then
      past[#past + 1] = math.maxinteger
      past[#past + 1] = math.mininteger
    end
    for _, v in ipairs(past) do
      local err = refused("validation", "source_task.replication_factor", function()
        return kafka:create_connector_task({ instance_id = "i", body = rep(v) })
      end)
      assert.truthy(err.message:find("integer"), err.message)
    end
  end)

  it("misuse raises instead of sending", function()
    assert.error_matches(function() kafka:create_connector_task(nil) end,
      "bad argument #1 to 'create_connector_task' (table expected, got nil)", 1, true)
    assert.error_matches(function() kafka:create_connector_task("instance") end,
      "bad argument #1 to 'create_connector_task' (table expected, got string)", 1, true)
    assert.error_matches(function() kafka:prepare("drop_everything", {}) end, "unknown operation 'drop_everything' for kafka", 1, true)
    assert.error_matches(function() hw.core.prepare("drop_everything", {}, {}) end,
      "bad argument #1 to 'prepare' (unknown operation 'drop_everything')", 1, true)
  end)
end)
