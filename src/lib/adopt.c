/*
 * adopt.c: `godwit adopt --from TOOL`: take over a database from the tool
 * that migrated it until now.
 *
 * The tool's history table is read as it is (never changed), each of its
 * rows is matched with a migration of the folder, and the migrations it
 * applied are recorded in godwit_migrations as applied, kind "adopted",
 * with the tool's applied time where it kept one. Everything is decided
 * first; any disagreement (a row with no file, a dirty, failed or
 * unfinished migration, a file changed since the tool ran it) refuses the
 * whole adoption, so the history is taken over entirely or not at all.
 */
#include "adopt_tool.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "source/priv.h"
#include "../util/error.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/text.h"
#include "../util/url.h"

struct gw_adopt_report {
	const tool_def *tool; /* &own_tool */
	tool_def own_tool;    /* the tool's definition, with any table or schema given */
	char *table;
	int dry_run;
	size_t recorded;
	gw_adopt_entry *entries;
	size_t count;
	gw_vec owned;
	int failed;
};

/* ---- small helpers ------------------------------------------------------ */

static const char *keep(gw_adopt_report *r, const char *s)
{
	char *copy;

	if (!s)
		return NULL;
	if (!(copy = gw_strdup(s)) || gw_vec_push(&r->owned, copy) < 0) {
		free(copy);
		r->failed = 1;
		return NULL;
	}
	return copy;
}

static const char *keepf(gw_adopt_report *r, const char *fmt, ...) GW_FORMAT_PRINTF(2, 3);
static const char *keepf(gw_adopt_report *r, const char *fmt, ...)
{
	gw_str s = GW_STR_INIT;
	const char *out;
	va_list ap;

	va_start(ap, fmt);
	gw_str_vprintf(&s, fmt, ap);
	va_end(ap);
	out = gw_str_failed(&s) ? NULL : keep(r, s.ptr);
	if (!out)
		r->failed = 1;
	gw_str_dispose(&s);
	return out;
}

/* The digits of s (up to the first '_' when stop_at_underscore), for
 * tools that spell a version differently from the folder: diesel drops
 * the dashes of 2023-07-05-000058. */
static void digits_of(char *out, size_t size, const char *s, int stop_at_underscore)
{
	size_t n = 0;

	for (; *s && n + 1 < size; s++) {
		if (stop_at_underscore && *s == '_')
			break;
		if (*s >= '0' && *s <= '9')
			out[n++] = *s;
	}
	out[n] = '\0';
}

/* Whether a migration's key (see migration_keys) is the row's key. */
static int same_key(const tool_def *t, const char *mkey, const char *key)
{
	char b[128];

	if (!mkey || !mkey[0])
		return 0;
	switch (t->match) {
	case MATCH_DIGITS:
		digits_of(b, sizeof(b), key, 1);
		return !strcmp(mkey, b);
	case MATCH_FOLDER:
	case MATCH_NAME:
		return !strcmp(mkey, key);
	case MATCH_VERSION:
	case MATCH_WHEN:
		break;
	}
	return !gw_version_cmp(mkey, key);
}

static long find_migration(const gw_source *src, const tool_def *t, char *const *keys,
                           const char *key)
{
	size_t i;

	for (i = 0; i < src->count; i++)
		if (same_key(t, keys[i], key))
			return (long)i;
	return -1;
}

/* ---- what the tool calls each migration --------------------------------- */

/* drizzle-orm records a migration by its journal entry's "when", so the
 * journal is read again for it (the loader keeps only the tags). */
