/*
 * reset.c: `godwit reset`: back to an empty database, after a backup.
 *
 * Either every applied migration is reverted in reverse order (the down
 * scripts are trusted and exercised), or, with drop, the history's schema
 * is dropped and created again (PostgreSQL) or every object is dropped
 * (SQLite). A backup always comes first and a failed backup stops it; the
 * new history starts with a `reset` event that names the backup.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "godwit/backup.h"
#include "../util/error.h"

static int drop_postgres(gw_project *p)
{
	gw_batch b = GW_BATCH_INIT;
	gw_exec_failure fail = {0, 0};
	char *schema_q = NULL;
	int error;

	if ((error = p->driver->quote_ident(p->conn, p->opts.schema, &schema_q)) < 0)
		return error;
	/* CASCADE takes every object in the schema with it, the history
	 * tables included; the schema itself comes back empty. */
	if (gw_batch_addf(&b, NULL, 0, "DROP SCHEMA IF EXISTS %s CASCADE", schema_q) < 0 ||
	    gw_batch_addf(&b, NULL, 0, "CREATE SCHEMA %s", schema_q) < 0)
		error = gw_error_oom(p->ctx);
	else
		error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	gw_batch_dispose(&b);
	free(schema_q);
	return error;
}

typedef struct objects {
	gw_vec drops; /* "DROP TABLE x" statements, malloc'd */
	gw_project *p;
} objects;

static int sqlite_object(void *payload, int ncols, const char *const *values)
{
	objects *o = payload;
	char *name_q = NULL;
	gw_str sql = GW_STR_INIT;

	if (ncols < 2 || !values[0] || !values[1] ||
	    o->p->driver->quote_ident(o->p->conn, values[1], &name_q) < 0)
		return 1;
	gw_str_printf(&sql, "DROP %s IF EXISTS %s", values[0], name_q);
	free(name_q);
	return gw_vec_push(&o->drops, gw_str_detach(&sql)) < 0;
}

static int drop_sqlite(gw_project *p)
{
	static const char list[] = "SELECT upper(type), name FROM sqlite_master WHERE type IN "
	                           "('view', 'table') AND name NOT LIKE 'sqlite_%' "
	                           "ORDER BY type = 'table'";
	gw_stmt q = {list, sizeof(list) - 1, NULL, 0};
	gw_exec_failure fail = {0, 0};
	objects o = {GW_VEC_INIT, p};
	gw_batch b = GW_BATCH_INIT;
	size_t i;
	int error;

	/* Views first, then tables; their indexes and triggers go with them. */
	if ((error = p->driver->exec(p->conn, &q, sqlite_object, &o)) < 0)
		goto cleanup;
	for (i = 0; i < o.drops.len; i++)
		if (gw_batch_add(&b, o.drops.items[i], strlen(o.drops.items[i]), NULL, 0) < 0)
			error = gw_error_oom(p->ctx);
	if (error == 0 && b.count)
		error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
cleanup:
	gw_batch_dispose(&b);
	gw_vec_dispose(&o.drops, free);
	return error;
}

int gw_project_reset(gw_project *p, int drop)
{
	gw_down_options all = GW_DOWN_OPTIONS_INIT;
	char *backup = NULL;
	int error;

	if ((error = gw_project_backup(&backup, p)) < 0)
		return error;
	if (!drop) {
		int backup_flag = p->opts.backup;

		/* One backup is enough: down must not take a second. */
		all.all = 1;
		p->opts.backup = 0;
		error = gw_project_down(NULL, p, &all);
		p->opts.backup = backup_flag;
		goto cleanup;
	}
	if ((error = gw_hist_begin(p)) < 0)
		goto cleanup;
	error = p->driver->dialect == GW_DIALECT_POSTGRES ? drop_postgres(p) : drop_sqlite(p);
	if (error == 0)
		/* The backup's file name stands in the event's name column. */
		error = gw_hist_record_event(p, "reset", backup);
	gw_project__unlock(p);
	if (error == 0)
		error = gw_project__after_change(p, "reset");
cleanup:
	if (error == 0)
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1,
		          "reset %s%s; the backup is %s", p->display_url,
		          drop ? " (schema dropped and created again)" : "", backup);
	free(backup);
	return error;
}
