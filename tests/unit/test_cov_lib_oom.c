/*
 * test_cov_lib_oom.c: running out of memory anywhere in a project's run
 * on PostgreSQL is an error that says so, never a crash, a wrong result or
 * a migration left half applied; test_oom.c does the same on SQLite.
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt): for N = 1, 2, ... the Nth allocation godwit's
 * code makes fails (libpq's own are not counted) while a project, on a
 * database of its own that holds an enum, a table with a default and an
 * index, a view and a function:
 *  - reads: status, the lock plan, lint, a schema snapshot, health,
 *    pre-flight, drift and the history; none may report a wrong result;
 *  - migrates: up to the first, up, down, under a lease (lock = table), on
 *    a database reset each time.
 * After each run, with allocations working again, every migration is
 * applied or pending, none is dirty, and a fresh project applies what is
 * left.
 *
 * It runs only when GODWIT_TEST_PG_URL names a server (the ctest test
 * unit/test_cov_lib_oom_pg gives it the suite's); without it the test is
 * skipped. Each run is some 50 round trips to the server, so the ctest
 * test fails only every GW_OOM_STRIDE-th (41st) allocation; run by hand
 * without it, every one fails in turn.
 */
#include "project_fixture.h"
#include "pg_fixture.h"

#include "oom.h"

static int setup(void **state)
{
	return pg_fx_setup(state, "oom-pg", 0);
}

static int teardown(void **state)
{
	return pg_fx_teardown(state);
}

/* Running out of memory is never reported as something else (a syntax
 * error from SQL built from a missing part, a "(null)" name). A heartbeat
 * that could not start its session is a lease that cannot be renewed: the
 * run stops before the next migration, as it must. */
static void check_failure(pg_fixture *pf, int error, const char *call)
{
	const gw_error *e = gw_ctx_error(pf->f->ctx);

	if (!e || e->code != error || !e->message[0] || strstr(e->message, "syntax error") ||
	    strstr(e->message, "(null)") ||
	    (e->code != GW_ENOMEM && e->code != GW_ESTATE && e->code != GW_ENODOWN &&
	     !(e->code == GW_ELOCK && strstr(e->message, "lease could not be renewed"))))
		fail_msg("%s returned %d at allocation %ld with %s", call, error, oom_failing(),
		         e ? (e->message[0] ? e->message : "an empty message") : "no error set");
	gw_ctx_clear_error(pf->f->ctx);
}

#define TRY(call)                                                                                  \
	do {                                                                                       \
		int error_ = (call);                                                               \
		if (error_ < 0)                                                                    \
			check_failure(pf, error_, #call);                                          \
		else if (gw_ctx_error(pf->f->ctx))                                                 \
			fail_msg("%s succeeded with an error set at allocation %ld: %s", #call,    \
			         oom_failing(), gw_ctx_error(pf->f->ctx)->message);                \
	} while (0)

static void files(fixture *f)
{
	fx_migration(f, "20240101000001_mood.sql",
	             "CREATE TYPE mood AS ENUM ('ok', 'sad');\n"
	             "CREATE TABLE person (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n"
	             "  name text NOT NULL DEFAULT 'x', m mood, CHECK (name <> ''));\n"
	             "CREATE INDEX person_name ON person (name);\n"
	             "INSERT INTO person (name) VALUES ('a');",
	             "DROP TABLE person;\nDROP TYPE mood;");
	fx_migration(f, "20240101000002_view.sql",
	             "CREATE VIEW person_names AS SELECT name FROM person;\n"
	             "CREATE FUNCTION person_count() RETURNS bigint LANGUAGE sql AS\n"
	             "$$ SELECT count(*) FROM person $$;\n"
	             "ALTER TABLE person ADD COLUMN note text;",
	             "DROP FUNCTION person_count();\nDROP VIEW person_names;\n"
	             "ALTER TABLE person DROP COLUMN note;");
}

/* Reads only: the project's database holds both migrations. */
static void run_read(pg_fixture *pf)
{
	gw_project_options o = pf->f->opts;
	gw_project_lint_options lo = GW_PROJECT_LINT_OPTIONS_INIT;
	gw_lockplan_options po = GW_LOCKPLAN_OPTIONS_INIT;
	gw_schema_options so = GW_SCHEMA_OPTIONS_INIT;
	gw_project *p = NULL;
	gw_status *st = NULL;
	gw_lockplan *lp = NULL;
	gw_findings *fi = NULL;
	gw_schema *s = NULL;
	gw_schema_diff *d = NULL;
	gw_report *rep = NULL;
	gw_history *h = NULL;
	int error;

	o.preflight.required_tables = "person";
	o.preflight.required_extensions = "plpgsql,nosuchextension";
	if ((error = gw_project_open(&p, &o, pf->f->ctx)) < 0) {
		check_failure(pf, error, "gw_project_open");
		return;
	}
	TRY(gw_project_status(&st, p));
	if (st)
		assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 2);
	gw_status_free(st);
	TRY(gw_project_plan_locks(&lp, p, &po));
	gw_lockplan_free(lp);
	TRY(gw_project_lint(&fi, p, &lo));
	gw_findings_free(fi);
	TRY(gw_schema_snapshot(&s, p, &so));
	if (s && !gw_schema_count(s))
		fail_msg("an empty snapshot at allocation %ld", oom_failing());
	gw_schema_free(s);
	TRY(gw_project_health(&rep, p));
	gw_report_free(rep);
	rep = NULL;
	TRY(gw_project_preflight(&rep, p));
	gw_report_free(rep);
	TRY(gw_project_drift(&d, p, NULL));
	if (d && gw_schema_diff_count(d))
		fail_msg("drift found a difference at allocation %ld", oom_failing());
	gw_schema_diff_free(d);
	TRY(gw_project_history(&h, p, NULL, 0));
	gw_history_free(h);
	gw_project_free(p);
}

