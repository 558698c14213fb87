/* request.h - assembles a request from Lua values (URL, query, headers, credentials), adds
 * the headers the SDK sets itself (Host, X-Sdk-Date, X-Security-Token) and signs it.
 * Shared by core.sign and core.prepare. Failures are static messages plus the field they
 * concern; the caller turns them into validation/config errors. */
#ifndef HWC_REQUEST_H
#define HWC_REQUEST_H

#include "lua.h"
#include "secrets.h"
#include "signer.h"
#include "uri.h"

#define HWC_MAX_HEADERS 64
#define HWC_MAX_QUERY 256

/* Buffers owned by a userdata, so a Lua error halfway leaks nothing. */
typedef struct hwc_scratch {
  sbuf arena; /* decoded query bytes */
  sbuf body;  /* the JSON body prepare writes */
  sbuf slots; /* the model walker's per-object field slots */
  sbuf url;   /* the URL prepare builds */
  hwc_secrec sec; /* the request's secrets (prepare) */
  hwc_sign_out sig;
  int busy, shared;
  struct hwc_lease *lease; /* the shared scratch, while lent: the lease on the borrower's stack */
} hwc_scratch;

/* Lends the Lua state's reusable scratch (emptied), or a fresh one when it is in use. Pushes
 * one value (the lease, or the fresh userdata) that the caller leaves or pops. Give it back with
 * hwc_scratch_release, which keeps the buffers for the next call. A Lua error that unwinds past
 * the borrower leaves the lease with nothing else holding it: the GC collects it, and its
 * finalizer gives the scratch back, so it is never lost for good (until then, calls allocate). */
hwc_scratch *hwc_scratch_new(lua_State *L);
void hwc_scratch_release(hwc_scratch *s);

typedef struct hwc_cred {
  const char *ak, *sk, *security_token, *token;
  size_t ak_len, sk_len, security_token_len, token_len;
  hwc_alg alg;
} hwc_cred;

typedef struct hwc_reqb {
  const char *method;
  hwc_url url;
  hwc_kv query[HWC_MAX_QUERY];
  size_t nquery;
  hwc_kv headers[HWC_MAX_HEADERS];
  size_t nheaders;
  const char *body;
  size_t body_len;
  char date[17];
} hwc_reqb;

typedef struct hwc_fault {
  const char *kind;  /* "validation" or "config" */
  const char *field; /* e.g. "headers.X-Foo", may be NULL */
  const char *message;
  char field_buf[96];
} hwc_fault;

/* Empties rb (the arrays are not cleared: only their first n entries are ever read). */
void hwc_reqb_init(hwc_reqb *rb);
/* The string at t[k] (the table keeps it alive), or NULL; sets *bad when t[k] is neither a
 * string nor nil. */
const char *hwc_opt_string(lua_State *L, int t, const char *k, size_t *n, int *bad);
/* Pushes nil and the error a fault describes; returns 2. */
int hwc_fail_fault(lua_State *L, const hwc_fault *f);
/* Reads {ak, sk, security_token?, token?, algorithm?} at idx. need_aksk: 0 allows token-only. */
int hwc_cred_read(lua_State *L, int idx, hwc_cred *c, int need_aksk, hwc_fault *f);
/* Adds one header after checking it; replaces nothing: a second header of the same name fails. */
int hwc_reqb_add_header(hwc_reqb *rb, const char *name, size_t nlen, const char *value, size_t vlen,
                        hwc_fault *f);
int hwc_reqb_has_header(const hwc_reqb *rb, const char *name);
/* Headers table at idx (string names to string values); values are trimmed. With `own`, a
 * header the SDK frames or signs itself (Host, Content-Length, Transfer-Encoding, Connection,
 * Expect, Authorization, X-Sdk-Date, ...) is refused: set by hand it would desynchronise the
 * connection or contradict the signature. */
int hwc_reqb_headers_from(lua_State *L, int idx, hwc_reqb *rb, int own, hwc_fault *f);
/* The one query builder: core.sign's query tables and prepare's typed parameters both go through
 * these. hwc_query_text: the text of the string/number/boolean on top of the stack (numbers in
 * the C locale, integers without ".0"; a converted number's text is kept alive in the table at
 * keep); 0 for other types. hwc_reqb_add_query: one decoded pair (sorted and encoded when
 * signed and sent). */
int hwc_query_text(lua_State *L, int keep, const char **s, size_t *n);
int hwc_reqb_add_query(hwc_reqb *rb, const char *k, size_t kn, const char *v, size_t vn, hwc_fault *f);
/* Query table at idx: string keys to string/number/boolean or a list of those. Converted
 * numbers are left on the Lua stack so their text stays alive; the caller keeps them. */
int hwc_reqb_query_from(lua_State *L, int idx, hwc_reqb *rb, hwc_fault *f);
/* Adds Host, X-Sdk-Date (unless present; date_override wins) and X-Security-Token/X-Auth-Token,
 * then signs (unless token auth) into s->sig. No Lua. */
int hwc_reqb_sign(hwc_reqb *rb, const hwc_cred *c, const char *date_override, hwc_scratch *s, hwc_fault *f);
/* Pushes the headers of a signed rb as a table (name -> value), Authorization included. */
void hwc_reqb_push_headers(lua_State *L, const hwc_reqb *rb, const hwc_cred *c, const hwc_scratch *s);
/* Both: sign, then push the headers table. */
int hwc_reqb_sign_push(lua_State *L, hwc_reqb *rb, const hwc_cred *c, const char *date_override,
                       hwc_scratch *s, hwc_fault *f);

/* core.sign(req, cred) -> headers, info | nil, err */
int hwc_lua_sign(lua_State *L);

#endif
