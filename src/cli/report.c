/*
 * report.c: printing the findings of validate, lint and plan in the
 * formats CI systems read: gcc-style text (colour only on a terminal),
 * JSON, GitHub workflow annotations, a Markdown table for a pull-request
 * comment, and SARIF 2.1.0 for code scanning.
 */
#include <string.h>

#include "report.h"

int gw_report_parse_format(gw_report_format *out, const char *name)
{
	static const struct {
		const char *name;
		gw_report_format format;
	} names[] = {
	        {"text", GW_REPORT_TEXT},     {"json", GW_REPORT_JSON},
	        {"github", GW_REPORT_GITHUB}, {"markdown", GW_REPORT_MARKDOWN},
	        {"sarif", GW_REPORT_SARIF},
	};
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(names[i].name, name)) {
			*out = names[i].format;
			return 0;
		}
	return -1;
}

static size_t count_level(const gw_findings *f, gw_level level)
{
	size_t i, n = 0;

	for (i = 0; i < gw_findings_count(f); i++)
		n += gw_findings_get(f, i)->level == level;
	return n;
}

/* ---- text ------------------------------------------------------------------- */

static void print_location(const gw_finding *x)
{
	if (x->line > 0 && x->column > 0)
		printf("%s:%d:%d: ", x->file, x->line, x->column);
	else if (x->line > 0)
		printf("%s:%d: ", x->file, x->line);
	else
		printf("%s: ", x->file);
}

/* The line, and a caret under the column; tabs are kept so it lines up. */
static void print_caret(const gw_cli *cli, const gw_finding *x)
{
	const char *p = x->source_line;
	int col = 1;

	printf("  %s\n  ", p);
	for (; *p && col < x->column; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		fputc(*p == '\t' ? '\t' : ' ', stdout);
		col++;
	}
	gw_out_cell(cli, stdout, GW_SGR_GREEN, "^", 0);
	fputc('\n', stdout);
}

static void print_help(const char *help)
{
	const char *p = help, *nl;
	int first = 1;

	while (*p) {
		nl = strchr(p, '\n');
		printf("  %s%.*s\n", first ? "help: " : "      ",
		       nl ? (int)(nl - p) : (int)strlen(p), p);
		first = 0;
		p = nl ? nl + 1 : p + strlen(p);
	}
}

static int is_syntax(const char *rule)
{
	return !strcmp(rule, "syntax") || !strcmp(rule, "plpgsql-syntax");
}

/* Where validate's and lint's dialect came from, in the user's words and
 * as JSON's stable key. */
static const char *const dialect_from_words[][2] = {
        [GW_DIALECT_FROM_OPTION] = {"--dialect", "option"},
        [GW_DIALECT_FROM_URL] = {"the database URL", "url"},
        [GW_DIALECT_FROM_CONFIG] = {"the dialect setting", "config"},
        [GW_DIALECT_FROM_SQL] = {"no database URL or dialect setting; what the SQL parses as",
                                 "sql"},
};

static void print_text(const gw_cli *cli, const gw_findings *f, const char *clean)
{
	gw_dialect_from from;
	const char *dialect = gw_findings_dialect(f, &from);

	size_t i, errors = count_level(f, GW_LEVEL_ERROR), warnings;
	char buf[GW_CLI_TEXT_MAX];

	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		print_location(x);
		gw_out_cell(cli, stdout, x->level == GW_LEVEL_ERROR ? GW_SGR_RED : GW_SGR_YELLOW,
		            gw_level_name(x->level), 0);
		printf(": %s [%s]\n", gw_cli_hint_text(&x->hint, x->message, buf, sizeof(buf)),
		       x->rule);
		if (x->source_line && x->line > 0 && x->column > 0 && is_syntax(x->rule))
			print_caret(cli, x);
		if (x->help)
			print_help(x->help);
	}
	warnings = count_level(f, GW_LEVEL_WARNING);
	if (!gw_findings_count(f))
		printf("%s\n", clean);
	else
		printf("%zu error%s, %zu warning%s\n", errors, errors == 1 ? "" : "s", warnings,
		       warnings == 1 ? "" : "s");
	if (dialect)
		printf("dialect: %s (%s)\n", dialect, dialect_from_words[from][0]);
}

