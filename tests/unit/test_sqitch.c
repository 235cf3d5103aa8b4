/*
 * test_sqitch.c: reading sqitch.plan and finding the BEGIN ... COMMIT a
 * sqitch script wraps itself in (src/lib/source_sqitch.c).
 *
 * The plan cases come from sqitch's own rules (App::Sqitch::Plan): what it
 * accepts is read the same, what it refuses is refused with the line and
 * column. The scripts are the ones `sqitch add` writes, and the traps a
 * naive search for COMMIT would fall into.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "godwit/errors.h"
#include "lib/source/priv.h"

/* ---- the plan ---------------------------------------------------------- */

static int parse(gw_sqitch_plan *plan, const char *text, const gw_error **err)
{
	static gw_ctx *ctx;

	if (ctx)
		gw_ctx_free(ctx);
	assert_int_equal(gw_ctx_new(&ctx), 0);
	*err = NULL;
	if (gw_source__sqitch_plan(plan, text, strlen(text), "sqitch.plan", ctx) < 0) {
		*err = gw_ctx_error(ctx);
		return -1;
	}
	return 0;
}

static void test_plan_tutorial(void **state)
{
	static const char text[] =
	        "%syntax-version=1.0.0\n"
	        "%project=flipr\n"
	        "%uri=https://github.com/sqitchers/sqitch-intro/\n"
	        "\n"
	        "appschema 2013-12-30T23:19:31Z Marge N. O'Vera <marge@example.com> # Add schema\n"
	        "# a comment line\n"
	        "users [appschema] 2013-12-30T23:49:00Z Marge <marge@example.com>\n"
	        "insert_user [users appschema !old other:thing] 2013-12-30T23:57:36Z M <m@x> # f\n"
	        "@v1.0.0-dev1 2013-12-31T00:01:19Z Marge <marge@example.com> # Tag.\r\n"
	        "@v1.0.0-dev2 2013-12-31T00:01:20Z Marge <marge@example.com>\n"
	        "\n"
	        "+insert_user [insert_user@v1.0.0-dev1] 2014-01-02T17:51:08Z M <m@x> # rework\n";
	gw_sqitch_plan plan;
	const gw_error *err;

	(void)state;
	assert_int_equal(parse(&plan, text, &err), 0);
	assert_string_equal(plan.project, "flipr");
	assert_int_equal(plan.count, 4);
	assert_string_equal(plan.changes[0].name, "appschema");
	assert_int_equal(plan.changes[0].line, 5);
	assert_string_equal(plan.changes[2].name, "insert_user");
	assert_int_equal(plan.changes[2].conflicts.len, 1);
	assert_string_equal(plan.changes[2].conflicts.items[0], "old");
	/* Reworked: the tags between it and its rework, newest first. */
	assert_int_equal(plan.changes[2].rework_tags.len, 2);
	assert_string_equal(plan.changes[2].rework_tags.items[0], "v1.0.0-dev2");
	assert_string_equal(plan.changes[2].rework_tags.items[1], "v1.0.0-dev1");
	assert_int_equal(plan.changes[3].rework_tags.len, 0);
	assert_int_equal(plan.changes[3].line, 12);
	gw_source__sqitch_plan_dispose(&plan);
}

static void expect_error(const char *text, int line, int column, const char *message)
{
	gw_sqitch_plan plan;
	const gw_error *err;

	assert_int_equal(parse(&plan, text, &err), -1);
	assert_non_null(err);
	assert_int_equal(err->code, GW_ESOURCE);
	assert_int_equal(err->line, line);
	assert_int_equal(err->column, column);
	assert_non_null(strstr(err->message, message));
	gw_source__sqitch_plan_dispose(&plan);
}

#define TAIL " 2024-01-01T00:00:00Z A <a@x>\n"

