/*
 * cmd_test.c: `godwit test`: proves that every migration's down undoes its
 * up, on an ephemeral database that is always dropped afterwards.
 *
 * For each migration in order: snapshot, up, snapshot, down, snapshot
 * (must equal the first), up again, snapshot (must equal the second). A
 * failure names the objects the down left behind ("extra") or removed
 * ("missing"). Migrations that are not under test (--only-new, --since)
 * are applied normally on the way. After a failed migration the database
 * is in no known state: it is replaced by a fresh one with the ups up to
 * that migration replayed, and the run goes on, so one run reports every
 * broken migration (--fail-fast stops at the first). SIGINT and SIGTERM
 * stop the run after the current step and still drop the database; a run
 * killed outright leaves a database whose name holds its pid, and the next
 * run drops it.
 */
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"

enum {
	OPT_DEV_URL = 1,
	OPT_KEEP,
	OPT_ONLY_NEW,
	OPT_SINCE,
	OPT_FORMAT,
	OPT_IGNORE_COLUMN_ORDER,
	OPT_ROWS,
	OPT_FAIL_FAST,
};

static const gw_opt test_options[] = {
        {OPT_DEV_URL, "dev-url", 0, "URL",
         "server for the ephemeral database (default: the database URL)"},
        {OPT_KEEP, "keep", 0, NULL, "keep the ephemeral database for inspection"},
        {OPT_ONLY_NEW, "only-new", 0, NULL, "test only migrations not applied in the target"},
        {OPT_SINCE, "since", 0, "REV", "test only migrations changed since a git revision"},
        {OPT_FORMAT, "format", 0, "FMT", "text, json, markdown or github"},
        {OPT_IGNORE_COLUMN_ORDER, "ignore-column-order", 0, NULL,
         "compare columns by name, not by position"},
        {OPT_ROWS, "rows", 0, NULL,
         "also check that the rows of existing tables survive up and down"},
        {OPT_FAIL_FAST, "fail-fast", 0, NULL,
         "stop at the first failed migration (the rest: not run)"},
        {0, NULL, 0, NULL, NULL},
};

typedef enum { FMT_TEXT, FMT_JSON, FMT_MARKDOWN, FMT_GITHUB } fmt;
typedef enum { R_PASS, R_FAIL, R_UNTESTABLE, R_NOT_RUN } result;

static const char *const result_names[] = {"pass", "fail", "untestable", "not run"};

typedef struct outcome {
	char *version, *name, *file;
	result r;
	char *reason;
	gw_schema_diff *diff;
} outcome;

typedef struct tester {
	gw_cli *cli;
	gw_ctx *ctx; /* the ephemeral project's: no progress lines */
	gw_project *ep;
	gw_ephemeral *eph;  /* the database ep works on */
	const char *server; /* the URL ephemeral databases are made from */
	gw_schema_options sopts;
	outcome *items;
	size_t n;
	int stop; /* the rest is not run; stop_why says why */
	char *stop_why;
	int up_failed; /* the migration's first up failed */
	int rows;      /* --rows */
	int fail_fast;
	int keep;
} tester;

static volatile sig_atomic_t interrupted;

static void on_signal(int sig)
{
	interrupted = sig;
}

static void catch_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

static char *error_text(tester *t, const char *what)
{
	const gw_error *e = gw_ctx_error(t->ctx);
	const char *msg = e && e->message ? e->message : "failed";
	size_t len = strlen(what) + strlen(msg) + 3;
	char *s = malloc(len);

	if (s)
		snprintf(s, len, "%s: %s", what, msg);
	gw_ctx_clear_error(t->ctx);
	return s;
}

/* A failed step fails the migration and leaves the database in no known
 * state (run_all replaces it). */
static int step_failed(tester *t, outcome *o, const char *what)
{
	o->r = R_FAIL;
	o->reason = error_text(t, what);
	return -1;
}

/* Ends the run: the migrations after this one are not run, for why. */
static void stop(tester *t, const char *form, ...) GW_FORMAT_PRINTF(2, 3);

