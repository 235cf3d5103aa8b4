/*
 * test_project.c: opening a project (src/lib/project.c) and what it does
 * with the database itself, through the public API: the refusals of
 * gw_project_open, the masked URL, the driver, the folder convention, the
 * embedded SQLite default, a required URL, creating, dropping and waiting
 * for a SQLite database, and new migrations. PostgreSQL is left to the CLI
 * tests, which start a server.
 */
#include "project_fixture.h"

static int setup(void **state)
{
	return fx_setup_named(state, "project");
}

/* gw_project_open refuses the options with exactly this error. */
static void assert_open_fails(fixture *f, int code, const char *message, const char *hint)
{
	gw_project *p = (gw_project *)1;

	fx_assert_error(f, gw_project_open(&p, &f->opts, f->ctx), code, message, hint);
	assert_null(p);
}

static void test_open_refuses_bad_options(void **state)
{
	fixture *f = *state;
	gw_project_options good = f->opts;

	f->opts.version = 7;
	assert_open_fails(f, GW_EINVALID, "unsupported gw_project_options version 7", NULL);
	/* Version 2's options, which end before config, still open. */
	f->opts.version = 2;
	f->opts.config = (const gw_config *)1;
	fx_open(f);
	assert_string_equal(gw_project_driver_name(f->p), "sqlite");
	f->opts = good;
	f->opts.table = "";
	assert_open_fails(f, GW_EINVALID, "history table name '' must be 1 to 63 bytes long", NULL);
	f->opts = good;
	f->opts.events_table = "e123456789012345678901234567890123456789012345678901234567890123";
	assert_open_fails(f, GW_EINVALID,
	                  "events table name "
	                  "'e123456789012345678901234567890123456789012345678901234567890123' must "
	                  "be 1 to 63 bytes long",
	                  NULL);
	f->opts = good;
	f->opts.schema = "";
	assert_open_fails(f, GW_EINVALID, "schema name '' must be 1 to 63 bytes long", NULL);
	f->opts = good;
	f->opts.url = "\"postgres://u:secret@db/app\"";
	assert_open_fails(f, GW_EINVALID,
	                  "the database URL \"postgres://u:****@db/app\" starts with a quote",
	                  "a quote is part of the value only when unbalanced: write url = "
	                  "\"postgres://...\" with both quotes, or none");
	f->opts.url = "postgres://u:p@ss@db/app";
	assert_open_fails(f, GW_EINVALID,
	                  "the database URL postgres://u:****@db/app has more than one '@' before "
	                  "its host",
	                  "percent-encode an '@' in the user name or password as %40");
	f->opts.url = "mysql://u:secret@db/app";
	assert_open_fails(f, GW_EINVALID,
	                  "unsupported database URL mysql://u:****@db/app; use postgres://, "
	                  "postgresql:// or sqlite:PATH",
	                  NULL);
}

static void test_url_driver_and_defaults(void **state)
{
	fixture *f = *state;
	char url[PATH_MAX + 32];

	assert_string_equal(gw_project_driver_name(f->p), "sqlite");
	assert_string_equal(gw_project_display_url(f->p), f->url);
	/* White space around a URL (a .env, a CI secret) is no part of it. */
	f->opts.url = "  postgresql://app:s3cret@db.example.com:5432/app?sslmode=require \n";
	fx_open(f);
	assert_string_equal(gw_project_driver_name(f->p), "postgres");
	assert_string_equal(gw_project_display_url(f->p),
	                    "postgresql://app:****@db.example.com:5432/app?sslmode=require");
	/* Without a URL: the environment's SQLite file in the project. */
	f->opts.url = NULL;
	f->opts.environment = "test";
	fx_open(f);
	snprintf(url, sizeof(url), "sqlite:%s/db/test.sqlite3", f->dir);
	assert_string_equal(gw_project_display_url(f->p), url);
	f->opts.url = "";
	f->opts.environment = NULL;
	fx_open(f);
	snprintf(url, sizeof(url), "sqlite:%s/db/development.sqlite3", f->dir);
	assert_string_equal(gw_project_display_url(f->p), url);
}

