/* lfile.h - reading a small configuration file (lfile.c): the profile file of the credentials
 * chain, read whole only when it is a regular file of bounded size.
 *   core.read_file(path, max) -> text | nil, why, absent (true: no such file)
 * never blocks on a FIFO or a device, never reads more than max bytes. */
#ifndef HWC_LFILE_H
#define HWC_LFILE_H

#include "lua.h"

int hwc_lua_read_file(lua_State *L);

#endif
