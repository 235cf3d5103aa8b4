/*
 * pgquery.c: the bridge to libpg_query, the real PostgreSQL parser, which
 * it loads on first use (pgq.h). It and pgq.c are the only files that
 * call the parser.
 *
 * The parser splits the migration (exact boundaries, syntax errors with a
 * position), and the few statements that could control the transaction or
 * be refused inside one are parsed again into a tree whose node says which
 * they are. See gw_sql__split_postgres for why not one full parse.
 */
#include <stdlib.h>
#include <string.h>

#include "pgq.h"
#include "sql.h"
#include "../../util/error.h"
#include "../../util/str.h"
#include "../../util/text.h"

const char *gw_sql_parser_version(void)
{
#ifdef GW_PGQUERY_SONAME
	return "libpg_query " PG_VERSION " (" GW_PGQUERY_SONAME ", loaded on first use)";
#else
	return "libpg_query " PG_VERSION;
#endif
}

/* A DefElem option as a boolean the way PostgreSQL's defGetBoolean reads
 * it: no value means true. */
static int option_true(const PgQuery__DefElem *def)
{
	const PgQuery__Node *arg = def->arg;
	const char *s;

	if (!arg)
		return 1;
	switch (arg->node_case) {
	case PG_QUERY__NODE__NODE_BOOLEAN:
		return arg->boolean->boolval;
	case PG_QUERY__NODE__NODE_INTEGER:
		return arg->integer->ival != 0;
	case PG_QUERY__NODE__NODE_STRING:
		s = arg->string->sval;
		return strcmp(s, "false") && strcmp(s, "off") && strcmp(s, "0");
	default:
		return 1;
	}
}

/* The value of a boolean option in a WITH (...) list; dflt when absent. */
static int option(PgQuery__Node **opts, size_t n, const char *name, int dflt)
{
	size_t i;

	for (i = 0; i < n; i++) {
		if (opts[i]->node_case == PG_QUERY__NODE__NODE_DEF_ELEM &&
		    !strcmp(opts[i]->def_elem->defname, name))
			return option_true(opts[i]->def_elem);
	}
	return dflt;
}

static int option_present(PgQuery__Node **opts, size_t n, const char *name)
{
	return option(opts, n, name, -1) != -1;
}

static int reindex_no_tx(const PgQuery__ReindexStmt *r)
{
	/* REINDEX SCHEMA/SYSTEM/DATABASE commit per table. */
	return option(r->params, r->n_params, "concurrently", 0) ||
	       r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SCHEMA ||
	       r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_SYSTEM ||
	       r->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_DATABASE;
}

static int alter_table_no_tx(const PgQuery__AlterTableStmt *a)
{
	size_t i;

	/* DETACH PARTITION ... CONCURRENTLY */
	for (i = 0; i < a->n_cmds; i++) {
		const PgQuery__Node *cmd = a->cmds[i];
		const PgQuery__Node *def;

		if (cmd->node_case != PG_QUERY__NODE__NODE_ALTER_TABLE_CMD)
			continue;
		def = cmd->alter_table_cmd->def;
		if (def && def->node_case == PG_QUERY__NODE__NODE_PARTITION_CMD &&
		    def->partition_cmd->concurrent)
			return 1;
	}
	return 0;
}

static int alter_subscription_no_tx(const PgQuery__AlterSubscriptionStmt *a)
{
	switch (a->kind) {
	case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_REFRESH:
		return 1;
	case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_SET_PUBLICATION:
	case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_ADD_PUBLICATION:
	case PG_QUERY__ALTER_SUBSCRIPTION_TYPE__ALTER_SUBSCRIPTION_DROP_PUBLICATION:
		return option(a->options, a->n_options, "refresh", 1);
	default:
		return 0;
	}
}

/* The statements PostgreSQL refuses inside a transaction block
 * (PreventInTransactionBlock in the server). ANALYZE alone and ALTER TYPE
 * ... ADD VALUE (since PostgreSQL 12) are allowed there and stay plain. */
