/*
 * test_convention_added.c: adding a folder convention is one file and one
 * line of src/lib/source/conventions.def. This binary is the library with
 * exactly that change: its registry (src/lib/format.c) is built on
 * heron.def, the real list plus GW_CONVENTION(heron), and heron.c is the
 * new file. Nothing else of the library is built again or told about
 * heron, yet its folders are detected, loaded, applied, reverted and
 * written by `new`, and the API knows it by its name.
 */
#include "../project_fixture.h"

#include "lib/source/conventions.h"

static int setup(void **state)
{
	return fx_setup_named(state, "convention");
}

static void heron_folder(fixture *f)
{
	fx_write(f->migrations, "h0001_users.sql", "CREATE TABLE users (id integer);\n");
	fx_write(f->migrations, "h0001_users.undo.sql", "DROP TABLE users;\n");
	fx_write(f->migrations, "h0002_posts.sql", "CREATE TABLE posts (id integer);\n");
	fx_write(f->migrations, "h0002_posts.undo.sql", "DROP TABLE posts;\n");
	fx_open(f);
}

/* The list's place is the value; the public ones keep theirs. */
static void test_registry_knows_it_by_name(void **state)
{
	const gw_convention *const *conv;
	gw_format format = GW_FORMAT_AUTO;
	int i = 1;

	(void)state;
	assert_int_equal(gw_format_parse(&format, "heron"), 0);
	assert_int_equal(format, GW_CONV(heron));
	assert_int_equal(format, GW_FORMAT_SQITCH + 1);
	assert_string_equal(gw_format_name(format), "heron");
	assert_null(gw_format_name((gw_format)GW_CONV_END));
	assert_string_equal(gw_format_name(GW_FORMAT_NATIVE), "native");
	assert_string_equal(gw_format_name(GW_FORMAT_SQITCH), "sqitch");
	for (conv = gw_conventions(); *conv; conv++, i++)
		assert_int_equal((*conv)->format, i);
	assert_int_equal(i, GW_CONV_END);
}

static void test_detected_applied_and_reverted(void **state)
{
	fixture *f = *state;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	gw_format format = GW_FORMAT_AUTO;
	gw_status *st = NULL;
	size_t n = 0;

	heron_folder(f);
	assert_int_equal(gw_project_format(&format, f->p), 0);
	assert_string_equal(gw_format_name(format), "heron");
	assert_int_equal(gw_project_status(&st, f->p), 0);
	assert_int_equal(gw_status_count(st), 2);
	assert_string_equal(gw_status_get(st, 0)->version, "0001");
	assert_string_equal(gw_status_get(st, 1)->version, "0002");
	assert_int_equal(gw_status_count_state(st, GW_STATE_PENDING), 2);
	gw_status_free(st);

	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(n, 2);
	fx_assert_query(f, "SELECT version, state FROM godwit_migrations ORDER BY version",
	                "0001|applied\n0002|applied\n");
	fx_assert_query(f,
	                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
	                "('users', 'posts') ORDER BY name",
	                "posts\nusers\n");

	/* The down is heron's .undo.sql file. */
	assert_int_equal(gw_project_down(&n, f->p, &down), 0);
	assert_int_equal(n, 1);
	fx_assert_query(f, "SELECT version FROM godwit_migrations ORDER BY version", "0001\n");
	fx_assert_query(f,
	                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN "
	                "('users', 'posts') ORDER BY name",
	                "users\n");
}

/* Forced by name, as source_format and --source-format give it. */
static void test_forced_by_name(void **state)
{
	fixture *f = *state;
	char msg[PATH_MAX * 2];

	heron_folder(f);
	assert_int_equal(gw_format_parse(&f->opts.format, "heron"), 0);
	fx_open(f);
	assert_int_equal(gw_project_up(NULL, f->p, NULL), 0);
	fx_assert_query(f, "SELECT count(*) FROM godwit_migrations", "2\n");

	/* Another convention forced on a heron folder names heron. */
	f->opts.format = GW_FORMAT_GOLANG;
	fx_open(f);
	snprintf(msg, sizeof(msg),
	         "%s/h0001_users.sql: does not follow the golang-migrate convention (it looks "
	         "like heron); expected e.g. 1_create_users.up.sql",
	         f->migrations);
	fx_assert_error(f, gw_project_up(NULL, f->p, NULL), GW_ESOURCE, msg, NULL);
}

/* A heron file next to another convention's is refused, nothing applied. */
static void test_mixed_with_native(void **state)
{
	fixture *f = *state;
	char msg[PATH_MAX * 2];

	heron_folder(f);
	fx_migration(f, "20240101000000_tags.sql", "CREATE TABLE tags (id integer);", NULL);
	fx_open(f);
	snprintf(msg, sizeof(msg),
	         "%s mixes conventions: 20240101000000_tags.sql (native), h0001_users.sql (heron)",
	         f->migrations);
	fx_assert_error(f, gw_project_up(NULL, f->p, NULL), GW_ESOURCE, msg,
	                "keep one convention per folder, or set source_format");
	assert_int_equal(access(f->db, F_OK), -1); /* not even created */
}

/* `new` writes heron's two files. */
static void test_new_migration(void **state)
{
	fixture *f = *state;
	char undo[PATH_MAX * 2];
	char *path = NULL;
	const char *base;
	gw_status *st = NULL;
	size_t len;

	heron_folder(f);
	assert_int_equal(gw_project_new_migration(&path, f->p, "tags"), 0);
	base = strrchr(path, '/') + 1;
	len = strlen(base);
	assert_int_equal(base[0], 'h');
	assert_true(len > 9 && !strcmp(base + len - 9, "_tags.sql"));
	snprintf(undo, sizeof(undo), "%.*s.undo.sql", (int)(strlen(path) - 4), path);
	assert_int_equal(access(undo, F_OK), 0);
	free(path);
	fx_open(f);
	assert_int_equal(gw_project_status(&st, f->p), 0);
	assert_int_equal(gw_status_count(st), 3);
	assert_non_null(strstr(gw_status_get(st, 2)->file, "_tags.sql"));
	gw_status_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_registry_knows_it_by_name),
	        cmocka_unit_test_setup_teardown(test_detected_applied_and_reverted, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_forced_by_name, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_mixed_with_native, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_new_migration, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
