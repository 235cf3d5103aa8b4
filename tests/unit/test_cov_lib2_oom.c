/*
 * test_cov_lib2_oom.c: running out of memory in the parts of a run that
 * test_oom.c's scenarios do not reach is an error that says so, never a
 * crash, a wrong result or a migration left half applied:
 *  - the sqitch plan and sqitch.conf parsers: GW_ENOMEM, or exactly what
 *    a run without failures reads;
 *  - a sqitch project on SQLite (tags, a reworked change, verify scripts,
 *    a change without a transaction) applied and reverted;
 *  - a native project with placeholders from godwit.conf, migrations
 *    without a transaction both ways, and an audit log (written with
 *    jansson, whose allocations go through the same wrapper here);
 *  - loading the settings (godwit.conf with sections, .env, ${VAR});
 *  - a drizzle-kit folder: its journal read, a new migration added to it.
 * After each run, with allocations working again, a fresh project brings
 * the database to the expected state, and files are either as before or
 * as a run without failures leaves them.
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt).
 */
#include <dirent.h>
#include <jansson.h>

#include "project_fixture.h"

#include "godwit/config.h"
#include "lib/source/priv.h"
#include "oom.h"

static int setup(void **state)
{
	oom_use_tmpfs();
	/* jansson's allocations count as the library's: `malloc` here is
	 * the wrapped one (--wrap applies to this object's references). */
	json_set_alloc_funcs(malloc, free);
	return fx_setup_named(state, "oom2");
}

static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

/* Out of memory is said as such: never a syntax error from SQL built from
 * a missing part, a path cut short, a "(null)". */
static void check_failure(fixture *f, int error, const char *call)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	if (!e || e->code != error || !e->message[0] || strstr(e->message, "syntax error") ||
	    strstr(e->message, "(null)") || strstr(e->message, "No such file") ||
	    (e->code != GW_ENOMEM && e->code != GW_ESTATE && e->code != GW_ESQL &&
	     !(e->code == GW_EDIRTY && strstr(e->message, " is dirty: "))))
		fail_msg("%s returned %d at allocation %ld with %s", call, error, oom_failing(),
		         e ? (e->message[0] ? e->message : "an empty message") : "no error set");
	gw_ctx_clear_error(f->ctx);
}

#define TRY(call)                                                                                  \
	do {                                                                                       \
		int error_ = (call);                                                               \
		if (error_ < 0)                                                                    \
			check_failure(f, error_, #call);                                           \
		else if (gw_ctx_error(f->ctx))                                                     \
			fail_msg("%s succeeded with an error set at allocation %ld: %s", #call,    \
			         oom_failing(), gw_ctx_error(f->ctx)->message);                    \
	} while (0)

/* With memory again: what a run left dirty (a migration without a
 * transaction stopped at a statement, either way) is resumed, or, when
 * it cannot be (a down stopped halfway), resolved as rolled back and
 * applied again: every such migration here is written to run again. */
static void settle(fixture *f)
{
	gw_up_options up = GW_UP_OPTIONS_INIT;
	char dirty[4096] = "", *v, *nl;
	sqlite3 *db = NULL;
	char *err = NULL;

	up.resume = 1;
	if (gw_project_up(NULL, f->p, &up) == 0)
		return;
	gw_ctx_clear_error(f->ctx);
	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_exec(db, "SELECT version FROM godwit_migrations WHERE state = 'dirty'", fx_row,
	                 dirty, &err) != SQLITE_OK)
		fail_msg("%s", err);
	sqlite3_close(db);
	for (v = dirty; (nl = strchr(v, '\n')); v = nl + 1) {
		*nl = '\0';
		assert_int_equal(gw_project_resolve(f->p, v, GW_RESOLVE_ROLLED_BACK), 0);
	}
	if (gw_project_up(NULL, f->p, NULL) < 0)
		fail_msg("up after allocation %ld: %s", oom_failing(),
		         gw_ctx_error(f->ctx)->message);
}

/* Runs `run` with allocation 1, 2, ... failing, each time on the state
 * `prepare` makes, and `check` after it; returns how many failed. */
static long oom_loop(fixture *f, void (*prepare)(fixture *), void (*run)(fixture *),
                     void (*check)(fixture *))
{
	long n;

	for (n = 1; n < 100000; n++) {
		prepare(f);
		oom_fail_at(n);
		run(f);
		oom_fail_at(-1);
		gw_ctx_clear_error(f->ctx);
		f->notices[0] = '\0';
		check(f);
		if (!oom_reached())
			break;
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n < 100000);
	return n - 1;
}

