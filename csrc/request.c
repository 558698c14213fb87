/* request.c - request assembly and signing from Lua values; see request.h. */
#include <stdio.h>
#include <string.h>
#include "compat.h"
#include "errors.h"
#include "json.h"
#include "request.h"

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

static int fault(hwc_fault *f, const char *kind, const char *field, const char *msg) {
  f->kind = kind;
  f->field = field;
  f->message = msg;
  return 0;
}

static int fault_named(hwc_fault *f, const char *kind, const char *prefix, const char *name,
                       size_t nlen, const char *msg) {
  snprintf(f->field_buf, sizeof f->field_buf, "%s%.*s", prefix, (int)(nlen > 64 ? 64 : nlen), name);
  return fault(f, kind, f->field_buf, msg);
}

/* An access key goes into the Authorization header verbatim. */
static int ak_ok(const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f || c == ',' || c == '=') return 0;
  }
  return n > 0;
}

const char *hwc_opt_string(lua_State *L, int t, const char *k, size_t *n, int *bad) {
  const char *s = NULL;
  lua_getfield(L, t, k);
  if (lua_type(L, -1) == LUA_TSTRING) s = lua_tolstring(L, -1, n);
  else if (!lua_isnil(L, -1)) *bad = 1;
  lua_pop(L, 1); /* the table keeps the string alive */
  return s;
}

int hwc_cred_read(lua_State *L, int idx, hwc_cred *c, int need_aksk, hwc_fault *f) {
  int bad = 0;
  const char *alg;
  size_t n;
  memset(c, 0, sizeof *c);
  if (lua_type(L, idx) != LUA_TTABLE) return fault(f, "config", "credentials", "must be a table");
  c->ak = hwc_opt_string(L, idx, "ak", &c->ak_len, &bad);
  if (bad) return fault(f, "config", "credentials.ak", "must be a string");
  c->sk = hwc_opt_string(L, idx, "sk", &c->sk_len, &bad);
  if (bad) return fault(f, "config", "credentials.sk", "must be a string");
  c->security_token = hwc_opt_string(L, idx, "security_token", &c->security_token_len, &bad);
  if (bad) return fault(f, "config", "credentials.security_token", "must be a string");
  c->token = hwc_opt_string(L, idx, "token", &c->token_len, &bad);
  if (bad) return fault(f, "config", "credentials.token", "must be a string");
  alg = hwc_opt_string(L, idx, "algorithm", &n, &bad);
  if (bad || (alg != NULL && !hwc_alg_parse(alg, &c->alg)))
    return fault(f, "config", "credentials.algorithm", "must be SDK-HMAC-SHA256 or SDK-HMAC-SM3");
  if (c->ak_len == 0) c->ak = NULL;
  if (c->sk_len == 0) c->sk = NULL;
  if (c->security_token_len == 0) c->security_token = NULL;
  if (c->token_len == 0) c->token = NULL;
  if (c->ak == NULL && c->sk == NULL && c->token != NULL && !need_aksk) return 1;
  if (c->ak == NULL) return fault(f, "config", "credentials.ak", "access key (ak) is missing");
  if (c->sk == NULL) return fault(f, "config", "credentials.sk", "secret key (sk) is missing");
  if (!ak_ok(c->ak, c->ak_len))
    return fault(f, "config", "credentials.ak", "access key has a space, comma, '=' or control character");
  if (c->security_token != NULL && hwc_header_check("X-Security-Token", 16, c->security_token,
                                                    c->security_token_len) != NULL)
    return fault(f, "config", "credentials.security_token", "security token contains CR, LF or a control character");
  return 1;
}

void hwc_reqb_init(hwc_reqb *rb) {
  rb->method = NULL;
  memset(&rb->url, 0, sizeof rb->url);
  rb->nquery = rb->nheaders = 0;
  rb->body = NULL;
  rb->body_len = 0;
  rb->date[0] = '\0';
}

