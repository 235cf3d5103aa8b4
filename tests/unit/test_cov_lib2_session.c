/*
 * test_cov_lib2_session.c: a migration whose session the server ends while it
 * runs, on the suite's real PostgreSQL (the statement that ends it is
 * the migration's own: pg_terminate_backend(pg_backend_pid()), so no
 * timing is involved). What the run says, and what the history holds
 * afterwards on a new session:
 *  - a down in a transaction: rolled back with the connection, still
 *    applied;
 *  - an up without a transaction: dirty at the statement that was
 *    running, the ones before it done.
 *
 * It runs only when GODWIT_TEST_PG_URL names a server (the ctest test
 * unit/test_cov_lib2_session_pg gives it the suite's); without it, it skips.
 */
#include "project_fixture.h"
#include "pg_fixture.h"

static int setup(void **state)
{
	return pg_fx_setup(state, "lib2-pg", 1);
}

static int teardown(void **state)
{
	return pg_fx_teardown(state);
}

static const char rows_sql[] = "SELECT version, state, statements_done, statements_total "
                               "FROM godwit_migrations ORDER BY version";

static void test_down_that_loses_its_session(void **state)
{
	pg_fixture *pf = *state;
	fixture *f;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	const gw_error *e;
	size_t n = 0;

	SKIP_WITHOUT_PG();
	f = pf->f;
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);",
	             "DROP TABLE a;\nSELECT pg_terminate_backend(pg_backend_pid());");
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(gw_project_down(&n, f->p, &down), GW_ECONNECT);
	e = gw_ctx_error(f->ctx);
	assert_non_null(strstr(e->message, "terminating connection due to administrator command"));
	assert_string_equal(e->hint,
	                    "the connection was lost while 20240101000001 was being reverted; on "
	                    "a new session the history shows that it was not reverted: it was "
	                    "rolled back with the connection; revert again");
	assert_int_equal(e->hint_code, GW_HINT_DOWN_AGAIN);
	gw_ctx_clear_error(f->ctx);
	/* Nothing of the down stayed: the table and the row are there. */
	assert_admin_query(pf, "SELECT to_regclass('a') IS NOT NULL", "t\n");
	assert_admin_query(pf, rows_sql, "20240101000001|applied|1|1\n");
}

static void test_no_transaction_up_that_loses_its_session(void **state)
{
	pg_fixture *pf = *state;
	fixture *f;
	const gw_error *e;
	size_t n = 0;

	SKIP_WITHOUT_PG();
	f = pf->f;
	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE a (id int);\n"
	         "SELECT pg_terminate_backend(pg_backend_pid());\nCREATE TABLE b (id int);\n");
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), GW_ECONNECT);
	assert_int_equal(n, 0);
	e = gw_ctx_error(f->ctx);
	assert_non_null(strstr(e->message, "terminating connection due to administrator command"));
	assert_string_equal(e->hint,
	                    "the connection was lost at statement 2 of 3, and a new session "
	                    "recorded 20240101000001 as dirty with the statements before it "
	                    "done; check whether statement 2 took effect, then apply again with "
	                    "resume to continue from it, or resolve it");
	gw_ctx_clear_error(f->ctx);
	assert_admin_query(pf, "SELECT to_regclass('a') IS NOT NULL, to_regclass('b') IS NULL",
	                   "t|t\n");
	assert_admin_query(pf, rows_sql, "20240101000001|dirty|1|3\n");
}

/* Each way the driver sends SQL says a lost session is GW_ECONNECT: a
 * query whose rows stream to a callback, one with parameters, and a
 * pipeline. */
static void test_driver_calls_on_a_lost_session(void **state)
{
	pg_fixture *pf = *state;
	gw_conn *c = NULL;
	gw_ctx *ctx = NULL;
	gw_str out = GW_STR_INIT, sql = GW_STR_INIT;
	const char *params[] = {"1"};
	gw_stmt rows = {"SELECT 1", 8, NULL, 0};
	gw_stmt with = {"SELECT $1::int", 14, params, 1};
	gw_query q[2] = {{{"SELECT 1", 8, NULL, 0}, add_row, NULL},
	                 {{"SELECT 2", 8, NULL, 0}, add_row, NULL}};
	size_t i;

	SKIP_WITHOUT_PG();
	q[0].payload = q[1].payload = &out;
	for (i = 0; i < 3; i++) {
		char pid[32] = "";
		gw_stmt st = {"SELECT pg_backend_pid()", 23, NULL, 0};
		gw_str got = GW_STR_INIT;
		int error;

		assert_int_equal(gw_ctx_new(&ctx), 0);
		assert_int_equal(gw_driver_postgres.open(&c, gw_ephemeral_url(pf->db), NULL, ctx),
		                 0);
		assert_int_equal(c->driver->exec(c, &st, add_row, &got), 0);
		snprintf(pid, sizeof(pid), "%.*s", (int)got.size - 1, got.ptr);
		gw_str_dispose(&got);
		gw_str_clear(&sql);
		gw_str_printf(&sql, "SELECT pg_terminate_backend(%s, 5000)", pid);
		assert_admin_query(pf, sql.ptr, "t\n");
		error = i == 0   ? c->driver->exec(c, &rows, add_row, &out)
		        : i == 1 ? c->driver->exec(c, &with, NULL, NULL)
		                 : c->driver->exec_pipeline(c, q, 2);
		assert_int_equal(error, GW_ECONNECT);
		assert_int_equal(gw_ctx_error(ctx)->code, GW_ECONNECT);
		assert_int_equal(strncmp(gw_ctx_error(ctx)->message,
		                         "lost the connection to the server: ", 35),
		                 0);
		/* No row of a query that did not run reached the callback. */
		assert_int_equal(out.size, 0);
		c->driver->close(c);
		gw_ctx_free(ctx);
	}
	gw_str_dispose(&sql);
	gw_str_dispose(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_down_that_loses_its_session, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_no_transaction_up_that_loses_its_session,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_driver_calls_on_a_lost_session, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
