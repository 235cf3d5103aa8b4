/*
 * test_pgcopy.c: the rows of COPY ... TO STDOUT's text format, taken apart
 * (src/drivers/pgcopy.c), and the PostgreSQL driver's exec_copy, which
 * reads the history that way: the same rows and values as exec, the same
 * errors, and a session that stays usable after an error or a callback
 * that stops.
 *
 * The PostgreSQL cases run only when GODWIT_TEST_PG_URL names a server
 * (the ctest test unit/test_pgcopy_pg gives it the suite's); without it
 * they skip.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "drivers/pgcopy.h"
#include "drivers/registry.h"
#include "util/error.h"
#include "util/str.h"

#include "rows.h"

static void split_undoes_the_escapes(void **state)
{
	char row[] =
	        "a\tb\\tc\t\\N\t\t\\\\N\t\\n\\r\\\\\\x41\\x4a\\101\\7\\z\\b\\f\\v\\xg\tend\\\n";
	const char *v[7];

	(void)state;
	assert_int_equal(gw_pgcopy_split(row, strlen(row), v, 7), 0);
	assert_string_equal(v[0], "a");
	assert_string_equal(v[1], "b\tc");
	assert_null(v[2]);
	assert_string_equal(v[3], "");
	assert_string_equal(v[4], "\\N");
	assert_string_equal(v[5], "\n\r\\AJA\az\b\f\vxg");
	/* A backslash that ends the row is itself. */
	assert_string_equal(v[6], "end\\");
}

static void split_refuses_a_row_of_other_columns(void **state)
{
	char two[] = "a\tb\n", one[] = "a\n", bare[] = "a\tb", empty[] = "\n";
	const char *v[3];

	(void)state;
	assert_int_equal(gw_pgcopy_split(two, strlen(two), v, 3), -1);
	assert_int_equal(gw_pgcopy_split(two, strlen(two), v, 1), -1);
	assert_int_equal(gw_pgcopy_split(one, strlen(one), v, 2), -1);
	assert_int_equal(gw_pgcopy_split(bare, strlen(bare), v, 2), -1);
	assert_int_equal(gw_pgcopy_split(bare, 0, v, 1), -1);
	assert_int_equal(gw_pgcopy_split(empty, strlen(empty), v, 1), 0);
	assert_string_equal(v[0], "");
}

/* ---- PostgreSQL ---- */

typedef struct fixture {
	gw_ctx *ctx;
	gw_conn *conn;
} fixture;

static const char *pg_url(void)
{
	const char *url = getenv("GODWIT_TEST_PG_URL");

	return url && *url ? url : NULL;
}

static int pg_setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	if (pg_url() && gw_driver_postgres.open(&f->conn, pg_url(), NULL, f->ctx) < 0)
		fail_msg("cannot connect: %s", gw_ctx_error(f->ctx)->message);
	*state = f;
	return 0;
}

static int pg_teardown(void **state)
{
	fixture *f = *state;

	if (f->conn)
		f->conn->driver->close(f->conn);
	gw_ctx_free(f->ctx);
	free(f);
	return 0;
}

#define SKIP_WITHOUT_PG()                                                                          \
	do {                                                                                       \
		if (!pg_url())                                                                     \
			skip();                                                                    \
	} while (0)

static int run(fixture *f, int copy, const char *sql, gw_row_cb cb, void *payload)
{
	gw_stmt s = {sql, strlen(sql), NULL, 0};

	return (copy ? f->conn->driver->exec_copy : f->conn->driver->exec)(f->conn, &s, cb,
	                                                                   payload);
}

/* The session answers the next query: nothing was left unread. */
static void assert_usable(fixture *f)
{
	gw_str out = GW_STR_INIT;

	assert_int_equal(run(f, 0, "SELECT 'next'", collect, &out), 0);
	assert_string_equal(out.ptr, "next;");
	gw_str_dispose(&out);
}

