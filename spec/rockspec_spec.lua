-- The rock: both rockspecs pass luarocks lint and agree but for version and source; the scm
-- one installs from the checkout with `luarocks make`, the versioned one with `luarocks build`
-- from the archive `make dist` writes; the C core loads from each tree; `luarocks test` runs.
local H = require("spec.support.helpers")

local SCM = "rockspec/huaweicloud-sdk-scm-1.rockspec"
local VERSION = H.read("csrc/version.h"):match('HWC_VERSION "([^"]+)"')
local RELEASE = "rockspec/huaweicloud-sdk-" .. VERSION .. "-1.rockspec"

local function load_spec(path)
  local env = {}
  local chunk = assert((loadstring or load)(H.read(path), "=" .. path, "t", env))
  if setfenv then setfenv(chunk, env) end
  chunk()
  return env
end

local lua_version = (_VERSION:match("5%.%d") == "5.1") and "5.1" or _VERSION:match("5%.%d")
local extra = type(jit) == "table" and " LUA_INCDIR=/usr/include/luajit-2.1" or ""

-- Loads the core from tree in a fresh interpreter; returns its output.
local function probe(tree)
  local lua = arg and arg[-1] or "lua5.4"
  local code = [[local core = require("huaweicloud.core")
    local h = assert(core.sign({ method = "GET", url = "https://h/x", date = "20240207T123456Z" }, { ak = "a", sk = "s" }))
    local found = "?"
    for t in package.cpath:gmatch("[^;]+") do
      local p = t:gsub("%?", "huaweicloud/core")
      local f = io.open(p)
      if f then f:close() found = p break end
    end
    assert(require("huaweicloud.emulator").start)
    io.write(core.version, " ", h.Authorization:sub(1, 15), " ", found)]]
  -- a tree of its own needs its paths, as `luarocks path` prints them
  local paths = "LUA_CPATH=" .. H.q(tree .. "/lib/lua/" .. lua_version .. "/?.so;;") ..
    " LUA_PATH=" .. H.q(tree .. "/share/lua/" .. lua_version .. "/?.lua;" .. tree .. "/share/lua/" ..
    lua_version .. "/?/init.lua;;")
  local out, ok = H.sh("cd / && " .. paths .. " " .. lua .. " -e " .. H.q(code) .. " 2>&1")
  assert.is_true(ok, out)
  assert.truthy(out:find(VERSION .. " SDK-HMAC-SHA256", 1, true), out)
  assert.truthy(out:find(tree, 1, true), out)
  -- the command the rock installs runs from the tree
  local cmd
  cmd, ok = H.sh("cd / && " .. paths .. " " .. H.q(tree .. "/bin/huaweicloud") .. " version 2>&1")
  assert.is_true(ok, cmd)
  assert.are.equal("huaweicloud-sdk " .. VERSION .. "\n", cmd)
  return out
end

describe("rockspec", function()
  it("both pass luarocks lint", function()
    for _, path in ipairs({ SCM, RELEASE }) do
      local out, ok = H.sh("luarocks lint " .. path .. " 2>&1")
      assert.is_true(ok, path .. ": " .. out)
    end
  end)

  it("agree with each other but for version and source, and list every C source in csrc/", function()
    local scm, rel = load_spec(SCM), load_spec(RELEASE)
    assert.are.equal("scm-1", scm.version)
    assert.are.equal(VERSION .. "-1", rel.version)
    assert.are.equal("huaweicloud-sdk-" .. VERSION .. ".tar.gz", rel.source.url)
    for _, k in ipairs({ "package", "description", "dependencies", "external_dependencies", "build", "test" }) do
      assert.are.same(scm[k], rel[k], k)
    end
    local sources = {}
    for _, f in ipairs(scm.build.modules["huaweicloud.core"].sources) do sources[f] = true end
    local out = H.sh("ls csrc/*.c")
    local n = 0
    for file in out:gmatch("%S+") do
      n = n + 1
      assert.is_true(sources[file] == true, file .. " missing from the rockspec")
    end
    local listed = 0
    for _ in pairs(sources) do listed = listed + 1 end
    assert.are.equal(n, listed, "the rockspec lists a file csrc/ does not have")
  end)

  it("installs from the checkout with luarocks make, and the core loads from the tree", function()
    local work, tree = H.tmpname(), H.tmpname()
    -- build from a copy: luarocks make leaves objects in the source tree
    local _, ok = H.sh("mkdir -p " .. work .. " && cp -r bin csrc lua rockspec " .. work .. " 2>/dev/null; test -d " .. work ..
      "/csrc")
    assert.is_true(ok)
    local out
    out, ok = H.sh("cd " .. work .. " && luarocks make " .. SCM .. " --lua-version=" .. lua_version ..
      " --tree " .. tree .. " --deps-mode=none" .. extra .. " 2>&1")
    assert.is_true(ok, out)
    probe(tree)
    H.sh("rm -rf " .. work .. " " .. tree)
  end)

  it("builds from the make dist archive with luarocks build, and the core loads from the tree", function()
    local dist, tree = H.tmpname(), H.tmpname()
    local out, ok = H.sh("make -s dist 2>&1 && mkdir -p " .. dist .. " && cp build/dist/* " .. dist)
    assert.is_true(ok, out)
    out, ok = H.sh("cd " .. dist .. " && luarocks build huaweicloud-sdk-" .. VERSION .. "-1.rockspec --lua-version=" ..
      lua_version .. " --tree " .. tree .. " --deps-mode=none" .. extra .. " 2>&1")
    assert.is_true(ok, out)
    probe(tree)
    H.sh("rm -rf " .. dist .. " " .. tree)
  end)

  it("make dist without git packs exactly a checkout's files, never what a build left behind", function()
    local copy = H.tmpname()
    local _, ok = H.sh("mkdir -p " .. copy .. " && git ls-files -z | xargs -0 cp --parents -t " .. copy ..
      " && touch " .. copy .. "/csrc/leftover.o " .. copy .. "/csrc/core.so " .. copy .. "/huaweicloud-sdk-0.1.0-1.rock")
    assert.is_true(ok)
    local out
    out, ok = H.sh("cd " .. copy .. " && test ! -d .git && make -s dist 2>&1")
    assert.is_true(ok, out)
    local packed = H.sh("tar -tzf " .. copy .. "/build/dist/huaweicloud-sdk-" .. VERSION ..
      ".tar.gz | sed 's|^[^/]*/||' | grep -v '/$' | grep -v '^$' | sort")
    local tracked = H.sh("git ls-files | sort")
    H.sh("rm -rf " .. copy)
    assert.are.equal(tracked, packed)
  end)

  it("runs its tests with luarocks test (through make, as Debian's busted is no rock)", function()
    if lua_version ~= "5.4" then return end -- the command runs make test, the suite under 5.4
    -- without MAKEFLAGS: a `make test-run SPECS=...` running this file would hand its SPECS down
    -- to the make that luarocks runs, which would run this file again, without end
    local out, ok = H.sh("env -u MAKEFLAGS -u MAKELEVEL SPECS=spec/regions_spec.lua luarocks test " .. SCM .. " --lua-version=5.4 2>&1")
    assert.is_true(ok, out)
    assert.truthy(out:find("%d+ passed, 0 failed"), out)
  end)
end)
