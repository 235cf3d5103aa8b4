/*
 * validate.c: `godwit validate`: is every migration file well formed, and
 * does its SQL parse? Works on the folder alone; with check_history it
 * also compares checksums with the database's history.
 *
 * Problems in the files are findings, not errors, so one run reports as
 * many as it can: when the folder itself cannot be loaded (a bad name, a
 * duplicate version, a cycle), that problem is one finding and every .sql
 * file of the folder is still parsed on its own. PostgreSQL SQL is checked
 * with the real parser (and PL/pgSQL bodies compiled); SQLite SQL by
 * preparing each statement in an in-memory database that has the earlier
 * migrations applied, so a reference to a table an earlier migration
 * creates resolves.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "sql/lint_int.h"
#include "../drivers/sq.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/text.h"

typedef struct vrun {
	gw_project *p;
	gw_findings *f;
	gw_lint_levels levels;
	gw_dialect dialect;
	sqlite3 *db; /* the SQLite scratch database */
} vrun;

/* A finding about a whole file, or a line of it (no source line). */
static int file_finding(vrun *v, const char *rule, const char *file, int line, int col,
                        const char *message)
{
	gw_finding t = {0};
	gw_level level = gw_lint__level(&v->levels, rule);

	if (!level)
		return 0;
	t.rule = rule;
	t.level = level;
	t.file = file;
	t.line = line;
	t.column = col;
	t.message = message;
	return gw_findings__add(v->f, &t, 0) < 0 ? gw_error_oom(v->p->ctx) : 0;
}

/* A finding whose message ends in an action a program words itself
 * (gw_text_hint): the context, then the library's wording of code. */
static int file_finding_hint(vrun *v, const char *rule, const char *file, int code,
                             const char *arg0, const char *fmt, ...) GW_FORMAT_PRINTF(6, 7);
static int file_finding_hint(vrun *v, const char *rule, const char *file, int code,
                             const char *arg0, const char *fmt, ...)
{
	gw_finding t = {0};
	gw_level level = gw_lint__level(&v->levels, rule);
	gw_str context = GW_STR_INIT, message = GW_STR_INIT;
	va_list ap;
	int error;

	if (!level)
		return 0;
	va_start(ap, fmt);
	gw_str_vprintf(&context, fmt, ap);
	va_end(ap);
	gw_str_puts(&message, context.ptr);
	gw_hint_wording(&message, code, arg0, "");
	t.rule = rule;
	t.level = level;
	t.file = file;
	t.message = message.ptr;
	t.hint.code = code;
	t.hint.context = context.ptr;
	t.hint.args[0] = arg0;
	t.hint.args[1] = "";
	error = gw_str_failed(&context) || gw_str_failed(&message) ||
	                        gw_findings__add(v->f, &t, 0) < 0
	                ? gw_error_oom(v->p->ctx)
	                : 0;
	gw_str_dispose(&context);
	gw_str_dispose(&message);
	return error;
}

/* The message of an error gw_source__file_error set starts with
 * "path[:line[:col]]: "; the finding carries the location apart. */
static const char *strip_location(const gw_error *e)
{
	size_t n = e->file ? strlen(e->file) : 0;
	const char *m = e->message, *p;

	if (!n || strncmp(m, e->file, n) != 0)
		return m;
	p = m + n;
	while (*p == ':' || (*p >= '0' && *p <= '9'))
		p++;
	return *p == ' ' ? p + 1 : m;
}

static int source_finding(vrun *v)
{
	const gw_error *e = gw_ctx_error(v->p->ctx);
	gw_str msg = GW_STR_INIT;
	int error;

	gw_str_puts(&msg, strip_location(e));
	if (e->hint && *e->hint)
		gw_str_printf(&msg, " (%s)", e->hint);
	error = gw_str_failed(&msg)
	                ? gw_error_oom(v->p->ctx)
	                : file_finding(v, "source",
	                               e->file && *e->file ? e->file : gw_project__dir(v->p),
	                               e->line, e->column, msg.ptr);
	gw_str_dispose(&msg);
	return error;
}

/* ---- SQLite ---------------------------------------------------------------- */

static int sqlite_open(vrun *v)
{
	int error;

	if ((error = gw_sq_load(v->p->ctx)) < 0)
		return error;
	if (sqlite3_open(":memory:", &v->db) != SQLITE_OK)
		return gw_error_set(v->p->ctx, GW_ERROR,
		                    "cannot open an in-memory SQLite database");
	return 0;
}

/* Prepares and runs each statement, so later statements and migrations
 * see what earlier ones created. */
