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
