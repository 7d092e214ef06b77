/*
 * clock — monotonic time and sleeps that a stop flag can cut short.
 */
#ifndef HOST_CLOCK_H
#define HOST_CLOCK_H

#include <signal.h>

/* Seconds on the monotonic clock (arbitrary origin). */
double host_monotonic(void);

/* Sleeps MS milliseconds, in slices of at most 100 ms, returning early
 * when STOP (may be NULL) becomes non-zero.  Returns 1 when stopped
 * early, 0 otherwise. */
int host_sleep_ms(unsigned ms, const volatile sig_atomic_t *stop);

#endif
