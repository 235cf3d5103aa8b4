/*
 * lint_project.c: `godwit lint` on a project: which text to lint and how
 * the runner will run it.
 *
 * A migration of the folder is linted as the runner would run it: its up
 * section only (a down undoes an up, and its drops are the point), with
 * its `-- godwit:no-transaction` directive. A file outside the folder is
 * linted whole. The engine (sql/lint.c) does the rest.
 */
/* realpath is an XSI extension to POSIX. */
#define _XOPEN_SOURCE 700
#include "internal.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "sql/lint_int.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/text.h"

typedef struct lrun {
	gw_project *p;
	gw_findings *f;
	gw_lint_levels levels;
	const gw_lint_options *opts;
	gw_dialect dialect;
	const char *rls_schemas;
} lrun;

static int lint_text(lrun *l, const char *path, const gw_str *text, size_t off, size_t len,
                     int no_tx)
{
	gw_lines lines = {0};
	gw_lint_section sec = {0};
	char *seen = gw_strndup(text->ptr, text->size);
	int error;

	if (!seen || gw_lines_build(&lines, seen, text->size) < 0) {
		free(seen);
		return gw_error_oom(l->p->ctx);
	}
	/* Placeholders as the parser can read them, every position kept. */
	gw_placeholders__normalize(l->p, seen + off, len);
	sec.file = path;
	sec.text = seen;
	sec.text_len = text->size;
	sec.lines = &lines;
	sec.off = off;
	sec.len = len;
	sec.no_tx_directive = no_tx || (l->opts && l->opts->no_transaction);
	sec.runner_lock_timeout_ms = l->p->opts.lock_timeout;
	sec.checks = GW_CHECK_SYNTAX | GW_CHECK_RULES;
	if (l->dialect == GW_DIALECT_SQLITE)
		sec.checks |= GW_CHECK_SQLITE;
	else
		sec.rls_schemas = l->rls_schemas;
	error = gw_lint__section(l->f, &l->levels, &sec, l->p->ctx);
	gw_lines_dispose(&lines);
	free(seen);
	return error;
}

static int lint_migration(lrun *l, const gw_source *src, const gw_migration *m, int down,
                          const char *shown)
{
	gw_source_text t = GW_SOURCE_TEXT_INIT;
	gw_str path = GW_STR_INIT;
	int error;

	if (m->empty && !down)
		return 0;
	error = down ? gw_source_read_down(&t, src, m, l->p->ctx)
	             : gw_source_read_up(&t, src, m, l->p->ctx);
	if (error < 0)
		goto cleanup;
	if (!shown && gw_project__path(&path, l->p, t.file) < 0) {
		error = gw_error_oom(l->p->ctx);
		goto cleanup;
	}
	error = lint_text(l, shown ? shown : path.ptr, &t.file_text, t.offset, t.len,
	                  down ? m->down_no_transaction : m->no_transaction);
cleanup:
	gw_source_text_dispose(&t);
	gw_str_dispose(&path);
	return error;
}

/* The migration whose up (*down = 0) or down file is `file`, by real path. */
static const gw_migration *find_file(lrun *l, const gw_source *src, const char *file, int *down)
{
	char want[PATH_MAX], have[PATH_MAX];
	gw_str path = GW_STR_INIT;
	const gw_migration *found = NULL;
	size_t i;

	if (!src || !realpath(file, want))
		return NULL;
	for (i = 0; i < src->count && !found; i++) {
		const gw_migration *m = src->items[i];

		gw_project__path(&path, l->p, m->up_file);
		if (realpath(path.ptr, have) && !strcmp(have, want)) {
			found = m;
			*down = 0;
		} else if (m->down_file && m->down_file != m->up_file) {
			gw_project__path(&path, l->p, m->down_file);
			if (realpath(path.ptr, have) && !strcmp(have, want)) {
				found = m;
				*down = 1;
			}
		}
	}
	gw_str_dispose(&path);
	return found;
}

