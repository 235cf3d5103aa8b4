/*
 * notify.c: notifications (notify = URL[, URL...]): the start and end of
 * a run told to Slack, to any HTTP endpoint as the event's JSON, or by
 * mail, so that a failed production deploy reaches people, not a log.
 *
 * A sink of the event stream (events.c): it hears the run's events, keeps
 * the migrations it applied or reverted, and on the start or end event
 * that notify_on asks for, queues one message per URL. A thread of its
 * own sends them with libcurl (curl.c), so a slow receiver never holds up
 * a migration: each attempt is bounded by notify_timeout (5 s), a failed
 * one is tried twice more, and the end of the run waits for the queue to
 * empty, then says as a warning what could not be sent. Sending never
 * fails a run. The URLs are shown masked (gw_url_mask_hook) wherever they
 * appear, since webhooks keep their secret in them.
 *
 * People get one message per run: a failed run's names the migration
 * that failed, with its error. Programs (the JSON receivers) get the
 * events: with failure in notify_on, each migration's fail event as it
 * is recorded, then the run's end. Each migration's success is not sent
 * on its own (a deploy of forty would post forty times): the end message
 * lists them, the audit log and /history hold their events.
 *
 * TLS: https:// receivers and smtps:// are verified against the system's
 * CAs or notify_ca; an smtp:// server is asked for STARTTLS when it offers
 * it, and must give it when smtp_url holds a password, which libcurl then
 * sends with AUTH: a password never crosses the network in clear.
 */
#include "internal.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "curl.h"
#include "settings.h"
#include "../util/backoff.h"
#include "../util/error.h"
#include "../util/url.h"

enum { TO_JSON, TO_SLACK, TO_MAIL };
enum { ON_START = 1, ON_SUCCESS = 2, ON_FAILURE = 4 };
#define ATTEMPTS   3  /* the first and two retries */
#define MAX_LISTED 20 /* migrations named in a message; the rest counted */

typedef struct target {
	int kind;
	char *url;   /* what is sent to: the URL without "slack:", or the address */
	char *shown; /* masked, for messages */
} target;

typedef struct job {
	const target *to;
	char *body;
	struct job *next;
} job;

typedef struct notifier {
	target *targets;
	size_t ntargets;
	unsigned on;
	char *smtp_url;
	char *smtp_from;
	long smtp_tls; /* CURLOPT_USE_SSL for an smtp:// URL */
	char *ca_file; /* notify_ca: the CAs to verify receivers with; NULL: the system's */
	long timeout_ms;
	int usable; /* libcurl loaded */

	/* The run: what it did, for the end message, and the migration
	 * that failed ("VERSION NAME"; empty: none). */
	gw_str done;
	size_t ndone;
	gw_str failed;

	pthread_t thread;
	int started;
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	job *head, *tail;
	int busy, stop;
	gw_vec warnings; /* what the thread could not send, told by the caller */
} notifier;

/* ---- the settings ------------------------------------------------------------ */

/* The kind of one entry of notify (len bytes at url, followed by a ',' or
 * the end of the list), or -1 when it is none. It allocates nothing, so
 * the settings' check never mistakes a full memory for a bad URL. */
static int kind_of(const char *url, size_t len, const char **send)
{
	const char *u = url;
	int slack = 0;

	if (!strncasecmp(u, "mailto:", 7)) {
		*send = u + 7;
		return len > 7 && memchr(u + 7, '@', len - 7) ? TO_MAIL : -1;
	}
	if (!strncasecmp(u, "slack:", 6)) {
		u += 6;
		slack = 1;
	}
	*send = u;
	if (strncasecmp(u, "http://", 7) && strncasecmp(u, "https://", 8))
		return -1;
	if (!strncasecmp(u, "https://hooks.slack.com/", 24))
		slack = 1;
	return slack ? TO_SLACK : TO_JSON;
}

/* Calls fn on each comma-separated item of list, trimmed; stops at the
 * first nonzero return. */
static int each_item(const char *list, int (*fn)(const char *item, size_t len, void *arg),
                     void *arg)
{
	const char *p = list;
	int rc = 0;

	while (rc == 0 && *p) {
		size_t len = strcspn(p, ","), a = 0, b = len;

		while (a < b && (p[a] == ' ' || p[a] == '\t'))
			a++;
		while (b > a && (p[b - 1] == ' ' || p[b - 1] == '\t'))
			b--;
		rc = fn(p + a, b - a, arg);
		p += len;
		if (*p == ',')
			p++;
	}
	return rc;
}

