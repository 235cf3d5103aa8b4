/*
 * test_drivers.c: the SQLite and PostgreSQL drivers against real databases.
 *
 * SQLite runs on temp files under $GW_TEST_TMP (or /tmp). PostgreSQL runs
 * only when GODWIT_TEST_PG_URL names a scratch database (the tests create
 * and drop tables named gw_drv_*); without it those tests are skipped. The
 * bad-password test also needs GODWIT_TEST_PG_AUTH_URL: a URL of the form
 * scheme://user:wrongpassword@... that the server rejects.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "drivers/pgurl.h"
#include "drivers/registry.h"
#include "util/error.h"
#include "util/str.h"

#include "rows.h"

typedef struct fixture {
	gw_ctx *ctx;
	gw_conn *conn;
	char path[PATH_MAX];
	char url[PATH_MAX + 16];
} fixture;

static gw_stmt stmt_of(const char *sql)
{
	gw_stmt s = {sql, strlen(sql), NULL, 0};

	return s;
}

/* The rows of sql as collect() writes them; asserts that it succeeds. */
static char *query(gw_conn *conn, const char *sql)
{
	gw_stmt s = stmt_of(sql);
	gw_str out = GW_STR_INIT;
	int error = conn->driver->exec(conn, &s, collect, &out);

	if (error) {
		const gw_error *e = gw_ctx_error(conn->ctx);

		fail_msg("%s: %s", sql, e ? e->message : "(no message)");
	}
	return gw_str_detach(&out);
}

static void assert_query(gw_conn *conn, const char *sql, const char *expected)
{
	char *rows = query(conn, sql);

	assert_string_equal(rows, expected);
	free(rows);
}

static void exec_ok(gw_conn *conn, const char *sql)
{
	free(query(conn, sql));
}

/* ---- SQLite ---- */

static void make_temp_path(char *buf, size_t size)
{
	const char *dir = getenv("GW_TEST_TMP");
	int fd;

	if (!dir || !*dir)
		dir = "/tmp";
	mkdir(dir, 0700); /* ctest's directory may not exist yet */
	snprintf(buf, size, "%s/gw-drivers-XXXXXX", dir);
	fd = mkstemp(buf);
	assert_true(fd >= 0);
	close(fd);
}

static void remove_db_files(const char *path)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	char buf[PATH_MAX + 16];
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		snprintf(buf, sizeof(buf), "%s%s", path, suffixes[i]);
		unlink(buf);
	}
}

static int open_sqlite(gw_conn **out, const char *url, int busy_timeout_ms, gw_ctx *ctx)
{
	gw_conn_options opts = {NULL, busy_timeout_ms};

	return gw_driver_sqlite.open(out, url, &opts, ctx);
}

