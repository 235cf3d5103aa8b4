/*
 * sqitch.c: sqitch projects (see docs/formats.md).
 *
 * A sqitch project is a plan, sqitch.plan, naming its changes in the
 * order they deploy, and three scripts per change: deploy/<name>.sql,
 * revert/<name>.sql and verify/<name>.sql. This file reads the plan the
 * way sqitch's own parser does (App::Sqitch::Plan): the pragmas, the
 * change and tag lines with their dependencies, the errors sqitch raises
 * (a duplicate change since the last tag, an unknown requirement), and
 * which file a reworked change reads ("name@tag"). It also finds the
 * BEGIN ... COMMIT a sqitch script wraps itself in (with gw_sql_split), so
 * godwit can run the inside in its own transaction together with the
 * history row.
 *
 * It loads a project: sqitch.conf's top_dir says where the plan is, and
 * the plan's changes become the migrations, each with its scripts; a
 * change's version is its position in the plan (1, 2, ...), which only
 * grows as sqitch appends.
 */
#include <stdio.h>
#include <stdlib.h>
#include <ini.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "priv.h"
#include "../sql/sql.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/str.h"
#include "../../util/text.h"

extern const gw_convention gw_convention_sqitch;

/* Perl's [:punct:] without '_', as sqitch's name rule has it. */
static int is_punct(char c)
{
	return c && strchr("-!\"#$%&'()*+,./:;<=>?@[\\]^`{|}~", c) != NULL;
}

/* ---- the plan ---------------------------------------------------------- */

/* A tag and the change it follows. */
typedef struct sqitch_tag {
	char *name;
	size_t change; /* index of the change it tags */
} sqitch_tag;

typedef struct parser {
	const char *path; /* for messages */
	gw_ctx *ctx;
	gw_sqitch_plan *plan;
	const char *line; /* the line at hand, without its note */
	size_t len;
	int lineno;
	size_t section_start; /* the first change since the last tag */
	gw_vec tags;          /* sqitch_tag *: every tag so far */
} parser;

static int syntax_error(parser *ps, size_t col, const char *what)
{
	return gw_source__file_error(ps->ctx, GW_ESOURCE, ps->path, ps->lineno, (int)col + 1,
	                             "%s; sqitch would refuse this plan too", what);
}

/* A sqitch name: no blanks, ':', '@', '#' or '\', and no punctuation
 * first or last. Returns its length at p (0 when there is none). */
static size_t name_len(const char *p, size_t max, int stop_at_bracket)
{
	size_t n = 0;

	while (n < max && !gw_is_space_or_tab(p[n]) && !strchr(":@#\\", p[n]) &&
	       !(stop_at_bracket && p[n] == '['))
		n++;
	return n;
}

static int is_change_id(const char *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && (gw_is_digit(p[i]) || (p[i] >= 'a' && p[i] <= 'f')); i++)
		;
	return i >= 40;
}

static int valid_name(const char *p, size_t n)
{
	size_t i;

	if (!n || is_punct(p[0]) || is_punct(p[n - 1]))
		return 0;
	/* "foo^2", "foo~1": symbolic references, not names */
	for (i = 1; i + 1 < n; i++) {
		size_t j = i + 1;

		if (!strchr("~/=%^", p[i]) || !gw_is_digit(p[j]))
			continue;
		while (j < n && gw_is_digit(p[j]))
			j++;
		if (j == n)
			return 0;
	}
	if (n == 4 && (!memcmp(p, "HEAD", 4) || !memcmp(p, "ROOT", 4)))
		return 0;
	return !is_change_id(p, n);
}

/* "2013-12-30T23:19:31Z" at p: its length, or 0. */
static size_t timestamp_len(const char *p, size_t max)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:ddZ";
	size_t i;

	if (max < sizeof(shape) - 1)
		return 0;
	for (i = 0; i < sizeof(shape) - 1; i++)
		if (shape[i] == 'd' ? !gw_is_digit(p[i]) : p[i] != shape[i])
			return 0;
	return i;
}

static size_t skip_blanks(const parser *ps, size_t at)
{
	while (at < ps->len && gw_is_space_or_tab(ps->line[at]))
		at++;
	return at;
}

/* The "timestamp planner <email>" every change and tag line ends with. */
static int check_tail(parser *ps, size_t at)
{
	size_t n = timestamp_len(ps->line + at, ps->len - at);
	const char *lt, *gt;

	if (!n)
		return syntax_error(ps, at, "missing timestamp (e.g. 2024-01-01T12:00:00Z)");
	at = skip_blanks(ps, at + n);
	lt = memchr(ps->line + at, '<', ps->len - at);
	gt = lt ? memchr(lt, '>', ps->len - (size_t)(lt - ps->line)) : NULL;
	if (!lt || lt == ps->line + at || !gw_is_space_or_tab(lt[-1]) || !gt || gt == lt + 1 ||
	    skip_blanks(ps, (size_t)(gt - ps->line) + 1) != ps->len)
		return syntax_error(ps, at, "missing planner name and email (e.g. Jane <j@x.org>)");
	return 0;
}

static long find_change(const gw_sqitch_plan *plan, const char *name, size_t n, size_t before)
{
	size_t i = before;

	while (i-- > 0)
		if (strlen(plan->changes[i].name) == n && !memcmp(plan->changes[i].name, name, n))
			return (long)i;
	return -1;
}

