/* One helper thread per process that runs one job at a time beside the caller: the
 * checksum of a publish while the caller copies, the SHA-256 of a stream while the caller
 * reads it. Only worth it for large payloads (the hand-off costs a few microseconds). */
#define _GNU_SOURCE
#include "atomics.h"
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xxhash.h>
#include "ccrypto.h"

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t changed = PTHREAD_COND_INITIALIZER;
static int started;          /* the thread runs (0 again in a forked child: it has none) */
static int busy;             /* a job was submitted and not yet waited for */
static int pending;          /* the thread has a job to start */
static int finished;         /* the job ended */
static void (*job_fn)(void *);
static void *job_ctx;
static pthread_once_t fork_once = PTHREAD_ONCE_INIT;

static void forget_thread(void) {
    started = 0; busy = 0; pending = 0; finished = 0;
    pthread_mutex_init(&lock, NULL);
    pthread_cond_init(&changed, NULL);
}
static void register_fork(void) { pthread_atfork(NULL, NULL, forget_thread); }

static void *helper_main(void *unused) {
    (void)unused;
    /* The helper never takes SIGBUS-free memory for granted: jobs use guarded calls. */
    pthread_mutex_lock(&lock);
    for (;;) {
        while (!pending) pthread_cond_wait(&changed, &lock);
        pending = 0;
        void (*fn)(void *) = job_fn;
        void *ctx = job_ctx;
        pthread_mutex_unlock(&lock);
        fn(ctx);
        pthread_mutex_lock(&lock);
        finished = 1;
        pthread_cond_broadcast(&changed);
    }
    return NULL;
}

/* The answer is kept for this thread a second (CLOCK_MONOTONIC_COARSE, no system
 * call): a reader asks before each wait, and the mask hardly ever changes. */
static __thread int cached;
static __thread int64_t asked_ms;

int catomics_allowed_cpus(void) {
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
    int64_t ms = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
    if (cached == 0 || ms - asked_ms >= 1000) {
        cpu_set_t set;
        cached = sched_getaffinity(0, sizeof set, &set) != 0 ? 1 : CPU_COUNT(&set);
        asked_ms = ms;
    }
    return cached;
}

int catomics_set_allowed_cpus(const int32_t *cpus, int count) {
    cpu_set_t set;
    CPU_ZERO(&set);
    for (int i = 0; i < count; i++)
        if (cpus[i] >= 0 && cpus[i] < CPU_SETSIZE) CPU_SET(cpus[i], &set);
    cached = 0;  /* asked again at the next check */
    return sched_setaffinity(0, sizeof set, &set);
}

/* A helper beside the caller is worth it only if this thread may run on another CPU
 * (its affinity mask: a process pinned to one CPU gains nothing but contention). */
int catomics_second_core_available(void) { return catomics_allowed_cpus() > 1; }

int catomics_second_core_submit(void (*fn)(void *), void *ctx) {
    if (!catomics_second_core_available()) return 0;
    pthread_once(&fork_once, register_fork);
    pthread_mutex_lock(&lock);
    if (busy) { pthread_mutex_unlock(&lock); return 0; }
    if (!started) {
        pthread_attr_t attr;
        pthread_attr_init(&attr);
        pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
        /* Signals go to other threads: the helper blocks them all but SIGBUS (guarded reads). */
        sigset_t all, old;
        sigfillset(&all);
        sigdelset(&all, SIGBUS);
        pthread_sigmask(SIG_SETMASK, &all, &old);
        pthread_t thread;
        int r = pthread_create(&thread, &attr, helper_main, NULL);
        pthread_sigmask(SIG_SETMASK, &old, NULL);
        pthread_attr_destroy(&attr);
        if (r != 0) { pthread_mutex_unlock(&lock); return 0; }
        started = 1;
    }
    busy = 1; finished = 0; pending = 1;
    job_fn = fn; job_ctx = ctx;
    pthread_cond_broadcast(&changed);
    pthread_mutex_unlock(&lock);
    return 1;
}

void catomics_second_core_wait(void) {
    pthread_mutex_lock(&lock);
    while (!finished) pthread_cond_wait(&changed, &lock);
    busy = 0;
    pthread_mutex_unlock(&lock);
}

/* The XXH3-64 of parts laid end to end. */
static void hash_parts(void *p) {
    catomics_parts_hash *job = p;
    XXH3_state_t *state = XXH3_createState();
    job->status = -1;
    if (!state) return;
    XXH3_64bits_reset(state);
    for (int i = 0; i < job->count; i++) {
        if (job->lengths[i] == 0) continue;
        if (catomics_guarded_xxh3_update(state, job->parts[i], job->lengths[i]) != 0) { XXH3_freeState(state); return; }
    }
    job->hash = XXH3_64bits_digest(state);
    XXH3_freeState(state);
    job->status = 0;
}

int catomics_hash_parts_begin(catomics_parts_hash *job) {
    return catomics_second_core_submit(hash_parts, job);
}

/* Follows a stream being written: hashes [done, available) as it grows, until the
 * writer says it is complete (or stops). */
static void follow_sha256(void *p) {
    catomics_sha256_follow *job = p;
    size_t done = 0;
    job->status = 0;
    for (;;) {
        size_t available = atomic_load_explicit((_Atomic size_t *)&job->available, memory_order_acquire);
        int complete = atomic_load_explicit((_Atomic int *)&job->complete, memory_order_acquire);
        if (available > done) {
            size_t n = available - done;
            if (n > 256 * 1024) n = 256 * 1024;
            if (catomics_guarded_sha256_update(job->context, job->base + done, n) != 0) { job->status = -1; return; }
            done += n;
            continue;
        }
        /* Re-read after seeing complete: every byte announced before it is hashed. */
        if (complete) {
            if (atomic_load_explicit((_Atomic size_t *)&job->available, memory_order_acquire) == done) return;
            continue;
        }
        sched_yield();
    }
}

int catomics_sha256_follow_begin(catomics_sha256_follow *job) {
    return catomics_second_core_submit(follow_sha256, job);
}