static int sqlite_section(vrun *v, const gw_lint_section *sec)
{
	gw_sql_list stmts = GW_SQL_LIST_INIT;
	size_t bad = 0, i;
	int error;

	if ((error = gw_sql_split(&stmts, GW_DIALECT_SQLITE, sec->text + sec->off, sec->len, &bad,
	                          v->p->ctx)) < 0)
		return error;
	for (i = 0; i < stmts.count; i++) {
		const char *sql = sec->text + sec->off + stmts.items[i].offset;
		sqlite3_stmt *st = NULL;
		int rc = sqlite3_prepare_v2(v->db, sql, (int)stmts.items[i].len, &st, NULL);
		const char *rule;
		int at;

		if (rc == SQLITE_OK && st) {
			while ((rc = sqlite3_step(st)) == SQLITE_ROW)
				;
			rc = rc == SQLITE_DONE ? SQLITE_OK : rc;
		}
		if (rc != SQLITE_OK) {
			/* The offset is only known for errors the parser saw. */
			at = sqlite3_error_offset(v->db);
			rule = !strncmp(sqlite3_errmsg(v->db), "near ", 5) ? "syntax"
			                                                   : "sqlite-prepare";
			if (gw_findings__add_at(v->f, sec->lines,
			                        sec->off + stmts.items[i].offset +
			                                (at >= 0 ? (size_t)at : 0),
			                        rule, gw_lint__level(&v->levels, rule), sec->file,
			                        NULL, NULL, NULL, sqlite3_errmsg(v->db)) < 0)
				error = gw_error_oom(v->p->ctx);
		}
		sqlite3_finalize(st);
		if (error < 0)
			break;
	}
	gw_sql_list_dispose(&stmts);
	return error;
}

/* ---- one file ------------------------------------------------------------------ */

static int check_section(vrun *v, const gw_lint_section *sec)
{
	if (v->dialect == GW_DIALECT_SQLITE)
		return sqlite_section(v, sec);
	return gw_lint__section(v->f, &v->levels, sec, v->p->ctx);
}

/* Checks the text of a migration (or of a whole file) given its section. */
static int check_text(vrun *v, const char *path, const gw_str *text, size_t off, size_t len,
                      int no_tx)
{
	gw_lines lines = {0};
	gw_lint_section sec = {0};
	size_t bad;
	int error;

	if (gw_utf8_check(text->ptr, text->size, &bad) < 0) {
		int line, col;

		gw_text_position(text->ptr, text->size, bad, &line, &col);
		return file_finding(v, "source", path, line, col,
		                    "bytes that are not UTF-8; save the file as UTF-8");
	}
	if (gw_lines_build(&lines, text->ptr, text->size) < 0)
		return gw_error_oom(v->p->ctx);
	sec.file = path;
	sec.text = text->ptr;
	sec.text_len = text->size;
	sec.lines = &lines;
	sec.off = off;
	sec.len = len;
	sec.no_tx_directive = no_tx;
	sec.checks = GW_CHECK_SYNTAX | GW_CHECK_PLPGSQL;
	error = check_section(v, &sec);
	gw_lines_dispose(&lines);
	return error;
}

static int check_migration(vrun *v, const gw_source *src, const gw_migration *m, int down)
{
	gw_source_text t = GW_SOURCE_TEXT_INIT;
	gw_str path = GW_STR_INIT;
	int error;

	error = down ? gw_source_read_down(&t, src, m, v->p->ctx)
	             : gw_source_read_up(&t, src, m, v->p->ctx);
	if (error < 0)
		goto cleanup;
	if (gw_project__path(&path, v->p, t.file) < 0) {
		error = gw_error_oom(v->p->ctx);
		goto cleanup;
	}
	/* A down is checked on its own: it runs after its up, not after the
	 * later migrations, so it is not applied to the scratch database. */
	if (down && v->dialect == GW_DIALECT_SQLITE)
		goto cleanup;
	error = check_text(v, path.ptr, &t.file_text, t.offset, t.len,
	                   down ? m->down_no_transaction : m->no_transaction);
cleanup:
	gw_source_text_dispose(&t);
	gw_str_dispose(&path);
	return error;
}

static int check_set(vrun *v, const gw_source *src)
{
	gw_str path = GW_STR_INIT;
	size_t i;
	int error = 0;

	for (i = 0; i < src->count && error >= 0; i++) {
		const gw_migration *m = src->items[i];

		if (gw_project__path(&path, v->p, m->up_file) < 0) {
			error = gw_error_oom(v->p->ctx);
			break;
		}
		if (m->empty)
			error = file_finding_hint(v, "empty-migration", path.ptr,
			                          GW_HINT_EMPTY_REFUSED, "",
			                          "the migration holds no SQL; ");
		else
			error = check_migration(v, src, m, 0);
		if (error >= 0 && !m->down_file)
			error = file_finding_hint(v, "missing-down", path.ptr, GW_HINT_NO_DOWN, "",
			                          "migration %s has no down script; ", m->version);
		else if (error >= 0)
			error = check_migration(v, src, m, 1);
	}
	gw_str_dispose(&path);
	return error;
}