int hwc_reqb_has_header(const hwc_reqb *rb, const char *name) {
  size_t i, n = strlen(name);
  for (i = 0; i < rb->nheaders; i++)
    if (hwc_header_name_eq(rb->headers[i].k, rb->headers[i].kn, name, n)) return 1;
  return 0;
}

int hwc_reqb_add_header(hwc_reqb *rb, const char *name, size_t nlen, const char *value, size_t vlen,
                        hwc_fault *f) {
  const char *msg = hwc_header_check(name, nlen, value, vlen);
  size_t i;
  if (msg != NULL) return fault_named(f, "validation", "headers.", name, nlen, msg);
  for (i = 0; i < rb->nheaders; i++)
    if (hwc_header_name_eq(rb->headers[i].k, rb->headers[i].kn, name, nlen))
      return fault_named(f, "validation", "headers.", name, nlen, "header given twice (names are case-insensitive)");
  if (rb->nheaders == HWC_MAX_HEADERS) return fault(f, "validation", "headers", "too many headers (at most 64)");
  hwc_trim(&value, &vlen);
  rb->headers[rb->nheaders].k = name;
  rb->headers[rb->nheaders].kn = nlen;
  rb->headers[rb->nheaders].v = value;
  rb->headers[rb->nheaders].vn = vlen;
  rb->nheaders++;
  return 1;
}

/* Headers the SDK sets, frames or signs itself, and why a caller may not. */
static const char *reserved_header(const char *name, size_t n) {
  static const char *const framing[] = {"Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect",
                                        "Keep-Alive", "TE", "Trailer", "Upgrade", "Proxy-Connection", NULL};
  static const char *const signing[] = {"Authorization", "X-Sdk-Date", "X-Security-Token", "X-Auth-Token",
                                        "X-Project-Id", "Content-Type", NULL};
  size_t i;
  for (i = 0; framing[i]; i++)
    if (hwc_header_name_eq(name, n, framing[i], strlen(framing[i])))
      return "is set by the SDK and the transport, which frame the request; do not set it";
  for (i = 0; signing[i]; i++)
    if (hwc_header_name_eq(name, n, signing[i], strlen(signing[i])))
      return "is set and signed by the SDK from the credentials, the operation and the body; do not set it";
  return NULL;
}

int hwc_reqb_headers_from(lua_State *L, int idx, hwc_reqb *rb, int own, hwc_fault *f) {
  idx = lua_absindex(L, idx);
  if (lua_isnil(L, idx)) return 1;
  if (lua_type(L, idx) != LUA_TTABLE) return fault(f, "validation", "headers", "must be a table");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    size_t nlen, vlen;
    const char *name, *value;
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      return fault(f, "validation", "headers", "header names must be strings");
    }
    name = lua_tolstring(L, -2, &nlen);
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 2);
      return fault_named(f, "validation", "headers.", name, nlen, "header value must be a string");
    }
    value = lua_tolstring(L, -1, &vlen);
    lua_pop(L, 1);
    if (own) {
      const char *why = reserved_header(name, nlen);
      if (why != NULL) {
        lua_pop(L, 1);
        return fault_named(f, "validation", "headers.", name, nlen, why);
      }
    }
    if (!hwc_reqb_add_header(rb, name, nlen, value, vlen, f)) {
      lua_pop(L, 1);
      return 0;
    }
  }
  return 1;
}


int hwc_query_text(lua_State *L, int keep, const char **s, size_t *n) {
  switch (lua_type(L, -1)) {
    case LUA_TSTRING: *s = lua_tolstring(L, -1, n); return 1;
    case LUA_TBOOLEAN:
      *s = lua_toboolean(L, -1) ? "true" : "false";
      *n = strlen(*s);
      return 1;
    case LUA_TNUMBER: {
      long long iv;
      char num[32];
      if (hwc_tointeger(L, -1, &iv)) snprintf(num, sizeof num, "%lld", iv);
      else hwc_format_double(num, sizeof num, (double)lua_tonumber(L, -1)); /* not tostring: locale */
      lua_pushstring(L, num);
      *s = lua_tolstring(L, -1, n);
      lua_rawseti(L, keep, (int)lua_rawlen(L, keep) + 1);
      return 1;
    }
    default: return 0;
  }
}

