/*
 * fleet_report.c: the report of a fleet run, one line per target, as
 * text (a table, coloured on a terminal), JSON, a Markdown table for a
 * pull-request comment or a job summary, and GitHub workflow annotations;
 * for `status --targets`, the targets grouped by the version they are at,
 * and which are behind, changed or dirty.
 */
#include <stdlib.h>
#include <string.h>

#include "fleet.h"
#include "report.h"

#define NAMES_SHOWN 8

static const char *dash(const char *s)
{
	return s ? s : "-";
}

static void put_ms(char *buf, size_t size, long long ms)
{
	if (ms < 0)
		snprintf(buf, size, "-");
	else if (ms < 1000)
		snprintf(buf, size, "%lldms", ms);
	else if (ms < 60000)
		snprintf(buf, size, "%lld.%llds", ms / 1000, ms % 1000 / 100);
	else
		snprintf(buf, size, "%lldm%02llds", ms / 60000, ms % 60000 / 1000);
}

/* "done", "failed: <error>", "not started (a canary failed)", ... */
static void put_result(char *buf, size_t size, const gw_fleet_result *x)
{
	switch (x->state) {
	case GW_TARGET_FAILED:
		snprintf(buf, size, "failed: %s", dash(x->error));
		break;
	case GW_TARGET_NOT_STARTED:
		snprintf(buf, size, "not started (%s)", dash(x->not_started_why));
		break;
	case GW_TARGET_DONE:
	case GW_TARGET_DONE_BEFORE:
		snprintf(buf, size, "%s%s%s", gw_target_state_name(x->state),
		         x->summary ? ": " : "", x->summary ? x->summary : "");
		break;
	default:
		snprintf(buf, size, "%s", gw_target_state_name(x->state));
		break;
	}
}

static const char *state_sgr(const gw_fleet_result *x)
{
	switch (x->state) {
	case GW_TARGET_FAILED:
		return GW_SGR_RED;
	case GW_TARGET_DONE:
		return x->found ? GW_SGR_YELLOW : GW_SGR_GREEN;
	default:
		return GW_SGR_DIM;
	}
}

/* "40 done, 2 failed, 1 not started" */
static void put_counts(char *buf, size_t size, const gw_fleet_report *r)
{
	static const gw_target_state order[] = {GW_TARGET_DONE, GW_TARGET_DONE_BEFORE,
	                                        GW_TARGET_FAILED, GW_TARGET_NOT_STARTED,
	                                        GW_TARGET_RUNNING};
	size_t i, n, at = 0;

	buf[0] = '\0';
	for (i = 0; i < sizeof(order) / sizeof(order[0]) && at < size; i++)
		if ((n = gw_fleet_report_count_state(r, order[i])))
			at += (size_t)snprintf(buf + at, size - at, "%s%zu %s", at ? ", " : "", n,
			                       gw_target_state_name(order[i]));
}

static int found_anything(const gw_fleet_report *r)
{
	size_t i;

	for (i = 0; i < gw_fleet_report_count(r); i++)
		if (gw_fleet_report_get(r, i)->found)
			return 1;
	return 0;
}

static int exit_code(const gw_fleet_report *r)
{
	if (gw_fleet_report_count_state(r, GW_TARGET_FAILED) ||
	    gw_fleet_report_count_state(r, GW_TARGET_NOT_STARTED) || found_anything(r))
		return GW_EXIT_FOUND;
	return GW_EXIT_OK;
}

/* ---- status: the targets by version -------------------------------------------- */

typedef struct {
	const char *version; /* NULL: none applied */
	size_t first, count;
	size_t pending; /* of its first target: fewer pending is newer */
} version_group;

/* The groups of the reachable targets, the most up to date first. */
static size_t group_versions(version_group *g, const gw_fleet_report *r)
{
	size_t i, k, n = 0;

	for (i = 0; i < gw_fleet_report_count(r); i++) {
		const gw_fleet_result *x = gw_fleet_report_get(r, i);

		if (x->state != GW_TARGET_DONE)
			continue;
		for (k = 0; k < n; k++)
			if ((!g[k].version && !x->version_after) ||
			    (g[k].version && x->version_after &&
			     !strcmp(g[k].version, x->version_after)))
				break;
		if (k == n)
			g[n++] = (version_group){x->version_after, i, 0, x->pending};
		g[k].count++;
	}
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && g[k].pending < g[k - 1].pending; k--) {
			version_group t = g[k];

			g[k] = g[k - 1];
			g[k - 1] = t;
		}
	return n;
}

