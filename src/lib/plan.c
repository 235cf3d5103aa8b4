/*
 * plan.c: `godwit plan`: what up would run, statement by statement,
 * with the locks each statement takes and the lint findings inside it.
 *
 * The selection is gw_project_plan_up's, so plan refuses what up would
 * refuse and lists exactly what up would run. Each selected migration's
 * up section is read again, linted as `godwit lint` lints it (sql/lint.c),
 * parsed once, and each statement handed to the lock model (sql/locks.c).
 * A finding belongs to the statement whose lines it falls on; one that
 * falls on no statement stays with the migration. Nothing is run.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "godwit/plan.h"
#include "sql/lint_int.h"
#include "sql/locks.h"
#include "../util/error.h"
#include "../util/text.h"

/* A statement's excerpt keeps this many characters before "...". */
#define EXCERPT_CHARS 100

struct gw_lockplan {
	gw_lockplan_step *steps;
	size_t count;
	gw_vec owned;    /* strings and arrays the steps point into */
	gw_vec findings; /* gw_findings *, whose items the steps point to */
};

typedef struct pos {
	int line, column;
} pos;

/* The statements of one migration while they are built: where each one's
 * share of the file (for findings) begins, and where the last one ended. */
typedef struct stmts {
	gw_plan_statement *items;
	pos *region;
	size_t count, cap;
	int prev_end_line;
} stmts;

typedef struct builder {
	gw_project *p;
	gw_lockplan *plan;
	gw_lint_levels levels;
	int postgres;
} builder;

/* ---- ownership ------------------------------------------------------------------- */

static void *own(builder *b, void *ptr)
{
	if (ptr && gw_vec_push(&b->plan->owned, ptr) == 0)
		return ptr;
	free(ptr);
	return NULL;
}

static const char *own_str(builder *b, const char *s)
{
	return s ? own(b, gw_strdup(s)) : NULL;
}

static void findings_free(void *f)
{
	gw_findings_free(f);
}

/* ---- one statement ------------------------------------------------------------------- */

static size_t skip_comment(const char *s, size_t len, size_t i)
{
	if (s[i] == '-') {
		while (i < len && s[i] != '\n')
			i++;
		return i;
	}
	for (i += 2; i + 1 < len && !(s[i] == '*' && s[i + 1] == '/'); i++)
		;
	return i + 2 < len ? i + 2 : len;
}

/* The statement on one line: comments dropped, each run of white space
 * one space, cut after EXCERPT_CHARS characters. */
static int excerpt(gw_str *out, const char *s, size_t len)
{
	size_t i = 0, chars = 0;
	char quote = 0;
	int space = 0;

	while (i < len) {
		char c = s[i];
		int lead = ((unsigned char)c & 0xC0) != 0x80;

		if (!quote && i + 1 < len &&
		    ((c == '-' && s[i + 1] == '-') || (c == '/' && s[i + 1] == '*'))) {
			i = skip_comment(s, len, i);
			space = 1;
			continue;
		}
		if (gw_is_space(c)) {
			space = 1;
			i++;
			continue;
		}
		/* "(\n\tid bigint\n)" reads "(id bigint)" on one line. */
		space = space && out->size && out->ptr[out->size - 1] != '(' && c != ')';
		if (lead && chars + (size_t)space >= EXCERPT_CHARS) {
			gw_str_puts(out, "...");
			break;
		}
		if (space) {
			gw_str_putc(out, ' ');
			chars++;
			space = 0;
		}
		if (quote && c == quote)
			quote = 0;
		else if (!quote && (c == '\'' || c == '"'))
			quote = c;
		chars += (size_t)lead;
		gw_str_putc(out, c);
		i++;
	}
	return gw_str_failed(out) ? -1 : 0;
}

/* Hands the list's tables to the plan and points the statement at them. */
static int take_locks(builder *b, gw_plan_statement *st, gw_lock_list *l)
{
	gw_lock *locks;
	size_t i;

	if (!l->count)
		return 0;
	if (!(locks = own(b, calloc(l->count, sizeof(*locks)))))
		return -1;
	for (i = 0; i < l->count; i++) {
		gw_lock_item *it = &l->items[i];

		if (it->table && !own(b, it->table)) {
			it->table = NULL; /* own() freed it */
			return -1;
		}
		locks[i].table = it->table;
		it->table = NULL;
		locks[i].mode = it->mode;
		locks[i].effect = it->effect;
		locks[i].blocks = gw_lock_mode_blocks(it->mode);
		locks[i].note = it->note;
	}
	st->locks = locks;
	st->nlocks = l->count;
	return 0;
}