static void no_prepare(fixture *f)
{
	(void)f;
}

static void close_project(fixture *f)
{
	gw_project_free(f->p);
	f->p = NULL;
}

/* ---- the sqitch parsers ----------------------------------------------------------- */

static const char plan_text[] =
        "%syntax-version=1.0.0\n"
        "%project=flipr\n"
        "%uri=https://github.com/sqitchers/sqitch-intro/\n"
        "\n"
        "appschema 2013-12-30T23:19:31Z Marge N. O'Vera <marge@example.com> # Add schema\n"
        "users [appschema] 2013-12-30T23:49:00Z Marge <marge@example.com>\n"
        "insert_user [users appschema !old other:thing] 2013-12-30T23:57:36Z M <m@x> # f\n"
        "@v1.0.0-dev1 2013-12-31T00:01:19Z Marge <marge@example.com> # Tag.\n"
        "@v1.0.0-dev2 2013-12-31T00:01:20Z Marge <marge@example.com>\n"
        "\n"
        "+insert_user [insert_user@v1.0.0-dev1] 2014-01-02T17:51:08Z M <m@x> # rework\n";

static const char conf_text[] = "[core]\n"
                                "\tengine = pg\n"
                                "\ttop_dir = sql\n"
                                "[engine \"sqlite\"]\n"
                                "\tregistry = lite_reg\n"
                                "[engine \"pg\"]\n"
                                "\ttarget = db:pg:\n"
                                "\tregistry = \"meta\"\n";

static void run_sqitch_parsers(fixture *f)
{
	gw_sqitch_plan plan;
	gw_sqitch_conf conf;
	int error;

	error = gw_source__sqitch_plan(&plan, plan_text, strlen(plan_text), "sqitch.plan", f->ctx);
	if (error < 0) {
		check_failure(f, error, "gw_source__sqitch_plan");
	} else {
		assert_string_equal(plan.project, "flipr");
		assert_int_equal(plan.count, 4);
		assert_string_equal(plan.changes[2].name, "insert_user");
		assert_string_equal(plan.changes[3].name, "insert_user");
	}
	gw_source__sqitch_plan_dispose(&plan);
	/* sqitch.conf is read without a context: -1 is out of memory. */
	error = gw_source__sqitch_conf(&conf, conf_text, strlen(conf_text));
	if (error < 0) {
		assert_int_equal(error, -1);
	} else {
		assert_string_equal(conf.engine, "pg");
		assert_string_equal(conf.top_dir, "sql");
		assert_string_equal(conf.registry, "meta");
	}
	gw_source__sqitch_conf_dispose(&conf);
}

static void check_nothing(fixture *f)
{
	(void)f;
}

static void test_sqitch_parsers_fail_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;

	close_project(f);
	assert_true(oom_loop(f, no_prepare, run_sqitch_parsers, check_nothing) > 10);
}

/* ---- a sqitch project --------------------------------------------------------------- */

