/* lprepare.h - the prepare engine: a request built from the operation table and the caller's
 * tables, validated, marshaled and signed; nothing is sent (lprepare.c).
 *   core.prepare(op, cfg, params) -> req | nil, err
 * cfg = { endpoint, credentials = {ak, sk, security_token?, token?, project_id?, algorithm?},
 *         validate = true, date? (fixed X-Sdk-Date, for tests) }
 * params = { <parameters>, body = {...}, headers? = {...}, validate?, allow_unknown? } */
#ifndef HWC_LPREPARE_H
#define HWC_LPREPARE_H

#include "lua.h"
#include "lsent.h"
#include "ops.h"
#include "reqb.h"
#include "scratch.h"

/* A request as prepare builds it, before any Lua value is made of it: rb (headers, body), the
 * URL in s->url (url_len bytes, NUL-terminated), the signature in s->sig, the secrets in s->sec. */
typedef struct hwc_prep {
  const hwc_op *op;
  int cfg, params, validate;
  hwc_url ep;
  const char *endpoint, *project, *date;
  size_t elen, plen, url_len;
  hwc_cred c;
  hwc_reqb rb;
  hwc_scratch *s;
} hwc_prep;

/* Builds the signed request of op from the tables at cfg and params, leaving it (or nil, err)
 * just above the stack it found; returns 1 or 2. */
int hwc_prepare(lua_State *L, const hwc_op *op, int cfg, int params);
/* Raises unless cfg and params are tables. Callers run it before borrowing the scratch: an error
 * raised while it is lent leaves it marked busy, and every later call then allocates its own. */
void hwc_prepare_args(lua_State *L, int cfg, int params);
/* The same into p, in the scratch s, for cfg and params that hwc_prepare_args checked: returns 0,
 * or 2 with nil, err pushed. Values it leaves on the stack keep the request's strings alive. */
int hwc_prepare_build(lua_State *L, const hwc_op *op, int cfg, int params, hwc_scratch *s, hwc_prep *p);
/* What parse needs of the request p built (its secrets and, when signed, canonical request). */
void hwc_prep_sent(const hwc_prep *p, hwc_sent *sent);
int hwc_lua_prepare(lua_State *L);

#endif
