/*
 * test_pgcopy.c: the rows of COPY ... TO STDOUT's text and binary formats,
 * taken apart (src/drivers/pgcopy.c), and the PostgreSQL driver's
 * exec_copy and exec_binary, which read the history that way: the same
 * rows and values as exec (as the server's binary form for exec_binary,
 * with or without COPY), the same errors, and a session that stays usable
 * after an error or a callback that stops.
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

/* A binary message of COPY, built as the server writes one. */
typedef struct msg {
	char bytes[256];
	size_t len;
} msg;

static void put(msg *m, const void *p, size_t n)
{
	assert_true(m->len + n < sizeof(m->bytes));
	memcpy(m->bytes + m->len, p, n);
	m->len += n;
	m->bytes[m->len] = '\0'; /* libpq ends its buffer so */
}

static void put16(msg *m, int v)
{
	unsigned char b[2] = {(unsigned char)(v >> 8), (unsigned char)v};

	put(m, b, 2);
}

static void put32(msg *m, long v)
{
	unsigned char b[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16),
	                      (unsigned char)(v >> 8), (unsigned char)v};

	put(m, b, 4);
}

static void put_head(msg *m, long flags, long ext)
{
	static const char zeros[8];

	put(m, "PGCOPY\n\377\r\n\0", 11);
	put32(m, flags);
	put32(m, ext);
	put(m, zeros, (size_t)ext);
}

static void put_field(msg *m, const char *bytes, long len)
{
	put32(m, len);
	if (len > 0)
		put(m, bytes, (size_t)len);
}

/* The head comes with the first row, each value is left in place with a
 * '\0' after it, NULL is NULL, and the end is told apart from a row. */
static void binary_split_takes_a_row_apart(void **state)
{
	msg first = {{0}, 0}, next = {{0}, 0}, end = {{0}, 0};
	const char *v[4];
	int len[4], at = 0;

	(void)state;
	put_head(&first, 0, 4); /* an extension, stepped over */
	put16(&first, 4);
	put_field(&first, "\0\0\0\x2a", 4);
	put_field(&first, NULL, -1);
	put_field(&first, "h\xc3\xa9llo", 6);
	put_field(&first, "", 0);
	assert_int_equal(gw_pgcopy_binary_split(first.bytes, first.len, &at, v, len, 4), 0);
	assert_int_equal(at, 1);
	assert_int_equal(len[0], 4);
	assert_memory_equal(v[0], "\0\0\0\x2a\0", 5);
	assert_null(v[1]);
	assert_int_equal(len[2], 6);
	assert_string_equal(v[2], "h\xc3\xa9llo");
	assert_int_equal(len[3], 0);
	assert_string_equal(v[3], "");

	put16(&next, 4);
	put_field(&next, "abc", 3);
	put_field(&next, "de", 2);
	put_field(&next, NULL, -1);
	put_field(&next, "f", 1);
	assert_int_equal(gw_pgcopy_binary_split(next.bytes, next.len, &at, v, len, 4), 0);
	assert_string_equal(v[0], "abc");
	assert_string_equal(v[1], "de");
	assert_null(v[2]);
	assert_string_equal(v[3], "f");

	put16(&end, -1);
	assert_int_equal(gw_pgcopy_binary_split(end.bytes, end.len, &at, v, len, 4), 1);
	/* No rows: the head and the end in one message. */
	at = 0;
	end.len = 0;
	put_head(&end, 0, 0);
	put16(&end, -1);
	assert_int_equal(gw_pgcopy_binary_split(end.bytes, end.len, &at, v, len, 4), 1);
}