static void write_sqitch(fixture *f)
{
	char sub[PATH_MAX + 16];
	static const char *const dirs[] = {"deploy", "revert", "verify"};
	size_t i;

	for (i = 0; i < 3; i++) {
		snprintf(sub, sizeof(sub), "%s/%s", f->migrations, dirs[i]);
		fx_mkdirs(sub);
	}
	fx_write(f->migrations, "sqitch.conf", "[core]\n\tengine = sqlite\n");
	fx_write(f->migrations, "sqitch.plan",
	         "%syntax-version=1.0.0\n%project=oomp\n\n"
	         "a 2024-01-01T00:00:00Z A <a@x> # first\n"
	         "@v1 2024-01-01T00:00:01Z A <a@x>\n"
	         "b [a] 2024-01-01T00:00:02Z A <a@x>\n"
	         "c [b] 2024-01-01T00:00:03Z A <a@x>\n"
	         "a [a@v1] 2024-01-01T00:00:04Z A <a@x> # reworked\n");
	fx_write(f->migrations, "deploy/a@v1.sql", "BEGIN;\nCREATE TABLE a (id int);\nCOMMIT;\n");
	fx_write(f->migrations, "revert/a@v1.sql", "BEGIN;\nDROP TABLE a;\nCOMMIT;\n");
	fx_write(f->migrations, "verify/a@v1.sql", "SELECT id FROM a WHERE 0;\n");
	fx_write(f->migrations, "deploy/b.sql",
	         "BEGIN;\nCREATE TABLE b (id int);\nINSERT INTO b VALUES (1);\nCOMMIT;\n");
	fx_write(f->migrations, "revert/b.sql", "DROP TABLE b;\n");
	fx_write(f->migrations, "verify/b.sql", "BEGIN;\nSELECT id FROM b WHERE 0;\nROLLBACK;\n");
	fx_write(f->migrations, "deploy/c.sql",
	         "-- godwit:no-transaction\nCREATE TABLE IF NOT EXISTS c (id int PRIMARY KEY);\n"
	         "INSERT OR REPLACE INTO c VALUES (2);\n");
	fx_write(f->migrations, "revert/c.sql",
	         "-- godwit:no-transaction\nDROP TABLE IF EXISTS c;\n");
	fx_write(f->migrations, "verify/c.sql", "SELECT id FROM c WHERE 0;\n");
	fx_write(f->migrations, "deploy/a.sql", "ALTER TABLE a ADD COLUMN n int;\n");
	fx_write(f->migrations, "revert/a.sql", "ALTER TABLE a DROP COLUMN n;\n");
	fx_write(f->migrations, "verify/a.sql", "SELECT n FROM a WHERE 0;\n");
}

static void prepare_empty(fixture *f)
{
	unlink(f->db);
}

static void run_project(fixture *f)
{
	gw_project_options o = f->opts;
	gw_project *p = NULL;
	gw_status *st = NULL;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	size_t n = 0;
	int error;

	if ((error = gw_project_open(&p, &o, f->ctx)) < 0) {
		check_failure(f, error, "gw_project_open");
		return;
	}
	TRY(gw_project_status(&st, p));
	gw_status_free(st);
	TRY(gw_project_up(&n, p, &up));
	assert_true(n <= 4);
	down.all = 1;
	TRY(gw_project_down(&n, p, &down));
	TRY(gw_project_up(&n, p, &up));
	gw_project_free(p);
}

static void check_sqitch_recovers(fixture *f)
{
	gw_status *st = NULL;
	size_t n = 0;

	fx_open(f);
	settle(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(gw_project_status(&st, f->p), 0);
	assert_int_equal(gw_status_count(st), 4);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 4);
	gw_status_free(st);
	fx_assert_query(f,
	                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', "
	                "'b', 'c') ORDER BY name",
	                "a\nb\nc\n");
	fx_assert_query(f, "SELECT count(*) FROM pragma_table_info('a') WHERE name = 'n'", "1\n");
	fx_assert_query(f, "SELECT id FROM b UNION ALL SELECT id FROM c", "1\n2\n");
	close_project(f);
}

static void test_sqitch_project_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;

	write_sqitch(f);
	close_project(f);
	assert_true(oom_loop(f, prepare_empty, run_project, check_sqitch_recovers) > 100);
}

/* ---- placeholders, no transaction, an audit log ------------------------------------ */

static gw_config *placeholder_config(fixture *f)
{
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;

	co.project_dir = f->dir;
	assert_int_equal(gw_config_load(&cfg, &co, f->ctx), 0);
	return cfg;
}

static void write_placeholders(fixture *f)
{
	fx_write(f->dir, "godwit.conf", "[placeholders]\ntbl = t_x\nval = 7\n");
	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\n-- godwit:no-transaction\n"
	         "CREATE TABLE IF NOT EXISTS ${tbl} (id int PRIMARY KEY);\n"
	         "INSERT OR REPLACE INTO ${tbl} VALUES (${val});\n"
	         "-- migrate:down\n-- godwit:no-transaction\nDROP TABLE IF EXISTS ${tbl};\n");
	fx_write(f->migrations, "20240101000002_b.sql",
	         "-- migrate:up\nCREATE TABLE b_${tbl} (id int);\n"
	         "INSERT INTO b_${tbl} SELECT id + 1 FROM ${tbl};\n"
	         "-- migrate:down\nDROP TABLE b_${tbl};\n");
}

static gw_config *ph_cfg;
static char audit_path[PATH_MAX * 2];

