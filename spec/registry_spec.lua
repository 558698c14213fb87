-- The registry: every descriptor checked whole, the generated files current, and everything
-- that follows from it present for every operation (a client method, an emulator route and
-- handler, an editor annotation, a reference entry). No operation is added here: the spec
-- walks core.operations().
local hw = require("huaweicloud")
local core = require("huaweicloud.core")
local H = require("spec.support.helpers")
local service = require("huaweicloud.emulator.service")

describe("the registry", function()
  it("passes the core's own check of every descriptor", function()
    assert.are.same({ true }, { core.registry_check() })
  end)

  it("is what the generated files say (make gen leaves nothing to change)", function()
    local out, ok = H.sh("lua5.4 registry/gen.lua --check 2>&1")
    assert.is_true(ok, out)
    assert.truthy(out:find("up to date", 1, true), out)
  end)

  local types, docs = H.read("lua/huaweicloud/types.lua"), H.read("docs/api.md")
  for _, op in ipairs(core.operations()) do
    it(op.name .. ": a client method, an emulator route and handler, an annotation, a reference entry", function()
      if op.service ~= "iam" then
        assert.is_function(hw[op.service].Client[op.name])
        local ann = types:find("---@param params {[^\n]*}\n---@return [^\n]*\n---@return [^\n]*\nfunction " ..
          op.service .. "_client:" .. op.name .. "%(params%) end")
        assert.truthy(ann, "no ---@param annotation for " .. op.name)
      end
      assert.truthy(docs:find("\n### " .. op.name .. "\n", 1, true), "no reference entry for " .. op.name)
      assert.is_function(service.handlers[op.name], "no emulator handler for " .. op.name)
      -- a request to the template's own URL routes to this operation
      local path = op.path:gsub("{([%w_]+)}", "x-%1")
      local match = require("huaweicloud.registry").operations[op.name].match
      local routed, params = service.new():route({ method = op.method, target = path .. "?q=1",
        body = match and require("cjson").encode(match) or "" })
      assert.are.equal(op.name, routed and routed.name, "no emulator route for " .. op.name)
      for name in op.path:gmatch("{([%w_]+)}") do assert.are.equal("x-" .. name, params[name]) end
    end)
  end

  it("types its parameters and says so in the reference", function()
    local list = {}
    for _, op in ipairs(core.operations()) do list[op.name] = op end
    local p = list.list_connector_tasks.params
    assert.are.same({ "instance_id", "path", "string", true }, { p[1].name, p[1]["in"], p[1].type, p[1].required })
    assert.are.same({ "limit", "query", "integer", false, 1, 50 },
      { p[3].name, p[3]["in"], p[3].type, p[3].required, p[3].min, p[3].max })
    assert.are.equal("start_partitionId", list.show_stream.params[2].wire)
    assert.truthy(docs:find("| `limit` | query | integer |  | 1..50", 1, true))
  end)

  describe("generator", function()
    -- runs the generator on a copy of the registry with one service file changed
    local function gen_with(edit)
      local root = H.tmpname()
      H.sh("mkdir -p " .. root .. "/registry " .. root .. "/docs && cp registry/*.lua " .. root .. "/registry/ && " ..
        "cp README.md " .. root .. " && cp docs/rules.md " .. root .. "/docs/")
      local path = root .. "/registry/kafka.lua"
      H.write(path, edit(H.read(path)))
      local out = H.sh("lua5.4 registry/gen.lua --check " .. root .. " 2>&1; echo \"exit=$?\"")
      H.sh("rm -rf " .. root)
      return out
    end
    local cases = {
      { "a path without its }", function(s) return (s:gsub("{task_id}/pause", "{task_id/pause")) end,
        "path has a { without its }" },
      { "a path naming no parameter", function(s) return (s:gsub("{task_id}/pause", "{job_id}/pause")) end,
        "path names {job_id}, which is not a parameter" },
      { "an unknown model", function(s) return (s:gsub('response = "ListConnectorTasksResponse"',
        'response = "NoSuchModel"')) end, "unknown response model NoSuchModel" },
      { "a page note neither enforced nor explained", function(s)
        return (s:gsub('unenforced = "peer", doc = "Redis password."', 'doc = "Redis password."', 1)) end,
        "is neither enforced by a rule nor marked unenforced" },
      { "a rule path naming no field", function(s) return (s:gsub('"sink_task.obs_path" }', '"sink_task.obs_dir" }')) end,
        "path sink_task.obs_dir names no field" },
      { "an operation twice", function(s) return (s:gsub('name = "show_instance"', 'name = "show_connector_task"')) end,
        "operation show_connector_task: defined twice" },
    }
    for _, c in ipairs(cases) do
      it("refuses " .. c[1], function()
        local out = gen_with(c[2])
        assert.truthy(out:find(c[3], 1, true), out)
        assert.truthy(out:find("exit=2", 1, true), out)
      end)
    end
  end)
end)
