/*
 * schema_source.c: gw_schema_load, a schema from whatever a user names as
 * one: a database URL, a snapshot file, DDL (a file, a folder of files, or
 * the output of a command such as `npx drizzle-kit export`), or the
 * project's migrations.
 *
 * DDL and migrations are replayed on an ephemeral database (as `test`
 * does, prove.c) and that database's snapshot is the schema, so the
 * server itself says what the DDL means: no second parser of CREATE
 * statements that could disagree with it.
 */
#include "internal.h"

#include "godwit/generate.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/error.h"
#include "../util/fs.h"
#include "../util/proc.h"
#include "../util/text.h"

#define SNAPSHOT_HEADER "-- godwit schema snapshot"
/* DDL read from a file or a command is capped like a migration file. */
#define DDL_MAX ((size_t)64 << 20)

int gw_schema__run_ddl(gw_project *ep, const char *what, const char *text, size_t len,
                       int transaction, gw_ctx *ctx)
{
	gw_stmt begin = {"BEGIN", 5, NULL, 0}, commit = {"COMMIT", 6, NULL, 0};
	gw_sql_list list = GW_SQL_LIST_INIT;
	gw_conn *conn = NULL;
	size_t i, off = 0;
	int error, line, column;

	if ((error = gw_project__connect(&conn, ep)) < 0)
		goto fail;
	if ((error = gw_sql_split(&list, conn->driver->dialect, text, len, &off, ep->ctx)) < 0) {
		gw_text_position(text, len, off, &line, &column);
		goto fail_at;
	}
	if (transaction && (error = conn->driver->exec(conn, &begin, NULL, NULL)) < 0)
		goto fail;
	for (i = 0; i < list.count; i++) {
		gw_stmt st = {text + list.items[i].offset, list.items[i].len, NULL, 0};
		if ((error = conn->driver->exec(conn, &st, NULL, NULL)) < 0) {
			gw_stmt rollback = {"ROLLBACK", 8, NULL, 0};
			off = list.items[i].offset;
			gw_text_position(text, len, off, &line, &column);
			if (transaction)
				(void)conn->driver->exec(conn, &rollback, NULL, NULL);
			goto fail_at;
		}
	}
	if (transaction && (error = conn->driver->exec(conn, &commit, NULL, NULL)) < 0)
		goto fail;
	gw_sql_list_dispose(&list);
	return 0;
fail_at : {
	const gw_error *e = gw_ctx_error(ep->ctx);
	gw_sql_list_dispose(&list);
	return gw_error_set(ctx, e ? e->code : error, "%s: line %d: %s", what, line,
	                    e ? e->message : "error");
}
fail : {
	const gw_error *e = gw_ctx_error(ep->ctx);
	gw_sql_list_dispose(&list);
	return gw_error_set(ctx, e ? e->code : error, "%s: %s", what, e ? e->message : "error");
}
}

/* An ephemeral database with the DDL replayed (text NULL: the project's
 * migrations applied), and its snapshot. */
static int replay(gw_schema **out, gw_project *p, const char *what, const char *text, size_t len,
                  const gw_load_options *o)
{
	gw_ephemeral *eph = NULL;
	gw_project *ep = NULL;
	gw_ctx *ctx = NULL;
	int error;

	if (gw_ctx_new(&ctx) < 0)
		return gw_error_oom(p->ctx);
	if ((error = gw_project__ephemeral(&eph, p, gw_project__server_url(p, o->server_url))) < 0)
		goto cleanup;
	if ((error = gw_project__open_like(&ep, p, gw_ephemeral_url(eph), ctx)) < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		error = gw_error_set(p->ctx, error, "%s", e ? e->message : "error");
		goto cleanup;
	}
	if (text) {
		error = gw_schema__run_ddl(ep, what, text, len, 0, p->ctx);
	} else if ((error = gw_project_up(NULL, ep, NULL)) < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		error = gw_error_set(p->ctx, error, "replaying the migrations failed: %s",
		                     e ? e->message : "error");
	}
	if (error == 0 && (error = gw_schema_snapshot(out, ep, o->schema)) < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		error = gw_error_set(p->ctx, error, "%s", e ? e->message : "error");
	}
cleanup:
	gw_project_free(ep);
	gw_project__ephemeral_done(p, eph, 0);
	gw_ctx_free(ctx);
	return error;
}

static int is_sql_file(const char *name)
{
	size_t n = strlen(name);

	return n > 4 && strcmp(name + n - 4, ".sql") == 0;
}

static int cmp_name(const void *x, const void *y)
{
	return strcmp(*(char *const *)x, *(char *const *)y);
}

