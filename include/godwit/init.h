/*
 * godwit/init.h: setting up a new project (`godwit init`).
 *
 * gw_project_init writes what a project needs to start: the migrations
 * folder, a commented godwit.conf with the environments of an app deployed
 * on Vercel with Neon or Supabase (development on a SQLite file, preview
 * and production on PostgreSQL from the platform's direct-URL variable,
 * production protected), and .gitignore lines for the SQLite files and the
 * backups. It never overwrites: a file that exists is left as it is (an
 * existing .gitignore only gains the lines it lacks, at its end).
 */
#ifndef GODWIT_INIT_H
#define GODWIT_INIT_H

#include <stddef.h>

#include "common.h"
#include "errors.h"

typedef enum {
	GW_INIT_CREATED = 1, /* did not exist: written */
	GW_INIT_EXISTS,      /* existed: left alone */
	GW_INIT_APPENDED,    /* .gitignore existed: the missing lines were added */
} gw_init_action;

/* What was done with one path, relative to the project folder:
 * "db/migrations/", "godwit.conf", ".gitignore", in that order. */
typedef struct {
	const char *path;
	gw_init_action action;
} gw_init_item;

#define GW_INIT_ITEMS 3

/* Sets up the project in dir (NULL = "."), which must exist. items gets
 * one entry per path, in the order above, for the steps done before an
 * error (GW_EIO, naming the path), so a caller can say what was done. */
GW_EXTERN(int)
gw_project_init(gw_init_item items[GW_INIT_ITEMS], size_t *nitems, const char *dir, gw_ctx *ctx);

#endif
