/* lwire.c - requests as HTTP/1.1 bytes; see lwire.h. */
#include <stdio.h>
#include <string.h>
#include "compat.h"
#include "errors.h"
#include "lop.h"
#include "lprepare.h"
#include "lrequest.h"
#include "lscratch.h"
#include "lwire.h"

static void add_line(luaL_Buffer *b, const char *k, size_t kn, const char *v, size_t vn) {
  luaL_addlstring(b, k, kn);
  luaL_addlstring(b, ": ", 2);
  luaL_addlstring(b, v, vn);
  luaL_addlstring(b, "\r\n", 2);
}

/* What goes out besides rb's own headers: Authorization (signed requests), Host (unsigned ones
 * that do not carry it), User-Agent unless rb has one. */
typedef struct extra {
  const char *auth, *host, *ua;
  size_t auth_len, host_len, ua_len;
} extra;

/* The one writer: the request line (method, target), rb's headers, the extra ones,
 * Content-Length for a body, a POST or a PUT, the blank line and the body. */
static void push_bytes(lua_State *L, const char *method, const char *target, size_t tlen, const hwc_reqb *rb,
                       const extra *x) {
  size_t i;
  luaL_Buffer b;
  luaL_buffinit(L, &b);
  luaL_addstring(&b, method);
  luaL_addchar(&b, ' ');
  if (tlen == 0) luaL_addchar(&b, '/');
  luaL_addlstring(&b, target, tlen);
  luaL_addlstring(&b, " HTTP/1.1\r\n", 11);
  for (i = 0; i < rb->nheaders; i++)
    add_line(&b, rb->headers[i].k, rb->headers[i].kn, rb->headers[i].v, rb->headers[i].vn);
  if (x->host && !hwc_reqb_has_header(rb, "Host")) add_line(&b, "Host", 4, x->host, x->host_len);
  if (x->auth) add_line(&b, "Authorization", 13, x->auth, x->auth_len);
  if (x->ua && !hwc_reqb_has_header(rb, "User-Agent")) add_line(&b, "User-Agent", 10, x->ua, x->ua_len);
  if (rb->body || strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0) {
    char num[24];
    int len = snprintf(num, sizeof num, "%zu", rb->body ? rb->body_len : 0);
    add_line(&b, "Content-Length", 14, num, (size_t)len);
  }
  luaL_addlstring(&b, "\r\n", 2);
  if (rb->body) luaL_addlstring(&b, rb->body, rb->body_len);
  luaL_pushresult(&b);
}

/* A prepared request's bytes. */
static void push_wire(lua_State *L, const hwc_prep *p, const char *ua, size_t ualen) {
  const hwc_scratch *s = p->s;
  extra x;
  memset(&x, 0, sizeof x);
  if (p->c.ak) x.auth = s->sig.authorization.p, x.auth_len = s->sig.authorization.len;
  x.ua = ua, x.ua_len = ualen;
  push_bytes(L, p->op->method, p->rb.url.path, (size_t)(s->url.p + p->url_len - p->rb.url.path), &p->rb, &x);
}

static const char *opt_ua(lua_State *L, int arg, size_t *n) {
  const char *ua;
  *n = 0;
  if (lua_isnoneornil(L, arg)) return NULL;
  ua = luaL_checklstring(L, arg, n);
  if (memchr(ua, '\r', *n) || memchr(ua, '\n', *n) || memchr(ua, '\0', *n))
    luaL_argerror(L, arg, "user agent contains CR, LF or NUL");
  return ua;
}

/* core.http_bytes(method, target, host, headers [, body [, user_agent]]) -> bytes | nil, err */
int hwc_lua_http_bytes(lua_State *L) {
  size_t mlen, tlen, i;
  const char *method = luaL_checklstring(L, 1, &mlen), *target = luaL_checklstring(L, 2, &tlen);
  hwc_reqb *rb;
  hwc_fault f;
  extra x;
  memset(&x, 0, sizeof x);
  x.host = luaL_checklstring(L, 3, &x.host_len);
  x.ua = opt_ua(L, 6, &x.ua_len);
  for (i = 0; i < mlen; i++)
    if (method[i] < 'A' || method[i] > 'Z') return luaL_argerror(L, 1, "an HTTP method in capitals");
  for (i = 0; i < tlen; i++)
    if ((unsigned char)target[i] <= 0x20 || target[i] == 0x7f) return luaL_argerror(L, 2, "a target without spaces");
  if (hwc_header_check("Host", 4, x.host, x.host_len) != NULL) return luaL_argerror(L, 3, "a host name");
  /* the builder is big (its arrays): a userdata, not the C stack; collected with the call */
  rb = (hwc_reqb *)lua_newuserdatauv(L, sizeof *rb, 0);
  hwc_reqb_init(rb);
  if (!hwc_reqb_headers_from(L, 4, rb, 0, &f)) return hwc_fail_fault(L, &f);
  if (!lua_isnoneornil(L, 5)) rb->body = luaL_checklstring(L, 5, &rb->body_len);
  push_bytes(L, method, target, tlen, rb, &x);
  return 1;
}

int hwc_lua_wire(lua_State *L) {
  const hwc_op *op = hwc_check_op(L, 1);
  size_t ualen = 0;
  const char *ua;
  int n;
  hwc_prep p;
  hwc_sent sent;
  hwc_scratch *s;
  lua_settop(L, 4);
  ua = opt_ua(L, 4, &ualen);
  hwc_prepare_args(L, 2, 3);
  s = hwc_scratch_new(L);
  n = hwc_prepare_build(L, op, 2, 3, s, &p);
  if (n == 0) {
    push_wire(L, &p, ua, ualen);
    hwc_prep_sent(&p, &sent);
    hwc_sent_push(L, &sent);
    lua_pushlstring(L, s->url.p, p.url_len);
    n = 3;
  }
  hwc_scratch_release(s);
  hwc_results_down(L, 4, n);
  return n;
}

