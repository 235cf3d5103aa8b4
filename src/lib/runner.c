/*
 * runner.c: applying and reverting one migration (the runner stage).
 *
 * A transactional migration goes to the driver as one batch: its
 * statements, then its finished history row and apply event in one
 * statement (under PostgreSQL's advisory lock), or, without a session
 * lock, the row first (a guard against a concurrent runner), the
 * statements, and the row's update with the event. The driver runs the
 * batch in one transaction and, where it can, one round trip. A no-transaction migration is
 * recorded dirty first, runs statement by statement with its progress counted, and is marked
 * applied at the end, so a crash leaves a visible, resumable record.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../util/backoff.h"
#include "../util/error.h"
#include "../util/text.h"

#define SQLSTATE_UNIQUE_VIOLATION "23505"

static long long clock_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Points the error on ctx at a byte offset of the section being run. */
static void locate(gw_project *p, const gw_prepared *pm, size_t at)
{
	int line, column;

	gw_text_position(pm->text.file_text.ptr, pm->text.file_text.size, pm->text.offset + at,
	                 &line, &column);
	gw_error_set_location(p->ctx, pm->path.ptr, line, column);
}

static const char *section(const gw_prepared *pm)
{
	return pm->text.file_text.ptr + pm->text.offset;
}

/* What the driver gets for statement i: its text with the placeholders
 * replaced, or as written. */
static const char *stmt_sql(const gw_prepared *pm, size_t i, size_t *len)
{
	const gw_sql_stmt *s = &pm->stmts.items[i];

	if (pm->sub && pm->sub[i]) {
		*len = strlen(pm->sub[i]);
		return pm->sub[i];
	}
	*len = s->len;
	return section(pm) + s->offset;
}

static const char *verify_sql(const gw_prepared *pm, size_t i, size_t *len)
{
	const gw_sql_stmt *s = &pm->verify_stmts.items[i];

	if (pm->verify_sub && pm->verify_sub[i]) {
		*len = strlen(pm->verify_sub[i]);
		return pm->verify_sub[i];
	}
	*len = s->len;
	return pm->verify.file_text.ptr + pm->verify.offset + s->offset;
}

/* The placeholders of each statement of list (in text at offset off of
 * the file) replaced, into *out; NULL when no statement holds one. */
static int substitute(char ***out, gw_project *p, const gw_sql_list *list,
                      const gw_source_text *text, const char *path)
{
	char **sub = NULL, *one;
	size_t i;
	int error = 0, any = 0;

	*out = NULL;
	if (gw_placeholders__mode(p) == GW_PLACEHOLDERS_OFF || !list->count)
		return 0;
	if (!(sub = calloc(list->count, sizeof(*sub))))
		return gw_error_oom(p->ctx);
	for (i = 0; i < list->count && error == 0; i++) {
		const gw_sql_stmt *s = &list->items[i];

		error = gw_placeholders__substitute(
		        &one, p, text->file_text.ptr + text->offset + s->offset, s->len,
		        text->file_text.ptr, text->file_text.size, text->offset + s->offset, path);
		sub[i] = one;
		any |= one != NULL;
	}
	if (error == 0 && any) {
		*out = sub;
		return 0;
	}
	for (i = 0; i < list->count; i++)
		free(sub[i]);
	free(sub);
	return error;
}

static void free_sub(char **sub, size_t n)
{
	size_t i;

	for (i = 0; sub && i < n; i++)
		free(sub[i]);
	free(sub);
}

static int line_of(const gw_prepared *pm, const gw_sql_stmt *s)
{
	int line, column;

	gw_text_position(pm->text.file_text.ptr, pm->text.file_text.size,
	                 pm->text.offset + s->offset, &line, &column);
	return line;
}

/* ---- what the caller hears while a migration runs ---------------------------- */

/* Which statement of the file a notice of the server belongs to: the
 * driver gives the index in what it was sent; statement = index + shift. */
typedef struct notice_map {
	gw_project *p;
	const gw_migration *m;
	const gw_prepared *pm;
	long shift;
} notice_map;

static void on_server_notice(void *payload, size_t index, const char *text)
{
	const notice_map *nm = payload;
	long at = (long)index + nm->shift;
	int line = 0;

	if (index < (size_t)-1 && at >= 0 && (size_t)at < nm->pm->stmts.count)
		line = line_of(nm->pm, &nm->pm->stmts.items[at]);
	gw_notify_at(nm->p->ctx, GW_NOTICE_SERVER, nm->m->version, nm->m->name, nm->pm->path.ptr,
	             -1, line, "%s", text);
}

/* Notices the server sends while the migration's statements run are
 * given the file and line of their statement; first is the index, in
 * what the driver is sent, of the statement `from` of the file. */
static void hear_notices(notice_map *nm, gw_project *p, const gw_migration *m,
                         const gw_prepared *pm, size_t first, size_t from)
{
	nm->p = p;
	nm->m = m;
	nm->pm = pm;
	nm->shift = (long)from - (long)first;
	p->conn->on_notice = on_server_notice;
	p->conn->notice_payload = nm;
}

static void stop_hearing(gw_project *p)
{
	if (p->conn) {
		p->conn->on_notice = NULL;
		p->conn->notice_payload = NULL;
	}
}

static int refuse_transaction_control(gw_project *p, const gw_prepared *pm, const gw_sql_stmt *s)
{
	char kw[32];
	int error;

	error = gw_error_set(p->ctx, GW_ESOURCE,
	                     "%s inside a migration that godwit runs in a transaction",
	                     gw_sql_stmt_keyword(section(pm) + s->offset, s->len, kw, sizeof(kw)));
	locate(p, pm, s->offset);
	gw_error_set_hint(p->ctx,
	                  "remove the BEGIN/COMMIT (godwit wraps each migration in one), or add "
	                  "'-- godwit:no-transaction' at the top to run it without one");
	return error;
}

