/* lsecrets.c - per-request secret records and masking; see lsecrets.h. */
#include <string.h>
#include "compat.h"
#include "lsecrets.h"
#include "lscratch.h"
#include "signer.h"

#define RECORDS_KEY "huaweicloud.core.secrets" /* weak-keyed: req table -> its record */

/* A record: secret strings at 1..n, "ranges" = { start1, end1, ... } (0-based body offsets),
 * "body" = the body string the ranges refer to. */

void hwc_secrets_new(lua_State *L) { lua_createtable(L, 4, 2); }

void hwc_secrets_push_record(lua_State *L, const hwc_secrec *r) {
  size_t i, n = hwc_secrec_count(r), nr = hwc_secrec_nranges(r);
  if (!hwc_secrec_ok(r)) luaL_error(L, "out of memory");
  lua_createtable(L, (int)n, 2);
  for (i = 0; i < n; i++) {
    hwc_str v = hwc_secrec_at(r, i);
    lua_pushlstring(L, v.s, v.n);
    lua_rawseti(L, -2, (int)i + 1);
  }
  if (nr) {
    const size_t *pairs = (const size_t *)(const void *)r->ranges.p;
    lua_createtable(L, (int)(2 * nr), 0);
    for (i = 0; i < 2 * nr; i++) {
      lua_pushinteger(L, (lua_Integer)pairs[i]);
      lua_rawseti(L, -2, (int)i + 1);
    }
    lua_setfield(L, -2, "ranges");
  }
}

static void push_registry(lua_State *L) {
  lua_getfield(L, LUA_REGISTRYINDEX, RECORDS_KEY);
  if (lua_isnil(L, -1)) {
    lua_pop(L, 1);
    lua_newtable(L);
    lua_createtable(L, 0, 1);
    lua_pushliteral(L, "k");
    lua_setfield(L, -2, "__mode");
    lua_setmetatable(L, -2);
    lua_pushvalue(L, -1);
    lua_setfield(L, LUA_REGISTRYINDEX, RECORDS_KEY);
  }
}

void hwc_secrets_attach(lua_State *L, int req, int rec, int body) {
  req = lua_absindex(L, req);
  rec = lua_absindex(L, rec);
  if (body) {
    lua_pushvalue(L, body);
    lua_setfield(L, rec, "body");
  }
  push_registry(L);
  lua_pushvalue(L, req);
  lua_pushvalue(L, rec);
  lua_rawset(L, -3);
  lua_pop(L, 1);
}

/* Pushes the record of req, or nil. */
static void push_record(lua_State *L, int req) {
  if (req && lua_type(L, req) == LUA_TTABLE) {
    req = lua_absindex(L, req);
    push_registry(L);
    lua_pushvalue(L, req);
    lua_rawget(L, -2);
    lua_remove(L, -2);
    return;
  }
  lua_pushnil(L);
}

void hwc_secrets_push_of(lua_State *L, int req) {
  push_record(L, req);
  if (lua_type(L, -1) == LUA_TTABLE) return;
  lua_pop(L, 1);
  if (req && lua_type(L, req) == LUA_TTABLE) {
    int list;
    lua_rawgeti(L, req, 1);
    list = lua_type(L, -1) == LUA_TSTRING;
    lua_pop(L, 1);
    if (list) { /* a list of secret strings: a record of its own (core.scrub from Lua) */
      lua_pushvalue(L, req);
      return;
    }
  }
  hwc_secrets_new(L);
}

/* A scrubbing session: the forms of a record's secrets, built once and used for many texts.
 * Its memory is a borrowed scratch (a userdata), so a raise in between leaks nothing. */
typedef struct scrubber {
  hwc_scratch *sc; /* arena: the forms' bytes; body: output */
  hwc_str *forms;
  size_t nforms;
} scrubber;

