/*
 * discover.h: finding another tool's migrations folder from its own files,
 * for a project that does not say where its migrations are.
 */
#ifndef GW_LIB_DISCOVER_H
#define GW_LIB_DISCOVER_H

#include "../util/vec.h"

typedef struct gw_found_dir {
	char *dir;       /* the one folder found, NULL when none or several */
	char *why;       /* what pointed to it: "Prisma's prisma/migrations/" */
	char *ambiguous; /* several tools' folders, each with its why */
} gw_found_dir;

/* Looks in project_dir (NULL or "." = the current folder) for the files of
 * sqitch, Prisma, drizzle-kit, diesel, Flyway, then dbmate, goose or
 * golang-migrate (their variables looked up in the environment, then in
 * vars: the .env files' gw_placeholder list, or NULL), and keeps the
 * folders that exist. -1 when out of memory. */
int gw_discover_dir(gw_found_dir *out, const char *project_dir, const gw_vec *vars);
void gw_found_dir_dispose(gw_found_dir *f);

#endif