/* The rows of COPY FROM STDIN follow the statement in a psql script; a
 * migration sent to the server has no way to carry them. */
static int refuse_copy_stdin(gw_project *p, const gw_prepared *pm, const gw_sql_stmt *s)
{
	int error =
	        gw_error_set(p->ctx, GW_ESOURCE,
	                     "COPY ... FROM STDIN cannot run in a migration: there is no client "
	                     "to send its rows");
	locate(p, pm, s->offset);
	gw_error_set_hint(p->ctx, "insert the rows with INSERT ... VALUES, or COPY FROM a file "
	                          "on the server");
	return error;
}

/* Statements that cannot run in a transaction block make the whole
 * migration run without one, statement by statement: those the SQL's
 * dialect refuses there (GW_STMT_NO_TX), and those the engine must run
 * alone (a schema change where DDL is not transactional, a Citus
 * function that refuses a transaction block). */
static int check_modes(gw_project *p, gw_prepared *pm, const char *version)
{
	size_t i;
	char kw[64];
	const char *why;
	int error;

	for (i = 0; pm->transactional && i < pm->stmts.count; i++) {
		const gw_sql_stmt *s = &pm->stmts.items[i];
		int line, column;

		if (s->kind == GW_STMT_NO_TX) {
			why = gw_sql_stmt_keyword(section(pm) + s->offset, s->len, kw, sizeof(kw));
		} else {
			size_t len;
			const char *sql = stmt_sql(pm, i, &len);

			if ((error = gw_engine_needs_alone(&why, p->engine, sql, len, kw,
			                                   sizeof(kw), p->ctx)) < 0)
				return error;
			if (!why)
				continue;
		}
		gw_text_position(pm->text.file_text.ptr, pm->text.file_text.size,
		                 pm->text.offset + s->offset, &line, &column);
		if (s->kind == GW_STMT_NO_TX)
			gw_notify(p->ctx, GW_NOTICE_INFO, version, NULL, pm->path.ptr, -1,
			          "%s:%d: %s cannot run inside a transaction; running this "
			          "migration without one, statement by statement",
			          pm->path.ptr, line, why);
		else
			gw_notify(p->ctx, GW_NOTICE_INFO, version, NULL, pm->path.ptr, -1,
			          "%s:%d: %s does not run in a transaction with other statements "
			          "on %s; running this migration statement by statement",
			          pm->path.ptr, line, why, p->engine->name);
		pm->transactional = 0;
	}
	return 0;
}

/* The verify SQL has a file of its own in sqitch's layout (verify/). */
static void locate_verify(gw_project *p, const gw_prepared *pm, size_t at)
{
	gw_str path = GW_STR_INIT;
	int line, column;

	gw_text_position(pm->verify.file_text.ptr, pm->verify.file_text.size,
	                 pm->verify.offset + at, &line, &column);
	if (gw_project__path(&path, p, pm->verify.file) == 0)
		gw_error_set_location(p->ctx, path.ptr, line, column);
	gw_str_dispose(&path);
}

/* The verify runs inside the migration's transaction: its own BEGIN,
 * COMMIT or ROLLBACK would end that transaction, and the history would
 * then record as applied a change that was rolled back. */
static int refuse_verify_transaction_control(gw_project *p, const gw_prepared *pm,
                                             const gw_sql_stmt *s)
{
	char kw[32];
	int error;

	error = gw_error_set(
	        p->ctx, GW_ESOURCE,
	        "%s in the verify of a migration that godwit runs in a transaction",
	        gw_sql_stmt_keyword(pm->verify.file_text.ptr + pm->verify.offset + s->offset,
	                            s->len, kw, sizeof(kw)));
	locate_verify(p, pm, s->offset);
	gw_error_set_hint(p->ctx,
	                  "remove it: the verify runs in the migration's transaction, which "
	                  "is rolled back when the verify fails");
	return error;
}

static int prepare_verify(gw_prepared *pm, gw_project *p, const gw_source *src,
                          const gw_migration *m)
{
	size_t bad = 0, i;
	char *seen;
	int error;

	if ((error = gw_source_read_verify(&pm->verify, src, m, p->ctx)) < 0)
		return error;
	if (!(seen = gw_strndup(pm->verify.file_text.ptr + pm->verify.offset, pm->verify.len)))
		return gw_error_oom(p->ctx);
	gw_placeholders__normalize(p, seen, pm->verify.len);
	error = gw_sql_split(&pm->verify_stmts, p->driver->dialect, seen, pm->verify.len, &bad,
	                     p->ctx);
	free(seen);
	if (error == GW_ESYNTAX)
		locate_verify(p, pm, bad);
	for (i = 0; error == 0 && pm->transactional && i < pm->verify_stmts.count; i++)
		if (pm->verify_stmts.items[i].kind == GW_STMT_TRANSACTION)
			error = refuse_verify_transaction_control(p, pm,
			                                          &pm->verify_stmts.items[i]);
	if (error == 0) {
		gw_str path = GW_STR_INIT;

		if (gw_project__path(&path, p, pm->verify.file) < 0)
			error = gw_error_oom(p->ctx);
		else
			error = substitute(&pm->verify_sub, p, &pm->verify_stmts, &pm->verify,
			                   path.ptr);
		gw_str_dispose(&path);
	}
	return error;
}

