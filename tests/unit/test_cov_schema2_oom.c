/*
 * test_cov_schema2_oom.c: running out of memory while parsing, writing,
 * comparing snapshots or writing the SQL between two of them
 * (src/lib/schema.c, schema_diff.c, schema_sql*.c) is GW_ENOMEM, never a
 * crash and never a result with a part missing: for N = 1, 2, ... the Nth
 * allocation of one call fails (the executable is linked with --wrap for
 * the allocation functions, tests/CMakeLists.txt), and the call either
 * fails with GW_ENOMEM (and "out of memory" on the context when it takes
 * one) or returns exactly what it returns with memory to spare: the
 * script, its three parts, its warnings, its counts.
 *
 * The snapshots (tests/data/schema2/) were dumped from real databases:
 * two PostgreSQL schemas that differ in nearly every kind of object
 * (enums, domains, composite types, sequences, functions, identity and
 * generated columns, keys, indexes, triggers, policies, views over
 * views, a materialized view, partitions, comments, owners and grants)
 * and two SQLite ones (rebuilt tables, indexes, triggers, views).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "godwit.h"
#include "godwit/generate.h"
#include "util/str.h"
#include "oom.h"

static char *slurp(const char *name)
{
	const char *dir = getenv("GW_TEST_DATA");
	char path[4096], *buf;
	FILE *f;
	long n;

	assert_non_null(dir);
	snprintf(path, sizeof(path), "%s/schema2/%s", dir, name);
	assert_non_null(f = fopen(path, "rb"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((n = ftell(f)) > 0);
	rewind(f);
	assert_non_null(buf = malloc((size_t)n + 1));
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static gw_schema *parse(const char *text)
{
	gw_schema *s = NULL;
	gw_ctx *ctx = NULL;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_schema_parse(&s, text, strlen(text), ctx), 0);
	gw_ctx_free(ctx);
	return s;
}

/* One call: it fills *result (rendered afterwards, with memory to spare)
 * or fails. */
typedef struct call {
	const char *what;
	int (*run)(struct call *c, gw_ctx *ctx);
	char *(*render)(struct call *c); /* and frees the result */
	const char *text;
	const gw_schema *a, *b;
	const gw_sql_options *o;
	void *result;
} call;

/* A failed call said why: GW_ENOMEM, and "out of memory" when it has a
 * context; nothing was returned. */
static void check_failure(call *c, int error, gw_ctx *ctx)
{
	const gw_error *e = gw_ctx_error(ctx);

	if (error != GW_ENOMEM)
		fail_msg("%s returned %d at allocation %ld: %s", c->what, error, oom_failing(),
		         e ? e->message : "no message");
	if (e && (e->code != GW_ENOMEM || !strstr(e->message, "out of memory")))
		fail_msg("%s at allocation %ld: %d %s", c->what, oom_failing(), e->code,
		         e->message);
	if (c->result)
		fail_msg("%s failed at allocation %ld with a result", c->what, oom_failing());
}

/* Fails each allocation of the call in turn; returns how many it makes. */
static long each_allocation(call *c)
{
	char *expected, *got;
	gw_ctx *ctx = NULL;
	long n;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	c->result = NULL;
	assert_int_equal(c->run(c, ctx), 0);
	expected = c->render(c);
	for (n = 1;; n++) {
		int error, reached;

		c->result = NULL;
		gw_ctx_clear_error(ctx);
		oom_fail_at(n);
		error = c->run(c, ctx);
		reached = oom_reached();
		if (error < 0) {
			check_failure(c, error, ctx);
		} else {
			got = c->render(c);
			if (strcmp(got, expected) != 0)
				fail_msg("%s at allocation %ld returned:\n%s\ninstead of:\n%s",
				         c->what, n, got, expected);
			free(got);
		}
		if (!reached)
			break;
	}
	free(expected);
	gw_ctx_free(ctx);
	return n;
}

/* ---- the calls ----------------------------------------------------------- */

static int run_parse(call *c, gw_ctx *ctx)
{
	return gw_schema_parse((gw_schema **)&c->result, c->text, strlen(c->text), ctx);
}

static char *render_schema(call *c)
{
	char *text = NULL;

	assert_int_equal(gw_schema_text(&text, c->result), 0);
	gw_schema_free(c->result);
	return text;
}

static int run_text(call *c, gw_ctx *ctx)
{
	(void)ctx;
	return gw_schema_text((char **)&c->result, c->a);
}

