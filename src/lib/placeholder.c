/*
 * placeholder.c: ${NAME} in migration text, replaced before the driver
 * sees it (Flyway's convention), and psql's :'name', :"name" and :name
 * with `placeholders = psql`.
 *
 * Where it sits in the flow: the source reads a file and takes its
 * checksum from the bytes as written, so a rotated password never makes
 * an applied migration `changed`; gw_prepare splits the text as written
 * and keeps, beside each statement that holds a placeholder, its
 * substituted text, which only the driver gets. Everything shown (dry
 * runs, statement notices, run logs, lint findings, error positions)
 * comes from the text as written, and each value substituted is given to
 * the context as a mask, so a server message that quotes it (an error,
 * a notice) says ******** instead, in output, events and audit lines.
 *
 * Values come from the [placeholders] section of godwit.conf (itself
 * ${VAR}-expanded from the environment), else the environment variable of
 * that name, else .env. $${NAME} is a literal ${NAME}. An undefined name
 * is an error naming file:line, raised when the run prepares its
 * migrations, before the first one runs.
 */
#include "internal.h"

#include <stdlib.h>
#include <string.h>

#include "sql/lint_int.h"
#include "../util/error.h"
#include "../util/text.h"

typedef enum {
	PH_FLYWAY,  /* ${NAME} */
	PH_ESCAPE,  /* $${NAME}: a literal ${NAME} */
	PH_LITERAL, /* :'name': the value as a quoted literal */
	PH_IDENT,   /* :"name": the value as a quoted identifier */
	PH_RAW,     /* :name: the value as it is */
} ph_kind;

typedef struct ph_hit {
	ph_kind kind;
	size_t at, len;    /* the whole placeholder in the text */
	size_t name, nlen; /* its name */
	int quoted;        /* inside a string, identifier, or comment */
} ph_hit;

typedef int (*ph_cb)(void *payload, const ph_hit *hit);

static size_t name_len(const char *s, size_t len)
{
	size_t n = 0;

	if (!len || !gw_is_name_start(s[0]))
		return 0;
	while (n < len && gw_is_name_char(s[n]))
		n++;
	return n;
}

/* The length of a dollar-quote tag ($tag$ or $$) at s, or 0. */
static size_t dollar_tag(const char *s, size_t len)
{
	size_t n = 1;

	if (len < 2 || s[0] != '$')
		return 0;
	if (s[1] == '$')
		return 2;
	if (!gw_is_name_start(s[1]))
		return 0;
	while (n < len && gw_is_name_char(s[n]))
		n++;
	return n < len && s[n] == '$' ? n + 1 : 0;
}

/* Walks text and hands each placeholder to cb, in order: ${NAME} and
 * $${NAME} anywhere (as Flyway does); psql's forms only outside strings,
 * quoted identifiers and comments (as psql does), and never in a cast
 * (::type). */
static int scan(const char *t, size_t len, int psql, ph_cb cb, void *payload)
{
	enum { CODE, SQUOTE, DQUOTE, DOLLAR, LINE, BLOCK } state = CODE;
	const char *tag = NULL;
	size_t i = 0, taglen = 0, n;
	int depth = 0, error;

	while (i < len) {
		ph_hit h = {PH_FLYWAY, i, 0, 0, 0, state != CODE};

		if (t[i] == '$' && i + 2 < len && t[i + 1] == '$' && t[i + 2] == '{' &&
		    (n = name_len(t + i + 3, len - i - 3)) && i + 3 + n < len &&
		    t[i + 3 + n] == '}') {
			h.kind = PH_ESCAPE;
			h.len = n + 4;
			h.name = i + 3;
			h.nlen = n;
		} else if (t[i] == '$' && i + 1 < len && t[i + 1] == '{' &&
		           (n = name_len(t + i + 2, len - i - 2)) && i + 2 + n < len &&
		           t[i + 2 + n] == '}') {
			h.len = n + 3;
			h.name = i + 2;
			h.nlen = n;
		} else if (psql && state == CODE && t[i] == ':' && i + 1 < len && t[i + 1] != ':' &&
		           (i == 0 || t[i - 1] != ':')) {
			char q = t[i + 1];

			if ((q == '\'' || q == '"') && (n = name_len(t + i + 2, len - i - 2)) &&
			    i + 2 + n < len && t[i + 2 + n] == q) {
				h.kind = q == '\'' ? PH_LITERAL : PH_IDENT;
				h.len = n + 3;
				h.name = i + 2;
				h.nlen = n;
			} else if ((n = name_len(t + i + 1, len - i - 1))) {
				h.kind = PH_RAW;
				h.len = n + 1;
				h.name = i + 1;
				h.nlen = n;
			}
		}
		if (h.len) {
			if ((error = cb(payload, &h)) < 0)
				return error;
			i += h.len;
			continue;
		}
		switch (state) {
		case CODE:
			if (t[i] == '\'')
				state = SQUOTE;
			else if (t[i] == '"')
				state = DQUOTE;
			else if (t[i] == '-' && i + 1 < len && t[i + 1] == '-')
				state = LINE;
			else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
				state = BLOCK;
				depth = 1;
				i++;
			} else if ((taglen = dollar_tag(t + i, len - i))) {
				state = DOLLAR;
				tag = t + i;
				i += taglen - 1;
			}
			break;
		case SQUOTE:
			/* '' is a quote inside the string: two state changes. */
			if (t[i] == '\'')
				state = CODE;
			break;
		case DQUOTE:
			if (t[i] == '"')
				state = CODE;
			break;
		case LINE:
			if (t[i] == '\n')
				state = CODE;
			break;
		case BLOCK:
			if (t[i] == '*' && i + 1 < len && t[i + 1] == '/') {
				i++;
				if (!--depth)
					state = CODE;
			} else if (t[i] == '/' && i + 1 < len && t[i + 1] == '*') {
				i++;
				depth++;
			}
			break;
		case DOLLAR:
			if (t[i] == '$' && len - i >= taglen && !memcmp(t + i, tag, taglen)) {
				i += taglen - 1;
				state = CODE;
			}
			break;
		}
		i++;
	}
	return 0;
}

