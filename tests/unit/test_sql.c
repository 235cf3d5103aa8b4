/*
 * test_sql.c: splitting SQL into statements and telling how each must run
 * (src/lib/sql/split.c, src/lib/sql/pgquery.c).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/sql/sql.h"
#include "util/error.h"

typedef struct fixture {
	gw_ctx *ctx;
	gw_sql_list list;
} fixture;

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	gw_sql_list_dispose(&f->list);
	gw_ctx_free(f->ctx);
	free(f);
	return 0;
}

static void split_ok(fixture *f, gw_dialect dialect, const char *text)
{
	size_t at = 0;
	int error;

	gw_sql_list_dispose(&f->list);
	error = gw_sql_split(&f->list, dialect, text, strlen(text), &at, f->ctx);
	if (error < 0)
		fail_msg("split: %s at %zu", gw_ctx_error(f->ctx)->message, at);
}

/* Statement i is exactly `want`, and sits where it is in text. */
static void assert_stmt(fixture *f, const char *text, size_t i, const char *want, gw_stmt_kind kind)
{
	const gw_sql_stmt *s;

	assert_true(i < f->list.count);
	s = &f->list.items[i];
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(text + s->offset, want, s->len);
	assert_int_equal(s->kind, kind);
}

/* ---- PostgreSQL ------------------------------------------------------------ */

static void test_pg_split(void **state)
{
	fixture *f = *state;
	const char *text = "-- create the tables\n"
	                   "CREATE TABLE a (id int, note text DEFAULT 'x;y') ;\n"
	                   "/* a ; block comment */\n"
	                   "CREATE FUNCTION f() RETURNS int AS $$\n"
	                   "BEGIN\n"
	                   "  RETURN 1;\n"
	                   "END;\n"
	                   "$$ LANGUAGE plpgsql;\n"
	                   ";;\n"
	                   "  INSERT INTO a VALUES (1, E'it''s; here')\n"
	                   "-- trailing comment\n";

	split_ok(f, GW_DIALECT_POSTGRES, text);
	assert_int_equal(f->list.count, 3);
	assert_stmt(f, text, 0, "CREATE TABLE a (id int, note text DEFAULT 'x;y')", GW_STMT_PLAIN);
	assert_int_equal(f->list.items[0].offset, strlen("-- create the tables\n"));
	assert_stmt(f, text, 1,
	            "CREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE "
	            "plpgsql",
	            GW_STMT_PLAIN);
	assert_int_equal(f->list.items[1].offset, (size_t)(strstr(text, "CREATE FUNCTION") - text));
	/* The last statement has no ';': it runs to the end of the text, and
	 * only trailing blanks are trimmed. */
	assert_int_equal(f->list.items[2].offset, (size_t)(strstr(text, "INSERT") - text));
	assert_true(!strncmp(text + f->list.items[2].offset,
	                     "INSERT INTO a VALUES (1, E'it''s; here')", 40));
}

static void test_pg_not_nul_terminated(void **state)
{
	fixture *f = *state;
	const char *text = "SELECT 1; SELECT 2";
	size_t at = 0;

	assert_int_equal(gw_sql_split(&f->list, GW_DIALECT_POSTGRES, text, 9, &at, f->ctx), 0);
	assert_int_equal(f->list.count, 1);
	assert_stmt(f, text, 0, "SELECT 1", GW_STMT_PLAIN);
}

static void test_pg_only_comments(void **state)
{
	fixture *f = *state;

	split_ok(f, GW_DIALECT_POSTGRES, "-- nothing\n/* at all */\n");
	assert_int_equal(f->list.count, 0);
	split_ok(f, GW_DIALECT_POSTGRES, "");
	assert_int_equal(f->list.count, 0);
}

