/*
 * clock — monotonic time and interruptible sleeps.  See clock.h.
 */
#include "clock.h"

#include <errno.h>
#include <time.h>

double host_monotonic(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

int host_sleep_ms(unsigned ms, const volatile sig_atomic_t *stop)
{
    while (ms > 0) {
        unsigned slice = ms < 100 ? ms : 100;
        struct timespec ts = { .tv_sec = 0, .tv_nsec = (long) slice * 1000000L };

        if (stop != NULL && *stop)
            return 1;
        while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
            ;
        ms -= slice;
    }
    return stop != NULL && *stop ? 1 : 0;
}
