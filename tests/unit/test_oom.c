/*
 * test_oom.c: running out of memory anywhere in a run of the library
 * never crashes it, never reports success for work not done, and never
 * leaves a migration half applied.
 *
 * The executable is linked with --wrap for the allocation functions
 * (tests/CMakeLists.txt), so the Nth allocation the library makes can be
 * made to fail. For N = 1, 2, ... a whole scenario runs (open, status, up,
 * history, plan, down) on a real SQLite file, until a run passes without
 * reaching the Nth allocation. After each, with allocations working again,
 * a fresh project must bring the database to the expected state: every
 * call that failed left nothing behind that a second run cannot finish.
 */
#include "project_fixture.h"

#include "drivers/pgurl.h"

void *__real_malloc(size_t size);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t size);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t size);
char *__wrap_strdup(const char *s);

static long alloc_count, fail_at = -1, failed;

static int should_fail(void)
{
	if (fail_at < 0 || ++alloc_count != fail_at)
		return 0;
	failed++;
	return 1;
}

void *__wrap_malloc(size_t size)
{
	return should_fail() ? NULL : __real_malloc(size);
}

void *__wrap_calloc(size_t n, size_t size)
{
	return should_fail() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t size)
{
	return should_fail() ? NULL : __real_realloc(p, size);
}

char *__wrap_strdup(const char *s)
{
	return should_fail() ? NULL : __real_strdup(s);
}

static int setup(void **state)
{
	struct stat sb;

	/* Hundreds of runs that each create a database: in memory when the
	 * machine has a tmpfs, where a commit costs no disk flush. */
	if (stat("/dev/shm", &sb) == 0 && S_ISDIR(sb.st_mode) && access("/dev/shm", W_OK) == 0)
		setenv("GW_TEST_TMP", "/dev/shm/godwit-test", 1);
	return fx_setup_named(state, "oom");
}

/* The folder is in memory: remove it rather than leave it to a reboot. */
static int teardown(void **state)
{
	fixture *f = *state;
	char path[PATH_MAX * 2];

	snprintf(path, sizeof(path), "%s/20240101000001_a.sql", f->migrations);
	unlink(path);
	snprintf(path, sizeof(path), "%s/20240101000002_b.sql", f->migrations);
	unlink(path);
	snprintf(path, sizeof(path), "%s-journal", f->db);
	unlink(path);
	unlink(f->db);
	rmdir(f->migrations);
	snprintf(path, sizeof(path), "%s/db", f->dir);
	rmdir(path);
	rmdir(f->dir);
	return fx_teardown(state);
}

static void scenario_files(fixture *f)
{
	fx_migration(f, "20240101000001_a.sql",
	             "CREATE TABLE a (id int);\nINSERT INTO a VALUES (1);", "DROP TABLE a;");
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", "DROP TABLE b;");
}

/* A call failed: it said so with a code and a message. */
static void check_failure(fixture *f, int error)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	assert_true(error < 0);
	assert_non_null(e);
	assert_int_equal(e->code, error);
	assert_true(e->message[0] != '\0');
	gw_ctx_clear_error(f->ctx);
}

/* Everything a project does, with allocation number fail_at failing. */
static void run_scenario(fixture *f)
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
	long n;

	scenario_files(f);
	gw_project_free(f->p);
	f->p = NULL;
	for (n = 1; n < 100000; n++) {
		unlink(f->db);
		alloc_count = 0;
		failed = 0;
		fail_at = n;
		run_scenario(f);
		fail_at = -1;
		gw_ctx_clear_error(f->ctx);
		f->notices[0] = '\0';
		check_recovers(f);
		if (!failed)
			break; /* the whole scenario ran without reaching allocation n */
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n > 100);
	assert_true(n < 100000);
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

		alloc_count = 0;
		failed = 0;
		fail_at = n;
		parse_and_write(url, ctx, rc, &out, &info, &password);
		fail_at = -1;
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
		if (!failed)
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
	        cmocka_unit_test(test_pgurl_allocation_failures_are_enomem),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
