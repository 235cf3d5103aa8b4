/*
 * test_locks.c: the lock model behind `godwit plan` (src/lib/sql/locks.c):
 * for each kind of statement, exactly which tables it locks, in which
 * mode, and whether it scans, rewrites or creates them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pg_query/pg_query.pb-c.h>

#include "godwit.h"
#include "lib/sql/locks.h"
#include "lib/sql/sql.h"
#include "util/error.h"
#include "util/str.h"

#define AS  GW_LOCK_ACCESS_SHARE
#define RS  GW_LOCK_ROW_SHARE
#define RE  GW_LOCK_ROW_EXCLUSIVE
#define SUE GW_LOCK_SHARE_UPDATE_EXCLUSIVE
#define SH  GW_LOCK_SHARE
#define SRE GW_LOCK_SHARE_ROW_EXCLUSIVE
#define EX  GW_LOCK_EXCLUSIVE
#define AE  GW_LOCK_ACCESS_EXCLUSIVE

#define NONE    GW_EFFECT_NONE
#define SCAN    GW_EFFECT_SCAN
#define REWRITE GW_EFFECT_REWRITE
#define CREATES GW_EFFECT_CREATES

typedef struct expect {
	const char *table; /* NULL: every table */
	gw_lock_mode mode;
	gw_lock_effect effect;
} expect;

typedef struct lock_case {
	const char *sql;
	size_t n;
	expect locks[3];
} lock_case;

