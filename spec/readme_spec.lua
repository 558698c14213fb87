-- Every ```lua block of README.md, docs/guide.md and docs/emulator.md, and every example, runs as
-- written with only the environment `huaweicloud emulator --background` prints (and the checkout's
-- LUA_PATH/LUA_CPATH, as "Try it locally" says): no edit, nothing substituted. As root they run in
-- a network namespace of their own where only loopback is up, so a block that tried to reach a
-- cloud host (its region's endpoint, IAM, the metadata address) would fail. Each block and example
-- meets a fresh emulator. A `print(...) --> text` comment is output the block must print, line for
-- line and in order; plain `--` comments are prose. `make demo` runs too.
local hw = require("huaweicloud")
local H = require("spec.support.helpers")

local DOCS = { "README.md", "docs/guide.md", "docs/emulator.md" }
local EXAMPLES = { "kafka_obs_dump", "kafka_kafka_replication", "kafka_redis_replication", "dis_obs_text",
  "dis_obs_parquet", "kafka_lifecycle", "dis_lifecycle", "kafka_prerequisites" }

local function blocks()
  local out = {}
  for _, doc in ipairs(DOCS) do
    for code in H.read(doc):gmatch("```lua\n(.-)```") do out[#out + 1] = { doc = doc, code = code } end
  end
  return out
end

-- Runs each file (a path) in its own process, each against a fresh emulator started with the
-- `huaweicloud` command, with only what it prints exported. Returns { out, ok } per file, and
-- whether they ran in a namespace with only loopback.
local function run_all(files)
  local dir = H.tmpname()
  os.execute("mkdir -p " .. dir)
  local lua = hw.emulator.interpreter()
  local lines = { "set -u", "cd " .. H.q(H.sh("pwd"):gsub("%s+$", "")) }
  for i, file in ipairs(files) do
    lines[#lines + 1] = table.concat({
      'exports=$(' .. lua .. ' bin/huaweicloud emulator --background) || exit 3',
      '(eval "$exports"; exec env -i PATH="$PATH" HOME=' .. H.q(dir) .. ' LUA_PATH="$LUA_PATH" LUA_CPATH="$LUA_CPATH" ' ..
        H.sanitizer_env() .. ' $(printf "%s\\n" "$exports" | sed -n "s/^export //p") ' .. lua .. " " .. H.q(file) ..
        ') > ' .. dir .. "/" .. i .. ".out 2>&1; echo $? > " .. dir .. "/" .. i .. ".rc",
      'eval "$exports"; kill "$HUAWEICLOUD_EMULATOR_PID"',
    }, "\n")
  end
  local script = dir .. "/run.sh"
  H.write(script, table.concat(lines, "\n") .. "\n")
  local _, root = H.sh('test "$(id -u)" = 0 && command -v unshare >/dev/null && command -v ip >/dev/null')
  local env = "LUA_PATH=" .. H.q(package.path) .. " LUA_CPATH=" .. H.q(package.cpath) .. " " .. H.sanitizer_env()
  local cmd = root and ("unshare -n sh -c " .. H.q("ip link set lo up && env " .. env .. " sh " .. script))
    or ("env " .. env .. " sh " .. script)
  local out, ok = H.sh(cmd .. " 2>&1")
  assert(ok, "the runner failed: " .. out)
  local results = {}
  for i = 1, #files do
    results[i] = { out = H.read(dir .. "/" .. i .. ".out") or "", ok = (H.read(dir .. "/" .. i .. ".rc") or "") == "0\n" }
  end
  os.execute("rm -rf " .. H.q(dir))
  return results, root
end

-- The README's ```text blocks that show a `$ huaweicloud ...` command and what it prints.
local function shown_commands()
  local out = {}
  for text in H.read("README.md"):gmatch("```text\n(.-)```") do
    local args, rest = text:match("^%$ huaweicloud ([^\n]*)\n(.*)$")
    if args then out[#out + 1] = { args = args, output = rest } end
  end
  return out
end

-- Durations vary, and the things of one level finish in any order: lines compared as a set.
local function normalized(text)
  local lines = {}
  for line in text:gmatch("[^\n]+") do lines[#lines + 1] = (line:gsub(" in %d+%.%d s", " in N s")) end
  table.sort(lines)
  return lines
end

describe("README and docs, as written", function()
  local list = blocks()
  local commands = shown_commands()
  local files, results, isolated = {}, nil, false
  setup(function()
    local dir = H.tmpname()
    os.execute("mkdir -p " .. dir)
    for i, b in ipairs(list) do
      files[i] = dir .. "/block" .. i .. ".lua"
      H.write(files[i], b.code)
    end
    for _, name in ipairs(EXAMPLES) do files[#files + 1] = "examples/" .. name .. ".lua" end
    -- the commands the README shows, one after the other against one fresh emulator
    local runner = {}
    for _, c in ipairs(commands) do
      runner[#runner + 1] = ("do local p = io.popen(%q) io.write('@@\\n', p:read('*a')) p:close() end"):format(
        hw.emulator.interpreter() .. " bin/huaweicloud " .. c.args .. " 2>&1")
    end
    files[#files + 1] = dir .. "/commands.lua"
    H.write(files[#files], table.concat(runner, "\n"))
    results, isolated = run_all(files)
    os.execute("rm -rf " .. H.q(dir))
  end)

  it("have Lua blocks to run, and run them where only loopback is up", function()
    assert.is_true(#list >= 12)
    if not isolated then print("    (not root: the blocks ran in this machine's network)") end
  end)

  for i, b in ipairs(list) do
    local first = b.code:match("[^\n]*\n[^\n]*") or b.code
    it(b.doc .. " block " .. i .. " runs and prints what it says: " .. first:gsub("\n", " | "), function()
      local r = results[i]
      assert.is_true(r.ok, r.out)
      local lines = {}
      for line in (r.out .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = line end
      local at = 1
      for expected in b.code:gmatch("%-%->%s*([^\n]+)") do
        local found
        for k = at, #lines do
          if lines[k] == expected then found = k break end
        end
        assert.truthy(found, "block " .. i .. " did not print: " .. expected .. "\nit printed:\n" .. r.out)
        at = found + 1
      end
    end)
  end

  for k, name in ipairs(EXAMPLES) do
    it("examples/" .. name .. ".lua runs with that environment alone", function()
      local r = results[#list + k]
      assert.is_true(r.ok, r.out)
    end)
  end

  it("shows what the huaweicloud command prints for the README's pipeline", function()
    assert.is_true(#commands >= 2)
    local r = results[#results]
    assert.is_true(r.ok, r.out)
    local printed = {}
    for block in (r.out .. "@@\n"):gmatch("@@\n(.-)%f[@]") do printed[#printed + 1] = block end
    for i, c in ipairs(commands) do
      assert.are.same(normalized(c.output), normalized(printed[i] or ""), "huaweicloud " .. c.args)
    end
  end)

  it("make demo runs every example against the emulator", function()
    local lua = hw.emulator.interpreter()
    local out, ok = H.sh("make -s demo LUA=" .. lua .. " 2>&1")
    assert.is_true(ok, out)
    assert.truthy(out:find("created 7 Kafka and 4 DIS tasks on the emulator; 0 example(s) failed", 1, true), out)
    assert.is_nil(out:find("OBS-SECRET-KEY", 1, true))
    assert.is_nil(out:find("peer-password", 1, true))
  end)
end)
