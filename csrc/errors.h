/* errors.h - the structured error values every runtime failure returns (`nil, err`).
 * err is a table { kind, message, field?, status?, code?, request_id?, retryable, ... } whose
 * metatable (registry "huaweicloud.error") gives a one-line __tostring. Messages are built
 * by the caller; they must never carry a secret (lsecrets.c scrubs what a server echoes). */
#ifndef HWC_ERRORS_H
#define HWC_ERRORS_H

#include "lua.h"

#define HWC_ERROR_MT "huaweicloud.error"

/* Pushes the metatable, creating it on first use. */
void hwc_error_metatable(lua_State *L);
/* Pushes a new error table with kind, message and (when non-NULL) field. */
void hwc_push_error(lua_State *L, const char *kind, const char *field, const char *message);
/* Pushes nil and a new error; returns 2 so a C function can `return hwc_fail(...)`. */
int hwc_fail(lua_State *L, const char *kind, const char *field, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 4, 5)))
#endif
  ;
/* core.error(tbl): gives tbl the error metatable (fills retryable=false when absent). */
int hwc_error_new(lua_State *L);

#endif