static int sqlite_setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	make_temp_path(f->path, sizeof(f->path));
	snprintf(f->url, sizeof(f->url), "sqlite:%s", f->path);
	assert_int_equal(open_sqlite(&f->conn, f->url, 0, f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	if (f->conn)
		f->conn->driver->close(f->conn);
	if (f->path[0])
		remove_db_files(f->path);
	gw_ctx_free(f->ctx);
	free(f);
	return 0;
}

static void sqlite_exec_returns_rows(void **state)
{
	fixture *f = *state;

	exec_ok(f->conn, "CREATE TABLE t(a int, b text);\n"
	                 "INSERT INTO t VALUES (1, 'x'), (2, NULL);\n-- trailing comment\n");
	assert_query(f->conn, "SELECT a, b FROM t ORDER BY a", "1|x;2|NULL;");
	assert_string_equal(f->conn->driver->server_version(f->conn), sqlite3_libversion());
}

static void sqlite_exec_stops_when_the_callback_asks(void **state)
{
	fixture *f = *state;
	gw_stmt s = stmt_of("SELECT 1 UNION ALL SELECT 2");
	int calls = 0;

	assert_int_equal(f->conn->driver->exec(f->conn, &s, stop_at_first, &calls), 42);
	assert_int_equal(calls, 1);
	assert_null(gw_ctx_error(f->ctx));
}

static void sqlite_binds_dollar_parameters_by_number(void **state)
{
	fixture *f = *state;
	const char *params[] = {"a", "b", NULL};
	gw_stmt s = {"SELECT $2 || '-' || $1, $1, $3 IS NULL", 0, params, 3};
	gw_str out = GW_STR_INIT;

	s.len = strlen(s.sql);
	assert_int_equal(f->conn->driver->exec(f->conn, &s, collect, &out), 0);
	assert_string_equal(out.ptr, "b-a|a|1;");
	gw_str_dispose(&out);
}

static void sqlite_exec_tx_commits(void **state)
{
	fixture *f = *state;
	const char *params[] = {"7", "seven"};
	gw_stmt stmts[] = {
	        stmt_of("CREATE TABLE t(id int, name text)"),
	        {"INSERT INTO t VALUES ($1, $2)", 0, params, 2},
	        stmt_of("INSERT INTO t VALUES (8, 'eight'); INSERT INTO t VALUES (9, 'nine')")};
	gw_exec_failure failure = {99, 99};

	stmts[1].len = strlen(stmts[1].sql);
	assert_int_equal(f->conn->driver->exec_tx(f->conn, stmts, 3, &failure), 0);
	assert_query(f->conn, "SELECT id, name FROM t ORDER BY id", "7|seven;8|eight;9|nine;");
}

static void assert_sqlite_failure(fixture *f, const char *bad, int position)
{
	gw_stmt stmts[] = {stmt_of("CREATE TABLE t1(id int)"), stmt_of(bad),
	                   stmt_of("CREATE TABLE t2(id int)")};
	gw_exec_failure failure = {99, 99};
	const gw_error *e;

	assert_int_equal(f->conn->driver->exec_tx(f->conn, stmts, 3, &failure), GW_ESQL);
	assert_int_equal(failure.index, 1);
	assert_int_equal(failure.position, position);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_int_equal(e->code, GW_ESQL);
	assert_non_null(strstr(e->message, "syntax error"));
	assert_string_equal(e->sqlstate, "42601");
	gw_ctx_clear_error(f->ctx);
	assert_query(f->conn, "SELECT count(*) FROM sqlite_master", "0;");
}

static void sqlite_exec_tx_failure_rolls_back_and_points_at_the_error(void **state)
{
	fixture *f = *state;

	/* "SELEC" starts at character 13 of the statement's own text. */
	assert_sqlite_failure(f, "SELECT 1;\n  SELEC 2", 13);
	/* Positions count characters, not bytes: 'é' is two bytes. */
	assert_sqlite_failure(f, "SELECT 'é';\n SELEC 2", 14);
	/* The connection is still usable, outside any transaction. */
	exec_ok(f->conn, "BEGIN IMMEDIATE; ROLLBACK");
}

static void sqlite_runtime_failure_points_at_its_statement(void **state)
{
	fixture *f = *state;
	gw_stmt stmts[] = {
	        stmt_of("CREATE TABLE u(id int PRIMARY KEY)"), stmt_of("INSERT INTO u VALUES (1)"),
	        stmt_of("INSERT INTO u VALUES (2);\n  -- again\n  INSERT INTO u VALUES (1)")};
	gw_exec_failure failure = {99, 99};
	const gw_error *e;

	assert_int_equal(f->conn->driver->exec_tx(f->conn, stmts, 3, &failure), GW_ESQL);
	assert_int_equal(failure.index, 2);
	/* The second INSERT begins after "INSERT ...(2);\n  -- again\n  ". */
	assert_int_equal(failure.position, 40);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_string_equal(e->sqlstate, "23505");
	assert_non_null(strstr(e->message, "UNIQUE"));
	gw_ctx_clear_error(f->ctx);
	assert_query(f->conn, "SELECT count(*) FROM sqlite_master WHERE name = 'u'", "0;");
}

static void sqlite_failing_commit_is_reported_after_the_last_statement(void **state)
{
	fixture *f = *state;
	gw_stmt stmts[] = {stmt_of("INSERT INTO child VALUES (1, 99)")};
	gw_exec_failure failure = {99, 99};
	const gw_error *e;

	exec_ok(f->conn, "PRAGMA foreign_keys = ON;"
	                 "CREATE TABLE parent(id int PRIMARY KEY);"
	                 "CREATE TABLE child(id int, pid int REFERENCES parent(id)"
	                 " DEFERRABLE INITIALLY DEFERRED)");
	assert_int_equal(f->conn->driver->exec_tx(f->conn, stmts, 1, &failure), GW_ESQL);
	assert_int_equal(failure.index, 1);
	assert_int_equal(failure.position, 0);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_string_equal(e->sqlstate, "23000");
	gw_ctx_clear_error(f->ctx);
	assert_query(f->conn, "SELECT count(*) FROM child", "0;");
}

static void sqlite_exec_reports_the_error_position(void **state)
{
	fixture *f = *state;
	gw_stmt s = stmt_of("SELECT 1;\n  SELEC 2");
	const gw_error *e;
	int position;

	assert_int_equal(f->conn->driver->exec(f->conn, &s, NULL, NULL), GW_ESQL);
	assert_int_equal(f->conn->driver->last_error_position(f->conn), 13);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_string_equal(e->sqlstate, "42601");
	gw_ctx_clear_error(f->ctx);
	/* Older SQLite names no token for a missing table: the statement's
	 * start stands in for it. */
	s = stmt_of("\n  SELECT * FROM nope");
	assert_int_equal(f->conn->driver->exec(f->conn, &s, NULL, NULL), GW_ESQL);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_string_equal(e->message, "no such table: nope");
	assert_string_equal(e->sqlstate, "42P01");
	position = f->conn->driver->last_error_position(f->conn);
	assert_true(position == 4 || position == 18);
}

static void sqlite_quotes_identifiers(void **state)
{
	fixture *f = *state;
	char *q = NULL;

	assert_int_equal(f->conn->driver->quote_ident(f->conn, "we\"ird name", &q), 0);
	assert_string_equal(q, "\"we\"\"ird name\"");
	free(q);
}

static void sqlite_second_writer_times_out_with_elock(void **state)
{
	fixture *f = *state;
	gw_stmt stmts[] = {stmt_of("CREATE TABLE x(a int)")};
	gw_exec_failure failure = {99, 99};
	gw_conn *other = NULL;
	gw_ctx *ctx2 = NULL;
	const gw_error *e;

	assert_int_equal(gw_ctx_new(&ctx2), 0);
	assert_int_equal(open_sqlite(&other, f->url, 50, ctx2), 0);
	exec_ok(f->conn, "BEGIN IMMEDIATE");
	assert_int_equal(other->driver->exec_tx(other, stmts, 1, &failure), GW_ELOCK);
	assert_int_equal(failure.index, 0);
	assert_int_equal(failure.position, 0);
	assert_non_null(e = gw_ctx_error(ctx2));
	assert_string_equal(e->message, "the database is locked by another writer");
	exec_ok(f->conn, "ROLLBACK");
	gw_ctx_clear_error(ctx2);
	assert_int_equal(other->driver->exec_tx(other, stmts, 1, &failure), 0);
	other->driver->close(other);
	gw_ctx_free(ctx2);
}

static void sqlite_open_errors_name_the_path(void **state)
{
	fixture *f = *state;
	gw_conn *conn = NULL;
	const gw_error *e;
	FILE *fp;

	/* A file is not a server: GW_EIO, never the GW_ECONNECT that is retried. */
	assert_int_equal(open_sqlite(&conn, "sqlite:/nonexistent-dir/x/db.sqlite", 0, f->ctx),
	                 GW_EIO);
	assert_null(conn);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_non_null(strstr(e->message, "/nonexistent-dir/x/db.sqlite"));
	gw_ctx_clear_error(f->ctx);

	f->conn->driver->close(f->conn);
	f->conn = NULL;
	assert_non_null(fp = fopen(f->path, "w"));
	fputs("this is not a database, just text that is long enough to fill a header page "
	      "of a real SQLite file, so that SQLite notices it is not one.",
	      fp);
	fclose(fp);
	assert_int_equal(open_sqlite(&conn, f->url, 0, f->ctx), GW_EIO);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_non_null(strstr(e->message, f->path));
	assert_non_null(strstr(e->message, "file is not a database"));
	gw_ctx_clear_error(f->ctx);

	assert_int_equal(open_sqlite(&conn, "sqlite:", 0, f->ctx), GW_EINVALID);
}

/* ---- registry ---- */

static void registry_finds_drivers_by_scheme(void **state)
{
	char buf[64];

	(void)state;
	assert_ptr_equal(gw_driver_for_url("postgres://u@h/db"), &gw_driver_postgres);
	assert_ptr_equal(gw_driver_for_url("PostgreSQL:///db?host=/tmp"), &gw_driver_postgres);
	assert_ptr_equal(gw_driver_for_url("sqlite:db/dev.sqlite3"), &gw_driver_sqlite);
	assert_ptr_equal(gw_driver_for_url("sqlite3:///var/db.sqlite"), &gw_driver_sqlite);
	assert_null(gw_driver_for_url("mysql://u@h/db"));
	assert_null(gw_driver_for_url("just-a-path.db"));
	assert_ptr_equal(gw_driver_for_url("host=/tmp dbname=app"), &gw_driver_postgres);
	assert_ptr_equal(gw_driver_for_url("  dbname = app"), &gw_driver_postgres);
	assert_ptr_equal(gw_drivers()[0], &gw_driver_postgres);
	assert_ptr_equal(gw_drivers()[1], &gw_driver_sqlite);
	assert_null(gw_drivers()[2]);
	assert_int_equal(strncmp(gw_driver_client_version(&gw_driver_postgres, buf, sizeof(buf)),
	                         "libpq 1", 7),
	                 0);
	assert_int_equal(strncmp(gw_driver_client_version(&gw_driver_sqlite, buf, sizeof(buf)),
	                         "SQLite 3.", 9),
	                 0);
}

/* ---- connection strings (libpq parses them; no server needed) ---- */

static void expect_pgurl_error(const char *url, const char *needle)
{
	gw_pgurl u = GW_PGURL_INIT;
	gw_ctx *ctx = NULL;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_pgurl_parse(&u, url, ctx), GW_EINVALID);
	assert_non_null(strstr(gw_ctx_error(ctx)->message, needle));
	assert_null(strstr(gw_ctx_error(ctx)->message, "secret"));
	assert_int_equal(u.n, 0);
	gw_ctx_free(ctx);
}

