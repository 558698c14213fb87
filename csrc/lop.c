/* lop.c - see lop.h. */
#include <string.h>
#include "compat.h"
#include "lop.h"
#include "signer.h"

const hwc_op *hwc_check_op(lua_State *L, int arg) {
  const char *name = luaL_checkstring(L, arg);
  const hwc_op *op = hwc_op_find(name);
  if (op == NULL) luaL_argerror(L, arg, lua_pushfstring(L, "unknown operation '%s'", name));
  return op;
}

void hwc_results_down(lua_State *L, int base, int n) {
  int top = lua_gettop(L), i;
  for (i = 1; i <= n; i++) { /* the results, just above the stack found */
    lua_pushvalue(L, top - n + i);
    lua_replace(L, base + i);
  }
  lua_settop(L, base + n);
}

void hwc_push_header(lua_State *L, int idx, const char *name) {
  size_t want = strlen(name);
  if (lua_type(L, idx) == LUA_TTABLE) {
    idx = lua_absindex(L, idx);
    lua_pushnil(L);
    while (lua_next(L, idx)) {
      size_t n;
      const char *k;
      if (lua_type(L, -2) == LUA_TSTRING && lua_type(L, -1) == LUA_TSTRING) {
        k = lua_tolstring(L, -2, &n);
        if (hwc_header_name_eq(k, n, name, want)) {
          lua_remove(L, -2);
          return;
        }
      }
      lua_pop(L, 1);
    }
  }
  lua_pushnil(L);
}

