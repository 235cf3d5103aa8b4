/*
 * adopt_priv.h: what baseline.c and adopt.c share: a history row for a
 * migration that godwit did not run itself; and for status and up, which
 * other tool's history a database holds.
 */
#ifndef GW_LIB_ADOPT_PRIV_H
#define GW_LIB_ADOPT_PRIV_H

#include "internal.h"

/* Appends the INSERT of an applied row of the given kind ("baseline",
 * "adopted") for m, with the file's checksum, applied_at (ISO 8601 text;
 * NULL = now) and no execution time, since nothing ran. */
int gw_adopt__add_row(gw_batch *b, gw_project *p, const gw_migration *m, const char *kind,
                      const char *applied_at);

/* The tool (adopt's name for it, a static string) whose history table
 * this database holds with at least one row, and that table as a user
 * names it (malloc'd); both NULL when there is none. */
int gw_adopt__other_history(const char **tool, char **table, gw_project *p);

#endif