static void pgurl_reads_prisma_urls(void **state)
{
	gw_pgurl u = GW_PGURL_INIT;
	gw_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_pgurl_parse(&u,
	                                " POSTGRESQL://app:se%20cret@db.example:6543/shop?schema="
	                                "tenant&pgbouncer=true&connection_limit=1&pool_timeout=0&"
	                                "sslmode=require&sslaccept=strict&application_name=x ",
	                                ctx),
	                 0);
	assert_string_equal(gw_pgurl_get(&u, "host"), "db.example");
	assert_string_equal(gw_pgurl_get(&u, "port"), "6543");
	assert_string_equal(gw_pgurl_get(&u, "dbname"), "shop");
	assert_string_equal(gw_pgurl_get(&u, "user"), "app");
	assert_string_equal(gw_pgurl_get(&u, "password"), "se cret");
	assert_string_equal(gw_pgurl_get(&u, "sslmode"), "verify-full");
	assert_string_equal(gw_pgurl_get(&u, "application_name"), "x");
	assert_null(gw_pgurl_get(&u, "connection_limit"));
	assert_string_equal(u.schema, "tenant");
	assert_int_equal(u.pgbouncer, 1);
	gw_pgurl_dispose(&u);
	gw_ctx_free(ctx);
}

static void pgurl_formats_what_it_parses(void **state)
{
	gw_pgurl u = GW_PGURL_INIT, v = GW_PGURL_INIT;
	gw_str url = GW_STR_INIT, info = GW_STR_INIT, password = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	size_t i;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_pgurl_parse(&u,
	                                "host=/run/pg dbname='my db' user=o\\'k "
	                                "password='a&b=c d\\'e' options='-c x=1'",
	                                ctx),
	                 0);
	assert_string_equal(gw_pgurl_get(&u, "dbname"), "my db");
	assert_string_equal(gw_pgurl_get(&u, "user"), "o'k");
	assert_int_equal(gw_pgurl_set(&u, "dbname", "other"), 0);
	assert_int_equal(gw_pgurl_set(&u, "options", NULL), 0);
	assert_null(gw_pgurl_get(&u, "options"));
	u.schema = strdup("s p");
	/* The URL form keeps everything, Prisma's schema included. */
	assert_int_equal(gw_pgurl_format(&url, &u), 0);
	assert_int_equal(gw_pgurl_parse(&v, url.ptr, ctx), 0);
	assert_int_equal(v.n, u.n);
	for (i = 0; i < u.n; i++)
		assert_string_equal(gw_pgurl_get(&v, u.keys[i]), u.values[i]);
	assert_string_equal(v.schema, "s p");
	/* The key/value form leaves the password out, for pg_dump. */
	assert_int_equal(gw_pgurl_conninfo(&info, &password, &u), 0);
	assert_string_equal(password.ptr, "a&b=c d'e");
	assert_null(strstr(info.ptr, "password"));
	assert_non_null(strstr(info.ptr, "user='o\\'k'"));
	assert_non_null(strstr(info.ptr, "dbname='other'"));
	gw_pgurl_dispose(&u);
	gw_pgurl_dispose(&v);
	gw_str_dispose(&url);
	gw_str_dispose(&info);
	gw_str_dispose(&password);
	gw_ctx_free(ctx);
}