static const sqitch_tag *find_tag(const parser *ps, const char *name, size_t n)
{
	size_t i;

	for (i = 0; i < ps->tags.len; i++) {
		const sqitch_tag *t = ps->tags.items[i];

		if (strlen(t->name) == n && !memcmp(t->name, name, n))
			return t;
	}
	return NULL;
}

/* Keeps the change at plan index i as one the change c requires; -1
 * when out of memory (the caller says so). */
static int add_requirement(gw_sqitch_change *c, size_t i)
{
	size_t k, *more;

	for (k = 0; k < c->nrequires; k++)
		if (c->requires[k] == i)
			return 0; /* named twice ("a a@v1"): one edge */
	if (!(more = realloc(c->requires, (c->nrequires + 1) * sizeof(*more))))
		return -1;
	c->requires = more;
	c->requires[c->nrequires++] = i;
	return 0;
}

/* One requirement: it must be planned before the change (sqitch's
 * check_changes); other projects' changes and change ids are not ours to
 * check. The change it names is kept for the dependency graph: "name"
 * the latest planned before c, "name@tag" the latest at or before the
 * tag, "@tag" the change the tag follows. */
static int check_requirement(parser *ps, gw_sqitch_change *c, const char *dep, size_t n, size_t col)
{
	const char *at = memchr(dep, '@', n);
	const sqitch_tag *tag;
	size_t here = ps->plan->count - 1; /* not the change itself */
	long change;

	if (n == 40 && is_change_id(dep, n))
		return 0;
	if (at == dep) {
		if ((tag = find_tag(ps, dep + 1, n - 1)) != NULL)
			return add_requirement(c, tag->change);
	} else if (at) {
		tag = find_tag(ps, at + 1, n - (size_t)(at - dep) - 1);
		change = find_change(ps->plan, dep, (size_t)(at - dep), here);
		if (tag && change >= 0 && (size_t)change <= tag->change)
			return add_requirement(c, (size_t)find_change(ps->plan, dep,
			                                              (size_t)(at - dep),
			                                              tag->change + 1));
	} else if ((change = find_change(ps->plan, dep, n, here)) >= 0) {
		return add_requirement(c, (size_t)change);
	}
	gw_source__file_error(ps->ctx, GW_ESOURCE, ps->path, ps->lineno, (int)col + 1,
	                      "requires %.*s, which is not planned before it; move it after "
	                      "that change or fix the name",
	                      (int)n, dep);
	return GW_ESOURCE;
}

static int add_conflict(gw_sqitch_change *c, const char *name, size_t n)
{
	char *copy = gw_strndup(name, n);

	if (!copy || gw_vec_push(&c->conflicts, copy) < 0) {
		free(copy);
		return -1;
	}
	return 0;
}

/* "[a b !c other:d a@v1]": requirements are checked and kept, conflicts
 * kept. */
static int parse_deps(parser *ps, gw_sqitch_change *c, size_t from, size_t to)
{
	size_t at = from, n;
	const char *colon;

	while ((at = skip_blanks(ps, at)) < to) {
		const char *dep = ps->line + at;
		int conflict = *dep == '!';

		for (n = 0; at + n < to && !gw_is_space_or_tab(dep[n]); n++)
			;
		if (conflict) {
			dep++;
			n--;
		}
		/* "project:change": only this project's changes are checked. */
		colon = memchr(dep, ':', n);
		if (colon && ((size_t)(colon - dep) != strlen(ps->plan->project) ||
		              memcmp(dep, ps->plan->project, (size_t)(colon - dep)))) {
			at += n + (size_t)conflict;
			continue;
		}
		if (colon) {
			n -= (size_t)(colon - dep) + 1;
			dep = colon + 1;
		}
		if (!n)
			return syntax_error(ps, at, "an empty dependency");
		if (conflict ? add_conflict(c, dep, n) < 0
		             : check_requirement(ps, c, dep, n, (size_t)(dep - ps->line)) < 0)
			return gw_error_is_set(ps->ctx) ? GW_ESOURCE : gw_error_oom(ps->ctx);
		at = (size_t)(dep - ps->line) + n;
	}
	return 0;
}

/* A reworked change reads "name@tag" for one of the tags between it and
 * its rework, the newest first (sqitch's rework_tags). */
static int note_rework(parser *ps, long earlier)
{
	gw_sqitch_change *c = &ps->plan->changes[earlier];
	size_t i = ps->tags.len;

	while (i-- > 0) {
		const sqitch_tag *t = ps->tags.items[i];
		char *tag;

		if (t->change < (size_t)earlier)
			break;
		if (!(tag = gw_strdup(t->name)) || gw_vec_push(&c->rework_tags, tag) < 0) {
			free(tag);
			return gw_error_oom(ps->ctx);
		}
	}
	return 0;
}

