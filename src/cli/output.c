/*
 * output.c: how godwit talks: colors, table cells, JSON documents, errors
 * and the progress notices the library sends while it works.
 *
 * Results go to stdout (text or JSON); progress that is not a result,
 * warnings and errors go to stderr, except that in JSON mode an error is
 * itself the result and goes to stdout as {"error": {...}}, so a program
 * reading the JSON always gets a document.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"

/* A JSON value that could not be built (out of memory) taints the document
 * being built; gw_json_print then fails instead of printing half of it. */
static int json_failed;

static int stream_wants_color(int fd)
{
	const char *no_color = getenv("NO_COLOR");
	const char *term = getenv("TERM");

	/* no-color.org: any non-empty NO_COLOR disables color. */
	if (no_color && *no_color)
		return 0;
	if (term && strcmp(term, "dumb") == 0)
		return 0;
	return isatty(fd);
}

void gw_cli_detect_colors(gw_cli *cli)
{
	cli->color_out = stream_wants_color(STDOUT_FILENO);
	cli->color_err = stream_wants_color(STDERR_FILENO);
}

static int colored(const gw_cli *cli, FILE *out)
{
	return out == stderr ? cli->color_err : out == stdout ? cli->color_out : 0;
}

int gw_out_width(const char *s)
{
	return s ? gw_out_width_n(s, strlen(s)) : 0;
}

int gw_out_width_n(const char *s, size_t len)
{
	size_t i;
	int w = 0;

	/* Most text is ASCII, whose width is its length: eight bytes at a
	 * time tell, a status of 10,000 lines measures 40,000 cells. */
	for (i = 0; i + 8 <= len; i += 8) {
		uint64_t word;

		memcpy(&word, s + i, 8);
		if (word & 0x8080808080808080ULL)
			break;
	}
	/* No word had a high bit: the last bytes as one word too. Counted
	 * one by one, they were most of the cost of a version's width. */
	if (len - i < 8) {
		uint64_t word = 0;

		memcpy(&word, s + i, len - i);
		if (!(word & 0x8080808080808080ULL))
			return (int)len;
	}
	for (w = (int)i, s += i; *s; s++)
		if (((unsigned char)*s & 0xC0) != 0x80)
			w++;
	return w;
}

char *gw_out_cell_at(const gw_cli *cli, FILE *out, char *at, const char *sgr, const char *s,
                     int width)
{
	size_t len;
	int pad;

	if (!s)
		s = "";
	len = strlen(s);
	if (sgr && colored(cli, out))
		at += sprintf(at, "\033[%sm%s\033[0m", sgr, s);
	else
		at = (char *)memcpy(at, s, len) + len;
	if (width > 0 && (pad = width - gw_out_width_n(s, len)) > 0) {
		memset(at, ' ', (size_t)pad);
		at += pad;
	}
	return at;
}

void gw_out_cell(const gw_cli *cli, FILE *out, const char *sgr, const char *s, int width)
{
	/* The padding in one write: a status of 10,000 lines made over a
	 * hundred thousand fputc calls. */
	static const char spaces[] = "                                ";
	int pad, n;

	if (!s)
		s = "";
	if (sgr && colored(cli, out))
		fprintf(out, "\033[%sm%s\033[0m", sgr, s);
	else
		fputs(s, out);
	for (pad = width - gw_out_width(s); pad > 0; pad -= n) {
		n = pad < (int)sizeof(spaces) - 1 ? pad : (int)sizeof(spaces) - 1;
		fwrite(spaces, 1, (size_t)n, out);
	}
}

/* ---- JSON ------------------------------------------------------------------ */

/* Length of the valid UTF-8 sequence at p, or 0 when it is not one
 * (overlong forms, surrogates and code points past U+10FFFF included). */
static size_t utf8_len(const unsigned char *p)
{
	size_t n, i;
	unsigned long cp;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xC2 && p[0] <= 0xDF)
		n = 2, cp = p[0] & 0x1F;
	else if (p[0] >= 0xE0 && p[0] <= 0xEF)
		n = 3, cp = p[0] & 0x0F;
	else if (p[0] >= 0xF0 && p[0] <= 0xF4)
		n = 4, cp = p[0] & 0x07;
	else
		return 0;
	for (i = 1; i < n; i++) {
		if ((p[i] & 0xC0) != 0x80)
			return 0;
		cp = (cp << 6) | (p[i] & 0x3F);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10FFFF ||
	    (cp >= 0xD800 && cp <= 0xDFFF))
		return 0;
	return n;
}

