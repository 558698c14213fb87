/* fuzz_parse.c - libFuzzer harness for reading responses: core.parse of arbitrary status,
 * headers and body bytes (success and error paths, nested error objects, the canonical
 * request diff), and core.decode. Checks: no crash, no Lua error. */
#include <stdint.h>
#include <string.h>
#include "fuzz_lua.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const char *const ops[] = {"create_connector_task", "create_obs_transfer_task"};
  lua_State *L = fuzz_state();
  int top = lua_gettop(L), status;
  size_t hlen;
  if (size < 3) return 0;
  status = 100 + (data[0] | (data[1] << 8)) % 900;
  hlen = data[2] % 64;
  if (hlen > size - 3) hlen = size - 3;
  lua_getglobal(L, "core");
  /* a prepared request to diff against, so the 401 path runs whole */
  if (luaL_dostring(L, "return core.prepare('create_connector_task', { endpoint = 'http://127.0.0.1:1', "
                       "date = '20240207T123456Z', credentials = { ak = 'AK', sk = 'SK', project_id = 'p', "
                       "security_token = 'tok' } }, { instance_id = 'i', body = { task_name = 't' } })") != 0)
    fuzz_check(L, 1);
  lua_getfield(L, top + 1, "parse");
  lua_pushstring(L, ops[data[2] & 1]);
  lua_pushinteger(L, status);
  lua_createtable(L, 0, 2);
  lua_pushlstring(L, (const char *)data + 3, hlen);
  lua_setfield(L, -2, "X-Request-Id");
  lua_pushlstring(L, (const char *)data + 3, hlen);
  lua_setfield(L, -2, "Retry-After");
  lua_pushlstring(L, (const char *)data + 3 + hlen, size - 3 - hlen);
  lua_pushvalue(L, top + 2);
  fuzz_check(L, lua_pcall(L, 5, 2, 0));
  lua_settop(L, top + 1);
  lua_getfield(L, top + 1, "decode");
  lua_pushliteral(L, "SmartConnectTaskEntity");
  lua_pushlstring(L, (const char *)data + 3, size - 3);
  fuzz_check(L, lua_pcall(L, 2, 2, 0));
  lua_settop(L, top);
  lua_gc(L, LUA_GCCOLLECT, 0);
  return 0;
}