static void test_plan_errors(void **state)
{
	(void)state;
	expect_error("a" TAIL, 1, 1, "expected a %pragma");
	expect_error("%project=p\na" TAIL, 2, 1, "expected a %pragma");
	expect_error("%syntax-version=1.0.0\n\na" TAIL, 0, 0, "no %project pragma");
	expect_error("%project=p\n\na" TAIL "b [c]" TAIL, 4, 4, "requires c, which is not");
	expect_error("%project=p\n\na [a]" TAIL, 3, 4, "requires a, which is not");
	expect_error("%project=p\n\na" TAIL "a" TAIL, 4, 1, "already planned since the last tag");
	expect_error("%project=p\n\n@t" TAIL, 3, 2, "a tag before any change");
	expect_error("%project=p\n\na" TAIL "@t" TAIL "@t" TAIL, 5, 2, "already declared");
	expect_error("%project=p\n\na 2024-01-01 A <a@x>\n", 3, 3, "missing timestamp");
	expect_error("%project=p\n\na 2024-01-01T00:00:00Z A\n", 3, 24, "missing planner");
	expect_error("%project=p\n\n-a" TAIL, 3, 1, "a '-' (revert) change line");
	expect_error("%project=p\n\n_a-" TAIL, 3, 1, "invalid change name");
	expect_error("%project=p\n\nHEAD" TAIL, 3, 1, "invalid change name");
	expect_error("%project=p\n\nfoo^2" TAIL, 3, 1, "invalid change name");
	expect_error("%project=p\n\na [b" TAIL, 3, 3, "a '[' without its ']'");
	expect_error("%project=p\n\na" TAIL "b [a@nope]" TAIL, 4, 4, "requires a@nope");
	/* This project's prefix with nothing after it names no change. */
	expect_error("%project=p\n\na" TAIL "b [p:]" TAIL, 4, 4, "an empty dependency");
	expect_error("%project=p\n\na" TAIL "@v/1" TAIL, 4, 2, "invalid tag name");
	expect_error("%project=p\n\na" TAIL "@v1 [a]" TAIL, 4, 2, "tags may not have dependencies");
	expect_error("%project\n\na" TAIL, 1, 2, "%project without a value");
	expect_error("%project=-p\n\na" TAIL, 1, 10, "invalid project name");
}

/* Found by fuzz_sqitch: "%project=" then a NUL byte read as an empty
 * project name, the rest of the line lost. */
static void test_plan_nul_byte(void **state)
{
	static const char text[] = "%project=\0p\n\na" TAIL;
	gw_sqitch_plan plan;
	gw_ctx *ctx = NULL;
	const gw_error *err;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_source__sqitch_plan(&plan, text, sizeof(text) - 1, "sqitch.plan", ctx),
	                 GW_ESOURCE);
	err = gw_ctx_error(ctx);
	assert_int_equal(err->line, 1);
	assert_int_equal(err->column, 10);
	assert_non_null(strstr(err->message, "a NUL byte; a plan is text: remove it"));
	gw_source__sqitch_plan_dispose(&plan);
	gw_ctx_free(ctx);
}

/* Requirements sqitch accepts: earlier changes, changes at a tag, tags,
 * other projects' changes and change ids. */
static void test_plan_requirements(void **state)
{
	gw_sqitch_plan plan;
	const gw_error *err;

	(void)state;
	assert_int_equal(parse(&plan,
	                       "%project=p\n\na" TAIL "@t1" TAIL "b [a a@t1 @t1 p:a q:zzz "
	                       "0123456789abcdef0123456789abcdef01234567]" TAIL,
	                       &err),
	                 0);
	assert_int_equal(plan.count, 2);
	gw_source__sqitch_plan_dispose(&plan);
}

/* ---- the BEGIN ... COMMIT around a script ------------------------------ */

static void expect_unwrap_in(gw_dialect dialect, const char *text, int verify, const char *inside)
{
	size_t off = 99, end = 99;
	int wrapped = gw_source__sqitch_unwrap(dialect, text, strlen(text), verify, &off, &end);

	if (!inside) {
		assert_int_equal(wrapped, 0);
		assert_int_equal(off, 0);
		assert_int_equal(end, strlen(text));
		return;
	}
	assert_int_equal(wrapped, 1);
	assert_true(off <= end && end <= strlen(text));
	assert_int_equal(end - off, strlen(inside));
	assert_memory_equal(text + off, inside, end - off);
}

static void expect_unwrap(const char *text, int verify, const char *inside)
{
	expect_unwrap_in(GW_DIALECT_POSTGRES, text, verify, inside);
}

