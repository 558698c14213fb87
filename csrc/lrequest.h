/* lrequest.h - Lua values read into the request builder (reqb.h): credentials, headers and query
 * tables, and the signed headers pushed back; core.sign. Shared by core.sign and core.prepare. */
#ifndef HWC_LREQUEST_H
#define HWC_LREQUEST_H

#include "lua.h"
#include "reqb.h"
#include "scratch.h"

/* The string at t[k] (the table keeps it alive), or NULL; sets *bad when t[k] is neither a
 * string nor nil. */
const char *hwc_opt_string(lua_State *L, int t, const char *k, size_t *n, int *bad);
/* Pushes nil and the error a fault describes; returns 2. */
int hwc_fail_fault(lua_State *L, const hwc_fault *f);
/* Reads {ak, sk, security_token?, token?, algorithm?} at idx. need_aksk: 0 allows token-only. */
int hwc_cred_read(lua_State *L, int idx, hwc_cred *c, int need_aksk, hwc_fault *f);
/* Headers table at idx (string names to string values); values are trimmed. With `own`, a
 * header the SDK frames or signs itself (Host, Content-Length, Transfer-Encoding, Connection,
 * Expect, Authorization, X-Sdk-Date, ...) is refused: set by hand it would desynchronise the
 * connection or contradict the signature. */
int hwc_reqb_headers_from(lua_State *L, int idx, hwc_reqb *rb, int own, hwc_fault *f);
/* The one query builder: core.sign's query tables and prepare's typed parameters both go through
 * it. The text of the string/number/boolean on top of the stack (numbers in the C locale,
 * integers without ".0"; a converted number's text is kept alive in the table at keep); 0 for
 * other types. */
int hwc_query_text(lua_State *L, int keep, const char **s, size_t *n);
/* Query table at idx: string keys to string/number/boolean or a list of those. Converted
 * numbers are left on the Lua stack so their text stays alive; the caller keeps them. */
int hwc_reqb_query_from(lua_State *L, int idx, hwc_reqb *rb, hwc_fault *f);
/* Pushes the headers of a signed rb as a table (name -> value), Authorization included. */
void hwc_reqb_push_headers(lua_State *L, const hwc_reqb *rb, const hwc_cred *c, const hwc_scratch *s);
/* Both: sign, then push the headers table. */
int hwc_reqb_sign_push(lua_State *L, hwc_reqb *rb, const hwc_cred *c, const char *date_override,
                       hwc_scratch *s, hwc_fault *f);

/* core.sign(req, cred) -> headers, info | nil, err */
int hwc_lua_sign(lua_State *L);

#endif
