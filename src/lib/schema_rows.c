/*
 * schema_rows.c: do rows survive an up/down cycle? (`godwit test --rows`)
 *
 * A schema snapshot says nothing of data: a down that empties a table, or
 * an up that rewrites rows its down cannot restore, passes the schema
 * comparison. So before a migration is tested, every table that can take
 * a row and has none gets one (a probe row made of defaults and made-up
 * values), the rows of every table are fingerprinted (count and a hash of
 * their sorted text), and after up and down each table of before must have
 * the same fingerprint. Tables the up created are not compared: the down
 * drops them.
 *
 * The probe is best effort: a table whose constraints refuse the made-up
 * values is left empty (and so only its count is checked). Values: the
 * column default where there is one, else by type: 1 for numbers, 'g' for
 * text, true, now() for times, the first label of an enum, '{}' for
 * arrays and JSON, a fresh UUID; a table is tried again after the others
 * so a foreign key can find its probe row.
 */
#include "schema.h"

#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/hash.h"

struct gw_rows {
	gw_vec tables; /* rows_table * */
};

typedef struct rows_table {
	char *name; /* "schema.table" (SQLite: "table") as the snapshot names it */
	char *nsp, *rel;
	size_t count;
	char hash[GW_CHECKSUM_HEX];
} rows_table;

static void table_free(void *p)
{
	rows_table *t = p;

	if (!t)
		return;
	free(t->name);
	free(t->nsp);
	free(t->rel);
	free(t);
}

void gw_rows_free(gw_rows *r)
{
	if (!r)
		return;
	gw_vec_dispose(&r->tables, table_free);
	free(r);
}

/* ---- which tables ------------------------------------------------------- */

typedef struct listing {
	gw_schema_ctx *c;
	gw_vec *tables;
	int failed;
} listing;

static int add_table(void *payload, int ncols, const char *const *v)
{
	listing *l = payload;
	rows_table *t;

	if (ncols < 2 || !v[1] || (v[0] && !gw_schema__wanted(l->c, v[0])) ||
	    gw_schema__is_history(l->c, v[0], v[1]))
		return 0;
	if (!(t = calloc(1, sizeof(*t))) || !(t->rel = gw_strdup(v[1])) ||
	    (v[0] && !(t->nsp = gw_strdup(v[0]))) || gw_vec_push(l->tables, t) < 0) {
		table_free(t);
		l->failed = 1;
		return 1;
	}
	return 0;
}

static int list_tables(gw_vec *tables, gw_schema_ctx *c)
{
	static const char pg[] =
	        "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = "
	        "c.relnamespace WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition AND "
	        "n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%' "
	        "ORDER BY 1, 2";
	static const char lite[] = "SELECT NULL, name FROM sqlite_master WHERE type = 'table' AND "
	                           "name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY 2";
	listing l = {c, tables, 0};
	int error = gw_project__exec(c->p, c->p->driver->dialect == GW_DIALECT_POSTGRES ? pg : lite,
	                             NULL, 0, add_table, &l);

	return l.failed ? gw_error_oom(c->p->ctx) : error;
}

/* "schema"."table", quoted for SQL; the plain name for messages. */
static int table_names(gw_project *p, rows_table *t, gw_str *sql_name)
{
	char *q = NULL;
	int error;

	if (t->nsp) {
		if ((error = p->driver->quote_ident(p->conn, t->nsp, &q)) < 0)
			return error;
		gw_str_printf(sql_name, "%s.", q);
		free(q);
	}
	if ((error = p->driver->quote_ident(p->conn, t->rel, &q)) < 0)
		return error;
	gw_str_puts(sql_name, q);
	free(q);
	if (!t->name) {
		gw_str s = GW_STR_INIT;

		gw_str_printf(&s, "%s%s%s", t->nsp ? t->nsp : "", t->nsp ? "." : "", t->rel);
		t->name = gw_str_detach(&s);
	}
	return gw_str_failed(sql_name) || !t->name ? gw_error_oom(p->ctx) : 0;
}

/* ---- fingerprints ------------------------------------------------------- */

typedef struct row_texts {
	gw_vec rows;
	int failed;
} row_texts;

/* One row as text: its values in column order, NULL marked apart. */
static int add_row_text(void *payload, int ncols, const char *const *v)
{
	row_texts *rt = payload;
	gw_str s = GW_STR_INIT;
	int i;

	for (i = 0; i < ncols; i++) {
		gw_str_puts(&s, v[i] ? v[i] : "\x1e");
		gw_str_putc(&s, '\x1f');
	}
	if (gw_str_failed(&s) || gw_vec_push(&rt->rows, s.ptr ? s.ptr : gw_strdup("")) < 0) {
		gw_str_dispose(&s);
		rt->failed = 1;
		return 1;
	}
	return 0;
}

