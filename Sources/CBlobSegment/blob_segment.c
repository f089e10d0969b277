/* The layout header is the whole of this module; compiling it here runs its static
 * asserts on every build. */
#include "blob_segment.h"
