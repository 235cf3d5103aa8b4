/*
 * test_config.c: where settings come from (include/godwit/config.h).
 *
 * Each test runs in a fresh folder under GW_TEST_TMP with the godwit
 * variables cleared, so the precedence environment > .env > godwit.conf >
 * default can be checked one layer at a time. Command-line flags are the
 * CLI's business (the load's settings, or gw_config_set), tested here only
 * as those calls.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "godwit.h"
#include "godwit/config.h"
#include "util/str.h"

static const char *const managed_vars[] = {
        "DATABASE_URL",
        "GODWIT_URL",
        "GODWIT_DIR",
        "GODWIT_SCHEMA",
        "GODWIT_TABLE",
        "GODWIT_EVENTS_TABLE",
        "GODWIT_LOCK_WAIT",
        "GODWIT_SOURCE_FORMAT",
        "GODWIT_ENV",
        "VERCEL_ENV",
        "GW_TEST_PASSWORD",
        "GW_TEST_UNDEFINED",
        "GW_TEST_HOST",
        "POSTGRES_URL",
        "POSTGRES_URL_NON_POOLING",
        "DATABASE_URL_UNPOOLED",
        "DIRECT_URL",
        "CI",
        "GODWIT_ALLOW_OUT_OF_ORDER",
        "GODWIT_PROTECTED",
};
#define NVARS (sizeof(managed_vars) / sizeof(managed_vars[0]))

typedef struct {
	char *saved[NVARS];
	char oldcwd[4096];
	gw_ctx *ctx;
	gw_config *cfg;
} fixture;

static int counter;

static void make_dirs(const char *path)
{
	char buf[4096];
	char *p;

	snprintf(buf, sizeof(buf), "%s", path);
	for (p = buf + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		mkdir(buf, 0700);
		*p = '/';
	}
	mkdir(buf, 0700);
}

static int setup(void **state)
{
	fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("GW_TEST_TMP");
	char dir[4096];
	size_t i;

	assert_non_null(f);
	for (i = 0; i < NVARS; i++) {
		const char *v = getenv(managed_vars[i]);
		f->saved[i] = v ? strdup(v) : NULL;
		unsetenv(managed_vars[i]);
	}
	assert_non_null(getcwd(f->oldcwd, sizeof(f->oldcwd)));
	snprintf(dir, sizeof(dir), "%s/config/%ld-%d", tmp ? tmp : "/tmp/godwit-test",
	         (long)getpid(), ++counter);
	make_dirs(dir);
	assert_int_equal(chdir(dir), 0);
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;
	size_t i;

	for (i = 0; i < NVARS; i++) {
		if (f->saved[i])
			setenv(managed_vars[i], f->saved[i], 1);
		else
			unsetenv(managed_vars[i]);
		free(f->saved[i]);
	}
	unlink("godwit.conf");
	unlink(".env");
	unlink("other.conf");
	if (chdir(f->oldcwd) != 0)
		return -1;
	gw_config_free(f->cfg);
	gw_ctx_free(f->ctx);
	free(f);
	return 0;
}

static void write_file(const char *name, const char *text)
{
	FILE *fp = fopen(name, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) < 0, 0);
	assert_int_equal(fclose(fp), 0);
}

/* Loads with the given --env (NULL for none) into f->cfg. */
static int load_env(fixture *f, const char *environment)
{
	gw_config_options opts = GW_CONFIG_OPTIONS_INIT;

	gw_config_free(f->cfg);
	f->cfg = NULL;
	gw_ctx_clear_error(f->ctx);
	opts.environment = environment;
	return gw_config_load(&f->cfg, &opts, f->ctx);
}

static int load(fixture *f)
{
	return load_env(f, NULL);
}

static void assert_setting(fixture *f, const char *key, const char *value, const char *source)
{
	if (value)
		assert_string_equal(gw_config_get(f->cfg, key), value);
	else
		assert_null(gw_config_get(f->cfg, key));
	assert_string_equal(gw_config_source(f->cfg, key), source);
}

