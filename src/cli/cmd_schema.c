/*
 * cmd_schema.c: `godwit schema dump` and `godwit schema diff A B`.
 *
 * dump writes the snapshot of the database (text, the format of
 * include/godwit/schema.h, or JSON) to stdout or --output FILE; diff
 * compares two snapshots, each a file written by dump or a database URL,
 * and exits 3 when they differ. The helpers at the end (open a project on
 * another URL, load a snapshot from either, print a difference) are shared
 * with `test` and `drift`.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <stdint.h>

#include "cli.h"
#include "godwit/generate.h"

enum {
	OPT_SCHEMA = 1,
	OPT_PRIVILEGES,
	OPT_IGNORE_COLUMN_ORDER,
	OPT_INCLUDE_HISTORY,
	OPT_OUTPUT,
	OPT_SQL,
	OPT_DOWN,
	OPT_RENAME,
	OPT_DEV_URL,
	OPT_PLAIN,
	OPT_COLUMN_ORDER,
};

static const gw_opt schema_options[] = {
        {OPT_SCHEMA, "schema", 0, "NAME", "only this schema (repeatable)"},
        {OPT_PRIVILEGES, "privileges", 0, NULL, "include owners and grants"},
        {OPT_IGNORE_COLUMN_ORDER, "ignore-column-order", 0, NULL,
         "sort columns by name and do not compare their order"},
        {OPT_INCLUDE_HISTORY, "include-history", 0, NULL, "include godwit's own tables"},
        {OPT_OUTPUT, "output", 'o', "FILE", "dump: write to FILE instead of stdout"},
        {OPT_SQL, "sql", 0, NULL, "diff: print the SQL that turns A into B"},
        {OPT_DOWN, "down", 0, NULL, "diff: print the SQL that turns B back into A"},
        {OPT_RENAME, "rename", 0, "OLD=NEW",
         "diff --sql: OLD in A is NEW in B (schema.table or schema.table.column; repeatable)"},
        {OPT_DEV_URL, "dev-url", 0, "URL",
         "diff: server of the ephemeral database DDL and migrations are replayed on"},
        {OPT_PLAIN, "plain", 0, NULL,
         "diff --sql: plain forms (no CONCURRENTLY, no NOT VALID then VALIDATE)"},
        {OPT_COLUMN_ORDER, "column-order", 0, "rebuild|append",
         "diff --sql: a column new in the middle rebuilds its table (default) or goes at "
         "the end"},
        {0, NULL, 0, NULL, NULL},
};

/* The snapshot options the command line asks for; `names` holds the
 * --schema values and must outlive opts. */
int gw_cli_schema_options(gw_schema_options *opts, const char ***names, const gw_args *args)
{
	size_t i, n = 0;

	*names = calloc(args->nopts + 1, sizeof(**names));
	if (!*names)
		return -1;
	for (i = 0; i < args->nopts; i++) {
		switch (args->opts[i].id) {
		case OPT_SCHEMA:
			(*names)[n++] = args->opts[i].value;
			break;
		case OPT_PRIVILEGES:
			opts->privileges = 1;
			break;
		case OPT_IGNORE_COLUMN_ORDER:
			opts->ignore_column_order = 1;
			break;
		case OPT_INCLUDE_HISTORY:
			opts->include_history = 1;
			break;
		default:
			break;
		}
	}
	opts->schemas = n ? *names : NULL;
	opts->nschemas = n;
	return 0;
}

