/*
 * test_cov_lib4_health.c: health on a SQLite file (src/lib/health.c),
 * each with its exact report:
 *  - required_tables with blanks, tabs and empty items: tables and views
 *    count, a missing one is named;
 *  - the report's accessors on NULL and past the end;
 *  - after_up = health with on_check_failure = warn: the failing check is
 *    told, the run succeeds and stays applied.
 */
#include "project_fixture.h"

#include "lib/internal.h"

static int setup(void **state)
{
	return fx_setup_named(state, "lib4-health");
}

static const gw_check *find_check(const gw_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < gw_report_count(r); i++)
		if (!strcmp(gw_report_get(r, i)->name, name))
			return gw_report_get(r, i);
	return NULL;
}

/* Each name of the list, trimmed, is a table or a view; empty items are
 * no names. */
static void test_required_tables(void **state)
{
	fixture *f = *state;
	gw_report *r = NULL;
	const gw_check *c;

	fx_sql(f, "CREATE TABLE a (id int); CREATE VIEW b AS SELECT 1;");
	f->opts.preflight.required_tables = " a ,\t, b\t,missing_one , ,";
	fx_open(f);
	assert_int_equal(gw_project_health(&r, f->p), 0);
	assert_non_null(c = find_check(r, "tables"));
	assert_int_equal(c->status, GW_CHECK_FAIL);
	assert_string_equal(c->summary, "1 required tables missing");
	assert_int_equal(c->ndetails, 1);
	assert_string_equal(c->details[0], "missing_one");
	assert_int_equal(c->value, 1);
	assert_int_equal(gw_report_status(r), GW_CHECK_FAIL);
	assert_null(gw_report_get(r, gw_report_count(r)));
	gw_report_free(r);
	f->opts.preflight.required_tables = "a,b";
	fx_open(f);
	assert_int_equal(gw_project_health(&r, f->p), 0);
	assert_non_null(c = find_check(r, "tables"));
	assert_int_equal(c->status, GW_CHECK_OK);
	assert_string_equal(c->summary, "every required table exists");
	gw_report_free(r);
	assert_int_equal(gw_report_count(NULL), 0);
	assert_null(gw_report_get(NULL, 0));
}

/* after_up = health, on_check_failure = warn: the failure is told as a
 * warning and the migration stays applied. */
static void test_after_up_warns(void **state)
{
	fixture *f = *state;
	gw_up_options uo = GW_UP_OPTIONS_INIT;
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	f->opts.preflight.required_tables = "a,nope";
	fx_open(f);
	f->p->opts.after_up = GW_AFTER_UP_HEALTH;
	f->p->opts.on_check_failure = GW_ON_CHECK_FAILURE_WARN;
	assert_int_equal(gw_project_up(&n, f->p, &uo), 0);
	assert_int_equal(n, 1);
	assert_string_equal(f->notices,
	                    "applying 20240101000001: applying $M/20240101000001_a.sql\n"
	                    "applied 20240101000001: applied $M/20240101000001_a.sql\n"
	                    "warning -: health after up: tables: 1 required tables missing\n"
	                    "info -:   nope\n"
	                    "info -: health after up: 4 checks, failures above (going on: "
	                    "on_check_failure = warn)\n");
	fx_assert_query(f, "SELECT version FROM godwit_migrations", "20240101000001\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_required_tables, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_after_up_warns, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