static int journal_whens(char **keys, gw_project *p, const gw_source *src)
{
	gw_str path = GW_STR_INIT, text = GW_STR_INIT;
	gw_vec tags = GW_VEC_INIT, whens = GW_VEC_INIT;
	gw_drizzle_error jerr;
	size_t i, j;
	int error = 0;

	if (gw_project__path(&path, p, DRIZZLE_JOURNAL) < 0)
		error = gw_error_oom(p->ctx);
	else if ((error = gw_file_read(&text, path.ptr, GW_FILE_MAX, p->ctx)) < 0)
		;
	else if (gw_source__drizzle_read(&tags, &whens, text.ptr, text.size, &jerr) < 0)
		error = jerr.what[0] ? gw_source__file_error(p->ctx, GW_ESOURCE, path.ptr,
		                                             jerr.line, jerr.col, "%s", jerr.what)
		                     : gw_error_oom(p->ctx);
	for (i = 0; error == 0 && i < src->count; i++) {
		const char *f = src->items[i]->up_file;
		size_t n = strlen(f) > 4 ? strlen(f) - 4 : 0; /* without ".sql" */

		for (j = 0; j < tags.len && !keys[i]; j++)
			if (strlen(tags.items[j]) == n && !memcmp(tags.items[j], f, n) &&
			    !(keys[i] = gw_strdup(whens.items[j])))
				error = gw_error_oom(p->ctx);
	}
	gw_vec_dispose(&tags, free);
	gw_vec_dispose(&whens, free);
	gw_str_dispose(&text);
	gw_str_dispose(&path);
	return error;
}

/* The key each migration has in the tool's table (NULL for repeatables,
 * which no tool records by version). */
static int migration_keys(char ***out, gw_project *p, const gw_source *src, const tool_def *t)
{
	char **keys = calloc(src->count + 1, sizeof(*keys));
	char digits[128];
	size_t i;
	int error = 0;

	if (!(*out = keys))
		return gw_error_oom(p->ctx);
	if (t->match == MATCH_WHEN)
		return journal_whens(keys, p, src);
	for (i = 0; i < src->count && error == 0; i++) {
		const gw_migration *m = src->items[i];
		const char *slash = strrchr(m->up_file, '/');

		if (m->repeatable)
			continue;
		if (t->match == MATCH_DIGITS) {
			digits_of(digits, sizeof(digits), m->version, 0);
			keys[i] = gw_strdup(digits);
		} else if (t->match == MATCH_FOLDER)
			keys[i] = gw_strndup(m->up_file, slash ? (size_t)(slash - m->up_file) : 0);
		else if (t->match == MATCH_NAME)
			keys[i] = gw_strdup(m->name);
		else
			keys[i] = gw_strdup(m->version);
		if (!keys[i])
			error = gw_error_oom(p->ctx);
	}
	return error;
}

static void free_keys(char **keys, size_t n)
{
	size_t i;

	for (i = 0; keys && i < n; i++)
		free(keys[i]);
	free(keys);
}

/* ---- deciding ----------------------------------------------------------- */

/* The row that decides a migration; own = 0 when the row is about another
 * migration and stands for this one too (its checksum is not this file's). */
typedef struct slot {
	const tool_row *row;
	int own;
} slot;

/* A Flyway baseline stands for every migration up to and including its
 * version that has no row of its own, and its version need not have a
 * file (`flyway baseline -baselineVersion=1` next to V2, V3). */
static void cover_baseline(slot *last, const gw_source *src, char *const *keys, tool_row *row)
{
	size_t i;

	row->matched = 1;
	for (i = 0; i < src->count; i++)
		if (keys[i] && !last[i].row && gw_version_cmp(keys[i], row->key) <= 0)
			last[i].row = row;
}

/* drizzle-orm runs the journal entries whose "when" is above the
 * created_at of its latest row: every entry up to it counts as applied,
 * whether or not it has a row. */
static void cover_latest(slot *last, const gw_source *src, char *const *keys, const rows *rs)
{
	const tool_row *latest = NULL;
	size_t i;

	for (i = 0; i < rs->v.len; i++) {
		const tool_row *row = rs->v.items[i];

		if (row->key[0] && (!latest || gw_version_cmp(row->key, latest->key) > 0))
			latest = row;
	}
	for (i = 0; latest && i < src->count; i++)
		if (keys[i] && !last[i].row && gw_version_cmp(keys[i], latest->key) <= 0)
			last[i].row = latest;
}

/* The tool's last word on each migration of the folder. */
/* sqitch: the first migration of the name that no row matched yet, so
 * the rows of a reworked change, in deploy order, take its plan entries
 * in order. */
static long next_unmatched(const gw_source *src, const tool_def *t, char *const *keys,
                           const slot *last, const char *key)
{
	size_t i;

	for (i = 0; i < src->count; i++)
		if (!last[i].own && same_key(t, keys[i], key))
			return (long)i;
	return -1;
}

