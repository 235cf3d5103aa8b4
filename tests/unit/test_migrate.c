/*
 * test_migrate.c: what up, down and redo select and do (the plans of
 * gw_project_plan_up/down and the runs of gw_project_up/down/redo), through
 * the public API on a real SQLite file: which migrations, in which order,
 * what the database holds after, and the exact refusals (dirty, changed,
 * out of order, empty, no down, unknown target).
 */
#include "project_fixture.h"

static int setup(void **state)
{
	return fx_setup_named(state, "migrate");
}

/* Three migrations, each creating a table, each with a down. */
static void three(fixture *f)
{
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_migration(f, "20240101000002_b.sql",
	             "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);", "DROP TABLE b;");
	fx_migration(f, "20240101000003_c.sql", "CREATE TABLE c (id int);", "DROP TABLE c;");
}

static const char tables_sql[] = "SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                 "NOT LIKE 'godwit%' AND name NOT LIKE 'sqlite%' ORDER BY name";
static const char applied_sql[] = "SELECT version, name, state FROM godwit_migrations ORDER BY "
                                  "version";

static void test_plan_up_lists_pending_in_order_and_changes_nothing(void **state)
{
	fixture *f = *state;
	gw_up_options o = GW_UP_OPTIONS_INIT;
	gw_plan *plan = NULL;
	const gw_plan_step *s;
	struct stat st;

	three(f);
	assert_int_equal(gw_project_plan_up(&plan, f->p, &o), 0);
	assert_int_equal(gw_plan_count(plan), 3);
	s = gw_plan_get(plan, 1);
	assert_string_equal(s->version, "20240101000002");
	assert_string_equal(s->name, "b");
	assert_string_equal(s->file, "20240101000002_b.sql");
	assert_int_equal(s->direction, GW_UP);
	assert_int_equal(s->transactional, 1);
	assert_int_equal(s->statements, 2);
	assert_int_equal(s->resuming, 0);
	assert_string_equal(s->sql, "CREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\n\n");
	assert_string_equal(gw_plan_get(plan, 0)->version, "20240101000001");
	assert_string_equal(gw_plan_get(plan, 2)->version, "20240101000003");
	assert_null(gw_plan_get(plan, 3));
	gw_plan_free(plan);
	/* Planning read the folder only: no database file was created. */
	assert_int_equal(stat(f->db, &st), -1);
}

static void test_up_applies_everything_then_nothing(void **state)
{
	fixture *f = *state;
	gw_up_options o = GW_UP_OPTIONS_INIT;
	size_t n = 99;

	three(f);
	assert_int_equal(gw_project_up(&n, f->p, &o), 0);
	assert_int_equal(n, 3);
	fx_assert_query(f, tables_sql, "a\nb\nc\n");
	fx_assert_query(f, "SELECT id FROM b", "1\n");
	fx_assert_query(f, applied_sql,
	                "20240101000001|a|applied\n20240101000002|b|applied\n"
	                "20240101000003|c|applied\n");
	assert_string_equal(f->notices,
	                    "applying 20240101000001: applying $M/20240101000001_a.sql\n"
	                    "applied 20240101000001: applied $M/20240101000001_a.sql\n"
	                    "applying 20240101000002: applying $M/20240101000002_b.sql\n"
	                    "applied 20240101000002: applied $M/20240101000002_b.sql\n"
	                    "applying 20240101000003: applying $M/20240101000003_c.sql\n"
	                    "applied 20240101000003: applied $M/20240101000003_c.sql\n");
	assert_int_equal(gw_project_up(&n, f->p, &o), 0);
	assert_int_equal(n, 0);
}

static void test_up_to_a_version_stops_there(void **state)
{
	fixture *f = *state;
	gw_up_options o = GW_UP_OPTIONS_INIT;
	char message[PATH_MAX + 64];
	size_t n = 0;

	three(f);
	o.to = "20240101000002";
	assert_int_equal(gw_project_up(&n, f->p, &o), 0);
	assert_int_equal(n, 2);
	fx_assert_query(f, tables_sql, "a\nb\n");
	o.to = "20990101000000";
	snprintf(message, sizeof(message), "no migration in %s has version 20990101000000",
	         f->migrations);
	fx_assert_error(f, gw_project_up(&n, f->p, &o), GW_ENOTFOUND, message, NULL);
	fx_assert_query(f, tables_sql, "a\nb\n");
}

static void test_down_steps_to_and_all(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_down_options o = GW_DOWN_OPTIONS_INIT;
	gw_plan *plan = NULL;
	size_t n = 0;

	three(f);
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	/* The plan of a down: newest first, with the down SQL. */
	o.steps = 2;
	assert_int_equal(gw_project_plan_down(&plan, f->p, &o), 0);
	assert_int_equal(gw_plan_count(plan), 2);
	assert_string_equal(gw_plan_get(plan, 0)->version, "20240101000003");
	assert_int_equal(gw_plan_get(plan, 0)->direction, GW_DOWN);
	assert_string_equal(gw_plan_get(plan, 0)->sql, "DROP TABLE c;\n");
	assert_string_equal(gw_plan_get(plan, 1)->version, "20240101000002");
	gw_plan_free(plan);
	/* No option: one step. */
	o.steps = 0;
	assert_int_equal(gw_project_down(&n, f->p, &o), 0);
	assert_int_equal(n, 1);
	fx_assert_query(f, tables_sql, "a\nb\n");
	/* To a version: everything after it. */
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	o.to = "20240101000001";
	assert_int_equal(gw_project_down(&n, f->p, &o), 0);
	assert_int_equal(n, 2);
	fx_assert_query(f, tables_sql, "a\n");
	fx_assert_query(f, applied_sql, "20240101000001|a|applied\n");
	/* All. */
	o.to = NULL;
	o.all = 1;
	assert_int_equal(gw_project_down(&n, f->p, &o), 0);
	assert_int_equal(n, 1);
	fx_assert_query(f, tables_sql, "");
	fx_assert_query(f, applied_sql, "");
	/* Nothing left to revert is no error. */
	assert_int_equal(gw_project_down(&n, f->p, &o), 0);
	assert_int_equal(n, 0);
}

