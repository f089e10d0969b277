/* libFuzzer target: the PNG and JPEG decode paths the previews use (CImage), with the
 * preview's limits (100 megapixels; DCT scaling to a 80x24 box). Any input must decode
 * or be refused with a message; nothing may crash, leak or read out of bounds. */
#include <stdint.h>
#include <string.h>
#include "cimage.h"

static int sum_row(void *ctx, uint32_t y, const uint8_t *row, int channels, uint32_t x0, uint32_t dx, uint32_t count) {
    (void)y;
    uint64_t *sum = ctx;
    /* Touch every delivered byte, so a short row would be caught by AddressSanitizer. */
    for (uint32_t i = 0; i < count * (uint32_t)channels; i++) *sum += row[i];
    *sum += x0 + dx;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    char err[256];
    cimage_info info;
    uint64_t sum = 0;
    const uint64_t max_pixels = 100000000ULL;
    if (size >= 8 && memcmp(data, "\x89PNG", 4) == 0) {
        if (cimage_png_info(data, size, &info, err, sizeof err) == 0) {
            cimage_png_decode(data, size, max_pixels, 256u << 20, sum_row, &sum, &info, err, sizeof err);
        }
    } else if (size >= 3 && data[0] == 0xFF && data[1] == 0xD8) {
        uint32_t w = 0, h = 0;
        if (cimage_jpeg_info(data, size, &info, err, sizeof err) == 0) {
            cimage_jpeg_decode(data, size, max_pixels, 256u << 20, 80, 48, sum_row, NULL, &sum, &info, &w, &h, err, sizeof err);
        }
    }
    return 0;
}