static json_t *json_str_repaired(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t len = strlen(s), o = 0, n;
	char *buf = malloc(len * 3 + 1);
	json_t *v;

	if (!buf)
		return NULL;
	while (*p) {
		if ((n = utf8_len(p)) == 0) {
			memcpy(buf + o, "\xEF\xBF\xBD", 3); /* U+FFFD */
			o += 3;
			p++;
			continue;
		}
		memcpy(buf + o, p, n);
		o += n;
		p += n;
	}
	buf[o] = '\0';
	v = json_string(buf);
	free(buf);
	return v;
}

json_t *gw_json_str(const char *s)
{
	json_t *v;

	if (!s)
		return json_null();
	if ((v = json_string(s)))
		return v;
	return json_str_repaired(s);
}

json_t *gw_json_bool(int b)
{
	return json_boolean(b);
}

json_t *gw_json_ms(long long ms)
{
	return ms < 0 ? json_null() : json_integer((json_int_t)ms);
}

void gw_json_set(json_t *obj, const char *key, json_t *value)
{
	if (!obj || !value || json_object_set_new(obj, key, value) < 0)
		json_failed = 1;
}

void gw_json_append(json_t *array, json_t *value)
{
	if (!array || !value || json_array_append_new(array, value) < 0)
		json_failed = 1;
}

int gw_json_take_failed(void)
{
	int failed = json_failed;

	json_failed = 0;
	return failed;
}

int gw_json_print(gw_cli *cli, json_t *root)
{
	int failed = json_failed || !root;

	(void)cli;
	json_failed = 0;
	if (!failed && json_dumpf(root, stdout, JSON_INDENT(2)) == 0)
		fputc('\n', stdout);
	else
		failed = 1;
	json_decref(root);
	if (failed) {
		fputs("godwit: error: out of memory while writing JSON\n", stderr);
		return GW_EXIT_FAILED;
	}
	return GW_EXIT_OK;
}

/* ---- errors ---------------------------------------------------------------- */

static void error_prefix(const gw_cli *cli)
{
	fputs("godwit: ", stderr);
	gw_out_cell(cli, stderr, GW_SGR_RED ";" GW_SGR_BOLD, "error:", 0);
	fputc(' ', stderr);
}

/* Many messages already name their file: the config loader starts its
 * messages with "file:line: " (so that a library user who prints only the
 * message still sees where), and "x.sql was changed after it was applied"
 * needs no "x.sql: " in front. The location is not repeated then. */
static int message_has_location(const gw_error *e)
{
	size_t n = strlen(e->file);

	if (!n)
		return 0;
	if (strncmp(e->message, e->file, n) == 0 && e->message[n] == ':')
		return 1;
	return e->line <= 0 && strstr(e->message, e->file) != NULL;
}

static void print_error_text(gw_cli *cli, const gw_error *e)
{
	char hint[2048];

	error_prefix(cli);
	if (e->file[0] && !message_has_location(e)) {
		fputs(e->file, stderr);
		if (e->line > 0)
			fprintf(stderr, ":%d", e->line);
		if (e->line > 0 && e->column > 0)
			fprintf(stderr, ":%d", e->column);
		fputs(": ", stderr);
	}
	fputs(e->message, stderr);
	if (e->sqlstate[0])
		fprintf(stderr, " (SQLSTATE %s)", e->sqlstate);
	fputc('\n', stderr);
	if (e->hint[0]) {
		gw_out_cell(cli, stderr, GW_SGR_CYAN, "hint:", 0);
		fprintf(stderr, " %s\n", gw_cli_hint(e, hint, sizeof(hint)));
	}
}

static json_t *error_json(const char *code, const char *message, const gw_error *e)
{
	json_t *obj = json_object();
	char hint[2048];

	gw_json_set(obj, "code", gw_json_str(code));
	gw_json_set(obj, "message", gw_json_str(message));
	gw_json_set(obj, "sqlstate", gw_json_str(e && e->sqlstate[0] ? e->sqlstate : NULL));
	gw_json_set(obj, "file", gw_json_str(e && e->file[0] ? e->file : NULL));
	gw_json_set(obj, "line", e && e->line > 0 ? json_integer(e->line) : json_null());
	gw_json_set(obj, "column", e && e->column > 0 ? json_integer(e->column) : json_null());
	gw_json_set(obj, "hint",
	            gw_json_str(e && e->hint[0] ? gw_cli_hint(e, hint, sizeof(hint)) : NULL));
	return obj;
}

