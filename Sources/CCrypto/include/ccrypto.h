#ifndef CCRYPTO_H
#define CCRYPTO_H
#include <stddef.h>

/* SHA-256 from OpenSSL's libcrypto (it uses the CPU's SHA extensions), loaded when first
 * needed (dlopen "libcrypto.so.3"), so the programs that never hash — previews — do not
 * map it (about 1.8 MB of resident memory in each process). */

/* A new SHA-256 context (an EVP_MD_CTX), NULL when libcrypto cannot be loaded. */
void *ccrypto_sha256_new(void);
/* Adds bytes; 1 on success. */
int ccrypto_sha256_update(void *context, const void *data, size_t count);
/* Writes the 32-byte digest; 1 on success. Call once. */
int ccrypto_sha256_final(void *context, unsigned char *digest);
/* Frees a context. */
void ccrypto_sha256_free(void *context);
/* The 32-byte digest of data; 1 on success, 0 when libcrypto cannot be loaded or fails. */
int ccrypto_sha256(const void *data, size_t count, unsigned char *digest);

#endif