static void print_names(const gw_fleet_report *r, const version_group *g)
{
	size_t i, shown = 0;

	for (i = g->first; i < gw_fleet_report_count(r) && shown < g->count; i++) {
		const gw_fleet_result *x = gw_fleet_report_get(r, i);

		if (x->state != GW_TARGET_DONE ||
		    !((!g->version && !x->version_after) ||
		      (g->version && x->version_after && !strcmp(g->version, x->version_after))))
			continue;
		if (shown < NAMES_SHOWN)
			printf("%s%s", shown ? ", " : "", x->target->name);
		shown++;
	}
	if (shown > NAMES_SHOWN)
		printf(" and %zu more", shown - NAMES_SHOWN);
}

/* "behind: a (1 pending), b (2 pending)" for the targets where what is
 * at `offset` in the result is not 0. */
static size_t print_list(gw_cli *cli, const gw_fleet_report *r, const char *label, const char *what,
                         size_t offset, const char *sgr)
{
	size_t i, n = 0;

	for (i = 0; i < gw_fleet_report_count(r); i++) {
		const gw_fleet_result *x = gw_fleet_report_get(r, i);
		size_t v = *(const size_t *)(const void *)((const char *)x + offset);

		if (x->state != GW_TARGET_DONE || !v)
			continue;
		if (!n++) {
			gw_out_cell(cli, stdout, sgr, label, 0);
			fputs(":", stdout);
		}
		if (n <= NAMES_SHOWN)
			printf("%s %s (%zu %s)", n > 1 ? "," : "", x->target->name, v, what);
	}
	if (n > NAMES_SHOWN)
		printf(" and %zu more", n - NAMES_SHOWN);
	if (n)
		fputc('\n', stdout);
	return n;
}

static void print_status_text(gw_cli *cli, const gw_fleet_report *r)
{
	version_group *g = calloc(gw_fleet_report_count(r) + 1, sizeof(*g));
	size_t i, n, w = 7, failed = gw_fleet_report_count_state(r, GW_TARGET_FAILED);

	if (!g)
		return;
	n = group_versions(g, r);
	for (i = 0; i < n; i++)
		if (g[i].version && strlen(g[i].version) > w)
			w = strlen(g[i].version);
	gw_out_cell(cli, stdout, GW_SGR_BOLD, "VERSION", (int)w + 2);
	gw_out_cell(cli, stdout, GW_SGR_BOLD, "TARGETS", 9);
	gw_out_cell(cli, stdout, GW_SGR_BOLD, "NAMES", 0);
	fputc('\n', stdout);
	for (i = 0; i < n; i++) {
		char count[32];

		snprintf(count, sizeof(count), "%zu", g[i].count);
		gw_out_cell(cli, stdout, g[i].pending ? GW_SGR_YELLOW : GW_SGR_GREEN,
		            g[i].version ? g[i].version : "(none)", (int)w + 2);
		gw_out_cell(cli, stdout, NULL, count, 9);
		print_names(r, &g[i]);
		fputc('\n', stdout);
	}
	print_list(cli, r, "behind", "pending", offsetof(gw_fleet_result, pending), GW_SGR_YELLOW);
	print_list(cli, r, "changed", "changed", offsetof(gw_fleet_result, changed), GW_SGR_RED);
	print_list(cli, r, "dirty", "dirty", offsetof(gw_fleet_result, dirty), GW_SGR_RED);
	print_list(cli, r, "missing", "missing", offsetof(gw_fleet_result, missing), GW_SGR_RED);
	for (i = 0; i < gw_fleet_report_count(r); i++) {
		const gw_fleet_result *x = gw_fleet_report_get(r, i);

		if (x->state != GW_TARGET_FAILED)
			continue;
		gw_out_cell(cli, stdout, GW_SGR_RED, "failed", 0);
		printf(": %s: %s\n", x->target->name, dash(x->error));
	}
	printf("%zu target%s at %zu version%s", gw_fleet_report_count(r),
	       gw_fleet_report_count(r) == 1 ? "" : "s", n, n == 1 ? "" : "s");
	if (failed)
		printf(", %zu failed", failed);
	fputc('\n', stdout);
	free(g);
}

