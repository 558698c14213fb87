/* secrets.h - what is a secret and how it is hidden, in one place. No Lua.
 *  - the one list of sensitive names (fields the descriptors do not know, headers, query keys);
 *  - the forms a secret value takes in text the SDK may show (raw, JSON-escaped as this SDK and
 *    as other encoders write it, escaped twice, percent-encoded), so a value reflected by a
 *    server is found whatever encoding it went through;
 *  - the scrubber, which masks those forms and the value after "X-Security-Token:",
 *    "X-Auth-Token:" and "Signature=" (any case) as "***".
 * Descriptor fields flagged HWC_F_SENSITIVE are secrets by definition; the walker records where
 * it wrote them, so a dry run masks them exactly (see lsecrets.h). */
#ifndef HWC_SECRETS_H
#define HWC_SECRETS_H

#include <stddef.h>
#include "sbuf.h"

typedef struct hwc_str {
  const char *s;
  size_t n;
} hwc_str;

#define HWC_MASK "***"
/* Secret values shorter than this are not searched for in free text (masking every "ab" would
 * garble it); where the SDK writes them itself they are masked whatever their length. */
#define HWC_SCRUB_MIN 4
/* At most this many distinct forms per secret (hwc_secret_forms). */
#define HWC_SECRET_FORMS 8

/* The secrets of one request as the C units collect them (no Lua): the values, back to back,
 * and the body ranges [start, end) the walker wrote them at. Kept in a scratch userdata; made a
 * Lua record (lsecrets.h) only when something must be shown or scrubbed. */
typedef struct hwc_secrec {
  sbuf bytes; /* the values */
  sbuf spans; /* size_t (offset, length) pairs into bytes */
  sbuf ranges; /* size_t (start, end) pairs: body bytes that hold a secret value */
} hwc_secrec;

void hwc_secrec_init(hwc_secrec *r);
void hwc_secrec_reset(hwc_secrec *r);
void hwc_secrec_free(hwc_secrec *r);
void hwc_secrec_add(hwc_secrec *r, const char *s, size_t n);
void hwc_secrec_range(hwc_secrec *r, size_t start, size_t end);
size_t hwc_secrec_count(const hwc_secrec *r);
hwc_str hwc_secrec_at(const hwc_secrec *r, size_t i);
size_t hwc_secrec_nranges(const hwc_secrec *r);
/* 0 when out of memory happened while collecting */
int hwc_secrec_ok(const hwc_secrec *r);

/* 1 when a field, header or parameter of this name holds a secret. */
int hwc_sensitive_name(const char *name, size_t n);

/* Appends to arena every distinct form of s and stores each as an (offset, length) pair in
 * spans[0..2*HWC_SECRET_FORMS); returns how many. Nothing for values under HWC_SCRUB_MIN. */
size_t hwc_secret_forms(sbuf *arena, const char *s, size_t n, size_t *spans);

/* Copies s[0..n) to out with every form in forms[] replaced by "***" (the longest match wins)
 * and the values after the prefixes above masked. Forms under HWC_SCRUB_MIN bytes are ignored
 * (hwc_secret_forms never makes them; masking every "a" would hide the text, not the secret). */
void hwc_scrub(sbuf *out, const char *s, size_t n, const hwc_str *forms, size_t nforms);

#endif
