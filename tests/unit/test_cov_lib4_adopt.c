/*
 * test_cov_lib4_adopt.c: adopt's paths that the shell tests do not take
 * (src/lib/adopt.c), on real SQLite files, each with its exact report or
 * error, and godwit's history unchanged where adopt refuses:
 *  - the report's accessors on NULL, the names of every action and
 *    checksum kind, options of another version, an unknown tool, the
 *    golang-migrate aliases;
 *  - a migration godwit already records (same checksum, another one, or
 *    dirty), a row of the tool that is dirty and matches no file;
 *  - a Flyway folder with a repeatable migration, which no tool row
 *    names;
 *  - sqitch and drizzle asked for on a folder of another convention.
 */
#include "project_fixture.h"

#include "godwit/adopt.h"

static int setup(void **state)
{
	return fx_setup_named(state, "lib4-adopt");
}

/* The report as "VERSION ACTION FOUND[: PROBLEM]" lines. */
static void put_report(char *out, size_t size, const gw_adopt_report *r)
{
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < gw_adopt_report_count(r); i++) {
		const gw_adopt_entry *e = gw_adopt_report_get(r, i);

		len += (size_t)snprintf(out + len, size - len, "%s %s %s%s%s\n", e->version,
		                        gw_adopt_action_name(e->action), e->found,
		                        e->problem ? ": " : "", e->problem ? e->problem : "");
	}
}

static void assert_report(const gw_adopt_report *r, const char *expected)
{
	char out[8192];

	put_report(out, sizeof(out), r);
	if (strcmp(out, expected))
		fail_msg("--- report:\n%s--- expected:\n%s", out, expected);
}

static void golang_table(fixture *f, const char *version, int dirty)
{
	char sql[512];

	snprintf(sql, sizeof(sql),
	         "CREATE TABLE IF NOT EXISTS schema_migrations (version bigint NOT NULL PRIMARY "
	         "KEY, dirty boolean NOT NULL);"
	         "DELETE FROM schema_migrations;"
	         "INSERT INTO schema_migrations VALUES (%s, %d);",
	         version, dirty);
	fx_sql(f, sql);
}

static void golang_folder(fixture *f)
{
	fx_write(f->migrations, "000001_a.up.sql", "CREATE TABLE a (id int);\n");
	fx_write(f->migrations, "000001_a.down.sql", "DROP TABLE a;\n");
	fx_write(f->migrations, "000002_b.up.sql", "CREATE TABLE b (id int);\n");
	fx_write(f->migrations, "000002_b.down.sql", "DROP TABLE b;\n");
}

/* The accessors take NULL; every action and checksum kind has a name. */
static void test_names_and_null_report(void **state)
{
	(void)state;
	assert_null(gw_adopt_report_tool(NULL));
	assert_null(gw_adopt_report_table(NULL));
	assert_int_equal(gw_adopt_report_dry_run(NULL), 0);
	assert_int_equal(gw_adopt_report_recorded(NULL), 0);
	assert_int_equal(gw_adopt_report_count(NULL), 0);
	assert_int_equal(gw_adopt_report_count_action(NULL, GW_ADOPT_RECORD), 0);
	assert_null(gw_adopt_report_get(NULL, 0));
	assert_string_equal(gw_adopt_action_name(GW_ADOPT_RECORD), "record");
	assert_string_equal(gw_adopt_action_name(GW_ADOPT_ALREADY), "already recorded");
	assert_string_equal(gw_adopt_action_name(GW_ADOPT_PENDING), "pending");
	assert_string_equal(gw_adopt_action_name(GW_ADOPT_PROBLEM), "problem");
	assert_string_equal(gw_adopt_action_name((gw_adopt_action)0), "unknown");
	assert_string_equal(gw_adopt_checksum_name(GW_ADOPT_SUM_NONE), "none");
	assert_string_equal(gw_adopt_checksum_name(GW_ADOPT_SUM_NOT_VERIFIED), "not verified");
	assert_string_equal(gw_adopt_checksum_name((gw_adopt_checksum)9), "unknown");
	assert_true(gw_adopt_tool_known("migrate"));
	assert_true(gw_adopt_tool_known("golang"));
	assert_false(gw_adopt_tool_known("liquibase"));
	assert_false(gw_adopt_tool_known(NULL));
}

