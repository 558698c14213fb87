-- The HTTP/1.1 reader both the nginx transport and the emulator's server use: framings, limits
-- in every framing, which answers have a body, malformations as values (never a raise), and
-- random input fed a byte at a time.
local http1 = require("huaweicloud.http1")

local function resp(text, opts, step)
  return http1.read_response(http1.string_reader(text, step), opts)
end

local function req(text, opts, step)
  return http1.read_request(http1.string_reader(text, step), opts)
end

describe("http1.read_response", function()
  it("reads Content-Length, chunked and close-delimited bodies, whatever the read sizes", function()
    for _, step in ipairs({ 1, 3, 7, 1000 }) do
      local r = assert(resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nX-A: 1\r\nx-a: 2\r\n\r\nhello", nil, step))
      assert.are.same({ 200, "1.1", "hello", true, "1, 2" }, { r.status, r.version, r.body, r.reusable, r.headers["x-a"] })
      r = assert(resp("HTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nwiki\r\n5\r\npedia\r\n" ..
        "0\r\nTrailer: x\r\n\r\n", nil, step))
      assert.are.equal("wikipedia", r.body)
      assert.is_true(r.reusable)
      r = assert(resp("HTTP/1.0 200 OK\nServer: x\n\nto the end", nil, step))
      assert.are.equal("to the end", r.body)
      assert.is_false(r.reusable)
    end
  end)

  it("knows which answers have no body: HEAD, 204, 304, and skips 1xx", function()
    local r = assert(resp("HTTP/1.1 204 No Content\r\n\r\n"))
    assert.are.equal("", r.body)
    assert.is_true(r.reusable)
    assert.are.equal("", assert(resp("HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n")).body)
    assert.are.equal("", assert(resp("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n", { method = "HEAD" })).body)
    r = assert(resp("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"))
    assert.are.same({ 200, "ok" }, { r.status, r.body })
  end)

  it("enforces max_body while reading, in every framing", function()
    local big = ("x"):rep(5000)
    for _, text in ipairs({
      "HTTP/1.1 200 OK\r\nContent-Length: 5000\r\n\r\n" .. big,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n800\r\n" .. big:sub(1, 2048) .. "\r\n801\r\n" .. big:sub(1, 2049) .. "\r\n0\r\n\r\n",
      "HTTP/1.1 200 OK\r\n\r\n" .. big,
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\n" .. big,
    }) do
      local r, err, code = resp(text, { max_body = 4096 }, 100)
      assert.is_nil(r)
      assert.are.equal("too_large", code, err)
    end
    -- never buffers much past the limit, however much the peer sends
    local fed = 0
    local reader = http1.reader(function(max)
      fed = fed + max
      if fed == max then return "HTTP/1.1 200 OK\r\n\r\n" end
      return ("y"):rep(max)
    end)
    local r, _, code = http1.read_response(reader, { max_body = 100000 })
    assert.is_nil(r)
    assert.are.equal("too_large", code)
    assert.truthy(fed < 100000 + 2 * 16384, fed)
  end)

  it("bounds the head: a header line or section past 256 KB", function()
    local reader = http1.reader(function(max) return ("h"):rep(max) end) -- one endless line
    local r, _, code = http1.read_response(reader)
    assert.is_nil(r)
    assert.are.equal("head_too_large", code)
    local many = { "HTTP/1.1 200 OK" }
    for i = 1, 20000 do many[#many + 1] = "X-H" .. i .. ": value" end
    r, _, code = resp(table.concat(many, "\r\n") .. "\r\n\r\n", nil, 4096)
    assert.is_nil(r)
    assert.are.equal("head_too_large", code)
  end)

  it("returns malformations as values: status line, headers, chunk sizes, lengths", function()
    for _, text in ipairs({
      "HTTP/1.1 2OO OK\r\n\r\n", "garbage\r\n\r\n", "HTTP/1.1 200 OK\r\nNo-Colon\r\n\r\n",
      "HTTP/1.1 200 OK\r\n folded: x\r\n\r\n", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nwikiXX0\r\n\r\n",
      "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!",
      "HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello!", "HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n",
      "HTTP/1.1 200 OK\r\nContent-Length: 1e3\r\n\r\n",
    }) do
      local r, err, code = resp(text)
      assert.is_nil(r, text)
      assert.are.equal("malformed", code, text .. " -> " .. tostring(err))
    end
    -- the same length twice is one length
    assert.are.equal("hello", assert(resp("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello")).body)
  end)

  it("says when the peer closed early, and passes fill errors on", function()
    local r, err, code = resp("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort")
    assert.is_nil(r)
    assert.are.same({ "truncated body", "closed" }, { err, code })
    assert.are.equal("closed", select(3, resp("HTTP/1.1 200 OK\r\nContent-Le")))
    assert.are.equal("closed", select(3, resp("")))
    local reader = http1.reader(function() return nil, "timeout" end)
    assert.are.equal("timeout", select(3, http1.read_response(reader)))
  end)

  it("never raises on random input, fed in random pieces", function()
    math.randomseed(12345)
    local pieces = { "HTTP/1.1 ", "200 OK", "\r\n", "\n", "Content-Length: ", "Transfer-Encoding: chunked", "5",
      "ffff", ";x", ": ", "\0", "\255", "0\r\n\r\n", "hello", " ", "HTTP/1.0 204 x", "Connection: close" }
    for _ = 1, 3000 do
      local t = {}
      for i = 1, math.random(1, 30) do t[i] = pieces[math.random(#pieces)] end
      local text = table.concat(t)
      local ok, r, err = pcall(resp, text, { max_body = 64 }, math.random(1, 8))
      assert.is_true(ok, r)
      assert.is_true(r ~= nil or type(err) == "string")
      ok = pcall(req, text, { max_body = 64 }, math.random(1, 8))
      assert.is_true(ok)
    end
  end)
end)

describe("http1.read_request", function()
  it("reads requests with their bodies, and keep-alive", function()
    local r = assert(req("POST /v2/p/x?a=1 HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\n{}"))
    assert.are.same({ "POST", "/v2/p/x?a=1", "1.1", "{}", true, "h" },
      { r.method, r.target, r.version, r.body, r.keep_alive, r.headers.host })
    r = assert(req("PUT /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n2\r\n{}\r\n0\r\n\r\n", nil, 1))
    assert.are.same({ "{}", false }, { r.body, r.keep_alive })
    assert.are.equal("", assert(req("GET / HTTP/1.0\r\n\r\n")).body)
  end)

  it("answers what cannot be read with the status to send", function()
    assert.are.equal(411, select(3, req("POST /x HTTP/1.1\r\n\r\n")))
    assert.are.equal(413, select(3, req("POST /x HTTP/1.1\r\nContent-Length: 99\r\n\r\n", { max_body = 10 })))
    assert.are.equal(400, select(3, req("NOT A REQUEST\r\n\r\n")))
    assert.are.equal(400, select(3, req("POST /x HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n")))
    assert.are.equal(400, select(3, req("POST /x HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc")))
    assert.are.equal(431, select(3, req("GET /" .. ("a"):rep(300000) .. " HTTP/1.1\r\n\r\n")))
    assert.is_nil(select(3, req("POST /x HTTP/1.1\r\nContent-Length: 10\r\n\r\nabc"))) -- closed early: no answer
  end)
end)

-- The nginx transport's fast path: core.http_head takes the plain case in one pass over the
-- first bytes; for everything it takes, the general reader must give the very same answer, and
-- it must decline (nil) what the general reader judges differently or refuses.
describe("core.http_head", function()
  local core = require("huaweicloud.core")
  local lines = {
    "Content-Type: application/json", "X-Request-Id: abc", "x-request-id: def", "Connection: keep-alive",
    "Connection: close", "Content-Length: 5", "content-length:5", "Content-Length: 6", "Content-Length: 05", "Content-Length: 5, 5",
    "Content-Length: x", "Transfer-Encoding: chunked", " folded", "Bad Name: x", "Empty:", "X-Tab:\tv\t",
    "Date: Tue, 01 Dec 2026 23:14:30 GMT", "X-Long-" .. ("n"):rep(130) .. ": v",
  }
  local starts = { "HTTP/1.1 200 OK", "HTTP/1.1 201 Created", "HTTP/1.0 200 OK", "HTTP/1.1 204 No Content",
    "HTTP/1.1 304 Not Modified", "HTTP/1.1 100 Continue", "HTTP/1.1 503 Busy", "HTTP/2.0 200 OK", "HTTP/1.1 20 x",
    "HTTP/1.1 200 Note: fine" }

  it("agrees with the general reader on every answer it takes, and takes the common ones", function()
    local seed, taken = 7, 0
    local function rnd(n)
      seed = (seed * 1103515245 + 12345) % 2147483648
      return seed % n + 1
    end
    for _ = 1, 12000 do
      local parts = { starts[rnd(#starts)] }
      for _ = 1, rnd(5) - 1 do parts[#parts + 1] = lines[rnd(#lines)] end
      local eol = rnd(10) == 1 and "\n" or "\r\n"
      local text = table.concat(parts, eol) .. eol .. eol .. ({ "hello", "", "hello!" })[rnd(3)]
      local head_request = rnd(6) == 1
      local status, version, headers, head_len, body_len, reusable = core.http_head(text, head_request)
      if status and #text == head_len + body_len then
        taken = taken + 1
        local r, err = http1.read_response(http1.string_reader(text), { method = head_request and "HEAD" or "POST" })
        assert.is_table(r, "the reader refused what http_head took: " .. tostring(err) .. "\n" .. text)
        assert.are.same({ r.status, r.version, r.headers, r.body, r.reusable },
          { status, version, headers, text:sub(head_len + 1), reusable }, text)
      end
    end
    assert.truthy(taken > 500, "too few answers taken: " .. taken)
  end)

  it("takes the answer nginx and the services send", function()
    local text = "HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Type: application/json\r\nContent-Length: 2\r\n" ..
      "Connection: keep-alive\r\nX-Request-Id: r1\r\n\r\n{}"
    local status, version, headers, head_len, body_len, reusable = core.http_head(text, false)
    assert.are.same({ 200, "1.1", "r1", #text - 2, 2, true },
      { status, version, headers["x-request-id"], head_len, body_len, reusable })
    assert.is_nil(core.http_head(text:sub(1, 40), false)) -- not all here yet
    assert.is_nil(core.http_head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", false))
  end)
end)
