/*
 * project_fixture.h: what the unit tests of the project API share: a fresh
 * folder under $GW_TEST_TMP with a db/migrations folder, a real SQLite
 * database file in it, a project opened on both, the notices the library
 * sent, and direct SQLite access to check what the database holds.
 *
 * Included by one test file each (every function is static).
 */
#ifndef GW_TEST_PROJECT_FIXTURE_H
#define GW_TEST_PROJECT_FIXTURE_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "godwit.h"
#include "util/fs.h"
#include "util/vec.h"

/* Each test file uses some of these only. */
#define FX_FN static __attribute__((unused))

typedef struct {
	char dir[PATH_MAX / 2];    /* the project folder */
	char migrations[PATH_MAX]; /* dir/db/migrations */
	char db[PATH_MAX];         /* dir/db.sqlite3 */
	char url[PATH_MAX + 8];
	gw_ctx *ctx;
	gw_project *p;
	gw_project_options opts;
	char notices[8192]; /* "KIND VERSION: MESSAGE\n" for each notice */
} fixture;

static int fixture_counter;

FX_FN void fx_mkdirs(const char *path)
{
	char buf[PATH_MAX];
	char *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = buf + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		mkdir(buf, 0700);
		*s = '/';
	}
	mkdir(buf, 0700);
}

FX_FN const char *fx_kind(gw_notice_kind k)
{
	static const char *const names[] = {"info",      "warning",  "applying", "applied",
	                                    "reverting", "reverted", "skipped",  "lock-wait",
	                                    "server",    "statement"};
	return names[k];
}

FX_FN void fx_notice(const gw_notice *n, void *payload)
{
	fixture *f = payload;
	size_t len = strlen(f->notices), dlen = strlen(f->migrations);
	const char *m = n->message, *at;

	/* The statements are for a run's log; the tests here follow what
	 * happened to each migration. */
	if (n->kind == GW_NOTICE_STATEMENT)
		return;
	len += (size_t)snprintf(f->notices + len, sizeof(f->notices) - len,
	                        "%s %s: ", fx_kind(n->kind), n->version ? n->version : "-");
	/* The migrations folder is written $M, so expectations are short. */
	while (len < sizeof(f->notices) - 1 && (at = strstr(m, f->migrations))) {
		len += (size_t)snprintf(f->notices + len, sizeof(f->notices) - len, "%.*s$M",
		                        (int)(at - m), m);
		m = at + dlen;
	}
	if (len < sizeof(f->notices) - 1)
		snprintf(f->notices + len, sizeof(f->notices) - len, "%s\n", m);
}

/* Opens (again) the project on f->opts, so a test may change them first. */
FX_FN void fx_open(fixture *f)
{
	gw_project_free(f->p);
	f->p = NULL;
	assert_int_equal(gw_project_open(&f->p, &f->opts, f->ctx), 0);
}

FX_FN int fx_setup_named(void **state, const char *name)
{
	fixture *f = calloc(1, sizeof(*f));
	const char *tmp = getenv("GW_TEST_TMP");

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "%s/%s/%ld-%d", tmp && *tmp ? tmp : "/tmp/godwit-test",
	         name, (long)getpid(), ++fixture_counter);
	snprintf(f->migrations, sizeof(f->migrations), "%s/db/migrations", f->dir);
	snprintf(f->db, sizeof(f->db), "%s/db.sqlite3", f->dir);
	snprintf(f->url, sizeof(f->url), "sqlite:%s", f->db);
	fx_mkdirs(f->migrations);
	unlink(f->db);
	assert_int_equal(gw_ctx_new(&f->ctx), 0);
	gw_ctx_set_notice_cb(f->ctx, fx_notice, f);
	f->opts = (gw_project_options)GW_PROJECT_OPTIONS_INIT;
	f->opts.dir = f->migrations;
	f->opts.url = f->url;
	f->opts.project_dir = f->dir;
	fx_open(f);
	*state = f;
	return 0;
}

FX_FN int fx_teardown(void **state)
{
	fixture *f = *state;

	gw_project_free(f->p);
	gw_ctx_free(f->ctx);
	free(f);
	return 0;
}

FX_FN void fx_write(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(fp = fopen(path, "w"));
	assert_true(fputs(text, fp) >= 0);
	assert_int_equal(fclose(fp), 0);
}