/* ---- text ------------------------------------------------------------------- */

static void print_text(gw_cli *cli, const gw_fleet_report *r, const char *again)
{
	gw_fleet_action a = gw_fleet_report_action(r);
	int changes = a == GW_FLEET_UP || a == GW_FLEET_DOWN;
	size_t i, n = gw_fleet_report_count(r);
	int wn = 6, wb = 6, wa = 5;
	char buf[2048], dur[32];

	for (i = 0; i < n; i++) {
		const gw_fleet_result *x = gw_fleet_report_get(r, i);

		if (gw_out_width(x->target->name) > wn)
			wn = gw_out_width(x->target->name);
		if (gw_out_width(dash(x->version_before)) > wb)
			wb = gw_out_width(dash(x->version_before));
		if (gw_out_width(dash(x->version_after)) > wa)
			wa = gw_out_width(dash(x->version_after));
	}
	if (a == GW_FLEET_STATUS) {
		/* Per target in JSON; here, what a deploy asks of a fleet. */
		print_status_text(cli, r);
		return;
	}
	gw_out_cell(cli, stdout, GW_SGR_BOLD, "TARGET", wn + 2);
	if (changes) {
		gw_out_cell(cli, stdout, GW_SGR_BOLD, "BEFORE", wb + 2);
		gw_out_cell(cli, stdout, GW_SGR_BOLD, "AFTER", wa + 2);
		gw_out_cell(cli, stdout, GW_SGR_BOLD, a == GW_FLEET_UP ? "APPLIED" : "REVERTED",
		            10);
	}
	gw_out_cell(cli, stdout, GW_SGR_BOLD, "DURATION", 10);
	gw_out_cell(cli, stdout, GW_SGR_BOLD, "RESULT", 0);
	fputc('\n', stdout);
	for (i = 0; i < n; i++) {
		const gw_fleet_result *x = gw_fleet_report_get(r, i);

		gw_out_cell(cli, stdout, NULL, x->target->name, wn + 2);
		if (changes) {
			gw_out_cell(cli, stdout, NULL, dash(x->version_before), wb + 2);
			gw_out_cell(cli, stdout, NULL, dash(x->version_after), wa + 2);
			snprintf(buf, sizeof(buf), "%zu", x->applied);
			gw_out_cell(cli, stdout, NULL,
			            x->state == GW_TARGET_NOT_STARTED ? "-" : buf, 10);
		}
		put_ms(dur, sizeof(dur), x->duration_ms);
		gw_out_cell(cli, stdout, NULL, dur, 10);
		put_result(buf, sizeof(buf), x);
		gw_out_cell(cli, stdout, state_sgr(x), buf, 0);
		fputc('\n', stdout);
	}
	put_counts(buf, sizeof(buf), r);
	put_ms(dur, sizeof(dur), gw_fleet_report_duration_ms(r));
	printf("fleet run %s: %s, in %s\n", gw_fleet_report_run_id(r), buf, dur);
	if (gw_fleet_report_state(r))
		printf("recorded in %s\n", gw_fleet_report_state(r));
	if (again && (gw_fleet_report_count_state(r, GW_TARGET_FAILED) ||
	              gw_fleet_report_count_state(r, GW_TARGET_NOT_STARTED))) {
		gw_out_cell(cli, stderr, GW_SGR_CYAN, "hint:", 0);
		fprintf(stderr, " fix what failed, then run the targets left with: %s\n", again);
	}
}

/* ---- JSON ------------------------------------------------------------------- */

