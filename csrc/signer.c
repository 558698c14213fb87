/* signer.c - SDK-HMAC-SHA256 canonical request, string to sign and Authorization; see signer.h. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "signer.h"

void hwc_sign_out_init(hwc_sign_out *o) {
  sbuf_init(&o->canonical);
  sbuf_init(&o->string_to_sign);
  sbuf_init(&o->signed_headers);
  sbuf_init(&o->authorization);
}

void hwc_sign_out_free(hwc_sign_out *o) {
  sbuf_free(&o->canonical);
  sbuf_free(&o->string_to_sign);
  sbuf_free(&o->signed_headers);
  sbuf_free(&o->authorization);
}

static unsigned char lower(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

static int name_cmp(const char *a, size_t an, const char *b, size_t bn) {
  size_t i, n = an < bn ? an : bn;
  for (i = 0; i < n; i++) {
    unsigned char x = lower((unsigned char)a[i]), y = lower((unsigned char)b[i]);
    if (x != y) return x < y ? -1 : 1;
  }
  return an < bn ? -1 : an > bn;
}

/* Lower-cases what was appended to b since at. */
static void add_lower(sbuf *b, size_t at) {
  size_t j;
  if (!sbuf_ok(b)) return;
  for (j = at; j < b->len; j++) b->p[j] = (char)lower((unsigned char)b->p[j]);
}

int hwc_header_name_eq(const char *a, size_t an, const char *b, size_t bn) {
  return an == bn && name_cmp(a, an, b, bn) == 0;
}

static int header_cmp(const void *pa, const void *pb) {
  const hwc_kv *a = (const hwc_kv *)pa, *b = (const hwc_kv *)pb;
  return name_cmp(a->k, a->kn, b->k, b->kn);
}

void hwc_trim(const char **s, size_t *n) {
  const char *p = *s;
  size_t len = *n;
  while (len && (*p == ' ' || *p == '\t')) { p++; len--; }
  while (len && (p[len - 1] == ' ' || p[len - 1] == '\t')) len--;
  *s = p;
  *n = len;
}

/* RFC 7230 token characters */
static const unsigned char tchars[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 1, 0, 1, 1, 1, 1, 1, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 1,
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 1, 0, 1, 0,
};

static int tchar(unsigned char c) { return tchars[c]; }

const char *hwc_header_check(const char *name, size_t nlen, const char *value, size_t vlen) {
  size_t i;
  if (nlen == 0) return "header name is empty";
  if (nlen > 256) return "header name longer than 256 bytes";
  if (vlen > HWC_MAX_HEADER_VALUE) return "header value longer than 16 KiB";
  for (i = 0; i < nlen; i++)
    if (!tchar((unsigned char)name[i])) return "header name has a character not allowed in HTTP";
  for (i = 0; i < vlen; i++) {
    unsigned char c = (unsigned char)value[i];
    if (c == '\r' || c == '\n') return "header value contains CR or LF";
    if ((c < 0x20 && c != '\t') || c == 0x7f) return "header value contains a control character";
  }
  return NULL;
}

void hwc_sdk_date(char out[17]) {
  /* formatted once per second per thread */
  static __thread time_t last = (time_t)-1;
  static __thread char cached[17];
  time_t now = time(NULL);
  if (now != last) {
    struct tm tm;
    gmtime_r(&now, &tm);
    strftime(cached, sizeof cached, "%Y%m%dT%H%M%SZ", &tm);
    last = now;
  }
  memcpy(out, cached, 17);
}

int hwc_sdk_date_valid(const char *s, size_t n) {
  size_t i;
  if (n != 16 || s[8] != 'T' || s[15] != 'Z') return 0;
  for (i = 0; i < 15; i++)
    if (i != 8 && (s[i] < '0' || s[i] > '9')) return 0;
  return 1;
}

static const char DIGEST_FAILED[] = "libcrypto digest failed", HMAC_FAILED[] = "libcrypto HMAC failed",
                  NO_MEMORY[] = "out of memory";

int hwc_sign_failed(const char *message) {
  return message == DIGEST_FAILED || message == HMAC_FAILED || message == NO_MEMORY;
}

const char *hwc_sign(hwc_sign_req *r, hwc_sign_out *o) {
  char hex[HWC_HEX_LEN + 1];
  size_t i;
  sbuf *c = &o->canonical;

  if (!hwc_sdk_date_valid(r->date, strlen(r->date))) return "X-Sdk-Date must look like 20240207T123456Z";
  if (r->nheaders > 1) qsort(r->headers, r->nheaders, sizeof *r->headers, header_cmp);
  for (i = 1; i < r->nheaders; i++)
    if (header_cmp(&r->headers[i - 1], &r->headers[i]) == 0) return "duplicate header name";

  sbuf_adds(c, r->method);
  sbuf_addc(c, '\n');
  hwc_canonical_uri(c, r->path, r->path_len);
  sbuf_addc(c, '\n');
  hwc_canonical_query(c, r->query, r->nquery);
  sbuf_addc(c, '\n');
  for (i = 0; i < r->nheaders; i++) {
    const char *v = r->headers[i].v;
    size_t vn = r->headers[i].vn, at = c->len;
    hwc_trim(&v, &vn);
    sbuf_add(c, r->headers[i].k, r->headers[i].kn);
    add_lower(c, at);
    sbuf_addc(c, ':');
    sbuf_add(c, v, vn);
    sbuf_addc(c, '\n');
    if (i) sbuf_addc(&o->signed_headers, ';');
    at = o->signed_headers.len;
    sbuf_add(&o->signed_headers, r->headers[i].k, r->headers[i].kn);
    add_lower(&o->signed_headers, at);
  }
  sbuf_addc(c, '\n');
  sbuf_add(c, o->signed_headers.p, o->signed_headers.len);
  sbuf_addc(c, '\n');
  if (r->body_hash != NULL) {
    sbuf_add(c, r->body_hash, r->body_hash_len);
  } else {
    if (!hwc_hash_hex(r->alg, r->body ? r->body : "", r->body_len, hex)) return DIGEST_FAILED;
    sbuf_add(c, hex, HWC_HEX_LEN);
  }
  if (!sbuf_ok(c) || !sbuf_ok(&o->signed_headers)) return NO_MEMORY;

  if (!hwc_hash_hex(r->alg, c->p, c->len, hex)) return DIGEST_FAILED;
  sbuf_adds(&o->string_to_sign, hwc_alg_name(r->alg));
  sbuf_addc(&o->string_to_sign, '\n');
  sbuf_adds(&o->string_to_sign, r->date);
  sbuf_addc(&o->string_to_sign, '\n');
  sbuf_add(&o->string_to_sign, hex, HWC_HEX_LEN);
  if (!sbuf_ok(&o->string_to_sign)) return NO_MEMORY;

  if (!hwc_hmac_hex(r->alg, r->sk, r->sk_len, o->string_to_sign.p, o->string_to_sign.len, hex))
    return HMAC_FAILED;
  sbuf_adds(&o->authorization, hwc_alg_name(r->alg));
  sbuf_adds(&o->authorization, " Access=");
  sbuf_add(&o->authorization, r->ak, r->ak_len);
  sbuf_adds(&o->authorization, ", SignedHeaders=");
  sbuf_add(&o->authorization, o->signed_headers.p, o->signed_headers.len);
  sbuf_adds(&o->authorization, ", Signature=");
  sbuf_add(&o->authorization, hex, HWC_HEX_LEN);
  return sbuf_ok(&o->authorization) ? NULL : NO_MEMORY;
}