static gw_stmt_kind classify(const PgQuery__Node *n)
{
	if (!n)
		return GW_STMT_PLAIN;
	switch (n->node_case) {
	case PG_QUERY__NODE__NODE_TRANSACTION_STMT:
		return GW_STMT_TRANSACTION;
	case PG_QUERY__NODE__NODE_COPY_STMT:
		/* protobuf-c gives an absent string as "", not NULL. */
		return n->copy_stmt->is_from && !*n->copy_stmt->filename &&
		                       !n->copy_stmt->is_program
		               ? GW_STMT_COPY_STDIN
		               : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_INDEX_STMT:
		return n->index_stmt->concurrent ? GW_STMT_NO_TX : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_DROP_STMT:
		return n->drop_stmt->concurrent ? GW_STMT_NO_TX : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_REINDEX_STMT:
		return reindex_no_tx(n->reindex_stmt) ? GW_STMT_NO_TX : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_ALTER_TABLE_STMT:
		return alter_table_no_tx(n->alter_table_stmt) ? GW_STMT_NO_TX : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_VACUUM_STMT:
		return n->vacuum_stmt->is_vacuumcmd ? GW_STMT_NO_TX : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_CLUSTER_STMT:
		/* Only the form without a table commits per table. */
		return n->cluster_stmt->relation ? GW_STMT_PLAIN : GW_STMT_NO_TX;
	case PG_QUERY__NODE__NODE_ALTER_DATABASE_STMT:
		return option_present(n->alter_database_stmt->options,
		                      n->alter_database_stmt->n_options, "tablespace")
		               ? GW_STMT_NO_TX
		               : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_CREATE_SUBSCRIPTION_STMT:
		/* create_slot defaults to connect, which defaults to true. */
		return option(n->create_subscription_stmt->options,
		              n->create_subscription_stmt->n_options, "create_slot",
		              option(n->create_subscription_stmt->options,
		                     n->create_subscription_stmt->n_options, "connect", 1))
		               ? GW_STMT_NO_TX
		               : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_ALTER_SUBSCRIPTION_STMT:
		return alter_subscription_no_tx(n->alter_subscription_stmt) ? GW_STMT_NO_TX
		                                                            : GW_STMT_PLAIN;
	case PG_QUERY__NODE__NODE_DROP_SUBSCRIPTION_STMT: /* refused when it has a slot */
	case PG_QUERY__NODE__NODE_ALTER_SYSTEM_STMT:
	case PG_QUERY__NODE__NODE_CREATEDB_STMT:
	case PG_QUERY__NODE__NODE_DROPDB_STMT:
	case PG_QUERY__NODE__NODE_CREATE_TABLE_SPACE_STMT:
	case PG_QUERY__NODE__NODE_DROP_TABLE_SPACE_STMT:
		return GW_STMT_NO_TX;
	default:
		return GW_STMT_PLAIN;
	}
}

static int syntax_error(const PgQueryError *err, const char *text, size_t len, size_t *error_offset,
                        gw_ctx *ctx)
{
	/* cursorpos counts characters from 1; 0 means the parser gave none. */
	if (error_offset)
		*error_offset =
		        err->cursorpos > 0 ? gw_text_char_to_byte(text, len, err->cursorpos) : 0;
	return gw_error_set(ctx, GW_ESYNTAX, "%s", err->message ? err->message : "syntax error");
}

static int contains_ci(const char *text, size_t len, const char *word)
{
	size_t n = strlen(word), i, j;

	for (i = 0; i + n <= len; i++) {
		for (j = 0; j < n && (text[i + j] | 0x20) == word[j]; j++)
			;
		if (j == n)
			return 1;
	}
	return 0;
}

/* Whether a statement could be anything but GW_STMT_PLAIN, from its first
 * keywords: every transaction control statement and every statement that
 * PostgreSQL refuses in a transaction block starts with one of these, or
 * (the index and partition forms) says CONCURRENTLY. A false positive only
 * costs a parse. */
