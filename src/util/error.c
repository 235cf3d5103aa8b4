/*
 * error.c: the context that carries the first error and the notice callback.
 */
#include "error.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "str.h"

struct gw_ctx {
	gw_error error;
	gw_str message;
	gw_str hint;
	gw_str hint_context;
	char *hint_args[2];
	char sqlstate[6];
	char *file;
	gw_notice_cb notice_cb;
	void *notice_payload;
	gw_wording_cb wording; /* the program's words for hint codes, or NULL */
	int quiet;
	char **masks; /* values no message may show (gw_ctx__add_mask) */
	size_t nmasks;
};

int gw_ctx_new(gw_ctx **out)
{
	gw_ctx *ctx = calloc(1, sizeof(*ctx));

	*out = NULL;
	if (!ctx)
		return GW_ENOMEM;
	ctx->message = (gw_str)GW_STR_INIT;
	ctx->hint = (gw_str)GW_STR_INIT;
	ctx->hint_context = (gw_str)GW_STR_INIT;
	*out = ctx;
	return 0;
}

void gw_ctx_free(gw_ctx *ctx)
{
	size_t i;

	if (!ctx)
		return;
	gw_ctx_clear_error(ctx);
	for (i = 0; i < ctx->nmasks; i++) {
		memset(ctx->masks[i], 0, strlen(ctx->masks[i]));
		free(ctx->masks[i]);
	}
	free(ctx->masks);
	free(ctx);
}

int gw_ctx__add_mask(gw_ctx *ctx, const char *value)
{
	char **masks;
	size_t i;

	for (i = 0; i < ctx->nmasks; i++)
		if (!strcmp(ctx->masks[i], value))
			return 0;
	if (!(masks = realloc(ctx->masks, (ctx->nmasks + 1) * sizeof(*masks))))
		return -1;
	ctx->masks = masks;
	if (!(masks[ctx->nmasks] = strdup(value)))
		return -1;
	ctx->nmasks++;
	return 0;
}

static int word_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '_';
}

/* Each mask in s becomes ********. Where a value starts or ends with a
 * letter or digit, only occurrences that do not run on into a longer word
 * are masked, so a short value ("app", "3") does not blot out every word
 * or number that contains it. */
static void mask(const gw_ctx *ctx, gw_str *s)
{
	gw_str out = GW_STR_INIT;
	size_t i, k, from, n;
	const char *hit;
	int changed = 0;

	for (k = 0; k < ctx->nmasks && !gw_str_failed(s); k++) {
		const char *m = ctx->masks[k];

		n = strlen(m);
		if (!n || !s->size)
			continue;
		gw_str_clear(&out);
		from = 0;
		changed = 0;
		for (i = 0; (hit = strstr(s->ptr + i, m)) != NULL; i = (size_t)(hit - s->ptr) + 1) {
			size_t at = (size_t)(hit - s->ptr);

			if ((word_char(m[0]) && at > 0 && word_char(s->ptr[at - 1])) ||
			    (word_char(m[n - 1]) && word_char(s->ptr[at + n])))
				continue;
			gw_str_put(&out, s->ptr + from, at - from);
			gw_str_puts(&out, "********");
			from = at + n;
			hit += n - 1;
			changed = 1;
		}
		if (!changed)
			continue;
		gw_str_puts(&out, s->ptr + from);
		if (!gw_str_failed(&out)) {
			gw_str sw = *s;

			*s = out;
			out = sw;
		}
	}
	gw_str_dispose(&out);
}

const gw_error *gw_ctx_error(const gw_ctx *ctx)
{
	return ctx && ctx->error.code ? &ctx->error : NULL;
}

void gw_ctx_clear_error(gw_ctx *ctx)
{
	gw_str_dispose(&ctx->message);
	gw_str_dispose(&ctx->hint);
	gw_str_dispose(&ctx->hint_context);
	free(ctx->hint_args[0]);
	free(ctx->hint_args[1]);
	ctx->hint_args[0] = ctx->hint_args[1] = NULL;
	free(ctx->file);
	ctx->file = NULL;
	ctx->sqlstate[0] = '\0';
	memset(&ctx->error, 0, sizeof(ctx->error));
}

void gw_ctx_set_notice_cb(gw_ctx *ctx, gw_notice_cb cb, void *payload)
{
	ctx->notice_cb = cb;
	ctx->notice_payload = payload;
}

