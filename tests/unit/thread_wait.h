/* Waiting for another thread to block, for tests that must know a thread
 * is waiting (on a lock, a condition) before they act or assert. */
#ifndef PRISM_TEST_THREAD_WAIT_H
#define PRISM_TEST_THREAD_WAIT_H

#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

/* The calling thread's kernel id. */
static inline pid_t test_gettid(void)
{
    return (pid_t) syscall(SYS_gettid);
}

/* Returns 1 once thread TID of this process is asleep (state S or D in
 * /proc/self/task/TID/stat: blocked in the kernel, e.g. on a futex),
 * polling every millisecond for at most MAX_MS; 0 when it never was. */
static inline int test_wait_thread_blocked(pid_t tid, int max_ms)
{
    struct timespec ms = { 0, 1000 * 1000 };
    char path[64], buf[512], *p;
    int i;
    size_t n;
    FILE *f;

    snprintf(path, sizeof(path), "/proc/self/task/%d/stat", (int) tid);
    for (i = 0; i < max_ms; i++) {
        f = fopen(path, "r");
        if (f != NULL) {
            n = fread(buf, 1, sizeof(buf) - 1, f);
            fclose(f);
            buf[n] = '\0';
            p = strrchr(buf, ')');
            if (p != NULL && p[1] == ' ' && (p[2] == 'S' || p[2] == 'D')) {
                return 1;
            }
        }
        nanosleep(&ms, NULL); /* poll: until the condition holds or the deadline */
    }
    return 0;
}

#endif
