/*
 * test_cov_lib4_fleet.c: the targets of a fleet and the record of a run
 * resumed (src/lib/fleet.c, fleet_state.c), each with its exact result:
 *  - how a target is named and where it connects, from every form of
 *    PostgreSQL URL and key/value string; what is no NAME= prefix;
 *  - targets from standard input, and over 16 MiB there or in a file
 *    (which was refused as a migration to split);
 *  - run ids that name no file, a record that is not JSON, has no
 *    targets or was of another action, and targets left to do;
 *  - targets_query's rows without a url or of one column; schemas on
 *    SQLite; a control database that cannot be opened, does not hold
 *    the run, or holds it for another action.
 */
#include <jansson.h>

#include "project_fixture.h"

#include "godwit/fleet.h"

static int setup(void **state)
{
	return fx_setup_named(state, "lib4-fleet");
}

/* The targets of text as "NAME HOST" lines, or the error's message. */
static void assert_targets(fixture *f, const char *text, const char *expected)
{
	gw_fleet *fl = NULL;
	char out[4096] = "";
	size_t i, len = 0;

	assert_int_equal(gw_fleet_new(&fl, f->ctx), 0);
	if (gw_fleet_parse(fl, text, strlen(text), NULL) < 0) {
		snprintf(out, sizeof(out), "%s\n", gw_ctx_error(f->ctx)->message);
		gw_ctx_clear_error(f->ctx);
	}
	len = strlen(out);
	for (i = 0; i < gw_fleet_count(fl); i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s %s\n",
		                        gw_fleet_get(fl, i)->name, gw_fleet_get(fl, i)->host);
	gw_fleet_free(fl);
	if (strcmp(out, expected))
		fail_msg("%s\n--- targets:\n%s--- expected:\n%s", text, out, expected);
}

/* A target's name: the one given, else the database's, else its user's;
 * where it connects: host or hostaddr, and the port or 5432. A prefix
 * that is no name (a '+'), or no scheme after '=', is part of the URL. */
static void test_names_and_hosts(void **state)
{
	fixture *f = *state;

	assert_targets(f,
	               "postgres://u@h:6543/db\n"
	               "postgres://u@h2\n"
	               "postgresql:///?hostaddr=127.0.0.1&user=x\n"
	               "  host=h3 dbname=d3  \n"
	               "a.b-c_d:e/f@g=postgres://h4/db4\n"
	               "sqlite:a$\n",
	               "db h:6543\nu h2:5432\nx 127.0.0.1:5432\nd3 h3:5432\n"
	               "a.b-c_d:e/f@g h4:5432\na$ sqlite:a$\n");
	assert_targets(f, "a+b=postgres://h4/db4",
	               "targets:1: invalid database URL a+b=postgres://h4/db4: invalid connection "
	               "option \"a+b\"\n");
	assert_targets(f, "n1=pg2+x:nope",
	               "targets:1: unsupported database URL pg2+x:nope; use postgres://, "
	               "postgresql:// or sqlite:PATH\n");
	assert_targets(f, "n=postgres://h/d\nn=postgres://h/e",
	               "targets:2: the target name 'n' is already on line 1; name one of them "
	               "(NAME=URL)\nn h:5432\n");
	assert_int_equal(gw_fleet_count(NULL), 0);
	assert_null(gw_fleet_get(NULL, 0));
	gw_fleet_free(NULL);
}

/* "-" reads the targets from standard input; over 16 MiB there, or in a
 * file, is refused as such. */
static void test_standard_input_and_size(void **state)
{
	fixture *f = *state;
	gw_fleet *fl = NULL;
	char path[PATH_MAX * 2], message[PATH_MAX * 3];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/targets", f->dir);
	fx_write(f->dir, "targets", "first=sqlite:a.db\nsqlite:b.db\n");
	assert_non_null(freopen(path, "r", stdin));
	assert_int_equal(gw_fleet_new(&fl, f->ctx), 0);
	assert_int_equal(gw_fleet_read(fl, "-"), 0);
	assert_int_equal(gw_fleet_count(fl), 2);
	assert_string_equal(gw_fleet_get(fl, 0)->name, "first");
	assert_string_equal(gw_fleet_get(fl, 1)->file, "<stdin>");
	assert_int_equal(gw_fleet_get(fl, 1)->line, 2);
	gw_fleet_free(fl);
	/* A file of 17 MiB (blank: it would parse). */
	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(ftruncate(fileno(fp), 17L << 20), 0);
	assert_int_equal(fclose(fp), 0);
	assert_non_null(freopen(path, "r", stdin));
	assert_int_equal(gw_fleet_new(&fl, f->ctx), 0);
	fx_assert_error(f, gw_fleet_read(fl, "-"), GW_EIO,
	                "the targets on standard input are over 16 MiB", NULL);
	/* Said of the targets, not as a migration to split. */
	snprintf(message, sizeof(message), "the targets in %s are over 16 MiB", path);
	fx_assert_error(f, gw_fleet_read(fl, path), GW_EIO, message, NULL);
	assert_int_equal(gw_fleet_count(fl), 0);
	gw_fleet_free(fl);
	assert_non_null(freopen("/dev/null", "r", stdin));
}

