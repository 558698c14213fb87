/* sbuf.h - a growable byte buffer for the pure C units (signer, URI, JSON writer).
 * No Lua here. Out of memory is sticky: appends become no-ops and sbuf_ok() turns false,
 * so callers check once at the end. Code that can raise a Lua error must keep an sbuf
 * inside a userdata with __gc (the scratch: scratch.h, lent by lscratch.c), never on the C stack
 * across the raise. */
#ifndef HWC_SBUF_H
#define HWC_SBUF_H

#include <stddef.h>
#include <string.h>

typedef struct sbuf {
  char *p;
  size_t len, cap;
  int oom;
} sbuf;

void sbuf_init(sbuf *b);
void sbuf_free(sbuf *b);
int sbuf_grow(sbuf *b, size_t extra);
void sbuf_addf(sbuf *b, const char *fmt, ...)
#if defined(__GNUC__)
  __attribute__((format(printf, 2, 3)))
#endif
  ;

static inline void sbuf_reset(sbuf *b) { b->len = 0; b->oom = 0; }
static inline int sbuf_ok(const sbuf *b) { return !b->oom; }

static inline void sbuf_add(sbuf *b, const void *s, size_t n) {
  if (b->cap - b->len < n && !sbuf_grow(b, n)) return;
  if (n) memcpy(b->p + b->len, s, n);
  b->len += n;
}
static inline void sbuf_addc(sbuf *b, char c) {
  if (b->len == b->cap && !sbuf_grow(b, 1)) return;
  b->p[b->len++] = c;
}
static inline void sbuf_adds(sbuf *b, const char *s) { sbuf_add(b, s, strlen(s)); }

#endif
