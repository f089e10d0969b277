#define _GNU_SOURCE
#include "atomics.h"
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <string.h>
#include <xxhash.h>
#include "ccrypto.h"
#if defined(__x86_64__) || defined(__i386__)
#include <xxh_x86dispatch.h>
#define GUARD_XXH3_UPDATE XXH3_64bits_update_dispatch
#define GUARD_XXH3 XXH3_64bits_dispatch
#else
#define GUARD_XXH3_UPDATE XXH3_64bits_update
#define GUARD_XXH3 XXH3_64bits
#endif

/* A SIGBUS inside a guarded call (a mapped file that shrank) jumps back to the call,
 * which reports it; any other SIGBUS goes to the handler that was there before.
 *
 * The pointer is volatile, and every guarded body sits between compiler barriers: the
 * optimiser sees only that memcpy/memcmp never read it, so without both it drops the
 * store before the body (-O1 and up did: the guard existed only in debug builds). */
static __thread sigjmp_buf *volatile guard_jump;
#define GUARD_BARRIER() __asm__ __volatile__("" ::: "memory")
static struct sigaction previous;
static pthread_once_t installed = PTHREAD_ONCE_INIT;

static void on_bus(int sig, siginfo_t *info, void *context) {
    sigjmp_buf *jump = guard_jump;
    if (jump) {
        guard_jump = NULL;
        siglongjmp(*jump, 1);
    }
    /* Not ours: put the previous disposition back; returning re-runs the faulting
     * access, which then reaches it. */
    (void)info; (void)context;
    sigaction(sig, &previous, NULL);
}

static void install(void) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_bus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGBUS, &sa, &previous);
}

/* sigsetjmp(…, 0): no signal mask to save or restore (a system call per guarded call),
 * because the handler runs with SA_NODEFER and so never leaves SIGBUS blocked. */
#define GUARDED(body)                                   \
    pthread_once(&installed, install);                  \
    sigjmp_buf jump;                                    \
    if (sigsetjmp(jump, 0) != 0) return -1;             \
    guard_jump = &jump;                                 \
    GUARD_BARRIER();                                    \
    body;                                               \
    GUARD_BARRIER();                                    \
    guard_jump = NULL;                                  \
    return 0;

int catomics_guarded_copy(void *dst, const void *src, size_t count) {
    GUARDED(memcpy(dst, src, count))
}

#if defined(__x86_64__)
#include <emmintrin.h>
static void stream_copy(void *dst, const void *src, size_t count) {
    unsigned char *d = dst;
    const unsigned char *s = src;
    /* Streaming stores may pass earlier ordinary ones (the slot's busy mark and fill
     * tag): those are out first. */
    _mm_sfence();
    size_t head = (size_t)(-(uintptr_t)d & 63);
    if (head > count) head = count;
    memcpy(d, s, head);
    d += head; s += head; count -= head;
    for (; count >= 64; count -= 64, d += 64, s += 64) {
        __m128i a = _mm_loadu_si128((const __m128i *)s), b = _mm_loadu_si128((const __m128i *)(s + 16));
        __m128i c = _mm_loadu_si128((const __m128i *)(s + 32)), e = _mm_loadu_si128((const __m128i *)(s + 48));
        _mm_stream_si128((__m128i *)d, a);
        _mm_stream_si128((__m128i *)(d + 16), b);
        _mm_stream_si128((__m128i *)(d + 32), c);
        _mm_stream_si128((__m128i *)(d + 48), e);
    }
    memcpy(d, s, count);
    _mm_sfence();  /* the streamed stores are visible before any later store (a progress report) */
}
#else
#define stream_copy memcpy
#endif

int catomics_guarded_stream_copy(void *dst, const void *src, size_t count) {
    GUARDED(stream_copy(dst, src, count))
}

#if defined(__x86_64__)
/* XXH3-64 (seed 0, the default secret) of a long input, computed while it is streamed
 * into place: each 64-byte stripe is loaded once, stored with streaming stores and
 * accumulated from the same registers, so the hash costs arithmetic, not a second pass
 * over memory. This is xxHash's own long-input loop (XXH3_hashLong_64b with
 * XXH3_accumulate_512_avx2 and XXH3_scrambleAcc_avx2, v0.8); the tests hold it equal to
 * XXH3_64bits for every length. Only blocks before the last are done here; the digest
 * reads the rest (under 1 KiB plus the last stripe) from the source. */
