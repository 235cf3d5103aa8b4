/*
 * history_sql.h: what history.c and history_events.c share of the state
 * tables' SQL: the differences between PostgreSQL and SQLite, and two
 * helpers for building and reading it. Private to those two files.
 */
#ifndef GW_HISTORY_SQL_H
#define GW_HISTORY_SQL_H

#include "internal.h"

/* What differs between PostgreSQL and SQLite in the history SQL. */
typedef struct gw_hist_sql {
	const char *time_type;
	const char *now;          /* the start of a migration */
	const char *clock;        /* the current moment, for events */
	const char *elapsed[2];   /* around a column: ms since it, as an integer */
	const char *show_time[2]; /* around a column: it as ISO 8601 UTC text */
	const char *event_id;     /* the events table's key column */
	const char *who;          /* who ran it; NULL = the OS user as a literal */
} gw_hist_sql;

const gw_hist_sql *gw_hist__sql(const gw_project *p);
/* Puts column between around[0] and around[1]. Returns -1 when s could
 * not grow: SQL built from a part that is missing would fail as a syntax
 * error instead of running out of memory. */
int gw_hist__put_around(gw_str *s, const char *const around[2], const char *column);
/* A column's integer, or fallback for NULL. */
long long gw_hist__to_ll(const char *s, long long fallback);

#endif