static int cmp_text(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fingerprint_table(gw_project *p, rows_table *t)
{
	gw_str sql = GW_STR_INIT, all = GW_STR_INIT;
	row_texts rt = {GW_VEC_INIT, 0};
	size_t i;
	int error;

	gw_str_puts(&sql, "SELECT * FROM ");
	if ((error = table_names(p, t, &sql)) < 0 ||
	    (error = gw_project__exec(p, sql.ptr, NULL, 0, add_row_text, &rt)) < 0)
		goto cleanup;
	if (rt.failed) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* Row order is the server's business; the set of rows is not. */
	if (rt.rows.len)
		qsort(rt.rows.items, rt.rows.len, sizeof(*rt.rows.items), cmp_text);
	for (i = 0; i < rt.rows.len; i++) {
		gw_str_puts(&all, rt.rows.items[i]);
		gw_str_putc(&all, '\n');
	}
	if (gw_str_failed(&all)) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	t->count = rt.rows.len;
	gw_sha256_hex(t->hash, all.ptr ? all.ptr : "", all.size);
cleanup:
	gw_vec_dispose(&rt.rows, free);
	gw_str_dispose(&sql);
	gw_str_dispose(&all);
	return error;
}

int gw_rows_fingerprint(gw_rows **out, gw_project *p, const gw_schema_options *opts)
{
	gw_schema_options defaults = GW_SCHEMA_OPTIONS_INIT;
	gw_schema_ctx c = {p, NULL, opts ? opts : &defaults, NULL, 0};
	gw_rows *r = calloc(1, sizeof(*r));
	size_t i;
	int error;

	*out = NULL;
	if (!r)
		return gw_error_oom(p->ctx);
	if ((error = gw_project__connect(&c.conn, p)) < 0 ||
	    (error = list_tables(&r->tables, &c)) < 0)
		goto cleanup;
	for (i = 0; i < r->tables.len && error == 0; i++)
		error = fingerprint_table(p, r->tables.items[i]);
cleanup:
	if (error < 0)
		gw_rows_free(r);
	else
		*out = r;
	return error;
}

static const rows_table *find(const gw_rows *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->tables.len; i++)
		if (!strcmp(((const rows_table *)r->tables.items[i])->name, name))
			return r->tables.items[i];
	return NULL;
}

int gw_rows_compare(char **out, const gw_rows *before, const gw_rows *after)
{
	gw_str s = GW_STR_INIT;
	size_t i;

	*out = NULL;
	for (i = 0; i < before->tables.len; i++) {
		const rows_table *b = before->tables.items[i], *a = find(after, b->name);

		if (!a)
			gw_str_printf(&s, "%stable %s: %zu row%s before, the table is gone",
			              s.size ? "; " : "", b->name, b->count,
			              b->count == 1 ? "" : "s");
		else if (a->count != b->count)
			gw_str_printf(&s, "%stable %s: %zu row%s before, %zu after",
			              s.size ? "; " : "", b->name, b->count,
			              b->count == 1 ? "" : "s", a->count);
		else if (strcmp(a->hash, b->hash))
			gw_str_printf(&s, "%stable %s: the %zu row%s changed", s.size ? "; " : "",
			              b->name, b->count, b->count == 1 ? "" : "s");
	}
	if (gw_str_failed(&s))
		return GW_ENOMEM;
	*out = s.size ? gw_str_detach(&s) : NULL;
	gw_str_dispose(&s);
	return 0;
}

/* ---- probe rows --------------------------------------------------------- */

/* PostgreSQL: one DO block, each insert in its own subtransaction so a
 * refused one changes nothing; three rounds let foreign keys find the
 * probe rows of the tables they reference. The tables to leave alone
 * (godwit's own) come in the setting godwit.probe_skip. */
