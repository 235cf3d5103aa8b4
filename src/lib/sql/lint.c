/*
 * lint.c: the lint engine: findings, rule levels, `-- godwit:ignore`
 * comments, and the walk over one migration section.
 *
 * A section is parsed once into libpg_query's typed tree (through the
 * bridge, pgquery.c). Each statement goes to every rule family with what
 * the statements before it established (see lint_int.h); then the
 * file-wide checks run (a no-transaction file mixing statements that need
 * atomicity). Findings are data for the caller; the engine never prints.
 */
#include "lint_int.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "sql.h"
#include "../../util/error.h"
#include "../../util/vec.h"
#include "../../util/text.h"

/* ---- findings --------------------------------------------------------------- */

int gw_findings__new(gw_findings **out, gw_ctx *ctx)
{
	if (!(*out = calloc(1, sizeof(**out))))
		return gw_error_oom(ctx);
	return 0;
}

/* The public struct shows const strings; the container owns them. */
static void free_const(const char *p)
{
	free((void *)(uintptr_t)p);
}

static void finding_dispose(gw_finding *f)
{
	free_const(f->rule);
	free_const(f->file);
	free_const(f->message);
	free_const(f->help);
	free_const(f->table);
	free_const(f->lock);
	free_const(f->source_line);
	if (f->hint.code) {
		free_const(f->hint.context);
		free_const(f->hint.args[0]);
		free_const(f->hint.args[1]);
	}
}

static int dup_or_null(const char **dst, const char *src)
{
	*dst = NULL;
	return src && !(*dst = gw_strdup(src)) ? -1 : 0;
}

/* The hint's strings, "" for a NULL one; on failure what was copied stays
 * for finding_dispose. */
static int dup_hint(gw_text_hint *dst, const gw_text_hint *src)
{
	dst->code = src->code;
	if (!(dst->context = gw_strdup(src->context ? src->context : "")) ||
	    !(dst->args[0] = gw_strdup(src->args[0] ? src->args[0] : "")) ||
	    !(dst->args[1] = gw_strdup(src->args[1] ? src->args[1] : "")))
		return -1;
	return 0;
}

int gw_findings__add(gw_findings *f, const gw_finding *t, size_t source_len)
{
	gw_finding n = {0};

	gw_finding *items = gw_grow(f->items, &f->cap, f->count, sizeof(*items));

	if (!items)
		return -1;
	f->items = items;
	n.level = t->level;
	n.line = t->line;
	n.column = t->column;
	if (dup_or_null(&n.rule, t->rule) < 0 || dup_or_null(&n.file, t->file) < 0 ||
	    dup_or_null(&n.message, t->message) < 0 || dup_or_null(&n.help, t->help) < 0 ||
	    dup_or_null(&n.table, t->table) < 0 || dup_or_null(&n.lock, t->lock) < 0 ||
	    (t->source_line && !(n.source_line = gw_strndup(t->source_line, source_len))) ||
	    (t->hint.code && dup_hint(&n.hint, &t->hint) < 0)) {
		finding_dispose(&n);
		return -1;
	}
	f->items[f->count++] = n;
	return 0;
}

int gw_findings__add_at(gw_findings *f, const gw_lines *l, size_t at, const char *rule,
                        gw_level level, const char *file, const char *table, const char *lock,
                        const char *help, const char *message)
{
	gw_finding t = {0};
	size_t line_off = 0, line_len = 0;

	gw_lines_pos(l, at, &t.line, &t.column, &line_off, &line_len);
	t.rule = rule;
	t.level = level;
	t.file = file;
	t.table = table;
	t.lock = lock;
	t.help = help;
	t.message = message;
	t.source_line = l->text + line_off;
	return gw_findings__add(f, &t, line_len);
}

static int cmp_finding(const gw_finding *x, const gw_finding *y)
{
	int c = strcmp(x->file, y->file);

	if (c)
		return c;
	if (x->line != y->line)
		return x->line < y->line ? -1 : 1;
	return x->column < y->column ? -1 : x->column > y->column;
}

void gw_findings__sort(gw_findings *f)
{
	/* An insertion sort in place: stable, so equal positions keep the
	 * order the rules reported them in (qsort is not), needs no memory
	 * (so it cannot fail half way), and findings come mostly in order. */
	size_t i;

	for (i = 1; f && i < f->count; i++) {
		gw_finding v = f->items[i];
		size_t j = i;

		while (j > 0 && cmp_finding(&f->items[j - 1], &v) > 0) {
			f->items[j] = f->items[j - 1];
			j--;
		}
		f->items[j] = v;
	}
}

size_t gw_findings_count(const gw_findings *f)
{
	return f ? f->count : 0;
}

const gw_finding *gw_findings_get(const gw_findings *f, size_t i)
{
	return f && i < f->count ? &f->items[i] : NULL;
}

gw_level gw_findings_max_level(const gw_findings *f)
{
	gw_level max = GW_LEVEL_OFF;
	size_t i;

	for (i = 0; f && i < f->count; i++)
		if (f->items[i].level > max)
			max = f->items[i].level;
	return max;
}

