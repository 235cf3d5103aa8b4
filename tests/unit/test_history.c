/*
 * test_history.c: the history tables (src/lib/history.c) through the
 * public API on a real SQLite file: which events each command records and
 * with what, the version filter and limit of gw_project_history, the
 * tables' names, and that reading creates nothing.
 */
#include "project_fixture.h"

#include <pwd.h>

static int setup(void **state)
{
	return fx_setup_named(state, "history");
}

static gw_history *history_of(fixture *f, const char *version, size_t limit)
{
	gw_history *h = NULL;

	assert_int_equal(gw_project_history(&h, f->p, version, limit), 0);
	return h;
}

/* "ACTION VERSION" for each event, oldest first, one per line. */
static void assert_events(const gw_history *h, const char *expected)
{
	char out[2048] = "";
	size_t i, len = 0;

	for (i = 0; i < gw_history_count(h); i++)
		len += (size_t)snprintf(
		        out + len, sizeof(out) - len, "%s %s\n", gw_history_get(h, i)->action,
		        gw_history_get(h, i)->version ? gw_history_get(h, i)->version : "-");
	assert_string_equal(out, expected);
}

static void test_history_of_no_database_is_empty_and_creates_nothing(void **state)
{
	fixture *f = *state;
	gw_history *h = history_of(f, NULL, 0);
	struct stat sb;

	assert_int_equal(gw_history_count(h), 0);
	assert_null(gw_history_get(h, 0));
	gw_history_free(h);
	assert_int_equal(stat(f->db, &sb), -1);
	assert_int_equal(gw_history_count(NULL), 0);
	assert_null(gw_history_get(NULL, 0));
	gw_history_free(NULL);
}

static void test_each_command_records_its_event(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	struct passwd *pw = getpwuid(geteuid());
	const gw_event *e;
	gw_history *h;
	char path[PATH_MAX + 64];
	size_t n = 0;

	f->opts.environment = "staging";
	fx_open(f);
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int PRIMARY KEY);",
	             "DROP TABLE b;");
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(gw_project_down(&n, f->p, &down), 0);
	fx_migration(f, "20240101000002_b.sql",
	             "CREATE TABLE b (id int PRIMARY KEY);\nINSERT INTO b VALUES (1), (1);",
	             "DROP TABLE b;");
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, &up), GW_ESQL);
	gw_ctx_clear_error(f->ctx);
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id bigint);", "DROP TABLE a;");
	fx_open(f);
	assert_int_equal(gw_project_repair(&n, f->p, "20240101000001"), 0);
	assert_int_equal(n, 1);

	h = history_of(f, NULL, 0);
	assert_events(h, "apply 20240101000001\napply 20240101000002\nrevert 20240101000002\n"
	                 "fail 20240101000002\nrepair 20240101000001\n");
	e = gw_history_get(h, 0);
	assert_int_equal(e->id, 1);
	assert_string_equal(e->name, "a");
	assert_string_equal(e->environment, "staging");
	assert_string_equal(e->godwit_version, GODWIT_VERSION);
	assert_string_equal(e->applied_by, pw->pw_name);
	assert_null(e->file);
	assert_null(e->sqlstate);
	assert_null(e->error);
	assert_true(e->duration_ms >= 0);
	assert_int_equal(strlen(e->at), 24);
	assert_int_equal(e->at[23], 'Z');
	e = gw_history_get(h, 3);
	assert_string_equal(e->error, "UNIQUE constraint failed: b.id");
	snprintf(path, sizeof(path), "%s/20240101000002_b.sql", f->migrations);
	assert_string_equal(e->file, path);
	assert_int_equal(e->line, 3);
	assert_int_equal(e->column, 1);
	gw_history_free(h);

	/* One version; the newest two, oldest first. */
	h = history_of(f, "20240101000002", 0);
	assert_events(h, "apply 20240101000002\nrevert 20240101000002\nfail 20240101000002\n");
	gw_history_free(h);
	h = history_of(f, NULL, 2);
	assert_events(h, "fail 20240101000002\nrepair 20240101000001\n");
	gw_history_free(h);
	h = history_of(f, "20240101000002", 1);
	assert_events(h, "fail 20240101000002\n");
	gw_history_free(h);
	h = history_of(f, "20990101000000", 0);
	assert_events(h, "");
	gw_history_free(h);
	/* The repair recorded the file's new checksum. */
	fx_assert_query(f, "SELECT version, state FROM godwit_migrations",
	                "20240101000001|applied\n");
}

static void test_init_history_creates_the_named_tables(void **state)
{
	fixture *f = *state;
	static const char tables_sql[] = "SELECT name FROM sqlite_master WHERE type = 'table' AND "
	                                 "name NOT LIKE 'sqlite%' ORDER BY name";

	f->opts.table = "deploys";
	f->opts.events_table = "deploy_log";
	fx_open(f);
	assert_int_equal(gw_project_init_history(f->p), 0);
	fx_assert_query(f, tables_sql, "deploy_log\ndeploys\n");
	/* Again: nothing changes. */
	assert_int_equal(gw_project_init_history(f->p), 0);
	fx_assert_query(f, tables_sql, "deploy_log\ndeploys\n");
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_open(f);
	assert_int_equal(gw_project_up(NULL, f->p, NULL), 0);
	fx_assert_query(f, "SELECT version FROM deploys", "20240101000001\n");
	fx_assert_query(f, "SELECT action, version FROM deploy_log", "apply|20240101000001\n");
	fx_assert_query(f, tables_sql, "a\ndeploy_log\ndeploys\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_history_of_no_database_is_empty_and_creates_nothing, setup,
	                fx_teardown),
	        cmocka_unit_test_setup_teardown(test_each_command_records_its_event, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_init_history_creates_the_named_tables, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
