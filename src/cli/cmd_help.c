/*
 * cmd_help.c: `godwit help [COMMAND]`: the command list, the global
 * options and the exit codes, or one command's usage and options.
 *
 * Everything shown comes from the command table and the option tables, so
 * the help cannot drift from what the parser accepts.
 */
#include <string.h>

#include "cli.h"

/* Wide enough for "--allow-out-of-order" and "down, rollback". */
#define HELP_COLUMN 26

static void print_option(FILE *out, const gw_opt *o)
{
	char left[128];

	if (o->short_name)
		snprintf(left, sizeof(left), "-%c, --%s%s%s", o->short_name, o->name,
		         o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "",
		         o->arg ? o->arg : "");
	if (strlen(left) + 2 >= HELP_COLUMN)
		fprintf(out, "  %s\n  %-*s%s\n", left, HELP_COLUMN - 2, "", o->help);
	else
		fprintf(out, "  %-*s%s\n", HELP_COLUMN - 2, left, o->help);
}

static void print_options(FILE *out, const gw_opt *opts)
{
	for (; opts && opts->id; opts++)
		print_option(out, opts);
}

static void print_command_line(FILE *out, const gw_cmd *cmd)
{
	char left[128];
	const char *const *a;
	size_t n;

	n = (size_t)snprintf(left, sizeof(left), "%s", cmd->name);
	for (a = cmd->aliases; a && *a && n < sizeof(left); a++)
		n += (size_t)snprintf(left + n, sizeof(left) - n, ", %s", *a);
	fprintf(out, "  %-*s%s\n", HELP_COLUMN - 2, left, cmd->summary);
}

int gw_help_overview(FILE *out)
{
	const gw_cmd *const *c;

	fputs("usage: godwit [global options] <command> [options] [args]\n\n"
	      "godwit applies database schema migrations: all of them, or none.\n\n"
	      "commands:\n",
	      out);
	for (c = gw_commands; *c; c++)
		print_command_line(out, *c);
	fputs("\nglobal options (also accepted after the command):\n", out);
	print_options(out, gw_cli_setting_options());
	print_options(out, gw_global_options);
	fputs("\nexit codes:\n"
	      "  0  success\n"
	      "  1  the operation failed\n"
	      "  2  usage error: unknown command or option, bad or missing argument\n"
	      "  3  a check found something: status --exit-code with pending, out-of-order,\n"
	      "     changed, dirty or missing migrations\n"
	      "  4  the change was made, but recording the schema snapshot or writing\n"
	      "     schema_file after it failed, with schema_strict = true (else a warning)\n"
	      "\nconfiguration, highest precedence first: command-line options; DATABASE_URL and\n"
	      "GODWIT_<KEY> for each godwit.conf key (GODWIT_DIR, GODWIT_LOCK_TIMEOUT, ...)\n"
	      "and GODWIT_ENV;\n"
	      ".env.local and .env (or --env-file); godwit.conf (top-level keys, [env.NAME] "
	      "sections); defaults.\n"
	      "Output is colored on a terminal unless NO_COLOR is set.\n"
	      "\nsee 'godwit help <command>' for the options of one command.\n",
	      out);
	return GW_EXIT_OK;
}

int gw_help_command(FILE *out, const gw_cmd *cmd)
{
	const char *const *a;

	fprintf(out, "usage: godwit %s\n", cmd->usage);
	if (cmd->aliases && cmd->aliases[0]) {
		fputs("alias:", out);
		for (a = cmd->aliases; *a; a++)
			fprintf(out, " %s", *a);
		fputc('\n', out);
	}
	fprintf(out, "\n%s.\n", cmd->summary);
	if (cmd->description)
		fprintf(out, "\n%s\n", cmd->description);
	if (cmd->options && cmd->options->id) {
		fputs("\noptions:\n", out);
		print_options(out, cmd->options);
	}
	fputs("\nglobal options: see 'godwit help'; exit codes: 0 ok, 1 failed, 2 usage", out);
	fputs(cmd == &gw_cmd_status ? ", 3 found (with --exit-code)\n" : "\n", out);
	return GW_EXIT_OK;
}

static int help_run(gw_cli *cli, const gw_args *args)
{
	const gw_cmd *cmd;

	if (args->npos == 0)
		return gw_help_overview(stdout);
	if (!(cmd = gw_cli_find_command(args->pos[0])))
		return gw_cli_usage(cli, "unknown command '%s'", args->pos[0]);
	return gw_help_command(stdout, cmd);
}

const gw_cmd gw_cmd_help = {
        .name = "help",
        .summary = "show the commands, or the options of one command",
        .usage = "help [COMMAND]",
        .min_args = 0,
        .max_args = 1,
        .needs = 0,
        .run = help_run,
};
