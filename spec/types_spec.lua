-- The editor's view of the API (lua/huaweicloud/types.lua, generated from the registry and
-- huaweicloud.contract) against the API itself: every operation, helper, builder, option, error
-- kind and field, meta field and model is annotated, request bodies are exact classes, and the
-- README's tables name nothing the annotations do not. (lua-language-server is not installable
-- here: its input is checked instead.)
local hw = require("huaweicloud")
local H = require("spec.support.helpers")
local contract = require("huaweicloud.contract")

local TYPES = H.read("lua/huaweicloud/types.lua")

local function class_block(name)
  local at = TYPES:find("---@class " .. name:gsub("%p", "%%%0") .. "[ \n]") or
    TYPES:find("---@class %(exact%) " .. name:gsub("%p", "%%%0") .. "[ \n]")
  assert(at, "no class " .. name)
  return TYPES:sub(at, (TYPES:find("\n\n", at, true) or #TYPES))
end

local function has_field(block, field)
  return block:find("\n%-%-%-@field " .. field:gsub("%p", "%%%0") .. "%??[ \n]") ~= nil
end

describe("editor annotations (types.lua)", function()
  it("are what make gen writes", function()
    local out, ok = H.sh("lua5.4 registry/gen.lua --check 2>&1")
    assert.is_true(ok, out)
  end)

  it("type every method of every client: operations, helpers, actions", function()
    for _, svc in ipairs({ "kafka", "dis" }) do
      local n = 0
      for name, v in pairs(hw[svc].Client) do
        if type(v) == "function" and not name:match("^__") then
          n = n + 1
          assert.truthy(TYPES:find("\nfunction " .. svc .. "_client:" .. name .. "%(", 1), svc .. ":" .. name)
        end
      end
      assert.truthy(n >= 10, svc)
      assert.truthy(TYPES:find("---@class huaweicloud." .. svc .. ".Client : huaweicloud.Client", 1, true))
    end
    for _, op in ipairs(hw.core.operations()) do
      if op.service ~= "iam" then
        assert.truthy(TYPES:find("\nfunction " .. op.service .. "_client:" .. op.name .. "(params)", 1, true), op.name)
      end
    end
    for _, m in ipairs({ "prepare", "create_many", "close" }) do
      assert.truthy(TYPES:find("\nfunction Client:" .. m .. "(", 1, true), m)
    end
  end)

  it("tie hw.kafka.new / hw.dis.new to their client class, and type every builder's options", function()
    for _, svc in ipairs({ "kafka", "dis" }) do
      assert.truthy(TYPES:find("---@return huaweicloud." .. svc .. ".Client|nil client\n---@return huaweicloud.Error? err\n" ..
        "function " .. svc .. ".new(opts) end", 1, true), svc)
      local builders = 0
      for name, v in pairs(hw[svc]) do
        if type(v) == "function" and name ~= "new" then
          builders = builders + 1
          assert.truthy(TYPES:find("---@param opts huaweicloud." .. svc .. "." .. name .. ".Options\n", 1, true), name)
          class_block("huaweicloud." .. svc .. "." .. name .. ".Options")
        end
      end
      assert.truthy(builders >= 1, svc)
      assert.truthy(H.read("lua/huaweicloud/" .. svc .. ".lua"):find("---@type huaweicloud." .. svc, 1, true))
    end
    -- an option of the builder: a field of the model it writes into
    assert.is_true(has_field(class_block("huaweicloud.kafka.obs_dump_task.Options"), "obs_bucket_name"))
    assert.is_true(has_field(class_block("huaweicloud.dis.obs_transfer_task.Options"), "agency_name"))
  end)

  it("type every client option, error kind and field, meta field and log field", function()
    local opts = class_block("huaweicloud.ClientOptions")
    for _, o in ipairs(contract.options) do assert.is_true(has_field(opts, o[1]), o[1]) end
    local err = class_block("huaweicloud.Error")
    for kind in pairs(hw.errors.kinds) do assert.truthy(err:find('"' .. kind .. '"', 1, true), kind) end
    for _, f in ipairs(contract.error_fields) do assert.is_true(has_field(err, f[1]), f[1]) end
    local meta = class_block("huaweicloud.Meta")
    for _, f in ipairs(contract.meta_fields) do assert.is_true(has_field(meta, f[1]), f[1]) end
    local ev = class_block("huaweicloud.LogEvent")
    for _, f in ipairs(contract.log_fields) do assert.is_true(has_field(ev, f[1]), f[1]) end
  end)

  it("make every request body an exact class, and type every model's fields", function()
    for _, op in ipairs(hw.core.operations()) do
      if op.request then
        assert.truthy(TYPES:find("---@class (exact) " .. op.request .. " ", 1, true), op.request .. " is not exact")
      end
    end
    for _, m in ipairs(hw.core.models()) do
      local block = class_block(m)
      for _, f in ipairs(hw.core.describe(m)) do assert.is_true(has_field(block, f.name), m .. "." .. f.name) end
    end
  end)

  it("leave nothing the README's tables name out", function()
    local readme = H.read("README.md")
    local options = readme:match("### Client options\n(.-)\n###")
    for name in options:gmatch("\n| `([%w_]+)`") do
      local known = false
      for _, o in ipairs(contract.options) do known = known or o[1] == name end
      assert.is_true(known, "the README's option " .. name .. " is not in huaweicloud.contract")
    end
    local kinds = readme:match("`err.kind` is one of:(.-)\n\n")
    for name in kinds:gmatch("\n| `([%w_]+)`") do assert.is_true(hw.errors.kinds[name] == true, name) end
  end)
end)