/* ---- JSON ------------------------------------------------------------------- */

json_t *gw_report_finding_json(const gw_finding *x)
{
	json_t *o = json_object();
	char buf[GW_CLI_TEXT_MAX];

	gw_json_set(o, "rule", gw_json_str(x->rule));
	gw_json_set(o, "level", gw_json_str(gw_level_name(x->level)));
	gw_json_set(o, "file", gw_json_str(x->file));
	gw_json_set(o, "line", x->line > 0 ? json_integer(x->line) : json_null());
	gw_json_set(o, "column", x->column > 0 ? json_integer(x->column) : json_null());
	gw_json_set(o, "message",
	            gw_json_str(gw_cli_hint_text(&x->hint, x->message, buf, sizeof(buf))));
	gw_json_set(o, "help", gw_json_str(x->help));
	gw_json_set(o, "table", gw_json_str(x->table));
	gw_json_set(o, "lock", gw_json_str(x->lock));
	return o;
}

static int print_json(gw_cli *cli, const gw_findings *f)
{
	json_t *root = json_object(), *list = json_array(), *summary = json_object();
	gw_dialect_from from;
	const char *dialect;
	size_t i;

	for (i = 0; i < gw_findings_count(f); i++)
		gw_json_append(list, gw_report_finding_json(gw_findings_get(f, i)));
	gw_json_set(root, "findings", list);
	gw_json_set(summary, "errors", json_integer((json_int_t)count_level(f, GW_LEVEL_ERROR)));
	gw_json_set(summary, "warnings",
	            json_integer((json_int_t)count_level(f, GW_LEVEL_WARNING)));
	if ((dialect = gw_findings_dialect(f, &from))) {
		gw_json_set(summary, "dialect", gw_json_str(dialect));
		gw_json_set(summary, "dialect_from", gw_json_str(dialect_from_words[from][1]));
	}
	gw_json_set(root, "summary", summary);
	return gw_json_print(cli, root);
}

/* ---- GitHub annotations ----------------------------------------------------- */

void gw_report_github_escape(const char *s, int property)
{
	for (; *s; s++) {
		if (*s == '%')
			fputs("%25", stdout);
		else if (*s == '\r')
			fputs("%0D", stdout);
		else if (*s == '\n')
			fputs("%0A", stdout);
		else if (property && *s == ':')
			fputs("%3A", stdout);
		else if (property && *s == ',')
			fputs("%2C", stdout);
		else
			fputc(*s, stdout);
	}
}

static void print_github(const gw_findings *f)
{
	char buf[GW_CLI_TEXT_MAX];
	size_t i;

	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		printf("::%s file=", x->level == GW_LEVEL_ERROR ? "error" : "warning");
		gw_report_github_escape(x->file, 1);
		if (x->line > 0)
			printf(",line=%d", x->line);
		if (x->column > 0)
			printf(",col=%d", x->column);
		fputs(",title=", stdout);
		gw_report_github_escape(x->rule, 1);
		fputs("::", stdout);
		gw_report_github_escape(gw_cli_hint_text(&x->hint, x->message, buf, sizeof(buf)),
		                        0);
		if (x->help) {
			fputs("%0Ahelp: ", stdout);
			gw_report_github_escape(x->help, 0);
		}
		fputc('\n', stdout);
	}
}

/* ---- Markdown ------------------------------------------------------------------- */

static void md_cell(const char *s)
{
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else if (*s == '\n')
			fputs("<br>", stdout);
		else
			fputc(*s, stdout);
	}
}

