/*
 * pgerr.h: the PostgreSQL driver's messages of libpq's errors (pgerr.c).
 */
#ifndef GW_DRIVERS_PGERR_H
#define GW_DRIVERS_PGERR_H

#include "drivers/pq.h"
#include "godwit/errors.h"
#include "util/str.h"

/* Appends the first line of msg, without surrounding white space. */
void gw_pg_first_line(gw_str *out, const char *msg);

/* The error of a connect to url that failed (pg NULL: out of memory), set
 * on ctx with the URL masked and any password (the URL's, or the one pg
 * used) scrubbed: GW_EAUTH for refused credentials, GW_ENODB for a missing
 * database, GW_ECONFIG for an sslmode the server cannot meet, GW_EINVALID
 * for a bad value or option, else GW_ECONNECT. */
int gw_pg_connect_error(gw_ctx *ctx, const char *url, PGconn *pg, const char *password);

#endif
