/* lwire.h - requests as HTTP/1.1 bytes, for transports that write them themselves (nginx
 * cosockets): one writer for both (lwire.c).
 *   core.wire(op, cfg, params [, user_agent]) -> bytes, sent, url | nil, err: a prepared
 *       request's bytes, and `sent`, what core.parse needs of it in place of a request table
 *   core.http_bytes(method, target, host, headers [, body [, user_agent]]) -> bytes | nil, err:
 *       an unsigned request's bytes (the metadata service); a header name or value that would
 *       add a line of its own is refused */
#ifndef HWC_LWIRE_H
#define HWC_LWIRE_H

#include "lua.h"

int hwc_lua_wire(lua_State *L);
int hwc_lua_http_bytes(lua_State *L);

#endif
