/*
 * fleet.c: the targets of a fleet run (godwit/fleet.h): a targets file
 * (one URL or name=URL a line, # comments, ${VAR} from the environment),
 * the schemas of one database (gw_fleet_add_schemas), or the rows of a
 * query on a control database (targets_query).
 *
 * Each target gets a name, which the report shows and a resumed run
 * matches its earlier results by, and a host ("host:port"), which
 * max_per_host counts connections by. Both come from the URL as libpq
 * reads it (pgurl.c), never from a guess at its text.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fleet_priv.h"
#include "internal.h"
#include "../drivers/pgurl.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/text.h"
#include "../util/url.h"

/* A targets file larger than this is refused. */
#define TARGETS_MAX ((size_t)16 << 20)

int gw_fleet_new(gw_fleet **out, gw_ctx *ctx)
{
	gw_fleet *f = calloc(1, sizeof(*f));

	if (!f)
		return gw_error_oom(ctx);
	f->ctx = ctx;
	*out = f;
	return 0;
}

static void item_dispose(gw_fleet_item *t)
{
	free(t->name);
	free(t->url);
	free(t->display_url);
	free(t->host);
	free(t->file);
}

void gw_fleet_free(gw_fleet *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++)
		item_dispose(&f->items[i]);
	free(f->items);
	free(f);
}

size_t gw_fleet_count(const gw_fleet *f)
{
	return f ? f->count : 0;
}

const gw_fleet_target *gw_fleet_get(const gw_fleet *f, size_t i)
{
	return f && i < f->count ? &f->items[i].pub : NULL;
}

void gw_fleet_cancel(gw_fleet *f)
{
	if (f)
		f->cancelled = 1;
}

/* The name and host a URL gives: PostgreSQL's database (and ?schema=)
 * and host:port as libpq reads them; a SQLite file's path. */
static int describe(gw_fleet *f, gw_str *name, gw_str *host, const char *url)
{
	gw_pgurl u = GW_PGURL_INIT;
	const char *v;
	int error = 0;

	/* The path as it is in the URL: a copy that failed would read as
	 * a URL of no known scheme. */
	if ((v = gw_url_sqlite_file(url)) != NULL) {
		gw_str_puts(name, v);
		gw_str_printf(host, "sqlite:%s", v);
		goto cleanup;
	}
	if ((error = gw_pgurl_parse(&u, url, f->ctx)) < 0)
		goto cleanup;
	v = gw_pgurl_get(&u, "dbname");
	if (!v)
		v = gw_pgurl_get(&u, "user");
	gw_str_puts(name, v ? v : "postgres");
	if (u.schema)
		gw_str_printf(name, "/%s", u.schema);
	v = gw_pgurl_get(&u, "host");
	if (!v)
		v = gw_pgurl_get(&u, "hostaddr");
	gw_str_printf(host, "%s:%s", v ? v : "localhost",
	              gw_pgurl_get(&u, "port") ? gw_pgurl_get(&u, "port") : "5432");
cleanup:
	if (!error && (gw_str_failed(name) || gw_str_failed(host)))
		error = gw_error_oom(f->ctx);
	gw_pgurl_dispose(&u);
	return error;
}

