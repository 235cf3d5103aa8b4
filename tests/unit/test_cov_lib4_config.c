/*
 * test_cov_lib4_config.c: godwit.conf and .env paths that no other test
 * takes (src/lib/config.c), each with its exact code and message:
 *  - godwit.conf a folder, or under a file; options of another version;
 *  - malformed ${...} in a value, ${VAR:-default} with VAR empty;
 *  - a .env value a setting refuses, the environment named in .env;
 *  - a ${VAR} whose value the setting refuses;
 *  - the accessors on NULL, a notify list shown masked item by item.
 */
#include "project_fixture.h"

#include "godwit/config.h"

static int setup(void **state)
{
	unsetenv("GODWIT_ENV");
	unsetenv("VERCEL_ENV");
	return fx_setup_named(state, "lib4-config");
}

/* Loads the project folder's configuration: the code, and the error's
 * message in *message (cleared). */
static int load(fixture *f, gw_config **cfg, char *message, size_t size)
{
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	int error;

	co.project_dir = f->dir;
	*cfg = NULL;
	error = gw_config_load(cfg, &co, f->ctx);
	snprintf(message, size, "%s", gw_ctx_error(f->ctx) ? gw_ctx_error(f->ctx)->message : "");
	gw_ctx_clear_error(f->ctx);
	return error;
}

/* The message expected, with $D for the project folder. */
static void assert_message(fixture *f, const char *got, const char *expected)
{
	char want[4096];
	const char *d = strstr(expected, "$D");

	if (d)
		snprintf(want, sizeof(want), "%.*s%s%s", (int)(d - expected), expected, f->dir,
		         d + 2);
	else
		snprintf(want, sizeof(want), "%s", expected);
	assert_string_equal(got, want);
}

/* godwit.conf that is a folder cannot be read; one under a file cannot
 * be opened: both say why, as I/O errors. */
static void test_unreadable_file(void **state)
{
	fixture *f = *state;
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;
	char msg[PATH_MAX * 3], path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/godwit.conf", f->dir);
	assert_int_equal(mkdir(path, 0700), 0);
	assert_int_equal(load(f, &cfg, msg, sizeof(msg)), GW_EIO);
	assert_null(cfg);
	assert_message(f, msg, "cannot read $D/godwit.conf: Is a directory");
	fx_write(f->dir, "plain", "");
	snprintf(path, sizeof(path), "%s/plain/godwit.conf", f->dir);
	co.file = path;
	snprintf(msg, sizeof(msg), "cannot read %s: Not a directory", path);
	fx_assert_error(f, gw_config_load(&cfg, &co, f->ctx), GW_EIO, msg, NULL);
	assert_null(cfg);
}

/* Options of another version are refused; no options are the defaults. */
static void test_options_version(void **state)
{
	fixture *f = *state;
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;

	co.version = 0;
	fx_assert_error(f, gw_config_load(&cfg, &co, f->ctx), GW_EINVALID,
	                "unsupported gw_config_options version 0", NULL);
	co.version = 99;
	fx_assert_error(f, gw_config_load(&cfg, &co, f->ctx), GW_EINVALID,
	                "unsupported gw_config_options version 99", NULL);
	assert_null(cfg);
	assert_null(gw_config_get(NULL, "url"));
	assert_null(gw_config_source(NULL, "url"));
	assert_null(gw_config_environment(NULL));
	assert_int_equal(gw_config_set(NULL, NULL, "x", NULL, f->ctx), GW_EINVALID);
	assert_true(!strncmp(gw_ctx_error(f->ctx)->message,
	                     "unknown setting '(null)'; the settings are ", 42));
	gw_ctx_clear_error(f->ctx);
}

/* A ${ that is not ${NAME} or ${NAME:-default} is refused at its line;
 * an empty variable takes the default. */
static void test_expansion(void **state)
{
	static const char *const malformed[] = {"url = ${1X}\n", "url = ${FOO\n", "url = ${}\n",
	                                        "url = ${A:-def\n"};
	fixture *f = *state;
	gw_config *cfg = NULL;
	char msg[4096];
	size_t i;

	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		fx_write(f->dir, "godwit.conf", malformed[i]);
		assert_int_equal(load(f, &cfg, msg, sizeof(msg)), GW_ECONFIG);
		assert_null(cfg);
		assert_message(
		        f, msg,
		        "$D/godwit.conf:1: malformed ${...} in the value of url; write ${NAME} "
		        "or ${NAME:-default}, or $${ for a literal ${");
	}
	setenv("GW_LIB4_EMPTY", "", 1);
	fx_write(f->dir, "godwit.conf", "# db\nurl = sqlite:${GW_LIB4_EMPTY:-x.db}\n");
	assert_int_equal(load(f, &cfg, msg, sizeof(msg)), 0);
	assert_string_equal(gw_config_get(cfg, "url"), "sqlite:x.db");
	assert_null(gw_config_get(cfg, NULL));
	assert_null(gw_config_source(cfg, NULL));
	gw_config_free(cfg);
	unsetenv("GW_LIB4_EMPTY");
}

/* .env: a value its setting refuses is an error at its line; the
 * environment may be named there. */
static void test_dotenv_values(void **state)
{
	fixture *f = *state;
	gw_config *cfg = NULL;
	char msg[4096];

	fx_write(f->dir, ".env", "# settings\nGODWIT_PLACEHOLDERS=perl\n");
	assert_int_equal(load(f, &cfg, msg, sizeof(msg)), GW_ECONFIG);
	assert_null(cfg);
	assert_message(
	        f, msg,
	        "$D/.env:2: GODWIT_PLACEHOLDERS must be one of flyway, psql, off, not 'perl'");
	fx_write(f->dir, ".env", "GODWIT_ENV=staging\n");
	assert_int_equal(load(f, &cfg, msg, sizeof(msg)), 0);
	assert_string_equal(gw_config_environment(cfg), "staging");
	snprintf(msg, sizeof(msg), "%s/.env:1", f->dir);
	assert_string_equal(gw_config_source(cfg, "environment"), msg);
	gw_config_free(cfg);
}

/* notify is shown item by item, each masked: a webhook's secret path
 * is not shown, the comma between items is kept. */
static void test_notify_shown_masked(void **state)
{
	fixture *f = *state;
	gw_config *cfg = NULL;
	char msg[4096], *shown;

	assert_int_equal(load(f, &cfg, msg, sizeof(msg)), 0);
	assert_int_equal(gw_config_set(cfg, "notify",
	                               "https://hooks.slack.com/services/T0/B0/secret,"
	                               "mailto:ops@example.com",
	                               NULL, f->ctx),
	                 0);
	shown = gw_config_display(cfg, "notify");
	assert_non_null(shown);
	assert_null(strstr(shown, "secret"));
	assert_non_null(strstr(shown, ",mailto:ops@example.com"));
	free(shown);
	gw_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_unreadable_file, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_options_version, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_expansion, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_dotenv_values, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_notify_shown_masked, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