static void test_unwrap(void **state)
{
	(void)state;
	expect_unwrap("-- Deploy p:a to pg\n\nBEGIN;\n\nCREATE TABLE a (id int);\n\nCOMMIT;\n", 0,
	              "\n\nCREATE TABLE a (id int);");
	expect_unwrap("begin transaction;select 1;commit work; -- done\n/* end */\n", 0,
	              "select 1;");
	expect_unwrap("START TRANSACTION;\nSELECT 1;\nEND;\n", 0, "\nSELECT 1;");
	expect_unwrap("BEGIN;\nSELECT 1 FROM a WHERE FALSE;\nROLLBACK;\n", 1,
	              "\nSELECT 1 FROM a WHERE FALSE;");
	/* A deploy script that rolls itself back is not unwrapped. */
	expect_unwrap("BEGIN;\nSELECT 1;\nROLLBACK;\n", 0, NULL);
	/* Not wrapped: no BEGIN, no COMMIT, or something after the COMMIT. */
	expect_unwrap("CREATE TABLE a (id int);\n", 0, NULL);
	expect_unwrap("BEGIN;\nCREATE TABLE a (id int);\n", 0, NULL);
	expect_unwrap("CREATE TABLE a (id int);\nCOMMIT;\n", 0, NULL);
	expect_unwrap("BEGIN;\nSELECT 1;\nCOMMIT;\nSELECT 2;\n", 0, NULL);
	expect_unwrap("", 0, NULL);
	/* The blanks after the last statement belong to the COMMIT. */
	/* A COMMIT in a string, a dollar quote or a comment is not the end. */
	expect_unwrap("BEGIN;\nSELECT 'x; COMMIT;';\n", 0, NULL);
	expect_unwrap("BEGIN;\nDO $body$ BEGIN PERFORM 1; END $body$;\n-- COMMIT;\n", 0, NULL);
	expect_unwrap("BEGIN;\nSELECT $$;COMMIT;$$;\nCOMMIT;\n", 0, "\nSELECT $$;COMMIT;$$;");
	expect_unwrap("BEGIN;\nSELECT E'\\';COMMIT;';\nCOMMIT;\n", 0, "\nSELECT E'\\';COMMIT;';");
	expect_unwrap("BEGIN;\nSELECT \"a;b\" FROM t;\nCOMMIT;\n", 0, "\nSELECT \"a;b\" FROM t;");
	/* $1 is a parameter, not a dollar quote. */
	expect_unwrap("BEGIN;\nSELECT $1;\nCOMMIT;\n", 0, "\nSELECT $1;");
	/* "BEGIN" starting a PL/pgSQL-looking statement is not a wrapper. */
	expect_unwrap("BEGINNING;\nCOMMIT;\n", 0, NULL);
}

/* The statements are gw_sql_split's, as the runner sees them. */
static void test_unwrap_splitter(void **state)
{
	(void)state;
	/* A function body with its own BEGIN ... END; and COMMIT in a
	 * string, a nested comment holding COMMIT; and an unterminated last
	 * COMMIT. */
	expect_unwrap("BEGIN;\nCREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $b$\nBEGIN\n"
	              "  RETURN 'x; COMMIT;';\nEND;\n$b$;\n/* a /* b; */ COMMIT; */\nCOMMIT",
	              0,
	              "\nCREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $b$\nBEGIN\n"
	              "  RETURN 'x; COMMIT;';\nEND;\n$b$;");
	/* An SQL-standard body: its END; is no end of the wrapper. */
	expect_unwrap("BEGIN;\nCREATE FUNCTION g() RETURNS int LANGUAGE sql\nBEGIN ATOMIC\n"
	              "  SELECT 1;\nEND;\n",
	              0, NULL);
	/* BEGIN with settings godwit's transaction would not have. */
	expect_unwrap("BEGIN ISOLATION LEVEL SERIALIZABLE, READ ONLY;\nSELECT 1;\nCOMMIT;\n", 0,
	              NULL);
	expect_unwrap("BEGIN ISOLATION LEVEL SERIALIZABLE;\nSELECT 1;\nCOMMIT;\n", 0,
	              "\nSELECT 1;");
	/* What the parser refuses is run whole, for the runner to report. */
	expect_unwrap("BEGIN;\nSELEC 1;\nCOMMIT;\n", 0, NULL);
	/* SQLite: comments do not nest, and a trigger body holds END; */
	expect_unwrap_in(GW_DIALECT_SQLITE,
	                 "BEGIN;\n/* a /* b */\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
	                 "  INSERT INTO b VALUES (1);\nEND;\nCOMMIT;\n",
	                 0,
	                 "\n/* a /* b */\nCREATE TRIGGER t AFTER INSERT ON a BEGIN\n"
	                 "  INSERT INTO b VALUES (1);\nEND;");
	expect_unwrap_in(GW_DIALECT_SQLITE, "BEGIN;\nSELECT 'a; END;';\nROLLBACK;\n", 1,
	                 "\nSELECT 'a; END;';");
	expect_unwrap_in(GW_DIALECT_SQLITE, "BEGIN;\nSELECT 1;\n-- COMMIT;\n", 0, NULL);
}

