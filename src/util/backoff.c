/*
 * backoff.c: sleeping, and the jittered exponential backoff between retries
 * (see backoff.h).
 */
#include "backoff.h"

#include <errno.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

void gw_sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

long gw_backoff_ms(int attempt, long base_ms, long cap_ms)
{
	/* Per thread: a fleet run's targets retry at once. */
	static _Thread_local unsigned int seed;
	long delay = base_ms;

	if (!seed)
		seed = (unsigned int)time(NULL) ^ (unsigned int)getpid();
	while (attempt-- > 0 && delay < cap_ms)
		delay *= 2;
	if (delay > cap_ms)
		delay = cap_ms;
	return delay / 2 + (long)(rand_r(&seed) % (unsigned int)(delay + 1));
}
