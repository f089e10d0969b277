/* Calls every guarded function of mapping_guard.c on a mapping whose file was truncated
 * under it, and prints one line per call: "NAME ok" when the call reported the shrink
 * (returned -1), anything else is a failure. Built by GuardOptimisationTests at each
 * optimisation level, as the release build compiles it. Usage: guard_driver FILE */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xxhash.h>
#include "atomics.h"
#include "ccrypto.h"

enum { SIZE = 1 << 20 };

int main(int argc, char **argv) {
    if (argc != 2) return 2;
    int fd = open(argv[1], O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, SIZE) != 0) return 2;
    unsigned char *map = mmap(NULL, SIZE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (map == MAP_FAILED) return 2;
    memset(map, 7, SIZE);
    if (ftruncate(fd, 4096) != 0) return 2;  /* every page after the first is gone */
    unsigned char *buffer = malloc(SIZE);
    memset(buffer, 7, SIZE);
    const unsigned char *gone = map + 8192;
    size_t n = SIZE - 8192;
    uint64_t hash = 0;
    int equal = 0;
    XXH3_state_t *state = XXH3_createState();
    XXH3_64bits_reset(state);
    void *sha = ccrypto_sha256_new();
    printf("copy-from %s\n", catomics_guarded_copy(buffer, gone, n) == -1 ? "ok" : "MISSED");
    printf("copy-into %s\n", catomics_guarded_copy((void *)gone, buffer, n) == -1 ? "ok" : "MISSED");
    printf("xxh3 %s\n", catomics_guarded_xxh3(gone, n, &hash) == -1 ? "ok" : "MISSED");
    printf("xxh3-update %s\n", catomics_guarded_xxh3_update(state, gone, n) == -1 ? "ok" : "MISSED");
    printf("stream-copy-into %s\n", catomics_guarded_stream_copy((void *)gone, buffer, n) == -1 ? "ok" : "MISSED");
    if (catomics_stream_copy_xxh3_available()) {
        catomics_xxh3_stream acc;
        catomics_stream_copy_xxh3_reset(&acc);
        printf("stream-copy-xxh3 %s\n", catomics_guarded_stream_copy_xxh3(&acc, (void *)gone, buffer, n, n) == -1 ? "ok" : "MISSED");
    } else {
        printf("stream-copy-xxh3 ok (not run: this CPU has no AVX2)\n");
    }
    printf("compare %s\n", catomics_guarded_compare(buffer, gone, n, &equal) == -1 ? "ok" : "MISSED");
    if (sha) printf("sha256-update %s\n", catomics_guarded_sha256_update(sha, gone, n) == -1 ? "ok" : "MISSED");
    else printf("sha256-update MISSED (libcrypto not loaded)\n");
    /* The guard answers only its own calls: the live first page still copies. */
    printf("live %s\n", catomics_guarded_copy(buffer, map, 4096) == 0 ? "ok" : "MISSED");
    unlink(argv[1]);
    return 0;
}
