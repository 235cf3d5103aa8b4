/*
 * test_cov_lib_api.c: the public calls refuse an options struct of a
 * version they do not know, with GW_EINVALID naming the struct and the
 * version, no result and nothing done (the database is not even made);
 * and repair and resolve refuse a version that is not there, one in no
 * state to repair or resolve, and a resolution they do not know, leaving
 * the history as it was.
 */
#include "project_fixture.h"

static int setup(void **state)
{
	int error = fx_setup_named(state, "cov-lib-api");
	fixture *f = *state;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	return error;
}

static void assert_refused(fixture *f, int got, const void *out, const char *message)
{
	assert_null(out);
	fx_assert_error(f, got, GW_EINVALID, message, NULL);
	assert_int_not_equal(access(f->db, F_OK), 0);
}

static void test_unknown_option_versions(void **state)
{
	fixture *f = *state;
	gw_lint_options lo = GW_LINT_OPTIONS_INIT;
	gw_project_lint_options plo = GW_PROJECT_LINT_OPTIONS_INIT;
	gw_validate_options vo = GW_VALIDATE_OPTIONS_INIT;
	gw_lockplan_options po = GW_LOCKPLAN_OPTIONS_INIT;
	gw_drift_options dro = GW_DRIFT_OPTIONS_INIT;
	gw_findings *fi = (gw_findings *)&lo;
	gw_lockplan *lp = (gw_lockplan *)&po;
	gw_schema_diff *d = (gw_schema_diff *)&dro;
	int error;

	lo.version = 7;
	error = gw_lint_sql(&fi, "m.sql", "SELECT 1;", 9, &lo, f->ctx);
	assert_refused(f, error, fi, "gw_lint_options version 7 is not supported");
	plo.version = 8;
	fi = (gw_findings *)&lo;
	error = gw_project_lint(&fi, f->p, &plo);
	assert_refused(f, error, fi, "gw_project_lint_options version 8 is not supported");
	vo.version = 9;
	fi = (gw_findings *)&lo;
	error = gw_project_validate(&fi, f->p, &vo);
	assert_refused(f, error, fi, "gw_validate_options version 9 is not supported");
	po.version = 10;
	error = gw_project_plan_locks(&lp, f->p, &po);
	assert_refused(f, error, lp, "gw_lockplan_options version 10 is not supported");
	dro.version = 11;
	error = gw_project_drift(&d, f->p, &dro);
	assert_refused(f, error, d, "gw_drift_options version 11 is not supported");
}

static void test_repair_and_resolve_refusals(void **state)
{
	fixture *f = *state;
	char message[PATH_MAX + 128];
	size_t n = 7;

	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	snprintf(message, sizeof(message), "migration 20990101000000 is neither in %s nor applied",
	         f->migrations);
	fx_assert_error(f, gw_project_repair(&n, f->p, "20990101000000"), GW_ENOTFOUND, message,
	                NULL);
	assert_int_equal(n, 0);
	fx_assert_error(f, gw_project_repair(&n, f->p, "20240101000001"), GW_ESTATE,
	                "migration 20240101000001 is applied, not changed; nothing to repair",
	                NULL);
	fx_assert_error(f, gw_project_resolve(f->p, "20990101000000", GW_RESOLVE_APPLIED),
	                GW_ENOTFOUND, message, NULL);
	fx_assert_error(f, gw_project_resolve(f->p, "20240101000001", (gw_resolution)99),
	                GW_EINVALID, "unknown resolution 99", NULL);
	fx_assert_query(f, "SELECT action FROM godwit_events ORDER BY id", "apply\n");
	fx_assert_query(f, "SELECT version, state FROM godwit_migrations",
	                "20240101000001|applied\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_unknown_option_versions, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_repair_and_resolve_refusals, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
