-- Credentials that find themselves: the project id looked up in IAM (once per AK and region),
-- and temporary credentials from the ECS metadata service (refreshed ahead of expiry, kept when
-- a refresh fails, one refresh at a time). All against the emulator on 127.0.0.1.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

local metadata = hw.credentials.metadata

describe("project id discovery via IAM", function()
  local emu
  setup(function()
    emu = hw.emulator.start({ auto_create = true, projects = { ["cn-north-4"] = { "proj-north4" }, ["cn-east-3"] = { "proj-east3" },
      ["cn-south-1"] = {}, ["ap-southeast-1"] = { "p-a", "p-b" } } })
  end)
  teardown(function() emu:stop() end)
  before_each(function()
    emu:reset()
    for k in pairs(hw.credentials.project.cache) do hw.credentials.project.cache[k] = nil end
  end)

  local function client(region)
    return assert(hw.dis.new({ region = region, endpoint = emu.url, iam_endpoint = emu.url,
      credentials = { ak = emu.ak, sk = emu.sk } }))
  end

  it("asks IAM once per AK and region, and sends the project it found", function()
    local a, b = client("cn-north-4"), client("cn-north-4")
    for _ = 1, 3 do
      assert(a:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body }))
      assert(b:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body }))
    end
    local tasks = emu:tasks().dis
    assert.are.equal("proj-north4", tasks[#tasks].project_id)
    assert.are.equal(1, emu:stats().iam_calls)
    local req = assert(client("cn-north-4"):prepare("create_obs_transfer_task", { stream_name = X.unique("s"), body = X.dis[1].body }))
    assert.are.equal("proj-north4", req.headers["X-Project-Id"])
    assert(client("cn-east-3"):create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body }))
    assert.are.equal(2, emu:stats().iam_calls)
    tasks = emu:tasks().dis
    assert.are.equal("proj-east3", tasks[#tasks].project_id)
  end)

  it("says so when IAM lists no project, or several, with IAM's trace id", function()
    local _, err = client("cn-south-1"):create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.equal("config", err.kind)
    assert.are.equal("credentials.project_id", err.field)
    assert.truthy(err.message:find("IAM lists 0 projects named cn-south-1", 1, true), err.message)
    assert.truthy(err.iam_trace_id and #err.iam_trace_id > 0)
    assert.truthy(err.message:find(err.iam_trace_id, 1, true))
    _, err = client("ap-southeast-1"):create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.truthy(err.message:find("IAM lists 2 projects", 1, true), err.message)
    assert.are.equal(0, emu:stats().dis_tasks)
  end)

  it("reports an IAM refusal as a config error, and needs a region to look in", function()
    local bad = assert(hw.dis.new({ region = "cn-north-4", endpoint = emu.url, iam_endpoint = emu.url,
      credentials = { ak = emu.ak, sk = "wrong-sk" } }))
    local _, err = bad:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.are.equal("config", err.kind)
    assert.are.equal(401, err.status)
    assert.truthy(err.message:find("IAM", 1, true))
    local no_region = assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk } }))
    _, err = no_region:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
    assert.truthy(err.message:find("no region", 1, true))
  end)

  it("takes the IAM endpoint from the option, the credentials, HUAWEICLOUD_SDK_IAM_ENDPOINT, else iam.<region>", function()
    local p = hw.credentials.project
    assert.are.equal("https://opt", p.iam_endpoint({ iam_endpoint = "https://opt" }, { iam_endpoint = "https://cred" }, "r"))
    assert.are.equal("https://cred", p.iam_endpoint({}, { iam_endpoint = "https://cred" }, "r"))
    if not os.getenv("HUAWEICLOUD_SDK_IAM_ENDPOINT") then
      assert.are.equal("https://iam.cn-north-4.myhuaweicloud.com", p.iam_endpoint({}, {}, "cn-north-4"))
    end
    local out = H.run_lua([[
      print(require("huaweicloud").credentials.project.iam_endpoint({}, {}, "cn-north-4"))
    ]], { HUAWEICLOUD_SDK_IAM_ENDPOINT = "https://iam.example" })
    assert.are.equal("https://iam.example\n", out)
  end)
