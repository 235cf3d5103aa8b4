/*
 * test_oom.c: running out of memory anywhere in a run of the library
 * never crashes it, never reports success for work not done, and never
 * leaves a migration half applied.
 *
 * The executable is linked with --wrap for the allocation functions
 * (tests/CMakeLists.txt), so the Nth allocation the library makes can be
 * made to fail. For N = 1, 2, ... a whole scenario runs on a real SQLite
 * file, until a run passes without reaching the Nth allocation; every call
 * that fails says so with a code and a message. After each run, with
 * allocations working again, the database must be as the scenario expects:
 *  - migrate: open, status, up, history, plan, down, redo; a fresh project
 *    then brings the database to the expected state (a failed call left
 *    nothing behind that a second run cannot finish);
 *  - inspect: lint, validate, the lock plan, schema snapshots, their text,
 *    parse and diff, rows, health, pre-flight, recorded snapshots and
 *    drift: the history is as before (none of them changes it);
 *  - prove: gw_project_test and drift --replay on ephemeral files, which
 *    are always removed, and the project's database is not touched;
 *  - author: new migrations, seeds, backups, baseline, restore and reset:
 *    each did its work or left the history as it was;
 *  - init: a failed init is completed by the next one;
 *  - a PostgreSQL URL parsed and written back: GW_ENOMEM, or exactly
 *    what a run without failures gives.
 */
#include <dirent.h>

#include "project_fixture.h"

#include "drivers/pgurl.h"
#include "oom.h"

static int setup(void **state)
{
	oom_use_tmpfs();
	return fx_setup_named(state, "oom");
}

/* The folder is in memory: remove it rather than leave it to a reboot. */
static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

static void scenario_files(fixture *f)
{
	fx_migration(f, "20240101000001_a.sql",
	             "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
}

/* Running out of memory is never reported as something else: SQL built
 * from a part that is missing (a syntax error), a path cut short (a file
 * that does not exist), a name read as NULL. What a failed call leaves
 * for the next one to find (nothing to redo; a table the baseline says
 * exists) is its own error. */
static int oom_like(const gw_error *e)
{
	if (strstr(e->message, "syntax error") || strstr(e->message, "(null)") ||
	    strstr(e->message, "No such file"))
		return 0;
	return e->code == GW_ENOMEM || e->code == GW_ESTATE || e->code == GW_ESQL;
}

/* A call failed: it said so with a code and a message. */
static void check_failure(fixture *f, int error)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	assert_true(error < 0);
	assert_non_null(e);
	if (!oom_like(e))
		fail_msg("at allocation %ld: %s", oom_failing(), e->message);
	assert_int_equal(e->code, error);
	assert_true(e->message[0] != '\0');
	gw_ctx_clear_error(f->ctx);
}

/* The same, naming the call that failed to say why. */
static void check_call_failure(fixture *f, int error, const char *call)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	if (!e || e->code != error || !e->message[0] || !oom_like(e))
		fail_msg("%s returned %d at allocation %ld with %s", call, error, oom_failing(),
		         e ? (e->message[0] ? e->message : "an empty message") : "no error set");
	gw_ctx_clear_error(f->ctx);
}

/* Checks a call's result: an error must say so; success is fine. */
#define TRY(call)                                                                                  \
	do {                                                                                       \
		int error_ = (call);                                                               \
		if (error_ < 0)                                                                    \
			check_call_failure(f, error_, #call);                                      \
		else if (gw_ctx_error(f->ctx))                                                     \
			fail_msg("%s succeeded with an error set at allocation %ld: %s", #call,    \
			         oom_failing(), gw_ctx_error(f->ctx)->message);                    \
	} while (0)

/* A call without a context: running out of memory is GW_ENOMEM. */
#define TRY_NOCTX(call)                                                                            \
	do {                                                                                       \
		int error_ = (call);                                                               \
		if (error_ < 0 && error_ != GW_ENOMEM)                                             \
			fail_msg("%s returned %d at allocation %ld", #call, error_,                \
			         oom_failing());                                                   \
	} while (0)

/* The database file with `applied` of the two migrations applied, made
 * with allocations working. */
static void prepare_applied(fixture *f, size_t applied)
{
	gw_up_options up = GW_UP_OPTIONS_INIT;
	size_t n = 0;

	unlink(f->db);
	up.to = applied == 1 ? "20240101000001" : NULL;
	fx_open(f);
	if (applied)
		assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, applied);
	gw_project_free(f->p);
	f->p = NULL;
}

