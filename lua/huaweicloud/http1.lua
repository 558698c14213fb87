-- huaweicloud.http1: one small HTTP/1.1 message reader, shared by the nginx transport (answers)
-- and the emulator's server (requests). It pulls bytes through fill(max) -> data | nil, err (a
-- cosocket's receiveany, a LuaSocket connection inside a coroutine, a string), never holds more
-- than its limits (the head, and max_body in every framing), and reports every malformation as
-- nil, message, code -- it never raises on what a peer sends.
--
--   local r = http1.reader(fill)
--   local resp, err, code = http1.read_response(r, { method = "POST", max_body = 8 * 2^20 })
--   -- resp = { status, version, headers (lower-case names; repeats joined by ", "), body, reusable }
--   local req, err, status = http1.read_request(r, { max_body = 10 * 2^20 })
--   -- req = { method, target, version, headers, body, keep_alive }; status: the answer to send (400, 411, 413, 431)
-- Codes: "closed" (the peer closed early), "timeout" (fill timed out), "too_large" (past max_body),
-- "head_too_large", "malformed", or fill's own error text. How a body is framed and whether a
-- connection may be kept is the core's rule (core.http_framing), not this file's.
local core = require("huaweicloud.core")

local M = {}

M.MAX_HEAD = 256 * 1024 -- status or request line plus headers, as the libcurl transport allows
M.MAX_BODY = 8 * 1024 * 1024
local CHUNK = 16384

local Reader = {}
Reader.__index = Reader

-- fill(max) returns up to max bytes, or nil and "closed", "timeout" or another error.
function M.reader(fill)
  return setmetatable({ fill = fill, buf = "", pos = 1, eof = false }, Reader)
end

-- A reader over a fixed string (tests, fuzzing): the string then "closed". step: bytes per fill.
function M.string_reader(s, step)
  local at = 1
  return M.reader(function(max)
    if at > #s then return nil, "closed" end
    local n = math.min(max, step or max)
    local part = s:sub(at, at + n - 1)
    at = at + n
    return part
  end)
end

-- The bytes buffered and not yet consumed.
function Reader:buffered()
  return #self.buf - self.pos + 1
end

function Reader:more(max)
  if self.eof then return nil, "closed" end
  local data, err = self.fill(max or CHUNK)
  if data == nil or data == "" then
    if err == nil or err == "closed" then
      self.eof = true
      err = "closed"
    end
    return nil, err
  end
  if self.pos > 1 then
    self.buf, self.pos = self.buf:sub(self.pos), 1
  end
  self.buf = self.buf .. data
  return true
end

