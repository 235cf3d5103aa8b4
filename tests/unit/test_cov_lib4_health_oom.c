/*
 * test_cov_lib4_health_oom.c: running out of memory anywhere in health on
 * a SQLite file (src/lib/health.c) is an out-of-memory error, never a
 * crash or a report that says less than it should.
 *
 * For N = 1, 2, ... allocation N fails while health checks a database
 * with an applied and a pending migration and required_tables naming a
 * table, a view and one that is missing. The report, when the call
 * succeeds, has every check with its summary, and the missing table
 * named.
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt).
 */
#include "project_fixture.h"

#include "oom.h"

static int setup(void **state)
{
	fixture *f;
	gw_up_options uo = GW_UP_OPTIONS_INIT;
	size_t n = 0;

	oom_use_tmpfs();
	assert_int_equal(fx_setup_named(state, "lib4-health-oom"), 0);
	f = *state;
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_open(f);
	uo.to = "20240101000001";
	assert_int_equal(gw_project_up(&n, f->p, &uo), 0);
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
	fx_sql(f, "CREATE VIEW v AS SELECT 1;");
	f->opts.preflight.required_tables = "a, v, missing";
	fx_open(f);
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

static void test_health_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;
	gw_report *r;
	const gw_check *c;
	long n;
	size_t i;
	int error, tables, reached;

	for (n = 1; n < 100000; n++) {
		r = NULL;
		oom_fail_at(n);
		error = gw_project_health(&r, f->p);
		reached = oom_reached();
		if (error < 0) {
			if (error != GW_ENOMEM || gw_ctx_error(f->ctx)->code != GW_ENOMEM)
				fail_msg("health returned %d at allocation %ld: %s", error, n,
				         gw_ctx_error(f->ctx)->message);
			gw_ctx_clear_error(f->ctx);
			gw_report_free(r);
			continue; /* reached: it failed */
		}
		tables = 0;
		for (i = 0; i < gw_report_count(r); i++) {
			c = gw_report_get(r, i);
			if (!c->name || !c->summary || strstr(c->summary, "(null)"))
				fail_msg("a check without its words at allocation %ld", n);
			if (!strcmp(c->name, "tables")) {
				tables = 1;
				assert_int_equal(c->status, GW_CHECK_FAIL);
				assert_int_equal(c->ndetails, 1);
				assert_string_equal(c->details[0], "missing");
			}
		}
		if (!tables)
			fail_msg("no tables check at allocation %ld", n);
		gw_report_free(r);
		if (!reached)
			break;
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n > 20 && n < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_health_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
