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
  int reusable;       /* the connection may carry another request (hwc_framing) */
} hwc_plain_head;

int hwc_head_plain(const char *s, size_t n, int head_request, size_t max_head, hwc_plain_head *out);

/* How a message's body is framed, and whether its connection may carry another message: the one
 * rule (RFC 9112 6.1-6.3) for the cosocket transport's fast path and general reader and for the
 * emulator's server (core.http_framing). te, cl, conn: the header values (repeats joined by
 * ", "), or NULL when absent. A response to HEAD, a 1xx, 204 or 304 has no body; 101 has none and
 * its connection switched protocols (never reused); Transfer-Encoding frames the body (chunked
 * when that is the last coding, else it runs to the close) and, beside a Content-Length, the
 * connection is closed after; repeated Content-Length values must agree; with neither, a
 * response runs to the close and a request has no body. A request's Transfer-Encoding must end
 * in chunked and come alone. HTTP/1.0 and "Connection: close" are never reused. 0 and why when
 * malformed. */
typedef enum { HWC_BODY_NONE, HWC_BODY_LENGTH, HWC_BODY_CHUNKED, HWC_BODY_CLOSE } hwc_body_kind;
typedef struct hwc_framing {
  hwc_body_kind kind;
  unsigned long long length; /* HWC_BODY_LENGTH */
  int reusable;
  const char *why;           /* when 0 is returned */
} hwc_framing;

int hwc_framing_of(int request, int status, int head_request, int major, int minor, const char *te, size_t te_n,
                   const char *cl, size_t cl_n, const char *conn, size_t conn_n, hwc_framing *out);

#endif
