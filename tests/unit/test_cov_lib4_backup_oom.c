/*
 * test_cov_lib4_backup_oom.c: running out of memory anywhere in a backup,
 * its listing or a restore of a SQLite project (src/lib/backup.c) is an
 * out-of-memory error, never a crash, a backup listed that is not whole,
 * or a database left half restored.
 *
 * For N = 1, 2, ... allocation N fails while a backup is taken, the
 * backups are listed and the first one is restored over a database that
 * gained a table since. After each round, with allocations working again:
 * every listed backup is a whole file, and the database holds either its
 * state before the restore or the backup's, as the restore said (one
 * whose event could not be recorded says it restored).
 *
 * Linked like test_oom with --wrap for the allocation functions
 * (tests/CMakeLists.txt).
 */
#include "project_fixture.h"

#include "godwit/backup.h"
#include "oom.h"

static char backups[PATH_MAX * 2];
static char first[PATH_MAX * 3];

static int setup(void **state)
{
	fixture *f;
	gw_up_options uo = GW_UP_OPTIONS_INIT;
	char *path = NULL;
	size_t n = 0;

	oom_use_tmpfs();
	assert_int_equal(fx_setup_named(state, "lib4-backup-oom"), 0);
	f = *state;
	snprintf(backups, sizeof(backups), "%s/backups", f->dir);
	f->opts.backup.dir = backups;
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_open(f);
	assert_int_equal(gw_project_up(&n, f->p, &uo), 0);
	assert_int_equal(gw_project_backup(&path, f->p), 0);
	snprintf(first, sizeof(first), "%s", path);
	free(path);
	return 0;
}

static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

static void check(fixture *f, int error, const char *what, long n)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	if (error != GW_ENOMEM || !e || e->code != GW_ENOMEM || !strstr(e->message, "memory"))
		fail_msg("%s returned %d at allocation %ld: %s", what, error, n,
		         e ? e->message : "no error set");
	gw_ctx_clear_error(f->ctx);
}

/* The tables of the database, comma-separated. */
static void tables(fixture *f, char *out, size_t size)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;

	out[0] = '\0';
	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db,
	                                    "SELECT group_concat(name) FROM (SELECT name FROM "
	                                    "sqlite_master WHERE type = 'table' AND name IN ('a', "
	                                    "'later') ORDER BY name)",
	                                    -1, &st, NULL),
	                 SQLITE_OK);
	if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
		snprintf(out, size, "%s", (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static void copy_file(const char *from, const char *to)
{
	char buf[65536];
	FILE *in = fopen(from, "rb"), *out = fopen(to, "wb");
	size_t n;

	assert_non_null(in);
	assert_non_null(out);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0)
		assert_int_equal(fwrite(buf, 1, n, out), n);
	fclose(in);
	assert_int_equal(fclose(out), 0);
}

static void test_backup_fails_cleanly_at_every_allocation(void **state)
{
	fixture *f = *state;
	gw_backup_list *l;
	char *path, t[128];
	long n;
	size_t i;
	int error, reached, restored;

	for (n = 1; n < 100000; n++) {
		/* Each round starts from the same database: the backup's, and
		 * a table made since (a restore adds events to the history). */
		gw_project_free(f->p);
		f->p = NULL;
		copy_file(first, f->db);
		fx_open(f);
		fx_sql(f, "CREATE TABLE later (id int);");
		path = NULL;
		l = NULL;
		oom_fail_at(n);
		if ((error = gw_project_backup(&path, f->p)) < 0)
			check(f, error, "gw_project_backup", n);
		if ((error = gw_project_backups(&l, f->p)) < 0)
			check(f, error, "gw_project_backups", n);
		gw_backup_list_free(l);
		restored = 1;
		if ((error = gw_project_restore(f->p, first)) < 0) {
			/* Restored, but its event not recorded: it says so. */
			restored = !strncmp(gw_ctx_error(f->ctx)->message, "restored ", 9);
			check(f, error, "gw_project_restore", n);
		}
		reached = oom_reached();
		/* Whole or not at all, as the call said. */
		tables(f, t, sizeof(t));
		if (strcmp(t, restored ? "a" : "a,later"))
			fail_msg("the database holds %s after allocation %ld (restore %d)", t, n,
			         error);
		assert_int_equal(gw_project_backups(&l, f->p), 0);
		for (i = 0; i < gw_backup_list_count(l); i++)
			if (gw_backup_list_get(l, i)->size <= 0)
				fail_msg("%s listed empty after allocation %ld",
				         gw_backup_list_get(l, i)->name, n);
		gw_backup_list_free(l);
		/* The same folder for every round: the first backup only. */
		if (path)
			unlink(path);
		free(path);
		if (!reached)
			break;
	}
	print_message("%ld allocations failed one at a time\n", n - 1);
	assert_true(n > 100 && n < 100000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_backup_fails_cleanly_at_every_allocation,
	                                        setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
