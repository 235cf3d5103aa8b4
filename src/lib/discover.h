/*
 * discover.h: finding another tool's migrations folder from its own files,
 * for a project that does not say where its migrations are.
 */
#ifndef GW_LIB_DISCOVER_H
#define GW_LIB_DISCOVER_H

typedef struct gw_found_dir {
	char *dir;       /* the one folder found, NULL when none or several */
	char *why;       /* what pointed to it: "Prisma's prisma/migrations/" */
	char *ambiguous; /* several tools' folders, each with its why */
} gw_found_dir;

/* Looks in project_dir (NULL or "." = the current folder) for the files of
 * sqitch, Prisma, drizzle-kit, diesel, Flyway, then goose or
 * golang-migrate, and keeps the folders that exist. -1 when out of memory. */
int gw_discover_dir(gw_found_dir *out, const char *project_dir);
void gw_found_dir_dispose(gw_found_dir *f);

#endif