/* ---- values ------------------------------------------------------------ */

static void placeholder_free(void *v)
{
	gw_placeholder *ph = v;

	if (!ph)
		return;
	free(ph->name);
	if (ph->value)
		memset(ph->value, 0, strlen(ph->value));
	free(ph->value);
	free(ph->why);
	free(ph);
}

int gw_placeholders__add(gw_vec *list, const char *name, const char *value, const char *why)
{
	gw_placeholder *ph = calloc(1, sizeof(*ph));

	if (!ph || !(ph->name = gw_strdup(name)) || (value && !(ph->value = gw_strdup(value))) ||
	    (why && !(ph->why = gw_strdup(why))) || gw_vec_push(list, ph) < 0) {
		placeholder_free(ph);
		return -1;
	}
	return 0;
}

void gw_placeholders__dispose(gw_vec *list)
{
	gw_vec_dispose(list, placeholder_free);
}

int gw_placeholders__copy(gw_vec *dst, const gw_vec *src)
{
	size_t i;

	for (i = 0; src && i < src->len; i++) {
		const gw_placeholder *ph = src->items[i];

		if (gw_placeholders__add(dst, ph->name, ph->value, ph->why) < 0)
			return -1;
	}
	return 0;
}

static const gw_placeholder *find(const gw_vec *list, const char *name)
{
	size_t i;

	for (i = 0; i < list->len; i++) {
		const gw_placeholder *ph = list->items[i];

		if (!strcmp(ph->name, name))
			return ph;
	}
	return NULL;
}

/* [placeholders] first: the environment holds names (USER, HOME) that a
 * project's own section must not lose to; then the environment, then
 * .env. *why gets where an unusable definition is. */
static const char *lookup(const gw_project *p, const char *name, size_t len, const char **why)
{
	const gw_placeholder *ph;
	char buf[256];
	const char *v;

	*why = NULL;
	if (len >= sizeof(buf))
		return NULL;
	memcpy(buf, name, len);
	buf[len] = '\0';
	if ((ph = find(&p->placeholders, buf))) {
		*why = ph->why;
		return ph->value;
	}
	if ((v = getenv(buf)))
		return v;
	return (ph = find(&p->placeholder_env, buf)) ? ph->value : NULL;
}

int gw_placeholders__mode(const gw_project *p)
{
	const char *m = p->opts.placeholders;

	return !m || !strcmp(m, "flyway") ? GW_PLACEHOLDERS_FLYWAY
	       : !strcmp(m, "psql")       ? GW_PLACEHOLDERS_PSQL
	                                  : GW_PLACEHOLDERS_OFF;
}

/* ---- substitution --------------------------------------------------------- */

typedef struct subst {
	gw_project *p;
	const char *text;
	gw_str *out;
	size_t done; /* text copied to out so far */
	const char *file_text;
	size_t file_len, base; /* text is at file_text + base */
	const char *path;
	int found;
} subst;

