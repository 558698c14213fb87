-- The two nginx locations make bench compares (spec/bench/run.lua), one worker, same upstream:
--   /sdk  kafka:create_connector_task through the SDK (one client per worker, as an app keeps it)
--   /raw  the floor: the same request, signed once, sent as bytes on a pooled ngx.socket.tcp;
--         the head read in one receiveuntil, the body by its Content-Length, decoded by cjson
-- Both answer the created task's id, or 500.
local cjson = require("cjson.safe")
local X = require("spec.fixtures.examples")

local M = {}

local UPSTREAM = os.getenv("BENCH_UPSTREAM")
local CREDS = { ak = "BENCHAK000000001", sk = "bench-secret-key-000000000001", project_id = X.project_id }
local PARAMS = { instance_id = X.instance_id, body = X.kafka[1].body }

-- Both locations answer alike: the task's id, or 500 and the error.
local function answer(task, err)
  if not task then
    ngx.status = 500
    return ngx.say(tostring(err))
  end
  ngx.say(task.id)
end

local kafka
function M.sdk()
  if not kafka then
    local hw = require("huaweicloud")
    kafka = assert(hw.kafka.new({ endpoint = UPSTREAM, credentials = CREDS }))
  end
  answer(kafka:create_connector_task(PARAMS))
end

local request, host, port
local function build()
  local hw = require("huaweicloud")
  local client = assert(hw.kafka.new({ endpoint = UPSTREAM, credentials = CREDS }))
  local req = assert(client:prepare("create_connector_task", PARAMS, { reveal = true }))
  local hp, path = req.url:match("^http://([^/]+)(/.*)$")
  host, port = hp:match("^(.-):(%d+)$")
  port = tonumber(port)
  local lines = { "POST " .. path .. " HTTP/1.1", "Content-Length: " .. #req.body }
  for k, v in pairs(req.headers) do lines[#lines + 1] = k .. ": " .. v end
  request = table.concat(lines, "\r\n") .. "\r\n\r\n" .. req.body
end

local function raw_call()
  local sock = ngx.socket.tcp()
  sock:settimeout(5000)
  local ok, err = sock:connect(host, port)
  if not ok then return nil, err end
  ok, err = sock:send(request)
  if not ok then return nil, err end
  local head
  head, err = sock:receiveuntil("\r\n\r\n")()
  if not head then return nil, err end
  local len = tonumber(head:match("\r\n[Cc]ontent%-[Ll]ength:%s*(%d+)"))
  if not len or head:sub(10, 12) ~= "200" then return nil, "unexpected answer: " .. head:sub(1, 40) end
  local body
  body, err = sock:receive(len)
  if not body then return nil, err end
  sock:setkeepalive(60000, 64)
  return cjson.decode(body)
end

function M.raw()
  if not request then build() end
  answer(raw_call())
end

return M
