/*
 * schema_eph.c: ephemeral databases for `godwit test` and `drift
 * --replay`: created empty, used, dropped.
 *
 * PostgreSQL: CREATE DATABASE through a connection to the given URL's
 * database, which stays open so the drop needs no new login. The name,
 * godwit_test_<pid>_<host>_<random> (host: 8 hex digits of the SHA-256 of
 * the host name), says which run made it, so a later run can drop those
 * whose process is gone (killed with SIGKILL, or the machine rebooted)
 * without touching a concurrent run's. SQLite: an empty temporary file.
 */
#include "schema.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "drivers/pgurl.h"
#include "drivers/registry.h"
#include "util/error.h"
#include "util/hash.h"

#define PREFIX "godwit_test_"
/* What a kept database's comment says: a later run's cleanup of the
 * databases of runs that no longer run leaves it alone. */
#define KEPT_COMMENT "kept by godwit test --keep"

struct gw_ephemeral {
	gw_ctx *ctx;
	gw_conn *admin; /* PostgreSQL: the session that created it */
	char *name;     /* database name or file path */
	char *url;
};

static void host_tag(char out[9])
{
	char host[256] = "localhost", sum[GW_CHECKSUM_HEX];

	if (gethostname(host, sizeof(host) - 1) < 0)
		strcpy(host, "localhost");
	host[sizeof(host) - 1] = '\0';
	if (gw_checksum_text(sum, host, strlen(host)) < 0)
		strcpy(sum, "00000000");
	memcpy(out, sum, 8);
	out[8] = '\0';
}

static unsigned long random_bits(void)
{
	unsigned long r = 0;
	int fd = open("/dev/urandom", O_RDONLY);

	if (fd < 0 || read(fd, &r, sizeof(r)) != (ssize_t)sizeof(r))
		r = (unsigned long)time(NULL) ^ ((unsigned long)getpid() << 16);
	if (fd >= 0)
		close(fd);
	return r & 0xffffffffUL;
}

/* The URL (or key/value string) with its database replaced by name,
 * taken apart by libpq so every form it reads works, Prisma's too. */
static int url_with_database(gw_str *out, const char *url, const char *name, gw_ctx *ctx)
{
	gw_pgurl u = GW_PGURL_INIT;
	int error;

	if ((error = gw_pgurl_parse(&u, url, ctx)) < 0)
		return error;
	if (gw_pgurl_set(&u, "dbname", name) < 0 || gw_pgurl_format(out, &u) < 0)
		error = gw_error_oom(ctx);
	gw_pgurl_dispose(&u);
	return error;
}

/* Runs head, the quoted identifier, then tail. */
static int admin_exec(gw_ephemeral *e, const char *head, const char *ident, const char *tail)
{
	char *quoted = NULL;
	gw_str sql = GW_STR_INIT;
	gw_stmt st;
	int error;

	if ((error = e->admin->driver->quote_ident(e->admin, ident, &quoted)) < 0)
		return error;
	if (gw_str_printf(&sql, "%s%s%s", head, quoted, tail) < 0) {
		error = gw_error_oom(e->ctx);
		goto cleanup;
	}
	st.sql = sql.ptr;
	st.len = sql.size;
	st.params = NULL;
	st.nparams = 0;
	error = e->admin->driver->exec(e->admin, &st, NULL, NULL);
cleanup:
	free(quoted);
	gw_str_dispose(&sql);
	return error;
}

static int connect_admin(gw_ephemeral *e, const char *url)
{
	const gw_driver *d = gw_driver_for_url(url);
	gw_conn_options copts = {"godwit", 0};

	if (!d)
		return gw_error_set(e->ctx, GW_EINVALID, "no driver for this database URL");
	return d->open(&e->admin, url, &copts, e->ctx);
}

static int drop_database(gw_ephemeral *e, const char *name)
{
	const char *v = e->admin->driver->server_version(e->admin);

	/* FORCE (PostgreSQL 13) ends sessions a killed run left behind. */
	if (v && atoi(v) >= 13)
		return admin_exec(e, "DROP DATABASE IF EXISTS ", name, " WITH (FORCE)");
	return admin_exec(e, "DROP DATABASE IF EXISTS ", name, "");
}

static int create_pg(gw_ephemeral *e, const char *url)
{
	gw_str name = GW_STR_INIT, eurl = GW_STR_INIT;
	char host[9];
	int error;

	host_tag(host);
	gw_str_printf(&name, PREFIX "%ld_%s_%08lx", (long)getpid(), host, random_bits());
	if (name.failed) {
		error = gw_error_oom(e->ctx);
		goto cleanup;
	}
	if ((error = url_with_database(&eurl, url, name.ptr, e->ctx)) < 0)
		goto cleanup;
	if ((error = connect_admin(e, url)) < 0)
		goto cleanup;
	/* template0: an empty database, and never busy with other sessions. */
	if ((error = admin_exec(e, "CREATE DATABASE ", name.ptr, " TEMPLATE template0")) < 0)
		goto cleanup;
	e->name = gw_str_detach(&name);
	e->url = gw_str_detach(&eurl);
	if (!e->name || !e->url)
		error = gw_error_oom(e->ctx);
cleanup:
	gw_str_dispose(&name);
	gw_str_dispose(&eurl);
	return error;
}