void gw_ctx__copy_notice_cb(gw_ctx *dst, const gw_ctx *src)
{
	dst->notice_cb = src->notice_cb;
	dst->notice_payload = src->notice_payload;
	dst->wording = src->wording;
}

void gw_ctx_set_wording(gw_ctx *ctx, gw_wording_cb cb)
{
	ctx->wording = cb;
}

void gw_ctx__word(const gw_ctx *ctx, gw_str *out, int code, const char *context, const char *arg0,
                  const char *arg1)
{
	gw_text_hint h = {code, context ? context : "", {arg0 ? arg0 : "", arg1 ? arg1 : ""}};
	gw_str lib = GW_STR_INIT;
	char buf[2048];

	gw_str_puts(&lib, h.context);
	gw_hint_wording(&lib, code, h.args[0], h.args[1]);
	if (gw_str_failed(&lib))
		out->failed = 1; /* nothing half-worded is ever shown */
	else
		gw_str_puts(out, ctx && ctx->wording ? ctx->wording(&h, lib.ptr, buf, sizeof(buf))
		                                     : lib.ptr);
	gw_str_dispose(&lib);
}

void gw_ctx_set_quiet(gw_ctx *ctx, int quiet)
{
	ctx->quiet = quiet;
}

int gw_error_is_set(const gw_ctx *ctx)
{
	return ctx->error.code != 0;
}

static void refresh(gw_ctx *ctx)
{
	ctx->error.message = gw_str_failed(&ctx->message) ? "out of memory" : ctx->message.ptr;
	ctx->error.hint = ctx->hint.ptr;
	ctx->error.hint_context = ctx->hint_context.ptr ? ctx->hint_context.ptr : "";
	ctx->error.hint_args[0] = ctx->hint_args[0] ? ctx->hint_args[0] : "";
	ctx->error.hint_args[1] = ctx->hint_args[1] ? ctx->hint_args[1] : "";
	ctx->error.sqlstate = ctx->sqlstate;
	ctx->error.file = ctx->file ? ctx->file : "";
}

int gw_error_set(gw_ctx *ctx, int code, const char *fmt, ...)
{
	va_list ap;

	if (code >= 0)
		code = GW_ERROR;
	if (!ctx || ctx->error.code)
		return code;
	ctx->error.code = code;
	va_start(ap, fmt);
	gw_str_vprintf(&ctx->message, fmt, ap);
	va_end(ap);
	mask(ctx, &ctx->message);
	refresh(ctx);
	return code;
}

int gw_error_oom(gw_ctx *ctx)
{
	return gw_error_set(ctx, GW_ENOMEM, "out of memory");
}

void gw_error_set_sqlstate(gw_ctx *ctx, const char *sqlstate)
{
	if (!ctx || !ctx->error.code || ctx->sqlstate[0] || !sqlstate)
		return;
	strncpy(ctx->sqlstate, sqlstate, sizeof(ctx->sqlstate) - 1);
	refresh(ctx);
}

void gw_error_set_location(gw_ctx *ctx, const char *file, int line, int column)
{
	if (!ctx || !ctx->error.code || ctx->file)
		return;
	ctx->file = file ? strdup(file) : NULL;
	ctx->error.line = line;
	ctx->error.column = column;
	refresh(ctx);
}

void gw_error_set_hint(gw_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (!ctx || !ctx->error.code || ctx->hint.size)
		return;
	va_start(ap, fmt);
	gw_str_vprintf(&ctx->hint, fmt, ap);
	va_end(ap);
	mask(ctx, &ctx->hint);
	refresh(ctx);
}

static void set_hint_code(gw_ctx *ctx, int code, const char *arg0, const char *arg1)
{
	ctx->error.hint_code = code;
	ctx->hint_args[0] = strdup(arg0 ? arg0 : "");
	ctx->hint_args[1] = strdup(arg1 ? arg1 : "");
	gw_str_puts(&ctx->hint, ctx->hint_context.ptr ? ctx->hint_context.ptr : "");
	gw_hint_wording(&ctx->hint, code, ctx->hint_args[0] ? ctx->hint_args[0] : "",
	                ctx->hint_args[1] ? ctx->hint_args[1] : "");
	mask(ctx, &ctx->hint);
	refresh(ctx);
}

