/*
 * pgurl.c: PostgreSQL connection strings, read by libpq (see pgurl.h).
 *
 * libpq refuses a URL parameter it does not know ("invalid URI query
 * parameter"), and Prisma's template URL has ?schema=public: the query is
 * split here, Prisma's and the poolers' parameters are taken out with their
 * meaning, an unknown one is refused by name, and PQconninfoParse reads
 * what is left. Every message names the URL masked.
 */
#include "pgurl.h"

#include <stdlib.h>
#include <string.h>

#include "drivers/pq.h"
#include "util/error.h"
#include "util/url.h"
#include "util/text.h"

/* The parameters Prisma and the poolers put in URLs that libpq lacks (from
 * Prisma's PostgreSQL connection URL arguments, Supabase's and Neon's pooler
 * URLs). Pool sizes, pool and socket timeouts, statement caches and
 * connection lifetimes tune a client's pool: godwit holds one connection
 * and names no prepared statement, so they change nothing for it. */
enum { X_IGNORE, X_SCHEMA, X_PGBOUNCER, X_SSLACCEPT, X_SSLIDENTITY, X_SOCKET, X_SEARCH_PATH };

static const struct extra {
	const char *name;
	int kind;
} extras[] = {
        {"schema", X_SCHEMA},
        {"pgbouncer", X_PGBOUNCER},
        {"sslaccept", X_SSLACCEPT},
        {"sslidentity", X_SSLIDENTITY},
        {"connection_limit", X_IGNORE},
        {"pool_timeout", X_IGNORE},
        {"socket_timeout", X_IGNORE},
        {"statement_cache_size", X_IGNORE},
        {"max_connection_lifetime", X_IGNORE},
        {"max_idle_connection_lifetime", X_IGNORE},
        {"supa", X_IGNORE}, /* Supabase's pooler tag (supa=base-pooler.x) */
        /* dbmate's: the socket's folder (libpq's host), and the schema its
         * migrations run in and its history table lives in. */
        {"socket", X_SOCKET},
        {"search_path", X_SEARCH_PATH},
};

static const struct extra *find_extra(const char *key)
{
	size_t i;

	for (i = 0; i < sizeof(extras) / sizeof(extras[0]); i++)
		if (!strcmp(extras[i].name, key))
			return &extras[i];
	return NULL;
}

/* libpq's own keywords, as the libpq loaded knows them (a newer one knows
 * more), plus "ssl", its URL spelling of sslmode=require. */
static int is_libpq_key(const char *key)
{
	PQconninfoOption *all = PQconninfoParse("", NULL), *o;
	int found = !strcmp(key, "ssl");

	for (o = all; o && o->keyword && !found; o++)
		found = !strcmp(o->keyword, key);
	PQconninfoFree(all);
	return found;
}

int gw_pgurl_set(gw_pgurl *u, const char *key, const char *value)
{
	size_t i;
	char *v = NULL;

	for (i = 0; i < u->n && strcmp(u->keys[i], key); i++)
		;
	if (value && !(v = gw_strdup(value)))
		return -1;
	if (i < u->n) {
		free(u->values[i]);
		if (v) {
			u->values[i] = v;
			return 0;
		}
		free(u->keys[i]);
		u->n--;
		memmove(u->keys + i, u->keys + i + 1, (u->n - i) * sizeof(*u->keys));
		memmove(u->values + i, u->values + i + 1, (u->n - i) * sizeof(*u->values));
		return 0;
	}
	if (!v)
		return 0;
	if (u->n == u->cap) {
		size_t cap = u->cap ? u->cap * 2 : 16;
		char **k = realloc(u->keys, cap * sizeof(*k)), **vs;

		if (k)
			u->keys = k;
		vs = k ? realloc(u->values, cap * sizeof(*vs)) : NULL;
		if (!vs) {
			free(v);
			return -1;
		}
		u->values = vs;
		u->cap = cap;
	}
	if (!(u->keys[u->n] = gw_strdup(key))) {
		free(v);
		return -1;
	}
	u->values[u->n++] = v;
	return 0;
}

const char *gw_pgurl_get(const gw_pgurl *u, const char *key)
{
	size_t i;

	for (i = 0; i < u->n; i++)
		if (!strcmp(u->keys[i], key))
			return u->values[i];
	return NULL;
}

