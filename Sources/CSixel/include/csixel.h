#ifndef CSIXEL_H
#define CSIXEL_H
#include <stdint.h>

/* libsixel, loaded when first needed (dlopen "libsixel.so.1"), so the programs that never
 * draw sixel — character previews, transfers — do not map it (about 1 MB of resident
 * memory in each process). */

/* Receives the encoder's output, piece by piece. */
typedef void (*csixel_sink)(const char *data, int size, void *context);

/* Encodes width x height RGB888 pixels as sixel (DCS ... ST): a palette of up to 256
 * colours built from the image (libsixel's low quality setting), Floyd-Steinberg
 * dithering. 0 on success, -1 when libsixel cannot be loaded, -2 when it fails. */
int csixel_encode_rgb(uint8_t *rgb, int width, int height, csixel_sink sink, void *context);

/* libsixel's decoder (for tests): palette indices and an RGB palette, both malloc'd (the
 * caller frees them). 0 on success, -1 when libsixel cannot be loaded, -2 when it fails. */
int csixel_decode_raw(uint8_t *data, int size, uint8_t **pixels, int *width, int *height,
                      uint8_t **palette, int *ncolors);

#endif