json_t *gw_cli_error_json(const gw_error *e)
{
	return error_json(gw_error_code_name(e->code), e->message, e);
}

/* In JSON mode, what was done before the failure still matters: a failed
 * `up` reports the migrations it applied before the one that failed. */
static void print_error_json(gw_cli *cli, json_t *err)
{
	json_t *root = json_object();

	gw_json_set(root, "error", err);
	if (cli->applied && json_array_size(cli->applied))
		gw_json_set(root, "applied", json_incref(cli->applied));
	if (cli->reverted && json_array_size(cli->reverted))
		gw_json_set(root, "reverted", json_incref(cli->reverted));
	gw_json_print(cli, root);
}

int gw_cli_fail(gw_cli *cli, int rc)
{
	const gw_error *e = cli->ctx ? gw_ctx_error(cli->ctx) : NULL;
	gw_error fallback;

	if (!e) {
		/* The library returned an error without details: still say
		 * which one rather than nothing. */
		memset(&fallback, 0, sizeof(fallback));
		fallback.code = rc;
		fallback.message = gw_error_code_name(rc);
		fallback.sqlstate = fallback.file = fallback.hint = "";
		e = &fallback;
	}
	if (cli->output == GW_OUTPUT_JSON)
		print_error_json(cli, error_json(gw_error_code_name(e->code), e->message, e));
	else
		print_error_text(cli, e);
	/* The change was made: a deploy must not take it for a failed one. */
	return e->code == GW_EAFTER ? GW_EXIT_AFTER : GW_EXIT_FAILED;
}

int gw_cli_refuse(gw_cli *cli, const char *hint, const char *fmt, ...)
{
	char buf[1024];
	gw_error e;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	memset(&e, 0, sizeof(e));
	e.code = GW_EINVALID;
	e.message = buf;
	e.sqlstate = e.file = "";
	e.hint = hint ? hint : "";
	if (cli->output == GW_OUTPUT_JSON)
		print_error_json(cli, error_json("refused", e.message, &e));
	else
		print_error_text(cli, &e);
	return GW_EXIT_FAILED;
}

int gw_cli_usage(gw_cli *cli, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (cli->output == GW_OUTPUT_JSON) {
		print_error_json(cli, error_json(gw_error_code_name(GW_EINVALID), buf, NULL));
		return GW_EXIT_USAGE;
	}
	error_prefix(cli);
	fprintf(stderr, "%s\n", buf);
	if (cli->cmd)
		fprintf(stderr, "usage: godwit %s\nsee 'godwit help %s'\n", cli->cmd->usage,
		        cli->cmd->name);
	else
		fputs("see 'godwit help'\n", stderr);
	return GW_EXIT_USAGE;
}

