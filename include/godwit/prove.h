/*
 * godwit/prove.h: proving migrations on an ephemeral database, the pieces
 * of `godwit test` (every down undoes its up) and `godwit drift` (the live
 * schema still matches what the migrations say).
 *
 * Both calls work on a database of their own (see gw_ephemeral_create),
 * made on the project's server or on options.server_url's, and drop it
 * when they return, also after a failure or gw_project_cancel. Ephemeral
 * databases left by killed runs on that server are dropped first.
 *
 * Threads and callbacks: neither call starts a thread of its own. Opening
 * a PostgreSQL connection may start one for the time of the connect (it
 * overlaps with reading the folder) and a lease lock (lock_table) renews
 * its lease from one; the project's notice callback is called on the
 * calling thread, except for a connect's retry warnings, which may come
 * from that connecting thread. The migrations run on the ephemeral
 * database send no notices: a run reports through its result.
 */
#ifndef GODWIT_PROVE_H
#define GODWIT_PROVE_H

#include "common.h"
#include "errors.h"
#include "project.h"
#include "schema.h"

/* ---- test: up, down, up ---------------------------------------------------- */

typedef enum {
	GW_TEST_PASS,
	GW_TEST_FAIL,       /* a step failed, or down did not undo up */
	GW_TEST_UNTESTABLE, /* no down migration */
	GW_TEST_NOT_RUN,    /* the run stopped before it (reason says why) */
} gw_test_result;

/* "pass", "fail", "untestable", "not run". */
GW_EXTERN(const char *) gw_test_result_name(gw_test_result result);

typedef struct {
	const char *version;
	const char *name;
	const char *file; /* relative to the migrations folder */
	gw_test_result result;
	const char *reason;         /* NULL when it passed */
	int fail_fast;              /* not run: fail_fast stopped at the failure in reason */
	const gw_schema_diff *diff; /* what down left behind or removed; NULL if none */
} gw_test_entry;

typedef struct gw_test_report gw_test_report;

/* The migrations under test, in the order they ran. */
GW_EXTERN(size_t) gw_test_report_count(const gw_test_report *report);
GW_EXTERN(const gw_test_entry *) gw_test_report_get(const gw_test_report *report, size_t i);
GW_EXTERN(size_t)
gw_test_report_count_result(const gw_test_report *report, gw_test_result result);
/* The ephemeral database's name (PostgreSQL) or file (SQLite). */
GW_EXTERN(const char *) gw_test_report_database(const gw_test_report *report);
GW_EXTERN(void) gw_test_report_free(gw_test_report *report);

typedef struct {
	unsigned int version;
	/* The server the ephemeral databases are made on; NULL: the
	 * project's URL (its database is only read, for only_new). */
	const char *server_url;
	/* Test only the migrations the project's database has not applied. */
	int only_new;
	/* Test only the migrations changed since this git revision (see
	 * gw_project_changed_files); NULL: all. */
	const char *since;
	/* Every empty table first gets a probe row, and the rows of the tables
	 * of before must survive up and down. */
	int rows;
	/* Stop at the first failed migration; the rest are "not run". */
	int fail_fast;
	/* Keep the ephemeral databases (a GW_NOTICE_INFO names each). */
	int keep;
	/* How snapshots are taken and compared (ignore_column_order). */
	gw_schema_options schema;
} gw_test_options;

#define GW_TEST_OPTIONS_VERSION 1
#define GW_TEST_OPTIONS_INIT                                                                       \
	{                                                                                          \
		.version = GW_TEST_OPTIONS_VERSION, .schema = GW_SCHEMA_OPTIONS_INIT               \
	}

/* For each migration of the folder in order, on an ephemeral database:
 * snapshot, up, snapshot, down, snapshot (must equal the first), up again,
 * snapshot (must equal the second). Migrations not under test (only_new,
 * since) are applied normally on the way; one that fails ends the run
 * with an error. After a failed migration the database is replaced by a
 * new one with the ups up to it replayed, and the run goes on, so one run
 * reports every broken migration.
 *
 * Returns 0 with the report when the run went through, whatever the
 * migrations' results. gw_project_cancel(project), from a signal handler
 * or another thread, stops the run after the step that runs: it returns
 * GW_ECANCELED, after dropping the database, and gives no report. */
GW_EXTERN(int)
gw_project_test(gw_test_report **out, gw_project *project, const gw_test_options *opts);

/* ---- drift: the live schema against the expected one ------------------------ */

typedef struct {
	unsigned int version;
	/* Expect the schema the applied migrations give when they are
	 * applied again on an ephemeral database; else the snapshot recorded
	 * last (gw_schema_record). */
	int replay;
	/* With replay: the server of the ephemeral database; NULL: the
	 * project's. */
	const char *server_url;
	/* A desired schema (an ORM's, as for gw_schema_load in
	 * godwit/generate.h): compared with every migration of the folder
	 * replayed on an ephemeral database instead of with the live schema,
	 * "missing" being what the migrations lack. */
	const char *against;
} gw_drift_options;

#define GW_DRIFT_OPTIONS_VERSION 1
#define GW_DRIFT_OPTIONS_INIT                                                                      \
	{                                                                                          \
		.version = GW_DRIFT_OPTIONS_VERSION                                                \
	}

/* The difference between the expected schema and the live one ("missing":
 * expected, not live; "extra": live only); empty when they match.
 * Without replay, *out is NULL when no snapshot was recorded (as for
 * gw_schema_recorded): the caller says what to do about it. With
 * replay, gw_project_cancel stops it after the replay with GW_ECANCELED. */
GW_EXTERN(int)
gw_project_drift(gw_schema_diff **out, gw_project *project, const gw_drift_options *opts);

#endif
