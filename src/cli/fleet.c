/*
 * fleet.c: `godwit up --targets FILE` and the other commands over a fleet
 * of databases (status, down --to, test --only-new, drift, health). A
 * command line with --targets, --schemas or --control-url runs the
 * command's fleet form (main.c asks gw_cli_fleet_command), which only
 * reads the options, builds the library's gw_fleet and runs
 * gw_fleet_run; fleet_report.c prints the report.
 *
 * The fleet's limits (--jobs, --canary, --max-failures, --max-per-host,
 * --deadline) and --control-url are settings (settings.def), so
 * godwit.conf and GODWIT_* set them too; a flag goes into the
 * configuration as the other settings' flags do, with the same checks.
 */
#include <string.h>

#include "fleet.h"

enum {
	F_TARGETS = 1,
	F_SCHEMAS,
	F_RESUME,
	F_FORMAT,
	F_TO,
	F_IGNORE_OTHER,
	F_ONLY_NEW,
	F_SETTING = 100, /* + the index in setting_keys */
};

/* The flags that set a setting, in the order of their ids. */
static const char *const setting_keys[] = {"jobs",         "canary",   "max_failures",
                                           "max_per_host", "deadline", "control_url",
                                           "targets_query"};

#define COMMON_OPTIONS                                                                             \
	{F_TARGETS, "targets", 0, "FILE", "a file of targets: URL or NAME=URL a line (-: stdin)"}, \
	        {F_SCHEMAS, "schemas", 0, "PATTERN",                                               \
	         "every schema of --url's database matching PATTERN (LIKE, or * and ?)"},          \
	        {F_SETTING + 5, "control-url", 0, "URL",                                           \
	         "the control database: targets_query's targets and the run's record"},            \
	        {F_SETTING + 6, "targets-query", 0, "SQL",                                         \
	         "SELECT name, url ... on the control database (targets_query)"},                  \
	        {F_SETTING + 0, "jobs", 0, "N", "targets at once (default 4)"},                    \
	        {F_SETTING + 1, "canary", 0, "K", "run K targets first; stop if one fails"},       \
	        {F_SETTING + 2, "max-failures", 0, "M",                                            \
	         "start no target after M failures (default 1; 0: no limit)"},                     \
	        {F_SETTING + 3, "max-per-host", 0, "N", "targets at once on one server"},          \
	        {F_SETTING + 4, "deadline", 0, "DURATION",                                         \
	         "after this long, start no target and cancel the running ones"},                  \
	{                                                                                          \
		F_FORMAT, "format", 0, "FMT", "the report: text, json, markdown or github"         \
	}

static const gw_opt up_options[] = {
        COMMON_OPTIONS,
        {F_RESUME, "resume", 0, "RUN", "continue fleet run RUN: the targets it did not finish"},
        {F_TO, "to", 0, "V", "apply up to and including version V"},
        {F_IGNORE_OTHER, "ignore-other-history", 0, NULL,
         "apply although another tool's history is in a database"},
        {0, NULL, 0, NULL, NULL},
};

static const gw_opt down_options[] = {
        COMMON_OPTIONS,
        {F_RESUME, "resume", 0, "RUN", "continue fleet run RUN: the targets it did not finish"},
        {F_TO, "to", 0, "V", "revert everything applied after version V (required)"},
        {0, NULL, 0, NULL, NULL},
};

static const gw_opt test_options[] = {
        COMMON_OPTIONS,
        {F_ONLY_NEW, "only-new", 0, NULL,
         "test the migrations each database has not applied (always, over a fleet)"},
        {0, NULL, 0, NULL, NULL},
};

static const gw_opt check_options[] = {
        COMMON_OPTIONS,
        {0, NULL, 0, NULL, NULL},
};

int gw_cli_fleet_wanted(int argc, char **argv, int from)
{
	static const char *const flags[] = {"--targets", "--schemas", "--control-url"};
	size_t k, n;
	int i;

	for (i = from; i < argc; i++) {
		if (!strcmp(argv[i], "--"))
			return 0;
		for (k = 0; k < sizeof(flags) / sizeof(flags[0]); k++) {
			n = strlen(flags[k]);
			if (!strncmp(argv[i], flags[k], n) && (!argv[i][n] || argv[i][n] == '='))
				return 1;
		}
	}
	return 0;
}