int gw_prepare(gw_prepared *pm, gw_project *p, const gw_migration *m, gw_direction dir)
{
	char *seen;
	gw_source *src;
	size_t bad = 0, i;
	int error;

	if ((error = gw_project__source(&src, p)) < 0)
		return error;
	error = dir == GW_UP ? gw_source_read_up(&pm->text, src, m, p->ctx)
	                     : gw_source_read_down(&pm->text, src, m, p->ctx);
	if (error < 0)
		return error;
	if (gw_project__path(&pm->path, p, pm->text.file) < 0)
		return gw_error_oom(p->ctx);
	pm->transactional = !(dir == GW_UP ? m->no_transaction : m->down_no_transaction);
	/* Split as the parser can read it: a placeholder where a name goes
	 * would not parse; every offset stays that of the text as written. */
	if (!(seen = gw_strndup(section(pm), pm->text.len)))
		return gw_error_oom(p->ctx);
	gw_placeholders__normalize(p, seen, pm->text.len);
	error = gw_sql_split(&pm->stmts, p->driver->dialect, seen, pm->text.len, &bad, p->ctx);
	free(seen);
	if (error < 0) {
		if (error == GW_ESYNTAX)
			locate(p, pm, bad);
		return error;
	}
	for (i = 0; i < pm->stmts.count; i++) {
		const gw_sql_stmt *s = &pm->stmts.items[i];

		if (pm->transactional && s->kind == GW_STMT_TRANSACTION)
			return refuse_transaction_control(p, pm, s);
		if (s->kind == GW_STMT_COPY_STDIN)
			return refuse_copy_stdin(p, pm, s);
	}
	/* After the placeholders: the engine reads the SQL that will run. */
	if ((error = substitute(&pm->sub, p, &pm->stmts, &pm->text, pm->path.ptr)) < 0 ||
	    (error = check_modes(p, pm, m->version)) < 0)
		return error;
	if (dir == GW_UP && m->has_verify)
		return prepare_verify(pm, p, src, m);
	return 0;
}

void gw_prepared_dispose(gw_prepared *pm)
{
	free_sub(pm->sub, pm->stmts.count);
	free_sub(pm->verify_sub, pm->verify_stmts.count);
	pm->sub = pm->verify_sub = NULL;
	gw_source_text_dispose(&pm->text);
	gw_sql_list_dispose(&pm->stmts);
	gw_source_text_dispose(&pm->verify);
	gw_sql_list_dispose(&pm->verify_stmts);
	gw_str_dispose(&pm->path);
}

static int add_body(gw_batch *b, const gw_prepared *pm, size_t from)
{
	size_t i;

	const char *sql;
	size_t len;

	for (i = from; i < pm->stmts.count; i++) {
		sql = stmt_sql(pm, i, &len);
		if (gw_batch_add(b, sql, len, NULL, 0) < 0)
			return -1;
	}
	return 0;
}

/* Each statement from `from` on (all of them when each is 0, else that
 * one only), as a GW_NOTICE_STATEMENT before it is sent: for a log of
 * the run and for --verbose. */
static void say_statements(gw_project *p, const gw_migration *m, const gw_prepared *pm, size_t from,
                           int each)
{
	size_t i;

	for (i = from; i < pm->stmts.count && (!each || i == from); i++) {
		const gw_sql_stmt *s = &pm->stmts.items[i];

		gw_notify_at(p->ctx, GW_NOTICE_STATEMENT, m->version, m->name, pm->path.ptr,
		             (long long)(i + 1), line_of(pm, s), "%.*s", (int)s->len,
		             section(pm) + s->offset);
	}
}

static int add_verify(gw_batch *b, const gw_prepared *pm)
{
	const char *sql;
	size_t i, len;

	for (i = 0; i < pm->verify_stmts.count; i++) {
		sql = verify_sql(pm, i, &len);
		if (gw_batch_add(b, sql, len, NULL, 0) < 0)
			return -1;
	}
	return 0;
}

/* A failed verify statement: point at it and say the migration's own SQL
 * ran but did not pass its check. Returns 1 when the failure was one. */
static int locate_verify_failure(gw_project *p, const gw_prepared *pm, size_t index, int position,
                                 size_t first_verify)
{
	const gw_sql_stmt *s;
	size_t at;

	if (index < first_verify || index >= first_verify + pm->verify_stmts.count)
		return 0;
	s = &pm->verify_stmts.items[index - first_verify];
	at = s->offset;
	if (position > 0)
		at += gw_text_char_to_byte(pm->verify.file_text.ptr + pm->verify.offset + s->offset,
		                           s->len, position);
	locate_verify(p, pm, at);
	gw_error_prefix(p->ctx, "verify failed: ");
	return 1;
}

/* Maps a failure inside the batch back to the statement of the file. */
static void locate_failure(gw_project *p, const gw_prepared *pm, const gw_exec_failure *f,
                           size_t first_body)
{
	const gw_sql_stmt *s;
	size_t at;

	if (f->index < first_body || f->index >= first_body + pm->stmts.count)
		return;
	s = &pm->stmts.items[f->index - first_body];
	at = s->offset;
	if (f->position > 0)
		at += gw_text_char_to_byte(section(pm) + s->offset, s->len, f->position);
	locate(p, pm, at);
}

#define SQLSTATE_QUERY_CANCELED "57014"

/* What a failure did to the session. */
typedef enum {
	SESSION_OK,   /* the connection is fine: the error is the statement's */
	SESSION_GONE, /* the connection was lost and no new one could be made */
	SESSION_BACK, /* the connection was lost; a new session is open */
} session_outcome;

/* After a lost connection, the failure can only be recorded, and whether
 * the work in flight committed only be learnt, on a new session: opens
 * one (with the connect retries) and reads version's history row into
 * *state ("applied", "dirty", or NULL when it has none). */
static session_outcome reconnect_if_lost(gw_project *p, const char *version, char **state)
{
	const gw_error *e = gw_ctx_error(p->ctx);

	gw_ctx *scratch = NULL;
	session_outcome outcome = SESSION_BACK;

	*state = NULL;
	if (!e || e->code != GW_ECONNECT)
		return SESSION_OK;
	if (gw_project__reconnect(p) < 0)
		return SESSION_GONE;
	/* The look-up's own errors must not add to the run's error. */
	if (gw_ctx_new(&scratch) < 0)
		return SESSION_GONE;
	p->conn->ctx = scratch;
	/* The history tables were made before the first migration ran. */
	if (gw_hist_row_state(p, version, state) < 0)
		outcome = SESSION_GONE;
	p->conn->ctx = p->ctx;
	gw_ctx_free(scratch);
	return outcome;
}

