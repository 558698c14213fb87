/* core.c - luaopen_huaweicloud_core: the module table and nothing else. */
#define _GNU_SOURCE /* dladdr */
#include <dlfcn.h>
#include <errno.h>
#include <time.h>
#include "compat.h"
#include "errors.h"
#include "http.h"
#include "lhead.h"
#include "lcall.h"
#include "lparse.h"
#include "lprepare.h"
#include "lwire.h"
#include "lfile.h"
#include "lmodel.h"
#include "lsecrets.h"
#include "lrequest.h"
#include "version.h"

/* core.sleep(seconds): blocks the thread; for retry backoff outside nginx. 0 or less: at once;
 * NaN is a caller's bug (a loop around it would never wait). */
static int core_sleep(lua_State *L) {
  lua_Number s = luaL_checknumber(L, 1);
  struct timespec ts;
  luaL_argcheck(L, s == s, 1, "a number of seconds expected, got NaN");
  if (!(s > 0)) return 0;
  if (s > 86400) s = 86400;
  ts.tv_sec = (time_t)s;
  ts.tv_nsec = (long)((s - (lua_Number)ts.tv_sec) * 1e9);
  while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {}
  return 0;
}

/* core.clock(): monotonic seconds, for measuring and deadlines. */
static int core_clock(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
  return 1;
}

/* core.time(): seconds since the epoch with their fraction, for timestamps (a span's start). */
static int core_time(lua_State *L) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  lua_pushnumber(L, (lua_Number)ts.tv_sec + (lua_Number)ts.tv_nsec / 1e9);
  return 1;
}

static const luaL_Reg core_funcs[] = {
  {"sleep", core_sleep},
  {"time", core_time},
  {"clock", core_clock},
  {"read_file", hwc_lua_read_file},
  {"describe", hwc_lua_describe},
  {"closest", hwc_lua_closest},
  {"registry_check", hwc_lua_registry_check},
  {"sign", hwc_lua_sign},
  {"encode", hwc_lua_encode},
  {"validate", hwc_lua_validate},
  {"decode", hwc_lua_decode},
  {"redact", hwc_lua_redact},
  {"models", hwc_lua_models},
  {"prepare", hwc_lua_prepare},
  {"wire", hwc_lua_wire},
  {"http_bytes", hwc_lua_http_bytes},
  {"parse", hwc_lua_parse},
  {"mask", hwc_lua_mask},
  {"scrub", hwc_lua_scrub},
  {"sensitive_name", hwc_lua_sensitive_name},
  {"prepared", hwc_lua_prepared},
  {"operations", hwc_lua_operations},
  {"http_client", hwc_lua_http_client},
  {"http_options", hwc_lua_http_options},
  {"http_head", hwc_lua_http_head},
  {"http_framing", hwc_lua_http_framing},
  {"error", hwc_error_new},
  {NULL, NULL}
};

/* The core keeps process-wide state (libcrypto algorithm objects, libcurl's global init) that
 * must outlive any one Lua state: pin the library so closing a state never unmaps it. */
static void pin_library(void) {
  Dl_info info;
  if (dladdr((void *)pin_library, &info) && info.dli_fname != NULL)
    dlopen(info.dli_fname, RTLD_NOW | RTLD_NOLOAD | RTLD_NODELETE);
}

#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
int luaopen_huaweicloud_core(lua_State *L) {
  pin_library();
  hwc_http_metatable(L);
  luaL_newmetatable(L, HWC_SENT_MT); /* core.wire's `sent`: plain data, no methods */
  lua_pop(L, 1);
  luaL_newlib(L, core_funcs);
  hwc_register_operations(L);
  lua_pushliteral(L, HWC_VERSION);
  lua_setfield(L, -2, "version");
  hwc_error_metatable(L);
  lua_setfield(L, -2, "error_mt");
  return 1;
}
