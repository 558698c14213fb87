/* fuzz_lua.h - a Lua state with the core preloaded, shared by the Lua-side harnesses. */
#ifndef FUZZ_LUA_H
#define FUZZ_LUA_H
#include <stdio.h>
#include <stdlib.h>
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

int luaopen_huaweicloud_core(lua_State *L);

static lua_State *fuzz_state(void) {
  static lua_State *L;
  if (L == NULL) {
    L = luaL_newstate();
    luaL_openlibs(L);
    luaL_requiref(L, "huaweicloud.core", luaopen_huaweicloud_core, 0);
    lua_setglobal(L, "core");
    if (luaL_dostring(L, "cjson = require('cjson')") != 0) {
      fprintf(stderr, "fuzz: %s\n", lua_tostring(L, -1));
      abort();
    }
  }
  return L;
}

/* A failed pcall is a finding: the functions fuzzed raise only on misuse, never on data. */
static void fuzz_check(lua_State *L, int status) {
  if (status != 0) {
    fprintf(stderr, "fuzz: unexpected Lua error: %s\n", lua_tostring(L, -1));
    abort();
  }
}
#endif
