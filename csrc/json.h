/* json.h - the pieces of a JSON writer the schema-ordered marshaler needs: strings (UTF-8
 * checked, RFC 8259 escaping, '/' and non-ASCII written as they are), integers and finite
 * numbers. No Lua; output goes to an sbuf. */
#ifndef HWC_JSON_H
#define HWC_JSON_H

#include <stddef.h>
#include "sbuf.h"

/* Returns 1 when s[0..n) is valid UTF-8 (no overlongs, surrogates or > U+10FFFF) and stores the
 * number of code points in *chars (when non-NULL); else 0 with the offending byte offset in *bad. */
int hwc_utf8_check(const char *s, size_t n, size_t *chars, size_t *bad);

/* Writes "s" escaped. The caller has checked UTF-8 already. */
void hwc_json_string(sbuf *b, const char *s, size_t n);
void hwc_json_int(sbuf *b, long long v);
/* Shortest form that reads back as the same double, with '.' whatever the locale; the caller
 * refuses NaN and infinities. hwc_format_double writes it to out (NUL-terminated), returns the
 * length. */
void hwc_json_number(sbuf *b, double v);
size_t hwc_format_double(char *out, size_t cap, double v);

#endif