-- One line without its CRLF (a bare LF is accepted); nil, err when it would pass limit bytes.
-- A long line is gathered in pieces: memory stays proportional to the line, not its square.
function Reader:line(limit)
  local nl = self.buf:find("\n", self.pos, true)
  local parts, have
  if not nl then
    parts, have = { self.buf:sub(self.pos) }, self:buffered()
    self.buf, self.pos = "", 1
    while true do
      if have > limit then return nil, "line too long", "head_too_large" end
      local ok, err = self:more()
      if not ok then return nil, err, err end
      nl = self.buf:find("\n", 1, true)
      if nl then break end
      parts[#parts + 1] = self.buf
      have = have + #self.buf
      self.buf = ""
    end
  end
  local line = self.buf:sub(self.pos, nl - 1)
  self.pos = nl + 1
  if parts then
    parts[#parts + 1] = line
    line = table.concat(parts)
  end
  if #line > limit + 1 then return nil, "line too long", "head_too_large" end
  if line:sub(-1) == "\r" then line = line:sub(1, -2) end
  return line
end

-- Exactly n bytes.
function Reader:bytes(n)
  if self:buffered() >= n then
    local s = self.buf:sub(self.pos, self.pos + n - 1)
    self.pos = self.pos + n
    return s
  end
  local parts, have = { self.buf:sub(self.pos) }, self:buffered()
  self.buf, self.pos = "", 1
  while have < n do
    local ok, err = self:more(math.min(CHUNK, n - have))
    if not ok then return nil, err, err end
    local take = math.min(#self.buf, n - have)
    parts[#parts + 1] = self.buf:sub(1, take)
    have = have + take
    self.buf, self.pos = self.buf:sub(take + 1), 1
  end
  return table.concat(parts)
end

-- Everything up to the end of the connection, at most max bytes.
function Reader:rest(max)
  local parts, have = { self.buf:sub(self.pos) }, self:buffered()
  self.buf, self.pos = "", 1
  if have > max then return nil, "body larger than max_body", "too_large" end
  while true do
    local ok, err = self:more(math.min(CHUNK, max - have + 1))
    if not ok then
      if err == "closed" then return table.concat(parts) end
      return nil, err, err
    end
    have = have + #self.buf
    if have > max then return nil, "body larger than max_body", "too_large" end
    parts[#parts + 1] = self.buf
    self.buf = ""
  end
end

local function malformed(what)
  return nil, what, "malformed"
end

-- Header lines up to the blank line, bounded by the head budget. Returns headers, or nil, err, code.
local function read_headers(r, budget)
  local headers, repeated = {}, nil
  while true do
    local line, err, code = r:line(budget)
    if not line then return nil, err, code end
    budget = budget - #line - 2
    if budget < 0 then return nil, "header section too large", "head_too_large" end
    if line == "" then break end
    if line:find("^[ \t]") then return malformed("folded header line") end
    local name, value = line:match("^([!#$%%&'*+%-.^_`|~%w]+):[ \t]*(.-)[ \t]*$")
    if not name then return malformed("malformed header line") end
    name = name:lower()
    if headers[name] == nil then
      headers[name] = value
    else -- joined once at the end: joining as they come costs the square of their size
      repeated = repeated or {}
      local list = repeated[name]
      if not list then
        list = { headers[name] }
        repeated[name] = list
      end
      list[#list + 1] = value
    end
  end
  for name, list in pairs(repeated or {}) do headers[name] = table.concat(list, ", ") end
  return headers
end

-- A chunked body, at most max bytes of data; trailers are read and dropped.
local function read_chunked(r, max)
  local parts, total = {}, 0
  while true do
    local line, err, code = r:line(1024)
    if not line then return nil, err, code end
    local hex = line:match("^(%x+)[ \t]*;?") or line:match("^(%x+)$")
    if not hex or #hex > 12 then return malformed("malformed chunk size") end
    local size = tonumber(hex, 16)
    if size == 0 then
      local budget = M.MAX_HEAD
      repeat -- trailers
        line, err, code = r:line(budget)
        if not line then return nil, err, code end
        budget = budget - #line - 2
        if budget < 0 then return nil, "trailers too large", "head_too_large" end
      until line == ""
      return table.concat(parts)
    end
    total = total + size
    if total > max then return nil, "body larger than max_body", "too_large" end
    local data
    data, err, code = r:bytes(size)
    if not data then return nil, err, code end
    parts[#parts + 1] = data
    local eol
    eol, err, code = r:bytes(1)
    if eol == "\r" then eol, err, code = r:bytes(1) end
    if not eol then return nil, err, code end
    if eol ~= "\n" then return malformed("chunk not followed by CRLF") end
  end
end

-- How a message's body is framed and whether its connection may be kept: the core's one rule
-- (core.http_framing, head.c), which the nginx transport's fast path uses too.
local function framing(what, status, version, headers, head_request)
  return core.http_framing(what, status, version, headers["transfer-encoding"], headers["content-length"],
    headers.connection, head_request)
end

local function read_response_body(r, status, version, headers, method, max)
  local kind, n, reusable = framing("response", status, version, headers, method == "HEAD")
  if not kind then return malformed(n) end
  local resp = { status = status, version = version, headers = headers, body = "", reusable = reusable }
  local err, code
  if kind == "chunked" then
    resp.body, err, code = read_chunked(r, max)
  elseif kind == "close" then -- the body runs to the end of the connection
    resp.body, err, code = r:rest(max)
  elseif kind == "length" then
    if n > max then return nil, "body larger than max_body", "too_large" end
    resp.body, err, code = r:bytes(n)
    if not resp.body and code == "closed" then return nil, "truncated body", "closed" end
  end
  if not resp.body then return nil, err, code end
  return resp
end

-- Reads one response. opts: method (HEAD answers have no body), max_body, max_head.
function M.read_response(r, opts)
  opts = opts or {}
  local max, head_max = opts.max_body or M.MAX_BODY, opts.max_head or M.MAX_HEAD
  while true do
    local line, err, code = r:line(head_max)
    if not line then return nil, err, code end
    local major, minor, status = line:match("^HTTP/(%d)%.(%d) (%d%d%d)")
    if not status then return malformed("malformed status line") end
    status = tonumber(status)
    local headers
    headers, err, code = read_headers(r, head_max - #line)
    if not headers then return nil, err, code end
    -- 1xx answers (100 Continue) come before the real one; 101 would switch protocols
    if status >= 200 or status == 101 then
      return read_response_body(r, status, major .. "." .. minor, headers, opts.method, max)
    end
  end
end

-- Reads one request (the server side). Returns req, or nil, err, status to answer with (nil
-- status: the peer closed or timed out; send nothing).
function M.read_request(r, opts)
  opts = opts or {}
  local max, head_max = opts.max_body or M.MAX_BODY, opts.max_head or M.MAX_HEAD
  local line, err, code = r:line(head_max)
  while line == "" do line, err, code = r:line(head_max) end -- stray CRLF between requests
  if not line then return nil, err, code == "head_too_large" and 431 or nil end
  local method, target, version = line:match("^(%u+) (%S+) HTTP/(%d%.%d)$")
  if not method then return nil, "malformed request line", 400 end
  local headers
  headers, err, code = read_headers(r, head_max - #line)
  if not headers then
    return nil, err, (code == "head_too_large" and 431) or (code == "malformed" and 400) or nil
  end
  local kind, n, keep = framing("request", nil, version, headers)
  if not kind then return nil, n, 400 end
  local req = { method = method, target = target, version = version, headers = headers, body = "", keep_alive = keep }
  if kind == "chunked" then
    req.body, err, code = read_chunked(r, max)
  elseif kind == "length" then
    if n > max then return nil, "body too large", 413 end
    req.body, err, code = r:bytes(n)
  elseif method == "POST" or method == "PUT" or method == "PATCH" then
    return nil, "Content-Length required", 411
  end
  if not req.body then
    return nil, err, (code == "too_large" and 413) or (code == "malformed" and 400) or nil
  end
  return req
end

return M
