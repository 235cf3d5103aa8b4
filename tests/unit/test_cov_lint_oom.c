/*
 * test_cov_lint_oom.c: running out of memory while linting SQL
 * (src/lib/sql/lint*.c, locks.c, pgquery.c) is GW_ENOMEM with "out of
 * memory", never a crash, a finding left out or a finding with a part
 * missing. For N = 1, 2, ... the Nth allocation godwit's code makes fails
 * (the executable is linked with --wrap for the allocation functions, see
 * tests/CMakeLists.txt; libpg_query's own allocations are not counted),
 * and each run either fails with GW_ENOMEM and no findings or returns
 * exactly the findings of a run with memory to spare.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "godwit.h"
#include "util/str.h"
#include "oom.h"

/* One text that makes most rules report: locking and rewriting DDL on
 * tables that exist, renames, drops, types, secrets, ignores used, unused
 * and unknown, PL/pgSQL bodies (checked statement by statement), a DO
 * block. */
static const char many[] =
        "-- godwit:ignore renaming-column, no-such-rule\n"
        "CREATE TABLE t (id int, PRIMARY KEY (id), data json, name varchar(100), code char(3),\n"
        "  at timestamp, a_column_name_that_is_much_longer_than_sixty_three_bytes_in_total_x "
        "text);\n"
        "ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid();\n"
        "ALTER TABLE users ALTER COLUMN name TYPE text;\n"
        "ALTER TABLE users ADD COLUMN l text GENERATED ALWAYS AS (lower(email)) STORED;\n"
        "ALTER TABLE events ADD COLUMN id bigserial;\n"
        "ALTER TABLE orders ADD CONSTRAINT fk FOREIGN KEY (user_id) REFERENCES users (id);\n"
        "ALTER TABLE users ADD CONSTRAINT k UNIQUE (email);\n"
        "ALTER TABLE users ALTER COLUMN email SET NOT NULL;\n"
        "ALTER TABLE users ADD COLUMN plan text NOT NULL;\n"
        "CREATE INDEX users_email ON users (email);\n"
        "DROP INDEX users_email; -- godwit:ignore require-concurrent-index-deletion\n"
        "TRUNCATE users CASCADE;\n"
        "ALTER TABLE users DROP COLUMN nickname;\n"
        "-- godwit:ignore\n"
        "DROP TABLE sessions;\n"
        "ALTER TABLE users ALTER COLUMN email DROP NOT NULL;\n"
        "ALTER TABLE users RENAME COLUMN name TO full_name;\n"
        "ALTER TABLE users RENAME TO accounts;\n"
        "ALTER SCHEMA app RENAME TO core;\n"
        "ALTER TYPE status RENAME VALUE 'a' TO 'b';\n"
        "ALTER TYPE status ADD VALUE 'paused';\n"
        "UPDATE t SET a = 1, a = 2;\n"
        "CREATE ROLE app LOGIN PASSWORD 'hunter2';\n"
        "INSERT INTO s VALUES ('AKIAIOSFODNN7EXAMPLE');\n"
        "SELECT 'q8Zt3LmX9vR2pK7wN4bY6cH1jF5sD0gA';\n"
        "CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $$\n"
        "BEGIN\n"
        "  RETURN (SELECT count(*) FROM t WHERE);\n"
        "END $$;\n"
        "CREATE FUNCTION g() RETURNS int AS 'BEGIN RETURN 1; END' LANGUAGE plpgsql;\n"
        "DO $body$ BEGIN PERFORM 1; END $body$;\n";

static const char no_tx[] = "BEGIN;\n"
                            "CREATE INDEX CONCURRENTLY i ON t (a);\n"
                            "COMMIT;\n"
                            "VACUUM FULL users;\n"
                            "REINDEX INDEX users_email;\n"
                            "ALTER TABLE events DETACH PARTITION e2020;\n"
                            "CREATE INDEX CONCURRENTLY IF NOT EXISTS w ON t (a, b, c, d);\n"
                            "DROP DATABASE app;\n"
                            "BEGIN;\n"
                            "UPDATE t SET a = 1;\n";

/* Every field of every finding, one finding a line. */
static char *render(const gw_findings *f)
{
	gw_str out = GW_STR_INIT;
	size_t i;

	gw_str_printf(&out, "max %s\n", gw_level_name(gw_findings_max_level(f)));
	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		gw_str_printf(&out, "%s|%s|%s|%d:%d|%s|%s|%s|%s|%s\n", x->rule,
		              gw_level_name(x->level), x->file, x->line, x->column, x->message,
		              x->help ? x->help : "-", x->table ? x->table : "-",
		              x->lock ? x->lock : "-", x->source_line ? x->source_line : "-");
	}
	assert_false(gw_str_failed(&out));
	return gw_str_detach(&out);
}

/* gw_lint_sql on one text, for oom_every_allocation. */
typedef struct {
	const char *sql;
	const gw_lint_options *opts;
	gw_findings *f;
} lint_call;

static int lint_run(void *arg, gw_ctx *ctx)
{
	lint_call *c = arg;

	return gw_lint_sql(&c->f, "m.sql", c->sql, strlen(c->sql), c->opts, ctx);
}

static char *lint_take(void *arg)
{
	lint_call *c = arg;
	char *text = c->f ? render(c->f) : NULL;

	gw_findings_free(c->f);
	c->f = NULL;
	return text;
}

static void lint_every_allocation(const char *sql, const gw_lint_options *opts, size_t at_least)
{
	lint_call c = {sql, opts, NULL};
	oom_call call = {lint_run, lint_take, &c};
	gw_ctx *ctx = NULL;
	char *want = NULL;
	const char *p;
	size_t lines = 0;
	long n;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	n = oom_every_allocation(&call, ctx, &want);
	assert_true(n > 0);
	/* A line per finding after the "max" line. */
	for (p = want; (p = strchr(p, '\n')); p++)
		lines++;
	assert_true(lines >= at_least + 1);
	print_message("%ld allocations failed one at a time\n", n);
	free(want);
	gw_ctx_free(ctx);
}

static void linting_in_a_transaction(void **state)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;

	(void)state;
	opts.error = "prefer-jsonb,renaming-table";
	opts.warning = "dropping-column";
	opts.disable = "prefer-timestamptz";
	lint_every_allocation(many, &opts, 25);
}

static void linting_without_a_transaction(void **state)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;

	(void)state;
	opts.no_transaction = 1;
	lint_every_allocation(no_tx, &opts, 6);
}

/* Levels that cannot be stored are out of memory, not an unknown rule. */
static void levels_without_memory(void **state)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;

	(void)state;
	opts.error = "prefer-jsonb, renaming-table";
	opts.warning = "dropping-column";
	opts.disable = "prefer-timestamptz,ban-char-field";
	lint_every_allocation("CREATE TABLE t (data json, code char(3));\n", &opts, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(linting_in_a_transaction),
	        cmocka_unit_test(linting_without_a_transaction),
	        cmocka_unit_test(levels_without_memory),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