/* Pushes three values (the scratch holder, spans, forms) that scrub_end pops. */
static void scrub_begin(lua_State *L, scrubber *z, int rec) {
  size_t n = rec ? lua_rawlen(L, rec) : 0, i, k = 0;
  size_t *spans;
  rec = rec ? lua_absindex(L, rec) : 0;
  z->sc = hwc_scratch_new(L);
  spans = (size_t *)lua_newuserdatauv(L, (n ? n : 1) * 2 * HWC_SECRET_FORMS * sizeof *spans, 0);
  for (i = 1; i <= n; i++) {
    lua_rawgeti(L, rec, (int)i);
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t sn;
      const char *s = lua_tolstring(L, -1, &sn);
      k += hwc_secret_forms(&z->sc->arena, s, sn, spans + 2 * k);
    }
    lua_pop(L, 1);
  }
  if (!sbuf_ok(&z->sc->arena)) luaL_error(L, "out of memory");
  z->forms = (hwc_str *)lua_newuserdatauv(L, (k ? k : 1) * sizeof *z->forms, 0);
  for (i = 0; i < k; i++) {
    size_t off = spans[2 * i], len = spans[2 * i + 1];
    z->forms[i].s = z->sc->arena.p + off;
    z->forms[i].n = len;
  }
  z->nforms = k;
}

static void scrub_end(lua_State *L, scrubber *z) {
  hwc_scratch_release(z->sc);
  lua_pop(L, 3);
}

/* Pushes s[0..n) scrubbed. */
static void scrub_push(lua_State *L, scrubber *z, const char *s, size_t n) {
  sbuf_reset(&z->sc->body);
  hwc_scrub(&z->sc->body, s, n, z->forms, z->nforms);
  if (!sbuf_ok(&z->sc->body)) luaL_error(L, "out of memory");
  lua_pushlstring(L, z->sc->body.p ? z->sc->body.p : "", z->sc->body.len);
}

void hwc_push_scrubbed(lua_State *L, const char *s, size_t n, int rec) {
  scrubber z;
  rec = lua_absindex(L, rec);
  scrub_begin(L, &z, rec);
  scrub_push(L, &z, s, n);
  lua_insert(L, -4);
  scrub_end(L, &z);
}

void hwc_scrub_error(lua_State *L, int err, int rec) {
  scrubber z;
  err = lua_absindex(L, err);
  rec = lua_absindex(L, rec);
  scrub_begin(L, &z, rec);
  lua_pushnil(L);
  while (lua_next(L, err)) {
    if (lua_type(L, -1) == LUA_TSTRING && lua_type(L, -2) == LUA_TSTRING) {
      size_t n;
      const char *s = lua_tolstring(L, -1, &n);
      scrub_push(L, &z, s, n);
      lua_pushvalue(L, -3);
      lua_insert(L, -2);
      lua_rawset(L, err); /* replacing an existing key's value keeps lua_next valid */
    }
    lua_pop(L, 1);
  }
  scrub_end(L, &z);
}

/* ---- core.mask ---------------------------------------------------------------------------- */

/* Writes the body with its recorded secret ranges replaced by "***" (strings keep quotes). */
static void body_masked(lua_State *L, int rec, const char *s, size_t n, sbuf *out) {
  size_t i, len, pos = 0;
  int ranges;
  lua_getfield(L, rec, "ranges");
  ranges = lua_gettop(L);
  len = lua_type(L, ranges) == LUA_TTABLE ? lua_rawlen(L, ranges) : 0;
  for (i = 1; i + 1 <= len; i += 2) {
    long long a = 0, e = 0;
    lua_rawgeti(L, ranges, (int)i);
    lua_rawgeti(L, ranges, (int)i + 1);
    hwc_tointeger(L, -2, &a);
    hwc_tointeger(L, -1, &e);
    lua_pop(L, 2);
    if (a < (long long)pos || e > (long long)n || a > e) continue;
    sbuf_add(out, s + pos, (size_t)a - pos);
    sbuf_adds(out, "\"" HWC_MASK "\"");
    pos = (size_t)e;
  }
  sbuf_add(out, s + pos, n - pos);
  lua_pop(L, 1);
}

