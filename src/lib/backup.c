/*
 * backup.c: backups before risky runs, listing them, and restoring one.
 *
 * PostgreSQL goes through pg_dump -Fc, run without a shell, with the
 * password in its environment rather than on its command line; the
 * client must be at least the server's major version, which is checked
 * first so the error says what to install. SQLite uses the driver's
 * online backup. Every file is created 0600 in a 0700 folder before
 * anything is written to it.
 *
 * A restore replaces the whole database in one transaction (PostgreSQL:
 * every schema dropped, then the dump run by psql; SQLite: the online
 * backup API, after an integrity check), so a failed one changes
 * nothing; the events read before it are put back either way.
 */
#include "internal.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "godwit/backup.h"
#include "../drivers/pgurl.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/proc.h"
#include "../util/url.h"

struct gw_backup_list {
	gw_backup_entry *entries;
	size_t count;
	gw_vec strings;
};

static const char *extension(const gw_project *p)
{
	return p->driver->dialect == GW_DIALECT_POSTGRES ? ".dump" : ".sqlite3";
}

/* mkdir -p, and the last folder made private even if it existed. */
static int make_backup_dir(gw_project *p)
{
	gw_str path = GW_STR_INIT;
	size_t i;
	int error = 0;

	if (gw_str_puts(&path, p->opts.backup_dir) < 0)
		return gw_error_oom(p->ctx);
	for (i = 1; i <= path.size && error == 0; i++) {
		if (path.ptr[i] != '/' && path.ptr[i] != '\0')
			continue;
		path.ptr[i] = '\0';
		if (mkdir(path.ptr, i == path.size ? 0700 : 0755) < 0 && errno != EEXIST)
			error = gw_error_set(p->ctx, GW_EIO, "cannot create folder %s: %s",
			                     path.ptr, strerror(errno));
		path.ptr[i] = i < path.size ? '/' : '\0';
	}
	if (error == 0 && chmod(p->opts.backup_dir, 0700) < 0)
		error = gw_error_set(p->ctx, GW_EIO, "cannot make %s private: %s",
		                     p->opts.backup_dir, strerror(errno));
	gw_str_dispose(&path);
	return error;
}

/* The newest applied version names what a backup holds. */
static void last_version(gw_str *out, gw_project *p)
{
	gw_status *st = NULL;
	size_t i;
	const char *v = "empty";

	if (gw_project_status(&st, p) == 0) {
		for (i = 0; i < gw_status_count(st); i++)
			if (gw_status_get(st, i)->applied_at)
				v = gw_status_get(st, i)->version;
	} else {
		gw_ctx_clear_error(p->ctx);
	}
	gw_str_puts(out, v);
	gw_status_free(st);
}

/* A backup is written as NAME.PID.partial and becomes NAME only once it
 * is complete and verified, so that a backup that failed or was killed
 * half-way is never listed, restored or counted by backup_keep. The pid
 * tells a later backup which partial files were left by a process that
 * is gone (and removes them) from those of a backup still running. */
#define PARTIAL ".partial"

/* Creates the partial file (0600, never an existing one) of a backup
 * whose final name is free, and returns its descriptor; *path gets the
 * final name. Two backups in one second get a -2, -3, ... suffix. */
static int create_file(int *fd, gw_str *path, gw_str *partial, gw_project *p)
{
	gw_str version = GW_STR_INIT;
	char stamp[32];
	time_t now = time(NULL);
	struct tm tm;
	int n, error = 0;

	*fd = -1;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y%m%dT%H%M%SZ", &tm);
	last_version(&version, p);
	for (n = 1; n < 100; n++) {
		gw_str_clear(path);
		gw_path_join(path, p->opts.backup_dir, "");
		gw_str_printf(path, "%s-%s-%s", p->environment, stamp, version.ptr);
		if (n > 1)
			gw_str_printf(path, "-%d", n);
		gw_str_puts(path, extension(p));
		gw_str_clear(partial);
		gw_str_printf(partial, "%s.%ld" PARTIAL, path->ptr, (long)getpid());
		/* A name cut short would create a file of another name. */
		if (gw_str_failed(&version) || gw_str_failed(path) || gw_str_failed(partial)) {
			gw_str_dispose(&version);
			return gw_error_oom(p->ctx);
		}
		errno = EEXIST;
		if (access(path->ptr, F_OK) == 0)
			continue;
		if ((*fd = open(partial->ptr, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600)) >=
		            0 ||
		    errno != EEXIST)
			break;
	}
	if (*fd < 0)
		error = gw_error_set(p->ctx, GW_EIO, "cannot create %s: %s", partial->ptr,
		                     strerror(errno));
	gw_str_dispose(&version);
	return error;
}

