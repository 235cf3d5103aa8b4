/*
 * test_runner.c: how one migration runs (src/lib/runner.c), through
 * gw_project_up/down/resolve on a real SQLite file: a migration in a
 * transaction commits whole or not at all with its record; one without a
 * transaction runs statement by statement, is left dirty where it failed
 * and resumes there; what is refused before anything runs; cancel.
 */
#include "project_fixture.h"

static int setup(void **state)
{
	return fx_setup_named(state, "runner");
}

static const char tables_sql[] = "SELECT name FROM sqlite_master WHERE type = 'table' AND name "
                                 "NOT LIKE 'godwit%' AND name NOT LIKE 'sqlite%' ORDER BY name";
static const char rows_sql[] = "SELECT version, state, statements_done, statements_total, "
                               "error FROM godwit_migrations ORDER BY version";
static const char events_sql[] = "SELECT action, version, error, error_line FROM godwit_events "
                                 "ORDER BY id";

static void test_failed_transaction_rolls_back_with_its_record(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char path[PATH_MAX + 64];
	const gw_error *e;
	size_t n = 99;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_migration(f, "20240101000002_b.sql",
	             "CREATE TABLE b (id int PRIMARY KEY);\nINSERT INTO b VALUES (1);\n"
	             "INSERT INTO b VALUES (1);",
	             NULL);
	fx_migration(f, "20240101000003_c.sql", "CREATE TABLE c (id int);", NULL);
	assert_int_equal(gw_project_up(&n, f->p, &up), GW_ESQL);
	e = gw_ctx_error(f->ctx);
	snprintf(path, sizeof(path), "%s/20240101000002_b.sql", f->migrations);
	assert_string_equal(e->message, "UNIQUE constraint failed: b.id");
	assert_string_equal(e->file, path);
	assert_int_equal(e->line, 4);
	assert_string_equal(e->hint, "the migration was rolled back and nothing of it was applied; "
	                             "fix it and apply again");
	assert_int_equal(e->hint_code, GW_HINT_FIX_APPLY_AGAIN);
	/* a stays applied; nothing of b is left; c was not tried. */
	assert_int_equal(n, 1);
	fx_assert_query(f, tables_sql, "a\n");
	fx_assert_query(f, rows_sql, "20240101000001|applied|1|1|NULL\n");
	fx_assert_query(f, events_sql,
	                "apply|20240101000001|NULL|NULL\n"
	                "fail|20240101000002|UNIQUE constraint failed: b.id|4\n");
	gw_ctx_clear_error(f->ctx);
	/* Fixed, it applies with the rest. */
	fx_migration(f, "20240101000002_b.sql",
	             "CREATE TABLE b (id int PRIMARY KEY);\nINSERT INTO b VALUES (1);", NULL);
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 2);
	fx_assert_query(f, "SELECT count(*) FROM b", "1\n");
}

/* SQLite prepares every statement of the run before the first one runs,
 * so a missing table stops the run before anything changed. */
static void test_sqlite_checks_the_whole_run_first(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char path[PATH_MAX + 64];
	size_t n = 99;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_migration(f, "20240101000002_b.sql",
	             "CREATE TABLE b (id int);\nINSERT INTO b SELECT id FROM a;\n"
	             "INSERT INTO nope VALUES (1);",
	             NULL);
	assert_int_equal(gw_project_up(&n, f->p, &up), GW_ESQL);
	assert_int_equal(n, 0);
	snprintf(path, sizeof(path), "%s/20240101000002_b.sql", f->migrations);
	assert_string_equal(gw_ctx_error(f->ctx)->file, path);
	assert_int_equal(gw_ctx_error(f->ctx)->line, 4);
	fx_assert_error(f, GW_ESQL, GW_ESQL, "no such table: nope",
	                "nothing was run: every migration of the run is checked before the first "
	                "one starts; fix it and run the command again");
	fx_assert_query(f, tables_sql, "");
	fx_assert_query(f, "SELECT count(*) FROM godwit_migrations", "0\n");
}

