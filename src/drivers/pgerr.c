/*
 * pgerr.c: what libpq says of a connection that failed, told apart and
 * made safe to show, for the PostgreSQL driver (postgres.c).
 *
 * libpq gives no SQLSTATE for a refused connection, only its message: the
 * message is read for what the user can do about it (the credentials, a
 * missing database, an sslmode the server cannot meet, a bad option), and
 * any password in it is replaced before it goes anywhere.
 */
#include <string.h>

#include "drivers/pgerr.h"
#include "util/error.h"
#include "util/url.h"

void gw_pg_first_line(gw_str *out, const char *msg)
{
	const char *end;

	if (!msg)
		return;
	while (*msg == ' ' || *msg == '\t' || *msg == '\n' || *msg == '\r')
		msg++;
	end = msg + strcspn(msg, "\r\n");
	while (end > msg && (end[-1] == ' ' || end[-1] == '\t'))
		end--;
	gw_str_put(out, msg, (size_t)(end - msg));
}

/* Replaces every occurrence of secret in s by "****". */
static void scrub(gw_str *s, const char *secret)
{
	gw_str out = GW_STR_INIT;
	size_t slen = secret ? strlen(secret) : 0;
	const char *p, *hit;

	if (!slen || !strstr(s->ptr, secret))
		return;
	for (p = s->ptr; (hit = strstr(p, secret)) != NULL; p = hit + slen) {
		gw_str_put(&out, p, (size_t)(hit - p));
		gw_str_puts(&out, "****");
	}
	gw_str_puts(&out, p);
	if (gw_str_failed(&out)) {
		/* Better no message than one that may show the password. */
		gw_str_dispose(&out);
		gw_str_sets(s, "(message hidden)");
		return;
	}
	gw_str_dispose(s);
	*s = out;
}

/* libpq gives no SQLSTATE for a refused connection, only its message. */
static int is_auth_failure(const char *msg)
{
	static const char *const needles[] = {
	        "authentication failed", /* password, md5, scram, ident, peer, ... */
	        "no password supplied",  /* the server asked for one we lack */
	        "no pg_hba.conf entry",  /* 28000 */
	        "permission denied for database",
	};
	size_t i;

	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (strstr(msg, needles[i]))
			return 1;
	/* 28000 for an unknown role: `role "x" does not exist`. */
	return strstr(msg, "role \"") && strstr(msg, "\" does not exist");
}

/* Refusals that no retry will change: a URL asking for what this server
 * or this libpq cannot do. */
static int is_permanent_ssl_failure(const char *msg)
{
	static const char *const needles[] = {
	        "server does not support SSL, but SSL was required",
	        "root certificate file", /* sslmode=verify-* without a CA file */
	        "certificate verify failed",
	        "does not match host name",
	        "SSL is not supported", /* a libpq built without SSL */
	};
	size_t i;

	for (i = 0; i < sizeof(needles) / sizeof(needles[0]); i++)
		if (strstr(msg, needles[i]))
			return 1;
	return 0;
}

/* The server refusing the URL's options= (-c NAME=VALUE) at startup:
 * the same every time. */
static int is_bad_option(const char *msg)
{
	return strstr(msg, "FATAL:  invalid command-line argument for server process") ||
	       strstr(msg, "FATAL:  unrecognized configuration parameter") ||
	       strstr(msg, "FATAL:  invalid value for parameter");
}

/* `database "x" does not exist` (3D000, which libpq only gives as text):
 * appends the name to out and returns 1. */
static int missing_database(gw_str *out, const char *msg)
{
	const char *start = strstr(msg, "database \""), *end;

	if (!start || !(end = strstr(start + 10, "\" does not exist")))
		return 0;
	gw_str_put(out, start + 10, (size_t)(end - start - 10));
	return 1;
}

int gw_pg_connect_error(gw_ctx *ctx, const char *url, PGconn *pg, const char *password)
{
	gw_str masked = GW_STR_INIT;
	gw_str msg = GW_STR_INIT, name = GW_STR_INIT;
	const char *raw = pg ? PQerrorMessage(pg) : "out of memory";
	int code = GW_ECONNECT;

	gw_url_mask(&masked, url);
	gw_pg_first_line(&msg, raw);
	if (pg)
		scrub(&msg, PQpass(pg));
	scrub(&msg, password);
	if (is_auth_failure(raw)) {
		code = gw_error_set(ctx, GW_EAUTH, "cannot connect to %s: %s", masked.ptr, msg.ptr);
	} else if (missing_database(&name, raw)) {
		scrub(&name, password);
		code = gw_error_set(ctx, GW_ENODB, "database \"%s\" does not exist (%s)",
		                    name.ptr ? name.ptr : "", masked.ptr);
		gw_error_set_hint_code(ctx, GW_HINT_CREATE_DATABASE, NULL, NULL);
	} else if (is_permanent_ssl_failure(raw)) {
		code = gw_error_set(ctx, GW_ECONFIG, "cannot connect to %s: %s", masked.ptr,
		                    msg.ptr);
		gw_error_set_hint(ctx, "the URL's sslmode asks for what the server (or its "
		                       "certificate) does not offer: enable SSL on the server, "
		                       "give the right sslrootcert, or change sslmode");
	} else if (!strncmp(msg.ptr ? msg.ptr : "", "invalid ", 8) || is_bad_option(raw)) {
		/* libpq checks the values (sslmode, port, ...) on connecting;
		 * the server checks the URL's options= at startup. */
		code = gw_error_set(ctx, GW_EINVALID, "cannot connect to %s: %s", masked.ptr,
		                    msg.ptr);
		if (is_bad_option(raw))
			gw_error_set_hint(ctx,
			                  "the server refused the URL's options= at startup: "
			                  "fix or remove it (options=endpoint=ID is for Neon's "
			                  "servers only)");
	} else {
		code = gw_error_set(ctx, GW_ECONNECT, "cannot connect to %s: %s", masked.ptr,
		                    msg.ptr);
	}
	gw_str_dispose(&masked);
	gw_str_dispose(&msg);
	gw_str_dispose(&name);
	return code;
}