static void match_rows(slot *last, const gw_source *src, const tool_def *t, char *const *keys,
                       const rows *rs)
{
	size_t r, i;

	for (r = 0; r < rs->v.len; r++) {
		tool_row *row = rs->v.items[r];
		long mi = t->match == MATCH_NAME ? next_unmatched(src, t, keys, last, row->key)
		                                 : find_migration(src, t, keys, row->key);

		if (!strcmp(row->flag, "baseline"))
			cover_baseline(last, src, keys, row);
		if (mi < 0)
			continue;
		row->matched = 1;
		last[mi].row = row;
		last[mi].own = 1;
		/* golang-migrate's one row stands for every migration up to it. */
		for (i = 0; t->cover == COVER_EARLIER && i < (size_t)mi; i++)
			if (keys[i])
				last[i] = (slot){row, 0};
	}
	if (t->cover == COVER_LATEST)
		cover_latest(last, src, keys, rs);
}

static const char *found_word(const char *flag)
{
	if (!strcmp(flag, "ok"))
		return "applied";
	if (!strcmp(flag, "reverted"))
		return "rolled back";
	return flag; /* dirty, failed, unfinished, baseline */
}

/* A problem that ends in an action a program words itself (gw_text_hint):
 * the context, then the library's wording of code. */
static void problem_hint(gw_adopt_report *rep, gw_adopt_entry *e, int code, const char *arg0,
                         const char *fmt, ...) GW_FORMAT_PRINTF(5, 6);
static void problem_hint(gw_adopt_report *rep, gw_adopt_entry *e, int code, const char *arg0,
                         const char *fmt, ...)
{
	gw_str context = GW_STR_INIT;
	va_list ap;

	va_start(ap, fmt);
	gw_str_vprintf(&context, fmt, ap);
	va_end(ap);
	e->action = GW_ADOPT_PROBLEM;
	e->hint.code = code;
	e->hint.context = keep(rep, context.ptr);
	e->hint.args[0] = keep(rep, arg0);
	e->hint.args[1] = "";
	gw_hint_wording(&context, code, arg0, "");
	e->problem = gw_str_failed(&context) ? NULL : keep(rep, context.ptr);
	if (!e->problem || !e->hint.context || !e->hint.args[0])
		rep->failed = 1;
	gw_str_dispose(&context);
}

/* The tool's flag on the row, when it is a problem: 1 and e says which. */
static int flag_problem(gw_adopt_report *rep, gw_adopt_entry *e, const char *flag)
{
	const char *tool = rep->tool->title;

	if (!strcmp(flag, "dirty"))
		problem_hint(rep, e, GW_HINT_CLEAR_DIRTY, "migrate",
		             "%s marks it dirty: it failed half-way; fix the database, then ",
		             tool);
	else if (!strcmp(flag, "failed"))
		e->problem = keepf(rep,
		                   "%s recorded it as failed (success = false); repair or remove "
		                   "the failed row first",
		                   tool);
	else if (!strcmp(flag, "unfinished"))
		e->problem = keepf(rep,
		                   "%s started it and never finished it (finished_at and "
		                   "rolled_back_at are empty): it failed or is still running; "
		                   "settle it with 'prisma migrate resolve --applied NAME' or "
		                   "'--rolled-back NAME'",
		                   tool);
	else
		return 0;
	e->action = GW_ADOPT_PROBLEM;
	return 1;
}

static void decide(gw_adopt_report *rep, gw_adopt_entry *e, const tool_row *row,
                   const gw_hist_row *h, const gw_migration *m)
{
	int applied = row && (!strcmp(row->flag, "ok") || !strcmp(row->flag, "baseline"));

	if (row && flag_problem(rep, e, row->flag))
		return;
	if (applied && e->checksum == GW_ADOPT_SUM_MISMATCH) {
		problem_hint(rep, e, GW_HINT_ADOPT_REPAIR, "",
		             "the file changed since %s applied it (%s checksum %s); ",
		             rep->tool->title, rep->tool->title, row->sum);
	} else if (applied && h &&
	           (strcmp(gw_hist_row_state_text(h), "applied") ||
	            !gw_hist_row_sum_eq(h, m->sum))) {
		e->action = GW_ADOPT_PROBLEM;
		e->problem = keepf(rep, "godwit already records it as %s; settle that first",
		                   strcmp(gw_hist_row_state_text(h), "applied")
		                           ? "dirty"
		                           : "applied with another checksum");
	} else if (h) {
		e->action = GW_ADOPT_ALREADY;
	} else {
		e->action = applied ? GW_ADOPT_RECORD : GW_ADOPT_PENDING;
	}
}