static int undefined(subst *s, const ph_hit *h, const char *why)
{
	int line, column;

	gw_text_position(s->file_text, s->file_len, s->base + h->at, &line, &column);
	if (why)
		gw_error_set(s->p->ctx, GW_ECONFIG,
		             "%s:%d: placeholder %.*s is not defined: %s sets it from a variable "
		             "that is not set; nothing was run",
		             s->path, line, (int)h->len, s->text + h->at, why);
	else
		gw_error_set(
		        s->p->ctx, GW_ECONFIG,
		        "%s:%d: placeholder %.*s is not defined; set %.*s in the [placeholders] "
		        "section of godwit.conf or in the environment%s; nothing was run",
		        s->path, line, (int)h->len, s->text + h->at, (int)h->nlen,
		        s->text + h->name,
		        h->kind == PH_FLYWAY ? ", or write $${...} for a literal ${...}" : "");
	gw_error_set_location(s->p->ctx, s->path, line, column);
	return GW_ECONFIG;
}

static void put_quoted(gw_str *out, const char *v, char q)
{
	gw_str_putc(out, q);
	for (; *v; v++) {
		if (*v == q)
			gw_str_putc(out, q);
		gw_str_putc(out, *v);
	}
	gw_str_putc(out, q);
}

static int substitute_one(void *payload, const ph_hit *h)
{
	subst *s = payload;
	const char *v = NULL, *why = NULL;

	if (h->kind != PH_ESCAPE && !(v = lookup(s->p, s->text + h->name, h->nlen, &why)))
		return undefined(s, h, why);
	s->found = 1;
	gw_str_put(s->out, s->text + s->done, h->at - s->done);
	s->done = h->at + h->len;
	switch (h->kind) {
	case PH_ESCAPE:
		gw_str_put(s->out, s->text + h->at + 1, h->len - 1);
		return 0;
	case PH_LITERAL:
		put_quoted(s->out, v, '\'');
		break;
	case PH_IDENT:
		put_quoted(s->out, v, '"');
		break;
	default:
		gw_str_puts(s->out, v);
		break;
	}
	return *v && gw_ctx__add_mask(s->p->ctx, v) < 0 ? gw_error_oom(s->p->ctx) : 0;
}

int gw_placeholders__substitute(char **out, gw_project *p, const char *text, size_t len,
                                const char *file_text, size_t file_len, size_t base,
                                const char *path)
{
	gw_str buf = GW_STR_INIT;
	subst s = {p, text, &buf, 0, file_text, file_len, base, path, 0};
	int mode = gw_placeholders__mode(p), error;

	*out = NULL;
	if (mode == GW_PLACEHOLDERS_OFF ||
	    (!memchr(text, '$', len) && mode != GW_PLACEHOLDERS_PSQL))
		return 0;
	if ((error = scan(text, len, mode == GW_PLACEHOLDERS_PSQL, substitute_one, &s)) < 0)
		goto cleanup;
	if (!s.found)
		goto cleanup;
	gw_str_put(&buf, text + s.done, len - s.done);
	if (gw_str_failed(&buf)) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	*out = gw_str_detach(&buf);
cleanup:
	gw_str_dispose(&buf);
	return error;
}

/* ---- for lint ------------------------------------------------------------ */

/* Outside strings a placeholder stands for a name or a value: an
 * identifier of the same length keeps the SQL parseable and every
 * position in place. :'name' becomes a string '$name' (the secret rules
 * know a placeholder by it); inside strings ${NAME} stays as written. */
static int normalize_one(void *payload, const ph_hit *h)
{
	char *t = payload;

	switch (h->kind) {
	case PH_FLYWAY:
	case PH_ESCAPE:
		if (h->quoted)
			return 0;
		memset(t + h->at, '_', h->len);
		break;
	case PH_LITERAL:
		t[h->at] = '\'';
		t[h->at + 1] = '$';
		memmove(t + h->at + 2, t + h->name, h->nlen);
		t[h->at + h->len - 1] = '\'';
		break;
	case PH_IDENT:
	case PH_RAW:
		memset(t + h->at, '_', h->len);
		break;
	}
	return 0;
}

void gw_placeholders__normalize(const gw_project *p, char *text, size_t len)
{
	int mode = gw_placeholders__mode(p);

	if (mode != GW_PLACEHOLDERS_OFF)
		scan(text, len, mode == GW_PLACEHOLDERS_PSQL, normalize_one, text);
}

void gw_placeholders__mask(char *text, size_t len)
{
	scan(text, len, 0, normalize_one, text);
}

int gw_lint__placeholder(const char *literal)
{
	size_t len = strlen(literal), n;

	if (len > 3 && literal[0] == '$' && literal[1] == '{' &&
	    (n = name_len(literal + 2, len - 2)) && n + 3 == len && literal[len - 1] == '}')
		return 1;
	return len > 1 && literal[0] == '$' && name_len(literal + 1, len - 1) == len - 1;
}