/* Removes what a failed backup left: the partial file, and SQLite's
 * journal, WAL and shared-memory files beside it. */
static void remove_partial(const char *partial)
{
	static const char *const suffixes[] = {"", "-journal", "-wal", "-shm"};
	gw_str f = GW_STR_INIT;
	size_t i;

	for (i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++) {
		gw_str_clear(&f);
		gw_str_printf(&f, "%s%s", partial, suffixes[i]);
		if (!gw_str_failed(&f))
			unlink(f.ptr);
	}
	gw_str_dispose(&f);
}

/* The verified partial file takes its final name; link() rather than
 * rename(), which would replace a backup of the same name made meanwhile. */
static int complete(gw_project *p, const char *partial, const char *path)
{
	if (link(partial, path) < 0)
		return gw_error_set(p->ctx, GW_EIO, "cannot name the backup %s: %s", path,
		                    strerror(errno));
	unlink(partial);
	return 0;
}

/* ---- PostgreSQL ------------------------------------------------------------ */

static int major_of(const char *version)
{
	while (*version && (*version < '0' || *version > '9'))
		version++;
	return atoi(version);
}

/* GODWIT_PG_BINDIR names the client programs' folder. Otherwise, Debian
 * installs each major version's client beside the server's, and the
 * matching one is preferred over whatever pg_dump the PATH finds. */
static void client_path(gw_str *out, const char *tool, int major)
{
	const char *bindir = getenv("GODWIT_PG_BINDIR");

	if (bindir && *bindir) {
		gw_path_join(out, bindir, tool);
		return;
	}
	gw_str_printf(out, "/usr/lib/postgresql/%d/bin/%s", major, tool);
	if (access(out->ptr, X_OK) < 0) {
		gw_str_clear(out);
		gw_str_puts(out, tool);
	}
}

/* libpq's parameters for pg_dump and pg_restore, read by libpq itself, and
 * the password apart: it goes in their environment, not on their command
 * line where any user of the machine can read it. */
static int tool_conninfo(gw_project *p, gw_str *conninfo, gw_str *password)
{
	gw_pgurl u = GW_PGURL_INIT;
	int error;

	if ((error = gw_pgurl_parse(&u, p->opts.url, p->ctx)) < 0)
		return error;
	if (gw_pgurl_conninfo(conninfo, password, &u) < 0)
		error = gw_error_oom(p->ctx);
	gw_pgurl_dispose(&u);
	return error;
}

static int run_tool(gw_project *p, const char *const *argv, int stdout_fd, const char *what)
{
	gw_str url = GW_STR_INIT, password = GW_STR_INIT, env = GW_STR_INIT, out = GW_STR_INIT;
	const char *setenv[2] = {NULL, NULL};
	int status = 0, error;

	if ((error = tool_conninfo(p, &url, &password)) < 0)
		goto cleanup;
	if (password.size) {
		gw_str_printf(&env, "PGPASSWORD=%s", password.ptr);
		setenv[0] = env.ptr;
	}
	error = gw_proc_run(&status, &out, argv, setenv, stdout_fd, p->ctx);
	if (error == 0 && status != 0) {
		gw_str masked = GW_STR_INIT;

		gw_url_mask(&masked, out.ptr);
		error = gw_error_set(p->ctx, GW_EIO, "%s failed (exit %d): %s", what, status,
		                     masked.ptr);
		gw_str_dispose(&masked);
	}
cleanup:
	gw_str_dispose(&url);
	gw_str_dispose(&password);
	gw_str_dispose(&env);
	gw_str_dispose(&out);
	return error;
}

/* pg_dump refuses a server newer than itself; say what to install before
 * even trying. */