/* Runs `run` with allocation 1, 2, ... failing, each time on the state
 * `prepare` makes, and `check` after it; returns how many failed. */
static long oom_loop(fixture *f, void (*prepare)(fixture *), void (*run)(fixture *),
                     void (*check)(fixture *))
{
	long n;

	for (n = getenv("OOM_FROM") ? atol(getenv("OOM_FROM")) : 1; n < 100000; n++) {
		prepare(f);
		oom_fail_at(n);
		run(f);
		oom_fail_at(-1);
		gw_ctx_clear_error(f->ctx);
		f->notices[0] = '\0';
		check(f);
		if (!oom_reached())
			break; /* the whole scenario ran without reaching allocation n */
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n < 100000);
	return n - 1;
}

/* ---- migrate ------------------------------------------------------------ */

static void prepare_empty(fixture *f)
{
	unlink(f->db);
}

/* Everything a project does, with one allocation (oom_failing()) failing. */
static void run_migrate(fixture *f)
{
	gw_project_options o = f->opts;
	gw_project *p = NULL;
	gw_status *st = NULL;
	gw_history *h = NULL;
	gw_plan *plan = NULL;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	size_t n = 0;
	int error;

	if ((error = gw_project_open(&p, &o, f->ctx)) < 0) {
		check_failure(f, error);
		return;
	}
	if ((error = gw_project_status(&st, p)) < 0)
		check_failure(f, error);
	gw_status_free(st);
	if ((error = gw_project_up(&n, p, NULL)) < 0)
		check_failure(f, error);
	else
		assert_true(n <= 2);
	if ((error = gw_project_history(&h, p, NULL, 0)) < 0)
		check_failure(f, error);
	gw_history_free(h);
	if ((error = gw_project_plan_down(&plan, p, &down)) < 0)
		check_failure(f, error);
	gw_plan_free(plan);
	if ((error = gw_project_redo(p)) < 0)
		check_failure(f, error);
	gw_project_free(p);
}

/* With memory again: a fresh project applies what is left, and the
 * database holds each migration's tables and rows exactly once. */
static void check_recovers(fixture *f)
{
	gw_status *st = NULL;
	size_t n = 0;

	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	assert_int_equal(gw_project_status(&st, f->p), 0);
	assert_int_equal(gw_status_count(st), 2);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 2);
	gw_status_free(st);
	fx_assert_query(f,
	                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', "
	                "'b') ORDER BY name",
	                "a\nb\n");
	fx_assert_query(f, "SELECT count(*) FROM a", "1\n");
	fx_assert_query(f, "SELECT count(*) FROM godwit_migrations WHERE state = 'applied'", "2\n");
	gw_project_free(f->p);
	f->p = NULL;
}

static void test_every_allocation_failure_is_an_error_and_recoverable(void **state)
{
	fixture *f = *state;

	scenario_files(f);
	gw_project_free(f->p);
	f->p = NULL;
	assert_true(oom_loop(f, prepare_empty, run_migrate, check_recovers) > 100);
}

/* ---- inspect ------------------------------------------------------------ */

static void prepare_one_applied(fixture *f)
{
	prepare_applied(f, 1);
}

/* Everything that reads a project (and the two that only add a snapshot
 * or probe rows), with one allocation (oom_failing()) failing. */
