/*
 * pgurl.h: a PostgreSQL connection string taken apart by libpq.
 *
 * Users give godwit the URL their other tools use: libpq's URLs and
 * key/value strings, and Prisma's and the poolers' URLs, whose extra
 * parameters (schema, pgbouncer, connection_limit, ...) libpq refuses.
 * gw_pgurl_parse takes those out, with their meaning kept, and lets libpq's
 * own PQconninfoParse read the rest, so godwit never guesses at a URL's
 * parts: the connection, the ephemeral databases of `godwit test`, the
 * maintenance connection of `create` and `drop`, and pg_dump all get their
 * parameters from here.
 */
#ifndef GW_DRIVERS_PGURL_H
#define GW_DRIVERS_PGURL_H

#include <stddef.h>

#include "godwit/errors.h"
#include "util/str.h"

typedef struct gw_pgurl {
	char **keys; /* libpq keywords that have a value */
	char **values;
	size_t n, cap;
	char *schema;  /* Prisma's ?schema=: the search_path and history schema */
	int pgbouncer; /* ?pgbouncer=true: the URL names a transaction pooler */
	/* "cockroachdb" or "yugabytedb" when the URL's scheme names the
	 * engine (src/lib/engine.c), kept by gw_pgurl_format; NULL: none. */
	const char *engine_scheme;
} gw_pgurl;

#define GW_PGURL_INIT                                                                              \
	{                                                                                          \
		NULL, NULL, 0, 0, NULL, 0, NULL                                                    \
	}

/* Parses a postgres:// or postgresql:// URL (any case, white space around
 * it ignored) or a libpq key/value string. Errors (GW_EINVALID) name the
 * masked URL and the parameter at fault; they are never worth a retry. */
int gw_pgurl_parse(gw_pgurl *u, const char *url, gw_ctx *ctx);

/* A keyword's value, NULL when the string does not give it. */
const char *gw_pgurl_get(const gw_pgurl *u, const char *key);
/* Sets (or with NULL removes) a keyword's value; -1 when out of memory. */
int gw_pgurl_set(gw_pgurl *u, const char *key, const char *value);

/* The whole connection string again as a URL with every parameter in its
 * query (postgresql://?host=...&dbname=...), Prisma's included, with the
 * engine's scheme when it had one, so it can be handed back to
 * gw_pgurl_parse and names the same engine. Appends to out; -1 when out of memory. */
int gw_pgurl_format(gw_str *out, const gw_pgurl *u);

/* A libpq key/value string of libpq's parameters without the password, for
 * programs (pg_dump) that must not see it on their command line; the
 * password, when there is one, goes to password. */
int gw_pgurl_conninfo(gw_str *out, gw_str *password, const gw_pgurl *u);

void gw_pgurl_dispose(gw_pgurl *u);

#endif
