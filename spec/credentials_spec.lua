-- The credentials chain: explicit > HUAWEICLOUD_SDK_* > CLOUD_SDK_* > profile file, read lazily,
-- never writing a file. Each case runs in a child process with exactly the environment it sets.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")

-- Prints "<AK used> <project id> <security token>" for a dry run, or the error.
local PROBE = [[
  local hw = require("huaweicloud")
  local kafka = assert(hw.kafka.new({ endpoint = "http://127.0.0.1:9", credentials = CREDS }))
  local req, err = kafka:prepare("create_connector_task", { instance_id = "i", body = { task_name = "t" } }, { reveal = true })
  if not req then print("ERR " .. tostring(err)) return end
  print(req.headers.Authorization and req.headers.Authorization:match("Access=([^,]+)") or ("TOKEN " .. req.headers["X-Auth-Token"]),
    req.headers["X-Project-Id"], req.headers["X-Security-Token"])
]]

local function probe(env, creds)
  local out = H.run_lua("CREDS = " .. (creds or "nil") .. " " .. PROBE, env)
  return (out:gsub("%s+$", ""))
end

describe("credentials chain", function()
  local full = { HUAWEICLOUD_SDK_AK = "ENVAK1", HUAWEICLOUD_SDK_SK = "envsk1", HUAWEICLOUD_SDK_PROJECT_ID = "envproj",
    CLOUD_SDK_AK = "CLOUDAK", CLOUD_SDK_SK = "cloudsk" }

  it("takes explicit credentials first", function()
    assert.are.equal("EXPAK\texpproj\tnil", probe(full, '{ ak = "EXPAK", sk = "s", project_id = "expproj" }'))
  end)

  it("then HUAWEICLOUD_SDK_AK/SK/PROJECT_ID/SECURITY_TOKEN", function()
    local env = {}
    for k, v in pairs(full) do env[k] = v end
    env.HUAWEICLOUD_SDK_SECURITY_TOKEN = "envtoken"
    assert.are.equal("ENVAK1\tenvproj\tenvtoken", probe(env))
  end)

  it("then CLOUD_SDK_AK/SK (project id from HUAWEICLOUD_SDK_PROJECT_ID or the profile)", function()
    local out = probe({ CLOUD_SDK_AK = "CLOUDAK", CLOUD_SDK_SK = "cloudsk" })
    assert.truthy(out:find("^ERR .*no project id"), out)
    local file = H.tmpname()
    H.write(file, "[basic]\nproject_id = profproj\n")
    assert.are.equal("CLOUDAK\tprofproj\tnil",
      probe({ CLOUD_SDK_AK = "CLOUDAK", CLOUD_SDK_SK = "cloudsk", HUAWEICLOUD_SDK_CREDENTIALS_FILE = file }))
    assert.are.equal("CLOUDAK\tenvproj\tnil", probe({ CLOUD_SDK_AK = "CLOUDAK", CLOUD_SDK_SK = "cloudsk",
      HUAWEICLOUD_SDK_PROJECT_ID = "envproj", HUAWEICLOUD_SDK_CREDENTIALS_FILE = file }))
    assert.are.equal("EXPAK\tenvproj\tnil", probe({ HUAWEICLOUD_SDK_PROJECT_ID = "envproj" }, '{ ak = "EXPAK", sk = "s" }'))
    os.remove(file)
  end)

  it("then the profile file in ~/.huaweicloud/credentials or HUAWEICLOUD_SDK_CREDENTIALS_FILE", function()
    local home = H.tmpname()
    os.execute("mkdir -p " .. home .. "/.huaweicloud")
    H.write(home .. "/.huaweicloud/credentials", "# comment\n[other]\nak = NO\n\n[basic]\r\nak = PROFAK\r\n" ..
      "sk = profsk\nproject_id=profproj\n; more\nsecurity_token = proftok\niam_endpoint = https://iam.example\n")
    assert.are.equal("PROFAK\tprofproj\tproftok", probe({ HOME = home }))
    local file = H.tmpname()
    H.write(file, "[basic]\nak = FILEAK\nsk = filesk\nproject_id = fileproj\n")
    assert.are.equal("FILEAK\tfileproj\tnil", probe({ HOME = home, HUAWEICLOUD_SDK_CREDENTIALS_FILE = file }))
    assert.are.equal("ENVAK1\tenvproj\tnil", probe({ HOME = home, HUAWEICLOUD_SDK_AK = "ENVAK1",
      HUAWEICLOUD_SDK_SK = "envsk1", HUAWEICLOUD_SDK_PROJECT_ID = "envproj" }))
    os.remove(file)
    os.execute("rm -rf " .. home)
  end)

  it("sends X-Auth-Token with token credentials", function()
    assert.are.equal("TOKEN tkn-1\tp1\tnil", probe({}, '{ token = "tkn-1", project_id = "p1" }'))
  end)

  it("says where it looked when nothing yields", function()
    local out = probe({})
    assert.truthy(out:find("^ERR huaweicloud: config error: credentials: no credentials found; looked in: "), out)
    for _, where in ipairs({ "the credentials option", "HUAWEICLOUD_SDK_AK", "CLOUD_SDK_AK", "profile file" }) do
      assert.truthy(out:find(where, 1, true), where)
    end
    out = probe({}, '{ ak = "A1", sk = "s" }')
    assert.truthy(out:find("credentials.project_id: no project id", 1, true), out)
  end)

  it("reads nothing before the first call, and writes no file", function()
    local home = H.tmpname()
    os.execute("mkdir -p " .. home .. "/.huaweicloud")
    local cred_file = home .. "/.huaweicloud/credentials"
    H.write(cred_file, "[basic]\nak = BEFORE\nsk = s\nproject_id = p\n")
    local out = H.run_lua(([[
      local hw = require("huaweicloud")
      local kafka = assert(hw.kafka.new({ region = "cn-north-4" }))
      local f = assert(io.open(CRED, "w")) f:write("[basic]\nak = AFTER\nsk = s\nproject_id = p\n") f:close()
      local req = assert(kafka:prepare("create_connector_task", { instance_id = "i", body = {} }, { reveal = true }))
      print(req.headers.Authorization:match("Access=([^,]+)"))
    ]]):gsub("CRED", string.format("%q", cred_file)), { HOME = home })
    assert.are.equal("AFTER\n", out)
    local listing = H.sh("cd " .. home .. " && find . -type f | sort")
    assert.are.equal("./.huaweicloud/credentials\n", listing)
    os.execute("rm -rf " .. home)
  end)
end)

