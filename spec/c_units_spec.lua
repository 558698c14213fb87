-- The pure C units tested on their own, without a Lua state in between (spec/c/*_test.c): each
-- program is built by `make ctest` and must print "ok".
local H = require("spec.support.helpers")

describe("C unit tests", function()
  local out, ok = H.sh("make -s ctest 2>&1")
  it("build", function()
    assert.is_true(ok, out)
  end)
  local p = io.popen("ls spec/c/*_test.c")
  for file in p:lines() do
    local name = file:match("([%w_]+)%.c$")
    it(name, function()
      assert.is_true(ok, out)
      local res, passed = H.sh("build/ctest/" .. name .. " 2>&1")
      assert.is_true(passed, res)
      assert.are.equal("ok\n", res:sub(-3))
    end)
  end
  p:close()
end)
