/*
 * guard.c: the confirmation that stands between a command and a protected
 * environment (production unless godwit.conf says otherwise).
 *
 * On a terminal the user types the environment's name; without one (CI)
 * only an explicit --yes goes on; reverting also needs --force. The
 * confirm setting asks for it elsewhere too, or not in a protected
 * environment (where --force is still needed). A refusal
 * happens before the command touches anything, and says what is missing.
 */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"

/* Reads one line from the terminal and compares it with the environment's
 * name; the prompt goes to stderr so stdout stays clean for pipes. */
static int typed_confirmation(gw_cli *cli, const char *env, const char *what, int protect)
{
	char line[256];

	fprintf(stderr, "About to %s on the %senvironment '%s' (%s).\n", what,
	        protect ? "protected " : "", env, gw_project_display_url(cli->project));
	fprintf(stderr, "Type '%s' to go on: ", env);
	fflush(stderr);
	if (!fgets(line, sizeof(line), stdin))
		line[0] = '\0';
	line[strcspn(line, "\r\n")] = '\0';
	if (strcmp(line, env) == 0)
		return GW_EXIT_OK;
	return gw_cli_refuse(cli, NULL, "the confirmation did not match '%s'; nothing was changed",
	                     env);
}

int gw_cli_guard(gw_cli *cli, const char *what, unsigned int flags)
{
	const char *env = gw_config_environment(cli->config);
	int protect = gw_config_protected(cli->config);

	if (!protect && !gw_config_confirm(cli->config) && !(flags & GW_GUARD_ALWAYS))
		return GW_EXIT_OK;
	if (protect && (flags & GW_GUARD_FORCE) && !cli->force)
		return gw_cli_refuse(cli,
		                     "add --force to do it there (and --yes when there is no "
		                     "terminal to confirm on)",
		                     "'%s' is a protected environment: to %s there needs --force; "
		                     "nothing was changed",
		                     env, what);
	/* confirm = false: a protected environment's deploys go on without
	 * one (reverting still needs --force). */
	if (cli->yes || (!gw_config_confirm(cli->config) && !(flags & GW_GUARD_ALWAYS)))
		return GW_EXIT_OK;
	if (isatty(STDIN_FILENO))
		return typed_confirmation(cli, env, what, protect);
	if (!protect)
		return gw_cli_refuse(cli, "pass --yes to confirm without a terminal",
		                     "to %s needs a confirmation and there is no terminal to "
		                     "confirm on; nothing was changed",
		                     what);
	return gw_cli_refuse(cli, "pass --yes to confirm in a non-interactive deploy",
	                     "'%s' is a protected environment and there is no terminal to confirm "
	                     "on; nothing was changed",
	                     env);
}
