/* lcall.h - the operations as Lua functions, driven by the operation table (ops.h):
 *   core.prepare(op, cfg, params) -> req | nil, err     validated, marshaled, signed; nothing sent
 *                                                        (lprepare.c)
 *   core.parse(op, status, headers, body [, req]) -> result, meta | nil, err        (lparse.c)
 *   core.<op>(client, cfg, params [, limit]) -> result, meta | nil, err   prepare + send (libcurl) + parse;
 *       limit: seconds this one transfer may take at most, below the client's timeouts (a deadline)
 *   core.operations() -> { {name, service, method, path, success, params, ...}, ... }
 * cfg = { endpoint, credentials = {ak, sk, security_token?, token?, project_id?, algorithm?},
 *         validate = true, date? (fixed X-Sdk-Date, for tests) }
 * params = { <parameters>, body = {...}, headers? = {...}, validate?, allow_unknown? } */
#ifndef HWC_LCALL_H
#define HWC_LCALL_H

#include "lua.h"
#include "ops.h"
#include "request.h"

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

/* What parse knows of the request an answer is to: a prepared request table (req), or the
 * parts of one sent from C; any may be absent. Secrets come from req's record or from sec. */
typedef struct hwc_sent {
  int req;
  const hwc_secrec *sec;
  const char *canonical, *method;
  size_t canonical_len;
} hwc_sent;

/* The operation named by argument arg; raises for an unknown name (a programmer error). */
const hwc_op *hwc_check_op(lua_State *L, int arg);
/* Builds the signed request of op from the tables at cfg and params, leaving it (or nil, err)
 * just above the stack it found; returns 1 or 2. */
int hwc_prepare(lua_State *L, const hwc_op *op, int cfg, int params);
/* Raises unless cfg and params are tables. Callers run it before borrowing the scratch: an error
 * raised while it is lent leaves it marked busy, and every later call then allocates its own. */
void hwc_prepare_args(lua_State *L, int cfg, int params);
/* The same into p, in the scratch s, for cfg and params that hwc_prepare_args checked: returns 0,
 * or 2 with nil, err pushed. Values it leaves on the stack keep the request's strings alive. */
int hwc_prepare_build(lua_State *L, const hwc_op *op, int cfg, int params, hwc_scratch *s, hwc_prep *p);
/* Moves the top n values to base+1.. and drops everything above them. */
void hwc_results_down(lua_State *L, int base, int n);
/* The answer at status/headers/body (stack indices) to the request sent (NULL: unknown): pushes
 * result, meta or nil, err; returns 2. */
int hwc_parse(lua_State *L, const hwc_op *op, int status, int headers, int body, const hwc_sent *sent);
/* Pushes the value of header name (any case) from the table at idx, or nil. */
void hwc_push_header(lua_State *L, int idx, const char *name);

int hwc_lua_prepare(lua_State *L);
/* core.wire(op, cfg, params [, user_agent]) -> bytes, sent, url | nil, err: the request as
 * HTTP/1.1 bytes for a transport that writes them itself (nginx cosockets), and `sent`, what
 * core.parse needs of it (its secrets and canonical request) in place of a request table. */
int hwc_lua_wire(lua_State *L);
#define HWC_SENT_MT "huaweicloud.sent"
/* What parse needs of the request p built (its secrets and, when signed, canonical request). */
void hwc_prep_sent(const hwc_prep *p, hwc_sent *sent);
/* Fills sent (and sec, which it points to) from the sent userdata at idx; 0 when it is not one. */
int hwc_sent_from(lua_State *L, int idx, hwc_sent *sent, hwc_secrec *sec);
int hwc_lua_parse(lua_State *L);
int hwc_lua_operations(lua_State *L);
/* Adds core.<op name> for every operation to the table on top of the stack. */
void hwc_register_operations(lua_State *L);

#endif