/* Options of another version, no options, or an unknown tool: refused
 * before the database is touched. */
static void test_refused_options(void **state)
{
	fixture *f = *state;
	gw_adopt_options o = GW_ADOPT_OPTIONS_INIT;
	gw_adopt_report *r = (gw_adopt_report *)f;

	golang_folder(f);
	fx_open(f);
	o.version = 99;
	o.tool = "dbmate";
	fx_assert_error(f, gw_project_adopt_with(&r, f->p, &o), GW_EINVALID,
	                "gw_adopt_options version 99 is not supported", NULL);
	assert_null(r);
	fx_assert_error(f, gw_project_adopt_with(&r, f->p, NULL), GW_EINVALID,
	                "cannot adopt from '': unknown tool",
	                "one of dbmate, golang-migrate, goose, flyway, diesel, prisma, drizzle, "
	                "sqitch, supabase");
	fx_assert_error(f, gw_project_adopt(&r, f->p, "liquibase", 0), GW_EINVALID,
	                "cannot adopt from 'liquibase': unknown tool", NULL);
	assert_null(r);
	assert_int_equal(access(f->db, F_OK), -1); /* not even created */
}

/* "golang" is golang-migrate; its one row stands for every migration up
 * to it. Adopting again finds them recorded already and writes nothing. */
static void test_alias_and_adopting_twice(void **state)
{
	fixture *f = *state;
	gw_adopt_report *r = NULL;

	golang_folder(f);
	golang_table(f, "2", 0);
	fx_open(f);
	assert_int_equal(gw_project_adopt(&r, f->p, "golang", 0), 0);
	assert_string_equal(gw_adopt_report_tool(r), "golang-migrate");
	assert_string_equal(gw_adopt_report_table(r), "schema_migrations");
	assert_report(r, "000001 record applied\n000002 record applied\n");
	assert_int_equal(gw_adopt_report_recorded(r), 2);
	assert_null(gw_adopt_report_get(r, 2));
	gw_adopt_report_free(r);
	assert_int_equal(gw_project_adopt(&r, f->p, "migrate", 0), 0);
	assert_report(r, "000001 already recorded applied\n000002 already recorded applied\n");
	assert_int_equal(gw_adopt_report_recorded(r), 0);
	assert_int_equal(gw_adopt_report_count_action(r, GW_ADOPT_ALREADY), 2);
	gw_adopt_report_free(r);
	fx_assert_query(f, "SELECT version, kind, state FROM godwit_migrations ORDER BY version",
	                "000001|adopted|applied\n000002|adopted|applied\n");
}

/* godwit's own record disagrees with the tool's (another checksum, or
 * dirty): a problem each, and nothing is recorded. */
static void test_godwit_records_it_otherwise(void **state)
{
	fixture *f = *state;
	gw_adopt_report *r = NULL;
	char message[PATH_MAX * 2];

	golang_folder(f);
	golang_table(f, "2", 0);
	fx_open(f);
	assert_int_equal(gw_project_adopt(&r, f->p, "golang-migrate", 0), 0);
	gw_adopt_report_free(r);
	fx_sql(f, "UPDATE godwit_migrations SET checksum = 'other' WHERE version = '000001';"
	          "UPDATE godwit_migrations SET state = 'dirty' WHERE version = '000002';");
	snprintf(message, sizeof(message),
	         "cannot adopt the golang-migrate history: 2 migrations disagree with %s; nothing "
	         "was recorded",
	         f->migrations);
	fx_assert_error(f, gw_project_adopt(&r, f->p, "golang-migrate", 0), GW_ESTATE, message,
	                NULL);
	assert_report(r,
	              "000001 problem applied: godwit already records it as applied with another "
	              "checksum; settle that first\n"
	              "000002 problem applied: godwit already records it as dirty; settle that "
	              "first\n");
	gw_adopt_report_free(r);
	fx_assert_query(f,
	                "SELECT version, checksum = 'other', state FROM godwit_migrations ORDER BY "
	                "version",
	                "000001|1|applied\n000002|0|dirty\n");
}

