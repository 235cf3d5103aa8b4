/*
 * test_cov_lib2_settings.c: the values a setting refuses, and .env files
 * read the way a shell that sources them would, each refusal with its
 * exact code and message:
 *  - gw_config_set: an unknown key, no value, and for each kind of
 *    setting (durations, seconds, counts, numbers, choices) the values
 *    just past what it takes, and the spellings it does take;
 *  - gw_dotenv_load: quotes and their escapes, export, comments, and the
 *    lines it refuses at their line number; a file named but missing; a
 *    folder where a file should be.
 */
#include "project_fixture.h"

#include "godwit/config.h"
#include "lib/dotenv.h"

static int setup(void **state)
{
	return fx_setup_named(state, "lib2-settings");
}

typedef struct {
	const char *key, *value, *rule; /* rule NULL: the value is taken */
} case_t;

#define DURATION "a duration such as 500ms, 5s or 1min (0: no limit)"
#define SECONDS  "a whole number of seconds, 0 or more"

static const case_t cases[] = {
        {"lock_timeout", "500ms", NULL},
        {"lock_timeout", "2min", NULL},
        {"lock_timeout", "0", NULL},
        {"lock_timeout", "5h", DURATION},
        {"lock_timeout", "-1s", DURATION},
        {"lock_timeout", "", NULL},
        /* Milliseconds must fit an int. */
        {"lock_timeout", "99999999999ms", DURATION},
        {"lock_timeout", "3000000min", DURATION},
        {"lock_wait", "2147484", SECONDS},
        {"lock_wait", "12s", SECONDS},
        {"lock_wait", "2147483", NULL},
        {"jobs", "x", "a whole number from 1 to 100"},
        {"integrity_sample", "1000001", "a whole number (0: every row)"},
        {"integrity_sample", "7e", "a whole number (0: every row)"},
        {"retries", "101", "a whole number from 0 to 100"},
        {"placeholders", "perl", "one of flyway, psql, off"},
        {"placeholders", "psql", NULL},
        {"placeholders", "off", NULL},
        {"block", "fatal", "one of error, warning, off"},
        {"block", "warning", NULL},
        {"after_up", "party", "none or health"},
        {"after_up", "health", NULL},
        {"on_check_failure", "shrug", "one of fail, rollback, warn"},
        {"on_check_failure", "warn", NULL},
        {"preflight", "maybe", "one of abort, wait, warn, off"},
        {"preflight", "off", NULL},
        {"lock", "mutex", "advisory or table"},
        {"lock", "table", NULL},
        {"source_format", "liquibase",
         "one of auto, native, golang-migrate, pairs, dated, flyway, goose, diesel, prisma, "
         "drizzle, multi-dialect, sqitch"},
        {"source_format", "goose", NULL},
        {"dialect", "mysql", "one of postgres, sqlite, citus, cockroachdb, yugabyte"},
        {"dialect", "sqlite", NULL},
};

/* Each value is refused with its rule, or taken and read back. */
static void test_config_set_values(void **state)
{
	fixture *f = *state;
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_project_options po = GW_PROJECT_OPTIONS_INIT;
	gw_config *cfg = NULL;
	char message[512];
	size_t i;
	int error;

	co.project_dir = f->dir;
	assert_int_equal(gw_config_load(&cfg, &co, f->ctx), 0);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const case_t *c = &cases[i];

		error = gw_config_set(cfg, c->key, c->value, "--flag", f->ctx);
		if (!*c->value) {
			fx_assert_error(f, error, GW_EINVALID, "--flag needs a value", NULL);
			continue;
		}
		if (!c->rule) {
			if (error < 0)
				fail_msg("%s = %s: %s", c->key, c->value,
				         gw_ctx_error(f->ctx)->message);
			assert_string_equal(gw_config_get(cfg, c->key), c->value);
			assert_string_equal(gw_config_source(cfg, c->key), "--flag");
			continue;
		}
		if (error == 0)
			fail_msg("%s = %s was taken", c->key, c->value);
		snprintf(message, sizeof(message), "--flag must be %s, not '%s'", c->rule,
		         c->value);
		fx_assert_error(f, error, GW_EINVALID, message, NULL);
	}
	/* The last value taken of each is what a project gets. */
	assert_int_equal(gw_config_project_options(&po, cfg, f->ctx), 0);
	assert_int_equal(po.timeouts.lock_ms, GW_OPTION_OFF);
	assert_int_equal(po.lock.wait_ms, 2147483000);
	assert_int_equal(po.lock.table, 1);
	assert_int_equal(po.preflight.mode, GW_PREFLIGHT_OFF);
	assert_int_equal(po.format, GW_FORMAT_GOOSE);
	assert_string_equal(po.sql_dialect, "sqlite");
	/* Without a source, the call is named "set". */
	fx_assert_error(f, gw_config_set(cfg, "jobs", NULL, NULL, f->ctx), GW_EINVALID,
	                "set needs a value", NULL);
	gw_config_free(cfg);
}

static void test_config_set_unknown_key(void **state)
{
	fixture *f = *state;
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;
	const gw_error *e;

	co.project_dir = f->dir;
	assert_int_equal(gw_config_load(&cfg, &co, f->ctx), 0);
	assert_int_equal(gw_config_set(cfg, "lock_timeuot", "5s", "--x", f->ctx), GW_EINVALID);
	e = gw_ctx_error(f->ctx);
	assert_int_equal(e->code, GW_EINVALID);
	/* The list is gw_config_keys(), in its order. */
	assert_string_equal(e->message + strlen(e->message) - strlen(", targets_query"),
	                    ", targets_query");
	assert_non_null(strstr(e->message, "unknown setting 'lock_timeuot'; the settings are "));
	assert_non_null(strstr(e->message, ", lock_timeout, "));
	gw_ctx_clear_error(f->ctx);
	assert_null(gw_config_get(cfg, "lock_timeuot"));
	gw_config_free(cfg);
}