static void test_no_transaction_failure_is_dirty_and_resumes(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char message[PATH_MAX + 256];
	size_t n = 0;

	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE a (id int PRIMARY KEY);\n"
	         "INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (1);\n"
	         "INSERT INTO a VALUES (3);\n");
	assert_int_equal(gw_project_up(&n, f->p, &up), GW_ESQL);
	assert_int_equal(n, 0);
	assert_string_equal(gw_ctx_error(f->ctx)->message, "UNIQUE constraint failed: a.id");
	assert_int_equal(gw_ctx_error(f->ctx)->line, 5);
	assert_string_equal(gw_ctx_error(f->ctx)->hint,
	                    "20240101000001 is now dirty: statement 3 of 4 failed and the ones "
	                    "before it stay done; fix the cause, then apply again with resume to "
	                    "continue from it, or resolve it");
	assert_int_equal(gw_ctx_error(f->ctx)->hint_code, GW_HINT_RESUME);
	assert_string_equal(gw_ctx_error(f->ctx)->hint_context,
	                    "20240101000001 is now dirty: statement 3 of 4 failed and the ones "
	                    "before it stay done; fix the cause, then ");
	gw_ctx_clear_error(f->ctx);
	/* The statements before it stay done. */
	fx_assert_query(f, "SELECT id FROM a", "1\n");
	fx_assert_query(f, rows_sql, "20240101000001|dirty|2|4|UNIQUE constraint failed: a.id\n");
	/* up without --resume refuses a dirty migration. */
	snprintf(message, sizeof(message),
	         "migration 20240101000001 (%s/20240101000001_a.sql) is dirty: statement 3 of 4 "
	         "failed: UNIQUE constraint failed: a.id",
	         f->migrations);
	fx_assert_error(f, gw_project_up(&n, f->p, &up), GW_EDIRTY, message,
	                "fix the cause, then apply again with resume to continue from that "
	                "statement, or resolve 20240101000001 as applied or rolled back once "
	                "the database is settled by hand");
	/* Fixed and resumed: the failed statement on, the ones before not again. */
	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE a (id int PRIMARY KEY);\n"
	         "INSERT INTO a VALUES (1);\nINSERT INTO a VALUES (2);\n"
	         "INSERT INTO a VALUES (3);\n");
	fx_open(f);
	f->notices[0] = '\0';
	up.resume = 1;
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 1);
	fx_assert_query(f, "SELECT id FROM a ORDER BY id", "1\n2\n3\n");
	fx_assert_query(f, rows_sql, "20240101000001|applied|4|4|NULL\n");
	assert_string_equal(f->notices,
	                    "warning 20240101000001: $M/20240101000001_a.sql changed "
	                    "since its run started; resuming from statement 3 with "
	                    "the file as it is now\n"
	                    "applying 20240101000001: applying "
	                    "$M/20240101000001_a.sql\n"
	                    "applied 20240101000001: applied $M/20240101000001_a.sql\n");
}

static void test_resolve_settles_a_dirty_migration(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	size_t n = 0;

	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE a (id int PRIMARY KEY);\n"
	         "INSERT INTO a VALUES (1), (1);\n");
	assert_int_equal(gw_project_up(&n, f->p, &up), GW_ESQL);
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(gw_project_resolve(f->p, "20240101000001", GW_RESOLVE_APPLIED), 0);
	fx_assert_query(f, "SELECT version, state FROM godwit_migrations",
	                "20240101000001|applied\n");
	/* Resolving what is not dirty is refused. */
	fx_assert_error(f, gw_project_resolve(f->p, "20240101000001", GW_RESOLVE_ROLLED_BACK),
	                GW_ESTATE,
	                "migration 20240101000001 is applied, not dirty; nothing to resolve", NULL);
	fx_sql(f, "UPDATE godwit_migrations SET state = 'dirty'");
	assert_int_equal(gw_project_resolve(f->p, "20240101000001", GW_RESOLVE_ROLLED_BACK), 0);
	fx_assert_query(f, "SELECT count(*) FROM godwit_migrations", "0\n");
	fx_assert_query(f, "SELECT action, version FROM godwit_events ORDER BY id",
	                "fail|20240101000001\nresolve|20240101000001\nresolve|20240101000001\n");
}

