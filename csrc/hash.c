/* hash.c - SHA-256/SM3 and their HMACs through libcrypto's EVP; see hash.h.
 * OpenSSL 3 looks algorithms up by name on every implicit use, which costs more than
 * hashing a small request: digests and HMAC templates are fetched once per process. */
#include <pthread.h>
#include <string.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include "hash.h"

static const char *const alg_names[] = {"SDK-HMAC-SHA256", "SDK-HMAC-SM3"};
static const char *const md_names[] = {"SHA256", "SM3"};

static EVP_MD *mds[2];
static EVP_MAC_CTX *hmac_templates[2];
static pthread_once_t once = PTHREAD_ONCE_INIT;

static void fetch_all(void) {
  EVP_MAC *mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
  int i;
  for (i = 0; i < 2; i++) {
    mds[i] = EVP_MD_fetch(NULL, md_names[i], NULL);
    if (mac != NULL && mds[i] != NULL) {
      OSSL_PARAM params[2];
      EVP_MAC_CTX *ctx = EVP_MAC_CTX_new(mac);
      params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)md_names[i], 0);
      params[1] = OSSL_PARAM_construct_end();
      if (ctx != NULL && !EVP_MAC_CTX_set_params(ctx, params)) {
        EVP_MAC_CTX_free(ctx);
        ctx = NULL;
      }
      hmac_templates[i] = ctx;
    }
  }
  EVP_MAC_free(mac); /* the contexts hold their own reference */
}

const char *hwc_alg_name(hwc_alg alg) { return alg_names[alg]; }

int hwc_alg_parse(const char *name, hwc_alg *out) {
  int i;
  for (i = 0; i < 2; i++)
    if (strcmp(name, alg_names[i]) == 0) { *out = (hwc_alg)i; return 1; }
  return 0;
}

static void to_hex(const unsigned char *d, char *out) {
  static const char hex[] = "0123456789abcdef";
  int i;
  for (i = 0; i < HWC_DIGEST_LEN; i++) {
    out[2 * i] = hex[d[i] >> 4];
    out[2 * i + 1] = hex[d[i] & 15];
  }
  out[HWC_HEX_LEN] = '\0';
}

int hwc_hash_hex(hwc_alg alg, const void *data, size_t len, char out[HWC_HEX_LEN + 1]) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  pthread_once(&once, fetch_all);
  if (mds[alg] == NULL || !EVP_Digest(data, len, d, &n, mds[alg], NULL) || n != HWC_DIGEST_LEN)
    return 0;
  to_hex(d, out);
  return 1;
}

int hwc_hmac_hex(hwc_alg alg, const void *key, size_t keylen, const void *data, size_t len,
                 char out[HWC_HEX_LEN + 1]) {
  unsigned char d[EVP_MAX_MD_SIZE];
  size_t n = 0;
  int ok;
  EVP_MAC_CTX *ctx;
  pthread_once(&once, fetch_all);
  if (hmac_templates[alg] == NULL || (ctx = EVP_MAC_CTX_dup(hmac_templates[alg])) == NULL) return 0;
  /* HMAC accepts an empty key; a NULL pointer would mean "keep the previous key" */
  ok = EVP_MAC_init(ctx, (const unsigned char *)(keylen ? key : ""), keylen, NULL) &&
       EVP_MAC_update(ctx, (const unsigned char *)data, len) &&
       EVP_MAC_final(ctx, d, &n, sizeof d) && n == HWC_DIGEST_LEN;
  EVP_MAC_CTX_free(ctx);
  if (ok) to_hex(d, out);
  return ok;
}