static int check_url(const char *item, size_t len, void *arg)
{
	const char *send;

	(void)arg;
	return !len || kind_of(item, len, &send) < 0 ? -1 : 0;
}

int gw_notify__check_urls(const char *value)
{
	return *value ? each_item(value, check_url, NULL) : -1;
}

static int add_when(const char *item, size_t len, void *arg)
{
	static const struct {
		const char *name;
		unsigned bits;
	} names[] = {{"failure", ON_FAILURE},
	             {"success", ON_SUCCESS},
	             {"start", ON_START},
	             {"all", ON_FAILURE | ON_SUCCESS | ON_START}};
	unsigned *on = arg;
	size_t i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strlen(names[i].name) == len && !strncmp(item, names[i].name, len)) {
			*on |= names[i].bits;
			return 0;
		}
	return -1;
}

int gw_notify__check_on(const char *value)
{
	unsigned on = 0;

	return *value ? each_item(value, add_when, &on) : -1;
}

static int add_target(const char *item, size_t len, void *arg)
{
	notifier *n = arg;
	target *t, *grown;
	const char *send;
	gw_str shown = GW_STR_INIT;
	char *url;

	if (!len)
		return 0;
	if (!(url = gw_strndup(item, len)))
		return -1;
	if (!(grown = realloc(n->targets, (n->ntargets + 1) * sizeof(*grown)))) {
		free(url);
		return -1;
	}
	n->targets = grown;
	t = &n->targets[n->ntargets];
	if ((t->kind = kind_of(url, len, &send)) < 0) {
		free(url);
		return 0; /* refused by the settings' check already */
	}
	gw_url_mask_hook(&shown, url);
	t->url = gw_strdup(send);
	t->shown = gw_str_detach(&shown);
	free(url);
	if (!t->url || !t->shown) {
		free(t->url);
		free(t->shown);
		return -1;
	}
	n->ntargets++;
	return 0;
}

/* ---- messages ---------------------------------------------------------------- */

static const char *outcome(const gw_event *e, const gw_event_context *c)
{
	if (!strcmp(e->action, "start"))
		return "started";
	return c->exit_code == 0 ? "succeeded" : c->exit_code == 3 ? "found something" : "failed";
}

static void put_error(gw_str *s, const gw_event *e)
{
	if (e->file && *e->file) {
		gw_str_puts(s, e->file);
		if (e->line > 0)
			gw_str_printf(s, ":%d", e->line);
		if (e->line > 0 && e->column > 0)
			gw_str_printf(s, ":%d", e->column);
		gw_str_puts(s, ": ");
	}
	gw_str_puts(s, e->error);
	if (e->sqlstate && *e->sqlstate)
		gw_str_printf(s, " (SQLSTATE %s)", e->sqlstate);
}

/* The facts of a message, as label and value, shared by Slack and mail. */
typedef struct fact {
	const char *label;
	char *value;
} fact;
#define NFACTS 6

static void facts(fact f[NFACTS], const notifier *n, const gw_event *e, const gw_event_context *c)
{
	gw_str s = GW_STR_INIT;

	f[0].label = "Environment";
	f[0].value = gw_strdup(e->environment ? e->environment : "-");
	f[1].label = "Database";
	f[1].value = gw_strdup(c->target ? c->target : "-");
	f[2].label = "Duration";
	if (e->duration_ms >= 0)
		gw_str_printf(&s, "%lld.%03lld s", e->duration_ms / 1000, e->duration_ms % 1000);
	else
		gw_str_puts(&s, "-");
	f[2].value = gw_str_detach(&s);
	f[3].label = "Who";
	gw_str_puts(&s, c->actor ? c->actor : c->os_user ? c->os_user : "-");
	if (c->database_user)
		gw_str_printf(&s, " (database user %s)", c->database_user);
	f[3].value = gw_str_detach(&s);
	f[4].label = "Commit";
	/* The short hash; gw_strndup copies n bytes, so never past "-". */
	f[4].value = c->commit ? gw_strndup(c->commit, strnlen(c->commit, 12)) : gw_strdup("-");
	f[5].label = "Migrations";
	if (!strcmp(e->action, "start"))
		gw_str_puts(&s, "-");
	else if (!n->ndone)
		gw_str_puts(&s, "none");
	else
		gw_str_put(&s, n->done.ptr, n->done.size - 1); /* without its last newline */
	if (n->ndone > MAX_LISTED)
		gw_str_printf(&s, "\nand %zu more", n->ndone - MAX_LISTED);
	f[5].value = gw_str_detach(&s);
}

