/* lfile.c - core.read_file: a regular file of at most max bytes, whole (see lfile.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "compat.h"
#include "lfile.h"

#define MAX_MAX (16 * 1024 * 1024)

int hwc_lua_read_file(lua_State *L) {
  const char *path = luaL_checkstring(L, 1);
  lua_Integer max = luaL_checkinteger(L, 2);
  struct stat st;
  char *buf;
  size_t got = 0;
  int fd, err = 0;
  const char *why = NULL;
  luaL_argcheck(L, max >= 0 && max <= MAX_MAX, 2, "a size from 0 to 16 MiB expected");
  /* the buffer first: it may raise, and no descriptor is open yet */
  buf = (char *)lua_newuserdatauv(L, (size_t)max + 1, 0);
  /* O_NONBLOCK: opening a FIFO does not wait for a writer (it is refused below) */
  fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) {
    int absent = errno == ENOENT || errno == ENOTDIR;
    lua_pushnil(L);
    lua_pushstring(L, strerror(errno));
    lua_pushboolean(L, absent);
    return 3;
  }
  if (fstat(fd, &st) != 0) {
    err = errno;
  } else if (!S_ISREG(st.st_mode)) {
    why = "not a regular file";
  } else {
    while (got <= (size_t)max) {
      ssize_t n = read(fd, buf + got, (size_t)max + 1 - got);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) err = errno;
      if (n <= 0) break;
      got += (size_t)n;
    }
    if (!err && got > (size_t)max) why = "larger than the limit";
  }
  close(fd);
  if (err || why) {
    lua_pushnil(L);
    if (why && got > (size_t)max) lua_pushfstring(L, "%s (%d bytes)", why, (int)max);
    else lua_pushstring(L, why ? why : strerror(err));
    return 2;
  }
  lua_pushlstring(L, buf, got);
  return 1;
}
