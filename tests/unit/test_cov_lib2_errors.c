/*
 * test_cov_lib2_errors.c: error paths of the library that no other test
 * takes, each with its exact code and message, and nothing changed:
 *  - a .env file over the size an env file may have;
 *  - a journal of drizzle-kit that is not JSON, or has no entries, when
 *    a new migration is added: the error names the file, and neither
 *    the journal nor the folder changes;
 *  - a targets file with a ${ left open, an unset variable, a name given
 *    twice, and a target added twice: the fleet keeps what it had.
 */
#include "project_fixture.h"

#include "godwit/config.h"
#include "godwit/fleet.h"

static int setup(void **state)
{
	return fx_setup_named(state, "lib2-errors");
}

/* An env file holds variables: over 1 MiB, it is refused as such (and
 * not as "out of memory", which it is not). */
static void test_env_file_too_big(void **state)
{
	fixture *f = *state;
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;
	char path[PATH_MAX * 2], message[PATH_MAX * 2 + 64];
	FILE *fp;
	size_t i;

	snprintf(path, sizeof(path), "%s/.env", f->dir);
	assert_non_null(fp = fopen(path, "w"));
	for (i = 0; i < 70000; i++)
		fputs("# padding line\n", fp);
	assert_int_equal(fclose(fp), 0);
	co.project_dir = f->dir;
	snprintf(message, sizeof(message), "cannot read %s: over 1048576 bytes", path);
	fx_assert_error(f, gw_config_load(&cfg, &co, f->ctx), GW_EIO, message, NULL);
	assert_null(cfg);
}

static void write_journal(fixture *f, const char *text)
{
	char meta[PATH_MAX + 16];

	snprintf(meta, sizeof(meta), "%s/meta", f->migrations);
	fx_mkdirs(meta);
	fx_write(meta, "_journal.json", text);
}

static void read_back(fixture *f, const char *name, char *out, size_t size)
{
	char path[PATH_MAX * 2];
	FILE *fp;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", f->migrations, name);
	assert_non_null(fp = fopen(path, "r"));
	n = fread(out, 1, size - 1, fp);
	out[n] = '\0';
	fclose(fp);
}

/* A journal that is not JSON stops the project from loading, at the
 * line and column jansson found; the same twice is the same error. */
static void test_drizzle_journal_not_json(void **state)
{
	fixture *f = *state;
	gw_status *st = NULL;
	char message[PATH_MAX * 2 + 128];

	write_journal(f, "{\n  \"entries\": [,]\n}\n");
	fx_write(f->migrations, "0000_a.sql", "CREATE TABLE a (id int);\n");
	fx_open(f);
	snprintf(message, sizeof(message),
	         "%s/meta/_journal.json:2:15: not valid JSON: unexpected token near ','",
	         f->migrations);
	fx_assert_error(f, gw_project_status(&st, f->p), GW_ESOURCE, message, NULL);
	fx_assert_error(f, gw_project_status(&st, f->p), GW_ESOURCE, message, NULL);
	assert_null(st);
}

/* A journal without entries[] names no migration: `new` cannot add one
 * to it, says so, and leaves no file behind. */
static void test_drizzle_new_without_entries(void **state)
{
	fixture *f = *state;
	char *path = NULL, text[256], message[PATH_MAX * 2 + 128];
	static const char journal[] = "{\n  \"version\": \"7\",\n  \"dialect\": \"sqlite\"\n}\n";

	write_journal(f, journal);
	fx_open(f);
	snprintf(message, sizeof(message),
	         "%s/meta/_journal.json: has no \"entries\" array to add 0000_second to",
	         f->migrations);
	fx_assert_error(f, gw_project_new_migration(&path, f->p, "second"), GW_ESOURCE, message,
	                NULL);
	assert_null(path);
	read_back(f, "meta/_journal.json", text, sizeof(text));
	assert_string_equal(text, journal);
	assert_int_equal(access("0000_second.sql", F_OK), -1);
	snprintf(message, sizeof(message), "%s/0000_second.sql", f->migrations);
	assert_int_equal(access(message, F_OK), -1);
}

static void expect_fleet_error(fixture *f, const char *text, const char *message)
{
	gw_fleet *fl = NULL;

	assert_int_equal(gw_fleet_new(&fl, f->ctx), 0);
	fx_assert_error(f, gw_fleet_parse(fl, text, strlen(text), "targets.txt"), GW_EINVALID,
	                message, NULL);
	gw_fleet_free(fl);
}

static void test_fleet_targets_refused(void **state)
{
	fixture *f = *state;
	gw_fleet *fl = NULL;

	unsetenv("GW_LIB2_UNSET");
	expect_fleet_error(f, "a=sqlite:a.db\nb=sqlite:${HOME/b.db\n",
	                   "targets.txt:2: '${' without its '}'; write ${NAME}");
	expect_fleet_error(f, "# one\n\nsqlite:${GW_LIB2_UNSET}/x.db\n",
	                   "targets.txt:3: the variable GW_LIB2_UNSET is not set; set it, or "
	                   "write the value in the file");
	expect_fleet_error(f, "a=sqlite:a.db\na=sqlite:b.db\n",
	                   "targets.txt:2: the target name 'a' is already on line 1; name one "
	                   "of them (NAME=URL)");
	/* The same file twice, unnamed, is the same name. */
	assert_int_equal(gw_fleet_new(&fl, f->ctx), 0);
	assert_int_equal(gw_fleet_add(fl, NULL, "sqlite:one.db"), 0);
	fx_assert_error(f, gw_fleet_add(fl, NULL, "sqlite:one.db"), GW_EINVALID,
	                "two targets are named 'one.db'; name one of them", NULL);
	assert_int_equal(gw_fleet_count(fl), 1);
	assert_string_equal(gw_fleet_get(fl, 0)->host, "sqlite:one.db");
	gw_fleet_free(fl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_env_file_too_big, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_drizzle_journal_not_json, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_drizzle_new_without_entries, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_fleet_targets_refused, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