int hwc_reqb_add_query(hwc_reqb *rb, const char *k, size_t kn, const char *v, size_t vn, hwc_fault *f) {
  if (rb->nquery == HWC_MAX_QUERY) return fault(f, "validation", "query", "too many query parameters (at most 256)");
  rb->query[rb->nquery].k = k;
  rb->query[rb->nquery].kn = kn;
  rb->query[rb->nquery].v = v;
  rb->query[rb->nquery].vn = vn;
  rb->nquery++;
  return 1;
}

int hwc_reqb_query_from(lua_State *L, int idx, hwc_reqb *rb, hwc_fault *f) {
  int keep;
  idx = lua_absindex(L, idx);
  lua_newtable(L);
  keep = lua_gettop(L);
  if (lua_isnil(L, idx)) return 1;
  if (lua_type(L, idx) != LUA_TTABLE) return fault(f, "validation", "query", "must be a table");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *k, *v;
    size_t kn, vn;
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      return fault(f, "validation", "query", "query parameter names must be strings");
    }
    k = lua_tolstring(L, -2, &kn);
    if (lua_type(L, -1) == LUA_TTABLE) {
      size_t i, len = lua_rawlen(L, -1);
      for (i = 1; i <= len; i++) {
        lua_rawgeti(L, -1, (int)i);
        if (!hwc_query_text(L, keep, &v, &vn)) {
          lua_pop(L, 3);
          return fault_named(f, "validation", "query.", k, kn, "values must be strings, numbers or booleans");
        }
        lua_pop(L, 1);
        if (!hwc_reqb_add_query(rb, k, kn, v, vn, f)) { lua_pop(L, 2); return 0; }
      }
    } else {
      if (!hwc_query_text(L, keep, &v, &vn)) {
        lua_pop(L, 2);
        return fault_named(f, "validation", "query.", k, kn, "values must be strings, numbers or booleans");
      }
      if (!hwc_reqb_add_query(rb, k, kn, v, vn, f)) { lua_pop(L, 2); return 0; }
    }
    lua_pop(L, 1);
  }
  return 1;
}

