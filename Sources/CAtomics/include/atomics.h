/* Atomics, fences and futexes on mapped memory, which Swift cannot express on a raw pointer.
 * Private to SharedMemory: C programs use blob_segment.h and blob_mutex.h instead. */
#ifndef CATOMICS_H
#define CATOMICS_H

#include <stdint.h>
#include <stdatomic.h>
#include <stddef.h>
#include <sys/file.h>

static inline uint64_t catomics_load_acquire_u64(const void *p) {
    return atomic_load_explicit((const _Atomic uint64_t *)p, memory_order_acquire);
}
static inline void catomics_store_release_u64(void *p, uint64_t v) {
    atomic_store_explicit((_Atomic uint64_t *)p, v, memory_order_release);
}
static inline void catomics_store_relaxed_u64(void *p, uint64_t v) {
    atomic_store_explicit((_Atomic uint64_t *)p, v, memory_order_relaxed);
}
static inline uint32_t catomics_load_acquire_u32(const void *p) {
    return atomic_load_explicit((const _Atomic uint32_t *)p, memory_order_acquire);
}
static inline void catomics_store_release_u32(void *p, uint32_t v) {
    atomic_store_explicit((_Atomic uint32_t *)p, v, memory_order_release);
}
static inline void catomics_fence_acquire(void) { atomic_thread_fence(memory_order_acquire); }
static inline void catomics_fence_release(void) { atomic_thread_fence(memory_order_release); }
static inline void catomics_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

/* Waits while the 32-bit word at addr equals expected, for at most timeout_ns
 * (negative: no limit). A shared (not private) futex, so waiters in other processes
 * are woken. Returns 0 when woken or the value differed, else an errno value
 * (ETIMEDOUT, EINTR). The corresponding system call is futex(FUTEX_WAIT). */
int catomics_futex_wait(void *addr, uint32_t expected, int64_t timeout_ns);

/* Wakes every waiter on the 32-bit word at addr. The corresponding system call is
 * futex(FUTEX_WAKE). */
int catomics_futex_wake_all(void *addr);

/* flock(2), whose name Swift confuses with struct flock. */
static inline int catomics_flock(int fd, int op) { return flock(fd, op); }

/* Copy and hash memory of a shared mapping; return 0, or -1 when the mapping turned out
 * shorter than its pages (SIGBUS: the file behind it shrank), having done nothing more.
 * The state is an XXH3_state_t. */
int catomics_guarded_copy(void *dst, const void *src, size_t count);
int catomics_guarded_xxh3_update(void *state, const void *src, size_t count);
int catomics_guarded_xxh3(const void *src, size_t count, uint64_t *hash);
/* The same for a SHA-256 update (context: from ccrypto_sha256_new) and a byte comparison. */
int catomics_guarded_sha256_update(void *context, const void *src, size_t count);
int catomics_guarded_compare(const void *a, const void *b, size_t count, int *equal);

/* The current thread's errno, which Swift reads unreliably across calls. */
int catomics_errno(void);

#endif
