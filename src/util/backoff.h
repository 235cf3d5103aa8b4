/*
 * backoff.h: waiting between attempts, for the code that retries (connecting,
 * the runner's retried migrations, the lease and lock polls).
 */
#ifndef GW_UTIL_BACKOFF_H
#define GW_UTIL_BACKOFF_H

/* Sleeps for ms milliseconds, resuming after a signal interrupts it. */
void gw_sleep_ms(long ms);

/* Exponential backoff from base_ms, doubled per attempt (0-based), capped
 * at cap_ms, with +-50% jitter so that runners do not retry in step: the
 * result is between d / 2 and d + d / 2 for d = min(base_ms * 2^attempt,
 * cap_ms). Each thread has its own seed for the jitter. */
long gw_backoff_ms(int attempt, long base_ms, long cap_ms);

#endif