static char hash[65];

static int run_hash(call *c, gw_ctx *ctx)
{
	int error;

	(void)ctx;
	if ((error = gw_schema_hash(hash, c->a)) == 0)
		c->result = hash;
	return error;
}

static char *render_hash(call *c)
{
	char *copy = strdup(c->result);

	assert_non_null(copy);
	return copy;
}

static char *render_string(call *c)
{
	return c->result;
}

static int run_diff(call *c, gw_ctx *ctx)
{
	(void)ctx;
	return gw_schema_diff_compute((gw_schema_diff **)&c->result, c->a, c->b);
}

static char *render_diff(call *c)
{
	char *text = NULL;

	assert_int_equal(gw_schema_diff_text(&text, c->result), 0);
	gw_schema_diff_free(c->result);
	return text;
}

static int run_diff_text(call *c, gw_ctx *ctx)
{
	gw_schema_diff *d = NULL;
	int error;

	(void)ctx;
	oom_fail_at(-1);
	assert_int_equal(gw_schema_diff_compute(&d, c->a, c->b), 0);
	oom_fail_at(oom_failing());
	error = gw_schema_diff_text((char **)&c->result, d);
	gw_schema_diff_free(d);
	return error;
}

static int run_sql(call *c, gw_ctx *ctx)
{
	return gw_schema_sql((gw_sql **)&c->result, c->a, c->b, c->o, ctx);
}

/* Everything a script says. */
static char *render_sql(call *c)
{
	gw_sql *q = c->result;
	gw_str s = GW_STR_INIT;
	size_t i;

	gw_str_printf(&s, "%s\n== head%s\n%s\n== middle\n%s\n== tail\n%s\n", gw_sql_text(q),
	              gw_sql_head_no_transaction(q) ? " (no transaction)" : "", gw_sql_head(q),
	              gw_sql_middle(q), gw_sql_tail(q));
	gw_str_printf(&s, "== %zu statements, %zu unexpressed\n", gw_sql_count(q),
	              gw_sql_unexpressed(q));
	for (i = 0; i < gw_sql_warning_count(q); i++)
		gw_str_printf(&s, "== warning: %s\n", gw_sql_warning(q, i));
	assert_false(s.failed);
	gw_sql_free(q);
	return gw_str_detach(&s);
}

/* ---- the tests ------------------------------------------------------------ */

typedef struct {
	char *pg_a, *pg_b, *sqlite_a, *sqlite_b;
	gw_schema *pa, *pb, *sa, *sb;
} data;

static int setup(void **state)
{
	data *d = calloc(1, sizeof(*d));

	assert_non_null(d);
	d->pg_a = slurp("pg_a.snap");
	d->pg_b = slurp("pg_b.snap");
	d->sqlite_a = slurp("sqlite_a.snap");
	d->sqlite_b = slurp("sqlite_b.snap");
	d->pa = parse(d->pg_a);
	d->pb = parse(d->pg_b);
	d->sa = parse(d->sqlite_a);
	d->sb = parse(d->sqlite_b);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	data *d = *state;

	gw_schema_free(d->pa);
	gw_schema_free(d->pb);
	gw_schema_free(d->sa);
	gw_schema_free(d->sb);
	free(d->pg_a);
	free(d->pg_b);
	free(d->sqlite_a);
	free(d->sqlite_b);
	free(d);
	return 0;
}

/* Parsed and written again, the text is the file's, byte for byte. */
static void test_parse_and_text(void **state)
{
	data *d = *state;
	const char *texts[] = {d->pg_a, d->pg_b, d->sqlite_a, d->sqlite_b};
	const gw_schema *schemas[] = {d->pa, d->pb, d->sa, d->sb};
	size_t i;

	for (i = 0; i < 4; i++) {
		call parse_call = {"gw_schema_parse",
		                   run_parse,
		                   render_schema,
		                   texts[i],
		                   NULL,
		                   NULL,
		                   NULL,
		                   NULL};
		call text_call = {"gw_schema_text", run_text, render_string, NULL,
		                  schemas[i],       NULL,     NULL,          NULL};
		call hash_call = {"gw_schema_hash", run_hash, render_hash, NULL,
		                  schemas[i],       NULL,     NULL,        NULL};
		char *text = NULL;

		assert_int_equal(gw_schema_text(&text, schemas[i]), 0);
		assert_string_equal(text, texts[i]);
		free(text);
		assert_true(each_allocation(&parse_call) > 50);
		assert_true(each_allocation(&text_call) > 1);
		each_allocation(&hash_call);
	}
}