static int create_sqlite(gw_ephemeral *e)
{
	const char *tmp = getenv("TMPDIR");
	gw_str path = GW_STR_INIT;
	int fd;

	gw_str_printf(&path, "%s/" PREFIX "%ld_XXXXXX", tmp && *tmp ? tmp : "/tmp", (long)getpid());
	if (path.failed)
		return gw_error_oom(e->ctx);
	if ((fd = mkstemp(path.ptr)) < 0) {
		gw_str_dispose(&path);
		return gw_error_set(e->ctx, GW_EIO, "cannot create a temporary database: %s",
		                    strerror(errno));
	}
	close(fd);
	e->name = gw_str_detach(&path);
	if (!e->name)
		return gw_error_oom(e->ctx);
	gw_str_printf(&path, "sqlite://%s", e->name);
	if (!(e->url = gw_str_detach(&path)))
		return gw_error_oom(e->ctx);
	return 0;
}

int gw_ephemeral_create(gw_ephemeral **out, const char *url, gw_ctx *ctx)
{
	gw_ephemeral *e = calloc(1, sizeof(*e));
	const gw_driver *d = url ? gw_driver_for_url(url) : NULL;
	int error;

	*out = NULL;
	if (!e)
		return gw_error_oom(ctx);
	e->ctx = ctx;
	if (!d) {
		error = gw_error_set(ctx, GW_EINVALID,
		                     "an ephemeral database needs a database URL");
		goto cleanup;
	}
	error = d->dialect == GW_DIALECT_SQLITE ? create_sqlite(e) : create_pg(e, url);
	if (error < 0)
		goto cleanup;
	*out = e;
	e = NULL;
cleanup:
	/* A file made before a later step failed is removed, not left. */
	gw_ephemeral_drop(e);
	return error;
}

const char *gw_ephemeral_url(const gw_ephemeral *e)
{
	return e->url;
}

const char *gw_ephemeral_name(const gw_ephemeral *e)
{
	return e->name;
}

void gw_ephemeral_free(gw_ephemeral *e)
{
	if (!e)
		return;
	if (e->admin)
		e->admin->driver->close(e->admin);
	free(e->name);
	free(e->url);
	free(e);
}

static void unlink_sqlite(const char *path)
{
	static const char *const suffixes[] = {"-wal", "-shm", "-journal", NULL};
	gw_str s = GW_STR_INIT;
	size_t i;

	for (i = 0; suffixes[i]; i++) {
		gw_str_printf(&s, "%s%s", path, suffixes[i]);
		if (!s.failed)
			unlink(s.ptr);
		gw_str_clear(&s);
	}
	gw_str_dispose(&s);
	unlink(path);
}

int gw_ephemeral_keep(gw_ephemeral *e)
{
	int error = 0;

	if (!e)
		return 0;
	if (e->admin && e->name)
		error = admin_exec(e, "COMMENT ON DATABASE ", e->name, " IS '" KEPT_COMMENT "'");
	gw_ephemeral_free(e);
	return error;
}

int gw_ephemeral_drop(gw_ephemeral *e)
{
	int error = 0;

	if (!e)
		return 0;
	if (e->admin && e->name)
		error = drop_database(e, e->name);
	else if (e->name)
		unlink_sqlite(e->name);
	gw_ephemeral_free(e);
	return error;
}

/* ---- stale databases ------------------------------------------------------- */

typedef struct stale {
	gw_vec names;
	char host[9];
	int failed;
} stale;

/* 1 when name is one of ours whose process no longer runs. */
static int is_stale(const stale *s, const char *name)
{
	long pid;
	char host[9];
	int n = 0;

	if (sscanf(name, PREFIX "%ld_%8[0-9a-f]_%*8[0-9a-f]%n", &pid, host, &n) < 2 ||
	    name[n] != '\0' || strcmp(host, s->host) != 0 || pid <= 0 || pid == (long)getpid())
		return 0;
	return kill((pid_t)pid, 0) < 0 && errno == ESRCH;
}

static int stale_row(void *payload, int ncols, const char *const *v)
{
	stale *s = payload;
	char *name;

	(void)ncols;
	if (!v[0] || !is_stale(s, v[0]))
		return 0;
	if (!(name = gw_strdup(v[0])) || gw_vec_push(&s->names, name) < 0) {
		free(name);
		s->failed = 1;
		return GW_ENOMEM;
	}
	return 0;
}

int gw_ephemeral_cleanup(size_t *dropped, const char *url, gw_ctx *ctx)
{
	static const char sql[] = "SELECT datname FROM pg_database d WHERE datname LIKE "
	                          "'godwit\\_test\\_%' AND shobj_description(d.oid, "
	                          "'pg_database') IS DISTINCT FROM '" KEPT_COMMENT "'";
	gw_ephemeral e = {ctx, NULL, NULL, NULL};
	stale s = {GW_VEC_INIT, "", 0};
	gw_stmt st = {sql, sizeof(sql) - 1, NULL, 0};
	size_t i;
	int error;

	*dropped = 0;
	if (!url || !gw_driver_for_url(url) || gw_driver_for_url(url)->dialect == GW_DIALECT_SQLITE)
		return 0; /* temporary files are the system's to clean */
	host_tag(s.host);
	if ((error = connect_admin(&e, url)) < 0)
		goto cleanup;
	if ((error = e.admin->driver->exec(e.admin, &st, stale_row, &s)) < 0)
		goto cleanup;
	for (i = 0; i < s.names.len && error == 0; i++)
		if ((error = drop_database(&e, s.names.items[i])) == 0)
			(*dropped)++;
cleanup:
	if (e.admin)
		e.admin->driver->close(e.admin);
	gw_vec_dispose(&s.names, free);
	return s.failed ? gw_error_oom(ctx) : error;
}
