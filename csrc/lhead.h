/* lhead.h - response heads as Lua values (lhead.c): core.http_head, core.http_framing, and the
 * headers table of the libcurl transport's answers. */
#ifndef HWC_LHEAD_H
#define HWC_LHEAD_H

#include "lua.h"

#include <stddef.h>

int hwc_lua_http_head(lua_State *L);
int hwc_lua_http_framing(lua_State *L);
/* Pushes a table of the header lines in head[pos..n): lower-case names, repeated ones joined by
 * ", " (as huaweicloud.http1 gives them). */
void hwc_push_head_headers(lua_State *L, const char *head, size_t n, size_t pos);

#endif
