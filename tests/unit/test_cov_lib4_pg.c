/*
 * test_cov_lib4_pg.c: health, the pre-flight gate and fleet schemas on
 * the suite's real PostgreSQL (src/lib/health.c, fleet.c), each with its
 * exact result, in a database of its own:
 *  - more connections than max_connections: health reports it, the
 *    pre-flight gate refuses up (nothing applied), or with warn says so
 *    and applies;
 *  - rls_schemas = none: no rls check;
 *  - schemas by a pattern with * and ?, where a _ or % of the pattern is
 *    itself, not LIKE's.
 *
 * It runs only when GODWIT_TEST_PG_URL names a server (the ctest test
 * unit/test_cov_lib4_pg_pg gives it the suite's); without it, it skips.
 */
#include "project_fixture.h"
#include "pg_fixture.h"

#include "godwit/fleet.h"
#include "lib/internal.h"

static int setup(void **state)
{
	return pg_fx_setup(state, "lib4-pg", 0);
}

static int teardown(void **state)
{
	return pg_fx_teardown(state);
}

static const gw_check *find_check(const gw_report *r, const char *name)
{
	size_t i;

	for (i = 0; i < gw_report_count(r); i++)
		if (!strcmp(gw_report_get(r, i)->name, name))
			return gw_report_get(r, i);
	return NULL;
}

/* Two sessions (the project's and the admin's) over max_connections = 1:
 * health warns with the count; rls_schemas = none leaves rls out. */
static void test_connections_and_rls(void **state)
{
	pg_fixture *pf;
	gw_report *r = NULL;
	const gw_check *c;

	SKIP_WITHOUT_PG();
	pf = *state;
	pf->f->opts.preflight.max_connections = 1;
	fx_open(pf->f);
	free(pf->f->p->opts.rls_schemas);
	pf->f->p->opts.rls_schemas = strdup("none");
	assert_int_equal(gw_project_health(&r, pf->f->p), 0);
	assert_non_null(c = find_check(r, "connections"));
	assert_int_equal(c->status, GW_CHECK_WARN);
	assert_string_equal(c->summary, "2 connections to the database, over the limit of 1");
	assert_int_equal(c->value, 2);
	assert_null(find_check(r, "rls"));
	gw_report_free(r);
}

/* The pre-flight gate before up: abort refuses with what failed and
 * applies nothing; warn says so and applies. */
static void test_preflight_gate(void **state)
{
	pg_fixture *pf;
	gw_up_options uo = GW_UP_OPTIONS_INIT;
	size_t n = 0;

	SKIP_WITHOUT_PG();
	pf = *state;
	fx_migration(pf->f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	pf->f->opts.preflight.max_connections = 1;
	pf->f->opts.preflight.mode = GW_PREFLIGHT_ABORT;
	fx_open(pf->f);
	fx_assert_error(pf->f, gw_project_up(&n, pf->f->p, &uo), GW_ESTATE,
	                "pre-flight check failed, nothing was changed\n"
	                "  connections: 2 connections to the database, over the limit of 1",
	                NULL);
	assert_int_equal(n, 0);
	admin_exec(pf, "DO $$ BEGIN IF to_regclass('a') IS NOT NULL THEN RAISE 'applied'; END IF; "
	               "END $$");
	pf->f->opts.preflight.mode = GW_PREFLIGHT_WARN;
	fx_open(pf->f);
	pf->f->notices[0] = '\0';
	assert_int_equal(gw_project_up(&n, pf->f->p, &uo), 0);
	assert_int_equal(n, 1);
	assert_non_null(strstr(pf->f->notices,
	                       "warning -: pre-flight: connections: 2 connections to "
	                       "the database, over the limit of 1 (going on: "
	                       "preflight = warn)\n"));
	admin_exec(pf, "SELECT 1 FROM a");
}

/* * and ? in a schema pattern; its own _ and % are themselves. */
static void test_schemas_by_pattern(void **state)
{
	pg_fixture *pf;
	gw_fleet *fl = NULL;

	SKIP_WITHOUT_PG();
	pf = *state;
	admin_exec(pf, "CREATE SCHEMA app_1; CREATE SCHEMA appx1; CREATE SCHEMA app_22;"
	               "CREATE SCHEMA \"a%b_c\"; CREATE SCHEMA \"a%bxc\"; CREATE SCHEMA \"ab_c\"");
	assert_int_equal(gw_fleet_new(&fl, pf->f->ctx), 0);
	assert_int_equal(gw_fleet_add_schemas(fl, gw_ephemeral_url(pf->db), "app_?"), 0);
	assert_int_equal(gw_fleet_count(fl), 1);
	assert_string_equal(gw_fleet_get(fl, 0)->name, "app_1");
	assert_int_equal(gw_fleet_add_schemas(fl, gw_ephemeral_url(pf->db), "a%b_*"), 0);
	assert_int_equal(gw_fleet_count(fl), 2);
	assert_string_equal(gw_fleet_get(fl, 1)->name, "a%b_c");
	assert_non_null(strstr(gw_fleet_get(fl, 1)->url, "schema=a%25b_c"));
	gw_fleet_free(fl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_connections_and_rls, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_preflight_gate, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_schemas_by_pattern, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
