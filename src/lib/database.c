/*
 * database.c: the database itself, as dbmate's create, drop and wait
 * handle it: making the database the URL names, removing it, and waiting
 * for a server that is still starting.
 *
 * PostgreSQL: CREATE and DROP DATABASE run on the server's maintenance
 * database (postgres, else template1), reached with the URL's own
 * parameters, which libpq reads (gw_pgurl): a key/value string or a Prisma
 * URL works as well as a plain URL. SQLite: the file.
 */
#include "internal.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "../drivers/pgurl.h"
#include "../util/backoff.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/url.h"

/* ---- PostgreSQL ------------------------------------------------------------ */

/* The name of the database the URL names, and a session on the server's
 * maintenance database to create or drop it from. */
typedef struct admin {
	char *name;
	gw_conn *conn;
} admin;

static void admin_dispose(admin *a)
{
	if (a->conn)
		a->conn->driver->close(a->conn);
	free(a->name);
}

static int admin_open(admin *a, gw_project *p)
{
	static const char *const maintenance[] = {"postgres", "template1", NULL};
	gw_conn_options copts = {p->app_name, 0};
	gw_pgurl u = GW_PGURL_INIT;
	gw_str url = GW_STR_INIT;
	int error, i;

	if ((error = gw_pgurl_parse(&u, p->opts.url, p->ctx)) < 0)
		return error;
	if (!gw_pgurl_get(&u, "dbname") || !*gw_pgurl_get(&u, "dbname")) {
		error = gw_error_set(p->ctx, GW_EINVALID, "the database URL %s names no database",
		                     p->display_url);
		gw_error_set_hint(p->ctx, "add it to the URL: postgres://USER@HOST/DATABASE");
		goto cleanup;
	}
	if (!(a->name = gw_strdup(gw_pgurl_get(&u, "dbname")))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* A server without a postgres database still has template1. */
	for (i = 0; maintenance[i]; i++) {
		gw_str_clear(&url);
		if (gw_pgurl_set(&u, "dbname", maintenance[i]) < 0 ||
		    gw_pgurl_format(&url, &u) < 0) {
			error = gw_error_oom(p->ctx);
			goto cleanup;
		}
		error = p->driver->open(&a->conn, url.ptr, &copts, p->ctx);
		if (error != GW_ENODB || !maintenance[i + 1])
			break;
		gw_ctx_clear_error(p->ctx);
	}
cleanup:
	gw_pgurl_dispose(&u);
	gw_str_dispose(&url);
	return error;
}

static int count_row(void *payload, int ncols, const char *const *v)
{
	(void)ncols;
	*(int *)payload = v[0] && atoi(v[0]) > 0;
	return 0;
}

static int pg_database_exists(int *exists, admin *a)
{
	static const char sql[] = "SELECT count(*) FROM pg_database WHERE datname = $1";
	const char *params[1] = {a->name};
	gw_stmt st = {sql, sizeof(sql) - 1, params, 1};

	*exists = 0;
	return a->conn->driver->exec(a->conn, &st, count_row, exists);
}

static int admin_ddl(admin *a, const char *head)
{
	char *quoted = NULL;
	gw_str sql = GW_STR_INIT;
	gw_stmt st = {NULL, 0, NULL, 0};
	int error;

	if ((error = a->conn->driver->quote_ident(a->conn, a->name, &quoted)) < 0)
		return error;
	if (gw_str_printf(&sql, "%s%s", head, quoted) < 0) {
		error = gw_error_oom(a->conn->ctx);
		goto cleanup;
	}
	st.sql = sql.ptr;
	st.len = sql.size;
	error = a->conn->driver->exec(a->conn, &st, NULL, NULL);
cleanup:
	free(quoted);
	gw_str_dispose(&sql);
	return error;
}

static int pg_create_or_drop(gw_project *p, int drop)
{
	admin a = {NULL, NULL};
	int exists = 0, error;

	if ((error = admin_open(&a, p)) < 0 || (error = pg_database_exists(&exists, &a)) < 0)
		goto cleanup;
	if (!drop && exists) {
		error = gw_error_set(p->ctx, GW_ESTATE, "database \"%s\" already exists", a.name);
		goto cleanup;
	}
	if (drop && !exists) {
		error = gw_error_set(p->ctx, GW_ENODB, "database \"%s\" does not exist", a.name);
		goto cleanup;
	}
	if ((error = admin_ddl(&a, drop ? "DROP DATABASE " : "CREATE DATABASE ")) < 0) {
		gw_error_prefix(p->ctx, "cannot %s database \"%s\": ", drop ? "drop" : "create",
		                a.name);
		goto cleanup;
	}
	gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1, "%s database \"%s\"",
	          drop ? "dropped" : "created", a.name);
cleanup:
	admin_dispose(&a);
	return error;
}

/* ---- SQLite ------------------------------------------------------------------ */

