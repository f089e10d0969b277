#include "cimage.h"
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <turbojpeg.h>
#include <pthread.h>
#include <time.h>
#include <jpeglib.h>

#define CIMAGE_STR2(x) #x
#define CIMAGE_STR(x) CIMAGE_STR2(x)

/* A budget shared by several decodes of one command (cimage_budget_begin): their CPU
 * time counts from its start, not each from its own. */
static __thread struct timespec budget_start;
static __thread int budget_active;

void cimage_budget_begin(void) {
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &budget_start);
    budget_active = 1;
}

void cimage_budget_end(void) { budget_active = 0; }

/* Where a decode's CPU time counts from: the shared budget's start, or now. */
static void cpu_origin(struct timespec *start) {
    if (budget_active) *start = budget_start;
    else clock_gettime(CLOCK_THREAD_CPUTIME_ID, start);
}

/* Seconds of CPU this thread used since `since`. */
static double thread_cpu_since(const struct timespec *since) {
    struct timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return (double)(now.tv_sec - since->tv_sec) + (double)(now.tv_nsec - since->tv_nsec) / 1e9;
}

/* A ring of decoded rows between the libpng thread (producer) and the caller's thread
 * (consumer, which runs the Swift callback): on two cores decoding and accumulating
 * overlap. The producer owns every libpng call, so its setjmp/longjmp stay on its own
 * stack and never cross a Swift frame. */
#define RING_ROWS 64
typedef struct ring {
    pthread_mutex_t lock;
    pthread_cond_t changed;
    uint8_t *slots;
    size_t slot_bytes;
    uint32_t ys[RING_ROWS];
    uint32_t x0s[RING_ROWS], dxs[RING_ROWS], counts[RING_ROWS];  /* where a (pass) row's pixels go */
    unsigned head, tail;   /* rows produced, rows consumed */
    int done;              /* producer finished (successfully or not) */
    int cancelled;         /* consumer asked to stop */
    int channels;
    int producer_waiting;  /* signal only a side that sleeps: no syscall per row */
    int consumer_waiting;
} ring;

typedef struct reader {
    const uint8_t *data;
    size_t size;
    size_t at;
    char *err;
    size_t errlen;
} reader;

static void read_fn(png_structp png, png_bytep out, png_size_t n) {
    reader *r = (reader *)png_get_io_ptr(png);
    if (n > r->size - r->at) png_error(png, "PNG data truncated");
    memcpy(out, r->data + r->at, n);
    r->at += n;
}

static void error_fn(png_structp png, png_const_charp msg) {
    reader *r = (reader *)png_get_error_ptr(png);
    if (r && r->err && r->errlen) snprintf(r->err, r->errlen, "%s", msg);
    png_longjmp(png, 1);
}

static void warning_fn(png_structp png, png_const_charp msg) { (void)png; (void)msg; }

static void fill_info(png_structp png, png_infop pi, cimage_info *info) {
    info->width = png_get_image_width(png, pi);
    info->height = png_get_image_height(png, pi);
    info->bit_depth = png_get_bit_depth(png, pi);
    info->color_type = png_get_color_type(png, pi);
    info->interlaced = png_get_interlace_type(png, pi) != PNG_INTERLACE_NONE;
    info->has_transparency = png_get_valid(png, pi, PNG_INFO_tRNS) != 0;
    info->jpeg_subsampling = -1;
    info->jpeg_colorspace = -1;
    info->jpeg_scans = 0;
}

/* Hands one row to the ring (blocking while it is full). Returns nonzero if cancelled. */
static int ring_put(ring *rg, uint32_t y, const uint8_t *row, size_t bytes, int channels,
                    uint32_t x0, uint32_t dx, uint32_t count) {
    pthread_mutex_lock(&rg->lock);
    while (rg->head - rg->tail == RING_ROWS && !rg->cancelled) {
        rg->producer_waiting = 1;
        pthread_cond_wait(&rg->changed, &rg->lock);
        rg->producer_waiting = 0;
    }
    int cancelled = rg->cancelled;
    if (!cancelled) {
        unsigned i = rg->head % RING_ROWS;
        pthread_mutex_unlock(&rg->lock);
        memcpy(rg->slots + i * rg->slot_bytes, row, bytes);
        pthread_mutex_lock(&rg->lock);
        rg->ys[i] = y;
        rg->x0s[i] = x0;
        rg->dxs[i] = dx;
        rg->counts[i] = count;
        rg->channels = channels;
        rg->head++;
        /* Hand rows over in batches: one wake-up per 16 rows, not one per row. */
        if (rg->consumer_waiting && rg->head - rg->tail >= RING_ROWS / 4) pthread_cond_broadcast(&rg->changed);
    }
    pthread_mutex_unlock(&rg->lock);
    return cancelled;
}