#define SXXH_SECRET_SIZE 192
#define SXXH_BLOCK 1024      /* 16 stripes of 64 bytes: (192 - 64) / 8 */
#define SXXH_PRIME32_1 0x9E3779B1U
#define SXXH_PRIME32_2 0x85EBCA77U
#define SXXH_PRIME32_3 0xC2B2AE3DU
#define SXXH_PRIME64_1 0x9E3779B185EBCA87ULL
#define SXXH_PRIME64_2 0xC2B2AE3D27D4EB4FULL
#define SXXH_PRIME64_3 0x165667B19E3779F9ULL
#define SXXH_PRIME64_4 0x85EBCA77C2B2AE63ULL
#define SXXH_PRIME64_5 0x27D4EB2F165667C5ULL

/* XXH3_kSecret (xxhash.h keeps it static). */
static const unsigned char sxxh_secret[SXXH_SECRET_SIZE] __attribute__((aligned(64))) = {
    0xb8, 0xfe, 0x6c, 0x39, 0x23, 0xa4, 0x4b, 0xbe, 0x7c, 0x01, 0x81, 0x2c, 0xf7, 0x21, 0xad, 0x1c,
    0xde, 0xd4, 0x6d, 0xe9, 0x83, 0x90, 0x97, 0xdb, 0x72, 0x40, 0xa4, 0xa4, 0xb7, 0xb3, 0x67, 0x1f,
    0xcb, 0x79, 0xe6, 0x4e, 0xcc, 0xc0, 0xe5, 0x78, 0x82, 0x5a, 0xd0, 0x7d, 0xcc, 0xff, 0x72, 0x21,
    0xb8, 0x08, 0x46, 0x74, 0xf7, 0x43, 0x24, 0x8e, 0xe0, 0x35, 0x90, 0xe6, 0x81, 0x3a, 0x26, 0x4c,
    0x3c, 0x28, 0x52, 0xbb, 0x91, 0xc3, 0x00, 0xcb, 0x88, 0xd0, 0x65, 0x8b, 0x1b, 0x53, 0x2e, 0xa3,
    0x71, 0x64, 0x48, 0x97, 0xa2, 0x0d, 0xf9, 0x4e, 0x38, 0x19, 0xef, 0x46, 0xa9, 0xde, 0xac, 0xd8,
    0xa8, 0xfa, 0x76, 0x3f, 0xe3, 0x9c, 0x34, 0x3f, 0xf9, 0xdc, 0xbb, 0xc7, 0xc7, 0x0b, 0x4f, 0x1d,
    0x8a, 0x51, 0xe0, 0x4b, 0xcd, 0xb4, 0x59, 0x31, 0xc8, 0x9f, 0x7e, 0xc9, 0xd9, 0x78, 0x73, 0x64,
    0xea, 0xc5, 0xac, 0x83, 0x34, 0xd3, 0xeb, 0xc3, 0xc5, 0x81, 0xa0, 0xff, 0xfa, 0x13, 0x63, 0xeb,
    0x17, 0x0d, 0xdd, 0x51, 0xb7, 0xf0, 0xda, 0x49, 0xd3, 0x16, 0x55, 0x26, 0x29, 0xd4, 0x68, 0x9e,
    0x2b, 0x16, 0xbe, 0x58, 0x7d, 0x47, 0xa1, 0xfc, 0x8f, 0xf8, 0xb8, 0xd1, 0x7a, 0xd0, 0x31, 0xce,
    0x45, 0xcb, 0x3a, 0x8f, 0x95, 0x16, 0x04, 0x28, 0xaf, 0xd7, 0xfb, 0xca, 0xbb, 0x4b, 0x40, 0x7e,
};

#include <immintrin.h>
#define SXXH_AVX2 __attribute__((target("avx2")))

int catomics_stream_copy_xxh3_available(void) {
    return __builtin_cpu_supports("avx2");
}