const char *gw_findings_dialect(const gw_findings *f, gw_dialect_from *from)
{
	if (from)
		*from = f ? f->dialect_from : 0;
	if (!f || !f->dialect)
		return NULL;
	return f->dialect == GW_DIALECT_SQLITE ? "sqlite" : "postgres";
}

void gw_findings_free(gw_findings *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->count; i++)
		finding_dispose(&f->items[i]);
	free(f->items);
	free(f);
}

const char *gw_level_name(gw_level level)
{
	switch (level) {
	case GW_LEVEL_WARNING:
		return "warning";
	case GW_LEVEL_ERROR:
		return "error";
	default:
		return "off";
	}
}

/* ---- lines ------------------------------------------------------------------- */

int gw_lines_build(gw_lines *out, const char *text, size_t len)
{
	size_t i, n = 1;

	out->text = text;
	out->len = len;
	for (i = 0; i < len; i++)
		n += text[i] == '\n';
	if (!(out->starts = malloc(n * sizeof(*out->starts))))
		return -1;
	out->starts[0] = 0;
	out->count = 1;
	for (i = 0; i < len; i++)
		if (text[i] == '\n')
			out->starts[out->count++] = i + 1;
	return 0;
}

void gw_lines_dispose(gw_lines *l)
{
	free(l->starts);
	l->starts = NULL;
	l->count = 0;
}

void gw_lines_pos(const gw_lines *l, size_t at, int *line, int *column, size_t *line_off,
                  size_t *line_len)
{
	size_t lo = 0, hi = l->count, i, end, col = 1;

	if (at > l->len)
		at = l->len;
	while (hi - lo > 1) {
		size_t mid = lo + (hi - lo) / 2;

		if (l->starts[mid] <= at)
			lo = mid;
		else
			hi = mid;
	}
	/* A column counts characters: skip UTF-8 continuation bytes. */
	for (i = l->starts[lo]; i < at; i++)
		col += ((unsigned char)l->text[i] & 0xC0) != 0x80;
	end = lo + 1 < l->count ? l->starts[lo + 1] - 1 : l->len;
	if (end > l->starts[lo] && l->text[end - 1] == '\r')
		end--;
	*line = (int)lo + 1;
	*column = (int)col;
	if (line_off)
		*line_off = l->starts[lo];
	if (line_len)
		*line_len = end - l->starts[lo];
}

/* ---- levels ------------------------------------------------------------------ */

long gw_lint__rule_index(const char *id)
{
	size_t i, n = gw_lint_rule_count();

	for (i = 0; i < n; i++)
		if (!strcmp(gw_lint_rule_get(i)->id, id))
			return (long)i;
	return -1;
}