/* One migration of the folder: what the tool says and what adopt does. */
static int report_migration(gw_adopt_report *rep, gw_project *p, const gw_migration *m, slot s,
                            const gw_hist *h)
{
	gw_adopt_entry *e = &rep->entries[rep->count++];
	const tool_row *row = s.row;
	int error = 0;

	e->version = m->version;
	e->name = m->name;
	e->file = m->up_file;
	e->found = row ? keep(rep, found_word(row->flag)) : "not applied";
	/* drizzle's latest row says nothing of when an older entry ran. */
	if (row && !s.own && rep->tool->cover == COVER_LATEST)
		e->found = "applied (no row of its own; older than the latest)";
	else if (row)
		e->applied_at = keep(rep, row->at);
	e->tool_checksum = row && s.own ? keep(rep, row->sum) : NULL;
	if (row && s.own && (!strcmp(row->flag, "ok") || !strcmp(row->flag, "baseline")))
		error = gw_adopt__check_sum(&e->checksum, p, rep->tool, m, row->sum);
	decide(rep, e, row, gw_hist_find(h, m->version), m);
	return error;
}

/* A row of the tool that matches no file. */
static void report_orphan(gw_adopt_report *rep, gw_project *p, const tool_row *row)
{
	gw_adopt_entry *e = &rep->entries[rep->count++];
	const tool_def *t = rep->tool;

	e->version = keep(rep, row->key);
	e->found = keep(rep, found_word(row->flag));
	e->applied_at = keep(rep, row->at);
	e->tool_checksum = keep(rep, row->sum);
	e->action = GW_ADOPT_PROBLEM;
	if (!strcmp(row->flag, "ok") || !strcmp(row->flag, "baseline"))
		e->problem =
		        keepf(rep, "%s applied it, but no file in %s has this %s; restore the file",
		              t->title, gw_project__dir(p), t->key_word);
	else
		e->problem =
		        keepf(rep,
		              "%s recorded it as %s, but no file in %s has this %s; restore "
		              "the file or settle the row first",
		              t->title, found_word(row->flag), gw_project__dir(p), t->key_word);
}

static int build_report(gw_adopt_report *rep, gw_project *p, const rows *rs, const gw_hist *h,
                        char *const *keys)
{
	const gw_source *src = p->source;
	slot *last = calloc(src->count + 1, sizeof(*last));
	size_t i;
	int error = 0;

	rep->entries = calloc(src->count + rs->v.len + 1, sizeof(*rep->entries));
	if (!last || !rep->entries) {
		free(last);
		return gw_error_oom(p->ctx);
	}
	match_rows(last, src, rep->tool, keys, rs);
	for (i = 0; i < src->count && error == 0; i++)
		if (!src->items[i]->repeatable)
			error = report_migration(rep, p, src->items[i], last[i], h);
	/* Rows of the tool that match no file, in the tool's order. */
	for (i = 0; i < rs->v.len && error == 0; i++) {
		const tool_row *row = rs->v.items[i];

		if (!row->matched && strcmp(row->flag, "reverted"))
			report_orphan(rep, p, row);
	}
	free(last);
	if (error == 0 && rep->failed)
		error = gw_error_oom(p->ctx);
	return error;
}

/* ---- recording ---------------------------------------------------------- */