end)

describe("ECS metadata credentials", function()
  local emu
  setup(function() emu = hw.emulator.start({ auto_create = true, project_id = "p-meta" }) end)
  teardown(function() emu:stop() end)
  before_each(function()
    emu:reset()
    emu:config({ metadata_fail = false, metadata_token = true, metadata_ttl = 3600 })
  end)

  -- A client whose only credentials come from the metadata service, on a clock we move.
  local function meta_client(clock)
    local http = hw.core.http_client({ timeout = 3 })
    local provider = metadata.new({ endpoint = emu.url, now = function() return clock.t end, sleep = hw.core.sleep,
      send = function(req) return http:send(req) end })
    -- no project id anywhere: it is looked up in IAM, signed with the temporary keys
    local dis = assert(hw.dis.new({ region = "cn-north-4", endpoint = emu.url, iam_endpoint = emu.url,
      credentials = provider }))
    return dis, provider
  end

  local function call(dis)
    return dis:create_obs_transfer_task({ stream_name = X.unique("s"), body = X.dis[1].body })
  end

  it("signs with them and sends their security token, which the emulator verifies", function()
    local clock = { t = os.time() }
    local dis, provider = meta_client(clock)
    for _ = 1, 3 do assert(call(dis)) end
    local s = emu:stats()
    assert.are.equal(1, s.metadata_calls)
    assert.are.equal(1, s.metadata_token_calls)
    assert.are.equal(0, s.rejected_signatures)
    assert.truthy(provider.cred.ak:find("^TMP"))
    local req = assert(dis:prepare("create_obs_transfer_task", { stream_name = X.unique("s"), body = X.dis[1].body }, { reveal = true }))
    assert.are.equal(provider.cred.security_token, req.headers["X-Security-Token"])
    assert.truthy(req.canonical_request:find("x-security-token:", 1, true))
  end)

  it("goes on without a metadata token when the service has none (404)", function()
    emu:config({ metadata_token = false })
    local dis = meta_client({ t = os.time() })
    assert(call(dis))
    assert.are.equal(1, emu:stats().metadata_calls)
  end)

  it("refreshes when less than 40 minutes remain, not before", function()
    local clock = { t = os.time() }
    local dis, provider = meta_client(clock)
    assert(call(dis))
    local first = provider.cred.ak
    clock.t = clock.t + 19 * 60 -- 41 minutes left
    assert(call(dis))
    assert.are.equal(first, provider.cred.ak)
    assert.are.equal(1, emu:stats().metadata_calls)
    clock.t = clock.t + 2 * 60 -- 39 minutes left
    assert(call(dis))
    assert.are_not.equal(first, provider.cred.ak)
    assert.are.equal(2, emu:stats().metadata_calls)
    assert.are.equal(0, emu:stats().rejected_signatures)
  end)

  it("keeps the current ones when a refresh fails while they are valid, and tries again later", function()
    local clock = { t = os.time() }
    local dis, provider = meta_client(clock)
    assert(call(dis))
    local first = provider.cred.ak
    emu:config({ metadata_fail = true })
    clock.t = clock.t + 30 * 60 -- inside the refresh window, still valid
    assert(call(dis))
    assert.are.equal(first, provider.cred.ak)
    assert(call(dis)) -- within a minute: no new attempt
    assert.are.equal(2, emu:stats().metadata_calls)
    clock.t = clock.t + 61
    assert(call(dis)) -- a minute later: another attempt, still failing, still served
    assert.are.equal(3, emu:stats().metadata_calls)
    emu:config({ metadata_fail = false })
    clock.t = clock.t + 61
    assert(call(dis))
    assert.are_not.equal(first, provider.cred.ak)
    -- once they have expired and the service still fails, a call says so
    emu:config({ metadata_fail = true })
    clock.t = clock.t + 3 * 3600
    local _, err = call(dis)
    assert.are.equal("config", err.kind)
    assert.truthy(err.message:find("securitykey answered HTTP 500", 1, true), err.message)
  end)

  it("never signs with credentials that have expired: a config error instead", function()
    emu:config({ metadata_ttl = 0 }) -- the service hands out keys that expire as they are issued
    local dis = meta_client({ t = os.time() })
    local before = emu:stats()
    local _, err = call(dis)
    assert.are.equal("config", err.kind)
    assert.truthy(err.message:find("securitykey answered credentials that expired at", 1, true), err.message)
    local after = emu:stats()
    assert.are.same({ 0, before.requests }, { after.rejected_signatures, after.requests })
  end)

  it("runs one refresh at a time for coroutines sharing the client", function()
    local http = hw.core.http_client({ timeout = 3 })
    local fetches = 0
    local provider
    provider = metadata.new({ endpoint = emu.url, sleep = function() coroutine.yield() end,
      send = function(req)
        if req.url:find("securitykey", 1, true) then
          fetches = fetches + 1
          coroutine.yield() -- the fetch is in flight: let another coroutine ask meanwhile
        end
        return http:send(req)
      end })
    local a = coroutine.create(function() return provider:get() end)
    local b = coroutine.create(function() return provider:get() end)
    assert.is_true(coroutine.resume(a)) -- a starts fetching and waits
    assert.is_true(coroutine.resume(b)) -- b finds a refresh running: it waits, it does not fetch
    local _, ca = coroutine.resume(a)
    local _, cb = coroutine.resume(b)
    assert.are.equal(1, fetches)
    assert.are.equal(ca, cb) -- the very same table: never a mix of old and new keys
    assert.is_string(ca.ak)
  end)

  it("parses expires_at in the forms the service uses", function()
    local t = metadata.parse_time("2024-02-07T12:34:56.000000Z")
    assert.are.equal(1707309296, t)
    assert.are.equal(1707309296, metadata.parse_time("2024-02-07T12:34:56Z"))
    assert.is_nil(metadata.parse_time("tomorrow"))
  end)

  it("comes last in the chain: explicit > environment > profile > metadata", function()
    local probe = [[
      local hw = require("huaweicloud")
      local dis = assert(hw.dis.new({ endpoint = URL, credentials = CREDS }))
      local body = hw.dis.obs_transfer_task({ task_name = "t", agency_name = "dis_admin_agency", obs_bucket_path = "b" })
      local req, err = dis:prepare("create_obs_transfer_task", { stream_name = "s", body = body }, { reveal = true })
      print(req and req.headers.Authorization:match("Access=([^,]+)") or tostring(err))
    ]]
    local function run(creds, env)
      env.HUAWEICLOUD_SDK_METADATA_ENDPOINT = emu.url
      return (H.run_lua("URL = " .. string.format("%q", emu.url) .. " CREDS = " .. creds .. probe, env):gsub("%s+$", ""))
    end
    assert.are.equal("EXPL", run('{ ak = "EXPL", sk = "s", project_id = "p" }', { HUAWEICLOUD_SDK_AK = "ENVAK",
      HUAWEICLOUD_SDK_SK = "e", HUAWEICLOUD_SDK_PROJECT_ID = "p" }))
    assert.are.equal("ENVAK", run("nil", { HUAWEICLOUD_SDK_AK = "ENVAK", HUAWEICLOUD_SDK_SK = "e",
      HUAWEICLOUD_SDK_PROJECT_ID = "p" }))
    local file = H.tmpname()
    H.write(file, "[basic]\nak = PROFAK\nsk = p\nproject_id = p\n")
    assert.are.equal("PROFAK", run("nil", { HUAWEICLOUD_SDK_CREDENTIALS_FILE = file }))
    os.remove(file)
    assert.are.equal(0, emu:stats().metadata_calls)
    local out = run("nil", { HUAWEICLOUD_SDK_PROJECT_ID = "p" })
    assert.truthy(out:find("^TMP"), out)
    assert.are.equal(1, emu:stats().metadata_calls)
    -- nothing anywhere: the error lists every source, the metadata service included
    out = (H.run_lua("URL = 'http://127.0.0.1:9' CREDS = nil" .. probe, {}):gsub("%s+$", ""))
    assert.truthy(out:find("no credentials found", 1, true), out)
    assert.truthy(out:find("ECS metadata http://127.0.0.1:9", 1, true), out)
  end)
end)
