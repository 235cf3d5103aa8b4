/*
 * cmd_up.c: `godwit up` (alias `migrate`): apply the pending migrations,
 * each atomically, in order; or with --dry-run print what would run.
 *
 * Progress comes from the library's notices, one line per migration as it
 * commits (output.c); this file adds the final count, which is what a
 * deploy log is read for.
 */
#include "cli.h"

enum { OPT_TO = 1, OPT_DRY_RUN, OPT_RESUME, OPT_IGNORE_OTHER, OPT_ALLOW_UNSAFE, OPT_ATOMIC };

static const gw_opt up_options[] = {
        {OPT_TO, "to", 0, "V", "apply up to and including version V"},
        {OPT_DRY_RUN, "dry-run", 0, NULL, "print each migration's SQL and change nothing"},
        {OPT_RESUME, "resume", 0, NULL, "continue a dirty migration from its failed statement"},
        {OPT_ATOMIC, "atomic", 0, NULL, "all or nothing: a failure reverts what this run applied"},
        {OPT_IGNORE_OTHER, "ignore-other-history", 0, NULL,
         "apply although another tool's history is in the database (see adopt)"},
        {OPT_ALLOW_UNSAFE, "allow-unsafe", 0, NULL,
         "apply what the block policy refuses (confirmed, and recorded as an event)"},
        {0, NULL, 0, NULL, NULL},
};

static int print_result(gw_cli *cli, size_t applied)
{
	json_t *root;

	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "applied", json_integer((json_int_t)applied));
		gw_json_set(root, "migrations",
		            cli->applied ? json_incref(cli->applied) : json_array());
		if (cli->skipped)
			gw_json_set(root, "skipped", json_incref(cli->skipped));
		return gw_json_print(cli, root);
	}
	if (applied == 0)
		printf("nothing to apply; the database is up to date\n");
	else
		printf("applied %zu migration%s\n", applied, applied == 1 ? "" : "s");
	return GW_EXIT_OK;
}

static int dry_run(gw_cli *cli, const gw_up_options *opts)
{
	gw_plan *plan = NULL;
	int rc;

	if ((rc = gw_project_plan_up(&plan, cli->project, opts)) < 0)
		return gw_cli_fail(cli, rc);
	rc = gw_cli_print_plan(cli, plan, "nothing to apply; the database is up to date");
	gw_plan_free(plan);
	return rc;
}

/* The block policy: what up would refuse is shown, each finding on
 * stderr, before anything else happens; --allow-unsafe goes on after a
 * typed confirmation (or --yes) in any environment. */
static int check_unsafe(gw_cli *cli, const gw_up_options *opts, int *confirmed)
{
	const char *env = gw_config_environment(cli->config);
	gw_level block = gw_project_block_level(cli->project);
	gw_findings *f = NULL;
	char what[96];
	size_t i, n;
	int rc, below = 0;

	*confirmed = 0;
	gw_cli_mute_notices(cli, 1);
	rc = gw_project_unsafe(&f, cli->project, opts);
	gw_cli_mute_notices(cli, 0);
	if (rc < 0)
		return gw_cli_fail(cli, rc);
	if (!(n = gw_findings_count(f))) {
		gw_findings_free(f);
		return GW_EXIT_OK;
	}
	for (i = 0; i < n; i++) {
		const gw_finding *x = gw_findings_get(f, i);
		char buf[GW_CLI_TEXT_MAX];

		fprintf(stderr, "%s:%d:%d: %s: %s [%s]\n", x->file, x->line, x->column,
		        gw_level_name(x->level),
		        gw_cli_hint_text(&x->hint, x->message, buf, sizeof(buf)), x->rule);
		/* Refused for being destructive (block_destructive). */
		if (block == GW_LEVEL_OFF || x->level < block)
			below = 1;
	}
	gw_findings_free(f);
	if (!opts->allow_unsafe)
		return gw_cli_refuse(cli,
		                     "acknowledge each statement with a '-- godwit:ignore RULE' "
		                     "comment above it, or pass --allow-unsafe to apply it anyway",
		                     "%zu unsafe statement%s, and block = %s%s in the environment "
		                     "'%s'; nothing was changed",
		                     n, n == 1 ? "" : "s", gw_level_name(block),
		                     below ? " (and destructive statements at any level)" : "",
		                     env);
	snprintf(what, sizeof(what), "apply %zu unsafe statement%s (--allow-unsafe)", n,
	         n == 1 ? "" : "s");
	if ((rc = gw_cli_guard(cli, what, GW_GUARD_ALWAYS)) == GW_EXIT_OK)
		*confirmed = 1;
	return rc;
}

