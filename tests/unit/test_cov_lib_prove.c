/*
 * test_cov_lib_prove.c: gw_project_test when a step after the first up
 * fails: an up that cannot run again after its down, a failed migration
 * whose database cannot be rebuilt, and a migration not under test
 * (only_new) that no longer applies on an empty database.
 */
#include "project_fixture.h"

static int setup(void **state)
{
	return fx_setup_named(state, "cov-lib-prove");
}

/* "VERSION RESULT: REASON" per migration tested, one per line. */
static void assert_report(const gw_test_report *r, const char *want)
{
	char got[2048] = "";
	size_t i, len = 0;

	for (i = 0; i < gw_test_report_count(r); i++) {
		const gw_test_entry *e = gw_test_report_get(r, i);

		len += (size_t)snprintf(got + len, sizeof(got) - len, "%s %s: %s\n", e->version,
		                        gw_test_result_name(e->result),
		                        e->reason ? e->reason : "-");
	}
	assert_string_equal(got, want);
}

static void test_up_after_down_fails(void **state)
{
	fixture *f = *state;
	gw_test_report *r = NULL;

	fx_migration(f, "20240101000001_log.sql", "CREATE TABLE log (id int PRIMARY KEY);",
	             "DROP TABLE log;");
	fx_migration(f, "20240101000002_a.sql",
	             "CREATE TABLE a (id int);\nINSERT INTO log VALUES (1);", "DROP TABLE a;");
	fx_migration(f, "20240101000003_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
	fx_open(f);
	assert_int_equal(gw_project_test(&r, f->p, NULL), 0);
	/* The down left the row in log: the second up cannot insert it.
	 * The database is rebuilt for the next one, which passes. */
	assert_report(r, "20240101000001 pass: -\n"
	                 "20240101000002 fail: up after down failed: UNIQUE constraint failed: "
	                 "log.id\n"
	                 "20240101000003 pass: -\n");
	gw_test_report_free(r);
	/* The project's own database was never made. */
	assert_int_not_equal(access(f->db, F_OK), 0);
}

static void test_replay_fails(void **state)
{
	fixture *f = *state;
	gw_test_report *r = NULL;

	fx_migration(f, "20240101000001_bad.sql", "CREATE TABLE a (id int);\nSELECT * FROM nope;",
	             "DROP TABLE a;");
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
	fx_open(f);
	assert_int_equal(gw_project_test(&r, f->p, NULL), 0);
	/* Replaying the ups up to the failed one fails again: the rest
	 * cannot be tested on the schema they expect. */
	assert_report(r, "20240101000001 fail: up failed: no such table: nope\n"
	                 "20240101000002 not run: the up of 20240101000001 failed\n");
	gw_test_report_free(r);
	assert_int_not_equal(access(f->db, F_OK), 0);
}

static void test_applied_migration_no_longer_applies(void **state)
{
	fixture *f = *state;
	gw_test_options o = GW_TEST_OPTIONS_INIT;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_test_report *r = NULL;
	size_t n = 0;
	int error;

	fx_sql(f, "CREATE TABLE external (id int)");
	fx_migration(f, "20240101000001_fill.sql", "INSERT INTO external VALUES (1);",
	             "DELETE FROM external;");
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
	fx_open(f);
	up.to = "20240101000001";
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	o.only_new = 1;
	error = gw_project_test(&r, f->p, &o);
	/* It is applied on the way to the new one, and fails there: the run
	 * cannot go on, and gives no report. */
	fx_assert_error(f, error, GW_ERROR,
	                "20240101000001 fill: up failed: no such table: external", NULL);
	assert_null(r);
	fx_assert_query(f, "SELECT version, state FROM godwit_migrations",
	                "20240101000001|applied\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_up_after_down_fails, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_replay_fails, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_applied_migration_no_longer_applies, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
