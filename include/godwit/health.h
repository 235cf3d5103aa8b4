/*
 * godwit/health.h: checks of a database and its migrations.
 *
 * `godwit health` runs all of them; `up` runs the pre-flight subset
 * (long transactions, connections, server version, extensions) after it
 * takes the lock and before it changes anything, and waits, warns or
 * aborts as the project's options say.
 */
#ifndef GODWIT_HEALTH_H
#define GODWIT_HEALTH_H

#include "common.h"
#include "errors.h"
#include "project.h"

typedef enum { GW_CHECK_OK = 0, GW_CHECK_WARN = 1, GW_CHECK_FAIL = 2 } gw_check_status;

typedef struct {
	const char *name; /* "connection", "server_version", ... */
	gw_check_status status;
	const char *summary;        /* one line */
	const char *const *details; /* one line each (a session, an index), or NULL */
	size_t ndetails;
	long long value;   /* the number it measured (ms, a count), or -1 */
	gw_text_hint hint; /* the action that ends summary, worded as the program likes */
} gw_check;

typedef struct gw_report gw_report;

/* Every check; a check that cannot run on this database (PostgreSQL
 * sessions on SQLite) is left out. Fails only when the database cannot be
 * reached at all, and then still returns a report saying so. Besides the
 * checks of the database and its migrations, the data checks (PostgreSQL):
 * constraints still NOT VALID (warn), foreign keys with orphan rows (at
 * most integrity_sample rows of each referencing table, integrity_timeout
 * per key), sequences close to their maximum (warn at 75 %, fail at 90 %),
 * and tables of the rls_schemas without row-level security or a policy. */
GW_EXTERN(int) gw_project_health(gw_report **out, gw_project *project);
/* The same without the data checks, which read table rows: what a monitor
 * asks for often (godwit serve). */
GW_EXTERN(int) gw_project_health_basic(gw_report **out, gw_project *project);
/* The pre-flight subset, as up runs it. */
GW_EXTERN(int) gw_project_preflight(gw_report **out, gw_project *project);

GW_EXTERN(size_t) gw_report_count(const gw_report *report);
GW_EXTERN(const gw_check *) gw_report_get(const gw_report *report, size_t i);
/* The worst status of all checks. */
GW_EXTERN(gw_check_status) gw_report_status(const gw_report *report);
GW_EXTERN(void) gw_report_free(gw_report *report);

#endif