static int grow(stmts *s)
{
	size_t cap = s->cap ? s->cap * 2 : 8;
	gw_plan_statement *items;
	pos *region;

	if (!(items = realloc(s->items, cap * sizeof(*items))))
		return -1;
	s->items = items;
	if (!(region = realloc(s->region, cap * sizeof(*region))))
		return -1;
	s->region = region;
	s->cap = cap;
	return 0;
}

/* A statement whose first token is at start and which ends before end
 * (offsets in the file); node is its parse tree (NULL for SQLite). */
static int add_statement(builder *b, stmts *s, const gw_lines *lines, size_t start, size_t end,
                         const PgQuery__Node *node)
{
	gw_lock_list locks = GW_LOCK_LIST_INIT;
	gw_str sql = GW_STR_INIT;
	gw_plan_statement *st;
	int end_line, col, error = -1;

	if (s->count == s->cap && grow(s) < 0)
		goto cleanup;
	st = &s->items[s->count];
	memset(st, 0, sizeof(*st));
	st->index = s->count;
	gw_lines_pos(lines, start, &st->line, &st->column, NULL, NULL);
	gw_lines_pos(lines, end, &end_line, &col, NULL, NULL);
	/* A finding belongs to the statement whose lines it is on: from the
	 * line after the previous statement ended (a comment after a ';'
	 * belongs to the statement before it), or from the statement's first
	 * token when two share a line. */
	if (s->count == 0) {
		s->region[0].line = 0;
		s->region[0].column = 0;
	} else if (st->line == s->prev_end_line) {
		s->region[s->count].line = st->line;
		s->region[s->count].column = st->column;
	} else {
		s->region[s->count].line = s->prev_end_line + 1;
		s->region[s->count].column = 0;
	}
	s->prev_end_line = end_line;
	if (excerpt(&sql, lines->text + start, end - start) < 0 ||
	    !(st->sql = own_str(b, sql.ptr)) || (node && gw_locks_classify(&locks, node) < 0) ||
	    take_locks(b, st, &locks) < 0)
		goto cleanup;
	s->count++;
	error = 0;
cleanup:
	gw_lock_list_dispose(&locks);
	gw_str_dispose(&sql);
	return error < 0 ? gw_error_oom(b->p->ctx) : 0;
}

/* ---- one migration's statements ----------------------------------------------------- */

/* As the linter and the runner split it: statements that hold only
 * comments are not statements. */
static int postgres_statements(builder *b, stmts *s, const gw_source_text *t, const gw_lines *lines)
{
	const char *sec = t->file_text.ptr + t->offset;
	PgQuery__ParseResult *tree = NULL;
	gw_str syntax = GW_STR_INIT;
	size_t i, bad = 0;
	int error;

	/* SQL that does not parse is a "syntax" finding of the linter; up
	 * refuses it before plan gets here. */
	if ((error = gw_sql_parse_tree(&tree, sec, t->len, &syntax, &bad, b->p->ctx)) < 0 || !tree)
		goto cleanup;
	for (i = 0; i < tree->n_stmts && error == 0; i++) {
		const PgQuery__RawStmt *raw = tree->stmts[i];
		size_t start = raw->stmt_location > 0 ? (size_t)raw->stmt_location : 0;
		size_t end = raw->stmt_len > 0 ? start + (size_t)raw->stmt_len : t->len;

		if (!raw->stmt)
			continue;
		if (start > t->len)
			start = t->len;
		if (end > t->len)
			end = t->len;
		start = gw_text_skip_space_comments(sec, end, start);
		while (end > start && gw_is_space(sec[end - 1]))
			end--;
		if (start < end)
			error = add_statement(b, s, lines, t->offset + start, t->offset + end,
			                      raw->stmt);
	}
cleanup:
	gw_sql_parse_tree_free(tree);
	gw_str_dispose(&syntax);
	return error;
}