/* Empty pairs (&&) are skipped; pgbouncer=true and the schema survive a
 * round trip through the URL form. */
static void pgurl_skips_empty_pairs_and_formats_pgbouncer(void **state)
{
	gw_pgurl u = GW_PGURL_INIT;
	gw_str url = GW_STR_INIT;
	gw_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_pgurl_parse(&u, "postgres://u@h/db?&&pgbouncer=true&&schema=s&", ctx),
	                 0);
	assert_int_equal(u.pgbouncer, 1);
	assert_string_equal(u.schema, "s");
	assert_int_equal(gw_pgurl_format(&url, &u), 0);
	assert_string_equal(url.ptr,
	                    "postgresql://?user=u&dbname=db&host=h&schema=s&pgbouncer=true");
	gw_pgurl_dispose(&u);
	gw_str_dispose(&url);
	gw_ctx_free(ctx);
}

static void pgurl_refuses_without_showing_the_password(void **state)
{
	(void)state;
	expect_pgurl_error("postgres://u:secret@h/db?schema=",
	                   "schema= in the database URL postgres://u:****@h/db?schema= needs a "
	                   "schema name");
	expect_pgurl_error(
	        "postgres://u:secret@h/db?sslaccept=lenient",
	        "sslaccept= in the database URL postgres://u:****@h/db?sslaccept=lenient "
	        "must be strict or accept_invalid_certs, not 'lenient'");
	expect_pgurl_error("postgres://u:secret@h/db?nosuch=1", "unknown parameter 'nosuch'");
	expect_pgurl_error("postgres://u:secret@h/db?oops", "has no '=' and value");
	expect_pgurl_error("postgres://u:secret@[::1/db", "u:****@[::1/db");
	expect_pgurl_error("postgres:/u:secret@h/db", "must be followed by '//'");
	expect_pgurl_error("mysql://u:secret@h/db", "unsupported database URL");
	expect_pgurl_error("postgres://u:secret@h/db?pgbouncer=1", "must be true or false");
	expect_pgurl_error("postgres://u:secret@h/db?sslidentity=a.p12", "PKCS#12");
	expect_pgurl_error("host=h password=secret bogus", "a word without '='");
	expect_pgurl_error("dbname=postgres://u:secret@h/db", "itself a connection string");
}