static void facts_dispose(fact f[NFACTS])
{
	int i;

	for (i = 0; i < NFACTS; i++)
		free(f[i].value);
}

static void title(gw_str *s, const notifier *n, const gw_event *e, const gw_event_context *c)
{
	gw_str_printf(s, "godwit %s %s in %s", c->command ? c->command : "run", outcome(e, c),
	              e->environment ? e->environment : "development");
	if (strcmp(e->action, "start") && c->exit_code != 0 && n->failed.size)
		gw_str_printf(s, " at %s", n->failed.ptr);
}

static json_t *text_object(const char *type, const char *text)
{
	json_t *o = json_object();

	json_object_set_new(o, "type", json_string(type));
	json_object_set_new(o, "text", json_string(text));
	return o;
}

/* Slack's Block Kit: a header, the facts as fields, the migrations and
 * the error each in a section. "text" is what notifications show. */
static char *slack_body(const notifier *n, const gw_event *e, const gw_event_context *c)
{
	json_t *root = json_object(), *blocks = json_array(), *fields = json_array(), *o;
	gw_str s = GW_STR_INIT;
	fact f[NFACTS];
	char *text;
	int i;

	facts(f, n, e, c);
	title(&s, n, e, c);
	json_object_set_new(root, "text", json_string(s.ptr ? s.ptr : ""));
	o = text_object("header", NULL);
	json_object_set_new(o, "text", text_object("plain_text", s.ptr ? s.ptr : ""));
	json_array_append_new(blocks, o);
	for (i = 0; i < NFACTS - 1; i++) {
		gw_str_clear(&s);
		gw_str_printf(&s, "*%s*\n%s", f[i].label, f[i].value ? f[i].value : "");
		json_array_append_new(fields, text_object("mrkdwn", s.ptr ? s.ptr : ""));
	}
	o = json_object();
	json_object_set_new(o, "type", json_string("section"));
	json_object_set_new(o, "fields", fields);
	json_array_append_new(blocks, o);
	gw_str_clear(&s);
	gw_str_printf(&s, "*%s*\n%s", f[NFACTS - 1].label,
	              f[NFACTS - 1].value ? f[NFACTS - 1].value : "");
	o = json_object();
	json_object_set_new(o, "type", json_string("section"));
	json_object_set_new(o, "text", text_object("mrkdwn", s.ptr ? s.ptr : ""));
	json_array_append_new(blocks, o);
	if (e->error) {
		gw_str_clear(&s);
		gw_str_puts(&s, "*Error*\n```");
		put_error(&s, e);
		gw_str_puts(&s, "```");
		o = json_object();
		json_object_set_new(o, "type", json_string("section"));
		json_object_set_new(o, "text", text_object("mrkdwn", s.ptr ? s.ptr : ""));
		json_array_append_new(blocks, o);
	}
	json_object_set_new(root, "blocks", blocks);
	text = gw_str_failed(&s) ? NULL : json_dumps(root, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(root);
	gw_str_dispose(&s);
	facts_dispose(f);
	return text;
}

/* A plain text mail, headers included, lines ended with CRLF. */
static char *mail_body(const notifier *n, const target *to, const gw_event *e,
                       const gw_event_context *c)
{
	gw_str s = GW_STR_INIT, t = GW_STR_INIT;
	fact f[NFACTS];
	char date[64];
	time_t now = time(NULL);
	struct tm tm;
	const char *p;
	int i;

	facts(f, n, e, c);
	title(&t, n, e, c);
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S +0000", &tm);
	gw_str_printf(&s, "From: godwit <%s>\r\nTo: <%s>\r\nSubject: %s\r\nDate: %s\r\n",
	              n->smtp_from, to->url, t.ptr ? t.ptr : "", date);
	gw_str_puts(&s, "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n");
	gw_str_printf(&s, "%s\r\n\r\n", t.ptr ? t.ptr : "");
	for (i = 0; i < NFACTS; i++) {
		gw_str_printf(&s, "%s:", f[i].label);
		/* The list of migrations, one per line, indented. */
		for (p = f[i].value ? f[i].value : ""; *p;) {
			size_t len = strcspn(p, "\n");

			gw_str_puts(&s, i == NFACTS - 1 ? "\r\n  " : " ");
			gw_str_put(&s, p, len);
			p += len + (p[len] == '\n');
		}
		gw_str_puts(&s, "\r\n");
	}
	if (e->error) {
		gw_str_puts(&s, "Error: ");
		put_error(&s, e);
		gw_str_puts(&s, "\r\n");
	}
	facts_dispose(f);
	gw_str_dispose(&t);
	return gw_str_failed(&s) ? (gw_str_dispose(&s), NULL) : gw_str_detach(&s);
}

/* ---- sending ----------------------------------------------------------------- */

typedef struct reader {
	const char *p;
	size_t left;
} reader;

static size_t read_mail(char *buf, size_t size, size_t nitems, void *arg)
{
	reader *r = arg;
	size_t n = size * nitems < r->left ? size * nitems : r->left;

	memcpy(buf, r->p, n);
	r->p += n;
	r->left -= n;
	return n;
}

static size_t ignore_reply(char *buf, size_t size, size_t nitems, void *arg)
{
	(void)buf;
	(void)arg;
	return size * nitems;
}

/* One attempt; 0 when delivered, else why in *why. */
static int attempt(const notifier *n, const job *j, gw_str *why)
{
	CURL *curl = gw_curl.curl_easy_init();
	struct curl_slist *headers = NULL, *rcpt = NULL;
	reader r = {j->body, strlen(j->body)};
	long status = 0;
	CURLcode rc;

	if (!curl)
		return gw_str_sets(why, "libcurl could not start"), -1;
	gw_curl.curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	gw_curl.curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, n->timeout_ms);
	gw_curl.curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, n->timeout_ms);
	if (n->ca_file)
		gw_curl.curl_easy_setopt(curl, CURLOPT_CAINFO, n->ca_file);
	if (j->to->kind == TO_MAIL) {
		rcpt = gw_curl.curl_slist_append(NULL, j->to->url);
		gw_curl.curl_easy_setopt(curl, CURLOPT_URL, n->smtp_url);
		gw_curl.curl_easy_setopt(curl, CURLOPT_MAIL_FROM, n->smtp_from);
		gw_curl.curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
		gw_curl.curl_easy_setopt(curl, CURLOPT_READFUNCTION, read_mail);
		gw_curl.curl_easy_setopt(curl, CURLOPT_READDATA, &r);
		gw_curl.curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
		gw_curl.curl_easy_setopt(curl, CURLOPT_USE_SSL, n->smtp_tls);
	} else {
		headers = gw_curl.curl_slist_append(NULL, "Content-Type: application/json");
		gw_curl.curl_easy_setopt(curl, CURLOPT_URL, j->to->url);
		gw_curl.curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
		gw_curl.curl_easy_setopt(curl, CURLOPT_POSTFIELDS, j->body);
		gw_curl.curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)r.left);
		gw_curl.curl_easy_setopt(curl, CURLOPT_USERAGENT, "godwit/" GODWIT_VERSION);
		gw_curl.curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, ignore_reply);
	}
	rc = gw_curl.curl_easy_perform(curl);
	if (rc == CURLE_OK && j->to->kind != TO_MAIL) {
		gw_curl.curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		if (status < 200 || status > 299)
			gw_str_printf(why, "HTTP %ld", status);
	} else if (rc != CURLE_OK) {
		gw_str_sets(why, gw_curl.curl_easy_strerror(rc));
	}
	gw_curl.curl_slist_free_all(headers);
	gw_curl.curl_slist_free_all(rcpt);
	gw_curl.curl_easy_cleanup(curl);
	return rc == CURLE_OK && (j->to->kind == TO_MAIL || (status >= 200 && status <= 299)) ? 0
	                                                                                      : -1;
}

