/*
 * dotenv.c: .env files, dbmate-style: KEY=VALUE (or KEY: VALUE) lines, an optional
 * `export `, # comments, single quotes taken as they are, double quotes
 * with \n, \" and \\, and ${NAME} expanded in values that are not
 * single-quoted. config.c looks variables up here after the real
 * environment, which a .env never overrides.
 */
#include "dotenv.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/text.h"

/* A .env file bigger than this is not a .env file. */
#define DOTENV_MAX ((size_t)1 << 20)

void gw_dotenv_var_free(void *p)
{
	gw_dotenv_var *v = p;

	if (!v)
		return;
	free(v->key);
	free(v->value);
	free(v);
}

/* The last definition wins, as when a shell sources the file. */
const gw_dotenv_var *gw_dotenv_find(const gw_vec *vars, const char *key)
{
	size_t i;

	for (i = vars->len; i > 0; i--) {
		const gw_dotenv_var *v = vars->items[i - 1];
		if (strcmp(v->key, key) == 0)
			return v;
	}
	return NULL;
}

static int dotenv_error(gw_ctx *ctx, const char *path, int line, const char *what)
{
	gw_error_set(ctx, GW_ECONFIG, "%s:%d: %s", path, line, what);
	gw_error_set_location(ctx, path, line, 0);
	return GW_ECONFIG;
}

/* What ${NAME} in a .env value reads: the environment, then the file
 * that wins over this one (over: .env.local for .env, as Next.js expands
 * them), then the lines read before. */
typedef struct {
	const gw_vec *over, *vars;
} dotenv_scope;

/* ${NAME} or ${NAME:-default} at *q (before end): the variable's value
 * (dotenv_scope), as dbmate's and Next.js's .env readers expand it; unset
 * is empty. Appends
 * it, moves *q past the closing brace and returns 1; returns 0 and leaves
 * *q for anything else, which stays as written (a $ in a password needs no
 * care). */
static int expand_at(gw_str *out, const char **q, const char *end, const dotenv_scope *sc)
{
	const char *name = *q + 2, *close = name, *def = NULL, *v;
	const gw_dotenv_var *d;
	char var[128];
	size_t len;

	if (end - *q < 4 || (*q)[0] != '$' || (*q)[1] != '{' || !gw_is_name_start(*name))
		return 0;
	while (close < end && gw_is_name_char(*close))
		close++;
	if (end - close >= 2 && close[0] == ':' && close[1] == '-') {
		def = close + 2;
		close = memchr(def, '}', (size_t)(end - def));
	}
	if (!close || close >= end || *close != '}' ||
	    (len = (size_t)((def ? def - 2 : close) - name)) >= sizeof(var))
		return 0;
	memcpy(var, name, len);
	var[len] = '\0';
	if (!(v = getenv(var)) && !(sc->over && (d = gw_dotenv_find(sc->over, var))))
		d = gw_dotenv_find(sc->vars, var);
	if (!v)
		v = d ? d->value : NULL;
	if (def && (!v || !*v))
		gw_str_put(out, def, (size_t)(close - def));
	else if (v)
		gw_str_puts(out, v);
	*q = close + 1;
	return 1;
}

/* Parses the value part of KEY=VALUE in [p, end): single quotes keep the
 * text as is, double quotes understand \n, \" and \\, and an unquoted value
 * ends at a " #" comment. Unquoted and double-quoted values expand
 * ${NAME} (expand_at). */
static int dotenv_value(gw_str *out, const char *p, const char *end, const dotenv_scope *sc)
{
	const char *q;

	while (p < end && gw_is_blank(*p))
		p++;
	while (end > p && gw_is_blank(end[-1]))
		end--;
	if (p < end && (*p == '\'' || *p == '"')) {
		char quote = *p++;
		for (q = p; q < end && *q != quote; q++) {
			if (quote == '"' && *q == '\\' && q + 1 < end) {
				q++;
				gw_str_putc(out, *q == 'n' ? '\n' : *q);
				continue;
			}
			if (quote == '"' && expand_at(out, &q, end, sc)) {
				q--;
				continue;
			}
			gw_str_putc(out, *q);
		}
		if (q >= end)
			return -1; /* unterminated quote */
		for (q++; q < end && gw_is_blank(*q); q++)
			;
		return q == end || *q == '#' ? 0 : -1;
	}
	for (q = p; q < end; q++)
		if (*q == '#' && (q == p || gw_is_blank(q[-1])))
			break;
	while (q > p && gw_is_blank(q[-1]))
		q--;
	for (end = q; p < end;)
		if (!expand_at(out, &p, end, sc))
			gw_str_putc(out, *p++);
	return gw_str_failed(out) ? -1 : 0;
}

