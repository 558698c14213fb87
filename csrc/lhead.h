/* lhead.h - core.http_head (lhead.c). */
#ifndef HWC_LHEAD_H
#define HWC_LHEAD_H

#include "lua.h"

int hwc_lua_http_head(lua_State *L);

#endif
