/* testlib.c - the few process primitives specs need and no Lua library on every supported Lua
 * gives them (Debian's lua-posix has no 5.4 build): fork, _exit, waitpid, getpid. Test-only: it
 * is built next to the core for `make test` and never shipped. */
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
#include "compat.h"

static int t_fork(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)fork());
  return 1;
}

static int t_exit(lua_State *L) {
  _exit((int)luaL_optinteger(L, 1, 0));
  return 0;
}

/* waitpid(pid) -> exit status (or -1) */
static int t_waitpid(lua_State *L) {
  int status = 0;
  pid_t pid = (pid_t)luaL_checkinteger(L, 1);
  if (waitpid(pid, &status, 0) != pid) lua_pushinteger(L, -1);
  else lua_pushinteger(L, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
  return 1;
}

static int t_getpid(lua_State *L) {
  lua_pushinteger(L, (lua_Integer)getpid());
  return 1;
}

static const luaL_Reg funcs[] = {
  {"fork", t_fork}, {"_exit", t_exit}, {"waitpid", t_waitpid}, {"getpid", t_getpid}, {NULL, NULL}
};

#if defined(__GNUC__)
__attribute__((visibility("default")))
#endif
int luaopen_hwc_testlib(lua_State *L) {
  luaL_newlib(L, funcs);
  return 1;
}
