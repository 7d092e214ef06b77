/*
 * notify — sd_notify(3) for the master.  See notify.h.
 */
#include "notify.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <systemd/sd-daemon.h>

int host_notify(const char *state, char *err, size_t errlen)
{
    int rc = sd_notify(0, state);

    if (rc < 0) {
        snprintf(err, errlen, "sd_notify(%.40s): %s", state, strerror(-rc));
        return -1;
    }
    return rc > 0;
}

int host_notify_reloading(char *err, size_t errlen)
{
    char state[64];
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    snprintf(state, sizeof(state), "RELOADING=1\nMONOTONIC_USEC=%llu",
             (unsigned long long) ts.tv_sec * 1000000ULL + (unsigned long long) ts.tv_nsec / 1000);
    return host_notify(state, err, errlen);
}
