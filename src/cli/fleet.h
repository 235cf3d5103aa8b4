/*
 * fleet.h: the commands over a fleet of databases (up, status, down, test,
 * drift, health with --targets, --schemas or --control-url): fleet.c reads
 * their options and runs the library's gw_fleet_run, fleet_report.c
 * prints the report.
 */
#ifndef GW_CLI_FLEET_H
#define GW_CLI_FLEET_H

#include "cli.h"
#include "godwit/fleet.h"

typedef enum {
	GW_FLEET_TEXT = 0,
	GW_FLEET_JSON,
	GW_FLEET_MARKDOWN,
	GW_FLEET_GITHUB,
} gw_fleet_format;

/* Whether the command line (argv from `from` on) asks for a fleet:
 * --targets, --schemas or --control-url. */
int gw_cli_fleet_wanted(int argc, char **argv, int from);
/* The fleet form of cmd (its options and run), or NULL when the command
 * has none. */
const gw_cmd *gw_cli_fleet_command(const gw_cmd *cmd);

/* Prints the report and returns the exit code: GW_EXIT_FOUND when a
 * target failed (or, for status, test, drift and health, a check found
 * something), else GW_EXIT_OK. `again` is the command line that resumes
 * the run, for the hint after a failure (NULL: none). */
int gw_cli_fleet_print(gw_cli *cli, const gw_fleet_report *r, gw_fleet_format format,
                       const char *again);

#endif