void gw_cli_warn(gw_cli *cli, const char *fmt, ...)
{
	va_list ap;

	fputs("godwit: ", stderr);
	gw_out_cell(cli, stderr, GW_SGR_YELLOW, "warning:", 0);
	fputc(' ', stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* ---- notices --------------------------------------------------------------- */

static json_t *notice_json(const gw_notice *n, int with_message)
{
	json_t *obj = json_object();

	gw_json_set(obj, "version", gw_json_str(n->version));
	gw_json_set(obj, "name", gw_json_str(n->name));
	gw_json_set(obj, "duration_ms", gw_json_ms(n->duration_ms));
	if (with_message)
		gw_json_set(obj, "message", gw_json_str(n->message));
	return obj;
}

static void collect(json_t **array, json_t *item)
{
	if (!*array && !(*array = json_array())) {
		json_decref(item);
		json_failed = 1;
		return;
	}
	gw_json_append(*array, item);
}

/* One line per migration; flushed, so that a CI log shows progress while
 * a long migration runs rather than everything at the end. */
static void progress(gw_cli *cli, const char *sgr, const char *label, const gw_notice *n,
                     int with_ms)
{
	gw_out_cell(cli, stdout, sgr, label, 9);
	fprintf(stdout, "%s %s", n->version ? n->version : "", n->name ? n->name : "");
	if (with_ms)
		fprintf(stdout, " (%lld ms)", n->duration_ms < 0 ? 0 : n->duration_ms);
	else
		fprintf(stdout, ": %s", n->message);
	fputc('\n', stdout);
	fflush(stdout);
}

/* "godwit: FILE:LINE: " before what the server said while a statement
 * ran (with --verbose) and before each statement sent. */
static void at_line(const gw_notice *n)
{
	fputs("godwit: ", stderr);
	if (n->file && n->line > 0)
		fprintf(stderr, "%s:%d: ", n->file, n->line);
	else if (n->file)
		fprintf(stderr, "%s: ", n->file);
}

static void notice_to_stderr(gw_cli *cli, const gw_notice *n)
{
	if (n->kind == GW_NOTICE_WARNING) {
		gw_cli_warn(cli, "%s", n->message);
		return;
	}
	if (n->kind == GW_NOTICE_SERVER && cli->verbose) {
		at_line(n);
		fprintf(stderr, "%s\n", n->message);
		return;
	}
	fprintf(stderr, "godwit: %s\n", n->message);
}

/* ---- the progress line ------------------------------------------------------ */

/* At most this often: a terminal redrawn faster only flickers. */
#define PROGRESS_MIN_MS 100

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Erases the progress line, if drawn, before other output; out_lock held. */
static void progress_erase(gw_cli *cli)
{
	if (cli->runlog) {
		gw_cli_log_progress(cli, NULL);
		return;
	}
	if (!cli->progress_shown)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
	cli->progress_shown = 0;
}

static int terminal_width(const gw_cli *cli)
{
	struct winsize ws;
	const char *columns = getenv("COLUMNS");

	if (ioctl(gw_cli_log_stderr(cli), TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	if (columns && atoi(columns) > 0)
		return atoi(columns);
	return 80;
}

static void put_duration(char *buf, size_t size, long long ms)
{
	if (ms < 60000)
		snprintf(buf, size, "%lld.%llds", ms / 1000, ms % 1000 / 100);
	else
		snprintf(buf, size, "%lldm%02llds", ms / 60000, ms % 60000 / 1000);
}

/* Appends text to line (of size cap) with each run of white space (a
 * query's line breaks) as one space. */
static size_t put_flat(char *line, size_t at, size_t cap, const char *text)
{
	int space = 0;

	for (; text && *text && at + 1 < cap; text++) {
		if (*text == ' ' || *text == '\t' || *text == '\n' || *text == '\r') {
			space = 1;
			continue;
		}
		if (space && at + 2 < cap)
			line[at++] = ' ';
		space = 0;
		line[at++] = *text;
	}
	line[at] = '\0';
	return at;
}

/* Cuts line to `columns` characters (UTF-8 aware), ending in "..." when cut. */
static void fit(char *line, int columns)
{
	int w = 0;
	char *p;

	for (p = line; *p; p++) {
		if (((unsigned char)*p & 0xC0) == 0x80)
			continue;
		if (++w > columns) {
			if (columns > 3) {
				char *q = p;
				int back = 3;

				while (back > 0 && q > line) {
					q--;
					if (((unsigned char)*q & 0xC0) != 0x80)
						back--;
				}
				strcpy(q, "...");
			} else {
				*p = '\0';
			}
			return;
		}
	}
}

/* "applying 20240101000000 users: statement 2 of 3, 4.1s; waiting 3.9s
 * for pid 4242 (psql): LOCK TABLE users IN ACCESS EXCLUSIVE MODE" */
static void progress_text(char *line, size_t cap, const gw_progress *g)
{
	char elapsed[32], waited[32];
	size_t at;

	put_duration(elapsed, sizeof(elapsed), g->elapsed_ms);
	if (g->statement)
		snprintf(line, cap, "%s %s %s: statement %zu of %zu, %s",
		         g->direction == GW_DOWN ? "reverting" : "applying", g->version,
		         g->name ? g->name : "", g->statement, g->statements, elapsed);
	else
		snprintf(line, cap, "%s %s %s: %zu statement%s in a transaction, %s",
		         g->direction == GW_DOWN ? "reverting" : "applying", g->version,
		         g->name ? g->name : "", g->statements, g->statements == 1 ? "" : "s",
		         elapsed);
	if (!g->blocker_pid)
		return;
	put_duration(waited, sizeof(waited), g->waiting_ms);
	at = strlen(line);
	at += (size_t)snprintf(line + at, cap - at, "; waiting %s for a lock held by pid %d",
	                       waited, g->blocker_pid);
	if (at < cap && g->blocker_application && *g->blocker_application)
		at += (size_t)snprintf(line + at, cap - at, " (%s)", g->blocker_application);
	if (at < cap && g->blockers > 1)
		at += (size_t)snprintf(line + at, cap - at, " and %d more", g->blockers - 1);
	if (at + 2 < cap && g->blocker_query && *g->blocker_query) {
		strcpy(line + at, ": ");
		put_flat(line, at + 2, cap, g->blocker_query);
	}
}

/* "waiting 2.4s for the migration lock, held by pid 4242 (application
 * "godwit", user "deploy", host "10.0.0.5", connected since ...)" */
static void lock_wait_text(char *line, size_t cap, const gw_progress *g)
{
	char waited[32];

	put_duration(waited, sizeof(waited), g->lock_waiting_ms);
	snprintf(line, cap, "waiting %s for the migration lock, held by %s", waited,
	         g->lock_holder ? g->lock_holder : "another runner");
}

void gw_cli_progress_line(gw_cli *cli, const char *text)
{
	char line[1024];
	long long now = now_ms();

	pthread_mutex_lock(&cli->out_lock);
	if (!text) {
		progress_erase(cli);
	} else if (now - cli->progress_drawn_ms >= PROGRESS_MIN_MS) {
		/* Also across migrations: a run of quick ones is not
		 * drawn a hundred times a second. */
		snprintf(line, sizeof(line), "%s", text);
		fit(line, terminal_width(cli) - 1);
		if (cli->runlog) {
			/* On the terminal only, not in the run's log. */
			gw_cli_log_progress(cli, line);
		} else {
			fprintf(stderr, "\r%s\033[K", line);
			fflush(stderr);
			cli->progress_shown = 1;
		}
		cli->progress_drawn_ms = now;
	}
	pthread_mutex_unlock(&cli->out_lock);
}

static void draw_progress(const gw_progress *g, void *payload)
{
	char line[1024];

	if (!g->version && !g->lock_wait) {
		gw_cli_progress_line(payload, NULL);
		return;
	}
	if (g->lock_wait)
		lock_wait_text(line, sizeof(line), g);
	else
		progress_text(line, sizeof(line), g);
	gw_cli_progress_line(payload, line);
}

int gw_cli_progress_wanted(const gw_cli *cli)
{
	const char *term = getenv("TERM");

	return !(cli->no_progress || cli->output == GW_OUTPUT_JSON ||
	         !isatty(gw_cli_log_stderr(cli)) || (term && !strcmp(term, "dumb")));
}

void gw_cli_progress_setup(gw_cli *cli)
{
	if (gw_cli_progress_wanted(cli))
		gw_project_set_progress(cli->project, draw_progress, cli, PROGRESS_MIN_MS);
}

/* ---- notices ----------------------------------------------------------------- */

void gw_cli_mute_notices(gw_cli *cli, int mute)
{
	gw_ctx_set_notice_cb(cli->ctx, mute ? NULL : gw_cli_notice, cli);
}

static void notice(gw_cli *cli, const gw_notice *n)
{
	int json = cli->output == GW_OUTPUT_JSON;

	switch (n->kind) {
	case GW_NOTICE_APPLIED:
		cli->n_applied++;
		if (json)
			collect(&cli->applied, notice_json(n, 0));
		else
			progress(cli, GW_SGR_GREEN, "applied", n, 1);
		break;
	case GW_NOTICE_REVERTED:
		cli->n_reverted++;
		if (json)
			collect(&cli->reverted, notice_json(n, 0));
		else
			progress(cli, GW_SGR_YELLOW, "reverted", n, 1);
		break;
	case GW_NOTICE_SKIPPED:
		if (json)
			collect(&cli->skipped, notice_json(n, 1));
		else
			progress(cli, GW_SGR_DIM, "skipped", n, 0);
		break;
	case GW_NOTICE_APPLYING:
	case GW_NOTICE_REVERTING:
		/* Said before it runs, so a log shows what a long or stuck
		 * run is doing; the result line comes when it is done. */
		fprintf(stderr, "godwit: %s %s %s\n",
		        n->kind == GW_NOTICE_APPLYING ? "applying" : "reverting",
		        n->version ? n->version : "", n->name ? n->name : "");
		break;
	case GW_NOTICE_STATEMENT:
		gw_cli_log_statement(cli, n); /* for the run's log */
		if (cli->verbose) {
			at_line(n);
			fprintf(stderr, "%s\n", n->message);
		}
		break;
	case GW_NOTICE_INFO:
	case GW_NOTICE_WARNING:
	case GW_NOTICE_LOCK_WAIT:
	case GW_NOTICE_SERVER:
	default:
		notice_to_stderr(cli, n);
		break;
	}
}

void gw_cli_notice(const gw_notice *n, void *payload)
{
	gw_cli *cli = payload;

	/* A statement is for the run's log only, unless --verbose: the
	 * progress line stays. */
	if (n->kind == GW_NOTICE_STATEMENT && !cli->verbose) {
		gw_cli_log_statement(cli, n);
		return;
	}
	pthread_mutex_lock(&cli->out_lock);
	progress_erase(cli);
	notice(cli, n);
	fflush(stderr);
	pthread_mutex_unlock(&cli->out_lock);
}

/* ---- plans ----------------------------------------------------------------- */

static json_t *step_json(const gw_plan_step *st)
{
	json_t *o = json_object();

	gw_json_set(o, "version", gw_json_str(st->version));
	gw_json_set(o, "name", gw_json_str(st->name));
	gw_json_set(o, "file", gw_json_str(st->file));
	gw_json_set(o, "direction", gw_json_str(st->direction == GW_DOWN ? "down" : "up"));
	gw_json_set(o, "transactional", gw_json_bool(st->transactional));
	gw_json_set(o, "statements", json_integer((json_int_t)st->statements));
	gw_json_set(o, "resume_from", json_integer((json_int_t)st->resume_from));
	gw_json_set(o, "resuming", gw_json_bool(st->resuming));
	gw_json_set(o, "sql", gw_json_str(st->sql));
	return o;
}

/* Every line that is not SQL starts with "--", so the output of a dry run
 * can be reviewed, diffed or fed to psql as it is. */
static void print_step(const gw_plan_step *st)
{
	size_t len = st->sql ? strlen(st->sql) : 0;

	printf("-- %s %s (%s) [%s], %zu statement%s", st->version, st->name,
	       st->file ? st->file : "", st->transactional ? "transaction" : "no transaction",
	       st->statements, st->statements == 1 ? "" : "s");
	if (st->resuming)
		printf(", resuming at statement %zu", st->resume_from + 1);
	fputc('\n', stdout);
	if (len)
		printf("%s%s", st->sql, st->sql[len - 1] == '\n' ? "" : "\n");
}

json_t *gw_cli_plan_json(const gw_plan *plan)
{
	size_t i, n = gw_plan_count(plan);
	json_t *list = json_array();

	for (i = 0; i < n; i++)
		gw_json_append(list, step_json(gw_plan_get(plan, i)));
	return list;
}

int gw_cli_print_plan(gw_cli *cli, const gw_plan *plan, const char *nothing)
{
	size_t i, n = gw_plan_count(plan);
	json_t *root;

	if (cli->output == GW_OUTPUT_JSON) {
		root = json_object();
		gw_json_set(root, "plan", gw_cli_plan_json(plan));
		return gw_json_print(cli, root);
	}
	if (n == 0)
		printf("-- %s\n", nothing);
	for (i = 0; i < n; i++) {
		if (i)
			fputc('\n', stdout);
		print_step(gw_plan_get(plan, i));
	}
	return GW_EXIT_OK;
}

/* ---- arguments ------------------------------------------------------------- */

int gw_parse_count(const char *s, int *out)
{
	long n = 0;
	const char *p;

	if (!s || !*s)
		return -1;
	for (p = s; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		n = n * 10 + (*p - '0');
		if (n > 1000000000L)
			return -1;
	}
	if (n <= 0)
		return -1;
	*out = (int)n;
	return 0;
}
