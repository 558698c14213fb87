/* lhead.c - response heads as Lua values: the headers table of the libcurl transport's answers,
 * and core.http_head, the plain case of an answer's head (head.h), for the nginx transport's
 * fast path.
 *   core.http_head(bytes, is_head_request) -> status, version, headers, head_len, body_len, reusable
 *                                           | nil (not the plain case: use the general reader)
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
  lua_pushboolean(L, ph.major == 1 && ph.minor == 1 && !ph.close);
  return 6;
}
