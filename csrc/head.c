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

/* 1 when the last coding of a Transfer-Encoding list is chunked. */
static int last_chunked(const char *v, size_t n) {
  size_t end = n, start;
  while (end && (v[end - 1] == ' ' || v[end - 1] == '\t' || v[end - 1] == ',')) end--;
  start = end;
  while (start && v[start - 1] != ',' && v[start - 1] != ' ' && v[start - 1] != '\t') start--;
  return lower_eq(v + start, end - start, "chunked");
}

/* Parses a Content-Length list ("12", "12, 12"): its one value in *len, or 0 and why. */
static int content_length(const char *v, size_t n, unsigned long long *len, const char **why) {
  size_t i = 0;
  int seen = 0;
  while (i < n) {
    unsigned long long x = 0;
    size_t digits = 0;
    while (i < n && (v[i] == ' ' || v[i] == '\t')) i++;
    while (i < n && isdigit((unsigned char)v[i])) {
      if (++digits > 15) break;
      x = x * 10 + (unsigned long long)(v[i++] - '0');
    }
    while (i < n && (v[i] == ' ' || v[i] == '\t')) i++;
    if (digits == 0 || digits > 15 || (i < n && v[i] != ',')) return *why = "bad Content-Length", 0;
    if (seen && x != *len) return *why = "conflicting Content-Length headers", 0;
    *len = x;
    seen = 1;
    i++; /* the comma */
  }
  if (!seen) return *why = "bad Content-Length", 0;
  return 1;
}

int hwc_framing_of(int request, int status, int head_request, int major, int minor, const char *te, size_t te_n,
                   const char *cl, size_t cl_n, const char *conn, size_t conn_n, hwc_framing *out) {
  memset(out, 0, sizeof *out);
  out->reusable = major == 1 && minor == 1 && !(conn && has_close(conn, conn_n));
  if (!request) {
    if (status == 101) { /* the connection speaks another protocol from here on */
      out->reusable = 0;
      return 1;
    }
    if (head_request || status < 200 || status == 204 || status == 304) return 1;
  }
  if (te) {
    if (request && (cl || !last_chunked(te, te_n))) return out->why = "bad Transfer-Encoding", 0;
    if (cl) out->reusable = 0; /* both: framed by Transfer-Encoding, and closed after (RFC 9112 6.3) */
    if (last_chunked(te, te_n)) out->kind = HWC_BODY_CHUNKED;
    else {
      out->kind = HWC_BODY_CLOSE;
      out->reusable = 0;
    }
    return 1;
  }
  if (cl) {
    if (!content_length(cl, cl_n, &out->length, &out->why)) return 0;
    out->kind = HWC_BODY_LENGTH;
    return 1;
  }
  if (!request) { /* a response without either runs to the end of the connection */
    out->kind = HWC_BODY_CLOSE;
    out->reusable = 0;
  }
  return 1;
}

int hwc_head_plain(const char *s, size_t n, int head_request, size_t max_head, hwc_plain_head *out) {
  size_t pos, lengths = 0;
  const char *eol, *cl = NULL, *conn = NULL;
  size_t cl_n = 0, conn_n = 0;
  hwc_framing f;
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
      if (++lengths > 1) return 0;
      cl = v;
      cl_n = vn;
    } else if (lower_eq(line, k, "transfer-encoding")) {
      return 0;
    } else if (lower_eq(line, k, "connection")) {
      if (conn) return 0; /* repeated: the general reader joins them */
      conn = v;
      conn_n = vn;
    }
  }
  out->head_len = pos;
  if (!hwc_framing_of(0, out->status, head_request, out->major, out->minor, NULL, 0, cl, cl_n, conn, conn_n, &f))
    return 0;
  if (f.kind == HWC_BODY_CLOSE) return 0; /* the body runs to the end of the connection */
  out->body_len = f.kind == HWC_BODY_LENGTH ? (size_t)f.length : 0;
  out->reusable = f.reusable;
  return 1;
}
