/* The calling thread's last error message for sb_last_error (sharedblob.h), set by the
 * Swift side; compiling the public header here also checks it is valid C. */
#include "sharedblob.h"
#include "sharedblob_internal.h"
#include <string.h>

static __thread char last_error[512];

const char *sb_last_error(void) { return last_error; }

void sb_internal_set_error(const char *message) {
    if (!message || !message[0]) {  /* success: no 512-byte strncpy on every call */
        last_error[0] = 0;
        return;
    }
    strncpy(last_error, message, sizeof last_error - 1);
    last_error[sizeof last_error - 1] = 0;
}