/* Sets every rule named in the comma-separated list to level. */
static int apply_list(gw_lint_levels *l, const char *list, gw_level level, const char *what,
                      gw_ctx *ctx)
{
	const char *p = list;
	char name[96];

	while (p && *p) {
		size_t n = strcspn(p, ","), b = 0, e = n;
		long i;

		while (b < e && gw_is_space_or_tab(p[b]))
			b++;
		while (e > b && gw_is_space_or_tab(p[e - 1]))
			e--;
		if (e > b) {
			if (e - b >= sizeof(name) ||
			    (memcpy(name, p + b, e - b), name[e - b] = '\0',
			     (i = gw_lint__rule_index(name)) < 0)) {
				gw_error_set(ctx, GW_ECONFIG, "%s: unknown lint rule '%.*s'", what,
				             (int)(e - b), p + b);
				gw_error_set_hint_code(ctx, GW_HINT_LINT_RULES, NULL, NULL);
				return GW_ECONFIG;
			}
			l->level[i] = level;
		}
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

int gw_lint__levels(gw_lint_levels *out, const gw_lint_options *opts, gw_ctx *ctx)
{
	size_t i, n = gw_lint_rule_count();
	int error;

	out->count = n;
	if (!(out->level = calloc(n, sizeof(*out->level))))
		return gw_error_oom(ctx);
	for (i = 0; i < n; i++)
		out->level[i] = gw_lint_rule_get(i)->level;
	if (!opts)
		return 0;
	if ((error = apply_list(out, opts->error, GW_LEVEL_ERROR, "lint_error", ctx)) < 0 ||
	    (error = apply_list(out, opts->warning, GW_LEVEL_WARNING, "lint_warning", ctx)) < 0 ||
	    (error = apply_list(out, opts->disable, GW_LEVEL_OFF, "lint_disable", ctx)) < 0)
		return error;
	return 0;
}

void gw_lint__levels_dispose(gw_lint_levels *l)
{
	free(l->level);
	l->level = NULL;
}

gw_level gw_lint__level(const gw_lint_levels *l, const char *rule)
{
	long i = gw_lint__rule_index(rule);

	return i < 0 ? GW_LEVEL_ERROR : l->level[i];
}

/* ---- ignore comments --------------------------------------------------------- */

#define IGNORE_TAG "godwit:ignore"

typedef struct ignore {
	size_t at;          /* offset of "--" in the file */
	int line;           /* its line */
	int alone;          /* nothing but blanks before it on its line */
	char *rules;        /* the comma-separated list as written */
	unsigned long used; /* bit i: the i-th rule of the list silenced something */
} ignore;

/* The state of one walk over a section. */
struct lint_run {
	gw_findings *f;
	const gw_lint_levels *levels;
	const gw_lint_section *sec;
	ignore *ignores;
	size_t nignores;
	int stmt_first_line, stmt_last_line, prev_last_line;
	int failed;
};

static int scan_ignores(struct lint_run *r)
{
	const gw_lint_section *s = r->sec;
	const char *p = s->text + s->off, *end = p + s->len;
	size_t taglen = strlen(IGNORE_TAG);

	while (p < end && (p = memchr(p, '-', (size_t)(end - p))) != NULL) {
		const char *q = p + 2, *e;
		ignore *ig;
		int col;

		if (p + 1 >= end || p[1] != '-') {
			p++;
			continue;
		}
		while (q < end && gw_is_space_or_tab(*q))
			q++;
		if ((size_t)(end - q) < taglen || memcmp(q, IGNORE_TAG, taglen) != 0) {
			p += 2;
			continue;
		}
		q += taglen;
		while (q < end && gw_is_space_or_tab(*q))
			q++;
		for (e = q; e < end && *e != '\n' && *e != '\r'; e++)
			;
		while (e > q && gw_is_space_or_tab(e[-1]))
			e--;
		ig = realloc(r->ignores, (r->nignores + 1) * sizeof(*ig));
		if (!ig)
			return -1;
		r->ignores = ig;
		ig = &r->ignores[r->nignores];
		memset(ig, 0, sizeof(*ig));
		ig->at = (size_t)(p - s->text);
		gw_lines_pos(s->lines, ig->at, &ig->line, &col, NULL, NULL);
		ig->alone = 1;
		{
			const char *b = p;

			while (b > s->text && b[-1] != '\n') {
				if (!gw_is_space_or_tab(b[-1]) && b[-1] != '\r')
					ig->alone = 0;
				b--;
			}
		}
		if (!(ig->rules = gw_strndup(q, (size_t)(e - q))))
			return -1;
		r->nignores++;
		p = e;
	}
	return 0;
}

/* Whether ignore ig covers the current statement: a comment on one of its
 * lines, or on comment lines right above it, but not one that trails the
 * previous statement on that statement's last line. */
static int covers(const struct lint_run *r, const ignore *ig)
{
	if (ig->line > r->stmt_last_line)
		return 0;
	if (ig->line >= r->stmt_first_line)
		return !(ig->line == r->prev_last_line && !ig->alone);
	return 0;
}

/* Marks the rule as used in a covering ignore; 1 when one silences it. */
static int silenced(struct lint_run *r, const char *rule)
{
	size_t i, n = strlen(rule);
	int hit = 0;

	for (i = 0; i < r->nignores; i++) {
		ignore *ig = &r->ignores[i];
		const char *p = ig->rules;
		int k = 0;

		if (!covers(r, ig))
			continue;
		while (*p) {
			size_t len = strcspn(p, ", \t");

			if (len == n && !memcmp(p, rule, n)) {
				ig->used |= 1ul << (k < 63 ? k : 63);
				hit = 1;
			}
			p += len;
			while (*p == ',' || gw_is_space_or_tab(*p))
				p++;
			k++;
		}
	}
	return hit;
}

static void report_unused(struct lint_run *r)
{
	gw_level level = gw_lint__level(r->levels, "unused-ignore");
	size_t i;

	for (i = 0; level && i < r->nignores; i++) {
		const ignore *ig = &r->ignores[i];
		const char *p = ig->rules;
		int k = 0;
		gw_str msg = GW_STR_INIT;

		while (*p) {
			size_t len = strcspn(p, ", \t");
			char name[96];
			long idx = -1;

			if (len < sizeof(name)) {
				memcpy(name, p, len);
				name[len] = '\0';
				idx = gw_lint__rule_index(name);
			}
			gw_str_clear(&msg);
			if (idx < 0)
				gw_str_printf(&msg, "unknown rule '%.*s' in godwit:ignore",
				              (int)len, p);
			else if (!(ig->used & (1ul << (k < 63 ? k : 63))) && r->levels->level[idx])
				gw_str_printf(&msg,
				              "godwit:ignore %.*s silences nothing here; remove it",
				              (int)len, p);
			if (gw_str_failed(&msg) ||
			    (msg.size && gw_findings__add_at(r->f, r->sec->lines, ig->at,
			                                     "unused-ignore", level, r->sec->file,
			                                     NULL, NULL, NULL, msg.ptr) < 0))
				r->failed = 1;
			p += len;
			while (*p == ',' || gw_is_space_or_tab(*p))
				p++;
			k++;
		}
		if (!p[0] && ig->rules[0] == '\0' &&
		    gw_findings__add_at(r->f, r->sec->lines, ig->at, "unused-ignore", level,
		                        r->sec->file, NULL, NULL, NULL,
		                        "godwit:ignore names no rule") < 0)
			r->failed = 1;
		gw_str_dispose(&msg);
	}
}

static void ignores_dispose(struct lint_run *r)
{
	size_t i;

	for (i = 0; i < r->nignores; i++)
		free(r->ignores[i].rules);
	free(r->ignores);
}

/* ---- reporting ------------------------------------------------------------------ */

int gw_lint__on(const gw_lint_cx *cx, const char *rule)
{
	return gw_lint__level(cx->run->levels, rule) != GW_LEVEL_OFF;
}

/* The rules that mean something on SQLite: what breaks readers, secrets,
 * transaction control in a migration godwit wraps, and IF EXISTS. Locks,
 * rewrites and PostgreSQL's types are PostgreSQL's. */
static int for_sqlite(const char *rule)
{
	static const char *const rules[] = {"ban-drop-database",
	                                    "dropping-column",
	                                    "dropping-not-null",
	                                    "dropping-table",
	                                    "renaming-column",
	                                    "renaming-table",
	                                    "duplicate-column-assignment",
	                                    "delete-without-where",
	                                    "update-without-where",
	                                    "prefer-if-exists",
	                                    "hardcoded-password",
	                                    "secret-literal",
	                                    "transaction-control-in-migration",
	                                    "uncommitted-transaction",
	                                    NULL};
	size_t i;

	for (i = 0; rules[i]; i++)
		if (!strcmp(rules[i], rule))
			return 1;
	return 0;
}

void gw_lint__report(gw_lint_cx *cx, const char *rule, int location, const char *table,
                     const char *lock, const char *help, const char *fmt, ...)
{
	struct lint_run *r = cx->run;
	gw_level level = gw_lint__level(r->levels, rule);
	gw_str msg = GW_STR_INIT, example = GW_STR_INIT;
	const gw_lint_rule *info;
	size_t at;
	va_list ap;

	if (!level || ((cx->sec->checks & GW_CHECK_SQLITE) && !for_sqlite(rule)) ||
	    silenced(r, rule))
		return;
	va_start(ap, fmt);
	gw_str_vprintf(&msg, fmt, ap);
	va_end(ap);
	/*
	 * Without a help written for this statement, the rule's documented safe
	 * form is shown; it names the documentation's tables, not the user's, so
	 * it says it is an example rather than reading as the fix to paste.
	 */
	if (!help && (info = gw_lint_rule_find(rule)) && info->good) {
		gw_str_printf(&example, "for example:\n%s", info->good);
		help = example.ptr;
	}
	at = location >= 0 && (size_t)location < cx->sec->len ? cx->sec->off + (size_t)location
	                                                      : cx->stmt_off;
	if (gw_str_failed(&msg) || gw_str_failed(&example) ||
	    gw_findings__add_at(r->f, cx->sec->lines, at, rule, level, cx->sec->file,
	                        table && *table ? table : NULL, lock, help, msg.ptr) < 0)
		r->failed = 1;
	gw_str_dispose(&msg);
	gw_str_dispose(&example);
}

/* ---- helpers for the rules -------------------------------------------------------- */

const char *gw_lint__relname(const PgQuery__RangeVar *rv, char *buf, size_t size)
{
	if (!rv || !rv->relname) {
		snprintf(buf, size, "%s", "");
		return buf;
	}
	if (rv->schemaname && *rv->schemaname)
		snprintf(buf, size, "%s.%s", rv->schemaname, rv->relname);
	else
		snprintf(buf, size, "%s", rv->relname);
	return buf;
}

const PgQuery__AlterTableCmd *gw_lint__alter_cmd(const PgQuery__AlterTableStmt *a, size_t i)
{
	return a->cmds[i]->node_case == PG_QUERY__NODE__NODE_ALTER_TABLE_CMD
	               ? a->cmds[i]->alter_table_cmd
	               : NULL;
}

static void qualified(const PgQuery__RangeVar *rv, const char *schema, char *buf, size_t size)
{
	if (rv->schemaname && *rv->schemaname)
		schema = rv->schemaname;
	else if (!schema)
		schema = rv->relpersistence && rv->relpersistence[0] == 't' ? "pg_temp" : "public";
	snprintf(buf, size, "%s.%s", schema, rv->relname ? rv->relname : "");
}

const char *gw_lint__table_key(const PgQuery__RangeVar *rv, char *buf, size_t size)
{
	if (!rv || !rv->relname)
		snprintf(buf, size, "%s", "");
	else
		qualified(rv, NULL, buf, size);
	return buf;
}

static int created(const gw_lint_cx *cx, const char *name)
{
	size_t i;

	for (i = 0; i < cx->created.len; i++)
		if (!strcmp(cx->created.items[i], name))
			return 1;
	return 0;
}

int gw_lint__is_new(const gw_lint_cx *cx, const PgQuery__RangeVar *rv)
{
	char name[160];

	if (!rv)
		return 0;
	gw_lint__table_key(rv, name, sizeof(name));
	if (created(cx, name))
		return 1;
	if (rv->schemaname && *rv->schemaname)
		return 0;
	/* An unqualified name finds a temporary table first. */
	qualified(rv, "pg_temp", name, sizeof(name));
	return created(cx, name);
}

const char *gw_lint__string(const PgQuery__Node *n)
{
	return n && n->node_case == PG_QUERY__NODE__NODE_STRING ? n->string->sval : NULL;
}

int gw_lint__option_true(const PgQuery__DefElem *d)
{
	const PgQuery__Node *a = d->arg;
	const char *s;

	if (!a)
		return 1;
	if ((s = gw_lint__string(a)))
		return strcasecmp(s, "false") && strcasecmp(s, "off") && strcmp(s, "0");
	if (a->node_case == PG_QUERY__NODE__NODE_INTEGER)
		return a->integer->ival != 0;
	if (a->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
		return a->boolean->boolval;
	return 1;
}

const char *gw_lint__type_name(const PgQuery__TypeName *t)
{
	const char *s;

	if (!t || !t->n_names || !(s = gw_lint__string(t->names[t->n_names - 1])))
		return "";
	return s;
}

/* Functions the default of a new column may call without a rewrite: they
 * are stable within a statement, so PostgreSQL stores one value. */
static int stable_function(const char *name)
{
	static const char *const stable[] = {"now",
	                                     "current_timestamp",
	                                     "transaction_timestamp",
	                                     "statement_timestamp",
	                                     "current_date",
	                                     "current_user",
	                                     "lower",
	                                     "upper",
	                                     "length",
	                                     "concat",
	                                     "coalesce",
	                                     "to_timestamp",
	                                     "to_date",
	                                     "jsonb_build_object",
	                                     "json_build_object",
	                                     "array_length",
	                                     NULL};
	const char *const *s;

	for (s = stable; *s; s++)
		if (!strcmp(*s, name))
			return 1;
	return 0;
}

int gw_lint__volatile(const PgQuery__Node *n)
{
	size_t i;

	if (!n)
		return 0;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_FUNC_CALL: {
		const PgQuery__FuncCall *fc = n->func_call;
		const char *name =
		        fc->n_funcname ? gw_lint__string(fc->funcname[fc->n_funcname - 1]) : NULL;
		const char *schema = fc->n_funcname > 1 ? gw_lint__string(fc->funcname[0]) : NULL;

		/* s.lower(x) is the user's function, which may be anything;
		 * pg_catalog.lower(x) is the built-in. */
		if (!name || !stable_function(name) ||
		    (fc->n_funcname > 1 && (!schema || strcmp(schema, "pg_catalog"))))
			return 1;
		for (i = 0; i < fc->n_args; i++)
			if (gw_lint__volatile(fc->args[i]))
				return 1;
		return 0;
	}
	case PG_QUERY__NODE__NODE_TYPE_CAST:
		return gw_lint__volatile(n->type_cast->arg);
	case PG_QUERY__NODE__NODE_A_EXPR:
		return gw_lint__volatile(n->a_expr->lexpr) || gw_lint__volatile(n->a_expr->rexpr);
	case PG_QUERY__NODE__NODE_SUB_LINK:
		return 1;
	default:
		return 0;
	}
}

/* ---- the walk ------------------------------------------------------------------------ */

static void stmt_lines(struct lint_run *r, const gw_lint_section *s, size_t raw_start, size_t end)
{
	int col;

	r->prev_last_line = r->stmt_last_line;
	gw_lines_pos(s->lines, raw_start, &r->stmt_first_line, &col, NULL, NULL);
	/* The ';' (and a comment after it) is on the line the statement ends. */
	gw_lines_pos(s->lines, end, &r->stmt_last_line, &col, NULL, NULL);
}

static void check_statement(gw_lint_cx *cx)
{
	gw_lint__check_tables(cx);
	gw_lint__check_indexes(cx);
	gw_lint__check_breaking(cx);
	gw_lint__check_types(cx);
	gw_lint__check_tx(cx);
	gw_lint__check_secrets(cx);
	gw_lint__check_misc(cx);
	gw_lint__check_danger(cx);
}

void gw_lint__stmt_pos(const gw_lint_cx *cx, gw_lint_stmt_pos *out)
{
	out->off = cx->stmt_off;
	out->len = cx->stmt_len;
	out->first_line = cx->run->stmt_first_line;
	out->last_line = cx->run->stmt_last_line;
	out->prev_last_line = cx->run->prev_last_line;
}

void gw_lint__at_stmt(gw_lint_cx *cx, const gw_lint_stmt_pos *pos)
{
	cx->stmt_off = pos->off;
	cx->stmt_len = pos->len;
	cx->run->stmt_first_line = pos->first_line;
	cx->run->stmt_last_line = pos->last_line;
	cx->run->prev_last_line = pos->prev_last_line;
}

/* In a UNION the parser leaves the INTO on the leftmost SELECT. */
const PgQuery__RangeVar *gw_lint__select_into(const PgQuery__SelectStmt *s)
{
	while (s && !s->into_clause)
		s = s->larg;
	return s && s->into_clause ? s->into_clause->rel : NULL;
}

/* After the statement: what it leaves for the next ones. */
static int remember(gw_lint_cx *cx)
{
	const PgQuery__Node *n = cx->node;
	const PgQuery__RangeVar *rv = NULL;
	char name[160];
	char *copy;

	if (n->node_case == PG_QUERY__NODE__NODE_CREATE_STMT)
		rv = n->create_stmt->relation;
	else if (n->node_case == PG_QUERY__NODE__NODE_CREATE_TABLE_AS_STMT &&
	         n->create_table_as_stmt->into)
		rv = n->create_table_as_stmt->into->rel;
	else if (n->node_case == PG_QUERY__NODE__NODE_SELECT_STMT)
		rv = gw_lint__select_into(n->select_stmt);
	if (!rv)
		return 0;
	gw_lint__table_key(rv, name, sizeof(name));
	if (!(copy = gw_strdup(name)) || gw_vec_push(&cx->created, copy) < 0) {
		free(copy);
		return -1;
	}
	return 0;
}

/* Where a statement's tokens start and end inside the section. */
static void stmt_bounds(const gw_lint_section *s, const PgQuery__RawStmt *raw, size_t *start,
                        size_t *end, size_t *raw_start)
{
	const char *sec = s->text + s->off;

	*raw_start = raw->stmt_location > 0 ? (size_t)raw->stmt_location : 0;
	*end = raw->stmt_len > 0 ? *raw_start + (size_t)raw->stmt_len : s->len;
	if (*raw_start > s->len)
		*raw_start = s->len;
	if (*end > s->len)
		*end = s->len;
	*start = gw_text_skip_space_comments(sec, *end, *raw_start);
	while (*end > *start && gw_is_space(sec[*end - 1]))
		(*end)--;
}

static int syntax_finding(struct lint_run *r, const gw_str *msg, size_t at)
{
	const gw_lint_section *s = r->sec;
	gw_level level = gw_lint__level(r->levels, "syntax");

	return gw_findings__add_at(r->f, s->lines, s->off + at, "syntax", level ? level : 2,
	                           s->file, NULL, NULL, NULL, msg->ptr);
}

/* libpg_query gives a PL/pgSQL error no position: point at the token the
 * message names (`at or near "X"`, or `"x" is not a known variable`) on or
 * after the line the compiler was near, else at the start of that line. */
static size_t plpgsql_position(const char *body, size_t len, int near_line, const char *msg)
{
	size_t at = 0, i;
	int line = 1;
	const char *q1 = strchr(msg, '"'), *q2 = q1 ? strchr(q1 + 1, '"') : NULL;

	/* The compiler does not count a newline that starts the body. */
	if (len && body[0] == '\n')
		at = 1;
	else if (len > 1 && body[0] == '\r' && body[1] == '\n')
		at = 2;
	for (i = at; i < len && line < near_line; i++)
		if (body[i] == '\n') {
			line++;
			at = i + 1;
		}
	if (q1 && q2 && q2 > q1 + 1) {
		size_t n = (size_t)(q2 - q1 - 1);

		for (i = at; i + n <= len; i++)
			if (!strncmp(body + i, q1 + 1, n))
				return i;
	}
	return gw_text_skip_space_comments(body, len, at);
}

/* The offset in stmt of the body of a `AS $$...$$` or DO string: the first
 * dollar-quote or quote after `from`. *body_len gets its length. */
static size_t body_bounds(const char *stmt, size_t len, size_t from, size_t *body_len)
{
	size_t i, j;

	for (i = from; i < len; i++) {
		if (stmt[i] == '\'') {
			for (j = i + 1; j < len && stmt[j] != '\''; j++)
				;
			*body_len = j - i - 1;
			return i + 1;
		}
		if (stmt[i] == '$') {
			const char *tag_end = memchr(stmt + i + 1, '$', len - i - 1);
			size_t tl, k;

			if (!tag_end)
				break;
			tl = (size_t)(tag_end - (stmt + i)) + 1;
			for (k = i + tl; k + tl <= len; k++)
				if (!memcmp(stmt + k, stmt + i, tl)) {
					*body_len = k - i - tl;
					return i + tl;
				}
			break;
		}
	}
	*body_len = 0;
	return len;
}

static int plpgsql_language(PgQuery__Node **opts, size_t n, int dflt)
{
	size_t i;
	const char *lang;

	for (i = 0; i < n; i++) {
		const PgQuery__DefElem *d = opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM
		                                    ? opts[i]->def_elem
		                                    : NULL;

		if (d && !strcmp(d->defname, "language") && (lang = gw_lint__string(d->arg)))
			return !strcmp(lang, "plpgsql");
	}
	return dflt;
}

/* The "as" option's location: where to look for the body. */
static int as_location(PgQuery__Node **opts, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
		    !strcmp(opts[i]->def_elem->defname, "as"))
			return opts[i]->def_elem->location;
	return -1;
}

static int check_plpgsql(struct lint_run *r, const PgQuery__Node *n, size_t start, size_t end,
                         gw_ctx *ctx)
{
	const gw_lint_section *s = r->sec;
	const char *stmt = s->text + s->off + start;
	gw_str msg = GW_STR_INIT;
	size_t body, body_len, at;
	int near_line, loc, error;

	if (n->node_case == PG_QUERY__NODE__NODE_CREATE_FUNCTION_STMT) {
		const PgQuery__CreateFunctionStmt *f = n->create_function_stmt;

		if (!plpgsql_language(f->options, f->n_options, 0))
			return 0;
		loc = as_location(f->options, f->n_options);
	} else if (n->node_case == PG_QUERY__NODE__NODE_DO_STMT) {
		if (!plpgsql_language(n->do_stmt->args, n->do_stmt->n_args, 1))
			return 0;
		loc = as_location(n->do_stmt->args, n->do_stmt->n_args);
	} else {
		return 0;
	}
	if ((error = gw_sql_check_plpgsql(stmt, end - start, &msg, &near_line, ctx)) <= 0)
		goto cleanup;
	loc = loc >= (int)start ? loc - (int)start : 0;
	body = body_bounds(stmt, end - start, (size_t)loc, &body_len);
	at = body + plpgsql_position(stmt + body, body_len, near_line, msg.ptr);
	error = gw_findings__add_at(r->f, s->lines, s->off + start + at, "plpgsql-syntax",
	                            gw_lint__level(r->levels, "plpgsql-syntax"), s->file, NULL,
	                            NULL, NULL, msg.ptr) < 0
	                ? gw_error_oom(ctx)
	                : 0;
cleanup:
	gw_str_dispose(&msg);
	return error;
}

/* Statements that change data or schema: a failure after one of them in
 * a file run without a transaction leaves the database half-migrated. */
static int needs_atomicity(const PgQuery__Node *n)
{
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_VARIABLE_SET_STMT:
	case PG_QUERY__NODE__NODE_VARIABLE_SHOW_STMT:
	case PG_QUERY__NODE__NODE_SELECT_STMT:
	case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
	case PG_QUERY__NODE__NODE_EXPLAIN_STMT:
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
	case PG_QUERY__NODE__NODE_CHECK_POINT_STMT:
		return 0;
	default:
		return gw_sql_classify_node(n) == GW_STMT_PLAIN;
	}
}