/* ---- sqitch.conf ------------------------------------------------------- */

static void test_conf(void **state)
{
	static const char text[] = "[core]\n"
	                           "\tengine = pg\n"
	                           "\ttop_dir = sql\n"
	                           "\t# plan_file = sql/sqitch.plan\n"
	                           "[engine \"sqlite\"]\n"
	                           "\tregistry = lite_reg\n"
	                           "[engine \"pg\"]\n"
	                           "\ttarget = db:pg:\n"
	                           "\tregistry = \"meta\"\r\n"
	                           "; a comment\n";
	static const char engine_wins[] = "[core]\nengine=sqlite\ntop_dir=a\n"
	                                  "[engine \"sqlite\"]\ntop_dir = b\n";
	gw_sqitch_conf conf;

	(void)state;
	assert_int_equal(gw_source__sqitch_conf(&conf, text, strlen(text)), 0);
	assert_string_equal(conf.engine, "pg");
	assert_string_equal(conf.top_dir, "sql");
	assert_string_equal(conf.registry, "meta");
	gw_source__sqitch_conf_dispose(&conf);
	/* The engine's own top_dir wins over core's. */
	assert_int_equal(gw_source__sqitch_conf(&conf, engine_wins, strlen(engine_wins)), 0);
	assert_string_equal(conf.top_dir, "b");
	assert_null(conf.registry);
	gw_source__sqitch_conf_dispose(&conf);
}

/* git-config's rules as sqitch reads them: an empty value is unset, a
 * comment may end a line, keys and section names ignore case, and the
 * older [engine.pg] spelling names an engine too. */
static void test_conf_values(void **state)
{
	static const char text[] = "[Core]\n"
	                           "  ENGINE = pg ; the engine\n"
	                           "  top_dir =\n"
	                           "[engine.pg]\n"
	                           "  registry = reg # where sqitch keeps its tables\n"
	                           "  top_dir = \"db dir\"\n"
	                           "[engine \"sqlite\"]\n"
	                           "  registry = not_this_one\n";
	gw_sqitch_conf conf;

	(void)state;
	assert_int_equal(gw_source__sqitch_conf(&conf, text, strlen(text)), 0);
	assert_string_equal(conf.engine, "pg");
	assert_string_equal(conf.registry, "reg");
	assert_string_equal(conf.top_dir, "db dir");
	gw_source__sqitch_conf_dispose(&conf);
	/* Found by fuzz_sqitch: "top_dir =" gave an empty top_dir. */
	assert_int_equal(gw_source__sqitch_conf(&conf, "[core]\ntop_dir =\n", 18), 0);
	assert_null(conf.top_dir);
	gw_source__sqitch_conf_dispose(&conf);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_plan_tutorial), cmocka_unit_test(test_plan_errors),
	        cmocka_unit_test(test_plan_nul_byte), cmocka_unit_test(test_plan_requirements),
	        cmocka_unit_test(test_unwrap),        cmocka_unit_test(test_unwrap_splitter),
	        cmocka_unit_test(test_conf_values),   cmocka_unit_test(test_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
