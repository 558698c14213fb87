/* lcall.h - the operations as Lua functions, driven by the operation table (ops.c).
 *   core.prepare(op, cfg, params) -> req | nil, err     validated, marshaled, signed; nothing sent
 *   core.parse(op, status, headers, body [, req]) -> result, meta | nil, err
 *   core.<op>(client, cfg, params) -> result, meta | nil, err   prepare + send (libcurl) + parse
 *   core.operations() -> { {name, service, method, path, success}, ... }
 * cfg = { endpoint, credentials = {ak, sk, security_token?, token?, project_id?, algorithm?},
 *         validate = true, date? (fixed X-Sdk-Date, for tests) }
 * params = { <path params>, body = {...}, headers? = {...}, validate? } */
#ifndef HWC_LCALL_H
#define HWC_LCALL_H

#include "lua.h"

int hwc_lua_prepare(lua_State *L);
int hwc_lua_parse(lua_State *L);
int hwc_lua_operations(lua_State *L);
/* Adds core.<op name> for every operation to the table on top of the stack. */
void hwc_register_operations(lua_State *L);

#endif
