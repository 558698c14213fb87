/* lscratch.h - the per-state scratch (scratch.h), lent to one call at a time and given back on
 * every unwind (lscratch.c). */
#ifndef HWC_LSCRATCH_H
#define HWC_LSCRATCH_H

#include "lua.h"
#include "scratch.h"

/* Lends the Lua state's reusable scratch (emptied), or a fresh one when it is in use. Pushes
 * one value (the lease, or the fresh userdata) that the caller leaves or pops. Give it back with
 * hwc_scratch_release, which keeps the buffers for the next call. A Lua error that unwinds past
 * the borrower leaves the lease with nothing else holding it: the GC collects it, and its
 * finalizer gives the scratch back, so it is never lost for good (until then, calls allocate). */
hwc_scratch *hwc_scratch_new(lua_State *L);
void hwc_scratch_release(hwc_scratch *s);

#endif
