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
        local cyc = { table.unpack and table.unpack(stack, from) or unpack(stack, from) }
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

-- Requires of Lua code, comments left out (a doc comment's example is no dependency).
local function lua_requires(path)
  local out = {}
  for line in H.read(path):gmatch("[^\n]*") do
    local code = line:gsub("%-%-.*$", "")
    for m in code:gmatch('require%(?%s*["\'](huaweicloud[%w_%.]*)["\']') do out[m] = true end
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

  it("has no C function over 60 lines", function()
    local long = {}
    for _, path in ipairs(files("csrc/*.c")) do
      local n, start, name = 0, nil, nil
      for line in H.read(path):gmatch("([^\n]*)\n") do
        n = n + 1
        -- a definition starts at column 0 with its name and "(" and its body ends with "}" there
        if not start and line:match("^[%a_][%w_ %*]*[%s%*]([%a_][%w_]*)%(") and not line:find(";%s*$") then
          start, name = n, line:match("([%a_][%w_]*)%(")
        elseif start and line:match("^}") then
          if n - start + 1 > 60 then long[#long + 1] = ("%s %s: %d lines"):format(path, name, n - start + 1) end
          start = nil
        elseif start and line:match("^[%a_].*;%s*$") and not line:match("^%s") then
          start = nil -- a prototype over several lines, not a definition
        end
      end
    end
    assert.are.same({}, long)
  end)

  it("has no require cycle among the Lua modules", function()
    local graph = {}
    for _, path in ipairs(files("lua/huaweicloud/*.lua lua/huaweicloud/*/*.lua")) do
      local mod = path:gsub("^lua/", ""):gsub("%.lua$", ""):gsub("/init$", ""):gsub("/", ".")
      graph[mod] = lua_requires(path)
      graph[mod][mod] = nil -- itself: code for a child process (emulator.start), not a dependency
    end
    assert.truthy(graph["huaweicloud.emulator.kafka"]["huaweicloud.emulator.util"])
    local cyc = find_cycle(graph)
    assert.is_nil(cyc, cyc and table.concat(cyc, " -> "))
  end)
end)