void gw_pgurl_dispose(gw_pgurl *u)
{
	size_t i;

	for (i = 0; i < u->n; i++) {
		free(u->keys[i]);
		free(u->values[i]);
	}
	free(u->keys);
	free(u->values);
	free(u->schema);
	memset(u, 0, sizeof(*u));
}

/* One parameter libpq does not know: kept with its meaning or refused. */
static int take_extra(gw_pgurl *u, const struct extra *x, const char *value, int *strict,
                      const char *masked, gw_ctx *ctx)
{
	switch (x->kind) {
	case X_SEARCH_PATH:
		/* A list would need a search path that is not the history's
		 * schema; godwit's is one schema. */
		if (strchr(value, ',')) {
			int error =
			        gw_error_set(ctx, GW_EINVALID,
			                     "search_path= in the database URL %s names several "
			                     "schemas; godwit takes one",
			                     masked);
			gw_error_set_hint(ctx, "write search_path=SCHEMA (or schema=SCHEMA): the "
			                       "schema the migrations run in and the history "
			                       "tables live in");
			return error;
		}
		/* fall through */
	case X_SCHEMA:
		if (!*value)
			return gw_error_set(ctx, GW_EINVALID,
			                    "%s= in the database URL %s needs a schema name",
			                    x->name, masked);
		free(u->schema);
		return (u->schema = gw_strdup(value)) ? 0 : gw_error_oom(ctx);
	case X_PGBOUNCER:
		if (strcmp(value, "true") && strcmp(value, "false"))
			return gw_error_set(ctx, GW_EINVALID,
			                    "pgbouncer= in the database URL %s must be true or "
			                    "false, not '%s'",
			                    masked, value);
		u->pgbouncer = !strcmp(value, "true");
		return 0;
	case X_SSLACCEPT:
		if (strcmp(value, "strict") && strcmp(value, "accept_invalid_certs"))
			return gw_error_set(ctx, GW_EINVALID,
			                    "sslaccept= in the database URL %s must be strict or "
			                    "accept_invalid_certs, not '%s'",
			                    masked, value);
		*strict = !strcmp(value, "strict");
		return 0;
	case X_SSLIDENTITY: {
		int error = gw_error_set(ctx, GW_EINVALID,
		                         "sslidentity= (a PKCS#12 bundle) in the database URL %s "
		                         "cannot be read by libpq",
		                         masked);
		gw_error_set_hint(ctx, "give the client certificate and key as sslcert=FILE and "
		                       "sslkey=FILE (openssl pkcs12 -in BUNDLE extracts them)");
		return error;
	}
	default:
		return 0;
	}
}

/* Copies the URL (from its "//") to out without the parameters libpq does
 * not know, which are taken into u. libpq reads the userinfo up to the
 * first '/', so the query is the first '?' after it. */
static int split_query(gw_pgurl *u, gw_str *out, const char *hier, int *strict, const char *masked,
                       gw_ctx *ctx)
{
	const char *host = hier + 2, *q, *pair, *eq, *end;
	gw_str key = GW_STR_INIT, value = GW_STR_INIT;
	const struct extra *x;
	int kept = 0, error = 0;

	for (q = host; *q && *q != '@' && *q != '/'; q++)
		;
	if (*q == '@')
		host = q + 1;
	q = strchr(host, '?');
	gw_str_put(out, hier, q ? (size_t)(q - hier) : strlen(hier));
	for (pair = q ? q + 1 : NULL; pair && *pair && !error; pair = *end ? end + 1 : end) {
		end = pair + strcspn(pair, "&");
		if (end == pair)
			continue;
		if (!(eq = memchr(pair, '=', (size_t)(end - pair)))) {
			/* Not named: it may be a password pasted in the wrong place. */
			error = gw_error_set(
			        ctx, GW_EINVALID,
			        "a parameter of the database URL %s has no '=' and value", masked);
			break;
		}
		gw_str_clear(&key);
		gw_str_clear(&value);
		gw_url_decode(&key, pair, (size_t)(eq - pair));
		gw_url_decode(&value, eq + 1, (size_t)(end - eq - 1));
		if (gw_str_failed(&key) || gw_str_failed(&value)) {
			error = gw_error_oom(ctx);
		} else if ((x = find_extra(key.ptr ? key.ptr : "")) && x->kind == X_SOCKET) {
			/* libpq's query host= wins over the URL's host, as dbmate's
			 * socket= does. */
			gw_str_putc(out, kept++ ? '&' : '?');
			gw_str_puts(out, "host");
			gw_str_put(out, eq, (size_t)(end - eq));
		} else if (x) {
			error = take_extra(u, x, value.ptr ? value.ptr : "", strict, masked, ctx);
		} else if (key.size && is_libpq_key(key.ptr)) {
			gw_str_putc(out, kept++ ? '&' : '?');
			gw_str_put(out, pair, (size_t)(end - pair));
		} else {
			error = gw_error_set(ctx, GW_EINVALID,
			                     "unknown parameter '%s' in the database URL %s",
			                     key.ptr ? key.ptr : "", masked);
			gw_error_set_hint(ctx,
			                  "godwit takes libpq's parameters (sslmode, "
			                  "connect_timeout, options, ...), Prisma's (schema, "
			                  "pgbouncer, connection_limit, pool_timeout, ...) and "
			                  "dbmate's (socket, search_path); check its spelling or "
			                  "remove it");
		}
	}
	gw_str_dispose(&key);
	gw_str_dispose(&value);
	if (!error && gw_str_failed(out))
		error = gw_error_oom(ctx);
	return error;
}

