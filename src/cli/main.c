/*
 * main.c: godwit's entry point: the command table, the command line, and
 * what a command needs before it runs.
 *
 *   godwit [global options] <command> [options] [args]
 *
 * Global options may also follow the command (`godwit status --format
 * json`), so main.c parses the whole line against the command's options and
 * the global ones before anything else happens: a usage error is reported
 * before any file is read. Then, as the command's `.needs` ask, it loads
 * the configuration (godwit.conf, .env, environment, then the flags on top)
 * and opens the project. `godwit version` needs nothing, so it starts fast.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "fleet.h"

/* Two columns, whatever the count. */
/* clang-format off */
const gw_cmd *const gw_commands[] = {
        &gw_cmd_new,     &gw_cmd_generate,     &gw_cmd_status,
        &gw_cmd_up,      &gw_cmd_down,
        &gw_cmd_redo,    &gw_cmd_history,
        &gw_cmd_repair,  &gw_cmd_resolve,
        &gw_cmd_schema,  &gw_cmd_test,
        &gw_cmd_drift,   &gw_cmd_plan,
        &gw_cmd_health,  &gw_cmd_backup,
        &gw_cmd_backups, &gw_cmd_restore,
        &gw_cmd_reset,   &gw_cmd_seed,
        &gw_cmd_config,  &gw_cmd_validate,
        &gw_cmd_lint,    &gw_cmd_baseline,
        &gw_cmd_adopt,   &gw_cmd_create,
        &gw_cmd_drop,    &gw_cmd_wait,
        &gw_cmd_serve,   &gw_cmd_init,
        &gw_cmd_completion,
        &gw_cmd_graph,
        &gw_cmd_version, &gw_cmd_help,
        NULL,
};
/* clang-format on */

/* On Debian, libpq's dependencies (libldap) bring GnuTLS, whose
 * constructor initialises it as it loads: about 0.3 ms of parsing ASN.1
 * tables on every run that connects, for a library nothing godwit asks
 * of libpq uses (libpq's TLS is OpenSSL's; libldap, libmicrohttpd and
 * libcurl call gnutls_global_init themselves before they use GnuTLS).
 * This is GnuTLS's own opt-out for a program (GNUTLS_SKIP_GLOBAL_INIT in
 * gnutls.h): the loader binds GnuTLS's weak _gnutls_global_init_skip to
 * this one, which the build exports (CMakeLists.txt). Unlike setting
 * GNUTLS_NO_IMPLICIT_INIT it changes no environment, which the thread
 * reading the folder may read at the same time and a child process would
 * inherit. Only the program opts out; an application embedding the
 * library keeps GnuTLS's default. */
int _gnutls_global_init_skip(void);
int _gnutls_global_init_skip(void)
{
	return 1;
}

/* Global option ids sit apart from the commands' own (which start at 1);
 * a setting's flag is G_SETTING + its index in gw_config_flags(). */
enum {
	G_ENV = 1000,
	G_CONFIG,
	G_ENV_FILE,
	G_FORMAT,
	G_YES,
	G_FORCE,
	G_HELP,
	G_VERSION,
	G_SCHEMA_ALIAS,
	G_VERBOSE,
	G_NO_PROGRESS,
	G_SETTING = 2000,
};

/* The options that are not settings; the settings' flags come from the
 * library's list of settings (gw_cli_setting_options). */
const gw_opt gw_global_options[] = {
        {G_ENV, "env", 0, "NAME", "environment (GODWIT_ENV, VERCEL_ENV, development)"},
        {G_CONFIG, "config", 0, "FILE", "config file (default: ./godwit.conf, if present)"},
        {G_ENV_FILE, "env-file", 0, "FILE", "variables file read instead of .env and .env.local"},
        {G_FORMAT, "format", 0, "FMT", "output format: text or json"},
        {G_YES, "yes", 'y', NULL, "confirm changes to a protected environment (for CI)"},
        {G_FORCE, "force", 0, NULL, "allow reverting in a protected environment"},
        {G_HELP, "help", 'h', NULL, "show help"},
        {G_VERSION, "version", 0, NULL, "show the version"},
        {G_VERBOSE, "verbose", 0, NULL,
         "print each statement as it is sent, and the server's notices with their line"},
        {G_NO_PROGRESS, "no-progress", 0, NULL,
         "no progress line on a terminal (what runs, for how long, who blocks it)"},
        /* The history schema's flag was --schema before `schema dump
         * --schema` (a snapshot filter) made the name ambiguous; a
         * command's own --schema is matched first. */
        {G_SCHEMA_ALIAS, "schema", 0, "S", "older name of --history-schema"},
        {0, NULL, 0, NULL, NULL},
};

