/* lrequest.c - Lua values read into the request builder, and core.sign; see lrequest.h. */
#include <stdio.h>
#include <string.h>
#include "compat.h"
#include "errors.h"
#include "json.h"
#include "lrequest.h"
#include "lscratch.h"

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
  if (lua_type(L, idx) != LUA_TTABLE) return hwc_fault_set(f, "config", "credentials", "must be a table");
  c->ak = hwc_opt_string(L, idx, "ak", &c->ak_len, &bad);
  if (bad) return hwc_fault_set(f, "config", "credentials.ak", "must be a string");
  c->sk = hwc_opt_string(L, idx, "sk", &c->sk_len, &bad);
  if (bad) return hwc_fault_set(f, "config", "credentials.sk", "must be a string");
  c->security_token = hwc_opt_string(L, idx, "security_token", &c->security_token_len, &bad);
  if (bad) return hwc_fault_set(f, "config", "credentials.security_token", "must be a string");
  c->token = hwc_opt_string(L, idx, "token", &c->token_len, &bad);
  if (bad) return hwc_fault_set(f, "config", "credentials.token", "must be a string");
  alg = hwc_opt_string(L, idx, "algorithm", &n, &bad);
  if (bad || (alg != NULL && !hwc_alg_parse(alg, &c->alg)))
    return hwc_fault_set(f, "config", "credentials.algorithm", "must be SDK-HMAC-SHA256 or SDK-HMAC-SM3");
  if (c->ak_len == 0) c->ak = NULL;
  if (c->sk_len == 0) c->sk = NULL;
  if (c->security_token_len == 0) c->security_token = NULL;
  if (c->token_len == 0) c->token = NULL;
  if (c->ak == NULL && c->sk == NULL && c->token != NULL && !need_aksk) return 1;
  if (c->ak == NULL) return hwc_fault_set(f, "config", "credentials.ak", "access key (ak) is missing");
  if (c->sk == NULL) return hwc_fault_set(f, "config", "credentials.sk", "secret key (sk) is missing");
  if (!ak_ok(c->ak, c->ak_len))
    return hwc_fault_set(f, "config", "credentials.ak", "access key has a space, comma, '=' or control character");
  if (c->security_token != NULL && hwc_header_check("X-Security-Token", 16, c->security_token,
                                                    c->security_token_len) != NULL)
    return hwc_fault_set(f, "config", "credentials.security_token", "security token contains CR, LF or a control character");
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
  if (lua_type(L, idx) != LUA_TTABLE) return hwc_fault_set(f, "validation", "headers", "must be a table");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    size_t nlen, vlen;
    const char *name, *value;
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      return hwc_fault_set(f, "validation", "headers", "header names must be strings");
    }
    name = lua_tolstring(L, -2, &nlen);
    if (lua_type(L, -1) != LUA_TSTRING) {
      lua_pop(L, 2);
      return hwc_fault_named(f, "validation", "headers.", name, nlen, "header value must be a string");
    }
    value = lua_tolstring(L, -1, &vlen);
    lua_pop(L, 1);
    if (own) {
      const char *why = reserved_header(name, nlen);
      if (why != NULL) {
        lua_pop(L, 1);
        return hwc_fault_named(f, "validation", "headers.", name, nlen, why);
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

int hwc_reqb_query_from(lua_State *L, int idx, hwc_reqb *rb, hwc_fault *f) {
  int keep;
  idx = lua_absindex(L, idx);
  lua_newtable(L);
  keep = lua_gettop(L);
  if (lua_isnil(L, idx)) return 1;
  if (lua_type(L, idx) != LUA_TTABLE) return hwc_fault_set(f, "validation", "query", "must be a table");
  lua_pushnil(L);
  while (lua_next(L, idx)) {
    const char *k, *v;
    size_t kn, vn;
    if (lua_type(L, -2) != LUA_TSTRING) {
      lua_pop(L, 2);
      return hwc_fault_set(f, "validation", "query", "query parameter names must be strings");
    }
    k = lua_tolstring(L, -2, &kn);
    if (lua_type(L, -1) == LUA_TTABLE) {
      size_t i, len = lua_rawlen(L, -1);
      for (i = 1; i <= len; i++) {
        lua_rawgeti(L, -1, (int)i);
        if (!hwc_query_text(L, keep, &v, &vn)) {
          lua_pop(L, 3);
          return hwc_fault_named(f, "validation", "query.", k, kn, "values must be strings, numbers or booleans");
        }
        lua_pop(L, 1);
        if (!hwc_reqb_add_query(rb, k, kn, v, vn, f)) { lua_pop(L, 2); return 0; }
      }
    } else {
      if (!hwc_query_text(L, keep, &v, &vn)) {
        lua_pop(L, 2);
        return hwc_fault_named(f, "validation", "query.", k, kn, "values must be strings, numbers or booleans");
      }
      if (!hwc_reqb_add_query(rb, k, kn, v, vn, f)) { lua_pop(L, 2); return 0; }
    }
    lua_pop(L, 1);
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
  if (!hwc_reqb_sign(rb, c, date_override, &s->sig, f)) return 0;
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