/* ---- PostgreSQL ---- */

static const char *pg_url(void)
{
	const char *url = getenv("GODWIT_TEST_PG_URL");

	return url && *url ? url : NULL;
}

static gw_conn *open_pg(gw_ctx *ctx)
{
	gw_conn *conn = NULL;

	if (gw_driver_postgres.open(&conn, pg_url(), NULL, ctx) < 0)
		fail_msg("cannot connect: %s", gw_ctx_error(ctx)->message);
	return conn;
}

static int pg_setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	*state = f;
	if (pg_url())
		f->conn = open_pg(f->ctx);
	return 0;
}

#define SKIP_WITHOUT_PG()                                                                          \
	do {                                                                                       \
		if (!pg_url())                                                                     \
			skip();                                                                    \
	} while (0)

static void pg_exec_with_parameters(void **state)
{
	fixture *f = *state;
	const char *params[] = {"41", NULL};
	gw_stmt s = {"SELECT $1::int + 1, $2::text IS NULL, NULL::text", 0, params, 2};
	gw_str out = GW_STR_INIT;

	SKIP_WITHOUT_PG();
	s.len = strlen(s.sql);
	assert_int_equal(f->conn->driver->exec(f->conn, &s, collect, &out), 0);
	assert_string_equal(out.ptr, "42|t|NULL;");
	gw_str_dispose(&out);
	/* The text need not be NUL-terminated. */
	s = stmt_of("SELECT 1; garbage");
	s.len = 8;
	assert_int_equal(f->conn->driver->exec(f->conn, &s, collect, &out), 0);
	assert_string_equal(out.ptr, "1;");
	gw_str_dispose(&out);
	assert_non_null(strchr(f->conn->driver->server_version(f->conn), '.'));
	assert_null(strchr(f->conn->driver->server_version(f->conn), ' '));
}

static void pg_url_parameters_override_the_defaults(void **state)
{
	fixture *f = *state;
	gw_conn_options opts = {"gw-test", 0};
	gw_str url = GW_STR_INIT;
	gw_conn *conn = NULL;

	SKIP_WITHOUT_PG();
	assert_int_equal(gw_driver_postgres.open(&conn, pg_url(), &opts, f->ctx), 0);
	assert_query(conn, "SELECT current_setting('application_name')", "gw-test;");
	assert_query(conn, "SELECT current_setting('client_encoding')", "UTF8;");
	conn->driver->close(conn);

	gw_str_printf(&url, "%s%sapplication_name=mine&client_encoding=LATIN1", pg_url(),
	              strchr(pg_url(), '?') ? "&" : "?");
	assert_int_equal(gw_driver_postgres.open(&conn, url.ptr, &opts, f->ctx), 0);
	assert_query(conn, "SELECT current_setting('application_name')", "mine;");
	assert_query(conn, "SELECT current_setting('client_encoding')", "LATIN1;");
	conn->driver->close(conn);
	gw_str_dispose(&url);
}

static void pg_exec_error_carries_sqlstate(void **state)
{
	fixture *f = *state;
	gw_stmt s = stmt_of("SELECT * FROM gw_drv_missing");
	const gw_error *e;

	SKIP_WITHOUT_PG();
	assert_int_equal(f->conn->driver->exec(f->conn, &s, NULL, NULL), GW_ESQL);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_string_equal(e->message, "relation \"gw_drv_missing\" does not exist");
	assert_string_equal(e->sqlstate, "42P01");
	assert_int_equal(f->conn->driver->last_error_position(f->conn), 15);
	gw_ctx_clear_error(f->ctx);
	exec_ok(f->conn, "SELECT 1");
	assert_int_equal(f->conn->driver->last_error_position(f->conn), 0);
}

static gw_query query_of(const char *sql, gw_row_cb cb, void *payload)
{
	gw_query q = {stmt_of(sql), cb, payload};

	return q;
}

static void pg_pipeline_hands_each_query_its_rows(void **state)
{
	fixture *f = *state;
	gw_str a = GW_STR_INIT, b = GW_STR_INIT, c = GW_STR_INIT;
	const char *params[] = {"7"};
	gw_query qs[3];

	SKIP_WITHOUT_PG();
	qs[0] = query_of("SELECT 1, NULL::text UNION ALL SELECT 2, 'x'", collect, &a);
	qs[1] = query_of("SELECT $1::int * 6", collect, &b);
	qs[1].stmt.params = params;
	qs[1].stmt.nparams = 1;
	qs[2] = query_of("SELECT 'last' WHERE false", collect, &c);
	assert_int_equal(f->conn->driver->exec_pipeline(f->conn, qs, 3), 0);
	assert_string_equal(a.ptr, "1|NULL;2|x;");
	assert_string_equal(b.ptr, "42;");
	assert_int_equal(c.size, 0);
	gw_str_dispose(&a);
	gw_str_dispose(&b);
	/* No query at all is no error either. */
	assert_int_equal(f->conn->driver->exec_pipeline(f->conn, qs, 0), 0);
	assert_null(gw_ctx_error(f->ctx));
}

