/*
 * schema_sql.h: what the files that write SQL from two snapshots share:
 * schema_sql.c (the script, PostgreSQL), schema_sql_sqlite.c (SQLite's
 * table rebuilds).
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
};

/* A statement (";" and a newline are added), a comment line, a warning
 * (also kept in the list), something that cannot be expressed. */
void gw_sql__emit(gw_sql *q, int part, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
void gw_sql__note(gw_sql *q, int part, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
void gw_sql__warn(gw_sql *q, int part, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);
void gw_sql__unexpressed(gw_sql *q, int part, const char *fmt, ...) GW_FORMAT_PRINTF(3, 4);

/* The member of o with this key ("column email"), or NULL. */
const char *gw_sql__member(const gw_schema_object *o, const char *key, size_t keylen);
/* The object of kind and name, or NULL. */
const gw_schema_object *gw_sql__find(const gw_schema *s, const char *kind, const char *name);

/* schema_sql_sqlite.c */
int gw_sql__sqlite(gw_sql *q, const gw_schema *from, const gw_schema *to, const gw_sql_options *o);

#endif
