/*
 * oom.c: the allocation functions the out-of-memory tests wrap (see
 * oom.h). The counters are atomic because the library allocates on
 * threads of its own too (the connecting thread, the lease's heartbeat).
 */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "oom.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

static atomic_long alloc_count, fail_at = -1, failed, round_n;

void (*oom_on_fail)(void);

static int should_fail(void)
{
	if (atomic_load(&fail_at) < 0 || atomic_fetch_add(&alloc_count, 1) + 1 != fail_at)
		return 0;
	atomic_fetch_add(&failed, 1);
	if (oom_on_fail)
		oom_on_fail();
	return 1;
}

void *__wrap_malloc(size_t size)
{
	return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return should_fail() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	return should_fail() ? NULL : __real_strdup(s);
}

void oom_fail_at(long n)
{
	atomic_store(&fail_at, -1);
	if (n < 0)
		return;
	atomic_store(&alloc_count, 0);
	atomic_store(&failed, 0);
	atomic_store(&round_n, n);
	atomic_store(&fail_at, n);
}

int oom_reached(void)
{
	atomic_store(&fail_at, -1);
	return atomic_load(&failed) != 0;
}

long oom_failing(void)
{
	return atomic_load(&round_n);
}
