/*
 * schema_sql.h: what the files that write SQL from two snapshots share:
 * schema_sql.c (the script, the lookups, the generator and its walk),
 * schema_sql_table.c (columns and tables), schema_sql_object.c (comments,
 * privileges, schemas, types, sequences, functions, views),
 * schema_sql_domain.c (domains), schema_sql_rename.c (--rename), schema_sql_rebuild.c (a table made
 * again in B's column order), schema_sql_sqlite.c (SQLite's table
 * rebuilds).
 */
#ifndef GW_LIB_SCHEMA_SQL_H
#define GW_LIB_SCHEMA_SQL_H

#include "godwit/generate.h"
#include "schema.h"

/* The parts of a script, in the order they run. */
enum {
	GW_SQ_HEADER,
	GW_SQ_RENAME,
	GW_SQ_DROP_VIEW,
	GW_SQ_DROP_TRIGGER,
	GW_SQ_DROP_FK,
	GW_SQ_DROP_CONSTRAINT,
	GW_SQ_DROP_TABLE,
	GW_SQ_SCHEMA,
	GW_SQ_TYPE,
	GW_SQ_SEQUENCE,
	GW_SQ_FUNCTION,
	GW_SQ_TABLE,
	GW_SQ_COLUMN,
	GW_SQ_REFUNCTION, /* functions dropped and created again */
	GW_SQ_CONSTRAINT,
	GW_SQ_FK,
	GW_SQ_OWNED,
	GW_SQ_VIEW,
	GW_SQ_TRIGGER,
	GW_SQ_DROP_LATE,
	GW_SQ_COMMENT,
	GW_SQ_PRIV,
	GW_SQ_CHECK,    /* PRAGMA foreign_key_check after SQLite's rebuilds */
	GW_SQ_VALIDATE, /* a transaction of its own: VALIDATE, SET NOT NULL */
	GW_SQ_TAIL,     /* outside a transaction from here on */
	GW_SQ_TAIL_FK,
	GW_SQ_COUNT
};

struct gw_sql {
	gw_str part[GW_SQ_COUNT];
	char *text, *head, *middle, *tail;
	gw_vec warnings;
	size_t unexpressed, count;
	int head_no_transaction;
	int failed;
	const gw_ctx *ctx; /* whose wording the warnings' actions take */
};

/* A statement (";" and a newline are added), a comment line, a warning
 * (also kept in the list), something that cannot be expressed. */