static int change_line(parser *ps, size_t at)
{
	size_t n, deps_from = 0, deps_to = 0;
	gw_sqitch_change *c;
	long earlier;
	int error;

	if (at < ps->len && (ps->line[at] == '+' || ps->line[at] == '-')) {
		if (ps->line[at] == '-')
			return syntax_error(ps, at,
			                    "a '-' (revert) change line; godwit reads plans that "
			                    "only deploy");
		at = skip_blanks(ps, at + 1);
	}
	n = name_len(ps->line + at, ps->len - at, 1);
	if (!valid_name(ps->line + at, n))
		return syntax_error(ps, at,
		                    "invalid change name; names must not begin or end with "
		                    "punctuation or contain '@', ':', '#', '\\' or blanks");
	earlier = find_change(ps->plan, ps->line + at, n, ps->plan->count);
	if (earlier >= (long)ps->section_start)
		return syntax_error(ps, at,
		                    "the change is already planned since the last tag; tag "
		                    "the plan before reworking it");
	if (!(c = gw_grow(ps->plan->changes, &ps->plan->cap, ps->plan->count, sizeof(*c))))
		return gw_error_oom(ps->ctx);
	ps->plan->changes = c;
	c += ps->plan->count;
	memset(c, 0, sizeof(*c));
	c->line = ps->lineno;
	if (!(c->name = gw_strndup(ps->line + at, n)))
		return gw_error_oom(ps->ctx);
	ps->plan->count++;
	at = skip_blanks(ps, at + n);
	if (at < ps->len && ps->line[at] == '[') {
		const char *close = memchr(ps->line + at, ']', ps->len - at);

		if (!close)
			return syntax_error(ps, at, "a '[' without its ']'");
		deps_from = at + 1;
		deps_to = (size_t)(close - ps->line);
		at = skip_blanks(ps, deps_to + 1);
	}
	if (check_tail(ps, at) < 0)
		return GW_ESOURCE;
	/* GW_ENOMEM stays itself: a plan that could not be read for want of
	 * memory is not a malformed plan. */
	if ((error = parse_deps(ps, c, deps_from, deps_to)) < 0)
		return error;
	return earlier >= 0 ? note_rework(ps, earlier) : 0;
}

static void free_tag(void *p)
{
	sqitch_tag *t = p;

	if (t)
		free(t->name);
	free(t);
}

static int tag_line(parser *ps, size_t at)
{
	size_t n = name_len(ps->line + at, ps->len - at, 0);
	sqitch_tag *t;

	if (!valid_name(ps->line + at, n) || memchr(ps->line + at, '/', n))
		return syntax_error(ps, at, "invalid tag name");
	if (!ps->plan->count)
		return syntax_error(ps, at, "a tag before any change");
	if (find_tag(ps, ps->line + at, n))
		return syntax_error(ps, at, "the tag is already declared");
	if (ps->line[skip_blanks(ps, at + n)] == '[')
		return syntax_error(ps, at, "tags may not have dependencies");
	if (check_tail(ps, skip_blanks(ps, at + n)) < 0)
		return GW_ESOURCE;
	if (!(t = calloc(1, sizeof(*t))) || !(t->name = gw_strndup(ps->line + at, n)) ||
	    gw_vec_push(&ps->tags, t) < 0) {
		free_tag(t);
		return gw_error_oom(ps->ctx);
	}
	t->change = ps->plan->count - 1;
	ps->section_start = ps->plan->count;
	return 0;
}

/* "%project=flipr": the only pragma godwit needs. */
static int pragma_line(parser *ps, size_t at)
{
	size_t n, eq;

	if (at >= ps->len || ps->line[at] != '%')
		return syntax_error(ps, at,
		                    "expected a %pragma; a blank line must come between the "
		                    "pragmas and the changes");
	at = skip_blanks(ps, at + 1);
	for (n = 0;
	     at + n < ps->len && ps->line[at + n] != '=' && !gw_is_space_or_tab(ps->line[at + n]);
	     n++)
		;
	eq = skip_blanks(ps, at + n);
	if (n != 7 || memcmp(ps->line + at, "project", 7))
		return 0;
	if (eq >= ps->len || ps->line[eq] != '=')
		return syntax_error(ps, at, "%project without a value");
	eq = skip_blanks(ps, eq + 1);
	if (!valid_name(ps->line + eq, ps->len - eq))
		return syntax_error(ps, eq, "invalid project name");
	free(ps->plan->project);
	if (!(ps->plan->project = gw_strndup(ps->line + eq, ps->len - eq)))
		return gw_error_oom(ps->ctx);
	return 0;
}

/* Cuts the line at its note ('#' to the end) and the blanks before it.
 * Returns 1 when nothing is left. */
static int cut_note(parser *ps, const char *text, size_t from, size_t to)
{
	const char *hash = memchr(text + from, '#', to - from);

	if (to > from && text[to - 1] == '\r')
		to--;
	if (hash)
		to = (size_t)(hash - text);
	while (to > from && gw_is_space_or_tab(text[to - 1]))
		to--;
	ps->line = text + from;
	ps->len = to - from;
	return skip_blanks(ps, 0) == ps->len;
}

/* One line of the plan, its note already cut. */
static int plan_line(parser *ps, int header)
{
	size_t at = skip_blanks(ps, 0);

	if (header)
		return pragma_line(ps, at);
	if (!ps->plan->project)
		return gw_source__file_error(ps->ctx, GW_ESOURCE, ps->path, 0, 0,
		                             "no %%project pragma; sqitch plans start with "
		                             "%%project=NAME");
	if (ps->line[at] == '@')
		return tag_line(ps, at + 1);
	return change_line(ps, at);
}

