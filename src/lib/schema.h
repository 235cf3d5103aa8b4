/*
 * schema.h: the snapshot model shared by the files of src/lib that
 * implement include/godwit/schema.h.
 *
 * schema_pg.c and schema_sqlite.c read a database into objects and
 * members; schema.c sorts them, writes and parses the text form;
 * schema_diff.c compares two snapshots; schema_eph.c makes ephemeral
 * databases; schema_record.c stores snapshots for drift.
 */
#ifndef GW_LIB_SCHEMA_H
#define GW_LIB_SCHEMA_H

#include "godwit/schema.h"
#include "internal.h"

/* One member line (may hold newlines); rank and seq order members. */
typedef struct gw_smember {
	int rank;
	long seq;
	char *text;
} gw_smember;

typedef struct gw_sobj {
	char *kind;
	char *name;
	char *nsp; /* the schema it sorts under; "" when none */
	int rank;  /* kind order inside a schema */
	gw_vec members;
	const char **ptrs; /* the members' texts, for gw_schema_object */
} gw_sobj;

struct gw_schema {
	char *dialect; /* NULL when unknown */
	gw_vec objs;
	gw_schema_object *pub;
	size_t count;
	size_t *index; /* open addressing by kind and name: position + 1, 0 empty */
	size_t icap;   /* a power of two, at least twice count */
};

/* Ranks of the object kinds: the order inside one schema. */
enum {
	GW_SK_SCHEMA,
	GW_SK_EXTENSION,
	GW_SK_ENUM,
	GW_SK_DOMAIN,
	GW_SK_TYPE,
	GW_SK_RANGE,
	GW_SK_SEQUENCE,
	GW_SK_TABLE,
	GW_SK_FOREIGN_TABLE,
	GW_SK_VIEW,
	GW_SK_MATVIEW,
	GW_SK_FUNCTION,
	GW_SK_PROCEDURE,
	GW_SK_AGGREGATE,
	GW_SK_EVENT_TRIGGER,
	GW_SK_WRAPPER,
	GW_SK_SERVER,
	GW_SK_PUBLICATION,
	GW_SK_DEFAULT_PRIVILEGES,
};

/* Ranks of members inside an object. */
enum {
	GW_SM_HEAD,       /* definition, type, options: what the object is */
	GW_SM_COLUMN,     /* columns in position order (seq = attnum) */
	GW_SM_CONSTRAINT, /* constraints, then indexes, triggers, policies */
	GW_SM_INDEX,
	GW_SM_TRIGGER,
	GW_SM_RLS,
	GW_SM_POLICY,
	GW_SM_COMMENT,
	GW_SM_OWNER,
};

int gw_schema__new(gw_schema **out, const char *dialect);
/* A new object; NULL when out of memory. */
gw_sobj *gw_schema__add(gw_schema *s, const char *nsp, int rank, const char *kind,
                        const char *name);
/* Adds a copy of text, with trailing blanks of each line and trailing
 * empty lines removed, so that what is written parses back the same. */
int gw_sobj_add(gw_sobj *o, int rank, long seq, const char *text);
int gw_sobj_addf(gw_sobj *o, int rank, long seq, const char *fmt, ...) GW_FORMAT_PRINTF(4, 5);
/* Sorts objects (schema, kind, name) and members (rank, seq, text) when
 * `sort`, and builds the public view. */
int gw_schema__finish(gw_schema *s, int sort);
/* The first object of that kind and name (by the index finish builds), or
 * NULL. */
const gw_schema_object *gw_schema__lookup(const gw_schema *s, const char *kind, const char *name);

/* The key that pairs a member with its counterpart: "column email" for
 * named members, the first word otherwise. Returns its length. */
size_t gw_schema__member_key(const char *text);

/* schema_pg.c, schema_sqlite.c */
typedef struct gw_schema_ctx {
	gw_project *p;
	gw_conn *conn;
	const gw_schema_options *opts;
	gw_schema *s;
	int fresh; /* the connection was opened for this snapshot */
} gw_schema_ctx;

int gw_schema__read_pg(gw_schema_ctx *c);
int gw_schema__read_sqlite(gw_schema_ctx *c);
/* 1 when a table of this schema and name is one of godwit's own. */
int gw_schema__is_history(const gw_schema_ctx *c, const char *nsp, const char *name);
/* 1 when the schema passes the --schema filter. */
int gw_schema__wanted(const gw_schema_ctx *c, const char *nsp);

/* The name of the table that holds recorded snapshots. */
#define GW_SCHEMA_SNAPSHOTS_TABLE "godwit_schema_snapshots"

#endif