/* ---- Ctrl-C ---------------------------------------------------------------- */

static void cancel_fleet(void *fleet)
{
	gw_fleet_cancel(fleet);
}

/* ---- the run --------------------------------------------------------------- */

typedef struct {
	gw_cli *cli;
	int draw;
	int announce; /* the run is recorded: say its id at once */
	int announced;
} progress_state;

static void put_ms(char *buf, size_t size, long long ms)
{
	if (ms < 60000)
		snprintf(buf, size, "%lld.%llds", ms / 1000, ms % 1000 / 100);
	else
		snprintf(buf, size, "%lldm%02llds", ms / 60000, ms % 60000 / 1000);
}

static void on_progress(const gw_fleet_progress *g, void *payload)
{
	progress_state *ps = payload;
	char line[512], t[32];
	size_t i, at;

	if (!g) {
		if (ps->draw)
			gw_cli_progress_line(ps->cli, NULL);
		return;
	}
	if (ps->announce && !ps->announced) {
		/* Said at once, also in a CI log: a killed run is resumed
		 * by this id. */
		ps->announced = 1;
		if (ps->cli->output != GW_OUTPUT_JSON) {
			pthread_mutex_lock(&ps->cli->out_lock);
			fprintf(stderr, "fleet run %s: %s on %zu target%s\n", g->run_id, g->action,
			        g->total, g->total == 1 ? "" : "s");
			fflush(stderr);
			pthread_mutex_unlock(&ps->cli->out_lock);
		}
	}
	if (!ps->draw)
		return;
	at = (size_t)snprintf(line, sizeof(line),
	                      "fleet: %zu/%zu done, %zu running, %zu failed, %zu pending", g->done,
	                      g->total, g->running, g->failed, g->pending);
	for (i = 0; i < g->nslowest && at < sizeof(line); i++) {
		put_ms(t, sizeof(t), g->slowest_ms[i]);
		at += (size_t)snprintf(line + at, sizeof(line) - at, "%s%s %s",
		                       i ? ", " : "; slowest: ", g->slowest[i], t);
	}
	gw_cli_progress_line(ps->cli, line);
}

typedef struct {
	const char *targets, *schemas, *resume, *to;
	int ignore_other;
	gw_fleet_format format;
} fleet_args;

static int read_args(gw_cli *cli, fleet_args *fa, const gw_args *args)
{
	const gw_error *e;
	char source[64];
	size_t i;
	int id;

	for (i = 0; i < args->nopts; i++) {
		const char *v = args->opts[i].value;

		switch ((id = args->opts[i].id)) {
		case F_TARGETS:
			fa->targets = v;
			break;
		case F_SCHEMAS:
			fa->schemas = v;
			break;
		case F_RESUME:
			fa->resume = v;
			break;
		case F_TO:
			fa->to = v;
			break;
		case F_IGNORE_OTHER:
			fa->ignore_other = 1;
			break;
		case F_FORMAT:
			if (!strcmp(v, "text"))
				fa->format = GW_FLEET_TEXT;
			else if (!strcmp(v, "json"))
				fa->format = GW_FLEET_JSON;
			else if (!strcmp(v, "markdown"))
				fa->format = GW_FLEET_MARKDOWN;
			else if (!strcmp(v, "github"))
				fa->format = GW_FLEET_GITHUB;
			else
				return gw_cli_usage(
				        cli,
				        "unknown format '%s'; use text, json, markdown or "
				        "github",
				        v);
			break;
		default:
			if (id < F_SETTING)
				break;
			snprintf(source, sizeof(source), "--%s", setting_keys[id - F_SETTING]);
			for (char *p = source; *p; p++)
				if (*p == '_')
					*p = '-';
			if (gw_config_set(cli->config, setting_keys[id - F_SETTING], v, source,
			                  cli->ctx) < 0) {
				e = gw_ctx_error(cli->ctx);
				return gw_cli_usage(cli, "%s", e ? e->message : "bad option value");
			}
			break;
		}
	}
	/* The report is JSON for --format json, also for errors. */
	if (fa->format == GW_FLEET_JSON)
		cli->output = GW_OUTPUT_JSON;
	return 0;
}

