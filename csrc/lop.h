/* lop.h - small Lua helpers the prepare and parse engines share: the operation an argument names,
 * results moved down the stack, one header of a headers table. */
#ifndef HWC_LOP_H
#define HWC_LOP_H

#include "lua.h"
#include "ops.h"

/* The operation named by argument arg; raises for an unknown name (a programmer error). */
const hwc_op *hwc_check_op(lua_State *L, int arg);
/* Moves the top n values to base+1.. and drops everything above them. */
void hwc_results_down(lua_State *L, int base, int n);
/* Pushes the value of header name (any case) from the table at idx, or nil. */
void hwc_push_header(lua_State *L, int idx, const char *name);

#endif