/* The runner runs a file with a statement that cannot be in a transaction
 * statement by statement: the others lose their atomicity. */
static void check_mix(gw_lint_cx *cx, const PgQuery__ParseResult *tree, size_t first_notx)
{
	const gw_lint_section *s = cx->sec;
	size_t i, start, end, raw;
	char kw[32], nkw[32];
	int nline, col;

	stmt_bounds(s, tree->stmts[first_notx], &start, &end, &raw);
	gw_lines_pos(s->lines, s->off + start, &nline, &col, NULL, NULL);
	gw_sql_stmt_keyword(s->text + s->off + start, end - start, nkw, sizeof(nkw));
	for (i = 0; i < tree->n_stmts; i++) {
		const PgQuery__Node *n = tree->stmts[i]->stmt;

		if (!n || !needs_atomicity(n))
			continue;
		stmt_bounds(s, tree->stmts[i], &start, &end, &raw);
		cx->node = n;
		cx->stmt_off = s->off + start;
		cx->stmt_len = end - start;
		stmt_lines(cx->run, s, s->off + raw, s->off + end);
		gw_lint__report(
		        cx, "mixed-no-transaction", -1, NULL, NULL, NULL,
		        "%s runs without a transaction because %s (line %d) cannot run "
		        "in one; a failure leaves this migration half-applied",
		        gw_sql_stmt_keyword(s->text + cx->stmt_off, cx->stmt_len, kw, sizeof(kw)),
		        nkw, nline);
		return;
	}
}

