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
static inline uint32_t catomics_load_relaxed_u32(const void *p) {
    return atomic_load_explicit((const _Atomic uint32_t *)p, memory_order_relaxed);
}
static inline void catomics_store_relaxed_i32(void *p, int32_t v) {
    atomic_store_explicit((_Atomic int32_t *)p, v, memory_order_relaxed);
}
static inline int32_t catomics_load_relaxed_i32(const void *p) {
    return atomic_load_explicit((const _Atomic int32_t *)p, memory_order_relaxed);
}
/* Adds delta (sequentially consistent); returns the old value. */
static inline uint32_t catomics_fetch_add_u32(void *p, int32_t delta) {
    return atomic_fetch_add_explicit((_Atomic uint32_t *)p, (uint32_t)delta, memory_order_seq_cst);
}
static inline void catomics_fence_seq_cst(void) { atomic_thread_fence(memory_order_seq_cst); }
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

/* The segment's writer lock (blob_segment_header.writer_lock, 64 bytes): a robust,
 * process-shared pthread mutex. Init formats it (at creation only). Lock waits at most
 * timeout_ns (trying once without waiting first: an uncontended lock and unlock make no
 * system call) and returns 0, CATOMICS_LOCK_OWNER_DIED (acquired; the holder died holding
 * it, and it was made consistent), ETIMEDOUT, or another errno. Unlock must run on the
 * thread that locked. */
#define CATOMICS_LOCK_OWNER_DIED (-1)
int catomics_writer_lock_init(void *lock);
int catomics_writer_lock(void *lock, int64_t timeout_ns);
int catomics_writer_unlock(void *lock);

/* getpid(), asked of the kernel once per process (again in a forked child). */
int32_t catomics_process_id(void);

/* flock(2), whose name Swift confuses with struct flock. */
static inline int catomics_flock(int fd, int op) { return flock(fd, op); }

/* Copy and hash memory of a shared mapping; return 0, or -1 when the mapping turned out
 * shorter than its pages (SIGBUS: the file behind it shrank), having done nothing more.
 * The state is an XXH3_state_t. */
int catomics_guarded_copy(void *dst, const void *src, size_t count);
/* catomics_guarded_copy with non-temporal stores (x86-64: SSE2 streaming stores, then a
 * store fence; elsewhere memcpy): the destination's old lines are not read into the
 * cache first, so filling a slot last touched two publishes ago costs a write, not a
 * read and a write. For large copies into memory another process reads next. */
int catomics_guarded_stream_copy(void *dst, const void *src, size_t count);
int catomics_guarded_xxh3_update(void *state, const void *src, size_t count);
/* A streaming copy that computes XXH3-64 (seed 0) of what it copies on the way, each
 * byte loaded once (x86-64 with AVX2; call the others only when available() says this
 * CPU has it: elsewhere they copy nothing). Reset a state, pass the whole input's pieces in order
 * (every piece but the last a multiple of 1 KiB; dst 32-byte aligned; total > 240 bytes),
 * each guarded as catomics_guarded_stream_copy; then digest reads the input's last
 * block (under 1 KiB and its last 64 bytes) from `source`, the whole input's start,
 * and returns the hash XXH3_64bits would. */
typedef struct { uint64_t acc[8]; size_t blocks; } catomics_xxh3_stream;
int catomics_stream_copy_xxh3_available(void);
void catomics_stream_copy_xxh3_reset(catomics_xxh3_stream *state);
int catomics_guarded_stream_copy_xxh3(catomics_xxh3_stream *state, void *dst, const void *src, size_t count, size_t total);
uint64_t catomics_stream_copy_xxh3_digest(catomics_xxh3_stream *state, const void *source, size_t total);
int catomics_guarded_xxh3(const void *src, size_t count, uint64_t *hash);
/* The same for a SHA-256 update (context: from ccrypto_sha256_new) and a byte comparison. */
int catomics_guarded_sha256_update(void *context, const void *src, size_t count);
int catomics_guarded_compare(const void *a, const void *b, size_t count, int *equal);

/* The second core: one helper thread per process runs one job at a time beside the
 * caller (second_core.c). Begin returns 1 when the helper took the job (then call
 * catomics_second_core_wait before reading the result or freeing what the job points
 * to), 0 when it is busy or there is one CPU (then do the work yourself). */
int catomics_second_core_available(void);
/* How many CPUs this thread may run on (its sched_getaffinity mask; 1 on failure), as
 * it was at most a second ago (the mask is asked of the kernel once a second per thread). */
int catomics_allowed_cpus(void);
/* Sets this thread's mask to `cpus` (sched_setaffinity; 0 or -1 and errno), and the next
 * catomics_allowed_cpus asks the kernel again. */
int catomics_set_allowed_cpus(const int32_t *cpus, int count);
void catomics_second_core_wait(void);

/* XXH3-64 of up to 8 parts laid end to end; status 0, or -1 when a part's mapping shrank. */
typedef struct catomics_parts_hash {
    const void *parts[8];
    size_t lengths[8];
    int count;
    int status;
    uint64_t hash;
} catomics_parts_hash;
int catomics_hash_parts_begin(catomics_parts_hash *job);

/* SHA-256 (context from ccrypto_sha256_new) of a stream that the caller writes at base:
 * the caller raises available (release) as bytes land, then sets complete; the helper
 * hashes behind it. status -1 when the mapping shrank. */
typedef struct catomics_sha256_follow {
    void *context;
    const uint8_t *base;
    size_t available;
    int complete;
    int status;
} catomics_sha256_follow;
int catomics_sha256_follow_begin(catomics_sha256_follow *job);
static inline void catomics_store_release_size(size_t *p, size_t v) {
    atomic_store_explicit((_Atomic size_t *)p, v, memory_order_release);
}
static inline void catomics_store_release_int(int *p, int v) {
    atomic_store_explicit((_Atomic int *)p, v, memory_order_release);
}

/* The current thread's errno, which Swift reads unreliably across calls. */
int catomics_errno(void);

#endif
