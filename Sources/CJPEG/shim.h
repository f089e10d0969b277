/* The libjpeg(-turbo) API, for decoding with a progress monitor (cancellation, scan and
 * CPU limits) that TurboJPEG's one-call API does not offer. */
#include <stdio.h>
#include <jpeglib.h>