/* Whether the failure is the statement that gw_project_cancel stopped. */
static int was_cancelled(gw_project *p)
{
	const gw_error *e = gw_ctx_error(p->ctx);

	return p->cancelled && e && !strcmp(e->sqlstate, SQLSTATE_QUERY_CANCELED);
}

/* A failed transactional migration (or down): the transaction is rolled
 * back unless the connection broke during COMMIT, which only the history
 * can tell. Sets the error's hint and records the event. */
static int report_transactional(gw_project *p, const gw_migration *m, const gw_prepared *pm, int up,
                                int error)
{
	const char *verb = up ? "applied" : "reverted";
	char *state = NULL;
	int committed;

	if (was_cancelled(p)) {
		error = gw_project__cancel_error(
		        p, "%s %s was cancelled and rolled back; %s", m->version, m->name,
		        up ? "nothing of it was applied" : "it is still applied");
		gw_error_set_location(p->ctx, pm->path.ptr, 0, 0);
		gw_error_set_hint(p->ctx, "run godwit %s again to %s it", up ? "up" : "down",
		                  up ? "apply" : "revert");
		gw_hist_record_failure(p, m->version, m->name, "cancel");
		return error;
	}
	if (!gw_ctx_error(p->ctx)->file[0])
		gw_error_set_location(p->ctx, pm->path.ptr, 0, 0);
	switch (reconnect_if_lost(p, m->version, &state)) {
	case SESSION_OK:
		if (up)
			gw_error_set_hint_code_after(p->ctx, GW_HINT_FIX_APPLY_AGAIN, NULL, NULL,
			                             "the migration was rolled back and nothing of "
			                             "it was applied; ");
		else
			gw_error_set_hint(p->ctx, "the down was rolled back; %s is still applied",
			                  m->version);
		break;
	case SESSION_GONE:
		gw_error_set_hint_code(p->ctx, GW_HINT_SESSION_GONE, m->version,
		                       up ? "being applied" : "being reverted");
		break;
	case SESSION_BACK:
		if (up && state && strcmp(state, "applied")) {
			/* Only a no-transaction migration's first row is dirty. */
			gw_error_set_hint_code(p->ctx, GW_HINT_RESUME_FIRST, m->version, NULL);
			break;
		}
		committed = up ? state != NULL : state == NULL;
		/* A second down after one that committed would revert the
		 * migration before it. */
		/* A down that committed needs no action: no code, the text is
		 * all of the hint. */
		gw_error_set_hint_code_after(
		        p->ctx,
		        up          ? GW_HINT_UP_AGAIN
		        : committed ? GW_HINT_NONE
		                    : GW_HINT_DOWN_AGAIN,
		        NULL, NULL,
		        "the connection was lost while %s was %s; on a new session the history "
		        "shows %s %s: %s; %s",
		        m->version, up ? "being applied" : "being reverted",
		        committed ? "that it committed and is" : "that it was not", verb,
		        committed ? "its transaction finished before the connection broke"
		                  : "it was rolled back with the connection",
		        !up && committed ? "nothing of it is left to revert" : "");
		break;
	}
	gw_hist_record_failure(p, m->version, m->name, "fail");
	free(state);
	return error;
}

/* A failed statement-by-statement run (or its bookkeeping): statement
 * `at` (0-based) failed, or ran when `ran` is set and what failed was
 * recording it. The row is left dirty with the progress made, unless the
 * history, read again after a lost connection, shows it finished. */
static int report_each(gw_project *p, const gw_migration *m, const gw_prepared *pm, size_t at,
                       int ran, int resume_hint, int error)
{
	const char *message;
	char *state = NULL;
	size_t n = pm->stmts.count;

	if (was_cancelled(p)) {
		error = gw_project__cancel_error(
		        p,
		        "%s %s was cancelled at statement %zu of %zu; the ones "
		        "before it stay done and it is now dirty",
		        m->version, m->name, at + 1, n);
		gw_error_set_location(p->ctx, pm->path.ptr, 0, 0);
		gw_error_set_hint_code(p->ctx, resume_hint, m->version, NULL);
	} else {
		switch (reconnect_if_lost(p, m->version, &state)) {
		case SESSION_GONE:
			gw_error_set_hint_code_after(
			        p->ctx, resume_hint, m->version, NULL,
			        "the connection was lost at statement %zu of %zu of "
			        "%s, and godwit could not reconnect to record it; the "
			        "history shows it dirty at the last statement "
			        "recorded: once the server is back, check the "
			        "database, then ",
			        at + 1, n, m->version);
			free(state);
			return error;
		case SESSION_BACK:
			if (state && !strcmp(state, "applied")) {
				gw_error_set_hint_code_after(
				        p->ctx, GW_HINT_APPLY_REST, NULL, NULL,
				        "the connection was lost after %s was marked applied; on a "
				        "new session the history shows it applied; ",
				        m->version);
				gw_hist_record_failure(p, m->version, m->name, "fail");
				free(state);
				return error;
			}
			gw_error_set_hint_code_after(
			        p->ctx, resume_hint, m->version, NULL,
			        "the connection was lost at statement %zu of %zu, and "
			        "a new session recorded %s as dirty with the "
			        "statements before it done; check whether statement "
			        "%zu took effect, then ",
			        at + ran + 1 > n ? n : at + ran + 1, n, m->version,
			        at + ran + 1 > n ? n : at + ran + 1);
			break;
		case SESSION_OK:
			break;
		}
		gw_error_set_hint_code_after(
		        p->ctx, resume_hint, m->version, NULL,
		        "%s is now dirty: statement %zu of %zu %s and the ones "
		        "before it stay done; fix the cause, then ",
		        m->version, at + 1, n, ran ? "ran but could not be recorded" : "failed");
	}
	message = gw_ctx_error(p->ctx)->message;
	if (ran)
		gw_hist_set_progress(p, m->version, (int)at + 1);
	gw_hist_set_dirty(p, m->version, message);
	if (gw_ctx_error(p->ctx)->code == GW_ECANCELED)
		gw_hist_record_failure(p, m->version, m->name, "cancel");
	else
		gw_hist_record_failure(p, m->version, m->name, "fail");
	free(state);
	return error;
}

