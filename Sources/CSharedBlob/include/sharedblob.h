/*
 * sharedblob.h — the SharedBlob engine for C, C++ and any language with a C FFI.
 *
 * One implementation of the protocol: these functions are the Swift engine itself
 * (libsharedblob.so), not a second copy of it. Build a program with
 *     cc prog.c $(pkg-config --cflags --libs sharedblob)
 *
 * Errors: every function that can fail returns an sb_status (SB_OK is 0) and sets the
 * calling thread's message, read with sb_last_error(): one line in library terms after a
 * failure, "" after a success. So read it right after the call that failed, before any
 * other call into the library (an sb_view_end that succeeds clears it too).
 *
 * Threads: a segment handle may be used from several threads at once (publishes are
 * serialized by the segment's writer lock, reads take no lock). A loan must be committed
 * or abandoned on the thread that took it, before that thread publishes again. A view is
 * valid until sb_view_end or sb_close, whichever comes first.
 *
 * Trust: a segment that belongs to another user, or that others may write, is refused
 * (SB_UNTRUSTED) unless sb_trust_owner / sb_trust_group said otherwise, as for the
 * command-line tools.
 */
#ifndef SHAREDBLOB_H
#define SHAREDBLOB_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* What a call returned. The command-line tools' exit statuses say the same things. */
typedef enum sb_status {
    SB_OK = 0,
    SB_NOT_FOUND = 1,         /* no such segment */
    SB_EXISTS = 2,            /* SB_CREATE_NEW and it exists */
    SB_UNTRUSTED = 3,         /* another user's, or writable by others */
    SB_NOT_A_SEGMENT = 4,     /* not a SharedBlob segment of this layout version */
    SB_CORRUPT = 5,           /* a segment or frame that contradicts itself */
    SB_CHECKSUM = 6,          /* a published payload failed its XXH3-64 checksum */
    SB_TOO_LARGE = 7,         /* does not fit the capacity (or the caller's buffer) */
    SB_TIMED_OUT = 8,         /* no newer publish within the timeout */
    SB_LOCK_TIMED_OUT = 9,    /* another writer held the lock for the whole timeout */
    SB_BUSY = 10,             /* writers kept replacing the blob while it was read; try again */
    SB_SHRUNK = 11,           /* the segment's file was truncated under the mapping */
    SB_NOTHING_PUBLISHED = 12,/* the segment holds no blob yet */
    SB_OVERWRITTEN = 13,      /* sb_view_end: a writer reused the slot; discard what you read */
    SB_INVALID_ARGUMENT = 14, /* a null pointer, a bad name, a bad mode */
    SB_SYSTEM = 15,           /* a system call failed (the message names it) */
    SB_LOCK_HELD = 16         /* this thread holds an open loan on the segment */
} sb_status;

typedef enum sb_open_mode {
    SB_CREATE_NEW = 0,
    SB_CREATE_OR_OPEN = 1,
    SB_OPEN_EXISTING = 2
} sb_open_mode;

/* Payload kinds (blob_segment.h's enum blob_kind). */
#define SB_KIND_IMAGE_DATA 1u /* the ImageData frame: a path label and the content */
#define SB_KIND_TEST_DATA 2u  /* the article's packed TestData record (blob-reader get-struct) */
#define SB_KIND_BYTES 3u      /* bytes as they are, no label (blob-reader get saves them) */

/* The default capacity of each of a segment's two slots: 10 MiB. */
#define SB_DEFAULT_CAPACITY (10u * 1024u * 1024u)

typedef struct sb_segment sb_segment;
typedef struct sb_loan sb_loan;

/* A published blob's metadata. */
typedef struct sb_metadata {
    uint64_t sequence;        /* publish number, from 1 */
    uint64_t length;          /* payload bytes (for ImageData: the whole frame) */
    uint64_t checksum;        /* XXH3-64 of the payload */
    int64_t publish_time_ns;  /* CLOCK_REALTIME, nanoseconds since the epoch */
    int32_t writer_pid;
    uint32_t kind;            /* SB_KIND_* */
} sb_metadata;

/* A verified zero-copy view (sb_view_begin). */
typedef struct sb_view {
    const void *bytes;        /* the payload, where it lies in the mapping: read-only */
    size_t length;
    sb_metadata metadata;
    const void *internal_;    /* for sb_view_end */
} sb_view;

/* The message the calling thread's latest status-returning call left: one line after a
 * failure, "" after a success (or before any call). Valid until that thread's next call. */
const char *sb_last_error(void);

/* Trusts segments owned by this user id too / shares new segments with this group
 * (and trusts its members' segments). Process-wide, like the tools' --trust-owner/--group. */
sb_status sb_trust_owner(uint32_t uid);
sb_status sb_trust_group(uint32_t gid);

/* Opens a segment by name (/dev/shm/NAME) or by a regular file's path. capacity is the
 * per-slot payload capacity used when the segment is created (0: SB_DEFAULT_CAPACITY). */
