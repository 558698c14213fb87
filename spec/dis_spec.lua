-- huaweicloud.dis: create_obs_transfer_task through the Lua client against the emulator.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")
local X = require("spec.fixtures.examples")

describe("dis:create_obs_transfer_task", function()
  local emu, dis
  setup(function()
    emu = hw.emulator.start({ auto_create = true, project_id = X.project_id })
    dis = assert(hw.dis.new({ endpoint = emu.url, credentials = { ak = emu.ak, sk = emu.sk, project_id = X.project_id } }))
  end)
  teardown(function()
    dis:close()
    emu:stop()
  end)

  it("adds both API-page examples: 201 and an empty result", function()
    for i, ex in ipairs(X.dis) do -- both are named newtask: one per stream (a second answers DIS.4355)
      local res, meta = dis:create_obs_transfer_task({ stream_name = X.stream_name .. (i == 1 and "" or "-b"), body = ex.body })
      assert.are.same({}, res, tostring(meta))
      assert.are.equal(201, meta.status)
      assert.is_string(meta.request_id)
    end
    local tasks = emu:tasks().dis
    assert.are.equal("parquet", tasks[#tasks].task.obs_destination_descriptor.destination_file_type)
    assert.are.equal(X.stream_name .. "-b", tasks[#tasks].stream_name)
  end)

  it("matches the official SDK's signature for each page example (marshal + sign)", function()
    for _, ex in ipairs(X.dis) do
      local req, v = H.prepare_as_vector("create_obs_transfer_task", ex.name, { stream_name = X.stream_name, body = ex.body })
      assert.are.equal(v.input.body, req.body)
      assert.are.equal(v.expected.authorization, req.headers.Authorization)
    end
  end)

  it("builds the body with destination OBS and the documented defaults", function()
    local body = hw.dis.obs_transfer_task({ task_name = "t1", agency_name = "dis_admin_agency", obs_bucket_path = "b" })
    assert.are.same({ destination_type = "OBS", obs_destination_descriptor = { task_name = "t1",
      agency_name = "dis_admin_agency", obs_bucket_path = "b", consumer_strategy = "LATEST",
      destination_file_type = "text", deliver_time_interval = 300, record_delimiter = "\n" } }, body)
    assert(dis:create_obs_transfer_task({ stream_name = "s", body = body }))
    local given = hw.dis.obs_transfer_task({ task_name = "t1", agency_name = "a", obs_bucket_path = "b",
      deliver_time_interval = 60, consumer_strategy = "TRIM_HORIZON" })
    assert.are.equal(60, given.obs_destination_descriptor.deliver_time_interval)
    assert.are.equal("TRIM_HORIZON", given.obs_destination_descriptor.consumer_strategy)
  end)

  it("checks stream_name (at most 60 characters) and the body before sending", function()
    local before = emu:stats().requests
    local _, err = dis:create_obs_transfer_task({ stream_name = ("s"):rep(61), body = X.dis[1].body })
    assert.are.equal("validation", err.kind)
    assert.are.equal("stream_name", err.field)
    assert.truthy(err.message:find("60"))
    assert(dis:create_obs_transfer_task({ stream_name = ("s"):rep(60), body = X.dis[1].body }))
    local body = X.copy(X.dis[1].body)
    body.obs_destination_descriptor.deliver_time_interval = 1000
    _, err = dis:create_obs_transfer_task({ stream_name = "s", body = body })
    assert.are.equal("obs_destination_descriptor.deliver_time_interval", err.field)
    assert.truthy(err.message:find("between 30 and 900", 1, true))
    assert.are.equal(before + 1, emu:stats().requests)
    _, err = dis:create_obs_transfer_task({ stream_name = "s", body = body, validate = false })
    assert.are.equal("api", err.kind)
    assert.are.equal("DIS.4200", err.code)
  end)
end)
