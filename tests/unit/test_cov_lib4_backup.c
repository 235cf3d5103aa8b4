/*
 * test_cov_lib4_backup.c: the backup folder of a SQLite project
 * (src/lib/backup.c), with the exact files left in it:
 *  - a backup is 0600 in a folder made 0700, whatever they were;
 *  - only <environment>-<digit>...<extension> files are listed, in order;
 *  - a partial file left by a process that no longer exists is removed
 *    (its -journal too); one of a live process, this one, or a name
 *    that holds no pid is kept;
 *  - a folder that cannot be made, a file where it should be.
 */
#include <dirent.h>

#include "project_fixture.h"

#include "godwit/backup.h"

static char backups[PATH_MAX * 2];

static int setup(void **state)
{
	fixture *f;

	assert_int_equal(fx_setup_named(state, "lib4-backup"), 0);
	f = *state;
	snprintf(backups, sizeof(backups), "%s/backups", f->dir);
	assert_int_equal(mkdir(backups, 0755), 0);
	f->opts.backup.dir = backups;
	fx_open(f);
	return 0;
}

/* The folder's names, sorted, one per line. */
static void assert_folder(const char *expected)
{
	char names[64][256], out[8192] = "", tmp[256];
	size_t n = 0, i, j, len = 0;
	DIR *d = opendir(backups);
	struct dirent *e;

	assert_non_null(d);
	while ((e = readdir(d)))
		if (e->d_name[0] != '.' && n < 64)
			snprintf(names[n++], sizeof(names[0]), "%s", e->d_name);
	closedir(d);
	for (i = 0; i < n; i++)
		for (j = i + 1; j < n; j++)
			if (strcmp(names[i], names[j]) > 0) {
				memcpy(tmp, names[i], sizeof(tmp));
				memcpy(names[i], names[j], sizeof(tmp));
				memcpy(names[j], tmp, sizeof(tmp));
			}
	for (i = 0; i < n; i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s\n", names[i]);
	assert_string_equal(out, expected);
}

static void test_listing_and_stale_partials(void **state)
{
	static const char *const files[] = {
	        "development-20240101T000000Z-0.sqlite3",
	        "development-a.sqlite3",
	        "development-2",
	        "developmentx-1.sqlite3",
	        "production-1.sqlite3",
	        "development-1.sqlite3.999999999.partial",
	        "development-1.sqlite3.999999999.partial-journal",
	        "development-1.sqlite3.1.partial",
	        "development-1.sqlite3.partial",
	        "development-1.sqlite3.x5.partial",
	        "development-.partial",
	};
	fixture *f = *state;
	gw_backup_list *l = NULL;
	char *path = NULL, own[128], expected[4096];
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
		fx_write(backups, files[i], "abc");
	snprintf(own, sizeof(own), "development-1.sqlite3.%ld.partial", (long)getpid());
	fx_write(backups, own, "abc");
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_sql(f, "CREATE TABLE t (id int);");
	assert_int_equal(gw_project_backup(&path, f->p), 0);
	assert_non_null(path);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(backups, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(gw_project_backups(&l, f->p), 0);
	assert_int_equal(gw_backup_list_count(l), 2);
	assert_string_equal(gw_backup_list_get(l, 0)->name,
	                    "development-20240101T000000Z-0.sqlite3");
	assert_int_equal(gw_backup_list_get(l, 0)->size, 3);
	assert_string_equal(gw_backup_list_get(l, 1)->path, path);
	assert_null(gw_backup_list_get(l, 2));
	assert_null(gw_backup_list_get(NULL, 0));
	assert_int_equal(gw_backup_list_count(NULL), 0);
	/* The stale partial and its journal are gone; the rest stays. */
	snprintf(expected, sizeof(expected),
	         "development-.partial\n"
	         "development-1.sqlite3.1.partial\n"
	         "%s\n"
	         "development-1.sqlite3.partial\n"
	         "development-1.sqlite3.x5.partial\n"
	         "development-2\n"
	         "development-20240101T000000Z-0.sqlite3\n"
	         "%s\n"
	         "development-a.sqlite3\n"
	         "developmentx-1.sqlite3\n"
	         "production-1.sqlite3\n",
	         own, strrchr(path, '/') + 1);
	assert_folder(expected);
	gw_backup_list_free(l);
	free(path);
}

/* A backup folder that cannot be made, or a file where the folder
 * should be: an I/O error that names it, and no backup. */
static void test_folder_refused(void **state)
{
	fixture *f = *state;
	char dir[PATH_MAX * 2], message[PATH_MAX * 3], *path = NULL;
	const gw_error *e;

	fx_sql(f, "CREATE TABLE t (id int);");
	fx_write(f->dir, "plain", "x");
	snprintf(dir, sizeof(dir), "%s/plain/backups", f->dir);
	f->opts.backup.dir = dir;
	fx_open(f);
	snprintf(message, sizeof(message),
	         "backup failed, nothing was changed: cannot create folder %s: Not a directory",
	         dir);
	fx_assert_error(f, gw_project_backup(&path, f->p), GW_EIO, message, NULL);
	assert_null(path);
	snprintf(dir, sizeof(dir), "%s/plain", f->dir);
	f->opts.backup.dir = dir;
	fx_open(f);
	assert_int_equal(gw_project_backup(&path, f->p), GW_EIO);
	assert_null(path);
	e = gw_ctx_error(f->ctx);
	snprintf(message, sizeof(message),
	         "backup failed, nothing was changed: cannot create %s/development-", dir);
	assert_true(!strncmp(e->message, message, strlen(message)));
	assert_non_null(strstr(e->message, ".partial: Not a directory"));
	gw_ctx_clear_error(f->ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_listing_and_stale_partials, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_folder_refused, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