static int deliver(cimage_row_fn row_fn, void *ctx, uint32_t y, const uint8_t *row, size_t bytes, int channels,
                   uint32_t x0, uint32_t dx, uint32_t count) {
    if (row_fn) return row_fn(ctx, y, row, channels, x0, dx, count);
    return ring_put((ring *)ctx, y, row, bytes, channels, x0, dx, count);
}

static int png_run(const uint8_t *data, size_t size, uint64_t max_pixels, int decode, int deep,
                   cimage_row_fn row_fn, void *ctx, cimage_info *info, char *err, size_t errlen) {
    if (err && errlen) err[0] = 0;
    /* The signature is left to libpng, whose messages say what is wrong with it. */
    reader r = { data, size, 0, err, errlen };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &r, error_fn, warning_fn);
    if (!png) { snprintf(err, errlen, "out of memory"); return -1; }
    png_infop pi = png_create_info_struct(png);
    if (!pi) { png_destroy_read_struct(&png, NULL, NULL); snprintf(err, errlen, "out of memory"); return -1; }
    /* volatile: modified between setjmp and longjmp */
    png_bytep volatile row = NULL;
    if (setjmp(png_jmpbuf(png))) {
        free(row);
        png_destroy_read_struct(&png, &pi, NULL);
        if (err && errlen && !err[0]) snprintf(err, errlen, "PNG decoding failed");
        return -1;
    }
    /* Our own limits decide; libpng's user limits would refuse before we can explain. */
    png_set_user_limits(png, 0x7fffffff, 0x7fffffff);
#ifdef PNG_IGNORE_ADLER32
    /* Previews skip zlib's Adler-32 (about 5% of a decode; a broken stream still fails
     * on its own). A full-depth decode, for pixel comparison, checks everything. */
    if (!deep) png_set_option(png, PNG_IGNORE_ADLER32, PNG_OPTION_ON);
#endif
    png_set_read_fn(png, &r, read_fn);
    png_read_info(png, pi);
    fill_info(png, pi, info);
    if (!decode) { png_destroy_read_struct(&png, &pi, NULL); return 0; }
    uint64_t pixels = (uint64_t)info->width * (uint64_t)info->height;
    if (pixels > max_pixels) {
        snprintf(err, errlen, "image of %ux%u (%llu pixels) exceeds the limit of %llu pixels",
                 info->width, info->height, (unsigned long long)pixels, (unsigned long long)max_pixels);
        png_destroy_read_struct(&png, &pi, NULL);
        return -1;
    }
    /* Everything to 8-bit RGB, or RGBA when there is any transparency; deep: everything
     * to 16-bit RGBA in the machine's byte order (8-bit samples v become v * 257). */
    int channels = deep || ((info->color_type & PNG_COLOR_MASK_ALPHA) || info->has_transparency) ? 4 : 3;
    png_set_expand(png);               /* palette -> RGB, gray < 8 -> 8, tRNS -> alpha */
    if (deep) {
        png_set_expand_16(png);
        png_set_swap(png);             /* PNG's big-endian samples to little-endian */
    } else {
        png_set_scale_16(png);         /* 16 -> 8 bits, rounding */
    }
    png_set_gray_to_rgb(png);
    if (channels == 4) png_set_add_alpha(png, deep ? 0xffff : 0xff, PNG_FILLER_AFTER);
    /* Interlaced (Adam7) images are read pass by pass, without libpng's interlace
     * handling: each pass row goes to the caller with where its pixels lie (every
     * 2^k-th column from some start), so no whole-image buffer is ever needed. */
    png_read_update_info(png, pi);
    size_t rowbytes = png_get_rowbytes(png, pi);
    size_t sample = deep ? 2 : 1;
    if (rowbytes != (size_t)info->width * channels * sample) png_error(png, "unexpected row size after transforms");
    row = malloc(rowbytes);
    if (!row) png_error(png, "out of memory");
    struct timespec cpu_start;
    cpu_origin(&cpu_start);
    uint32_t rows_done = 0;