static const char probe_pg[] =
        "DO $godwit$\n"
        "DECLARE tbl record; col record; cols text; vals text; has boolean;\n"
        "  skip text[] := string_to_array(current_setting('godwit.probe_skip'), chr(10));\n"
        "BEGIN\n"
        "  FOR round IN 1..3 LOOP\n"
        "    FOR tbl IN SELECT c.oid, n.nspname, c.relname FROM pg_class c\n"
        "        JOIN pg_namespace n ON n.oid = c.relnamespace\n"
        "        WHERE c.relkind IN ('r', 'p') AND NOT c.relispartition\n"
        "          AND n.nspname <> 'information_schema' AND n.nspname NOT LIKE 'pg\\_%'\n"
        "          AND NOT (n.nspname || '.' || c.relname = ANY (skip)\n"
        "                   OR '*.' || c.relname = ANY (skip))\n"
        "        ORDER BY 2, 3 LOOP\n"
        "      EXECUTE format('SELECT EXISTS (SELECT FROM %I.%I)', tbl.nspname, tbl.relname)\n"
        "        INTO has;\n"
        "      CONTINUE WHEN has;\n"
        "      cols := ''; vals := '';\n"
        "      FOR col IN SELECT a.attname, a.atttypid, a.atttypmod, t.typcategory, t.typtype\n"
        "          FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid\n"
        "          WHERE a.attrelid = tbl.oid AND a.attnum > 0 AND NOT a.attisdropped\n"
        "            AND a.attnotnull AND a.attgenerated = '' AND a.attidentity = ''\n"
        "            AND NOT EXISTS (SELECT FROM pg_attrdef d\n"
        "                            WHERE d.adrelid = tbl.oid AND d.adnum = a.attnum)\n"
        "          ORDER BY a.attnum LOOP\n"
        "        cols := cols || ', ' || quote_ident(col.attname);\n"
        "        vals := vals || ', ' || CASE\n"
        "          WHEN col.typtype = 'e' THEN coalesce(quote_literal((SELECT enumlabel\n"
        "            FROM pg_enum WHERE enumtypid = col.atttypid\n"
        "            ORDER BY enumsortorder LIMIT 1)), 'NULL')\n"
        "          WHEN col.atttypid IN ('json'::regtype, 'jsonb'::regtype) THEN '''{}'''\n"
        "          WHEN col.atttypid = 'uuid'::regtype THEN 'gen_random_uuid()'\n"
        "          WHEN col.typcategory = 'N' THEN '1'\n"
        "          WHEN col.typcategory = 'S' THEN '''g'''\n"
        "          WHEN col.typcategory = 'B' THEN 'true'\n"
        "          WHEN col.typcategory = 'D' THEN 'now()'\n"
        "          WHEN col.typcategory = 'A' THEN '''{}'''\n"
        "          ELSE 'NULL' END || '::' || format_type(col.atttypid, col.atttypmod);\n"
        "      END LOOP;\n"
        "      BEGIN\n"
        "        IF cols = '' THEN\n"
        "          EXECUTE format('INSERT INTO %I.%I DEFAULT VALUES', tbl.nspname, tbl.relname);\n"
        "        ELSE\n"
        "          EXECUTE format('INSERT INTO %I.%I (%s) VALUES (%s)', tbl.nspname,\n"
        "            tbl.relname, substr(cols, 3), substr(vals, 3));\n"
        "        END IF;\n"
        "      EXCEPTION WHEN OTHERS THEN NULL;\n"
        "      END;\n"
        "    END LOOP;\n"
        "  END LOOP;\n"
        "END $godwit$";

static int probe_postgres(gw_project *p)
{
	gw_str skip = GW_STR_INIT;
	const char *params[1];
	const char *tables[3] = {p->opts.table, p->opts.events_table, GW_SCHEMA_SNAPSHOTS_TABLE};
	int i, error;

	for (i = 0; i < 3; i++)
		gw_str_printf(&skip, "%s%s.%s", i ? "\n" : "",
		              p->opts.schema ? p->opts.schema : "*", tables[i]);
	if (gw_str_failed(&skip))
		return gw_error_oom(p->ctx);
	params[0] = skip.ptr;
	if ((error = gw_project__exec(p, "SELECT set_config('godwit.probe_skip', $1, false)",
	                              params, 1, NULL, NULL)) == 0)
		error = gw_project__exec(p, probe_pg, NULL, 0, NULL, NULL);
	gw_str_dispose(&skip);
	return error;
}

/* SQLite: the same, column by column from PRAGMA table_info, each insert
 * under a savepoint. */
typedef struct lite_cols {
	gw_project *p;
	gw_str cols, vals;
	int failed;
} lite_cols;

static const char *lite_value(const char *type)
{
	char up[32];
	size_t i;

	for (i = 0; type && type[i] && i + 1 < sizeof(up); i++)
		up[i] = (char)(type[i] >= 'a' && type[i] <= 'z' ? type[i] - 32 : type[i]);
	up[i] = '\0';
	/* SQLite's affinity rules, in their order. */
	if (strstr(up, "INT"))
		return "1";
	if (strstr(up, "CHAR") || strstr(up, "CLOB") || strstr(up, "TEXT"))
		return "'g'";
	if (!up[0] || strstr(up, "BLOB"))
		return "x'00'";
	return "1";
}

