/* secrets.c - sensitive names, the forms of a secret, and the scrubber; see secrets.h. */
#include <ctype.h>
#include <string.h>
#include "json.h"
#include "secrets.h"

int hwc_sensitive_name(const char *name, size_t n) {
  static const char *const exact[] = {"ak", "sk", "access_key", "accesskey", "secret_key", "authorization",
                                      "credential", "credentials", "securitytoken", NULL};
  static const char *const parts[] = {"password", "secret", "token", "passwd", "private_key", NULL};
  char low[64];
  size_t i;
  if (n >= sizeof low) n = sizeof low - 1;
  for (i = 0; i < n; i++) low[i] = (char)tolower((unsigned char)name[i]);
  low[n] = '\0';
  for (i = 0; exact[i]; i++)
    if (strcmp(low, exact[i]) == 0) return 1;
  for (i = 0; parts[i]; i++)
    if (strstr(low, parts[i]) != NULL) return 1;
  return 0;
}

/* ---- one request's secrets ---------------------------------------------------------- */

void hwc_secrec_init(hwc_secrec *r) {
  sbuf_init(&r->bytes);
  sbuf_init(&r->spans);
  sbuf_init(&r->ranges);
}

void hwc_secrec_reset(hwc_secrec *r) {
  /* the values are wiped, not only forgotten: the buffer is reused by later requests */
  if (r->bytes.p) memset(r->bytes.p, 0, r->bytes.len);
  sbuf_reset(&r->bytes);
  sbuf_reset(&r->spans);
  sbuf_reset(&r->ranges);
}

void hwc_secrec_free(hwc_secrec *r) {
  hwc_secrec_reset(r);
  sbuf_free(&r->bytes);
  sbuf_free(&r->spans);
  sbuf_free(&r->ranges);
}

static void add_pair(sbuf *b, size_t a, size_t e) {
  size_t v[2];
  v[0] = a;
  v[1] = e;
  sbuf_add(b, v, sizeof v);
}

void hwc_secrec_add(hwc_secrec *r, const char *s, size_t n) {
  add_pair(&r->spans, r->bytes.len, n);
  sbuf_add(&r->bytes, s, n);
}

void hwc_secrec_range(hwc_secrec *r, size_t start, size_t end) { add_pair(&r->ranges, start, end); }

size_t hwc_secrec_count(const hwc_secrec *r) { return r->spans.len / (2 * sizeof(size_t)); }

hwc_str hwc_secrec_at(const hwc_secrec *r, size_t i) {
  hwc_str out;
  size_t v[2];
  memcpy(v, r->spans.p + i * sizeof v, sizeof v);
  out.s = r->bytes.p ? r->bytes.p + v[0] : "";
  out.n = v[1];
  return out;
}

size_t hwc_secrec_nranges(const hwc_secrec *r) { return r->ranges.len / (2 * sizeof(size_t)); }

int hwc_secrec_ok(const hwc_secrec *r) {
  return sbuf_ok(&r->bytes) && sbuf_ok(&r->spans) && sbuf_ok(&r->ranges);
}

/* ---- the forms of a secret ----------------------------------------------------------- */

static const char hexl[] = "0123456789abcdef", hexu[] = "0123456789ABCDEF";

/* JSON as other encoders write it: '/' as "\/" and DEL as \u007f (lua-cjson); or every
 * character that is not a letter, digit or one of " -._~" as \u00XX (Go and others escape
 * <, >, &, ' that way). */
static void json_other(sbuf *b, const char *s, size_t n, int all) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    int special = c < 0x20 || c == 0x7f || c == '"' || c == '\\' || c == '/';
    if (all) special = special || !(isalnum(c) || c >= 0x80 || strchr(" -._~", c) != NULL);
    if (!special) {
      sbuf_addc(b, (char)c);
    } else if (!all && c == '/') {
      sbuf_add(b, "\\/", 2);
    } else if (!all && (c == '"' || c == '\\')) {
      sbuf_addc(b, '\\');
      sbuf_addc(b, (char)c);
    } else {
      char u[6] = {'\\', 'u', '0', '0', hexl[c >> 4], hexl[c & 15]};
      if (!all && (c == '\n' || c == '\r' || c == '\t' || c == '\b' || c == '\f')) {
        sbuf_addc(b, '\\');
        sbuf_addc(b, c == '\n' ? 'n' : c == '\r' ? 'r' : c == '\t' ? 't' : c == '\b' ? 'b' : 'f');
      } else {
        sbuf_add(b, u, 6);
      }
    }
  }
}

