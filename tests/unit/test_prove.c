/*
 * test_prove.c: gw_project_test and gw_project_drift called as an
 * embedding program calls them (include/godwit/prove.h), on real SQLite
 * files: the report of a proof, the notices the caller gets, a cancelled
 * run, and drift with and without a replay.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "godwit.h"

typedef struct fixture {
	char dir[512];  /* a fresh folder */
	char mig[600];  /* its migrations folder */
	char url[600];  /* its SQLite database */
	char kept[600]; /* what the last GW_NOTICE_INFO said */
	int infos, warnings;
	gw_ctx *ctx;
	gw_project *p;
} fixture;

static void on_notice(const gw_notice *n, void *payload)
{
	fixture *f = payload;

	if (n->kind == GW_NOTICE_INFO) {
		f->infos++;
		snprintf(f->kept, sizeof(f->kept), "%s", n->message);
	} else if (n->kind == GW_NOTICE_WARNING) {
		f->warnings++;
	}
}

static void write_file(const fixture *f, const char *name, const char *text)
{
	char path[800];
	FILE *out;

	snprintf(path, sizeof(path), "%s/%s", f->mig, name);
	assert_non_null(out = fopen(path, "w"));
	fputs(text, out);
	fclose(out);
}

static int setup(void **state)
{
	const char *base = getenv("GW_TEST_TMP");
	gw_project_options o = GW_PROJECT_OPTIONS_INIT;
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755);
	snprintf(f->dir, sizeof(f->dir), "%s/test_prove.XXXXXX", base);
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->mig, sizeof(f->mig), "%s/migrations", f->dir);
	snprintf(f->url, sizeof(f->url), "sqlite:%s/app.sqlite3", f->dir);
	assert_int_equal(mkdir(f->mig, 0755), 0);
	write_file(f, "20240101000000_users.sql",
	           "-- migrate:up\nCREATE TABLE users (id integer);\n"
	           "-- migrate:down\nDROP TABLE users;\n");
	write_file(f, "20240102000000_forgets_index.sql",
	           "-- migrate:up\nCREATE TABLE tags (id integer);\n"
	           "CREATE INDEX users_id ON users (id);\n"
	           "-- migrate:down\nDROP TABLE tags;\n");
	write_file(f, "20240103000000_no_down.sql",
	           "-- migrate:up\nCREATE TABLE notes (id integer);\n");
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	gw_ctx_set_notice_cb(f->ctx, on_notice, f);
	o.dir = f->mig;
	o.url = f->url;
	o.project_dir = f->dir;
	assert_int_equal(gw_project_open(&f->p, &o, f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	char cmd[700];

	gw_project_free(f->p);
	gw_ctx_free(f->ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	assert_int_equal(system(cmd), 0);
	free(f);
	return 0;
}

static void test_report_says_each_result(void **state)
{
	fixture *f = *state;
	gw_test_options o = GW_TEST_OPTIONS_INIT;
	gw_test_report *r = NULL;
	const gw_test_entry *e;

	assert_int_equal(gw_project_test(&r, f->p, &o), 0);
	assert_int_equal(gw_test_report_count(r), 3);
	e = gw_test_report_get(r, 0);
	assert_string_equal(e->version, "20240101000000");
	assert_string_equal(e->name, "users");
	assert_string_equal(e->file, "20240101000000_users.sql");
	assert_int_equal(e->result, GW_TEST_PASS);
	assert_null(e->reason);
	assert_null(e->diff);
	e = gw_test_report_get(r, 1);
	assert_int_equal(e->result, GW_TEST_FAIL);
	assert_string_equal(e->reason, "down did not restore the schema from before up");
	assert_non_null(e->diff);
	assert_int_equal(gw_schema_diff_count(e->diff), 1);
	/* The index the down left behind, extra on the table users. */
	assert_string_equal(gw_schema_diff_get(e->diff, 0)->name, "users");
	assert_int_equal(gw_schema_diff_get(e->diff, 0)->nchanges, 1);
	assert_int_equal(gw_schema_diff_get(e->diff, 0)->changes[0].change, GW_SCHEMA_EXTRA);
	assert_string_equal(gw_schema_diff_get(e->diff, 0)->changes[0].key, "index users_id");
	e = gw_test_report_get(r, 2);
	assert_int_equal(e->result, GW_TEST_UNTESTABLE);
	assert_string_equal(e->reason, "no down migration");
	assert_null(gw_test_report_get(r, 3));
	assert_int_equal(gw_test_report_count_result(r, GW_TEST_PASS), 1);
	assert_int_equal(gw_test_report_count_result(r, GW_TEST_FAIL), 1);
	assert_int_equal(gw_test_report_count_result(r, GW_TEST_UNTESTABLE), 1);
	assert_int_equal(gw_test_report_count_result(r, GW_TEST_NOT_RUN), 0);
	assert_string_equal(gw_test_result_name(GW_TEST_NOT_RUN), "not run");
	/* The ephemeral file is gone, and the project's database untouched. */
	assert_int_not_equal(access(gw_test_report_database(r), F_OK), 0);
	assert_int_not_equal(access(f->url + strlen("sqlite:"), F_OK), 0);
	/* The ups and downs of the proof are no progress of the caller's. */
	assert_int_equal(f->infos, 0);
	assert_int_equal(f->warnings, 0);
	gw_test_report_free(r);
}

static void test_fail_fast_and_keep(void **state)
{
	fixture *f = *state;
	gw_test_options o = GW_TEST_OPTIONS_INIT;
	gw_test_report *r = NULL;
	const gw_test_entry *e;
	char expect[700];

	o.fail_fast = 1;
	o.keep = 1;
	assert_int_equal(gw_project_test(&r, f->p, &o), 0);
	e = gw_test_report_get(r, 2);
	assert_int_equal(e->result, GW_TEST_NOT_RUN);
	/* The library says what stopped it; the flag's name is the CLI's. */
	assert_string_equal(e->reason, "20240102000000 failed");
	assert_int_equal(e->fail_fast, 1);
	assert_int_equal(gw_test_report_get(r, 0)->fail_fast, 0);
	assert_int_equal(f->infos, 1);
	snprintf(expect, sizeof(expect), "kept the ephemeral database %s",
	         gw_test_report_database(r));
	assert_string_equal(f->kept, expect);
	assert_int_equal(access(gw_test_report_database(r), F_OK), 0);
	assert_int_equal(unlink(gw_test_report_database(r)), 0);
	gw_test_report_free(r);
}

static void test_cancelled_run_gives_no_report(void **state)
{
	fixture *f = *state;
	gw_test_report *r = NULL;

	gw_project_cancel(f->p);
	assert_int_equal(gw_project_test(&r, f->p, NULL), GW_ECANCELED);
	assert_null(r);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "interrupted; the ephemeral database was dropped");
}

static void test_bad_options_version(void **state)
{
	fixture *f = *state;
	gw_test_options o = GW_TEST_OPTIONS_INIT;
	gw_drift_options d = GW_DRIFT_OPTIONS_INIT;
	gw_test_report *r = NULL;
	gw_schema_diff *diff = NULL;

	o.version = 99;
	assert_int_equal(gw_project_test(&r, f->p, &o), GW_EINVALID);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "gw_test_options version 99 is not supported");
	gw_ctx_clear_error(f->ctx);
	d.version = 99;
	assert_int_equal(gw_project_drift(&diff, f->p, &d), GW_EINVALID);
	assert_null(diff);
}

static void test_drift_recorded_and_replayed(void **state)
{
	fixture *f = *state;
	gw_drift_options o = GW_DRIFT_OPTIONS_INIT;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_schema_diff *d = NULL;

	up.to = "20240101000000";
	assert_int_equal(gw_project_up(NULL, f->p, &up), 0);
	/* Nothing recorded: no difference to give, and no error. */
	assert_int_equal(gw_project_drift(&d, f->p, &o), 0);
	assert_null(d);
	assert_null(gw_ctx_error(f->ctx));
	o.replay = 1;
	assert_int_equal(gw_project_drift(&d, f->p, &o), 0);
	assert_int_equal(gw_schema_diff_count(d), 0);
	gw_schema_diff_free(d);
	/* A recorded snapshot of the live schema matches it. */
	assert_int_equal(gw_schema_record_expected(f->p), 0);
	o.replay = 0;
	assert_int_equal(gw_project_drift(&d, f->p, &o), 0);
	assert_int_equal(gw_schema_diff_count(d), 0);
	gw_schema_diff_free(d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_report_says_each_result, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_fail_fast_and_keep, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_cancelled_run_gives_no_report, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_bad_options_version, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_drift_recorded_and_replayed, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