static int add_at(gw_fleet *f, const char *name, const char *url, const char *file, int line)
{
	gw_str dname = GW_STR_INIT, host = GW_STR_INIT, masked = GW_STR_INIT;
	gw_fleet_item t, *grown;
	size_t i;
	int error;

	if ((error = describe(f, &dname, &host, url)) < 0) {
		if (file)
			gw_error_prefix(f->ctx, "%s:%d: ", file, line);
		goto cleanup;
	}
	if (!name)
		name = dname.ptr;
	for (i = 0; i < f->count; i++) {
		if (strcmp(f->items[i].name, name))
			continue;
		if (file && f->items[i].pub.line)
			error = gw_error_set(f->ctx, GW_EINVALID,
			                     "%s:%d: the target name '%s' is already on line %d; "
			                     "name one of them (NAME=URL)",
			                     file, line, name, f->items[i].pub.line);
		else
			error = gw_error_set(f->ctx, GW_EINVALID,
			                     "two targets are named '%s'; name one of them", name);
		goto cleanup;
	}
	if (gw_url_mask(&masked, url) < 0 || gw_str_failed(&masked)) {
		error = gw_error_oom(f->ctx);
		goto cleanup;
	}
	memset(&t, 0, sizeof(t));
	t.name = gw_strdup(name);
	t.url = gw_strdup(url);
	t.display_url = gw_str_detach(&masked);
	t.host = gw_str_detach(&host);
	t.file = gw_strdup(file);
	t.pub = (gw_fleet_target){t.name, t.url, t.display_url, t.host, t.file, line};
	if (!t.name || !t.url || !t.display_url || !t.host || (file && !t.file) ||
	    !(grown = gw_grow(f->items, &f->cap, f->count, sizeof(*f->items)))) {
		item_dispose(&t);
		error = gw_error_oom(f->ctx);
		goto cleanup;
	}
	f->items = grown;
	f->items[f->count++] = t;
cleanup:
	gw_str_dispose(&dname);
	gw_str_dispose(&host);
	gw_str_dispose(&masked);
	return error;
}

int gw_fleet_add(gw_fleet *f, const char *name, const char *url)
{
	return add_at(f, name, url, NULL, 0);
}

/* ${VAR} replaced by the environment's value; an unset one is an error,
 * since a URL missing its password or host would fail later and less
 * clearly. */
static int expand(gw_fleet *f, gw_str *out, const char *s, size_t len, const char *file, int line)
{
	size_t i = 0, end;
	gw_str var = GW_STR_INIT;
	const char *v;

	while (i < len) {
		if (s[i] != '$' || i + 1 >= len || s[i + 1] != '{') {
			gw_str_putc(out, s[i++]);
			continue;
		}
		for (end = i + 2; end < len && s[end] != '}'; end++)
			;
		if (end >= len) {
			gw_str_dispose(&var);
			return gw_error_set(f->ctx, GW_EINVALID,
			                    "%s:%d: '${' without its '}'; write ${NAME}", file,
			                    line);
		}
		/* A name that could not be copied is out of memory, not an
		 * unset variable named "". */
		if (gw_str_set(&var, s + i + 2, end - i - 2) < 0) {
			gw_str_dispose(&var);
			return gw_error_oom(f->ctx);
		}
		if (!(v = getenv(var.ptr))) {
			int error =
			        gw_error_set(f->ctx, GW_EINVALID,
			                     "%s:%d: the variable %s is not set; set it, or write "
			                     "the value in the file",
			                     file, line, var.ptr);
			gw_str_dispose(&var);
			return error;
		}
		gw_str_puts(out, v);
		i = end + 1;
	}
	gw_str_dispose(&var);
	return gw_str_failed(out) ? gw_error_oom(f->ctx) : 0;
}

/* name=URL when what follows the first '=' has a scheme (letters, then
 * ':'); a key/value string (host=h dbname=d) has none there. */
static size_t name_length(const char *s)
{
	const char *eq = strchr(s, '='), *p;
	size_t i;

	if (!eq || eq == s)
		return 0;
	for (i = 0; s + i < eq; i++)
		if (!gw_is_alnum(s[i]) && !strchr("_-.:/@", s[i]))
			return 0;
	for (p = eq + 1; gw_is_alpha(*p) || (p > eq + 1 && (gw_is_digit(*p) || *p == '+')); p++)
		;
	return p > eq + 1 && *p == ':' ? (size_t)(eq - s) : 0;
}

