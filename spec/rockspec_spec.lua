-- The rock installs into a fresh tree with `luarocks make` and its C core loads from there.
local H = require("spec.support.helpers")

local ROCKSPEC = "rockspec/huaweicloud-sdk-scm-1.rockspec"

describe("rockspec", function()
  it("passes luarocks lint", function()
    local out, ok = H.sh("luarocks lint " .. ROCKSPEC .. " 2>&1")
    assert.is_true(ok, out)
  end)

  it("lists every C source in csrc/", function()
    local spec = H.read(ROCKSPEC)
    local out = H.sh("ls csrc/*.c")
    for file in out:gmatch("%S+") do
      assert.truthy(spec:find('"' .. file .. '"', 1, true), file .. " missing from the rockspec")
    end
  end)

  it("installs with luarocks make and loads huaweicloud.core from the tree", function()
    local work, tree = H.tmpname(), H.tmpname()
    -- build from a copy: luarocks make leaves objects in the source tree
    local _, ok = H.sh("mkdir -p " .. work .. " && cp -r csrc lua rockspec " .. work .. " 2>/dev/null; test -d " .. work .. "/csrc")
    assert.is_true(ok)
    local lua_version = (_VERSION:match("5%.%d") == "5.1") and "5.1" or _VERSION:match("5%.%d")
    local extra = ""
    if type(jit) == "table" then extra = " LUA_INCDIR=/usr/include/luajit-2.1" end
    local out
    out, ok = H.sh("cd " .. work .. " && luarocks make " .. ROCKSPEC .. " --lua-version=" .. lua_version ..
      " --tree " .. tree .. " --deps-mode=none" .. extra .. " 2>&1")
    assert.is_true(ok, out)
    local lua = arg and arg[-1] or "lua5.4"
    local probe = [[local core = require("huaweicloud.core")
      local h = assert(core.sign({ method = "GET", url = "https://h/x", date = "20240207T123456Z" }, { ak = "a", sk = "s" }))
      local found = "?"
      for t in package.cpath:gmatch("[^;]+") do
        local p = t:gsub("%?", "huaweicloud/core")
        local f = io.open(p)
        if f then f:close() found = p break end
      end
      io.write(core.version, " ", h.Authorization:sub(1, 15), " ", found)]]
    out, ok = H.sh("cd / && LUA_CPATH=" .. H.q(tree .. "/lib/lua/" .. lua_version .. "/?.so") ..
      " LUA_PATH=" .. H.q(tree .. "/share/lua/" .. lua_version .. "/?.lua;" .. tree .. "/share/lua/" ..
      lua_version .. "/?/init.lua") .. " " .. lua .. " -e " .. H.q(probe) .. " 2>&1")
    H.sh("rm -rf " .. work .. " " .. tree)
    assert.is_true(ok, out)
    assert.truthy(out:find("SDK-HMAC-SHA256", 1, true), out)
    assert.truthy(out:find(tree, 1, true), out)
  end)
end)
