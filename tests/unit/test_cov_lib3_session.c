/*
 * test_cov_lib3_session.c: faults of the server and of other runners, on
 * the suite's real PostgreSQL, none of them timed:
 *  - a session the server ended, used again: each way the driver sends
 *    SQL (a statement, a streamed query, a transaction's batch, a
 *    pipeline) says the connection is lost, and sends nothing;
 *  - COPY in a pipeline (no client data to send or rows to keep): the
 *    error, and the session still usable;
 *  - a no-transaction migration whose dirty row meets the row of a
 *    concurrent runner (the history's primary key refuses it): skipped,
 *    nothing of it run;
 *  - a run under a lease (lock = table) whose session the server ends.
 *
 * It runs only when GODWIT_TEST_PG_URL names a server (the ctest test
 * unit/test_cov_lib3_session_pg gives it the suite's); without it, it skips.
 */
#include "project_fixture.h"
#include "pg_fixture.h"

static int setup(void **state)
{
	return pg_fx_setup(state, "lib3-pg", 1);
}

static int teardown(void **state)
{
	return pg_fx_teardown(state);
}

/* A session of its own whose backend the server has ended, and that
 * libpq already knows is lost (a first call failed on it). */
static gw_conn *lost_session(pg_fixture *pf, gw_ctx *ctx)
{
	gw_stmt pid = {"SELECT pg_backend_pid()", 23, NULL, 0};
	gw_stmt one = {"SELECT 1", 8, NULL, 0};
	gw_str got = GW_STR_INIT, sql = GW_STR_INIT;
	gw_conn *c = NULL;

	assert_int_equal(gw_driver_postgres.open(&c, gw_ephemeral_url(pf->db), NULL, ctx), 0);
	assert_int_equal(c->driver->exec(c, &pid, add_row, &got), 0);
	gw_str_printf(&sql, "SELECT pg_terminate_backend(%.*s, 5000)", (int)got.size - 1, got.ptr);
	assert_admin_query(pf, sql.ptr, "t\n");
	assert_int_equal(c->driver->exec(c, &one, NULL, NULL), GW_ECONNECT);
	gw_ctx_clear_error(ctx);
	gw_str_dispose(&got);
	gw_str_dispose(&sql);
	return c;
}

static void test_a_lost_session_used_again(void **state)
{
	pg_fixture *pf = *state;
	gw_ctx *ctx = NULL;
	gw_conn *c;
	gw_str out = GW_STR_INIT;
	gw_stmt one = {"SELECT 1", 8, NULL, 0};
	gw_stmt batch[2] = {{"CREATE TABLE t1 (id int)", 24, NULL, 0},
	                    {"CREATE TABLE t2 (id int)", 24, NULL, 0}};
	gw_query q[2] = {{{"SELECT 1", 8, NULL, 0}, add_row, NULL},
	                 {{"SELECT 2", 8, NULL, 0}, add_row, NULL}};
	gw_exec_failure fail = {7, 7};
	int i;

	SKIP_WITHOUT_PG();
	q[0].payload = q[1].payload = &out;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	c = lost_session(pf, ctx);
	for (i = 0; i < 4; i++) {
		int error = i == 0   ? c->driver->exec(c, &one, NULL, NULL)
		            : i == 1 ? c->driver->exec(c, &one, add_row, &out)
		            : i == 2 ? c->driver->exec_tx(c, batch, 2, &fail)
		                     : c->driver->exec_pipeline(c, q, 2);

		assert_int_equal(error, GW_ECONNECT);
		assert_string_equal(
		        gw_ctx_error(ctx)->message,
		        "lost the connection to the server: no connection to the server");
		gw_ctx_clear_error(ctx);
	}
	/* The batch failed before its first statement; no row reached a
	 * callback, and nothing reached the server. */
	assert_int_equal(fail.index, 0);
	assert_int_equal(fail.position, 0);
	assert_int_equal(out.size, 0);
	assert_admin_query(pf, "SELECT to_regclass('t1') IS NULL", "t\n");
	c->driver->close(c);
	gw_ctx_free(ctx);
	gw_str_dispose(&out);
}

/* COPY has no place in a pipeline: there is no client data to send, and
 * its rows have nowhere to go. The pipeline fails with the server's or
 * libpq's word on it, no row of it reaches a callback, and the session
 * answers the next query. */