static void run_inspect(fixture *f)
{
	gw_project_options o = f->opts;
	gw_project_lint_options lo = GW_PROJECT_LINT_OPTIONS_INIT;
	gw_validate_options vo = GW_VALIDATE_OPTIONS_INIT;
	gw_lockplan_options po = GW_LOCKPLAN_OPTIONS_INIT;
	gw_schema_options so = GW_SCHEMA_OPTIONS_INIT;
	gw_project *p = NULL;
	gw_findings *fi = NULL;
	gw_lockplan *lp = NULL;
	gw_schema *s1 = NULL, *s2 = NULL, *rec = NULL;
	gw_schema_diff *d = NULL;
	gw_rows *r1 = NULL, *r2 = NULL;
	gw_report *rep = NULL;
	char *text = NULL, *dtext = NULL, *rtext = NULL;
	char hash[65];
	int error;

	o.sql_dialect = "sqlite";
	if ((error = gw_project_open(&p, &o, f->ctx)) < 0) {
		check_failure(f, error);
		return;
	}
	TRY(gw_project_lint(&fi, p, &lo));
	gw_findings_free(fi);
	fi = NULL;
	lo.pending_only = 1;
	TRY(gw_project_lint(&fi, p, &lo));
	gw_findings_free(fi);
	fi = NULL;
	vo.check_history = 1;
	TRY(gw_project_validate(&fi, p, &vo));
	gw_findings_free(fi);
	TRY(gw_project_plan_locks(&lp, p, &po));
	gw_lockplan_free(lp);
	TRY(gw_schema_snapshot(&s1, p, &so));
	if (s1) {
		TRY_NOCTX(gw_schema_text(&text, s1));
		TRY_NOCTX(gw_schema_hash(hash, s1));
	}
	if (text) {
		TRY(gw_schema_parse(&s2, text, strlen(text), f->ctx));
		if (s2) {
			TRY_NOCTX(gw_schema_diff_compute(&d, s2, s1));
			if (d)
				TRY_NOCTX(gw_schema_diff_text(&dtext, d));
		}
	}
	TRY(gw_rows_fingerprint(&r1, p, &so));
	TRY(gw_rows_probe(p));
	TRY(gw_rows_fingerprint(&r2, p, &so));
	if (r1 && r2)
		TRY_NOCTX(gw_rows_compare(&rtext, r1, r2));
	TRY(gw_project_health(&rep, p));
	gw_report_free(rep);
	rep = NULL;
	TRY(gw_project_preflight(&rep, p));
	gw_report_free(rep);
	TRY(gw_schema_record_expected(p));
	TRY(gw_schema_recorded(&rec, p));
	gw_schema_diff_free(d);
	d = NULL;
	TRY(gw_project_drift(&d, p, NULL));
	gw_schema_diff_free(d);
	gw_schema_free(rec);
	gw_rows_free(r1);
	gw_rows_free(r2);
	free(rtext);
	free(dtext);
	free(text);
	gw_schema_free(s1);
	gw_schema_free(s2);
	gw_project_free(p);
}

/* Whatever failed, the history and the tables are as they were. */
static void check_history_one_applied(fixture *f)
{
	fx_assert_query(f, "SELECT version, state FROM godwit_migrations",
	                "20240101000001|applied\n");
	fx_assert_query(f,
	                "SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', "
	                "'b') ORDER BY name",
	                "a\n");
}

static void test_inspecting_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;

	scenario_files(f);
	assert_true(oom_loop(f, prepare_one_applied, run_inspect, check_history_one_applied) > 100);
}

/* ---- prove -------------------------------------------------------------- */

static char tmpdir[PATH_MAX];

static void prepare_prove(fixture *f)
{
	prepare_applied(f, 1);
}

/* gw_project_test and drift --replay, each on ephemeral SQLite files made
 * in tmpdir. */
static void run_prove(fixture *f)
{
	gw_project_options o = f->opts;
	gw_test_options to = GW_TEST_OPTIONS_INIT;
	gw_drift_options dro = GW_DRIFT_OPTIONS_INIT;
	gw_project *p = NULL;
	gw_test_report *r = NULL;
	gw_schema_diff *d = NULL;
	int error;

	if ((error = gw_project_open(&p, &o, f->ctx)) < 0) {
		check_failure(f, error);
		return;
	}
	to.rows = 1;
	TRY(gw_project_test(&r, p, &to));
	/* A report either proves the migration or says why it failed: out of
	 * memory, never a difference that is not there. */
	if (r) {
		const gw_test_entry *e = gw_test_report_get(r, 0);

		assert_int_equal(gw_test_report_count(r), 1);
		if (e->result != GW_TEST_PASS &&
		    (e->result != GW_TEST_FAIL || !strstr(e->reason, "out of memory") || e->diff))
			fail_msg("at allocation %ld the test says %s: %s", oom_failing(),
			         gw_test_result_name(e->result), e->reason ? e->reason : "");
	}
	gw_test_report_free(r);
	dro.replay = 1;
	TRY(gw_project_drift(&d, p, &dro));
	if (d && gw_schema_diff_count(d)) {
		char *text = NULL;

		oom_fail_at(-1);
		gw_schema_diff_text(&text, d);
		fail_msg("drift --replay found a difference at allocation %ld: %s", oom_failing(),
		         text);
	}
	gw_schema_diff_free(d);
	gw_project_free(p);
}

/* Every ephemeral file was removed, and the project's database was not
 * touched. */
