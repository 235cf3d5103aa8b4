/*
 * pgprep.c: the statements a PostgreSQL session keeps prepared (pgprep.h).
 */
#include "drivers/pgprep.h"

#include <stdlib.h>
#include <string.h>

#include "util/hash.h"

/* The entry for the text, made (not ready) when missing; NULL when the
 * cache is off or full, or memory ran out: send it unnamed. */
static gw_pgprep_entry *get(gw_pgprep *c, const char *sql, size_t len)
{
	char hex[GW_CHECKSUM_HEX];
	gw_pgprep_entry *e;
	size_t i;

	if (c->off)
		return NULL;
	for (i = 0; i < c->count; i++)
		if (c->e[i].len == len && !memcmp(c->e[i].sql, sql, len))
			return &c->e[i];
	if (c->count == GW_PGPREP_MAX)
		return NULL;
	e = &c->e[c->count];
	if (!(e->sql = malloc(len + 1)))
		return NULL;
	memcpy(e->sql, sql, len);
	e->sql[len] = '\0';
	e->len = len;
	e->ready = 0;
	gw_sha256_hex(hex, sql, len);
	memcpy(e->name, "godwit_", 7);
	memcpy(e->name + 7, hex, 24);
	e->name[31] = '\0';
	c->count++;
	return e;
}

void gw_pgprep_batch(gw_pgprep *c)
{
	c->nparse = c->nnamed = 0;
}

int gw_pgprep_send(gw_pgprep *c, PGconn *pg, const char *sql, size_t len, const gw_stmt *stmt,
                   size_t i, size_t *q)
{
	gw_pgprep_entry *e = NULL;
	size_t k;
	int parsed = 0;

	if (stmt->nparams > 0 && c->nnamed < GW_PGPREP_BATCH)
		e = get(c, sql, len);
	for (k = 0; e && k < c->nparse; k++)
		parsed |= c->parse_e[k] == e;
	if (e && !e->ready && !parsed) {
		if (c->nparse == GW_PGPREP_MAX) {
			e = NULL;
		} else {
			if (!PQsendPrepare(pg, e->name, sql, stmt->nparams, NULL))
				return -1;
			c->parse_q[c->nparse] = (*q)++;
			c->parse_e[c->nparse++] = e;
		}
	}
	(*q)++;
	if (!e)
		return 1;
	c->named[c->nnamed++] = i + 1;
	return PQsendQueryPrepared(pg, e->name, stmt->nparams, stmt->params, NULL, NULL, 0) ? 0
	                                                                                    : -1;
}

size_t gw_pgprep_number(const gw_pgprep *c, size_t prelude, size_t query)
{
	size_t parses = 0, i;

	for (i = 0; i < c->nparse; i++)
		parses += c->parse_q[i] < query;
	return query > prelude ? query - prelude - parses : 0;
}

void gw_pgprep_done(gw_pgprep *c, size_t query)
{
	size_t i;

	for (i = 0; i < c->nparse; i++)
		if (c->parse_q[i] == query)
			c->parse_e[i]->ready = 1;
}

int gw_pgprep_lost(const gw_pgprep *c, const char *sqlstate, size_t failed_at)
{
	size_t i;

	if (!sqlstate || (strcmp(sqlstate, "26000") && strcmp(sqlstate, "42P05")))
		return 0;
	for (i = 0; i < c->nnamed; i++)
		if (c->named[i] == failed_at)
			return 1;
	return 0;
}

void gw_pgprep_drop_unready(gw_pgprep *c)
{
	size_t i, kept = 0;

	for (i = 0; i < c->count; i++) {
		if (c->e[i].ready)
			c->e[kept++] = c->e[i];
		else
			free(c->e[i].sql);
	}
	c->count = kept;
}

void gw_pgprep_off(gw_pgprep *c)
{
	gw_pgprep_dispose(c);
	c->off = 1;
}

void gw_pgprep_dispose(gw_pgprep *c)
{
	size_t i;

	for (i = 0; i < c->count; i++)
		free(c->e[i].sql);
	c->count = 0;
}