static void print_markdown(const gw_findings *f, const char *clean)
{
	char buf[GW_CLI_TEXT_MAX];
	size_t i;

	if (!gw_findings_count(f)) {
		printf("%s\n", clean);
		return;
	}
	printf("| Level | Location | Rule | Message |\n|---|---|---|---|\n");
	for (i = 0; i < gw_findings_count(f); i++) {
		const gw_finding *x = gw_findings_get(f, i);

		printf("| %s | `", gw_level_name(x->level));
		md_cell(x->file);
		if (x->line > 0)
			printf(":%d", x->line);
		if (x->column > 0)
			printf(":%d", x->column);
		printf("` | `%s` | ", x->rule);
		md_cell(gw_cli_hint_text(&x->hint, x->message, buf, sizeof(buf)));
		printf(" |\n");
	}
	printf("\n%zu error(s), %zu warning(s)\n", count_level(f, GW_LEVEL_ERROR),
	       count_level(f, GW_LEVEL_WARNING));
}

/* ---- SARIF ------------------------------------------------------------------------ */

static json_t *text_obj(const char *s)
{
	json_t *o = json_object();

	gw_json_set(o, "text", gw_json_str(s ? s : ""));
	return o;
}

static json_t *sarif_rules(void)
{
	json_t *rules = json_array();
	size_t i;

	for (i = 0; i < gw_lint_rule_count(); i++) {
		const gw_lint_rule *r = gw_lint_rule_get(i);
		json_t *o = json_object(), *cfg = json_object();
		char buf[GW_CLI_TEXT_MAX];
		const char *description =
		        gw_cli_hint_text(&r->hint, r->description, buf, sizeof(buf));

		gw_json_set(o, "id", gw_json_str(r->id));
		gw_json_set(o, "shortDescription", text_obj(r->summary));
		gw_json_set(o, "fullDescription", text_obj(description));
		gw_json_set(o, "help", text_obj(r->good ? r->good : description));
		gw_json_set(cfg, "level", gw_json_str(gw_level_name(r->level)));
		gw_json_set(o, "defaultConfiguration", cfg);
		gw_json_append(rules, o);
	}
	return rules;
}

static json_t *sarif_result(const gw_finding *x)
{
	json_t *o = json_object(), *loc = json_object(), *phys = json_object(),
	       *art = json_object(), *locs = json_array();
	char buf[GW_CLI_TEXT_MAX];
	long idx = -1;
	size_t i;

	for (i = 0; i < gw_lint_rule_count(); i++)
		if (!strcmp(gw_lint_rule_get(i)->id, x->rule))
			idx = (long)i;
	gw_json_set(o, "ruleId", gw_json_str(x->rule));
	if (idx >= 0)
		gw_json_set(o, "ruleIndex", json_integer(idx));
	gw_json_set(o, "level", gw_json_str(gw_level_name(x->level)));
	gw_json_set(o, "message",
	            text_obj(gw_cli_hint_text(&x->hint, x->message, buf, sizeof(buf))));
	gw_json_set(art, "uri", gw_json_str(x->file));
	gw_json_set(phys, "artifactLocation", art);
	if (x->line > 0) {
		json_t *region = json_object();

		gw_json_set(region, "startLine", json_integer(x->line));
		if (x->column > 0)
			gw_json_set(region, "startColumn", json_integer(x->column));
		gw_json_set(phys, "region", region);
	}
	gw_json_set(loc, "physicalLocation", phys);
	gw_json_append(locs, loc);
	gw_json_set(o, "locations", locs);
	return o;
}