static int sqlite_statements(builder *b, stmts *s, const gw_source_text *t, const gw_lines *lines)
{
	gw_sql_list list = GW_SQL_LIST_INIT;
	size_t i, bad = 0;
	int error;

	error = gw_sql_split(&list, GW_DIALECT_SQLITE, t->file_text.ptr + t->offset, t->len, &bad,
	                     b->p->ctx);
	for (i = 0; i < list.count && error == 0; i++)
		error = add_statement(b, s, lines, t->offset + list.items[i].offset,
		                      t->offset + list.items[i].offset + list.items[i].len, NULL);
	gw_sql_list_dispose(&list);
	return error;
}

/* ---- findings ---------------------------------------------------------------------------- */

static int lint_step(builder *b, gw_findings **out, const gw_source_text *t, const gw_lines *lines,
                     const char *path, int no_tx)
{
	gw_lint_section sec = {0};
	int error;

	if ((error = gw_findings__new(out, b->p->ctx)) < 0)
		return error;
	if (gw_vec_push(&b->plan->findings, *out) < 0) {
		gw_findings_free(*out);
		*out = NULL;
		return gw_error_oom(b->p->ctx);
	}
	sec.file = path;
	sec.text = t->file_text.ptr;
	sec.text_len = t->file_text.size;
	sec.lines = lines;
	sec.off = t->offset;
	sec.len = t->len;
	sec.no_tx_directive = no_tx;
	sec.runner_lock_timeout_ms = b->p->opts.lock_timeout;
	sec.checks = GW_CHECK_SYNTAX | GW_CHECK_RULES;
	if ((error = gw_lint__section(*out, &b->levels, &sec, b->p->ctx)) < 0)
		return error;
	gw_findings__sort(*out);
	return 0;
}

static int before(pos a, int line, int column)
{
	return a.line < line || (a.line == line && a.column <= column);
}

/* The statement a finding falls in, or -1 for the migration as a whole. */
static long owner(const stmts *s, const gw_finding *x)
{
	size_t i;

	if (x->line <= 0)
		return -1;
	for (i = s->count; i-- > 0;)
		if (before(s->region[i], x->line, x->column))
			return (long)i;
	return -1;
}

static int place_findings(builder *b, gw_lockplan_step *step, stmts *s, const gw_findings *f)
{
	const gw_finding ***per = NULL, **whole = NULL;
	size_t i, n = gw_findings_count(f), nwhole = 0;
	int error = -1;

	if (s->count && !(per = calloc(s->count, sizeof(*per))))
		goto cleanup;
	for (i = 0; i < n; i++) {
		long k = owner(s, gw_findings_get(f, i));

		if (k < 0)
			nwhole++;
		else
			s->items[k].nfindings++;
	}
	for (i = 0; i < s->count; i++)
		if (s->items[i].nfindings &&
		    !(per[i] = own(b, calloc(s->items[i].nfindings, sizeof(**per)))))
			goto cleanup;
	if (nwhole && !(whole = own(b, calloc(nwhole, sizeof(*whole)))))
		goto cleanup;
	for (i = 0; i < s->count; i++)
		s->items[i].nfindings = 0;
	for (i = 0; i < n; i++) {
		const gw_finding *x = gw_findings_get(f, i);
		long k = owner(s, x);

		if (k < 0)
			whole[step->nfindings++] = x;
		else
			per[k][s->items[k].nfindings++] = x;
	}
	for (i = 0; i < s->count; i++)
		s->items[i].findings = per[i];
	step->findings = whole;
	error = 0;
cleanup:
	free(per);
	return error;
}

/* ---- one migration ------------------------------------------------------------------------ */

static int header(builder *b, gw_lockplan_step *step, const gw_plan_step *ps, const char *path)
{
	if (!(step->version = own_str(b, ps->version)) || !(step->name = own_str(b, ps->name)) ||
	    !(step->file = own_str(b, ps->file)) || !(step->path = own_str(b, path)))
		return gw_error_oom(b->p->ctx);
	step->transactional = ps->transactional;
	step->locks_known = b->postgres;
	return 0;
}

