/* json.c - JSON text for strings and numbers; see json.h. */
#include <locale.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include "json.h"

int hwc_utf8_check(const char *s, size_t n, size_t *chars, size_t *bad) {
  const unsigned char *p = (const unsigned char *)s;
  size_t i = 0, count = 0;
  while (i < n) {
    unsigned c = p[i], need, cp, min, k;
    if (c < 0x80) { /* runs of ASCII, the common case */
      size_t start = i;
      while (i < n && p[i] < 0x80) i++;
      count += i - start;
      continue;
    }
    if (c >= 0xC2 && c <= 0xDF) { need = 1; cp = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { need = 2; cp = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { need = 3; cp = c & 0x07; min = 0x10000; }
    else goto invalid;
    if (n - i <= need) goto invalid;
    for (k = 1; k <= need; k++) {
      if ((p[i + k] & 0xC0) != 0x80) goto invalid;
      cp = (cp << 6) | (p[i + k] & 0x3F);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) goto invalid;
    i += need + 1;
    count++;
  }
  if (chars) *chars = count;
  return 1;
invalid:
  if (bad) *bad = i;
  return 0;
}

/* 1 for the bytes a JSON string must escape: controls, '"' and '\\' */
static const unsigned char needs_escape[256] = {
  1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1,
  0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0,
};

void hwc_json_string(sbuf *b, const char *s, size_t n) {
  static const char hex[] = "0123456789abcdef";
  size_t i = 0, start;
  if (b->cap - b->len < n + 2 && !sbuf_grow(b, n + 2)) return;
  b->p[b->len++] = '"';
  while (i < n) {
    start = i;
    while (i < n && !needs_escape[(unsigned char)s[i]]) i++;
    sbuf_add(b, s + start, i - start);
    if (i == n) break;
    switch (s[i]) {
      case '"': sbuf_add(b, "\\\"", 2); break;
      case '\\': sbuf_add(b, "\\\\", 2); break;
      case '\b': sbuf_add(b, "\\b", 2); break;
      case '\f': sbuf_add(b, "\\f", 2); break;
      case '\n': sbuf_add(b, "\\n", 2); break;
      case '\r': sbuf_add(b, "\\r", 2); break;
      case '\t': sbuf_add(b, "\\t", 2); break;
      default: {
        unsigned char c = (unsigned char)s[i];
        char u[6] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15]};
        sbuf_add(b, u, 6);
      }
    }
    i++;
  }
  sbuf_addc(b, '"');
}

void hwc_json_int(sbuf *b, long long v) {
  char tmp[24];
  size_t i = sizeof tmp;
  unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
  do {
    tmp[--i] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  if (v < 0) tmp[--i] = '-';
  sbuf_add(b, tmp + i, sizeof tmp - i);
}

/* printf and strtod follow LC_NUMERIC, which a host program (or os.setlocale) may have set to
 * a locale whose decimal point is a comma: numbers are formatted in the C locale, switched to
 * for this thread only. */
static locale_t c_locale;
static pthread_once_t c_locale_once = PTHREAD_ONCE_INIT;
static void make_c_locale(void) { c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0); }

size_t hwc_format_double(char *out, size_t cap, double v) {
  locale_t old = (locale_t)0;
  int prec, len = 0;
  pthread_once(&c_locale_once, make_c_locale);
  if (c_locale != (locale_t)0) old = uselocale(c_locale);
  for (prec = 15; prec <= 17; prec++) {
    len = snprintf(out, cap, "%.*g", prec, v);
    if (strtod(out, NULL) == v) break;
  }
  if (old != (locale_t)0) uselocale(old);
  if (len < 0) len = 0;
  if ((size_t)len >= cap) len = (int)cap - 1;
  return (size_t)len;
}

void hwc_json_number(sbuf *b, double v) {
  char tmp[32];
  sbuf_add(b, tmp, hwc_format_double(tmp, sizeof tmp, v));
}
