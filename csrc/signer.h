/* signer.h - builds the SDK-HMAC-SHA256 (or SDK-HMAC-SM3) Authorization for a request,
 * exactly as the official Huawei Cloud SDKs do. No Lua, no I/O.
 *
 *   canonical = METHOD \n canonical-uri \n canonical-query \n headers \n signed \n hex(hash(body))
 *   string to sign = ALG \n X-Sdk-Date \n hex(hash(canonical))
 *   Authorization = ALG Access=<ak>, SignedHeaders=<signed>, Signature=hex(hmac(sk, sts))
 *
 * Every header given is signed: name lower-cased, value trimmed of surrounding spaces and
 * tabs, sorted by name. The caller adds Host and X-Sdk-Date before signing. */
#ifndef HWC_SIGNER_H
#define HWC_SIGNER_H

#include <stddef.h>
#include "hash.h"
#include "sbuf.h"
#include "uri.h"

typedef struct hwc_sign_req {
  hwc_alg alg;
  const char *method;                /* upper-case, e.g. "POST" */
  const char *path; size_t path_len; /* the path as sent, "" means "/" */
  hwc_kv *query; size_t nquery;      /* decoded pairs; sorted in place */
  hwc_kv *headers; size_t nheaders;  /* sorted in place by lower-case name */
  const char *body; size_t body_len;
  const char *body_hash;             /* used instead of hashing body when non-NULL */
  size_t body_hash_len;
  const char *date;                  /* the X-Sdk-Date value, YYYYMMDDTHHMMSSZ */
  const char *ak; size_t ak_len;
  const char *sk; size_t sk_len;
} hwc_sign_req;

typedef struct hwc_sign_out {
  sbuf canonical, string_to_sign, signed_headers, authorization;
} hwc_sign_out;

void hwc_sign_out_init(hwc_sign_out *o);
void hwc_sign_out_free(hwc_sign_out *o);

/* Returns NULL, or a static message (never a secret): the request is wrong (a duplicate header,
 * a bad date), or, when hwc_sign_failed(message), the signer itself failed (libcrypto, memory). */
const char *hwc_sign(hwc_sign_req *r, hwc_sign_out *o);
int hwc_sign_failed(const char *message);

/* Trim spaces and tabs at both ends. */
void hwc_trim(const char **s, size_t *n);
/* Servers refuse larger header lines; so do we, before anything is sent. */
#define HWC_MAX_HEADER_VALUE (16 * 1024)

/* NULL when name is an HTTP token (at most 256 bytes) and value has no CR, LF, NUL or other
 * control byte (tab allowed) and fits HWC_MAX_HEADER_VALUE; else a static message saying which. */
const char *hwc_header_check(const char *name, size_t nlen, const char *value, size_t vlen);
/* Case-insensitive header name comparison of byte ranges. */
int hwc_header_name_eq(const char *a, size_t an, const char *b, size_t bn);
/* Writes the current UTC time as YYYYMMDDTHHMMSSZ into out[17]. */
void hwc_sdk_date(char out[17]);
/* 1 when s is a valid YYYYMMDDTHHMMSSZ. */
int hwc_sdk_date_valid(const char *s, size_t n);

#endif