/* JSON's names of the states. */
static const char *state_key(gw_target_state s)
{
	static const char *const keys[] = {"not_started", "running", "done", "failed",
	                                   "done_before"};

	return (unsigned)s < sizeof(keys) / sizeof(keys[0]) ? keys[s] : "unknown";
}

static json_t *result_json(const gw_fleet_result *x, gw_fleet_action a)
{
	json_t *o = json_object();

	gw_json_set(o, "name", gw_json_str(x->target->name));
	gw_json_set(o, "url", gw_json_str(x->target->display_url));
	gw_json_set(o, "state", gw_json_str(state_key(x->state)));
	gw_json_set(o, "version_before", gw_json_str(x->version_before));
	gw_json_set(o, "version_after", gw_json_str(x->version_after));
	if (a == GW_FLEET_UP || a == GW_FLEET_DOWN)
		gw_json_set(o, a == GW_FLEET_UP ? "applied" : "reverted",
		            json_integer((json_int_t)x->applied));
	if (a == GW_FLEET_STATUS || a == GW_FLEET_UP) {
		gw_json_set(o, "pending", json_integer((json_int_t)x->pending));
		gw_json_set(o, "changed", json_integer((json_int_t)x->changed));
		gw_json_set(o, "dirty", json_integer((json_int_t)x->dirty));
		gw_json_set(o, "missing", json_integer((json_int_t)x->missing));
	}
	if (a == GW_FLEET_TEST || a == GW_FLEET_DRIFT || a == GW_FLEET_HEALTH)
		gw_json_set(o, "found", json_integer((json_int_t)x->found));
	gw_json_set(o, "summary", gw_json_str(x->summary));
	gw_json_set(o, "duration_ms", gw_json_ms(x->duration_ms));
	gw_json_set(o, "error", gw_json_str(x->error));
	gw_json_set(o, "sqlstate", gw_json_str(x->sqlstate));
	gw_json_set(o, "not_started_why", gw_json_str(x->not_started_why));
	if (x->attempts)
		gw_json_set(o, "attempts", json_integer(x->attempts + 1));
	return o;
}

static int print_json(gw_cli *cli, const gw_fleet_report *r)
{
	static const gw_target_state states[] = {GW_TARGET_DONE, GW_TARGET_DONE_BEFORE,
	                                         GW_TARGET_FAILED, GW_TARGET_NOT_STARTED};
	gw_fleet_action a = gw_fleet_report_action(r);
	json_t *root = json_object(), *targets = json_array(), *counts = json_object();
	size_t i;

	gw_json_set(root, "run", gw_json_str(gw_fleet_report_run_id(r)));
	gw_json_set(root, "action", gw_json_str(gw_fleet_action_name(a)));
	gw_json_set(root, "state", gw_json_str(gw_fleet_report_state(r)));
	gw_json_set(root, "duration_ms", gw_json_ms(gw_fleet_report_duration_ms(r)));
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++)
		gw_json_set(counts, state_key(states[i]),
		            json_integer((json_int_t)gw_fleet_report_count_state(r, states[i])));
	gw_json_set(root, "counts", counts);
	for (i = 0; i < gw_fleet_report_count(r); i++)
		gw_json_append(targets, result_json(gw_fleet_report_get(r, i), a));
	gw_json_set(root, "targets", targets);
	if (a == GW_FLEET_STATUS) {
		version_group *g = calloc(gw_fleet_report_count(r) + 1, sizeof(*g));
		json_t *versions = json_array();
		size_t n = g ? group_versions(g, r) : 0, k;

		for (i = 0; i < n; i++) {
			json_t *v = json_object(), *names = json_array();

			for (k = g[i].first; k < gw_fleet_report_count(r); k++) {
				const gw_fleet_result *x = gw_fleet_report_get(r, k);

				if (x->state == GW_TARGET_DONE &&
				    ((!g[i].version && !x->version_after) ||
				     (g[i].version && x->version_after &&
				      !strcmp(g[i].version, x->version_after))))
					gw_json_append(names, gw_json_str(x->target->name));
			}
			gw_json_set(v, "version", gw_json_str(g[i].version));
			gw_json_set(v, "count", json_integer((json_int_t)g[i].count));
			gw_json_set(v, "targets", names);
			gw_json_append(versions, v);
		}
		gw_json_set(root, "versions", versions);
		free(g);
	}
	return gw_json_print(cli, root);
}

