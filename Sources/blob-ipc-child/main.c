/* The C child of the parent/child demo, like the source article's C++ child: it maps
 * the ControllerData record (ControllerData.h, generated from the Swift declaration)
 * and polls MessageBuffer every 30 ms under the named mutex until it reads "terminate".
 * Usage: blob-ipc-child MUTEX SEGMENT [MAX_SECONDS] */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "ControllerData.h"
#include "blob_mutex.h"

static int lock(blob_mutex *m) {
    int r = blob_mutex_lock(m);
    if (r == BLOB_MUTEX_OWNER_DIED) { printf("[Child] Warning: the previous mutex holder died\n"); return 0; }
    return r;
}

int main(int argc, char **argv) {
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 3) { fprintf(stderr, "usage: blob-ipc-child MUTEX SEGMENT [MAX_SECONDS]\n"); return 64; }
    double max_seconds = argc > 3 ? atof(argv[3]) : 60;
    printf("[Child] Process started\n");
    blob_mutex *mutex = blob_mutex_open(argv[1], 0);
    if (!mutex) { fprintf(stderr, "Error: cannot open mutex '%s': %s\n", argv[1], strerror(errno)); return 69; }
    char path[300];
    snprintf(path, sizeof path, "/%s", argv[2]);
    int fd = shm_open(path, O_RDWR, 0);
    if (fd < 0) { fprintf(stderr, "Error: cannot open shared memory '%s': %s\n", argv[2], strerror(errno)); return 69; }
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size != (off_t)sizeof(ControllerData)) {
        fprintf(stderr, "Error: shared memory '%s' is not a ControllerData record (%lld bytes, expected %zu)\n",
                argv[2], (long long)st.st_size, sizeof(ControllerData));
        return 65;
    }
    ControllerData *data = mmap(NULL, sizeof(ControllerData), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
    if (data == MAP_FAILED) { fprintf(stderr, "Error: mmap: %s\n", strerror(errno)); return 74; }

    if (lock(mutex) != 0) return 70;
    printf("[Child] Received: %.*s\n", (int)strnlen(data->MessageBuffer, sizeof data->MessageBuffer), data->MessageBuffer);
    data->HeartbeatSignal = 1; /* tells the parent the first message arrived */
    blob_mutex_unlock(mutex);

    struct timespec pause = { 0, 30 * 1000000L };
    long polls = (long)(max_seconds * 1000 / 30) + 1;
    int terminated = 0;
    for (long i = 0; i < polls && !terminated; i++) {
        nanosleep(&pause, NULL);
        if (lock(mutex) != 0) return 70;
        if (strncmp(data->MessageBuffer, "terminate", sizeof data->MessageBuffer) == 0) {
            printf("[Child] Received: %s\n", "terminate");
            terminated = 1;
        }
        blob_mutex_unlock(mutex);
    }
    munmap(data, sizeof(ControllerData));
    blob_mutex_close(mutex);
    if (!terminated) { fprintf(stderr, "Error: no \"terminate\" within %.0f seconds\n", max_seconds); return 75; }
    printf("[Child] Process terminated\n");
    return 0;
}
