/*
 * schema_sql_rename.c: the renames of gw_schema_sql ("OLD=NEW"):
 * each one is a RENAME statement and an edit of the source snapshot's
 * text, so that the rest of the script is found by comparing the renamed
 * source with the target, as for any other change.
 */
#include "schema_sql.h"

#include <stdlib.h>
#include <string.h>

#include "util/error.h"
#include "util/text.h"

/* ---- renames ------------------------------------------------------------------ */

/* text with every whole-word `from` replaced by `to`. */
static void replace_word(gw_str *out, const char *text, size_t len, const char *from,
                         const char *to)
{
	size_t n = strlen(from), i = 0;

	while (i < len) {
		if (i + n <= len && strncmp(text + i, from, n) == 0 &&
		    (i == 0 || !(gw_is_name_char(text[i - 1]) || text[i - 1] == '$')) &&
		    (i + n == len || !(gw_is_name_char(text[i + n]) || text[i + n] == '$'))) {
			gw_str_puts(out, to);
			i += n;
		} else {
			gw_str_putc(out, text[i++]);
		}
	}
}

static const char *const renamable[] = {"table", "view",   "matview", "sequence",
                                        "enum",  "domain", "type",    "range"};

/* The object `name` names in s, of a kind that can be renamed. */
static const gw_schema_object *find_renamable(const gw_schema *s, const char *name)
{
	const gw_schema_object *o = NULL;
	size_t i;

	for (i = 0; i < sizeof(renamable) / sizeof(renamable[0]) && !o; i++)
		o = gw_sql__find(s, renamable[i], name);
	return o;
}

/* Members of table o named "<orel>_rest" that t names "<nrel>_rest":
 * renamed by statements and in the text. */
static void rename_members(gw_str *text, gw_sql *q, const gw_schema_object *o,
                           const gw_schema_object *t, const char *orel, const char *nrel,
                           const char *nsp)
{
	gw_str name = GW_STR_INIT, want = GW_STR_INIT, out = GW_STR_INIT;
	size_t i, lo = strlen(orel);

	if (orel[0] == '"' || nrel[0] == '"')
		return;
	for (i = 0; i < o->nmembers; i++) {
		const char *m = o->members[i];
		int index = gw_sql__starts(m, "index ");
		if (!gw_sql__is_constraint(m) && !index)
			continue;
		gw_sql__member_name(&name, m);
		if (strncmp(name.ptr, orel, lo) != 0 || name.ptr[lo] != '_')
			continue;
		/* Emptied without forgetting a failure (checked at the end). */
		gw_str_truncate(&want, 0);
		gw_str_printf(&want, "%s %s%s", index ? "index" : "constraint", nrel,
		              name.ptr + lo);
		if (want.failed || !gw_sql__member(t, want.ptr, want.size))
			continue;
		if (index)
			gw_sql__emit(q, GW_SQ_RENAME, "ALTER INDEX %s.%s RENAME TO %s", nsp,
			             name.ptr, want.ptr + 6);
		else
			gw_sql__emit(q, GW_SQ_RENAME,
			             "ALTER TABLE %s.%s RENAME CONSTRAINT %s TO %s", nsp, nrel,
			             name.ptr, want.ptr + 11);
		gw_str_truncate(&out, 0);
		replace_word(&out, text->ptr, text->size, name.ptr, want.ptr + (index ? 6 : 11));
		gw_str_truncate(text, 0);
		gw_str_put(text, out.ptr, out.size);
	}
	if (name.failed || want.failed || out.failed)
		q->failed = 1;
	gw_str_dispose(&name);
	gw_str_dispose(&want);
	gw_str_dispose(&out);
}

/* One rename in the snapshot text: the object's header, its qualified
 * name and the foreign keys that point at it; or a column's name inside
 * its table's block. */
