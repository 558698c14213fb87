/* hash.c - SHA-256/SM3 and their HMACs through libcrypto's EVP; see hash.h.
 * OpenSSL 3 looks algorithms up by name on every implicit use, which costs more than
 * hashing a small request: digests and HMAC templates are fetched once per process. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <openssl/crypto.h>
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

/* Contexts are reused per thread: allocating and cleansing them per call cost more than the
 * hashing itself. Each algorithm's HMAC context stays keyed with the last key it saw (a client
 * signs with one SK), so most calls skip key setup. The copy kept to recognise that key belongs
 * to its algorithm's slot alone, and is wiped whenever it is replaced or freed. */
#define KEY_CACHE_MAX 128 /* longer keys are never cached */

typedef struct key_slot {
  EVP_MAC_CTX *mac;
  unsigned char key[KEY_CACHE_MAX]; /* the key mac is set to, when keyed */
  size_t keylen;
  int keyed;
} key_slot;

typedef struct thread_ctx {
  EVP_MD_CTX *md;
  key_slot slot[2]; /* indexed by hwc_alg */
} thread_ctx;

static void slot_forget(key_slot *k) {
  OPENSSL_cleanse(k->key, sizeof k->key);
  k->keylen = 0;
  k->keyed = 0;
}

static pthread_key_t ctx_key;
static pthread_once_t ctx_once = PTHREAD_ONCE_INIT;

static void thread_ctx_free(void *p) {
  thread_ctx *t = (thread_ctx *)p;
  int i;
  if (t == NULL) return;
  EVP_MD_CTX_free(t->md);
  for (i = 0; i < 2; i++) {
    EVP_MAC_CTX_free(t->slot[i].mac);
    slot_forget(&t->slot[i]);
  }
  free(t);
}

static int ctx_key_ok; /* pthread_key_create succeeded: without a key there is no context */
static void ctx_key_create(void) { ctx_key_ok = pthread_key_create(&ctx_key, thread_ctx_free) == 0; }

static thread_ctx *get_ctx(void) {
  thread_ctx *t;
  pthread_once(&once, fetch_all);
  pthread_once(&ctx_once, ctx_key_create);
  if (!ctx_key_ok) return NULL; /* the signer then fails: a config error, never a wrong signature */
  t = (thread_ctx *)pthread_getspecific(ctx_key);
  if (t == NULL) {
    t = (thread_ctx *)calloc(1, sizeof *t);
    if (t == NULL) return NULL;
    t->md = EVP_MD_CTX_new();
    if (t->md == NULL || pthread_setspecific(ctx_key, t) != 0) {
      thread_ctx_free(t);
      return NULL;
    }
  }
  return t;
}

int hwc_hash_hex(hwc_alg alg, const void *data, size_t len, char out[HWC_HEX_LEN + 1]) {
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0;
  thread_ctx *t = get_ctx();
  if (t == NULL || mds[alg] == NULL) return 0;
  if (!EVP_DigestInit_ex(t->md, mds[alg], NULL) || !EVP_DigestUpdate(t->md, data, len) ||
      !EVP_DigestFinal_ex(t->md, d, &n) || n != HWC_DIGEST_LEN)
    return 0;
  to_hex(d, out);
  return 1;
}

int hwc_hmac_hex(hwc_alg alg, const void *key, size_t keylen, const void *data, size_t len,
                 char out[HWC_HEX_LEN + 1]) {
  unsigned char d[EVP_MAX_MD_SIZE];
  size_t n = 0;
  int same;
  key_slot *k;
  thread_ctx *t = get_ctx();
  if (t == NULL || hmac_templates[alg] == NULL) return 0;
  k = &t->slot[alg];
  if (k->mac == NULL && (k->mac = EVP_MAC_CTX_dup(hmac_templates[alg])) == NULL) return 0;
  same = k->keyed && k->keylen == keylen && memcmp(k->key, key, keylen) == 0;
  if (!same) {
    slot_forget(k); /* before re-keying: a failure below must not leave the old key trusted */
    /* an empty key is still a key: a NULL pointer would mean "keep the previous one" */
    if (!EVP_MAC_init(k->mac, (const unsigned char *)(keylen ? key : ""), keylen, NULL)) return 0;
    if (keylen <= sizeof k->key) {
      memcpy(k->key, key, keylen);
      k->keylen = keylen;
      k->keyed = 1;
    }
  } else if (!EVP_MAC_init(k->mac, NULL, 0, NULL)) {
    slot_forget(k);
    return 0;
  }
  if (!EVP_MAC_update(k->mac, (const unsigned char *)data, len) || !EVP_MAC_final(k->mac, d, &n, sizeof d) ||
      n != HWC_DIGEST_LEN) {
    slot_forget(k);
    return 0;
  }
  to_hex(d, out);
  return 1;
}
