/* PNG (libpng, classic row API) and JPEG (TurboJPEG) decoding for Swift.
 * Every setjmp lives inside the C function that calls libpng, so a libpng longjmp
 * never crosses a Swift frame. Errors come back as a return value and a message. */
#ifndef CIMAGE_H
#define CIMAGE_H

#include <stddef.h>
#include <stdint.h>

typedef struct cimage_info {
    uint32_t width;
    uint32_t height;
    int bit_depth;
    int color_type;      /* PNG colour type (0, 2, 3, 4, 6); for JPEG: components */
    int interlaced;      /* PNG: Adam7; JPEG: progressive */
    int has_transparency;/* PNG tRNS chunk present */
    int jpeg_subsampling;/* TurboJPEG TJSAMP_*, JPEG only */
    int jpeg_colorspace; /* TurboJPEG TJCS_*, JPEG only */
    int jpeg_scans;      /* after cimage_jpeg_decode: scans read (a progressive image's
                          * reduced-size decode stops before the last); otherwise 0 */
} cimage_info;

/* Receives one decoded row of 8-bit pixels, RGB (channels 3) or RGBA (channels 4):
 * `count` pixels that belong at columns x0, x0 + dx, x0 + 2 dx, ... of image row y (a
 * whole row: x0 0, dx 1, count width; an Adam7 pass row: a sparse one). Every pixel of
 * the image is delivered exactly once. Return 0 to go on, nonzero to stop (the decode
 * then fails with "cancelled"). */
typedef int (*cimage_row_fn)(void *ctx, uint32_t y, const uint8_t *row, int channels,
                             uint32_t x0, uint32_t dx, uint32_t count);

/* Asked while a decode runs; nonzero stops it (the decode then fails with "cancelled"). */
typedef int (*cimage_cancel_fn)(void *ctx);

/* A JPEG decode stops after this many progressive scans; any decode after this much
 * CPU time (of the decoding thread). */
#define CIMAGE_JPEG_MAX_SCANS 500
#define CIMAGE_MAX_CPU_SECONDS 10
/* Encoders write about 10 progressive scans. A decode that reads more than
 * CIMAGE_JPEG_USUAL_SCANS is held to CIMAGE_JPEG_MANY_SCANS_CPU_SECONDS of CPU in all
 * (counted from its own start), so a scan bomb costs well under a second. */
#define CIMAGE_JPEG_USUAL_SCANS 32
#define CIMAGE_JPEG_MANY_SCANS_CPU_SECONDS 0.5

/* Makes the decodes that follow on this thread share one CPU budget of
 * CIMAGE_MAX_CPU_SECONDS, counted from now (a command that decodes two images, such as
 * a comparison, is bounded as a whole), until cimage_budget_end. */
void cimage_budget_begin(void);
void cimage_budget_end(void);

/* Reads a PNG's header only. Returns 0, or -1 with a message in err. */
int cimage_png_info(const uint8_t *data, size_t size, cimage_info *info, char *err, size_t errlen);

/* Decodes a PNG to 8-bit RGB rows (RGBA when it has alpha or tRNS), calling row_fn for each row top to bottom.
 * Rows are decoded one at a time (memory: a ring of rows), interlaced images pass by
 * pass as sparse rows; width*height over max_pixels is refused first, before any
 * allocation.
 * Returns 0, or -1 with libpng's message in err. */
int cimage_png_decode(const uint8_t *data, size_t size, uint64_t max_pixels, uint64_t max_bytes,
                      cimage_row_fn row_fn, void *ctx, cimage_info *info, char *err, size_t errlen);

/* Decodes a PNG at full depth for pixel comparison: every row as 16-bit RGBA in the
 * machine's byte order (row_fn's `row` points at uint16_t samples; channels is 4;
 * 8-bit samples v arrive as v * 257, opaque images with alpha 65535), on the calling
 * thread. Same limits and sparse interlaced rows as cimage_png_decode. */
int cimage_png_decode_rgba16(const uint8_t *data, size_t size, uint64_t max_pixels,
                             cimage_row_fn row_fn, void *ctx, cimage_info *info, char *err, size_t errlen);

/* Encodes 8-bit RGBA rows (width * 4 bytes each, top first) as a PNG in memory: *out
 * (free it with cimage_free) holds *out_size bytes; `opaque`: the alpha bytes are left out
 * (an RGB PNG). zlib's fastest level: these are pictures to look at, written once.
 * Returns 0, or -1 with libpng's message in err. */
int cimage_png_encode_rgba8(const uint8_t *rgba, uint32_t width, uint32_t height, int opaque, uint8_t **out, size_t *out_size,
                            char *err, size_t errlen);
void cimage_free(void *p);

/* What decoding needs in memory, estimated from the header: row buffers for a PNG
 * (interlaced ones too); the output plus, for a progressive JPEG, the coefficients
 * of the whole image. The decode functions refuse an image whose estimate is over
 * max_bytes, before allocating. */
uint64_t cimage_png_memory(const cimage_info *info);
uint64_t cimage_jpeg_memory(const cimage_info *info, uint32_t scaled_width, uint32_t scaled_height);

/* Reads a JPEG's header. Returns 0, or -1 with TurboJPEG's message in err. */
int cimage_jpeg_info(const uint8_t *data, size_t size, cimage_info *info, char *err, size_t errlen);

/* Decodes a JPEG to 8-bit RGB rows at the smallest DCT scale (1/8, 1/4, 1/2, 1) whose
 * size is still at least min_width x min_height (or the full size). The scaled size is
 * stored in *out_width / *out_height, row by row (no whole-image buffer). Refuses images
 * over max_pixels or max_bytes before allocating; stops, with a message, when `cancelled`
 * says so (asked between scans and rows), after CIMAGE_JPEG_MAX_SCANS progressive scans,
 * after CIMAGE_MAX_CPU_SECONDS of CPU, or past CIMAGE_JPEG_USUAL_SCANS scans after
 * CIMAGE_JPEG_MANY_SCANS_CPU_SECONDS.
 * A progressive image decoded below full size reads scans only until what a picture of
 * min_width x min_height takes from each component is known (its DC, to within 2
 * levels, when it has at least that many blocks, as luma has at 1/8; otherwise every
 * coefficient; see cimage.c), and nothing after; at full size it reads every scan.
 * info->jpeg_scans says how many were read. */
int cimage_jpeg_decode(const uint8_t *data, size_t size, uint64_t max_pixels, uint64_t max_bytes,
                       uint32_t min_width, uint32_t min_height,
                       cimage_row_fn row_fn, cimage_cancel_fn cancelled, void *ctx, cimage_info *info,
                       uint32_t *out_width, uint32_t *out_height, char *err, size_t errlen);

#endif