/* PRAGMA table_info: cid, name, type, notnull, dflt_value, pk. Only the
 * NOT NULL columns without a default need a value. */
static int lite_column(void *payload, int ncols, const char *const *v)
{
	lite_cols *lc = payload;
	char *q = NULL;

	if (ncols < 6 || !v[1] || !v[3] || strcmp(v[3], "1") || v[4])
		return 0;
	if (lc->p->driver->quote_ident(lc->p->conn, v[1], &q) < 0) {
		lc->failed = 1;
		return 1;
	}
	gw_str_printf(&lc->cols, "%s%s", lc->cols.size ? ", " : "", q);
	gw_str_printf(&lc->vals, "%s%s", lc->vals.size ? ", " : "", lite_value(v[2]));
	free(q);
	return 0;
}

static int lite_has_rows(void *payload, int ncols, const char *const *v)
{
	*(int *)payload = ncols > 0 && v[0] && strcmp(v[0], "0");
	return 0;
}

static int probe_sqlite_table(gw_project *p, rows_table *t)
{
	gw_str name = GW_STR_INIT, sql = GW_STR_INIT;
	lite_cols lc = {p, GW_STR_INIT, GW_STR_INIT, 0};
	int has = 0, error;

	if ((error = table_names(p, t, &name)) < 0)
		goto cleanup;
	/* An empty text would run nothing and read as an empty table. */
	if (gw_str_printf(&sql, "SELECT count(*) > 0 FROM %s", name.ptr) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if ((error = gw_project__exec(p, sql.ptr, NULL, 0, lite_has_rows, &has)) < 0 || has)
		goto cleanup;
	gw_str_clear(&sql);
	if (gw_str_printf(&sql, "PRAGMA table_info(%s)", name.ptr) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if ((error = gw_project__exec(p, sql.ptr, NULL, 0, lite_column, &lc)) < 0 || lc.failed) {
		error = error < 0 ? error : gw_error_oom(p->ctx);
		goto cleanup;
	}
	gw_str_clear(&sql);
	if (lc.cols.size)
		gw_str_printf(&sql, "INSERT INTO %s (%s) VALUES (%s)", name.ptr, lc.cols.ptr,
		              lc.vals.ptr);
	else
		gw_str_printf(&sql, "INSERT INTO %s DEFAULT VALUES", name.ptr);
	if (gw_str_failed(&sql) || gw_str_failed(&lc.cols) || gw_str_failed(&lc.vals)) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* A refused row is no error: the table stays empty. */
	if (gw_project__exec(p, "SAVEPOINT godwit_probe", NULL, 0, NULL, NULL) == 0 &&
	    gw_project__exec(p, sql.ptr, NULL, 0, NULL, NULL) < 0) {
		gw_ctx_clear_error(p->ctx);
		gw_project__exec(p, "ROLLBACK TO godwit_probe", NULL, 0, NULL, NULL);
	}
	error = gw_project__exec(p, "RELEASE godwit_probe", NULL, 0, NULL, NULL);
cleanup:
	gw_str_dispose(&name);
	gw_str_dispose(&sql);
	gw_str_dispose(&lc.cols);
	gw_str_dispose(&lc.vals);
	return error;
}

static int probe_sqlite(gw_project *p, gw_schema_ctx *c)
{
	gw_vec tables = GW_VEC_INIT;
	size_t i;
	int round, error;

	for (round = 0; round < 3; round++) {
		if ((error = list_tables(&tables, c)) < 0)
			break;
		for (i = 0; i < tables.len && error == 0; i++)
			error = probe_sqlite_table(p, tables.items[i]);
		gw_vec_dispose(&tables, table_free);
		tables = (gw_vec)GW_VEC_INIT;
		if (error < 0)
			break;
	}
	gw_vec_dispose(&tables, table_free);
	return error;
}

int gw_rows_probe(gw_project *p)
{
	gw_schema_options defaults = GW_SCHEMA_OPTIONS_INIT;
	gw_schema_ctx c = {p, NULL, &defaults, NULL, 0};
	int error;

	if ((error = gw_project__connect(&c.conn, p)) < 0)
		return error;
	return p->driver->dialect == GW_DIALECT_POSTGRES ? probe_postgres(p) : probe_sqlite(p, &c);
}