static void test_pg_kinds(void **state)
{
	fixture *f = *state;
	const char *text = "BEGIN;\n"
	                   "CREATE TABLE t (id int);\n"
	                   "CREATE INDEX CONCURRENTLY i ON t (id);\n"
	                   "COMMIT;\n"
	                   "VACUUM t;\n"
	                   "ALTER SYSTEM SET work_mem = '4MB';\n"
	                   "ANALYZE t;\n"
	                   "CREATE INDEX j ON t (id);\n"
	                   "REINDEX INDEX CONCURRENTLY i;\n"
	                   "DROP INDEX CONCURRENTLY i;\n"
	                   "ALTER TABLE p DETACH PARTITION c CONCURRENTLY;\n"
	                   "CREATE DATABASE d;\n"
	                   "START TRANSACTION;\n"
	                   "ROLLBACK;\n"
	                   "ALTER TYPE e ADD VALUE 'x';\n"
	                   "REINDEX (CONCURRENTLY false) INDEX i;\n"
	                   "DROP INDEX i;\n"
	                   "create index concurrently k on t (id);\n"
	                   "CREATE /* where */ DATABASE e;\n"
	                   "CREATE TABLE concurrently_log (id int);\n"
	                   "SELECT 'vacuum';\n"
	                   "REINDEX TABLE t;\n"
	                   "REINDEX SCHEMA s;\n";
	static const gw_stmt_kind want[] = {
	        GW_STMT_TRANSACTION, GW_STMT_PLAIN,       GW_STMT_NO_TX, GW_STMT_TRANSACTION,
	        GW_STMT_NO_TX,       GW_STMT_NO_TX,       GW_STMT_PLAIN, GW_STMT_PLAIN,
	        GW_STMT_NO_TX,       GW_STMT_NO_TX,       GW_STMT_NO_TX, GW_STMT_NO_TX,
	        GW_STMT_TRANSACTION, GW_STMT_TRANSACTION, GW_STMT_PLAIN, GW_STMT_PLAIN,
	        GW_STMT_PLAIN,       GW_STMT_NO_TX,       GW_STMT_NO_TX, GW_STMT_PLAIN,
	        GW_STMT_PLAIN,       GW_STMT_PLAIN,       GW_STMT_NO_TX,
	};
	size_t i;

	split_ok(f, GW_DIALECT_POSTGRES, text);
	assert_int_equal(f->list.count, sizeof(want) / sizeof(want[0]));
	for (i = 0; i < f->list.count; i++) {
		if (f->list.items[i].kind != want[i])
			fail_msg("statement %zu (%.*s): kind %d, want %d", i,
			         (int)f->list.items[i].len, text + f->list.items[i].offset,
			         (int)f->list.items[i].kind, (int)want[i]);
	}
	assert_stmt(f, text, 0, "BEGIN", GW_STMT_TRANSACTION);
	assert_stmt(f, text, 2, "CREATE INDEX CONCURRENTLY i ON t (id)", GW_STMT_NO_TX);
	/* status only parses a migration whose words allow such a statement. */
	for (i = 0; i < f->list.count; i++)
		if (want[i] == GW_STMT_NO_TX)
			assert_true(gw_sql_may_need_no_tx(text + f->list.items[i].offset,
			                                  f->list.items[i].len));
	assert_false(gw_sql_may_need_no_tx("CREATE INDEX j ON t (id);", 25));
	assert_false(gw_sql_may_need_no_tx("CREATE TABLE xvacuum (id int);", 30));
	assert_true(gw_sql_may_need_no_tx("PRAGMA foreign_keys = OFF;", 26));
	/* A word is a keyword whole, in any case: not one that starts or
	 * ends like one, nor one cut short. */
	assert_false(gw_sql_may_need_no_tx("CREATE TABLE vacuu (id int);", 28));
	assert_false(gw_sql_may_need_no_tx("CREATE TABLE vacuums (id int);", 30));
	assert_false(gw_sql_may_need_no_tx("CREATE TABLE reindexed (id int);", 32));
	assert_false(gw_sql_may_need_no_tx("SELECT concurrentl, databases;", 30));
	assert_true(gw_sql_may_need_no_tx("reindex table t;", 16));
	assert_true(gw_sql_may_need_no_tx("SELECT 1; Vacuum", 16));
	assert_false(gw_sql_may_need_no_tx("SELECT 1; Vacuu", 15));
	/* Each keyword, as written and in lower case (the words are
	 * passed over on their length and first letter first). */
	{
		static const char *const kws[] = {
		        "CONCURRENTLY", "REINDEX",    "VACUUM",       "CLUSTER", "DATABASE",
		        "SYSTEM",       "TABLESPACE", "SUBSCRIPTION", "PRAGMA",
		};
		char sql[64];
		size_t k, j;

		for (k = 0; k < sizeof(kws) / sizeof(kws[0]); k++) {
			snprintf(sql, sizeof(sql), "SELECT 1; %s x;", kws[k]);
			assert_true(gw_sql_may_need_no_tx(sql, strlen(sql)));
			for (j = 10; sql[j] != ' '; j++)
				sql[j] = (char)(sql[j] - 'A' + 'a');
			assert_true(gw_sql_may_need_no_tx(sql, strlen(sql)));
			/* One letter short of it. */
			snprintf(sql, sizeof(sql), "SELECT 1; %.*s x;", (int)strlen(kws[k]) - 1,
			         kws[k]);
			assert_false(gw_sql_may_need_no_tx(sql, strlen(sql)));
		}
	}
}

