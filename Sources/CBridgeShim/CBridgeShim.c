// The shim is header-only (static inline) but for HMAC-SHA1, whose low-level SHA-1 calls OpenSSL 3 marks
// deprecated; they are kept here, the one place that uses them, because they allocate nothing.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "CBridgeShim.h"
#include <string.h>

void mb_hmac_sha1_key_init(mb_hmac_sha1_key *key, const uint8_t *secret, size_t length) {
    uint8_t block[SHA_CBLOCK] = { 0 };
    if (length > SHA_CBLOCK) {
        SHA1(secret, length, block);
    } else if (length > 0) {
        memcpy(block, secret, length);
    }
    uint8_t pad[SHA_CBLOCK];
    for (size_t i = 0; i < SHA_CBLOCK; i++) pad[i] = block[i] ^ 0x36;
    SHA1_Init(&key->inner);
    SHA1_Update(&key->inner, pad, SHA_CBLOCK);
    for (size_t i = 0; i < SHA_CBLOCK; i++) pad[i] = block[i] ^ 0x5c;
    SHA1_Init(&key->outer);
    SHA1_Update(&key->outer, pad, SHA_CBLOCK);
}

void mb_hmac_sha1(const mb_hmac_sha1_key *key, const void *first, size_t first_length,
                  const void *second, size_t second_length, uint8_t digest[20]) {
    SHA_CTX context = key->inner;
    SHA1_Update(&context, first, first_length);
    SHA1_Update(&context, second, second_length);
    uint8_t inner[SHA_DIGEST_LENGTH];
    SHA1_Final(inner, &context);
    context = key->outer;
    SHA1_Update(&context, inner, SHA_DIGEST_LENGTH);
    SHA1_Final(digest, &context);
}
