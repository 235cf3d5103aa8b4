/*
 * oom.h: running out of memory on purpose, for the unit tests whose
 * executables are linked with --wrap for malloc, calloc, realloc and strdup
 * (tests/CMakeLists.txt): a test makes allocation N fail, runs a call, and
 * repeats with N + 1 until a round no longer reaches allocation N.
 */
#ifndef GW_TEST_OOM_H
#define GW_TEST_OOM_H

#include "godwit.h"

/* Starts a round: counting from now, allocation n fails. With n < 0,
 * nothing fails from now on, and the round's count is kept. */
void oom_fail_at(long n);

/* Ends a round (nothing fails after it): 1 when allocation n was reached. */
int oom_reached(void);

/* The n of the round in progress, or of the last one. */
long oom_failing(void);

/* When not NULL, called as the failing allocation fails (it must not
 * allocate). */
extern void (*oom_on_fail)(void);

/* A call whose every allocation is made to fail in turn. */
typedef struct {
	/* The call: 0, or a negative GW_E* code with the error on ctx. */
	int (*run)(void *arg, gw_ctx *ctx);
	/* What the last run left, as text (malloc'd; the result itself is
	 * freed), or NULL when it left nothing. Called with memory to spare. */
	char *(*take)(void *arg);
	void *arg;
} oom_call;

/* Runs call with memory to spare, then with allocation 1, 2, ... failing
 * in turn until a round no longer reaches its failing allocation. Each
 * round must fail with GW_ENOMEM, "out of memory" on ctx and nothing left,
 * or succeed and leave exactly what the first run left. Returns how many
 * allocations were failed, with *first (may be NULL) the first run's text
 * for the caller to check and free; -1 after printing to stderr the round
 * that did otherwise. */
long oom_every_allocation(const oom_call *call, gw_ctx *ctx, char **first);

/* The tests of this kind create a database per round, hundreds of them:
 * on a tmpfs when the machine has one (GW_TEST_TMP), where a commit costs
 * no disk flush. */
void oom_use_tmpfs(void);

/* Removes path and, for a folder, everything in it. */
void oom_rm_rf(const char *path);

#endif
