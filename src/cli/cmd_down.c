/*
 * cmd_down.c: `godwit down` (alias `rollback`): revert the last N applied
 * migrations (default 1), everything applied after a version (--to), or
 * everything (--all), or a version and what depends on it (--target),
 * with their down scripts; --dry-run prints them.
 *
 * Exactly one way of choosing is accepted, because a revert that did more
 * than the user meant cannot be taken back.
 */
#include "cli.h"

enum { OPT_TO = 1, OPT_ALL, OPT_DRY_RUN, OPT_TARGET };

static const gw_opt down_options[] = {
        {OPT_TO, "to", 0, "V", "revert every migration applied after version V"},
        {OPT_ALL, "all", 0, NULL, "revert every applied migration"},
        {OPT_TARGET, "target", 0, "V", "revert V and what depends on it, nothing else"},
        {OPT_DRY_RUN, "dry-run", 0, NULL, "print each down script's SQL and change nothing"},
        {0, NULL, 0, NULL, NULL},
};

static int print_result(gw_cli *cli, size_t reverted)
{
	json_t *root;

	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "reverted", json_integer((json_int_t)reverted));
		gw_json_set(root, "migrations",
		            cli->reverted ? json_incref(cli->reverted) : json_array());
		return gw_json_print(cli, root);
	}
	if (reverted == 0)
		printf("nothing to revert\n");
	else
		printf("reverted %zu migration%s\n", reverted, reverted == 1 ? "" : "s");
	return GW_EXIT_OK;
}

/* `down 20240102000000` is a version typed where a count goes: as a count
 * it would revert everything. Seven digits or more, or digits with the
 * dots, dashes and underscores versions have (1.1, 2023-07-05-000058),
 * are never meant as a number of migrations. */
static int looks_like_version(const char *s)
{
	size_t digits = 0, others = 0;

	if (*s < '0' || *s > '9')
		return 0;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (*s == '.' || *s == '-' || *s == '_')
			others++;
		else
			return 0;
	}
	return digits > 0 && (digits >= 7 || others > 0);
}

static int parse(gw_cli *cli, const gw_args *args, gw_down_options *opts, int *dry)
{
	int choices = 0;
	size_t i;

	for (i = 0; i < args->nopts; i++) {
		switch (args->opts[i].id) {
		case OPT_TO:
			opts->to = args->opts[i].value;
			break;
		case OPT_ALL:
			opts->all = 1;
			break;
		case OPT_TARGET:
			opts->target = args->opts[i].value;
			break;
		case OPT_DRY_RUN:
			*dry = 1;
			break;
		default:
			break;
		}
	}
	if (args->npos && looks_like_version(args->pos[0]))
		return gw_cli_usage(cli,
		                    "'%s' looks like a version, not a number of migrations; to "
		                    "revert every migration applied after it, use --to %s (it "
		                    "stays applied)",
		                    args->pos[0], args->pos[0]);
	if (args->npos && gw_parse_count(args->pos[0], &opts->steps) < 0)
		return gw_cli_usage(cli, "N must be a positive whole number, not '%s'",
		                    args->pos[0]);
	choices = (args->npos > 0) + (opts->to != NULL) + (opts->all != 0) + (opts->target != NULL);
	if (choices > 1)
		return gw_cli_usage(cli, "give only one of N, --to V, --all and --target V");
	return 0;
}

static int revert_guard(gw_cli *cli, size_t count)
{
	char what[64];

	if (!count)
		return GW_EXIT_OK;
	snprintf(what, sizeof(what), "revert %zu migration%s", count, count == 1 ? "" : "s");
	return gw_cli_guard(cli, what, GW_GUARD_FORCE);
}

static int down_run(gw_cli *cli, const gw_args *args)
{
	gw_down_options opts = {.version = GW_DOWN_OPTIONS_VERSION};
	gw_plan *plan = NULL;
	size_t reverted = 0;
	int dry = 0, rc;

	if ((rc = parse(cli, args, &opts, &dry)) != 0)
		return rc;
	/* A plan made only to count what to confirm is made quietly: the
	 * run that follows gives its notices. */
	gw_cli_mute_notices(cli, !dry);
	rc = gw_project_plan_down(&plan, cli->project, &opts);
	gw_cli_mute_notices(cli, 0);
	if (rc < 0)
		return gw_cli_fail(cli, rc);
	if (dry)
		rc = gw_cli_print_plan(cli, plan, "nothing to revert");
	else
		rc = revert_guard(cli, gw_plan_count(plan));
	gw_plan_free(plan);
	if (dry || rc != GW_EXIT_OK)
		return rc;
	if ((rc = gw_project_down(&reverted, cli->project, &opts)) < 0)
		return gw_cli_fail(cli, rc);
	return print_result(cli, reverted);
}

static const char *const down_aliases[] = {"rollback", NULL};

const gw_cmd gw_cmd_down = {
        .name = "down",
        .aliases = down_aliases,
        .summary = "revert the last N migrations, or down to a version",
        .usage = "down [N | --to V | --all | --target V] [--dry-run]",
        .description = "Migrations are reverted newest first, each with its down script in a\n"
                       "transaction together with its history row. --to V keeps V applied.\n"
                       "--target V reverts V and the applied migrations that depend on it\n"
                       "(-- @depends-on, transitively); a migration that an applied one\n"
                       "depends on is never reverted alone.",
        .options = down_options,
        .min_args = 0,
        .max_args = 1,
        .needs = GW_NEEDS_PROJECT | GW_NEEDS_DB | GW_NEEDS_RUN,
        .run = down_run,
};
