/*
 * proc.h: running a helper program (pg_dump, pg_restore) without a shell.
 */
#ifndef GW_UTIL_PROC_H
#define GW_UTIL_PROC_H

#include <signal.h>

#include "godwit/errors.h"
#include "str.h"

/* Runs argv[0] (searched in PATH) with argv; NAME=VALUE strings in setenv
 * (NULL-terminated, may be NULL) are added to its environment. Its stdout
 * goes to stdout_fd (or, when -1, into output with its stderr), its stderr
 * into output. *status gets its exit code (128+N when killed by signal N).
 * Fails only when it could not be started. */
int gw_proc_run(int *status, gw_str *output, const char *const *argv, const char *const *setenv,
                int stdout_fd, gw_ctx *ctx);

/* Runs producer | consumer, each as gw_proc_run would (both get setenv):
 * the producer's stdout feeds the consumer's stdin, the consumer's stdout
 * is discarded, and both stderrs go into output. status[0] and status[1]
 * get their exit codes. Once *stop (may be NULL) becomes nonzero, both
 * get SIGTERM. Fails only when one could not be started (the other is
 * then stopped and waited for). */
int gw_proc_pipe(int status[2], gw_str *output, const char *const *producer,
                 const char *const *consumer, const char *const *setenv,
                 const volatile sig_atomic_t *stop, gw_ctx *ctx);

/* The name of the user the process runs as (getpwuid_r, which threads
 * may call at once; else $USER, else "unknown"), malloc'd; NULL when out
 * of memory. */
char *gw_os_user(void);

#endif