/* Resumes run `id` on two SQLite targets: the call's code; *report kept. */
static int resume(fixture *f, const char *id, gw_fleet_report **report)
{
	gw_fleet *fl = NULL;
	gw_fleet_options fo = GW_FLEET_OPTIONS_INIT;
	char targets[PATH_MAX * 3], state_dir[PATH_MAX * 2];
	int error;

	snprintf(targets, sizeof(targets), "first=sqlite:%s/a.db\nsecond=sqlite:%s/b.db\n", f->dir,
	         f->dir);
	snprintf(state_dir, sizeof(state_dir), "%s/state", f->dir);
	fo.action = GW_FLEET_UP;
	fo.project = &f->opts;
	fo.jobs = 1;
	fo.state_dir = state_dir;
	fo.record = 1;
	fo.resume = id;
	assert_int_equal(gw_fleet_new(&fl, f->ctx), 0);
	assert_int_equal(gw_fleet_parse(fl, targets, strlen(targets), "targets"), 0);
	*report = NULL;
	error = gw_fleet_run(report, fl, &fo, f->ctx);
	gw_fleet_free(fl);
	return error;
}

static void write_record(fixture *f, const char *id, const char *json)
{
	char dir[PATH_MAX * 2], name[128];

	snprintf(dir, sizeof(dir), "%s/state", f->dir);
	mkdir(dir, 0700);
	snprintf(name, sizeof(name), "%s.json", id);
	fx_write(dir, name, json);
}

/* A run id names a file in the state folder: anything else is refused
 * before a file is looked for. */
static void test_run_ids_refused(void **state)
{
	static const char *const ids[] = {
	        "",
	        ".hidden",
	        "a/b",
	        "a b",
	        "r\xc3\xa9",
	        "0123456789012345678901234567890123456789012345678901234567"
	        "890123456"};
	fixture *f = *state;
	gw_fleet_report *r = NULL;
	char message[512];
	size_t i;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		snprintf(message, sizeof(message),
		         "'%s' is not a fleet run id (such as 20260101-120000-3fa9): it is printed "
		         "when a run starts and ends",
		         ids[i]);
		fx_assert_error(f, resume(f, ids[i], &r), GW_EINVALID, message, NULL);
		gw_fleet_report_free(r);
	}
	assert_int_equal(access(f->db, F_OK), -1);
}

/* A record that is not JSON, has no targets or was of another action
 * cannot be resumed, and no target is touched. */
static void test_records_refused(void **state)
{
	fixture *f = *state;
	gw_fleet_report *r = NULL;
	char message[PATH_MAX * 3], a[PATH_MAX * 2];

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	write_record(f, "r1", "{}");
	snprintf(message, sizeof(message),
	         "%s/state/r1.json is not a fleet run's record (no targets)", f->dir);
	fx_assert_error(f, resume(f, "r1", &r), GW_ESTATE, message, NULL);
	gw_fleet_report_free(r);
	write_record(f, "r2", "{\"targets\": [], \"action\": \"down\"}");
	fx_assert_error(f, resume(f, "r2", &r), GW_ESTATE, "fleet run 'r2' was a down run, not up",
	                NULL);
	gw_fleet_report_free(r);
	write_record(f, "r3", "{\"targets\": []}");
	fx_assert_error(f, resume(f, "r3", &r), GW_ESTATE, "fleet run 'r3' was a ? run, not up",
	                NULL);
	gw_fleet_report_free(r);
	write_record(f, "r4", "{\"targets\": 1}");
	snprintf(message, sizeof(message),
	         "%s/state/r4.json is not a fleet run's record (no targets)", f->dir);
	fx_assert_error(f, resume(f, "r4", &r), GW_ESTATE, message, NULL);
	gw_fleet_report_free(r);
	snprintf(a, sizeof(a), "%s/a.db", f->dir);
	assert_int_equal(access(a, F_OK), -1);
}

/* Resumed, a target the record says is done is not run again; one that
 * failed, has no state or no name is run. */
static void test_resume_runs_what_is_left(void **state)
{
	fixture *f = *state;
	gw_fleet_report *r = NULL;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	write_record(f, "r5",
	             "{\"action\": \"up\", \"started_at\": \"2026-01-01T00:00:00Z\", \"targets\": ["
	             "{\"name\": \"first\", \"state\": \"done\"},"
	             "{\"name\": \"second\", \"state\": \"failed\"},"
	             "{\"name\": \"second\"}, {\"state\": \"done\"}]}");
	assert_int_equal(resume(f, "r5", &r), 0);
	assert_int_equal(gw_fleet_report_count(r), 2);
	assert_int_equal(gw_fleet_report_get(r, 0)->state, GW_TARGET_DONE_BEFORE);
	assert_int_equal(gw_fleet_report_get(r, 1)->state, GW_TARGET_DONE);
	assert_string_equal(gw_fleet_report_run_id(r), "r5");
	gw_fleet_report_free(r);
}

