/*
 * seeds.c: per-environment seed data, applied after up and by `godwit seed`.
 *
 * Seeds are the *.sql files of seeds_dir, in name order. Each runs in its
 * own transaction together with its row in godwit_seeds (file, checksum),
 * so a seed is applied once and again only when its text changes, like a
 * repeatable migration. Seeds never run in a protected environment unless
 * the project allows it. Placeholders (${NAME}) are replaced as in
 * migrations (placeholder.c): the checksum is of the text as written, the
 * values go to the driver only and are masked in what the server says.
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

static int exists_row(void *payload, int ncols, const char *const *values)
{
	*(int *)payload = ncols > 0 && values[0] && values[0][0] == 't';
	return 0;
}

static int ensure_table(gw_project *p, const char *table_q)
{
	gw_str sql = GW_STR_INIT;
	gw_stmt stmt;
	int error, exists = 0;

	/* Asked first on PostgreSQL, whose CREATE TABLE IF NOT EXISTS says
	 * "already exists, skipping" to every run after the first. */
	if (p->driver->dialect == GW_DIALECT_POSTGRES &&
	    ((error = gw_project__exec(p, "SELECT to_regclass($1) IS NOT NULL", &table_q, 1,
	                               exists_row, &exists)) < 0 ||
	     exists))
		return error;
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

/* A seed to apply: its text as written (whose checksum is recorded, so a
 * rotated placeholder value does not make it run again), its statements,
 * and beside each one that holds a placeholder its substituted text,
 * which only the driver gets. */
typedef struct seed {
	char *name; /* in seeds_dir */
	char *path;
	gw_str text;
	char checksum[GW_CHECKSUM_HEX];
	gw_sql_list stmts;
	char **sub; /* per statement, or NULL when none holds a placeholder */
} seed;

static void seed_free(void *item)
{
	seed *sd = item;
	size_t i;

	if (!sd)
		return;
	for (i = 0; sd->sub && i < sd->stmts.count; i++)
		free(sd->sub[i]);
	free(sd->sub);
	gw_sql_list_dispose(&sd->stmts);
	gw_str_dispose(&sd->text);
	free(sd->name);
	free(sd->path);
	free(sd);
}

static int seed_failed(gw_project *p, const seed *sd, size_t at, int error, const char *what)
{
	int line, column;

	gw_text_position(sd->text.ptr, sd->text.size, at, &line, &column);
	gw_error_set_location(p->ctx, sd->path, line, column);
	gw_error_set_hint_code_after(p->ctx, GW_HINT_SEED_AGAIN, NULL, NULL, "%s; ", what);
	return error;
}

/* Splits the seed and replaces its placeholders: an error here (bad SQL,
 * an undefined name) comes before any seed runs. */
static int seed_prepare(gw_project *p, seed *sd)
{
	size_t bad = 0, i;
	char *one;
	int error, any = 0;

	if ((error = gw_sql_split(&sd->stmts, p->driver->dialect, sd->text.ptr, sd->text.size, &bad,
	                          p->ctx)) < 0)
		return seed_failed(p, sd, bad, error, "no seed ran");
	if (gw_placeholders__mode(p) == GW_PLACEHOLDERS_OFF || !sd->stmts.count)
		return 0;
	if (!(sd->sub = calloc(sd->stmts.count, sizeof(*sd->sub))))
		return gw_error_oom(p->ctx);
	for (i = 0; i < sd->stmts.count && error == 0; i++) {
		const gw_sql_stmt *st = &sd->stmts.items[i];

		error = gw_placeholders__substitute(&one, p, sd->text.ptr + st->offset, st->len,
		                                    sd->text.ptr, sd->text.size, st->offset,
		                                    sd->path);
		sd->sub[i] = one;
		any |= one != NULL;
	}
	if (error == 0 && !any) {
		free(sd->sub);
		sd->sub = NULL;
	}
	return error;
}