static void run_placeholders(fixture *f)
{
	gw_project_options o = f->opts;
	gw_project *p = NULL;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	size_t n = 0;
	int error;

	o.config = ph_cfg;
	o.audit_log = audit_path;
	if ((error = gw_project_open(&p, &o, f->ctx)) < 0) {
		check_failure(f, error, "gw_project_open");
		return;
	}
	TRY(gw_project_up(&n, p, NULL));
	down.all = 1;
	TRY(gw_project_down(&n, p, &down));
	TRY(gw_project_up(&n, p, NULL));
	gw_project_free(p);
}

static void prepare_placeholders(fixture *f)
{
	unlink(f->db);
	unlink(audit_path);
}

/* Every line of the audit log is one JSON object: a failed write never
 * leaves half a line. */
static void check_audit_lines(void)
{
	char line[8192];
	FILE *fp = fopen(audit_path, "r");
	json_error_t je;
	json_t *j;

	if (!fp)
		return;
	while (fgets(line, sizeof(line), fp)) {
		oom_fail_at(-1);
		if (!(j = json_loads(line, 0, &je)))
			fail_msg("audit line not JSON at allocation %ld: %s", oom_failing(), line);
		assert_true(json_is_object(j));
		json_decref(j);
	}
	fclose(fp);
}

static void check_placeholders_recover(fixture *f)
{
	gw_project_options o = f->opts;
	gw_status *st = NULL;
	size_t n = 0;

	check_audit_lines();
	o.config = ph_cfg;
	gw_project_free(f->p);
	f->p = NULL;
	assert_int_equal(gw_project_open(&f->p, &o, f->ctx), 0);
	settle(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(gw_project_status(&st, f->p), 0);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 2);
	gw_status_free(st);
	fx_assert_query(f, "SELECT id FROM t_x UNION ALL SELECT id FROM b_t_x", "7\n8\n");
	close_project(f);
}

static void test_placeholders_and_no_transaction_fail_cleanly(void **state)
{
	fixture *f = *state;

	write_placeholders(f);
	ph_cfg = placeholder_config(f);
	snprintf(audit_path, sizeof(audit_path), "%s/audit.jsonl", f->dir);
	close_project(f);
	assert_true(oom_loop(f, prepare_placeholders, run_placeholders,
	                     check_placeholders_recover) > 100);
	gw_config_free(ph_cfg);
	ph_cfg = NULL;
}

/* ---- the settings ------------------------------------------------------------------ */

static void write_config(fixture *f)
{
	fx_write(f->dir, "godwit.conf",
	         "# the project's settings\n"
	         "url = sqlite:${GW_OOM2_DB:-db.sqlite3}\n"
	         "dir = db/migrations\n"
	         "lock_timeout = 5s\n"
	         "statement_timeout = 1min\n"
	         "table = \"my_migrations\"\n"
	         "[placeholders]\n"
	         "owner = ${GW_OOM2_OWNER}\n"
	         "quoted = 'a b'\n"
	         "[env.production]\n"
	         "url = postgres://u:secret@db.example/app\n"
	         "protected = true\n");
	fx_write(f->dir, ".env", "GW_OOM2_OWNER=alice\nexport GW_OOM2_OTHER=\"x y\"\n");
	fx_write(f->dir, ".env.local", "# local\nGW_OOM2_LOCAL=1\n");
}

static void run_config(fixture *f)
{
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_project_options po = GW_PROJECT_OPTIONS_INIT;
	gw_config *cfg = NULL;
	char *shown;
	int error;

	co.project_dir = f->dir;
	if ((error = gw_config_load(&cfg, &co, f->ctx)) < 0) {
		check_failure(f, error, "gw_config_load");
		return;
	}
	assert_string_equal(gw_config_get(cfg, "lock_timeout"), "5s");
	assert_string_equal(gw_config_get(cfg, "table"), "my_migrations");
	assert_non_null(strstr(gw_config_source(cfg, "table"), "/godwit.conf:6"));
	if ((shown = gw_config_display(cfg, "url")))
		assert_string_equal(shown, "sqlite:db.sqlite3");
	free(shown);
	shown = NULL;
	if ((error = gw_config_set(cfg, "url", "postgres://u:pw@h/db", "--url", f->ctx)) < 0)
		check_failure(f, error, "gw_config_set");
	else if ((shown = gw_config_display(cfg, "url")))
		assert_null(strstr(shown, "pw"));
	free(shown);
	TRY(gw_config_project_options(&po, cfg, f->ctx));
	gw_config_free(cfg);
}

