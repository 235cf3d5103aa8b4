/*
 * test_graph.c: the migrations as a graph (gw_project_graph, gw_graph_dot)
 * and what a run tells its caller as it goes: the progress callback
 * (gw_project_set_progress) and the statements of gw_ctx_set_verbose,
 * through the public API on a real SQLite file.
 */
#include "project_fixture.h"

#include "godwit/graph.h"

static int setup(void **state)
{
	return fx_setup_named(state, "graph");
}

/* "from>to kind" of each edge, one a line. */
static void edges(const gw_graph *g, char *out, size_t size)
{
	const gw_status *st = gw_graph_status(g);
	size_t i, len = 0;

	out[0] = '\0';
	for (i = 0; i < gw_graph_edge_count(g); i++) {
		const gw_graph_edge *e = gw_graph_edge_get(g, i);

		len += (size_t)snprintf(
		        out + len, size - len, "%s>%s %s %d\n", gw_status_get(st, e->from)->version,
		        gw_status_get(st, e->to)->version,
		        e->kind == GW_GRAPH_DEPENDS_ON ? "depends-on" : "order", e->line);
	}
}

static void test_a_diamond_has_its_four_edges_and_no_order_edges(void **state)
{
	fixture *f = *state;
	gw_up_options o = GW_UP_OPTIONS_INIT;
	gw_graph *g = NULL;
	char *dot = NULL, got[1024];

	fx_write(f->migrations, "2026-01-01_base.sql", "CREATE TABLE base (id int);\n");
	fx_write(f->migrations, "2026-01-02_left.sql",
	         "-- @depends-on: 2026-01-01_base.sql\nCREATE TABLE l (id int);\n");
	fx_write(f->migrations, "2026-01-03_right.sql",
	         "-- @depends-on: 2026-01-01_base.sql\nCREATE TABLE r (id int);\n");
	fx_write(f->migrations, "2026-01-04_join.sql",
	         "-- a comment first\n-- @depends-on: 2026-01-02_left.sql, "
	         "2026-01-03_right.sql\nCREATE TABLE j (id int);\n");
	o.to = "2026-01-02_left";
	assert_int_equal(gw_project_up(NULL, f->p, &o), 0);
	assert_int_equal(gw_project_graph(&g, f->p), 0);
	assert_int_equal(gw_graph_linear(g), 0);
	assert_int_equal(gw_status_count(gw_graph_status(g)), 4);
	assert_int_equal(gw_status_get(gw_graph_status(g), 1)->state, GW_STATE_APPLIED);
	assert_int_equal(gw_status_get(gw_graph_status(g), 3)->state, GW_STATE_PENDING);
	edges(g, got, sizeof(got));
	assert_string_equal(got, "2026-01-01_base>2026-01-02_left depends-on 1\n"
	                         "2026-01-01_base>2026-01-03_right depends-on 1\n"
	                         "2026-01-02_left>2026-01-04_join depends-on 2\n"
	                         "2026-01-03_right>2026-01-04_join depends-on 2\n");
	assert_null(gw_graph_edge_get(g, 4));
	assert_int_equal(gw_graph_dot(&dot, g), 0);
	assert_non_null(strstr(dot, "\t\"2026-01-02_left\" -> \"2026-01-04_join\";\n"));
	assert_non_null(strstr(dot, "\t\"2026-01-03_right\" [label=\"2026-01-03_right\\nright"
	                            "\\npending\", fillcolor=\"#ffffff\"];\n"));
	free(dot);
	gw_graph_free(g);
}

static void test_a_linear_folder_has_order_edges_but_where_a_dependency_is(void **state)
{
	fixture *f = *state;
	gw_graph *g = NULL;
	char got[1024];

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", NULL);
	fx_write(f->migrations, "20240101000003_c.sql",
	         "-- @depends-on: 20240101000002_b.sql\n-- migrate:up\nCREATE TABLE c (id int);\n");
	assert_int_equal(gw_project_graph(&g, f->p), 0);
	assert_int_equal(gw_graph_linear(g), 1);
	edges(g, got, sizeof(got));
	assert_string_equal(got, "20240101000001>20240101000002 order 0\n"
	                         "20240101000002>20240101000003 depends-on 1\n");
	gw_graph_free(g);
}

typedef struct seen {
	int calls, cleared;
	char version[64];
	size_t statement, statements;
	int blocker;
} seen;

static void on_progress(const gw_progress *g, void *payload)
{
	seen *s = payload;

	if (!g->version) {
		s->cleared++;
		return;
	}
	s->calls++;
	snprintf(s->version, sizeof(s->version), "%s", g->version);
	s->statement = g->statement;
	s->statements = g->statements;
	s->blocker = g->blocker_pid;
}

static void test_progress_reports_the_migration_running_and_clears(void **state)
{
	fixture *f = *state;
	seen s;

	memset(&s, 0, sizeof(s));
	/* Long enough for a few reports at 5 ms. */
	fx_migration(f, "20240101000001_count.sql",
	             "CREATE TABLE n AS WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 "
	             "FROM c WHERE x < 300000) SELECT count(*) AS n FROM c;\nSELECT 1;",
	             NULL);
	gw_project_set_progress(f->p, on_progress, &s, 5);
	assert_int_equal(gw_project_up(NULL, f->p, NULL), 0);
	assert_true(s.calls >= 1);
	assert_int_equal(s.cleared, 1);
	assert_string_equal(s.version, "20240101000001");
	assert_int_equal(s.statement, 0); /* in a transaction */
	assert_int_equal(s.statements, 2);
	assert_int_equal(s.blocker, 0); /* SQLite: nobody to ask */
}

static void statement_line(const gw_notice *n, void *payload)
{
	char *out = payload;
	size_t len = strlen(out);

	if (n->kind == GW_NOTICE_STATEMENT)
		snprintf(out + len, 512 - len, "%lld:%d:%s\n", n->duration_ms, n->line, n->message);
}

static void test_each_statement_is_said_with_its_number_and_line(void **state)
{
	fixture *f = *state;
	char got[512] = "";

	fx_migration(f, "20240101000001_a.sql",
	             "CREATE TABLE a (id int);\n\nINSERT INTO a\n"
	             "VALUES (1);",
	             NULL);
	gw_ctx_set_notice_cb(f->ctx, statement_line, got);
	assert_int_equal(gw_project_up(NULL, f->p, NULL), 0);
	assert_string_equal(got, "1:2:CREATE TABLE a (id int)\n"
	                         "2:4:INSERT INTO a\nVALUES (1)\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(
	                test_a_diamond_has_its_four_edges_and_no_order_edges, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_a_linear_folder_has_order_edges_but_where_a_dependency_is, setup,
	                fx_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_progress_reports_the_migration_running_and_clears, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_each_statement_is_said_with_its_number_and_line, setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
