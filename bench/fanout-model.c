/* A model of the 10 MiB fan-out without Python or the engine: one writer thread copies
 * a prepared buffer into a slot in 256 KiB pieces, reporting its progress after each,
 * and N reader threads (woken by a futex when the copy begins) hash the slot with
 * XXH3-64 behind the copy, yielding when they catch up; the round ends when the last
 * reader is done. Three kinds of round take turns in batches of 20 (each with buffers of
 * its own, its first 3 rounds of a batch not counted), so all meet the same machine:
 *   streaming  two alternating slots, non-temporal stores (what the engine does);
 *   ordinary   two alternating slots, ordinary stores;
 *   one-buffer one slot, ordinary stores (what multiprocessing.shared_memory does,
 *              without the engine's guarantee that the previous blob stays intact).
 * Prints each kind's median round and its ratio to streaming (DECISIONS.md, "Ordinary
 * stores for a fan-out"; docs/performance.md).
 *
 * Build and run (x86-64 with AVX2, libxxhash-dev):
 *   gcc -O2 -o /tmp/fanout-model bench/fanout-model.c -lxxhash -lpthread
 *   /tmp/fanout-model [READERS (4)] [ROUNDS per kind (300)] */
#define _GNU_SOURCE
#include <immintrin.h>
#include <linux/futex.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#define XXH_STATIC_LINKING_ONLY
#include <xxhash.h>
#include <xxh_x86dispatch.h>

#define SIZE (10u << 20)
#define PIECE (256u << 10)
#define KINDS 3
#define BATCH 20
#define SETTLE 3

static const char *kind_names[KINDS] = {"streaming", "ordinary", "one-buffer"};
static unsigned char *source, *slots[KINDS][2];
static _Atomic long progress;        /* bytes of the current slot in place */
static _Atomic unsigned round_word;  /* the round under way; readers sleep on it */
static _Atomic unsigned pending;     /* readers not done with it; the writer sleeps on it */
static _Atomic int stopping;
static unsigned char *_Atomic current;

static void futex_wait(_Atomic unsigned *word, unsigned value) {
    syscall(SYS_futex, word, FUTEX_WAIT_PRIVATE, value, NULL, NULL, 0);
}
static void futex_wake(_Atomic unsigned *word) {
    syscall(SYS_futex, word, FUTEX_WAKE_PRIVATE, 1 << 30, NULL, NULL, 0);
}
static double now_us(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e6 + t.tv_nsec / 1e3;
}

__attribute__((target("avx2"))) static void copy_piece(unsigned char *d, const unsigned char *s, size_t n, int streaming) {
    for (size_t i = 0; i < n; i += 64) {
        __m256i a = _mm256_loadu_si256((const __m256i *)(s + i)), b = _mm256_loadu_si256((const __m256i *)(s + i + 32));
        if (streaming) {
            _mm256_stream_si256((__m256i *)(d + i), a);
            _mm256_stream_si256((__m256i *)(d + i + 32), b);
        } else {
            _mm256_store_si256((__m256i *)(d + i), a);
            _mm256_store_si256((__m256i *)(d + i + 32), b);
        }
    }
    if (streaming) _mm_sfence();
}

static void *reader(void *unused) {
    (void)unused;
    unsigned seen = 0;
    for (;;) {
        unsigned r;
        while ((r = atomic_load(&round_word)) == seen) futex_wait(&round_word, seen);
        if (atomic_load(&stopping)) return NULL;
        seen = r;
        const unsigned char *slot = atomic_load(&current);
        XXH3_state_t state;
        XXH3_64bits_reset(&state);
        long done = 0;
        while (done < (long)SIZE) {
            long p = atomic_load(&progress);
            if (p > done) {
                XXH3_64bits_update_dispatch(&state, slot + done, (size_t)(p - done));
                done = p;
            } else {
                sched_yield();
            }
        }
        volatile XXH64_hash_t sink = XXH3_64bits_digest(&state);
        (void)sink;
        if (atomic_fetch_sub(&pending, 1) == 1) futex_wake(&pending);
    }
}

static int by_value(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv) {
    int readers = argc > 1 ? atoi(argv[1]) : 4, rounds = argc > 2 ? atoi(argv[2]) : 300;
    if (readers < 1 || readers > 64 || rounds < 1) {
        fprintf(stderr, "usage: fanout-model [READERS 1-64] [ROUNDS >= 1]\n");
        return 2;
    }
    if (!__builtin_cpu_supports("avx2")) {
        fprintf(stderr, "fanout-model: this CPU has no AVX2\n");
        return 1;
    }
    source = aligned_alloc(64, SIZE);
    int missing = !source;
    for (int k = 0; k < KINDS; k++)
        for (int i = 0; i < 2; i++) missing |= !(slots[k][i] = aligned_alloc(64, SIZE));
    double *samples = calloc((size_t)KINDS * (size_t)rounds, sizeof *samples);
    if (missing || !samples) {
        fprintf(stderr, "fanout-model: out of memory\n");
        return 1;
    }
    srand(0x5B);
    for (size_t i = 0; i < SIZE; i++) source[i] = (unsigned char)rand();
    for (int k = 0; k < KINDS; k++)
        for (int i = 0; i < 2; i++) memset(slots[k][i], 1, SIZE);
    pthread_t threads[64];
    for (int i = 0; i < readers; i++) pthread_create(&threads[i], NULL, reader, NULL);
    int taken[KINDS] = {0}, done = 0;
    unsigned r = 0;
    for (int batch = 0; !done; batch++) {
        int kind = batch % KINDS;
        for (int i = 0; i < BATCH; i++) {
            r++;
            unsigned char *slot = slots[kind][kind == 2 ? 0 : r % 2];
            atomic_store(&progress, 0);
            atomic_store(&current, slot);
            atomic_store(&pending, (unsigned)readers);
            double start = now_us();
            atomic_store(&round_word, r);
            futex_wake(&round_word);
            for (long at = 0; at < (long)SIZE; at += PIECE) {
                copy_piece(slot + at, source + at, PIECE, kind == 0);
                atomic_store(&progress, at + PIECE);
            }
            unsigned left;
            while ((left = atomic_load(&pending)) != 0) futex_wait(&pending, left);
            double elapsed = now_us() - start;
            if (i >= SETTLE && taken[kind] < rounds) samples[kind * rounds + taken[kind]++] = elapsed;
        }
        done = 1;
        for (int k = 0; k < KINDS; k++) done &= taken[k] == rounds;
    }
    atomic_store(&stopping, 1);
    atomic_store(&round_word, 0);
    futex_wake(&round_word);
    for (int i = 0; i < readers; i++) pthread_join(threads[i], NULL);
    double median[KINDS];
    for (int k = 0; k < KINDS; k++) {
        qsort(samples + k * rounds, (size_t)taken[k], sizeof *samples, by_value);
        median[k] = samples[k * rounds + taken[k] / 2];
    }
    printf("10 MiB fan-out model, %d readers, %d rounds of each kind (median round; ratio to streaming):\n", readers, rounds);
    for (int k = 0; k < KINDS; k++)
        printf("  %-10s %7.0f us  %.2f\n", kind_names[k], median[k], median[k] / median[0]);
    return 0;
}