/* A dirty row of the tool that matches no file is a problem of its own
 * kind (not "applied it"), and nothing is recorded. */
static void test_dirty_row_without_file(void **state)
{
	fixture *f = *state;
	gw_adopt_report *r = NULL;
	char expected[PATH_MAX * 2];

	golang_folder(f);
	golang_table(f, "7", 1);
	fx_open(f);
	assert_int_equal(gw_project_adopt(&r, f->p, "golang-migrate", 1), GW_ESTATE);
	gw_ctx_clear_error(f->ctx);
	snprintf(expected, sizeof(expected),
	         "000001 pending not applied\n000002 pending not applied\n"
	         "7 problem dirty: golang-migrate recorded it as dirty, but no file in %s has "
	         "this version; restore the file or settle the row first\n",
	         f->migrations);
	assert_report(r, expected);
	assert_true(gw_adopt_report_dry_run(r));
	gw_adopt_report_free(r);
	fx_assert_query(f, "SELECT count(*) FROM sqlite_master WHERE name LIKE 'godwit%'", "0\n");
}

/* A repeatable migration is in no tool's table by version: it is neither
 * reported nor recorded; the versioned one is. */
static void test_flyway_repeatable(void **state)
{
	fixture *f = *state;
	gw_adopt_report *r = NULL;

	fx_write(f->migrations, "V1__init.sql", "CREATE TABLE f1 (id int);\n");
	fx_write(f->migrations, "R__view.sql", "CREATE VIEW IF NOT EXISTS v AS SELECT 1;\n");
	fx_sql(f, "CREATE TABLE flyway_schema_history (installed_rank INT NOT NULL PRIMARY KEY, "
	          "version VARCHAR(50), description VARCHAR(200) NOT NULL, type VARCHAR(20) NOT "
	          "NULL, script VARCHAR(1000) NOT NULL, checksum INTEGER, installed_by "
	          "VARCHAR(100) NOT NULL, installed_on TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP, "
	          "execution_time INTEGER NOT NULL, success BOOLEAN NOT NULL);"
	          "INSERT INTO flyway_schema_history VALUES (1, '1', 'init', 'SQL', "
	          "'V1__init.sql', NULL, 'me', '2022-02-02 02:02:02', 5, 1);");
	fx_open(f);
	assert_int_equal(gw_project_adopt(&r, f->p, "flyway", 0), 0);
	assert_report(r, "1 record applied\n");
	gw_adopt_report_free(r);
	fx_assert_query(f, "SELECT version, kind FROM godwit_migrations", "1|adopted\n");
}

/* sqitch and drizzle record migrations by what only their own folders
 * have: asked for on a native folder, adopt says which folder to use. */
static void test_tool_of_another_convention(void **state)
{
	fixture *f = *state;
	gw_adopt_report *r = NULL;
	const gw_error *e;
	char message[PATH_MAX * 2];

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_open(f);
	assert_int_equal(gw_project_adopt(&r, f->p, "sqitch", 1), GW_EINVALID);
	e = gw_ctx_error(f->ctx);
	snprintf(message, sizeof(message),
	         "cannot adopt from sqitch: sqitch records migrations by their change name, but "
	         "%s is in the native convention, not sqitch's",
	         f->migrations);
	assert_string_equal(e->message, message);
	assert_int_equal(e->hint_code, GW_HINT_ADOPT_FOLDER);
	assert_string_equal(e->hint_args[1], "the one with sqitch.plan");
	gw_ctx_clear_error(f->ctx);
	assert_null(r);
	assert_int_equal(gw_project_adopt(&r, f->p, "drizzle", 1), GW_EINVALID);
	assert_string_equal(gw_ctx_error(f->ctx)->hint_args[1], "drizzle");
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(access(f->db, F_OK), -1); /* not even created */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_names_and_null_report),
	        cmocka_unit_test_setup_teardown(test_refused_options, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_alias_and_adopting_twice, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_godwit_records_it_otherwise, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_dirty_row_without_file, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_flyway_repeatable, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_tool_of_another_convention, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