static int walk(struct lint_run *r, const PgQuery__ParseResult *tree, gw_ctx *ctx)
{
	const gw_lint_section *s = r->sec;
	gw_lint_cx cx = {0};
	size_t i, start, end, raw, first_notx = SIZE_MAX;
	int error = 0;

	cx.sec = s;
	cx.run = r;
	cx.transactional = !s->no_tx_directive;
	cx.timeout_set = s->runner_lock_timeout_ms > 0;
	for (i = 0; i < tree->n_stmts; i++)
		if (tree->stmts[i]->stmt &&
		    gw_sql_classify_node(tree->stmts[i]->stmt) == GW_STMT_NO_TX) {
			cx.transactional = 0;
			if (first_notx == SIZE_MAX)
				first_notx = i;
		}
	for (i = 0; i < tree->n_stmts && !r->failed; i++) {
		const PgQuery__Node *n = tree->stmts[i]->stmt;

		if (!n)
			continue;
		stmt_bounds(s, tree->stmts[i], &start, &end, &raw);
		if (start >= end)
			continue;
		stmt_lines(r, s, s->off + raw, s->off + end);
		cx.node = n;
		cx.index = i;
		cx.stmt_off = s->off + start;
		cx.stmt_len = end - start;
		if ((s->checks & GW_CHECK_PLPGSQL) &&
		    (error = check_plpgsql(r, n, start, end, ctx)) < 0)
			break;
		if (s->checks & GW_CHECK_RULES) {
			check_statement(&cx);
			if (remember(&cx) < 0)
				r->failed = 1;
		}
	}
	if (!error && (s->checks & GW_CHECK_RULES) && cx.in_block) {
		cx.stmt_off = cx.block_off;
		gw_lint__report(&cx, "uncommitted-transaction", -1, NULL, NULL, NULL,
		                "this BEGIN has no COMMIT before the end of the migration");
	}
	if (!error && (s->checks & GW_CHECK_RULES) && first_notx != SIZE_MAX)
		check_mix(&cx, tree, first_notx);
	gw_lint__check_danger_end(&cx, !error && (s->checks & GW_CHECK_RULES));
	if (cx.run_failed)
		r->failed = 1;
	gw_vec_dispose(&cx.created, free);
	gw_vec_dispose(&cx.dropped, free);
	gw_vec_dispose(&cx.not_null_checks, free);
	gw_vec_dispose(&cx.not_null_proven, free);
	return error;
}

