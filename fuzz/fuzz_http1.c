/* fuzz_http1.c - libFuzzer harness for huaweicloud.http1, the HTTP/1.1 reader of the nginx
 * transport and the emulator: arbitrary bytes read as a response and as a request, fed in
 * pieces whose size the input's first byte chooses. Oracle: never a Lua error; a result is a
 * message within its limits (body at most max_body) or nil, a message and a code. */
#include <stdint.h>
#include "fuzz_lua.h"

static const char *const script =
  "package.path = './lua/?.lua;./lua/?/init.lua;../../lua/?.lua;../../lua/?/init.lua;' .. package.path\n"
  "local http1 = require('huaweicloud.http1')\n"
  "return function(text, step)\n"
  "  for _, method in ipairs({ 'POST', 'HEAD' }) do\n"
  "    local r, err, code = http1.read_response(http1.string_reader(text, step), { method = method, max_body = 256 })\n"
  "    if r then\n"
  "      assert(type(r.status) == 'number' and #r.body <= 256, 'body past max_body')\n"
  "      assert(method ~= 'HEAD' or r.body == '', 'a HEAD answer with a body')\n"
  "    else assert(type(err) == 'string' and type(code) == 'string', 'an error without message and code') end\n"
  "  end\n"
  "  local q, err, status = http1.read_request(http1.string_reader(text, step), { max_body = 256 })\n"
  "  if q then assert(#q.body <= 256 and q.method:match('^%u+$'), 'a bad request passed')\n"
  "  else assert(type(err) == 'string' and (status == nil or type(status) == 'number')) end\n"
  "end\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static int fn = LUA_NOREF;
  lua_State *L = fuzz_state();
  int top = lua_gettop(L);
  if (size < 1) return 0;
  if (fn == LUA_NOREF) {
    if (luaL_loadstring(L, script) != 0 || lua_pcall(L, 0, 1, 0) != 0) fuzz_check(L, 1);
    fn = luaL_ref(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, LUA_REGISTRYINDEX, fn);
  lua_pushlstring(L, (const char *)data + 1, size - 1);
  lua_pushinteger(L, 1 + data[0] % 17);
  fuzz_check(L, lua_pcall(L, 2, 0, 0));
  lua_settop(L, top);
  return 0;
}