static int check_client(gw_str *tool, gw_project *p, const char *name)
{
	const char *server = p->driver->server_version(p->conn);
	int server_major = major_of(server), status = 0, error;
	gw_str out = GW_STR_INIT;
	const char *argv[3];

	client_path(tool, name, server_major);
	argv[0] = tool->ptr;
	argv[1] = "--version";
	argv[2] = NULL;
	if ((error = gw_proc_run(&status, &out, argv, NULL, -1, p->ctx)) < 0) {
		gw_error_set_hint(p->ctx,
		                  "install PostgreSQL %d's client programs (Debian: "
		                  "apt-get install postgresql-client-%d)",
		                  server_major, server_major);
	} else if (status != 0 || major_of(out.ptr) < server_major) {
		error = gw_error_set(p->ctx, GW_ESTATE,
		                     "%s %d cannot back up a PostgreSQL %s server", name,
		                     major_of(out.ptr), server);
		gw_error_set_hint(p->ctx,
		                  "install PostgreSQL %d's client programs (Debian: "
		                  "apt-get install postgresql-client-%d)",
		                  server_major, server_major);
	}
	gw_str_dispose(&out);
	return error;
}

static int dump_postgres(gw_project *p, int fd, const char *path)
{
	gw_str tool = GW_STR_INIT, url = GW_STR_INIT, password = GW_STR_INIT;
	const char *argv[6];
	int error;

	if ((error = check_client(&tool, p, "pg_dump")) < 0)
		goto cleanup;
	if ((error = tool_conninfo(p, &url, &password)) < 0)
		goto cleanup;
	argv[0] = tool.ptr;
	argv[1] = "--format=custom";
	argv[2] = "--no-password";
	argv[3] = "--dbname";
	argv[4] = url.ptr;
	argv[5] = NULL;
	if ((error = run_tool(p, argv, fd, "pg_dump")) < 0)
		goto cleanup;
	gw_str_clear(&tool);
	client_path(&tool, "pg_restore", major_of(p->driver->server_version(p->conn)));
	argv[0] = tool.ptr;
	argv[1] = "--list";
	argv[2] = path;
	argv[3] = NULL;
	error = run_tool(p, argv, -1, "verifying the backup with pg_restore --list");
cleanup:
	gw_str_dispose(&tool);
	gw_str_dispose(&url);
	gw_str_dispose(&password);
	return error;
}

/* ---- SQLite ---------------------------------------------------------------- */

static int integrity_row(void *payload, int ncols, const char *const *values)
{
	int *ok = payload;

	*ok = ncols > 0 && values[0] && !strcmp(values[0], "ok");
	return 0;
}

static int verify_sqlite(gw_project *p, const char *path)
{
	gw_str url = GW_STR_INIT;
	gw_conn *conn = NULL;
	gw_stmt check = {"PRAGMA integrity_check", 22, NULL, 0};
	int ok = 0, error;

	if (gw_str_printf(&url, "sqlite:%s", path) < 0)
		return gw_error_oom(p->ctx);
	if ((error = p->driver->open(&conn, url.ptr, NULL, p->ctx)) == 0 &&
	    (error = p->driver->exec(conn, &check, integrity_row, &ok)) == 0 && !ok)
		error = gw_error_set(p->ctx, GW_EIO, "the backup %s fails PRAGMA integrity_check",
		                     path);
	if (conn)
		p->driver->close(conn);
	gw_str_dispose(&url);
	return error;
}

/* ---- backups --------------------------------------------------------------- */

static int cmp_names(const void *a, const void *b)
{
	return strcmp(((const gw_backup_entry *)a)->name, ((const gw_backup_entry *)b)->name);
}

static int has_extension(const char *name, const gw_project *p)
{
	size_t n = strlen(name), e = strlen(extension(p));

	return n > e && !strcmp(name + n - e, extension(p));
}

