-- SDK-HMAC-SHA256 signing: the official SDK's reference vectors byte for byte, our own edge
-- cases checked against the openssl command, and bad input.
local core = require("huaweicloud.core")
local H = require("spec.support.helpers")

local AK, SK = "HPUAEXAMPLEAK0000001", "sEcReTkEy0123456789abcdefEXAMPLE00000000"
local DATE = "20240207T123456Z"
local EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

local function sign(req, cred)
  req.date = req.date or (not (req.headers and req.headers["X-Sdk-Date"]) and DATE or nil)
  return core.sign(req, cred or { ak = AK, sk = SK })
end

-- The whole chain recomputed by openssl from our canonical request.
local function assert_chain(info, headers, alg)
  local dg = alg == "sm3" and "sm3" or "sha256"
  local name = alg == "sm3" and "SDK-HMAC-SM3" or "SDK-HMAC-SHA256"
  local date = headers["X-Sdk-Date"]
  local sts = name .. "\n" .. date .. "\n" .. H.openssl_digest(dg, info.canonical_request)
  assert.are.equal(sts, info.string_to_sign)
  local sig = H.openssl_digest(dg, sts, SK)
  assert.are.equal(name .. " Access=" .. AK .. ", SignedHeaders=" .. info.signed_headers ..
    ", Signature=" .. sig, headers.Authorization)
end

describe("core.sign reference vectors", function()
  for _, case in ipairs(H.vectors()) do
    it(case.name, function()
      local i, e = case.input, case.expected
      local headers, info = core.sign({ method = i.method, url = i.url, query = i.query,
        headers = i.headers, body = i.body }, { ak = i.ak, sk = i.sk })
      assert.is_table(headers, tostring(info))
      assert.are.equal(e.canonical_request, info.canonical_request)
      assert.are.equal(e.string_to_sign, info.string_to_sign)
      assert.are.equal(e.authorization, headers.Authorization)
      assert.are.equal(e.authorization, info.authorization)
      assert.are.equal(e.signed_headers, info.signed_headers)
      assert.are.equal(e.body_sha256, info.canonical_request:match("([^\n]*)$"))
      assert.are.equal("dms.cn-north-4.myhuaweicloud.com", headers.Host:gsub("^dis", "dms"), nil)
    end)
  end
end)

