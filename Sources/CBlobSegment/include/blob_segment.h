/*
 * blob_segment.h — the layout of a SharedBlob segment, for C programs that map one.
 *
 * A segment is a POSIX shared-memory object (/dev/shm/NAME) or a regular file:
 *
 *   offset 0                         blob_segment_header (BLOB_SEGMENT_HEADER_SIZE bytes)
 *   offset BLOB_SEGMENT_DATA_OFFSET  slot 0 payload (capacity bytes, padded to 4096)
 *   then                             slot 1 payload
 *
 * All integers are in the machine's byte order (little-endian on every platform
 * SharedBlob supports). The payload of a slot of kind BLOB_KIND_IMAGE_DATA is the
 * ImageData frame: int32 LE path length, UTF-8 path, int32 LE content length, content.
 *
 * Publishing (writers hold writer_lock, a robust process-shared pthread mutex; a
 * writer that gets EOWNERDEAD calls pthread_mutex_consistent and publishes as usual:
 * the dead writer's half-written slot was never published):
 *   N = published + 1; s = &slots[N % 2];
 *   store s->sequence = BLOB_SLOT_BUSY; release fence;
 *   fills += 1; store s->progress = 0, s->length = L; store-release s->fill = fills
 *   (or s->fill = 0 when the writer will not report progress); release fence;
 *   write the payload, storing-release s->progress = bytes written so far as it goes
 *   (only with s->fill != 0; each byte is written once, before progress covers it);
 *   write the fields; store-release s->sequence = N; store-release published = N;
 *   store-release wake = (uint32_t)N; sequentially consistent fence;
 *   if waiters != 0: futex-wake all waiters on &wake (shared futex).
 *   A writer that reports progress also changes wake when it begins (to ~(uint32_t)N)
 *   and wakes the waiters then, so readers can hash the payload behind it.
 *
 * Reading (no lock):
 *   P = load-acquire published (0: nothing yet); s = &slots[P % 2];
 *   q = load-acquire s->sequence; if q != P: retry;
 *   check offset/length lie inside the mapping; copy the payload out;
 *   acquire fence; if s->sequence != q: retry (a writer reused the slot);
 *   verify XXH3-64(payload) == s->checksum.
 *
 * Waiting for a publish newer than P: w = load wake; atomically add 1 to waiters
 * (sequentially consistent); if published > P: done; else futex-wait(&wake, w);
 * atomically subtract 1 from waiters; loop (wake also moves when a publish begins).
 * (A waiter that dies leaves waiters too high, which costs writers a needless wake,
 * never a missed one.)
 *
 * Following a publish (optional; what the library does for large payloads): while
 * published == P and slot s of N = P + 1 is busy with f = load-acquire s->fill != 0,
 * hash [done, load-acquire s->progress) as it grows; after each piece, acquire fence,
 * and stop following if s->fill != f (a writer restarted the slot). Once
 * s->sequence == N, hash what progress did not cover, check the checksum as a read
 * does, and check s->sequence again. Any doubt (a mismatch, a restart, a length
 * shorter than what was hashed): verify the published payload from the start.
 */
#ifndef BLOB_SEGMENT_H
#define BLOB_SEGMENT_H

#include <stddef.h>
#include <stdint.h>

/* "BLOBSHM1" read as a little-endian uint64. */
#define BLOB_SEGMENT_MAGIC 0x314D4853424F4C42ULL
#define BLOB_SEGMENT_VERSION 2u
#define BLOB_SEGMENT_HEADER_SIZE 256u
#define BLOB_SEGMENT_DATA_OFFSET 4096u
#define BLOB_SEGMENT_SLOT_ALIGN 4096u
#define BLOB_SEGMENT_SLOT_COUNT 2u
/* Sequence value of a slot while a writer is filling it. */
#define BLOB_SLOT_BUSY UINT64_MAX

