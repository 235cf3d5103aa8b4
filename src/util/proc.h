/*
 * proc.h: running a helper program (pg_dump, pg_restore) without a shell.
 */
#ifndef GW_UTIL_PROC_H
#define GW_UTIL_PROC_H

#include "godwit/errors.h"
#include "str.h"

/* Runs argv[0] (searched in PATH) with argv; NAME=VALUE strings in setenv
 * (NULL-terminated, may be NULL) are added to its environment. Its stdout
 * goes to stdout_fd (or, when -1, into output with its stderr), its stderr
 * into output. *status gets its exit code (128+N when killed by signal N).
 * Fails only when it could not be started. */
int gw_proc_run(int *status, gw_str *output, const char *const *argv, const char *const *setenv,
                int stdout_fd, gw_ctx *ctx);

#endif