static void binary_split_refuses_what_is_not_a_row(void **state)
{
	msg m;
	const char *v[2];
	int len[2], at;

	(void)state;
#define CASE(build, state0)                                                                        \
	do {                                                                                       \
		memset(&m, 0, sizeof(m));                                                          \
		build;                                                                             \
		at = (state0);                                                                     \
		assert_int_equal(gw_pgcopy_binary_split(m.bytes, m.len, &at, v, len, 2), -1);      \
	} while (0)
	/* Another signature; rows with OIDs; an extension longer than the
	 * message. */
	CASE((put(&m, "PGCOPY\n\377\r\n\1", 11), put32(&m, 0), put32(&m, 0), put16(&m, -1)), 0);
	CASE((put_head(&m, 1L << 16, 0), put16(&m, -1)), 0);
	CASE((put(&m, "PGCOPY\n\377\r\n\0", 11), put32(&m, 0), put32(&m, 99)), 0);
	CASE(put(&m, "PGCOPY", 6), 0);
	/* Another count of fields; a field past the end; a negative length
	 * other than NULL's; bytes after the row or after the end. */
	CASE((put16(&m, 3), put_field(&m, "a", 1), put_field(&m, "b", 1), put_field(&m, "c", 1)),
	     1);
	CASE((put16(&m, 2), put_field(&m, "a", 1), put32(&m, 5), put(&m, "bc", 2)), 1);
	CASE((put16(&m, 2), put_field(&m, "a", 1), put32(&m, -2)), 1);
	CASE((put16(&m, 2), put_field(&m, "a", 1), put_field(&m, "b", 1), put(&m, "x", 1)), 1);
	CASE((put16(&m, -1), put(&m, "x", 1)), 1);
	CASE((put16(&m, 2), put_field(&m, "a", 1)), 1);
	CASE(put(&m, "\0", 1), 1);
#undef CASE
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

/* Binary rows as "4:0000002a|NULL|5:68656c6c6f;": each value's length and
 * bytes in hex, appended to the gw_str in payload. */
static int collect_binary(void *payload, int ncols, const char *const *values, const int *lengths)
{
	gw_str *out = payload;
	int i, k;

	for (i = 0; i < ncols; i++) {
		if (i)
			gw_str_putc(out, '|');
		if (!values[i]) {
			gw_str_puts(out, "NULL");
			continue;
		}
		/* The value is followed by a '\0'. */
		assert_int_equal(values[i][lengths[i]], '\0');
		gw_str_printf(out, "%d:", lengths[i]);
		for (k = 0; k < lengths[i]; k++)
			gw_str_printf(out, "%02x", (unsigned char)values[i][k]);
	}
	gw_str_putc(out, ';');
	return 0;
}

static int stop_binary(void *payload, int ncols, const char *const *values, const int *lengths)
{
	(void)lengths;
	return stop_at_first(payload, ncols, values);
}

static int run_binary(fixture *f, const char *sql, const char *const *params, int n,
                      gw_binrow_cb cb, void *payload)
{
	gw_stmt s = {sql, strlen(sql), params, n};

	return f->conn->driver->exec_binary(f->conn, &s, cb, payload);
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

/* Each value in the server's binary form: integers big-endian, a
 * timestamptz in microseconds since 2000, text as its bytes; the same by
 * COPY and, with parameters (which COPY does not take, as an engine
 * without COPY), by a binary result. */
static void binary_gives_the_server_s_binary_values(void **state)
{
	static const char sql[] =
	        "SELECT a, b, c, d, e FROM (VALUES (42, -2::int8, 'h\xc3\xa9llo', "
	        "'2000-01-01 00:00:01Z'::timestamptz, NULL::text), (-1, 5000000000, '', "
	        "'infinity', E'tab\\there')) v (a, b, c, d, e) ORDER BY a DESC";
	static const char expect[] = "4:0000002a|8:fffffffffffffffe|6:68c3a96c6c6f|"
	                             "8:00000000000f4240|NULL;4:ffffffff|8:000000012a05f200|0:|"
	                             "8:7fffffffffffffff|8:7461620968657265;";
	const char *params[] = {"1"};
	fixture *f = *state;
	gw_str by_copy = GW_STR_INIT, by_result = GW_STR_INIT;
	gw_str sql_p = GW_STR_INIT;

	SKIP_WITHOUT_PG();
	assert_non_null(f->conn->driver->exec_binary);
	assert_int_equal(run_binary(f, sql, NULL, 0, collect_binary, &by_copy), 0);
	assert_string_equal(by_copy.ptr, expect);
	gw_str_printf(&sql_p, "%.*s WHERE $1::int = 1%s", (int)(strstr(sql, " ORDER") - sql), sql,
	              strstr(sql, " ORDER"));
	assert_int_equal(run_binary(f, sql_p.ptr, params, 1, collect_binary, &by_result), 0);
	assert_string_equal(by_result.ptr, expect);
	gw_str_clear(&by_copy);
	gw_str_clear(&by_result);
	/* More columns than the driver's arrays on the stack, both ways; no
	 * rows. */
	gw_str_clear(&sql_p);
	gw_str_puts(&sql_p, "SELECT g");
	for (int i = 1; i <= 33; i++)
		gw_str_printf(&sql_p, ", g + %d", i);
	gw_str_puts(&sql_p, " FROM generate_series(1, 2) g WHERE $1::int = 1");
	assert_int_equal(run_binary(f, sql_p.ptr, params, 1, collect_binary, &by_result), 0);
	sql_p.size -= strlen(" WHERE $1::int = 1");
	sql_p.ptr[sql_p.size] = '\0';
	assert_int_equal(run_binary(f, sql_p.ptr, NULL, 0, collect_binary, &by_copy), 0);
	assert_string_equal(by_copy.ptr, by_result.ptr);
	assert_non_null(strstr(by_copy.ptr, "4:00000022;")); /* 1 + 33 */
	gw_str_clear(&by_copy);
	assert_int_equal(run_binary(f, "SELECT 1 WHERE false", NULL, 0, collect_binary, &by_copy),
	                 0);
	assert_int_equal(by_copy.size, 0);
	gw_str_dispose(&by_copy);
	gw_str_dispose(&by_result);
	gw_str_dispose(&sql_p);
	assert_usable(f);
}

/* An error after rows, a query the server refuses, a callback that
 * stops: as exec_copy, and the session answers the next query. */
static void binary_reports_errors_and_stops(void **state)
{
	const char *params[] = {"3"};
	fixture *f = *state;
	gw_str out = GW_STR_INIT;
	int calls = 0;

	SKIP_WITHOUT_PG();
	assert_int_equal(run_binary(f, "SELECT 10 / (3 - g) FROM generate_series(1, 5) g", NULL, 0,
	                            collect_binary, &out),
	                 GW_ESQL);
	assert_string_equal(gw_ctx_error(f->ctx)->sqlstate, "22012");
	assert_string_equal(out.ptr, "4:00000005;4:0000000a;");
	gw_ctx_clear_error(f->ctx);
	assert_usable(f);
	assert_int_equal(run_binary(f, "SELECT 10 / ($1::int - g) FROM generate_series(1, 5) g",
	                            params, 1, collect_binary, &out),
	                 GW_ESQL);
	assert_string_equal(gw_ctx_error(f->ctx)->sqlstate, "22012");
	gw_ctx_clear_error(f->ctx);
	assert_usable(f);
	assert_int_equal(run_binary(f, "SELECT nope FROM pg_class", NULL, 0, collect_binary, &out),
	                 GW_ESQL);
	assert_string_equal(gw_ctx_error(f->ctx)->message, "column \"nope\" does not exist");
	assert_int_equal(f->conn->driver->last_error_position(f->conn), 8);
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(run_binary(f, "SELECT g FROM generate_series(1, 1000) g", NULL, 0,
	                            stop_binary, &calls),
	                 42);
	assert_int_equal(calls, 1);
	assert_int_equal(run_binary(f, "SELECT g FROM generate_series(1, $1::int) g", params, 1,
	                            stop_binary, &calls),
	                 42);
	assert_int_equal(calls, 2);
	gw_str_dispose(&out);
	assert_usable(f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(split_undoes_the_escapes),
	        cmocka_unit_test(split_refuses_a_row_of_other_columns),
	        cmocka_unit_test(binary_split_takes_a_row_apart),
	        cmocka_unit_test(binary_split_refuses_what_is_not_a_row),
	        cmocka_unit_test_setup_teardown(copy_gives_the_rows_of_the_query, pg_setup,
	                                        pg_teardown),
	        cmocka_unit_test_setup_teardown(copy_reports_an_error_after_rows, pg_setup,
	                                        pg_teardown),
	        cmocka_unit_test_setup_teardown(copy_stops_at_the_callback, pg_setup, pg_teardown),
	        cmocka_unit_test_setup_teardown(copy_reports_the_query_s_error, pg_setup,
	                                        pg_teardown),
	        cmocka_unit_test_setup_teardown(copy_with_parameters_runs_the_query, pg_setup,
	                                        pg_teardown),
	        cmocka_unit_test_setup_teardown(binary_gives_the_server_s_binary_values, pg_setup,
	                                        pg_teardown),
	        cmocka_unit_test_setup_teardown(binary_reports_errors_and_stops, pg_setup,
	                                        pg_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
