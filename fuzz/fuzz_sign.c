/* fuzz_sign.c - libFuzzer harness for request canonicalization and signing (pure C units).
 * Input: "METHOD\nURL\nQUERY\nname:value\n...\n\nBODY". Checks: no crash, no leak, and
 * percent-decoding undoes percent-encoding for any bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "secrets.h"
#include "signer.h"
#include "uri.h"

static const char *line(const char **p, const char *end, size_t *n) {
  const char *s = *p, *nl = memchr(s, '\n', (size_t)(end - s));
  *n = nl ? (size_t)(nl - s) : (size_t)(end - s);
  *p = nl ? nl + 1 : end;
  return s;
}

/* "Name:value" lines up to an empty one into headers (the ones the checker lets through). */
static size_t read_headers(const char **p, const char *end, hwc_kv *headers, size_t cap) {
  size_t n = 0;
  while (*p < end && n < cap) {
    size_t ln;
    const char *l = line(p, end, &ln), *colon;
    if (ln == 0) break;
    colon = memchr(l, ':', ln);
    if (!colon) continue;
    if (hwc_header_check(l, (size_t)(colon - l), colon + 1, ln - (size_t)(colon - l) - 1) != NULL) continue;
    headers[n].k = l;
    headers[n].kn = (size_t)(colon - l);
    headers[n].v = colon + 1;
    headers[n].vn = ln - (size_t)(colon - l) - 1;
    n++;
  }
  return n;
}

/* Signs what the rest of the input describes, then scrubs the canonical request of the URL and
 * the query (used as secrets). */
static void sign_and_scrub(hwc_sign_req *r, const char *url, size_t un, const char *q, size_t qn, sbuf *scratch) {
  hwc_sign_out o;
  hwc_str secrets[2];
  hwc_sign_out_init(&o);
  r->date = "20240207T123456Z";
  r->ak = "AK";
  r->ak_len = 2;
  r->sk = url;
  r->sk_len = un;
  hwc_sign(r, &o);
  secrets[0].s = url, secrets[0].n = un;
  secrets[1].s = q, secrets[1].n = qn;
  sbuf_reset(scratch);
  hwc_scrub(scratch, o.canonical.p ? o.canonical.p : "", o.canonical.len, secrets, 2);
  hwc_sign_out_free(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size, *url, *q, *method;
  size_t mn, un, qn, nq = 0;
  hwc_kv query[64], headers[32];
  hwc_sign_req r;
  hwc_url u;
  sbuf arena, a, b;
  char m[16];
  memset(&r, 0, sizeof r);
  method = line(&p, end, &mn);
  url = line(&p, end, &un);
  q = line(&p, end, &qn);
  sbuf_init(&arena);
  sbuf_init(&a);
  sbuf_init(&b);
  /* round trip: decode(encode(x)) == x */
  hwc_pct_encode(&a, url, un);
  hwc_pct_decode(&b, a.p ? a.p : "", a.len);
  if (b.len != un || (un && memcmp(b.p, url, un) != 0)) abort();
  if (hwc_url_parse(url, un, &u) == NULL) {
    hwc_query_parse(q, qn, &arena, query, 64, &nq);
    r.nheaders = read_headers(&p, end, headers, 32);
    snprintf(m, sizeof m, "%.*s", (int)(mn > 15 ? 15 : mn), method);
    r.alg = size & 1 ? HWC_ALG_SM3 : HWC_ALG_SHA256;
    r.method = m;
    r.path = u.path;
    r.path_len = u.path_len;
    r.query = query;
    r.nquery = nq;
    r.headers = headers;
    r.body = p;
    r.body_len = (size_t)(end - p);
    sign_and_scrub(&r, url, un, q, qn, &a);
  }
  sbuf_free(&arena);
  sbuf_free(&a);
  sbuf_free(&b);
  return 0;
}