const gw_opt *gw_cli_setting_options(void)
{
	static gw_opt opts[GW_CLI_MAX_FLAGS + 1];
	const gw_config_flag *f = gw_config_flags();
	int i;

	if (opts[0].id)
		return opts;
	for (i = 0; f[i].key && i < GW_CLI_MAX_FLAGS; i++)
		opts[i] = (gw_opt){G_SETTING + i, f[i].flag, 0, f[i].arg, f[i].help};
	return opts;
}

/* Where a setting's flag value goes: its slot in cli->flags. */
static const char **flag_slot(gw_cli *cli, const char *key)
{
	const gw_config_flag *f = gw_config_flags();
	int i;

	for (i = 0; f[i].key && i < GW_CLI_MAX_FLAGS; i++)
		if (strcmp(f[i].key, key) == 0)
			return &cli->flags[i];
	return NULL;
}

const gw_cmd *gw_cli_find_command(const char *name)
{
	const gw_cmd *const *c;
	const char *const *a;

	for (c = gw_commands; *c; c++) {
		if (strcmp((*c)->name, name) == 0)
			return *c;
		for (a = (*c)->aliases; a && *a; a++)
			if (strcmp(*a, name) == 0)
				return *c;
	}
	return NULL;
}

/* ---- the command line ------------------------------------------------------ */

typedef struct {
	int argc;
	char **argv;
	int i;         /* the next argument */
	int only_args; /* after "--" */
	gw_args *out;
	const gw_opt *cmd_opts;
} parser;

/* "-" (stdin, by convention) and "-3" (a bad count for `down`, better
 * reported by the command) are arguments, not options. */
static int is_option(const char *arg)
{
	return arg[0] == '-' && arg[1] && !(arg[1] >= '0' && arg[1] <= '9');
}

static const gw_opt *match(const gw_opt *table, const char *arg, size_t namelen)
{
	const gw_opt *o;

	for (o = table; o && o->id; o++) {
		if (arg[1] != '-') {
			if (o->short_name && arg[1] == o->short_name && !arg[2])
				return o;
		} else if (strlen(o->name) == namelen && strncmp(arg + 2, o->name, namelen) == 0) {
			return o;
		}
	}
	return NULL;
}

static int apply_global(gw_cli *cli, const gw_opt *o, const char *value)
{
	const char **slot;

	if (o->id >= G_SETTING) {
		/* A flag without a value (--allow-out-of-order) sets "true". */
		cli->flags[o->id - G_SETTING] = o->arg ? value : "true";
		return 0;
	}
	switch (o->id) {
	case G_ENV:
		cli->env = value;
		break;
	case G_CONFIG:
		cli->config_file = value;
		break;
	case G_ENV_FILE:
		cli->env_file = value;
		break;
	case G_YES:
		cli->yes = 1;
		break;
	case G_FORCE:
		cli->force = 1;
		break;
	case G_HELP:
		cli->help = 1;
		break;
	case G_VERSION:
		cli->version = 1;
		break;
	case G_VERBOSE:
		cli->verbose = 1;
		break;
	case G_NO_PROGRESS:
		cli->no_progress = 1;
		break;
	case G_SCHEMA_ALIAS:
		if ((slot = flag_slot(cli, "schema")))
			*slot = value;
		break;
	case G_FORMAT:
		if (strcmp(value, "text") == 0)
			cli->output = GW_OUTPUT_TEXT;
		else if (strcmp(value, "json") == 0)
			cli->output = GW_OUTPUT_JSON;
		else if (gw_format_parse(&(gw_format){GW_FORMAT_AUTO}, value) == 0 &&
		         (slot = flag_slot(cli, "source_format"))) {
			/* --format is the output format; a convention's name is
			 * still taken, as it was before --source-format, so that
			 * scripts keep working, with a warning to move on. */
			*slot = value;
			gw_cli_warn(cli,
			            "--format %s names a folder convention; use --source-format "
			            "%s (--format is the output format only)",
			            value, value);
		} else
			return gw_cli_usage(
			        cli,
			        "unknown format '%s'; use text or json for the output, or "
			        "a folder convention (see --source-format)",
			        value);
		break;
	default:
		break;
	}
	return 0;
}