void gw_error_set_hint_code(gw_ctx *ctx, int code, const char *arg0, const char *arg1)
{
	if (!ctx || !ctx->error.code || ctx->hint.size)
		return;
	set_hint_code(ctx, code, arg0, arg1);
}

void gw_error_set_hint_code_after(gw_ctx *ctx, int code, const char *arg0, const char *arg1,
                                  const char *context_fmt, ...)
{
	va_list ap;

	if (!ctx || !ctx->error.code || ctx->hint.size)
		return;
	va_start(ap, context_fmt);
	gw_str_vprintf(&ctx->hint_context, context_fmt, ap);
	va_end(ap);
	set_hint_code(ctx, code, arg0, arg1);
}

void gw_error_copy_hint(gw_ctx *ctx, const gw_error *e)
{
	if (!e->hint[0])
		return;
	if (e->hint_code == GW_HINT_NONE)
		gw_error_set_hint(ctx, "%s", e->hint);
	else
		gw_error_set_hint_code_after(ctx, e->hint_code, e->hint_args[0], e->hint_args[1],
		                             "%s", e->hint_context);
}

void gw_error_prefix(gw_ctx *ctx, const char *fmt, ...)
{
	gw_str s = GW_STR_INIT;
	va_list ap;

	/* A message that could not be stored reads "out of memory": a
	 * prefix before nothing would hide that. */
	if (!ctx || !ctx->error.code || gw_str_failed(&ctx->message))
		return;
	va_start(ap, fmt);
	gw_str_vprintf(&s, fmt, ap);
	va_end(ap);
	gw_str_puts(&s, ctx->message.ptr);
	mask(ctx, &s);
	if (!gw_str_failed(&s)) {
		gw_str_dispose(&ctx->message);
		ctx->message = s;
	} else {
		gw_str_dispose(&s);
	}
	refresh(ctx);
}

static void notify(gw_ctx *ctx, gw_notice_kind kind, const char *version, const char *name,
                   const char *file, long long duration_ms, int line, const char *fmt, va_list ap)
{
	gw_str msg = GW_STR_INIT;
	gw_notice n;

	gw_str_vprintf(&msg, fmt, ap);
	mask(ctx, &msg);
	n.kind = kind;
	n.version = version;
	n.name = name;
	n.file = file;
	n.message = msg.ptr;
	n.duration_ms = duration_ms;
	n.line = line;
	ctx->notice_cb(&n, ctx->notice_payload);
	gw_str_dispose(&msg);
}

void gw_notify(gw_ctx *ctx, gw_notice_kind kind, const char *version, const char *name,
               const char *file, long long duration_ms, const char *fmt, ...)
{
	va_list ap;

	if (!ctx || !ctx->notice_cb || ctx->quiet)
		return;
	va_start(ap, fmt);
	notify(ctx, kind, version, name, file, duration_ms, 0, fmt, ap);
	va_end(ap);
}

void gw_notify_at(gw_ctx *ctx, gw_notice_kind kind, const char *version, const char *name,
                  const char *file, long long duration_ms, int line, const char *fmt, ...)
{
	va_list ap;

	if (!ctx || !ctx->notice_cb || ctx->quiet)
		return;
	va_start(ap, fmt);
	notify(ctx, kind, version, name, file, duration_ms, line, fmt, ap);
	va_end(ap);
}

const char *gw_error_code_name(int code)
{
	switch (code) {
	case GW_OK:
		return "ok";
	case GW_ENOMEM:
		return "nomem";
	case GW_EINVALID:
		return "invalid";
	case GW_EIO:
		return "io";
	case GW_ESOURCE:
		return "source";
	case GW_EORDER:
		return "order";
	case GW_ECHECKSUM:
		return "checksum";
	case GW_EDIRTY:
		return "dirty";
	case GW_ECONNECT:
		return "connect";
	case GW_EAUTH:
		return "auth";
	case GW_ESQL:
		return "sql";
	case GW_ELOCK:
		return "lock";
	case GW_ENOTFOUND:
		return "notfound";
	case GW_ESYNTAX:
		return "syntax";
	case GW_ECONFIG:
		return "config";
	case GW_ESTATE:
		return "state";
	case GW_ENODOWN:
		return "nodown";
	case GW_ENODB:
		return "nodatabase";
	case GW_ECANCELED:
		return "canceled";
	case GW_EAFTER:
		return "after";
	case GW_EUNSAFE:
		return "unsafe";
	default:
		return "error";
	}
}