static void deliver(notifier *n, const job *j)
{
	gw_str why = GW_STR_INIT, warning = GW_STR_INIT;
	char *text;
	int i;

	for (i = 0; i < ATTEMPTS; i++) {
		gw_str_clear(&why);
		if (attempt(n, j, &why) == 0) {
			gw_str_dispose(&why);
			return;
		}
		/* Fixed pauses: the jittered backoff's seed belongs to the
		 * runner's thread. */
		if (i + 1 < ATTEMPTS)
			gw_sleep_ms(500L << i);
	}
	gw_str_printf(&warning, "could not notify %s: %s (%d attempts)", j->to->shown,
	              why.ptr ? why.ptr : "failed", ATTEMPTS);
	gw_str_dispose(&why);
	text = gw_str_detach(&warning);
	pthread_mutex_lock(&n->mutex);
	if (text && gw_vec_push(&n->warnings, text) < 0)
		free(text);
	pthread_mutex_unlock(&n->mutex);
}

static void *worker(void *arg)
{
	notifier *n = arg;

	pthread_mutex_lock(&n->mutex);
	for (;;) {
		job *j;

		while (!n->head && !n->stop)
			pthread_cond_wait(&n->cond, &n->mutex);
		if (!n->head)
			break;
		j = n->head;
		n->head = j->next;
		if (!n->head)
			n->tail = NULL;
		n->busy = 1;
		pthread_mutex_unlock(&n->mutex);
		deliver(n, j);
		free(j->body);
		free(j);
		pthread_mutex_lock(&n->mutex);
		n->busy = 0;
		pthread_cond_broadcast(&n->cond);
	}
	pthread_mutex_unlock(&n->mutex);
	return NULL;
}