sb_status sb_open(const char *name, sb_open_mode mode, uint64_t capacity, sb_segment **out);
sb_status sb_open_file(const char *path, sb_open_mode mode, uint64_t capacity, sb_segment **out);
/* Unmaps and frees the handle (the segment stays). NULL is ignored. */
void sb_close(sb_segment *segment);
/* Removes the named segment (refuses an object that is not one). */
sb_status sb_remove(const char *name);
/* The per-slot capacity. */
uint64_t sb_capacity(const sb_segment *segment);

/* Publishes len bytes. With path non-NULL they are framed as ImageData with that path
 * label (what blob-reader shows and saves); with path NULL they go as they are
 * (SB_KIND_BYTES). out (may be NULL) receives the new blob's metadata. */
sb_status sb_publish(sb_segment *segment, const void *data, size_t len, const char *path, sb_metadata *out);

/* Lends the free slot: *bytes points at len writable bytes inside the segment. Nothing is
 * visible to readers until sb_loan_commit; sb_loan_abandon (or dying) publishes nothing.
 * Other writers wait (at most their lock timeout) while it is open. timeout_ms < 0: 10 s. */
sb_status sb_loan_begin(sb_segment *segment, size_t len, uint32_t kind, int64_t timeout_ms, sb_loan **loan, void **bytes);
/* Publishes the first count bytes of the loan (count <= len) and frees the loan. */
sb_status sb_loan_commit(sb_loan *loan, size_t count, sb_metadata *out);
/* Drops the loan: the previous blob stays the latest. */
void sb_loan_abandon(sb_loan *loan);

/* Copies the latest payload into buffer (capacity bytes), verified. SB_TOO_LARGE when it
 * does not fit (out->length says how many bytes it needs); SB_NOTHING_PUBLISHED. */
sb_status sb_read(sb_segment *segment, void *buffer, size_t capacity, sb_metadata *out);

/* A verified zero-copy view of the latest payload. Use view->bytes, then call
 * sb_view_end: SB_OK if the bytes stayed the verified ones all along, SB_OVERWRITTEN if a
 * writer reused the slot meanwhile (discard what you made of them and begin again).
 * Leave the view's fields as they were filled (end reads its sequence and internal_).
 * A view holds nothing: ending it twice answers twice, and one never ended costs nothing.
 * SB_INVALID_ARGUMENT for a view this segment did not fill. */
sb_status sb_view_begin(sb_segment *segment, sb_view *view);
sb_status sb_view_end(sb_segment *segment, const sb_view *view);
/* sb_wait then sb_view_begin in one call: waits (timeout_ms < 0: for ever) for a blob
 * newer than `after` and views it (a blob newer than `after`, not always the latest).
 * Faster for large blobs: while a copying publish of 1 MiB or more is under way, this
 * hashes the payload behind the writer's copy (when it may run on another CPU), so the
 * view is verified about when the publish ends. SB_TIMED_OUT. */
sb_status sb_view_after(sb_segment *segment, uint64_t after, int64_t timeout_ms, sb_view *view);

/* Waits until a blob newer than after is published, at most timeout_ms (< 0: for ever);
 * *sequence (may be NULL) receives the newer sequence. No polling: a shared futex, after
 * a short spin on the segment: 30 us, or twice the last wait when that one ended within
 * 200 us in a blob under 1 MiB (at most 200 us), so a fast request and answer costs
 * neither side a wake-up and keeps the reader's CPU busy while it lasts; yielding on a
 * thread bound to one CPU. SHAREDBLOB_SPIN=0 in the environment turns the spin off.
 * sb_view_after waits the same way. */
sb_status sb_wait(sb_segment *segment, uint64_t after, int64_t timeout_ms, uint64_t *sequence);

/* The latest blob's metadata without reading it; SB_NOTHING_PUBLISHED if none. */
sb_status sb_latest(sb_segment *segment, sb_metadata *out);

/* Splits an ImageData frame (a payload of SB_KIND_IMAGE_DATA) into its path label
 * (UTF-8, not NUL-terminated; untrusted text: escape it before printing) and content,
 * both pointing into the frame. SB_CORRUPT for bytes that are not a frame, or whose
 * label is not UTF-8 (blob-reader refuses those too). */
sb_status sb_frame_split(const void *frame, size_t len, const char **path, size_t *path_len,
                         const void **content, size_t *content_len);

/* Writes untrusted text (len bytes: a path label, a segment name) into out, NUL-terminated,
 * as blob-reader prints it: control characters (C0, DEL, C1), the line and paragraph
 * separators, the bidi controls and the backslash escaped (\n, \x1b, \u{9b}, \\), and
 * each byte that is not UTF-8 as \xNN, so it cannot move the cursor, start an escape
 * sequence or reorder what is printed around it. The result takes at most 4 * len + 1
 * bytes. needed (may be NULL) receives the bytes it takes, NUL included; SB_TOO_LARGE when
 * that is more than capacity (out then holds "", if capacity > 0). */
sb_status sb_terminal_text(const char *text, size_t len, char *out, size_t capacity, size_t *needed);

/* The library's version, e.g. "0.6.0". */
const char *sb_version(void);

#ifdef __cplusplus
}
#endif

#endif