describe("credentials without HOME (nginx workers, cron, systemd units, env -i)", function()
  it("go on down the chain: the environment, then the metadata service", function()
    -- AK/SK in the environment, no project id, no region: a config error, not a raw Lua error
    local out = probe({ HOME = false, HUAWEICLOUD_SDK_AK = "ENVAK", HUAWEICLOUD_SDK_SK = "s" })
    assert.truthy(out:find("^ERR huaweicloud: config error: credentials.project_id: no project id"), out)
    assert.are.equal("ENVAK	envproj	nil", probe({ HOME = false, HUAWEICLOUD_SDK_AK = "ENVAK",
      HUAWEICLOUD_SDK_SK = "s", HUAWEICLOUD_SDK_PROJECT_ID = "envproj" }))
    out = probe({ HOME = false })
    assert.truthy(out:find("profile file (none: no HOME and no HUAWEICLOUD_SDK_CREDENTIALS_FILE)", 1, true), out)
    -- nothing given but the metadata service: its temporary credentials sign a real call
    local emu = hw.emulator.start({ project_id = "meta-proj" })
    finally(function() emu:stop() end)
    out = H.run_lua(([[
      local hw = require("huaweicloud")
      local kafka = hw.assert(hw.kafka.new({ endpoint = %q }))
      local task = hw.assert(kafka:create_connector_task({ instance_id = %q,
        body = { task_name = "no-home", source_type = "NONE", sink_type = "NONE" } }))
      io.write(task.task_name)
    ]]):format(emu.url, emu.instance_id), { HOME = false, HUAWEICLOUD_SDK_METADATA_ENDPOINT = emu.url,
      HUAWEICLOUD_SDK_PROJECT_ID = "meta-proj" })
    assert.are.equal("no-home", out)
    assert.are.equal(1, emu:stats().metadata_calls)
  end)

  it("a provider whose project_id raises is a config error naming it", function()
    local broken = setmetatable({ where = "my provider" }, { __index = {
      get = function() return nil end,
      project_id = function() error("boom") end,
    } })
    local chain = { hw.credentials.static.new({ ak = "A", sk = "S" }), broken }
    local c, err = hw.credentials.resolve(chain)
    assert.is_nil(c)
    assert.are.equal("config", err.kind)
    assert.truthy(err.message:find("my provider failed: .*boom"), err.message)
  end)
end)

describe("profile file, as an attacker or an unlucky operator leaves it", function()
  local function read_profile(path)
    local p = hw.credentials.profile.new(path)
    return pcall(p.get, p)
  end

  it("refuses a link to /dev/zero and a FIFO at once, and a file larger than 64 KiB", function()
    local dir = H.tmpname()
    os.execute("mkdir -p " .. dir .. " && ln -s /dev/zero " .. dir .. "/zero && mkfifo " .. dir .. "/fifo")
    finally(function() os.execute("rm -rf " .. dir) end)
    local ok, err = read_profile(dir .. "/zero")
    assert.is_false(ok)
    assert.truthy(tostring(err):find("not a regular file", 1, true), err)
    ok, err = read_profile(dir .. "/fifo") -- never waits for a writer
    assert.is_false(ok)
    assert.truthy(tostring(err):find("not a regular file", 1, true), err)
    H.write(dir .. "/big", "[basic]\nak = A\nsk = S\n" .. ("#"):rep(70 * 1024))
    ok, err = read_profile(dir .. "/big")
    assert.is_false(ok)
    assert.truthy(tostring(err):find("larger than the limit", 1, true), err)
    -- through a client: a config error that names the file
    local out = probe({ HUAWEICLOUD_SDK_CREDENTIALS_FILE = dir .. "/fifo" })
    assert.truthy(out:find("^ERR huaweicloud: config error: credentials: profile file .*fifo %[basic%] failed: " ..
      "cannot read .*fifo: not a regular file"), out)
  end)

  it("parses long runs of spaces in linear time", function()
    local text = "[basic]\n" .. (" "):rep(40000) .. "\n[" .. (" "):rep(20000) .. "\nak = " .. ("a"):rep(10) ..
      (" "):rep(20000) .. "x\n"
    local t0 = os.clock()
    local p = hw.credentials.profile.parse(text)
    local took = os.clock() - t0
    print(("    profile parse of %d bytes of spaces: %.4f s CPU"):format(#text, took))
    assert.are.equal(("a"):rep(10) .. (" "):rep(20000) .. "x", p.basic.ak)
    assert.truthy(took < 1, took) -- the quadratic patterns took 9.2 s on 40,000 spaces
  end)
end)

describe("profile parser", function()
  it("reads sections, keys and values with spaces, comments and CRLF", function()
    local p = hw.credentials.profile.parse("[basic]\r\n ak = A B \r\n# x = y\n;z=1\nsk=\n[g]\nk=v=w\n")
    assert.are.same({ basic = { ak = "A B", sk = "" }, g = { k = "v=w" } }, p)
  end)
end)
