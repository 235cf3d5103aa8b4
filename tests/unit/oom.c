/*
 * oom.c: the allocation functions the out-of-memory tests wrap (see
 * oom.h), and the loop that fails each of a call's allocations in turn.
 * The counters are atomic because the library allocates on
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

/* One round's outcome checked: 0, or -1 after saying why. */
static int check_round(const oom_call *call, gw_ctx *ctx, int rc, const char *want, long n)
{
	const gw_error *e = gw_ctx_error(ctx);
	char *got = call->take(call->arg);
	int ok;

	if (rc < 0) {
		ok = rc == GW_ENOMEM && e && !strcmp(e->message, "out of memory") && !got;
		if (!ok)
			fprintf(stderr, "allocation %ld failed: error %d \"%s\"%s\n", n, rc,
			        e ? e->message : "(none)", got ? ", and a result left" : "");
		gw_ctx_clear_error(ctx);
	} else {
		ok = !e && got && !strcmp(got, want);
		if (!ok)
			fprintf(stderr,
			        "allocation %ld failed, yet the call succeeded differently%s\n"
			        "--- got:\n%s\n--- want:\n%s\n",
			        n, e ? " with an error left on the context" : "",
			        got ? got : "(nothing)", want);
	}
	free(got);
	return ok ? 0 : -1;
}

long oom_every_allocation(const oom_call *call, gw_ctx *ctx, char **first)
{
	char *want = NULL;
	long n;
	int rc, reached;

	if (first)
		*first = NULL;
	rc = call->run(call->arg, ctx);
	want = call->take(call->arg);
	if (rc < 0 || !want) {
		fprintf(stderr, "with memory to spare: error %d \"%s\", %s\n", rc,
		        gw_ctx_error(ctx) ? gw_ctx_error(ctx)->message : "(none)",
		        want ? "and a result" : "and no result");
		free(want);
		return -1;
	}
	for (n = 1;; n++) {
		oom_fail_at(n);
		rc = call->run(call->arg, ctx);
		reached = oom_reached();
		if (check_round(call, ctx, rc, want, n) < 0) {
			free(want);
			return -1;
		}
		if (!reached)
			break;
	}
	if (first)
		*first = want;
	else
		free(want);
	return n - 1;
}