/* When the set cannot be built, each .sql file is still parsed alone. */
static int check_folder(vrun *v)
{
	gw_vec names = GW_VEC_INIT;
	gw_str path = GW_STR_INIT, text = GW_STR_INIT;
	size_t i, n;
	int error;

	if ((error = gw_dir_list(&names, gw_project__dir(v->p), v->p->ctx)) < 0)
		goto cleanup;
	for (i = 0; i < names.len && error >= 0; i++) {
		const char *name = names.items[i];

		n = strlen(name);
		if (name[0] == '.' || n < 4 || strcmp(name + n - 4, ".sql"))
			continue;
		gw_str_clear(&path);
		if (gw_path_join(&path, gw_project__dir(v->p), name) < 0) {
			error = gw_error_oom(v->p->ctx);
			break;
		}
		if ((error = gw_file_read(&text, path.ptr, GW_FILE_MAX, v->p->ctx)) < 0)
			break;
		/* As loading does: the mark is no part of the SQL. */
		gw_text_drop_bom(&text);
		error = check_text(v, path.ptr, &text, 0, text.size, 0);
	}
cleanup:
	gw_vec_dispose(&names, free);
	gw_str_dispose(&path);
	gw_str_dispose(&text);
	return error;
}

static int check_history(vrun *v)
{
	gw_status *st = NULL;
	gw_str path = GW_STR_INIT, msg = GW_STR_INIT;
	size_t i;
	int error;

	if ((error = gw_project_status(&st, v->p)) < 0)
		return error;
	for (i = 0; i < gw_status_count(st) && error >= 0; i++) {
		const gw_status_entry *e = gw_status_get(st, i);

		gw_str_clear(&msg);
		if (e->state == GW_STATE_CHANGED) {
			gw_project__path(&path, v->p, e->file);
			error = file_finding_hint(v, "checksum-changed", path.ptr,
			                          GW_HINT_RESTORE_OR_REPAIR, e->version,
			                          "migration %s was changed after it was applied; ",
			                          e->version);
		} else if (e->state == GW_STATE_MISSING) {
			gw_str_printf(
			        &msg,
			        "migration %s (%s) was applied but no file has it; restore it "
			        "from version control",
			        e->version, e->name ? e->name : "");
			error = file_finding(v, "missing-file", gw_project__dir(v->p), 0, 0,
			                     msg.ptr);
		}
	}
	gw_status_free(st);
	gw_str_dispose(&path);
	gw_str_dispose(&msg);
	return error;
}

int gw_project_validate(gw_findings **out, gw_project *p, const gw_validate_options *opts)
{
	vrun v = {0};
	gw_source *src = NULL;
	gw_dialect_from from;
	int error;

	*out = NULL;
	v.p = p;
	if (opts && opts->version != GW_VALIDATE_OPTIONS_VERSION)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_validate_options version %u is not supported",
		                    opts->version);
	if ((error = gw_project__sql_dialect(&v.dialect, &from, p, opts ? opts->dialect : NULL)) <
	            0 ||
	    (error = gw_lint__levels(&v.levels, opts ? &opts->lint : NULL, p->ctx)) < 0 ||
	    (error = gw_findings__new(&v.f, p->ctx)) < 0)
		goto cleanup;
	v.f->dialect = v.dialect;
	v.f->dialect_from = from;
	if (v.dialect == GW_DIALECT_SQLITE && (error = sqlite_open(&v)) < 0)
		goto cleanup;
	if ((error = gw_project__source(&src, p)) < 0) {
		/* A folder that cannot be read is a failure to check, not a
		 * finding. */
		if (error != GW_ESOURCE && error != GW_EORDER)
			goto cleanup;
		error = source_finding(&v);
		gw_ctx_clear_error(p->ctx);
		if (error < 0 || (error = check_folder(&v)) < 0)
			goto cleanup;
	} else if ((error = check_set(&v, src)) < 0) {
		goto cleanup;
	}
	if (src && opts && opts->check_history && (error = check_history(&v)) < 0)
		goto cleanup;
	gw_findings__sort(v.f);
	*out = v.f;
	v.f = NULL;
	error = 0;
cleanup:
	if (v.db)
		sqlite3_close(v.db);
	gw_findings_free(v.f);
	gw_lint__levels_dispose(&v.levels);
	return error;
}