static int is_concurrent_apply(gw_project *p)
{
	const gw_error *e = gw_ctx_error(p->ctx);

	return e && !strcmp(e->sqlstate, SQLSTATE_UNIQUE_VIOLATION);
}

static int skip_concurrent(gw_project *p, const gw_migration *m, int *skipped)
{
	gw_ctx_clear_error(p->ctx);
	*skipped = 1;
	gw_notify(p->ctx, GW_NOTICE_SKIPPED, m->version, m->name, m->up_file, -1,
	          "applied by a concurrent runner");
	return 0;
}

/* A lock timeout or a deadlock (and on distributed engines a
 * serialization failure: the engine's retry_sqlstates) means the migration
 * gave way to live traffic, not that it is wrong: it is rolled back,
 * recorded as a retry, and tried again after a backoff. SQLite's busy
 * timeout has already waited as long as the runner would. */
static int should_retry(gw_project *p, const gw_migration *m, int attempt, int in_transaction)
{
	const gw_error *e = gw_ctx_error(p->ctx);
	long delay;

	if (!e || p->cancelled || attempt >= p->opts.retries ||
	    !gw_engine_retries(p->engine, e->sqlstate))
		return 0;
	delay = gw_backoff_ms(attempt, 200, 10000);
	/* A statement run outside a transaction is not rolled back: it was
	 * cancelled, and what it did before (the invalid index of a
	 * concurrent build) stays until the retry deals with it. */
	gw_notify(p->ctx, GW_NOTICE_WARNING, m->version, m->name, m->up_file, -1,
	          "%s %s: %s; %s, retrying in %ld ms (retry %d of %d)", m->version, m->name,
	          e->message,
	          in_transaction ? "rolled back"
	                         : "the statement was cancelled (it ran without a "
	                           "transaction, so nothing was rolled back)",
	          delay, attempt + 1, p->opts.retries);
	gw_hist_record_failure(p, m->version, m->name, "retry");
	gw_ctx_clear_error(p->ctx);
	gw_sleep_ms(delay);
	return 1;
}

/* The timeouts each migration runs with: SET LOCAL inside a batch's
 * transaction, a session SET for statement-by-statement runs. */
static int add_timeouts(gw_batch *b, gw_project *p, int local)
{
	const char *scope = local ? "LOCAL " : "";

	if (!p->engine->timeouts)
		return 0;
	if (p->opts.lock_timeout > 0 &&
	    gw_batch_addf(b, NULL, 0, "SET %slock_timeout = %d", scope, p->opts.lock_timeout) < 0)
		return -1;
	if (p->opts.statement_timeout > 0 &&
	    gw_batch_addf(b, NULL, 0, "SET %sstatement_timeout = %d", scope,
	                  p->opts.statement_timeout) < 0)
		return -1;
	return 0;
}

static int set_session_timeouts(gw_project *p)
{
	gw_batch b = GW_BATCH_INIT;
	size_t i;
	int error = 0;

	if (add_timeouts(&b, p, 0) < 0)
		error = gw_error_oom(p->ctx);
	for (i = 0; i < b.count && error == 0; i++)
		error = p->conn->driver->exec(p->conn, &b.stmts[i], NULL, NULL);
	gw_batch_dispose(&b);
	return error;
}

/* Whether a transactional migration's history row is written once, at
 * the end of its batch, with its event in the same statement. That needs
 * a runner lock held for the whole session (PostgreSQL's advisory lock):
 * no other runner can apply the migration meanwhile, and the row's unique
 * key still refuses a second one. Elsewhere (SQLite, which has no session
 * lock; a lease, which can lapse) the row goes first, as the guard that
 * turns a concurrent apply into a clean skip, and is updated at the end. */
static int row_once(const gw_project *p)
{
	return p->driver->dialect == GW_DIALECT_POSTGRES && p->locked && !p->lease;
}