static int add_targets(gw_cli *cli, gw_fleet *f, const fleet_args *fa, const char *url)
{
	const char *control = gw_config_get(cli->config, "control_url");
	const char *query = gw_config_get(cli->config, "targets_query");
	int rc;

	if (fa->targets && (rc = gw_fleet_read(f, fa->targets)) < 0)
		return gw_cli_fail(cli, rc);
	if (fa->schemas) {
		if (!url)
			return gw_cli_usage(cli, "--schemas needs the database that holds the "
			                         "schemas: give --url (or DATABASE_URL)");
		if ((rc = gw_fleet_add_schemas(f, url, fa->schemas)) < 0)
			return gw_cli_fail(cli, rc);
	}
	if (query) {
		if (!control)
			return gw_cli_usage(cli, "targets_query runs on the control database: give "
			                         "--control-url (or control_url in godwit.conf)");
		if ((rc = gw_fleet_add_query(f, control, query)) < 0)
			return gw_cli_fail(cli, rc);
	} else if (control && !fa->targets && !fa->schemas) {
		return gw_cli_usage(cli, "--control-url alone names no targets: set targets_query "
		                         "(--targets-query SQL), or give --targets or --schemas");
	}
	if (!gw_fleet_count(f))
		return gw_cli_refuse(
		        cli, "list one URL or NAME=URL a line", "no targets in %s",
		        fa->targets ? (!strcmp(fa->targets, "-") ? "standard input" : fa->targets)
		                    : "the fleet");
	return 0;
}

static int fleet_run(gw_cli *cli, const gw_args *args, gw_fleet_action action)
{
	gw_project_options po = {.version = GW_PROJECT_OPTIONS_VERSION};
	gw_fleet_options fo = GW_FLEET_OPTIONS_INIT;
	fleet_args fa;
	progress_state ps;
	gw_fleet *f = NULL;
	gw_fleet_report *r = NULL;
	char what[128], again[1024];
	int rc;

	memset(&fa, 0, sizeof(fa));
	memset(&ps, 0, sizeof(ps));
	if ((rc = read_args(cli, &fa, args)) != 0)
		return rc;
	if (action == GW_FLEET_DOWN && !fa.to)
		return gw_cli_usage(cli, "down over a fleet needs --to V: the version every target "
		                         "goes back to");
	if ((rc = gw_config_project_options(&po, cli->config, cli->ctx)) < 0)
		return gw_cli_fail(cli, rc);
	po.application_name = "godwit";
	if ((rc = gw_fleet_new(&f, cli->ctx)) < 0)
		return gw_cli_fail(cli, rc);
	if ((rc = add_targets(cli, f, &fa, gw_config_get(cli->config, "url"))) != 0)
		goto cleanup;
	if (action == GW_FLEET_UP || action == GW_FLEET_DOWN) {
		snprintf(what, sizeof(what), "%s %zu database%s",
		         action == GW_FLEET_UP ? "migrate" : "revert", gw_fleet_count(f),
		         gw_fleet_count(f) == 1 ? "" : "s");
		if ((rc = gw_cli_guard(cli, what, action == GW_FLEET_DOWN ? GW_GUARD_FORCE : 0)) !=
		    GW_EXIT_OK)
			goto cleanup;
	}
	fo.action = action;
	fo.project = &po;
	fo.up.version = GW_UP_OPTIONS_VERSION;
	fo.up.to = fa.to;
	fo.up.ignore_other_history = fa.ignore_other;
	fo.down.version = GW_DOWN_OPTIONS_VERSION;
	fo.down.to = fa.to;
	fo.resume = fa.resume;
	fo.record = action == GW_FLEET_UP || action == GW_FLEET_DOWN;
	ps.cli = cli;
	ps.draw = gw_cli_progress_wanted(cli);
	ps.announce = fo.record;
	fo.progress = on_progress;
	fo.progress_payload = &ps;
	gw_cli_catch_interrupts(cancel_fleet, f,
	                        "\ngodwit: interrupted; cancelling the running targets "
	                        "(press Ctrl-C again to quit at once)\n");
	rc = gw_fleet_run(&r, f, &fo, cli->ctx);
	gw_cli_release_interrupts();
	if (rc < 0) {
		rc = gw_cli_fail(cli, rc);
		goto cleanup;
	}
	snprintf(again, sizeof(again), "godwit %s %s%s%s%s --resume %s",
	         gw_fleet_action_name(action), fa.targets ? "--targets " : "",
	         fa.targets ? fa.targets : "",
	         fa.schemas ? (fa.targets ? " --schemas " : "--schemas ") : "",
	         fa.schemas ? fa.schemas : "", gw_fleet_report_run_id(r));
	rc = gw_cli_fleet_print(cli, r, fa.format, fo.record ? again : NULL);
	if (gw_cli_interrupted())
		rc = 128 + gw_cli_interrupted();
cleanup:
	gw_fleet_report_free(r);
	gw_fleet_free(f);
	return rc;
}