static int record(gw_adopt_report *rep, gw_project *p)
{
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	size_t i, n = 0;
	int error = 0;

	for (i = 0; i < rep->count && error == 0; i++) {
		const gw_adopt_entry *e = &rep->entries[i];
		const gw_migration *m;
		gw_record event = {NULL, NULL, NULL, "adopt", NULL, 0, 0};

		if (e->action != GW_ADOPT_RECORD)
			continue;
		m = gw_source_find(p->source, e->version);
		event.m = m;
		/* Flyway's baseline stands for migrations it never ran. */
		if (gw_adopt__add_row(&b, p, m,
		                      strcmp(e->found, "baseline") ? "adopted" : "baseline",
		                      e->applied_at) < 0 ||
		    gw_hist_add_event(&b, p, &event) < 0)
			error = gw_error_oom(p->ctx);
		n++;
	}
	if (error == 0 && n)
		error = p->conn->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	if (error == 0)
		rep->recorded = n;
	gw_batch_dispose(&b);
	return error;
}

static const tool_def *find_tool(const char *name)
{
	size_t i;

	for (i = 0; name && i < gw_adopt__ntools; i++)
		if (!strcmp(gw_adopt__tools[i].name, name))
			return &gw_adopt__tools[i];
	if (name && (!strcmp(name, "migrate") || !strcmp(name, "golang")))
		return &gw_adopt__tools[1];
	return NULL;
}

int gw_adopt_tool_known(const char *name)
{
	return find_tool(name) != NULL;
}

static int refuse(gw_project *p, const gw_adopt_report *rep, size_t problems)
{
	gw_error_set(p->ctx, GW_ESTATE,
	             "cannot adopt the %s history: %zu migration%s disagree%s with %s; "
	             "nothing was recorded",
	             rep->tool->title, problems, problems == 1 ? "" : "s", problems == 1 ? "s" : "",
	             gw_project__dir(p));
	gw_error_set_hint_code(p->ctx, GW_HINT_ADOPT_AGAIN, rep->tool->name, NULL);
	return GW_ESTATE;
}

/* Prisma and drizzle record a migration by its folder or journal entry,
 * which only their own folder convention has. */
static int check_format(gw_project *p, const gw_source *src, const tool_def *t)
{
	if (t->format == GW_FORMAT_AUTO || src->format == t->format)
		return 0;
	gw_error_set(p->ctx, GW_EINVALID,
	             "cannot adopt from %s: %s records migrations by their %s, but %s is in the "
	             "%s convention, not %s's",
	             t->title, t->title, t->key_word, gw_project__dir(p),
	             gw_format_name(src->format), gw_format_name(t->format));
	gw_error_set_hint_code(p->ctx, GW_HINT_ADOPT_FOLDER, t->title,
	                       t->format == GW_FORMAT_PRISMA   ? "prisma/migrations"
	                       : t->format == GW_FORMAT_SQITCH ? "the one with sqitch.plan"
	                                                       : "drizzle");
	return GW_EINVALID;
}

int gw_project_adopt(gw_adopt_report **out, gw_project *p, const char *tool, int dry_run)
{
	gw_adopt_options opts = GW_ADOPT_OPTIONS_INIT;

	opts.tool = tool;
	opts.dry_run = dry_run;
	return gw_project_adopt_with(out, p, &opts);
}