static int dotenv_line(gw_vec *vars, const gw_vec *over, const char *p, const char *end,
                       const char *path, int line, gw_ctx *ctx)
{
	dotenv_scope sc = {over, vars};
	gw_str value = GW_STR_INIT;
	gw_dotenv_var *v = NULL;
	const char *key;
	size_t keylen;
	int error = 0;

	while (p < end && gw_is_blank(*p))
		p++;
	if (p == end || *p == '#')
		return 0;
	if ((size_t)(end - p) > 7 && strncmp(p, "export", 6) == 0 && gw_is_blank(p[6]))
		for (p += 7; p < end && gw_is_blank(*p);)
			p++;
	key = p;
	if (p == end || !gw_is_name_start(*p))
		return dotenv_error(ctx, path, line, "expected KEY=VALUE");
	while (p < end && (gw_is_name_char(*p) || *p == '.'))
		p++;
	keylen = (size_t)(p - key);
	while (p < end && gw_is_blank(*p))
		p++;
	/* KEY: VALUE too, which dbmate's and Node's dotenv readers take. */
	if (p == end || (*p != '=' && (*p != ':' || (p + 1 < end && !gw_is_blank(p[1])))))
		return dotenv_error(ctx, path, line, "expected KEY=VALUE");
	if (dotenv_value(&value, p + 1, end, &sc) < 0) {
		error = gw_str_failed(&value)
		                ? gw_error_oom(ctx)
		                : dotenv_error(
		                          ctx, path, line,
		                          "unterminated quote, or text after the closing quote");
		goto cleanup;
	}
	if (!(v = calloc(1, sizeof(*v))) || !(v->key = gw_strndup(key, keylen)) ||
	    !(v->value = gw_str_detach(&value)) || gw_vec_push(vars, v) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	v->path = path;
	v->line = line;
	v = NULL;
cleanup:
	gw_dotenv_var_free(v);
	gw_str_dispose(&value);
	return error;
}

/* 0, GW_EIO on a read error (errno says which), GW_ENOMEM, or 1 when the
 * file holds more than max bytes. */
static int read_small_file(gw_str *out, FILE *f, size_t max)
{
	char chunk[4096];
	size_t n;

	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
		if (out->size + n > max)
			return 1;
		if (gw_str_put(out, chunk, n) < 0)
			return GW_ENOMEM;
	}
	return ferror(f) ? GW_EIO : 0;
}

int gw_dotenv_load(gw_vec *vars, const char *path, int must_exist, gw_ctx *ctx)
{
	return gw_dotenv_load_under(vars, NULL, path, must_exist, ctx);
}

/* A missing file is fine unless it was named (--env-file). */
int gw_dotenv_load_under(gw_vec *vars, const gw_vec *over, const char *path, int must_exist,
                         gw_ctx *ctx)
{
	gw_str text = GW_STR_INIT;
	FILE *f = fopen(path, "r");
	const char *p, *nl, *end;
	int line = 0, error = 0;

	if (!f) {
		if (errno == ENOENT && !must_exist)
			return 0;
		if (errno == ENOENT) {
			gw_error_set(ctx, GW_ECONFIG, "env file %s does not exist", path);
			gw_error_set_hint_code(ctx, GW_HINT_ENV_FILE, NULL, NULL);
			return GW_ECONFIG;
		}
		return gw_error_set(ctx, GW_EIO, "cannot read %s: %s", path, strerror(errno));
	}
	/* Out of memory is said as such: GW_EIO would send the user to the
	 * file for a fault that is not in it. */
	if ((error = read_small_file(&text, f, DOTENV_MAX)) != 0) {
		if (error == GW_ENOMEM)
			error = gw_error_oom(ctx);
		else if (error > 0)
			error = gw_error_set(ctx, GW_EIO, "cannot read %s: over %zu bytes", path,
			                     DOTENV_MAX);
		else
			error = gw_error_set(ctx, GW_EIO, "cannot read %s: %s", path,
			                     strerror(errno));
		goto cleanup;
	}
	end = text.ptr + text.size;
	for (p = text.ptr; p < end; p = nl + 1) {
		if (!(nl = memchr(p, '\n', (size_t)(end - p))))
			nl = end;
		if ((error = dotenv_line(vars, over, p, nl, path, ++line, ctx)) < 0)
			goto cleanup;
	}
cleanup:
	fclose(f);
	gw_str_dispose(&text);
	return error;
}