#define CHECK_CPU() do { if ((++rows_done & 63) == 0 && thread_cpu_since(&cpu_start) > CIMAGE_MAX_CPU_SECONDS) \
        png_error(png, "decoding took over " CIMAGE_STR(CIMAGE_MAX_CPU_SECONDS) " s of CPU (a decompression bomb?)"); } while (0)
    if (!info->interlaced) {
        for (uint32_t y = 0; y < info->height; y++) {
            CHECK_CPU();
            png_read_row(png, row, NULL);
            if (deliver(row_fn, ctx, y, row, rowbytes, channels, 0, 1, info->width) != 0) png_error(png, "cancelled");
        }
    } else {
        for (int pass = 0; pass < PNG_INTERLACE_ADAM7_PASSES; pass++) {
            uint32_t cols = PNG_PASS_COLS(info->width, pass), rows_in_pass = PNG_PASS_ROWS(info->height, pass);
            if (cols == 0 || rows_in_pass == 0) continue;  /* libpng skips empty passes */
            for (uint32_t r = 0; r < rows_in_pass; r++) {
                CHECK_CPU();
                png_read_row(png, row, NULL);
                uint32_t y = PNG_ROW_FROM_PASS_ROW(r, pass);
                if (deliver(row_fn, ctx, y, row, (size_t)cols * channels * sample, channels,
                            PNG_PASS_START_COL(pass), PNG_PASS_COL_OFFSET(pass), cols) != 0)
                    png_error(png, "cancelled");
            }
        }
    }
#undef CHECK_CPU
    /* No png_read_end: whatever follows the last row (more IDAT, other chunks) is never
     * inflated, so data hidden after the image costs nothing. */
    free(row);
    png_destroy_read_struct(&png, &pi, NULL);
    return 0;
}

int cimage_png_info(const uint8_t *data, size_t size, cimage_info *info, char *err, size_t errlen) {
    return png_run(data, size, 0, 0, 0, NULL, NULL, info, err, errlen);
}

int cimage_png_decode_rgba16(const uint8_t *data, size_t size, uint64_t max_pixels,
                             cimage_row_fn row_fn, void *ctx, cimage_info *info, char *err, size_t errlen) {
    return png_run(data, size, max_pixels, 1, 1, row_fn, ctx, info, err, errlen);
}

typedef struct producer_args {
    const uint8_t *data;
    size_t size;
    uint64_t max_pixels;
    ring *rg;
    cimage_info *info;
    char *err;
    size_t errlen;
    int result;
} producer_args;

static void *producer(void *arg) {
    producer_args *a = (producer_args *)arg;
    a->result = png_run(a->data, a->size, a->max_pixels, 1, 0, NULL, a->rg, a->info, a->err, a->errlen);
    pthread_mutex_lock(&a->rg->lock);
    a->rg->done = 1;
    pthread_cond_broadcast(&a->rg->changed);
    pthread_mutex_unlock(&a->rg->lock);
    return NULL;
}

uint64_t cimage_png_memory(const cimage_info *info) {
    uint64_t row = (uint64_t)info->width * 4;  /* RGBA, 8-bit after transforms */
    /* Row by row, interlaced passes too: a 64-row ring and libpng's two rows. */
    return row * (64 + 2);
}

