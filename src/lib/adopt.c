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
#include "adopt_priv.h"
#include "godwit/adopt.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"

/* What the tool keeps to check a file against. */
typedef enum { SUM_NONE, SUM_FLYWAY } sum_kind;

/* How a tool's table is read: each query yields (key, applied time,
 * checksum, flag) rows in the order the tool wrote them, so a later row
 * about a version overrides an earlier one (goose re-runs). */
typedef struct tool_def {
	const char *name;
	const char *title; /* for messages */
	const char *schema;
	const char *table;
	const char *key;
	const char *time; /* a column, or NULL when the tool keeps no time */
	const char *sum;  /* a column, or NULL */
	const char *flag; /* ok | dirty | failed | unfinished | reverted | baseline */
	const char *where;
	const char *order;
	int upto;      /* one row stands for every migration up to its version */
	int by_digits; /* match versions on their digits (diesel) */
	sum_kind sums;
} tool_def;

/* Table definitions: see docs/coming-from.md and tests/cli/t61xx-*.sh for
 * each tool's DDL and where it comes from. */
static const tool_def tools[] = {
        {"dbmate", "dbmate", NULL, "schema_migrations", "version", NULL, NULL, "'ok'", NULL,
         "version", 0, 0, SUM_NONE},
        {"golang-migrate", "golang-migrate", NULL, "schema_migrations", "version", NULL, NULL,
         "CASE WHEN dirty THEN 'dirty' ELSE 'ok' END", NULL, "version", 1, 0, SUM_NONE},
        /* goose writes a row per apply and per revert; version 0 is the
         * row it adds when it creates the table. */
        {"goose", "goose", NULL, "goose_db_version", "version_id", "tstamp", NULL,
         "CASE WHEN is_applied THEN 'ok' ELSE 'reverted' END", "version_id <> 0", "id", 0, 0,
         SUM_NONE},
        {"flyway", "Flyway", NULL, "flyway_schema_history", "version", "installed_on", "checksum",
         "CASE WHEN NOT success THEN 'failed' WHEN type LIKE 'UNDO%' OR type = 'DELETE' THEN "
         "'reverted' WHEN type = 'BASELINE' THEN 'baseline' ELSE 'ok' END",
         "version IS NOT NULL AND type <> 'SCHEMA'", "installed_rank", 0, 0, SUM_FLYWAY},
        {"diesel", "diesel", NULL, "__diesel_schema_migrations", "version", "run_on", NULL, "'ok'",
         NULL, "version", 0, 1, SUM_NONE},
};

#define NTOOLS (sizeof(tools) / sizeof(tools[0]))

static const char *const tool_names[] = {"dbmate", "golang-migrate", "goose",
                                         "flyway", "diesel",         NULL};

const char *const *gw_adopt_tools(void)
{
	return tool_names;
}

struct gw_adopt_report {
	const tool_def *tool;
	char *table;
	int dry_run;
	size_t recorded;
	gw_adopt_entry *entries;
	size_t count;
	gw_vec owned;
	int failed;
};

/* One row of the tool's table. */
typedef struct tool_row {
	char *key;
	char *at;
	char *sum;
	char *flag;
	int matched;
} tool_row;

typedef struct rows {
	gw_vec v;
	int failed;
} rows;

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

