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