static int maybe_special(const char *text, size_t len)
{
	static const char *const first[] = {
	        "BEGIN",   "START",   "COMMIT", "END",     "ROLLBACK", "ABORT", "SAVEPOINT",
	        "RELEASE", "PREPARE", "VACUUM", "CLUSTER", "REINDEX",  "COPY",  NULL};
	static const char *const second[] = {"DATABASE", "TABLESPACE", "SUBSCRIPTION", "SYSTEM",
	                                     NULL};
	const char *const *k;
	char buf[64];
	const char *kw = gw_sql_stmt_keyword(text, len, buf, sizeof(buf)), *sp = strchr(kw, ' ');
	size_t n = sp ? (size_t)(sp - kw) : strlen(kw);

	for (k = first; *k; k++)
		if (strlen(*k) == n && !memcmp(kw, *k, n))
			return 1;
	if (sp &&
	    (!strncmp(kw, "CREATE ", 7) || !strncmp(kw, "DROP ", 5) || !strncmp(kw, "ALTER ", 6)))
		for (k = second; *k; k++)
			if (!strcmp(sp + 1, *k))
				return 1;
	return contains_ci(text, len, "concurrently");
}

/* Parses the one statement copy[off, end) to classify it. The split has
 * parsed it already, so an error here is unexpected; it is still reported
 * at the right place. */
static int classify_one(gw_stmt_kind *kind, char *copy, size_t off, size_t end,
                        size_t *error_offset, gw_ctx *ctx)
{
	PgQueryProtobufParseResult res;
	PgQuery__ParseResult *tree = NULL;
	char saved = copy[end];
	int error = 0;

	*kind = GW_STMT_PLAIN;
	copy[end] = '\0';
	res = pg_query_parse_protobuf(copy + off);
	copy[end] = saved;
	if (res.error) {
		error = syntax_error(res.error, copy + off, end - off, error_offset, ctx);
		if (error_offset)
			*error_offset += off;
		goto cleanup;
	}
	tree = pg_query__parse_result__unpack(NULL, res.parse_tree.len,
	                                      (const uint8_t *)res.parse_tree.data);
	if (!tree) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if (tree->n_stmts)
		*kind = classify(tree->stmts[0]->stmt);
cleanup:
	if (tree)
		pg_query__parse_result__free_unpacked(tree, NULL);
	pg_query_free_protobuf_parse_result(res);
	return error;
}

/* Turns the split's statements into statements of the caller's text. */
static int collect(gw_sql_list *out, const PgQuerySplitResult *split, char *copy, size_t len,
                   size_t *error_offset, gw_ctx *ctx)
{
	size_t i, start, end, off;
	gw_stmt_kind kind;
	int error;

	if (split->n_stmts <= 0)
		return 0;
	if (!(out->items = calloc((size_t)split->n_stmts, sizeof(*out->items))))
		return gw_error_oom(ctx);
	for (i = 0; i < (size_t)split->n_stmts; i++) {
		const PgQuerySplitStmt *st = split->stmts[i];

		/* stmt_location starts after the previous ';', so it takes in
		 * the blanks and comments between statements; stmt_len 0
		 * means "to the end of the text". */
		start = st->stmt_location > 0 ? (size_t)st->stmt_location : 0;
		end = st->stmt_len > 0 ? start + (size_t)st->stmt_len : len;
		if (start > len)
			start = len;
		if (end > len)
			end = len;
		off = gw_text_skip_space_comments(copy, end, start);
		while (end > off && gw_is_space(copy[end - 1]))
			end--;
		if (off >= end)
			continue;
		kind = GW_STMT_PLAIN;
		if (maybe_special(copy + off, end - off) &&
		    (error = classify_one(&kind, copy, off, end, error_offset, ctx)) < 0)
			return error;
		out->items[out->count].offset = off;
		out->items[out->count].len = end - off;
		out->items[out->count].kind = kind;
		out->count++;
	}
	return 0;
}

