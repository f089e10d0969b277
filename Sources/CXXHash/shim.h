#include <xxhash.h>
#if defined(__x86_64__) || defined(__i386__)
/* Runtime-dispatched XXH3 (AVX2/AVX-512 when the CPU has them): 2-3x the SSE2 default. */
#include <xxh_x86dispatch.h>
#endif
