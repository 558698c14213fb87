-- make bench: prints numbers; nothing here passes or fails on a timing.
--   1. prepare (validate + marshal + sign) of the Kafka OBS-dump example
--   2. parse of the documented Kafka response
--   3. create_connector_task end to end against a fast local server (nginx-light answering the
--      documented response; the emulator if nginx is absent), beside a raw libcurl C loop
--      posting the same prebuilt request on one reused handle: the floor
--   4. create_many at concurrency 1, 4 and 16
--   5. peak RSS of this process after 10,000 calls
-- Each timing is the median of RUNS runs (best in brackets): the machine may be shared.
local hw = require("huaweicloud")
local core = require("huaweicloud.core")
local X = require("spec.fixtures.examples")

local RUNS = tonumber(os.getenv("BENCH_RUNS") or "") or 5
local FLOOR = os.getenv("BENCH_FLOOR") or "build/bench/curl_floor"

local function sh(cmd)
  local p = assert(io.popen(cmd .. " 2>&1"))
  local out = p:read("*a")
  local ok = p:close()
  return out, ok == true or ok == 0
end

local function write(path, data)
  local f = assert(io.open(path, "wb"))
  f:write(data)
  f:close()
end

local function median_best(xs)
  table.sort(xs)
  return xs[math.floor((#xs + 1) / 2)], xs[1]
end

-- seconds per call of fn over n calls (median, best over RUNS), and CPU seconds per call
local function time_per_call(n, fn)
  local walls, cpus = {}, {}
  for _ = 1, RUNS do
    collectgarbage()
    local c0, t0 = os.clock(), core.clock()
    fn(n)
    walls[#walls + 1] = (core.clock() - t0) / n
    cpus[#cpus + 1] = (os.clock() - c0) / n
  end
  local w, wb = median_best(walls)
  return w, wb, (median_best(cpus))
end

local function vm_kb(field)
  local f = io.open("/proc/self/status")
  local s = f and f:read("*a") or ""
  if f then f:close() end
  return tonumber(s:match(field .. ":%s*(%d+)")) or 0
end

-- ---- a fast server -------------------------------------------------------------------------
local function start_nginx()
  if not io.open("/usr/sbin/nginx") then return nil end
  local prefix = os.tmpname()
  os.remove(prefix)
  os.execute("mkdir -p " .. prefix .. "/logs && chmod 755 " .. prefix)
  local socket = require("socket")
  local s = assert(socket.bind("127.0.0.1", 0))
  local _, port = s:getsockname()
  s:close()
  local body = X.kafka_response:gsub("%s+", " ")
  local user = sh("id -u"):match("^0") and "user root;\n" or ""
  local lua_module = io.open("/usr/share/nginx/modules/ngx_http_lua_module.so") and
    "load_module /usr/share/nginx/modules/ndk_http_module.so;\nload_module /usr/share/nginx/modules/ngx_http_lua_module.so;\n"
    or ""
  write(prefix .. "/nginx.conf", (user .. lua_module .. [[
worker_processes 2;
pid PREFIX/nginx.pid;
error_log PREFIX/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path PREFIX/body; proxy_temp_path PREFIX/proxy; fastcgi_temp_path PREFIX/fcgi;
  uwsgi_temp_path PREFIX/uwsgi; scgi_temp_path PREFIX/scgi;
  keepalive_requests 1000000;
  server {
    listen 127.0.0.1:PORT;
    location / { default_type application/json; return 200 'BODY'; }
    location /slow/ { default_type application/json; SLOW }
  }
}
]]):gsub("PREFIX", prefix):gsub("PORT", port):gsub("SLOW", lua_module ~= "" and
    "content_by_lua_block { ngx.sleep(0.002) ngx.print([==[BODY]==]) }" or "return 200 'BODY';")
    :gsub("BODY", function() return body end))
  local out, ok = sh("/usr/sbin/nginx -p " .. prefix .. " -c " .. prefix .. "/nginx.conf -e " .. prefix .. "/logs/error.log")
  if not ok then
    io.stderr:write("nginx did not start: " .. out .. "\n")
    return nil
  end
  os.execute("sleep 0.3")
  return { url = "http://127.0.0.1:" .. port, slow = lua_module ~= "", name = "nginx-light", stop = function()
    sh("/usr/sbin/nginx -p " .. prefix .. " -c " .. prefix .. "/nginx.conf -s stop")
    os.execute("sleep 0.2; rm -rf " .. prefix)
  end }
end

-- CPU time the hypervisor took from this machine (steal), to judge how noisy the numbers are
local function cpu_times()
  local f = io.open("/proc/stat")
  local line = f and f:read("*l") or ""
  if f then f:close() end
  local v = {}
  for n in line:gmatch("%d+") do v[#v + 1] = tonumber(n) end
  local total = 0
  for i = 1, math.min(#v, 8) do total = total + v[i] end
  return total, v[8] or 0
end
local total0, steal0 = cpu_times()

local server = start_nginx()
local emu
if not server then
  emu = hw.emulator.start()
  server = { url = emu.url, name = "the emulator (nginx not installed)", stop = function() emu:stop() end }
end
local creds = { ak = emu and emu.ak or "BENCHAK000000001", sk = emu and emu.sk or "bench-secret-key-000000000001",
  project_id = X.project_id }

local rows = {}
local function row(measure, result, target)
  rows[#rows + 1] = { measure, result, target }
end

-- 1. prepare
local cfg = { endpoint = "https://dms.cn-north-4.myhuaweicloud.com", credentials = creds }
local params = { instance_id = X.instance_id, body = X.kafka[1].body }
local w, wb = time_per_call(100000, function(n)
  for _ = 1, n do core.prepare("create_connector_task", cfg, params) end
end)
row("prepare: validate + marshal + sign, Kafka OBS dump", string.format("%.2f µs/op [%.2f], %.0f ops/s", w * 1e6, wb * 1e6, 1 / w),
  "≤ 5 µs/op")

-- 2. parse
w, wb = time_per_call(100000, function(n)
  for _ = 1, n do core.parse("create_connector_task", 200, {}, X.kafka_response) end
end)
row("parse: the documented Kafka response", string.format("%.2f µs/op [%.2f], %.0f ops/s", w * 1e6, wb * 1e6, 1 / w), "")

-- 3 and 4, against an endpoint: end to end beside the floor, then create_many
local kafka
local function sequential(n)
  for _ = 1, n do
    local task, err = kafka:create_connector_task(params)
    if not task then error(tostring(err)) end
  end
end

local function against(endpoint, label, n, batch)
  kafka = assert(hw.kafka.new({ endpoint = endpoint, credentials = creds }))
  sequential(math.min(200, n)) -- warm: connection, caches
  local e2e, e2e_best, cpu = time_per_call(n, sequential)
  local floor_line, ratio = "(floor not built)", nil
  if io.open(FLOOR) then
    local req = assert(kafka:prepare("create_connector_task", params, { reveal = true }))
    local hfile, bfile = os.tmpname(), os.tmpname()
    local lines = {}
    for k, v in pairs(req.headers) do lines[#lines + 1] = k .. ": " .. v end
    write(hfile, table.concat(lines, "\n") .. "\n")
    write(bfile, req.body)
    local rates, fcpus = {}, {}
    for _ = 1, RUNS do
      local out = sh(FLOOR .. " " .. req.url .. " " .. hfile .. " " .. bfile .. " " .. n)
      local rate, fc = out:match("^([%d.]+) ([%d.]+)")
      rates[#rates + 1], fcpus[#fcpus + 1] = tonumber(rate), tonumber(fc)
    end
    os.remove(hfile)
    os.remove(bfile)
    table.sort(rates, function(a, b) return a > b end)
    local frate, fbest = rates[math.floor((#rates + 1) / 2)], rates[1]
    ratio = (1 / e2e) / frate
    floor_line = string.format("%.0f calls/s [%.0f], %.1f µs CPU/call", frate, fbest, (median_best(fcpus)))
  end
  row("end to end, sequential, " .. label, string.format("%.0f calls/s [%.0f], %.1f µs CPU/call (user+sys)",
    1 / e2e, 1 / e2e_best, cpu * 1e6), "")
  row("raw libcurl C loop, same request, one handle (floor), " .. label, floor_line, "")
  row("SDK / floor, " .. label, ratio and string.format("%.0f%%", ratio * 100) or "n/a", "≥ 90%")
  local seq_rate
  for _, conc in ipairs({ 1, 4, 16 }) do
    local list = {}
    for i = 1, batch do list[i] = params end
    local per = time_per_call(1, function()
      local results = kafka:create_many("create_connector_task", list, { concurrency = conc })
      for i = 1, #results do
        if not results[i][1] then error(tostring(results[i][2])) end
      end
    end)
    local rate = batch / per
    seq_rate = seq_rate or rate
    row("create_many, concurrency " .. conc .. ", " .. label, string.format("%.0f calls/s (x%.1f)", rate, rate / seq_rate),
      conc == 16 and "≥ 2x concurrency 1" or "")
  end
end

against(server.url, "server answering at once", 5000, 2000)
if server.slow then against(server.url .. "/slow", "server answering after 2 ms", 300, 400) end

-- 5. RSS after 10,000 calls
sequential(10000)
row("peak RSS of this Lua process after 10,000 more calls", string.format("%.1f MB (VmHWM; VmRSS now %.1f MB)",
  vm_kb("VmHWM") / 1024, vm_kb("VmRSS") / 1024), "≤ 20 MB")

kafka:close()
server.stop()

local curl_version = core.http_client and (sh("curl-config --version"):match("[%d.]+") or "?") or "?"
print(string.format("\nhuaweicloud-sdk-lua %s benchmarks: %s, libcurl %s, server %s on 127.0.0.1; %d runs, median [best]\n",
  hw.version, _VERSION .. (type(jit) == "table" and (" (" .. jit.version .. ")") or ""), curl_version, server.name, RUNS))
local total1, steal1 = cpu_times()
if total1 > total0 then
  print(string.format("CPU steal during the run: %.1f%% (time the hypervisor gave to other guests)\n",
    (steal1 - steal0) / (total1 - total0) * 100))
end
print("| measure | result | target |")
print("| --- | --- | --- |")
for _, r in ipairs(rows) do print("| " .. r[1] .. " | " .. r[2] .. " | " .. r[3] .. " |") end