static int push_opt(gw_args *a, int id, const char *value)
{
	gw_optval *p = realloc(a->opts, (a->nopts + 1) * sizeof(*p));

	if (!p)
		return -1;
	a->opts = p;
	a->opts[a->nopts].id = id;
	a->opts[a->nopts].value = value;
	a->nopts++;
	return 0;
}

/* One option at p->argv[p->i]: the command's own first, then the global
 * ones. Returns 0, or an exit code. */
static int parse_option(gw_cli *cli, parser *p)
{
	const char *arg = p->argv[p->i++];
	const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
	size_t namelen = eq ? (size_t)(eq - arg - 2) : strlen(arg) - 2;
	const gw_opt *o = match(p->cmd_opts, arg, namelen);
	const char *value = eq ? eq + 1 : NULL;
	int global = 0;

	if (!o && ((o = match(gw_global_options, arg, namelen)) ||
	           (o = match(gw_cli_setting_options(), arg, namelen))))
		global = 1;
	if (!o)
		return gw_cli_usage(cli, "unknown option '%.*s'",
		                    eq ? (int)(eq - arg) : (int)strlen(arg), arg);
	if (!o->arg && value)
		return gw_cli_usage(cli, "option --%s takes no value", o->name);
	if (o->arg && !value) {
		if (p->i >= p->argc)
			return gw_cli_usage(cli, "option --%s needs a value (--%s %s)", o->name,
			                    o->name, o->arg);
		value = p->argv[p->i++];
	}
	if (global)
		return apply_global(cli, o, value);
	if (push_opt(p->out, o->id, value) < 0) {
		fputs("godwit: error: out of memory\n", stderr);
		return GW_EXIT_FAILED;
	}
	return 0;
}

/* Global options up to the command name; *cmd_index gets its position
 * (argc when there is none). */
static int parse_globals(gw_cli *cli, parser *p, int *cmd_index)
{
	int rc;

	while (p->i < p->argc) {
		if (strcmp(p->argv[p->i], "--") == 0) {
			p->i++;
			break;
		}
		if (!is_option(p->argv[p->i]))
			break;
		if ((rc = parse_option(cli, p)) != 0)
			return rc;
	}
	*cmd_index = p->i;
	return 0;
}

/* The command's options (and global ones) and its arguments, in any order. */
static int parse_command_line(gw_cli *cli, parser *p)
{
	int rc;
	char **pos;

	/* Arguments are at most all of argv, so one allocation does. */
	if (!(p->out->pos = calloc((size_t)p->argc + 1, sizeof(*pos)))) {
		fputs("godwit: error: out of memory\n", stderr);
		return GW_EXIT_FAILED;
	}
	while (p->i < p->argc) {
		const char *arg = p->argv[p->i];
		if (!p->only_args && strcmp(arg, "--") == 0) {
			p->only_args = 1;
			p->i++;
		} else if (!p->only_args && is_option(arg)) {
			if ((rc = parse_option(cli, p)) != 0)
				return rc;
		} else {
			p->out->pos[p->out->npos++] = p->argv[p->i++];
		}
	}
	return 0;
}

static int check_arg_count(gw_cli *cli, const gw_args *args)
{
	const gw_cmd *cmd = cli->cmd;

	if (args->npos < cmd->min_args)
		return gw_cli_usage(cli, "missing argument");
	if (args->npos > cmd->max_args)
		return gw_cli_usage(cli, "unexpected argument '%s'", args->pos[cmd->max_args]);
	return 0;
}

