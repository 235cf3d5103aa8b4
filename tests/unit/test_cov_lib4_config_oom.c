/*
 * test_cov_lib4_config_oom.c: running out of memory anywhere while the
 * settings are read (src/lib/config.c) is an out-of-memory error, never a
 * crash, another error, or settings that lost a value.
 *
 * For N = 1, 2, ... allocation N fails while godwit.conf (top level,
 * [env.staging], [placeholders], ${VAR} and ${VAR:-default}), .env and
 * .env.local, and the environment are read, a setting is set, notify is
 * shown masked and the project options are made. A load that succeeds
 * holds every value.
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt).
 */
#include "project_fixture.h"

#include "godwit/config.h"
#include "oom.h"

static int setup(void **state)
{
	fixture *f;

	oom_use_tmpfs();
	assert_int_equal(fx_setup_named(state, "lib4-config-oom"), 0);
	f = *state;
	fx_write(f->dir, "godwit.conf",
	         "# the project\n"
	         "url = sqlite:${GW_LIB4_DB:-app.db}\n"
	         "lock_timeout = 2s\n"
	         "notify = https://hooks.slack.com/services/T0/B0/secret, mailto:ops@example.com\n"
	         "[env.staging]\n"
	         "url = \"sqlite:${GW_LIB4_STAGING}\"\n"
	         "retries = 2\n"
	         "[env.production]\n"
	         "protected = true\n"
	         "[placeholders]\n"
	         "owner = ${GW_LIB4_OWNER}\n"
	         "plain = 'a value'\n");
	fx_write(f->dir, ".env", "GW_LIB4_STAGING=staging.db\nGODWIT_ENV=staging\n");
	fx_write(f->dir, ".env.local", "GW_LIB4_OWNER=app_owner\nGODWIT_STATEMENT_TIMEOUT=5s\n");
	setenv("GODWIT_JOBS", "3", 1);
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

static void check(fixture *f, int error, const char *what)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	if (error != GW_ENOMEM || !e || e->code != GW_ENOMEM)
		fail_msg("%s returned %d at allocation %ld: %s", what, error, oom_failing(),
		         e ? e->message : "no error set");
	gw_ctx_clear_error(f->ctx);
}

static void round_at(fixture *f, long n)
{
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_project_options po = GW_PROJECT_OPTIONS_INIT;
	gw_config *cfg = NULL;
	char *shown;
	int error;

	co.project_dir = f->dir;
	oom_fail_at(n);
	if ((error = gw_config_load(&cfg, &co, f->ctx)) < 0) {
		oom_fail_at(-1);
		check(f, error, "gw_config_load");
		assert_null(cfg);
		return;
	}
	if ((error = gw_config_set(cfg, "lock_wait", "30", "--lock-wait", f->ctx)) < 0)
		check(f, error, "gw_config_set");
	shown = gw_config_display(cfg, "notify");
	if ((error = gw_config_project_options(&po, cfg, f->ctx)) < 0)
		check(f, error, "gw_config_project_options");
	oom_fail_at(-1);
	/* Loaded: every value is there. */
	assert_string_equal(gw_config_environment(cfg), "staging");
	assert_string_equal(gw_config_get(cfg, "url"), "sqlite:staging.db");
	assert_string_equal(gw_config_get(cfg, "lock_timeout"), "2s");
	assert_string_equal(gw_config_get(cfg, "retries"), "2");
	assert_string_equal(gw_config_get(cfg, "jobs"), "3");
	assert_string_equal(gw_config_get(cfg, "statement_timeout"), "5s");
	if (shown && strstr(shown, "secret"))
		fail_msg("notify shown unmasked at allocation %ld: %s", n, shown);
	free(shown);
	gw_config_free(cfg);
}

static void test_config_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;
	long n;

	for (n = 1; n < 100000; n++) {
		round_at(f, n);
		if (!oom_reached())
			break;
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n > 50 && n < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_config_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
