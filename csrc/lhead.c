/* lhead.c - core.http_head: the plain case of an answer's head (head.h), for the nginx
 * transport's fast path.
 *   core.http_head(bytes, is_head_request) -> status, version, headers, head_len, body_len, reusable
 *                                           | nil (not the plain case: use the general reader)
 * headers: lower-case names, repeated ones joined by ", " (as huaweicloud.http1 gives them). */
#include <string.h>
#include "compat.h"
#include "head.h"
#include "lhead.h"

#define MAX_HEAD (256 * 1024) /* as huaweicloud.http1.MAX_HEAD */

int hwc_lua_http_head(lua_State *L) {
  size_t n, pos;
  const char *s = luaL_checklstring(L, 1, &n);
  hwc_plain_head ph;
  hwc_header h;
  if (!hwc_head_plain(s, n, lua_toboolean(L, 2), MAX_HEAD, &ph)) return 0;
  /* the header lines start after the status line, whose reason phrase may hold a colon */
  pos = (size_t)((const char *)memchr(s, '\n', ph.head_len) - s) + 1;
  lua_pushinteger(L, ph.status);
  lua_pushfstring(L, "%d.%d", ph.major, ph.minor);
  lua_createtable(L, 0, 8);
  while (hwc_head_next(s, ph.head_len, &pos, &h)) {
    /* hwc_head_plain checked every name, so none is skipped here for its length */
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
  lua_pushinteger(L, (lua_Integer)ph.head_len);
  lua_pushinteger(L, (lua_Integer)ph.body_len);
  lua_pushboolean(L, ph.major == 1 && ph.minor == 1 && !ph.close);
  return 6;
}
