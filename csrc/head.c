/* head.c - reading response header lines; see head.h. */
#include <ctype.h>
#include <string.h>
#include "head.h"

int hwc_head_next(const char *head, size_t n, size_t *pos, hwc_header *h) {
  while (*pos < n) {
    const char *line = head + *pos, *colon, *eol = memchr(line, '\n', n - *pos), *v;
    size_t len = eol ? (size_t)(eol - line) : n - *pos, kn, vn, k;
    *pos += len + (eol != NULL);
    if (len && line[len - 1] == '\r') len--;
    colon = memchr(line, ':', len);
    if (colon == NULL || colon == line) continue;
    kn = (size_t)(colon - line);
    if (kn > HWC_HEAD_NAME_MAX) continue;
    for (k = 0; k < kn; k++) h->name[k] = (char)tolower((unsigned char)line[k]);
    h->name[kn] = '\0';
    h->name_len = kn;
    v = colon + 1;
    vn = len - kn - 1;
    while (vn && (*v == ' ' || *v == '\t')) { v++; vn--; }
    while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t')) vn--;
    h->value = v;
    h->value_len = vn;
    return 1;
  }
  return 0;
}

/* RFC 7230 token characters, as the Lua reader's header-name pattern allows */
static int token_char(unsigned char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         (c != 0 && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static int lower_eq(const char *s, size_t n, const char *word) {
  size_t i;
  for (i = 0; i < n; i++)
    if (word[i] == '\0' || tolower((unsigned char)s[i]) != word[i]) return 0;
  return word[n] == '\0';
}

static int has_close(const char *v, size_t n) {
  size_t i;
  for (i = 0; i + 5 <= n; i++)
    if (lower_eq(v + i, 5, "close")) return 1;
  return 0;
}

int hwc_head_plain(const char *s, size_t n, int head_request, size_t max_head, hwc_plain_head *out) {
  size_t pos, lengths = 0, cl = 0;
  const char *eol;
  memset(out, 0, sizeof *out);
  if (n > max_head) n = max_head; /* a head must end within the limit */
  if (n < 14 || memcmp(s, "HTTP/", 5) != 0 || !isdigit((unsigned char)s[5]) || s[6] != '.' ||
      !isdigit((unsigned char)s[7]) || s[8] != ' ' || !isdigit((unsigned char)s[9]) ||
      !isdigit((unsigned char)s[10]) || !isdigit((unsigned char)s[11]))
    return 0;
  out->major = s[5] - '0';
  out->minor = s[7] - '0';
  out->status = (s[9] - '0') * 100 + (s[10] - '0') * 10 + (s[11] - '0');
  if (out->status < 200) return 0;
  eol = memchr(s, '\n', n);
  if (eol == NULL || eol == s || eol[-1] != '\r') return 0;
  pos = (size_t)(eol - s) + 1;
  for (;;) {
    const char *line = s + pos, *v;
    size_t len, k, vn;
    eol = memchr(line, '\n', n - pos);
    if (eol == NULL) return 0; /* not all here (or over the limit) */
    len = (size_t)(eol - line);
    if (len == 0 || line[len - 1] != '\r') return 0; /* a bare LF */
    len--;
    pos += len + 2;
    if (len == 0) break; /* the blank line */
    for (k = 0; k < len && token_char((unsigned char)line[k]); k++) {}
    if (k == 0 || k == len || line[k] != ':' || k > HWC_HEAD_NAME_MAX) return 0; /* folded, malformed, long */
    v = line + k + 1;
    vn = len - k - 1;
    while (vn && (*v == ' ' || *v == '\t')) { v++; vn--; }
    while (vn && (v[vn - 1] == ' ' || v[vn - 1] == '\t')) vn--;
    if (lower_eq(line, k, "content-length")) {
      size_t d;
      if (++lengths > 1 || vn == 0 || vn > 15) return 0;
      for (d = 0; d < vn; d++) {
        if (!isdigit((unsigned char)v[d])) return 0;
        cl = cl * 10 + (size_t)(v[d] - '0');
      }
    } else if (lower_eq(line, k, "transfer-encoding")) {
      return 0;
    } else if (lower_eq(line, k, "connection") && has_close(v, vn)) {
      out->close = 1;
    }
  }
  out->head_len = pos;
  if (head_request || out->status == 204 || out->status == 304) out->body_len = 0;
  else if (lengths == 1) out->body_len = cl;
  else return 0; /* the body runs to the end of the connection */
  return 1;
}
