-- Embedding: what a host program can do around a client -- run two batches at once from
-- coroutines, fork, call the client from a finalizer in the middle of its own call, configure
-- it badly, give it a provider of its own -- and get a clear answer, never a crossed one.
local hw = require("huaweicloud")
local fake = require("spec.support.fake_server")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

local function named(name)
  local b = X.copy(X.kafka[1].body)
  b.task_name = name
  return b
end

describe("embedding", function()
  local emu, creds
  setup(function()
    emu = hw.emulator.start({ auto_create = true, max_connector_tasks = 10000 }) -- many creates on one instance
    creds = { ak = emu.ak, sk = emu.sk, project_id = "p1" }
  end)
  teardown(function() emu:stop() end)

  it("runs two create_many batches on one client at once, each with its own answers", function()
    local kafka = assert(hw.kafka.new({ endpoint = emu.url, credentials = creds }))
    local function list(prefix, n)
      local t = {}
      for i = 1, n do t[i] = { instance_id = "i", body = named(prefix .. i) } end
      return t
    end
    local first = coroutine.wrap(function()
      local r = kafka:create_many("create_connector_task", list("first-", 12), { concurrency = 4,
        on_progress = function(done) if done == 3 then coroutine.yield("paused") end end })
      return r
    end)
    if _VERSION == "Lua 5.1" and not jit then
      -- PUC 5.1 cannot yield across the batch's pcall: a clear error, never a spin
      assert.error_matches(function() first() end, "attempt to yield across", 1, true)
      return
    end
    assert.are.equal("paused", first())
    local second = kafka:create_many("create_connector_task", list("second-", 10), { concurrency = 4 })
    local r1 = first()
    for i, r in ipairs(second) do assert.are.equal("second-" .. i, r[1] and r[1].task_name, tostring(r[2])) end
    assert.are.equal(12, #r1)
    for i, r in ipairs(r1) do assert.are.equal("first-" .. i, r[1] and r[1].task_name, tostring(r[2])) end
    -- and the client's own handle is free for the next batch
    local third = kafka:create_many("create_connector_task", list("third-", 3))
    for i, r in ipairs(third) do assert.are.equal("third-" .. i, r[1].task_name) end
  end)

  it("opens fresh connections in a forked child: parent and child never get each other's answers", function()
    local t = require("hwc_testlib")
    local kafka = assert(hw.kafka.new({ endpoint = emu.url, credentials = creds }))
    assert(kafka:create_connector_task({ instance_id = "i", body = named("before-fork") })) -- a kept-alive connection
    local out = H.tmpname()
    local pid = t.fork()
    if pid == 0 then
      local bad = 0
      for i = 1, 20 do
        local task = kafka:create_connector_task({ instance_id = "i", body = named("child-" .. i) })
        if not (task and task.task_name == "child-" .. i) then bad = bad + 1 end
      end
      local f = io.open(out, "w")
      f:write(bad)
      f:close()
      t._exit(0)
    end
    local bad = 0
    for i = 1, 20 do
      local task = kafka:create_connector_task({ instance_id = "i", body = named("parent-" .. i) })
      if not (task and task.task_name == "parent-" .. i) then bad = bad + 1 end
    end
    assert.are.equal(0, t.waitpid(pid))
    assert.are.equal(0, bad, "the parent got answers that were not its own")
    assert.are.equal("0", H.read(out), "the child got answers that were not its own")
    os.remove(out)
  end)

  it("isolates a call made by a finalizer during the same client's call", function()
    -- many response headers: reading them allocates enough for the collector to run finalizers
    local headers = {}
    for i = 1, 400 do headers["X-Pad-" .. i] = ("v"):rep(40) end
    local srv = fake.start({ { mirror = true, headers = headers } })
    finally(srv.stop)
    -- in a process of its own, whose small heap the collector goes through often: finalizers that
    -- call the client and leave another such object behind, so some are pending while the outer
    -- call reads its answer
    local out = H.run_lua(([[
      local hw = require("huaweicloud")
      local kafka = assert(hw.kafka.new({ endpoint = %q, credentials = { ak = "A", sk = "S", project_id = "p" } }))
      local function body(n) return { task_name = n, source_type = "NONE" } end
      local budget, inside, inner_bad, mt = 0, 0, 0, nil
      local function garbage()
        if rawget(_G, "newproxy") then getmetatable(newproxy(true)).__gc = mt.__gc else setmetatable({}, mt) end
      end
      mt = { __gc = function()
        if budget <= 0 then return end
        budget = budget - 1
        if debug.traceback():find("create_connector_task", 1, true) then inside = inside + 1 end
        local task = kafka:create_connector_task({ instance_id = "i", body = body("inner") })
        if not (task and task.task_name == "inner") then inner_bad = inner_bad + 1 end
        garbage()
      end }
      if _VERSION == "Lua 5.4" then collectgarbage("generational") else collectgarbage("setpause", 0) end
      local bad = 0
      for round = 1, 60 do
        budget = 50
        for _ = 1, 10 do garbage() end
        local task = kafka:create_connector_task({ instance_id = "i", body = body("outer-" .. round) })
        if not (task and task.task_name == "outer-" .. round) then bad = bad + 1 end
      end
      budget = 0
      io.write(bad, " ", inner_bad, " ", inside)
    ]]):format(srv.url))
    local bad, inner_bad, inside = out:match("^(%d+) (%d+) (%d+)$")
    assert.is_string(bad, out)
    print(("    finalizers calling the client during its own call: %s"):format(inside))
    assert.are.equal("0", bad, "outer calls that got another call's answer")
    assert.are.equal("0", inner_bad, "finalizer calls that got another call's answer")
    if _VERSION == "Lua 5.4" then assert.truthy(tonumber(inside) > 0, "no finalizer ran inside a call") end
  end)

  it("refuses every bad option in new(), naming it, never at the first call", function()
    for _, c in ipairs({
      { "timeout", math.huge }, { "timeout", 0 }, { "timeout", -1 }, { "timeout", 0 / 0 }, { "connect_timeout", 86401 },
      { "max_body", 0 }, { "max_body", 1.5 }, { "max_body", -1 }, { "ca_file", "/" .. ("c"):rep(1023) },
      { "user_agent", ("u"):rep(256) }, { "proxy", "http://" .. ("p"):rep(512) }, { "proxy", true },
      { "retry_max", 0 }, { "retries", 1.5 },
    }) do
      local client, err = hw.kafka.new({ endpoint = emu.url, credentials = creds, [c[1]] = c[2] })
      assert.is_nil(client, c[1] .. " = " .. tostring(c[2]))
      assert.are.equal("config", err.kind)
      assert.are.equal(c[1], err.field)
      if not c[1]:find("^retr") then
        assert.error_matches(function() hw.core.http_client({ [c[1]] = c[2] }) end, c[1] .. " must ", 1, true)
      end
    end
    for _, c in ipairs({ { "timeout", 86400 }, { "connect_timeout", 0.0004 }, { "max_body", 1 },
      { "user_agent", ("u"):rep(255) } }) do
      assert(hw.kafka.new({ endpoint = emu.url, credentials = creds, [c[1]] = c[2] }))
    end
  end)

  it("rounds a timeout under 1 ms up, never down to 'no timeout'", function()
    local srv = fake.start({ { fault = "stall" } })
    finally(srv.stop)
    local code = ([[
      local core = require("huaweicloud.core")
      local h = core.http_client({ timeout = 0.0004, connect_timeout = 0.0004 })
      local status, err = h:send({ method = "GET", url = %q, headers = {} })
      io.write(tostring(status), " ", err and err.kind or "")
    ]]):format(srv.url .. "/x")
    local out = H.sh("timeout 10 env " .. H.sanitizer_env() .. " " .. hw.emulator.interpreter() .. " -e " .. H.q("package.path=" ..
      string.format("%q", package.path) .. " package.cpath=" .. string.format("%q", package.cpath) .. code))
    assert.are.equal("nil timeout", out)
  end)

  it("names the limit that fired when the total timeout ends a connect", function()
    -- a listener that never accepts, its backlog full: further connects hang in SYN_SENT
    local socket = require("socket")
    local l = assert(socket.tcp())
    assert(l:bind("127.0.0.1", 0))
    assert(l:listen(0))
    local _, port = l:getsockname()
    local fill = {}
    for i = 1, 8 do
      fill[i] = socket.tcp()
      fill[i]:settimeout(0)
      fill[i]:connect("127.0.0.1", port)
    end
    local h = hw.core.http_client({ timeout = 1, connect_timeout = 10 })
    local t0 = H.now()
    local status, err = h:send({ method = "GET", url = "http://127.0.0.1:" .. port .. "/", headers = {} })
    local took = H.now() - t0
    for _, s in ipairs(fill) do s:close() end
    l:close()
    assert.is_nil(status)
    assert.are.equal("timeout", err.kind)
    assert.are.equal("could not connect within 1 s (timeout)", err.message)
    assert.truthy(took < 3, took)
  end)

  it("turns a credentials provider that returns nothing, a non-table or raises into a config error", function()
    for _, get in ipairs({
      function() return nil end, function() return nil, "vault sealed" end, function() return "AK:SK" end,
      function() error("provider crashed") end, function() return { ak = 1, sk = "s" } end,
    }) do
      local provider = { where = "my vault", get = get }
      local kafka = assert(hw.kafka.new({ endpoint = emu.url, credentials = provider }))
      local res, err = kafka:create_connector_task({ instance_id = "i", body = named("p") })
      assert.is_nil(res)
      assert.are.equal("config", err.kind, tostring(err))
      assert.are.equal("credentials", err.field:match("^credentials"), tostring(err))
      assert.truthy(tostring(err):find("my vault", 1, true), tostring(err))
    end
  end)

  it("keeps reusing its buffers after a programmer error raised through a call", function()
    -- the state lends one scratch to each call; a raise while it is lent would leave it marked
    -- busy, and every later call would then allocate one of its own (about 380 bytes of Lua heap)
    local core = require("huaweicloud.core")
    local cfg = { endpoint = "https://dms.cn-north-4.myhuaweicloud.com", credentials = creds, date = "20261201T120000Z" }
    local params = { instance_id = X.instance_id, body = X.kafka[1].body }
    local function heap_growth()
      collectgarbage()
      collectgarbage("stop")
      local before = collectgarbage("count")
      for _ = 1, 1000 do assert(core.prepare("create_connector_task", cfg, params)) end
      local grew = collectgarbage("count") - before
      collectgarbage("restart")
      return grew
    end
    heap_growth()
    local clean = heap_growth()
    -- a table whose __index raises, read while the scratch may be lent
    local raising = setmetatable({ instance_id = X.instance_id, body = X.kafka[1].body }, { __index = function(_, k)
      error("raised reading " .. k)
    end })
    local raising_cred = { endpoint = cfg.endpoint, date = cfg.date, credentials = setmetatable({ ak = creds.ak,
      sk = creds.sk }, { __index = function(_, k) error("raised reading " .. k) end }) }
    for _, call in ipairs({
      function() return core.prepare("create_connector_task", cfg, "not a table") end,
      function() return core.wire("create_connector_task", "not a table", params) end,
      function() return core.create_connector_task(core.http_client({}), cfg, 42) end,
      function() return core.prepare("create_connector_task", cfg, raising) end,
      function() return core.prepare("create_connector_task", raising_cred, params) end,
      function() return core.create_connector_task(core.http_client({}), raising_cred, params) end,
    }) do
      local ok, err = pcall(call)
      assert.is_false(ok)
      assert.truthy(tostring(err):find("table expected", 1, true) or tostring(err):find("raised reading", 1, true),
        tostring(err))
    end
    local after = heap_growth()
    assert.truthy(after < clean * 1.08, ("heap growth per 1000 calls: %.0f KB before, %.0f KB after"):format(clean, after))
  end)

  it("refuses a path parameter of megabytes as a validation error, before libcurl sees it", function()
    local kafka = assert(hw.kafka.new({ endpoint = emu.url, credentials = creds }))
    local res, err = kafka:create_connector_task({ instance_id = ("i"):rep(3 * 1024 * 1024), body = named("big") })
    assert.is_nil(res)
    assert.are.equal("validation", err.kind)
    assert.are.equal("instance_id", err.field)
    assert.truthy(err.message:find("at most", 1, true), err.message)
  end)

  it("bounds the canonical-request diff of a hostile 8 MB signature error", function()
    local srv = fake.start({ { status = 401, body_rep = { '{"error_code":"APIGW.0301","error_msg":"verify aksk ' ..
      'signature fail, canonical request: POST|/v2/p1/instances/i/connector/tasks/|', "|x", 4 * 1024 * 1024, '"}' } } })
    finally(srv.stop)
    local code = ([[
      local hw = require("huaweicloud")
      local function hwm() return tonumber(io.open("/proc/self/status"):read("*a"):match("VmHWM:%%s*(%%d+)")) end
      local kafka = assert(hw.kafka.new({ endpoint = %q, credentials = { ak = "AKDIFF", sk = "SKDIFF", project_id = "p1" },
        max_body = 16 * 1024 * 1024 }))
      kafka:create_connector_task({ instance_id = "i", body = { task_name = "warm" } })
      local before = hwm()
      local _, err = kafka:create_connector_task({ instance_id = "i", body = { task_name = "t" } })
      io.write(err.code, " ", tostring(err.canonical_request_diff ~= nil), " ", hwm() - before)
    ]]):format(srv.url)
    local out = H.run_lua(code)
    local c, diff, grew = out:match("^(%S+) (%S+) (%d+)$")
    assert.are.equal("APIGW.0301", c, out)
    assert.are.equal("true", diff)
    print(("    401 diff of an 8 MB message: peak RSS +%d KB"):format(tonumber(grew)))
    -- ASan keeps freed memory in quarantine: its peak RSS says nothing about the diff
    if not H.sanitizer_env():find("asan", 1, true) then
      assert.truthy(tonumber(grew) < 64 * 1024, "the diff grew the process by " .. grew .. " KB")
    end
  end)
end)