/* A failed query ends the delivery with the server's error, the queries
 * after it are not run, and the session is usable afterwards. */
static void pg_pipeline_failure_stops_and_leaves_the_session_usable(void **state)
{
	fixture *f = *state;
	gw_str a = GW_STR_INIT, c = GW_STR_INIT;
	const gw_error *e;
	gw_query qs[3];
	int calls = 0;

	SKIP_WITHOUT_PG();
	qs[0] = query_of("SELECT 1", collect, &a);
	qs[1] = query_of("SELECT 1 / 0", collect, &c);
	qs[2] = query_of("SELECT 3", collect, &c);
	assert_int_equal(f->conn->driver->exec_pipeline(f->conn, qs, 3), GW_ESQL);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_string_equal(e->message, "division by zero");
	assert_string_equal(e->sqlstate, "22012");
	assert_string_equal(a.ptr, "1;");
	assert_int_equal(c.size, 0);
	gw_ctx_clear_error(f->ctx);
	assert_query(f->conn, "SELECT 'still here'", "still here;");

	/* A callback's non-zero return stops the delivery and is returned; the
	 * rest is still read off the connection. */
	qs[0] = query_of("SELECT generate_series(1, 3)", stop_at_first, &calls);
	qs[1] = query_of("SELECT 2", collect, &c);
	assert_int_equal(f->conn->driver->exec_pipeline(f->conn, qs, 2), 42);
	assert_int_equal(calls, 1);
	assert_int_equal(c.size, 0);
	assert_query(f->conn, "SELECT 'and here'", "and here;");
	gw_str_dispose(&a);
}

static void remember_notice(const gw_notice *n, void *payload)
{
	if (n->kind == GW_NOTICE_SERVER)
		gw_str_puts(payload, n->message);
}

static void pg_server_notices_reach_the_callback(void **state)
{
	fixture *f = *state;
	gw_str seen = GW_STR_INIT;

	SKIP_WITHOUT_PG();
	gw_ctx_set_notice_cb(f->ctx, remember_notice, &seen);
	exec_ok(f->conn, "DO $$BEGIN RAISE NOTICE 'hello from the server'; END$$");
	assert_string_equal(seen.ptr, "NOTICE: hello from the server");
	gw_ctx_set_notice_cb(f->ctx, NULL, NULL);
	gw_str_dispose(&seen);
}

static void pg_exec_tx_commits(void **state)
{
	fixture *f = *state;
	const char *params[] = {"7"};
	gw_stmt stmts[] = {stmt_of("CREATE TABLE gw_drv_ok(id int)"),
	                   {"INSERT INTO gw_drv_ok VALUES ($1)", 0, params, 1},
	                   stmt_of("INSERT INTO gw_drv_ok VALUES (8)")};
	gw_exec_failure failure = {99, 99};

	SKIP_WITHOUT_PG();
	stmts[1].len = strlen(stmts[1].sql);
	exec_ok(f->conn, "DROP TABLE IF EXISTS gw_drv_ok");
	assert_int_equal(f->conn->driver->exec_tx(f->conn, stmts, 3, &failure), 0);
	assert_query(f->conn, "SELECT id FROM gw_drv_ok ORDER BY id", "7;8;");
	exec_ok(f->conn, "DROP TABLE gw_drv_ok");
}

static void pg_exec_tx_failure_rolls_back_and_points_at_the_error(void **state)
{
	fixture *f = *state;
	gw_stmt stmts[] = {stmt_of("CREATE TABLE gw_drv_t1(id int)"),
	                   stmt_of("INSERT INTO nope VALUES (1)"),
	                   stmt_of("CREATE TABLE gw_drv_t2(id int)")};
	gw_exec_failure failure = {99, 99};
	const gw_error *e;

	SKIP_WITHOUT_PG();
	exec_ok(f->conn, "DROP TABLE IF EXISTS gw_drv_t1, gw_drv_t2");
	assert_int_equal(f->conn->driver->exec_tx(f->conn, stmts, 3, &failure), GW_ESQL);
	assert_int_equal(failure.index, 1);
	assert_int_equal(failure.position, 13);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_string_equal(e->message, "relation \"nope\" does not exist");
	assert_string_equal(e->sqlstate, "42P01");
	gw_ctx_clear_error(f->ctx);
	/* Nothing of the batch remains and the session is usable. */
	assert_query(f->conn,
	             "SELECT to_regclass('gw_drv_t1') IS NULL, to_regclass('gw_drv_t2') IS NULL",
	             "t|t;");
	assert_query(f->conn, "SELECT 1", "1;");
}