static void test_pg_syntax_error(void **state)
{
	fixture *f = *state;
	/* The multibyte é makes characters and bytes differ before the error. */
	const char *text = "-- café ☕\nCREATE TABLE a (id int);\nSELEC 1;\n";
	size_t at = 0;
	const gw_error *err;

	assert_int_equal(
	        gw_sql_split(&f->list, GW_DIALECT_POSTGRES, text, strlen(text), &at, f->ctx),
	        GW_ESYNTAX);
	err = gw_ctx_error(f->ctx);
	assert_string_equal(err->message, "syntax error at or near \"SELEC\"");
	assert_int_equal(at, (size_t)(strstr(text, "SELEC") - text));
	assert_int_equal(f->list.count, 0);
	assert_null(f->list.items);
}

static void test_pg_unterminated(void **state)
{
	fixture *f = *state;
	const char *text = "SELECT 1;\nSELECT 'oops;\n";
	size_t at = 0;

	assert_int_equal(
	        gw_sql_split(&f->list, GW_DIALECT_POSTGRES, text, strlen(text), &at, f->ctx),
	        GW_ESYNTAX);
	assert_string_equal(gw_ctx_error(f->ctx)->message, "unterminated quoted string at or "
	                                                   "near \"'oops;\n\"");
	assert_int_equal(at, (size_t)(strchr(text, '\'') - text));
}

static void test_parser_version(void **state)
{
	(void)state;
	assert_non_null(gw_sql_parser_version());
	assert_int_equal(strncmp(gw_sql_parser_version(), "libpg_query ", 12), 0);
}

/* ---- SQLite ------------------------------------------------------------------ */

static void test_sqlite_split(void **state)
{
	fixture *f = *state;
	const char *text = "CREATE TABLE t (x);\n"
	                   "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n"
	                   "  UPDATE t SET x = 1;\n"
	                   "  SELECT ';';\n"
	                   "END;\n"
	                   ";\n"
	                   "-- a ; comment\n"
	                   "INSERT INTO t VALUES ('a;b') ;\n"
	                   "/* last */ VACUUM\n"
	                   "-- done\n";

	split_ok(f, GW_DIALECT_SQLITE, text);
	assert_int_equal(f->list.count, 4);
	assert_stmt(f, text, 0, "CREATE TABLE t (x)", GW_STMT_PLAIN);
	assert_int_equal(f->list.items[0].offset, 0);
	assert_stmt(f, text, 1,
	            "CREATE TRIGGER tr AFTER INSERT ON t BEGIN\n  UPDATE t SET x = 1;\n  SELECT "
	            "';';\nEND",
	            GW_STMT_PLAIN);
	assert_stmt(f, text, 2, "INSERT INTO t VALUES ('a;b')", GW_STMT_PLAIN);
	assert_int_equal(f->list.items[3].offset, (size_t)(strstr(text, "VACUUM") - text));
	assert_int_equal(f->list.items[3].kind, GW_STMT_NO_TX);
}

static void test_sqlite_kinds(void **state)
{
	fixture *f = *state;
	const char *text = "begin transaction;\nCREATE TABLE t (x);\nSAVEPOINT s;\n"
	                   "RELEASE s;\nROLLBACK;\nEND;\nCOMMIT;\nPRAGMA foreign_keys = OFF;\n"
	                   "PRAGMA user_version = 3;\n";

	split_ok(f, GW_DIALECT_SQLITE, text);
	assert_int_equal(f->list.count, 9);
	assert_stmt(f, text, 0, "begin transaction", GW_STMT_TRANSACTION);
	assert_stmt(f, text, 1, "CREATE TABLE t (x)", GW_STMT_PLAIN);
	assert_stmt(f, text, 2, "SAVEPOINT s", GW_STMT_TRANSACTION);
	assert_stmt(f, text, 3, "RELEASE s", GW_STMT_TRANSACTION);
	assert_stmt(f, text, 4, "ROLLBACK", GW_STMT_TRANSACTION);
	assert_stmt(f, text, 5, "END", GW_STMT_TRANSACTION);
	assert_stmt(f, text, 6, "COMMIT", GW_STMT_TRANSACTION);
	assert_stmt(f, text, 7, "PRAGMA foreign_keys = OFF", GW_STMT_NO_TX);
	assert_stmt(f, text, 8, "PRAGMA user_version = 3", GW_STMT_PLAIN);
}