int gw_source__sqitch_plan(gw_sqitch_plan *plan, const char *text, size_t len, const char *path,
                           gw_ctx *ctx)
{
	parser ps = {path, ctx, plan, NULL, 0, 0, 0, GW_VEC_INIT};
	size_t from, to, first;
	int header = 1, error = 0;
	const char *nl;

	memset(plan, 0, sizeof(*plan));
	/* The lines are read as C strings: text after a NUL byte would be
	 * lost without a word. */
	if ((nl = memchr(text, '\0', len)) != NULL) {
		int line, col;

		gw_text_position(text, len, (size_t)(nl - text), &line, &col);
		return gw_source__file_error(ctx, GW_ESOURCE, path, line, col,
		                             "a NUL byte; a plan is text: remove it");
	}
	for (from = 0; from < len && error == 0; from = to + 1) {
		nl = memchr(text + from, '\n', len - from);
		to = nl ? (size_t)(nl - text) : len;
		ps.lineno++;
		for (first = from; first < to && gw_is_space_or_tab(text[first]); first++)
			;
		if (cut_note(&ps, text, from, to)) {
			/* A blank line that is not a comment ends the pragmas. */
			header = header && first < to && text[first] == '#';
			continue;
		}
		error = plan_line(&ps, header);
	}
	if (error == 0 && !plan->project)
		error = gw_source__file_error(ctx, GW_ESOURCE, path, 0, 0,
		                              "no %%project pragma; sqitch plans start with "
		                              "%%project=NAME");
	gw_vec_dispose(&ps.tags, free_tag);
	return error;
}

void gw_source__sqitch_plan_dispose(gw_sqitch_plan *plan)
{
	size_t i;

	for (i = 0; i < plan->count; i++) {
		free(plan->changes[i].name);
		gw_vec_dispose(&plan->changes[i].conflicts, free);
		free(plan->changes[i].requires);
		gw_vec_dispose(&plan->changes[i].rework_tags, free);
	}
	free(plan->changes);
	free(plan->project);
	memset(plan, 0, sizeof(*plan));
}

/* ---- the BEGIN ... COMMIT around a script ------------------------------ */

/* Whether the statement text[at, end) is one of the words (lowercase),
 * perhaps followed by more words ("BEGIN TRANSACTION", "COMMIT WORK"),
 * and nothing else: not "BEGIN ISOLATION LEVEL ..., READ ONLY", whose
 * settings godwit's own transaction would not have. */
static int statement_is(const char *text, size_t at, size_t end, const char *const *words)
{
	size_t i, n;

	for (i = 0; words[i]; i++) {
		n = strlen(words[i]);
		if (end - at < n || strncasecmp(text + at, words[i], n) ||
		    (end - at > n && (gw_is_alpha(text[at + n]) || text[at + n] == '_')))
			continue;
		at = gw_text_skip_space_comments(text, end, at + n);
		while (at < end && (gw_is_alpha(text[at]) || text[at] == '_'))
			at = gw_text_skip_space_comments(
			        text, end,
			        at + strspn(text + at, "abcdefghijklmnopqrstuvwxyz"
			                               "ABCDEFGHIJKLMNOPQRSTUVWXYZ_"));
		return at == end;
	}
	return 0;
}

/* Where the ';' after a statement ends, at its end or past blanks; the
 * statement's end when it has none (the last one). */
static size_t past_semicolon(const char *text, size_t len, const gw_sql_stmt *st)
{
	size_t at = st->offset + st->len;

	while (at < len && gw_is_space(text[at]))
		at++;
	return at < len && text[at] == ';' ? at + 1 : st->offset + st->len;
}

/* The statements come from gw_sql_split, the splitter the runner uses, so
 * a BEGIN or COMMIT in a string, a dollar quote or a comment is never
 * taken for the wrapper. A script the splitter refuses is run whole, and
 * the runner names its syntax error. */
int gw_source__sqitch_unwrap(gw_dialect dialect, const char *text, size_t len, int verify,
                             size_t *off, size_t *end)
{
	static const char *const opens[] = {"begin", "start", NULL};
	static const char *const commits[] = {"commit", "end", NULL};
	static const char *const verifies[] = {"rollback", "commit", "end", NULL};
	gw_sql_list list = GW_SQL_LIST_INIT;
	const gw_sql_stmt *first, *body_last, *last;
	size_t body, after;
	char *seen;
	int wrapped = 0;

	*off = 0;
	*end = len;
	/* A script the parser refuses runs as it is; one that could not be
	 * split for want of memory must not: its BEGIN would then be refused
	 * as if the user had written it in the wrong place. Its placeholders
	 * are split as the runner splits them. */
	if (!(seen = gw_strndup(text, len)))
		return GW_ENOMEM;
	gw_placeholders__mask(seen, len);
	wrapped = gw_sql_split(&list, dialect, seen, len, NULL, NULL);
	free(seen);
	if (wrapped == GW_ENOMEM)
		return GW_ENOMEM;
	wrapped = 0;
	if (list.count < 2)
		goto cleanup;
	first = &list.items[0];
	body_last = &list.items[list.count - 2];
	last = &list.items[list.count - 1];
	body = past_semicolon(text, len, first);
	after = past_semicolon(text, len, last);
	if (body == first->offset + first->len ||
	    !statement_is(text, first->offset, first->offset + first->len, opens) ||
	    !statement_is(text, last->offset, last->offset + last->len,
	                  verify ? verifies : commits) ||
	    gw_text_skip_space_comments(text, len, after) != len)
		goto cleanup;
	*off = body;
	*end = past_semicolon(text, len, body_last);
	wrapped = 1;
cleanup:
	gw_sql_list_dispose(&list);
	return wrapped;
}

/* ---- sqitch.conf -------------------------------------------------------- */