static int list_backups(gw_backup_list **out, gw_project *p)
{
	gw_backup_list *l = calloc(1, sizeof(*l));
	gw_vec names = GW_VEC_INIT;
	size_t i, plen = strlen(p->environment);
	int error = 0;

	*out = l;
	if (!l)
		return gw_error_oom(p->ctx);
	if (gw_path_is_dir(p->opts.backup_dir) != 1)
		return 0;
	if ((error = gw_dir_list(&names, p->opts.backup_dir, p->ctx)) < 0)
		return error;
	l->entries = calloc(names.len + 1, sizeof(*l->entries));
	for (i = 0; l->entries && i < names.len; i++) {
		const char *name = names.items[i];
		gw_str path = GW_STR_INIT;
		char *full;
		struct stat st;

		/* <environment>-<digit>...<extension>, so "prod" does not list
		 * "production", nor anything but complete backups (a .partial
		 * file and SQLite's -journal are not). */
		if (strncmp(name, p->environment, plen) || name[plen] != '-' ||
		    name[plen + 1] < '0' || name[plen + 1] > '9' || !has_extension(name, p))
			continue;
		gw_path_join(&path, p->opts.backup_dir, name);
		if (!(full = gw_str_detach(&path)) || gw_vec_push(&l->strings, full) < 0) {
			free(full);
			error = gw_error_oom(p->ctx);
			break;
		}
		if (gw_vec_push(&l->strings, (void *)(uintptr_t)name) < 0) {
			error = gw_error_oom(p->ctx);
			break;
		}
		names.items[i] = NULL;
		l->entries[l->count].size = stat(full, &st) == 0 ? (long long)st.st_size : -1;
		l->entries[l->count].name = name;
		l->entries[l->count].path = full;
		l->count++;
	}
	gw_vec_dispose(&names, free);
	if (!l->entries)
		return gw_error_oom(p->ctx);
	if (error < 0)
		return error;
	if (l->count)
		qsort(l->entries, l->count, sizeof(*l->entries), cmp_names);
	return error;
}

/* The pid in NAME.PID.partial (or its -journal, -wal, -shm), or 0 when
 * the name is not a partial backup's. */
static long partial_pid(const char *name)
{
	const char *mark = strstr(name, PARTIAL), *dot;
	long pid = 0, scale = 1;

	if (!mark || mark == name)
		return 0;
	for (dot = mark - 1; dot > name && *dot >= '0' && *dot <= '9'; dot--) {
		pid += (*dot - '0') * scale;
		scale *= 10;
	}
	return *dot == '.' && dot < mark - 1 ? pid : 0;
}

/* Removes the partial files that killed backups of this environment left
 * behind: those whose process no longer exists. */
static void remove_stale_partials(gw_project *p)
{
	gw_vec names = GW_VEC_INIT;
	gw_str path = GW_STR_INIT;
	size_t i, plen = strlen(p->environment);
	long pid;

	if (gw_path_is_dir(p->opts.backup_dir) != 1 ||
	    gw_dir_list(&names, p->opts.backup_dir, p->ctx) < 0) {
		gw_ctx_clear_error(p->ctx);
		return;
	}
	for (i = 0; i < names.len; i++) {
		const char *name = names.items[i];

		if (strncmp(name, p->environment, plen) || name[plen] != '-' ||
		    (pid = partial_pid(name)) <= 0 || pid == (long)getpid() ||
		    kill((pid_t)pid, 0) == 0 || errno != ESRCH)
			continue;
		gw_str_clear(&path);
		gw_path_join(&path, p->opts.backup_dir, name);
		if (!gw_str_failed(&path))
			unlink(path.ptr);
	}
	gw_str_dispose(&path);
	gw_vec_dispose(&names, free);
}

static void prune(gw_project *p)
{
	gw_backup_list *l = NULL;
	size_t i;

	/* The backup is done: a list that cannot be read (out of memory)
	 * leaves the old ones for the next backup to prune, and no error. */
	if (list_backups(&l, p) < 0) {
		gw_ctx_clear_error(p->ctx);
		gw_backup_list_free(l);
		return;
	}
	for (i = 0;
	     l->count > (size_t)p->opts.backup_keep && i < l->count - (size_t)p->opts.backup_keep;
	     i++)
		unlink(l->entries[i].path);
	gw_backup_list_free(l);
}

/* A backup is recorded where godwit already keeps a history: taking one
 * of a database godwit has never migrated creates nothing in it. A role
 * that may dump but not write (a read-only replica user) still gets its
 * backup, with a warning that the event is missing. */