void gw_sql__emit(gw_sql *q, int part, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
void gw_sql__note(gw_sql *q, int part, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
void gw_sql__warn(gw_sql *q, int part, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
/* A warning whose action is a hint code the program words (gw_ctx_set_wording):
 * fmt's text, the wording of code, then end. */
void gw_sql__warn_action(gw_sql *q, int part, int code, const char *end, const char *fmt, ...)
        GW_FORMAT_PRINTF(5, 6);
void gw_sql__unexpressed(gw_sql *q, int part, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);

/* The member of o with this key ("column email"), or NULL. */
const char *gw_sql__member(const gw_schema_object *o, const char *key, size_t keylen);
/* The object of kind and name, or NULL. */
const gw_schema_object *gw_sql__find(const gw_schema *s, const char *kind, const char *name);

/* ---- schema_sql.c: lookups ------------------------------------------------- */

int gw_sql__streq(const char *a, const char *b); /* both NULL, or equal */
int gw_sql__starts(const char *s, const char *prefix);
int gw_sql__ends(const char *s, const char *suffix);
/* The member that starts with prefix ("partition of "), or NULL. */
const char *gw_sql__head_member(const gw_schema_object *o, const char *prefix);
/* End of an identifier at p: a "quoted ""name""" or a plain word. */
const char *gw_sql__ident_end(const char *p);
/* The schema and relation of "nsp.rel" (rel alone when unqualified). */
void gw_sql__split_name(const char *name, gw_str *nsp, gw_str *rel);
/* 1 when word appears in text as a whole word. */
int gw_sql__mentions(const char *text, const char *word, size_t len);
/* The relation part of an object name, for gw_sql__mentions. */
void gw_sql__rel_word(gw_str *out, const char *name);
/* A text as an SQL literal ('it''s'); an identifier as the server stores
 * it ("Id" → Id, id → id). */
void gw_sql__literal(gw_str *out, const char *s);
void gw_sql__unquoted(gw_str *out, const char *ident);

/* ---- schema_sql.c: the generator ------------------------------------------- */

/* A column or attribute member, cut into its parts (pointers into buf). */
typedef struct col {
	char *buf;
	const char *name, *type, *collate, *def, *gen;
	const char *idopts; /* "start 1 increment 2 ...", NULL for the defaults */
	int notnull;
	char identity; /* 0, 'a' always, 'd' by default */
} col;

/* One script being generated: its options, its two sides, and what the
 * walk learns on its way that later statements depend on. */
typedef struct gen {
	gw_sql *q;
	const gw_sql_options *o;
	const gw_schema *a, *b;
	gw_vec affected;  /* char *: relation and function words whose views must be rebuilt */
	gw_vec rekeyed;   /* char *: tables whose primary or unique keys change */
	gw_vec uniq_tail; /* char *: tables that get a key in the tail */
	gw_vec labels;    /* char *: enum labels added */
	gw_vec tail_idx;  /* char *: indexes built in the tail (their comments follow) */
	gw_vec refunc;    /* char *: functions dropped and created again */
	gw_vec rebuilt;   /* char *: tables made again in B's column order */
	gw_vec made;      /* char *: "TABLE trigger NAME", "TABLE policy NAME" made */
} gen;

int gw_sql__has_word(const gw_vec *v, const char *w);
/* Adds the relation word of name to v once. */
void gw_sql__add_word(gen *g, gw_vec *v, const char *name);
/* The SQL word of a snapshot kind ("matview" → "MATERIALIZED VIEW"). */
const char *gw_sql__sql_kind(const char *kind);
/* The schema of an object name ("public" of "public.t"). */
void gw_sql__object_schema(gw_str *out, const char *name);
/* The name a member names, the text after it, a view's or function's
 * definition. */
void gw_sql__member_name(gw_str *out, const char *m);
/* Disposes of a string a statement was made from: when it ran out of
 * memory, the script fails (the statement said less than it should). */
void gw_sql__dispose(gen *g, gw_str *s);
const char *gw_sql__member_body(const char *m);
const char *gw_sql__definition(const gw_schema_object *o);
int gw_sql__is_constraint(const char *m);
int gw_sql__is_column(const char *m); /* a column or attribute */

/* ---- schema_sql_table.c ------------------------------------------------------ */

/* Cut s at sep (the text after it) or at its suffix (where it was). */
char *gw_sql__cut(char *s, const char *sep);
char *gw_sql__cut_end(char *s, const char *suffix);
int gw_sql__col_parse(col *c, const char *member);
void gw_sql__col_dispose(col *c);
/* The column's definition for CREATE TABLE and ADD COLUMN. */
void gw_sql__col_sql(gw_str *out, const col *c);
/* 1 when ALTER TABLE leaves the columns of b out of b's order (those of
 * readded dropped and added again); with warn, a warning says so. */
int gw_sql__column_order(gen *g, const gw_schema_object *a, const gw_schema_object *b,
                         const gw_vec *readded, int warn);
/* The generated columns of b to drop and add again (names into out). */
int gw_sql__regenerated(gen *g, const gw_schema_object *a, const gw_schema_object *b, gw_vec *out);
/* " WITH (fillfactor=70)": o's storage parameters or view options. */
void gw_sql__with(gw_str *s, const gw_schema_object *o);
/* " (col type ..., ...)": the columns of t for CREATE TABLE. */
void gw_sql__column_list(gen *g, gw_str *s, const gw_schema_object *t);
/* What a new table has beside its columns: constraints, indexes,
 * triggers, policies, row security, comments (and grants). */
void gw_sql__new_table_members(gen *g, const gw_schema_object *t);
/* 1 for the constructor functions of a range type. */
int gw_sql__range_function(const gw_schema *s, const gw_schema_object *f);
/* A column of a table, or an attribute of a composite type, from ca to cb. */
void gw_sql__alter_column(gen *g, const gw_schema_object *t, const col *ca, const col *cb);
void gw_sql__add_index(gen *g, const gw_schema_object *t, const char *m, int part, int existing);
void gw_sql__drop_index(gen *g, const gw_schema_object *t, const char *m);
void gw_sql__add_trigger(gen *g, const gw_schema_object *t, const char *m, int part);
void gw_sql__create_table(gen *g, const gw_schema_object *t);
void gw_sql__alter_table(gen *g, const gw_schema_object *a, const gw_schema_object *b);
/* Fills g->rekeyed and g->uniq_tail. */
void gw_sql__find_rekeyed(gen *g);

/* ---- schema_sql_rebuild.c ---------------------------------------------------- */

/* Fills g->rebuilt: the tables whose columns ALTER TABLE cannot put in
 * B's order (unless column_order_append); their views and the foreign
 * keys that point at them are made again. */
void gw_sql__find_rebuilt(gen *g);
/* A table made again in b's column order, its rows copied. */
void gw_sql__rebuild_table(gen *g, const gw_schema_object *a, const gw_schema_object *b);
/* The temporary name of a table made again (nsp.godwit_new_rel) and its
 * relation part. */
void gw_sql__temp_name(gw_str *out, gw_str *rel, const char *name);
/* The owner and grants of a (the database's) given to the table tmp. */
void gw_sql__copy_grants(gen *g, const gw_schema_object *a, const char *tmp);

/* ---- schema_sql_foreign.c ---------------------------------------------------- */

/* Foreign-data wrappers and servers made or changed (before the tables). */
void gw_sql__wrappers_and_servers(gen *g);
/* A foreign table made (a NULL), changed or made again (a to b). */
void gw_sql__foreign_table(gen *g, const gw_schema_object *a, const gw_schema_object *b);
/* An event trigger made (a NULL), changed, or dropped (b NULL). */
void gw_sql__event_trigger(gen *g, const gw_schema_object *a, const gw_schema_object *b);

/* ---- schema_sql_replication.c ------------------------------------------------ */

/* A table's statistics targets, REPLICA IDENTITY and publications, from a
 * (NULL: made new) to b; readded names columns dropped and added again. */
void gw_sql__table_replication(gen *g, const gw_schema_object *a, const gw_schema_object *b,
                               const gw_vec *readded);
/* Publications made or changed. */
void gw_sql__publications(gen *g);

/* ---- schema_sql_object.c ----------------------------------------------------- */

/* A trigger or policy (what) of t just made in part: its comment is made
 * after it, and gw_sql__comments leaves it alone. */
void gw_sql__member_made(gen *g, const gw_schema_object *t, const char *what, const char *name,
                         int part);
/* ALTER DEFAULT PRIVILEGES from A's to B's, with --privileges (before
 * any object is created, so new ones get B's). */
void gw_sql__default_privileges(gen *g);
/* Comments and privileges of an object, from (NULL when new) to to. */
void gw_sql__comments(gen *g, const gw_schema_object *from, const gw_schema_object *to);
void gw_sql__create_schema(gen *g, const gw_schema_object *o);
void gw_sql__create_extension(gen *g, const gw_schema_object *o);
void gw_sql__alter_extension(gen *g, const gw_schema_object *a, const gw_schema_object *b);
void gw_sql__alter_enum(gen *g, const gw_schema_object *a, const gw_schema_object *b);

void gw_sql__create_type(gen *g, const gw_schema_object *o);
void gw_sql__create_sequence(gen *g, const gw_schema_object *o);
void gw_sql__alter_sequence(gen *g, const gw_schema_object *a, const gw_schema_object *b);
void gw_sql__create_function(gen *g, const gw_schema_object *o);
void gw_sql__alter_function(gen *g, const gw_schema_object *a, const gw_schema_object *b);
/* Views dropped, made again, created; the members of those kept. */
void gw_sql__views(gen *g);

/* The "RETURNS ..." line of a function's definition (its length in *len). */
const char *gw_sql__returns_line(const char *def, size_t *len);

/* ---- schema_sql_domain.c ----------------------------------------------------- */

void gw_sql__create_domain(gen *g, const gw_schema_object *o);
/* 1 when the domain was dropped and created again (with its comments). */
int gw_sql__alter_domain(gen *g, const gw_schema_object *a, const gw_schema_object *b);

/* ---- schema_sql_rename.c ----------------------------------------------------- */

/* `from` with o's renames made (their RENAME statements into q). */
int gw_sql__apply_renames(gw_schema **out, gw_sql *q, const gw_schema *from, const gw_schema *to,
                          const gw_sql_options *o, gw_ctx *ctx);

/* schema_sql_sqlite.c */
int gw_sql__sqlite(gw_sql *q, const gw_schema *from, const gw_schema *to, const gw_sql_options *o);

#endif