static void stop(tester *t, const char *form, ...)
{
	char buf[1024];
	va_list ap;

	t->stop = 1;
	va_start(ap, form);
	vsnprintf(buf, sizeof(buf), form, ap);
	va_end(ap);
	if (!t->stop_why)
		t->stop_why = strdup(buf);
}

static int up_to(tester *t, const char *version)
{
	gw_up_options up = GW_UP_OPTIONS_INIT;

	up.to = version;
	return gw_project_up(NULL, t->ep, &up);
}

static int snap(tester *t, outcome *o, gw_schema **out)
{
	if (gw_schema_snapshot(out, t->ep, &t->sopts) < 0)
		return step_failed(t, o, "snapshot failed");
	return 0;
}

/* 1 when they differ; the difference is kept on o. */
static int differ(tester *t, outcome *o, const gw_schema *a, const gw_schema *b, const char *why)
{
	gw_schema_diff *d = NULL;

	if (gw_schema_diff_compute_with(&d, a, b, &t->sopts) < 0) {
		o->r = R_FAIL;
		o->reason = strdup("out of memory");
		t->stop = 1;
		return 1;
	}
	if (gw_schema_diff_count(d) == 0) {
		gw_schema_diff_free(d);
		return 0;
	}
	o->r = R_FAIL;
	o->reason = strdup(why);
	o->diff = d;
	return 1;
}

/* --rows: every empty table gets a probe row, and the rows are
 * fingerprinted before up (and again after down, to compare). */
static int rows_now(tester *t, outcome *o, gw_rows **out, int probe)
{
	if ((probe && gw_rows_probe(t->ep) < 0) || gw_rows_fingerprint(out, t->ep, &t->sopts) < 0)
		return step_failed(t, o, "reading the rows failed");
	return 0;
}

/* 1 when a table of before lost or changed rows; the reason is kept. */
static int rows_differ(outcome *o, const gw_rows *before, const gw_rows *after)
{
	char *what = NULL;
	size_t len;

	if (gw_rows_compare(&what, before, after) < 0 || !what) {
		free(what);
		return 0;
	}
	len = strlen(what) + 64;
	o->r = R_FAIL;
	if ((o->reason = malloc(len)))
		snprintf(o->reason, len, "rows did not survive up and down: %s", what);
	free(what);
	return 1;
}

static void cycle(tester *t, outcome *o, int has_down)
{
	gw_schema *s0 = NULL, *s1 = NULL, *s2 = NULL, *s3 = NULL;
	gw_down_options down = GW_DOWN_OPTIONS_INIT;
	gw_rows *r0 = NULL, *r2 = NULL;
	int down_differs;

	o->r = R_PASS;
	t->up_failed = 0;
	if ((t->rows && rows_now(t, o, &r0, 1) < 0) || snap(t, o, &s0) < 0)
		goto cleanup;
	if (up_to(t, o->version) < 0) {
		t->up_failed = 1;
		step_failed(t, o, "up failed");
		goto cleanup;
	}
	if (snap(t, o, &s1) < 0)
		goto cleanup;
	if (!has_down) {
		o->r = R_UNTESTABLE;
		o->reason = strdup("no down migration");
		goto cleanup;
	}
	down.steps = 1;
	if (interrupted ||
	    (gw_project_down(NULL, t->ep, &down) < 0 && step_failed(t, o, "down failed")) ||
	    snap(t, o, &s2) < 0)
		goto cleanup;
	down_differs = differ(t, o, s0, s2, "down did not restore the schema from before up");
	if (!down_differs && t->rows) {
		if (rows_now(t, o, &r2, 0) < 0)
			goto cleanup;
		down_differs = rows_differ(o, r0, r2);
	}
	if (interrupted || t->stop)
		goto cleanup;
	/* Applied again even after a bad down, so the migrations after it
	 * still run on the schema they expect when it can be done. */
	if (up_to(t, o->version) < 0) {
		if (!down_differs)
			step_failed(t, o, "up after down failed");
		gw_ctx_clear_error(t->ctx);
		goto cleanup;
	}
	if (snap(t, o, &s3) < 0 || down_differs)
		goto cleanup;
	differ(t, o, s1, s3, "up after down gave a different schema than the first up");
cleanup:
	gw_rows_free(r0);
	gw_rows_free(r2);
	gw_schema_free(s0);
	gw_schema_free(s1);
	gw_schema_free(s2);
	gw_schema_free(s3);
}

