/*
 * report.h: printing findings (validate, lint, plan) in text, JSON,
 * GitHub annotations, Markdown and SARIF; see report.c.
 */
#ifndef GW_CLI_REPORT_H
#define GW_CLI_REPORT_H

#include "cli.h"

typedef enum {
	GW_REPORT_TEXT = 0,
	GW_REPORT_JSON,
	GW_REPORT_GITHUB,
	GW_REPORT_MARKDOWN,
	GW_REPORT_SARIF,
} gw_report_format;

#define GW_REPORT_FORMATS "text, json, github, markdown or sarif"

/* -1 for an unknown name. */
int gw_report_parse_format(gw_report_format *out, const char *name);
/* Prints the findings; `clean` is the line for none (text, markdown).
 * Returns GW_EXIT_FOUND when a finding is an error, else GW_EXIT_OK (or
 * GW_EXIT_FAILED when the output could not be built). */
int gw_report_print(gw_cli *cli, const gw_findings *f, gw_report_format format, const char *clean);
/* One finding as the JSON object every report uses. */
json_t *gw_report_finding_json(const gw_finding *finding);
/* Prints s for a GitHub workflow command: %, CR and LF escaped, and : and
 * , too in a property (file=..., title=...), where they end the value. */
void gw_report_github_escape(const char *s, int property);
/* `lint --explain RULE`; -1 when there is no such rule. */
int gw_report_explain(const char *id);
/* `lint --list`: every rule with its default level. */
void gw_report_list(gw_report_format format);

/* The godwit.conf keys lint_disable, lint_error and lint_warning, which
 * set the levels of the lint and validate rules. */
void gw_cli_lint_levels(gw_cli *cli, gw_lint_options *lint);

#endif
