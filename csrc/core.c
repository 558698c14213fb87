/* core.c - luaopen_huaweicloud_core: the module table and nothing else. */
#include "compat.h"
#include "errors.h"
#include "lmodel.h"
#include "request.h"

#define HWC_VERSION "0.1.0"

static const luaL_Reg core_funcs[] = {
  {"sign", hwc_lua_sign},
  {"encode", hwc_lua_encode},
  {"validate", hwc_lua_validate},
  {"decode", hwc_lua_decode},
  {"redact", hwc_lua_redact},
  {"models", hwc_lua_models},
  {"error", hwc_error_new},
  {NULL, NULL}
};

#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
int luaopen_huaweicloud_core(lua_State *L) {
  luaL_newlib(L, core_funcs);
  lua_pushliteral(L, HWC_VERSION);
  lua_setfield(L, -2, "version");
  hwc_error_metatable(L);
  lua_setfield(L, -2, "error_mt");
  return 1;
}
