-- make bench: prints numbers; nothing here passes or fails on a timing.
--
-- Every comparison is interleaved: each of BENCH_ROUNDS rounds runs every side once, in turns
-- (the order alternating), and a row shows the median over rounds and the spread [min-max].
-- Times are CPU time (user + sys of the process doing the work), so a machine busy elsewhere
-- changes the figures less; throughput is wall time, as users see it.
--
--   prepare / masked dry run / core.mask / parse, beside a plain-C floor for prepare
--   end to end, sequential, against nginx (which reads the whole request before answering)
--     beside a raw libcurl C loop posting the same bytes; at once and after 2 ms
--   instructions per call (callgrind) of both, when valgrind is installed
--   create_many at concurrency 1, 4, 16 beside a plain sequential loop
--   create_many's retry path: 1,000 and 10,000 jobs that all fail once
--   inside nginx: the SDK's location beside a raw ngx.socket.tcp location, same upstream,
--     driven by wrk at 1 and 16 connections
--   peak RSS of a fresh process after 10,000 calls
--
-- BENCH_TREE=/path/to/another/checkout measures that checkout's build with this same bench
-- (the Makefile points LUA_PATH and LUA_CPATH at it): how the README's before/after is made.
local hw = require("huaweicloud")
local core = require("huaweicloud.core")
local X = require("spec.fixtures.examples")
local H = require("spec.support.helpers")

local ROUNDS = tonumber(os.getenv("BENCH_ROUNDS") or "") or 7
local TREE = os.getenv("BENCH_TREE") or "."
local LUA = os.getenv("BENCH_LUA") or "lua5.4"
local FLOOR, PFLOOR = "build/bench/curl_floor", "build/bench/prepare_floor"
local NGINX, MODULE = "/usr/sbin/nginx", "/usr/share/nginx/modules/ngx_http_lua_module.so"

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("*a")
  local ok = p:close()
  return out, ok == true or ok == 0
end

local function exists(path)
  local f = io.open(path)
  if f then f:close() end
  return f ~= nil
end

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local function tmpdir()
  local d = os.tmpname()
  os.remove(d)
  os.execute("mkdir -p " .. d .. " && chmod 755 " .. d)
  return d
end

-- ---- statistics ------------------------------------------------------------------------------

local function sorted(xs)
  local c = {}
  for i, v in ipairs(xs) do c[i] = v end
  table.sort(c)
  return c
end

local function median(xs)
  local c = sorted(xs)
  local n = #c
  if n == 0 then return 0 / 0 end
  if n % 2 == 1 then return c[(n + 1) / 2] end
  return (c[n / 2] + c[n / 2 + 1]) / 2
end

