/*
 * godwit/backup.h: backups of a project's database, and restoring them.
 *
 * PostgreSQL is backed up with pg_dump -Fc (the client matching the
 * server's major version) and verified with pg_restore --list; SQLite with
 * its online backup API, verified with PRAGMA integrity_check. Backups go
 * to the project's backup folder (0700), one file each (0600), named
 * <environment>-<UTC time>-<last applied version>; only the newest
 * backup_keep of an environment are kept.
 */
#ifndef GODWIT_BACKUP_H
#define GODWIT_BACKUP_H

#include "common.h"
#include "errors.h"
#include "project.h"

typedef struct {
	const char *path; /* the backup file */
	const char *name; /* its file name */
	long long size;   /* in bytes */
} gw_backup_entry;

typedef struct gw_backup_list gw_backup_list;

/* Takes a backup; *path (free() it) names the file. */
GW_EXTERN(int) gw_project_backup(char **path, gw_project *project);
/* This environment's backups, oldest first. */
GW_EXTERN(int) gw_project_backups(gw_backup_list **out, gw_project *project);
GW_EXTERN(size_t) gw_backup_list_count(const gw_backup_list *list);
GW_EXTERN(const gw_backup_entry *) gw_backup_list_get(const gw_backup_list *list, size_t i);
GW_EXTERN(void) gw_backup_list_free(gw_backup_list *list);
/* Back to an empty database, after a backup (a failed backup stops it):
 * every applied migration reverted in reverse order, or with drop, the
 * history's schema dropped and created again (SQLite: every table and
 * view dropped). */
GW_EXTERN(int) gw_project_reset(gw_project *project, int drop);

/* Replaces the database's content with the backup at path, in one
 * transaction. PostgreSQL: every schema but the system's and extensions'
 * is dropped first, except those named in keep_schemas (NULL-terminated,
 * or NULL): schemas the backup does not hold that something other than
 * godwit made since. */
GW_EXTERN(int) gw_project_restore(gw_project *project, const char *path);
GW_EXTERN(int)
gw_project_restore_keeping(gw_project *project, const char *path, const char *const *keep_schemas);

#endif