int hwc_reqb_sign(hwc_reqb *rb, const hwc_cred *c, const char *date_override, hwc_scratch *s, hwc_fault *f) {
  hwc_sign_req sr;
  const char *msg;
  size_t i;
  int token_only = c->ak == NULL;

  if (!hwc_reqb_has_header(rb, "Host")) {
    /* host and port are adjacent in the URL: "host:port" is one range */
    size_t n = rb->url.port_len ? (size_t)(rb->url.port + rb->url.port_len - rb->url.host) : rb->url.host_len;
    if (!hwc_reqb_add_header(rb, "Host", 4, rb->url.host, n, f)) return 0;
  }
  if (token_only) {
    if (!hwc_reqb_has_header(rb, "X-Auth-Token") &&
        !hwc_reqb_add_header(rb, "X-Auth-Token", 12, c->token, c->token_len, f))
      return fault(f, "config", "credentials.token", "token contains CR, LF or a control character");
  } else {
    if (hwc_reqb_has_header(rb, "Authorization"))
      return fault(f, "validation", "headers.Authorization", "is computed by the signer; do not set it");
    if (date_override != NULL) {
      if (!hwc_sdk_date_valid(date_override, strlen(date_override)))
        return fault(f, "validation", "date", "must look like 20240207T123456Z");
      if (hwc_reqb_has_header(rb, "X-Sdk-Date"))
        return fault(f, "validation", "headers.X-Sdk-Date", "given both as a header and as date");
      memcpy(rb->date, date_override, 17);
      if (!hwc_reqb_add_header(rb, "X-Sdk-Date", 10, rb->date, 16, f)) return 0;
    } else if (!hwc_reqb_has_header(rb, "X-Sdk-Date")) {
      hwc_sdk_date(rb->date);
      if (!hwc_reqb_add_header(rb, "X-Sdk-Date", 10, rb->date, 16, f)) return 0;
    }
    if (c->security_token != NULL && !hwc_reqb_has_header(rb, "X-Security-Token") &&
        !hwc_reqb_add_header(rb, "X-Security-Token", 16, c->security_token, c->security_token_len, f))
      return 0;
    memset(&sr, 0, sizeof sr);
    sr.alg = c->alg;
    sr.method = rb->method;
    sr.path = rb->url.path;
    sr.path_len = rb->url.path_len;
    sr.query = rb->query;
    sr.nquery = rb->nquery;
    sr.headers = rb->headers;
    sr.nheaders = rb->nheaders;
    sr.body = rb->body;
    sr.body_len = rb->body_len;
    sr.ak = c->ak;
    sr.ak_len = c->ak_len;
    sr.sk = c->sk;
    sr.sk_len = c->sk_len;
    sr.date = NULL;
    for (i = 0; i < rb->nheaders; i++) {
      if (hwc_header_name_eq(rb->headers[i].k, rb->headers[i].kn, "X-Sdk-Date", 10)) {
        if (!hwc_sdk_date_valid(rb->headers[i].v, rb->headers[i].vn))
          return fault(f, "validation", "headers.X-Sdk-Date", "must look like 20240207T123456Z");
        memcpy(rb->date, rb->headers[i].v, 16);
        rb->date[16] = '\0';
        sr.date = rb->date;
      } else if (hwc_header_name_eq(rb->headers[i].k, rb->headers[i].kn, "X-Sdk-Content-Sha256", 20)) {
        /* the official signers use this value instead of hashing, e.g. UNSIGNED-PAYLOAD */
        sr.body_hash = rb->headers[i].v;
        sr.body_hash_len = rb->headers[i].vn;
      }
    }
    msg = hwc_sign(&sr, &s->sig);
    /* a signer that cannot sign (libcrypto without the digest, memory) is this machine's setup */
    if (msg != NULL) return fault(f, hwc_sign_failed(msg) ? "config" : "validation", NULL, msg);
  }
  return 1;
}

void hwc_reqb_push_headers(lua_State *L, const hwc_reqb *rb, const hwc_cred *c, const hwc_scratch *s) {
  size_t i;
  int token_only = c->ak == NULL;
  lua_createtable(L, 0, (int)rb->nheaders + 1);
  for (i = 0; i < rb->nheaders; i++) {
    lua_pushlstring(L, rb->headers[i].k, rb->headers[i].kn);
    lua_pushlstring(L, rb->headers[i].v, rb->headers[i].vn);
    lua_rawset(L, -3);
  }
  if (!token_only) {
    lua_pushlstring(L, s->sig.authorization.p, s->sig.authorization.len);
    lua_setfield(L, -2, "Authorization");
  }
}

int hwc_reqb_sign_push(lua_State *L, hwc_reqb *rb, const hwc_cred *c, const char *date_override,
                       hwc_scratch *s, hwc_fault *f) {
  if (!hwc_reqb_sign(rb, c, date_override, s, f)) return 0;
  hwc_reqb_push_headers(L, rb, c, s);
  return 1;
}

int hwc_fail_fault(lua_State *L, const hwc_fault *f) {
  return hwc_fail(L, f->kind, f->field, "%s", f->message);
}

/* Upper-cases an HTTP method into out; 0 when it is not 1..15 letters. */
static int method_copy(const char *m, size_t n, char out[16]) {
  size_t i;
  if (n == 0 || n > 15) return 0;
  for (i = 0; i < n; i++) {
    char ch = m[i];
    if (ch >= 'a' && ch <= 'z') ch = (char)(ch - 32);
    if (ch < 'A' || ch > 'Z') return 0;
    out[i] = ch;
  }
  out[n] = '\0';
  return 1;
}