/* An environment that confirms (a protected one, or confirm = true)
 * confirms what up is about to apply. The plan
 * is made quietly: the run that follows gives its notices. Elsewhere no
 * plan is made: muted, it would also hide the connection's retries, and
 * the run refuses a database another tool migrated before its lock
 * creates anything (migrate.c). */
static int confirm(gw_cli *cli, const gw_up_options *opts)
{
	char what[64];
	gw_plan *plan = NULL;
	int rc, confirmed;

	if ((rc = check_unsafe(cli, opts, &confirmed)) != GW_EXIT_OK || confirmed)
		return rc;
	if (!gw_config_confirm(cli->config))
		return GW_EXIT_OK;
	gw_cli_mute_notices(cli, 1);
	rc = gw_project_plan_up(&plan, cli->project, opts);
	gw_cli_mute_notices(cli, 0);
	if (rc < 0)
		return gw_cli_fail(cli, rc);
	rc = GW_EXIT_OK;
	if (gw_plan_count(plan)) {
		snprintf(what, sizeof(what), "apply %zu migration%s", gw_plan_count(plan),
		         gw_plan_count(plan) == 1 ? "" : "s");
		rc = gw_cli_guard(cli, what, 0);
	}
	gw_plan_free(plan);
	return rc;
}

static int up_run(gw_cli *cli, const gw_args *args)
{
	gw_up_options opts = {.version = GW_UP_OPTIONS_VERSION};
	int dry = 0, rc;
	size_t i, applied = 0;

	for (i = 0; i < args->nopts; i++) {
		switch (args->opts[i].id) {
		case OPT_TO:
			opts.to = args->opts[i].value;
			break;
		case OPT_DRY_RUN:
			dry = 1;
			break;
		case OPT_RESUME:
			opts.resume = 1;
			break;
		case OPT_IGNORE_OTHER:
			opts.ignore_other_history = 1;
			break;
		case OPT_ALLOW_UNSAFE:
			opts.allow_unsafe = 1;
			break;
		case OPT_ATOMIC:
			opts.atomic = 1;
			break;
		default:
			break;
		}
	}
	if (dry)
		return dry_run(cli, &opts);
	if ((rc = confirm(cli, &opts)) != GW_EXIT_OK)
		return rc;
	if ((rc = gw_project_up(&applied, cli->project, &opts)) < 0)
		return gw_cli_fail(cli, rc);
	return print_result(cli, applied);
}

static const char *const up_aliases[] = {"migrate", NULL};

const gw_cmd gw_cmd_up = {
        .name = "up",
        .aliases = up_aliases,
        .summary = "apply pending migrations",
        .usage = "up [--to V] [--dry-run] [--resume] [--atomic] [--ignore-other-history] "
                 "[--allow-unsafe]",
        .description = "Each migration runs in its own transaction together with its history row,\n"
                       "unless it cannot (CREATE INDEX CONCURRENTLY, ...): then it runs statement\n"
                       "by statement and a failure leaves it dirty, to be continued with --resume\n"
                       "or settled with 'godwit resolve'. Only one runner works at a time.\n"
                       "--atomic (atomic = true) refuses a run it could not take back (a\n"
                       "migration without a down, or outside a transaction), and when a\n"
                       "migration fails, reverts the ones this run applied, newest first.\n"
                       "A database that another tool migrated (its history table is there,\n"
                       "godwit's is empty) is refused: take it over with 'godwit adopt'.\n"
                       "Where block is set (error by default in a protected environment), up\n"
                       "lints what it is about to run and refuses findings at that level that\n"
                       "no '-- godwit:ignore RULE' comment acknowledges; --allow-unsafe applies\n"
                       "them after a typed confirmation (or --yes) and records it as an event.\n"
                       "With --targets FILE or --schemas PATTERN, every database of a fleet\n"
                       "(see 'godwit up --targets - --help').",
        .options = up_options,
        .min_args = 0,
        .max_args = 0,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = up_run,
};