/* targets_query on a SQLite control database: rows without a url, rows
 * of one column, and a query that fails are each refused as such. */
static void test_targets_query(void **state)
{
	fixture *f = *state;
	gw_fleet *fl = NULL;
	char ctl[PATH_MAX * 2], message[PATH_MAX * 3];

	fx_sql(f, "CREATE TABLE t (name text, url text);"
	          "INSERT INTO t VALUES ('a', 'sqlite:a.db'), ('b', NULL), ('c', NULL);");
	snprintf(ctl, sizeof(ctl), "%s", f->url);
	assert_int_equal(gw_fleet_new(&fl, f->ctx), 0);
	assert_int_equal(gw_fleet_add_query(fl, ctl, "SELECT name, url FROM t WHERE name <> 'c'"),
	                 GW_EINVALID);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "targets_query returned 1 row without a url; it must return name and "
	                    "url (SELECT name, url FROM ...)");
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(gw_fleet_add_query(fl, ctl, "SELECT name, url FROM t"), GW_EINVALID);
	assert_string_equal(gw_ctx_error(f->ctx)->message,
	                    "targets_query returned 2 rows without a url; it must return name and "
	                    "url (SELECT name, url FROM ...)");
	gw_ctx_clear_error(f->ctx);
	fx_assert_error(f, gw_fleet_add_query(fl, ctl, "SELECT url FROM t"), GW_EINVALID,
	                "targets_query must return two columns, the name and the url of each "
	                "target (SELECT name, url FROM ...)",
	                NULL);
	assert_true(gw_fleet_add_query(fl, ctl, "SELECT nope FROM t") < 0);
	assert_true(!strncmp(gw_ctx_error(f->ctx)->message, "targets_query: ", 15));
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(
	        gw_fleet_add_query(fl, ctl, "SELECT name, url FROM t WHERE url IS NOT NULL"), 0);
	assert_int_equal(gw_fleet_count(fl), 1);
	assert_string_equal(gw_fleet_get(fl, 0)->name, "a");
	snprintf(message, sizeof(message),
	         "gw_fleet_add_schemas needs a PostgreSQL database; %s is sqlite", ctl);
	fx_assert_error(f, gw_fleet_add_schemas(fl, ctl, "app_*"), GW_EINVALID, message, NULL);
	assert_int_equal(gw_fleet_count(fl), 1);
	gw_fleet_free(fl);
}

/* Runs up (or down) with the results in the control database ctl. */
static int run_control(fixture *f, const char *ctl, gw_fleet_action action, const char *id,
                       char **run_id)
{
	gw_fleet *fl = NULL;
	gw_fleet_report *r = NULL;
	gw_fleet_options fo = GW_FLEET_OPTIONS_INIT;
	char targets[PATH_MAX * 3];
	int error;

	snprintf(targets, sizeof(targets), "first=sqlite:%s/a.db\n", f->dir);
	fo.action = action;
	fo.project = &f->opts;
	fo.jobs = 1;
	fo.control_url = ctl;
	fo.record = 1;
	fo.resume = id;
	assert_int_equal(gw_fleet_new(&fl, f->ctx), 0);
	assert_int_equal(gw_fleet_parse(fl, targets, strlen(targets), "targets"), 0);
	error = gw_fleet_run(&r, fl, &fo, f->ctx);
	if (run_id && error == 0)
		*run_id = strdup(gw_fleet_report_run_id(r));
	gw_fleet_report_free(r);
	gw_fleet_free(fl);
	return error;
}

/* A control database that cannot be opened, a run it does not hold, or
 * one of another action: each refused, saying which. */
static void test_control_database(void **state)
{
	fixture *f = *state;
	char ctl[PATH_MAX * 2], message[PATH_MAX * 3], *id = NULL;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_write(f->dir, "plain", "x");
	snprintf(ctl, sizeof(ctl), "sqlite:%s/plain/ctl.db", f->dir);
	assert_true(run_control(f, ctl, GW_FLEET_UP, NULL, NULL) < 0);
	assert_true(!strncmp(gw_ctx_error(f->ctx)->message, "the control database: ", 22));
	gw_ctx_clear_error(f->ctx);
	snprintf(ctl, sizeof(ctl), "sqlite:%s/ctl.db", f->dir);
	assert_int_equal(run_control(f, ctl, GW_FLEET_UP, NULL, &id), 0);
	assert_non_null(id);
	snprintf(message, sizeof(message), "fleet run '%s' was not a down run", id);
	fx_assert_error(f, run_control(f, ctl, GW_FLEET_DOWN, id, NULL), GW_ESTATE, message, NULL);
	snprintf(message, sizeof(message),
	         "there is no fleet run 'nope-1' to resume in the control database (%s)", ctl);
	fx_assert_error(f, run_control(f, ctl, GW_FLEET_UP, "nope-1", NULL), GW_ENOTFOUND, message,
	                NULL);
	free(id);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_names_and_hosts, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_standard_input_and_size, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_run_ids_refused, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_records_refused, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_resume_runs_what_is_left, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_targets_query, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_control_database, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