static void test_diff(void **state)
{
	data *d = *state;
	call calls[] = {
	        {"gw_schema_diff_compute", run_diff, render_diff, NULL, d->pa, d->pb, NULL, NULL},
	        {"gw_schema_diff_compute", run_diff, render_diff, NULL, d->pb, d->pa, NULL, NULL},
	        {"gw_schema_diff_compute", run_diff, render_diff, NULL, d->sa, d->sb, NULL, NULL},
	        {"gw_schema_diff_text", run_diff_text, render_string, NULL, d->pa, d->pb, NULL,
	         NULL},
	        {"gw_schema_diff_text", run_diff_text, render_string, NULL, d->sb, d->sa, NULL,
	         NULL},
	};
	size_t i;

	for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
		assert_true(each_allocation(&calls[i]) > 5);
}

/* A table renamed, with its key, an index and a foreign key that points
 * at it, then one of its columns. */
static const char rename_a[] = "-- godwit schema snapshot (postgres)\n"
                               "\n"
                               "table app.gone\n"
                               "  column id integer not null\n"
                               "  column x integer\n"
                               "  constraint gone_pkey PRIMARY KEY (id)\n"
                               "  index gone_x CREATE INDEX gone_x ON app.gone USING btree (x)\n"
                               "\n"
                               "table app.other\n"
                               "  column g integer\n"
                               "  constraint other_g_fkey FOREIGN KEY (g) REFERENCES "
                               "app.gone(id)\n";
static const char rename_b[] = "-- godwit schema snapshot (postgres)\n"
                               "\n"
                               "table app.kept\n"
                               "  column id integer not null\n"
                               "  column y integer\n"
                               "  constraint kept_pkey PRIMARY KEY (id)\n"
                               "  index kept_x CREATE INDEX kept_x ON app.kept USING btree (y)\n"
                               "\n"
                               "table app.other\n"
                               "  column g integer\n"
                               "  constraint other_g_fkey FOREIGN KEY (g) REFERENCES "
                               "app.kept(id)\n";

/* The script each way, live-safe and plain, with owners and grants,
 * with renames, with the columns appended. */
static void test_sql(void **state)
{
	static const char *const renames[] = {"app.gone=app.kept", "app.kept.x=app.kept.y"};
	data *d = *state;
	gw_sql_options safe = GW_SQL_OPTIONS_INIT, plain = GW_SQL_OPTIONS_INIT;
	gw_sql_options priv = GW_SQL_OPTIONS_INIT, append = GW_SQL_OPTIONS_INIT;
	gw_sql_options renamed = GW_SQL_OPTIONS_INIT;
	gw_schema *ra = parse(rename_a), *rb = parse(rename_b);
	size_t i;

	plain.plain = 1;
	priv.privileges = 1;
	append.column_order_append = 1;
	renamed.renames = renames;
	renamed.nrenames = 2;
	{
		call calls[] = {
		        {"gw_schema_sql", run_sql, render_sql, NULL, d->pa, d->pb, &safe, NULL},
		        {"gw_schema_sql", run_sql, render_sql, NULL, d->pb, d->pa, &safe, NULL},
		        {"gw_schema_sql", run_sql, render_sql, NULL, d->pa, d->pb, &plain, NULL},
		        {"gw_schema_sql", run_sql, render_sql, NULL, d->pb, d->pa, &priv, NULL},
		        {"gw_schema_sql", run_sql, render_sql, NULL, d->pa, d->pb, &append, NULL},
		        {"gw_schema_sql", run_sql, render_sql, NULL, ra, rb, &renamed, NULL},
		        {"gw_schema_sql", run_sql, render_sql, NULL, d->sa, d->sb, &safe, NULL},
		        {"gw_schema_sql", run_sql, render_sql, NULL, d->sb, d->sa, &safe, NULL},
		};
		for (i = 0; i < sizeof(calls) / sizeof(calls[0]); i++)
			assert_true(each_allocation(&calls[i]) > 20);
	}
	gw_schema_free(ra);
	gw_schema_free(rb);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_parse_and_text),
	        cmocka_unit_test(test_diff),
	        cmocka_unit_test(test_sql),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
