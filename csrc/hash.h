/* hash.h - the digests and MACs request signing needs, from OpenSSL libcrypto (EVP).
 * No Lua, no I/O. Both algorithms produce 32-byte digests, written as 64 lower-case hex
 * characters plus a NUL. Functions return 1 on success, 0 when libcrypto fails. */
#ifndef HWC_HASH_H
#define HWC_HASH_H

#include <stddef.h>

#define HWC_DIGEST_LEN 32
#define HWC_HEX_LEN 64

typedef enum hwc_alg { HWC_ALG_SHA256 = 0, HWC_ALG_SM3 = 1 } hwc_alg;

/* "SDK-HMAC-SHA256" or "SDK-HMAC-SM3": the name in the string to sign and Authorization. */
const char *hwc_alg_name(hwc_alg alg);
/* Parse an algorithm name as above; returns 0 and leaves *out alone when unknown. */
int hwc_alg_parse(const char *name, hwc_alg *out);

int hwc_hash_hex(hwc_alg alg, const void *data, size_t len, char out[HWC_HEX_LEN + 1]);
int hwc_hmac_hex(hwc_alg alg, const void *key, size_t keylen, const void *data, size_t len,
                 char out[HWC_HEX_LEN + 1]);

#endif