static int rename_one(gw_str *text, gw_sql *q, const gw_schema *from, const gw_schema *to,
                      const char *spec, gw_ctx *ctx)
{
	const char *eq = strchr(spec, '=');
	gw_str old = GW_STR_INIT, neu = GW_STR_INIT, on = GW_STR_INIT, orel = GW_STR_INIT;
	gw_str nn = GW_STR_INIT, nrel = GW_STR_INIT, out = GW_STR_INIT, pat = GW_STR_INIT;
	gw_str rep = GW_STR_INIT, subj = GW_STR_INIT; /* the rename as the program names it */
	const gw_schema_object *o, *t;
	int error = 0;

	if (!eq || eq == spec || !eq[1]) {
		gw_str_printf(&old, "'%s'", spec);
		gw_ctx__word(ctx, &subj, GW_HINT_OPTION_RENAME, NULL, old.ptr, NULL);
		error = gw_error_set(ctx, GW_EINVALID, "%s: expected OLD=NEW", subj.ptr);
		goto cleanup;
	}
	gw_ctx__word(ctx, &subj, GW_HINT_OPTION_RENAME, NULL, spec, NULL);
	gw_str_put(&old, spec, (size_t)(eq - spec));
	gw_str_puts(&neu, eq + 1);
	if (old.failed || neu.failed)
		goto cleanup;
	if ((o = find_renamable(from, old.ptr))) {
		if (!(t = gw_sql__find(to, o->kind, neu.ptr))) {
			error = gw_error_set(ctx, GW_EINVALID, "%s: the target schema has no %s %s",
			                     subj.ptr, o->kind, neu.ptr);
			goto cleanup;
		}
		gw_sql__split_name(old.ptr, &on, &orel);
		gw_sql__split_name(neu.ptr, &nn, &nrel);
		if (on.failed || orel.failed || nn.failed || nrel.failed)
			goto cleanup;
		if (strcmp(on.ptr, nn.ptr) != 0) {
			error = gw_error_set(ctx, GW_EINVALID, "%s: a rename keeps the schema (%s)",
			                     subj.ptr, on.ptr);
			goto cleanup;
		}
		gw_sql__emit(q, GW_SQ_RENAME, "ALTER %s %s RENAME TO %s", gw_sql__sql_kind(o->kind),
		             old.ptr, nrel.ptr);
		replace_word(&out, text->ptr, text->size, old.ptr, neu.ptr);
		/* Constraints and indexes named after the table (person_pkey)
		 * follow it when the target names them after the new name. */
		rename_members(&out, q, o, t, orel.ptr, nrel.ptr, on.ptr);
		gw_str_printf(&pat, " REFERENCES %s(", orel.ptr);
		gw_str_printf(&rep, " REFERENCES %s(", nrel.ptr);
		/* An empty pattern (out of memory) would be found forever. */
		if (pat.failed || rep.failed)
			goto cleanup;
		gw_str_clear(text);
		{
			const char *p = out.ptr, *hit;
			while ((hit = strstr(p, pat.ptr))) {
				gw_str_put(text, p, (size_t)(hit - p));
				gw_str_puts(text, rep.ptr);
				p = hit + pat.size;
			}
			gw_str_puts(text, p);
		}
		goto cleanup;
	}
	/* A column: "nsp.table.column". */
	{
		const char *p = old.ptr, *last = NULL, *e;
		int dots = 0;
		for (e = gw_sql__ident_end(p); *e == '.'; e = gw_sql__ident_end(e + 1))
			last = e, dots++;
		if (dots < 2) {
			error = gw_error_set(ctx, GW_EINVALID,
			                     "%s: %s is no table, view, sequence or type, nor a "
			                     "column (schema.table.column)",
			                     subj.ptr, old.ptr);
			goto cleanup;
		}
		gw_str_put(&on, old.ptr, (size_t)(last - old.ptr));
		gw_str_puts(&orel, last + 1);
		p = neu.ptr;
		last = NULL;
		for (e = gw_sql__ident_end(p); *e == '.'; e = gw_sql__ident_end(e + 1))
			last = e;
		if (last) {
			gw_str_put(&nn, neu.ptr, (size_t)(last - neu.ptr));
			gw_str_puts(&nrel, last + 1);
		}
	}
	gw_str_printf(&pat, "column %s", orel.ptr);
	if (on.failed || orel.failed || nn.failed || nrel.failed || pat.failed)
		goto cleanup;
	if (!(t = gw_sql__find(from, "table", on.ptr)) || !gw_sql__member(t, pat.ptr, pat.size)) {
		error = gw_error_set(ctx, GW_EINVALID, "%s: the source schema has no %s", subj.ptr,
		                     old.ptr);
		goto cleanup;
	}
	if (strcmp(on.ptr, nn.ptr) != 0 || !nrel.size) {
		error = gw_error_set(ctx, GW_EINVALID, "%s: a column keeps its table (%s.NEW)",
		                     subj.ptr, on.ptr);
		goto cleanup;
	}
	gw_sql__emit(q, GW_SQ_RENAME, "ALTER TABLE %s RENAME COLUMN %s TO %s", on.ptr, orel.ptr,
	             nrel.ptr);
	{
		/* Only inside the table's block: from its header to the blank
		 * line after it. */
		const char *start, *end;
		gw_str head = GW_STR_INIT;
		gw_str_printf(&head, "\ntable %s\n", on.ptr);
		if (head.failed) {
			gw_str_dispose(&head);
			error = gw_error_oom(ctx);
			goto cleanup;
		}
		start = strstr(text->ptr, head.ptr);
		gw_str_dispose(&head);
		if (!start)
			goto cleanup;
		end = strstr(start + 1, "\n\n");
		if (!end)
			end = text->ptr + text->size;
		gw_str_put(&out, text->ptr, (size_t)(start - text->ptr));
		replace_word(&out, start, (size_t)(end - start), orel.ptr, nrel.ptr);
		gw_str_puts(&out, end);
		gw_str_clear(text);
		gw_str_put(text, out.ptr, out.size);
	}
cleanup:
	if (error == 0 &&
	    (q->failed || text->failed || out.failed || pat.failed || rep.failed || subj.failed ||
	     old.failed || neu.failed || on.failed || orel.failed || nn.failed || nrel.failed))
		error = gw_error_oom(ctx);
	gw_str_dispose(&old);
	gw_str_dispose(&neu);
	gw_str_dispose(&on);
	gw_str_dispose(&orel);
	gw_str_dispose(&nn);
	gw_str_dispose(&nrel);
	gw_str_dispose(&out);
	gw_str_dispose(&pat);
	gw_str_dispose(&rep);
	gw_str_dispose(&subj);
	return error;
}

/* `from` with the renames made: what the script's RENAME statements turn
 * it into, compared with `to` for the rest. */
int gw_sql__apply_renames(gw_schema **out, gw_sql *q, const gw_schema *from, const gw_schema *to,
                          const gw_sql_options *o, gw_ctx *ctx)
{
	gw_str text = GW_STR_INIT;
	char *t = NULL;
	size_t i;
	int error;

	if (gw_schema_text(&t, from) < 0)
		return gw_error_oom(ctx);
	gw_str_puts(&text, t);
	free(t);
	/* Each rename sees the names the ones before it made. */
	for (i = 0; i < o->nrenames; i++) {
		gw_schema *cur = NULL;
		if (text.failed) {
			error = gw_error_oom(ctx);
			goto cleanup;
		}
		if ((error = gw_schema_parse(&cur, text.ptr, text.size, ctx)) < 0)
			goto cleanup;
		error = rename_one(&text, q, cur, to, o->renames[i], ctx);
		gw_schema_free(cur);
		if (error < 0)
			goto cleanup;
	}
	error = text.failed ? gw_error_oom(ctx) : gw_schema_parse(out, text.ptr, text.size, ctx);
cleanup:
	gw_str_dispose(&text);
	return error;
}