static int sqlite_path(gw_str *path, gw_project *p)
{
	if (gw_url_sqlite_path(path, p->opts.url) < 0 || !path->size)
		return gw_error_set(p->ctx, GW_EINVALID, "the database URL %s names no file",
		                    p->display_url);
	if (!strcmp(path->ptr, ":memory:") || !strncmp(path->ptr, "file:", 5))
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "the database URL %s names no file to create or delete",
		                    p->display_url);
	return 0;
}

static int sqlite_create(gw_project *p)
{
	gw_str path = GW_STR_INIT;
	gw_conn *conn;
	struct stat st;
	char *slash;
	int error;

	if ((error = sqlite_path(&path, p)) < 0)
		goto cleanup;
	if (stat(path.ptr, &st) == 0) {
		error = gw_error_set(p->ctx, GW_ESTATE, "database file %s already exists",
		                     path.ptr);
		goto cleanup;
	}
	/* `create` is asked for: every missing folder above the file too. */
	if ((slash = strrchr(path.ptr, '/')) && slash != path.ptr) {
		*slash = '\0';
		error = gw_make_dirs(path.ptr, 0755, p->ctx);
		*slash = '/';
		if (error < 0)
			goto cleanup;
	}
	/* Opening creates the file (empty, which SQLite reads as an empty
	 * database); the history tables come with the first migration, as
	 * for a file made by anything else. */
	if ((error = gw_project__connect(&conn, p)) < 0)
		goto cleanup;
	gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1, "created database %s", path.ptr);
cleanup:
	gw_str_dispose(&path);
	return error;
}

static int sqlite_drop(gw_project *p)
{
	static const char *const suffixes[] = {"-wal", "-shm", "-journal", NULL};
	gw_str path = GW_STR_INIT, side = GW_STR_INIT;
	int error, i;

	if ((error = sqlite_path(&path, p)) < 0)
		goto cleanup;
	if (unlink(path.ptr) < 0) {
		if (errno == ENOENT)
			error = gw_error_set(p->ctx, GW_ENODB, "database file %s does not exist",
			                     path.ptr);
		else
			error = gw_error_set(p->ctx, GW_EIO, "cannot delete %s: %s", path.ptr,
			                     strerror(errno));
		goto cleanup;
	}
	/* What a crashed writer left beside it belongs to the file gone. */
	for (i = 0; suffixes[i]; i++) {
		gw_str_clear(&side);
		gw_str_printf(&side, "%s%s", path.ptr, suffixes[i]);
		if (!gw_str_failed(&side))
			unlink(side.ptr);
	}
	gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1, "dropped database %s", path.ptr);
cleanup:
	gw_str_dispose(&path);
	gw_str_dispose(&side);
	return error;
}

/* ---- the API ------------------------------------------------------------------ */

int gw_project_create_database(gw_project *p)
{
	if (p->driver->dialect == GW_DIALECT_SQLITE)
		return sqlite_create(p);
	return pg_create_or_drop(p, 0);
}

int gw_project_drop_database(gw_project *p)
{
	if (p->conn) {
		p->driver->close(p->conn);
		p->conn = NULL;
	}
	if (p->driver->dialect == GW_DIALECT_SQLITE)
		return sqlite_drop(p);
	return pg_create_or_drop(p, 1);
}

static long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int gw_project_wait(gw_project *p, int timeout_ms)
{
	gw_conn_options copts = {p->app_name, 0};
	long start = now_ms(), waited;
	gw_conn *conn = NULL;
	int attempt, error;

	/* A SQLite file needs no server. */
	if (p->driver->dialect == GW_DIALECT_SQLITE)
		return 0;
	for (attempt = 0;; attempt++) {
		error = p->driver->open(&conn, p->opts.url, &copts, p->ctx);
		if (conn)
			p->driver->close(conn);
		conn = NULL;
		/* The server answered: up, even if the database is still to
		 * be created. Anything but "not answering" ends the wait. */
		if (error == GW_ENODB) {
			gw_ctx_clear_error(p->ctx);
			error = 0;
		}
		if (error != GW_ECONNECT)
			break;
		waited = now_ms() - start;
		if (waited >= timeout_ms) {
			gw_error_prefix(p->ctx,
			                "the server did not accept connections within %.1f s: ",
			                (double)timeout_ms / 1000.0);
			gw_error_set_hint_code(p->ctx, GW_HINT_SERVER_WAIT, NULL, NULL);
			return error;
		}
		gw_ctx_clear_error(p->ctx);
		gw_sleep_ms(timeout_ms - waited < 1000 ? timeout_ms - waited : 1000);
	}
	if (error == 0 && attempt > 0)
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1,
		          "the server accepts connections (after %.1f s)",
		          (double)(now_ms() - start) / 1000.0);
	return error;
}

int gw_project_init_history(gw_project *p)
{
	gw_conn *conn;
	int error;

	if ((error = gw_project__connect(&conn, p)) < 0)
		return error;
	return gw_hist_ensure(p);
}
