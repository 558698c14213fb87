/* reqb.c - the pure request builder and its signing; see reqb.h. */
#include <stdio.h>
#include <string.h>
#include "reqb.h"

int hwc_fault_set(hwc_fault *f, const char *kind, const char *field, const char *msg) {
  f->kind = kind;
  f->field = field;
  f->message = msg;
  return 0;
}

int hwc_fault_named(hwc_fault *f, const char *kind, const char *prefix, const char *name, size_t nlen,
                    const char *msg) {
  snprintf(f->field_buf, sizeof f->field_buf, "%s%.*s", prefix, (int)(nlen > 64 ? 64 : nlen), name);
  return hwc_fault_set(f, kind, f->field_buf, msg);
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
  if (msg != NULL) return hwc_fault_named(f, "validation", "headers.", name, nlen, msg);
  for (i = 0; i < rb->nheaders; i++)
    if (hwc_header_name_eq(rb->headers[i].k, rb->headers[i].kn, name, nlen))
      return hwc_fault_named(f, "validation", "headers.", name, nlen, "header given twice (names are case-insensitive)");
  if (rb->nheaders == HWC_MAX_HEADERS) return hwc_fault_set(f, "validation", "headers", "too many headers (at most 64)");
  hwc_trim(&value, &vlen);
  rb->headers[rb->nheaders].k = name;
  rb->headers[rb->nheaders].kn = nlen;
  rb->headers[rb->nheaders].v = value;
  rb->headers[rb->nheaders].vn = vlen;
  rb->nheaders++;
  return 1;
}

int hwc_reqb_add_query(hwc_reqb *rb, const char *k, size_t kn, const char *v, size_t vn, hwc_fault *f) {
  if (rb->nquery == HWC_MAX_QUERY) return hwc_fault_set(f, "validation", "query", "too many query parameters (at most 256)");
  rb->query[rb->nquery].k = k;
  rb->query[rb->nquery].kn = kn;
  rb->query[rb->nquery].v = v;
  rb->query[rb->nquery].vn = vn;
  rb->nquery++;
  return 1;
}

/* The headers the SDK sets itself: Host, then X-Auth-Token (token auth) or X-Sdk-Date and
 * X-Security-Token. */
static int add_own_headers(hwc_reqb *rb, const hwc_cred *c, const char *date_override, hwc_fault *f) {
  if (!hwc_reqb_has_header(rb, "Host")) {
    /* host and port are adjacent in the URL: "host:port" is one range */
    size_t n = rb->url.port_len ? (size_t)(rb->url.port + rb->url.port_len - rb->url.host) : rb->url.host_len;
    if (!hwc_reqb_add_header(rb, "Host", 4, rb->url.host, n, f)) return 0;
  }
  if (c->ak == NULL) {
    if (!hwc_reqb_has_header(rb, "X-Auth-Token") &&
        !hwc_reqb_add_header(rb, "X-Auth-Token", 12, c->token, c->token_len, f))
      return hwc_fault_set(f, "config", "credentials.token", "token contains CR, LF or a control character");
    return 1;
  }
  if (hwc_reqb_has_header(rb, "Authorization"))
    return hwc_fault_set(f, "validation", "headers.Authorization", "is computed by the signer; do not set it");
  if (date_override != NULL) {
    if (!hwc_sdk_date_valid(date_override, strlen(date_override)))
      return hwc_fault_set(f, "validation", "date", "must look like 20240207T123456Z");
    if (hwc_reqb_has_header(rb, "X-Sdk-Date"))
      return hwc_fault_set(f, "validation", "headers.X-Sdk-Date", "given both as a header and as date");
    memcpy(rb->date, date_override, 17);
    if (!hwc_reqb_add_header(rb, "X-Sdk-Date", 10, rb->date, 16, f)) return 0;
  } else if (!hwc_reqb_has_header(rb, "X-Sdk-Date")) {
    hwc_sdk_date(rb->date);
    if (!hwc_reqb_add_header(rb, "X-Sdk-Date", 10, rb->date, 16, f)) return 0;
  }
  if (c->security_token != NULL && !hwc_reqb_has_header(rb, "X-Security-Token") &&
      !hwc_reqb_add_header(rb, "X-Security-Token", 16, c->security_token, c->security_token_len, f))
    return 0;
  return 1;
}

int hwc_reqb_sign(hwc_reqb *rb, const hwc_cred *c, const char *date_override, hwc_sign_out *sig, hwc_fault *f) {
  hwc_sign_req sr;
  const char *msg;
  size_t i;
  if (!add_own_headers(rb, c, date_override, f)) return 0;
  if (c->ak == NULL) return 1; /* a token is not signed */
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
  for (i = 0; i < rb->nheaders; i++) {
    if (hwc_header_name_eq(rb->headers[i].k, rb->headers[i].kn, "X-Sdk-Date", 10)) {
      if (!hwc_sdk_date_valid(rb->headers[i].v, rb->headers[i].vn))
        return hwc_fault_set(f, "validation", "headers.X-Sdk-Date", "must look like 20240207T123456Z");
      memcpy(rb->date, rb->headers[i].v, 16);
      rb->date[16] = '\0';
      sr.date = rb->date;
    } else if (hwc_header_name_eq(rb->headers[i].k, rb->headers[i].kn, "X-Sdk-Content-Sha256", 20)) {
      /* the official signers use this value instead of hashing, e.g. UNSIGNED-PAYLOAD */
      sr.body_hash = rb->headers[i].v;
      sr.body_hash_len = rb->headers[i].vn;
    }
  }
  msg = hwc_sign(&sr, sig);
  /* a signer that cannot sign (libcrypto without the digest, memory) is this machine's setup */
  if (msg != NULL) return hwc_fault_set(f, hwc_sign_failed(msg) ? "config" : "validation", NULL, msg);
  return 1;
}
