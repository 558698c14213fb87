/* fuzz_head.c - libFuzzer harness for the response-head reader of the libcurl transport
 * (head.c): arbitrary bytes, every header read. Oracle (besides ASan/UBSan): each value lies
 * inside the input, names are lower-case and bounded, and reading always ends. */
#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
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
  return 0;
}