int cimage_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels, uint64_t max_bytes,
                      cimage_row_fn row_fn, void *ctx, cimage_info *info, char *err, size_t errlen) {
    /* The header first, on this thread, so limits are checked before any allocation. */
    if (png_run(data, size, 0, 0, 0, NULL, NULL, info, err, errlen) != 0) return -1;
    uint64_t pixels = (uint64_t)info->width * (uint64_t)info->height;
    if (pixels > max_pixels) {
        snprintf(err, errlen, "image of %ux%u (%llu pixels) exceeds the limit of %llu pixels",
                 info->width, info->height, (unsigned long long)pixels, (unsigned long long)max_pixels);
        return -1;
    }
    uint64_t need = cimage_png_memory(info);
    if (need > max_bytes) {
        snprintf(err, errlen, "decoding this %s %ux%u PNG would need about %llu MiB, over the %llu MiB budget",
                 info->interlaced ? "interlaced" : "", info->width, info->height,
                 (unsigned long long)(need >> 20), (unsigned long long)(max_bytes >> 20));
        return -1;
    }
    ring rg;
    memset(&rg, 0, sizeof rg);
    rg.slot_bytes = (size_t)info->width * 4;
    rg.slots = malloc(rg.slot_bytes * RING_ROWS);
    if (!rg.slots) { snprintf(err, errlen, "out of memory"); return -1; }
    pthread_mutex_init(&rg.lock, NULL);
    pthread_cond_init(&rg.changed, NULL);
    producer_args a = { data, size, max_pixels, &rg, info, err, errlen, 0 };
    pthread_t thread;
    if (pthread_create(&thread, NULL, producer, &a) != 0) {
        free(rg.slots);
        return png_run(data, size, max_pixels, 1, 0, row_fn, ctx, info, err, errlen);
    }
    int cancelled = 0;
    pthread_mutex_lock(&rg.lock);
    for (;;) {
        while (rg.head == rg.tail && !rg.done) {
            rg.consumer_waiting = 1;
            pthread_cond_wait(&rg.changed, &rg.lock);
            rg.consumer_waiting = 0;
        }
        if (rg.head == rg.tail && rg.done) break;
        unsigned i = rg.tail % RING_ROWS;
        uint32_t y = rg.ys[i];
        int channels = rg.channels;
        pthread_mutex_unlock(&rg.lock);
        int stop = cancelled ? 0 : row_fn(ctx, y, rg.slots + i * rg.slot_bytes, channels, rg.x0s[i], rg.dxs[i], rg.counts[i]);
        pthread_mutex_lock(&rg.lock);
        rg.tail++;
        if (stop) { cancelled = 1; rg.cancelled = 1; }
        /* Wake a producer blocked on a full ring once half of it is free again. */
        if (rg.producer_waiting && (rg.cancelled || rg.head - rg.tail <= RING_ROWS / 2))
            pthread_cond_broadcast(&rg.changed);
    }
    pthread_mutex_unlock(&rg.lock);
    pthread_join(thread, NULL);
    pthread_cond_destroy(&rg.changed);
    pthread_mutex_destroy(&rg.lock);
    free(rg.slots);
    if (cancelled) {
        /* The producer may have finished before it saw the request: cancelled all the same. */
        snprintf(err, errlen, "cancelled");
        return -1;
    }
    return a.result;
}

/* Whether the JPEG's frame header (the first SOFn marker) says progressive (SOF2, SOF6,
 * SOF10, SOF14): TurboJPEG's header call does not tell, and a progressive image keeps
 * all its coefficients in memory while it decodes. */
static int jpeg_is_progressive(const uint8_t *data, size_t size) {
    size_t i = 2;
    while (i + 4 <= size) {
        if (data[i] != 0xFF) return 0;
        uint8_t m = data[i + 1];
        if (m == 0xFF) { i++; continue; }                    /* fill byte */
        if (m == 0xD8 || (m >= 0xD0 && m <= 0xD7) || m == 0x01) { i += 2; continue; }
        if (m == 0xDA || m == 0xD9) return 0;                 /* scan or end before a frame */
        if (m >= 0xC0 && m <= 0xCF && m != 0xC4 && m != 0xC8 && m != 0xCC)
            return m == 0xC2 || m == 0xC6 || m == 0xCA || m == 0xCE;
        size_t len = ((size_t)data[i + 2] << 8) | data[i + 3];
        if (len < 2) return 0;
        i += 2 + len;
    }
    return 0;
}