static const lock_case cases[] = {
        /* CREATE TABLE */
        {"CREATE TABLE t (id int)", 1, {{"t", GW_LOCK_NONE, CREATES}}},
        {"CREATE TABLE orders (id bigint PRIMARY KEY, user_id bigint REFERENCES users (id))",
         2,
         {{"orders", GW_LOCK_NONE, CREATES}, {"users", SRE, NONE}}},
        {"CREATE TABLE orders (u bigint, FOREIGN KEY (u) REFERENCES app.users (id))",
         2,
         {{"orders", GW_LOCK_NONE, CREATES}, {"app.users", SRE, NONE}}},
        {"CREATE TABLE e2024 PARTITION OF events FOR VALUES FROM (1) TO (2)",
         2,
         {{"e2024", GW_LOCK_NONE, CREATES}, {"events", AE, NONE}}},
        {"CREATE TABLE t2 AS SELECT * FROM users",
         2,
         {{"t2", GW_LOCK_NONE, CREATES}, {"users", AS, NONE}}},
        /* ALTER TABLE, by subcommand */
        {"ALTER TABLE users ADD COLUMN email text", 1, {{"users", AE, NONE}}},
        {"ALTER TABLE users ADD COLUMN email text NOT NULL DEFAULT ''", 1, {{"users", AE, NONE}}},
        {"ALTER TABLE users ADD COLUMN at timestamptz DEFAULT now()", 1, {{"users", AE, NONE}}},
        {"ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()",
         1,
         {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ADD COLUMN l text GENERATED ALWAYS AS (lower(email)) STORED",
         1,
         {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ADD COLUMN n bigserial", 1, {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ADD COLUMN n int GENERATED ALWAYS AS IDENTITY",
         1,
         {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ADD COLUMN plan text NOT NULL", 1, {{"users", AE, SCAN}}},
        {"ALTER TABLE orders ADD COLUMN u bigint REFERENCES users (id)",
         2,
         {{"orders", AE, SCAN}, {"users", SRE, NONE}}},
        {"ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id)",
         2,
         {{"orders", SRE, SCAN}, {"users", SRE, NONE}}},
        {"ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id) "
         "NOT VALID",
         2,
         {{"orders", SRE, NONE}, {"users", SRE, NONE}}},
        {"ALTER TABLE orders VALIDATE CONSTRAINT fk", 1, {{"orders", SUE, SCAN}}},
        {"ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0)", 1, {{"users", AE, SCAN}}},
        {"ALTER TABLE users ADD CONSTRAINT c CHECK (age > 0) NOT VALID", 1, {{"users", AE, NONE}}},
        {"ALTER TABLE users ADD CONSTRAINT k UNIQUE (email)", 1, {{"users", AE, SCAN}}},
        {"ALTER TABLE users ADD CONSTRAINT k UNIQUE USING INDEX k", 1, {{"users", AE, NONE}}},
        {"ALTER TABLE users ALTER COLUMN email SET NOT NULL", 1, {{"users", AE, SCAN}}},
        {"ALTER TABLE users ALTER COLUMN name TYPE text", 1, {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ALTER COLUMN email SET STATISTICS 500", 1, {{"users", SUE, NONE}}},
        {"ALTER TABLE users DROP COLUMN email", 1, {{"users", AE, NONE}}},
        {"ALTER TABLE users SET TABLESPACE fast", 1, {{"users", AE, REWRITE}}},
        {"ALTER TABLE users DISABLE TRIGGER audit", 1, {{"users", SRE, NONE}}},
        {"ALTER TABLE events ATTACH PARTITION e2024 FOR VALUES FROM (1) TO (2)",
         2,
         {{"events", SUE, NONE}, {"e2024", AE, SCAN}}},
        {"ALTER TABLE events DETACH PARTITION e2020",
         2,
         {{"events", AE, NONE}, {"e2020", AE, NONE}}},
        {"ALTER TABLE events DETACH PARTITION e2020 CONCURRENTLY",
         2,
         {{"events", SUE, NONE}, {"e2020", SUE, NONE}}},
        {"ALTER TABLE app.users ADD COLUMN x int", 1, {{"app.users", AE, NONE}}},
        /* several subcommands: the strongest lock, every effect */
        {"ALTER TABLE users ALTER COLUMN email SET STATISTICS 100, ADD COLUMN x int",
         1,
         {{"users", AE, NONE}}},
        {"ALTER TABLE users ADD COLUMN x int, ALTER COLUMN email SET STATISTICS 100",
         1,
         {{"users", AE, NONE}}},
        {"ALTER TABLE orders VALIDATE CONSTRAINT a, ADD CONSTRAINT fk FOREIGN KEY (u) "
         "REFERENCES users (id) NOT VALID",
         2,
         {{"orders", SRE, SCAN}, {"users", SRE, NONE}}},
        /* indexes */
        {"CREATE INDEX i ON users (email)", 1, {{"users", SH, SCAN}}},
        {"CREATE UNIQUE INDEX CONCURRENTLY i ON users (email)", 1, {{"users", SUE, SCAN}}},
        {"DROP INDEX i", 1, {{"i", AE, NONE}}},
        {"DROP INDEX CONCURRENTLY app.i", 1, {{"app.i", SUE, NONE}}},
        {"REINDEX TABLE users", 1, {{"users", SH, SCAN}}},
        {"REINDEX INDEX users_pkey", 1, {{"users_pkey", AE, SCAN}}},
        {"REINDEX TABLE CONCURRENTLY users", 1, {{"users", SUE, SCAN}}},
        {"REINDEX INDEX CONCURRENTLY users_pkey", 1, {{"users_pkey", SUE, SCAN}}},
        /* drops, renames, truncate */
        {"DROP TABLE users, app.orders", 2, {{"users", AE, NONE}, {"app.orders", AE, NONE}}},
        {"DROP TYPE mood", 0, {{NULL, GW_LOCK_NONE, NONE}}},
        {"ALTER TABLE users RENAME TO people", 1, {{"users", AE, NONE}}},
        {"ALTER TABLE users RENAME COLUMN email TO mail", 1, {{"users", AE, NONE}}},
        {"TRUNCATE users, orders", 2, {{"users", AE, NONE}, {"orders", AE, NONE}}},
        /* data */
        {"INSERT INTO users (id) VALUES (1)", 1, {{"users", RE, NONE}}},
        {"INSERT INTO archive SELECT * FROM users",
         2,
         {{"archive", RE, NONE}, {"users", AS, NONE}}},
        {"UPDATE users SET plan = 'free'", 1, {{"users", RE, SCAN}}},
        {"UPDATE users SET plan = 'free' WHERE id = 1", 1, {{"users", RE, NONE}}},
        {"DELETE FROM users", 1, {{"users", RE, SCAN}}},
        {"DELETE FROM users WHERE id = 1", 1, {{"users", RE, NONE}}},
        {"MERGE INTO t USING s ON t.id = s.id WHEN MATCHED THEN DELETE",
         2,
         {{"t", RE, NONE}, {"s", AS, NONE}}},
        {"SELECT * FROM users JOIN orders ON true", 2, {{"users", AS, NONE}, {"orders", AS, NONE}}},
        {"SELECT * FROM users FOR UPDATE", 1, {{"users", RS, NONE}}},
        {"UPDATE users SET name = s.name FROM staff s WHERE s.id = users.id",
         2,
         {{"users", RE, NONE}, {"staff", AS, NONE}}},
        {"CREATE TABLE child (x int) INHERITS (parent)",
         2,
         {{"child", GW_LOCK_NONE, CREATES}, {"parent", SUE, NONE}}},
        /* maintenance */
        {"VACUUM users", 1, {{"users", SUE, SCAN}}},
        {"VACUUM (FULL) users", 1, {{"users", AE, REWRITE}}},
        {"VACUUM FULL users", 1, {{"users", AE, REWRITE}}},
        {"VACUUM (FULL false) users", 1, {{"users", SUE, SCAN}}},
        {"VACUUM", 1, {{NULL, SUE, SCAN}}},
        /* An option's value: a word, a number or nothing. */
        {"VACUUM (FULL off) users", 1, {{"users", SUE, SCAN}}},
        {"VACUUM (FULL 0) users", 1, {{"users", SUE, SCAN}}},
        {"VACUUM (FULL 1) users", 1, {{"users", AE, REWRITE}}},
        {"VACUUM (FULL true) users", 1, {{"users", AE, REWRITE}}},
        {"VACUUM (ANALYZE, FULL) users", 1, {{"users", AE, REWRITE}}},
        {"REINDEX (CONCURRENTLY) TABLE users", 1, {{"users", SUE, SCAN}}},
        {"REINDEX (CONCURRENTLY false) TABLE users", 1, {{"users", SH, SCAN}}},
        {"ANALYZE users", 1, {{"users", SUE, NONE}}},
        {"CLUSTER users USING users_pkey", 1, {{"users", AE, REWRITE}}},
        {"CLUSTER", 1, {{NULL, AE, REWRITE}}},
        {"REFRESH MATERIALIZED VIEW totals", 1, {{"totals", AE, REWRITE}}},
        {"REFRESH MATERIALIZED VIEW CONCURRENTLY totals", 1, {{"totals", EX, SCAN}}},
        /* the rest */
        {"CREATE TRIGGER audit BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION f()",
         1,
         {{"users", SRE, NONE}}},
        {"COMMENT ON TABLE users IS 'people'", 1, {{"users", SUE, NONE}}},
        {"COMMENT ON COLUMN app.users.email IS 'mail'", 1, {{"app.users", SUE, NONE}}},
        {"COMMENT ON FUNCTION f() IS 'x'", 0, {{NULL, GW_LOCK_NONE, NONE}}},
        {"LOCK TABLE users IN SHARE ROW EXCLUSIVE MODE", 1, {{"users", SRE, NONE}}},
        {"LOCK TABLE users, orders IN ROW EXCLUSIVE MODE",
         2,
         {{"users", RE, NONE}, {"orders", RE, NONE}}},
        {"LOCK users", 1, {{"users", AE, NONE}}},
        {"SET lock_timeout = '2s'", 0, {{NULL, GW_LOCK_NONE, NONE}}},
        /* what the parser can hand over, branch by branch */
        {"INSERT INTO users DEFAULT VALUES", 1, {{"users", RE, NONE}}},
        {"SELECT * FROM generate_series(1, 2)", 0, {{NULL, GW_LOCK_NONE, NONE}}},
        {"SELECT * FROM (SELECT * FROM users FOR UPDATE) s FOR SHARE", 1, {{"users", RS, NONE}}},
        {"CREATE TABLE t (LIKE users)", 1, {{"t", GW_LOCK_NONE, CREATES}}},
        {"ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (u) REFERENCES users (id)",
         2,
         {{"orders", SRE, SCAN}, {"users", SRE, NONE}}},
        {"ALTER TABLE users ADD COLUMN n smallserial", 1, {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ADD COLUMN n serial2", 1, {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ADD COLUMN n serial4", 1, {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ADD COLUMN n serial8", 1, {{"users", AE, REWRITE}}},
        {"ALTER TABLE users ADD COLUMN n int CHECK (n > 0)", 1, {{"users", AE, SCAN}}},
        {"ALTER TABLE users ADD COLUMN n int UNIQUE", 1, {{"users", AE, SCAN}}},
        {"ALTER TABLE users ADD COLUMN n int PRIMARY KEY", 1, {{"users", AE, SCAN}}},
        {"ALTER TABLE users ADD CONSTRAINT pk PRIMARY KEY USING INDEX users_id",
         1,
         {{"users", AE, NONE}}},
        {"DROP VIEW v", 1, {{"v", AE, NONE}}},
        {"DROP MATERIALIZED VIEW app.m", 1, {{"app.m", AE, NONE}}},
        {"DROP SEQUENCE s", 1, {{"s", AE, NONE}}},
        {"DROP FOREIGN TABLE f", 1, {{"f", AE, NONE}}},
        /* five dotted parts of 63 characters: no server takes such a name,
         * and it does not fit the list's names */
        {"DROP TABLE "
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
         0,
         {{NULL, GW_LOCK_NONE, NONE}}},
        {"COMMENT ON COLUMN "
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa."
         "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.c IS 'x'",
         0,
         {{NULL, GW_LOCK_NONE, NONE}}},
        {"TRUNCATE users CASCADE", 1, {{"users", AE, NONE}}},
        {"COMMENT ON COLUMN email IS 'mail'", 0, {{NULL, GW_LOCK_NONE, NONE}}},
        {"VACUUM (FULL 1.5) users", 1, {{"users", AE, REWRITE}}},
        {"VACUUM (FULL '0') users", 1, {{"users", SUE, SCAN}}},
        {"REINDEX SCHEMA app", 1, {{NULL, SH, SCAN}}},
        {"CREATE VIEW v AS SELECT * FROM users",
         2,
         {{"v", GW_LOCK_NONE, CREATES}, {"users", AS, NONE}}},
        {"SELECT * INTO t2 FROM users", 2, {{"t2", GW_LOCK_NONE, CREATES}, {"users", AS, NONE}}},
        {"ALTER TABLE users SET SCHEMA app", 1, {{"users", AE, NONE}}},
        {"CREATE POLICY p ON users USING (true)", 1, {{"users", AE, NONE}}},
        {"CREATE SEQUENCE s", 0, {{NULL, GW_LOCK_NONE, NONE}}},
};

/* The locks of the one statement in sql; the caller disposes of *out. */
static void classify(gw_lock_list *out, const char *sql)
{
	PgQuery__ParseResult *tree = NULL;
	gw_str syntax = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	size_t bad = 0;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_sql_parse_tree(&tree, sql, strlen(sql), &syntax, &bad, ctx), 0);
	if (!tree)
		fail_msg("does not parse: %s: %s", sql, syntax.ptr);
	assert_int_equal(tree->n_stmts, 1);
	assert_int_equal(gw_locks_classify(out, tree->stmts[0]->stmt), 0);
	gw_sql_parse_tree_free(tree);
	gw_str_dispose(&syntax);
	gw_ctx_free(ctx);
}

static const char *show(const gw_lock_list *l)
{
	static char buf[1024];
	size_t i, len = 0;

	buf[0] = '\0';
	for (i = 0; i < l->count && len < sizeof(buf); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "[%s %s %s] ",
		                        l->items[i].table ? l->items[i].table : "(all)",
		                        gw_lock_mode_name(l->items[i].mode),
		                        gw_lock_effect_name(l->items[i].effect));
	return buf;
}

static int same(const gw_lock_item *it, const expect *e)
{
	if ((it->table == NULL) != (e->table == NULL))
		return 0;
	if (it->table && strcmp(it->table, e->table))
		return 0;
	return it->mode == e->mode && it->effect == e->effect;
}

static void test_every_case(void **state)
{
	size_t i, k;
	int failed = 0;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gw_lock_list l = GW_LOCK_LIST_INIT;
		int ok;

		classify(&l, cases[i].sql);
		ok = l.count == cases[i].n;
		for (k = 0; ok && k < l.count; k++)
			ok = same(&l.items[k], &cases[i].locks[k]);
		if (!ok) {
			print_error("%s\n  got: %s\n", cases[i].sql, show(&l));
			failed++;
		}
		gw_lock_list_dispose(&l);
	}
	assert_int_equal(failed, 0);
}

static void test_notes_say_why(void **state)
{
	gw_lock_list l = GW_LOCK_LIST_INIT;

	(void)state;
	classify(&l, "ALTER TABLE users ALTER COLUMN name TYPE text");
	assert_non_null(l.items[0].note);
	assert_non_null(strstr(l.items[0].note, "binary-compatible"));
	gw_lock_list_dispose(&l);

	classify(&l, "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()");
	assert_string_equal(l.items[0].note, "for a volatile default");
	gw_lock_list_dispose(&l);

	classify(&l, "ALTER TABLE users ADD COLUMN email text");
	assert_null(l.items[0].note);
	gw_lock_list_dispose(&l);

	classify(&l, "TRUNCATE users CASCADE");
	assert_string_equal(l.items[0].note, "and on the tables that reference it");
	gw_lock_list_dispose(&l);

	classify(&l, "ALTER TABLE users ADD CONSTRAINT pk PRIMARY KEY USING INDEX users_id");
	assert_null(l.items[0].note);
	gw_lock_list_dispose(&l);

	classify(&l, "ALTER TABLE users ADD CONSTRAINT pk PRIMARY KEY (id)");
	assert_string_equal(l.items[0].note, "to build the index");
	gw_lock_list_dispose(&l);
}

static void test_names_and_what_locks_block(void **state)
{
	(void)state;
	assert_string_equal(gw_lock_mode_name(AE), "ACCESS EXCLUSIVE");
	assert_string_equal(gw_lock_mode_name(SRE), "SHARE ROW EXCLUSIVE");
	assert_string_equal(gw_lock_mode_name(SUE), "SHARE UPDATE EXCLUSIVE");
	assert_string_equal(gw_lock_mode_name(GW_LOCK_NONE), "");
	assert_string_equal(gw_lock_mode_blocks(AE), "blocks reads and writes");
	assert_string_equal(gw_lock_mode_blocks(SH), "blocks writes");
	assert_string_equal(gw_lock_mode_blocks(SRE), "blocks writes");
	assert_string_equal(gw_lock_mode_blocks(SUE),
	                    "blocks other schema changes; reads and writes go on");
	assert_null(gw_lock_mode_blocks(GW_LOCK_NONE));
	/* A number past the modes names none. */
	assert_string_equal(gw_lock_mode_name((gw_lock_mode)9), "");
	assert_null(gw_lock_mode_blocks((gw_lock_mode)9));
	assert_string_equal(gw_lock_effect_name(REWRITE), "rewrite");
	assert_string_equal(gw_lock_effect_name(SCAN), "scan");
	assert_string_equal(gw_lock_effect_name(CREATES), "creates");
	assert_string_equal(gw_lock_effect_name(NONE), "none");
}

/* A list collects the locks of several statements; a table named again
 * keeps the strongest. */
static void test_a_table_named_twice_keeps_the_strongest(void **state)
{
	gw_lock_list l = GW_LOCK_LIST_INIT;

	(void)state;
	classify(&l, "SELECT * FROM users");
	classify(&l, "CREATE INDEX i ON users (email)");
	classify(&l, "UPDATE users SET a = 1 WHERE id = 2");
	assert_int_equal(l.count, 1);
	assert_int_equal(l.items[0].mode, SH);
	assert_int_equal(l.items[0].effect, SCAN);
	gw_lock_list_dispose(&l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_case),
	        cmocka_unit_test(test_notes_say_why),
	        cmocka_unit_test(test_names_and_what_locks_block),
	        cmocka_unit_test(test_a_table_named_twice_keeps_the_strongest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