void catomics_stream_copy_xxh3_reset(catomics_xxh3_stream *state) {
    static const uint64_t init[8] = {
        SXXH_PRIME32_3, SXXH_PRIME64_1, SXXH_PRIME64_2, SXXH_PRIME64_3,
        SXXH_PRIME64_4, SXXH_PRIME32_2, SXXH_PRIME64_5, SXXH_PRIME32_1,
    };
    memcpy(state->acc, init, sizeof init);
    state->blocks = 0;
}

SXXH_AVX2 static inline void sxxh_accumulate(__m256i *acc, __m256i d0, __m256i d1, const unsigned char *secret) {
    __m256i k0 = _mm256_xor_si256(d0, _mm256_loadu_si256((const __m256i *)secret));
    __m256i k1 = _mm256_xor_si256(d1, _mm256_loadu_si256((const __m256i *)(secret + 32)));
    __m256i p0 = _mm256_mul_epu32(k0, _mm256_shuffle_epi32(k0, _MM_SHUFFLE(0, 3, 0, 1)));
    __m256i p1 = _mm256_mul_epu32(k1, _mm256_shuffle_epi32(k1, _MM_SHUFFLE(0, 3, 0, 1)));
    acc[0] = _mm256_add_epi64(p0, _mm256_add_epi64(acc[0], _mm256_shuffle_epi32(d0, _MM_SHUFFLE(1, 0, 3, 2))));
    acc[1] = _mm256_add_epi64(p1, _mm256_add_epi64(acc[1], _mm256_shuffle_epi32(d1, _MM_SHUFFLE(1, 0, 3, 2))));
}

SXXH_AVX2 static inline __m256i sxxh_scramble1(__m256i a, const unsigned char *secret) {
    const __m256i prime = _mm256_set1_epi32((int)SXXH_PRIME32_1);
    __m256i k = _mm256_xor_si256(_mm256_xor_si256(a, _mm256_srli_epi64(a, 47)), _mm256_loadu_si256((const __m256i *)secret));
    __m256i lo = _mm256_mul_epu32(k, prime);
    __m256i hi = _mm256_mul_epu32(_mm256_shuffle_epi32(k, _MM_SHUFFLE(0, 3, 0, 1)), prime);
    return _mm256_add_epi64(lo, _mm256_slli_epi64(hi, 32));
}

/* Streams `count` bytes of whole blocks from src to dst (32-byte aligned), hashing them. */
SXXH_AVX2 static void sxxh_copy_blocks(catomics_xxh3_stream *state, unsigned char *dst, const unsigned char *src, size_t blocks) {
    __m256i acc[2] = {_mm256_loadu_si256((const __m256i *)state->acc), _mm256_loadu_si256((const __m256i *)(state->acc + 4))};
    const unsigned char *scramble = sxxh_secret + SXXH_SECRET_SIZE - 64;
    for (size_t b = 0; b < blocks; b++, dst += SXXH_BLOCK, src += SXXH_BLOCK) {
        for (size_t s = 0; s < SXXH_BLOCK / 64; s++) {
            __m256i d0 = _mm256_loadu_si256((const __m256i *)(src + 64 * s));
            __m256i d1 = _mm256_loadu_si256((const __m256i *)(src + 64 * s + 32));
            _mm256_stream_si256((__m256i *)(dst + 64 * s), d0);
            _mm256_stream_si256((__m256i *)(dst + 64 * s + 32), d1);
            sxxh_accumulate(acc, d0, d1, sxxh_secret + 8 * s);
        }
        acc[0] = sxxh_scramble1(acc[0], scramble);
        acc[1] = sxxh_scramble1(acc[1], scramble + 32);
    }
    _mm256_storeu_si256((__m256i *)state->acc, acc[0]);
    _mm256_storeu_si256((__m256i *)(state->acc + 4), acc[1]);
    state->blocks += blocks;
}

/* Blocks XXH3 hashes whole (with their scramble) in an input of `total` (> 240) bytes. */
static size_t sxxh_whole_blocks(size_t total) { return (total - 1) / SXXH_BLOCK; }