/* SQLite's SQL that the PostgreSQL parser cannot read as a whole: split
 * by SQLite's rules, each statement parsed and walked alone (the comments
 * before it included, for godwit:ignore), those it cannot read skipped. */
static int walk_sqlite(struct lint_run *r, gw_ctx *ctx)
{
	const gw_lint_section *sec = r->sec;
	gw_sql_list stmts = GW_SQL_LIST_INIT;
	gw_str syntax = GW_STR_INIT;
	gw_lint_section sub;
	size_t bad = 0, from = 0, end, i;
	gw_ctx *scratch = NULL;
	int error = 0;

	/* A split error is validate's to report, not lint's. */
	if (gw_ctx_new(&scratch) < 0)
		return gw_error_oom(ctx);
	if (gw_sql_split(&stmts, GW_DIALECT_SQLITE, sec->text + sec->off, sec->len, &bad, scratch) <
	    0)
		goto cleanup;
	for (i = 0; i < stmts.count && error == 0; i++) {
		PgQuery__ParseResult *tree = NULL;

		end = stmts.items[i].offset + stmts.items[i].len;
		if (end < sec->len && sec->text[sec->off + end] == ';')
			end++;
		sub = *sec;
		sub.off = sec->off + from;
		sub.len = end - from;
		from = end;
		gw_str_clear(&syntax);
		if ((error = gw_sql_parse_tree(&tree, sub.text + sub.off, sub.len, &syntax, &bad,
		                               ctx)) < 0 ||
		    !tree)
			continue;
		r->sec = &sub;
		error = walk(r, tree, ctx);
		r->sec = sec;
		gw_sql_parse_tree_free(tree);
	}
cleanup:
	gw_sql_list_dispose(&stmts);
	gw_str_dispose(&syntax);
	gw_ctx_free(scratch);
	return error;
}

