-- Regions: every region of the official SDKs' tables for both services, unknown regions, endpoint.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")

describe("regions", function()
  it("knows every region of the official tables, for both services", function()
    local n = 0
    for line in H.fixture("regions.txt"):gmatch("[^\n]+") do
      local service, region, endpoint = line:match("^(%a+) (%S+) (%S+)$")
      if service then
        n = n + 1
        assert.are.equal(endpoint, hw.regions.endpoint(service, region))
        local client = assert(hw[service].new({ region = region }))
        assert.are.equal(endpoint, client.endpoint)
      end
    end
    assert.are.equal(41, n)
    assert.are.equal(34, #hw.regions.list("kafka"))
    assert.are.equal(7, #hw.regions.list("dis"))
  end)

  it("an unknown region is a config error listing the known ones", function()
    local client, err = hw.dis.new({ region = "cn-north-99" })
    assert.is_nil(client)
    assert.are.equal("config", err.kind)
    assert.are.equal("region", err.field)
    assert.truthy(err.message:find("cn-north-4, cn-south-1", 1, true), err.message)
    -- a Kafka-only region is unknown to DIS
    assert.is_nil(hw.dis.new({ region = "eu-west-101" }))
    assert(hw.kafka.new({ region = "eu-west-101" }))
  end)

  it("endpoint overrides the region; neither is a config error", function()
    local c = assert(hw.kafka.new({ region = "cn-north-4", endpoint = "http://127.0.0.1:8080" }))
    assert.are.equal("http://127.0.0.1:8080", c.endpoint)
    local none, err = hw.kafka.new({})
    assert.is_nil(none)
    assert.are.equal("region", err.field)
  end)
end)