/* A full parse tree per migration through protobuf costs about ten times
 * the parser's own split (measured: 38 us against 3.4 us for a two
 * statement migration), and only a handful of statement types are not
 * plain. So the text is split once by the parser, and only statements
 * whose first words could make them special are parsed to classify them. */
int gw_sql__split_postgres(gw_sql_list *out, const char *text, size_t len, size_t *error_offset,
                           gw_ctx *ctx)
{
	PgQuerySplitResult split;
	const char *nul = memchr(text, '\0', len);
	char *copy = NULL;
	int parsed = 0, error;

	/* The parser reads a C string: a NUL byte would silently end the
	 * migration there. */
	if (nul) {
		if (error_offset)
			*error_offset = (size_t)(nul - text);
		return gw_error_set(ctx, GW_ESYNTAX, "a NUL byte in the SQL text");
	}
	if ((error = gw_pgq_load(ctx)) < 0)
		return error;
	if (!(copy = malloc(len + 1))) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	memcpy(copy, text, len);
	copy[len] = '\0';
	split = pg_query_split_with_parser(copy);
	parsed = 1;
	if (split.error) {
		error = syntax_error(split.error, text, len, error_offset, ctx);
		goto cleanup;
	}
	error = collect(out, &split, copy, len, error_offset, ctx);
cleanup:
	if (parsed)
		pg_query_free_split_result(split);
	free(copy);
	return error;
}

/* ---- for the linter ------------------------------------------------------ */

/* A NUL-terminated copy: the parser reads C strings. A NUL inside the
 * text is reported like a syntax error, since the parser would silently
 * stop there. */
static int c_copy(char **out, const char *text, size_t len, gw_str *syntax, size_t *error_offset,
                  gw_ctx *ctx)
{
	const char *nul = memchr(text, '\0', len);

	*out = NULL;
	if (nul) {
		if (error_offset)
			*error_offset = (size_t)(nul - text);
		return gw_str_sets(syntax, "a NUL byte in the SQL text") < 0 ? gw_error_oom(ctx)
		                                                             : 1;
	}
	if (!(*out = malloc(len + 1)))
		return gw_error_oom(ctx);
	memcpy(*out, text, len);
	(*out)[len] = '\0';
	return 0;
}

int gw_sql_parse_tree(PgQuery__ParseResult **out, const char *text, size_t len, gw_str *syntax,
                      size_t *error_offset, gw_ctx *ctx)
{
	PgQueryProtobufParseResult res;
	char *copy = NULL;
	int parsed = 0, error;

	*out = NULL;
	if ((error = gw_pgq_load(ctx)) < 0)
		return error;
	if ((error = c_copy(&copy, text, len, syntax, error_offset, ctx)) != 0)
		return error < 0 ? error : 0;
	res = pg_query_parse_protobuf(copy);
	parsed = 1;
	if (res.error) {
		if (error_offset)
			*error_offset =
			        res.error->cursorpos > 0
			                ? gw_text_char_to_byte(text, len, res.error->cursorpos)
			                : 0;
		error = gw_str_sets(syntax,
		                    res.error->message ? res.error->message : "syntax error");
		error = error < 0 ? gw_error_oom(ctx) : 0;
		goto cleanup;
	}
	*out = pg_query__parse_result__unpack(NULL, res.parse_tree.len,
	                                      (const uint8_t *)res.parse_tree.data);
	error = *out ? 0 : gw_error_oom(ctx);
cleanup:
	if (parsed)
		pg_query_free_protobuf_parse_result(res);
	free(copy);
	return error;
}

void gw_sql_parse_tree_free(PgQuery__ParseResult *tree)
{
	if (tree)
		pg_query__parse_result__free_unpacked(tree, NULL);
}

/* The PL/pgSQL compiler reports no cursor position, only "compilation of
 * PL/pgSQL function "f" near line N" in the error's context. */
static int near_line_of(const char *context)
{
	const char *p = context ? strstr(context, " near line ") : NULL;

	return p ? atoi(p + 11) : 0;
}