static void test_transaction_control_in_a_migration_is_refused(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char message[PATH_MAX + 64];
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);\nCOMMIT;", NULL);
	snprintf(message, sizeof(message), "%s/20240101000001_a.sql", f->migrations);
	assert_int_equal(gw_project_up(&n, f->p, &up), GW_ESOURCE);
	assert_string_equal(gw_ctx_error(f->ctx)->file, message);
	assert_int_equal(gw_ctx_error(f->ctx)->line, 3);
	fx_assert_error(f, GW_ESOURCE, GW_ESOURCE,
	                "COMMIT inside a migration that godwit runs in a transaction",
	                "remove the BEGIN/COMMIT (godwit wraps each migration in one), or add "
	                "'-- godwit:no-transaction' at the top to run it without one");
	fx_assert_query(f, tables_sql, "");
}

static void test_failed_down_stays_applied(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int PRIMARY KEY);",
	             "DROP TABLE a;\nCREATE TABLE b (id int PRIMARY KEY);\nINSERT INTO b VALUES "
	             "(1), (1);");
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(gw_project_down(&n, f->p, &down), GW_ESQL);
	assert_int_equal(n, 0);
	assert_string_equal(gw_ctx_error(f->ctx)->message, "UNIQUE constraint failed: b.id");
	assert_int_equal(gw_ctx_error(f->ctx)->line, 7);
	assert_string_equal(gw_ctx_error(f->ctx)->hint,
	                    "the down was rolled back; 20240101000001 is still applied");
	gw_ctx_clear_error(f->ctx);
	fx_assert_query(f, tables_sql, "a\n");
	fx_assert_query(f, "SELECT version, state FROM godwit_migrations",
	                "20240101000001|applied\n");
}

static void test_no_transaction_down(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	size_t n = 0;

	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE a (id int PRIMARY KEY);\n"
	         "CREATE TABLE b (id int);\n"
	         "-- migrate:down\n-- godwit:no-transaction\nDROP TABLE b;\n"
	         "INSERT INTO a VALUES (1), (1);\n");
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(gw_project_down(&n, f->p, &down), GW_ESQL);
	assert_string_equal(
	        gw_ctx_error(f->ctx)->hint,
	        "20240101000001 is now dirty: statement 2 of 2 failed and the ones "
	        "before it stay done; fix the cause, then finish the revert by hand and "
	        "resolve it as rolled back, or as applied");
	assert_int_equal(gw_ctx_error(f->ctx)->hint_code, GW_HINT_RESOLVE_REVERT);
	gw_ctx_clear_error(f->ctx);
	fx_assert_query(f, tables_sql, "a\n");
	fx_assert_query(f, "SELECT version, state, statements_done FROM godwit_migrations",
	                "20240101000001|dirty|1\n");
}

static void test_cancelled_project_runs_nothing(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	assert_int_equal(gw_project_cancelled(f->p), 0);
	gw_project_cancel(f->p);
	assert_int_equal(gw_project_cancelled(f->p), 1);
	assert_int_equal(gw_project_up(&n, f->p, &up), GW_ECANCELED);
	assert_int_equal(n, 0);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "interrupted: stopped before 20240101000001 a; 0 migrations were "
	                    "applied before it");
	fx_assert_query(f, tables_sql, "");
	gw_ctx_clear_error(f->ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_failed_transaction_rolls_back_with_its_record,
	                                        setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_sqlite_checks_the_whole_run_first, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_no_transaction_failure_is_dirty_and_resumes,
	                                        setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_resolve_settles_a_dirty_migration, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_transaction_control_in_a_migration_is_refused,
	                                        setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_failed_down_stays_applied, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_no_transaction_down, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_cancelled_project_runs_nothing, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
