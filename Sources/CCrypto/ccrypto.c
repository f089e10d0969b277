#include "ccrypto.h"
#include <dlfcn.h>
#include <pthread.h>
#include <openssl/evp.h>

/* The libcrypto functions used, resolved once. */
static struct {
    __typeof__(&EVP_MD_CTX_new) ctx_new;
    __typeof__(&EVP_MD_CTX_free) ctx_free;
    __typeof__(&EVP_sha256) sha256;
    __typeof__(&EVP_DigestInit_ex) init;
    __typeof__(&EVP_DigestUpdate) update;
    __typeof__(&EVP_DigestFinal_ex) final;
    __typeof__(&EVP_Digest) digest;
    int loaded;
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *h = dlopen("libcrypto.so.3", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
#define SYM(field, name) if (!(lib.field = (__typeof__(lib.field))dlsym(h, name))) return;
    SYM(ctx_new, "EVP_MD_CTX_new")
    SYM(ctx_free, "EVP_MD_CTX_free")
    SYM(sha256, "EVP_sha256")
    SYM(init, "EVP_DigestInit_ex")
    SYM(update, "EVP_DigestUpdate")
    SYM(final, "EVP_DigestFinal_ex")
    SYM(digest, "EVP_Digest")
#undef SYM
    lib.loaded = 1;
}

void *ccrypto_sha256_new(void) {
    pthread_once(&once, load);
    if (!lib.loaded) return NULL;
    EVP_MD_CTX *c = lib.ctx_new();
    if (c && lib.init(c, lib.sha256(), NULL) != 1) { lib.ctx_free(c); return NULL; }
    return c;
}

/* Only reached with a context from ccrypto_sha256_new: the library is loaded. */
int ccrypto_sha256_update(void *context, const void *data, size_t count) {
    return lib.update((EVP_MD_CTX *)context, data, count);
}

int ccrypto_sha256_final(void *context, unsigned char *digest) {
    unsigned int length = 0;
    return lib.final((EVP_MD_CTX *)context, digest, &length) == 1 && length == 32;
}

void ccrypto_sha256_free(void *context) {
    if (context) lib.ctx_free((EVP_MD_CTX *)context);
}

int ccrypto_sha256(const void *data, size_t count, unsigned char *digest) {
    pthread_once(&once, load);
    if (!lib.loaded) return 0;
    unsigned int length = 0;
    return lib.digest(data, count, digest, &length, lib.sha256(), NULL) == 1 && length == 32;
}