int gw_sql_check_plpgsql(const char *stmt, size_t len, gw_str *message, int *near_line, gw_ctx *ctx)
{
	PgQueryPlpgsqlParseResult res;
	char *copy = NULL;
	int error;

	*near_line = 0;
	if ((error = gw_pgq_load(ctx)) < 0)
		return error;
	if ((error = c_copy(&copy, stmt, len, message, NULL, ctx)) != 0)
		return error;
	res = pg_query_parse_plpgsql(copy);
	if (res.error) {
		*near_line = near_line_of(res.error->context);
		error = gw_str_sets(message,
		                    res.error->message ? res.error->message : "syntax error");
		error = error < 0 ? gw_error_oom(ctx) : 1;
	}
	pg_query_free_plpgsql_parse_result(res);
	free(copy);
	return error;
}

gw_stmt_kind gw_sql_classify_node(const PgQuery__Node *stmt)
{
	return classify(stmt);
}

/* ---- concurrent index builds --------------------------------------------- */

static int set_names(gw_index_build *b, const PgQuery__RangeVar *rv, const char *index,
                     gw_index_build_kind kind, gw_ctx *ctx)
{
	if (!rv || !*rv->relname)
		return 0;
	b->kind = kind;
	b->schema = *rv->schemaname ? gw_strdup(rv->schemaname) : NULL;
	if (kind == GW_INDEX_BUILD_REINDEX_INDEX) {
		b->index = gw_strdup(rv->relname);
	} else {
		b->table = gw_strdup(rv->relname);
		b->index = index ? gw_strdup(index) : NULL;
	}
	if ((*rv->schemaname && !b->schema) ||
	    (kind != GW_INDEX_BUILD_REINDEX_TABLE && !b->index) ||
	    (kind != GW_INDEX_BUILD_REINDEX_INDEX && !b->table)) {
		gw_index_build_dispose(b);
		return gw_error_oom(ctx);
	}
	return 0;
}

int gw_sql_index_build(gw_index_build *out, const char *text, size_t len, gw_ctx *ctx)
{
	PgQuery__ParseResult *tree = NULL;
	const PgQuery__Node *n;
	gw_str syntax = GW_STR_INIT;
	int error;

	memset(out, 0, sizeof(*out));
	if ((error = gw_sql_parse_tree(&tree, text, len, &syntax, NULL, ctx)) < 0 || !tree ||
	    tree->n_stmts != 1 || !(n = tree->stmts[0]->stmt))
		goto cleanup;
	if (n->node_case == PG_QUERY__NODE__NODE_INDEX_STMT && n->index_stmt->concurrent &&
	    *n->index_stmt->idxname) {
		out->if_not_exists = n->index_stmt->if_not_exists;
		error = set_names(out, n->index_stmt->relation, n->index_stmt->idxname,
		                  GW_INDEX_BUILD_CREATE, ctx);
	} else if (n->node_case == PG_QUERY__NODE__NODE_REINDEX_STMT &&
	           option(n->reindex_stmt->params, n->reindex_stmt->n_params, "concurrently", 0)) {
		if (n->reindex_stmt->kind == PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_INDEX)
			error = set_names(out, n->reindex_stmt->relation, NULL,
			                  GW_INDEX_BUILD_REINDEX_INDEX, ctx);
		else if (n->reindex_stmt->kind ==
		         PG_QUERY__REINDEX_OBJECT_TYPE__REINDEX_OBJECT_TABLE)
			error = set_names(out, n->reindex_stmt->relation, NULL,
			                  GW_INDEX_BUILD_REINDEX_TABLE, ctx);
	}
cleanup:
	gw_str_dispose(&syntax);
	gw_sql_parse_tree_free(tree);
	return error < 0 ? error : 0;
}

void gw_index_build_dispose(gw_index_build *b)
{
	free(b->schema);
	free(b->table);
	free(b->index);
	memset(b, 0, sizeof(*b));
}