static void assert_error(fixture *f, int rc, int code, const char *message, const char *file,
                         int line)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	assert_int_equal(rc, code);
	assert_null(f->cfg);
	assert_non_null(e);
	assert_int_equal(e->code, code);
	assert_string_equal(e->message, message);
	assert_string_equal(e->file, file);
	assert_int_equal(e->line, line);
}

static void test_defaults(void **state)
{
	fixture *f = *state;

	assert_int_equal(load(f), 0);
	assert_setting(f, "url", NULL, "default");
	assert_setting(f, "dir", "db/migrations", "default");
	assert_setting(f, "source_format", "auto", "default");
	assert_setting(f, "lock_wait", "60", "default");
	assert_setting(f, "lock_timeout", "5s", "default");
	assert_setting(f, "statement_timeout", NULL, "default");
	assert_string_equal(gw_config_environment(f->cfg), "development");
	assert_setting(f, "environment", "development", "default");
	assert_null(gw_config_get(f->cfg, "nope"));
	assert_null(gw_config_source(f->cfg, "nope"));
}

static void test_precedence_env_dotenv_conf_default(void **state)
{
	fixture *f = *state;

	write_file("godwit.conf", "# project settings\nurl = postgres://conf/db\n");
	write_file(".env", "DATABASE_URL=postgres://dotenv/db\n");
	setenv("DATABASE_URL", "postgres://env/db", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://env/db", "env DATABASE_URL");

	unsetenv("DATABASE_URL");
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://dotenv/db", ".env:1");

	unlink(".env");
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://conf/db", "godwit.conf:2");

	unlink("godwit.conf");
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", NULL, "default");
}

static void test_godwit_url_beats_database_url(void **state)
{
	fixture *f = *state;

	setenv("DATABASE_URL", "postgres://generic/db", 1);
	setenv("GODWIT_URL", "postgres://specific/db", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://specific/db", "env GODWIT_URL");

	/* An empty variable counts as unset. */
	setenv("GODWIT_URL", "", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://generic/db", "env DATABASE_URL");
}

static void test_dotenv_syntax_and_real_env_wins(void **state)
{
	fixture *f = *state;

	write_file(".env", "# comment\n"
	                   "\n"
	                   "export GODWIT_DIR=\"sql/migrations\"\n"
	                   "GODWIT_SCHEMA='app' \n"
	                   "GODWIT_TABLE=history # trailing comment\n"
	                   "GODWIT_LOCK_WAIT=5\r\n");
	setenv("GODWIT_SCHEMA", "from_env", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "dir", "sql/migrations", ".env:3");
	assert_setting(f, "schema", "from_env", "env GODWIT_SCHEMA");
	assert_setting(f, "table", "history", ".env:5");
	assert_setting(f, "lock_wait", "5", ".env:6");

	write_file(".env", "GODWIT_DIR\n");
	assert_error(f, load(f), GW_ECONFIG, ".env:1: expected KEY=VALUE", ".env", 1);
}

static void test_env_section_overrides_top_level(void **state)
{
	fixture *f = *state;

	write_file("godwit.conf", "url = sqlite:db/dev.sqlite3\n"
	                          "dir = db/migrations\n"
	                          "\n"
	                          "[env.production]\n"
	                          "    url = postgres://prod/db\n"
	                          "    lock_wait = 10\n"
	                          "[env.test]\n"
	                          "url = sqlite:db/test.sqlite3\n");
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "sqlite:db/dev.sqlite3", "godwit.conf:1");
	assert_setting(f, "lock_wait", "60", "default");

	assert_int_equal(load_env(f, "production"), 0);
	assert_setting(f, "url", "postgres://prod/db", "godwit.conf:5 [env.production]");
	assert_setting(f, "dir", "db/migrations", "godwit.conf:2");
	assert_setting(f, "lock_wait", "10", "godwit.conf:6 [env.production]");
	assert_setting(f, "environment", "production", "option");

	assert_int_equal(load_env(f, "test"), 0);
	assert_setting(f, "url", "sqlite:db/test.sqlite3", "godwit.conf:8 [env.test]");
}

static void test_environment_selection(void **state)
{
	fixture *f = *state;

	setenv("VERCEL_ENV", "preview", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "environment", "preview", "env VERCEL_ENV");

	setenv("GODWIT_ENV", "staging", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "environment", "staging", "env GODWIT_ENV");

	assert_int_equal(load_env(f, "production"), 0);
	assert_setting(f, "environment", "production", "option");

	unsetenv("GODWIT_ENV");
	unsetenv("VERCEL_ENV");
	write_file(".env", "GODWIT_ENV=ci\n");
	assert_int_equal(load(f), 0);
	assert_setting(f, "environment", "ci", ".env:1");
}

static void test_var_expansion(void **state)
{
	fixture *f = *state;

	write_file("godwit.conf", "url = postgres://app:${GW_TEST_PASSWORD}@${GW_TEST_HOST}/db\n"
	                          "schema = ${GW_TEST_UNDEFINED:-public}\n"
	                          "table = cost$$5_$${literal}\n");
	write_file(".env", "GW_TEST_HOST=db.local\n");
	setenv("GW_TEST_PASSWORD", "s3cret$", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://app:s3cret$@db.local/db", "godwit.conf:1");
	assert_setting(f, "schema", "public", "godwit.conf:2");
	assert_setting(f, "table", "cost$$5_${literal}", "godwit.conf:3");
}

static void test_undefined_var_is_an_error(void **state)
{
	fixture *f = *state;

	write_file("godwit.conf", "dir = db/migrations\n"
	                          "url = postgres://app:${GW_TEST_UNDEFINED}@host/db\n");
	assert_error(f, load(f), GW_ECONFIG,
	             "godwit.conf:2: ${GW_TEST_UNDEFINED} is not defined; set GW_TEST_UNDEFINED "
	             "in the environment or in .env, or write ${GW_TEST_UNDEFINED:-default}",
	             "godwit.conf", 2);
}

static void test_undefined_var_of_another_environment_is_fine(void **state)
{
	fixture *f = *state;

	write_file("godwit.conf", "url = sqlite:db/dev.sqlite3\n"
	                          "[env.production]\n"
	                          "url = postgres://app:${GW_TEST_UNDEFINED}@host/db\n");
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "sqlite:db/dev.sqlite3", "godwit.conf:1");

	/* In the selected environment it is an error, even where a platform's
	 * DATABASE_URL is set: the user's url would win over it. */
	setenv("DATABASE_URL", "postgres://env/db", 1);
	assert_error(f, load_env(f, "production"), GW_ECONFIG,
	             "godwit.conf:3: ${GW_TEST_UNDEFINED} is not defined; set GW_TEST_UNDEFINED "
	             "in the environment or in .env, or write ${GW_TEST_UNDEFINED:-default}",
	             "godwit.conf", 3);
}

/* Vercel's Neon and Supabase integrations put a pooled URL in
 * DATABASE_URL or POSTGRES_URL and the direct one in another variable. */
static void test_direct_url_variables_first(void **state)
{
	fixture *f = *state;

	setenv("POSTGRES_URL", "postgres://pooled-pg/db", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://pooled-pg/db", "env POSTGRES_URL");
	setenv("DATABASE_URL", "postgres://pooled/db", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://pooled/db", "env DATABASE_URL");
	write_file(".env", "DIRECT_URL=postgres://prisma-direct/db\n");
	assert_int_equal(load(f), 0);
	/* .env never beats the real environment, whatever the variable. */
	assert_setting(f, "url", "postgres://pooled/db", "env DATABASE_URL");
	setenv("DIRECT_URL", "postgres://direct/db", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://direct/db", "env DIRECT_URL");
	setenv("DATABASE_URL_UNPOOLED", "postgres://neon-direct/db", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://neon-direct/db", "env DATABASE_URL_UNPOOLED");
	setenv("POSTGRES_URL_NON_POOLING", "postgres://vercel-direct/db", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://vercel-direct/db", "env POSTGRES_URL_NON_POOLING");
	setenv("GODWIT_URL", "postgres://godwit/db", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://godwit/db", "env GODWIT_URL");
}

/* A url the user wrote for the environment beats the platform's pooled
 * DATABASE_URL; a top-level url stays below the environment. */
static void test_env_section_url_beats_database_url(void **state)
{
	fixture *f = *state;

	setenv("GW_TEST_HOST", "direct.example", 1);
	setenv("DATABASE_URL", "postgres://pooled/db", 1);
	write_file("godwit.conf", "url = postgres://top/db\n"
	                          "[env.production]\n"
	                          "url = postgres://${GW_TEST_HOST}/db\n");
	assert_int_equal(load(f), 0);
	assert_setting(f, "url", "postgres://pooled/db", "env DATABASE_URL");
	assert_int_equal(load_env(f, "production"), 0);
	assert_setting(f, "url", "postgres://direct.example/db", "godwit.conf:3 [env.production]");
	setenv("DIRECT_URL", "postgres://direct-var/db", 1);
	assert_int_equal(load_env(f, "production"), 0);
	assert_setting(f, "url", "postgres://direct.example/db", "godwit.conf:3 [env.production]");
	setenv("GODWIT_URL", "postgres://godwit/db", 1);
	assert_int_equal(load_env(f, "production"), 0);
	assert_setting(f, "url", "postgres://godwit/db", "env GODWIT_URL");
	/* An empty expansion leaves the url to the variables. */
	unsetenv("GODWIT_URL");
	write_file("godwit.conf", "[env.production]\nurl = ${GW_TEST_UNDEFINED:-}\n");
	assert_int_equal(load_env(f, "production"), 0);
	assert_setting(f, "url", "postgres://direct-var/db", "env DIRECT_URL");
}

/* The embedded SQLite default is for development: a protected
 * environment, or CI, must name its database. */
static void test_url_required_in_protected_and_ci(void **state)
{
	fixture *f = *state;
	gw_project_options popts = {.version = GW_PROJECT_OPTIONS_VERSION};
	const char *looked_for = "; set GODWIT_URL, POSTGRES_URL_NON_POOLING, "
	                         "DATABASE_URL_UNPOOLED, DIRECT_URL, DATABASE_URL or "
	                         "POSTGRES_URL (in the environment or .env), or url in "
	                         "godwit.conf";
	gw_str expect = GW_STR_INIT;

	assert_int_equal(load(f), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_null(popts.url_required);

	assert_int_equal(load_env(f, "production"), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	gw_str_printf(&expect, "no database URL for the protected environment production%s",
	              looked_for);
	assert_string_equal(popts.url_required, expect.ptr);

	setenv("CI", "true", 1);
	assert_int_equal(load(f), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	gw_str_clear(&expect);
	gw_str_printf(&expect, "no database URL, and CI is set%s", looked_for);
	assert_string_equal(popts.url_required, expect.ptr);
	setenv("CI", "false", 1);
	assert_int_equal(load(f), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_null(popts.url_required);

	/* protected = false makes production an ordinary environment. */
	assert_int_equal(load_env(f, "production"), 0);
	assert_int_equal(gw_config_set(f->cfg, "protected", "false", "test", f->ctx), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_null(popts.url_required);
	gw_str_dispose(&expect);
}

static void test_allow_out_of_order_key(void **state)
{
	fixture *f = *state;
	gw_project_options popts = {.version = GW_PROJECT_OPTIONS_VERSION};

	assert_int_equal(load(f), 0);
	assert_setting(f, "allow_out_of_order", "false", "default");
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_int_equal(popts.allow_out_of_order, 0);

	write_file("godwit.conf", "allow_out_of_order = true\n");
	assert_int_equal(load(f), 0);
	assert_setting(f, "allow_out_of_order", "true", "godwit.conf:1");
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_int_equal(popts.allow_out_of_order, 1);

	setenv("GODWIT_ALLOW_OUT_OF_ORDER", "false", 1);
	assert_int_equal(load(f), 0);
	assert_setting(f, "allow_out_of_order", "false", "env GODWIT_ALLOW_OUT_OF_ORDER");
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_int_equal(popts.allow_out_of_order, 0);

	setenv("GODWIT_ALLOW_OUT_OF_ORDER", "yes", 1);
	assert_error(f, load(f), GW_ECONFIG,
	             "GODWIT_ALLOW_OUT_OF_ORDER must be true or false, not 'yes'", "", 0);
}

static void test_unknown_key(void **state)
{
	fixture *f = *state;

	const char *const *k;
	gw_str expect = GW_STR_INIT;

	write_file("godwit.conf", "url = sqlite:x.db\n"
	                          "[env.production]\n"
	                          "password = hunter2\n");
	/* The message lists every key the loader accepts. */
	gw_str_puts(&expect, "godwit.conf:3: unknown key 'password'; the keys are ");
	for (k = gw_config_keys(); *k; k++)
		gw_str_printf(&expect, "%s%s", k == gw_config_keys() ? "" : ", ", *k);
	assert_non_null(strstr(expect.ptr, "url, dir, source_format, schema, table, events_table, "
	                                   "lock_wait, lock_timeout"));
	assert_non_null(strstr(expect.ptr, ", backup_keep"));
	assert_error(f, load(f), GW_ECONFIG, expect.ptr, "godwit.conf", 3);
	gw_str_dispose(&expect);
}

static void test_unknown_section(void **state)
{
	fixture *f = *state;

	write_file("godwit.conf", "[production]\nurl = postgres://prod/db\n");
	assert_error(f, load(f), GW_ECONFIG,
	             "godwit.conf:2: unknown section [production]; settings for one environment "
	             "go in a [env.NAME] section, values of ${NAME} in migrations in "
	             "[placeholders]",
	             "godwit.conf", 2);
}

static void test_bad_lock_wait(void **state)
{
	fixture *f = *state;

	write_file("godwit.conf", "[env.other]\nlock_wait = 1.5\n");
	assert_error(f, load(f), GW_ECONFIG,
	             "godwit.conf:2: lock_wait must be a whole number of seconds, 0 or more, not "
	             "'1.5'",
	             "godwit.conf", 2);

	unlink("godwit.conf");
	setenv("GODWIT_LOCK_WAIT", "-3", 1);
	assert_error(f, load(f), GW_ECONFIG,
	             "GODWIT_LOCK_WAIT must be a whole number of seconds, 0 or more, not '-3'", "",
	             0);
}

static void test_syntax_duplicate_and_long_lines(void **state)
{
	fixture *f = *state;
	char line[400];

	write_file("godwit.conf", "url = a\nthis is not a setting\n");
	assert_error(f, load(f), GW_ECONFIG,
	             "godwit.conf:2: cannot read this line; write key = value, [env.NAME] or a "
	             "# comment",
	             "godwit.conf", 2);

	write_file("godwit.conf", "url = a\n\nurl = b\n");
	assert_error(f, load(f), GW_ECONFIG,
	             "godwit.conf:3: url is already set on line 1; keep one of the two",
	             "godwit.conf", 3);

	memset(line, 'x', sizeof(line));
	memcpy(line, "url = ", 6);
	line[sizeof(line) - 1] = '\0';
	write_file("godwit.conf", line);
	assert_error(f, load(f), GW_ECONFIG,
	             "godwit.conf:1: line too long; put long values in the environment or .env "
	             "and write url = ${DATABASE_URL}",
	             "godwit.conf", 1);
}

static void test_explicit_config_file(void **state)
{
	fixture *f = *state;
	gw_config_options opts = GW_CONFIG_OPTIONS_INIT;

	opts.file = "missing.conf";
	assert_error(f, gw_config_load(&f->cfg, &opts, f->ctx), GW_ECONFIG,
	             "config file missing.conf does not exist", "", 0);
	/* The library's hint names the option field, never a CLI flag. */
	assert_int_equal(gw_ctx_error(f->ctx)->hint_code, GW_HINT_CONFIG_FILE);
	assert_string_equal(gw_ctx_error(f->ctx)->hint,
	                    "check the project file's name (gw_config_options' file)");

	write_file("other.conf", "dir = elsewhere\n");
	gw_ctx_clear_error(f->ctx);
	opts.file = "other.conf";
	assert_int_equal(gw_config_load(&f->cfg, &opts, f->ctx), 0);
	assert_setting(f, "dir", "elsewhere", "other.conf:1");
}

static void test_set_and_project_options(void **state)
{
	fixture *f = *state;
	gw_project_options popts = {.version = GW_PROJECT_OPTIONS_VERSION};

	write_file("godwit.conf", "url = postgres://conf/db\nlock_wait = 0\ntable = t\n");
	assert_int_equal(load(f), 0);
	assert_int_equal(gw_config_set(f->cfg, "url", "sqlite:flag.db", "--url", f->ctx), 0);
	assert_setting(f, "url", "sqlite:flag.db", "--url");
	assert_int_equal(gw_config_set(f->cfg, "lock_wait", "soon", "--lock-wait", f->ctx),
	                 GW_EINVALID);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "--lock-wait must be a whole number of seconds, 0 or more, not 'soon'");
	assert_setting(f, "lock_wait", "0", "godwit.conf:2");

	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_string_equal(popts.url, "sqlite:flag.db");
	assert_string_equal(popts.dir, "db/migrations");
	assert_string_equal(popts.table, "t");
	assert_null(popts.schema);
	assert_string_equal(popts.environment, "development");
	assert_int_equal(popts.format, GW_FORMAT_AUTO);
	assert_int_equal(popts.lock.wait_ms, GW_OPTION_OFF); /* 0 s: do not wait */
	/* The settings without a field come from the config itself. */
	assert_ptr_equal(popts.config, f->cfg);

	assert_int_equal(gw_config_set(f->cfg, "lock_wait", "7", "--lock-wait", f->ctx), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_int_equal(popts.lock.wait_ms, 7000);
}

/* The settings the load is given sit over every other source, and a dir
 * among them is known before another tool's folder is looked for: two
 * tools' folders here are no question then. */
static void test_given_settings(void **state)
{
	fixture *f = *state;
	gw_config_options opts = GW_CONFIG_OPTIONS_INIT;
	gw_project_options popts = {.version = GW_PROJECT_OPTIONS_VERSION};
	gw_config_setting given[] = {{"dir", "drizzle", "--dir"},
	                             {"lock_wait", "7", "--lock-wait"},
	                             {"url", "sqlite:flag.db", NULL}};

	make_dirs("prisma/migrations");
	make_dirs("drizzle/meta");
	write_file("drizzle/meta/_journal.json", "{\"entries\": []}\n");
	write_file("godwit.conf", "lock_wait = 0\n");
	setenv("GODWIT_URL", "postgres://env/db", 1);
	assert_int_equal(load(f), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), GW_ECONFIG);
	assert_non_null(strstr(gw_ctx_error(f->ctx)->message, "more than one tool's folder"));

	gw_config_free(f->cfg);
	f->cfg = NULL;
	gw_ctx_clear_error(f->ctx);
	opts.settings = given;
	opts.nsettings = 3;
	assert_int_equal(gw_config_load(&f->cfg, &opts, f->ctx), 0);
	assert_setting(f, "dir", "drizzle", "--dir");
	assert_setting(f, "lock_wait", "7", "--lock-wait");
	assert_setting(f, "url", "sqlite:flag.db", "set");
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_string_equal(popts.dir, "drizzle");

	/* A bad value fails the load as gw_config_set fails. */
	gw_config_free(f->cfg);
	f->cfg = NULL;
	given[1].value = "soon";
	assert_int_equal(gw_config_load(&f->cfg, &opts, f->ctx), GW_EINVALID);
	assert_null(f->cfg);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "--lock-wait must be a whole number of seconds, 0 or more, not 'soon'");

	/* Options of version 2 have no settings: the folders are a question
	 * again. */
	gw_ctx_clear_error(f->ctx);
	opts.version = 2;
	assert_int_equal(gw_config_load(&f->cfg, &opts, f->ctx), 0);
	assert_setting(f, "lock_wait", "0", "godwit.conf:1");
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), GW_ECONFIG);
	unlink("drizzle/meta/_journal.json");
	rmdir("drizzle/meta");
	rmdir("drizzle");
	rmdir("prisma/migrations");
	rmdir("prisma");
}

/* Each setting lands parsed in its group, with one meaning for 0 (unset:
 * the default) and GW_OPTION_OFF (a limit of 0). */
static void test_option_groups(void **state)
{
	fixture *f = *state;
	gw_project_options popts = {.version = GW_PROJECT_OPTIONS_VERSION};
	gw_project *p = NULL;

	assert_int_equal(load(f), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_int_equal(popts.lock.wait_ms, 60000);
	assert_int_equal(popts.lock.table, 0);
	assert_int_equal(popts.lock.lease_ms, 60000);
	assert_int_equal(popts.timeouts.lock_ms, 5000);
	assert_int_equal(popts.timeouts.statement_ms, 0);
	assert_int_equal(popts.timeouts.retries, 5);
	assert_int_equal(popts.timeouts.connect_retries, 3);
	assert_int_equal(popts.preflight.mode, GW_PREFLIGHT_ABORT);
	assert_int_equal(popts.preflight.wait_ms, 60000);
	assert_int_equal(popts.preflight.max_connections, 0);
	assert_null(popts.preflight.min_server_version);
	assert_int_equal(popts.backup.before_changes, 0);
	assert_int_equal(popts.backup.keep, 10);
	assert_null(popts.backup.dir);

	write_file("godwit.conf", "lock = table\nlock_lease = 2min\nlock_timeout = 0\n"
	                          "statement_timeout = 1500ms\nretries = 0\npreflight = warn\n"
	                          "max_connections = 90\nmin_server_version = 13\n"
	                          "backup = true\nbackup_dir = bk\nbackup_keep = 3\n"
	                          "source_format = flyway\ndialect = sqlite\n");
	assert_int_equal(load(f), 0);
	assert_int_equal(gw_config_project_options(&popts, f->cfg, f->ctx), 0);
	assert_int_equal(popts.lock.table, 1);
	assert_int_equal(popts.lock.lease_ms, 120000);
	assert_int_equal(popts.timeouts.lock_ms, GW_OPTION_OFF);
	assert_int_equal(popts.timeouts.statement_ms, 1500);
	assert_int_equal(popts.timeouts.retries, GW_OPTION_OFF);
	assert_int_equal(popts.preflight.mode, GW_PREFLIGHT_WARN);
	assert_int_equal(popts.preflight.max_connections, 90);
	assert_string_equal(popts.preflight.min_server_version, "13");
	assert_int_equal(popts.backup.before_changes, 1);
	assert_string_equal(popts.backup.dir, "bk");
	assert_int_equal(popts.backup.keep, 3);
	assert_int_equal(popts.format, GW_FORMAT_FLYWAY);
	assert_string_equal(popts.sql_dialect, "sqlite");

	/* Options of the first layout are refused, not misread. */
	popts.version = 1;
	assert_int_equal(gw_project_open(&p, &popts, f->ctx), GW_EINVALID);
	assert_null(p);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "unsupported gw_project_options version 1");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_defaults, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_precedence_env_dotenv_conf_default, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_godwit_url_beats_database_url, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_dotenv_syntax_and_real_env_wins, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_env_section_overrides_top_level, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_environment_selection, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_var_expansion, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_undefined_var_is_an_error, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_undefined_var_of_another_environment_is_fine,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_direct_url_variables_first, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_env_section_url_beats_database_url, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_url_required_in_protected_and_ci, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_allow_out_of_order_key, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unknown_key, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_unknown_section, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_bad_lock_wait, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_syntax_duplicate_and_long_lines, setup,
	                                        teardown),
	        cmocka_unit_test_setup_teardown(test_explicit_config_file, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_set_and_project_options, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_option_groups, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_given_settings, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
