/* A C user of libsharedblob (sharedblob.h): publishes a file under a path label, then
 * reads it back through a verified zero-copy view, and prints what it saw.
 * Build: cc publish_and_view.c $(pkg-config --cflags --libs sharedblob) -o publish_and_view
 * Usage: publish_and_view SEGMENT FILE LABEL          (docs/c-and-cpp.md; a test runs it) */
#include <sharedblob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *what, sb_status status) {
    fprintf(stderr, "%s: %s (status %d)\n", what, sb_last_error(), (int)status);
    return 1;
}

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s SEGMENT FILE LABEL\n", argv[0]); return 2; }
    FILE *f = fopen(argv[2], "rb");
    if (!f) { perror(argv[2]); return 1; }
    fseek(f, 0, SEEK_END);
    long size = ftell(f);
    rewind(f);
    unsigned char *data = malloc(size > 0 ? (size_t)size : 1);
    if (!data || fread(data, 1, (size_t)size, f) != (size_t)size) { perror("read"); return 1; }
    fclose(f);

    sb_segment *seg = NULL;
    sb_status st = sb_open(argv[1], SB_CREATE_OR_OPEN, 0, &seg);
    if (st != SB_OK) return fail("open", st);
    sb_metadata published;
    st = sb_publish(seg, data, (size_t)size, argv[3], &published);
    if (st != SB_OK) return fail("publish", st);

    /* Verified in place: use the bytes, then ask whether they stayed the verified ones. */
    for (;;) {
        sb_view view;
        st = sb_view_begin(seg, &view);
        if (st != SB_OK) return fail("view", st);
        /* Raw bytes (another writer's, published without a label) have no frame to split. */
        const char *path = ""; size_t path_len = 0; const void *content = view.bytes; size_t content_len = view.length;
        if (view.metadata.kind == SB_KIND_IMAGE_DATA) {
            st = sb_frame_split(view.bytes, view.length, &path, &path_len, &content, &content_len);
            if (st != SB_OK) { int r = fail("frame", st); sb_view_end(seg, &view); return r; } /* message first */
        }
        /* The label is untrusted text: escaped, it cannot reach the terminal as control codes. */
        char *label = malloc(4 * path_len + 1);
        if (!label) { perror("malloc"); return 1; }
        sb_terminal_text(path, path_len, label, 4 * path_len + 1, NULL);
        int same = content_len == (size_t)size && memcmp(content, data, content_len) == 0;
        printf("sequence %llu: %zu bytes, label %s, %s\n", (unsigned long long)view.metadata.sequence,
               content_len, view.metadata.kind == SB_KIND_IMAGE_DATA ? label : "(none: raw bytes)",
               same ? "identical to the file" : "DIFFERENT");
        free(label);
        st = sb_view_end(seg, &view);
        if (st == SB_OVERWRITTEN) continue;  /* a writer reused the slot: look again */
        if (st != SB_OK) return fail("view end", st);
        break;
    }
    sb_close(seg);
    free(data);
    return 0;
}
