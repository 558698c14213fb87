/* lhead.c - response heads as Lua values: the headers table of the libcurl transport's answers,
 * and core.http_head, the plain case of an answer's head (head.h), for the nginx transport's
 * fast path.
 *   core.http_head(bytes, is_head_request) -> status, version, headers, head_len, body_len, reusable
 *                                           | nil (not the plain case: use the general reader)
 *   core.http_framing("response", status | "request", nil, version, te?, cl?, connection?,
 *                     head_request?) -> "none" | "length" | "chunked" | "close", length, reusable
 *                                       | nil, why   (hwc_framing_of: the one framing rule)
 * headers: as hwc_push_head_headers gives them. */
#include <string.h>
#include "compat.h"
#include "head.h"
#include "lhead.h"

#define MAX_HEAD (256 * 1024) /* as huaweicloud.http1.MAX_HEAD */

void hwc_push_head_headers(lua_State *L, const char *head, size_t n, size_t pos) {
  hwc_header h;
  lua_createtable(L, 0, 8);
  while (hwc_head_next(head, n, &pos, &h)) {
    lua_pushlstring(L, h.name, h.name_len);
    lua_pushvalue(L, -1);
    lua_rawget(L, -3);
    if (lua_isnil(L, -1)) {
      lua_pop(L, 1);
      lua_pushlstring(L, h.value, h.value_len);
    } else {
      lua_pushliteral(L, ", ");
      lua_pushlstring(L, h.value, h.value_len);
      lua_concat(L, 3);
    }
    lua_rawset(L, -3);
  }
}

int hwc_lua_http_head(lua_State *L) {
  size_t n, pos;
  const char *s = luaL_checklstring(L, 1, &n);
  hwc_plain_head ph;
  if (!hwc_head_plain(s, n, lua_toboolean(L, 2), MAX_HEAD, &ph)) return 0;
  /* the header lines start after the status line, whose reason phrase may hold a colon */
  pos = (size_t)((const char *)memchr(s, '\n', ph.head_len) - s) + 1;
  lua_pushinteger(L, ph.status);
  lua_pushfstring(L, "%d.%d", ph.major, ph.minor);
  /* hwc_head_plain checked every name, so none is skipped for its length */
  hwc_push_head_headers(L, s, ph.head_len, pos);
  lua_pushinteger(L, (lua_Integer)ph.head_len);
  lua_pushinteger(L, (lua_Integer)ph.body_len);
  lua_pushboolean(L, ph.reusable);
  return 6;
}

static const char *const body_kinds[] = {"none", "length", "chunked", "close"};

/* Reads the string at idx, or NULL when it is nil. */
static const char *opt_value(lua_State *L, int idx, size_t *n) {
  *n = 0;
  return lua_isnil(L, idx) ? NULL : luaL_checklstring(L, idx, n);
}

int hwc_lua_http_framing(lua_State *L) {
  const char *what = luaL_checkstring(L, 1), *version = luaL_checkstring(L, 3), *te, *cl, *conn;
  size_t te_n, cl_n, conn_n;
  int request = strcmp(what, "request") == 0, status = 0;
  hwc_framing f;
  luaL_argcheck(L, request || strcmp(what, "response") == 0, 1, "\"request\" or \"response\" expected");
  if (!request) status = (int)luaL_checkinteger(L, 2);
  luaL_argcheck(L, strlen(version) == 3 && version[1] == '.', 3, "a version such as \"1.1\" expected");
  te = opt_value(L, 4, &te_n);
  cl = opt_value(L, 5, &cl_n);
  conn = opt_value(L, 6, &conn_n);
  if (!hwc_framing_of(request, status, lua_toboolean(L, 7), version[0] - '0', version[2] - '0', te, te_n, cl, cl_n,
                      conn, conn_n, &f)) {
    lua_pushnil(L);
    lua_pushstring(L, f.why);
    return 2;
  }
  lua_pushstring(L, body_kinds[f.kind]);
  lua_pushinteger(L, (lua_Integer)f.length);
  lua_pushboolean(L, f.reusable);
  return 3;
}