static int up_run(gw_cli *cli, const gw_args *args)
{
	return fleet_run(cli, args, GW_FLEET_UP);
}

static int down_run(gw_cli *cli, const gw_args *args)
{
	return fleet_run(cli, args, GW_FLEET_DOWN);
}

static int status_run(gw_cli *cli, const gw_args *args)
{
	return fleet_run(cli, args, GW_FLEET_STATUS);
}

static int test_run(gw_cli *cli, const gw_args *args)
{
	return fleet_run(cli, args, GW_FLEET_TEST);
}

static int drift_run(gw_cli *cli, const gw_args *args)
{
	return fleet_run(cli, args, GW_FLEET_DRIFT);
}

static int health_run(gw_cli *cli, const gw_args *args)
{
	return fleet_run(cli, args, GW_FLEET_HEALTH);
}

#define FLEET_DESCRIPTION                                                                          \
	"Over a fleet, each target (a database, or a schema with --schemas) is a run of\n"         \
	"its own, with its own connection, lock, history and events, at most --jobs at\n"          \
	"once. The report has a line per target; the exit status is 3 when one failed.\n"          \
	"up and down record each target's result in .godwit/fleet/RUN.json (or the\n"              \
	"control database), so --resume RUN continues a run that was killed or failed."

static const gw_cmd fleet_cmds[] = {
        {.name = "up",
         .summary = "apply pending migrations on every target",
         .usage = "up --targets FILE|--schemas PATTERN [--jobs N] [--canary K] [--max-failures M] "
                  "[--resume RUN]",
         .description = FLEET_DESCRIPTION,
         .options = up_options,
         .needs = GW_NEEDS_CONFIG,
         .run = up_run},
        {.name = "down",
         .summary = "revert every target to a version",
         .usage = "down --targets FILE|--schemas PATTERN --to V [--jobs N] [--resume RUN]",
         .description = FLEET_DESCRIPTION,
         .options = down_options,
         .needs = GW_NEEDS_CONFIG,
         .run = down_run},
        {.name = "status",
         .summary = "how many targets are at each version; which are behind, changed or dirty",
         .usage = "status --targets FILE|--schemas PATTERN [--jobs N]",
         .description = FLEET_DESCRIPTION,
         .options = check_options,
         .needs = GW_NEEDS_CONFIG,
         .run = status_run},
        {.name = "test",
         .summary = "test each target's new migrations on an ephemeral database",
         .usage = "test --only-new --targets FILE|--schemas PATTERN [--jobs N]",
         .description = FLEET_DESCRIPTION,
         .options = test_options,
         .needs = GW_NEEDS_CONFIG,
         .run = test_run},
        {.name = "drift",
         .summary = "each target's live schema against its recorded snapshot",
         .usage = "drift --targets FILE|--schemas PATTERN [--jobs N]",
         .description = FLEET_DESCRIPTION,
         .options = check_options,
         .needs = GW_NEEDS_CONFIG,
         .run = drift_run},
        {.name = "health",
         .summary = "the health checks of every target",
         .usage = "health --targets FILE|--schemas PATTERN [--jobs N]",
         .description = FLEET_DESCRIPTION,
         .options = check_options,
         .needs = GW_NEEDS_CONFIG,
         .run = health_run},
};

const gw_cmd *gw_cli_fleet_command(const gw_cmd *cmd)
{
	size_t i;

	for (i = 0; i < sizeof(fleet_cmds) / sizeof(fleet_cmds[0]); i++)
		if (!strcmp(fleet_cmds[i].name, cmd->name))
			return &fleet_cmds[i];
	return NULL;
}
