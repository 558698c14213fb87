/* scrub_test.c - the scrubber and the canonical URI on their own, no Lua, each against a plain
 * reference written here the slow, obvious way: at every byte, every masked prefix (any case,
 * then a known form after it whole, or the value up to a separator) and every form (longest
 * first); a path decoded, split and encoded segment by segment. The
 * fast versions skip bytes that cannot start a match and paths that need no work; on 300,000
 * random texts and 100,000 random paths their output must be the same. Prints "ok". */
#include <ctype.h>
#include <stdio.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "secrets.h"
#include "uri.h"

static int failures;

static int value_end(char c) { return c != '\0' && strchr("|\n\r\",;& \\", c) != NULL; }

static void reference_scrub(sbuf *out, const char *s, size_t n, const hwc_str *forms, size_t nforms) {
  static const char *const prefixes[] = {"x-security-token:", "x-auth-token:", "signature=", NULL};
  size_t i = 0, k;
  while (i < n) {
    size_t hit = 0, plen = 0;
    for (k = 0; prefixes[k] && !plen; k++) {
      size_t len = strlen(prefixes[k]), j;
      if (len > n - i) continue;
      for (j = 0; j < len && tolower((unsigned char)s[i + j]) == prefixes[k][j]; j++) {}
      if (j == len) plen = len;
    }
    if (plen) {
      size_t j = i + plen, whole = 0;
      while (j < n && s[j] == ' ') j++;
      for (k = 0; k < nforms; k++) /* a known secret there: masked whole, whatever it holds */
        if (forms[k].n > whole && forms[k].n >= HWC_SCRUB_MIN && forms[k].n <= n - j &&
            memcmp(s + j, forms[k].s, forms[k].n) == 0)
          whole = forms[k].n;
      if (whole) {
        sbuf_add(out, s + i, j - i);
        sbuf_adds(out, HWC_MASK);
        i = j + whole;
        continue;
      }
      if (j < n && !value_end(s[j])) {
        sbuf_add(out, s + i, j - i);
        while (j < n && !value_end(s[j])) j++;
        sbuf_adds(out, HWC_MASK);
        i = j;
        continue;
      }
    }
    for (k = 0; k < nforms; k++)
      if (forms[k].n > hit && forms[k].n >= HWC_SCRUB_MIN && forms[k].n <= n - i && memcmp(s + i, forms[k].s, forms[k].n) == 0) hit = forms[k].n;
    if (hit) {
      sbuf_adds(out, HWC_MASK);
      i += hit;
    } else {
      sbuf_addc(out, s[i++]);
    }
  }
}

