/* lcall.h - the operations as Lua functions, driven by the operation table (ops.h):
 *   core.prepare(op, cfg, params) -> req | nil, err     validated, marshaled, signed; nothing sent
 *                                                        (lprepare.c)
 *   core.parse(op, status, headers, body [, req]) -> result, meta | nil, err        (lparse.c)
 *   core.<op>(client, cfg, params) -> result, meta | nil, err   prepare + send (libcurl) + parse
 *   core.operations() -> { {name, service, method, path, success, params, ...}, ... }
 * cfg = { endpoint, credentials = {ak, sk, security_token?, token?, project_id?, algorithm?},
 *         validate = true, date? (fixed X-Sdk-Date, for tests) }
 * params = { <parameters>, body = {...}, headers? = {...}, validate?, allow_unknown? } */
#ifndef HWC_LCALL_H
#define HWC_LCALL_H

#include "lua.h"
#include "ops.h"

/* The operation named by argument arg; raises for an unknown name (a programmer error). */
const hwc_op *hwc_check_op(lua_State *L, int arg);
/* Builds the signed request of op from the tables at cfg and params, leaving it (or nil, err)
 * just above the stack it found; returns 1 or 2. */
int hwc_prepare(lua_State *L, const hwc_op *op, int cfg, int params);
/* The answer at status/headers/body (stack indices) to the request at req (0: none): pushes
 * result, meta or nil, err; returns 2. */
int hwc_parse(lua_State *L, const hwc_op *op, int status, int headers, int body, int req);
/* Pushes the value of header name (any case) from the table at idx, or nil. */
void hwc_push_header(lua_State *L, int idx, const char *name);

int hwc_lua_prepare(lua_State *L);
int hwc_lua_parse(lua_State *L);
int hwc_lua_operations(lua_State *L);
/* Adds core.<op name> for every operation to the table on top of the stack. */
void hwc_register_operations(lua_State *L);

#endif