static void pg_failing_commit_is_reported_after_the_last_statement(void **state)
{
	fixture *f = *state;
	gw_stmt stmts[] = {stmt_of("INSERT INTO gw_drv_child VALUES (1)"),
	                   stmt_of("INSERT INTO gw_drv_child VALUES (99)")};
	gw_exec_failure failure = {99, 99};
	const gw_error *e;

	SKIP_WITHOUT_PG();
	exec_ok(f->conn, "DROP TABLE IF EXISTS gw_drv_child, gw_drv_parent");
	exec_ok(f->conn, "CREATE TABLE gw_drv_parent(id int PRIMARY KEY)");
	exec_ok(f->conn, "CREATE TABLE gw_drv_child(pid int REFERENCES gw_drv_parent"
	                 " DEFERRABLE INITIALLY DEFERRED)");
	exec_ok(f->conn, "INSERT INTO gw_drv_parent VALUES (1)");
	assert_int_equal(f->conn->driver->exec_tx(f->conn, stmts, 2, &failure), GW_ESQL);
	assert_int_equal(failure.index, 2);
	assert_int_equal(failure.position, 0);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_string_equal(e->sqlstate, "23503");
	gw_ctx_clear_error(f->ctx);
	assert_query(f->conn, "SELECT count(*) FROM gw_drv_child", "0;");
	exec_ok(f->conn, "DROP TABLE gw_drv_child, gw_drv_parent");
}

static void sleep_ms(long ms)
{
	struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};

	nanosleep(&ts, NULL);
}

static void check_advisory_lock(fixture *f, int64_t key)
{
	gw_ctx *ctx2 = NULL;
	gw_conn *other = NULL;
	char *holder = NULL, *pid = NULL;
	char expected[64];
	int acquired = -1, tries;

	assert_int_equal(gw_ctx_new(&ctx2), 0);
	other = open_pg(ctx2);
	assert_int_equal(f->conn->driver->try_lock(f->conn, key, &acquired), 0);
	assert_int_equal(acquired, 1);
	assert_int_equal(other->driver->try_lock(other, key, &acquired), 0);
	assert_int_equal(acquired, 0);

	pid = query(f->conn, "SELECT pg_backend_pid()");
	pid[strlen(pid) - 1] = '\0'; /* the ';' collect() added */
	snprintf(expected, sizeof(expected), "pid %s (application \"godwit\", user \"", pid);
	assert_int_equal(other->driver->lock_holder(other, key, &holder), 0);
	assert_non_null(holder);
	assert_int_equal(strncmp(holder, expected, strlen(expected)), 0);
	assert_non_null(strstr(holder, "connected since "));
	assert_non_null(strstr(holder, "state \"idle\")"));
	free(holder);
	/* Its own lock is not "held by someone else". */
	assert_int_equal(f->conn->driver->lock_holder(f->conn, key, &holder), 0);
	assert_null(holder);

	f->conn->driver->close(f->conn);
	f->conn = NULL;
	/* The server ends the closed session asynchronously. */
	for (tries = 0; tries < 100 && acquired != 1; tries++) {
		sleep_ms(50);
		assert_int_equal(other->driver->try_lock(other, key, &acquired), 0);
	}
	assert_int_equal(acquired, 1);
	assert_int_equal(other->driver->unlock(other, key), 0);
	assert_int_equal(other->driver->unlock(other, key), GW_ELOCK);
	other->driver->close(other);
	gw_ctx_free(ctx2);
	free(pid);
}

static void pg_advisory_lock_excludes_and_names_the_holder(void **state)
{
	fixture *f = *state;

	SKIP_WITHOUT_PG();
	check_advisory_lock(f, INT64_C(0x7edcba9876543210));
	f->conn = open_pg(f->ctx);
	/* Both halves with the high bit set: classid/objid are unsigned. */
	check_advisory_lock(f, INT64_C(-2));
}

static void pg_copy_does_not_wedge_the_session(void **state)
{
	fixture *f = *state;
	gw_stmt s = stmt_of("CREATE TEMP TABLE gw_drv_copy(a int); COPY gw_drv_copy FROM STDIN");
	const gw_error *e;

	SKIP_WITHOUT_PG();
	assert_int_equal(f->conn->driver->exec(f->conn, &s, NULL, NULL), GW_ESQL);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_non_null(strstr(e->message, "COPY FROM STDIN"));
	gw_ctx_clear_error(f->ctx);
	exec_ok(f->conn, "COPY (SELECT 1) TO STDOUT");
	assert_query(f->conn, "SELECT 2", "2;");
}

static void pg_quotes_identifiers(void **state)
{
	fixture *f = *state;
	char *q = NULL;

	SKIP_WITHOUT_PG();
	assert_int_equal(f->conn->driver->quote_ident(f->conn, "we\"ird Name", &q), 0);
	assert_string_equal(q, "\"we\"\"ird Name\"");
	free(q);
}

static void pg_lost_connection_is_econnect(void **state)
{
	fixture *f = *state;
	gw_stmt stmts[] = {stmt_of("SELECT 1")};
	gw_exec_failure failure;
	gw_ctx *ctx2 = NULL;
	gw_conn *killer;
	char *pid, sql[96];
	const gw_error *e;

	SKIP_WITHOUT_PG();
	assert_int_equal(gw_ctx_new(&ctx2), 0);
	killer = open_pg(ctx2);
	pid = query(f->conn, "SELECT pg_backend_pid()");
	pid[strlen(pid) - 1] = '\0';
	snprintf(sql, sizeof(sql), "SELECT pg_terminate_backend(%s, 5000)", pid);
	assert_query(killer, sql, "t;");
	assert_int_equal(f->conn->driver->exec_tx(f->conn, stmts, 1, &failure), GW_ECONNECT);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_int_equal(strncmp(e->message, "lost the connection to the server: ", 35), 0);
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(f->conn->driver->exec(f->conn, stmts, NULL, NULL), GW_ECONNECT);
	killer->driver->close(killer);
	gw_ctx_free(ctx2);
	free(pid);
}

