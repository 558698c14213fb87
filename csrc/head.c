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