int gw_fleet_parse(gw_fleet *f, const char *text, size_t len, const char *file)
{
	gw_str line = GW_STR_INIT, name = GW_STR_INIT;
	size_t at = 0, start, end, nl, n;
	int lineno = 0, error = 0;

	if (!file)
		file = "targets";
	while (at < len && !error) {
		lineno++;
		for (nl = at; nl < len && text[nl] != '\n'; nl++)
			;
		for (start = at; start < nl && gw_is_space(text[start]); start++)
			;
		for (end = nl; end > start && gw_is_space(text[end - 1]); end--)
			;
		at = nl + 1;
		if (start == end || text[start] == '#')
			continue;
		gw_str_clear(&line);
		if ((error = expand(f, &line, text + start, end - start, file, lineno)) < 0)
			break;
		if ((n = name_length(line.ptr))) {
			/* Not copied: out of memory, not a target named "". */
			error = gw_str_set(&name, line.ptr, n) < 0
			                ? gw_error_oom(f->ctx)
			                : add_at(f, name.ptr, line.ptr + n + 1, file, lineno);
		} else {
			error = add_at(f, NULL, line.ptr, file, lineno);
		}
	}
	gw_str_dispose(&line);
	gw_str_dispose(&name);
	return error;
}

int gw_fleet_read(gw_fleet *f, const char *path)
{
	struct stat st;
	gw_str text = GW_STR_INIT;
	char buf[8192];
	size_t n;
	int error;

	if (strcmp(path, "-") == 0) {
		while ((n = fread(buf, 1, sizeof(buf), stdin)) > 0)
			if (gw_str_put(&text, buf, n) < 0 || text.size > TARGETS_MAX)
				break;
		if (ferror(stdin))
			error = gw_error_set(f->ctx, GW_EIO,
			                     "cannot read the targets from standard "
			                     "input: %s",
			                     strerror(errno));
		else if (text.size > TARGETS_MAX || gw_str_failed(&text))
			error = gw_error_set(f->ctx, GW_EIO,
			                     "the targets on standard input are "
			                     "over 16 MiB");
		else
			error = gw_fleet_parse(f, text.ptr, text.size, "<stdin>");
	} else if (stat(path, &st) == 0 && S_ISREG(st.st_mode) &&
	           (size_t)st.st_size > TARGETS_MAX) {
		/* Said here: gw_file_read words it for a migration. */
		error = gw_error_set(f->ctx, GW_EIO, "the targets in %s are over 16 MiB", path);
	} else if ((error = gw_file_read(&text, path, TARGETS_MAX, f->ctx)) == 0) {
		error = gw_fleet_parse(f, text.ptr, text.size, path);
	}
	gw_str_dispose(&text);
	return error;
}

/* ---- targets from a database ------------------------------------------------- */

/* A project on url, connected, to query it. */
static int open_on(gw_project **out, gw_fleet *f, const char *url)
{
	gw_project_options po = GW_PROJECT_OPTIONS_INIT;
	gw_conn *conn;
	int error;

	po.url = url;
	po.application_name = "godwit";
	if ((error = gw_project_open(out, &po, f->ctx)) < 0)
		return error;
	return gw_project__connect(&conn, *out);
}

typedef struct {
	gw_fleet *f;
	gw_vec names; /* of strings, in the order the rows came */
	gw_vec urls;
	size_t rows;
	int pairs; /* rows of name and url (targets_query), else of a schema */
	int short_rows;
} rows_in;

static int row_cb(void *payload, int ncols, const char *const *values)
{
	rows_in *in = payload;
	char *name, *url;

	in->rows++;
	if ((in->pairs && ncols < 2) || ncols < 1) {
		in->short_rows++;
		return 0;
	}
	if (!values[ncols > 1 ? 1 : 0])
		return 0;
	name = ncols > 1 ? gw_strdup(values[0]) : NULL;
	url = gw_strdup(values[ncols > 1 ? 1 : 0]);
	if ((ncols > 1 && values[0] && !name) || !url || gw_vec_push(&in->names, name) < 0 ||
	    gw_vec_push(&in->urls, url) < 0) {
		free(name);
		free(url);
		return -1;
	}
	return 0;
}

/* LIKE from a shell pattern: * and ? become % and _, and a % or _ of the
 * pattern is escaped, when the pattern has a * or a ?. */
