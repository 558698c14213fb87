-- The official Huawei Cloud Node.js SDK drives a Smart Connect task's whole life against the
-- emulator (spec/node/lifecycle.js): the emulator answers what the official SDK expects, and
-- checks the official SDK's own signatures. Needs `make node-sdk` (Node.js, npm and the npm
-- registry); without it the spec says so and is pending.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")

local DIR = "build/node-sdk"

describe("the official Node.js SDK against the emulator", function()
  local installed = io.open(DIR .. "/node_modules/@huaweicloud/huaweicloud-sdk-kafka/package.json") ~= nil
  if not installed then
    pending("the official Node.js SDK is not installed here (make node-sdk)")
    return
  end

  it("runs create, list, show, pause, resume, restart, delete, and a show after delete that fails", function()
    local emu = hw.emulator.start({ project_id = "0a1b2c3d4e5f67890a1b2c3d4e5f6789" })
    finally(function() emu:stop() end)
    local home = H.tmpname() -- the Node SDK writes ~/.huaweicloud/application_id
    os.execute("mkdir -p " .. home)
    local out, ok = H.sh(table.concat({ "env -i PATH=" .. H.q(os.getenv("PATH")), "HOME=" .. H.q(home),
      "NODE_PATH=" .. H.q(DIR .. "/node_modules"),
      "EMU_ENDPOINT=" .. H.q(emu.url), "EMU_AK=" .. H.q(emu.ak), "EMU_SK=" .. H.q(emu.sk),
      "EMU_PROJECT_ID=0a1b2c3d4e5f67890a1b2c3d4e5f6789", "EMU_INSTANCE_ID=" .. H.q(emu.instance_id),
      "node spec/node/lifecycle.js 2>&1" }, " "))
    os.execute("rm -rf " .. H.q(home))
    local steps = {}
    for line in out:gmatch("[^\n]+") do
      local okj, step = pcall(require("cjson").decode, line)
      if okj and type(step) == "table" then steps[#steps + 1] = step.step .. (step.ok and "" or " FAILED") end
    end
    assert.are.same({ "create", "list", "show", "pause", "resume", "restart", "delete", "show after delete" }, steps,
      out)
    assert.is_true(ok, out)
    local stats = emu:stats()
    assert.are.equal(0, stats.rejected_signatures) -- every signature of the official signer verified
    assert.are.equal(1, stats.kafka_tasks)
  end)

  it("signs a request that carries a traceparent as the official signer does", function()
    local req = hw.assert(hw.core.prepare("show_connector_task", { endpoint = "https://dms.cn-north-4.myhuaweicloud.com",
      date = "20240207T123456Z", credentials = { ak = "AKTRACE", sk = "SKTRACE", project_id = "p1" } },
      { instance_id = "i1", task_id = "t1",
        headers = { traceparent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" } }))
    local headers = {}
    for k, v in pairs(req.headers) do
      if k ~= "Authorization" and k ~= "Host" then headers[k] = v end -- the official signer adds host itself
    end
    local input = H.tmpname()
    H.write(input, require("cjson").encode({ url = req.url, method = req.method, headers = headers, ak = "AKTRACE",
      sk = "SKTRACE" }))
    local out, ok = H.sh("env NODE_PATH=" .. H.q(DIR .. "/node_modules") .. " node spec/node/sign.js < " .. input ..
      " 2>&1")
    os.remove(input)
    assert.is_true(ok, out)
    assert.are.equal(req.headers.Authorization, (out:gsub("%s+$", "")))
    assert.truthy(req.headers.Authorization:find("SignedHeaders=host;traceparent;", 1, true))
  end)
end)