/* libpq's message for a string it cannot read, which quotes the string:
 * that quote is replaced by the masked string. */
static int parse_error(gw_ctx *ctx, const char *errmsg, const char *text, const char *masked)
{
	gw_str msg = GW_STR_INIT, line = GW_STR_INIT;
	const char *p, *hit;
	size_t tlen = strlen(text);
	int error;

	if (errmsg)
		gw_str_put(&line, errmsg, strcspn(errmsg, "\r\n"));
	if (!line.size || strstr(line.ptr ? line.ptr : "", "missing \"=\" after")) {
		/* That quotes a word of the string, which may be a secret. */
		gw_str_sets(&msg, "a word without '=' (write key=value pairs)");
	} else {
		for (p = line.ptr; tlen && (hit = strstr(p, text)) != NULL; p = hit + tlen) {
			gw_str_put(&msg, p, (size_t)(hit - p));
			gw_str_puts(&msg, masked);
		}
		gw_str_puts(&msg, p);
	}
	if (gw_str_failed(&msg))
		error = gw_error_oom(ctx);
	else
		error = gw_error_set(ctx, GW_EINVALID, "invalid database URL %s: %s", masked,
		                     msg.ptr);
	gw_str_dispose(&msg);
	gw_str_dispose(&line);
	return error;
}