static void copy_gives_the_rows_of_the_query(void **state)
{
	static const char sql[] =
	        "SELECT a, b, c FROM (VALUES (1, E'tab\\there', NULL::text), "
	        "(2, E'new\\nline\\r\\\\back', ''), (3, '\\N', 'h\xc3\xa9llo'), "
	        "(4, E'\\b\\f' || chr(11) || '|', 'NULL')) v (a, b, c) ORDER BY a";
	fixture *f = *state;
	gw_str by_copy = GW_STR_INIT, by_query = GW_STR_INIT;

	SKIP_WITHOUT_PG();
	assert_non_null(f->conn->driver->exec_copy);
	assert_int_equal(run(f, 1, sql, collect, &by_copy), 0);
	assert_string_equal(by_copy.ptr, "1|tab\there|NULL;2|new\nline\r\\back|;3|\\N|h\xc3\xa9llo;"
	                                 "4|\b\f\v||NULL;");
	assert_int_equal(run(f, 0, sql, collect, &by_query), 0);
	assert_string_equal(by_copy.ptr, by_query.ptr);
	gw_str_clear(&by_copy);
	/* More columns than the driver's array on the stack; no rows. */
	assert_int_equal(run(f, 1,
	                     "SELECT g, g + 1, g + 2, g + 3, g + 4, g + 5, g + 6, g + 7, g + 8, "
	                     "g + 9, g + 10, g + 11, g + 12, g + 13, g + 14, g + 15, g + 16, "
	                     "g + 17, g + 18, g + 19, g + 20, g + 21, g + 22, g + 23, g + 24, "
	                     "g + 25, g + 26, g + 27, g + 28, g + 29, g + 30, g + 31, g + 32, "
	                     "NULL FROM generate_series(1, 2) g",
	                     collect, &by_copy),
	                 0);
	assert_string_equal(by_copy.ptr, "1|2|3|4|5|6|7|8|9|10|11|12|13|14|15|16|17|18|19|20|21|22|"
	                                 "23|24|25|26|27|28|29|30|31|32|33|NULL;2|3|4|5|6|7|8|9|10|"
	                                 "11|12|13|14|15|16|17|18|19|20|21|22|23|24|25|26|27|28|29|"
	                                 "30|31|32|33|34|NULL;");
	gw_str_clear(&by_copy);
	assert_int_equal(run(f, 1, "SELECT 1 WHERE false", collect, &by_copy), 0);
	assert_int_equal(by_copy.size, 0);
	gw_str_dispose(&by_copy);
	gw_str_dispose(&by_query);
	assert_usable(f);
}

/* An error after the first rows: the rows before it, then the server's
 * error, as exec gives them, and the session answers the next query. */
static void copy_reports_an_error_after_rows(void **state)
{
	static const char sql[] = "SELECT 10 / (3 - g) FROM generate_series(1, 5) g";
	fixture *f = *state;
	gw_str by_copy = GW_STR_INIT, by_query = GW_STR_INIT;

	SKIP_WITHOUT_PG();
	assert_int_equal(run(f, 1, sql, collect, &by_copy), GW_ESQL);
	assert_string_equal(gw_ctx_error(f->ctx)->message, "division by zero");
	assert_string_equal(gw_ctx_error(f->ctx)->sqlstate, "22012");
	gw_ctx_clear_error(f->ctx);
	assert_usable(f);
	assert_int_equal(run(f, 0, sql, collect, &by_query), GW_ESQL);
	gw_ctx_clear_error(f->ctx);
	assert_string_equal(by_copy.ptr ? by_copy.ptr : "", by_query.ptr ? by_query.ptr : "");
	gw_str_dispose(&by_copy);
	gw_str_dispose(&by_query);
	assert_usable(f);
}

/* A callback that stops: its value is returned, it is called no more,
 * and the rest of the rows are read. */
static void copy_stops_at_the_callback(void **state)
{
	fixture *f = *state;
	int calls = 0;

	SKIP_WITHOUT_PG();
	assert_int_equal(
	        run(f, 1, "SELECT g FROM generate_series(1, 1000) g", stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
	assert_usable(f);
}

/* A query the server refuses: its error, with the position inside the
 * caller's query (not COPY's wrapper), as exec reports it. */
static void copy_reports_the_query_s_error(void **state)
{
	fixture *f = *state;
	int position;

	SKIP_WITHOUT_PG();
	assert_int_equal(run(f, 1, "SELECT nope FROM pg_class", collect, NULL), GW_ESQL);
	assert_string_equal(gw_ctx_error(f->ctx)->message, "column \"nope\" does not exist");
	position = f->conn->driver->last_error_position(f->conn);
	assert_int_equal(position, 8);
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(run(f, 1, "SELECT FROM WHERE", collect, NULL), GW_ESQL);
	assert_string_equal(gw_ctx_error(f->ctx)->message, "syntax error at or near \"WHERE\"");
	assert_int_equal(f->conn->driver->last_error_position(f->conn), 13);
	gw_ctx_clear_error(f->ctx);
	assert_usable(f);
}

/* Parameters, which COPY does not take, go the way of exec. */
static void copy_with_parameters_runs_the_query(void **state)
{
	fixture *f = *state;
	const char *params[] = {"41"};
	gw_stmt s = {"SELECT $1::int + 1", 0, params, 1};
	gw_str out = GW_STR_INIT;

	SKIP_WITHOUT_PG();
	s.len = strlen(s.sql);
	assert_int_equal(f->conn->driver->exec_copy(f->conn, &s, collect, &out), 0);
	assert_string_equal(out.ptr, "42;");
	gw_str_dispose(&out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(split_undoes_the_escapes),
	        cmocka_unit_test(split_refuses_a_row_of_other_columns),
	        cmocka_unit_test_setup_teardown(copy_gives_the_rows_of_the_query, pg_setup,
	                                        pg_teardown),
	        cmocka_unit_test_setup_teardown(copy_reports_an_error_after_rows, pg_setup,
	                                        pg_teardown),
	        cmocka_unit_test_setup_teardown(copy_stops_at_the_callback, pg_setup, pg_teardown),
	        cmocka_unit_test_setup_teardown(copy_reports_the_query_s_error, pg_setup,
	                                        pg_teardown),
	        cmocka_unit_test_setup_teardown(copy_with_parameters_runs_the_query, pg_setup,
	                                        pg_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
