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

describe("profile parser", function()
  it("reads sections, keys and values with spaces, comments and CRLF", function()
    local p = hw.credentials.profile.parse("[basic]\r\n ak = A B \r\n# x = y\n;z=1\nsk=\n[g]\nk=v=w\n")
    assert.are.same({ basic = { ak = "A B", sk = "" }, g = { k = "v=w" } }, p)
  end)
end)