static int plan_step(builder *b, const gw_source *src, const gw_plan_step *ps,
                     gw_lockplan_step *step)
{
	const gw_migration *m = gw_source_find(src, ps->version);
	gw_source_text t = GW_SOURCE_TEXT_INIT;
	gw_str path = GW_STR_INIT;
	gw_lines lines = {0};
	gw_findings *f = NULL;
	stmts s = {0};
	size_t i;
	int error;

	if (!m) {
		error = gw_error_set(b->p->ctx, GW_ENOTFOUND, "no migration has version %s",
		                     ps->version);
		goto cleanup;
	}
	if ((error = gw_source_read_up(&t, src, m, b->p->ctx)) < 0)
		goto cleanup;
	if (gw_project__path(&path, b->p, t.file) < 0 ||
	    gw_lines_build(&lines, t.file_text.ptr, t.file_text.size) < 0) {
		error = gw_error_oom(b->p->ctx);
		goto cleanup;
	}
	if ((error = header(b, step, ps, path.ptr)) < 0)
		goto cleanup;
	if (b->postgres) {
		if ((error = lint_step(b, &f, &t, &lines, path.ptr, m->no_transaction)) < 0 ||
		    (error = postgres_statements(b, &s, &t, &lines)) < 0)
			goto cleanup;
	} else if ((error = sqlite_statements(b, &s, &t, &lines)) < 0) {
		goto cleanup;
	}
	for (i = 0; i < s.count; i++)
		s.items[i].done = i < ps->resume_from;
	if (f && place_findings(b, step, &s, f) < 0) {
		error = gw_error_oom(b->p->ctx);
		goto cleanup;
	}
	if (s.count && !own(b, s.items)) {
		s.items = NULL; /* own() freed it */
		error = gw_error_oom(b->p->ctx);
		goto cleanup;
	}
	step->statements = s.items;
	step->nstatements = s.count;
	s.items = NULL;
cleanup:
	free(s.items);
	free(s.region);
	gw_lines_dispose(&lines);
	gw_str_dispose(&path);
	gw_source_text_dispose(&t);
	return error;
}

/* ---- the public calls ------------------------------------------------------------------- */

int gw_project_plan_locks(gw_lockplan **out, gw_project *p, const gw_lockplan_options *opts)
{
	static const gw_lockplan_options defaults = GW_LOCKPLAN_OPTIONS_INIT;
	builder b = {0};
	gw_plan *up = NULL;
	gw_source *src;
	size_t i;
	int error;

	*out = NULL;
	if (!opts)
		opts = &defaults;
	if (opts->version != GW_LOCKPLAN_OPTIONS_VERSION)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_lockplan_options version %u is not supported",
		                    opts->version);
	b.p = p;
	b.postgres = p->driver->dialect == GW_DIALECT_POSTGRES;
	if ((error = gw_project_plan_up(&up, p, &opts->up)) < 0 ||
	    (error = gw_project__source(&src, p)) < 0 ||
	    (error = gw_lint__levels(&b.levels, &opts->lint, p->ctx)) < 0)
		goto cleanup;
	if (!(b.plan = calloc(1, sizeof(*b.plan))) ||
	    (gw_plan_count(up) &&
	     !(b.plan->steps = calloc(gw_plan_count(up), sizeof(*b.plan->steps))))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	for (i = 0; i < gw_plan_count(up); i++, b.plan->count++)
		if ((error = plan_step(&b, src, gw_plan_get(up, i), &b.plan->steps[i])) < 0)
			goto cleanup;
	*out = b.plan;
	b.plan = NULL;
cleanup:
	gw_lockplan_free(b.plan);
	gw_lint__levels_dispose(&b.levels);
	gw_plan_free(up);
	return error;
}

size_t gw_lockplan_count(const gw_lockplan *plan)
{
	return plan ? plan->count : 0;
}

const gw_lockplan_step *gw_lockplan_get(const gw_lockplan *plan, size_t i)
{
	return plan && i < plan->count ? &plan->steps[i] : NULL;
}

gw_level gw_lockplan_max_level(const gw_lockplan *plan)
{
	gw_level max = GW_LEVEL_OFF, l;
	size_t i;

	for (i = 0; plan && i < plan->findings.len; i++)
		if ((l = gw_findings_max_level(plan->findings.items[i])) > max)
			max = l;
	return max;
}

void gw_lockplan_free(gw_lockplan *plan)
{
	if (!plan)
		return;
	free(plan->steps);
	gw_vec_dispose(&plan->owned, free);
	gw_vec_dispose(&plan->findings, findings_free);
	free(plan);
}
