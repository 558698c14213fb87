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

int main(int argc, char **argv) {
  const char *date, *ak, *sk, *host, *path, *project;
  char *body, *copy, *canon, *url, sts[128], auth[512], hbody[64], hcanon[64], hsig[64], *p;
  unsigned char md[32];
  size_t blen = 0, i, n, sklen, clen, maclen;
  double c0, c1;
  EVP_MD_CTX *ctx;
  EVP_MD *sha256;
  EVP_MAC *mac;
  EVP_MAC_CTX *hmac;
  OSSL_PARAM params[2];
  if (argc != 9) {
    fprintf(stderr, "usage: %s DATE AK SK HOST PATH PROJECT BODY_FILE N\n", argv[0]);
    return 2;
  }
  date = argv[1], ak = argv[2], sk = argv[3], host = argv[4], path = argv[5], project = argv[6];
  body = slurp(argv[7], &blen);
  n = (size_t)atol(argv[8]);
  if (!body || n < 1) return 2;
  sklen = strlen(sk);
  copy = malloc(blen + 1);
  canon = malloc(blen + 4096);
  url = malloc(4096);
  ctx = EVP_MD_CTX_new();
  sha256 = EVP_MD_fetch(NULL, "SHA256", NULL);
  mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  hmac = mac ? EVP_MAC_CTX_new(mac) : NULL;
  params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, "SHA256", 0);
  params[1] = OSSL_PARAM_construct_end();
  if (!copy || !canon || !url || !ctx || !sha256 || !hmac ||
      !EVP_MAC_init(hmac, (const unsigned char *)sk, sklen, params))
    return 2;
  c0 = cpu_seconds();
  for (i = 0; i < n; i++) {
    memcpy(copy, body, blen); /* the marshaled body */
    p = url;
    ADDS("https://");
    ADDS(host);
    ADDS(path);
    *p = '\0';
    sha256_hex(ctx, sha256, copy, blen, hbody);
    p = canon;
    ADDS("POST\n");
    ADDS(path);
    ADDS("/\n\ncontent-type:application/json\nhost:");
    ADDS(host);
    ADDS("\nx-project-id:");
    ADDS(project);
    ADDS("\nx-sdk-date:");
    ADDS(date);
    ADDS("\n\ncontent-type;host;x-project-id;x-sdk-date\n");
    ADD(hbody, 64);
    clen = (size_t)(p - canon);
    sha256_hex(ctx, sha256, canon, clen, hcanon);
    p = sts;
    ADDS("SDK-HMAC-SHA256\n");
    ADDS(date);
    ADDS("\n");
    ADD(hcanon, 64);
    EVP_MAC_init(hmac, NULL, 0, NULL);
    EVP_MAC_update(hmac, (const unsigned char *)sts, (size_t)(p - sts));
    EVP_MAC_final(hmac, md, &maclen, sizeof md);
    hex(md, 32, hsig);
    p = auth;
    ADDS("SDK-HMAC-SHA256 Access=");
    ADDS(ak);
    ADDS(", SignedHeaders=content-type;host;x-project-id;x-sdk-date, Signature=");
    ADD(hsig, 64);
    *p = '\0';
  }
  c1 = cpu_seconds();
  printf("%.1f %s\n", (c1 - c0) / (double)n * 1e9, auth);
  EVP_MD_CTX_free(ctx);
  EVP_MD_free(sha256);
  EVP_MAC_CTX_free(hmac);
  EVP_MAC_free(mac);
  free(body);
  free(copy);
  free(canon);
  free(url);
  return 0;
}
