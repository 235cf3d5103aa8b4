/*
 * cmd_help.c: `godwit help [COMMAND]`: the command list, the global
 * options and the exit codes, or one command's usage and options.
 *
 * Everything shown comes from the command table and the option tables, so
 * the help cannot drift from what the parser accepts. `help --man [COMMAND]`
 * prints the same text as a manual page in roff (godwit(1), godwit-CMD(1)),
 * which the build turns into the installed pages.
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

/* ---- manual pages ------------------------------------------------------- */

/* Text for roff: a backslash is \e, a dash \- (so it is not hyphenated
 * away), and a line may not start with a control character. */
static void roff_text(FILE *out, const char *s)
{
	int bol = 1;

	for (; *s; s++) {
		if (bol && (*s == '.' || *s == '\''))
			fputs("\\&", out);
		bol = *s == '\n';
		if (*s == '\\')
			fputs("\\e", out);
		else if (*s == '-')
			fputs("\\-", out);
		else
			fputc(*s, out);
	}
}

static void roff_line(FILE *out, const char *macro, const char *text)
{
	fprintf(out, "%s ", macro);
	roff_text(out, text);
	fputc('\n', out);
}

/* A description: its indented lines are examples, kept as they are. */
static void roff_paragraphs(FILE *out, const char *text)
{
	const char *p = text, *nl;
	int in_example = 0;

	fputs(".PP\n", out);
	while (*p) {
		char line[512];
		size_t n;

		nl = strchr(p, '\n');
		n = nl ? (size_t)(nl - p) : strlen(p);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, p, n);
		line[n] = '\0';
		if ((line[0] == ' ') != in_example) {
			in_example = !in_example;
			fputs(in_example ? ".PP\n.RS 4\n.nf\n" : ".fi\n.RE\n.PP\n", out);
		}
		roff_text(out, in_example ? line + 2 : line);
		fputc('\n', out);
		p = nl ? nl + 1 : p + n;
	}
	if (in_example)
		fputs(".fi\n.RE\n", out);
}

static void roff_options(FILE *out, const gw_opt *o)
{
	for (; o && o->id; o++) {
		fputs(".TP\n", out);
		if (o->short_name)
			fprintf(out, "\\fB\\-%c\\fR, ", o->short_name);
		fputs("\\fB\\-\\-", out);
		roff_text(out, o->name);
		fputs("\\fR", out);
		if (o->arg) {
			fputs(" \\fI", out);
			roff_text(out, o->arg);
			fputs("\\fR", out);
		}
		fputc('\n', out);
		roff_text(out, o->help);
		fputc('\n', out);
	}
}

static void roff_header(FILE *out, const char *name, const char *summary)
{
	char upper[64];
	size_t i;

	for (i = 0; name[i] && i < sizeof(upper) - 1; i++)
		upper[i] = (char)(name[i] >= 'a' && name[i] <= 'z' ? name[i] - 32 : name[i]);
	upper[i] = '\0';
	fprintf(out, ".TH %s 1 \"\" \"godwit %s\" \"godwit manual\"\n.SH NAME\n", upper,
	        gw_library_version());
	roff_text(out, name);
	fputs(" \\- ", out);
	roff_text(out, summary);
	fputc('\n', out);
}

static int man_overview(FILE *out)
{
	const gw_cmd *const *c;

	roff_header(out, "godwit", "apply database schema migrations: all of them, or none");
	fputs(".SH SYNOPSIS\n.B godwit\n[\\fIglobal options\\fR] \\fIcommand\\fR "
	      "[\\fIoptions\\fR] [\\fIargs\\fR]\n.SH DESCRIPTION\n",
	      out);
	roff_paragraphs(out,
	                "godwit applies SQL migrations to PostgreSQL and SQLite, each one all the\n"
	                "way or not at all, one runner at a time, and keeps a complete record of\n"
	                "what it did. Each command has a page of its own.");
	fputs(".SH COMMANDS\n", out);
	for (c = gw_commands; *c; c++) {
		fputs(".TP\n", out);
		roff_line(out, ".B", (*c)->name);
		roff_text(out, (*c)->summary);
		fputc('\n', out);
	}
	fputs(".SH GLOBAL OPTIONS\nAlso accepted after the command.\n", out);
	roff_options(out, gw_cli_setting_options());
	roff_options(out, gw_global_options);
	fputs(".SH EXIT STATUS\n", out);
	roff_paragraphs(out,
	                "0 success; 1 the operation failed; 2 usage error (unknown command or\n"
	                "option, bad or missing argument); 3 a check found something (status\n"
	                "--exit-code, health, test, drift); 4 the change was made, but a step\n"
	                "after it failed (schema_strict = true).");
	fputs(".SH SEE ALSO\n", out);
	for (c = gw_commands; *c; c++)
		fprintf(out, ".BR godwit\\-%s (1)%s\n", (*c)->name, c[1] ? "," : "");
	return GW_EXIT_OK;
}

static int man_command(FILE *out, const gw_cmd *cmd)
{
	const char *const *a;
	char name[64];

	snprintf(name, sizeof(name), "godwit-%s", cmd->name);
	roff_header(out, name, cmd->summary);
	fputs(".SH SYNOPSIS\n", out);
	roff_line(out, ".B", "godwit");
	roff_text(out, cmd->usage);
	fputc('\n', out);
	for (a = cmd->aliases; a && *a; a++) {
		fputs(".br\n", out);
		roff_line(out, ".B", "godwit");
		roff_text(out, *a);
		fputs(" ...\n", out);
	}
	fputs(".SH DESCRIPTION\n", out);
	fputs(".PP\n", out);
	roff_text(out, cmd->summary);
	fputs(".\n", out);
	if (cmd->description)
		roff_paragraphs(out, cmd->description);
	if (cmd->options && cmd->options->id) {
		fputs(".SH OPTIONS\n", out);
		roff_options(out, cmd->options);
	}
	fputs(".SH SEE ALSO\n.BR godwit (1)\n", out);
	return GW_EXIT_OK;
}

enum { OPT_MAN = 1 };

static const gw_opt help_options[] = {
        {OPT_MAN, "man", 0, NULL, "print the manual page, in roff (the build installs them)"},
        {0, NULL, 0, NULL, NULL},
};

static int help_run(gw_cli *cli, const gw_args *args)
{
	const gw_cmd *cmd = NULL;
	int man = args->nopts > 0;

	if (args->npos && !(cmd = gw_cli_find_command(args->pos[0])))
		return gw_cli_usage(cli, "unknown command '%s'", args->pos[0]);
	if (man)
		return cmd ? man_command(stdout, cmd) : man_overview(stdout);
	return cmd ? gw_help_command(stdout, cmd) : gw_help_overview(stdout);
}

const gw_cmd gw_cmd_help = {
        .name = "help",
        .summary = "show the commands, or the options of one command",
        .usage = "help [--man] [COMMAND]",
        .options = help_options,
        .min_args = 0,
        .max_args = 1,
        .needs = 0,
        .run = help_run,
};