/* ---- keywords ------------------------------------------------------------------ */

static void test_keyword(void **state)
{
	char buf[32], small[4];
	const char *s;

	(void)state;
	s = "  -- x\ncreate unique index i on t (x)";
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), buf, sizeof(buf)), "CREATE INDEX");
	s = "begin";
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), buf, sizeof(buf)), "BEGIN");
	s = "COMMIT";
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), buf, sizeof(buf)), "COMMIT");
	s = "start transaction isolation level serializable";
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), buf, sizeof(buf)),
	                    "START TRANSACTION");
	s = "CREATE MATERIALIZED VIEW v AS SELECT 1";
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), buf, sizeof(buf)),
	                    "CREATE MATERIALIZED VIEW");
	s = "CREATE OR REPLACE FUNCTION f()";
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), buf, sizeof(buf)), "CREATE FUNCTION");
	s = "VACUUM FULL t";
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), buf, sizeof(buf)), "VACUUM");
	s = "CREATE TABLE t";
	assert_string_equal(gw_sql_stmt_keyword(s, 6, buf, sizeof(buf)), "CREATE");
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), small, sizeof(small)), "CRE");
	assert_string_equal(gw_sql_stmt_keyword("", 0, buf, sizeof(buf)), "");
	s = "(SELECT 1)";
	assert_string_equal(gw_sql_stmt_keyword(s, strlen(s), buf, sizeof(buf)), "");
}

/* ---- concurrent index builds ----------------------------------------------- */

static void build_is(fixture *f, const char *sql, gw_index_build_kind kind, const char *schema,
                     const char *table, const char *index, int if_not_exists)
{
	gw_index_build b = GW_INDEX_BUILD_INIT;

	assert_int_equal(gw_sql_index_build(&b, sql, strlen(sql), f->ctx), 0);
	assert_int_equal(b.kind, kind);
	if (schema)
		assert_string_equal(b.schema, schema);
	else
		assert_null(b.schema);
	if (table)
		assert_string_equal(b.table, table);
	else
		assert_null(b.table);
	if (index)
		assert_string_equal(b.index, index);
	else
		assert_null(b.index);
	assert_int_equal(b.if_not_exists, if_not_exists);
	gw_index_build_dispose(&b);
}

static void test_index_build(void **state)
{
	fixture *f = *state;

	build_is(f, "CREATE INDEX CONCURRENTLY t_a ON t (a)", GW_INDEX_BUILD_CREATE, NULL, "t",
	         "t_a", 0);
	build_is(f, "create unique index concurrently if not exists \"Mixed\" on \"S\".\"T\" (a)",
	         GW_INDEX_BUILD_CREATE, "S", "T", "Mixed", 1);
	build_is(f, "REINDEX INDEX CONCURRENTLY s.i", GW_INDEX_BUILD_REINDEX_INDEX, "s", NULL, "i",
	         0);
	build_is(f, "REINDEX (CONCURRENTLY) TABLE t", GW_INDEX_BUILD_REINDEX_TABLE, NULL, "t", NULL,
	         0);
	/* Nothing to look up: no name, not concurrent, not an index build. */
	build_is(f, "CREATE INDEX CONCURRENTLY ON t (a)", GW_INDEX_BUILD_NONE, NULL, NULL, NULL, 0);
	build_is(f, "CREATE INDEX t_a ON t (a)", GW_INDEX_BUILD_NONE, NULL, NULL, NULL, 0);
	build_is(f, "REINDEX TABLE t", GW_INDEX_BUILD_NONE, NULL, NULL, NULL, 0);
	build_is(f, "REINDEX SCHEMA CONCURRENTLY s", GW_INDEX_BUILD_NONE, NULL, NULL, NULL, 0);
	build_is(f, "DROP INDEX CONCURRENTLY t_a", GW_INDEX_BUILD_NONE, NULL, NULL, NULL, 0);
	build_is(f, "CREATE INDEX CONCURRENTLY (", GW_INDEX_BUILD_NONE, NULL, NULL, NULL, 0);
	assert_null(gw_ctx_error(f->ctx));
}

#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)

int main(void)
{
	const struct CMUnitTest tests[] = {
	        T(test_pg_split),
	        T(test_pg_not_nul_terminated),
	        T(test_pg_only_comments),
	        T(test_pg_kinds),
	        T(test_pg_syntax_error),
	        T(test_pg_unterminated),
	        cmocka_unit_test(test_parser_version),
	        T(test_sqlite_split),
	        T(test_sqlite_kinds),
	        cmocka_unit_test(test_keyword),
	        T(test_index_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
