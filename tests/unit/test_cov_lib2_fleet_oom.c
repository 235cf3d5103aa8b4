/*
 * test_cov_lib2_fleet_oom.c: running out of memory anywhere in a fleet
 * run is an error that says so (the call's, or a target's in the
 * report), never a crash, a target reported done that is not, or a state
 * file that is not JSON.
 *
 * For N = 1, 2, ... allocation N fails while a fleet is read from a
 * targets file (a name=URL line, a bare URL, ${VAR}), brought up on two
 * SQLite databases with its results recorded in a state file, resumed
 * from that file, and asked for its status. After each round, with
 * allocations working again, a fresh run brings both databases up, and
 * every state file left is JSON.
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt). The run uses one worker thread (jobs = 1) and
 * no progress display, so allocation N is the same one each time.
 */
#include <dirent.h>
#include <jansson.h>

#include "project_fixture.h"

#include "godwit/fleet.h"
#include "oom.h"

static char targets[PATH_MAX * 3];
static char state_dir[PATH_MAX * 2];

static int setup(void **state)
{
	fixture *f;

	oom_use_tmpfs();
	json_set_alloc_funcs(malloc, free);
	assert_int_equal(fx_setup_named(state, "fleet-oom"), 0);
	f = *state;
	gw_project_free(f->p);
	f->p = NULL;
	setenv("GW_FLEET_OOM_DIR", f->dir, 1);
	snprintf(targets, sizeof(targets),
	         "# two databases\n"
	         "first=sqlite:${GW_FLEET_OOM_DIR}/a.db\n"
	         "\n"
	         "sqlite:%s/b.db\n",
	         f->dir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", f->dir);
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

static void check_error(fixture *f, int error, const char *call)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	if (!e || e->code != error || !e->message[0] || strstr(e->message, "(null)") ||
	    (e->code != GW_ENOMEM && e->code != GW_EIO))
		fail_msg("%s returned %d at allocation %ld with %s", call, error, oom_failing(),
		         e ? e->message : "no error set");
	/* A state file that could not be written says why. */
	if (e->code == GW_EIO && !strstr(e->message, "out of memory") &&
	    !strstr(e->message, "Cannot allocate memory"))
		fail_msg("%s: %s at allocation %ld", call, e->message, oom_failing());
	gw_ctx_clear_error(f->ctx);
}

/* Every target either did what was asked or failed saying why; the
 * failure of one is out of memory, never something else. */
static void check_report(const gw_fleet_report *r)
{
	size_t i;

	for (i = 0; i < gw_fleet_report_count(r); i++) {
		const gw_fleet_result *res = gw_fleet_report_get(r, i);

		if (res->state == GW_TARGET_FAILED &&
		    (res->error_code != GW_ENOMEM || !res->error || strstr(res->error, "(null)")))
			fail_msg("target %s failed at allocation %ld with %d: %s",
			         res->target->name, oom_failing(), res->error_code,
			         res->error ? res->error : "no message");
	}
}

static int run_fleet(fixture *f, gw_fleet_action action, const char *resume, char **run_id)
{
	gw_fleet *fl = NULL;
	gw_fleet_report *r = NULL;
	gw_fleet_options fo = GW_FLEET_OPTIONS_INIT;
	int error;

	fo.action = action;
	fo.project = &f->opts;
	fo.jobs = 1;
	fo.state_dir = state_dir;
	fo.record = action != GW_FLEET_STATUS;
	fo.resume = resume;
	fo.max_failures = GW_OPTION_OFF;
	if ((error = gw_fleet_new(&fl, f->ctx)) < 0) {
		check_error(f, error, "gw_fleet_new");
		return error;
	}
	if ((error = gw_fleet_parse(fl, targets, strlen(targets), "targets")) < 0) {
		check_error(f, error, "gw_fleet_parse");
		gw_fleet_free(fl);
		return error;
	}
	assert_int_equal(gw_fleet_count(fl), 2);
	assert_string_equal(gw_fleet_get(fl, 0)->name, "first");
	if ((error = gw_fleet_run(&r, fl, &fo, f->ctx)) < 0) {
		check_error(f, error, "gw_fleet_run");
	} else {
		check_report(r);
		if (run_id && gw_fleet_report_run_id(r))
			*run_id = strdup(gw_fleet_report_run_id(r));
	}
	gw_fleet_report_free(r);
	gw_fleet_free(fl);
	return error;
}

static void prepare(fixture *f)
{
	char db[PATH_MAX * 2];

	oom_rm_rf(state_dir);
	snprintf(db, sizeof(db), "%s/a.db", f->dir);
	unlink(db);
	snprintf(db, sizeof(db), "%s/b.db", f->dir);
	unlink(db);
}

static void run_round(fixture *f)
{
	char *run_id = NULL;

	run_fleet(f, GW_FLEET_UP, NULL, &run_id);
	if (run_id)
		run_fleet(f, GW_FLEET_UP, run_id, NULL);
	free(run_id);
	run_fleet(f, GW_FLEET_STATUS, NULL, NULL);
}

static void assert_applied(fixture *f, const char *name)
{
	char db[PATH_MAX * 2];
	char out[64] = "";
	sqlite3 *h = NULL;
	char *err = NULL;

	snprintf(db, sizeof(db), "%s/%s", f->dir, name);
	assert_int_equal(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_exec(h, "SELECT count(*) FROM godwit_migrations WHERE state = 'applied'",
	                 fx_row, out, &err) != SQLITE_OK)
		fail_msg("%s: %s", name, err);
	sqlite3_close(h);
	assert_string_equal(out, "2\n");
}

static void check_round(fixture *f)
{
	DIR *d;
	struct dirent *e;
	char path[PATH_MAX * 3];
	json_error_t je;
	json_t *j;

	if ((d = opendir(state_dir))) {
		while ((e = readdir(d))) {
			if (e->d_name[0] == '.' || !strstr(e->d_name, ".json"))
				continue;
			snprintf(path, sizeof(path), "%s/%s", state_dir, e->d_name);
			if (!(j = json_load_file(path, 0, &je)))
				fail_msg("%s is not JSON after allocation %ld: %s", e->d_name,
				         oom_failing(), je.text);
			json_decref(j);
		}
		closedir(d);
	}
	if (run_fleet(f, GW_FLEET_UP, NULL, NULL) < 0)
		fail_msg("a fresh run after allocation %ld failed", oom_failing());
	assert_applied(f, "a.db");
	assert_applied(f, "b.db");
}

static void test_fleet_run_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;
	long n;

	for (n = 1; n < 100000; n++) {
		prepare(f);
		oom_fail_at(n);
		run_round(f);
		oom_fail_at(-1);
		gw_ctx_clear_error(f->ctx);
		check_round(f);
		if (!oom_reached())
			break;
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n > 200 && n < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_fleet_run_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