/* ---- which migrations are under test --------------------------------------- */

/* Lines printed by git, NULL-terminated; NULL when git failed. */
static char **git_lines(const char *const *argv)
{
	int fds[2];
	pid_t pid;
	FILE *f;
	char *line = NULL, **lines = calloc(1, sizeof(char *));
	size_t cap = 0, n = 0;
	ssize_t len;
	int status;

	if (!lines || pipe(fds) < 0) {
		free(lines);
		return NULL;
	}
	if ((pid = fork()) == 0) {
		dup2(fds[1], 1);
		close(fds[0]);
		close(fds[1]);
		execvp("git", (char *const *)(uintptr_t)argv);
		_exit(127);
	}
	close(fds[1]);
	f = fdopen(fds[0], "r");
	while (f && (len = getline(&line, &cap, f)) > 0) {
		char **more = realloc(lines, (n + 2) * sizeof(*lines));
		if (!more)
			break;
		lines = more;
		if (line[len - 1] == '\n')
			line[len - 1] = '\0';
		lines[n++] = strdup(line);
		lines[n] = NULL;
	}
	free(line);
	if (f)
		fclose(f);
	else
		close(fds[0]);
	if (pid < 0 || waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		for (n = 0; lines[n]; n++)
			free(lines[n]);
		free(lines);
		return NULL;
	}
	return lines;
}

static void free_lines(char **lines)
{
	size_t i;

	for (i = 0; lines && lines[i]; i++)
		free(lines[i]);
	free(lines);
}

/* 1 when a path git printed is dir/file. */
static int changed(char **const lists[2], const char *dir, const char *file)
{
	size_t i, j, dl = strlen(dir);

	while (dl > 0 && dir[dl - 1] == '/')
		dl--;
	for (j = 0; j < 2; j++)
		for (i = 0; lists[j] && lists[j][i]; i++) {
			const char *p = lists[j][i];
			if (strncmp(p, dir, dl) == 0 && p[dl] == '/' &&
			    strcmp(p + dl + 1, file) == 0)
				return 1;
		}
	return 0;
}

/* ---- output ----------------------------------------------------------------- */

static void count(const tester *t, size_t c[4])
{
	size_t i;

	memset(c, 0, 4 * sizeof(*c));
	for (i = 0; i < t->n; i++)
		c[t->items[i].r]++;
}

static void print_text(tester *t, const char *dbname)
{
	size_t i, c[4];
	outcome *o;

	printf("testing on the ephemeral database %s\n", dbname);
	for (i = 0; i < t->n; i++) {
		o = &t->items[i];
		gw_out_cell(t->cli, stdout,
		            o->r == R_PASS   ? GW_SGR_GREEN
		            : o->r == R_FAIL ? GW_SGR_RED
		                             : GW_SGR_YELLOW,
		            result_names[o->r], 12);
		printf("%s %s%s%s\n", o->version, o->name, o->reason ? ": " : "",
		       o->reason ? o->reason : "");
		if (o->diff)
			gw_cli_print_diff(t->cli, o->diff, "    ");
	}
	count(t, c);
	printf("%zu passed, %zu failed, %zu untestable", c[R_PASS], c[R_FAIL], c[R_UNTESTABLE]);
	if (c[R_NOT_RUN])
		printf(", %zu not run", c[R_NOT_RUN]);
	fputc('\n', stdout);
}

