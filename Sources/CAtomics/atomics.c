#define _GNU_SOURCE
#include "atomics.h"
#include <errno.h>
#include <pthread.h>
#include <limits.h>
#include <linux/futex.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

int catomics_futex_wait(void *addr, uint32_t expected, int64_t timeout_ns) {
    struct timespec ts, *tsp = NULL;
    if (timeout_ns >= 0) {
        ts.tv_sec = (time_t)(timeout_ns / 1000000000LL);
        ts.tv_nsec = (long)(timeout_ns % 1000000000LL);
        tsp = &ts;
    }
    long r = syscall(SYS_futex, addr, FUTEX_WAIT, expected, tsp, NULL, 0);
    if (r == 0) return 0;
    if (errno == EAGAIN) return 0;
    return errno;
}

int catomics_futex_wake_all(void *addr) {
    long r = syscall(SYS_futex, addr, FUTEX_WAKE, INT_MAX, NULL, NULL, 0);
    return r < 0 ? errno : 0;
}

int catomics_errno(void) { return errno; }

_Static_assert(sizeof(pthread_mutex_t) <= 64, "the writer lock must fit blob_segment_header.writer_lock");

int catomics_writer_lock_init(void *lock) {
    pthread_mutexattr_t attr;
    int r = pthread_mutexattr_init(&attr);
    if (r != 0) return r;
    pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
    pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
    pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ERRORCHECK);  /* relocking: EDEADLK, not a hang */
    r = pthread_mutex_init((pthread_mutex_t *)lock, &attr);
    pthread_mutexattr_destroy(&attr);
    return r;
}

static int settled(pthread_mutex_t *m, int r) {
    if (r == EOWNERDEAD) {
        pthread_mutex_consistent(m);
        return CATOMICS_LOCK_OWNER_DIED;
    }
    return r;
}

int catomics_writer_lock(void *lock, int64_t timeout_ns) {
    pthread_mutex_t *m = (pthread_mutex_t *)lock;
    int r = pthread_mutex_trylock(m);
    if (r != EBUSY) return settled(m, r);
    struct timespec deadline;
    clock_gettime(CLOCK_MONOTONIC, &deadline);
    if (timeout_ns < 0) timeout_ns = 0;
    deadline.tv_sec += (time_t)(timeout_ns / 1000000000LL);
    deadline.tv_nsec += (long)(timeout_ns % 1000000000LL);
    if (deadline.tv_nsec >= 1000000000L) { deadline.tv_sec += 1; deadline.tv_nsec -= 1000000000L; }
    return settled(m, pthread_mutex_clocklock(m, CLOCK_MONOTONIC, &deadline));
}

int catomics_writer_unlock(void *lock) { return pthread_mutex_unlock((pthread_mutex_t *)lock); }

static _Atomic int32_t cached_pid;
static pthread_once_t pid_once = PTHREAD_ONCE_INIT;
static void forget_pid(void) { atomic_store(&cached_pid, 0); }
static void register_fork_handler(void) { pthread_atfork(NULL, NULL, forget_pid); }

int32_t catomics_process_id(void) {
    /* A pid is cached only after the fork handler is registered, and a child's handler
     * clears it: a cached one is this process's (no pthread_once on every call). */
    int32_t pid = atomic_load_explicit(&cached_pid, memory_order_relaxed);
    if (pid != 0) return pid;
    pthread_once(&pid_once, register_fork_handler);
    pid = (int32_t)getpid();
    atomic_store_explicit(&cached_pid, pid, memory_order_relaxed);
    return pid;
}