static int lint_files(lrun *l, const char *const *files, size_t n)
{
	gw_source *src = NULL;
	gw_str text = GW_STR_INIT;
	size_t i;
	int error = 0, down = 0;

	/* A folder that does not load still leaves the files to lint. */
	if (gw_project__source(&src, l->p) < 0) {
		src = NULL;
		gw_ctx_clear_error(l->p->ctx);
	}
	for (i = 0; i < n && error >= 0; i++) {
		const gw_migration *m = find_file(l, src, files[i], &down);

		if (m) {
			error = lint_migration(l, src, m, down, files[i]);
			continue;
		}
		if ((error = gw_file_read(&text, files[i], GW_FILE_MAX, l->p->ctx)) < 0)
			break;
		/* As loading does: a byte-order mark is no part of the SQL. */
		gw_text_drop_bom(&text);
		/* Outside the folder there is no convention to read the
		 * directive with; its text is enough. */
		error = lint_text(l, files[i], &text, 0, text.size,
		                  strstr(text.ptr, "godwit:no-transaction") != NULL);
	}
	gw_str_dispose(&text);
	return error;
}

static int lint_set(lrun *l, int pending_only)
{
	gw_source *src;
	gw_status *st = NULL;
	size_t i;
	int error;

	if ((error = gw_project__source(&src, l->p)) < 0)
		return error;
	if (pending_only && (error = gw_project_status(&st, l->p)) < 0)
		return error;
	for (i = 0; i < src->count && error >= 0; i++) {
		const gw_migration *m = src->items[i];

		if (st) {
			size_t k;
			int pending = 0;

			for (k = 0; k < gw_status_count(st); k++) {
				const gw_status_entry *e = gw_status_get(st, k);

				if (!strcmp(e->version, m->version))
					pending = e->state == GW_STATE_PENDING ||
					          e->state == GW_STATE_OUT_OF_ORDER ||
					          e->state == GW_STATE_DIRTY ||
					          e->state == GW_STATE_RUNNING;
			}
			if (!pending)
				continue;
		}
		error = lint_migration(l, src, m, 0, NULL);
	}
	gw_status_free(st);
	return error;
}

int gw_project_lint(gw_findings **out, gw_project *p, const gw_project_lint_options *opts)
{
	lrun l = {0};
	gw_dialect_from from;
	int error = 0;

	*out = NULL;
	l.p = p;
	if (opts && opts->version != GW_PROJECT_LINT_OPTIONS_VERSION)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_project_lint_options version %u is not supported",
		                    opts->version);
	l.opts = opts ? &opts->lint : NULL;
	if ((error = gw_project__sql_dialect(&l.dialect, &from, p, opts ? opts->dialect : NULL)) <
	            0 ||
	    (error = gw_lint__levels(&l.levels, l.opts, p->ctx)) < 0 ||
	    (error = gw_findings__new(&l.f, p->ctx)) < 0)
		goto cleanup;
	l.f->dialect = l.dialect;
	l.f->dialect_from = from;
	l.rls_schemas = gw_policy__rls_schemas(p, 0);
	if (opts && opts->nfiles)
		error = lint_files(&l, opts->files, opts->nfiles);
	else
		error = lint_set(&l, opts && opts->pending_only);
	if (error < 0)
		goto cleanup;
	gw_findings__sort(l.f);
	*out = l.f;
	l.f = NULL;
cleanup:
	gw_findings_free(l.f);
	gw_lint__levels_dispose(&l.levels);
	return error;
}

int gw_project__lint_up(gw_findings **out, gw_project *p, const gw_migration *const *ms, size_t n,
                        const char *rls_schemas)
{
	gw_lint_options opts = GW_LINT_OPTIONS_INIT;
	gw_source *src;
	lrun l = {0};
	size_t i;
	int error;

	*out = NULL;
	l.p = p;
	l.opts = &opts;
	l.dialect = p->driver ? p->driver->dialect : GW_DIALECT_POSTGRES;
	l.rls_schemas = rls_schemas;
	opts.disable = p->opts.lint_disable;
	opts.error = p->opts.lint_error;
	opts.warning = p->opts.lint_warning;
	if ((error = gw_project__source(&src, p)) < 0 ||
	    (error = gw_lint__levels(&l.levels, l.opts, p->ctx)) < 0 ||
	    (error = gw_findings__new(&l.f, p->ctx)) < 0)
		goto cleanup;
	for (i = 0; i < n && error >= 0; i++)
		error = lint_migration(&l, src, ms[i], 0, NULL);
	if (error < 0)
		goto cleanup;
	gw_findings__sort(l.f);
	*out = l.f;
	l.f = NULL;
cleanup:
	gw_findings_free(l.f);
	gw_lint__levels_dispose(&l.levels);
	return error;
}
