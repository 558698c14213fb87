/* scrub.c - secret masking; see scrub.h. */
#include <ctype.h>
#include <string.h>
#include "scrub.h"

static const char *const masked_prefixes[] = {"x-security-token:", "x-auth-token:", "signature=", NULL};

static size_t prefix_at(const char *s, size_t n) {
  size_t i, k;
  for (k = 0; masked_prefixes[k]; k++) {
    const char *p = masked_prefixes[k];
    size_t len = strlen(p);
    if (len > n) continue;
    for (i = 0; i < len && tolower((unsigned char)s[i]) == p[i]; i++) {}
    if (i == len) return len;
  }
  return 0;
}

static int value_end(char c) {
  return c == '|' || c == '\n' || c == '\r' || c == '"' || c == ',' || c == ';' || c == '&' || c == ' ';
}

void hwc_scrub(sbuf *out, const char *s, size_t n, const hwc_str *secrets, size_t nsecrets) {
  size_t i = 0, run = 0, k;
  while (i < n) {
    size_t hit = 0, plen = prefix_at(s + i, n - i);
    if (plen) {
      size_t j = i + plen;
      while (j < n && s[j] == ' ') j++;
      if (j < n && !value_end(s[j])) {
        sbuf_add(out, s + i - run, run + (j - i));
        run = 0;
        while (j < n && !value_end(s[j])) j++;
        sbuf_adds(out, "***");
        i = j;
        continue;
      }
    }
    for (k = 0; k < nsecrets; k++) {
      const hwc_str *x = &secrets[k];
      if (x->n >= HWC_SCRUB_MIN && x->n <= n - i && memcmp(s + i, x->s, x->n) == 0 && x->n > hit) hit = x->n;
    }
    if (hit) {
      sbuf_add(out, s + i - run, run);
      run = 0;
      sbuf_adds(out, "***");
      i += hit;
    } else {
      run++;
      i++;
    }
  }
  sbuf_add(out, s + n - run, run);
}
