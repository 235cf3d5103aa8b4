/*
 * oom.c: the allocation functions the out-of-memory tests wrap (see
 * oom.h). The counters are atomic because the library allocates on
 * threads of its own too (the connecting thread, the lease's heartbeat).
 */
#include <dirent.h>
#include <limits.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

void oom_use_tmpfs(void)
{
	struct stat sb;

	if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0)
		setenv("GW_TEST_TMP", "/dev/shm/godwit-test", 1);
}

void oom_rm_rf(const char *path)
{
	struct stat sb;
	DIR *dir;
	struct dirent *e;
	char sub[PATH_MAX * 2];

	if (lstat(path, &sb) < 0)
		return;
	if (S_ISDIR(sb.st_mode) && (dir = opendir(path))) {
		while ((e = readdir(dir))) {
			if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
				continue;
			snprintf(sub, sizeof(sub), "%s/%s", path, e->d_name);
			oom_rm_rf(sub);
		}
		closedir(dir);
	}
	remove(path);
}
