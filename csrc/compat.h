/* compat.h - the one place that bridges Lua 5.1/5.2/5.3/5.4 and LuaJIT 2.1.
 * Everything else in csrc/ is written against the 5.4 API plus the helpers below. */
#ifndef HWC_COMPAT_H
#define HWC_COMPAT_H

#include <math.h>
#include "lua.h"
#include "lauxlib.h"

#if LUA_VERSION_NUM < 502
/* Lua 5.1 and LuaJIT. LuaJIT declares some 5.2 functions; our own names avoid clashes. */
static inline void compat_setfuncs(lua_State *L, const luaL_Reg *l, int nup) {
  luaL_checkstack(L, nup + 1, "too many upvalues");
  for (; l->name != NULL; l++) {
    int i;
    for (i = 0; i < nup; i++) lua_pushvalue(L, -nup);
    lua_pushcclosure(L, l->func, nup);
    lua_setfield(L, -(nup + 2), l->name);
  }
  lua_pop(L, nup);
}
static inline void *compat_testudata(lua_State *L, int i, const char *tname) {
  void *p = lua_touserdata(L, i);
  if (p == NULL || !lua_getmetatable(L, i)) return NULL;
  luaL_getmetatable(L, tname);
  if (!lua_rawequal(L, -1, -2)) p = NULL;
  lua_pop(L, 2);
  return p;
}
#undef luaL_newlib /* LuaJIT defines it over its own luaL_setfuncs; ours works for both */
#define luaL_setfuncs(L, l, n) compat_setfuncs(L, l, n)
#define luaL_testudata(L, i, t) compat_testudata(L, i, t)
#define luaL_newlib(L, l) (lua_newtable(L), compat_setfuncs(L, l, 0))
#define lua_rawlen(L, i) lua_objlen(L, i)
#define lua_absindex(L, i) (((i) > 0 || (i) <= LUA_REGISTRYINDEX) ? (i) : lua_gettop(L) + (i) + 1)
#define luaL_setmetatable(L, t) (luaL_getmetatable(L, t), lua_setmetatable(L, -2))
#endif

#if LUA_VERSION_NUM < 503
/* No integer subtype: a number is an integer when it is integral. */
#define HWC_HAS_INTEGERS 0
#define lua_isinteger(L, i) compat_isintegral(L, i)
static inline int compat_isintegral(lua_State *L, int i) {
  lua_Number n;
  if (lua_type(L, i) != LUA_TNUMBER) return 0;
  n = lua_tonumber(L, i);
  return n == floor(n) && n >= -9007199254740992.0 && n <= 9007199254740992.0;
}
#else
#define HWC_HAS_INTEGERS 1
#endif

#if LUA_VERSION_NUM < 504
#define lua_newuserdatauv(L, sz, nuv) lua_newuserdata(L, sz)
/* one user value, a table (all this project stores there) */
static inline int lua_setiuservalue(lua_State *L, int idx, int n) {
  (void)n;
#if LUA_VERSION_NUM >= 502
  lua_setuservalue(L, idx);
  return 1;
#else
  return lua_setfenv(L, idx);
#endif
}
static inline int lua_getiuservalue(lua_State *L, int idx, int n) {
  (void)n;
#if LUA_VERSION_NUM >= 502
  lua_getuservalue(L, idx);
#else
  lua_getfenv(L, idx);
#endif
  return lua_type(L, -1);
}
#endif

/* Integral value of the number at i, written to *out; 0 when it is not a number or not
 * integral (2.5), or out of the int64 range. Works on floats on every version, so 300.0 is 300. */
static inline int hwc_tointeger(lua_State *L, int i, long long *out) {
  lua_Number n;
  if (lua_type(L, i) != LUA_TNUMBER) return 0;
#if HWC_HAS_INTEGERS
  if (lua_isinteger(L, i)) { *out = (long long)lua_tointeger(L, i); return 1; }
#endif
  n = lua_tonumber(L, i);
  if (n != floor(n) || n < -9223372036854775808.0 || n >= 9223372036854775808.0) return 0;
  *out = (long long)n;
  return 1;
}

/* Integers past 2^53 are not exact where Lua has no integer subtype (5.1, 5.2, LuaJIT). */
static inline void hwc_pushint64(lua_State *L, long long v) {
#if HWC_HAS_INTEGERS
  lua_pushinteger(L, (lua_Integer)v);
#else
  lua_pushnumber(L, (lua_Number)v);
#endif
}

#endif
