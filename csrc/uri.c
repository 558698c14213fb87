/* uri.c - URL splitting and canonical URI/query encoding; see uri.h. */
#include <stdlib.h>
#include <string.h>
#include "uri.h"

static int hexval(unsigned char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static const unsigned char unreserved[256] = {
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 1,
  0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0, 0, 0, 1, 0,
};

int hwc_is_unreserved(unsigned char c) { return unreserved[c]; }

static int host_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '.' || c == '_';
}

const char *hwc_url_parse(const char *s, size_t n, hwc_url *u) {
  size_t i, start;
  memset(u, 0, sizeof *u);
  if (n >= 8 && strncmp(s, "https://", 8) == 0) { u->https = 1; i = 8; }
  else if (n >= 7 && strncmp(s, "http://", 7) == 0) i = 7;
  else return "URL must start with http:// or https://";
  start = i;
  for (; i < n && s[i] != '/' && s[i] != '?' && s[i] != '#'; i++)
    if (s[i] == '@') return "URL must not carry user info";
  i = start;
  if (i < n && s[i] == '[') { /* IPv6 literal */
    while (i < n && s[i] != ']') {
      unsigned char c = (unsigned char)s[i];
      if (i > start && hexval(c) < 0 && c != ':' && c != '.') return "URL has a malformed IPv6 host";
      i++;
    }
    if (i == n) return "URL has a malformed IPv6 host";
    i++;
  } else {
    while (i < n && host_char((unsigned char)s[i])) i++;
  }
  u->host = s + start;
  u->host_len = i - start;
  if (u->host_len == 0) return "URL has no host";
  if (i < n && s[i] == ':') {
    long port = 0;
    size_t p = ++i;
    while (i < n && s[i] >= '0' && s[i] <= '9' && i - p < 6) port = port * 10 + (s[i++] - '0');
    if (i == p || port < 1 || port > 65535) return "URL has an invalid port (1..65535)";
    u->port = s + p;
    u->port_len = i - p;
  }
  if (i < n && s[i] != '/' && s[i] != '?') return "URL has an invalid character in its host";
  start = i;
  for (; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c <= 0x20 || c >= 0x7f) return "URL has a space, control or non-ASCII byte (percent-encode it)";
    if (c == '#') return "URL must not carry a fragment";
    if (c == '?' && u->query == NULL) {
      u->path = s + start;
      u->path_len = i - start;
      u->query = s + i + 1;
    }
  }
  if (u->query != NULL) u->query_len = (size_t)(s + n - u->query);
  else { u->path = s + start; u->path_len = n - start; }
  return NULL;
}

void hwc_pct_encode(sbuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789ABCDEF";
  size_t i, run = 0;
  if (n == 0) return;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (hwc_is_unreserved(c)) { run++; continue; }
    sbuf_add(b, s + i - run, run);
    run = 0;
    sbuf_addc(b, '%');
    sbuf_addc(b, hex[c >> 4]);
    sbuf_addc(b, hex[c & 15]);
  }
  sbuf_add(b, s + n - run, run);
}

void hwc_pct_decode(sbuf *b, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    int hi, lo;
    if (s[i] == '%' && i + 2 < n && (hi = hexval((unsigned char)s[i + 1])) >= 0 &&
        (lo = hexval((unsigned char)s[i + 2])) >= 0) {
      sbuf_addc(b, (char)(hi * 16 + lo));
      i += 2;
    } else {
      sbuf_addc(b, s[i]);
    }
  }
}

void hwc_canonical_uri(sbuf *b, const char *path, size_t n) {
  char small[512];
  sbuf dec;
  size_t i, seg = 0;
  /* a path of unreserved bytes and '/' (what the SDK builds from its own segments, as a rule)
   * decodes and re-encodes to itself */
  for (i = 0; i < n && (unreserved[(unsigned char)path[i]] || path[i] == '/'); i++) {}
  if (i == n) {
    sbuf_add(b, path, n);
    if (n == 0 || path[n - 1] != '/') sbuf_addc(b, '/');
    return;
  }
  i = 0;
  /* the decoded path is never longer than the path: most fit on the stack */
  sbuf_init(&dec);
  if (n <= sizeof small) {
    dec.p = small;
    dec.cap = sizeof small;
  }
  hwc_pct_decode(&dec, path, n);
  if (!sbuf_ok(&dec)) { b->oom = 1; if (dec.p != small) sbuf_free(&dec); return; }
  for (i = 0; dec.len > 0 && i <= dec.len; i++) {
    if (i == dec.len || dec.p[i] == '/') {
      hwc_pct_encode(b, dec.p + seg, i - seg);
      if (i < dec.len) sbuf_addc(b, '/');
      seg = i + 1;
    }
  }
  if (b->len == 0 || b->p[b->len - 1] != '/') sbuf_addc(b, '/');
  if (dec.p != small) sbuf_free(&dec);
}

static int bytecmp(const char *a, size_t an, const char *b, size_t bn) {
  int c = memcmp(a, b, an < bn ? an : bn);
  return c ? c : (an < bn ? -1 : an > bn);
}

static int kv_cmp(const void *pa, const void *pb) {
  const hwc_kv *a = (const hwc_kv *)pa, *b = (const hwc_kv *)pb;
  int c = bytecmp(a->k, a->kn, b->k, b->kn);
  return c ? c : bytecmp(a->v, a->vn, b->v, b->vn);
}

void hwc_canonical_query(sbuf *b, hwc_kv *pairs, size_t n) {
  size_t i;
  if (n > 1) qsort(pairs, n, sizeof *pairs, kv_cmp);
  for (i = 0; i < n; i++) {
    if (i) sbuf_addc(b, '&');
    hwc_pct_encode(b, pairs[i].k, pairs[i].kn);
    sbuf_addc(b, '=');
    hwc_pct_encode(b, pairs[i].v, pairs[i].vn);
  }
}

const char *hwc_query_parse(const char *q, size_t n, sbuf *arena, hwc_kv *out, size_t max,
                            size_t *count) {
  size_t i = 0, c = 0, k, base = arena->len;
  while (i < n) {
    size_t end = i, eq;
    while (end < n && q[end] != '&') end++;
    if (end > i) {
      if (c == max) return "too many query parameters";
      eq = i;
      while (eq < end && q[eq] != '=') eq++;
      /* offsets first: the arena may move while it grows */
      out[c].kn = arena->len;
      hwc_pct_decode(arena, q + i, eq - i);
      out[c].kn = arena->len - out[c].kn;
      out[c].vn = arena->len;
      if (eq < end) hwc_pct_decode(arena, q + eq + 1, end - eq - 1);
      out[c].vn = arena->len - out[c].vn;
      c++;
    }
    i = end + 1;
  }
  if (!sbuf_ok(arena)) return "out of memory";
  for (i = base, k = 0; k < c; k++) {
    out[k].k = arena->p ? arena->p + i : "";
    i += out[k].kn;
    out[k].v = arena->p ? arena->p + i : "";
    i += out[k].vn;
  }
  *count = c;
  return NULL;
}