static void check_prove(fixture *f)
{
	DIR *dir = opendir(tmpdir);
	struct dirent *e;
	int files = 0;

	assert_non_null(dir);
	while ((e = readdir(dir)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			print_error("left behind at allocation %ld: %s\n", oom_failing(),
			            e->d_name);
			files++;
		}
	closedir(dir);
	assert_int_equal(files, 0);
	check_history_one_applied(f);
}

static void test_proving_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;
	char *old = getenv("TMPDIR") ? strdup(getenv("TMPDIR")) : NULL;
	char path[PATH_MAX * 2];

	/* One migration: each run proves it and replays it, and a second
	 * would take the same paths again. */
	scenario_files(f);
	snprintf(path, sizeof(path), "%s/20240101000002_b.sql", f->migrations);
	assert_int_equal(unlink(path), 0);
	snprintf(tmpdir, sizeof(tmpdir), "%s/tmp", f->dir);
	fx_mkdirs(tmpdir);
	setenv("TMPDIR", tmpdir, 1);
	assert_true(oom_loop(f, prepare_prove, run_prove, check_prove) > 100);
	if (old)
		setenv("TMPDIR", old, 1);
	else
		unsetenv("TMPDIR");
	free(old);
}

/* ---- author ------------------------------------------------------------- */

static void prepare_author(fixture *f)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/seeds", f->dir);
	oom_rm_rf(path);
	snprintf(path, sizeof(path), "%s/backups", f->dir);
	oom_rm_rf(path);
	oom_rm_rf(f->migrations);
	fx_mkdirs(f->migrations);
	scenario_files(f);
	snprintf(path, sizeof(path), "%s/seeds", f->dir);
	fx_mkdirs(path);
	fx_write(path, "users.sql", "INSERT INTO a VALUES (2);\n");
	prepare_applied(f, 1);
}

/* What writes files and history without running migrations. */
static void run_author(fixture *f)
{
	gw_project_options o = f->opts;
	char seeds[PATH_MAX * 2], backups[PATH_MAX * 2];
	gw_project *p = NULL;
	gw_backup_list *bl = NULL;
	char *path = NULL, *backup = NULL;
	size_t n = 0;
	int error;

	snprintf(seeds, sizeof(seeds), "%s/seeds", f->dir);
	snprintf(backups, sizeof(backups), "%s/backups", f->dir);
	o.seeds_dir = seeds;
	o.seeds_allowed = 1;
	o.backup.dir = backups;
	if ((error = gw_project_open(&p, &o, f->ctx)) < 0) {
		check_failure(f, error);
		return;
	}
	TRY(gw_project_new_migration(&path, p, "add_c"));
	free(path);
	TRY(gw_project_seed(&n, p));
	TRY(gw_project_backup(&backup, p));
	TRY(gw_project_backups(&bl, p));
	gw_backup_list_free(bl);
	TRY(gw_project_baseline(&n, p, "20240101000002"));
	if (backup)
		TRY(gw_project_restore(p, backup));
	free(backup);
	TRY(gw_project_reset(p, 0));
	gw_project_free(p);
}

/* The history names only the two migrations, each applied or not, and a
 * fresh project brings the database to both applied. */
static void check_author(fixture *f)
{
	char path[PATH_MAX * 2];
	DIR *dir;
	struct dirent *e;
	gw_status *st = NULL;
	size_t n = 0, i;

	fx_open(f);
	assert_int_equal(gw_project_status(&st, f->p), 0);
	for (i = 0; i < gw_status_count(st); i++)
		assert_true(gw_status_get(st, i)->state == GW_STATE_APPLIED ||
		            gw_status_get(st, i)->state == GW_STATE_PENDING);
	gw_status_free(st);
	/* The new migration, when made, is the empty template: up refuses
	 * it, so it goes before the check that the other two apply. */
	assert_non_null(dir = opendir(f->migrations));
	while ((e = readdir(dir))) {
		if (!strstr(e->d_name, "add_c"))
			continue;
		snprintf(path, sizeof(path), "%s/%s", f->migrations, e->d_name);
		assert_int_equal(unlink(path), 0);
	}
	closedir(dir);
	fx_open(f);
	fx_sql(f, "DROP TABLE IF EXISTS a; DROP TABLE IF EXISTS b; DELETE FROM godwit_migrations");
	assert_int_equal(gw_project_up(&n, f->p, NULL), 0);
	fx_assert_query(f, "SELECT count(*) FROM godwit_migrations WHERE state = 'applied'", "2\n");
	gw_project_free(f->p);
	f->p = NULL;
}