static int sign_with(lua_State *L, hwc_scratch *s);

int hwc_lua_sign(lua_State *L) {
  hwc_scratch *s;
  int n;
  luaL_checktype(L, 1, LUA_TTABLE);
  luaL_checktype(L, 2, LUA_TTABLE);
  lua_settop(L, 2);
  s = hwc_scratch_new(L);
  n = sign_with(L, s);
  hwc_scratch_release(s);
  return n;
}

static int sign_with(lua_State *L, hwc_scratch *s) {
  hwc_reqb rb;
  hwc_cred c;
  hwc_fault f;
  char method[16];
  const char *str, *url, *date = NULL;
  size_t n, url_len, cnt = 0;
  int bad = 0;

  hwc_reqb_init(&rb);

  str = hwc_opt_string(L, 1, "method", &n, &bad);
  if (str == NULL || !method_copy(str, n, method))
    return hwc_fail(L, "validation", "method", "must be an HTTP method name such as POST");
  rb.method = method;
  url = hwc_opt_string(L, 1, "url", &url_len, &bad);
  if (url == NULL) return hwc_fail(L, "validation", "url", "must be a string");
  if ((str = hwc_url_parse(url, url_len, &rb.url)) != NULL) return hwc_fail(L, "validation", "url", "%s", str);
  rb.body = hwc_opt_string(L, 1, "body", &rb.body_len, &bad);
  if (bad) return hwc_fail(L, "validation", "body", "must be a string");
  date = hwc_opt_string(L, 1, "date", &n, &bad);
  if (bad) return hwc_fail(L, "validation", "date", "must be a string");

  lua_getfield(L, 1, "headers");
  if (!hwc_reqb_headers_from(L, -1, &rb, 0, &f)) return hwc_fail_fault(L, &f);
  if (rb.url.query != NULL) {
    str = hwc_query_parse(rb.url.query, rb.url.query_len, &s->arena, rb.query, HWC_MAX_QUERY, &cnt);
    if (str != NULL) return hwc_fail(L, "validation", "url", "%s", str);
    rb.nquery = cnt;
  }
  lua_getfield(L, 1, "query");
  if (!hwc_reqb_query_from(L, -1, &rb, &f)) return hwc_fail_fault(L, &f);
  if (!hwc_cred_read(L, 2, &c, 1, &f)) return hwc_fail_fault(L, &f);
  if (!hwc_reqb_sign_push(L, &rb, &c, date, s, &f)) return hwc_fail_fault(L, &f);

  lua_createtable(L, 0, 5);
  lua_pushlstring(L, s->sig.canonical.p, s->sig.canonical.len);
  lua_setfield(L, -2, "canonical_request");
  lua_pushlstring(L, s->sig.string_to_sign.p, s->sig.string_to_sign.len);
  lua_setfield(L, -2, "string_to_sign");
  lua_pushlstring(L, s->sig.signed_headers.p, s->sig.signed_headers.len);
  lua_setfield(L, -2, "signed_headers");
  lua_pushlstring(L, s->sig.authorization.p, s->sig.authorization.len);
  lua_setfield(L, -2, "authorization");
  /* the URL to send: as given, with the query in canonical order and encoding */
  sbuf_add(&s->url, url, (size_t)(rb.url.path + rb.url.path_len - url));
  if (rb.nquery) {
    sbuf_addc(&s->url, '?');
    hwc_canonical_query(&s->url, rb.query, rb.nquery);
  }
  if (!sbuf_ok(&s->url)) return luaL_error(L, "out of memory");
  lua_pushlstring(L, s->url.p, s->url.len);
  lua_setfield(L, -2, "url");
  return 2;
}