uint64_t cimage_jpeg_memory(const cimage_info *info, uint32_t scaled_width, uint32_t scaled_height) {
    uint64_t comps = info->color_type == 1 ? 1 : info->color_type == 4 ? 4 : 3;
    uint64_t out = (uint64_t)scaled_width * scaled_height * (comps == 4 ? 4 : 3);
    /* Progressive: 16-bit coefficients of every block of every component, at full size. */
    uint64_t coefficients = info->interlaced ? (uint64_t)info->width * info->height * comps * 2 : 0;
    return out + coefficients;
}

static int jpeg_header(tjhandle tj, const uint8_t *data, size_t size, cimage_info *info, char *err, size_t errlen) {
    int w, h, sub, cs;
    if (tjDecompressHeader3(tj, data, (unsigned long)size, &w, &h, &sub, &cs) != 0) {
        snprintf(err, errlen, "%s", tjGetErrorStr2(tj));
        return -1;
    }
    info->width = (uint32_t)w;
    info->height = (uint32_t)h;
    info->bit_depth = 8;
    info->color_type = (cs == TJCS_GRAY) ? 1 : (cs == TJCS_CMYK || cs == TJCS_YCCK) ? 4 : 3;
    info->interlaced = jpeg_is_progressive(data, size);
    info->has_transparency = 0;
    info->jpeg_subsampling = sub;
    info->jpeg_colorspace = cs;
    info->jpeg_scans = 0;
    return 0;
}

int cimage_jpeg_info(const uint8_t *data, size_t size, cimage_info *info, char *err, size_t errlen) {
    tjhandle tj = tjInitDecompress();
    if (!tj) { snprintf(err, errlen, "TurboJPEG initialisation failed"); return -1; }
    int r = jpeg_header(tj, data, size, info, err, errlen);
    tjDestroy(tj);
    return r;
}

/* libjpeg's error and progress hooks, with what they need. The error hook and the
 * progress monitor leave through longjmp, which stays inside cimage_jpeg_decode. */
typedef struct jpeg_guard {
    struct jpeg_error_mgr pub;     /* first: cinfo->err points here */
    struct jpeg_progress_mgr progress;
    jmp_buf jump;
    char *err;
    size_t errlen;
    cimage_cancel_fn cancelled;
    void *ctx;
    struct timespec cpu_start;     /* of the budget (shared by a command's decodes) */
    struct timespec decode_start;  /* of this decode: the many-scans limit */
} jpeg_guard;

static void guard_error_exit(j_common_ptr cinfo) {
    jpeg_guard *g = (jpeg_guard *)cinfo->err;
    char message[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, message);
    snprintf(g->err, g->errlen, "%s", message);
    longjmp(g->jump, 1);
}

/* libjpeg would print warnings (a corrupt or odd progression) on stderr; the decode goes
 * on, and errors come back as one message. */
static void guard_output_message(j_common_ptr cinfo) { (void)cinfo; }

static void guard_stop(jpeg_guard *g, const char *why) {
    snprintf(g->err, g->errlen, "%s", why);
    longjmp(g->jump, 1);
}

/* Every limit of a running decode: scans, cancellation, CPU. Leaves (longjmp) when one
 * is reached. */
static void guard_check(jpeg_guard *g, j_decompress_ptr d) {
    char why[160];
    if (d->input_scan_number > CIMAGE_JPEG_MAX_SCANS) {
        snprintf(why, sizeof why, "more than %d progressive scans (a decompression bomb?)", CIMAGE_JPEG_MAX_SCANS);
        guard_stop(g, why);
    }
    if (g->cancelled && g->cancelled(g->ctx)) guard_stop(g, "cancelled");
    if (thread_cpu_since(&g->cpu_start) > CIMAGE_MAX_CPU_SECONDS) {
        snprintf(why, sizeof why, "decoding took over %d s of CPU (a decompression bomb?)", CIMAGE_MAX_CPU_SECONDS);
        guard_stop(g, why);
    }
    if (d->input_scan_number > CIMAGE_JPEG_USUAL_SCANS
        && thread_cpu_since(&g->decode_start) > CIMAGE_JPEG_MANY_SCANS_CPU_SECONDS) {
        snprintf(why, sizeof why, "more than %d progressive scans and over %.1f s of CPU (a decompression bomb?)",
                 CIMAGE_JPEG_USUAL_SCANS, CIMAGE_JPEG_MANY_SCANS_CPU_SECONDS);
        guard_stop(g, why);
    }
}