static void record_backup_event(gw_project *p, const char *path)
{
	const gw_error *e;
	int exists = 0;

	if (gw_hist_exists(&exists, p) == 0 &&
	    (!exists || gw_hist_record_event(p, "backup", path) == 0))
		return;
	e = gw_ctx_error(p->ctx);
	gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, path, -1,
	          "the backup %s is complete, but its event could not be recorded: %s", path,
	          e ? e->message : "unknown error");
	gw_ctx_clear_error(p->ctx);
}

int gw_project_backup(char **out, gw_project *p)
{
	gw_str path = GW_STR_INIT, partial = GW_STR_INIT;
	gw_conn *conn;
	int fd = -1, error;

	*out = NULL;
	if ((error = gw_project__connect(&conn, p)) < 0 || (error = make_backup_dir(p)) < 0 ||
	    (error = create_file(&fd, &path, &partial, p)) < 0)
		goto cleanup;
	if (p->driver->backup) {
		close(fd);
		fd = -1;
		if ((error = p->driver->backup(conn, partial.ptr)) == 0)
			error = verify_sqlite(p, partial.ptr);
	} else {
		error = dump_postgres(p, fd, partial.ptr);
	}
	if (error == 0)
		error = complete(p, partial.ptr, path.ptr);
	if (error < 0) {
		remove_partial(partial.ptr);
		goto cleanup;
	}
	prune(p);
	remove_stale_partials(p);
	gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, path.ptr, -1, "backed up to %s", path.ptr);
	/* Recorded after the copy, so the backup never holds its own event
	 * (a restore puts it back). */
	record_backup_event(p, path.ptr);
	*out = gw_str_detach(&path);
cleanup:
	if (error < 0)
		gw_error_prefix(p->ctx, "backup failed, nothing was changed: ");
	if (fd >= 0)
		close(fd);
	gw_str_dispose(&path);
	gw_str_dispose(&partial);
	return error;
}

int gw_project_backups(gw_backup_list **out, gw_project *p)
{
	int error = list_backups(out, p);

	if (error < 0) {
		gw_backup_list_free(*out);
		*out = NULL;
	}
	return error;
}

size_t gw_backup_list_count(const gw_backup_list *l)
{
	return l ? l->count : 0;
}

const gw_backup_entry *gw_backup_list_get(const gw_backup_list *l, size_t i)
{
	return l && i < l->count ? &l->entries[i] : NULL;
}

void gw_backup_list_free(gw_backup_list *l)
{
	if (!l)
		return;
	free(l->entries);
	gw_vec_dispose(&l->strings, free);
	free(l);
}

/* After a restore, whether it worked or not: the events read before it
 * that the database lacks (those recorded after the backup was taken, or
 * all of them if the history tables are gone) go back in, followed by the
 * restore's own event (with the error when it failed), in one
 * transaction, the history tables created first where missing. A failed
 * restore keeps its own error on the context. */
static int record_restore(gw_project *p, const gw_vec *saved, const char *path, int failed)
{
	gw_record rec = {NULL, NULL, path, "restore", NULL, 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	int exists = 0, error;

	if ((error = gw_hist_exists(&exists, p)) == 0 &&
	    (exists || (error = gw_hist_add_create_tables(&b, p)) == 0)) {
		if (gw_hist_put_back_events(&b, p, saved) < 0 ||
		    (failed ? gw_hist_add_failure(&b, p, NULL, path, "restore")
		            : gw_hist_add_event(&b, p, &rec)) < 0)
			error = gw_error_oom(p->ctx);
		else
			error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	}
	if (error < 0 && !failed)
		gw_error_prefix(p->ctx,
		                "restored %s, but the events recorded since it was taken could not "
		                "be put back: ",
		                path);
	else if (error < 0)
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, path, -1,
		          "the failed restore of %s could not be recorded in %s", path,
		          p->events_q);
	gw_batch_dispose(&b);
	return error;
}

/* ---- restoring PostgreSQL ------------------------------------------------- */