/* The *.sql files of a folder, in name order, one after the other. */
static int read_folder(gw_str *out, const char *dir, gw_ctx *ctx)
{
	gw_vec names = GW_VEC_INIT;
	gw_str path = GW_STR_INIT, one = GW_STR_INIT;
	size_t i, n = 0;
	int error;

	if ((error = gw_dir_list(&names, dir, ctx)) < 0)
		return error;
	if (names.len > 1) /* an empty folder has no items array to sort */
		qsort(names.items, names.len, sizeof(names.items[0]), cmp_name);
	for (i = 0; i < names.len && error == 0; i++) {
		if (!is_sql_file(names.items[i]))
			continue;
		gw_str_clear(&path);
		if (gw_path_join(&path, dir, names.items[i]) < 0) {
			error = gw_error_oom(ctx);
			break;
		}
		gw_str_clear(&one);
		if ((error = gw_file_read(&one, path.ptr, DDL_MAX, ctx)) < 0)
			break;
		/* A mark would be part of the first statement's first word. */
		gw_text_drop_bom(&one);
		gw_str_put(out, one.ptr, one.size);
		/* A file without a final ";" must not run into the next one. */
		gw_str_puts(out, "\n;\n");
		n++;
	}
	if (error == 0 && out->failed)
		error = gw_error_oom(ctx);
	if (error == 0 && n == 0)
		error = gw_error_set(ctx, GW_ENOTFOUND, "%s: no .sql file in this folder", dir);
	gw_vec_dispose(&names, free);
	gw_str_dispose(&path);
	gw_str_dispose(&one);
	return error;
}

/* A command's standard output (its standard error goes into the error
 * when it fails). */
static int run_command(gw_str *out, const char *command, gw_ctx *ctx)
{
	const char *tmp = getenv("TMPDIR");
	gw_str path = GW_STR_INIT, err = GW_STR_INIT;
	const char *argv[] = {"/bin/sh", "-c", command, NULL};
	int fd = -1, status = 0, error;

	gw_str_printf(&path, "%s/godwit-source-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (path.failed) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((fd = mkstemp(path.ptr)) < 0) {
		error = gw_error_set(ctx, GW_EIO, "cannot create a temporary file in %s",
		                     tmp && *tmp ? tmp : "/tmp");
		goto cleanup;
	}
	if ((error = gw_proc_run(&status, &err, argv, NULL, fd, ctx)) < 0)
		goto cleanup;
	if (status != 0) {
		while (err.size && (err.ptr[err.size - 1] == '\n' || err.ptr[err.size - 1] == ' '))
			gw_str_truncate(&err, err.size - 1);
		error = gw_error_set(ctx, GW_ERROR, "the command '%s' exited with %d%s%s", command,
		                     status, err.size ? ": " : "", err.ptr);
		goto cleanup;
	}
	error = gw_file_read(out, path.ptr, DDL_MAX, ctx);
cleanup:
	if (fd >= 0) {
		close(fd);
		unlink(path.ptr);
	}
	gw_str_dispose(&path);
	gw_str_dispose(&err);
	return error;
}

int gw_schema_load(gw_schema **out, gw_project *p, const char *spec, const gw_load_options *opts)
{
	static const gw_load_options defaults = GW_LOAD_OPTIONS_INIT;
	gw_str text = GW_STR_INIT;
	gw_project *up = NULL;
	gw_ctx *ctx = NULL;
	int error;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != GW_LOAD_OPTIONS_VERSION)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_load_options version %u is not supported", opts->version);
	/* The bare word is always the project's migrations, whatever the
	 * current folder holds: a folder or file of that name is reached by
	 * a path with a slash (./migrations), as for any other source. */
	if (strcmp(spec, "migrations") == 0)
		return replay(out, p, "the migrations", NULL, 0, opts);
	if (spec[0] == '!') {
		if ((error = run_command(&text, spec + 1, p->ctx)) == 0)
			error = replay(out, p, spec + 1, text.ptr, text.size, opts);
		goto cleanup;
	}
	if (gw_path_is_dir(spec) == 1) {
		if ((error = read_folder(&text, spec, p->ctx)) == 0)
			error = replay(out, p, spec, text.ptr, text.size, opts);
		goto cleanup;
	}
	if (access(spec, F_OK) == 0) {
		if ((error = gw_file_read(&text, spec, DDL_MAX, p->ctx)) < 0)
			goto cleanup;
		gw_text_drop_bom(&text);
		if (strncmp(text.ptr, SNAPSHOT_HEADER, strlen(SNAPSHOT_HEADER)) == 0) {
			if ((error = gw_schema_parse(out, text.ptr, text.size, p->ctx)) < 0) {
				const gw_error *e = gw_ctx_error(p->ctx);
				gw_str msg = GW_STR_INIT;
				gw_str_puts(&msg, e ? e->message : "bad file");
				gw_ctx_clear_error(p->ctx);
				error = gw_error_set(p->ctx, error, "%s: %s", spec, msg.ptr);
				gw_str_dispose(&msg);
			}
		} else {
			error = replay(out, p, spec, text.ptr, text.size, opts);
		}
		goto cleanup;
	}
	if (!strchr(spec, ':')) {
		error = gw_error_set(p->ctx, GW_EINVALID,
		                     "'%s' is no file, folder, database URL, '!command' or "
		                     "'migrations'",
		                     spec);
		goto cleanup;
	}
	if (gw_ctx_new(&ctx) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if ((error = gw_project__open_like(&up, p, spec, ctx)) < 0 ||
	    (error = gw_schema_snapshot(out, up, opts->schema)) < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		error = gw_error_set(p->ctx, error, "%s", e ? e->message : "error");
	}
cleanup:
	gw_project_free(up);
	gw_ctx_free(ctx);
	gw_str_dispose(&text);
	return error;
}