static void test_required_url_creates_nothing(void **state)
{
	fixture *f = *state;
	char path[PATH_MAX + 32];
	char hint[PATH_MAX + 128];
	struct stat sb;
	size_t n = 0;

	f->opts.url = NULL;
	f->opts.url_required = "no database URL for the production environment";
	fx_open(f);
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	snprintf(hint, sizeof(hint),
	         "the embedded SQLite default (sqlite:%s/db/development.sqlite3) is for "
	         "development; nothing was created; the url can also be given in "
	         "gw_project_options",
	         f->dir);
	fx_assert_error(f, gw_project_up(&n, f->p, NULL), GW_ECONFIG,
	                "no database URL for the production environment", hint);
	snprintf(path, sizeof(path), "%s/db/development.sqlite3", f->dir);
	assert_int_equal(stat(path, &sb), -1);
	/* A URL given makes the requirement moot. */
	f->opts.url = f->url;
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(n, 1);
}

static void test_create_drop_and_wait_for_sqlite(void **state)
{
	fixture *f = *state;
	char message[PATH_MAX + 64];
	const char *version = NULL;
	struct stat sb;

	/* In folders that do not exist yet. */
	snprintf(f->url, sizeof(f->url), "sqlite:%s/data/dev/app.sqlite3", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/data/dev/app.sqlite3", f->dir);
	fx_open(f);
	assert_int_equal(gw_project_wait(f->p, 1000), 0);
	assert_int_equal(gw_project_create_database(f->p), 0);
	assert_int_equal(stat(f->db, &sb), 0);
	fx_open(f);
	snprintf(message, sizeof(message), "database file %s already exists", f->db);
	fx_assert_error(f, gw_project_create_database(f->p), GW_ESTATE, message, NULL);
	assert_int_equal(gw_project_server_version(&version, f->p), 0);
	assert_string_equal(version, sqlite3_libversion());
	fx_open(f);
	assert_int_equal(gw_project_drop_database(f->p), 0);
	assert_int_equal(stat(f->db, &sb), -1);
	snprintf(message, sizeof(message), "database file %s does not exist", f->db);
	fx_assert_error(f, gw_project_drop_database(f->p), GW_ENODB, message, NULL);
}

static void test_format_of_the_folder(void **state)
{
	fixture *f = *state;
	gw_format format = GW_FORMAT_AUTO;

	assert_string_equal(gw_format_name(GW_FORMAT_GOLANG), "golang-migrate");
	assert_null(gw_format_name((gw_format)99));
	assert_int_equal(gw_format_parse(&format, "goose"), 0);
	assert_int_equal(format, GW_FORMAT_GOOSE);
	assert_int_equal(gw_format_parse(&format, "liquibase"), -1);
	/* An empty folder is native. */
	assert_int_equal(gw_project_format(&format, f->p), 0);
	assert_int_equal(format, GW_FORMAT_NATIVE);
	fx_write(f->migrations, "1_users.up.sql", "CREATE TABLE users (id int);\n");
	fx_write(f->migrations, "1_users.down.sql", "DROP TABLE users;\n");
	fx_open(f);
	assert_int_equal(gw_project_format(&format, f->p), 0);
	assert_int_equal(format, GW_FORMAT_GOLANG);
}

static void test_new_migration_in_the_folder_convention(void **state)
{
	fixture *f = *state;
	char *path = NULL;
	const char *base;
	FILE *fp;
	char text[256] = "";

	fx_assert_error(f, gw_project_new_migration(&path, f->p, "add users"), GW_EINVALID,
	                "migration name 'add users' may only use letters, digits, '_' and '-'",
	                NULL);
	assert_int_equal(gw_project_new_migration(&path, f->p, "add_users"), 0);
	/* VERSION_add_users.sql, a 14-digit UTC timestamp, in the folder. */
	assert_int_equal(strncmp(path, f->migrations, strlen(f->migrations)), 0);
	base = path + strlen(f->migrations) + 1;
	assert_int_equal(strspn(base, "0123456789"), 14);
	assert_string_equal(base + 14, "_add_users.sql");
	assert_non_null(fp = fopen(path, "r"));
	assert_true(fread(text, 1, sizeof(text) - 1, fp) > 0);
	fclose(fp);
	assert_non_null(strstr(text, "-- migrate:up\n"));
	assert_non_null(strstr(text, "-- migrate:down\n"));
	free(path);
	path = NULL;
	/* Written but not filled in, up refuses it. */
	fx_open(f);
	assert_int_equal(gw_project_up(NULL, f->p, NULL), GW_ESOURCE);
	gw_ctx_clear_error(f->ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_open_refuses_bad_options, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_url_driver_and_defaults, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_required_url_creates_nothing, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_create_drop_and_wait_for_sqlite, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_format_of_the_folder, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_new_migration_in_the_folder_convention, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