static void enqueue(notifier *n, const target *to, char *body)
{
	job *j = body ? calloc(1, sizeof(*j)) : NULL;

	if (!j) {
		free(body);
		return;
	}
	j->to = to;
	j->body = body;
	pthread_mutex_lock(&n->mutex);
	if (n->tail)
		n->tail->next = j;
	else
		n->head = j;
	n->tail = j;
	pthread_cond_broadcast(&n->cond);
	pthread_mutex_unlock(&n->mutex);
}

/* Waits for the queue to empty, then tells the caller, on its thread,
 * what could not be sent. */
static void settle(notifier *n, gw_project *p)
{
	size_t i;

	if (!n->started)
		return;
	pthread_mutex_lock(&n->mutex);
	while (n->head || n->busy)
		pthread_cond_wait(&n->cond, &n->mutex);
	pthread_mutex_unlock(&n->mutex);
	for (i = 0; i < n->warnings.len; i++)
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1, "%s",
		          (const char *)n->warnings.items[i]);
	gw_vec_dispose(&n->warnings, free);
}

static void send_all(notifier *n, const gw_event *e, const gw_event_context *c, const char *json)
{
	size_t i;

	for (i = 0; i < n->ntargets; i++) {
		const target *t = &n->targets[i];

		/* Without smtp_url, notify_open said no mail is sent. */
		if (t->kind == TO_MAIL && !n->smtp_url)
			continue;
		if (t->kind == TO_SLACK)
			enqueue(n, t, slack_body(n, e, c));
		else if (t->kind == TO_MAIL)
			enqueue(n, t, mail_body(n, t, e, c));
		else
			enqueue(n, t, gw_strdup(json));
	}
}

/* An event for the programs only: the JSON receivers. */
static void send_json(notifier *n, const char *json)
{
	size_t i;

	for (i = 0; i < n->ntargets; i++)
		if (n->targets[i].kind == TO_JSON)
			enqueue(n, &n->targets[i], gw_strdup(json));
}

/* How an smtp:// URL asks for TLS: STARTTLS when the server offers it,
 * and required when the URL holds a password (masking changes it then),
 * which AUTH would otherwise send in clear. smtps:// is TLS throughout. */
static long smtp_tls(const char *url)
{
	gw_str masked = GW_STR_INIT;
	long level = CURLUSESSL_TRY;

	if (gw_url_mask(&masked, url) < 0 || !masked.ptr || strcmp(masked.ptr, url))
		level = CURLUSESSL_ALL;
	gw_str_dispose(&masked);
	return level;
}

/* ---- the sink ------------------------------------------------------------------ */