static void pct(sbuf *b, const char *s, size_t n) {
  size_t i;
  for (i = 0; i < n; i++) {
    unsigned char c = (unsigned char)s[i];
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') sbuf_addc(b, (char)c);
    else {
      sbuf_addc(b, '%');
      sbuf_addc(b, hexu[c >> 4]);
      sbuf_addc(b, hexu[c & 15]);
    }
  }
}

/* Appends s JSON-escaped as this SDK's writer does it, without the quotes. */
static void json_ours(sbuf *arena, const char *s, size_t n) {
  size_t start = arena->len;
  hwc_json_string(arena, s, n);
  if (sbuf_ok(arena)) {
    memmove(arena->p + start, arena->p + start + 1, arena->len - start - 2);
    arena->len -= 2;
  }
}

/* The form escaped once more (other: as lua-cjson and others escape), in place of itself. The
 * second pass reads the first from the arena it appends to: room is made first, so it does not
 * move under it (an escape is at most 6 bytes a byte). 0 when out of memory. */
static int escape_again(sbuf *arena, size_t start, int other) {
  size_t once = arena->len - start, twice;
  if (!sbuf_ok(arena) || once > ((size_t)-1 - 2) / 6 || !sbuf_grow(arena, 6 * once + 2)) return 0;
  if (other) json_other(arena, arena->p + start, once, 0);
  else json_ours(arena, arena->p + start, once);
  if (!sbuf_ok(arena)) return 0;
  twice = arena->len - start - once;
  memmove(arena->p + start, arena->p + start + once, twice);
  arena->len = start + twice;
  return 1;
}

size_t hwc_secret_forms(sbuf *arena, const char *s, size_t n, size_t *spans) {
  size_t k = 0, form, j;
  if (n < HWC_SCRUB_MIN) return 0;
  for (form = 0; form < HWC_SECRET_FORMS; form++) {
    size_t start = arena->len, len;
    int dup = 0;
    switch (form) {
      case 0: sbuf_add(arena, s, n); break;
      case 1: json_ours(arena, s, n); break; /* as this SDK's writer escapes it */
      case 2: json_other(arena, s, n, 0); break;
      case 3: json_other(arena, s, n, 1); break;
      case 4: pct(arena, s, n); break;
      /* escaped twice: the request body as a JSON string inside a JSON error message, the second
       * pass by us or another encoder, the first by us (the body we wrote) or by the server */
      case 5: json_ours(arena, s, n); if (!escape_again(arena, start, 0)) return k; break;
      case 6: json_ours(arena, s, n); if (!escape_again(arena, start, 1)) return k; break;
      default: json_other(arena, s, n, 0); if (!escape_again(arena, start, 1)) return k; break;
    }
    if (!sbuf_ok(arena)) return k;
    len = arena->len - start;
    for (j = 0; j < k && !dup; j++)
      dup = spans[2 * j + 1] == len && memcmp(arena->p + spans[2 * j], arena->p + start, len) == 0;
    if (dup) {
      arena->len = start;
      continue;
    }
    spans[2 * k] = start;
    spans[2 * k + 1] = len;
    k++;
  }
  return k;
}

/* ---- scrubbing ------------------------------------------------------------------------- */

static const hwc_str masked_prefixes[] = {
  {"x-security-token:", 17}, {"x-auth-token:", 13}, {"signature=", 10}, {NULL, 0}};

static unsigned char lower_c(unsigned char c) { return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c; }

/* The length of the masked prefix (any case) at s, or 0. */
static size_t prefix_at(const char *s, size_t n) {
  size_t i, k;
  for (k = 0; masked_prefixes[k].s; k++) {
    const char *p = masked_prefixes[k].s;
    size_t len = masked_prefixes[k].n;
    if (len > n || lower_c((unsigned char)s[1]) != (unsigned char)p[1]) continue;
    for (i = 0; i < len && lower_c((unsigned char)s[i]) == (unsigned char)p[i]; i++) {}
    if (i == len) return len;
  }
  return 0;
}