int gw_lint__section(gw_findings *f, const gw_lint_levels *levels, const gw_lint_section *sec,
                     gw_ctx *ctx)
{
	struct lint_run r = {0};
	PgQuery__ParseResult *tree = NULL;
	gw_str syntax = GW_STR_INIT;
	size_t bad = 0;
	int error;

	r.f = f;
	r.levels = levels;
	r.sec = sec;
	if ((error = gw_sql_parse_tree(&tree, sec->text + sec->off, sec->len, &syntax, &bad, ctx)) <
	    0)
		goto cleanup;
	if (!tree && !(sec->checks & GW_CHECK_SQLITE)) {
		error = syntax_finding(&r, &syntax, bad) < 0 ? gw_error_oom(ctx) : 0;
		goto cleanup;
	}
	if ((sec->checks & GW_CHECK_RULES) && scan_ignores(&r) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = tree ? walk(&r, tree, ctx) : walk_sqlite(&r, ctx)) < 0)
		goto cleanup;
	if (sec->checks & GW_CHECK_RULES)
		report_unused(&r);
	if (r.failed)
		error = gw_error_oom(ctx);
cleanup:
	ignores_dispose(&r);
	gw_sql_parse_tree_free(tree);
	gw_str_dispose(&syntax);
	return error;
}