static void test_loading_settings_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;

	write_config(f);
	unsetenv("GW_OOM2_DB");
	unsetenv("GW_OOM2_OWNER");
	close_project(f);
	assert_true(oom_loop(f, no_prepare, run_config, check_nothing) > 20);
}

/* ---- a drizzle-kit folder ---------------------------------------------------------- */

static const char journal0[] = "{\n"
                               "  \"version\": \"7\",\n"
                               "  \"dialect\": \"sqlite\",\n"
                               "  \"entries\": [\n"
                               "    {\n"
                               "      \"idx\": 0,\n"
                               "      \"version\": \"6\",\n"
                               "      \"when\": 1700000000000,\n"
                               "      \"tag\": \"0000_first\",\n"
                               "      \"breakpoints\": true\n"
                               "    }\n"
                               "  ]\n"
                               "}";

static void prepare_drizzle(fixture *f)
{
	char meta[PATH_MAX + 16];
	char path[PATH_MAX + 64];

	oom_rm_rf(f->migrations);
	snprintf(meta, sizeof(meta), "%s/meta", f->migrations);
	fx_mkdirs(meta);
	fx_write(meta, "_journal.json", journal0);
	fx_write(f->migrations, "0000_first.sql",
	         "CREATE TABLE first (id int);\n--> statement-breakpoint\n"
	         "INSERT INTO first VALUES (1);\n");
	snprintf(path, sizeof(path), "%s", f->db);
	unlink(path);
}

static void run_drizzle(fixture *f)
{
	gw_project_options o = f->opts;
	gw_project *p = NULL;
	gw_status *st = NULL;
	char *path = NULL;
	size_t n = 0;
	int error;

	if ((error = gw_project_open(&p, &o, f->ctx)) < 0) {
		check_failure(f, error, "gw_project_open");
		return;
	}
	TRY(gw_project_status(&st, p));
	gw_status_free(st);
	TRY(gw_project_new_migration(&path, p, "second"));
	if (path) {
		FILE *fp = fopen(path, "w");

		assert_non_null(fp);
		fputs("CREATE TABLE second (id int);\n", fp);
		fclose(fp);
	}
	free(path);
	TRY(gw_project_up(&n, p, NULL));
	gw_project_free(p);
}

/* The journal is drizzle-kit's: the first entry, and the second only
 * with its file (a new migration is the file and the entry, or neither
 * shows in the journal). */
static void check_drizzle(fixture *f)
{
	char path[PATH_MAX + 64];
	json_error_t je;
	json_t *j, *entries;
	DIR *d;
	struct dirent *e;
	int files = 0;
	size_t count;

	snprintf(path, sizeof(path), "%s/meta/_journal.json", f->migrations);
	if (!(j = json_load_file(path, 0, &je)))
		fail_msg("journal not JSON after allocation %ld: %s", oom_failing(), je.text);
	entries = json_object_get(j, "entries");
	assert_true(json_is_array(entries));
	count = json_array_size(entries);
	assert_true(count == 1 || count == 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(entries, 0), "tag")),
	                    "0000_first");
	assert_non_null(d = opendir(f->migrations));
	while ((e = readdir(d)))
		if (strstr(e->d_name, "_second.sql"))
			files++;
	closedir(d);
	if (count == 2) {
		assert_int_equal(files, 1);
		assert_non_null(strstr(
		        json_string_value(json_object_get(json_array_get(entries, 1), "tag")),
		        "_second"));
	}
	json_decref(j);
	/* What is in the journal applies. */
	fx_open(f);
	if (gw_project_up(NULL, f->p, NULL) < 0)
		fail_msg("up after allocation %ld: %s", oom_failing(),
		         gw_ctx_error(f->ctx)->message);
	fx_assert_query(f, "SELECT count(*) FROM godwit_migrations WHERE state = 'applied'",
	                count == 2 ? "2\n" : "1\n");
	fx_assert_query(f, "SELECT id FROM first", "1\n");
	close_project(f);
}

static void test_drizzle_journal_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;

	close_project(f);
	assert_true(oom_loop(f, prepare_drizzle, run_drizzle, check_drizzle) > 50);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_sqitch_parsers_fail_cleanly_at_every_allocation, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_sqitch_project_fails_cleanly_at_every_allocation, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_placeholders_and_no_transaction_fail_cleanly,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_loading_settings_fails_cleanly_at_every_allocation, setup, teardown),
	        cmocka_unit_test_setup_teardown(
	                test_drizzle_journal_fails_cleanly_at_every_allocation, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