static int value_end(char c) {
  return c == '|' || c == '\n' || c == '\r' || c == '"' || c == ',' || c == ';' || c == '&' || c == ' ' ||
         c == '\\';
}

/* A 4096-bit filter of the byte pairs a match can start with (false positives only cost a look). */
#define PAIR(a, b) ((((unsigned)(unsigned char)(a) << 4) ^ (unsigned)(unsigned char)(b)) & 4095u)

/* The bit set of byte pairs a match can start with: a header prefix ("x-", "si"...) or a form. */
static void start_pairs(unsigned char pairs[512], const hwc_str *forms, size_t nforms) {
  static const char *const prefix_starts[] = {"x-", "X-", "si", "Si", "sI", "SI", NULL};
  size_t k;
  memset(pairs, 0, 512);
  for (k = 0; prefix_starts[k]; k++) {
    unsigned p = PAIR(prefix_starts[k][0], prefix_starts[k][1]);
    pairs[p >> 3] |= (unsigned char)(1u << (p & 7));
  }
  for (k = 0; k < nforms; k++)
    if (forms[k].n >= HWC_SCRUB_MIN) {
      unsigned p = PAIR(forms[k].s[0], forms[k].s[1]);
      pairs[p >> 3] |= (unsigned char)(1u << (p & 7));
    }
}

/* The longest form at s (avail bytes), or 0. */
static size_t form_at(const char *s, size_t avail, const hwc_str *forms, size_t nforms, int first_two) {
  size_t k, hit = 0;
  for (k = 0; k < nforms; k++) {
    const hwc_str *x = &forms[k];
    if (x->n > hit && x->n >= HWC_SCRUB_MIN && x->n <= avail && (!first_two || (x->s[0] == s[0] && x->s[1] == s[1])) &&
        memcmp(s, x->s, x->n) == 0)
      hit = x->n;
  }
  return hit;
}

/* A secret header's value at s[i] (after its name, plen bytes): how far the mask reaches (a
 * known secret whole, else up to the value's end), or 0 when there is no value to mask. */
static size_t header_value_end(const char *s, size_t n, size_t i, size_t plen, const hwc_str *forms, size_t nforms) {
  size_t j = i + plen, whole;
  while (j < n && s[j] == ' ') j++;
  /* a known secret there is masked whole, whatever it holds (a token with '"', ',', ' ', ...);
   * the value-end characters only bound an unknown one */
  whole = form_at(s + j, n - j, forms, nforms, 0);
  if (whole) return j + whole;
  if (j < n && !value_end(s[j])) {
    while (j < n && !value_end(s[j])) j++;
    return j;
  }
  return 0;
}

void hwc_scrub(sbuf *out, const char *s, size_t n, const hwc_str *forms, size_t nforms) {
  unsigned char pairs[512];
  size_t i = 0, run = 0;
  start_pairs(pairs, forms, nforms);
  while (i + 1 < n) {
    size_t hit, plen, stop = 0;
    unsigned p = PAIR(s[i], s[i + 1]);
    if (!(pairs[p >> 3] & (1u << (p & 7)))) {
      run++;
      i++;
      continue;
    }
    plen = (s[i] == 'x' || s[i] == 'X' || s[i] == 's' || s[i] == 'S') ? prefix_at(s + i, n - i) : 0;
    if (plen && (stop = header_value_end(s, n, i, plen, forms, nforms)) != 0) {
      size_t j = i + plen;
      while (j < n && s[j] == ' ') j++;
      sbuf_add(out, s + i - run, run + (j - i));
      run = 0;
      sbuf_adds(out, HWC_MASK);
      i = stop;
      continue;
    }
    hit = form_at(s + i, n - i, forms, nforms, 1);
    if (hit) {
      sbuf_add(out, s + i - run, run);
      run = 0;
      sbuf_adds(out, HWC_MASK);
      i += hit;
    } else {
      run++;
      i++;
    }
  }
  /* the last byte alone cannot start a match: every form and prefix is longer */
  sbuf_add(out, s + i - run, run + (n - i));
}