describe("core.sign edge cases", function()
  it("signs an empty body (nil or \"\") with the SHA-256 of nothing", function()
    for _, body in ipairs({ false, "" }) do
      local h, info = sign({ method = "POST", url = "https://dms.example.com/v2/x", body = body or nil })
      assert.are.equal(EMPTY_SHA256, info.canonical_request:match("([^\n]*)$"))
      assert_chain(info, h)
    end
  end)

  it("sorts repeated query keys' values and merges the URL's own query", function()
    local h, info = sign({ method = "GET", url = "https://dms.example.com/v2/x?b=2&a=z",
      query = { tag = { "c", "a", "b" }, a = "y", n = 5, t = true } })
    assert.are.equal("a=y&a=z&b=2&n=5&t=true&tag=a&tag=b&tag=c", info.canonical_request:match("^GET\n[^\n]*\n([^\n]*)"))
    assert.are.equal("https://dms.example.com/v2/x?a=y&a=z&b=2&n=5&t=true&tag=a&tag=b&tag=c", info.url)
    assert_chain(info, h)
  end)

  it("percent-encodes unicode and reserved bytes as upper-case %XX, keeping -_.~", function()
    local h, info = sign({ method = "GET", url = "https://dms.example.com/v2/%E6%B5%81/a%20b/c+d/%7e",
      query = { ["名"] = "值 x/y", ["k-_.~"] = "v-_.~" } })
    local lines = {}
    for l in (info.canonical_request .. "\n"):gmatch("([^\n]*)\n") do lines[#lines + 1] = l end
    assert.are.equal("/v2/%E6%B5%81/a%20b/c%2Bd/~/", lines[2])
    assert.are.equal("k-_.~=v-_.~&%E5%90%8D=%E5%80%BC%20x%2Fy", lines[3])
    assert_chain(info, h)
  end)

  it("trims header values for signing and sends the trimmed value", function()
    local h, info = sign({ method = "GET", url = "https://dms.example.com/",
      headers = { ["X-Custom"] = "  spaced value \t", ["x-EMPTY"] = "" } })
    assert.truthy(info.canonical_request:find("\nx-custom:spaced value\nx-empty:\n", 1, true))
    assert.are.equal("spaced value", h["X-Custom"])
    assert.are.equal("host;x-custom;x-empty;x-sdk-date", info.signed_headers)
    assert_chain(info, h)
  end)

  it("signs host with port exactly as the Host header it returns", function()
    local h, info = sign({ method = "POST", url = "http://127.0.0.1:8443/v2/p/streams/s/transfer-tasks", body = "{}" })
    assert.are.equal("127.0.0.1:8443", h.Host)
    assert.truthy(info.canonical_request:find("\nhost:127.0.0.1:8443\n", 1, true))
    local h2 = sign({ method = "GET", url = "https://[::1]:9/x" })
    assert.are.equal("[::1]:9", h2.Host)
    local h3 = sign({ method = "GET", url = "https://dms.example.com" })
    assert.are.equal("dms.example.com", h3.Host)
  end)

  it("keeps a Host header the caller gave", function()
    local h, info = sign({ method = "GET", url = "http://127.0.0.1:1/x", headers = { host = "dms.example.com" } })
    assert.are.equal("dms.example.com", h.host)
    assert.is_nil(h.Host)
    assert.truthy(info.canonical_request:find("\nhost:dms.example.com\n", 1, true))
  end)

  it("signs the security token of temporary credentials", function()
    local h, info = sign({ method = "GET", url = "https://dms.example.com/x" },
      { ak = AK, sk = SK, security_token = "tok-123" })
    assert.are.equal("tok-123", h["X-Security-Token"])
    assert.are.equal("host;x-sdk-date;x-security-token", info.signed_headers)
    assert_chain(info, h)
  end)

  it("uses X-Sdk-Content-Sha256 instead of hashing the body, as the official signers do", function()
    local h, info = sign({ method = "PUT", url = "https://dms.example.com/x", body = "ignored",
      headers = { ["X-Sdk-Content-Sha256"] = "UNSIGNED-PAYLOAD" } })
    assert.are.equal("UNSIGNED-PAYLOAD", info.canonical_request:match("([^\n]*)$"))
    assert_chain(info, h)
  end)

  it("upper-cases the method and stamps the current UTC time when no date is given", function()
    local before = os.date("!%Y%m%dT%H%M%SZ")
    local h, info = core.sign({ method = "post", url = "https://dms.example.com/x", body = "{}" }, { ak = AK, sk = SK })
    local after = os.date("!%Y%m%dT%H%M%SZ")
    assert.are.equal("POST", info.canonical_request:match("^(%u+)\n"))
    assert.truthy(h["X-Sdk-Date"] >= before and h["X-Sdk-Date"] <= after)
    assert_chain(info, h)
  end)

  it("signs with SDK-HMAC-SM3 when asked, checked against openssl's SM3", function()
    local h, info = sign({ method = "POST", url = "https://dms.example.com/x", body = "{\"a\":1}" },
      { ak = AK, sk = SK, algorithm = "SDK-HMAC-SM3" })
    assert.are.equal(H.openssl_digest("sm3", "{\"a\":1}"), info.canonical_request:match("([^\n]*)$"))
    assert_chain(info, h, "sm3")
  end)

  it("never signs with another account's key: many AK/SK pairs, both algorithms interleaved", function()
    -- SKs are all 40 characters; one process signing for several accounts must use each one's own
    local pairs_ = {}
    for i = 1, 6 do
      pairs_[i] = { ak = ("AKPAIR%014d"):format(i), sk = (string.char(64 + i)):rep(20) .. ("%020d"):format(i) }
    end
    local order = { { 1, "SDK-HMAC-SHA256" }, { 2, "SDK-HMAC-SM3" }, { 2, "SDK-HMAC-SHA256" }, { 3, "SDK-HMAC-SM3" },
      { 1, "SDK-HMAC-SM3" }, { 4, "SDK-HMAC-SHA256" }, { 3, "SDK-HMAC-SHA256" }, { 5, "SDK-HMAC-SM3" },
      { 6, "SDK-HMAC-SHA256" }, { 5, "SDK-HMAC-SHA256" }, { 6, "SDK-HMAC-SM3" }, { 1, "SDK-HMAC-SHA256" } }
    local got = {}
    for k, o in ipairs(order) do
      local p = pairs_[o[1]]
      local h, info = sign({ method = "POST", url = "https://dms.example.com/v2/p/x", body = "{}" },
        { ak = p.ak, sk = p.sk, algorithm = o[2] })
      local dg = o[2] == "SDK-HMAC-SM3" and "sm3" or "sha256"
      assert.are.equal(H.openssl_digest(dg, info.string_to_sign, p.sk), h.Authorization:match("Signature=(%x+)$"),
        "signature " .. k)
      got[k] = h.Authorization
    end
    -- and each equals what a fresh process computes for that pair alone
    for k, o in ipairs(order) do
      local p = pairs_[o[1]]
      local out = H.run_lua(("local core = require('huaweicloud.core') local h = core.sign({ method = 'POST', " ..
        "url = 'https://dms.example.com/v2/p/x', body = '{}', date = %q }, { ak = %q, sk = %q, algorithm = %q }) " ..
        "io.write(h.Authorization)"):format(DATE, p.ak, p.sk, o[2]))
      assert.are.equal(got[k], out, "fresh process, signature " .. k)
    end
  end)

  it("sends X-Auth-Token and no signature with token credentials", function()
    local h, info = core.sign({ method = "GET", url = "https://dms.example.com/x" }, { token = "tkn" })
    assert.is_nil(h, tostring(info))
    assert.are.equal("config", info.kind) -- core.sign is the AK/SK signer; token auth is prepare's
  end)
end)

describe("core.sign bad input", function()
  local function expect_error(kind, field, req, cred)
    local h, err = core.sign(req, cred or { ak = AK, sk = SK })
    assert.is_nil(h)
    assert.are.equal(kind, err.kind)
    if field then assert.are.equal(field, err.field) end
    local text = tostring(err)
    assert.truthy(text:find("^huaweicloud: " .. kind .. " error: "), text)
    assert.is_nil(text:find(SK, 1, true))
    for _, v in pairs(err) do assert.is_nil(tostring(v):find(SK, 1, true)) end
    return err
  end

  it("refuses missing AK or SK, naming which", function()
    expect_error("config", "credentials.ak", { method = "GET", url = "https://h/" }, { sk = SK })
    expect_error("config", "credentials.sk", { method = "GET", url = "https://h/" }, { ak = AK })
    expect_error("config", "credentials.sk", { method = "GET", url = "https://h/" }, { ak = AK, sk = "" })
    expect_error("config", "credentials.sk", { method = "GET", url = "https://h/" }, { ak = AK, sk = 5 })
    expect_error("config", "credentials.ak", { method = "GET", url = "https://h/" }, { ak = "A K", sk = SK })
  end)

  it("refuses non-string header values and CR/LF in values", function()
    local e = expect_error("validation", "headers.X-N", { method = "GET", url = "https://h/", headers = { ["X-N"] = 5 } })
    assert.truthy(e.message:find("string"))
    e = expect_error("validation", "headers.X-A", { method = "GET", url = "https://h/", headers = { ["X-A"] = "a\r\nX-Evil: 1" } })
    assert.truthy(e.message:find("CR or LF"))
    expect_error("validation", "headers.X-B", { method = "GET", url = "https://h/", headers = { ["X-B"] = "a\nb" } })
    expect_error("validation", "headers.Bad Name", { method = "GET", url = "https://h/", headers = { ["Bad Name"] = "v" } })
    local dup = expect_error("validation", nil, { method = "GET", url = "https://h/", headers = { ["X-A"] = "1", ["x-a"] = "2" } })
    assert.truthy(dup.field == "headers.X-A" or dup.field == "headers.x-a")
    assert.truthy(dup.message:find("twice"))
    expect_error("config", "credentials.security_token", { method = "GET", url = "https://h/" },
      { ak = AK, sk = SK, security_token = "t\r\nX: y" })
    expect_error("validation", "headers.Authorization", { method = "GET", url = "https://h/", headers = { Authorization = "x" } })
  end)

  it("refuses malformed URLs with a reason", function()
    for url, why in pairs({
      ["ftp://h/x"] = "http",
      ["https:///x"] = "no host",
      ["https://h:0/x"] = "port",
      ["https://h:70000/x"] = "port",
      ["https://h:/x"] = "port",
      ["https://user:pw@h/x"] = "user info",
      ["https://h/x#frag"] = "fragment",
      ["https://h/a b"] = "space",
      ["https://h/a\r\nb"] = "control",
      ["https://h\\x/"] = "host",
    }) do
      local e = expect_error("validation", "url", { method = "GET", url = url })
      assert.truthy(e.message:find(why, 1, true), url .. " -> " .. e.message)
    end
    expect_error("validation", "method", { method = "GE T", url = "https://h/" })
    expect_error("validation", "date", { method = "GET", url = "https://h/", date = "2024-02-07" })
    expect_error("validation", "headers.X-Sdk-Date", { method = "GET", url = "https://h/", headers = { ["X-Sdk-Date"] = "yesterday" } })
  end)

  it("raises on programmer errors (not a table)", function()
    assert.error_matches(function() core.sign("GET https://h/", {}) end, "bad argument #1 to 'sign' (table expected, got string)", 1, true)
    assert.error_matches(function() core.sign({ method = "GET", url = "https://h/" }) end,
      "bad argument #2 to 'sign' (table expected, got no value)", 1, true)
  end)

  it("reports a signer that cannot sign (libcrypto without its digests) as a config error", function()
    -- an OpenSSL configuration that loads only the null provider: no SHA-256 at all on this machine
    local conf = H.tmpname()
    H.write(conf, "openssl_conf = init\n[init]\nproviders = prov\n[prov]\nnull = null_sect\n[null_sect]\nactivate = 1\n")
    finally(function() os.remove(conf) end)
    local out = H.run_lua([[
      local core = require("huaweicloud.core")
      local req, err = core.prepare("create_connector_task", { endpoint = "http://127.0.0.1:9",
        credentials = { ak = "AK", sk = "SK", project_id = "p" } }, { instance_id = "i", body = {} })
      io.write(tostring(req), " ", err.kind, " ", err.message)
    ]], { OPENSSL_CONF = conf })
    assert.are.equal("nil config libcrypto digest failed", out)
  end)
end)