/* ---- the public entry for a piece of SQL ----------------------------------------------- */

int gw_lint_sql(gw_findings **out, const char *file, const char *sql, size_t len,
                const gw_lint_options *opts, gw_ctx *ctx)
{
	gw_lint_levels levels = {0};
	gw_lines lines = {0};
	gw_lint_section sec = {0};
	gw_findings *f = NULL;
	int error;

	*out = NULL;
	if (opts && opts->version != GW_LINT_OPTIONS_VERSION)
		return gw_error_set(ctx, GW_EINVALID, "gw_lint_options version %u is not supported",
		                    opts->version);
	if ((error = gw_lint__levels(&levels, opts, ctx)) < 0 ||
	    (error = gw_findings__new(&f, ctx)) < 0)
		goto cleanup;
	if (gw_lines_build(&lines, sql, len) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	sec.file = file ? file : "-";
	sec.text = sql;
	sec.text_len = len;
	sec.lines = &lines;
	sec.off = 0;
	sec.len = len;
	sec.no_tx_directive = opts && opts->no_transaction;
	sec.checks = GW_CHECK_SYNTAX | GW_CHECK_RULES;
	if ((error = gw_lint__section(f, &levels, &sec, ctx)) < 0)
		goto cleanup;
	gw_findings__sort(f);
	*out = f;
	f = NULL;
cleanup:
	gw_findings_free(f);
	gw_lines_dispose(&lines);
	gw_lint__levels_dispose(&levels);
	return error;
}