-- "12.3 [11.9-13.0]": the median and the spread over rounds, with fmt for each figure
local function ms(xs, fmt)
  local c = sorted(xs)
  return (fmt .. " [" .. fmt .. "-" .. fmt .. "]"):format(median(xs), c[1], c[#c])
end

-- Runs each side of `sides` ({ name = fn(round) -> value }) once per round, the order
-- alternating, and returns { name = { values } }.
local function interleave(names, sides, rounds)
  local out = {}
  for _, n in ipairs(names) do out[n] = {} end
  for r = 1, rounds or ROUNDS do
    local order = {}
    for i, n in ipairs(names) do order[r % 2 == 1 and i or (#names + 1 - i)] = n end
    for _, n in ipairs(order) do
      collectgarbage()
      local v = sides[n](r)
      if type(v) == "table" then
        for k, x in pairs(v) do
          out[n .. "." .. k] = out[n .. "." .. k] or {}
          table.insert(out[n .. "." .. k], x)
        end
      else
        table.insert(out[n], v)
      end
    end
  end
  return out
end

-- CPU seconds per call and wall seconds per call of fn(n)
local function cpu_wall(n, fn)
  local c0, t0 = os.clock(), core.clock()
  fn(n)
  return { cpu = (os.clock() - c0) / n, wall = (core.clock() - t0) / n }
end

local function ratios(a, b)
  local r = {}
  for i = 1, math.min(#a, #b) do r[i] = a[i] / b[i] end
  return r
end

local rows = {}
local function row(measure, result, note)
  rows[#rows + 1] = { measure, result, note or "" }
  io.stderr:write(("  %s: %s\n"):format(measure, result))
end

-- ---- the server: nginx, reading the whole request before it answers -----------------------------

local function start_nginx(conf, name, env, main)
  local prefix = tmpdir()
  os.execute("mkdir -p " .. prefix .. "/logs")
  local user = sh("id -u"):match("^0") and "user root;\n" or ""
  write(prefix .. "/nginx.conf", (user .. (main or "") .. [[
load_module /usr/share/nginx/modules/ndk_http_module.so;
load_module /usr/share/nginx/modules/ngx_http_lua_module.so;
worker_processes 1;
pid PREFIX/nginx.pid;
error_log PREFIX/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path PREFIX/body; proxy_temp_path PREFIX/proxy; fastcgi_temp_path PREFIX/fcgi;
  uwsgi_temp_path PREFIX/uwsgi; scgi_temp_path PREFIX/scgi;
  keepalive_requests 1000000;
  keepalive_timeout 300s;
  client_body_buffer_size 64k;
  lua_socket_log_errors off;
]] .. conf .. "\n}\n"):gsub("PREFIX", prefix))
  local out, ok = sh((env or "") .. " " .. NGINX .. " -p " .. prefix .. " -c " .. prefix .. "/nginx.conf -e " ..
    prefix .. "/logs/error.log")
  if not ok then error(name .. ": nginx did not start: " .. out) end
  os.execute("sleep 0.3")
  return { prefix = prefix, stop = function()
    sh(NGINX .. " -p " .. prefix .. " -c " .. prefix .. "/nginx.conf -s stop")
    os.execute("sleep 0.2; rm -rf " .. prefix)
  end }
end

if not (exists(NGINX) and exists(MODULE)) then
  io.stderr:write("make bench needs nginx-light and libnginx-mod-http-lua (make deps installs them)\n")
  os.exit(1)
end

local BODY = X.kafka_response:gsub("%s+", " ")
local PORT = H.free_port()
local upstream = start_nginx(([[
  server {
    listen 127.0.0.1:PORT;
    default_type application/json;
    location / { content_by_lua_block { ngx.req.read_body() ngx.header.content_length = LEN ngx.print(BODY) } }
    location /slow/ { content_by_lua_block {
      ngx.req.read_body() ngx.sleep(0.002) ngx.header.content_length = LEN ngx.print(BODY)
    } }
    location /fail/ { content_by_lua_block {
      ngx.req.read_body()
      local err = '{"error_code":"DMS.00503000","error_msg":"Service unavailable"}'
      ngx.status = 503
      ngx.header.content_length = #err
      ngx.print(err)
    } }
  }]]):gsub("PORT", PORT):gsub("LEN", #BODY):gsub("BODY", function() return "[==[" .. BODY .. "]==]" end), "upstream")
local URL = "http://127.0.0.1:" .. PORT

local CREDS = { ak = "BENCHAK000000001", sk = "bench-secret-key-000000000001", project_id = X.project_id }
local PARAMS = { instance_id = X.instance_id, body = X.kafka[1].body }
local OP = "create_connector_task"

local cpu0 = (function()
  local f = io.open("/proc/stat")
  local line = f and f:read("*l") or ""
  if f then f:close() end
  return line
end)()

local sections = {}
-- BENCH_ONLY=prepare,e2e,many,retry,nginx,rss runs those sections only
local ONLY = os.getenv("BENCH_ONLY")

-- ---- 1. prepare, masking, parse ----------------------------------------------------------------

sections[#sections + 1] = { "prepare", function()
  local N = 20000
  local cfg = { endpoint = "https://dms.cn-north-4.myhuaweicloud.com", credentials = CREDS, date = "20261201T120000Z" }
  local req = assert(core.prepare(OP, cfg, PARAMS))
  local client = assert(hw.kafka.new({ endpoint = cfg.endpoint, credentials = CREDS }))
  local revealed = assert(client:prepare(OP, PARAMS, { reveal = true }))
  local floor_auth
  local sides = {
    prepare = function() return cpu_wall(N, function(n) for _ = 1, n do core.prepare(OP, cfg, PARAMS) end end).cpu end,
    dry = function() return cpu_wall(N, function(n) for _ = 1, n do client:prepare(OP, PARAMS) end end).cpu end,
    mask = function() return cpu_wall(N, function(n) for _ = 1, n do core.mask(revealed) end end).cpu end,
    parse = function()
      return cpu_wall(N, function(n) for _ = 1, n do core.parse(OP, 200, {}, X.kafka_response) end end).cpu
    end,
    -- the same prepare with no request table: the HTTP bytes nginx sends (core.<op> likewise
    -- prepares straight into libcurl's buffers)
    wire = function() return cpu_wall(N, function(n) for _ = 1, n do core.wire(OP, cfg, PARAMS) end end).cpu end,
    -- core.parse's floor: the project reads JSON text with lua-cjson, then types it in place
    decode = function()
      local decode = require("cjson").decode
      return cpu_wall(N, function(n) for _ = 1, n do decode(X.kafka_response) end end).cpu
    end,
  }
  local names = { "prepare", "wire", "dry", "mask", "parse", "decode" }
  local bfile = os.tmpname()
  if exists(PFLOOR) then
    write(bfile, req.body)
    local path = req.url:match("^https://[^/]+(/[^?]*)")
    sides.floor = function()
      local out = sh(("%s %s %s %s %s %s %s %s %d"):format(PFLOOR, cfg.date, CREDS.ak, CREDS.sk,
        "dms.cn-north-4.myhuaweicloud.com", path, CREDS.project_id, bfile, N * 10))
      local ns, auth = out:match("^([%d.]+) (.-)\n")
      floor_auth = auth
      return tonumber(ns) / 1e9
    end
    names[#names + 1] = "floor"
  end
  sides = interleave(names, sides)
  os.remove(bfile)
  local us = function(xs) local o = {} for i, v in ipairs(xs) do o[i] = v * 1e6 end return o end
  row("core.prepare: validate + marshal + sign, Kafka OBS example", ms(us(sides.prepare), "%.2f") .. " µs CPU")
  if sides.floor then
    row("the same bytes and signature in plain C (libcrypto; spec/bench/prepare_floor.c)",
      ms(us(sides.floor), "%.2f") .. " µs CPU" .. (floor_auth == req.headers.Authorization and "" or
        " (its signature differs from the SDK's!)"))
  end
  row("core.wire: the same prepare as HTTP bytes, no request table", ms(us(sides.wire), "%.2f") .. " µs CPU")
  row("masked dry run: client:prepare without reveal", ms(us(sides.dry), "%.2f") .. " µs CPU")
  row("core.mask of that request", ms(us(sides.mask), "%.2f") .. " µs CPU")
  row("core.parse: the documented Kafka response", ms(us(sides.parse), "%.2f") .. " µs CPU")
  row("  lua-cjson's decode of that response alone (core.parse's floor)", ms(us(sides.decode), "%.2f") .. " µs CPU")
end }

-- ---- 2. end to end, sequential, beside the raw libcurl loop --------------------------------------

local function kafka_client(endpoint, extra)
  local opts = { endpoint = endpoint, credentials = CREDS }
  for k, v in pairs(extra or {}) do opts[k] = v end
  return assert(hw.kafka.new(opts))
end

local function sequential(client, n)
  for _ = 1, n do
    local task, err = client:create_connector_task(PARAMS)
    if not task then error(tostring(err)) end
  end
end

-- the floor's inputs: the SDK's own signed request, as files
local function floor_files(client)
  local req = assert(client:prepare(OP, PARAMS, { reveal = true }))
  local hfile, bfile = os.tmpname(), os.tmpname()
  local lines = {}
  for k, v in pairs(req.headers) do lines[#lines + 1] = k .. ": " .. v end
  write(hfile, table.concat(lines, "\n") .. "\n")
  write(bfile, req.body)
  return req.url, hfile, bfile
end

local function us_list(xs)
  local o = {}
  for i, v in ipairs(xs) do o[i] = v * 1e6 end
  return o
end

local function run_floor(env, url, hfile, bfile, n)
  local out = sh(("%s%s %s %s %s %d"):format(env, FLOOR, url, hfile, bfile, n))
  local rate, cpu = out:match("^([%d.]+) ([%d.]+)")
  if not rate then error("curl_floor: " .. out) end
  return { rate = tonumber(rate), cpu = tonumber(cpu) / 1e6 }
end

local function against(endpoint, label, n)
  local client = kafka_client(endpoint)
  sequential(client, math.min(200, n))
  local url, hfile, bfile = floor_files(client)
  local req = assert(client:prepare(OP, PARAMS, { reveal = true }))
  local cfg = assert(client:config())
  local res = interleave({ "sdk", "floor", "floor_opts", "transport", "coreop" }, {
    sdk = function()
      local r = cpu_wall(n, function(k) sequential(client, k) end)
      return { rate = 1 / r.wall, cpu = r.cpu }
    end,
    -- the SDK's libcurl transport alone: an already prepared request, sent; nothing prepared or parsed
    transport = function()
      local http = client:http()
      local r = cpu_wall(n, function(k)
        for _ = 1, k do assert(http:send(req)) end
      end)
      return { rate = 1 / r.wall, cpu = r.cpu }
    end,
    -- the path every client call takes below the Lua client: core.<op> (prepare, send, parse in C)
    coreop = function()
      local http, op = client:http(), hw.core[OP]
      local r = cpu_wall(n, function(k)
        for _ = 1, k do assert(op(http, cfg, PARAMS)) end
      end)
      return { rate = 1 / r.wall, cpu = r.cpu }
    end,
    floor = function() return run_floor("", url, hfile, bfile, n) end,
    -- the same loop with the libcurl options the SDK's transport sets (timeouts, a header callback,
    -- the send-once guard): libcurl's own share of the transport's cost
    floor_opts = function() return run_floor("FLOOR_SDK_OPTIONS=1 ", url, hfile, bfile, n) end,
  })
  client:close()
  row("end to end, sequential, " .. label .. ": SDK", ms(res["sdk.rate"], "%.0f") .. " calls/s, " ..
    ms((function() local o = {} for i, v in ipairs(res["sdk.cpu"]) do o[i] = v * 1e6 end return o end)(), "%.1f") ..
    " µs CPU/call")
  row("  raw libcurl C loop, same bytes, one handle (spec/bench/curl_floor.c)", ms(res["floor.rate"], "%.0f") ..
    " calls/s, " ..
    ms((function() local o = {} for i, v in ipairs(res["floor.cpu"]) do o[i] = v * 1e6 end return o end)(), "%.1f") ..
    " µs CPU/call")
  row("  the loop with the SDK's libcurl options (timeouts, header callback, send-once guard), " .. label,
    ms(us_list(res["floor_opts.cpu"]), "%.1f") .. " µs CPU/call, " ..
    ms(ratios(res["floor_opts.cpu"], res["floor.cpu"]), "%.2f") .. "x the loop")
  row("  SDK / loop, " .. label, "throughput " .. ms(ratios(res["sdk.rate"], res["floor.rate"]), "%.3f") ..
    ", CPU per call " .. ms(ratios(res["sdk.cpu"], res["floor.cpu"]), "%.2f") .. "x")
  row("  core." .. OP .. " (prepare + libcurl + parse in one C call), " .. label, ms(us_list(res["coreop.cpu"]), "%.1f") ..
    " µs CPU/call, " .. ms(ratios(res["coreop.cpu"], res["floor.cpu"]), "%.2f") .. "x the loop")
  row("  the transport alone (a prepared request sent), " .. label, ms(us_list(res["transport.cpu"]), "%.1f") ..
    " µs CPU/call, " .. ms(ratios(res["transport.cpu"], res["floor.cpu"]), "%.2f") .. "x the loop")
  return url, hfile, bfile
end

sections[#sections + 1] = { "e2e", function()
  local url, hfile, bfile = against(URL, "server answering at once", 3000)
  against(URL .. "/slow", "server answering after 2 ms", 300)

  -- instructions per call, by callgrind (repeatable whatever else the machine does); OpenSSL takes
  -- a slower SHA-256 path under valgrind, which has no SHA extensions: both sides alike
  if exists("/usr/bin/valgrind") and os.getenv("BENCH_CALLGRIND") ~= "0" then
    local function instructions(cmd)
      local out = sh("valgrind --tool=callgrind --callgrind-out-file=/dev/null " .. cmd)
      return tonumber((out:match("Collected : (%d+)")))
    end
    local script = os.tmpname()
    write(script, ([[
      local hw = require("huaweicloud")
      local X = require("spec.fixtures.examples")
      local k = assert(hw.kafka.new({ endpoint = %q, credentials = { ak = "BENCHAK000000001",
        sk = "bench-secret-key-000000000001", project_id = X.project_id } }))
      for _ = 1, 50 + tonumber(arg[1]) do
        assert(k:create_connector_task({ instance_id = X.instance_id, body = X.kafka[1].body }))
      end
    ]]):format(URL))
    local A, B = 200, 1200
    local sdk_a, sdk_b = instructions(LUA .. " " .. script .. " " .. A), instructions(LUA .. " " .. script .. " " .. B)
    local fl_a = instructions(("%s %s %s %s %d 50"):format(FLOOR, url, hfile, bfile, A))
    local fl_b = instructions(("%s %s %s %s %d 50"):format(FLOOR, url, hfile, bfile, B))
    os.remove(script)
    if sdk_a and sdk_b and fl_a and fl_b then
      local s, f = (sdk_b - sdk_a) / (B - A), (fl_b - fl_a) / (B - A)
      row("instructions per call (callgrind), SDK vs raw libcurl loop", ("%.0fk vs %.0fk (%.2fx)"):format(s / 1e3,
        f / 1e3, s / f))
    end
  end
  os.remove(hfile)
  os.remove(bfile)
end }

-- ---- 3. create_many beside a plain loop ------------------------------------------------------------

sections[#sections + 1] = { "many", function()
  local client = kafka_client(URL)
  sequential(client, 200)
  local B = 2000
  local list = {}
  for i = 1, B do list[i] = PARAMS end
  local function many(conc)
    return function()
      local t0 = core.clock()
      local results = client:create_many(OP, list, { concurrency = conc })
      for i = 1, #results do
        if not results[i][1] then error(tostring(results[i][2])) end
      end
      return B / (core.clock() - t0)
    end
  end
  -- the loop a user writes to get what create_many returns: every { result, meta }, in order
  local function loop()
    local t0, out = core.clock(), {}
    for i = 1, B do
      local task, meta = client:create_connector_task(list[i])
      if not task then error(tostring(meta)) end
      out[i] = { task, meta }
    end
    local rate = B / (core.clock() - t0)
    return #out == B and rate or error("lost results")
  end
  local res = interleave({ "loop", "c1", "c4", "c16" }, {
    loop = loop,
    c1 = many(1), c4 = many(4), c16 = many(16),
  })
  row("plain loop of create_connector_task keeping every { result, meta }, server answering at once",
    ms(res.loop, "%.0f") .. " calls/s")
  for _, c in ipairs({ "1", "4", "16" }) do
    row("  create_many, concurrency " .. c, ms(res["c" .. c], "%.0f") .. " calls/s, " ..
      ms(ratios(res["c" .. c], res.loop), "%.2f") .. "x the loop")
  end
  client:close()
end }

-- ---- 4. create_many's retry path -------------------------------------------------------------------

sections[#sections + 1] = { "retry", function()
  -- every job fails with 503 and is retried once after up to 0.2 s: the retry queue holds many
  -- no retry budget: every job is retried (the budget would stop retries against a failing service)
  local client = kafka_client(URL .. "/fail", { retries = 1, retry_base = 0.2, retry_max = 0.2, retry_budget = false })
  local function failing(n)
    local list = {}
    for i = 1, n do list[i] = PARAMS end
    return function()
      local c0 = os.clock()
      local results = client:create_many(OP, list, { concurrency = 16 })
      for i = 1, n do
        local err = results[i][2]
        if results[i][1] or err.status ~= 503 or err.attempts ~= 2 then error("unexpected: " .. tostring(err)) end
      end
      return (os.clock() - c0) / n
    end
  end
  local res = interleave({ "k1", "k10" }, { k1 = failing(1000), k10 = failing(10000) }, math.min(ROUNDS, 3))
  local us = function(xs) local o = {} for i, v in ipairs(xs) do o[i] = v * 1e6 end return o end
  row("create_many retry path (all fail once, then again): CPU per job, 1,000 jobs", ms(us(res.k1), "%.0f") .. " µs")
  row("  the same, 10,000 jobs", ms(us(res.k10), "%.0f") .. " µs")
  client:close()
end }

-- ---- 5. inside nginx ---------------------------------------------------------------------------

local function wrk(path, conns, seconds)
  local out = sh(("wrk -t1 -c%d -d%ds http://127.0.0.1:%d%s"):format(conns, seconds, path[1], path[2]))
  local rate = tonumber(out:match("Requests/sec:%s*([%d.]+)"))
  if not rate or out:find("Non%-2xx") then error("wrk: " .. out) end
  return rate
end

sections[#sections + 1] = { "nginx", function()
  if exists("/usr/bin/wrk") then
    local cport = H.free_port()
    local root = sh("pwd"):gsub("%s+$", "")
    local client_ngx = start_nginx(([[
    lua_package_path "TREE/lua/?.lua;TREE/lua/?/init.lua;ROOT/?.lua;;";
    lua_package_cpath "TREE/build/luajit/?.so;;";
    server {
      listen 127.0.0.1:CPORT;
      location = /sdk { content_by_lua_block { require("spec.bench.ngx_app").sdk() } }
      location = /raw { content_by_lua_block { require("spec.bench.ngx_app").raw() } }
    }]]):gsub("TREE", TREE):gsub("ROOT", root):gsub("CPORT", cport), "client", "BENCH_UPSTREAM=" .. URL,
      "env BENCH_UPSTREAM;\n")
    local ok, err = pcall(function()
      for _, path in ipairs({ "/sdk", "/raw" }) do
        local out = sh(("curl -s -w ' %%{http_code}' http://127.0.0.1:%d%s"):format(cport, path))
        if not out:match(" 200$") then error(path .. ": " .. out, 0) end
      end
      wrk({ cport, "/sdk" }, 1, 1)
      wrk({ cport, "/raw" }, 1, 1)
      local res = interleave({ "sdk1", "raw1", "sdk16", "raw16" }, {
        sdk1 = function() return wrk({ cport, "/sdk" }, 1, 2) end,
        raw1 = function() return wrk({ cport, "/raw" }, 1, 2) end,
        sdk16 = function() return wrk({ cport, "/sdk" }, 16, 2) end,
        raw16 = function() return wrk({ cport, "/raw" }, 16, 2) end,
      }, math.min(ROUNDS, 5))
      for _, c in ipairs({ "1", "16" }) do
        row("inside nginx, " .. c .. " connection(s): SDK location / raw ngx.socket.tcp location",
          ms(ratios(res["sdk" .. c], res["raw" .. c]), "%.3f") .. " (" .. ms(res["sdk" .. c], "%.0f") .. " vs " ..
          ms(res["raw" .. c], "%.0f") .. " requests/s)")
      end
    end)
    if not ok then
      local log = io.open(client_ngx.prefix .. "/logs/error.log")
      err = err .. "\n" .. (log and log:read("*a"):sub(-2000) or "")
    end
    client_ngx.stop()
    if not ok then error(err, 0) end
  else
    row("inside nginx", "not measured: wrk is not installed (make bench installs it as root)")
  end
end }

-- ---- 6. peak RSS of a fresh process after 10,000 calls -----------------------------------------------

sections[#sections + 1] = { "rss", function()
  local script = os.tmpname()
  write(script, ([[
    local hw = require("huaweicloud")
    local X = require("spec.fixtures.examples")
    local k = assert(hw.kafka.new({ endpoint = %q, credentials = { ak = "BENCHAK000000001",
      sk = "bench-secret-key-000000000001", project_id = X.project_id } }))
    for _ = 1, 10000 do assert(k:create_connector_task({ instance_id = X.instance_id, body = X.kafka[1].body })) end
    local s = io.open("/proc/self/status"):read("*a")
    print(s:match("VmHWM:%%s*(%%d+)"), s:match("VmRSS:%%s*(%%d+)"))
  ]]):format(URL))
  local hwm, rss = {}, {}
  for r = 1, 3 do
    local out = sh(LUA .. " " .. script)
    local a, b = out:match("^(%d+)%s+(%d+)")
    if not a then error("rss: " .. out) end
    hwm[r], rss[r] = tonumber(a) / 1024, tonumber(b) / 1024
  end
  os.remove(script)
  row("peak RSS of a fresh Lua process after 10,000 calls", ms(hwm, "%.1f") .. " MB (VmHWM; VmRSS at the end " ..
    ms(rss, "%.1f") .. " MB)")
end }

local ok, err = xpcall(function()
  for _, sec in ipairs(sections) do
    if not ONLY or ("," .. ONLY .. ","):find("," .. sec[1] .. ",", 1, true) then sec[2]() end
  end
end, debug.traceback)
upstream.stop()
if not ok then error(err, 0) end

-- ---- the report ------------------------------------------------------------------------------------

local function steal()
  local f = io.open("/proc/stat")
  local line = f and f:read("*l") or ""
  if f then f:close() end
  local a, b = {}, {}
  for v in cpu0:gmatch("%d+") do a[#a + 1] = tonumber(v) end
  for v in line:gmatch("%d+") do b[#b + 1] = tonumber(v) end
  local total = 0
  for i = 1, math.min(#b, 8) do total = total + (b[i] - (a[i] or 0)) end
  return total > 0 and ((b[8] or 0) - (a[8] or 0)) / total * 100 or 0
end

local cpu = sh("grep -m1 'model name' /proc/cpuinfo"):match(":%s*(.-)%s*$") or "?"
local sha = sh("grep -m1 -o -w sha_ni /proc/cpuinfo"):match("sha_ni") and "SHA-NI" or "no SHA extensions"
print(("\nhuaweicloud-sdk-lua %s, make bench: %s, libcurl %s, %s; %s (%s), %s cores; %d rounds, " ..
  "median [min-max]; CPU steal during the run %.1f%%\n"):format(hw.version,
  _VERSION .. (type(jit) == "table" and (" (" .. jit.version .. ")") or ""),
  (sh("curl-config --version"):match("[%d.]+") or "?"), (sh("openssl version"):match("OpenSSL [%d.]+") or "OpenSSL"),
  cpu, sha, (sh("nproc"):match("%d+") or "?"), ROUNDS, steal()))
print("| measure | result |")
print("| --- | --- |")
for _, r in ipairs(rows) do print("| " .. r[1] .. " | " .. r[2] .. " |") end