static int read_file(char **out, size_t *len, const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *p;
	size_t cap = 0, n = 0, got;

	if (!f)
		return -1;
	do {
		if (n + 65536 > cap) {
			cap = (n + 65536) * 2;
			if (!(p = realloc(buf, cap + 1))) {
				free(buf);
				fclose(f);
				return -1;
			}
			buf = p;
		}
		got = fread(buf + n, 1, cap - n, f);
		n += got;
	} while (got > 0);
	/* A folder opens, then fails to read (EISDIR): it is no empty
	 * snapshot, which would make every object of the other side a
	 * difference. */
	if (ferror(f)) {
		int err = errno;

		free(buf);
		fclose(f);
		errno = err;
		return -1;
	}
	fclose(f);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int is_folder(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/* "migrations" (the project's, even when a file or folder has that name:
 * ./migrations is the path), a file when one exists at that path (a
 * snapshot, or DDL replayed on an ephemeral database), a folder of DDL,
 * "!command", else a database URL. */
int gw_cli_load_source(gw_cli *cli, gw_schema **out, const char *spec,
                       const gw_schema_options *opts, const char *dev_url)
{
	gw_load_options lo = GW_LOAD_OPTIONS_INIT;
	char *text = NULL;
	size_t len;
	int rc;

	if (strcmp(spec, "migrations") == 0)
		goto load; /* the project's migrations, never a file of that name */
	if (access(spec, F_OK) == 0 && !is_folder(spec)) {
		/* gw_cli_refuse: in JSON too, a document says why. */
		if (read_file(&text, &len, spec) < 0)
			return gw_cli_refuse(cli, NULL, "cannot read %s: %s", spec,
			                     strerror(errno));
		if (strncmp(text, "-- godwit schema snapshot", 25) != 0) {
			free(text);
			goto load;
		}
		rc = gw_schema_parse(out, text, len, cli->ctx);
		free(text);
		if (rc < 0)
			return gw_cli_refuse(cli, NULL, "%s: %s", spec,
			                     gw_ctx_error(cli->ctx)
			                             ? gw_ctx_error(cli->ctx)->message
			                             : "bad file");
		return 0;
	}
	if (access(spec, F_OK) != 0 && !strchr(spec, ':') && spec[0] != '!')
		return gw_cli_usage(cli,
		                    "'%s' is neither a file nor a database URL (nor a folder, "
		                    "'migrations' or '!command')",
		                    spec);
load:
	lo.server_url = dev_url;
	lo.schema = opts;
	if ((rc = gw_schema_load(out, cli->project, spec, &lo)) < 0)
		return gw_cli_fail(cli, rc);
	return 0;
}

static json_t *diff_json(const gw_schema_diff *d)
{
	static const char *const names[] = {"", "missing", "extra", "changed"};
	json_t *list = json_array(), *o, *members;
	const gw_schema_difference *e;
	size_t i, j;

	for (i = 0; i < gw_schema_diff_count(d); i++) {
		e = gw_schema_diff_get(d, i);
		o = json_object();
		members = json_array();
		gw_json_set(o, "kind", gw_json_str(e->kind));
		gw_json_set(o, "name", gw_json_str(e->name));
		gw_json_set(o, "change", gw_json_str(names[e->change]));
		for (j = 0; j < e->nchanges; j++) {
			json_t *m = json_object();
			gw_json_set(m, "key", gw_json_str(e->changes[j].key));
			gw_json_set(m, "change", gw_json_str(names[e->changes[j].change]));
			gw_json_set(m, "a", gw_json_str(e->changes[j].a));
			gw_json_set(m, "b", gw_json_str(e->changes[j].b));
			gw_json_append(members, m);
		}
		gw_json_set(o, "members", members);
		gw_json_append(list, o);
	}
	return list;
}

json_t *gw_cli_diff_json(const gw_schema_diff *d)
{
	return diff_json(d);
}

/* ---- dump ------------------------------------------------------------------ */

static json_t *schema_json(const gw_schema *s)
{
	json_t *root = json_object(), *list = json_array();
	size_t i, j;

	gw_json_set(root, "dialect", gw_json_str(gw_schema_dialect(s)));
	for (i = 0; i < gw_schema_count(s); i++) {
		const gw_schema_object *o = gw_schema_get(s, i);
		json_t *obj = json_object(), *members = json_array();
		gw_json_set(obj, "kind", gw_json_str(o->kind));
		gw_json_set(obj, "name", gw_json_str(o->name));
		for (j = 0; j < o->nmembers; j++)
			gw_json_append(members, gw_json_str(o->members[j]));
		gw_json_set(obj, "members", members);
		gw_json_append(list, obj);
	}
	gw_json_set(root, "objects", list);
	return root;
}

static int write_output(const char *path, const char *text)
{
	FILE *f = path ? fopen(path, "wb") : stdout;
	int ok;

	if (!f) {
		fprintf(stderr, "godwit: error: cannot write %s: %s\n", path, strerror(errno));
		return GW_EXIT_FAILED;
	}
	ok = fputs(text, f) >= 0;
	if (path)
		ok = fclose(f) == 0 && ok;
	if (!ok) {
		fprintf(stderr, "godwit: error: cannot write %s\n", path ? path : "the output");
		return GW_EXIT_FAILED;
	}
	return GW_EXIT_OK;
}

static int dump(gw_cli *cli, const gw_args *args, const gw_schema_options *opts)
{
	const char *output = NULL;
	gw_schema *s = NULL;
	char *text = NULL;
	size_t i;
	int rc;

	for (i = 0; i < args->nopts; i++)
		if (args->opts[i].id == OPT_OUTPUT)
			output = args->opts[i].value;
	if (args->npos != 1)
		return gw_cli_usage(cli, "schema dump takes no argument");
	if ((rc = gw_schema_snapshot(&s, cli->project, opts)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		json_t *root = schema_json(s);
		if (!root || !(text = json_dumps(root, JSON_INDENT(2))))
			rc = GW_EXIT_FAILED;
		json_decref(root);
	} else if (gw_schema_text(&text, s) < 0) {
		rc = GW_EXIT_FAILED;
	}
	if (rc == 0)
		rc = write_output(output, text);
	if (rc == 0 && cli->output == GW_OUTPUT_JSON && !output)
		fputc('\n', stdout);
	free(text);
	gw_schema_free(s);
	return rc;
}

/* ---- diff ------------------------------------------------------------------ */

int gw_cli_print_diff(gw_cli *cli, const gw_schema_diff *d, const char *indent)
{
	char *text = NULL, *line, *next;

	(void)cli;
	if (gw_schema_diff_text(&text, d) < 0) {
		fputs("godwit: error: out of memory\n", stderr);
		return GW_EXIT_FAILED;
	}
	for (line = text; *line; line = next) {
		next = strchr(line, '\n');
		next = next ? next + 1 : line + strlen(line);
		fputs(indent, stdout);
		fwrite(line, 1, (size_t)(next - line), stdout);
	}
	free(text);
	return GW_EXIT_OK;
}

/* Prints the SQL of a to b (or, with down, of b to a) and its warnings;
 * exit 3 when something cannot be expressed. */
static int diff_sql(gw_cli *cli, const gw_args *args, const gw_schema *a, const gw_schema *b,
                    const gw_schema_options *opts)
{
	gw_sql_options so = GW_SQL_OPTIONS_INIT;
	const char **renames = calloc(args->nopts + 1, sizeof(*renames));
	gw_sql *q = NULL;
	int down = 0, rc = GW_EXIT_OK;
	size_t i;

	if (!renames) {
		fputs("godwit: error: out of memory\n", stderr);
		return GW_EXIT_FAILED;
	}
	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_DOWN)
			down = 1;
		else if (args->opts[i].id == OPT_PLAIN)
			so.plain = 1;
		else if (args->opts[i].id == OPT_COLUMN_ORDER)
			so.column_order_append = strcmp(args->opts[i].value, "append") == 0;
		else if (args->opts[i].id == OPT_RENAME)
			renames[so.nrenames++] = args->opts[i].value;
	}
	so.privileges = opts->privileges;
	so.renames = renames;
	/* The down reverses each rename, last first. */
	for (i = 0; down && i < so.nrenames / 2; i++) {
		const char *t = renames[i];
		renames[i] = renames[so.nrenames - 1 - i];
		renames[so.nrenames - 1 - i] = t;
	}
	if (down)
		for (i = 0; i < so.nrenames; i++) {
			const char *eq = strchr(renames[i], '=');
			char *r = eq ? malloc(strlen(renames[i]) + 1) : NULL;
			if (r) {
				sprintf(r, "%s=%.*s", eq + 1, (int)(eq - renames[i]), renames[i]);
				renames[i] = r;
			}
		}
	if (gw_schema_sql(&q, down ? b : a, down ? a : b, &so, cli->ctx) < 0) {
		rc = gw_cli_fail(cli, GW_EINVALID);
		goto cleanup;
	}
	fputs(gw_sql_text(q), stdout);
	for (i = 0; i < gw_sql_warning_count(q); i++)
		fprintf(stderr, "godwit: warning: %s\n", gw_sql_warning(q, i));
	if (gw_sql_unexpressed(q)) {
		fprintf(stderr,
		        "godwit: %zu change%s cannot be expressed in SQL; see the comments "
		        "\"-- cannot be expressed\"\n",
		        gw_sql_unexpressed(q), gw_sql_unexpressed(q) == 1 ? "" : "s");
		rc = GW_EXIT_FOUND;
	}
cleanup:
	if (down)
		for (i = 0; i < so.nrenames; i++)
			if (strchr(renames[i], '='))
				free((void *)(uintptr_t)renames[i]);
	free(renames);
	gw_sql_free(q);
	return rc;
}

static int diff(gw_cli *cli, const gw_args *args, const gw_schema_options *opts)
{
	gw_schema *a = NULL, *b = NULL;
	gw_schema_diff *d = NULL;
	const char *dev_url = NULL;
	json_t *root;
	int rc, sql = 0;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_SQL || args->opts[i].id == OPT_DOWN)
			sql = 1;
		else if (args->opts[i].id == OPT_DEV_URL)
			dev_url = args->opts[i].value;
		else if (!sql && (args->opts[i].id == OPT_RENAME || args->opts[i].id == OPT_PLAIN ||
		                  args->opts[i].id == OPT_COLUMN_ORDER))
			sql = -1;
		if (args->opts[i].id == OPT_COLUMN_ORDER &&
		    strcmp(args->opts[i].value, "append") != 0 &&
		    strcmp(args->opts[i].value, "rebuild") != 0)
			return gw_cli_usage(cli, "--column-order is rebuild or append");
	}
	if (sql < 0)
		return gw_cli_usage(cli,
		                    "--rename, --plain and --column-order go with --sql or --down");
	if (args->npos != 3)
		return gw_cli_usage(
		        cli, "schema diff needs two snapshots: a file or a database URL each");
	if ((rc = gw_cli_load_source(cli, &a, args->pos[1], opts, dev_url)) != 0 ||
	    (rc = gw_cli_load_source(cli, &b, args->pos[2], opts, dev_url)) != 0)
		goto cleanup;
	if (sql) {
		rc = diff_sql(cli, args, a, b, opts);
		goto cleanup;
	}
	if (gw_schema_diff_compute_with(&d, a, b, opts) < 0) {
		fputs("godwit: error: out of memory\n", stderr);
		rc = GW_EXIT_FAILED;
		goto cleanup;
	}
	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "equal", gw_json_bool(gw_schema_diff_count(d) == 0));
		gw_json_set(root, "differences", diff_json(d));
		rc = gw_json_print(cli, root);
	} else if (gw_schema_diff_count(d) == 0) {
		printf("the schemas are equal\n");
	} else {
		rc = gw_cli_print_diff(cli, d, "");
	}
	if (rc == GW_EXIT_OK && gw_schema_diff_count(d) > 0)
		rc = GW_EXIT_FOUND;
