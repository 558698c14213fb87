/* fuzz_head.c - libFuzzer harness for the response-head reader of the libcurl transport
 * (head.c) and of the plain-answer check the nginx transport uses (hwc_head_plain): arbitrary
 * bytes. Oracle (besides ASan/UBSan): each value lies inside the input, names are lower-case and
 * bounded, reading always ends; a plain head ends inside the input and within the limit, after
 * a status line, with a blank line. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *p = (const char *)data;
  size_t pos = 0, last = 0, count = 0, k;
  hwc_header h;
  while (hwc_head_next(p, size, &pos, &h)) {
    if (pos <= last && count) abort(); /* no progress */
    if (h.name_len == 0 || h.name_len > HWC_HEAD_NAME_MAX) abort();
    for (k = 0; k < h.name_len; k++)
      if (isupper((unsigned char)h.name[k])) abort();
    if (h.value < p || h.value + h.value_len > p + size) abort();
    last = pos;
    count++;
  }
  if (pos < size) abort(); /* stopped early */
  {
    hwc_plain_head ph;
    size_t limit = size / 2 + 16; /* sometimes cuts the input */
    if (hwc_head_plain(p, size, size & 1, limit, &ph)) {
      if (ph.head_len < 16 || ph.head_len > size || ph.head_len > limit) abort();
      if (memcmp(p + ph.head_len - 4, "\r\n\r\n", 4) != 0 || ph.status < 200 || ph.status > 999) abort();
      if ((size & 1) && ph.body_len != 0) abort(); /* a HEAD answer has no body */
    }
  }
  return 0;
}
