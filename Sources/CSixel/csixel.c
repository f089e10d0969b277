#include "csixel.h"
#include <dlfcn.h>
#include <pthread.h>
#include <sixel/sixel.h>

/* The libsixel functions used, resolved once. */
static struct {
    __typeof__(&sixel_output_new) output_new;
    __typeof__(&sixel_output_unref) output_unref;
    __typeof__(&sixel_dither_new) dither_new;
    __typeof__(&sixel_dither_unref) dither_unref;
    __typeof__(&sixel_dither_initialize) dither_initialize;
    __typeof__(&sixel_dither_set_diffusion_type) dither_set_diffusion_type;
    __typeof__(&sixel_encode) encode;
    __typeof__(&sixel_decode_raw) decode_raw;
    int loaded;
} lib;

static pthread_once_t once = PTHREAD_ONCE_INIT;

static void load(void) {
    void *h = dlopen("libsixel.so.1", RTLD_NOW | RTLD_LOCAL);
    if (!h) return;
#define SYM(field, name) if (!(lib.field = (__typeof__(lib.field))dlsym(h, name))) return;
    SYM(output_new, "sixel_output_new")
    SYM(output_unref, "sixel_output_unref")
    SYM(dither_new, "sixel_dither_new")
    SYM(dither_unref, "sixel_dither_unref")
    SYM(dither_initialize, "sixel_dither_initialize")
    SYM(dither_set_diffusion_type, "sixel_dither_set_diffusion_type")
    SYM(encode, "sixel_encode")
    SYM(decode_raw, "sixel_decode_raw")
#undef SYM
    lib.loaded = 1;
}

struct sink_context { csixel_sink sink; void *context; };

static int write_piece(char *data, int size, void *priv) {
    struct sink_context *s = priv;
    s->sink(data, size, s->context);
    return size;
}

int csixel_encode_rgb(uint8_t *rgb, int width, int height, csixel_sink sink, void *context) {
    pthread_once(&once, load);
    if (!lib.loaded) return -1;
    struct sink_context s = { sink, context };
    sixel_output_t *output = NULL;
    sixel_dither_t *dither = NULL;
    int rc = -2;
    if (SIXEL_FAILED(lib.output_new(&output, write_piece, &s, NULL))) return -2;
    if (SIXEL_FAILED(lib.dither_new(&dither, 256, NULL))) goto done;
    if (SIXEL_FAILED(lib.dither_initialize(dither, rgb, width, height, SIXEL_PIXELFORMAT_RGB888,
                                           SIXEL_LARGE_AUTO, SIXEL_REP_AUTO, SIXEL_QUALITY_LOW))) goto done;
    lib.dither_set_diffusion_type(dither, SIXEL_DIFFUSE_FS);
    if (SIXEL_FAILED(lib.encode(rgb, width, height, 3, dither, output))) goto done;
    rc = 0;
done:
    if (dither) lib.dither_unref(dither);
    lib.output_unref(output);
    return rc;
}

int csixel_decode_raw(uint8_t *data, int size, uint8_t **pixels, int *width, int *height,
                      uint8_t **palette, int *ncolors) {
    pthread_once(&once, load);
    if (!lib.loaded) return -1;
    return SIXEL_FAILED(lib.decode_raw(data, size, pixels, width, height, palette, ncolors, NULL)) ? -2 : 0;
}
