/*
 * cmd_plan.c: `godwit plan [--to V]`: what up would do, without doing it.
 *
 * For each migration up would run: its transaction mode, then each
 * statement in order with the table locks it takes (and what they block),
 * whether it scans or rewrites the table, and the lint findings on it.
 * The library builds the plan (gw_project_plan_locks); this file prints it
 * as text or JSON. Exit 3 when a finding is an error, as lint does.
 */
#include <string.h>

#include "report.h"

enum { OPT_TO = 1, OPT_RESUME };

static const gw_opt plan_options[] = {
        {OPT_TO, "to", 0, "V", "plan up to and including version V"},
        {OPT_RESUME, "resume", 0, NULL, "plan `up --resume` of a dirty migration"},
        {0, NULL, 0, NULL, NULL},
};

#define SQLITE_LOCKS "SQLite locks the whole database for writes"

typedef struct totals {
	size_t statements, errors, warnings;
} totals;

static void count_findings(totals *t, const gw_finding *const *f, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		t->errors += f[i]->level == GW_LEVEL_ERROR;
		t->warnings += f[i]->level == GW_LEVEL_WARNING;
	}
}

static totals count(const gw_lockplan *plan)
{
	totals t = {0, 0, 0};
	size_t i, k;

	for (i = 0; i < gw_lockplan_count(plan); i++) {
		const gw_lockplan_step *s = gw_lockplan_get(plan, i);

		t.statements += s->nstatements;
		count_findings(&t, s->findings, s->nfindings);
		for (k = 0; k < s->nstatements; k++)
			count_findings(&t, s->statements[k].findings, s->statements[k].nfindings);
	}
	return t;
}

/* ---- text ----------------------------------------------------------------------- */

static const char *effect_phrase(gw_lock_effect effect)
{
	switch (effect) {
	case GW_EFFECT_SCAN:
		return "scans the table";
	case GW_EFFECT_REWRITE:
		return "rewrites the table";
	default:
		return NULL;
	}
}

/* "ACCESS EXCLUSIVE on users (blocks reads and writes), rewrites the
 * table, for a volatile default", or "creates orders". */
static void print_lock(const gw_cli *cli, const gw_lock *l)
{
	const char *table = l->table ? l->table : "every table";
	const char *effect = effect_phrase(l->effect);

	fputs("      ", stdout);
	if (l->mode == GW_LOCK_NONE) {
		printf("%s %s", l->effect == GW_EFFECT_CREATES ? "creates" : "no lock on", table);
	} else {
		gw_out_cell(cli, stdout, l->mode == GW_LOCK_ACCESS_EXCLUSIVE ? GW_SGR_RED : NULL,
		            gw_lock_mode_name(l->mode), 0);
		printf(" on %s (%s)", table, l->blocks);
	}
	if (effect)
		printf(", %s", effect);
	if (l->note)
		printf(", %s", l->note);
	fputc('\n', stdout);
}

static void print_finding(const gw_cli *cli, const gw_finding *x)
{
	char buf[GW_CLI_TEXT_MAX];

	fputs("      ", stdout);
	gw_out_cell(cli, stdout, x->level == GW_LEVEL_ERROR ? GW_SGR_RED : GW_SGR_YELLOW,
	            gw_level_name(x->level), 0);
	printf(": %s [%s]\n", gw_cli_hint_text(&x->hint, x->message, buf, sizeof(buf)), x->rule);
}

static void print_statement(const gw_cli *cli, const gw_lockplan_step *s,
                            const gw_plan_statement *st)
{
	size_t i;

	printf("  %d:%d  %s%s\n", st->line, st->column, st->done ? "(done) " : "", st->sql);
	if (s->locks_known && !st->nlocks)
		printf("      no table lock\n");
	for (i = 0; i < st->nlocks; i++)
		print_lock(cli, &st->locks[i]);
	for (i = 0; i < st->nfindings; i++)
		print_finding(cli, st->findings[i]);
}

static void print_step(const gw_cli *cli, const gw_lockplan_step *s)
{
	size_t i;

	gw_out_cell(cli, stdout, GW_SGR_BOLD, s->version, 0);
	printf(" %s (%s): %s\n", s->name, s->path,
	       s->transactional ? "transaction" : "no transaction");
	if (!s->locks_known)
		printf("  (" SQLITE_LOCKS ")\n");
	for (i = 0; i < s->nfindings; i++)
		print_finding(cli, s->findings[i]);
	for (i = 0; i < s->nstatements; i++)
		print_statement(cli, s, &s->statements[i]);
}

static void print_text(const gw_cli *cli, const gw_lockplan *plan)
{
	size_t i, n = gw_lockplan_count(plan);
	totals t = count(plan);

	if (!n) {
		printf("nothing to apply; the database is up to date\n");
		return;
	}
	for (i = 0; i < n; i++) {
		print_step(cli, gw_lockplan_get(plan, i));
		fputc('\n', stdout);
	}
	printf("%zu migration%s, %zu statement%s: %zu error%s, %zu warning%s\n", n,
	       n == 1 ? "" : "s", t.statements, t.statements == 1 ? "" : "s", t.errors,
	       t.errors == 1 ? "" : "s", t.warnings, t.warnings == 1 ? "" : "s");
}

