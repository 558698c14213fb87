-- The SDK inside a real nginx (Debian nginx-light + libnginx-mod-http-lua, OpenResty's LuaJIT):
-- the README's nginx.conf, started on 127.0.0.1 with its own prefix, creating tasks on the
-- emulator through cosockets, asserted from outside with curl.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")

local NGINX = "/usr/sbin/nginx"
local MODULE = "/usr/share/nginx/modules/ngx_http_lua_module.so"

local function have_nginx()
  local f = io.open(MODULE)
  if f then f:close() end
  return f ~= nil and io.open(NGINX) ~= nil
end

local function free_port()
  local socket = require("socket")
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  return port
end

local function curl(url)
  local out = H.sh("curl -s -o - -w '\\n%{http_code}' " .. H.q(url))
  local body, code = out:match("^(.*)\n(%d+)$")
  return tonumber(code), body
end

describe("inside nginx", function()
  if not have_nginx() then
    pending("nginx with the Lua module is not installed (make deps installs it)")
    return
  end

  local emu, tls_emu, tls_emu2, pki, prefix, port
  setup(function()
    local out, ok = H.sh("make -s LUA=luajit 2>&1")
    assert(ok, out)
    emu = hw.emulator.start()
    pki = H.make_ca()
    tls_emu = hw.emulator.start({ tls = { certificate = pki.cert, key = pki.key } })
    -- another port, so the untrusted location cannot reuse the trusted one's pooled connection
    tls_emu2 = hw.emulator.start({ tls = { certificate = pki.cert, key = pki.key } })
    prefix = H.tmpname()
    os.execute("mkdir -p " .. prefix .. "/logs && chmod 755 " .. prefix)
    port = free_port()
    local root = H.sh("pwd"):gsub("%s+$", "")
    -- the README's configuration, pointed at this checkout, a free port and the emulator
    local conf = H.read("README.md"):match("```nginx\n(.-)```")
    conf = conf:gsub("/opt/huaweicloud%-sdk%-lua", root)
      :gsub("listen 8080;", "listen 127.0.0.1:" .. port .. ";")
      :gsub('region = "cn%-north%-4"', 'endpoint = "' .. emu.url .. '"')
    -- what a test run needs around it: its own pid, logs and temp folders; root's workers
    local head = "pid " .. prefix .. "/nginx.pid;\nerror_log " .. prefix .. "/logs/error.log;\nworker_processes 1;\n"
    if H.sh("id -u"):match("^0") then head = head .. "user root;\n" end
    local temps = ("access_log %s/logs/access.log;\nclient_body_temp_path %s/body;\nproxy_temp_path %s/proxy;\n" ..
      "fastcgi_temp_path %s/fcgi;\nuwsgi_temp_path %s/uwsgi;\nscgi_temp_path %s/scgi;\n"):gsub("%%s", prefix)
    -- extra locations for the checks below, added to the README's server
    local extra = [[
    location = /kafka {
      content_by_lua_block {
        local hw = require("huaweicloud")
        local cjson = require("cjson")
        local kafka = assert(hw.kafka.new({ endpoint = "EMU" }))
        local task, meta = kafka:create_connector_task({ instance_id = "i-1", body = hw.kafka.redis_replication_task({
          task_name = "r1", topics = "t",
          source_task = { redis_address = "10.0.0.2:6379", redis_type = "standalone", sync_mode = "RDB_ONLY" },
          sink_task = { redis_address = "10.0.0.3:6379", redis_type = "cluster", redis_password = "rp-NGX" } }) })
        ngx.say(cjson.encode({ id = task and task.id, create_time = task and task.create_time,
          err = not task and tostring(meta) or nil, transport = kafka.transport.name, curl = kafka.http_client ~= nil }))
      }
    }
    location = /many {
      content_by_lua_block {
        local hw = require("huaweicloud")
        local dis = assert(hw.dis.new({ endpoint = "EMU" }))
        local list = {}
        for i = 1, 12 do
          list[i] = { stream_name = i == 5 and "" or ("many-" .. i),
            body = hw.dis.obs_transfer_task({ task_name = "t" .. i, agency_name = "a", obs_bucket_path = "b" }) }
        end
        local seen = 0
        local results = dis:create_many("create_obs_transfer_task", list, { concurrency = 4,
          on_progress = function() seen = seen + 1 end })
        local out = {}
        for i = 1, #results do out[i] = results[i][1] and tostring(results[i][2].status) or results[i][2].kind end
        ngx.say(table.concat(out, ","), " progress=", seen, " curl=", tostring(dis.http_client ~= nil))
      }
    }
    location = /meta {
      content_by_lua_block {
        -- one client per worker, shared by every request: the metadata refresh must run once
        local shared = package.loaded["spec.ngx.meta_client"]
        if not shared then
          local hw = require("huaweicloud")
          local ngx_transport = require("huaweicloud.transport.ngx")
          local provider = hw.credentials.metadata.new({ endpoint = "EMU", sleep = ngx.sleep,
            send = function(req) return ngx_transport.send({ timeout = 3 }, req) end })
          shared = assert(hw.dis.new({ region = "cn-north-4", endpoint = "EMU", iam_endpoint = "EMU",
            credentials = provider }))
          package.loaded["spec.ngx.meta_client"] = shared
        end
        local ok, meta = shared:create_obs_transfer_task({ stream_name = "meta",
          body = require("huaweicloud").dis.obs_transfer_task({ task_name = "t", agency_name = "a", obs_bucket_path = "b" }) })
        ngx.say(ok and meta.status or tostring(meta))
      }
    }
    location = /set-phase {
      set_by_lua_block $phase_result {
        local hw = require("huaweicloud")
        local dis = assert(hw.dis.new({ endpoint = "EMU" }))
        local _, err = dis:create_obs_transfer_task({ stream_name = "s", body = {} })
        return tostring(err)
      }
      return 200 $phase_result;
    }
    location = /tls {
      lua_ssl_trusted_certificate CA;
      content_by_lua_block {
        local hw = require("huaweicloud")
        local dis = assert(hw.dis.new({ endpoint = "TLSEMU" }))
        local ok, meta = dis:create_obs_transfer_task({ stream_name = "s",
          body = hw.dis.obs_transfer_task({ task_name = "t", agency_name = "a", obs_bucket_path = "b" }) })
        ngx.say(ok and ("created " .. meta.status) or tostring(meta))
      }
    }
    location = /tls-untrusted {
      content_by_lua_block {
        local hw = require("huaweicloud")
        local dis = assert(hw.dis.new({ endpoint = "UNTRUSTED" }))
        local ok, meta = dis:create_obs_transfer_task({ stream_name = "s",
          body = hw.dis.obs_transfer_task({ task_name = "t", agency_name = "a", obs_bucket_path = "b" }) })
        ngx.say(ok and "created" or (meta.kind .. " " .. tostring(meta)))
      }
    }
]]
    extra = extra:gsub("UNTRUSTED", tls_emu2.url):gsub("TLSEMU", tls_emu.url):gsub("EMU", emu.url):gsub("CA;", pki.ca .. ";")
    conf = conf:gsub("events {}", "events {}\n"):gsub("http {\n", "http {\n" .. temps, 1)
    conf = conf:gsub("(location = /dump%-task)", function(l) return extra .. "    " .. l end, 1)
    H.write(prefix .. "/nginx.conf", head .. conf)
    local env = ("HUAWEICLOUD_SDK_AK=%s HUAWEICLOUD_SDK_SK=%s HUAWEICLOUD_SDK_PROJECT_ID=p-ngx"):format(
      H.q(emu.ak), H.q(emu.sk))
    local started
    out, started = H.sh("env " .. env .. " " .. NGINX .. " -p " .. prefix .. " -c " .. prefix .. "/nginx.conf -e " ..
      prefix .. "/logs/error.log 2>&1")
    assert(started, out .. "\n" .. (H.read(prefix .. "/logs/error.log")))
    -- wait for the listener
    for _ = 1, 50 do
      if curl("http://127.0.0.1:" .. port .. "/nothing") ~= 0 then break end
      os.execute("sleep 0.1")
    end
  end)

  teardown(function()
    if prefix then
      H.sh(NGINX .. " -p " .. prefix .. " -c " .. prefix .. "/nginx.conf -e " .. prefix .. "/logs/error.log -s stop 2>&1")
      os.execute("sleep 0.2; rm -rf " .. prefix)
    end
    if emu then emu:stop() end
    if tls_emu then tls_emu:stop() end
    if tls_emu2 then tls_emu2:stop() end
    if pki then os.execute("rm -rf " .. pki.dir) end
  end)

  it("runs the README's location: a DIS task created through cosockets", function()
    local code, body = curl("http://127.0.0.1:" .. port .. "/dump-task?stream=from-nginx")
    assert.are.equal(201, code, body)
    local res = require("cjson").decode(body)
    assert.are.equal(201, res.status)
    local tasks = emu:tasks().dis
    assert.are.equal("from-nginx", tasks[#tasks].stream_name)
  end)

  it("creates a Kafka task with the cosocket transport, never libcurl, on pooled connections", function()
    local before = emu:stats()
    for _ = 1, 8 do
      local code, body = curl("http://127.0.0.1:" .. port .. "/kafka")
      assert.are.equal(200, code)
      local res = require("cjson").decode(body)
      assert.is_string(res.id, body)
      assert.are.equal("ngx", res.transport)
      assert.is_false(res.curl)
      assert.are.equal(1708427753133 > 0 and "number" or "", type(res.create_time))
      assert.is_nil(body:find("rp-NGX", 1, true))
    end
    local after = emu:stats()
    assert.are.equal(8, after.kafka_tasks - before.kafka_tasks)
    -- one worker, one pooled connection: at most one new one (none if the pool had it already)
    assert.is_true(after.all_connections - before.all_connections <= 1)
    assert.are.equal(0, after.rejected_signatures)
  end)

  it("creates many at once on light threads, in order", function()
    local code, body = curl("http://127.0.0.1:" .. port .. "/many")
    assert.are.equal(200, code)
    assert.are.equal("201,201,201,201,validation,201,201,201,201,201,201,201 progress=12 curl=false\n", body)
  end)

  it("refreshes metadata credentials once for concurrent requests sharing a client", function()
    emu:reset()
    local out = H.sh("seq 16 | xargs -P 8 -I{} curl -s http://127.0.0.1:" .. port .. "/meta")
    local n = 0
    for line in out:gmatch("[^\n]+") do
      assert.are.equal("201", line)
      n = n + 1
    end
    assert.are.equal(16, n)
    local s = emu:stats()
    assert.are.equal(1, s.metadata_calls)
    assert.are.equal(1, s.iam_calls)
    assert.are.equal(16, s.dis_tasks)
    assert.are.equal(0, s.rejected_signatures)
  end)

  it("says clearly that a phase without cosockets cannot send, instead of blocking", function()
    local code, body = curl("http://127.0.0.1:" .. port .. "/set-phase")
    assert.are.equal(200, code)
    assert.truthy(body:find("config error: cannot send from nginx phase 'set'", 1, true), body)
  end)

  it("verifies TLS: works with lua_ssl_trusted_certificate, a tls error without", function()
    local code, body = curl("http://127.0.0.1:" .. port .. "/tls")
    assert.are.equal(200, code)
    assert.truthy(body:find("created 201", 1, true), body)
    code, body = curl("http://127.0.0.1:" .. port .. "/tls-untrusted")
    assert.are.equal(200, code)
    assert.truthy(body:find("^tls "), body)
  end)

  it("leaves no Lua error in nginx's error log", function()
    local log = H.read(prefix .. "/logs/error.log")
    assert.is_nil(log:find("lua entry thread aborted", 1, true), log)
    assert.is_nil(log:find("rp-NGX", 1, true))
  end)
end)
