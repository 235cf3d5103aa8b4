/*
 * pg_fixture.h: what the unit tests that need a real PostgreSQL share: the
 * project fixture (project_fixture.h) opened on a database of its own,
 * made on the suite's server (GODWIT_TEST_PG_URL, which the *_pg ctest
 * entries give), and a second session of that database for the test to
 * look at what it holds. Without the URL each test skips.
 *
 * Included by one test file each, after project_fixture.h.
 */
#ifndef GW_TEST_PG_FIXTURE_H
#define GW_TEST_PG_FIXTURE_H

#include "drivers/registry.h"
#include "util/str.h"

typedef struct {
	fixture *f;
	gw_ephemeral *db;
	gw_conn *admin;
} pg_fixture;

/* Sets *state to the fixture, or to NULL when there is no server. name
 * tells the test's folder apart; no_retries turns connect_retries off,
 * for tests of a lost connection, whose report retries only slow down. */
FX_FN int pg_fx_setup(void **state, const char *name, int no_retries)
{
	const char *url = getenv("GODWIT_TEST_PG_URL");
	pg_fixture *pf;

	if (!url || !*url) {
		*state = NULL;
		return 0;
	}
	assert_non_null(pf = calloc(1, sizeof(*pf)));
	assert_int_equal(fx_setup_named((void **)&pf->f, name), 0);
	assert_int_equal(gw_ephemeral_create(&pf->db, url, pf->f->ctx), 0);
	pf->f->opts.url = gw_ephemeral_url(pf->db);
	if (no_retries)
		pf->f->opts.timeouts.connect_retries = GW_OPTION_OFF;
	fx_open(pf->f);
	assert_int_equal(
	        gw_driver_postgres.open(&pf->admin, gw_ephemeral_url(pf->db), NULL, pf->f->ctx), 0);
	*state = pf;
	return 0;
}

FX_FN int pg_fx_teardown(void **state)
{
	pg_fixture *pf = *state;
	void *f;

	if (!pf)
		return 0;
	f = pf->f;
	pf->admin->driver->close(pf->admin);
	gw_project_free(pf->f->p);
	pf->f->p = NULL;
	assert_int_equal(gw_ephemeral_drop(pf->db), 0);
	free(pf);
	return fx_teardown(&f);
}

/* A row callback: the row's values joined by '|' (NULL for null), then a
 * newline, appended to the gw_str in payload. */
FX_FN int add_row(void *payload, int ncols, const char *const *v)
{
	gw_str *out = payload;
	int i;

	for (i = 0; i < ncols; i++)
		gw_str_printf(out, "%s%s", i ? "|" : "", v[i] ? v[i] : "NULL");
	gw_str_putc(out, '\n');
	return 0;
}

/* What sql returns on the second session, as add_row writes it. */
FX_FN void assert_admin_query(pg_fixture *pf, const char *sql, const char *expected)
{
	gw_stmt st = {sql, strlen(sql), NULL, 0};
	gw_str out = GW_STR_INIT;

	if (pf->admin->driver->exec(pf->admin, &st, add_row, &out) < 0)
		fail_msg("%s: %s", sql, gw_ctx_error(pf->f->ctx)->message);
	assert_string_equal(out.ptr ? out.ptr : "", expected);
	gw_str_dispose(&out);
}

FX_FN void admin_exec(pg_fixture *pf, const char *sql)
{
	gw_stmt st = {sql, strlen(sql), NULL, 0};

	if (pf->admin->driver->exec(pf->admin, &st, NULL, NULL) < 0)
		fail_msg("%s: %s", sql, gw_ctx_error(pf->f->ctx)->message);
}

#define SKIP_WITHOUT_PG()                                                                          \
	do {                                                                                       \
		if (!*state)                                                                       \
			skip();                                                                    \
	} while (0)

#endif