static int push_name(void *payload, int ncols, const char *const *v)
{
	char *copy;

	if (ncols < 1 || !v[0])
		return 0;
	if (!(copy = gw_strdup(v[0])) || gw_vec_push(payload, copy) < 0) {
		free(copy);
		return 1;
	}
	return 0;
}

/* What runs before the dump, in the restore's transaction: every schema
 * is dropped but the system's (pg_catalog, information_schema, pg_toast,
 * temporary ones) and those an extension owns (the dump's CREATE
 * EXTENSION makes them again). pg_restore --clean only drops what the
 * dump holds, which would leave the tables, schemas and extensions made
 * since the backup beside the restored history that says they are not
 * there. pg_dump never creates public, so public comes back as initdb
 * makes it, for the dump's own grants and comment to apply to. */
static int restore_prelude(gw_str *sql, gw_project *p, const char *const *keep)
{
	gw_vec names = GW_VEC_INIT;
	size_t i;
	int error, public = 0;

	error = gw_project__exec(p,
	                         "SELECT n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname "
	                         "NOT LIKE 'pg\\_%' AND n.nspname <> 'information_schema' AND NOT "
	                         "EXISTS (SELECT 1 FROM pg_catalog.pg_depend d WHERE d.classid = "
	                         "'pg_catalog.pg_namespace'::regclass AND d.objid = n.oid AND "
	                         "d.deptype = 'e') ORDER BY n.nspname",
	                         NULL, 0, push_name, &names);
	if (error < 0)
		goto cleanup;
	/* pg_restore's own BEGIN, in this transaction, would only warn. */
	gw_str_puts(sql, "BEGIN;\nSET LOCAL client_min_messages = error;\n");
	for (i = 0; i < names.len && error == 0; i++) {
		char *q = NULL;
		size_t k;

		for (k = 0; keep && keep[k] && strcmp(keep[k], names.items[i]); k++)
			;
		if (keep && keep[k])
			continue;
		public |= !strcmp(names.items[i], "public");
		if ((error = p->driver->quote_ident(p->conn, names.items[i], &q)) == 0)
			gw_str_printf(sql, "DROP SCHEMA %s CASCADE;\n", q);
		free(q);
	}
	if (public && major_of(p->driver->server_version(p->conn)) >= 15)
		gw_str_puts(sql, "CREATE SCHEMA public AUTHORIZATION pg_database_owner;\n"
		                 "GRANT USAGE ON SCHEMA public TO PUBLIC;\n");
	else if (public)
		gw_str_puts(sql, "CREATE SCHEMA public;\nGRANT ALL ON SCHEMA public TO PUBLIC;\n");
	if (public)
		gw_str_puts(sql, "COMMENT ON SCHEMA public IS 'standard public schema';\n");
	if (error == 0 && gw_str_failed(sql))
		error = gw_error_oom(p->ctx);
cleanup:
	gw_vec_dispose(&names, free);
	return error;
}

/* pg_restore writes the dump as SQL into psql, which runs it after the
 * prelude as one transaction: BEGIN comes first, and pg_restore
 * --single-transaction writes COMMIT only once it has read the whole
 * dump. A dump that cannot be read to its end (a truncated file, or
 * godwit killed meanwhile) ends psql's input before COMMIT, and a
 * statement the server refuses stops psql (ON_ERROR_STOP): either way the
 * transaction is rolled back and the database is as it was. */