/* ---- Markdown and GitHub ---------------------------------------------------- */

/* A table cell: | and line breaks would end it. */
static void md_cell(const char *s)
{
	fputs("| ", stdout);
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", stdout);
		else if (*s == '\n' || *s == '\r')
			fputc(' ', stdout);
		else
			fputc(*s, stdout);
	}
	fputc(' ', stdout);
}

static void print_markdown(const gw_fleet_report *r)
{
	gw_fleet_action a = gw_fleet_report_action(r);
	int changes = a == GW_FLEET_UP || a == GW_FLEET_DOWN;
	char buf[2048], dur[32];
	size_t i;

	put_counts(buf, sizeof(buf), r);
	printf("### godwit %s: %s\n\nFleet run `%s`.\n\n", gw_fleet_action_name(a), buf,
	       gw_fleet_report_run_id(r));
	printf(changes ? "| target | before | after | %s | duration | result |\n"
	                 "|---|---|---|---:|---:|---|\n"
	               : "%s| target | version | duration | result |\n|---|---|---:|---|\n",
	       changes ? (a == GW_FLEET_UP ? "applied" : "reverted") : "");
	for (i = 0; i < gw_fleet_report_count(r); i++) {
		const gw_fleet_result *x = gw_fleet_report_get(r, i);

		md_cell(x->target->name);
		if (changes) {
			md_cell(dash(x->version_before));
			md_cell(dash(x->version_after));
			snprintf(buf, sizeof(buf), "%zu", x->applied);
			md_cell(x->state == GW_TARGET_NOT_STARTED ? "-" : buf);
		} else {
			md_cell(dash(x->version_after));
		}
		put_ms(dur, sizeof(dur), x->duration_ms);
		md_cell(dur);
		put_result(buf, sizeof(buf), x);
		md_cell(buf);
		fputs("|\n", stdout);
	}
}

static void print_github(const gw_fleet_report *r)
{
	gw_fleet_action a = gw_fleet_report_action(r);
	char buf[2048], title[512];
	size_t i;

	for (i = 0; i < gw_fleet_report_count(r); i++) {
		const gw_fleet_result *x = gw_fleet_report_get(r, i);
		const char *level = x->state == GW_TARGET_FAILED ? "error" : "warning";

		if (x->state == GW_TARGET_FAILED || x->state == GW_TARGET_NOT_STARTED)
			put_result(buf, sizeof(buf), x);
		else if (x->found && x->summary)
			snprintf(buf, sizeof(buf), "%s", x->summary);
		else if (a == GW_FLEET_STATUS && (x->pending || x->changed || x->dirty))
			snprintf(buf, sizeof(buf), "%zu pending, %zu changed, %zu dirty",
			         x->pending, x->changed, x->dirty);
		else
			continue;
		snprintf(title, sizeof(title), "godwit %s: %s", gw_fleet_action_name(a),
		         x->target->name);
		printf("::%s title=", level);
		gw_report_github_escape(title, 1);
		fputs("::", stdout);
		gw_report_github_escape(buf, 0);
		fputc('\n', stdout);
	}
	put_counts(buf, sizeof(buf), r);
	printf("::notice title=godwit %s::fleet run %s: ", gw_fleet_action_name(a),
	       gw_fleet_report_run_id(r));
	gw_report_github_escape(buf, 0);
	fputc('\n', stdout);
}

int gw_cli_fleet_print(gw_cli *cli, const gw_fleet_report *r, gw_fleet_format format,
                       const char *again)
{
	int rc = exit_code(r);

	switch (format) {
	case GW_FLEET_JSON:
		if (print_json(cli, r) != GW_EXIT_OK)
			return GW_EXIT_FAILED;
		break;
	case GW_FLEET_MARKDOWN:
		print_markdown(r);
		break;
	case GW_FLEET_GITHUB:
		print_github(r);
		break;
	default:
		print_text(cli, r, again);
		break;
	}
	return rc;
}
