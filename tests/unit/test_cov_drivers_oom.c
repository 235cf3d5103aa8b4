/*
 * test_cov_drivers_oom.c: running out of memory in the PostgreSQL driver,
 * against a real server, is GW_ENOMEM ("out of memory") from the call
 * that hit it, never a crash, a wrong result or a wedged connection.
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt): for N = 1, 2, ... the Nth allocation godwit's
 * code makes fails (libpq's own allocations are not counted), while one
 * connection is opened and used: plain and parameterised queries with
 * rows, a pipelined transaction, identifier quoting, the advisory lock,
 * the holder of a lock another connection has, and the session. It runs only when
 * GODWIT_TEST_PG_URL names a scratch database (the ctest test unit/test_cov_drivers_oom_pg gives it
 * the suite's server); without it the test is skipped.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "drivers/registry.h"
#include "util/error.h"
#include "oom.h"

static gw_stmt stmt_of(const char *sql)
{
	gw_stmt s = {sql, strlen(sql), NULL, 0};

	return s;
}

/* Rows as "a|b;", into a fixed buffer: the test's own allocations would
 * count among the failing ones. */
typedef struct rows {
	char text[256];
	size_t len;
} rows;

static int collect(void *payload, int ncols, const char *const *values)
{
	rows *out = payload;
	int i;

	for (i = 0; i < ncols; i++)
		out->len += (size_t)snprintf(out->text + out->len, sizeof(out->text) - out->len,
		                             "%s%s", i ? "|" : "", values[i] ? values[i] : "NULL");
	out->len += (size_t)snprintf(out->text + out->len, sizeof(out->text) - out->len, ";");
	return 0;
}

/* A call's result: 0, or GW_ENOMEM with the out-of-memory message (the
 * error is cleared for the next call). 1 when it failed. */
static int outcome(gw_ctx *ctx, int rc)
{
	if (rc == 0)
		return 0;
	assert_int_equal(rc, GW_ENOMEM);
	assert_string_equal(gw_ctx_error(ctx)->message, "out of memory");
	gw_ctx_clear_error(ctx);
	return 1;
}

/* Everything after open; each step checks its result when it succeeded.
 * key is the round's own advisory lock: a round whose unlock ran out of
 * memory leaves its lock to a backend that ends only some time after the
 * close, and the next round must not find it taken. */
static void use(gw_conn *conn, gw_ctx *ctx, int64_t key)
{
	const char *params[] = {"41", NULL};
	gw_stmt q = {"SELECT $1::int + 1, $2::text", 0, params, 2};
	gw_stmt batch[] = {stmt_of("CREATE TEMP TABLE gw_oom (a int)"),
	                   stmt_of("INSERT INTO gw_oom VALUES (1), (2)")};
	gw_stmt select = stmt_of("SELECT a FROM gw_oom ORDER BY a");
	rows out = {"", 0};
	gw_exec_failure where;
	gw_session_info info;
	char *text = NULL;
	int acquired = 0;

	q.len = strlen(q.sql);
	if (!outcome(ctx, conn->driver->exec(conn, &q, collect, &out)))
		assert_string_equal(out.text, "42|NULL;");
	out.text[0] = '\0';
	out.len = 0;
	if (!outcome(ctx, conn->driver->exec_tx(conn, batch, 2, &where)) &&
	    !outcome(ctx, conn->driver->exec(conn, &select, collect, &out)))
		assert_string_equal(out.text, "1;2;");
	if (!outcome(ctx, conn->driver->quote_ident(conn, "we\"ird", &text)))
		assert_string_equal(text, "\"we\"\"ird\"");
	free(text);
	text = NULL;
	if (!outcome(ctx, conn->driver->try_lock(conn, key, &acquired))) {
		assert_int_equal(acquired, 1);
		outcome(ctx, conn->driver->unlock(conn, key));
	}
	/* Key 7500 is held by the other connection. */
	if (!outcome(ctx, conn->driver->lock_holder(conn, INT64_C(7500), &text)))
		assert_non_null(strstr(text, "connected since "));
	free(text);
	if (!outcome(ctx, conn->driver->session(conn, &info)))
		assert_int_equal(info.own, 1);
}

static void every_allocation_failure_in_the_driver_is_enomem(void **state)
{
	const char *url = getenv("GODWIT_TEST_PG_URL");
	gw_conn *holder = NULL;
	gw_ctx *ctx = NULL;
	int acquired = 0;
	long n;

	(void)state;
	if (!url || !*url)
		skip();
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_driver_postgres.open(&holder, url, NULL, ctx), 0);
	assert_int_equal(holder->driver->try_lock(holder, INT64_C(7500), &acquired), 0);
	assert_int_equal(acquired, 1);
	for (n = 1; n < 100000; n++) {
		gw_conn *conn = NULL;

		oom_fail_at(n);
		if (!outcome(ctx, gw_driver_postgres.open(&conn, url, NULL, ctx)))
			use(conn, ctx, INT64_C(750000) + n);
		else
			assert_null(conn);
		oom_fail_at(-1);
		if (conn)
			conn->driver->close(conn);
		if (!oom_reached())
			break; /* the whole run did not reach allocation n */
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n > 10);
	assert_true(n < 100000);
	holder->driver->close(holder);
	gw_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(every_allocation_failure_in_the_driver_is_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