static void test_down_without_a_down_is_refused(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_down_options o = GW_DOWN_OPTIONS_INIT;
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	fx_assert_error(f, gw_project_down(&n, f->p, &o), GW_ENODOWN,
	                "cannot revert 20240101000001 a: it has no down migration", NULL);
	fx_assert_query(f, tables_sql, "a\n");
	fx_assert_query(f, applied_sql, "20240101000001|a|applied\n");
}

static void test_redo_reverts_and_applies_the_last(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	size_t n = 0;

	fx_assert_error(f, gw_project_redo(f->p), GW_ESTATE,
	                "nothing to redo: no migration is applied", NULL);
	three(f);
	fx_open(f); /* a project reads its folder once */
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	fx_sql(f, "INSERT INTO a VALUES (7); INSERT INTO c VALUES (7);");
	f->notices[0] = '\0';
	assert_int_equal(gw_project_redo(f->p), 0);
	/* c was dropped and created again; a was left alone. */
	fx_assert_query(f, "SELECT count(*) FROM c", "0\n");
	fx_assert_query(f, "SELECT count(*) FROM a", "1\n");
	assert_string_equal(f->notices,
	                    "reverting 20240101000003: reverting $M/20240101000003_c.sql\n"
	                    "reverted 20240101000003: reverted $M/20240101000003_c.sql\n"
	                    "applying 20240101000003: applying $M/20240101000003_c.sql\n"
	                    "applied 20240101000003: applied $M/20240101000003_c.sql\n");
}

static void test_changed_file_is_refused(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char message[PATH_MAX + 64];
	size_t n = 0;

	three(f);
	up.to = "20240101000001";
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id bigint);", "DROP TABLE a;");
	fx_open(f);
	up.to = NULL;
	snprintf(message, sizeof(message),
	         "%s/20240101000001_a.sql was changed after it was applied", f->migrations);
	fx_assert_error(f, gw_project_up(&n, f->p, &up), GW_ECHECKSUM, message,
	                "restore the file as it was applied, or review the change and "
	                "repair 20240101000001 to record it");
	fx_assert_query(f, tables_sql, "a\n");
	/* After a repair the rest applies. */
	assert_int_equal(gw_project_repair(&n, f->p, NULL), 0);
	assert_int_equal(n, 1);
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 2);
}

static void test_out_of_order_is_refused_unless_allowed(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char message[PATH_MAX + 128];
	size_t n = 0;
	int rc;

	fx_migration(f, "20240101000003_c.sql", "CREATE TABLE c (id int);", "DROP TABLE c;");
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_open(f);
	snprintf(message, sizeof(message),
	         "1 pending migration is older than the last applied one (20240101000003): "
	         "%s/20240101000001_a.sql",
	         f->migrations);
	rc = gw_project_up(&n, f->p, &up);
	/* The hint's action as a code, for a program to word with its own
	 * options (the CLI: --allow-out-of-order); its text names none. */
	assert_int_equal(gw_ctx_error(f->ctx)->hint_code, GW_HINT_OUT_OF_ORDER);
	assert_string_equal(gw_ctx_error(f->ctx)->hint_args[0], "1");
	assert_string_equal(gw_ctx_error(f->ctx)->hint_context, "");
	fx_assert_error(f, rc, GW_EORDER, message,
	                "apply it with allow_out_of_order, or give it a newer version");
	fx_assert_query(f, tables_sql, "c\n");
	f->opts.allow_out_of_order = 1;
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 1);
	fx_assert_query(f, tables_sql, "a\nc\n");
}

static void test_empty_migration_is_refused(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char message[PATH_MAX + 64];
	struct stat st;
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_write(f->migrations, "20240101000002_b.sql", "-- migrate:up\n-- write it here\n");
	snprintf(message, sizeof(message), "%s/20240101000002_b.sql: the migration is empty",
	         f->migrations);
	fx_assert_error(f, gw_project_up(&n, f->p, &up), GW_ESOURCE, message,
	                "add its SQL, or delete the file");
	/* Refused before anything ran: not even the database was created. */
	assert_int_equal(stat(f->db, &st), -1);
}

static void test_missing_file_warns_and_up_goes_on(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char path[PATH_MAX + 32];
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	snprintf(path, sizeof(path), "%s/20240101000001_a.sql", f->migrations);
	assert_int_equal(unlink(path), 0);
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", NULL);
	fx_open(f);
	f->notices[0] = '\0';
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 1);
	assert_string_equal(f->notices,
	                    "warning 20240101000001: migration 20240101000001 a is recorded as "
	                    "applied but has no file in $M\n"
	                    "applying 20240101000002: applying $M/20240101000002_b.sql\n"
	                    "applied 20240101000002: applied $M/20240101000002_b.sql\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_plan_up_lists_pending_in_order_and_changes_nothing, setup,
	                fx_teardown),
	        cmocka_unit_test_setup_teardown(test_up_applies_everything_then_nothing, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_up_to_a_version_stops_there, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_down_steps_to_and_all, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_down_without_a_down_is_refused, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_redo_reverts_and_applies_the_last, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_changed_file_is_refused, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_out_of_order_is_refused_unless_allowed, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_empty_migration_is_refused, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_missing_file_warns_and_up_goes_on, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
