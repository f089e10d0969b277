#define _GNU_SOURCE
#include "blob_mutex.h"
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define BLOB_MUTEX_MAGIC 0x3158544D424F4C42ULL /* "BLOBMTX1" */

typedef struct shared_mutex {
    uint64_t magic;          /* written last, after the mutex is initialised */
    uint32_t version;
    uint32_t size;
    pthread_mutex_t mutex;
} shared_mutex;

struct blob_mutex {
    shared_mutex *shared;
    size_t size;
};

static size_t object_size(void) { return 4096; }

blob_mutex *blob_mutex_open(const char *name, int create) {
    char path[300];
    if (snprintf(path, sizeof path, "/%s", name) >= (int)sizeof path) { errno = ENAMETOOLONG; return NULL; }
    int fd = -1, created = 0;
    if (create) {
        fd = shm_open(path, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
        if (fd >= 0) created = 1;
        else if (errno != EEXIST) return NULL;
    }
    if (fd < 0) fd = shm_open(path, O_RDWR | O_CLOEXEC, 0);
    if (fd < 0) return NULL;
    /* Another user's object, or one others may write, is not ours to lock or wait on:
     * its owner could hold it for ever or forge what it guards. Checked before any
     * lock is taken. */
    struct stat owner;
    if (fstat(fd, &owner) != 0 || owner.st_uid != geteuid() || (owner.st_mode & 022) != 0 || !S_ISREG(owner.st_mode)) {
        close(fd);
        errno = EPERM;
        return NULL;
    }
    /* The creator holds the lock until the magic is written. */
    if (flock(fd, created ? LOCK_EX : LOCK_SH) != 0) { int e = errno; close(fd); errno = e; return NULL; }
    if (created) {
        if (fchmod(fd, 0600) != 0 || ftruncate(fd, (off_t)object_size()) != 0) {
            int e = errno; shm_unlink(path); close(fd); errno = e; return NULL;
        }
    }
    struct stat st;
    if (fstat(fd, &st) != 0 || (size_t)st.st_size != object_size()) {
        close(fd); errno = EINVAL; return NULL;
    }
    shared_mutex *s = mmap(NULL, object_size(), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (s == MAP_FAILED) { int e = errno; close(fd); errno = e; return NULL; }
    if (created) {
        pthread_mutexattr_t attr;
        pthread_mutexattr_init(&attr);
        pthread_mutexattr_setpshared(&attr, PTHREAD_PROCESS_SHARED);
        pthread_mutexattr_setrobust(&attr, PTHREAD_MUTEX_ROBUST);
        pthread_mutex_init(&s->mutex, &attr);
        pthread_mutexattr_destroy(&attr);
        s->version = 1;
        s->size = (uint32_t)sizeof(shared_mutex);
        __atomic_store_n(&s->magic, BLOB_MUTEX_MAGIC, __ATOMIC_RELEASE);
    }
    flock(fd, LOCK_UN);
    close(fd);
    if (__atomic_load_n(&s->magic, __ATOMIC_ACQUIRE) != BLOB_MUTEX_MAGIC || s->version != 1) {
        munmap(s, object_size());
        errno = EINVAL;
        return NULL;
    }
    blob_mutex *m = malloc(sizeof *m);
    if (!m) { munmap(s, object_size()); errno = ENOMEM; return NULL; }
    m->shared = s;
    m->size = object_size();
    return m;
}

/* EOWNERDEAD: we hold it now; make it consistent so it stays usable, and say so. */
static int settle(blob_mutex *m, int r) {
    if (r == 0) return BLOB_MUTEX_OK;
    if (r == EOWNERDEAD) {
        pthread_mutex_consistent(&m->shared->mutex);
        return BLOB_MUTEX_OWNER_DIED;
    }
    return r;
}

int blob_mutex_lock(blob_mutex *m) { return settle(m, pthread_mutex_lock(&m->shared->mutex)); }

int blob_mutex_trylock(blob_mutex *m) {
    int r = pthread_mutex_trylock(&m->shared->mutex);
    if (r == EBUSY) return BLOB_MUTEX_BUSY;
    return settle(m, r);
}

int blob_mutex_timedlock(blob_mutex *m, int64_t timeout_ns) {
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t ns = (int64_t)ts.tv_nsec + (timeout_ns < 0 ? 0 : timeout_ns);
    ts.tv_sec += (time_t)(ns / 1000000000LL);
    ts.tv_nsec = (long)(ns % 1000000000LL);
    int r;
    do { r = pthread_mutex_timedlock(&m->shared->mutex, &ts); } while (r == EINTR);
    if (r == ETIMEDOUT) return BLOB_MUTEX_TIMEOUT;
    return settle(m, r);
}

int blob_mutex_unlock(blob_mutex *m) { return pthread_mutex_unlock(&m->shared->mutex); }

void blob_mutex_close(blob_mutex *m) {
    if (!m) return;
    munmap(m->shared, m->size);
    free(m);
}

int blob_mutex_remove(const char *name) {
    char path[300];
    snprintf(path, sizeof path, "/%s", name);
    return shm_unlink(path) == 0 ? 0 : errno;
}
