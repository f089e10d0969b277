/* A C program that reads the latest blob of a SharedBlob segment using only
 * blob_segment.h (and libxxhash for the checksum): the protocol written in the
 * header's comment, followed step by step. Writes the content to stdout and the
 * path label to stderr. Exit 0 on success, 2 on a bad segment, 3 when empty. */
#include <fcntl.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>
#include "blob_segment.h"

int main(int argc, char **argv) {
    if (argc != 2) { fprintf(stderr, "usage: c_reader NAME\n"); return 64; }
    char name[300];
    snprintf(name, sizeof name, "/%s", argv[1]);
    int fd = shm_open(name, O_RDONLY, 0);
    if (fd < 0) { perror("shm_open"); return 2; }
    struct stat st;
    fstat(fd, &st);
    const unsigned char *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, fd, 0);
    if (base == MAP_FAILED) { perror("mmap"); return 2; }
    const blob_segment_header *h = (const blob_segment_header *)base;
    if (h->magic != BLOB_SEGMENT_MAGIC || h->version != BLOB_SEGMENT_VERSION ||
        h->total_size != (uint64_t)st.st_size || h->total_size != blob_segment_total_size(h->capacity)) {
        fprintf(stderr, "not a SharedBlob segment\n");
        return 2;
    }
    for (int attempt = 0; attempt < 1000; attempt++) {
        uint64_t published = atomic_load_explicit((_Atomic uint64_t *)&h->published, memory_order_acquire);
        if (published == 0) return 3;
        const blob_slot *s = &h->slots[published % BLOB_SEGMENT_SLOT_COUNT];
        uint64_t q = atomic_load_explicit((_Atomic uint64_t *)&s->sequence, memory_order_acquire);
        if (q != published) continue;
        uint64_t off = s->offset, len = s->length, sum = s->checksum;
        if (len > h->capacity || off < BLOB_SEGMENT_DATA_OFFSET || off + len > h->total_size) return 2;
        unsigned char *copy = malloc(len ? len : 1);
        memcpy(copy, base + off, len);
        atomic_thread_fence(memory_order_acquire);
        if (atomic_load_explicit((_Atomic uint64_t *)&s->sequence, memory_order_relaxed) != q) { free(copy); continue; }
        if (XXH3_64bits(copy, len) != sum) { fprintf(stderr, "checksum mismatch\n"); return 2; }
        if (s->kind != BLOB_KIND_IMAGE_DATA || len < 8) return 2;
        int32_t plen, clen;
        memcpy(&plen, copy, 4);
        if (plen < 0 || (uint64_t)plen + 8 > len) return 2;
        memcpy(&clen, copy + 4 + plen, 4);
        if (clen < 0 || 8 + (uint64_t)plen + (uint64_t)clen != len) return 2;
        fprintf(stderr, "path=%.*s seq=%llu pid=%d\n", plen, (const char *)copy + 4, (unsigned long long)q, s->writer_pid);
        fwrite(copy + 8 + plen, 1, (size_t)clen, stdout);
        free(copy);
        return 0;
    }
    return 4;
}
