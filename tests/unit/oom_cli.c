/*
 * oom_cli.c: the godwit-oom test binary, the CLI linked with oom.c's
 * allocation wrapper (tests/CMakeLists.txt), for tests/cli's out-of-memory
 * script. With GW_TEST_OOM_AT=N in its environment, the Nth allocation
 * godwit's code makes from the start of main fails, and the file
 * GW_TEST_OOM_HIT names is created as it does: a run that leaves no such
 * file never reached allocation N, which tells the script it went past
 * the whole run. (The file is made then, not at exit: the CLI leaves
 * with _exit outside the coverage build.)
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "oom.h"

static const char *hit;

static void failing(void)
{
	int fd = open(hit, O_WRONLY | O_CREAT | O_CLOEXEC, 0644);

	if (fd >= 0)
		close(fd);
}

/* Nothing fails once the CLI exits: gcov's counts are written then (in
 * the coverage build), with allocations of their own (libgcov is linked
 * in, so the wrapper counts them). An atexit handler registered before
 * main runs before that. */
static void stop(void)
{
	oom_fail_at(-1);
}

__attribute__((constructor)) static void start(void)
{
	const char *at = getenv("GW_TEST_OOM_AT");

	if (!at || atol(at) <= 0)
		return;
	atexit(stop);
	hit = getenv("GW_TEST_OOM_HIT");
	if (hit && *hit)
		oom_on_fail = failing;
	oom_fail_at(atol(at));
}
