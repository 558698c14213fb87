-- Secrets never leak: everything the SDK can show (errors, their fields, tostring, dry runs,
-- inspect, the emulator's answers, stored tasks and log) is collected while the suite's secrets
-- are in use, and scanned for every one of them.
local hw = require("huaweicloud")
local cjson = require("cjson")
local fake = require("spec.support.fake_server")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

local SECRETS = {
  ak = "AKSCAN0000SECRET0001",
  sk = "sk-scan-secret-value-0001",
  security_token = "sts-scan-token-value-0001",
  token = "iam-scan-token-value-0001",
  password = "pw-scan-value-0001",
  redis_password = "rp-scan-value-0001",
  access_key = "ak-obs-scan-value-0001",
  secret_key = "sk-obs-scan-value-0001",
}

-- Everything reachable from a value, as text (tables walked, error fields included).
local function text_of(v, out, seen)
  out, seen = out or {}, seen or {}
  if type(v) == "table" then
    if seen[v] then return out end
    seen[v] = true
    out[#out + 1] = tostring(v)
    for k, x in pairs(v) do
      text_of(k, out, seen)
      text_of(x, out, seen)
    end
  else
    out[#out + 1] = tostring(v)
  end
  return out
end

local function bodies()
  local kafka_rep = X.copy(X.kafka[2].body)
  kafka_rep.source_task.password = SECRETS.password
  local redis = X.copy(X.kafka[3].body)
  redis.source_task.redis_password = SECRETS.redis_password
  redis.sink_task.redis_password = SECRETS.redis_password
  local obs = X.copy(X.kafka[1].body)
  obs.sink_task.access_key, obs.sink_task.secret_key = SECRETS.access_key, SECRETS.secret_key
  return { kafka_rep, redis, obs }
end

describe("secrets", function()
  it("appear in nothing the SDK shows", function()
    local shown = {}
    local function show(...)
      for i = 1, select("#", ...) do text_of((select(i, ...)), shown) end
    end
    local log = H.tmpname()
    local emu = hw.emulator.start({ auto_create = true, ak = SECRETS.ak, sk = SECRETS.sk, security_token = SECRETS.security_token,
      tokens = { SECRETS.token }, log = true, log_file = log })
    local srv
    finally(function() -- busted keeps only the last finally: one for everything
      emu:stop()
      if srv then srv.stop() end
    end)
    local creds = { ak = SECRETS.ak, sk = SECRETS.sk, security_token = SECRETS.security_token, project_id = "p1" }
    local kafka = assert(hw.kafka.new({ endpoint = emu.url, credentials = creds }))
    show(tostring(kafka))

    -- successes, dry runs, inspect
    for _, body in ipairs(bodies()) do
      local task, meta = kafka:create_connector_task({ instance_id = "i", body = body })
      assert.is_table(task, tostring(meta))
      show(task, meta, hw.inspect(task), hw.inspect(body, "CreateSmartConnectTaskReq"))
      show(kafka:prepare("create_connector_task", { instance_id = "i", body = body }))
    end
    local token_client = assert(hw.kafka.new({ endpoint = emu.url, credentials = { token = SECRETS.token, project_id = "p1" } }))
    show(token_client:create_connector_task({ instance_id = "i", body = bodies()[3] }))
    show(token_client:prepare("create_connector_task", { instance_id = "i", body = bodies()[3] }))

    -- validation errors on sensitive fields
    for _, mutate in ipairs({
      function(b) b.sink_task.secret_key = { SECRETS.secret_key } end,
      function(b) b.sink_task.access_key = SECRETS.access_key .. "\255" end,
      function(b) b.sink_task.secret_key = SECRETS.secret_key:rep(100000) end,
      function(b) b.sink_task.access_key, b.sink_task.secrett_key = SECRETS.access_key, SECRETS.secret_key end,
    }) do
      local body = bodies()[3]
      mutate(body)
      show(kafka:create_connector_task({ instance_id = "i", body = body }))
      show(kafka:create_connector_task({ instance_id = "i", body = body, validate = false }))
    end

    -- the gateway echoing its canonical request (with the security token) on a bad signature
    local wrong = assert(hw.kafka.new({ endpoint = emu.url,
      credentials = { ak = SECRETS.ak, sk = "not-" .. SECRETS.sk, security_token = SECRETS.security_token, project_id = "p1" } }))
    local _, err = wrong:create_connector_task({ instance_id = "i", body = bodies()[1] })
    assert.are.equal(401, err.status)
    assert.is_table(err.canonical_request_diff)
    show(err, tostring(err))
    local forged = assert(hw.kafka.new({ endpoint = emu.url, credentials = { token = "forged-" .. SECRETS.token, project_id = "p" } }))
    show(forged:create_connector_task({ instance_id = "i", body = bodies()[1] }))

    -- a server that reflects what it was sent (headers, body) in its error messages
    srv = fake.start({
      { status = 400, echo = "json" },
      { status = 502, echo = "text" },
      { status = 401, body = cjson.encode({ error_code = "APIGW.0301",
        error_msg = "verify aksk signature fail, canonical request: POST|/v2/p1/instances/i/connector/tasks/||" ..
          "x-security-token:" .. SECRETS.security_token .. "||x-security-token|0000" }) },
    })
    local echoing = assert(hw.kafka.new({ endpoint = srv.url, credentials = creds }))
    for _ = 1, 3 do
      for _, body in ipairs(bodies()) do show(echoing:create_connector_task({ instance_id = "i", body = body })) end
    end

    -- configuration and network errors with secrets configured
    show(hw.kafka.new({ endpoint = emu.url, credentials = { ak = SECRETS.ak, sk = SECRETS.sk } }):create_connector_task(
      { instance_id = "i", body = bodies()[1] }))
    show(hw.kafka.new({ endpoint = "http://127.0.0.1:1", credentials = creds }):create_connector_task(
      { instance_id = "i", body = bodies()[1] }))
    show(hw.core.sign({ method = "GET", url = "https://h/", headers = { ["X"] = "a\nb" } }, { ak = SECRETS.ak, sk = SECRETS.sk }))

    -- the emulator's side: stored tasks, its log
    show(emu:tasks())
    emu:stop()
    show(H.read(log))
    os.remove(log)

    local all = table.concat(shown, "\n")
    assert.truthy(#all > 10000, "too little was collected to mean anything")
    for name, secret in pairs(SECRETS) do
      local at = all:find(secret, 1, true)
      assert.is_nil(at, name .. " leaked: ..." .. (at and all:sub(math.max(1, at - 80), at + 40) or ""))
    end
    -- the dry runs did show the masks
    assert.truthy(all:find('"password":"***"', 1, true))
    assert.truthy(all:find("Signature=***", 1, true))
  end)
end)

-- Secrets with quotes, backslashes, slashes and control characters: JSON escaping changes their
-- bytes, so masking that looks for the raw value alone shows them in full.
describe("secrets in every encoding", function()
  local ODD = {
    password = 'pw"q\\x\n/odd-0001',
    redis_password = 'rp\\"\t\1odd-0002',
    access_key = 'ak/obs"odd-0003',
    secret_key = 'sk\\obs\rodd-0004',
    security_token = 'sts"tok\\en/odd-0005',
    ak = "AKODDSECRET00000006",
  }
  local SK = 'sk"odd\\key/0007'

  -- every form a secret can take in shown text: raw, JSON-escaped as cjson and we write it, escaped
  -- twice, percent-encoded, and the tail of each (what a mask that stops at a '"' leaves behind)
  local function forms(s)
    local json = cjson.encode(s):sub(2, -2)
    local twice = cjson.encode((json:gsub("\\/", "/"))):sub(2, -2):gsub("\\/", "/")
    local list = { s, json, (json:gsub("\\/", "/")), twice,
      (s:gsub("[^%w%-%._~]", function(c) return ("%%%02X"):format(c:byte()) end)) }
    for i = 1, #list do list[#list + 1] = list[i]:sub(-9) end
    return list
  end
  local function assert_hidden(text, what)
    for name, secret in pairs(ODD) do
      for _, f in ipairs(forms(secret)) do
        local at = text:find(f, 1, true)
        assert.is_nil(at, what .. ": " .. name .. " shown: " .. (at and text:sub(math.max(1, at - 40), at + 40) or ""))
      end
    end
    for _, f in ipairs(forms(SK)) do assert.is_nil(text:find(f, 1, true), what .. ": SK shown") end
  end
  local function odd_bodies()
    local rep = X.copy(X.kafka[2].body)
    rep.source_task.password = ODD.password
    local redis = X.copy(X.kafka[3].body)
    redis.source_task.redis_password, redis.sink_task.redis_password = ODD.redis_password, ODD.redis_password
    local obs = X.copy(X.kafka[1].body)
    obs.sink_task.access_key, obs.sink_task.secret_key = ODD.access_key, ODD.secret_key
    return { rep, redis, obs }
  end
  local creds = { ak = ODD.ak, sk = SK, security_token = ODD.security_token, project_id = "p1" }

  it("are masked in dry runs, with the masks where the values were", function()
    local kafka = assert(hw.kafka.new({ endpoint = "http://127.0.0.1:9", credentials = creds }))
    for _, body in ipairs(odd_bodies()) do
      local req = assert(kafka:prepare("create_connector_task", { instance_id = "i", body = body }))
      local text = table.concat(text_of(req), "\n")
      assert_hidden(text, "dry run")
      assert.truthy(req.body:find('":"***"', 1, true), req.body)
      assert.is_table(cjson.decode(req.body)) -- still JSON
    end
  end)

  it("are masked by hw.inspect, even of a dry run prepared with reveal", function()
    local kafka = assert(hw.kafka.new({ endpoint = "http://127.0.0.1:9", credentials = creds }))
    for _, body in ipairs(odd_bodies()) do
      local req = assert(kafka:prepare("create_connector_task", { instance_id = "i", body = body }, { reveal = true }))
      local value = body.source_task and (body.source_task.password or body.source_task.redis_password) or
        body.sink_task.access_key
      assert.truthy(req.body:find(forms(value)[3], 1, true), "reveal shows the value")
      assert_hidden(hw.inspect(req), "inspect of a revealed request")
      assert_hidden(hw.inspect(body, "CreateSmartConnectTaskReq"), "inspect of a body")
    end
  end)

  it("are masked in errors of a server that reflects the request, once or twice escaped", function()
    local srv = fake.start({ { status = 400, echo = "json" }, { status = 502, echo = "text" },
      { status = 400, echo = "json2" } })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = creds }))
    for _ = 1, 3 do
      for _, body in ipairs(odd_bodies()) do
        local res, err = kafka:create_connector_task({ instance_id = "i", body = body })
        assert.is_nil(res)
        assert.truthy(err.message:find("you sent", 1, true), err.message)
        assert_hidden(table.concat(text_of(err), "\n") .. tostring(err), "reflected error")
      end
    end
  end)

  it("are masked in the request id of a success too (log lines show it)", function()
    local srv = fake.start({ { status = 201, headers = { ["X-Request-Id"] = "rid-" .. ODD.security_token }, body = "" },
      { status = 201, headers = { ["X-Request-Id"] = "rid-" .. ODD.ak }, body = "" } })
    finally(srv.stop)
    local logged = {}
    local dis = assert(hw.dis.new({ endpoint = srv.url, credentials = creds,
      log = function(e) logged[#logged + 1] = require("huaweicloud.log").format(e) end }))
    for _ = 1, 2 do
      local res, meta = dis:create_obs_transfer_task({ stream_name = "s", body = X.dis[1].body })
      assert.are.same({}, res, tostring(meta))
      assert.truthy(meta.request_id:find("^rid%-%*%*%*"), meta.request_id)
    end
    assert_hidden(table.concat(logged, "\n"), "log lines")
  end)

  it("are masked in the fields an error takes from the server: code, request_id, encoded message", function()
    local body = cjson.encode({ error_code = "E." .. ODD.ak, error_msg = "denied",
      encoded_authorization_message = "enc:" .. ODD.security_token })
    local srv = fake.start({ { status = 403, headers = { ["X-Request-Id"] = "rid-" .. ODD.security_token }, body = body } })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = creds }))
    local _, err = kafka:create_connector_task({ instance_id = "i", body = odd_bodies()[3] })
    assert.are.equal(403, err.status)
    assert.are.equal("E.***", err.code)
    assert.are.equal("rid-***", err.request_id)
    assert.are.equal("enc:***", err.encoded_authorization_message)
    assert_hidden(tostring(err), "tostring")
  end)

  it("are scrubbed before the gateway's differing canonical line is cut", function()
    local token = ODD.security_token
    local echo = "verify aksk signature fail, canonical request: POST|/" .. ("x"):rep(1018) .. token .. "/|||"
    local srv = fake.start({ { status = 401, body = cjson.encode({ error_code = "APIGW.0301", error_msg = echo }) } })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = creds }))
    local _, err = kafka:create_connector_task({ instance_id = "i", body = odd_bodies()[3] })
    local theirs = err.canonical_request_diff and err.canonical_request_diff.theirs
    assert.is_string(theirs)
    assert.is_nil(theirs:find(token:sub(1, 4), 1, true), theirs:sub(1000))
    assert_hidden(table.concat(text_of(err), "\n"), "canonical diff")
  end)

  it("are masked whole after X-Security-Token:, whatever separators they hold", function()
    for _, tok in ipairs({ 'tok"en,semi;amp&bar|sp ace\\tail-QWERTY1', "plain-token-tail-QWERTY2" }) do
      local text = "you sent x-security-token:" .. tok .. "|host:h and X-Security-Token: " .. tok .. " end"
      local srv = fake.start({ { status = 400, body = text } })
      local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = { ak = ODD.ak, sk = SK,
        security_token = tok, project_id = "p1" } }))
      local _, err = kafka:create_connector_task({ instance_id = "i", body = odd_bodies()[3] })
      srv.stop()
      assert.is_nil(err.message:find("QWERTY", 1, true), err.message)
      assert.truthy(err.message:find("x-security-token:***|host:h", 1, true), err.message)
    end
  end)

  it("are masked in the helpers' own messages, though a server reflects them as a state or an id", function()
    local cjson_ = require("cjson")
    local function client(answer)
      return assert(hw.kafka.new({ endpoint = "http://127.0.0.1:9", credentials = creds,
        transport = function(req) return 200, {}, cjson_.encode(answer(req)) end }))
    end
    -- a task whose status is the security token, polled to the deadline
    local k = client(function() return { id = "t", status = ODD.security_token } end)
    local _, err = k:wait_connector_task({ instance_id = "i", task_id = "t", timeout = 0.05, interval = 0.01 })
    assert.are.equal("timeout", err.kind)
    assert_hidden(table.concat(text_of(err), "\n") .. tostring(err), "wait timeout")
    -- two tasks of one name whose ids are the SK and a body secret
    k = client(function() return { tasks = { { id = SK, task_name = "n" }, { id = ODD.secret_key, task_name = "n" } },
      total_number = 2 } end)
    local body = odd_bodies()[3]
    body.task_name = "n"
    _, err = k:ensure_connector_task({ instance_id = "i", body = body })
    assert.are.equal("conflict", err.kind)
    assert_hidden(table.concat(text_of(err), "\n") .. tostring(err), "ensure conflict")
  end)

  it("are scrubbed before a long error body is cut, so no prefix survives the cut", function()
    local token = ODD.security_token
    local text = ("x"):rep(1018) .. token .. ("y"):rep(100) -- the token straddles byte 1024
    local srv = fake.start({ { status = 500, body = text } })
    finally(srv.stop)
    local kafka = assert(hw.kafka.new({ endpoint = srv.url, credentials = creds }))
    local _, err = kafka:create_connector_task({ instance_id = "i", body = odd_bodies()[3] })
    assert.are.equal(500, err.status)
    assert.is_nil(err.message:find(token:sub(1, 5), 1, true), err.message:sub(1000))
    assert.are.equal(("x"):rep(1018) .. "***", err.message:sub(1, 1021))
    assert.truthy(#err.message <= 1024)
  end)

  it("are masked by name in fields the descriptors do not know, in every mode", function()
    local kafka = assert(hw.kafka.new({ endpoint = "http://127.0.0.1:9", credentials = creds }))
    local body = odd_bodies()[3]
    body.sink_task.new_password = ODD.password
    body.sink_task.extra = { api_token = ODD.security_token, list = { 1, 2 } }
    for _, params in ipairs({ { validate = false }, { allow_unknown = true } }) do
      params.instance_id, params.body = "i", body
      local req = assert(kafka:prepare("create_connector_task", params))
      assert_hidden(table.concat(text_of(req), "\n"), "dry run with unknown fields")
      assert.truthy(req.body:find('"new_password":"***"', 1, true), req.body)
      assert.truthy(req.body:find('"api_token":"***"', 1, true), req.body)
      assert_hidden(hw.inspect(body), "inspect of the body")
    end
  end)
end)
