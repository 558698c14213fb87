/* scrub.h - masks secrets in text the SDK may show: error messages echoed by a server,
 * dry runs, debug dumps. No Lua. */
#ifndef HWC_SCRUB_H
#define HWC_SCRUB_H

#include <stddef.h>
#include "sbuf.h"

typedef struct hwc_str {
  const char *s;
  size_t n;
} hwc_str;

/* Secrets shorter than this are not searched for: masking every "ab" would garble text. */
#define HWC_SCRUB_MIN 4

/* Copies s to out with every occurrence of each secret replaced by "***", and the value
 * after "x-security-token:", "x-auth-token:" and "Signature=" (any case) masked too. */
void hwc_scrub(sbuf *out, const char *s, size_t n, const hwc_str *secrets, size_t nsecrets);

#endif