/* sqitch.conf is git-config: [core] and [engine "pg"] sections, indented
 * `key = value` lines, '#' and ';' comments, values in double quotes.
 * libinih reads it once the indentation is gone (it would take an
 * indented line for a continuation of the previous value). */
typedef struct conf_read {
	gw_sqitch_conf *conf;
	gw_vec engines; /* "NAME.top_dir" or "NAME.registry", then its value */
	int oom;        /* a value could not be kept: the file was not read */
} conf_read;

/* A value without its quotes, or without a trailing comment; NULL when
 * empty, which sqitch takes as unset (r->oom set when it cannot be kept). */
static char *conf_value(conf_read *r, const char *v)
{
	size_t n;
	char *out;

	if (*v == '"')
		n = strcspn(++v, "\"");
	else
		for (n = strcspn(v, "#;"); n && (v[n - 1] == ' ' || v[n - 1] == '\t'); n--)
			;
	if (!n)
		return NULL;
	if (!(out = gw_strndup(v, n)))
		r->oom = 1;
	return out;
}

/* "engine \"pg\"" (or the older "engine.pg") is "pg"; NULL for any other
 * section. */
static const char *engine_of(const char *section, size_t *len)
{
	if (strncasecmp(section, "engine", 6))
		return NULL;
	section += 6;
	if (*section == '.') {
		*len = strlen(section + 1);
		return *len ? section + 1 : NULL;
	}
	section += strspn(section, " \t");
	if (*section != '"' || !(*len = strcspn(section + 1, "\"")) || !section[*len + 1])
		return NULL;
	return section + 1;
}

static void conf_keep(conf_read *r, char **slot, const char *value)
{
	char *v = conf_value(r, value);

	if (v) {
		free(*slot);
		*slot = v;
	}
}

static int conf_entry(void *user, const char *section, const char *name, const char *value)
{
	conf_read *r = user;
	const char *engine;
	gw_str k = GW_STR_INIT;
	size_t n;
	char *v;

	if (!strcasecmp(section, "core")) {
		if (!strcasecmp(name, "top_dir"))
			conf_keep(r, &r->conf->top_dir, value);
		else if (!strcasecmp(name, "engine"))
			conf_keep(r, &r->conf->engine, value);
		return 1;
	}
	if (!(engine = engine_of(section, &n)) ||
	    (strcasecmp(name, "top_dir") && strcasecmp(name, "registry")) ||
	    !(v = conf_value(r, value)))
		return 1;
	gw_str_printf(&k, "%.*s.%s", (int)n, engine, name);
	if (gw_str_failed(&k) || gw_vec_push(&r->engines, k.ptr) < 0) {
		gw_str_dispose(&k);
		free(v);
		r->oom = 1;
		return 1;
	}
	if (gw_vec_push(&r->engines, v) < 0) {
		free(r->engines.items[--r->engines.len]);
		free(v);
		r->oom = 1;
	}
	return 1;
}

int gw_source__sqitch_conf(gw_sqitch_conf *conf, const char *text, size_t len)
{
	conf_read r = {conf, GW_VEC_INIT, 0};
	gw_str flat = GW_STR_INIT;
	size_t i, at;

	memset(conf, 0, sizeof(*conf));
	for (at = 0; at < len; at = i + 1) {
		while (at < len && (text[at] == ' ' || text[at] == '\t'))
			at++;
		for (i = at; i < len && text[i] != '\n'; i++)
			;
		gw_str_put(&flat, text + at, i - at);
		gw_str_putc(&flat, '\n');
	}
	if (gw_str_failed(&flat)) {
		gw_str_dispose(&flat);
		return -1;
	}
	/* A line libinih cannot read is skipped, as sqitch's reader would
	 * have refused the file before godwit ever saw it. */
	ini_parse_string(flat.ptr, conf_entry, &r);
	gw_str_dispose(&flat);
	/* The configured engine's own settings win over core's. */
	for (i = 0; conf->engine && i + 1 < r.engines.len; i += 2) {
		const char *k = r.engines.items[i];
		size_t n = strlen(conf->engine);

		if (strncmp(k, conf->engine, n) || k[n] != '.')
			continue;
		if (!strcmp(k + n + 1, "top_dir"))
			conf_keep(&r, &conf->top_dir, r.engines.items[i + 1]);
		else
			conf_keep(&r, &conf->registry, r.engines.items[i + 1]);
	}
	gw_vec_dispose(&r.engines, free);
	if (r.oom) {
		gw_source__sqitch_conf_dispose(conf);
		return -1;
	}
	return 0;
}

void gw_source__sqitch_conf_dispose(gw_sqitch_conf *conf)
{
	free(conf->top_dir);
	free(conf->engine);
	free(conf->registry);
	memset(conf, 0, sizeof(*conf));
}

/* ---- loading ------------------------------------------------------------ */

/* Whether the folder is a sqitch project: 1 when it has a sqitch.plan. */
static int sqitch_detect(gw_loader *ld)
{
	int error;

	gw_str_clear(&ld->path);
	if (gw_path_join(&ld->path, ld->dir, SQITCH_PLAN) < 0)
		return gw_error_oom(ld->ctx);
	if (gw_path_is_dir(ld->path.ptr) == 0)
		return 1;
	if (ld->forced != GW_FORMAT_SQITCH)
		return 0;
	error = gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
	                              "missing; a sqitch project has its plan there");
	gw_error_set_hint_code(ld->ctx, GW_HINT_SQITCH_TOP_DIR, NULL, NULL);
	return error;
}