/* godwit.conf's refusals, each at its line: a value that is only bad
 * once its ${VAR} is replaced, and [placeholders] lines. */
static void expect_conf_error(fixture *f, const char *conf, const char *env, const char *what)
{
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;
	char path[PATH_MAX * 2], message[PATH_MAX * 2 + 256];

	fx_write(f->dir, "godwit.conf", conf);
	fx_write(f->dir, ".env", env);
	snprintf(path, sizeof(path), "%s/godwit.conf", f->dir);
	snprintf(message, sizeof(message), "%s:%s", path, what);
	co.project_dir = f->dir;
	fx_assert_error(f, gw_config_load(&cfg, &co, f->ctx), GW_ECONFIG, message, NULL);
	assert_null(cfg);
}

static void test_conf_refusals(void **state)
{
	fixture *f = *state;

	unsetenv("GW_LIB2_LT");
	expect_conf_error(f, "# timeouts\nlock_timeout = ${GW_LIB2_LT}\n", "GW_LIB2_LT=5 hours\n",
	                  "2: lock_timeout must be " DURATION ", not '5 hours'");
	expect_conf_error(f, "[placeholders]\n1x = a\n", "",
	                  "2: '1x' is not a placeholder name; a name is letters, digits and _, "
	                  "written ${NAME} in migrations");
	expect_conf_error(f, "[placeholders]\nowner = a\nowner = b\n", "",
	                  "3: placeholder owner is already set; keep one of the two");
	expect_conf_error(f, "[placeholders]\nowner = 'a\n", "",
	                  "2: the value of owner has an unbalanced quote; quote the whole value "
	                  "with a pair of \" or ', or not at all");
}

static const char *var(const gw_vec *vars, const char *key)
{
	const gw_dotenv_var *v = gw_dotenv_find(vars, key);

	return v ? v->value : NULL;
}

/* Double quotes read \n, \" and \\; single quotes keep the text; an
 * unquoted value ends at " #"; "export" and blanks are a shell's. */
static void test_dotenv_values(void **state)
{
	fixture *f = *state;
	gw_vec vars = GW_VEC_INIT;
	char path[PATH_MAX * 2];

	fx_write(f->dir, "a.env",
	         "# a comment\n"
	         "\n"
	         "   export    A=\"x\\ny \\\"q\\\" \\\\ z\"   # after\n"
	         "B='lit\\n #kept'\n"
	         "\t C = plain value # comment\n"
	         "D.x=1\n"
	         "E=a#b\n"
	         "E=last\n");
	snprintf(path, sizeof(path), "%s/a.env", f->dir);
	assert_int_equal(gw_dotenv_load(&vars, path, 1, f->ctx), 0);
	assert_string_equal(var(&vars, "A"), "x\ny \"q\" \\ z");
	assert_string_equal(var(&vars, "B"), "lit\\n #kept");
	assert_string_equal(var(&vars, "C"), "plain value");
	assert_string_equal(var(&vars, "D.x"), "1");
	/* The last definition wins. */
	assert_string_equal(var(&vars, "E"), "last");
	assert_int_equal(((const gw_dotenv_var *)gw_dotenv_find(&vars, "C"))->line, 5);
	gw_vec_dispose(&vars, gw_dotenv_var_free);
}

static void expect_dotenv_error(fixture *f, const char *text, int line, const char *what)
{
	gw_vec vars = GW_VEC_INIT;
	char path[PATH_MAX * 2], message[PATH_MAX * 2 + 128];

	fx_write(f->dir, "bad.env", text);
	snprintf(path, sizeof(path), "%s/bad.env", f->dir);
	snprintf(message, sizeof(message), "%s:%d: %s", path, line, what);
	fx_assert_error(f, gw_dotenv_load(&vars, path, 0, f->ctx), GW_ECONFIG, message, NULL);
	assert_int_equal(vars.len, line - 1);
	gw_vec_dispose(&vars, gw_dotenv_var_free);
}

static void test_dotenv_errors(void **state)
{
	fixture *f = *state;
	gw_vec vars = GW_VEC_INIT;
	char path[PATH_MAX * 2], message[PATH_MAX * 2 + 128];

	expect_dotenv_error(f, "A=1\nB=\"open\n", 2,
	                    "unterminated quote, or text after the closing quote");
	expect_dotenv_error(f, "A='x' y\n", 1,
	                    "unterminated quote, or text after the closing quote");
	expect_dotenv_error(f, "A=1\nB=2\n=3\n", 3, "expected KEY=VALUE");
	expect_dotenv_error(f, "A\n", 1, "expected KEY=VALUE");
	expect_dotenv_error(f, "1A=x\n", 1, "expected KEY=VALUE");
	/* Missing: fine unless named. */
	snprintf(path, sizeof(path), "%s/none.env", f->dir);
	assert_int_equal(gw_dotenv_load(&vars, path, 0, f->ctx), 0);
	snprintf(message, sizeof(message), "env file %s does not exist", path);
	fx_assert_error(f, gw_dotenv_load(&vars, path, 1, f->ctx), GW_ECONFIG, message, NULL);
	/* A folder cannot be read as one. */
	snprintf(message, sizeof(message), "cannot read %s: Is a directory", f->migrations);
	fx_assert_error(f, gw_dotenv_load(&vars, f->migrations, 1, f->ctx), GW_EIO, message, NULL);
	assert_int_equal(vars.len, 0);
	gw_vec_dispose(&vars, gw_dotenv_var_free);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_config_set_values, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_config_set_unknown_key, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_conf_refusals, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_dotenv_values, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_dotenv_errors, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