/* Called by libjpeg between pieces of work: scans read by jpeg_start_decompress (not in
 * buffered-image mode) and output rows. */
static void guard_progress(j_common_ptr cinfo) {
    if (!cinfo->is_decompressor) return;
    guard_check((jpeg_guard *)cinfo->err, (j_decompress_ptr)cinfo);
}

/* How far a DC coefficient may still be from its final value, in units of its quantizer,
 * and count as known (see jpeg_scans_suffice): its missing low bits b are worth up to
 * 2^b - 1 quanta, always downwards, and a block's mean is DC / 8, so 16 is at most 2
 * levels of 255 in Y, Cb or Cr (before the conversion to RGB). */
#define JPEG_DC_SLACK 16

/* Whether the scans read so far give a preview of at least min_width x min_height all it
 * uses, so the rest of the file is left unread ("enough scans"). Per component:
 * - DC alone, when the component has at least that many blocks across and down: each
 *   block then spans at most one preview pixel, and its AC coefficients only move values
 *   around inside it (the block's mean is its DC; the preview mixes colours after the
 *   conversion to RGB, so a cell on a hard colour edge can still move by a few levels,
 *   as DECISIONS.md measures). Luma qualifies exactly when the decode
 *   is at 1/8, where libjpeg's 1x1 IDCT reads nothing but DC; 4:2:0 chroma, decoded there
 *   with a 2x2 IDCT, when the preview is at most 1/16 of the image.
 * - Otherwise every coefficient: libjpeg's reduced IDCTs (4x4 at 1/2, 2x2 at 1/4) read
 *   rows and columns up to the 7th, in practice the whole block.
 * Known means final (coef_bits 0), except that a DC may still miss low bits worth at most
 * JPEG_DC_SLACK quanta: libjpeg's script (TurboJPEG's progressive mode) sends DC less its
 * last bit first, then the bulk of the AC data, and that bit in the 7th of 10 scans;
 * with its quantization tables at quality 52 or more (DC quantizers of 16 or less) a 1/8
 * preview needs the first scan only. Asked between scans only: libjpeg sets coef_bits
 * when a scan starts, before its data is read. */
static int jpeg_scans_suffice(j_decompress_ptr d, uint32_t min_width, uint32_t min_height) {
    if (d->coef_bits == NULL) return 0;
    for (int c = 0; c < d->num_components; c++) {
        const int *bits = d->coef_bits[c];
        const jpeg_component_info *comp = &d->comp_info[c];
        const JQUANT_TBL *q = comp->quant_table;
        if (bits[0] != 0) {
            if (bits[0] < 0 || bits[0] > 13 || !q) return 0;
            if (((1L << bits[0]) - 1) * (long)q->quantval[0] > JPEG_DC_SLACK) return 0;
        }
        if (comp->width_in_blocks >= min_width && comp->height_in_blocks >= min_height) continue;
        for (int k = 1; k < DCTSIZE2; k++)
            if (bits[k] != 0) return 0;
    }
    return 1;
}

/* Reads a progressive image's scans into libjpeg's coefficient buffer (buffered-image
 * mode, after jpeg_start_decompress): at full size up to the end of the image, as
 * jpeg_start_decompress would; smaller, only until jpeg_scans_suffice. Every limit is
 * checked after each row of blocks. Returns 1 when it stopped early. */
static int jpeg_read_scans(j_decompress_ptr d, jpeg_guard *g, int full_size, uint32_t min_width, uint32_t min_height) {
    for (;;) {
        int r = jpeg_consume_input(d);
        if (r == JPEG_REACHED_EOI || r == JPEG_SUSPENDED) return 0;  /* memory source: never suspends */
        guard_check(g, d);
        if (r == JPEG_SCAN_COMPLETED && !full_size && jpeg_scans_suffice(d, min_width, min_height)) return 1;
    }
}

