/*
 * seeds.c: per-environment seed data, applied after up and by `godwit seed`.
 *
 * Seeds are the *.sql files of seeds_dir, in name order. Each runs in its
 * own transaction together with its row in godwit_seeds (file, checksum),
 * so a seed is applied once and again only when its text changes, like a
 * repeatable migration. Seeds never run in a protected environment unless
 * the project allows it.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/fs.h"
#include "../util/hash.h"
#include "../util/text.h"

static int seeds_table(char **out, gw_project *p)
{
	char *schema_q = NULL, *table_q = NULL;
	gw_str s = GW_STR_INIT;
	int error;

	if ((error = p->driver->quote_ident(p->conn, GW_SEEDS_TABLE, &table_q)) < 0 ||
	    (p->opts.schema &&
	     (error = p->driver->quote_ident(p->conn, p->opts.schema, &schema_q)) < 0))
		goto cleanup;
	gw_str_printf(&s, "%s%s%s", schema_q ? schema_q : "", schema_q ? "." : "", table_q);
	if (!(*out = gw_str_detach(&s)))
		error = gw_error_oom(p->ctx);
cleanup:
	free(schema_q);
	free(table_q);
	return error;
}

static int ensure_table(gw_project *p, const char *table_q)
{
	gw_str sql = GW_STR_INIT;
	gw_stmt stmt;
	int error;

	gw_str_printf(&sql,
	              "CREATE TABLE IF NOT EXISTS %s (file text PRIMARY KEY, checksum text NOT "
	              "NULL, applied_at text NOT NULL, environment text)",
	              table_q);
	stmt.sql = sql.ptr;
	stmt.len = sql.size;
	stmt.params = NULL;
	stmt.nparams = 0;
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : p->driver->exec(p->conn, &stmt, NULL, NULL);
	gw_str_dispose(&sql);
	return error;
}

static int checksum_row(void *payload, int ncols, const char *const *values)
{
	gw_str *out = payload;

	/* A checksum lost to memory would read as a changed seed and run it
	 * again. */
	if (ncols > 0 && values[0] && gw_str_sets(out, values[0]) < 0)
		return GW_ENOMEM;
	return 0;
}

static int recorded_checksum(gw_str *out, gw_project *p, const char *table_q, const char *file)
{
	gw_str sql = GW_STR_INIT;
	gw_stmt stmt;
	int error;

	gw_str_clear(out);
	if (gw_str_printf(&sql, "SELECT checksum FROM %s WHERE file = $1", table_q) < 0)
		return gw_error_oom(p->ctx);
	stmt.sql = sql.ptr;
	stmt.len = sql.size;
	stmt.params = &file;
	stmt.nparams = 1;
	error = p->driver->exec(p->conn, &stmt, checksum_row, out);
	if (gw_str_failed(out))
		error = gw_error_oom(p->ctx);
	gw_str_dispose(&sql);
	return error;
}

/* One seed: its statements, its row and its event, in one transaction. */
static int apply_seed(gw_project *p, const char *table_q, const char *file, const char *path,
                      const gw_str *text, const char *checksum)
{
	gw_record event = {NULL, NULL, file, "seed", NULL, 0, 0};
	const char *params[3] = {file, checksum, p->environment};
	gw_exec_failure fail = {0, 0};
	gw_sql_list stmts = GW_SQL_LIST_INIT;
	gw_batch b = GW_BATCH_INIT;
	size_t bad = 0, i;
	int error, line, column;

	if ((error = gw_sql_split(&stmts, p->driver->dialect, text->ptr, text->size, &bad,
	                          p->ctx)) < 0)
		goto located;
	for (i = 0; i < stmts.count; i++)
		if (gw_batch_add(&b, text->ptr + stmts.items[i].offset, stmts.items[i].len, NULL,
		                 0) < 0)
			goto oom;
	if (gw_batch_addf(&b, params, 3,
	                  "INSERT INTO %s (file, checksum, applied_at, environment) VALUES ($1, "
	                  "$2, CAST(CURRENT_TIMESTAMP AS text), $3) ON CONFLICT (file) DO UPDATE "
	                  "SET checksum = excluded.checksum, applied_at = excluded.applied_at, "
	                  "environment = excluded.environment",
	                  table_q) < 0 ||
	    gw_hist_add_event(&b, p, &event) < 0)
		goto oom;
	if ((error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail)) == 0) {
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, file, path, -1, "seeded %s", path);
		goto cleanup;
	}
	bad = fail.index < stmts.count ? stmts.items[fail.index].offset : 0;
located:
	gw_text_position(text->ptr, text->size, bad, &line, &column);
	gw_error_set_location(p->ctx, path, line, column);
	gw_error_set_hint(p->ctx, "the seed was rolled back; fix it and run godwit seed again");
	goto cleanup;
oom:
	error = gw_error_oom(p->ctx);
cleanup:
	gw_batch_dispose(&b);
	gw_sql_list_dispose(&stmts);
	return error;
}

static int is_sql(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && !strcmp(name + n - 4, ".sql");
}

int gw_project__seed(size_t *applied, gw_project *p)
{
	gw_str path = GW_STR_INIT, text = GW_STR_INIT, recorded = GW_STR_INIT;
	char checksum[GW_CHECKSUM_HEX];
	gw_vec names = GW_VEC_INIT;
	char *table_q = NULL;
	size_t i, n = 0;
	int error;

	if (!p->opts.seeds_dir)
		return gw_error_set(p->ctx, GW_EINVALID, "no seeds_dir is configured for %s",
		                    p->environment);
	if (!p->seeds_allowed) {
		error = gw_error_set(p->ctx, GW_ESTATE,
		                     "seeds are not applied in the %senvironment %s",
		                     p->protected ? "protected " : "", p->environment);
		gw_error_set_hint(p->ctx,
		                  "set seeds = true in its [env.%s] section of godwit.conf if "
		                  "that is really wanted",
		                  p->environment);
		return error;
	}
	if ((error = gw_dir_list(&names, p->opts.seeds_dir, p->ctx)) < 0 ||
	    (error = gw_hist_begin(p)) < 0 || (error = seeds_table(&table_q, p)) < 0 ||
	    (error = ensure_table(p, table_q)) < 0)
		goto cleanup;
	for (i = 0; i < names.len && error == 0; i++) {
		const char *name = names.items[i];

		if (!is_sql(name))
			continue;
		gw_str_clear(&path);
		if (gw_path_join(&path, p->opts.seeds_dir, name) < 0) {
			error = gw_error_oom(p->ctx);
			break;
		}
		if ((error = gw_file_read(&text, path.ptr, GW_FILE_MAX, p->ctx)) < 0 ||
		    (error = gw_checksum_text(checksum, text.ptr, text.size)) < 0 ||
		    (error = recorded_checksum(&recorded, p, table_q, name)) < 0)
			break;
		if (!strcmp(recorded.ptr, checksum))
			continue;
		if ((error = apply_seed(p, table_q, name, path.ptr, &text, checksum)) == 0)
			n++;
	}
cleanup:
	gw_project__unlock(p);
	if (applied)
		*applied = n;
	free(table_q);
	gw_vec_dispose(&names, free);
	gw_str_dispose(&path);
	gw_str_dispose(&text);
	gw_str_dispose(&recorded);
	return error;
}

int gw_project_seed(size_t *applied, gw_project *p)
{
	size_t n = 0;
	int error = gw_project__seed(&n, p);

	if (applied)
		*applied = n;
	/* A seed may change the schema too (seeds are any SQL). */
	if (error == 0 && n > 0)
		error = gw_project__after_change(p, "seed");
	return error;
}
