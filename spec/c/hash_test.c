/* hash_test.c - the hash unit on its own, no Lua: HMACs with many keys and both algorithms
 * interleaved in one thread must each equal libcrypto's one-shot HMAC() of the same input
 * (which keeps no state between calls). Prints "ok" and exits 0, else names the case. */
#include <stdio.h>
#include <string.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include "hash.h"

static int failures;

static void reference(hwc_alg alg, const char *key, size_t kn, const char *data, size_t dn, char out[65]) {
  static const char hex[] = "0123456789abcdef";
  unsigned char d[EVP_MAX_MD_SIZE];
  unsigned int n = 0, i;
  const EVP_MD *md = alg == HWC_ALG_SHA256 ? EVP_sha256() : EVP_sm3();
  HMAC(md, kn ? key : "", (int)kn, (const unsigned char *)data, dn, d, &n);
  for (i = 0; i < n; i++) {
    out[2 * i] = hex[d[i] >> 4];
    out[2 * i + 1] = hex[d[i] & 15];
  }
  out[2 * n] = '\0';
}

static void check(hwc_alg alg, const char *key, size_t kn, const char *data, const char *what) {
  char got[HWC_HEX_LEN + 1], want[2 * EVP_MAX_MD_SIZE + 1];
  reference(alg, key, kn, data, strlen(data), want);
  if (!hwc_hmac_hex(alg, key, kn, data, strlen(data), got) || strcmp(got, want) != 0) {
    printf("FAIL %s: alg %s key %.*s: got %s want %s\n", what, hwc_alg_name(alg), (int)kn, key, got, want);
    failures++;
  }
}

int main(void) {
  /* Huawei SKs are 40 characters: a length check alone can never tell them apart */
  char keys[16][41];
  char longkey[300];
  int i, j;
  for (i = 0; i < 16; i++) {
    for (j = 0; j < 40; j++) keys[i][j] = (char)('A' + (i * 7 + j) % 26);
    keys[i][40] = '\0';
  }
  /* the case the issue measured: (SHA256, SK1), (SM3, SK2), (SHA256, SK2) */
  check(HWC_ALG_SHA256, keys[0], 40, "sts", "sha256 sk1");
  check(HWC_ALG_SM3, keys[1], 40, "sts", "sm3 sk2");
  check(HWC_ALG_SHA256, keys[1], 40, "sts", "sha256 sk2 after sm3 sk2");
  /* many pairs, both algorithms, every order, repeated keys */
  for (i = 0; i < 2000; i++) {
    int k = (i * 5 + i / 3) % 16;
    hwc_alg alg = (i % 3 == 0 || i % 7 == 0) ? HWC_ALG_SM3 : HWC_ALG_SHA256;
    char data[32];
    snprintf(data, sizeof data, "string to sign %d", i);
    check(alg, keys[k], 40, data, "interleaved");
    check(alg, keys[k], 40, data, "same key again");
  }
  /* keys of other lengths, the empty key, and a key too long to be cached */
  memset(longkey, 'z', sizeof longkey);
  for (i = 0; i < 4; i++) {
    check(HWC_ALG_SHA256, keys[2], 39, "x", "prefix key");
    check(HWC_ALG_SHA256, keys[2], 40, "x", "full key after prefix");
    check(HWC_ALG_SM3, "", 0, "x", "empty key");
    check(HWC_ALG_SM3, longkey, sizeof longkey, "x", "long key");
    check(HWC_ALG_SM3, longkey, sizeof longkey - 1, "x", "long key, one shorter");
    check(HWC_ALG_SHA256, keys[3], 40, "x", "after long key");
  }
  if (failures) return 1;
  printf("ok\n");
  return 0;
}
