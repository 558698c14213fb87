/* uri.h - URL splitting, percent-encoding, and the canonical URI and query string of
 * SDK-HMAC-SHA256 (unreserved A-Za-z0-9-_.~ kept, everything else %XX upper-case).
 * No Lua, no I/O; inputs are byte ranges, outputs go to an sbuf. */
#ifndef HWC_URI_H
#define HWC_URI_H

#include <stddef.h>
#include "sbuf.h"

typedef struct hwc_url {
  int https;
  const char *host; size_t host_len;   /* as written; IPv6 keeps its brackets */
  const char *port; size_t port_len;   /* digits, or port_len 0 when the URL names none */
  const char *path; size_t path_len;   /* from the first '/', or empty */
  const char *query; size_t query_len; /* after '?', without it; NULL when absent */
} hwc_url;

/* A key/value byte range pair: query parameters and headers. */
typedef struct hwc_kv {
  const char *k; size_t kn;
  const char *v; size_t vn;
} hwc_kv;

/* Split an absolute http(s) URL. Returns NULL, or a static message saying what is wrong
 * (no user info, no fragment, no raw spaces or control bytes, port 1..65535). */
const char *hwc_url_parse(const char *s, size_t n, hwc_url *u);

int hwc_is_unreserved(unsigned char c);
void hwc_pct_encode(sbuf *b, const char *s, size_t n);
/* %XX becomes its byte; a '%' not followed by two hex digits stays as it is. */
void hwc_pct_decode(sbuf *b, const char *s, size_t n);

/* Path decoded, split on '/', each segment encoded, always ending in '/'. */
void hwc_canonical_uri(sbuf *b, const char *path, size_t n);

/* Sorts pairs by key then value (bytes) and writes k=v joined by '&', both encoded. */
void hwc_canonical_query(sbuf *b, hwc_kv *pairs, size_t n);

/* Parse "a=1&b=&c" into decoded pairs. Decoded bytes go to arena; the pairs point into it,
 * so the arena must not change until they are used. Returns NULL, or a message when the
 * string has more than max pairs or the arena ran out of memory. */
const char *hwc_query_parse(const char *q, size_t n, sbuf *arena, hwc_kv *out, size_t max,
                            size_t *count);

#endif