/* What a slot's payload is. */
enum blob_kind {
    BLOB_KIND_NONE = 0,
    BLOB_KIND_IMAGE_DATA = 1, /* the ImageData frame (BlobCodec) */
    BLOB_KIND_TEST_DATA = 2,  /* the packed TestData record: int32 Id, Age, Scores[10] */
    BLOB_KIND_BYTES = 3       /* bytes as they are: no path label (the C library, Python) */
};

/* One published payload's descriptor: 64 bytes. */
typedef struct blob_slot {
    uint64_t sequence;        /* publish number held here; BLOB_SLOT_BUSY while written */
    uint64_t offset;          /* payload offset from the start of the segment */
    uint64_t length;          /* payload length in bytes (<= capacity) */
    uint64_t checksum;        /* XXH3-64 (seed 0) of the payload */
    int64_t publish_time_ns;  /* CLOCK_REALTIME at publish, nanoseconds since the epoch */
    int32_t writer_pid;       /* pid of the publishing process */
    uint32_t kind;            /* enum blob_kind */
    uint64_t progress;        /* while busy: payload bytes written so far (if fill != 0) */
    uint64_t fill;            /* while busy: the header's fills count at this publish's
                                 start, 0 if the writer reports no progress */
} blob_slot;

/* The segment header at offset 0: BLOB_SEGMENT_HEADER_SIZE bytes. */
typedef struct blob_segment_header {
    uint64_t magic;           /* BLOB_SEGMENT_MAGIC; written last at creation */
    uint32_t version;         /* BLOB_SEGMENT_VERSION */
    uint32_t header_size;     /* BLOB_SEGMENT_HEADER_SIZE */
    uint64_t capacity;        /* payload capacity of each slot, bytes */
    uint64_t total_size;      /* size of the whole segment, bytes */
    uint64_t published;       /* sequence of the latest complete publish; 0 = none */
    uint32_t wake;            /* futex word: low 32 bits of published */
    uint32_t slot_count;      /* BLOB_SEGMENT_SLOT_COUNT */
    blob_slot slots[BLOB_SEGMENT_SLOT_COUNT];
    uint32_t waiters;         /* readers sleeping on wake: writers wake only when nonzero */
    int32_t writer_pid;       /* pid of the writer holding writer_lock, 0 when free (diagnostics) */
    /* The writers' lock: a glibc pthread_mutex_t (process-shared, robust), initialised
     * at creation before the magic. Opaque here; writers go through the library. */
    uint64_t writer_lock[8];
    uint64_t fills;           /* publishes begun (under writer_lock): tags each slot's fill */
} blob_segment_header;

/* C11's _Static_assert is C++'s static_assert: the header compiles as either. */
#ifdef __cplusplus
#define BLOB_STATIC_ASSERT static_assert
#else
#define BLOB_STATIC_ASSERT _Static_assert
#endif
#define BLOB_ASSERT_OFFSET(T, F, O) BLOB_STATIC_ASSERT(offsetof(T, F) == (O), #T "." #F " must be at offset " #O)
BLOB_ASSERT_OFFSET(blob_slot, sequence, 0);
BLOB_ASSERT_OFFSET(blob_slot, offset, 8);
BLOB_ASSERT_OFFSET(blob_slot, length, 16);
BLOB_ASSERT_OFFSET(blob_slot, checksum, 24);
BLOB_ASSERT_OFFSET(blob_slot, publish_time_ns, 32);
BLOB_ASSERT_OFFSET(blob_slot, writer_pid, 40);
BLOB_ASSERT_OFFSET(blob_slot, kind, 44);
BLOB_ASSERT_OFFSET(blob_slot, progress, 48);
BLOB_ASSERT_OFFSET(blob_slot, fill, 56);
BLOB_STATIC_ASSERT(sizeof(blob_slot) == 64, "blob_slot must be 64 bytes");
BLOB_ASSERT_OFFSET(blob_segment_header, magic, 0);
BLOB_ASSERT_OFFSET(blob_segment_header, version, 8);
BLOB_ASSERT_OFFSET(blob_segment_header, header_size, 12);
BLOB_ASSERT_OFFSET(blob_segment_header, capacity, 16);
BLOB_ASSERT_OFFSET(blob_segment_header, total_size, 24);
BLOB_ASSERT_OFFSET(blob_segment_header, published, 32);
BLOB_ASSERT_OFFSET(blob_segment_header, wake, 40);
BLOB_ASSERT_OFFSET(blob_segment_header, slot_count, 44);
BLOB_ASSERT_OFFSET(blob_segment_header, slots, 48);
BLOB_ASSERT_OFFSET(blob_segment_header, waiters, 176);
BLOB_ASSERT_OFFSET(blob_segment_header, writer_pid, 180);
BLOB_ASSERT_OFFSET(blob_segment_header, writer_lock, 184);
BLOB_ASSERT_OFFSET(blob_segment_header, fills, 248);
BLOB_STATIC_ASSERT(sizeof(blob_segment_header) == BLOB_SEGMENT_HEADER_SIZE, "header size");
#undef BLOB_ASSERT_OFFSET
#undef BLOB_STATIC_ASSERT