static void pg_unreachable_server_is_econnect_without_password(void **state)
{
	static const char prefix[] = "cannot connect to postgresql://gw:****@127.0.0.1:1/db: ";
	fixture *f = *state;
	gw_conn *conn = NULL;
	const gw_error *e;

	assert_int_equal(gw_driver_postgres.open(&conn, "postgresql://gw:s3cr3tpw@127.0.0.1:1/db",
	                                         NULL, f->ctx),
	                 GW_ECONNECT);
	assert_null(conn);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_int_equal(strncmp(e->message, prefix, strlen(prefix)), 0);
	assert_null(strstr(e->message, "s3cr3tpw"));
	assert_null(strchr(e->message, '\n'));
}

/* The password of scheme://user:password@host... */
static char *url_password(const char *url)
{
	const char *auth = strstr(url, "://");
	const char *at, *colon;

	if (!auth)
		return NULL;
	auth += 3;
	at = strrchr(auth, '@');
	colon = at ? memchr(auth, ':', (size_t)(at - auth)) : NULL;
	return colon ? gw_strndup(colon + 1, (size_t)(at - colon - 1)) : NULL;
}

static void pg_wrong_password_is_eauth_without_password(void **state)
{
	fixture *f = *state;
	const char *url = getenv("GODWIT_TEST_PG_AUTH_URL");
	gw_conn *conn = NULL;
	char *password;
	const gw_error *e;

	if (!url || !*url)
		skip();
	assert_non_null(password = url_password(url));
	assert_int_equal(gw_driver_postgres.open(&conn, url, NULL, f->ctx), GW_EAUTH);
	assert_non_null(e = gw_ctx_error(f->ctx));
	assert_non_null(strstr(e->message, "password authentication failed"));
	assert_non_null(strstr(e->message, ":****@"));
	assert_null(strstr(e->message, password));
	free(password);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(sqlite_exec_returns_rows, sqlite_setup, teardown),
	        cmocka_unit_test_setup_teardown(sqlite_exec_stops_when_the_callback_asks,
	                                        sqlite_setup, teardown),
	        cmocka_unit_test_setup_teardown(sqlite_binds_dollar_parameters_by_number,
	                                        sqlite_setup, teardown),
	        cmocka_unit_test_setup_teardown(sqlite_exec_tx_commits, sqlite_setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                sqlite_exec_tx_failure_rolls_back_and_points_at_the_error, sqlite_setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(sqlite_runtime_failure_points_at_its_statement,
	                                        sqlite_setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                sqlite_failing_commit_is_reported_after_the_last_statement, sqlite_setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(sqlite_exec_reports_the_error_position,
	                                        sqlite_setup, teardown),
	        cmocka_unit_test_setup_teardown(sqlite_quotes_identifiers, sqlite_setup, teardown),
	        cmocka_unit_test_setup_teardown(sqlite_second_writer_times_out_with_elock,
	                                        sqlite_setup, teardown),
	        cmocka_unit_test_setup_teardown(sqlite_open_errors_name_the_path, sqlite_setup,
	                                        teardown),
	        cmocka_unit_test(registry_finds_drivers_by_scheme),
	        cmocka_unit_test(pgurl_reads_prisma_urls),
	        cmocka_unit_test(pgurl_formats_what_it_parses),
	        cmocka_unit_test(pgurl_skips_empty_pairs_and_formats_pgbouncer),
	        cmocka_unit_test(pgurl_refuses_without_showing_the_password),
	        cmocka_unit_test_setup_teardown(pg_exec_with_parameters, pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(pg_url_parameters_override_the_defaults, pg_setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(pg_exec_error_carries_sqlstate, pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(pg_pipeline_hands_each_query_its_rows, pg_setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(
	                pg_pipeline_failure_stops_and_leaves_the_session_usable, pg_setup,
	                teardown),
	        cmocka_unit_test_setup_teardown(pg_server_notices_reach_the_callback, pg_setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(pg_exec_tx_commits, pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                pg_exec_tx_failure_rolls_back_and_points_at_the_error, pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                pg_failing_commit_is_reported_after_the_last_statement, pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(pg_advisory_lock_excludes_and_names_the_holder,
	                                        pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(pg_copy_does_not_wedge_the_session, pg_setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(pg_quotes_identifiers, pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(pg_lost_connection_is_econnect, pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(pg_unreachable_server_is_econnect_without_password,
	                                        pg_setup, teardown),
	        cmocka_unit_test_setup_teardown(pg_wrong_password_is_eauth_without_password,
	                                        pg_setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
