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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data, *end = p + size, *url, *q, *method;
  size_t mn, un, qn, nq = 0;
  hwc_kv query[64], headers[32];
  hwc_sign_req r;
  hwc_sign_out o;
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
  hwc_sign_out_init(&o);

  /* round trip: decode(encode(x)) == x */
  hwc_pct_encode(&a, url, un);
  hwc_pct_decode(&b, a.p ? a.p : "", a.len);
  if (b.len != un || (un && memcmp(b.p, url, un) != 0)) abort();

  if (hwc_url_parse(url, un, &u) == NULL) {
    hwc_query_parse(q, qn, &arena, query, 64, &nq);
    r.nheaders = 0;
    while (p < end && r.nheaders < 32) {
      size_t ln;
      const char *l = line(&p, end, &ln), *colon;
      if (ln == 0) break;
      colon = memchr(l, ':', ln);
      if (!colon) continue;
      if (hwc_header_check(l, (size_t)(colon - l), colon + 1, ln - (size_t)(colon - l) - 1) != NULL) continue;
      headers[r.nheaders].k = l;
      headers[r.nheaders].kn = (size_t)(colon - l);
      headers[r.nheaders].v = colon + 1;
      headers[r.nheaders].vn = ln - (size_t)(colon - l) - 1;
      r.nheaders++;
    }
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
    r.date = "20240207T123456Z";
    r.ak = "AK";
    r.ak_len = 2;
    r.sk = url;
    r.sk_len = un;
    hwc_sign(&r, &o);
    {
      hwc_str secrets[2] = {{url, un}, {q, qn}};
      sbuf_reset(&a);
      hwc_scrub(&a, o.canonical.p ? o.canonical.p : "", o.canonical.len, secrets, 2);
    }
  }
  hwc_sign_out_free(&o);
  sbuf_free(&arena);
  sbuf_free(&a);
  sbuf_free(&b);
  return 0;
}