/* Writes a canonical request whose "name:value" lines with a sensitive name lose the value. */
static void canonical_masked(const char *s, size_t n, sbuf *out) {
  size_t i = 0;
  while (i < n) {
    const char *eol = memchr(s + i, '\n', n - i), *colon;
    size_t len = eol ? (size_t)(eol - (s + i)) : n - i;
    colon = memchr(s + i, ':', len);
    if (colon && hwc_sensitive_name(s + i, (size_t)(colon - (s + i)))) {
      sbuf_add(out, s + i, (size_t)(colon - (s + i)) + 1);
      sbuf_adds(out, HWC_MASK);
    } else {
      sbuf_add(out, s + i, len);
    }
    i += len;
    if (eol) {
      sbuf_addc(out, '\n');
      i++;
    }
  }
}

/* Pushes the masked copy of the header table at h. */
static void push_headers_masked(lua_State *L, scrubber *z, int h) {
  h = lua_absindex(L, h);
  lua_newtable(L);
  lua_pushnil(L);
  while (lua_next(L, h)) {
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t n, kn = 0;
      const char *v = lua_tolstring(L, -1, &n);
      const char *k = lua_type(L, -2) == LUA_TSTRING ? lua_tolstring(L, -2, &kn) : "";
      /* Authorization keeps its shape: its AK and signature are masked by the scrubber */
      if (hwc_sensitive_name(k, kn) && !hwc_header_name_eq(k, kn, "Authorization", 13)) lua_pushliteral(L, HWC_MASK);
      else scrub_push(L, z, v, n);
      lua_remove(L, -2);
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, -4);
  }
}

int hwc_lua_mask(lua_State *L) {
  int out, rec, known;
  scrubber z;
  sbuf *tmp;
  luaL_checktype(L, 1, LUA_TTABLE);
  lua_settop(L, 1);
  push_record(L, 1);
  known = lua_type(L, 2) == LUA_TTABLE;
  if (!known) {
    lua_pop(L, 1);
    hwc_secrets_new(L);
  }
  rec = 2;
  lua_newtable(L);
  out = 3;
  scrub_begin(L, &z, rec); /* 4, 5, 6 */
  tmp = &z.sc->url;        /* a second buffer of the same scratch, for the pre-masked text */
  lua_pushnil(L);
  while (lua_next(L, 1)) {
    const char *key = lua_type(L, -2) == LUA_TSTRING ? lua_tostring(L, -2) : "";
    if (lua_type(L, -1) == LUA_TSTRING) {
      size_t n;
      const char *v = lua_tolstring(L, -1, &n);
      int pre = 0;
      if (strcmp(key, "body") == 0 && known) {
        lua_getfield(L, rec, "body");
        pre = lua_rawequal(L, -1, -2);
        lua_pop(L, 1);
        if (pre) {
          sbuf_reset(tmp);
          body_masked(L, rec, v, n, tmp);
        }
      } else if (strcmp(key, "canonical_request") == 0) {
        pre = 1;
        sbuf_reset(tmp);
        canonical_masked(v, n, tmp);
      }
      if (pre) {
        if (!sbuf_ok(tmp)) luaL_error(L, "out of memory");
        scrub_push(L, &z, tmp->p ? tmp->p : "", tmp->len);
      } else {
        scrub_push(L, &z, v, n);
      }
      lua_remove(L, -2);
    } else if (lua_type(L, -1) == LUA_TTABLE && strcmp(key, "headers") == 0) {
      push_headers_masked(L, &z, -1);
      lua_remove(L, -2);
    }
    lua_pushvalue(L, -2);
    lua_insert(L, -2);
    lua_rawset(L, out);
  }
  scrub_end(L, &z);
  return 1;
}

int hwc_lua_scrub(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  lua_settop(L, 2);
  hwc_secrets_push_of(L, lua_isnil(L, 2) ? 0 : 2);
  hwc_push_scrubbed(L, s, n, 3);
  return 1;
}

int hwc_lua_sensitive_name(lua_State *L) {
  size_t n;
  const char *s = luaL_checklstring(L, 1, &n);
  lua_pushboolean(L, hwc_sensitive_name(s, n));
  return 1;
}

int hwc_lua_prepared(lua_State *L) {
  push_record(L, 1);
  lua_pushboolean(L, lua_type(L, -1) == LUA_TTABLE);
  return 1;
}
