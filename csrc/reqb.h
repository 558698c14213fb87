/* reqb.h - the pure request builder: a request's method, URL, query and headers as slices of
 * the caller's strings, the headers the SDK sets itself (Host, X-Sdk-Date, X-Security-Token or
 * X-Auth-Token), and its signature. Failures are static messages plus the field they concern;
 * callers turn them into validation or config errors. No Lua here (lrequest.c reads Lua values
 * into it). */
#ifndef HWC_REQB_H
#define HWC_REQB_H

#include <stddef.h>
#include "signer.h"
#include "uri.h"

#define HWC_MAX_HEADERS 64
#define HWC_MAX_QUERY 256

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

/* Fills f; returns 0 (what a failing step returns). hwc_fault_named: the field is prefix+name. */
int hwc_fault_set(hwc_fault *f, const char *kind, const char *field, const char *msg);
int hwc_fault_named(hwc_fault *f, const char *kind, const char *prefix, const char *name, size_t nlen,
                    const char *msg);
/* Empties rb (the arrays are not cleared: only their first n entries are ever read). */
void hwc_reqb_init(hwc_reqb *rb);
/* Adds one header after checking it; replaces nothing: a second header of the same name fails. */
int hwc_reqb_add_header(hwc_reqb *rb, const char *name, size_t nlen, const char *value, size_t vlen,
                        hwc_fault *f);
int hwc_reqb_has_header(const hwc_reqb *rb, const char *name);
/* One decoded query pair (sorted and encoded when signed and sent). */
int hwc_reqb_add_query(hwc_reqb *rb, const char *k, size_t kn, const char *v, size_t vn, hwc_fault *f);
/* Adds Host, X-Sdk-Date (unless present; date_override wins) and X-Security-Token/X-Auth-Token,
 * then signs (unless token auth) into sig. */
int hwc_reqb_sign(hwc_reqb *rb, const hwc_cred *c, const char *date_override, hwc_sign_out *sig, hwc_fault *f);

#endif