static void test_copy_in_a_pipeline(void **state)
{
	pg_fixture *pf = *state;
	gw_ctx *ctx = NULL;
	gw_conn *c = NULL;
	gw_str out = GW_STR_INIT;
	gw_query copy_out[1] = {{{"COPY (SELECT 41) TO STDOUT", 26, NULL, 0}, add_row, NULL}};
	gw_query copy_in[1] = {{{"COPY t FROM STDIN", 17, NULL, 0}, add_row, NULL}};
	gw_stmt two = {"SELECT 2", 8, NULL, 0};

	SKIP_WITHOUT_PG();
	copy_out[0].payload = copy_in[0].payload = &out;
	admin_exec(pf, "CREATE TABLE t (id int)");
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_driver_postgres.open(&c, gw_ephemeral_url(pf->db), NULL, ctx), 0);
	/* The rows COPY TO STDOUT sends are dropped, not taken for rows of a
	 * query. */
	assert_int_equal(c->driver->exec_pipeline(c, copy_out, 1), 0);
	assert_int_equal(out.size, 0);
	assert_int_equal(c->driver->exec(c, &two, add_row, &out), 0);
	assert_string_equal(out.ptr, "2\n");
	gw_str_clear(&out);
	assert_int_equal(c->driver->exec_pipeline(c, copy_in, 1), GW_ESQL);
	assert_string_equal(gw_ctx_error(ctx)->message,
	                    "COPY from stdin failed: godwit sends no COPY FROM STDIN data; use "
	                    "INSERT, or COPY FROM a file on the server");
	gw_ctx_clear_error(ctx);
	assert_int_equal(out.size, 0);
	assert_int_equal(c->driver->exec(c, &two, add_row, &out), 0);
	assert_string_equal(out.ptr, "2\n");
	assert_admin_query(pf, "SELECT count(*) FROM t", "0\n");
	c->driver->close(c);
	gw_ctx_free(ctx);
	gw_str_dispose(&out);
}

static const char rows_sql[] = "SELECT version, state, statements_done, statements_total "
                               "FROM godwit_migrations ORDER BY version";

/* Another runner's row appears as this one inserts its own: a trigger
 * inserts the same version first, in the same transaction, as a
 * concurrent runner that got there a moment before would have. */
static void test_a_dirty_row_that_meets_a_concurrent_runner(void **state)
{
	pg_fixture *pf = *state;
	fixture *f;
	size_t n = 0;

	SKIP_WITHOUT_PG();
	f = pf->f;
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(n, 1);
	admin_exec(pf, "CREATE FUNCTION first() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
	               "IF pg_trigger_depth() = 1 THEN INSERT INTO godwit_migrations SELECT "
	               "NEW.*; END IF; RETURN NEW; END $$");
	admin_exec(pf, "CREATE TRIGGER first BEFORE INSERT ON godwit_migrations FOR EACH ROW "
	               "WHEN (NEW.state = 'dirty') EXECUTE FUNCTION first()");
	fx_write(f->migrations, "20240101000002_b.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE b (id int);\n");
	fx_open(f);
	f->notices[0] = '\0';
	n = 0;
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_null(gw_ctx_error(f->ctx));
	assert_int_equal(n, 0);
	assert_non_null(
	        strstr(f->notices, "skipped 20240101000002: applied by a concurrent runner\n"));
	assert_null(strstr(f->notices, "applied 20240101000002"));
	/* Nothing of b ran; the other runner's row went with the
	 * transaction it was made in. */
	assert_admin_query(pf, "SELECT to_regclass('b') IS NULL", "t\n");
	assert_admin_query(pf, rows_sql, "20240101000001|applied|1|1\n");
}

/* lock = table: the lease's session is the one the server ends. The
 * heartbeat stops with it, the failure is recorded on a new session, and
 * the lease row, which the lost session could not delete, is given back
 * on the new one when the run ends. */
static void test_a_leased_run_that_loses_its_session(void **state)
{
	pg_fixture *pf = *state;
	fixture *f;
	const gw_error *e;
	gw_str sql = GW_STR_INIT;
	size_t n = 0;

	SKIP_WITHOUT_PG();
	f = pf->f;
	f->opts.lock.table = 1;
	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE a (id int);\n"
	         "SELECT pg_terminate_backend(pg_backend_pid());\n");
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), GW_ECONNECT);
	assert_int_equal(n, 0);
	e = gw_ctx_error(f->ctx);
	assert_non_null(strstr(e->message, "terminating connection due to administrator command"));
	assert_string_equal(e->hint,
	                    "the connection was lost at statement 2 of 2, and a new session "
	                    "recorded 20240101000001 as dirty with the statements before it "
	                    "done; check whether statement 2 took effect, then apply again with "
	                    "resume to continue from it, or resolve it");
	gw_ctx_clear_error(f->ctx);
	assert_admin_query(pf, rows_sql, "20240101000001|dirty|1|2\n");
	gw_str_printf(&sql, "SELECT count(*) FROM godwit_lock WHERE owner LIKE '%%:%ld:%%'",
	              (long)getpid());
	assert_admin_query(pf, sql.ptr, "0\n");
	gw_str_dispose(&sql);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_a_lost_session_used_again, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_copy_in_a_pipeline, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_a_dirty_row_that_meets_a_concurrent_runner,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_a_leased_run_that_loses_its_session, setup,
	                                        teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