static void test_authoring_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;

	assert_true(oom_loop(f, prepare_author, run_author, check_author) > 100);
}

/* ---- init --------------------------------------------------------------- */

static void prepare_init(fixture *f)
{
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/new", f->dir);
	oom_rm_rf(path);
	fx_mkdirs(path);
}

static void run_init(fixture *f)
{
	gw_init_item items[GW_INIT_ITEMS];
	char path[PATH_MAX * 2];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/new", f->dir);
	TRY(gw_project_init(items, &n, path, f->ctx));
	assert_true(n <= GW_INIT_ITEMS);
}

/* Init again with memory completes what a failed one started. */
static void check_init(fixture *f)
{
	gw_init_item items[GW_INIT_ITEMS];
	char path[PATH_MAX * 2];
	size_t n = 0;

	snprintf(path, sizeof(path), "%s/new", f->dir);
	assert_int_equal(gw_project_init(items, &n, path, f->ctx), 0);
	assert_int_equal(n, GW_INIT_ITEMS);
}

static void test_init_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;

	assert_true(oom_loop(f, prepare_init, run_init, check_init) >= 3);
}

/* Parsing a PostgreSQL URL (libpq's own allocations are not counted) and
 * writing it back: each failure is GW_ENOMEM with "out of memory", or -1
 * from a writer; whatever succeeds is exactly what a run without failures
 * gives. */
static void parse_and_write(const char *url, gw_ctx *ctx, int rc[3], gw_str *out, gw_str *info,
                            gw_str *password)
{
	gw_pgurl u = GW_PGURL_INIT;

	rc[1] = rc[2] = 0;
	if ((rc[0] = gw_pgurl_parse(&u, url, ctx)) == 0) {
		rc[1] = gw_pgurl_format(out, &u);
		rc[2] = gw_pgurl_conninfo(info, password, &u);
	} else {
		assert_int_equal(u.n, 0);
	}
	gw_pgurl_dispose(&u);
}

static void test_pgurl_allocation_failures_are_enomem(void **state)
{
	const char *url = "postgres://app:s%20ecret@db.example:5433/shop?schema=tenant&"
	                  "pgbouncer=true&sslmode=require&sslaccept=accept_invalid_certs&"
	                  "options=-c%20x%3D1&application_name=x";
	gw_str want_out = GW_STR_INIT, want_info = GW_STR_INIT, want_password = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	int rc[3];
	long n;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	parse_and_write(url, ctx, rc, &want_out, &want_info, &want_password);
	assert_int_equal(rc[0] | rc[1] | rc[2], 0);
	assert_string_equal(want_password.ptr, "s ecret");
	for (n = 1; n < 10000; n++) {
		gw_str out = GW_STR_INIT, info = GW_STR_INIT, password = GW_STR_INIT;

		oom_fail_at(n);
		parse_and_write(url, ctx, rc, &out, &info, &password);
		oom_fail_at(-1);
		if (rc[0] < 0) {
			assert_int_equal(rc[0], GW_ENOMEM);
			assert_string_equal(gw_ctx_error(ctx)->message, "out of memory");
		} else {
			if (rc[1] == 0)
				assert_string_equal(out.ptr, want_out.ptr);
			if (rc[2] == 0) {
				assert_string_equal(info.ptr, want_info.ptr);
				assert_string_equal(password.ptr, want_password.ptr);
			}
		}
		gw_ctx_clear_error(ctx);
		gw_str_dispose(&out);
		gw_str_dispose(&info);
		gw_str_dispose(&password);
		if (!oom_reached())
			break;
	}
	print_message("%ld allocations of the URL failed one at a time\n", n - 1);
	assert_true(n > 10);
	assert_true(n < 10000);
	gw_str_dispose(&want_out);
	gw_str_dispose(&want_info);
	gw_str_dispose(&want_password);
	gw_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_every_allocation_failure_is_an_error_and_recoverable, setup, teardown),
	        cmocka_unit_test_setup_teardown(test_inspecting_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_proving_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_authoring_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	        cmocka_unit_test_setup_teardown(test_init_fails_cleanly_at_every_allocation, setup,
	                                        teardown),
	        cmocka_unit_test(test_pgurl_allocation_failures_are_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