int gw_project_adopt_with(gw_adopt_report **out, gw_project *p, const gw_adopt_options *opts)
{
	const tool_def *known = find_tool(opts ? opts->tool : NULL);
	const char *tool = opts ? opts->tool : NULL;
	int dry_run = opts && opts->dry_run;
	tool_def own, *t = &own;
	gw_adopt_report *rep = NULL;
	rows rs = {GW_VEC_INIT, 0};
	gw_hist h = GW_HIST_INIT;
	gw_str qname = GW_STR_INIT;
	gw_source *src = NULL;
	char **keys = NULL;
	int exists = 0, attached = 0, error;
	size_t problems;

	*out = NULL;
	if (opts && opts->version != GW_ADOPT_OPTIONS_VERSION)
		return gw_error_set(p->ctx, GW_EINVALID,
		                    "gw_adopt_options version %u is not supported", opts->version);
	if (!known) {
		gw_error_set(p->ctx, GW_EINVALID, "cannot adopt from '%s': unknown tool",
		             tool ? tool : "");
		gw_error_set_hint(
		        p->ctx,
		        "one of dbmate, golang-migrate, goose, flyway, diesel, prisma, drizzle, "
		        "sqitch, supabase");
		return GW_EINVALID;
	}
	/* A table or schema given replaces the tool's default one. */
	own = *gw_adopt__configured(&own, known, p);
	if (opts->table)
		own.table = opts->table;
	if ((error = gw_project__source(&src, p)) < 0 || (error = check_format(p, src, t)) < 0)
		goto cleanup;
	/* The schema given, else a sqitch registry named in sqitch.conf. */
	if (opts->schema)
		own.schema = opts->schema;
	else if (own.attach && src->registry)
		own.schema = src->registry;
	if ((error = migration_keys(&keys, p, src, t)) < 0 ||
	    (error = gw_adopt__open_table(&qname, p, t, &attached)) < 0)
		goto cleanup;
	/* A dry run creates nothing, not even the history tables. */
	if (!dry_run && (error = gw_hist_begin(p)) < 0)
		goto cleanup;
	if ((error = gw_hist_rows_exist(&exists, p)) < 0 ||
	    (exists && (error = gw_hist_load(&h, p, GW_HIST_ALL)) < 0))
		goto cleanup;
	if ((error = gw_adopt__read_rows(&rs, p, t, qname.ptr)) < 0)
		goto cleanup;
	if (!(rep = calloc(1, sizeof(*rep))) || !(rep->table = gw_adopt__display_name(p, t))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	rep->own_tool = own;
	rep->tool = &rep->own_tool;
	rep->dry_run = dry_run;
	if ((error = build_report(rep, p, &rs, &h, keys)) < 0)
		goto cleanup;
	if ((problems = gw_adopt_report_count_action(rep, GW_ADOPT_PROBLEM)))
		error = refuse(p, rep, problems);
	else if (!dry_run)
		error = record(rep, p);
cleanup:
	if (!dry_run)
		gw_project__unlock(p);
	if (attached)
		gw_project__exec(p, "DETACH DATABASE sqitch", NULL, 0, NULL, NULL);
	/* A refusal keeps its report: it names the problems. */
	if (error < 0 && error != GW_ESTATE) {
		gw_adopt_report_free(rep);
		rep = NULL;
	}
	*out = rep;
	free_keys(keys, src ? src->count : 0);
	gw_adopt__rows_dispose(&rs);
	gw_hist_dispose(&h);
	gw_str_dispose(&qname);
	return error;
}

/* ---- the report --------------------------------------------------------- */

const char *gw_adopt_report_tool(const gw_adopt_report *r)
{
	return r ? r->tool->name : NULL;
}

const char *gw_adopt_report_table(const gw_adopt_report *r)
{
	return r ? r->table : NULL;
}

int gw_adopt_report_dry_run(const gw_adopt_report *r)
{
	return r ? r->dry_run : 0;
}

size_t gw_adopt_report_recorded(const gw_adopt_report *r)
{
	return r ? r->recorded : 0;
}

size_t gw_adopt_report_count_action(const gw_adopt_report *r, gw_adopt_action action)
{
	size_t i, n = 0;

	for (i = 0; r && i < r->count; i++)
		n += r->entries[i].action == action;
	return n;
}

size_t gw_adopt_report_count(const gw_adopt_report *r)
{
	return r ? r->count : 0;
}

const gw_adopt_entry *gw_adopt_report_get(const gw_adopt_report *r, size_t i)
{
	return r && i < r->count ? &r->entries[i] : NULL;
}

void gw_adopt_report_free(gw_adopt_report *r)
{
	if (!r)
		return;
	free(r->table);
	free(r->entries);
	gw_vec_dispose(&r->owned, free);
	free(r);
}

const char *gw_adopt_action_name(gw_adopt_action action)
{
	switch (action) {
	case GW_ADOPT_RECORD:
		return "record";
	case GW_ADOPT_ALREADY:
		return "already recorded";
	case GW_ADOPT_PENDING:
		return "pending";
	case GW_ADOPT_PROBLEM:
		return "problem";
	}
	return "unknown";
}

const char *gw_adopt_checksum_name(gw_adopt_checksum c)
{
	switch (c) {
	case GW_ADOPT_SUM_NONE:
		return "none";
	case GW_ADOPT_SUM_VERIFIED:
		return "verified";
	case GW_ADOPT_SUM_MISMATCH:
		return "mismatch";
	case GW_ADOPT_SUM_NOT_VERIFIED:
		return "not verified";
	}
	return "unknown";
}
