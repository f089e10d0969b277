/*
 * blob_mutex.h — a robust, process-shared named mutex, usable from C and Swift.
 *
 * The mutex lives in its own small POSIX shared-memory object (/dev/shm/NAME). When a
 * holder dies holding it, the next locker gets it and is told so (BLOB_MUTEX_OWNER_DIED):
 * the mutex has already been made consistent and stays usable for ever after, unlike a
 * plain robust mutex that becomes unrecoverable when nobody calls
 * pthread_mutex_consistent.
 */
#ifndef BLOB_MUTEX_H
#define BLOB_MUTEX_H

#include <stdint.h>

typedef struct blob_mutex blob_mutex;

/* Results of the lock calls (errors are positive errno values). */
#define BLOB_MUTEX_OK 0
#define BLOB_MUTEX_OWNER_DIED (-1) /* acquired; the previous holder died holding it */
#define BLOB_MUTEX_BUSY (-2)       /* try-lock: held by someone else */
#define BLOB_MUTEX_TIMEOUT (-3)    /* timed lock: not acquired in time */

/* Opens the named mutex, creating and initialising it when create is nonzero and it
 * does not exist. Returns NULL with errno set on failure (ENOENT: no such mutex;
 * EINVAL: the object is not a blob mutex; EPERM: it belongs to another user or others
 * may write it, so it is neither locked nor waited on). */
blob_mutex *blob_mutex_open(const char *name, int create);

/* Blocks until acquired. Returns BLOB_MUTEX_OK, BLOB_MUTEX_OWNER_DIED or an errno. */
int blob_mutex_lock(blob_mutex *m);

/* Acquires only if free. Returns BLOB_MUTEX_OK, BLOB_MUTEX_OWNER_DIED, BLOB_MUTEX_BUSY or an errno. */
int blob_mutex_trylock(blob_mutex *m);

/* Waits at most timeout_ns. Returns BLOB_MUTEX_OK, BLOB_MUTEX_OWNER_DIED,
 * BLOB_MUTEX_TIMEOUT or an errno. */
int blob_mutex_timedlock(blob_mutex *m, int64_t timeout_ns);

/* Releases a mutex this thread holds. Returns 0 or an errno (EPERM: not the holder). */
int blob_mutex_unlock(blob_mutex *m);

/* Unmaps and frees the handle (the named object stays). */
void blob_mutex_close(blob_mutex *m);

/* Removes the named object. Returns 0 or an errno. */
int blob_mutex_remove(const char *name);

#endif