static int print_json(tester *t, const char *dbname)
{
	json_t *root = json_object(), *list = json_array(), *sum = json_object();
	size_t i, c[4];

	gw_json_set(root, "database", gw_json_str(dbname));
	for (i = 0; i < t->n; i++) {
		outcome *o = &t->items[i];
		json_t *m = json_object();
		gw_json_set(m, "version", gw_json_str(o->version));
		gw_json_set(m, "name", gw_json_str(o->name));
		gw_json_set(m, "file", gw_json_str(o->file));
		gw_json_set(m, "result", gw_json_str(result_names[o->r]));
		gw_json_set(m, "reason", gw_json_str(o->reason));
		gw_json_set(m, "differences", o->diff ? gw_cli_diff_json(o->diff) : json_array());
		gw_json_append(list, m);
	}
	count(t, c);
	gw_json_set(sum, "passed", json_integer((json_int_t)c[R_PASS]));
	gw_json_set(sum, "failed", json_integer((json_int_t)c[R_FAIL]));
	gw_json_set(sum, "untestable", json_integer((json_int_t)c[R_UNTESTABLE]));
	gw_json_set(sum, "not_run", json_integer((json_int_t)c[R_NOT_RUN]));
	gw_json_set(root, "migrations", list);
	gw_json_set(root, "summary", sum);
	return gw_json_print(t->cli, root);
}

static void print_markdown(tester *t)
{
	size_t i, c[4];
	char *text;

	printf("## godwit test\n\n| Migration | Result | Details |\n|---|---|---|\n");
	for (i = 0; i < t->n; i++) {
		outcome *o = &t->items[i];
		printf("| `%s` %s | %s | %s |\n", o->version, o->name,
		       o->r == R_PASS   ? "\xe2\x9c\x85 pass"
		       : o->r == R_FAIL ? "\xe2\x9d\x8c fail"
		                        : result_names[o->r],
		       o->reason ? o->reason : "");
	}
	for (i = 0; i < t->n; i++) {
		if (!t->items[i].diff || gw_schema_diff_text(&text, t->items[i].diff) < 0)
			continue;
		printf("\n<details><summary>%s %s</summary>\n\n```\n%s```\n</details>\n",
		       t->items[i].version, t->items[i].name, text);
		free(text);
	}
	count(t, c);
	printf("\n%zu passed, %zu failed, %zu untestable\n", c[R_PASS], c[R_FAIL], c[R_UNTESTABLE]);
}

/* GitHub workflow commands: one annotation per problem, on its file. */
static void put_escaped(const char *s)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", stdout);
		else if (*s == '\n')
			fputs("%0A", stdout);
		else if (*s == '\r')
			fputs("%0D", stdout);
		else
			fputc(*s, stdout);
	}
}

static void print_github(tester *t, const char *dir)
{
	size_t i, c[4];
	char *text = NULL;

	for (i = 0; i < t->n; i++) {
		outcome *o = &t->items[i];
		if (o->r == R_PASS)
			continue;
		printf("::%s file=%s/%s,title=godwit test %s::",
		       o->r == R_FAIL ? "error" : "warning", dir, o->file ? o->file : "",
		       o->version);
		put_escaped(o->reason ? o->reason : result_names[o->r]);
		if (o->diff && gw_schema_diff_text(&text, o->diff) == 0) {
			put_escaped("\n");
			put_escaped(text);
			free(text);
		}
		fputc('\n', stdout);
	}
	count(t, c);
	printf("godwit test: %zu passed, %zu failed, %zu untestable\n", c[R_PASS], c[R_FAIL],
	       c[R_UNTESTABLE]);
}

/* ---- the run ----------------------------------------------------------------- */

typedef struct settings {
	const char *dev_url, *since;
	int keep, only_new;
	fmt format;
} settings;

static int parse(gw_cli *cli, const gw_args *args, settings *s, tester *t)
{
	size_t i;

	s->format = cli->output == GW_OUTPUT_JSON ? FMT_JSON : FMT_TEXT;
	for (i = 0; i < args->nopts; i++) {
		const char *v = args->opts[i].value;
		switch (args->opts[i].id) {
		case OPT_DEV_URL:
			s->dev_url = v;
			break;
		case OPT_KEEP:
			s->keep = 1;
			break;
		case OPT_ONLY_NEW:
			s->only_new = 1;
			break;
		case OPT_SINCE:
			s->since = v;
			break;
		case OPT_IGNORE_COLUMN_ORDER:
			t->sopts.ignore_column_order = 1;
			break;
		case OPT_ROWS:
			t->rows = 1;
			break;
		case OPT_FAIL_FAST:
			t->fail_fast = 1;
			break;
		case OPT_FORMAT:
			if (strcmp(v, "text") == 0)
				s->format = FMT_TEXT;
			else if (strcmp(v, "json") == 0)
				s->format = FMT_JSON;
			else if (strcmp(v, "markdown") == 0)
				s->format = FMT_MARKDOWN;
			else if (strcmp(v, "github") == 0)
				s->format = FMT_GITHUB;
			else
				return gw_cli_usage(cli,
				                    "unknown format '%s'; use text, json, "
				                    "markdown or github",
				                    v);
			break;
		default:
			break;
		}
	}
	if (s->format == FMT_JSON)
		cli->output = GW_OUTPUT_JSON;
	return 0;
}

