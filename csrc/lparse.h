/* lparse.h - the parse engine: an answer read as the official SDKs read it (lparse.c).
 *   core.parse(op, status, headers, body [, req]) -> result, meta | nil, err */
#ifndef HWC_LPARSE_H
#define HWC_LPARSE_H

#include "lua.h"
#include "lsent.h"
#include "ops.h"

/* The answer at status/headers/body (stack indices) to the request sent (NULL: unknown): pushes
 * result, meta or nil, err; returns 2. */
int hwc_parse(lua_State *L, const hwc_op *op, int status, int headers, int body, const hwc_sent *sent);
int hwc_lua_parse(lua_State *L);

#endif
