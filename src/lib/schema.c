/*
 * schema.c: the snapshot model: building, sorting, the text form and its
 * parser (see include/godwit/schema.h for the format).
 *
 * The readers (schema_pg.c, schema_sqlite.c) add objects in whatever order
 * the catalogs give them; gw_schema__finish sorts with strcmp, never with
 * the server's collation or OIDs, so equal schemas give equal bytes.
 */
#include "schema.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/hash.h"

static void member_free(void *item)
{
	gw_smember *m = item;

	if (m) {
		free(m->text);
		free(m);
	}
}

static void obj_free(void *item)
{
	gw_sobj *o = item;

	if (!o)
		return;
	gw_vec_dispose(&o->members, member_free);
	free(o->ptrs);
	free(o->kind);
	free(o->name);
	free(o->nsp);
	free(o);
}

void gw_schema_free(gw_schema *s)
{
	if (!s)
		return;
	gw_vec_dispose(&s->objs, obj_free);
	free(s->pub);
	free(s->index);
	free(s->dialect);
	free(s);
}

int gw_schema__new(gw_schema **out, const char *dialect)
{
	gw_schema *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s || (dialect && !(s->dialect = gw_strdup(dialect)))) {
		free(s);
		return GW_ENOMEM;
	}
	*out = s;
	return 0;
}

gw_sobj *gw_schema__add(gw_schema *s, const char *nsp, int rank, const char *kind, const char *name)
{
	gw_sobj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->rank = rank;
	o->kind = gw_strdup(kind);
	o->name = gw_strdup(name);
	o->nsp = gw_strdup(nsp ? nsp : "");
	if (!o->kind || !o->name || !o->nsp || gw_vec_push(&s->objs, o) < 0) {
		obj_free(o);
		return NULL;
	}
	return o;
}

/* Trailing blanks of every line and trailing empty lines go: an editor
 * or a diff tool would drop them from the file anyway. */
