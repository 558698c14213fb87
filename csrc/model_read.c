/* model_read.c - the descriptor walker, reading: answers made typed in place, and deep copies with
 * secrets masked for printing (model.h). */
#include <math.h>
#include "compat.h"
#include "model.h"

/* ---- reading responses --------------------------------------------------------------- */

static int is_null(lua_State *L, int i) {
  return lua_type(L, i) == LUA_TLIGHTUSERDATA && lua_touserdata(L, i) == NULL;
}

/* lua-cjson decodes every number as a float; the services' integers (create_time is in ms)
 * are exact below 2^53. 1 when the number at i is such a float, its value in *iv (Lua 5.3+:
 * before, every number is a float and stays one). */
static int exact_integer(lua_State *L, int i, long long *iv) {
#if LUA_VERSION_NUM >= 503
  return !lua_isinteger(L, i) && fabs(lua_tonumber(L, i)) < 9007199254740992.0 && hwc_tointeger(L, i, iv);
#else
  (void)L;
  (void)i;
  (void)iv;
  return 0;
#endif
}

static void read_in_place(lua_State *L, int idx, int depth) {
  luaL_checkstack(L, 4, "response nesting");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    int t = lua_type(L, -1);
    if (t == LUA_TTABLE) {
      if (depth < 200) read_in_place(L, lua_gettop(L), depth + 1);
    } else if (t == LUA_TNUMBER) {
      long long iv;
      if (exact_integer(L, -1, &iv)) { /* replacing a value keeps lua_next valid */
        lua_pushvalue(L, -2);
        lua_pushinteger(L, (lua_Integer)iv);
        lua_rawset(L, idx);
      }
    } else if (is_null(L, -1) && lua_type(L, -2) == LUA_TSTRING) { /* so does clearing one */
      lua_pushvalue(L, -2);
      lua_pushnil(L);
      lua_rawset(L, idx);
    }
    lua_pop(L, 1);
  }
}

void hwc_model_read(lua_State *L, const hwc_model *m, int idx) {
  long long iv;
  (void)m;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) == LUA_TTABLE) read_in_place(L, idx, 0);
  else if (lua_type(L, idx) == LUA_TNUMBER && exact_integer(L, idx, &iv)) {
    lua_pushinteger(L, (lua_Integer)iv);
    lua_replace(L, idx);
  }
}

/* ---- redaction ----------------------------------------------------------------------- */

typedef struct redact_state {
  const void *stack[HWC_MAX_DEPTH + 1]; /* the tables being copied, to spot cycles */
  long tables;
} redact_state;

static void redact(lua_State *L, const hwc_model *m, int idx, int depth, redact_state *rs) {
  const void *p;
  int i;
  idx = lua_absindex(L, idx);
  if (lua_type(L, idx) != LUA_TTABLE) {
    lua_pushvalue(L, idx);
    return;
  }
  p = lua_topointer(L, idx);
  for (i = 0; i < depth; i++)
    if (rs->stack[i] == p) {
      lua_pushliteral(L, "<cycle>");
      return;
    }
  if (depth >= HWC_MAX_DEPTH || ++rs->tables > HWC_MAX_TABLES) { /* deep, or too many: stop copying */
    lua_pushliteral(L, "<...>");
    return;
  }
  rs->stack[depth] = p;
  luaL_checkstack(L, 6, "redact");
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const hwc_field *f = NULL;
    int secret = 0;
    if (lua_type(L, -2) == LUA_TSTRING) {
      size_t n;
      const char *k = lua_tolstring(L, -2, &n);
      f = m ? hwc_field_find(m, k, n) : NULL;
      secret = f ? (f->flags & HWC_F_SENSITIVE) != 0 : hwc_sensitive_name(k, n);
    }
    if (secret) lua_pushliteral(L, "***");
    else redact(L, f && f->type == HWC_T_OBJECT ? f->model : NULL, -1, depth + 1, rs);
    lua_pushvalue(L, -3);
    lua_insert(L, -2);
    lua_rawset(L, -5);
    lua_pop(L, 1);
  }
}

void hwc_model_redact(lua_State *L, const hwc_model *m, int idx) {
  redact_state rs;
  rs.tables = 0;
  redact(L, m, idx, 0, &rs);
}