/* The same offsets as constants (what the Swift engine reads the fields by: folded into
 * its code, where a key path's offset would be computed at run time). */
enum {
    BLOB_OFFSET_MAGIC = offsetof(blob_segment_header, magic),
    BLOB_OFFSET_VERSION = offsetof(blob_segment_header, version),
    BLOB_OFFSET_HEADER_SIZE = offsetof(blob_segment_header, header_size),
    BLOB_OFFSET_CAPACITY = offsetof(blob_segment_header, capacity),
    BLOB_OFFSET_TOTAL_SIZE = offsetof(blob_segment_header, total_size),
    BLOB_OFFSET_PUBLISHED = offsetof(blob_segment_header, published),
    BLOB_OFFSET_WAKE = offsetof(blob_segment_header, wake),
    BLOB_OFFSET_SLOT_COUNT = offsetof(blob_segment_header, slot_count),
    BLOB_OFFSET_WAITERS = offsetof(blob_segment_header, waiters),
    BLOB_OFFSET_WRITER_PID = offsetof(blob_segment_header, writer_pid),
    BLOB_OFFSET_WRITER_LOCK = offsetof(blob_segment_header, writer_lock),
    BLOB_OFFSET_FILLS = offsetof(blob_segment_header, fills),
    BLOB_OFFSET_SLOTS = offsetof(blob_segment_header, slots),
    BLOB_SLOT_STRIDE = sizeof(blob_slot),
    BLOB_SLOT_OFFSET_SEQUENCE = offsetof(blob_slot, sequence),
    BLOB_SLOT_OFFSET_OFFSET = offsetof(blob_slot, offset),
    BLOB_SLOT_OFFSET_LENGTH = offsetof(blob_slot, length),
    BLOB_SLOT_OFFSET_CHECKSUM = offsetof(blob_slot, checksum),
    BLOB_SLOT_OFFSET_TIME = offsetof(blob_slot, publish_time_ns),
    BLOB_SLOT_OFFSET_PID = offsetof(blob_slot, writer_pid),
    BLOB_SLOT_OFFSET_KIND = offsetof(blob_slot, kind),
    BLOB_SLOT_OFFSET_PROGRESS = offsetof(blob_slot, progress),
    BLOB_SLOT_OFFSET_FILL = offsetof(blob_slot, fill),
};

/* Offset of slot i's payload for a segment of the given per-slot capacity. */
static inline uint64_t blob_segment_slot_offset(uint64_t capacity, unsigned slot) {
    uint64_t stride = (capacity + BLOB_SEGMENT_SLOT_ALIGN - 1) / BLOB_SEGMENT_SLOT_ALIGN * BLOB_SEGMENT_SLOT_ALIGN;
    return BLOB_SEGMENT_DATA_OFFSET + (uint64_t)slot * stride;
}

/* Total segment size for the given per-slot capacity. */
static inline uint64_t blob_segment_total_size(uint64_t capacity) {
    return blob_segment_slot_offset(capacity, BLOB_SEGMENT_SLOT_COUNT);
}

#endif