/* The file name of a change's scripts: "name.sql", or for a change that
 * was reworked later "name@TAG.sql", TAG being the newest tag between
 * the two with such a deploy script (sqitch's rule). */
static int script_name(gw_str *out, gw_loader *ld, const gw_sqitch_change *c)
{
	size_t i;

	gw_str_clear(out);
	for (i = 0; i < c->rework_tags.len; i++) {
		gw_str_clear(out);
		gw_str_printf(out, "%s@%s.sql", c->name, (const char *)c->rework_tags.items[i]);
		gw_str_clear(&ld->path);
		if (gw_path_join(&ld->path, ld->dir, "deploy") < 0 ||
		    gw_str_printf(&ld->path, "/%s", out->ptr) < 0)
			return gw_error_oom(ld->ctx);
		if (gw_path_is_dir(ld->path.ptr) == 0)
			return 0;
	}
	gw_str_clear(out);
	if (c->rework_tags.len)
		gw_str_printf(out, "%s@%s.sql", c->name, (const char *)c->rework_tags.items[0]);
	else
		gw_str_printf(out, "%s.sql", c->name);
	return gw_str_failed(out) ? gw_error_oom(ld->ctx) : 0;
}

/* Whether the script in ld->text holds SQL inside its BEGIN ... COMMIT,
 * its comments read as its database's (SQLite's do not nest): 1 or 0, or
 * GW_ENOMEM, said on ld->ctx. */
static int script_has_sql(const gw_loader *ld, int verify)
{
	size_t off, end;

	if (gw_source__sqitch_unwrap(ld->sql_dialect, ld->text.ptr, ld->text.size, verify, &off,
	                             &end) < 0)
		return gw_error_oom(ld->ctx);
	if (ld->sql_dialect == GW_DIALECT_SQLITE)
		return gw_text_skip_space_comments_sqlite(ld->text.ptr, end, off) < end;
	return gw_source__has_sql(ld->text.ptr, off, end);
}

/* revert/<script> and verify/<script>, when they hold SQL. */
static int sqitch_revert_verify(gw_loader *ld, gw_source_mig *m, const char *script)
{
	int error, has = 0;

	if ((error = gw_source__read_sub(ld, "revert", script)) < 0)
		return error;
	if (error && (has = script_has_sql(ld, 0)) < 0)
		return has;
	if (error && !has)
		m->down_state = GW_DOWN_EMPTY;
	else if (error) {
		if ((error = gw_source__down_text(m->pub.down_sum, &m->pub.down_no_transaction,
		                                  ld->text.ptr, ld->text.size, ld->ctx)) < 0)
			return error;
		m->pub.has_down_sum = 1;
		gw_str_clear(&ld->path);
		gw_str_printf(&ld->path, "revert/%s", script);
		if (gw_str_failed(&ld->path) || !(m->pub.down_file = gw_strdup(ld->path.ptr)))
			return gw_error_oom(ld->ctx);
	}
	/* No verify script, or sqitch's template without SQL: none to run.
	 * (1, "it exists", is not passed on: the plan's loop stops at
	 * anything but 0, and would drop the changes after this one.) */
	if ((error = gw_source__read_sub(ld, "verify", script)) <= 0)
		return error < 0 ? error : 0;
	if ((has = script_has_sql(ld, 1)) <= 0)
		return has;
	gw_str_clear(&ld->path);
	gw_str_printf(&ld->path, "verify/%s", script);
	if (gw_str_failed(&ld->path) || !gw_source__rare(m) ||
	    !(m->pub.rare->verify_file = gw_strdup(ld->path.ptr)))
		return gw_error_oom(ld->ctx);
	m->pub.has_verify = 1;
	return 0;
}

/* The change at plan position i (0-based) as migration version i + 1. */
static int sqitch_change(gw_loader *ld, const gw_sqitch_change *c, size_t i, const char *plan_path)
{
	gw_str script = GW_STR_INIT, up = GW_STR_INIT, version = GW_STR_INIT;
	gw_source_mig *m;
	int error;

	if ((error = script_name(&script, ld, c)) < 0)
		goto cleanup;
	gw_str_printf(&up, "deploy/%s", script.ptr);
	gw_str_printf(&version, "%zu", i + 1);
	if (gw_str_failed(&up) || gw_str_failed(&version)) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	if ((error = gw_source__read_sub(ld, "deploy", script.ptr)) == 0)
		error = gw_source__file_error(ld->ctx, GW_ESOURCE, plan_path, c->line, 0,
		                              "plans change %s, but %s/%s does not exist; "
		                              "restore it or remove the change from the plan",
		                              c->name, ld->dir, up.ptr);
	if (error < 0)
		goto cleanup;
	/* The stem names the scripts without their folder: "users.sql". */
	script.ptr[script.size - 4] = '\0';
	if ((error = gw_source__add_whole(ld, &m, GW_FORMAT_SQITCH, up.ptr, version.ptr, c->name,
	                                  strlen(c->name), script.ptr)) < 0)
		goto cleanup;
	m->conv = (unsigned char)(gw_convention_sqitch.format + 1);
	if ((error = script_has_sql(ld, 0)) < 0)
		goto cleanup;
	m->pub.empty = !error;
	script.ptr[script.size - 4] = '.';
	error = sqitch_revert_verify(ld, m, script.ptr);
cleanup:
	gw_str_dispose(&script);
	gw_str_dispose(&up);
	gw_str_dispose(&version);
	return error;
}

