/*
 * lint_int.h: what the lint engine (lint.c) and its rule families
 * (lint_*.c, one file a family) share.
 *
 * The engine parses a migration once into libpg_query's typed tree and
 * hands each statement to every family in a gw_lint_cx, which also carries
 * what the earlier statements of the file established (tables it created,
 * whether lock_timeout was set, whether an explicit BEGIN is open). A rule
 * reports through gw_lint__report; the engine applies the configured
 * level, the `-- godwit:ignore` comments, and turns offsets into lines.
 */
#ifndef GW_LIB_SQL_LINT_INT_H
#define GW_LIB_SQL_LINT_INT_H

#include <stddef.h>

#include <pg_query/pg_query.pb-c.h>

#include "godwit/lint.h"
#include "godwit/sys/driver.h"
#include "../../util/str.h"
#include "../../util/vec.h"

struct gw_findings {
	gw_finding *items;
	size_t count, cap;
	gw_dialect dialect; /* what validate or lint checked; 0 for a plan's */
	gw_dialect_from dialect_from;
};

/* The level of every rule of gw_lint_rule_get, by index. */
typedef struct gw_lint_levels {
	gw_level *level;
	size_t count;
} gw_lint_levels;

int gw_lint__levels(gw_lint_levels *out, const gw_lint_options *opts, gw_ctx *ctx);
void gw_lint__levels_dispose(gw_lint_levels *l);
gw_level gw_lint__level(const gw_lint_levels *l, const char *rule);
long gw_lint__rule_index(const char *id);

int gw_findings__new(gw_findings **out, gw_ctx *ctx);
/* Adds a finding; strings are copied. source_line (source_len bytes) may
 * be NULL, and so may help, table and lock. */
int gw_findings__add(gw_findings *f, const gw_finding *tmpl, size_t source_len);
/* Sorts by file, line, column, keeping the order of equal positions. */
void gw_findings__sort(gw_findings *f);

/* Line starts of a text, for turning many offsets into positions. */
typedef struct gw_lines {
	const char *text;
	size_t len;
	size_t *starts;
	size_t count;
} gw_lines;

int gw_lines_build(gw_lines *out, const char *text, size_t len);
void gw_lines_dispose(gw_lines *l);
/* 1-based line and column (characters) of offset at; *line_off and
 * *line_len (may be NULL) get the line's text without its newline. */
void gw_lines_pos(const gw_lines *l, size_t at, int *line, int *column, size_t *line_off,
                  size_t *line_len);
/* Adds a finding at byte offset at of the text l indexes. */
int gw_findings__add_at(gw_findings *f, const gw_lines *l, size_t at, const char *rule,
                        gw_level level, const char *file, const char *table, const char *lock,
                        const char *help, const char *message);

/* What a section of a file is checked for. */
enum {
	GW_CHECK_SYNTAX = 1 << 0,  /* the parser's verdict (always on) */
	GW_CHECK_PLPGSQL = 1 << 1, /* compile PL/pgSQL bodies */
	GW_CHECK_RULES = 1 << 2,   /* the lint rules */
	/* SQLite's SQL: statements PostgreSQL's parser cannot read are
	 * skipped (validate checks them with SQLite), and only the rules that
	 * mean something on SQLite report. */
	GW_CHECK_SQLITE = 1 << 3,
};

/* One section (the up or down part) of a file: text[off, off + len) is
 * what runs. no_tx_directive: the file says it runs without a transaction.
 * runner_lock_timeout_ms: the lock_timeout the runner sets before the
 * section runs (0: none), so a statement needs no SET of its own. */
typedef struct gw_lint_section {
	const char *file; /* for findings */
	const char *text; /* the whole file */
	size_t text_len;
	const gw_lines *lines; /* of text */
	size_t off, len;
	int no_tx_directive;
	int runner_lock_timeout_ms;
	unsigned int checks;
	/* Comma-separated schemas the API exposes (Supabase), where a new
	 * table needs row-level security; NULL: none. */
	const char *rls_schemas;
} gw_lint_section;

int gw_lint__section(gw_findings *f, const gw_lint_levels *levels, const gw_lint_section *sec,
                     gw_ctx *ctx);

/* ---- for the rules -------------------------------------------------------- */

typedef struct gw_lint_cx {
	const PgQuery__Node *node; /* the statement */
	const gw_lint_section *sec;
	size_t stmt_off; /* the statement's first token, offset in sec->text */
	size_t stmt_len;
	size_t index;       /* statement number in the section, from 0 */
	int transactional;  /* the runner wraps the section in a transaction */
	int in_block;       /* an explicit BEGIN is open */
	int timeout_set;    /* SET lock_timeout / statement_timeout seen */
	int timeout_noted;  /* require-timeout-settings reported once */
	size_t block_off;   /* where the open BEGIN is */
	gw_vec created;     /* char *: tables created earlier in the section */
	gw_vec dropped;     /* char *: relation names of tables dropped earlier */
	gw_vec rls_pending; /* lint_danger.c: new exposed tables without RLS yet */
	/* lint_tables.c: "table|constraint|column" of each CHECK (column IS
	 * NOT NULL) added, and "table|column" once one is valid, which makes
	 * a later SET NOT NULL skip its scan. */
	gw_vec not_null_checks;
	gw_vec not_null_proven;
	int run_failed; /* out of memory in a rule */
	struct lint_run *run;
} gw_lint_cx;

