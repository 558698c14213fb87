/* sbuf.c - growable byte buffer; see sbuf.h. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include "sbuf.h"

void sbuf_init(sbuf *b) {
  b->p = NULL;
  b->len = b->cap = 0;
  b->oom = 0;
}

void sbuf_free(sbuf *b) {
  free(b->p);
  sbuf_init(b);
}

int sbuf_grow(sbuf *b, size_t extra) {
  size_t need, cap;
  char *p;
  if (b->oom) return 0;
  if (extra > (size_t)-1 - b->len) { b->oom = 1; return 0; }
  need = b->len + extra;
  if (need <= b->cap) return 1;
  cap = b->cap ? b->cap : 256;
  while (cap < need) cap = cap > ((size_t)-1) / 2 ? need : cap * 2;
  p = realloc(b->p, cap);
  if (p == NULL) { b->oom = 1; return 0; }
  b->p = p;
  b->cap = cap;
  return 1;
}

void sbuf_addf(sbuf *b, const char *fmt, ...) {
  va_list ap;
  int n;
  char small[128];
  va_start(ap, fmt);
  n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) { b->oom = 1; return; }
  if ((size_t)n < sizeof small) { sbuf_add(b, small, (size_t)n); return; }
  if (!sbuf_grow(b, (size_t)n + 1)) return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}