static int print_sarif(gw_cli *cli, const gw_findings *f)
{
	json_t *root = json_object(), *runs = json_array(), *run = json_object(),
	       *tool = json_object(), *driver = json_object(), *results = json_array();
	size_t i;

	gw_json_set(root, "$schema", gw_json_str("https://json.schemastore.org/sarif-2.1.0.json"));
	gw_json_set(root, "version", gw_json_str("2.1.0"));
	gw_json_set(driver, "name", gw_json_str("godwit"));
	gw_json_set(driver, "version", gw_json_str(GODWIT_VERSION));
	gw_json_set(driver, "rules", sarif_rules());
	gw_json_set(tool, "driver", driver);
	gw_json_set(run, "tool", tool);
	for (i = 0; i < gw_findings_count(f); i++)
		gw_json_append(results, sarif_result(gw_findings_get(f, i)));
	gw_json_set(run, "results", results);
	gw_json_append(runs, run);
	gw_json_set(root, "runs", runs);
	return gw_json_print(cli, root);
}

int gw_report_print(gw_cli *cli, const gw_findings *f, gw_report_format format, const char *clean)
{
	int rc = GW_EXIT_OK;

	switch (format) {
	case GW_REPORT_JSON:
		rc = print_json(cli, f);
		break;
	case GW_REPORT_GITHUB:
		print_github(f);
		break;
	case GW_REPORT_MARKDOWN:
		print_markdown(f, clean);
		break;
	case GW_REPORT_SARIF:
		rc = print_sarif(cli, f);
		break;
	default:
		print_text(cli, f, clean);
		break;
	}
	if (rc == GW_EXIT_OK && gw_findings_max_level(f) == GW_LEVEL_ERROR)
		rc = GW_EXIT_FOUND;
	return rc;
}

/* The godwit.conf lint keys, which also set the validate rules' levels. */
void gw_cli_lint_levels(gw_cli *cli, gw_lint_options *lint)
{
	lint->disable = gw_config_get(cli->config, "lint_disable");
	lint->error = gw_config_get(cli->config, "lint_error");
	lint->warning = gw_config_get(cli->config, "lint_warning");
}

int gw_report_explain(const char *id)
{
	const gw_lint_rule *r = gw_lint_rule_find(id);
	char buf[GW_CLI_TEXT_MAX];

	if (!r)
		return -1;
	printf("%s (%s, %s)\n\n%s.\n\n%s\n", r->id, gw_level_name(r->level), r->family, r->summary,
	       gw_cli_hint_text(&r->hint, r->description, buf, sizeof(buf)));
	if (r->bad)
		printf("\nFires on:\n\n%s\n", r->bad);
	if (r->good)
		printf("\nInstead:\n\n%s\n", r->good);
	return 0;
}

/* docs/lint-rules.md below its introduction is this output in markdown:
 * the table, then one section per rule (t4000 keeps the two equal). */
static void list_markdown(void)
{
	size_t i, n = gw_lint_rule_count();

	printf("| Rule | Level | Family | Summary |\n|---|---|---|---|\n");
	for (i = 0; i < n; i++) {
		const gw_lint_rule *r = gw_lint_rule_get(i);

		printf("| [`%s`](#%s) | %s | %s | %s |\n", r->id, r->id, gw_level_name(r->level),
		       r->family, r->summary);
	}
	for (i = 0; i < n; i++) {
		const gw_lint_rule *r = gw_lint_rule_get(i);
		char buf[GW_CLI_TEXT_MAX];

		printf("\n## %s\n\n%s.\n\n%s\n", r->id, r->summary,
		       gw_cli_hint_text(&r->hint, r->description, buf, sizeof(buf)));
		if (r->bad)
			printf("\nFires on:\n\n```sql\n%s\n```\n", r->bad);
		if (r->good)
			printf("\nInstead:\n\n```sql\n%s\n```\n", r->good);
	}
}

void gw_report_list(gw_report_format format)
{
	size_t i;

	if (format == GW_REPORT_MARKDOWN) {
		list_markdown();
		return;
	}
	for (i = 0; i < gw_lint_rule_count(); i++) {
		const gw_lint_rule *r = gw_lint_rule_get(i);

		printf("%-40s %-8s %s\n", r->id, gw_level_name(r->level), r->summary);
	}
}