int cimage_jpeg_decode(const uint8_t *data, size_t size, uint64_t max_pixels, uint64_t max_bytes,
                       uint32_t min_width, uint32_t min_height,
                       cimage_row_fn row_fn, cimage_cancel_fn cancelled, void *ctx, cimage_info *info,
                       uint32_t *out_width, uint32_t *out_height, char *err, size_t errlen) {
    tjhandle tj = tjInitDecompress();
    if (!tj) { snprintf(err, errlen, "TurboJPEG initialisation failed"); return -1; }
    int header = jpeg_header(tj, data, size, info, err, errlen);
    tjDestroy(tj);
    if (header != 0) return -1;
    uint64_t pixels = (uint64_t)info->width * (uint64_t)info->height;
    if (pixels > max_pixels) {
        snprintf(err, errlen, "image of %ux%u (%llu pixels) exceeds the limit of %llu pixels",
                 info->width, info->height, (unsigned long long)pixels, (unsigned long long)max_pixels);
        return -1;
    }
    /* The smallest of 1/8, 1/4, 1/2, 1 that keeps at least the requested size. */
    static const int denoms[] = { 8, 4, 2, 1 };
    int denom = 1, sw = (int)info->width, sh = (int)info->height;
    for (int i = 0; i < 4; i++) {
        tjscalingfactor f = { 1, denoms[i] };
        int w = TJSCALED((int)info->width, f), h = TJSCALED((int)info->height, f);
        if ((uint32_t)w >= min_width && (uint32_t)h >= min_height) { sw = w; sh = h; denom = denoms[i]; break; }
    }
    uint64_t need = cimage_jpeg_memory(info, (uint32_t)sw, (uint32_t)sh);
    if (need > max_bytes) {
        snprintf(err, errlen, "decoding this %s%ux%u JPEG would need about %llu MiB, over the %llu MiB budget",
                 info->interlaced ? "progressive " : "", info->width, info->height,
                 (unsigned long long)(need >> 20), (unsigned long long)(max_bytes >> 20));
        return -1;
    }
    /* CMYK and YCCK JPEGs decode only to CMYK; convert those rows to RGB ourselves. */
    int cmyk = info->jpeg_colorspace == TJCS_CMYK || info->jpeg_colorspace == TJCS_YCCK;

    struct jpeg_decompress_struct cinfo;
    jpeg_guard g;
    memset(&g, 0, sizeof g);
    g.err = err;
    g.errlen = errlen;
    g.cancelled = cancelled;
    g.ctx = ctx;
    cpu_origin(&g.cpu_start);
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &g.decode_start);
    cinfo.err = jpeg_std_error(&g.pub);
    g.pub.error_exit = guard_error_exit;
    g.pub.output_message = guard_output_message;
    uint8_t *volatile row = NULL;
    if (setjmp(g.jump)) {
        jpeg_destroy_decompress(&cinfo);
        free(row);
        return -1;
    }
    jpeg_create_decompress(&cinfo);
    g.progress.progress_monitor = guard_progress;
    cinfo.progress = &g.progress;
    jpeg_mem_src(&cinfo, data, (unsigned long)size);
    jpeg_read_header(&cinfo, TRUE);
    cinfo.scale_num = 1;
    cinfo.scale_denom = (unsigned)denom;
    cinfo.dct_method = JDCT_ISLOW;                       /* as TJFLAG_ACCURATEDCT */
    cinfo.out_color_space = cmyk ? JCS_CMYK : JCS_RGB;
    /* Progressive: scans are read by jpeg_read_scans, which may stop before the last. */
    int progressive = cinfo.progressive_mode;
    cinfo.buffered_image = progressive ? TRUE : FALSE;
    jpeg_start_decompress(&cinfo);                       /* baseline with several scans: all, monitored */
    if ((int)cinfo.output_width != sw || (int)cinfo.output_height != sh) {
        guard_stop(&g, "libjpeg chose another scale than TurboJPEG's rule");
    }
    if (progressive) {
        /* Stopped early, what the preview uses is known: libjpeg's block smoothing, which
         * guesses AC coefficients not yet final and blurs DC while no AC is known, would
         * only take the output further from the finished image's. At the end of the file
         * it stays on, as in a one-pass decode. */
        if (jpeg_read_scans(&cinfo, &g, denom == 1, min_width, min_height)) cinfo.do_block_smoothing = FALSE;
        jpeg_start_output(&cinfo, cinfo.input_scan_number);
    }
    size_t stride = (size_t)cinfo.output_width * (size_t)cinfo.output_components;
    row = malloc(stride);
    if (!row) guard_stop(&g, "out of memory");
    while (cinfo.output_scanline < cinfo.output_height) {
        JSAMPROW rows[1] = { row };
        if (jpeg_read_scanlines(&cinfo, rows, 1) != 1) guard_stop(&g, "JPEG data suspended");
        uint32_t y = cinfo.output_scanline - 1;
        if (cmyk) {
            /* Adobe-style inverted CMYK, as nearly every CMYK JPEG is: R = C * K / 255. */
            for (int x = 0; x < sw; x++) {
                const uint8_t *p = row + 4 * x;
                unsigned k = p[3];
                uint8_t r = (uint8_t)(p[0] * k / 255), gr = (uint8_t)(p[1] * k / 255), b = (uint8_t)(p[2] * k / 255);
                row[3 * x] = r; row[3 * x + 1] = gr; row[3 * x + 2] = b;
            }
        }
        if (row_fn(ctx, y, row, 3, 0, 1, (uint32_t)sw) != 0) guard_stop(&g, "cancelled");
    }
    /* Whatever follows the last row is not read (no jpeg_finish_output or
     * jpeg_finish_decompress): for a progressive image stopped early, the scans left. */
    info->jpeg_scans = cinfo.input_scan_number;
    *out_width = (uint32_t)sw;
    *out_height = (uint32_t)sh;
    jpeg_destroy_decompress(&cinfo);
    free(row);
    return 0;
}