int gw_pgurl_parse(gw_pgurl *u, const char *url, gw_ctx *ctx)
{
	gw_str text = GW_STR_INIT, masked = GW_STR_INIT, rebuilt = GW_STR_INIT;
	gw_str rmasked = GW_STR_INIT;
	PQconninfoOption *opts = NULL, *o;
	char *errmsg = NULL, scheme[16];
	const char *end;
	int strict = 0, error;

	memset(u, 0, sizeof(*u));
	if ((error = gw_pq_load(ctx)) < 0)
		return error;
	while (gw_is_space(*url))
		url++;
	end = url + strlen(url);
	while (end > url && gw_is_space(end[-1]))
		end--;
	gw_str_put(&text, url, (size_t)(end - url));
	gw_url_mask(&masked, text.ptr ? text.ptr : "");
	if (gw_str_failed(&text) || gw_str_failed(&masked)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if (gw_url_scheme(scheme, sizeof(scheme), text.ptr) == 0) {
		const char *hier = text.ptr + strlen(scheme) + 1;

		/* libpq knows lowercase schemes only: "POSTGRES://..." would
		 * be a database name, sent to the server whole. */
		/* cockroachdb:// and yugabytedb:// name the engine behind the
		 * same protocol (src/lib/engine.c); libpq gets postgresql://. */
		if (strcmp(scheme, "postgres") && strcmp(scheme, "postgresql") &&
		    strcmp(scheme, "cockroachdb") && strcmp(scheme, "yugabytedb")) {
			error = gw_error_set(ctx, GW_EINVALID,
			                     "unsupported database URL %s; use postgres://, "
			                     "postgresql:// or sqlite:PATH",
			                     masked.ptr);
			goto cleanup;
		}
		if (strncmp(hier, "//", 2)) {
			error = gw_error_set(ctx, GW_EINVALID,
			                     "malformed database URL %s: '%s:' must be followed by "
			                     "'//'",
			                     masked.ptr, scheme);
			gw_error_set_hint(ctx, "write postgres://USER:PASSWORD@HOST:PORT/DATABASE");
			goto cleanup;
		}
		if (!strcmp(scheme, "cockroachdb") || !strcmp(scheme, "yugabytedb"))
			u->engine_scheme =
			        !strcmp(scheme, "cockroachdb") ? "cockroachdb" : "yugabytedb";
		gw_str_puts(&rebuilt, "postgresql:");
		if ((error = split_query(u, &rebuilt, hier, &strict, masked.ptr, ctx)) < 0)
			goto cleanup;
	} else {
		gw_str_puts(&rebuilt, text.ptr);
	}
	if (gw_str_failed(&rebuilt)) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if (!(opts = PQconninfoParse(rebuilt.ptr, &errmsg))) {
		gw_url_mask(&rmasked, rebuilt.ptr);
		error = parse_error(ctx, errmsg, rebuilt.ptr, rmasked.ptr ? rmasked.ptr : "");
		goto cleanup;
	}
	for (o = opts; o->keyword; o++)
		if (o->val && gw_pgurl_set(u, o->keyword, o->val) < 0) {
			error = gw_error_oom(ctx);
			goto cleanup;
		}
	/* libpq would read such a dbname as a second connection string only
	 * when asked to (godwit does not ask): sent as a name, it would put its
	 * password in the server's log. */
	if (gw_pgurl_get(u, "dbname") && (gw_url_is_conninfo(gw_pgurl_get(u, "dbname")) ||
	                                  strstr(gw_pgurl_get(u, "dbname"), "://"))) {
		error = gw_error_set(ctx, GW_EINVALID,
		                     "the dbname of %s is itself a connection string; give its "
		                     "parameters directly",
		                     masked.ptr);
		goto cleanup;
	}
	/* Prisma's sslaccept=strict checks the server's certificate, which
	 * libpq's sslmode=require does not. */
	if (strict && gw_pgurl_get(u, "sslmode") &&
	    !strcmp(gw_pgurl_get(u, "sslmode"), "require") &&
	    gw_pgurl_set(u, "sslmode", "verify-full") < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	error = 0;
cleanup:
	if (errmsg)
		PQfreemem(errmsg);
	PQconninfoFree(opts);
	if (error < 0)
		gw_pgurl_dispose(u);
	gw_str_dispose(&text);
	gw_str_dispose(&masked);
	gw_str_dispose(&rebuilt);
	gw_str_dispose(&rmasked);
	return error;
}

static void put_encoded(gw_str *out, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (gw_is_alnum((char)c) || strchr("-._~/", c))
			gw_str_putc(out, (char)c);
		else
			gw_str_printf(out, "%%%c%c", hex[c >> 4], hex[c & 15]);
	}
}

int gw_pgurl_format(gw_str *out, const gw_pgurl *u)
{
	size_t i;
	int sep = '?';

	gw_str_printf(out, "%s://", u->engine_scheme ? u->engine_scheme : "postgresql");
	for (i = 0; i < u->n; i++, sep = '&') {
		gw_str_printf(out, "%c%s=", sep, u->keys[i]);
		put_encoded(out, u->values[i]);
	}
	if (u->schema) {
		gw_str_printf(out, "%cschema=", sep);
		put_encoded(out, u->schema);
		sep = '&';
	}
	if (u->pgbouncer)
		gw_str_printf(out, "%cpgbouncer=true", sep);
	return gw_str_failed(out) ? -1 : 0;
}

int gw_pgurl_conninfo(gw_str *out, gw_str *password, const gw_pgurl *u)
{
	size_t i;
	const char *v;

	gw_str_clear(password);
	for (i = 0; i < u->n; i++) {
		if (!strcmp(u->keys[i], "password")) {
			gw_str_puts(password, u->values[i]);
			continue;
		}
		gw_str_printf(out, "%s%s='", out->size ? " " : "", u->keys[i]);
		for (v = u->values[i]; *v; v++) {
			if (*v == '\'' || *v == '\\')
				gw_str_putc(out, '\\');
			gw_str_putc(out, *v);
		}
		gw_str_putc(out, '\'');
	}
	return gw_str_failed(out) || gw_str_failed(password) ? -1 : 0;
}