/* One seed: its statements, its row and its event, in one transaction. */
static int apply_seed(gw_project *p, const char *table_q, const seed *sd)
{
	gw_record event = {NULL, NULL, sd->name, "seed", NULL, 0, 0};
	const char *params[3] = {sd->name, sd->checksum, p->environment};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	size_t i;
	int error;

	for (i = 0; i < sd->stmts.count; i++) {
		const gw_sql_stmt *st = &sd->stmts.items[i];
		const char *sql = sd->sub && sd->sub[i] ? sd->sub[i] : sd->text.ptr + st->offset;

		if (gw_batch_add(&b, sql, sd->sub && sd->sub[i] ? strlen(sql) : st->len, NULL, 0) <
		    0)
			goto oom;
	}
	if (gw_batch_addf(&b, params, 3,
	                  "INSERT INTO %s (file, checksum, applied_at, environment) VALUES ($1, "
	                  "$2, CAST(CURRENT_TIMESTAMP AS text), $3) ON CONFLICT (file) DO UPDATE "
	                  "SET checksum = excluded.checksum, applied_at = excluded.applied_at, "
	                  "environment = excluded.environment",
	                  table_q) < 0 ||
	    gw_hist_add_event(&b, p, &event) < 0)
		goto oom;
	if ((error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail)) == 0)
		gw_notify(p->ctx, GW_NOTICE_INFO, NULL, sd->name, sd->path, -1, "seeded %s",
		          sd->path);
	else
		seed_failed(p, sd,
		            fail.index < sd->stmts.count ? sd->stmts.items[fail.index].offset : 0,
		            error, "the seed was rolled back");
	gw_batch_dispose(&b);
	return error;
oom:
	gw_batch_dispose(&b);
	return gw_error_oom(p->ctx);
}

static int is_sql(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && !strcmp(name + n - 4, ".sql");
}

/* The seeds whose text changed since they were applied (or never were),
 * each prepared, in name order. */
static int pending_seeds(gw_vec *out, gw_project *p, const char *table_q, const gw_vec *names)
{
	gw_str path = GW_STR_INIT, recorded = GW_STR_INIT;
	seed *sd = NULL;
	size_t i;
	int error = 0;

	for (i = 0; i < names->len && error == 0; i++) {
		const char *name = names->items[i];

		if (!is_sql(name))
			continue;
		gw_str_clear(&path);
		if (gw_path_join(&path, p->opts.seeds_dir, name) < 0 ||
		    !(sd = calloc(1, sizeof(*sd))) || !(sd->name = gw_strdup(name)) ||
		    !(sd->path = gw_strdup(path.ptr))) {
			error = gw_error_oom(p->ctx);
			break;
		}
		if ((error = gw_file_read(&sd->text, path.ptr, GW_FILE_MAX, p->ctx)) < 0 ||
		    (error = gw_checksum_text(sd->checksum, sd->text.ptr, sd->text.size)) < 0 ||
		    (error = recorded_checksum(&recorded, p, table_q, name)) < 0)
			break;
		if (!strcmp(recorded.ptr, sd->checksum)) {
			seed_free(sd);
			sd = NULL;
			continue;
		}
		if ((error = seed_prepare(p, sd)) < 0)
			break;
		if (gw_vec_push(out, sd) < 0) {
			error = gw_error_oom(p->ctx);
			break;
		}
		sd = NULL;
	}
	seed_free(sd);
	gw_str_dispose(&path);
	gw_str_dispose(&recorded);
	return error;
}

int gw_project__seed(size_t *applied, gw_project *p)
{
	gw_vec names = GW_VEC_INIT, seeds = GW_VEC_INIT;
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
	    (error = ensure_table(p, table_q)) < 0 ||
	    (error = pending_seeds(&seeds, p, table_q, &names)) < 0)
		goto cleanup;
	for (i = 0; i < seeds.len && error == 0; i++)
		if ((error = apply_seed(p, table_q, seeds.items[i])) == 0)
			n++;
cleanup:
	gw_project__unlock(p);
	if (applied)
		*applied = n;
	free(table_q);
	gw_vec_dispose(&names, free);
	gw_vec_dispose(&seeds, seed_free);
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