/* A change conflicts with the earlier changes of each name it lists: they
 * must not be applied when it is (sqitch refuses to deploy it then). */
static int sqitch_conflicts(gw_loader *ld, const gw_sqitch_plan *plan)
{
	size_t i, j, k;
	char buf[32];

	for (i = 0; i < plan->count; i++) {
		gw_source_mig *m = ld->ups.items[i];

		for (k = 0; k < plan->changes[i].conflicts.len; k++) {
			const char *name = plan->changes[i].conflicts.items[k];

			for (j = 0; j < i; j++) {
				gw_migration_rare *r;
				char **more;

				if (strcmp(plan->changes[j].name, name))
					continue;
				if (!(r = gw_source__rare(m)) ||
				    !(more = realloc(r->conflicts,
				                     (r->nconflicts + 1) * sizeof(*more))))
					return gw_error_oom(ld->ctx);
				r->conflicts = more;
				snprintf(buf, sizeof(buf), "%zu", j + 1);
				if (!(more[r->nconflicts] = gw_strdup(buf)))
					return gw_error_oom(ld->ctx);
				r->nconflicts++;
			}
		}
	}
	return 0;
}

/* Each change's [requires] become its dependencies, named by the stem of
 * the required change's scripts ("users", "users@v1" for a change reworked
 * later), which names that one change only. They all point to changes
 * planned earlier, so the order (order.c) stays the plan's; the graph and
 * status show them as edges. */
static int sqitch_requires(gw_loader *ld, const gw_sqitch_plan *plan)
{
	size_t i, k;

	for (i = 0; i < plan->count; i++) {
		gw_source_mig *m = ld->ups.items[i];
		const gw_sqitch_change *c = &plan->changes[i];

		for (k = 0; k < c->nrequires; k++) {
			const gw_source_mig *req = ld->ups.items[c->requires[k]];

			if (gw_source__add_depend(m, req->stem, strlen(req->stem), c->line) < 0)
				return gw_error_oom(ld->ctx);
		}
	}
	return 0;
}

/* Top-level .sql files next to a sqitch.plan make the folder ambiguous. */
static int check_sqitch_alone(gw_loader *ld, const gw_folder *names)
{
	size_t i;

	if (ld->forced == GW_FORMAT_SQITCH)
		return 0;
	for (i = 0; i < names->len; i++) {
		if (names->items[i].skip)
			continue;
		gw_str_clear(&ld->path);
		gw_path_join(&ld->path, ld->dir, names->items[i].name);
		int error = gw_source__file_error(ld->ctx, GW_ESOURCE, ld->path.ptr, 0, 0,
		                                  "is a migration file next to a sqitch.plan");

		gw_error_set_hint_code(ld->ctx, GW_HINT_ONE_CONVENTION, NULL, NULL);
		return error;
	}
	return 0;
}

/* Loads the changes of sqitch.plan, in its order. */
static int sqitch_load(gw_loader *ld, const gw_folder *names)
{
	gw_sqitch_plan plan;
	gw_str plan_path = GW_STR_INIT;
	size_t i;
	int error;

	memset(&plan, 0, sizeof(plan));
	if ((error = check_sqitch_alone(ld, names)) < 0)
		return error;
	if (gw_path_join(&plan_path, ld->dir, SQITCH_PLAN) < 0) {
		error = gw_error_oom(ld->ctx);
		goto cleanup;
	}
	if ((error = gw_file_read(&ld->text, plan_path.ptr, GW_FILE_MAX, ld->ctx)) < 0 ||
	    (error = gw_source__sqitch_plan(&plan, ld->text.ptr, ld->text.size, plan_path.ptr,
	                                    ld->ctx)) < 0)
		goto cleanup;
	for (i = 0; i < plan.count && error == 0; i++)
		error = sqitch_change(ld, &plan.changes[i], i, plan_path.ptr);
	if (error == 0)
		error = sqitch_conflicts(ld, &plan);
	if (error == 0)
		error = sqitch_requires(ld, &plan);
	ld->project = plan.project;
	plan.project = NULL;
	gw_source__note_conv(ld, GW_FORMAT_SQITCH, SQITCH_PLAN);
cleanup:
	gw_source__sqitch_plan_dispose(&plan);
	gw_str_dispose(&plan_path);
	return error;
}

/* sqitch.conf can put the plan and scripts below top_dir (sqitch init
 * --top-dir) and name the registry. An unreadable one is as good as none:
 * the folder is then read as it is; one not read for want of memory is an
 * error, since the folder it names would be missed. */
static int sqitch_locate(gw_str *top, char **registry, const char *dir, gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT, text = GW_STR_INIT;
	gw_sqitch_conf conf;
	int error = 0;

	memset(&conf, 0, sizeof(conf));
	if (gw_path_join(&path, dir, "sqitch.conf") < 0)
		error = gw_error_oom(ctx);
	else if (gw_path_is_dir(path.ptr) == 0 &&
	         ((error = gw_file_read(&text, path.ptr, GW_FILE_MAX, NULL)) == GW_ENOMEM ||
	          (error == 0 && gw_source__sqitch_conf(&conf, text.ptr, text.size) < 0)))
		error = gw_error_oom(ctx);
	else
		error = 0;
	if (!error && conf.top_dir && *conf.top_dir && strcmp(conf.top_dir, ".")) {
		if (conf.top_dir[0] == '/')
			gw_str_puts(top, conf.top_dir);
		else
			gw_path_join(top, dir, conf.top_dir);
		if (gw_str_failed(top))
			error = gw_error_oom(ctx);
	}
	*registry = conf.registry;
	conf.registry = NULL;
	gw_source__sqitch_conf_dispose(&conf);
	gw_str_dispose(&path);
	gw_str_dispose(&text);
	return error;
}

