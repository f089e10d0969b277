/* Not part of the public interface: how the Swift side of libsharedblob sets the message
 * sb_last_error returns. */
#ifndef SHAREDBLOB_INTERNAL_H
#define SHAREDBLOB_INTERNAL_H
void sb_internal_set_error(const char *message);
#endif