static int notify_open(void **state, gw_project *p)
{
	notifier *n;
	gw_ctx *quiet = NULL;
	char host[256];
	size_t i;

	if (!p->opts.notify || !*p->opts.notify)
		return 0;
	if (!(n = calloc(1, sizeof(*n))))
		return 0;
	pthread_mutex_init(&n->mutex, NULL);
	pthread_cond_init(&n->cond, NULL);
	*state = n;
	if (each_item(p->opts.notify, add_target, n) < 0 ||
	    each_item(p->opts.notify_on ? p->opts.notify_on : "failure", add_when, &n->on) < 0)
		n->on = ON_FAILURE;
	n->timeout_ms = p->opts.notify_timeout > 0 ? p->opts.notify_timeout : 5000;
	n->smtp_url = gw_strdup(p->opts.smtp_url);
	n->smtp_tls = n->smtp_url ? smtp_tls(n->smtp_url) : CURLUSESSL_TRY;
	if (p->opts.notify_ca)
		n->ca_file = gw_strdup(p->opts.notify_ca);
	if (p->opts.smtp_from)
		n->smtp_from = gw_strdup(p->opts.smtp_from);
	else if (gethostname(host, sizeof(host) - 1) == 0) {
		gw_str from = GW_STR_INIT;

		host[sizeof(host) - 1] = '\0';
		gw_str_printf(&from, "godwit@%s", host);
		n->smtp_from = gw_str_detach(&from);
	}
	for (i = 0; i < n->ntargets; i++)
		if (n->targets[i].kind == TO_MAIL && !n->smtp_url)
			gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
			          "notify names %s but smtp_url is not set: no mail is sent",
			          n->targets[i].shown);
	/* libcurl is loaded here, on the caller's thread, before the
	 * sending thread starts (its global init is not thread-safe). */
	if (gw_ctx_new(&quiet) == 0 && gw_curl_load(quiet) < 0)
		gw_notify(p->ctx, GW_NOTICE_WARNING, NULL, NULL, NULL, -1,
		          "notifications are off: %s", gw_ctx_error(quiet)->message);
	else if (quiet)
		n->usable = 1;
	gw_ctx_free(quiet);
	if (n->usable && pthread_create(&n->thread, NULL, worker, n) == 0)
		n->started = 1;
	return 1;
}

static const char *done_word(const char *action)
{
	static const struct {
		const char *action, *word;
	} words[] = {{"apply", "applied"},      {"revert", "reverted"}, {"fail", "failed"},
	             {"cancel", "cancelled"},   {"repair", "repaired"}, {"resolve", "resolved"},
	             {"baseline", "baselined"}, {"adopt", "adopted"},   {"seed", "seeded"}};
	size_t i;

	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
		if (!strcmp(action, words[i].action))
			return words[i].word;
	return NULL;
}

static int notify_event(void *state, gw_project *p, const gw_event *e, const gw_event_context *c,
                        const char *json)
{
	notifier *n = state;
	const char *word;
	int failed;

	if (!n->started)
		return 0;
	if (!strcmp(e->action, "start")) {
		gw_str_clear(&n->done);
		gw_str_clear(&n->failed);
		n->ndone = 0;
		if (n->on & ON_START)
			send_all(n, e, c, json);
		return 0;
	}
	if (!strcmp(e->action, "fail")) {
		gw_str_clear(&n->failed);
		gw_str_printf(&n->failed, "%s %s", e->version ? e->version : "",
		              e->name ? e->name : "");
		if (n->on & ON_FAILURE)
			send_json(n, json);
	}
	if (strcmp(e->action, "end")) {
		/* A retried migration is told once, by how it ended. */
		if ((word = done_word(e->action)) && ++n->ndone <= MAX_LISTED)
			gw_str_printf(&n->done, "%s %s %s\n", e->version ? e->version : "",
			              e->name ? e->name : "", word);
		return 0;
	}
	failed = c->exit_code != 0;
	if (n->on & (failed ? ON_FAILURE : ON_SUCCESS))
		send_all(n, e, c, json);
	settle(n, p);
	return 0;
}

static void notify_close(void *state)
{
	notifier *n = state;
	size_t i;

	if (n->started) {
		pthread_mutex_lock(&n->mutex);
		n->stop = 1;
		pthread_cond_broadcast(&n->cond);
		pthread_mutex_unlock(&n->mutex);
		pthread_join(n->thread, NULL);
	}
	pthread_mutex_destroy(&n->mutex);
	pthread_cond_destroy(&n->cond);
	for (i = 0; i < n->ntargets; i++) {
		free(n->targets[i].url);
		free(n->targets[i].shown);
	}
	free(n->targets);
	free(n->smtp_url);
	free(n->smtp_from);
	free(n->ca_file);
	gw_str_dispose(&n->done);
	gw_str_dispose(&n->failed);
	gw_vec_dispose(&n->warnings, free);
	free(n);
}

const gw_event_sink gw_notify_sink = {notify_open, notify_event, notify_close, NULL};
