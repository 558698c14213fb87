-- The public surface is what the docs document (lua/huaweicloud/contract.lua, docs/guide.md "The
-- public surface"): every entry of hw.core and every method of a client is either public or listed
-- as internal, so nothing becomes API by accident.
local hw = require("huaweicloud")
local contract = require("huaweicloud.contract")

local function names(list)
  local s = {}
  for _, v in ipairs(list) do s[type(v) == "table" and v[1] or v] = true end
  return s
end

describe("the public surface", function()
  it("knows every entry of hw.core: public, an operation's one-call form, or internal", function()
    local public, ops = names(contract.core_public), {}
    for _, o in ipairs(hw.core.operations()) do ops[o.name] = true end
    local guide = io.open("docs/guide.md"):read("*a")
    local undocumented = {}
    for k in pairs(hw.core) do
      local internal = guide:find("`" .. k .. "`", 1, true) and not public[k]
      if not (public[k] or ops[k] or internal) then undocumented[#undocumented + 1] = k end
    end
    table.sort(undocumented)
    assert.are.same({}, undocumented) -- each new entry: public (contract.lua) or named internal in docs/guide.md
    for k in pairs(public) do assert.is_not_nil(hw.core[k], k) end
  end)

  it("knows every method of a client: public, internal, an operation or a helper", function()
    local public, internal = names(contract.client_methods), names(contract.client_internal)
    local kafka = hw.assert(hw.kafka.new({ endpoint = "http://127.0.0.1:9", credentials = { ak = "A", sk = "S",
      project_id = "p" } }))
    local class = getmetatable(kafka)
    local unknown = {}
    local function visit(t)
      for k, v in pairs(t) do
        if type(v) == "function" and type(k) == "string" and not k:match("^__") and not public[k] and
          not internal[k] and not class.operations[k] and not k:match("^wait_") and not k:match("^each_") and
          not k:match("^ensure_") and not k:match("^find_") and not k:match("_transfer_task$") then
          unknown[#unknown + 1] = k
        end
      end
    end
    visit(class)
    visit(require("huaweicloud.client").Client)
    table.sort(unknown)
    assert.are.same({}, unknown)
    for k in pairs(public) do assert.is_function(kafka[k], k) end
    for k in pairs(internal) do assert.is_function(kafka[k], k) end
    local types = io.open("lua/huaweicloud/types.lua"):read("*a")
    for k in pairs(internal) do
      assert.truthy(types:find("---@private\nfunction Client:" .. k .. "(", 1, true), k .. " is not marked @private")
    end
    kafka:close()
  end)
end)