/* Changes: up, down, up, on a database reset before each run. */
static void run_migrate(pg_fixture *pf)
{
	gw_project_options o = pf->f->opts;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_project *p = NULL;
	size_t n = 0;
	int error;

	o.lock.table = 1; /* the lease: its table, its row, its release */
	if ((error = gw_project_open(&p, &o, pf->f->ctx)) < 0) {
		check_failure(pf, error, "gw_project_open");
		return;
	}
	up.to = "20240101000001";
	TRY(gw_project_up(&n, p, &up));
	TRY(gw_project_up(&n, p, NULL));
	TRY(gw_project_down(&n, p, &down));
	gw_project_free(p);
}

/* Every migration is applied or pending (none dirty), and a fresh project
 * brings the database to both applied, with the row inserted once and a
 * snapshot recorded. */
static void check(pg_fixture *pf)
{
	fixture *f = pf->f;
	gw_stmt exists = {"SELECT to_regclass('public.godwit_migrations') IS NOT NULL", 0, NULL, 0};
	gw_str out = GW_STR_INIT;
	size_t n = 0;

	exists.len = strlen(exists.sql);
	assert_int_equal(pf->admin->driver->exec(pf->admin, &exists, add_row, &out), 0);
	if (!strcmp(out.ptr, "t\n"))
		assert_admin_query(
		        pf, "SELECT count(*) FROM godwit_migrations WHERE state <> 'applied'",
		        "0\n");
	gw_str_dispose(&out);
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(gw_schema_record_expected(f->p), 0);
	gw_project_free(f->p);
	f->p = NULL;
	assert_admin_query(pf, "SELECT version, state FROM godwit_migrations ORDER BY version",
	                   "20240101000001|applied\n20240101000002|applied\n");
	assert_admin_query(pf, "SELECT count(*), person_count() FROM person_names", "1|1\n");
}

static void reset(pg_fixture *pf)
{
	admin_exec(pf, "DROP SCHEMA public CASCADE; CREATE SCHEMA public");
}

static void nothing(pg_fixture *pf)
{
	(void)pf;
}

static void oom_loop(pg_fixture *pf, void (*prepare)(pg_fixture *), void (*run)(pg_fixture *))
{
	const char *env = getenv("GW_OOM_STRIDE");
	long n, stride = env && atol(env) > 0 ? atol(env) : 1;

	files(pf->f);
	gw_project_free(pf->f->p);
	pf->f->p = NULL;
	reset(pf);
	check(pf);
	for (n = 1; n < 100000; n += stride) {
		prepare(pf);
		oom_fail_at(n);
		run(pf);
		oom_fail_at(-1);
		gw_ctx_clear_error(pf->f->ctx);
		pf->f->notices[0] = '\0';
		check(pf);
		if (!oom_reached())
			break;
	}
	print_message("every %ld of %ld allocations failed one at a time\n", stride, n - 1);
	assert_true(n > 100);
	assert_true(n < 100000);
}

static void test_reading_fails_cleanly_at_every_allocation(void **state)
{
	SKIP_WITHOUT_PG();
	oom_loop(*state, nothing, run_read);
}

static void test_migrating_fails_cleanly_at_every_allocation(void **state)
{
	SKIP_WITHOUT_PG();
	oom_loop(*state, reset, run_migrate);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_reading_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_migrating_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