/* Classic edit distance, to suggest a command for a typo. */
static size_t distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i, j, prev, tmp;
	size_t row[32];

	if (la >= 32 || lb >= 32)
		return 99;
	for (j = 0; j <= lb; j++)
		row[j] = j;
	for (i = 1; i <= la; i++) {
		prev = row[0];
		row[0] = i;
		for (j = 1; j <= lb; j++) {
			tmp = row[j];
			row[j] = a[i - 1] == b[j - 1] ? prev : 1 + (prev < row[j] ? prev : row[j]);
			if (row[j - 1] + 1 < row[j])
				row[j] = row[j - 1] + 1;
			prev = tmp;
		}
	}
	return row[lb];
}

static int unknown_command(gw_cli *cli, const char *name)
{
	const gw_cmd *const *c;
	const gw_cmd *best = NULL;
	size_t d, best_d = 3;

	for (c = gw_commands; *c; c++) {
		if ((d = distance(name, (*c)->name)) < best_d) {
			best_d = d;
			best = *c;
		}
	}
	if (best)
		return gw_cli_usage(cli, "unknown command '%s'; did you mean '%s'?", name,
		                    best->name);
	return gw_cli_usage(cli, "unknown command '%s'", name);
}

/* ---- what commands need ---------------------------------------------------- */

/* The settings' flags go to the load, over every other source, in the
 * settings' order: a --dir known there spares looking for another tool's
 * folder. A bad flag value is the user's mistake, hence a usage error. */
static int load_config(gw_cli *cli)
{
	gw_config_options opts = GW_CONFIG_OPTIONS_INIT;
	const gw_config_flag *f = gw_config_flags();
	gw_config_setting given[GW_CLI_MAX_FLAGS];
	char sources[GW_CLI_MAX_FLAGS][64];
	const gw_error *e;
	size_t n = 0;
	int i, rc;

	for (i = 0; f[i].key && i < GW_CLI_MAX_FLAGS; i++) {
		if (!cli->flags[i])
			continue;
		snprintf(sources[n], sizeof(sources[n]), "--%s", f[i].flag);
		given[n] = (gw_config_setting){f[i].key, cli->flags[i], sources[n]};
		n++;
	}
	opts.file = cli->config_file;
	opts.environment = cli->env;
	opts.env_file = cli->env_file;
	opts.settings = given;
	opts.nsettings = n;
	if ((rc = gw_config_load(&cli->config, &opts, cli->ctx)) == GW_EINVALID) {
		e = gw_ctx_error(cli->ctx);
		return gw_cli_usage(cli, "%s", e ? e->message : "bad option value");
	}
	return rc < 0 ? gw_cli_fail(cli, rc) : 0;
}

static int open_project(gw_cli *cli)
{
	gw_project_options opts = {.version = GW_PROJECT_OPTIONS_VERSION};
	int rc;

	if ((rc = gw_config_project_options(&opts, cli->config, cli->ctx)) < 0)
		return gw_cli_fail(cli, rc);
	opts.application_name = "godwit";
	if ((rc = gw_project_open(&cli->project, &opts, cli->ctx)) < 0)
		return gw_cli_fail(cli, rc);
	return 0;
}

static int prepare(gw_cli *cli)
{
	unsigned int needs = cli->cmd->needs;
	int rc;

	if (!needs)
		return 0;
	if (gw_ctx_new(&cli->ctx) < 0) {
		fputs("godwit: error: out of memory\n", stderr);
		return GW_EXIT_FAILED;
	}
	gw_ctx_set_notice_cb(cli->ctx, gw_cli_notice, cli);
	gw_ctx_set_wording(cli->ctx, gw_cli_hint_text);
	if ((rc = load_config(cli)) != 0)
		return rc;
	if ((needs & (GW_NEEDS_PROJECT | GW_NEEDS_DB)) && (rc = open_project(cli)) != 0)
		return rc;
	if (cli->project)
		gw_cli_progress_setup(cli);
	return 0;
}

/* ---- Ctrl-C ---------------------------------------------------------------- */

static void cancel_project(void *project)
{
	gw_project_cancel(project);
}

/* Output that could not be written (a full disk, a closed pipe) is a
 * failure: a script must not take a truncated status for a good one. */
static int finish_output(int rc)
{
	if (fflush(stdout) != 0 || ferror(stdout)) {
		fputs("godwit: error: could not write the output\n", stderr);
		return rc ? rc : GW_EXIT_FAILED;
	}
	return rc;
}