/* A native migration VERSION_NAME.sql with an up and (when not NULL) a down. */
FX_FN void fx_migration(fixture *f, const char *file, const char *up, const char *down)
{
	char text[4096];

	snprintf(text, sizeof(text), "-- migrate:up\n%s\n%s%s%s", up,
	         down ? "\n-- migrate:down\n" : "", down ? down : "", down ? "\n" : "");
	fx_write(f->migrations, file, text);
}

FX_FN int fx_row(void *payload, int ncols, char **values, char **names)
{
	char *out = payload;
	size_t len = strlen(out);
	int i;

	(void)names;
	for (i = 0; i < ncols; i++)
		len += (size_t)snprintf(out + len, 4096 - len, "%s%s", i ? "|" : "",
		                        values[i] ? values[i] : "NULL");
	snprintf(out + len, 4096 - len, "\n");
	return 0;
}

/* The rows of `sql` on the database file, read with SQLite directly:
 * columns separated by '|', one line per row. */
FX_FN void fx_assert_query(fixture *f, const char *sql, const char *expected)
{
	char out[4096] = "";
	sqlite3 *db = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open_v2(f->db, &db, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
	if (sqlite3_exec(db, sql, fx_row, out, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
	assert_string_equal(out, expected);
}

FX_FN void fx_sql(fixture *f, const char *sql)
{
	sqlite3 *db = NULL;
	char *err = NULL;

	assert_int_equal(sqlite3_open(f->db, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK)
		fail_msg("%s: %s", sql, err);
	sqlite3_close(db);
}

/* The call failed with `code`, and the context holds exactly this message
 * and hint; the error is cleared for the next call. */
FX_FN void fx_assert_error(fixture *f, int got, int code, const char *message, const char *hint)
{
	const gw_error *e = gw_ctx_error(f->ctx);

	assert_non_null(e);
	assert_string_equal(e->message, message);
	if (hint)
		assert_string_equal(e->hint, hint);
	assert_int_equal(got, code);
	assert_int_equal(e->code, code);
	gw_ctx_clear_error(f->ctx);
}

/* The project opened with the settings of a config, as the CLI opens it:
 * its checksum cache is on. Returns the config, which the test frees. */
FX_FN gw_config *fx_open_with_config(fixture *f)
{
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;

	co.project_dir = f->dir;
	assert_int_equal(gw_config_load(&cfg, &co, f->ctx), 0);
	f->opts.config = cfg;
	fx_open(f);
	return cfg;
}

/* Waits until the file system's clock is past the ctime of dir and of
 * every file in it: the checksum cache records only files older than its
 * run, and keeps the listing of a folder older than it. */
FX_FN void fx_wait_clock_past(fixture *f, const char *dir)
{
	char probe[PATH_MAX * 2];
	struct timespec newest, now;
	gw_vec names = GW_VEC_INIT;
	struct stat sb;
	size_t i;

	/* The folder's own: the listing kept is recorded only then. */
	assert_int_equal(stat(dir, &sb), 0);
	newest = sb.st_ctim;
	assert_int_equal(gw_dir_list(&names, dir, f->ctx), 0);
	for (i = 0; i < names.len; i++) {
		snprintf(probe, sizeof(probe), "%s/%s", dir, (const char *)names.items[i]);
		assert_int_equal(stat(probe, &sb), 0);
		if (sb.st_ctim.tv_sec > newest.tv_sec ||
		    (sb.st_ctim.tv_sec == newest.tv_sec && sb.st_ctim.tv_nsec > newest.tv_nsec))
			newest = sb.st_ctim;
	}
	gw_vec_dispose(&names, free);
	snprintf(probe, sizeof(probe), "%s/probe", f->dir);
	do {
		fx_write(f->dir, "probe", "");
		assert_int_equal(stat(probe, &sb), 0);
	} while (sb.st_mtim.tv_sec < newest.tv_sec ||
	         (sb.st_mtim.tv_sec == newest.tv_sec && sb.st_mtim.tv_nsec <= newest.tv_nsec));
	unlink(probe);
	/* The listing's T0 is the coarse clock, which may lag a stamp by a
	 * tick where the kernel stamps finer (multigrain time stamps). */
	do
		assert_int_equal(clock_gettime(CLOCK_REALTIME_COARSE, &now), 0);
	while (now.tv_sec < newest.tv_sec ||
	       (now.tv_sec == newest.tv_sec && now.tv_nsec <= newest.tv_nsec));
}

#endif