static void free_row(void *ptr)
{
	tool_row *t = ptr;

	if (!t)
		return;
	free(t->key);
	free(t->at);
	free(t->sum);
	free(t->flag);
	free(t);
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

static long find_migration(const gw_source *src, const tool_def *t, const char *key)
{
	char a[128], b[128];
	size_t i;

	if (t->by_digits)
		digits_of(b, sizeof(b), key, 1);
	for (i = 0; i < src->count; i++) {
		const gw_migration *m = src->items[i];

		if (m->repeatable)
			continue;
		if (!t->by_digits && !gw_version_cmp(m->version, key))
			return (long)i;
		if (t->by_digits) {
			digits_of(a, sizeof(a), m->version, 0);
			if (a[0] && !strcmp(a, b))
				return (long)i;
		}
	}
	return -1;
}

/* ---- checksums the other tools keep ------------------------------------- */

/* Flyway's checksum (ChecksumCalculator): CRC-32 updated with every line
 * of the file without its line break, the first line without its UTF-8
 * byte order mark, as a signed 32-bit integer. Updating line by line is
 * the CRC of the text with every CR and LF left out. */
static int32_t flyway_crc32(const char *text, size_t len)
{
	uint32_t crc = 0xffffffffu;
	size_t i = 0;
	int bit;

	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		i = 3;
	for (; i < len; i++) {
		if (text[i] == '\r' || text[i] == '\n')
			continue;
		crc ^= (unsigned char)text[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return (int32_t)(crc ^ 0xffffffffu);
}

static int same_text(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a | 0x20) != (*b | 0x20))
			return 0;
	return *a == *b;
}

/* Compares the tool's checksum with the file as it is now. */
static int check_sum(gw_adopt_checksum *out, gw_project *p, const tool_def *t,
                     const gw_migration *m, const char *sum)
{
	gw_source_text text = GW_SOURCE_TEXT_INIT;
	char computed[GW_CHECKSUM_HEX];
	int error;

	*out = GW_ADOPT_SUM_NONE;
	if (t->sums == SUM_NONE || !sum)
		return 0;
	/* The whole file: both tools checksum the file, not a section. */
	if ((error = gw_source_read_up(&text, p->source, m, p->ctx)) < 0)
		return error;
	snprintf(computed, sizeof(computed), "%ld",
	         (long)flyway_crc32(text.file_text.ptr, text.file_text.size));
	gw_source_text_dispose(&text);
	if (error == 0)
		*out = same_text(computed, sum) ? GW_ADOPT_SUM_VERIFIED : GW_ADOPT_SUM_MISMATCH;
	return error;
}

/* ---- reading the tool's table ------------------------------------------- */

static int qualified(gw_str *out, gw_project *p, const tool_def *t)
{
	char *q = NULL;
	int error = 0;

	if (t->schema && p->driver->dialect == GW_DIALECT_POSTGRES) {
		if ((error = p->driver->quote_ident(p->conn, t->schema, &q)) < 0)
			return error;
		gw_str_printf(out, "%s.", q);
		free(q);
		q = NULL;
	}
	if ((error = p->driver->quote_ident(p->conn, t->table, &q)) < 0)
		return error;
	gw_str_puts(out, q);
	free(q);
	return gw_str_failed(out) ? gw_error_oom(p->ctx) : 0;
}

static int bool_row(void *payload, int ncols, const char *const *values)
{
	int *out = payload;

	*out = ncols > 0 && values[0] && (values[0][0] == 't' || values[0][0] == '1');
	return 0;
}

static int exec1(gw_project *p, const char *sql, const char *const *params, int n, gw_row_cb cb,
                 void *payload)
{
	gw_stmt stmt = {sql, strlen(sql), params, n};

	return p->conn->driver->exec(p->conn, &stmt, cb, payload);
}

static int table_exists(int *exists, gw_project *p, const tool_def *t, const char *qname)
{
	const char *params[1];

	if (p->driver->dialect == GW_DIALECT_POSTGRES) {
		params[0] = qname;
		return exec1(p, "SELECT to_regclass($1) IS NOT NULL", params, 1, bool_row, exists);
	}
	params[0] = t->table;
	return exec1(p, "SELECT count(*) = 1 FROM sqlite_master WHERE type = 'table' AND name = $1",
	             params, 1, bool_row, exists);
}

static int add_row(void *payload, int ncols, const char *const *v)
{
	rows *rs = payload;
	tool_row *t = calloc(1, sizeof(*t));

	if (!t || ncols < 4 || gw_vec_push(&rs->v, t) < 0) {
		free(t);
		rs->failed = 1;
		return 1;
	}
	t->key = gw_strdup(v[0]);
	t->at = gw_strdup(v[1]);
	t->sum = gw_strdup(v[2]);
	t->flag = gw_strdup(v[3] ? v[3] : "ok");
	if (!t->key || !t->flag || (v[1] && !t->at) || (v[2] && !t->sum))
		rs->failed = 1;
	return rs->failed;
}

/* A time column as ISO 8601 UTC text. A timestamp without time zone is
 * read in the session's zone, the one the tool wrote it in. */
static void put_time(gw_str *s, gw_project *p, const char *col)
{
	if (!col)
		gw_str_puts(s, "NULL");
	else if (p->driver->dialect == GW_DIALECT_POSTGRES)
		gw_str_printf(s,
		              "to_char(CAST(%s AS timestamptz) AT TIME ZONE 'UTC', "
		              "'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')",
		              col);
	else
		gw_str_printf(s, "CAST(%s AS text)", col);
}

static int read_rows(rows *rs, gw_project *p, const tool_def *t, const char *qname)
{
	gw_str sql = GW_STR_INIT;
	int error;

	gw_str_printf(&sql, "SELECT CAST(%s AS text), ", t->key);
	put_time(&sql, p, t->time);
	gw_str_printf(&sql, ", %s%s%s, %s FROM %s", t->sum ? "CAST(" : "NULL", t->sum ? t->sum : "",
	              t->sum ? " AS text)" : "", t->flag, qname);
	if (t->where)
		gw_str_printf(&sql, " WHERE %s", t->where);
	gw_str_printf(&sql, " ORDER BY %s", t->order);
	if (gw_str_failed(&sql))
		error = gw_error_oom(p->ctx);
	else
		error = exec1(p, sql.ptr, NULL, 0, add_row, rs);
	if (rs->failed && error >= 0)
		error = gw_error_oom(p->ctx);
	if (error < 0)
		gw_error_prefix(p->ctx, "cannot read the %s history in %s: ", t->title, qname);
	gw_str_dispose(&sql);
	return error;
}

/* ---- deciding ----------------------------------------------------------- */

/* The tool's last word on each migration of the folder. */
static void match_rows(const tool_row **last, const gw_source *src, const tool_def *t,
                       const rows *rs)
{
	size_t r, i;

	for (r = 0; r < rs->v.len; r++) {
		tool_row *row = rs->v.items[r];
		long mi = find_migration(src, t, row->key);

		if (mi < 0)
			continue;
		row->matched = 1;
		last[mi] = row;
		/* golang-migrate's one row, and a Flyway baseline, stand for
		 * every migration up to theirs that has no row of its own. */
		if (!t->upto && strcmp(row->flag, "baseline"))
			continue;
		for (i = 0; i < (size_t)mi; i++)
			if (!src->items[i]->repeatable && (t->upto || !last[i]))
				last[i] = row;
	}
}

static const char *found_word(const char *flag)
{
	if (!strcmp(flag, "ok"))
		return "applied";
	if (!strcmp(flag, "reverted"))
		return "rolled back";
	return flag; /* dirty, failed, unfinished, baseline */
}

static const char *flag_problem(gw_adopt_report *rep, const char *flag)
{
	const char *tool = rep->tool->title;

	if (!strcmp(flag, "dirty"))
		return keepf(rep,
		             "%s marks it dirty: it failed half-way; fix the database, then "
		             "clear the flag with '%s force VERSION' or use 'godwit baseline'",
		             tool, "migrate");
	if (!strcmp(flag, "failed"))
		return keepf(rep,
		             "%s recorded it as failed (success = false); repair or remove "
		             "the failed row first",
		             tool);
	return NULL;
}

static void decide(gw_adopt_report *rep, gw_adopt_entry *e, const tool_row *row,
                   const gw_hist_row *h, const gw_migration *m)
{
	const char *why = row ? flag_problem(rep, row->flag) : NULL;
	int applied = row && (!strcmp(row->flag, "ok") || !strcmp(row->flag, "baseline"));

	if (why) {
		e->action = GW_ADOPT_PROBLEM;
		e->problem = why;
	} else if (applied && e->checksum == GW_ADOPT_SUM_MISMATCH) {
		e->action = GW_ADOPT_PROBLEM;
		e->problem = keepf(rep,
		                   "the file changed since %s applied it (%s checksum %s); restore "
		                   "it, or adopt and then 'godwit repair' after a review",
		                   rep->tool->title, rep->tool->title, row->sum);
	} else if (applied && h &&
	           (strcmp(h->state, "applied") || strcmp(h->checksum, m->checksum))) {
		e->action = GW_ADOPT_PROBLEM;
		e->problem = keepf(rep, "godwit already records it as %s; settle that first",
		                   strcmp(h->state, "applied") ? "dirty"
		                                               : "applied with another checksum");
	} else if (h) {
		e->action = GW_ADOPT_ALREADY;
	} else {
		e->action = applied ? GW_ADOPT_RECORD : GW_ADOPT_PENDING;
	}
}

static int build_report(gw_adopt_report *rep, gw_project *p, const rows *rs, const gw_hist *h)
{
	const gw_source *src = p->source;
	const tool_row **last = calloc(src->count + 1, sizeof(*last));
	size_t i;
	int error = 0;

	rep->entries = calloc(src->count + rs->v.len + 1, sizeof(*rep->entries));
	if (!last || !rep->entries) {
		free(last);
		return gw_error_oom(p->ctx);
	}
	match_rows(last, src, rep->tool, rs);
	for (i = 0; i < src->count && error == 0; i++) {
		const gw_migration *m = src->items[i];
		gw_adopt_entry *e = &rep->entries[rep->count];
		const tool_row *row = last[i];

		if (m->repeatable)
			continue;
		rep->count++;
		e->version = m->version;
		e->name = m->name;
		e->file = m->up_file;
		e->found = row ? keep(rep, found_word(row->flag)) : "not applied";
		e->applied_at = row ? keep(rep, row->at) : NULL;
		e->tool_checksum = row ? keep(rep, row->sum) : NULL;
		if (row && (!strcmp(row->flag, "ok") || !strcmp(row->flag, "baseline")))
			error = check_sum(&e->checksum, p, rep->tool, m, row->sum);
		decide(rep, e, row, gw_hist_find(h, m->version), m);
	}
	/* Rows of the tool that match no file, in the tool's order. */
	for (i = 0; i < rs->v.len && error == 0; i++) {
		const tool_row *row = rs->v.items[i];
		gw_adopt_entry *e;

		if (row->matched || !strcmp(row->flag, "reverted"))
			continue;
		e = &rep->entries[rep->count++];
		e->version = keep(rep, row->key);
		e->found = keep(rep, found_word(row->flag));
		e->applied_at = keep(rep, row->at);
		e->tool_checksum = keep(rep, row->sum);
		e->action = GW_ADOPT_PROBLEM;
		e->problem = keepf(rep,
		                   "%s applied it, but no file in %s has this version; "
		                   "restore the file",
		                   rep->tool->title, p->dir);
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

	for (i = 0; name && i < NTOOLS; i++)
		if (!strcmp(tools[i].name, name))
			return &tools[i];
	if (name && (!strcmp(name, "migrate") || !strcmp(name, "golang")))
		return &tools[1];
	return NULL;
}

static int refuse(gw_project *p, const gw_adopt_report *rep, size_t problems)
{
	gw_error_set(p->ctx, GW_ESTATE,
	             "cannot adopt the %s history: %zu migration%s disagree%s with %s; "
	             "nothing was recorded",
	             rep->tool->title, problems, problems == 1 ? "" : "s", problems == 1 ? "s" : "",
	             p->dir);
	gw_error_set_hint(p->ctx,
	                  "fix each problem listed, then run 'godwit adopt --from %s' "
	                  "again",
	                  rep->tool->name);
	return GW_ESTATE;
}

static int open_tool_table(gw_str *qname, gw_project *p, const tool_def *t)
{
	gw_conn *conn;
	int exists = 0, error;

	if ((error = gw_project__connect(&conn, p)) < 0 || (error = qualified(qname, p, t)) < 0 ||
	    (error = table_exists(&exists, p, t, qname->ptr)) < 0)
		return error;
	if (exists)
		return 0;
	gw_error_set(p->ctx, GW_ENOTFOUND,
	             "no %s history in this database: table %s does not exist", t->title,
	             qname->ptr);
	gw_error_set_hint(p->ctx, "check --url, and that %s used its default table", t->title);
	return GW_ENOTFOUND;
}

int gw_project_adopt(gw_adopt_report **out, gw_project *p, const char *tool, int dry_run)
{
	const tool_def *t = find_tool(tool);
	gw_adopt_report *rep = NULL;
	rows rs = {GW_VEC_INIT, 0};
	gw_hist h = {NULL, 0};
	gw_str qname = GW_STR_INIT;
	gw_source *src;
	int exists = 0, error;
	size_t problems;

	*out = NULL;
	if (!t) {
		gw_error_set(p->ctx, GW_EINVALID, "cannot adopt from '%s': unknown tool",
		             tool ? tool : "");
		gw_error_set_hint(p->ctx, "one of dbmate, golang-migrate, goose, flyway, diesel");
		return GW_EINVALID;
	}
	if ((error = gw_project__source(&src, p)) < 0 ||
	    (error = open_tool_table(&qname, p, t)) < 0)
		goto cleanup;
	/* A dry run creates nothing, not even the history tables. */
	if (!dry_run && (error = gw_project__lock(p)) < 0)
		goto cleanup;
	if ((error = gw_hist_exists(&exists, p)) < 0 ||
	    (exists && (error = gw_hist_load(&h, p)) < 0))
		goto cleanup;
	if ((error = read_rows(&rs, p, t, qname.ptr)) < 0)
		goto cleanup;
	if (!(rep = calloc(1, sizeof(*rep))) || !(rep->table = gw_strdup(qname.ptr))) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	rep->tool = t;
	rep->dry_run = dry_run;
	if ((error = build_report(rep, p, &rs, &h)) < 0)
		goto cleanup;
	if ((problems = gw_adopt_report_count_action(rep, GW_ADOPT_PROBLEM)))
		error = refuse(p, rep, problems);
	else if (!dry_run)
		error = record(rep, p);
cleanup:
	if (!dry_run)
		gw_project__unlock(p);
	/* A refusal keeps its report: it names the problems. */
	if (error < 0 && error != GW_ESTATE) {
		gw_adopt_report_free(rep);
		rep = NULL;
	}
	*out = rep;
	gw_vec_dispose(&rs.v, free_row);
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