static void stream_copy_xxh3(catomics_xxh3_stream *state, void *dst, const void *src, size_t count, size_t total) {
    size_t left = sxxh_whole_blocks(total) - state->blocks;
    size_t blocks = count / SXXH_BLOCK < left ? count / SXXH_BLOCK : left;
    _mm_sfence();  /* as stream_copy: earlier ordinary stores are out first */
    sxxh_copy_blocks(state, dst, src, blocks);
    size_t done = blocks * SXXH_BLOCK;
    if (done < count) stream_copy((unsigned char *)dst + done, (const unsigned char *)src + done, count - done);
    _mm_sfence();
}

int catomics_guarded_stream_copy_xxh3(catomics_xxh3_stream *state, void *dst, const void *src, size_t count, size_t total) {
    GUARDED(stream_copy_xxh3(state, dst, src, count, total))
}

static uint64_t sxxh_read64(const unsigned char *p) { uint64_t v; memcpy(&v, p, 8); return v; }

/* The 64x64 -> 128 multiply folded to 64 bits (XXH3_mul128_fold64). */
static uint64_t sxxh_fold(uint64_t a, uint64_t b) {
    __uint128_t product = (__uint128_t)a * b;
    return (uint64_t)product ^ (uint64_t)(product >> 64);
}

static void sxxh_accumulate_scalar(uint64_t *acc, const unsigned char *input, const unsigned char *secret) {
    for (int i = 0; i < 8; i++) {
        uint64_t data = sxxh_read64(input + 8 * i);
        uint64_t key = data ^ sxxh_read64(secret + 8 * i);
        acc[i ^ 1] += data;
        acc[i] += (uint64_t)(uint32_t)key * (key >> 32);
    }
}

uint64_t catomics_stream_copy_xxh3_digest(catomics_xxh3_stream *state, const void *source, size_t total) {
    const unsigned char *input = source;
    uint64_t acc[8];
    memcpy(acc, state->acc, sizeof acc);
    /* the last, partial block's stripes, then the last stripe (XXH_SECRET_LASTACC_START 7) */
    size_t start = sxxh_whole_blocks(total) * SXXH_BLOCK;
    size_t stripes = (total - 1 - start) / 64;
    for (size_t s = 0; s < stripes; s++) sxxh_accumulate_scalar(acc, input + start + 64 * s, sxxh_secret + 8 * s);
    sxxh_accumulate_scalar(acc, input + total - 64, sxxh_secret + SXXH_SECRET_SIZE - 64 - 7);
    /* XXH3_mergeAccs from XXH_SECRET_MERGEACCS_START (11), then XXH3_avalanche */
    uint64_t h = (uint64_t)total * SXXH_PRIME64_1;
    for (int i = 0; i < 4; i++) {
        const unsigned char *k = sxxh_secret + 11 + 16 * i;
        h += sxxh_fold(acc[2 * i] ^ sxxh_read64(k), acc[2 * i + 1] ^ sxxh_read64(k + 8));
    }
    h ^= h >> 37;
    h *= 0x165667919E3779F9ULL;
    return h ^ (h >> 32);
}
#else
/* Elsewhere there is no fused path: the caller copies, then hashes. */
int catomics_stream_copy_xxh3_available(void) { return 0; }
void catomics_stream_copy_xxh3_reset(catomics_xxh3_stream *state) { memset(state, 0, sizeof *state); }
int catomics_guarded_stream_copy_xxh3(catomics_xxh3_stream *state, void *dst, const void *src, size_t count, size_t total) {
    (void)state; (void)dst; (void)src; (void)count; (void)total;
    return -1;
}
uint64_t catomics_stream_copy_xxh3_digest(catomics_xxh3_stream *state, const void *source, size_t total) {
    (void)state; (void)source; (void)total;
    return 0;
}
#endif

int catomics_guarded_xxh3_update(void *state, const void *src, size_t count) {
    GUARDED(GUARD_XXH3_UPDATE((XXH3_state_t *)state, src, count))
}

int catomics_guarded_xxh3(const void *src, size_t count, uint64_t *hash) {
    GUARDED(*hash = GUARD_XXH3(src, count))
}

int catomics_guarded_sha256_update(void *context, const void *src, size_t count) {
    GUARDED(ccrypto_sha256_update(context, src, count))
}

int catomics_guarded_compare(const void *a, const void *b, size_t count, int *equal) {
    GUARDED(*equal = memcmp(a, b, count) == 0)
}
