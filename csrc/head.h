/* head.h - the response head as libcurl hands it over (status lines, "Name: value" lines, blank
 * lines, for every response including 1xx and redirects), read one header at a time. No Lua. */
#ifndef HWC_HEAD_H
#define HWC_HEAD_H

#include <stddef.h>

#define HWC_HEAD_NAME_MAX 127 /* longer names are skipped: no header the SDK reads comes near */

typedef struct hwc_header {
  char name[HWC_HEAD_NAME_MAX + 1]; /* lower-cased, NUL-terminated */
  size_t name_len;
  const char *value; /* into the head, trimmed of spaces and tabs */
  size_t value_len;
} hwc_header;

/* Reads the next header of head[*pos..n) into h and advances *pos; 0 when there is none left.
 * Lines without a colon (the status line, the blank line) and empty names are skipped. */
int hwc_head_next(const char *head, size_t n, size_t *pos, hwc_header *h);

/* The plain case of an HTTP/1.x answer, recognised in one pass over the bytes first received,
 * so a cosocket transport can skip its general reader: a status line "HTTP/d.d ddd ...", then
 * CRLF-terminated "name: value" lines (names of token characters), a blank line, and either
 * exactly one Content-Length of digits or an answer that has no body (status 204/304, or a
 * HEAD request). Anything else (1xx, Transfer-Encoding, no or repeated Content-Length, folded
 * or malformed lines, a bare LF, a head not complete or over max_head) is not plain: 0, and
 * the general reader, which judges every case, reads it all. */
typedef struct hwc_plain_head {
  int status, major, minor;
  size_t head_len;    /* bytes up to and including the blank line */
  size_t body_len;    /* what follows: the Content-Length, or 0 */
  int close;          /* a Connection header that says close */
} hwc_plain_head;

int hwc_head_plain(const char *s, size_t n, int head_request, size_t max_head, hwc_plain_head *out);

#endif
