/* lsent.c - see lsent.h. */
#include <string.h>
#include "compat.h"
#include "lsent.h"

/* What parse needs of a request sent as bytes, in one userdata: its secrets (values, spans,
 * ranges) and canonical request, copied flat; no finalizer, nothing to free. */
typedef struct sent_blob {
  size_t bytes_len, spans_len, ranges_len, canonical_len;
  const char *method; /* the operation's, static */
} sent_blob;

void hwc_sent_push(lua_State *L, const hwc_sent *sent) {
  const hwc_secrec *r = sent->sec;
  size_t clen = sent->canonical_len;
  size_t total = sizeof(sent_blob) + r->spans.len + r->ranges.len + r->bytes.len + clen;
  sent_blob *b = (sent_blob *)lua_newuserdatauv(L, total, 0);
  char *at = (char *)(b + 1);
  b->bytes_len = r->bytes.len;
  b->spans_len = r->spans.len;
  b->ranges_len = r->ranges.len;
  b->canonical_len = clen;
  b->method = sent->method;
  /* the size_t arrays first: they stay aligned after the header */
  if (r->spans.len) memcpy(at, r->spans.p, r->spans.len);
  at += r->spans.len;
  if (r->ranges.len) memcpy(at, r->ranges.p, r->ranges.len);
  at += r->ranges.len;
  if (r->bytes.len) memcpy(at, r->bytes.p, r->bytes.len);
  at += r->bytes.len;
  if (clen) memcpy(at, sent->canonical, clen);
  luaL_setmetatable(L, HWC_SENT_MT);
}

static void view(sbuf *b, char *p, size_t n) {
  sbuf_init(b);
  b->p = n ? p : NULL;
  b->len = b->cap = n;
}

int hwc_sent_from(lua_State *L, int idx, hwc_sent *sent, hwc_secrec *sec) {
  sent_blob *b = (sent_blob *)luaL_testudata(L, idx, HWC_SENT_MT);
  char *at;
  if (b == NULL) return 0;
  at = (char *)(b + 1);
  view(&sec->spans, at, b->spans_len);
  at += b->spans_len;
  view(&sec->ranges, at, b->ranges_len);
  at += b->ranges_len;
  view(&sec->bytes, at, b->bytes_len);
  at += b->bytes_len;
  memset(sent, 0, sizeof *sent);
  sent->sec = sec;
  sent->method = b->method;
  sent->canonical = b->canonical_len ? at : NULL;
  sent->canonical_len = b->canonical_len;
  return 1;
}