/* Where a statement is, to report on it after later ones were walked. */
typedef struct gw_lint_stmt_pos {
	size_t off, len;
	int first_line, last_line, prev_last_line;
} gw_lint_stmt_pos;

void gw_lint__stmt_pos(const gw_lint_cx *cx, gw_lint_stmt_pos *out);
void gw_lint__at_stmt(gw_lint_cx *cx, const gw_lint_stmt_pos *pos);

/* Reports rule at parse location `location` (a byte offset in the
 * section, as the parser gives it; -1 for the statement's start). help
 * NULL: the rule's documented safe alternative. */
void gw_lint__report(gw_lint_cx *cx, const char *rule, int location, const char *table,
                     const char *lock, const char *help, const char *fmt, ...)
        GW_FORMAT_PRINTF(7, 8);

/* Whether the rule is on, so a rule can skip work. */
int gw_lint__on(const gw_lint_cx *cx, const char *rule);

/* The table was created earlier in this section: nobody else can be using
 * it, so locks and rewrites on it cost nothing. */
int gw_lint__is_new(const gw_lint_cx *cx, const PgQuery__RangeVar *rv);
/* "schema.table" or "table" in a static buffer-free form: into buf. */
const char *gw_lint__relname(const PgQuery__RangeVar *rv, char *buf, size_t size);
/* "schema.table" as the server resolves the name with the default
 * search_path (unqualified: public, or pg_temp for a TEMPORARY table), so
 * that `public.e` and `e` compare equal: into buf. */
const char *gw_lint__table_key(const PgQuery__RangeVar *rv, char *buf, size_t size);
/* The table `SELECT ... INTO name` creates, or NULL. */
const PgQuery__RangeVar *gw_lint__select_into(const PgQuery__SelectStmt *s);
/* The i-th command of an ALTER TABLE, or NULL when that node is not one. */
const PgQuery__AlterTableCmd *gw_lint__alter_cmd(const PgQuery__AlterTableStmt *a, size_t i);
/* The last part of a type's name, lower case as the parser gives it
 * ("int4", "varchar", "json"). "" when none. */
const char *gw_lint__type_name(const PgQuery__TypeName *t);
/* The sval of a String node, or NULL. */
const char *gw_lint__string(const PgQuery__Node *n);
/* An option's value as the boolean PostgreSQL's defGetBoolean reads: no
 * value, or one (a Boolean, an Integer or a word) that is not false, off
 * or 0: VACUUM (FULL off) is no VACUUM FULL, NOSUPERUSER grants nothing. */
int gw_lint__option_true(const PgQuery__DefElem *d);
/* A string that is just a placeholder (${NAME}, or psql's :'name' as
 * the project's lint sees it), whose value comes from outside the file. */
int gw_lint__placeholder(const char *literal);
/* An expression whose value may differ per row (a volatile function). */
int gw_lint__volatile(const PgQuery__Node *n);
/* Calls fn on every message of type `want` anywhere in the statement's
 * tree, outermost first, not inside a match (lint_secrets.c). */
typedef void (*gw_lint_visitor)(gw_lint_cx *cx, const ProtobufCMessage *m);
void gw_lint__visit(gw_lint_cx *cx, const PgQuery__Node *n, const ProtobufCMessageDescriptor *want,
                    gw_lint_visitor fn);

/* The families, each in its own lint_<family>.c. */
void gw_lint__check_tables(gw_lint_cx *cx);   /* lint_tables.c: rewrites, constraints */
void gw_lint__check_indexes(gw_lint_cx *cx);  /* lint_indexes.c */
void gw_lint__check_breaking(gw_lint_cx *cx); /* lint_breaking.c: drops, renames */
void gw_lint__check_types(gw_lint_cx *cx);    /* lint_types.c */
void gw_lint__check_tx(gw_lint_cx *cx);       /* lint_tx.c: transactions, timeouts */
void gw_lint__check_secrets(gw_lint_cx *cx);  /* lint_secrets.c */
void gw_lint__check_misc(gw_lint_cx *cx);     /* lint_misc.c */
void gw_lint__check_danger(gw_lint_cx *cx);   /* lint_danger.c: data loss, access */
/* After the last statement: what the whole migration had to do (when
 * report), and its state freed. */
void gw_lint__check_danger_end(gw_lint_cx *cx, int report);

#endif