cleanup:
	gw_schema_diff_free(d);
	gw_schema_free(a);
	gw_schema_free(b);
	return rc;
}

static int schema_run(gw_cli *cli, const gw_args *args)
{
	gw_schema_options opts = GW_SCHEMA_OPTIONS_INIT;
	const char **names = NULL;
	int rc;

	if (gw_cli_schema_options(&opts, &names, args) < 0) {
		fputs("godwit: error: out of memory\n", stderr);
		return GW_EXIT_FAILED;
	}
	if (strcmp(args->pos[0], "dump") == 0)
		rc = dump(cli, args, &opts);
	else if (strcmp(args->pos[0], "diff") == 0)
		rc = diff(cli, args, &opts);
	else
		rc = gw_cli_usage(cli, "unknown schema command '%s'; use dump or diff",
		                  args->pos[0]);
	free(names);
	return rc;
}

const gw_cmd gw_cmd_schema = {
        .name = "schema",
        .summary = "dump the schema, or compare two schemas",
        .usage = "schema dump [--output FILE] [--schema NAME]... [--privileges] [--format "
                 "text|json]\n"
                 "       godwit schema diff A B [--sql | --down] [--rename OLD=NEW]... [--dev-url "
                 "URL]\n"
                 "   (A and B: a snapshot file from dump, a database URL, a DDL file or folder,\n"
                 "    '!command' printing DDL, or 'migrations')",
        .description =
                "dump writes a normalized snapshot read from the system catalogs (PostgreSQL)\n"
                "or sqlite_schema (SQLite): two equal schemas give byte-identical output.\n"
                "godwit's own history tables are left out unless --include-history.\n"
                "diff prints what differs, object by object, and exits 3 when anything does.\n"
                "With --sql it prints the statements that turn A into B (--down: B into A),\n"
                "in live-safe forms, and exits 3 when a change cannot be expressed.\n"
                "DDL and migrations are replayed on an ephemeral database (--dev-url server).\n"
                "Here --schema filters the snapshot; the history schema is --history-schema.",
        .options = schema_options,
        .min_args = 1,
        .max_args = 3,
        .needs = GW_NEEDS_PROJECT,
        .run = schema_run,
};