/* ---- JSON ----------------------------------------------------------------------- */

static json_t *findings_json(const gw_finding *const *f, size_t n)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		gw_json_append(list, gw_report_finding_json(f[i]));
	return list;
}

static json_t *locks_json(const gw_plan_statement *st)
{
	json_t *list = json_array();
	size_t i;

	for (i = 0; i < st->nlocks; i++) {
		const gw_lock *l = &st->locks[i];
		json_t *o = json_object();

		gw_json_set(o, "table", gw_json_str(l->table));
		gw_json_set(o, "mode",
		            l->mode ? gw_json_str(gw_lock_mode_name(l->mode)) : json_null());
		gw_json_set(o, "effect", gw_json_str(gw_lock_effect_name(l->effect)));
		gw_json_set(o, "blocks", gw_json_str(l->blocks));
		gw_json_set(o, "note", gw_json_str(l->note));
		gw_json_append(list, o);
	}
	return list;
}

static json_t *statement_json(const gw_lockplan_step *s, const gw_plan_statement *st)
{
	json_t *o = json_object();

	gw_json_set(o, "index", json_integer((json_int_t)st->index));
	gw_json_set(o, "line", json_integer(st->line));
	gw_json_set(o, "column", json_integer(st->column));
	gw_json_set(o, "sql", gw_json_str(st->sql));
	gw_json_set(o, "done", gw_json_bool(st->done));
	gw_json_set(o, "locks", s->locks_known ? locks_json(st) : json_null());
	gw_json_set(o, "findings", findings_json(st->findings, st->nfindings));
	return o;
}

static json_t *step_json(const gw_lockplan_step *s)
{
	json_t *o = json_object(), *list = json_array();
	size_t i;

	gw_json_set(o, "version", gw_json_str(s->version));
	gw_json_set(o, "name", gw_json_str(s->name));
	gw_json_set(o, "file", gw_json_str(s->path));
	gw_json_set(o, "transactional", gw_json_bool(s->transactional));
	gw_json_set(o, "locks_known", gw_json_bool(s->locks_known));
	if (!s->locks_known)
		gw_json_set(o, "note", gw_json_str(SQLITE_LOCKS));
	for (i = 0; i < s->nstatements; i++)
		gw_json_append(list, statement_json(s, &s->statements[i]));
	gw_json_set(o, "statements", list);
	gw_json_set(o, "findings", findings_json(s->findings, s->nfindings));
	return o;
}

static int print_json(gw_cli *cli, const gw_lockplan *plan)
{
	json_t *root = json_object(), *list = json_array(), *summary = json_object();
	totals t = count(plan);
	size_t i;

	for (i = 0; i < gw_lockplan_count(plan); i++)
		gw_json_append(list, step_json(gw_lockplan_get(plan, i)));
	gw_json_set(root, "plan", list);
	gw_json_set(summary, "migrations", json_integer((json_int_t)gw_lockplan_count(plan)));
	gw_json_set(summary, "statements", json_integer((json_int_t)t.statements));
	gw_json_set(summary, "errors", json_integer((json_int_t)t.errors));
	gw_json_set(summary, "warnings", json_integer((json_int_t)t.warnings));
	gw_json_set(root, "summary", summary);
	return gw_json_print(cli, root);
}

/* ---- the command ----------------------------------------------------------------- */

static int plan_run(gw_cli *cli, const gw_args *args)
{
	gw_lockplan_options opts = GW_LOCKPLAN_OPTIONS_INIT;
	gw_lockplan *plan = NULL;
	size_t i;
	int rc;

	for (i = 0; i < args->nopts; i++) {
		if (args->opts[i].id == OPT_TO)
			opts.up.to = args->opts[i].value;
		else if (args->opts[i].id == OPT_RESUME)
			opts.up.resume = 1;
	}
	gw_cli_lint_levels(cli, &opts.lint);
	if ((rc = gw_project_plan_locks(&plan, cli->project, &opts)) < 0)
		return gw_cli_fail(cli, rc);
	if (cli->output == GW_OUTPUT_JSON) {
		rc = print_json(cli, plan);
	} else {
		print_text(cli, plan);
		rc = GW_EXIT_OK;
	}
	if (rc == GW_EXIT_OK && gw_lockplan_max_level(plan) == GW_LEVEL_ERROR)
		rc = GW_EXIT_FOUND;
	gw_lockplan_free(plan);
	return rc;
}

const gw_cmd gw_cmd_plan = {
        .name = "plan",
        .summary = "show what up would do: statements, locks, rewrites, findings",
        .usage = "plan [--to V] [--resume]",
        .description =
                "Lists each migration up would apply with its transaction mode, then each\n"
                "statement in order with the table locks PostgreSQL takes for it, what those\n"
                "locks block, whether it scans or rewrites the table, and the lint findings on\n"
                "it. Nothing is run. Locks are read from the SQL, not the catalog: a type\n"
                "change is shown as a rewrite even where PostgreSQL can skip it.\n"
                "Exit status: 0 no error found, 3 a lint finding is an error, 1 it could not run.",
        .options = plan_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB,
        .run = plan_run,
};
