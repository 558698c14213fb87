/* core.c - luaopen_huaweicloud_core: the module table and nothing else. */
#include "compat.h"
#include "errors.h"
#include "http.h"
#include "lcall.h"
#include "lmodel.h"
#include "request.h"
#include "version.h"

static const luaL_Reg core_funcs[] = {
  {"sign", hwc_lua_sign},
  {"encode", hwc_lua_encode},
  {"validate", hwc_lua_validate},
  {"decode", hwc_lua_decode},
  {"redact", hwc_lua_redact},
  {"models", hwc_lua_models},
  {"prepare", hwc_lua_prepare},
  {"parse", hwc_lua_parse},
  {"mask", hwc_lua_mask},
  {"operations", hwc_lua_operations},
  {"http_client", hwc_lua_http_client},
  {"error", hwc_error_new},
  {NULL, NULL}
};

#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
int luaopen_huaweicloud_core(lua_State *L) {
  hwc_http_metatable(L);
  luaL_newlib(L, core_funcs);
  hwc_register_operations(L);
  lua_pushliteral(L, HWC_VERSION);
  lua_setfield(L, -2, "version");
  hwc_error_metatable(L);
  lua_setfield(L, -2, "error_mt");
  return 1;
}
