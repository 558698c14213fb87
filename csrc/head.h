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

#endif