static int up_transactional(gw_project *p, const gw_migration *m, const gw_prepared *pm,
                            int *skipped)
{
	gw_record rec = {m, NULL, NULL, "apply", "applied", 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	size_t guard, first_body, first_verify;
	int error, attempt = 0, once = row_once(p);

	rec.statements_total = rec.statements_done = (int)pm->stmts.count;
	if (add_timeouts(&b, p, 1) < 0 || (!once && gw_hist_add_row_insert(&b, p, &rec) < 0) ||
	    (guard = b.count - 1, first_body = b.count, 0) || add_body(&b, pm, 0) < 0 ||
	    (first_verify = b.count, 0) || add_verify(&b, pm) < 0 ||
	    (once ? gw_hist_add_row_applied(&b, p, &rec) : gw_hist_add_applied(&b, p, m)) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	/* The statement whose unique key stops a second apply: the row. */
	if (once)
		guard = b.count - 1;
	say_statements(p, m, pm, 0, 0);
	do {
		notice_map nm;

		hear_notices(&nm, p, m, pm, first_body, 0);
		error = p->conn->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
		stop_hearing(p);
		if (error < 0 && fail.index == guard && is_concurrent_apply(p)) {
			error = skip_concurrent(p, m, skipped);
			goto cleanup;
		}
		if (error < 0 &&
		    !locate_verify_failure(p, pm, fail.index, fail.position, first_verify))
			locate_failure(p, pm, &fail, first_body);
	} while (error < 0 && should_retry(p, m, attempt++, 1));
	if (error < 0)
		error = report_transactional(p, m, pm, 1, error);
cleanup:
	gw_batch_dispose(&b);
	return error;
}

static int start_no_transaction(gw_project *p, const gw_migration *m, const gw_prepared *pm,
                                int *skipped)
{
	gw_record rec = {m, NULL, NULL, "apply", "dirty", 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	int error;

	rec.statements_total = (int)pm->stmts.count;
	if (gw_hist_add_row_insert(&b, p, &rec) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	error = p->conn->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	if (error < 0 && fail.index == 0 && is_concurrent_apply(p))
		error = skip_concurrent(p, m, skipped);
	else if (error < 0)
		error = report_transactional(p, m, pm, 1, error);
cleanup:
	gw_batch_dispose(&b);
	return error;
}

static int finish(gw_project *p, const gw_migration *m, const char *action)
{
	gw_record rec = {m, NULL, NULL, action, NULL, 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	int error, ok;

	if (!strcmp(action, "apply"))
		ok = gw_hist_add_applied(&b, p, m) == 0;
	else
		ok = gw_hist_add_event(&b, p, &rec) == 0 &&
		     gw_hist_add_row_delete(&b, p, m->version) == 0 &&
		     gw_hist_add_event_done(&b, p) == 0;
	error = ok ? p->conn->driver->exec_tx(p->conn, b.stmts, b.count, &fail)
	           : gw_error_oom(p->ctx);
	gw_batch_dispose(&b);
	return error;
}

/* ---- concurrent index builds ----------------------------------------------- */

/* The INVALID indexes that a concurrent build statement is about: the one
 * CREATE INDEX CONCURRENTLY names (in its table's schema), the index of
 * REINDEX INDEX, every index of the table of REINDEX TABLE. */
static const char INVALID_INDEXES_SQL[] =
        "SELECT format('%I.%I', n.nspname, c.relname), (i.indrelid = r.oid)::int "
        "FROM (SELECT to_regclass(CASE WHEN $1::text IS NULL THEN quote_ident($2) "
        "ELSE quote_ident($1) || '.' || quote_ident($2) END) AS oid) r "
        "JOIN pg_class t ON t.oid = r.oid "
        "JOIN pg_index i ON NOT i.indisvalid "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "JOIN pg_namespace n ON n.oid = c.relnamespace "
        "WHERE CASE $4 WHEN 'create' THEN c.relnamespace = t.relnamespace AND c.relname = $3 "
        "WHEN 'index' THEN i.indexrelid = r.oid ELSE i.indrelid = r.oid END "
        "ORDER BY 1";

typedef struct invalid_indexes {
	gw_str names; /* "a.b, a.c" */
	gw_str ours;  /* CREATE: the named index when it is on the statement's table */
	size_t count;
} invalid_indexes;

static int invalid_row(void *payload, int ncols, const char *const *values)
{
	invalid_indexes *v = payload;

	if (ncols < 2 || !values[0])
		return 0;
	gw_str_puts(&v->names, v->count++ ? ", " : "");
	gw_str_puts(&v->names, values[0]);
	if (values[1] && !strcmp(values[1], "1"))
		gw_str_sets(&v->ours, values[0]);
	return 0;
}

static int find_invalid(invalid_indexes *out, gw_project *p, const gw_index_build *b)
{
	const char *params[4];
	int error;

	params[0] = b->schema;
	params[1] = b->kind == GW_INDEX_BUILD_REINDEX_INDEX ? b->index : b->table;
	params[2] = b->index ? b->index : "";
	params[3] = b->kind == GW_INDEX_BUILD_CREATE          ? "create"
	            : b->kind == GW_INDEX_BUILD_REINDEX_INDEX ? "index"
	                                                      : "table";
	error = gw_project__exec(p, INVALID_INDEXES_SQL, params, 4, invalid_row, out);
	if (error == 0 && (gw_str_failed(&out->names) || gw_str_failed(&out->ours)))
		error = gw_error_oom(p->ctx);
	return error;
}

static void invalid_dispose(invalid_indexes *v)
{
	gw_str_dispose(&v->names);
	gw_str_dispose(&v->ours);
}

/* A concurrent build that failed or was cancelled leaves its index behind,
 * INVALID: running the statement again would fail with "already exists",
 * or, with IF NOT EXISTS, keep the broken index. Before a retry or a resume
 * it is dropped, and only when it is INVALID and on the statement's table:
 * a valid index is never dropped. */
static int drop_failed_build(gw_project *p, const gw_migration *m, const gw_prepared *pm,
                             const gw_sql_stmt *s, const gw_index_build *b)
{
	invalid_indexes v = {GW_STR_INIT, GW_STR_INIT, 0};
	gw_str sql = GW_STR_INIT;
	int error;

	if (b->kind != GW_INDEX_BUILD_CREATE || (error = find_invalid(&v, p, b)) < 0 ||
	    !v.ours.size) {
		error = b->kind != GW_INDEX_BUILD_CREATE ? 0 : error;
		goto cleanup;
	}
	/* The name comes from the server's format('%I.%I'), quoted there. */
	if (gw_str_printf(&sql, "DROP INDEX CONCURRENTLY IF EXISTS %s", v.ours.ptr) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if ((error = gw_project__exec(p, sql.ptr, NULL, 0, NULL, NULL)) < 0) {
		gw_error_prefix(
		        p->ctx,
		        "cannot drop the INVALID index %s that a failed build left: ", v.ours.ptr);
		locate(p, pm, s->offset);
		goto cleanup;
	}
	gw_notify(p->ctx, GW_NOTICE_WARNING, m->version, m->name, m->up_file, -1,
	          "%s:%d: dropped the INVALID index %s that a failed build of this statement "
	          "left, to build it again",
	          pm->path.ptr, line_of(pm, s), v.ours.ptr);
cleanup:
	gw_str_dispose(&sql);
	invalid_dispose(&v);
	return error;
}

/* A concurrent build that "succeeded" can still leave an INVALID index:
 * CREATE INDEX CONCURRENTLY IF NOT EXISTS keeps the invalid index an
 * earlier failed build left, and REINDEX TABLE CONCURRENTLY skips invalid
 * indexes. Such an index is not used and, if unique, enforces nothing: the
 * statement failed. */
static int check_build(gw_project *p, const gw_prepared *pm, const gw_sql_stmt *s,
                       const gw_index_build *b, int up)
{
	invalid_indexes v = {GW_STR_INIT, GW_STR_INIT, 0};
	char kw[32];
	int error;

	if (b->kind == GW_INDEX_BUILD_NONE || (error = find_invalid(&v, p, b)) < 0 || !v.count) {
		error = b->kind == GW_INDEX_BUILD_NONE ? 0 : error;
		goto cleanup;
	}
	gw_sql_stmt_keyword(section(pm) + s->offset, s->len, kw, sizeof(kw));
	if (b->kind == GW_INDEX_BUILD_CREATE)
		error = gw_error_set(
		        p->ctx, GW_ESTATE,
		        "index %s is INVALID after %s CONCURRENTLY%s: an earlier build "
		        "of it failed and left it unusable%s",
		        v.names.ptr, kw, b->if_not_exists ? " IF NOT EXISTS" : "",
		        b->if_not_exists ? ", and IF NOT EXISTS kept it" : "");
	else
		error = gw_error_set(
		        p->ctx, GW_ESTATE,
		        "index%s %s %s INVALID after REINDEX CONCURRENTLY: %s not "
		        "rebuilt and %s not used",
		        v.count == 1 ? "" : "es", v.names.ptr, v.count == 1 ? "is" : "are",
		        v.count == 1 ? "it was" : "they were", v.count == 1 ? "is" : "are");
	locate(p, pm, s->offset);
	if (up && b->kind == GW_INDEX_BUILD_CREATE)
		gw_error_set_hint_code(p->ctx, GW_HINT_RESUME_INDEX, NULL, NULL);
	else
		gw_error_set_hint_code(p->ctx, GW_HINT_INDEX_SETTLE,
		                       v.count == 1 ? v.names.ptr : "...", NULL);
cleanup:
	invalid_dispose(&v);
	return error;
}

/* Runs statements one at a time, each in its own implicit transaction,
 * counting progress in the history row after each. resume is set when
 * statement `from` is one that failed or was interrupted before. */
static int run_each(gw_project *p, const gw_migration *m, const gw_prepared *pm, size_t from,
                    int resume, int up, int resume_hint)
{
	size_t i;
	int error = 0;

	for (i = from; i < pm->stmts.count; i++) {
		const gw_sql_stmt *s = &pm->stmts.items[i];
		gw_stmt stmt = {NULL, 0, NULL, 0};
		gw_index_build build = GW_INDEX_BUILD_INIT;
		int attempt = 0;

		stmt.sql = stmt_sql(pm, i, &stmt.len);
		/* A cancel that came between two statements found the server
		 * idle: stop here, as it would have stopped the statement. */
		if (p->cancelled) {
			error = gw_project__cancel_error(p,
			                                 "%s %s was cancelled before statement %zu "
			                                 "of %zu; the ones before it stay done and "
			                                 "it is now dirty",
			                                 m->version, m->name, i + 1,
			                                 pm->stmts.count);
			gw_error_set_location(p->ctx, pm->path.ptr, 0, 0);
			gw_error_set_hint_code(p->ctx, resume_hint, m->version, NULL);
			gw_hist_set_dirty(p, m->version, gw_ctx_error(p->ctx)->message);
			gw_hist_record_failure(p, m->version, m->name, "cancel");
			return error;
		}
		if (p->engine->index_builds && s->kind == GW_STMT_NO_TX &&
		    (error = gw_sql_index_build(&build, stmt.sql, stmt.len, p->ctx)) < 0)
			return error;
		say_statements(p, m, pm, i, 1);
		gw_progress__statement(p, i);
		do {
			notice_map nm;

			if (attempt > 0 || (resume && i == from))
				error = drop_failed_build(p, m, pm, s, &build);
			if (error < 0)
				continue; /* to should_retry */
			hear_notices(&nm, p, m, pm, 0, i);
			error = p->conn->driver->exec(p->conn, &stmt, NULL, NULL);
			stop_hearing(p);
			if (error < 0) {
				gw_exec_failure f = {i,
				                     p->conn->driver->last_error_position(p->conn)};

				locate_failure(p, pm, &f, 0);
			}
		} while (error < 0 && should_retry(p, m, attempt++, 0));
		if (error == 0)
			error = check_build(p, pm, s, &build, up);
		gw_index_build_dispose(&build);
		if (error < 0)
			return report_each(p, m, pm, i, 0, resume_hint, error);
		if ((error = gw_hist_set_progress(p, m->version, (int)i + 1)) < 0)
			return report_each(p, m, pm, i, 1, resume_hint, error);
		/* A schema change the engine finishes in the background is
		 * waited for before the next statement reads the schema. */
		if (p->engine->settle && gw_engine_is_ddl(stmt.sql, stmt.len) &&
		    (error = p->engine->settle(p, m)) < 0)
			return report_each(p, m, pm, i, 1, resume_hint, error);
	}
	return 0;
}

/* Without a transaction to roll back, a failed verify leaves the
 * migration dirty: its statements ran, and someone must look. */
static int verify_no_transaction(gw_project *p, const gw_migration *m, const gw_prepared *pm)
{
	gw_batch b = GW_BATCH_INIT;
	size_t i;
	int error = 0;

	if (add_verify(&b, pm) < 0)
		error = gw_error_oom(p->ctx);
	for (i = 0; i < b.count && error == 0; i++) {
		if ((error = p->conn->driver->exec(p->conn, &b.stmts[i], NULL, NULL)) < 0) {
			char *state = NULL;

			locate_verify_failure(p, pm, i,
			                      p->conn->driver->last_error_position(p->conn), 0);
			reconnect_if_lost(p, m->version, &state);
			free(state);
			gw_hist_set_dirty(p, m->version, gw_ctx_error(p->ctx)->message);
			gw_error_set_hint_code(p->ctx, GW_HINT_RESOLVE_VERIFY, m->version, NULL);
			gw_hist_record_failure(p, m->version, m->name, "fail");
		}
	}
	gw_batch_dispose(&b);
	return error;
}

/* Whether the migration may have released the runner's advisory lock: a
 * statement-by-statement run (DISCARD ALL runs only there), or a text that
 * names what releases it, here or in an earlier migration of the run.
 * Checked after it, not per statement. */
static int may_unlock(gw_project *p, const gw_prepared *pm, int resumed)
{
	return gw_project__lock_may_be_lost(p, pm->text.file_text.ptr + pm->text.offset,
	                                    pm->text.len) ||
	       !pm->transactional || resumed;
}

int gw_run_up(gw_project *p, const gw_migration *m, const size_t *resume_from, int *skipped)
{
	gw_prepared pm = GW_PREPARED_INIT;
	long long start = clock_ms();
	int error;

	*skipped = 0;
	if ((error = gw_prepare(&pm, p, m, GW_UP)) < 0)
		goto cleanup;
	gw_notify(p->ctx, GW_NOTICE_APPLYING, m->version, m->name, m->up_file, -1, "applying %s",
	          pm.path.ptr);
	gw_progress__begin(p, m, GW_UP, pm.path.ptr, pm.stmts.count,
	                   !pm.transactional || resume_from);
	if (pm.transactional && !resume_from) {
		error = up_transactional(p, m, &pm, skipped);
	} else {
		size_t from = resume_from ? *resume_from : 0;

		/* A resumed migration already has its dirty row, even when its
		 * first statement is the one that failed. */
		if (!resume_from &&
		    ((error = start_no_transaction(p, m, &pm, skipped)) < 0 || *skipped))
			goto cleanup;
		if ((error = set_session_timeouts(p)) < 0) {
			error = report_each(p, m, &pm, from, 0, GW_HINT_RESUME, error);
			goto cleanup;
		}
		if ((error = run_each(p, m, &pm, from, resume_from != NULL, 1, GW_HINT_RESUME)) <
		            0 ||
		    (error = verify_no_transaction(p, m, &pm)) < 0)
			goto cleanup;
		/* Every statement ran: a failure now is only in marking it. */
		if ((error = finish(p, m, "apply")) < 0) {
			error = report_each(p, m, &pm, pm.stmts.count - 1, 1, GW_HINT_RESUME,
			                    error);
			goto cleanup;
		}
	}
	gw_progress__end(p);
	if (error == 0 && !*skipped)
		gw_notify(p->ctx, GW_NOTICE_APPLIED, m->version, m->name, m->up_file,
		          clock_ms() - start, "applied %s", pm.path.ptr);
	if (error == 0 && !*skipped && may_unlock(p, &pm, resume_from != NULL))
		error = gw_project__lock_recheck(p, pm.path.ptr);
cleanup:
	gw_progress__end(p);
	gw_prepared_dispose(&pm);
	return error;
}

static int down_transactional(gw_project *p, const gw_migration *m, const gw_prepared *pm)
{
	gw_record rec = {m, NULL, NULL, "revert", NULL, 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	size_t first_body;
	int error, attempt = 0;

	if (add_timeouts(&b, p, 1) < 0 || gw_hist_add_event(&b, p, &rec) < 0 ||
	    (first_body = b.count, 0) || add_body(&b, pm, 0) < 0 ||
	    gw_hist_add_row_delete(&b, p, m->version) < 0 || gw_hist_add_event_done(&b, p) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	say_statements(p, m, pm, 0, 0);
	do {
		notice_map nm;

		hear_notices(&nm, p, m, pm, first_body, 0);
		error = p->conn->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
		stop_hearing(p);
		if (error < 0)
			locate_failure(p, pm, &fail, first_body);
	} while (error < 0 && should_retry(p, m, attempt++, 1));
	if (error < 0)
		error = report_transactional(p, m, pm, 0, error);
cleanup:
	gw_batch_dispose(&b);
	return error;
}

int gw_run_down(gw_project *p, const gw_migration *m)
{
	gw_prepared pm = GW_PREPARED_INIT;
	long long start = clock_ms();
	int error;

	if ((error = gw_prepare(&pm, p, m, GW_DOWN)) < 0)
		goto cleanup;
	gw_notify(p->ctx, GW_NOTICE_REVERTING, m->version, m->name, m->down_file, -1,
	          "reverting %s", pm.path.ptr);
	gw_progress__begin(p, m, GW_DOWN, pm.path.ptr, pm.stmts.count, !pm.transactional);
	if (pm.transactional) {
		error = down_transactional(p, m, &pm);
	} else {
		/* Marked dirty first: a half-reverted migration must be seen. */
		if ((error = gw_hist_set_dirty(p, m->version, NULL)) < 0 ||
		    (error = set_session_timeouts(p)) < 0 ||
		    (error = run_each(p, m, &pm, 0, 0, 0, GW_HINT_RESOLVE_REVERT)) < 0 ||
		    (error = finish(p, m, "revert")) < 0)
			goto cleanup;
	}
	gw_progress__end(p);
	if (error == 0)
		gw_notify(p->ctx, GW_NOTICE_REVERTED, m->version, m->name, m->down_file,
		          clock_ms() - start, "reverted %s", pm.path.ptr);
	if (error == 0 && may_unlock(p, &pm, 0))
		error = gw_project__lock_recheck(p, pm.path.ptr);
cleanup:
	gw_progress__end(p);
	gw_prepared_dispose(&pm);
	return error;
}