static int restore_postgres(gw_project *p, const char *path, const char *const *keep)
{
	gw_str restore = GW_STR_INIT, psql = GW_STR_INIT, url = GW_STR_INIT, password = GW_STR_INIT,
	       env = GW_STR_INIT, prelude = GW_STR_INIT, out = GW_STR_INIT, masked = GW_STR_INIT;
	const char *producer[8], *consumer[14], *setenv[2] = {NULL, NULL}, *list[4];
	int major = major_of(p->driver->server_version(p->conn)), status[2], error;
	size_t n;

	client_path(&restore, "pg_restore", major);
	client_path(&psql, "psql", major);
	/* A file that is no pg_dump archive is refused before anything runs. */
	list[0] = restore.ptr;
	list[1] = "--list";
	list[2] = path;
	list[3] = NULL;
	if ((error = run_tool(p, list, -1, "reading the backup with pg_restore --list")) < 0 ||
	    (error = tool_conninfo(p, &url, &password)) < 0 ||
	    (error = restore_prelude(&prelude, p, keep)) < 0)
		goto cleanup;
	if (password.size) {
		gw_str_printf(&env, "PGPASSWORD=%s", password.ptr);
		setenv[0] = env.ptr;
	}
	producer[0] = restore.ptr;
	producer[1] = "--clean";
	producer[2] = "--if-exists";
	producer[3] = "--no-owner";
	producer[4] = "--single-transaction";
	producer[5] = "--file=-";
	producer[6] = path;
	producer[7] = NULL;
	consumer[0] = psql.ptr;
	consumer[1] = "--no-psqlrc";
	consumer[2] = "--quiet";
	consumer[3] = "--no-password";
	consumer[4] = "--set";
	consumer[5] = "ON_ERROR_STOP=1";
	consumer[6] = "--dbname";
	consumer[7] = url.ptr;
	consumer[8] = "--command";
	consumer[9] = prelude.ptr;
	consumer[10] = "--file";
	consumer[11] = "-";
	consumer[12] = NULL;
	if ((error = gw_proc_pipe(status, &out, producer, consumer, setenv, &p->cancelled,
	                          p->ctx)) < 0)
		goto cleanup;
	if (gw_project_cancelled(p) && (status[0] != 0 || status[1] != 0)) {
		error = gw_project__cancel_error(p, "the restore of %s was stopped", path);
		goto cleanup;
	}
	gw_url_mask(&masked, out.ptr ? out.ptr : "");
	for (n = masked.size; n && (masked.ptr[n - 1] == '\n' || masked.ptr[n - 1] == ' '); n--)
		;
	gw_str_truncate(&masked, n);
	/* pg_restore stopped by SIGPIPE only means psql stopped reading. */
	if (status[0] != 0 && status[0] != 128 + SIGPIPE)
		error = gw_error_set(p->ctx, GW_EIO, "pg_restore failed (exit %d): %s", status[0],
		                     masked.ptr);
	else if (status[1] != 0 || status[0] != 0)
		error = gw_error_set(p->ctx, GW_EIO, "psql failed (exit %d): %s", status[1],
		                     masked.ptr);
cleanup:
	gw_str_dispose(&restore);
	gw_str_dispose(&psql);
	gw_str_dispose(&url);
	gw_str_dispose(&password);
	gw_str_dispose(&env);
	gw_str_dispose(&prelude);
	gw_str_dispose(&out);
	gw_str_dispose(&masked);
	return error;
}

/* A SQLite backup is checked like a new one before it replaces anything:
 * a file that is not a database, or a damaged one, is refused. */
static int restore_sqlite(gw_project *p, const char *path)
{
	int error;

	if ((error = verify_sqlite(p, path)) < 0)
		return error;
	return p->driver->restore(p->conn, path);
}

int gw_project_restore(gw_project *p, const char *path)
{
	return gw_project_restore_keeping(p, path, NULL);
}

int gw_project_restore_keeping(gw_project *p, const char *path, const char *const *keep)
{
	gw_vec saved = GW_VEC_INIT;
	struct stat st;
	int error;

	if (stat(path, &st) < 0)
		return gw_error_set(p->ctx, GW_EIO, "cannot read the backup %s: %s", path,
		                    strerror(errno));
	/* No migration may run while the database is being replaced, and no
	 * event is recorded between reading them and putting them back. */
	if ((error = gw_hist_begin(p)) < 0 || (error = gw_hist_save_events(&saved, p)) < 0)
		goto cleanup;
	error = p->driver->restore ? restore_sqlite(p, path) : restore_postgres(p, path, keep);
	if (error < 0) {
		gw_error_prefix(p->ctx, "restore failed, nothing was changed: ");
		record_restore(p, &saved, path, 1);
	} else {
		error = record_restore(p, &saved, path, 0);
	}
cleanup:
	gw_project__unlock(p);
	if (error == 0)
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, path, -1, "restored %s", path);
	gw_hist_saved_events_dispose(&saved);
	/* The restored schema is the expected one from now on. */
	if (error == 0)
		error = gw_project__after_change(p, "restore");
	return error;
}