static int hexval(int c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static void reference_uri(sbuf *out, const char *p, size_t n) {
  char dec[512];
  size_t i, d = 0, seg = 0;
  for (i = 0; i < n; i++) {
    if (p[i] == '%' && i + 2 < n && hexval(p[i + 1]) >= 0 && hexval(p[i + 2]) >= 0) {
      dec[d++] = (char)(hexval(p[i + 1]) * 16 + hexval(p[i + 2]));
      i += 2;
    } else {
      dec[d++] = p[i];
    }
  }
  for (i = 0; d > 0 && i <= d; i++) {
    if (i == d || dec[i] == '/') {
      size_t j;
      for (j = seg; j < i; j++) {
        unsigned char c = (unsigned char)dec[j];
        if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') sbuf_addc(out, (char)c);
        else sbuf_addf(out, "%%%02X", c);
      }
      if (i < d) sbuf_addc(out, '/');
      seg = i + 1;
    }
  }
  if (out->len == 0 || out->p[out->len - 1] != '/') sbuf_addc(out, '/');
}

static unsigned long rng = 12345;
static unsigned rnd(unsigned n) {
  rng = rng * 6364136223846793005ul + 1442695040888963407ul;
  return (unsigned)((rng >> 33) % n);
}

/* The secrets' forms (hwc_secret_forms) into forms, plus short ones under HWC_SCRUB_MIN that a
 * caller may pass (ignored, never read past: one and two have exact sizes for ASan). */
static size_t make_forms(sbuf *arena, hwc_str *forms, char *one, char *two) {
  static const char *const secrets[] = {"AKEXAMPLE", "SK\"x", "pw/x", "abcd"};
  size_t spans[2 * HWC_SECRET_FORMS], nforms = 0, k, m;
  for (k = 0; k < 4; k++) {
    size_t base = nforms, c = hwc_secret_forms(arena, secrets[k], strlen(secrets[k]), spans);
    for (m = 0; m < c; m++) {
      forms[base + m].n = spans[2 * m + 1];
      forms[base + m].s = (const char *)(uintptr_t)spans[2 * m]; /* an offset until the arena stops moving */
    }
    nforms += c;
  }
  for (k = 0; k < nforms; k++) forms[k].s = arena->p + (size_t)(uintptr_t)forms[k].s;
  memcpy(one, "A", 1);
  memcpy(two, "SK", 2);
  forms[nforms].s = one, forms[nforms++].n = 1;
  forms[nforms].s = two, forms[nforms++].n = 2;
  forms[nforms].s = two, forms[nforms++].n = 0;
  return nforms;
}

/* A random text of up to `parts` pieces (some cut short) into text; its length. */
static size_t random_text(char *text, const char *const *pieces, size_t npieces, unsigned parts, int cut) {
  size_t n = 0;
  parts = rnd(parts);
  while (parts-- && n < 200) {
    const char *p = pieces[rnd((unsigned)npieces)];
    size_t len = strlen(p);
    if (cut && rnd(4) == 0) len = rnd((unsigned)len + 1); /* a cut piece */
    memcpy(text + n, p, len);
    n += len;
  }
  return n;
}

static void same(const sbuf *got, const sbuf *want, const char *what, const char *text, size_t n) {
  if (got->len != want->len || memcmp(got->p, want->p, got->len) != 0) {
    printf("FAIL %s of [%.*s]: got [%.*s] want [%.*s]\n", what, (int)n, text, (int)got->len, got->p,
           (int)want->len, want->p);
    failures++;
  }
}

int main(void) {
  /* texts made of pieces that look like what is scrubbed, so matches and near misses abound */
  static const char *const pieces[] = {"x-security-token:", "X-Auth-Token: ", "Signature=", "sIGNATURE=",
                                       "X-SECURITY-TOKEN:", "signatur", "x-", "s", "AKEXAMPLE", "AKEXAMP", "SK\\\"x",
                                       "SK\"x", "pw%2Fx", "pw/x", "|", "\n", " ", "\"", ",", "abc", "x", "S", "~",
                                       "\\u0022", "token"};
  static const char *const path_pieces[] = {"/", "v2", "%2F", "%41", "%zz", "a b", "~", "-_.", "%", "\xe4\xb8\xad", "x"};
  sbuf arena, got, want;
  hwc_str forms[4 * HWC_SECRET_FORMS + 3];
  char *one = malloc(1), *two = malloc(2);
  size_t nforms;
  char text[256];
  int t;
  sbuf_init(&arena);
  sbuf_init(&got);
  sbuf_init(&want);
  nforms = make_forms(&arena, forms, one, two);
  for (t = 0; t < 300000 && failures < 5; t++) {
    size_t n = random_text(text, pieces, sizeof pieces / sizeof *pieces, 12, 1);
    sbuf_reset(&got);
    sbuf_reset(&want);
    hwc_scrub(&got, text, n, forms, nforms);
    reference_scrub(&want, text, n, forms, nforms);
    same(&got, &want, "scrub", text, n);
  }
  for (t = 0; t < 100000 && failures < 5; t++) {
    size_t n = random_text(text, path_pieces, sizeof path_pieces / sizeof *path_pieces, 8, 0);
    sbuf_reset(&got);
    sbuf_reset(&want);
    hwc_canonical_uri(&got, text, n);
    reference_uri(&want, text, n);
    same(&got, &want, "canonical URI", text, n);
  }
  free(one);
  free(two);
  sbuf_free(&arena);
  sbuf_free(&got);
  sbuf_free(&want);
  if (failures) return 1;
  printf("ok\n");
  return 0;
}
