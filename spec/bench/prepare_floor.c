/* prepare_floor.c - the floor core.prepare is measured against: the same body bytes, URL and
 * SDK-HMAC-SHA256 signature made in plain C with libcrypto, nothing else (no validation, no Lua).
 *   prepare_floor DATE AK SK HOST PATH PROJECT BODY_FILE N  ->  "cpu_ns_per_op Authorization"
 * Each op copies the body (as a marshaler writes it), builds the URL and the canonical request,
 * hashes, HMACs and formats the Authorization header; run.lua checks that header equals the
 * SDK's, so both sides did the same work. As the best plain C would: the digest fetched once,
 * the HMAC keyed once (OpenSSL 3). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include "floor.h"

static void hex(const unsigned char *d, size_t n, char *out) {
  static const char digits[] = "0123456789abcdef";
  size_t i;
  for (i = 0; i < n; i++) {
    out[2 * i] = digits[d[i] >> 4];
    out[2 * i + 1] = digits[d[i] & 15];
  }
}

/* The SHA-256 of d[0..n), as 64 hex digits into out (ctx is reused: a fetched digest). */
static void sha256_hex(EVP_MD_CTX *ctx, const EVP_MD *sha256, const void *d, size_t n, char *out) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int mdlen;
  EVP_DigestInit_ex(ctx, sha256, NULL);
  EVP_DigestUpdate(ctx, d, n);
  EVP_DigestFinal_ex(ctx, md, &mdlen);
  hex(md, 32, out);
}

#define ADD(s, n) (memcpy(p, (s), (n)), p += (n))
#define ADDS(s) ADD((s), strlen(s))

typedef struct floor_run {
  const char *date, *ak, *sk, *host, *path, *project;
  char *body, *copy, *canon, *url, sts[128], auth[512], hbody[64], hcanon[64], hsig[64];
  size_t blen;
  EVP_MD_CTX *ctx;
  EVP_MD *sha256;
  EVP_MAC *mac;
  EVP_MAC_CTX *hmac;
} floor_run;

static int setup(floor_run *f) {
  OSSL_PARAM params[2];
  f->copy = malloc(f->blen + 1);
  f->canon = malloc(f->blen + 4096);
  f->url = malloc(4096);
  f->ctx = EVP_MD_CTX_new();
  f->sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
  f->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  f->hmac = f->mac ? EVP_MAC_CTX_new(f->mac) : NULL;
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
  params[1] = OSSL_PARAM_construct_end();
  return f->copy && f->canon && f->url && f->ctx && f->sha256 && f->hmac &&
         EVP_MAC_init(f->hmac, (const unsigned char *)f->sk, strlen(f->sk), params);
}

/* One request's bytes and signature, the least work they take: copy the body, write the URL,
 * hash the body, write and hash the canonical request, HMAC the string to sign. */
static void one(floor_run *f) {
  unsigned char md[32];
  size_t clen, maclen;
  char *p;
  memcpy(f->copy, f->body, f->blen); /* the marshaled body */
  p = f->url;
  ADDS("https://");
  ADDS(f->host);
  ADDS(f->path);
  *p = '\0';
  sha256_hex(f->ctx, f->sha256, f->copy, f->blen, f->hbody);
  p = f->canon;
  ADDS("POST\n");
  ADDS(f->path);
  ADDS("/\n\ncontent-type:application/json\nhost:");
  ADDS(f->host);
  ADDS("\nx-project-id:");
  ADDS(f->project);
  ADDS("\nx-sdk-date:");
  ADDS(f->date);
  ADDS("\n\ncontent-type;host;x-project-id;x-sdk-date\n");
  ADD(f->hbody, 64);
  clen = (size_t)(p - f->canon);
  sha256_hex(f->ctx, f->sha256, f->canon, clen, f->hcanon);
  p = f->sts;
  ADDS("SDK-HMAC-SHA256\n");
  ADDS(f->date);
  ADDS("\n");
  ADD(f->hcanon, 64);
  EVP_MAC_init(f->hmac, NULL, 0, NULL);
  EVP_MAC_update(f->hmac, (const unsigned char *)f->sts, (size_t)(p - f->sts));
  EVP_MAC_final(f->hmac, md, &maclen, sizeof md);
  hex(md, 32, f->hsig);
  p = f->auth;
  ADDS("SDK-HMAC-SHA256 Access=");
  ADDS(f->ak);
  ADDS(", SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=");
  ADD(f->hsig, 64);
  *p = '\0';
}

int main(int argc, char **argv) {
  floor_run f;
  size_t i, n;
  double c0, c1;
  memset(&f, 0, sizeof f);
  if (argc != 9) {
    fprintf(stderr, "usage: %s DATE AK SK HOST PATH PROJECT BODY_FILE N\n", argv[0]);
    return 2;
  }
  f.date = argv[1], f.ak = argv[2], f.sk = argv[3], f.host = argv[4], f.path = argv[5], f.project = argv[6];
  f.body = slurp(argv[7], &f.blen);
  n = (size_t)atol(argv[8]);
  if (!f.body || n < 1 || !setup(&f)) return 2;
  c0 = cpu_seconds();
  for (i = 0; i < n; i++) one(&f);
  c1 = cpu_seconds();
  printf("%.1f %s\n", (c1 - c0) / (double)n * 1e9, f.auth);
  EVP_MD_CTX_free(f.ctx);
  EVP_MD_free(f.sha256);
  EVP_MAC_CTX_free(f.hmac);
  EVP_MAC_free(f.mac);
  free(f.body);
  free(f.copy);
  free(f.canon);
  free(f.url);
  return 0;
}