/* Versions applied in the target, for --only-new. */
static int applied_in_target(gw_cli *cli, gw_status **out)
{
	int rc = gw_project_status(out, cli->project);

	return rc < 0 ? gw_cli_fail(cli, rc) : 0;
}

static int is_applied(const gw_status *st, const char *version)
{
	size_t i;

	for (i = 0; st && i < gw_status_count(st); i++) {
		const gw_status_entry *e = gw_status_get(st, i);
		if (e->state == GW_STATE_APPLIED && strcmp(e->version, version) == 0)
			return 1;
	}
	return 0;
}

/* The ephemeral database of the run, replaced after a failed migration by
 * a fresh one with the ups up to and including version replayed: the
 * migrations after it are then tested on the schema they expect. Replaying
 * works the same on every database and takes no template that a session
 * could keep busy; with --keep the replaced database is kept to look at. */
static int rebuild(tester *t, const char *version)
{
	gw_cli *cli = t->cli;
	char *why = NULL;

	gw_project_free(t->ep); /* its session must end before the drop */
	t->ep = NULL;
	if (t->keep) {
		fprintf(stderr, "godwit: kept the ephemeral database %s\n",
		        gw_ephemeral_name(t->eph));
		gw_ephemeral_free(t->eph);
	} else if (gw_ephemeral_drop(t->eph) < 0) {
		gw_cli_warn(cli, "could not drop an ephemeral database");
		gw_ctx_clear_error(cli->ctx);
	}
	t->eph = NULL;
	if (gw_ephemeral_create(&t->eph, t->server, cli->ctx) < 0) {
		const gw_error *e = gw_ctx_error(cli->ctx);
		stop(t, "a new ephemeral database to go on after %s failed: %s", version,
		     e ? e->message : "error");
		gw_ctx_clear_error(cli->ctx);
		return -1;
	}
	if (gw_cli_open_url(cli, &t->ep, gw_ephemeral_url(t->eph), t->ctx) < 0 ||
	    up_to(t, version) < 0) {
		why = error_text(t, "failed");
		stop(t, "replaying the ups up to %s to go on %s", version, why ? why : "failed");
		free(why);
		return -1;
	}
	return 0;
}

/* A migration as the plan listed it; copied, because the plan points into
 * the project that a rebuild replaces. */
typedef struct todo {
	char *version, *name, *file;
	int has_down, tested;
} todo;

static void free_todos(todo *list, size_t n)
{
	size_t i;

	for (i = 0; list && i < n; i++) {
		free(list[i].version);
		free(list[i].name);
		free(list[i].file);
	}
	free(list);
}

static todo *todos(const settings *s, const gw_status *plan, const gw_status *target,
                   char **const git[2], const char *dir, size_t *n)
{
	todo *list = calloc(gw_status_count(plan) + 1, sizeof(*list));
	size_t i;

	*n = 0;
	for (i = 0; list && i < gw_status_count(plan); i++) {
		const gw_status_entry *e = gw_status_get(plan, i);
		todo *d = &list[*n];
		if (!e->file)
			continue;
		(*n)++;
		d->version = strdup(e->version);
		d->name = strdup(e->name);
		d->file = strdup(e->file);
		d->has_down = e->has_down;
		d->tested = (!s->only_new || !is_applied(target, e->version)) &&
		            (!s->since || changed(git, dir, e->file));
		if (!d->version || !d->name || !d->file) {
			free_todos(list, *n);
			return NULL;
		}
	}
	return list;
}