static void cli_dispose(gw_cli *cli, gw_args *args)
{
	gw_project_free(cli->project);
	gw_config_free(cli->config);
	gw_ctx_free(cli->ctx);
	json_decref(cli->applied);
	json_decref(cli->reverted);
	json_decref(cli->skipped);
	free(args->opts);
	free(args->pos);
}

static int run(gw_cli *cli, gw_args *args, int argc, char **argv)
{
	parser p = {argc, argv, 1, 0, args, NULL};
	int rc, cmd_index, run_start, end;

	if ((rc = parse_globals(cli, &p, &cmd_index)) != 0)
		return rc;
	if (cli->version)
		return gw_version_print(cli);
	if (cmd_index >= argc)
		return gw_help_overview(stdout);
	if (!(cli->cmd = gw_cli_find_command(argv[cmd_index])))
		return unknown_command(cli, argv[cmd_index]);
	/* Over a fleet of databases, the command's fleet form (fleet.c). */
	if (gw_cli_fleet_wanted(argc, argv, cmd_index + 1)) {
		const gw_cmd *fleet = gw_cli_fleet_command(cli->cmd);

		if (!fleet)
			return gw_cli_usage(cli,
			                    "'%s' does not run over a fleet (--targets, --schemas, "
			                    "--control-url): up, status, down, test, drift and "
			                    "health do",
			                    cli->cmd->name);
		cli->cmd = fleet;
	}
	p.i = cmd_index + 1;
	p.cmd_opts = cli->cmd->options;
	if ((rc = parse_command_line(cli, &p)) != 0)
		return rc;
	if (cli->help)
		return gw_help_command(stdout, cli->cmd);
	if ((rc = check_arg_count(cli, args)) != 0)
		return rc;
	if ((rc = prepare(cli)) != 0)
		return rc;
	if (cli->project && (cli->cmd->needs & GW_NEEDS_DB))
		gw_cli_catch_interrupts(cancel_project, cli->project,
		                        "\ngodwit: interrupted; cancelling the running statement "
		                        "(press Ctrl-C again to quit at once)\n");
	run_start = cli->project && (cli->cmd->needs & GW_NEEDS_RUN);
	if (run_start)
		gw_cli_log_start(cli);
	if (run_start && (rc = gw_project_run_begin(cli->project, cli->cmd->name)) < 0)
		return gw_cli_fail(cli, rc);
	rc = cli->cmd->run(cli, args);
	/* The end of the run, with its error; an audit log that
	 * audit_required needs and could not be written fails a run that
	 * went well. */
	if (run_start && (end = gw_project_run_end(cli->project, rc)) < 0 && rc == GW_EXIT_OK)
		rc = gw_cli_fail(cli, end);
	/* Interrupted work exits as a shell expects of a killed program
	 * (130 for Ctrl-C); work that finished before the cancel took hold
	 * keeps its own status. */
	if (gw_cli_interrupted() && rc != GW_EXIT_OK)
		rc = 128 + gw_cli_interrupted();
	return rc;
}

/* Results bound for a file or a pipe leave 64 KiB at a time: stdio's
 * 4 KiB made 171 writes of a 10,000-line status. Progress is flushed line
 * by line as it comes (output.c), so only results wait for the buffer. */
static char out_buffer[65536];

int main(int argc, char **argv)
{
	gw_cli cli;
	gw_args args;
	int rc;

	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, out_buffer, _IOFBF, sizeof(out_buffer));
	memset(&cli, 0, sizeof(cli));
	memset(&args, 0, sizeof(args));
	pthread_mutex_init(&cli.out_lock, NULL);
	gw_cli_detect_colors(&cli);
	rc = run(&cli, &args, argc, argv);
	rc = finish_output(rc);
	gw_cli_log_finish(&cli);
	gw_cli_release_interrupts();
	cli_dispose(&cli, &args);
#if !defined(GW_SANITIZE) && !defined(GW_COVERAGE)
	/* Everything is flushed and freed. The exit handlers left are those of
	 * the libraries libpq loads (Kerberos, GnuTLS, ...), which only tear
	 * down process state the kernel reclaims anyway; they cost a few
	 * milliseconds per run. Sanitizer and coverage builds exit normally,
	 * so leak checking runs and gcov writes its counts. */
	_exit(rc);
#else
	return rc;
#endif
}