static char *normalize(const char *text)
{
	gw_str out = GW_STR_INIT;
	const char *p = text, *eol, *end;

	while (*p) {
		eol = strchr(p, '\n');
		end = eol ? eol : p + strlen(p);
		while (end > p && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
			end--;
		gw_str_put(&out, p, (size_t)(end - p));
		if (!eol)
			break;
		gw_str_putc(&out, '\n');
		p = eol + 1;
	}
	while (out.size > 0 && out.ptr[out.size - 1] == '\n')
		gw_str_truncate(&out, out.size - 1);
	return gw_str_detach(&out);
}

int gw_sobj_add(gw_sobj *o, int rank, long seq, const char *text)
{
	gw_smember *m = calloc(1, sizeof(*m));

	if (!m)
		return GW_ENOMEM;
	m->rank = rank;
	m->seq = seq;
	if (!(m->text = normalize(text)) || gw_vec_push(&o->members, m) < 0) {
		member_free(m);
		return GW_ENOMEM;
	}
	return 0;
}

int gw_sobj_addf(gw_sobj *o, int rank, long seq, const char *fmt, ...)
{
	gw_str s = GW_STR_INIT;
	va_list ap;
	int error;

	va_start(ap, fmt);
	error = gw_str_vprintf(&s, fmt, ap);
	va_end(ap);
	if (error < 0 || s.failed)
		error = GW_ENOMEM;
	else
		error = gw_sobj_add(o, rank, seq, s.ptr);
	gw_str_dispose(&s);
	return error;
}

static int cmp_obj(const void *x, const void *y)
{
	const gw_sobj *a = *(const gw_sobj *const *)x, *b = *(const gw_sobj *const *)y;
	int c;

	if ((c = strcmp(a->nsp, b->nsp)) != 0)
		return c;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if ((c = strcmp(a->name, b->name)) != 0)
		return c;
	return strcmp(a->kind, b->kind);
}

static int cmp_member(const void *x, const void *y)
{
	const gw_smember *a = *(const gw_smember *const *)x, *b = *(const gw_smember *const *)y;

	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return strcmp(a->text, b->text);
}

/* FNV-1a of kind and name. */
static size_t key_hash(const char *kind, const char *name)
{
	uint64_t h = 1469598103934665603u;
	const char *p;

	for (p = kind; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	h = (h ^ 0xff) * 1099511628211u;
	for (p = name; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211u;
	return (size_t)h;
}

static int build_index(gw_schema *s)
{
	size_t i, j;

	free(s->index);
	for (s->icap = 16; s->icap < 2 * s->count; s->icap *= 2)
		;
	if (!(s->index = calloc(s->icap, sizeof(*s->index))))
		return GW_ENOMEM;
	for (i = 0; i < s->count; i++) {
		for (j = key_hash(s->pub[i].kind, s->pub[i].name) & (s->icap - 1); s->index[j];
		     j = (j + 1) & (s->icap - 1))
			;
		s->index[j] = i + 1;
	}
	return 0;
}

const gw_schema_object *gw_schema__lookup(const gw_schema *s, const char *kind, const char *name)
{
	size_t i, j;

	if (!s->index) {
		for (i = 0; i < s->count; i++)
			if (strcmp(s->pub[i].kind, kind) == 0 && strcmp(s->pub[i].name, name) == 0)
				return &s->pub[i];
		return NULL;
	}
	for (j = key_hash(kind, name) & (s->icap - 1); s->index[j]; j = (j + 1) & (s->icap - 1)) {
		const gw_schema_object *o = &s->pub[s->index[j] - 1];
		if (strcmp(o->name, name) == 0 && strcmp(o->kind, kind) == 0)
			return o;
	}
	return NULL;
}

int gw_schema__finish(gw_schema *s, int sort)
{
	size_t i, j;
	gw_sobj *o;

	if (sort && s->objs.len > 1)
		qsort(s->objs.items, s->objs.len, sizeof(void *), cmp_obj);
	free(s->pub);
	s->count = s->objs.len;
	if (!(s->pub = calloc(s->count ? s->count : 1, sizeof(*s->pub))))
		return GW_ENOMEM;
	for (i = 0; i < s->count; i++) {
		o = s->objs.items[i];
		if (sort && o->members.len > 1)
			qsort(o->members.items, o->members.len, sizeof(void *), cmp_member);
		free(o->ptrs);
		if (!(o->ptrs = calloc(o->members.len ? o->members.len : 1, sizeof(char *))))
			return GW_ENOMEM;
		for (j = 0; j < o->members.len; j++)
			o->ptrs[j] = ((gw_smember *)o->members.items[j])->text;
		s->pub[i].kind = o->kind;
		s->pub[i].name = o->name;
		s->pub[i].nmembers = o->members.len;
		s->pub[i].members = o->ptrs;
	}
	return build_index(s);
}

const char *gw_schema_dialect(const gw_schema *s)
{
	return s->dialect;
}

size_t gw_schema_count(const gw_schema *s)
{
	return s->count;
}

const gw_schema_object *gw_schema_get(const gw_schema *s, size_t i)
{
	return i < s->count ? &s->pub[i] : NULL;
}

/* ---- member keys ----------------------------------------------------------- */

/* End of the word at p: up to a space, with "quoted ""names"" kept whole. */
static const char *word_end(const char *p)
{
	int quoted = 0;

	for (; *p && *p != '\n'; p++) {
		if (*p == '"')
			quoted = !quoted;
		else if (*p == ' ' && !quoted)
			break;
	}
	return p;
}

size_t gw_schema__member_key(const char *text)
{
	static const char *const named[] = {"column",
	                                    "constraint",
	                                    "index",
	                                    "trigger",
	                                    "policy",
	                                    "attribute",
	                                    "column_comment",
	                                    "constraint_comment",
	                                    "index_comment",
	                                    "trigger_comment",
	                                    "policy_comment",
	                                    "column_grants",
	                                    "column_statistics",
	                                    "column_options",
	                                    "publication",
	                                    NULL};
	const char *end = word_end(text);
	size_t i, len = (size_t)(end - text);

	for (i = 0; named[i]; i++)
		if (strlen(named[i]) == len && strncmp(text, named[i], len) == 0 && *end == ' ')
			return (size_t)(word_end(end + 1) - text);
	return len;
}

/* ---- the text form --------------------------------------------------------- */

static void put_member(gw_str *out, const char *text)
{
	const char *p = text, *eol;

	gw_str_puts(out, "  ");
	for (;;) {
		eol = strchr(p, '\n');
		gw_str_put(out, p, eol ? (size_t)(eol - p) : strlen(p));
		gw_str_putc(out, '\n');
		if (!eol)
			break;
		p = eol + 1;
		gw_str_puts(out, "  |");
	}
}

int gw_schema_text(char **out, const gw_schema *s)
{
	gw_str t = GW_STR_INIT;
	size_t i, j;

	*out = NULL;
	gw_str_printf(&t, "-- godwit schema snapshot (%s)\n", s->dialect ? s->dialect : "unknown");
	for (i = 0; i < s->count; i++) {
		gw_str_printf(&t, "\n%s %s\n", s->pub[i].kind, s->pub[i].name);
		for (j = 0; j < s->pub[i].nmembers; j++)
			put_member(&t, s->pub[i].members[j]);
	}
	if (t.failed || !(*out = gw_str_detach(&t))) {
		gw_str_dispose(&t);
		return GW_ENOMEM;
	}
	return 0;
}

int gw_schema_hash(char out[65], const gw_schema *s)
{
	char *text = NULL;
	int error;

	if ((error = gw_schema_text(&text, s)) < 0)
		return error;
	error = gw_checksum_text(out, text, strlen(text)) < 0 ? GW_ERROR : 0;
	free(text);
	return error;
}

typedef struct parser {
	gw_schema *s;
	gw_sobj *cur;
	gw_str member; /* the member being read, flushed at the next line */
	int in_member;
	gw_ctx *ctx;
} parser;

static int flush_member(parser *ps)
{
	int error = 0;

	if (ps->in_member)
		error = gw_sobj_add(ps->cur, 0, 0, ps->member.ptr);
	ps->in_member = 0;
	gw_str_clear(&ps->member);
	return error;
}

static int parse_header(parser *ps, const char *line, size_t lineno)
{
	const char *sp = strchr(line, ' ');
	gw_str kind = GW_STR_INIT, name = GW_STR_INIT;
	int error = 0;

	/* Trailing blanks are an editor's, not part of the name. */
	if (sp)
		gw_str_sets(&name, sp + 1);
	while (name.size && strchr(" \t\r", name.ptr[name.size - 1]))
		gw_str_truncate(&name, name.size - 1);
	if (name.failed) {
		error = gw_error_oom(ps->ctx);
		goto cleanup;
	}
	if (!sp || sp == line || !name.size) {
		error = gw_error_set(ps->ctx, GW_EINVALID,
		                     "line %zu: expected 'KIND NAME' to start an object", lineno);
		goto cleanup;
	}
	if (gw_str_put(&kind, line, (size_t)(sp - line)) < 0 || name.failed ||
	    !(ps->cur = gw_schema__add(ps->s, "", 0, kind.ptr, name.ptr)))
		error = gw_error_oom(ps->ctx);
cleanup:
	gw_str_dispose(&kind);
	gw_str_dispose(&name);
	return error;
}

static int parse_comment(parser *ps, const char *line)
{
	static const char prefix[] = "-- godwit schema snapshot (";
	size_t len;

	if (strncmp(line, prefix, sizeof(prefix) - 1) != 0 || ps->s->dialect)
		return 0;
	line += sizeof(prefix) - 1;
	len = strcspn(line, ")");
	if (!(ps->s->dialect = gw_strndup(line, len)))
		return gw_error_oom(ps->ctx);
	return 0;
}

static int parse_line(parser *ps, const char *line, size_t lineno)
{
	int error;

	if (strncmp(line, "  |", 3) == 0) {
		if (!ps->in_member)
			return gw_error_set(ps->ctx, GW_EINVALID,
			                    "line %zu: a continuation line without a member",
			                    lineno);
		gw_str_putc(&ps->member, '\n');
		return gw_str_puts(&ps->member, line + 3) < 0 ? gw_error_oom(ps->ctx) : 0;
	}
	if ((error = flush_member(ps)) < 0)
		return gw_error_oom(ps->ctx);
	if (!*line) {
		ps->cur = NULL;
		return 0;
	}
	/* A comment ends the object before it, as the blank line before it
	 * would: the text form never holds one inside an object, and reading
	 * it as an object named "--" would write back a file that does not
	 * read the same. */
	if (strncmp(line, "--", 2) == 0) {
		ps->cur = NULL;
		return parse_comment(ps, line);
	}
	if (strncmp(line, "  ", 2) == 0) {
		if (!ps->cur)
			return gw_error_set(ps->ctx, GW_EINVALID,
			                    "line %zu: a member line outside an object", lineno);
		ps->in_member = 1;
		return gw_str_puts(&ps->member, line + 2) < 0 ? gw_error_oom(ps->ctx) : 0;
	}
	return parse_header(ps, line, lineno);
}

int gw_schema_parse(gw_schema **out, const char *text, size_t len, gw_ctx *ctx)
{
	parser ps = {NULL, NULL, GW_STR_INIT, 0, ctx};
	gw_str line = GW_STR_INIT;
	const char *p = text, *end = text + len, *eol;
	size_t lineno = 0;
	int error;

	*out = NULL;
	if ((error = gw_schema__new(&ps.s, NULL)) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	while (p < end) {
		eol = memchr(p, '\n', (size_t)(end - p));
		lineno++;
		/* A line is read as a C string: what follows a NUL byte would be
		 * dropped, and the text would not read back the same. */
		if (memchr(p, '\0', eol ? (size_t)(eol - p) : (size_t)(end - p))) {
			error = gw_error_set(ctx, GW_EINVALID, "line %zu: a NUL byte", lineno);
			goto cleanup;
		}
		gw_str_set(&line, p, eol ? (size_t)(eol - p) : (size_t)(end - p));
		if (line.size && line.ptr[line.size - 1] == '\r')
			gw_str_truncate(&line, line.size - 1);
		if (line.failed) {
			error = gw_error_oom(ctx);
			goto cleanup;
		}
		if ((error = parse_line(&ps, line.ptr, lineno)) < 0)
			goto cleanup;
		p = eol ? eol + 1 : end;
	}
	if ((error = flush_member(&ps)) < 0 || (error = gw_schema__finish(ps.s, 0)) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	*out = ps.s;
	ps.s = NULL;
cleanup:
	gw_schema_free(ps.s);
	gw_str_dispose(&ps.member);
	gw_str_dispose(&line);
	return error;
}

/* ---- reading a database ---------------------------------------------------- */

int gw_schema__wanted(const gw_schema_ctx *c, const char *nsp)
{
	size_t i;

	if (!c->opts->nschemas)
		return 1;
	for (i = 0; i < c->opts->nschemas; i++)
		if (strcmp(c->opts->schemas[i], nsp) == 0)
			return 1;
	return 0;
}

int gw_schema__is_history(const gw_schema_ctx *c, const char *nsp, const char *name)
{
	const gw_project *p = c->p;

	if (c->opts->include_history)
		return 0;
	if (nsp && p->opts.schema && strcmp(nsp, p->opts.schema) != 0)
		return 0;
	return strcmp(name, p->opts.table) == 0 || strcmp(name, p->opts.events_table) == 0 ||
	       strcmp(name, GW_SCHEMA_SNAPSHOTS_TABLE) == 0 || strcmp(name, GW_SEEDS_TABLE) == 0 ||
	       strcmp(name, GW_LOCK_TABLE) == 0;
}

int gw_schema_snapshot(gw_schema **out, gw_project *p, const gw_schema_options *opts)
{
	gw_schema_options defaults = GW_SCHEMA_OPTIONS_INIT;
	gw_schema_ctx c = {p, NULL, opts ? opts : &defaults, NULL, !p->conn};
	int pg = p->driver->dialect == GW_DIALECT_POSTGRES;
	int error;

	*out = NULL;
	if ((error = gw_project__connect_existing(&c.conn, p)) < 0)
		goto cleanup;
	if ((error = gw_schema__new(&c.s, pg ? "postgres" : "sqlite")) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	if ((error = pg ? gw_schema__read_pg(&c) : gw_schema__read_sqlite(&c)) < 0)
		goto cleanup;
	if ((error = gw_schema__finish(c.s, 1)) < 0) {
		error = gw_error_oom(p->ctx);
		goto cleanup;
	}
	*out = c.s;
	c.s = NULL;
cleanup:
	gw_schema_free(c.s);
	return error;
}