/* ---- PNG encoding (the difference picture of `compare --diff`) ---- */

typedef struct {
    uint8_t *data;
    size_t size, capacity;
    int failed;
    char *err;
    size_t errlen;
} writer;

static void write_error_fn(png_structp png, png_const_charp msg) {
    writer *w = (writer *)png_get_error_ptr(png);
    if (w && w->err && w->errlen) snprintf(w->err, w->errlen, "%s", msg);
    png_longjmp(png, 1);
}

static void write_fn(png_structp png, png_bytep bytes, png_size_t count) {
    writer *w = (writer *)png_get_io_ptr(png);
    if (w->size + count > w->capacity) {
        size_t capacity = w->capacity ? w->capacity : 1 << 16;
        while (capacity < w->size + count) capacity *= 2;
        uint8_t *grown = realloc(w->data, capacity);
        if (!grown) png_error(png, "out of memory");
        w->data = grown;
        w->capacity = capacity;
    }
    memcpy(w->data + w->size, bytes, count);
    w->size += count;
}

static void flush_fn(png_structp png) { (void)png; }

int cimage_png_encode_rgba8(const uint8_t *rgba, uint32_t width, uint32_t height, int opaque, uint8_t **out, size_t *out_size,
                            char *err, size_t errlen) {
    if (err && errlen) err[0] = 0;
    *out = NULL;
    *out_size = 0;
    writer w = { NULL, 0, 0, 0, err, errlen };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &w, write_error_fn, warning_fn);
    if (!png) { snprintf(err, errlen, "out of memory"); return -1; }
    png_infop pi = png_create_info_struct(png);
    if (!pi) { png_destroy_write_struct(&png, NULL); snprintf(err, errlen, "out of memory"); return -1; }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &pi);
        free(w.data);
        if (err && errlen && !err[0]) snprintf(err, errlen, "PNG encoding failed");
        return -1;
    }
    png_set_write_fn(png, &w, write_fn, flush_fn);
    png_set_IHDR(png, pi, width, height, 8, opaque ? PNG_COLOR_TYPE_RGB : PNG_COLOR_TYPE_RGB_ALPHA, PNG_INTERLACE_NONE,
                 PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_set_compression_level(png, 1);
    png_write_info(png, pi);
    if (opaque) png_set_filler(png, 0, PNG_FILLER_AFTER);  /* the rows' fourth bytes are dropped */
    for (uint32_t y = 0; y < height; y++) png_write_row(png, (png_const_bytep)(rgba + (size_t)y * width * 4));
    png_write_end(png, pi);
    png_destroy_write_struct(&png, &pi);
    *out = w.data;
    *out_size = w.size;
    return 0;
}

void cimage_free(void *p) { free(p); }