static int run_all(tester *t, const settings *s, const gw_status *plan, const gw_status *target,
                   char **const git[2])
{
	const char *dir = gw_config_get(t->cli->config, "dir");
	size_t i, n = 0;
	todo *list = todos(s, plan, target, git, dir ? dir : "db/migrations", &n);
	int rc = 0;

	if (!list || !(t->items = calloc(n + 1, sizeof(*t->items)))) {
		free_todos(list, n);
		return -1;
	}
	for (i = 0; i < n; i++) {
		const todo *e = &list[i];
		if (!e->tested) {
			if (t->stop || interrupted)
				continue;
			if (up_to(t, e->version) < 0) {
				char *msg = error_text(t, "up failed");
				fprintf(stderr, "godwit: error: %s %s: %s\n", e->version, e->name,
				        msg ? msg : "up failed");
				free(msg);
				t->stop = 1;
				rc = -1;
			}
			continue;
		}
		outcome *o = &t->items[t->n++];
		/* Copies: an up or down reloads what the status points to. */
		o->version = strdup(e->version);
		o->name = strdup(e->name);
		o->file = strdup(e->file);
		if (!o->version || !o->name || !o->file) {
			rc = -1;
			break;
		}
		if (t->stop || interrupted) {
			o->r = R_NOT_RUN;
			o->reason = strdup(t->stop_why ? t->stop_why : "an earlier step failed");
			continue;
		}
		cycle(t, o, e->has_down);
		if (o->r != R_FAIL || t->stop || interrupted)
			continue;
		if (t->fail_fast)
			stop(t, "%s failed (--fail-fast)", e->version);
		else if (t->up_failed)
			stop(t, "the up of %s failed", e->version);
		else
			rebuild(t, e->version);
	}
	free_todos(list, n);
	return rc;
}

static void dispose(tester *t)
{
	size_t i;

	for (i = 0; i < t->n; i++) {
		free(t->items[i].version);
		free(t->items[i].name);
		free(t->items[i].file);
		free(t->items[i].reason);
		gw_schema_diff_free(t->items[i].diff);
	}
	free(t->items);
}

static int print_results(tester *t, const settings *s, const char *dbname)
{
	const char *dir = gw_config_get(t->cli->config, "dir");

	switch (s->format) {
	case FMT_JSON:
		return print_json(t, dbname);
	case FMT_MARKDOWN:
		print_markdown(t);
		break;
	case FMT_GITHUB:
		print_github(t, dir ? dir : "db/migrations");
		break;
	default:
		print_text(t, dbname);
		break;
	}
	return GW_EXIT_OK;
}

/* The server for the ephemeral database: --dev-url, else the target's. */
static const char *server_url(gw_cli *cli, const settings *s)
{
	const char *url = s->dev_url ? s->dev_url : gw_config_get(cli->config, "url");

	return url ? url : "sqlite:";
}

int gw_cli_ephemeral(gw_cli *cli, gw_ephemeral **out, const char *url, gw_ctx *ctx)
{
	size_t dropped = 0;
	int rc;

	if (gw_ephemeral_cleanup(&dropped, url, ctx) < 0) {
		const gw_error *e = gw_ctx_error(ctx);
		gw_cli_warn(cli, "could not look for stale ephemeral databases: %s",
		            e ? e->message : "error");
		gw_ctx_clear_error(ctx);
	} else if (dropped) {
		gw_cli_warn(cli, "dropped %zu ephemeral database%s left by killed runs", dropped,
		            dropped == 1 ? "" : "s");
	}
	if ((rc = gw_ephemeral_create(out, url, ctx)) < 0)
		return rc;
	catch_signals();
	return 0;
}