/* ---- the convention --------------------------------------------------- */

static const char *sqitch_down_place(gw_str *file, const char *stem, const char *up_file)
{
	(void)up_file;
	gw_str_printf(file, "revert/%s.sql", stem);
	return NULL;
}

/* sqitch's own templates: godwit runs what is between BEGIN and COMMIT in
 * its transaction. */
static void sqitch_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                       const char *version, const char *name)
{
	(void)version;
	gw_str_printf(up_name, "deploy/%s.sql", name);
	gw_str_printf(up_body,
	              "-- Deploy %s\n\nBEGIN;\n\n-- Write the SQL of this change "
	              "here.\n\nCOMMIT;\n",
	              name);
	gw_str_printf(down_name, "revert/%s.sql", name);
	gw_str_printf(down_body,
	              "-- Revert %s\n\nBEGIN;\n\n-- Write the SQL that reverts "
	              "deploy/%s.sql here.\n\nCOMMIT;\n",
	              name, name);
}

/* A change name must be new to the plan. */
static int sqitch_check_new(const gw_source *src, const char *name, gw_ctx *ctx)
{
	size_t i, n = strlen(name);

	if (!n || name[0] == '-' || name[n - 1] == '-')
		return gw_error_set(ctx, GW_EINVALID,
		                    "sqitch change names may not begin or end with '-'");
	for (i = 0; i < src->count; i++)
		if (!strcmp(src->items[i]->name, name))
			return gw_error_set(ctx, GW_EINVALID,
			                    "change %s is already in sqitch.plan; rework it with "
			                    "'sqitch rework %s', or pick another name",
			                    name, name);
	return 0;
}

/* The planner sqitch would write: $SQITCH_FULLNAME <$SQITCH_EMAIL>, as
 * sqitch reads them too, else the login name. */
static void sqitch_planner(gw_str *out)
{
	const char *user = getenv("USER"), *name = getenv("SQITCH_FULLNAME");
	const char *email = getenv("SQITCH_EMAIL");

	if (!user || !*user)
		user = "godwit";
	gw_str_printf(out, "%s <", name && *name ? name : user);
	if (email && *email)
		gw_str_printf(out, "%s>", email);
	else
		gw_str_printf(out, "%s@localhost>", user);
}

/* Appends "name TIMESTAMP planner <email>" to sqitch.plan and writes the
 * change's verify script. */
static int sqitch_register(const gw_source *src, const char *version, const char *name, gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT, text = GW_STR_INIT, verify = GW_STR_INIT;
	time_t now = time(NULL);
	struct tm tm;
	char stamp[32];
	int error;

	(void)version;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (gw_path_join(&path, src->dir, SQITCH_PLAN) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = gw_file_read(&text, path.ptr, GW_FILE_MAX, ctx)) < 0)
		goto cleanup;
	if (text.size && text.ptr[text.size - 1] != '\n')
		gw_str_putc(&text, '\n');
	gw_str_printf(&text, "%s %s ", name, stamp);
	sqitch_planner(&text);
	gw_str_putc(&text, '\n');
	gw_path_join(&verify, src->dir, "verify");
	gw_str_printf(&verify, "/%s.sql", name);
	if (gw_str_failed(&text) || gw_str_failed(&verify)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	gw_str_clear(&path);
	gw_path_join(&path, src->dir, "verify");
	if ((error = gw_make_dirs(path.ptr, 0755, ctx)) < 0)
		goto cleanup;
	gw_str_clear(&path);
	gw_path_join(&path, src->dir, SQITCH_PLAN);
	if ((error = gw_file_replace(path.ptr, text.ptr, text.size, ctx)) < 0)
		goto cleanup;
	gw_str_clear(&text);
	gw_str_printf(&text,
	              "-- Verify %s\n\nBEGIN;\n\n-- Write SQL that fails when the change is "
	              "not there.\n\nROLLBACK;\n",
	              name);
	error = gw_file_create(verify.ptr, text.ptr, text.size, ctx);
cleanup:
	gw_str_dispose(&path);
	gw_str_dispose(&text);
	gw_str_dispose(&verify);
	return error;
}

/* A change without a revert script is named as sqitch names it. */
static int sqitch_nodown(const gw_migration *m, const char *file, int empty, gw_ctx *ctx)
{
	return gw_error_set(ctx, GW_ENODOWN,
	                    "change %s has no revert script; write %s%s to make it revertible",
	                    m->name, empty ? "SQL in " : "", file);
}

const gw_convention gw_convention_sqitch = {
        .format = GW_FORMAT_SQITCH,
        .name = "sqitch",
        .example = "sqitch.plan with deploy/create_users.sql",
        .down_place = sqitch_down_place,
        .new_files = sqitch_new,
        .check_new = sqitch_check_new,
        .register_new = sqitch_register,
        .locate = sqitch_locate,
        .detect = sqitch_detect,
        .load = sqitch_load,
        .unwrap = gw_source__sqitch_unwrap,
        .nodown_error = sqitch_nodown,
        .notes_ignored = 1,
};
