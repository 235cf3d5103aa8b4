/*
 * oom.h: running out of memory on purpose, for the unit tests whose
 * executables are linked with --wrap for malloc, calloc, realloc and strdup
 * (tests/CMakeLists.txt): a test makes allocation N fail, runs a call, and
 * repeats with N + 1 until a round no longer reaches allocation N.
 */
#ifndef GW_TEST_OOM_H
#define GW_TEST_OOM_H

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

/* The tests of this kind create a database per round, hundreds of them:
 * on a tmpfs when the machine has one (GW_TEST_TMP), where a commit costs
 * no disk flush. */
void oom_use_tmpfs(void);

/* Removes path and, for a folder, everything in it. */
void oom_rm_rf(const char *path);

#endif