static int test_run(gw_cli *cli, const gw_args *args)
{
	tester t = {.cli = cli, .sopts = GW_SCHEMA_OPTIONS_INIT};
	settings s = {NULL, NULL, 0, 0, FMT_TEXT};
	gw_status *plan = NULL, *target = NULL;
	char **git[2] = {NULL, NULL};
	char *dbname = NULL;
	int rc, failed_ctx = 0;
	size_t c[4];

	if ((rc = parse(cli, args, &s, &t)) != 0)
		return rc;
	if (s.since) {
		const char *diff_argv[] = {"git",   "diff", "--name-only", "--relative",
		                           s.since, "--",   NULL};
		const char *new_argv[] = {"git", "ls-files", "--others", "--exclude-standard",
		                          NULL};
		if (!(git[0] = git_lines(diff_argv)) || !(git[1] = git_lines(new_argv))) {
			free_lines(git[0]);
			fprintf(stderr,
			        "godwit: error: git could not list the files changed since %s\n",
			        s.since);
			return GW_EXIT_FAILED;
		}
	}
	if (s.only_new && (rc = applied_in_target(cli, &target)) != 0)
		goto cleanup;
	if (gw_ctx_new(&t.ctx) < 0) {
		rc = GW_EXIT_FAILED;
		goto cleanup;
	}
	t.server = server_url(cli, &s);
	t.keep = s.keep;
	if ((rc = gw_cli_ephemeral(cli, &t.eph, t.server, cli->ctx)) < 0) {
		rc = gw_cli_fail(cli, rc);
		goto cleanup;
	}
	dbname = strdup(gw_ephemeral_name(t.eph));
	/* The history (and its schema, a Prisma URL's ?schema=) exists before
	 * the first snapshot, as in the target database: it is not the
	 * first migration's doing. */
	if ((rc = gw_cli_open_url(cli, &t.ep, gw_ephemeral_url(t.eph), t.ctx)) < 0 ||
	    (rc = gw_project_init_history(t.ep)) < 0 || (rc = gw_project_status(&plan, t.ep)) < 0) {
		failed_ctx = 1;
		goto cleanup;
	}
	rc = run_all(&t, &s, plan, target, git) < 0 ? GW_EXIT_FAILED : 0;
cleanup:
	if (failed_ctx) {
		const gw_error *e = gw_ctx_error(t.ctx);
		fprintf(stderr, "godwit: error: %s\n", e ? e->message : "failed");
		rc = GW_EXIT_FAILED;
	}
	gw_project_free(t.ep); /* its session must end before the drop */
	t.ep = NULL;
	if (t.eph && s.keep) {
		fprintf(stderr, "godwit: kept the ephemeral database %s\n",
		        gw_ephemeral_name(t.eph));
		gw_ephemeral_free(t.eph);
	} else if (t.eph) {
		char *name = strdup(gw_ephemeral_name(t.eph));
		if (gw_ephemeral_drop(t.eph) < 0)
			gw_cli_warn(cli, "could not drop the ephemeral database %s",
			            name ? name : "");
		free(name);
	}
	if (rc == 0 && interrupted) {
		fprintf(stderr, "godwit: interrupted; the ephemeral database was %s\n",
		        s.keep ? "kept" : "dropped");
		rc = GW_EXIT_FAILED;
	}
	if (rc == 0 && (rc = print_results(&t, &s, dbname ? dbname : "")) == 0) {
		count(&t, c);
		rc = c[R_FAIL] || c[R_UNTESTABLE] || c[R_NOT_RUN] ? GW_EXIT_FOUND : GW_EXIT_OK;
	}
	dispose(&t);
	free(t.stop_why);
	free(dbname);
	free_lines(git[0]);
	free_lines(git[1]);
	gw_status_free(plan);
	gw_status_free(target);
	gw_ctx_free(t.ctx);
	return rc;
}

const gw_cmd gw_cmd_test = {
        .name = "test",
        .summary = "prove every migration's down on an ephemeral database",
        .usage = "test [--dev-url URL] [--only-new | --since REV] [--rows] [--fail-fast] [--keep] "
                 "[--format text|json|markdown|github]",
        .description =
                "Creates an ephemeral database (on the --dev-url server, else the target's),\n"
                "then for each migration: up, down, up again, comparing schema snapshots.\n"
                "A down must restore the schema from before its up, and the second up must\n"
                "give the same schema as the first. With --rows, every empty table first gets\n"
                "a probe row, and the rows of the tables of before must survive up and down.\n"
                "After a failed migration the run goes on with a fresh database that has the\n"
                "ups up to it replayed, so one run reports every broken migration (--fail-fast\n"
                "stops at the first). The database is dropped at the end, also after a failure\n"
                "or Ctrl-C. Exits 3 when a migration fails or has no down.",
        .options = test_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT,
        .run = test_run,
};
