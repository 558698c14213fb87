/* lcall.h - the operations as Lua functions, driven by the operation table (ops.h), on top of the
 * prepare (lprepare.h) and parse (lparse.h) engines:
 *   core.<op>(client, cfg, params [, limit]) -> result, meta | nil, err   prepare + send (libcurl) + parse;
 *       limit: seconds this one transfer may take at most, below the client's timeouts (a deadline)
 *   core.operations() -> { {name, service, method, path, success, params, ...}, ... } */
#ifndef HWC_LCALL_H
#define HWC_LCALL_H

#include "lua.h"

int hwc_lua_operations(lua_State *L);
/* Adds core.<op name> for every operation to the table on top of the stack. */
void hwc_register_operations(lua_State *L);

#endif
