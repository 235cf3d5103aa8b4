/*
 * test_cov_lib4_adopt_oom.c: running out of memory anywhere in adopt is
 * an out-of-memory error, never a crash, a report that says less than
 * it should, or a history half taken over.
 *
 * For N = 1, 2, ... allocation N fails while adopt reads a golang-migrate
 * table (recorded), a dirty row (refused with a problem and its hint),
 * and a dirty row with no file (refused). After each round, with allocations working again, the
 * database holds either the whole adoption or none of it.
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt).
 */
#include "project_fixture.h"

#include "godwit/adopt.h"
#include "oom.h"

static int setup(void **state)
{
	oom_use_tmpfs();
	return fx_setup_named(state, "lib4-adopt-oom");
}

static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

static void fresh_database(fixture *f, const char *sql)
{
	gw_project_free(f->p);
	f->p = NULL;
	unlink(f->db);
	fx_sql(f, sql);
	fx_open(f);
}

/* The call either did what was asked (want) or failed out of memory,
 * saying so. */
static void check(fixture *f, int error, int want, const char *what)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	if (error == want)
		return;
	if (error != GW_ENOMEM || !e || e->code != GW_ENOMEM || !e->message[0])
		fail_msg("%s returned %d at allocation %ld: %s", what, error, oom_failing(),
		         e ? e->message : "no error set");
}

/* A report kept with a refusal names every problem in full. */
static void check_report(const gw_adopt_report *r, size_t problems)
{
	size_t i, n = 0;

	for (i = 0; i < gw_adopt_report_count(r); i++) {
		const gw_adopt_entry *e = gw_adopt_report_get(r, i);

		if (e->action != GW_ADOPT_PROBLEM)
			continue;
		n++;
		if (!e->problem || !e->found || strstr(e->problem, "(null)"))
			fail_msg("a problem without its words at allocation %ld", oom_failing());
	}
	if (r && n != problems)
		fail_msg("%zu problems instead of %zu at allocation %ld", n, problems,
		         oom_failing());
}

/* The rows of godwit_migrations; 0 when it does not exist. */
static int recorded(fixture *f)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	int n = 0;

	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, "SELECT count(*) FROM godwit_migrations", -1, &st, NULL) ==
	            SQLITE_OK &&
	    sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	return n;
}

static const char golang[] =
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean "
        "NOT NULL); INSERT INTO schema_migrations VALUES (2, 0);";
/* The row for 000002 is dirty: it stands for 000001 too. */
static const char dirty[] =
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean "
        "NOT NULL); INSERT INTO schema_migrations VALUES (2, 1);";
static const char dirty_orphan[] =
        "CREATE TABLE schema_migrations (version bigint NOT NULL PRIMARY KEY, dirty boolean "
        "NOT NULL); INSERT INTO schema_migrations VALUES (9, 1);";

static int round_golang(fixture *f, long n)
{
	gw_adopt_report *r = NULL;
	int error, reached;

	fresh_database(f, golang);
	oom_fail_at(n);
	error = gw_project_adopt(&r, f->p, "golang-migrate", 0);
	reached = oom_reached();
	check(f, error, 0, "adopt golang-migrate");
	gw_ctx_clear_error(f->ctx);
	gw_adopt_report_free(r);
	/* All or nothing. */
	if (error == 0)
		fx_assert_query(f, "SELECT group_concat(version) FROM godwit_migrations",
		                "000001,000002\n");
	else
		assert_int_equal(recorded(f), 0);
	return reached;
}

static int round_refused(fixture *f, long n, const char *sql, size_t problems)
{
	gw_adopt_report *r = NULL;
	int error, reached;

	fresh_database(f, sql);
	oom_fail_at(n);
	error = gw_project_adopt(&r, f->p, "golang-migrate", 0);
	reached = oom_reached();
	check(f, error, GW_ESTATE, sql);
	gw_ctx_clear_error(f->ctx);
	if (error == GW_ESTATE)
		check_report(r, problems);
	gw_adopt_report_free(r);
	return reached;
}

static void test_adopt_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;
	long n;
	int reached;

	fx_write(f->migrations, "000001_a.up.sql", "CREATE TABLE a (id int);\n");
	fx_write(f->migrations, "000001_a.down.sql", "DROP TABLE a;\n");
	fx_write(f->migrations, "000002_b.up.sql", "CREATE TABLE b (id int);\n");
	fx_write(f->migrations, "000002_b.down.sql", "DROP TABLE b;\n");
	/* Each call is its own round at allocation n. */
	for (n = 1; n < 100000; n++) {
		reached = round_golang(f, n);
		reached |= round_refused(f, n, dirty_orphan, 1);
		reached |= round_refused(f, n, dirty, 2);
		if (!reached)
			break;
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n > 50 && n < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_adopt_fails_cleanly_at_every_allocation, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
