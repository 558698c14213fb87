/* lscratch.c - the per-state scratch pool; see lscratch.h. */
#include <string.h>
#include "compat.h"
#include "lscratch.h"

#define SCRATCH_MT "huaweicloud.scratch"
#define SCRATCH_KEEP (64 * 1024) /* buffers larger than this are freed rather than kept */

static char scratch_key; /* registry key (by address) of the state's shared scratch */
static char lease_key;   /* registry key of a weak table holding the state's lease, reused */

#define LEASE_MT "huaweicloud.scratch_lease"

/* What a borrower of the shared scratch holds on its stack while it has it. */
typedef struct hwc_lease {
  hwc_scratch *s; /* NULL once given back */
} hwc_lease;

static void scratch_init(hwc_scratch *s) {
  sbuf_init(&s->arena);
  sbuf_init(&s->body);
  sbuf_init(&s->slots);
  sbuf_init(&s->url);
  hwc_secrec_init(&s->sec);
  hwc_sign_out_init(&s->sig);
  s->busy = 0;
  s->shared = 0;
  s->lease = NULL;
}

static void scratch_free(hwc_scratch *s) {
  sbuf_free(&s->arena);
  sbuf_free(&s->body);
  sbuf_free(&s->slots);
  sbuf_free(&s->url);
  hwc_secrec_free(&s->sec);
  hwc_sign_out_free(&s->sig);
}

static int scratch_gc(lua_State *L) {
  scratch_free((hwc_scratch *)lua_touserdata(L, 1));
  return 0;
}

static hwc_scratch *scratch_push_new(lua_State *L) {
  hwc_scratch *s = (hwc_scratch *)lua_newuserdatauv(L, sizeof *s, 0);
  scratch_init(s);
  if (luaL_newmetatable(L, SCRATCH_MT)) {
    lua_pushcfunction(L, scratch_gc);
    lua_setfield(L, -2, "__gc");
  }
  lua_setmetatable(L, -2);
  return s;
}

static void keep_or_free(sbuf *b) {
  if (b->cap > SCRATCH_KEEP) sbuf_free(b);
  else sbuf_reset(b);
}

/* A lease the GC took while its scratch was still lent: its borrower was unwound by an error. */
static int lease_gc(lua_State *L) {
  hwc_lease *l = (hwc_lease *)lua_touserdata(L, 1);
  if (l->s) {
    l->s->lease = NULL;
    l->s->busy = 0; /* its buffers are emptied when it is lent again */
    l->s = NULL;
  }
  return 0;
}

/* Pushes the state's lease, made when the GC has taken the last one (only a weak table keeps it
 * between calls: a borrower's stack is what holds it), and ties it to s. */
static void push_lease(lua_State *L, hwc_scratch *s) {
  hwc_lease *l;
  lua_pushlightuserdata(L, &lease_key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  if (!lua_istable(L, -1)) {
    lua_pop(L, 1);
    lua_createtable(L, 1, 0);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "v");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushlightuserdata(L, &lease_key);
    lua_pushvalue(L, -2);
    lua_rawset(L, LUA_REGISTRYINDEX);
  }
  lua_rawgeti(L, -1, 1);
  l = (hwc_lease *)lua_touserdata(L, -1);
  if (l == NULL) {
    lua_pop(L, 1);
    l = (hwc_lease *)lua_newuserdatauv(L, sizeof *l, 0);
    l->s = NULL;
    if (luaL_newmetatable(L, LEASE_MT)) {
      lua_pushcfunction(L, lease_gc);
      lua_setfield(L, -2, "__gc");
    }
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_rawseti(L, -3, 1);
  }
  lua_remove(L, -2); /* the weak table */
  l->s = s;
  s->lease = l;
}

void hwc_scratch_release(hwc_scratch *s) {
  if (!s->shared) {
    scratch_free(s);
    return;
  }
  if (s->lease) {
    s->lease->s = NULL;
    s->lease = NULL;
  }
  keep_or_free(&s->arena);
  keep_or_free(&s->body);
  keep_or_free(&s->slots);
  keep_or_free(&s->url);
  hwc_secrec_reset(&s->sec);
  keep_or_free(&s->sig.canonical);
  keep_or_free(&s->sig.string_to_sign);
  keep_or_free(&s->sig.signed_headers);
  keep_or_free(&s->sig.authorization);
  s->busy = 0;
}

/* The state keeps one scratch whose buffers are reused call after call; it is lent to one user
 * at a time (a second, overlapping user gets a fresh one, freed by the GC). An error that
 * unwinds past a borrower leaves it marked busy until the GC takes the borrower's lease. */
hwc_scratch *hwc_scratch_new(lua_State *L) {
  hwc_scratch *s;
  lua_pushlightuserdata(L, &scratch_key);
  lua_rawget(L, LUA_REGISTRYINDEX);
  s = (hwc_scratch *)lua_touserdata(L, -1);
  lua_pop(L, 1); /* the registry keeps it alive */
  if (s == NULL) {
    lua_pushlightuserdata(L, &scratch_key);
    s = scratch_push_new(L);
    s->shared = 1;
    lua_rawset(L, LUA_REGISTRYINDEX);
  }
  if (s->busy) return scratch_push_new(L); /* stays on the stack, as borrowers expect */
  push_lease(L, s); /* may raise (out of memory): before the scratch is marked lent */
  s->busy = 1;
  sbuf_reset(&s->arena);
  sbuf_reset(&s->body);
  sbuf_reset(&s->slots);
  sbuf_reset(&s->url);
  hwc_secrec_reset(&s->sec);
  sbuf_reset(&s->sig.canonical);
  sbuf_reset(&s->sig.string_to_sign);
  sbuf_reset(&s->sig.signed_headers);
  sbuf_reset(&s->sig.authorization);
  return s; /* the lease stays pushed: callers pop what hwc_scratch_new pushed */
}
