-- The layout rules docs/layout.md states, read off the sources: the C core's files include each
-- other without a cycle, the pure units never reach a Lua header, no C function is over 60 lines,
-- and the Lua modules require each other without a cycle (lazy requires inside functions count).
local H = require("spec.support.helpers")

local function files(pattern)
  local out = {}
  for name in H.sh("ls " .. pattern .. " 2>/dev/null"):gmatch("[^\n]+") do out[#out + 1] = name end
  return out
end

-- A cycle in graph (node -> { node = true }) as a list of nodes, or nil.
local function find_cycle(graph)
  local state, stack = {}, {}
  local function visit(n)
    state[n] = "open"
    stack[#stack + 1] = n
    for m in pairs(graph[n] or {}) do
      if state[m] == "open" then
        local from = 1
        for i, s in ipairs(stack) do if s == m then from = i end end
        local cyc = { (table.unpack or unpack)(stack, from) }
        cyc[#cyc + 1] = m
        return cyc
      elseif state[m] == nil then
        local c = visit(m)
        if c then return c end
      end
    end
    stack[#stack] = nil
    state[n] = "done"
  end
  local names = {}
  for n in pairs(graph) do names[#names + 1] = n end
  table.sort(names)
  for _, n in ipairs(names) do
    if state[n] == nil then
      local c = visit(n)
      if c then return c end
    end
  end
end

local function c_includes()
  local graph = {}
  for _, path in ipairs(files("csrc/*.c csrc/*.h")) do
    local name = path:match("[^/]+$")
    graph[name] = {}
    for inc in H.read(path):gmatch('#include%s+"([^"]+)"') do graph[name][inc] = true end
  end
  return graph
end

-- What Lua code may require, comments left out (a doc comment's example is no dependency): every
-- module name it spells in a string, also those required through a variable (a list of modules);
-- the top module only where required by name ("huaweicloud" alone is also a value: rpc.system).
local function lua_requires(path)
  local out = {}
  for line in H.read(path):gmatch("[^\n]*") do
    local code = line:gsub("%-%-.*$", "")
    for m in code:gmatch('["\'](huaweicloud%.[%w_%.]+)["\']') do out[m] = true end
    if code:find('require%(?%s*["\']huaweicloud["\']') then out.huaweicloud = true end
  end
  return out
end

describe("the layout", function()
  it("has no include cycle in csrc/, and the pure units reach no Lua header", function()
    local graph = c_includes()
    local cyc = find_cycle(graph)
    assert.is_nil(cyc, cyc and table.concat(cyc, " -> "))
    local lua_headers = { ["compat.h"] = true, ["lua.h"] = true, ["lauxlib.h"] = true }
    local function reaches_lua(name, seen)
      seen = seen or {}
      if seen[name] then return false end
      seen[name] = true
      if lua_headers[name] then return true end
      for m in pairs(graph[name] or {}) do if reaches_lua(m, seen) then return true end end
      return false
    end
    for _, unit in ipairs({ "desc", "ops", "registry", "sbuf", "hash", "uri", "signer", "json", "secrets", "head", "reqb" }) do
      assert.is_false(reaches_lua(unit .. ".c"), unit .. ".c reaches a Lua header")
      assert.is_nil(H.read("csrc/" .. unit .. ".c"):find("#include <lua", 1, true), unit .. ".c includes Lua")
    end
  end)

  it("has no upward include: each file uses its own layer and those below (docs/layout.md)", function()
    local layers = {
      { "desc", "ops", "registry" },
      { "sbuf", "hash", "uri", "signer", "json", "secrets", "head", "reqb", "scratch" },
      { "lscratch", "errors", "lsecrets", "lhead" },
      { "model", "model_read", "lmodel" },
      { "lrequest" },
      { "lprepare", "lop", "lsent" },
      { "lwire" },
      { "http", "lparse" },
      { "lcall", "lfile", "core" },
    }
    local layer = { compat = 0, version = 0 }
    for i, names in ipairs(layers) do
      for _, n in ipairs(names) do layer[n] = i end
    end
    local up = {}
    for name, incs in pairs(c_includes()) do
      local stem = name:gsub("%.[ch]$", "")
      assert.is_not_nil(layer[stem], name .. " is in no layer of docs/layout.md")
      for inc in pairs(incs) do
        local to = inc:gsub("%.h$", "")
        if layer[to] and layer[to] > layer[stem] then up[#up + 1] = name .. " -> " .. inc end
      end
    end
    table.sort(up)
    assert.are.same({}, up)
  end)

  it("has no C function over 60 lines", function()
    local long, paths = {}, files("csrc/*.c")
    assert.truthy(#paths >= 20, "csrc/*.c not found: run from the checkout's top")
    for _, path in ipairs(paths) do
      local n, start, name, ends, matched = 0, nil, nil, 0, 0
      for line in (H.read(path) .. "\n"):gmatch("([^\n]*)\n") do
        n = n + 1
        -- a definition starts at column 0 with its name and "(" (after its return type, on the same
        -- line or the one before) and its body ends with a lone "}" there; one-line functions are short
        local fname = line:match("^[%a_][%w_ %*]*[%s%*]([%a_][%w_]*)%(") or line:match("^([%a_][%w_]*)%(")
        if line:match("^}") then
          local plain = line:match("^}%s*$") ~= nil
          if plain then ends = ends + 1 end
          if start then
            if plain then matched = matched + 1 end
            if n - start + 1 > 60 then long[#long + 1] = ("%s %s: %d lines"):format(path, name, n - start + 1) end
            start = nil
          end
        elseif not start and fname and not line:find(";%s*$") and not line:find("}%s*$") then
          start, name = n, fname
        elseif start and line:match("^[%a_].*;%s*$") then
          start = nil -- a prototype over several lines, not a definition
        end
      end
      assert.is_nil(start, ("%s: %s (line %s) has no closing } at column 0"):format(path, tostring(name), tostring(start)))
      -- every body's end was matched to a definition's start: none was missed
      assert.are.equal(ends, matched, path .. ": a function the scanner did not see")
    end
    assert.are.same({}, long)
  end)

  it("has no require cycle and no upward require among the Lua modules", function()
    local graph = {}
    for _, path in ipairs(files("lua/huaweicloud/*.lua lua/huaweicloud/*/*.lua")) do
      local mod = path:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
      graph[mod] = lua_requires(path)
      graph[mod][mod] = nil -- itself: code for a child process (emulator.start), not a dependency
    end
    for _, deps in pairs(graph) do -- names that are no module (a cache key, a metatable name)
      for m in pairs(deps) do if not graph[m] then deps[m] = nil end end
    end
    assert.truthy(graph["huaweicloud.emulator.service"]["huaweicloud.emulator.iam"]) -- required through a list
    assert.truthy(graph["huaweicloud.emulator.kafka"]["huaweicloud.emulator.util"])
    local cyc = find_cycle(graph)
    assert.is_nil(cyc, cyc and table.concat(cyc, " -> "))
    -- and none upward: the building blocks (transports, credentials, errors, telemetry, waits and
    -- walks, batches) never reach for the clients, the top module, pipelines or the command
    local high = function(m)
      return m == "huaweicloud" or m == "huaweicloud.client" or m == "huaweicloud.kafka" or m == "huaweicloud.dis" or
        m == "huaweicloud.iam" or m:find("^huaweicloud%.pipeline") or m:find("^huaweicloud%.cli")
    end
    local up = {}
    for mod, deps in pairs(graph) do
      if not high(mod) and not mod:find("^huaweicloud%.emulator") then
        for m in pairs(deps) do if high(m) then up[#up + 1] = mod .. " -> " .. m end end
      end
    end
    table.sort(up)
    assert.are.same({}, up)
  end)
end)