static void like_pattern(gw_str *out, const char *pattern)
{
	const char *p;

	if (!strpbrk(pattern, "*?")) {
		gw_str_puts(out, pattern);
		return;
	}
	for (p = pattern; *p; p++) {
		if (*p == '*')
			gw_str_putc(out, '%');
		else if (*p == '?')
			gw_str_putc(out, '_');
		else {
			if (*p == '%' || *p == '_' || *p == '\\')
				gw_str_putc(out, '\\');
			gw_str_putc(out, *p);
		}
	}
}

int gw_fleet_add_schemas(gw_fleet *f, const char *url, const char *pattern)
{
	gw_project *p = NULL;
	gw_pgurl u = GW_PGURL_INIT;
	gw_str like = GW_STR_INIT, target = GW_STR_INIT;
	rows_in in = {f, GW_VEC_INIT, GW_VEC_INIT, 0, 0, 0};
	const char *params[1];
	size_t i;
	int error;

	if ((error = open_on(&p, f, url)) < 0)
		goto cleanup;
	if (strcmp(gw_project_driver_name(p), "postgres")) {
		gw_ctx__word(f->ctx, &target, GW_HINT_OPTION_SCHEMAS, NULL, NULL, NULL);
		error = gw_error_set(f->ctx, GW_EINVALID,
		                     "%s needs a PostgreSQL database; %s is %s", target.ptr,
		                     gw_project_display_url(p), gw_project_driver_name(p));
		goto cleanup;
	}
	like_pattern(&like, pattern);
	params[0] = like.ptr;
	if ((error = gw_project__exec(p,
	                              "SELECT nspname FROM pg_catalog.pg_namespace WHERE nspname "
	                              "LIKE $1 AND nspname NOT LIKE 'pg\\_%' AND nspname <> "
	                              "'information_schema' ORDER BY nspname",
	                              params, 1, row_cb, &in)) < 0)
		goto cleanup;
	if ((error = gw_pgurl_parse(&u, url, f->ctx)) < 0)
		goto cleanup;
	for (i = 0; i < in.urls.len && !error; i++) {
		free(u.schema);
		u.schema = gw_strdup(in.urls.items[i]);
		gw_str_clear(&target);
		if (!u.schema || gw_pgurl_format(&target, &u) < 0 || gw_str_failed(&target))
			error = gw_error_oom(f->ctx);
		else
			error = add_at(f, in.urls.items[i], target.ptr, NULL, 0);
	}
cleanup:
	gw_vec_dispose(&in.names, free);
	gw_vec_dispose(&in.urls, free);
	gw_pgurl_dispose(&u);
	gw_str_dispose(&like);
	gw_str_dispose(&target);
	gw_project_free(p);
	return error;
}

int gw_fleet_add_query(gw_fleet *f, const char *control_url, const char *query)
{
	gw_project *p = NULL;
	rows_in in = {f, GW_VEC_INIT, GW_VEC_INIT, 0, 1, 0};
	size_t i;
	int error;

	if ((error = open_on(&p, f, control_url)) < 0 ||
	    (error = gw_project__exec(p, query, NULL, 0, row_cb, &in)) < 0) {
		gw_error_prefix(f->ctx, "targets_query: ");
		goto cleanup;
	}
	if (in.short_rows) {
		error = gw_error_set(f->ctx, GW_EINVALID,
		                     "targets_query must return two columns, the name and the url "
		                     "of each target (SELECT name, url FROM ...)");
		goto cleanup;
	}
	if (in.urls.len < in.rows) {
		error = gw_error_set(f->ctx, GW_EINVALID,
		                     "targets_query returned %zu row%s without a url; it must "
		                     "return name and url (SELECT name, url FROM ...)",
		                     in.rows - in.urls.len, in.rows - in.urls.len == 1 ? "" : "s");
		goto cleanup;
	}
	for (i = 0; i < in.urls.len && !error; i++)
		error = add_at(f, in.names.items[i], in.urls.items[i], NULL, 0);
cleanup:
	gw_vec_dispose(&in.names, free);
	gw_vec_dispose(&in.urls, free);
	gw_project_free(p);
	return error;
}
