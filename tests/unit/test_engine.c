/*
 * test_engine.c: unit tests of src/lib/engine.c, the table of engines:
 * each engine's lock, transaction handling and retries as the runner reads
 * them; which statements an engine runs alone; how the URL scheme and the
 * dialect setting choose the engine, and the mismatches refused.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "godwit.h"
#include "drivers/registry.h"
#include "lib/engine.h"

static const gw_engine *named(const char *name)
{
	const gw_engine *e = gw_engine_named(name);

	assert_non_null(e);
	return e;
}

static void test_engine_names_and_aliases(void **state)
{
	(void)state;
	assert_ptr_equal(named("postgresql"), named("postgres"));
	assert_ptr_equal(named("sqlite3"), named("sqlite"));
	assert_ptr_equal(named("yugabytedb"), named("yugabyte"));
	assert_string_equal(named("citus")->name, "citus");
	assert_string_equal(named("cockroachdb")->name, "cockroachdb");
	assert_null(gw_engine_named("oracle"));
	assert_null(gw_engine_named("CockroachDB"));
	assert_null(gw_engine_named(NULL));
	assert_ptr_equal(gw_engine_default(GW_DIALECT_POSTGRES), named("postgres"));
	assert_ptr_equal(gw_engine_default(GW_DIALECT_SQLITE), named("sqlite"));
}

/* The rows as docs/scale.md states them. */
static void test_engine_rows(void **state)
{
	const gw_engine *pg = named("postgres"), *lite = named("sqlite"), *citus = named("citus"),
	                *crdb = named("cockroachdb"), *yb = named("yugabyte");

	(void)state;
	assert_int_equal(pg->lock, GW_ENGINE_LOCK_ADVISORY);
	assert_int_equal(citus->lock, GW_ENGINE_LOCK_ADVISORY);
	assert_int_equal(crdb->lock, GW_ENGINE_LOCK_LEASE);
	assert_int_equal(yb->lock, GW_ENGINE_LOCK_LEASE);
	assert_int_equal(lite->lock, GW_ENGINE_LOCK_NONE);

	assert_true(pg->lease && citus->lease && crdb->lease && yb->lease);
	assert_false(lite->lease);

	assert_true(pg->transactional_ddl && citus->transactional_ddl && lite->transactional_ddl);
	assert_false(crdb->transactional_ddl);
	assert_false(yb->transactional_ddl);

	assert_true(pg->timeouts && citus->timeouts && crdb->timeouts && yb->timeouts);
	assert_false(lite->timeouts);
	assert_true(pg->index_builds && citus->index_builds && yb->index_builds);
	assert_false(crdb->index_builds);
	assert_false(lite->index_builds);

	assert_non_null(crdb->settle);
	assert_null(pg->settle);
	assert_null(citus->settle);
	assert_null(yb->settle);
	assert_null(lite->settle);

	assert_int_equal(pg->sql, GW_DIALECT_POSTGRES);
	assert_int_equal(crdb->sql, GW_DIALECT_POSTGRES);
	assert_int_equal(lite->sql, GW_DIALECT_SQLITE);
}

static void test_engine_lock_for(void **state)
{
	(void)state;
	/* lock = table asks for the lease on any engine; unset, the engine
	 * chooses. */
	assert_int_equal(gw_engine_lock_for(named("postgres"), 1), GW_ENGINE_LOCK_LEASE);
	assert_int_equal(gw_engine_lock_for(named("postgres"), 0), GW_ENGINE_LOCK_ADVISORY);
	assert_int_equal(gw_engine_lock_for(named("cockroachdb"), 0), GW_ENGINE_LOCK_LEASE);
	assert_int_equal(gw_engine_lock_for(named("sqlite"), 0), GW_ENGINE_LOCK_NONE);
	assert_int_equal(gw_engine_lock_for(named("sqlite"), 1), GW_ENGINE_LOCK_LEASE);
}

static void test_engine_retries(void **state)
{
	(void)state;
	assert_true(gw_engine_retries(named("postgres"), "55P03"));
	assert_true(gw_engine_retries(named("postgres"), "40P01"));
	assert_false(gw_engine_retries(named("postgres"), "40001"));
	assert_true(gw_engine_retries(named("cockroachdb"), "40001"));
	assert_true(gw_engine_retries(named("yugabyte"), "40001"));
	assert_false(gw_engine_retries(named("citus"), "40001"));
	assert_false(gw_engine_retries(named("cockroachdb"), "23505"));
	assert_false(gw_engine_retries(named("sqlite"), "55P03"));
	assert_false(gw_engine_retries(named("postgres"), ""));
}

static void test_engine_is_ddl(void **state)
{
	static const char *const yes[] = {"CREATE TABLE t (id int)",
	                                  "  -- c\n alter table t add column x int",
	                                  "DROP INDEX i",
	                                  "TRUNCATE t",
	                                  "COMMENT ON TABLE t IS 'x'",
	                                  "GRANT SELECT ON t TO r",
	                                  "REVOKE ALL ON t FROM r",
	                                  "DO $$ BEGIN END $$",
	                                  "CALL p()",
	                                  "create unique index concurrently i on t (x)"};
	static const char *const no[] = {"SELECT 1",
	                                 "INSERT INTO t VALUES (1)",
	                                 "UPDATE t SET x = 1",
	                                 "DELETE FROM t",
	                                 "WITH a AS (SELECT 1) SELECT * FROM a",
	                                 "SELECT 'CREATE TABLE'",
	                                 "CREATED",
	                                 "",
	                                 "SET x = 1"};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		assert_true(gw_engine_is_ddl(yes[i], strlen(yes[i])));
	for (i = 0; i < sizeof(no) / sizeof(no[0]); i++)
		assert_false(gw_engine_is_ddl(no[i], strlen(no[i])));
}

static const char *alone(const char *engine, const char *sql, char *buf, size_t n)
{
	gw_ctx *ctx = NULL;
	const char *why = (const char *)1;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_engine_needs_alone(&why, named(engine), sql, strlen(sql), buf, n, ctx),
	                 0);
	gw_ctx_free(ctx);
	return why;
}

static void test_engine_needs_alone(void **state)
{
	char buf[64];
	const char *why;

	(void)state;
	/* A schema change, where DDL is not transactional. */
	why = alone("cockroachdb", "CREATE TABLE t (id int)", buf, sizeof(buf));
	assert_non_null(why);
	assert_string_equal(why, "CREATE TABLE");
	assert_string_equal(alone("yugabyte", "alter table t add x int", buf, sizeof(buf)),
	                    "ALTER TABLE");
	assert_null(alone("cockroachdb", "INSERT INTO t VALUES (1)", buf, sizeof(buf)));
	assert_null(alone("postgres", "CREATE TABLE t (id int)", buf, sizeof(buf)));
	assert_null(alone("sqlite", "CREATE TABLE t (id int)", buf, sizeof(buf)));
	assert_null(alone("citus", "CREATE TABLE t (id int)", buf, sizeof(buf)));

	/* Citus's functions that refuse a transaction block, called as such. */
	why = alone("citus", "SELECT create_distributed_table_concurrently('t', 'k')", buf,
	            sizeof(buf));
	assert_non_null(why);
	assert_string_equal(why, "create_distributed_table_concurrently()");
	assert_string_equal(
	        alone("citus", "select pg_catalog.CREATE_DISTRIBUTED_TABLE_CONCURRENTLY('t', 'k')",
	              buf, sizeof(buf)),
	        "create_distributed_table_concurrently()");
	assert_string_equal(
	        alone("citus", "SELECT 1, citus_cleanup_orphaned_resources()", buf, sizeof(buf)),
	        "citus_cleanup_orphaned_resources()");
	/* Named, not called; or called on another engine. */
	assert_null(
	        alone("citus", "SELECT 'create_distributed_table_concurrently'", buf, sizeof(buf)));
	assert_null(alone("citus", "SELECT 1 -- create_distributed_table_concurrently", buf,
	                  sizeof(buf)));
	assert_null(alone("citus", "SELECT create_distributed_table('t', 'k')", buf, sizeof(buf)));
	assert_null(alone("postgres", "SELECT create_distributed_table_concurrently('t', 'k')", buf,
	                  sizeof(buf)));
	/* SQL that does not parse is the runner's to report, not this. */
	assert_null(
	        alone("citus", "SELECT create_distributed_table_concurrently(", buf, sizeof(buf)));
}

static void resolve(const gw_engine **out, int expect, const char *url, int url_given,
                    const char *dialect)
{
	const gw_driver *d = gw_driver_for_url(url);
	gw_ctx *ctx = NULL;

	assert_non_null(d);
	assert_int_equal(gw_ctx_new(&ctx), 0);
	*out = NULL;
	assert_int_equal(gw_engine_resolve(out, d, url, url_given, dialect, ctx), expect);
	if (expect < 0)
		assert_non_null(gw_ctx_error(ctx));
	gw_ctx_free(ctx);
}

static void test_engine_resolve(void **state)
{
	const gw_engine *e;

	(void)state;
	resolve(&e, 0, "postgres://h/db", 1, NULL);
	assert_string_equal(e->name, "postgres");
	resolve(&e, 0, "sqlite:x.db", 1, NULL);
	assert_string_equal(e->name, "sqlite");
	resolve(&e, 0, "postgres://h/db", 1, "cockroachdb");
	assert_string_equal(e->name, "cockroachdb");
	resolve(&e, 0, "cockroachdb://h/db", 1, NULL);
	assert_string_equal(e->name, "cockroachdb");
	resolve(&e, 0, "yugabytedb://h/db", 1, "postgres");
	assert_string_equal(e->name, "yugabyte");
	resolve(&e, 0, "cockroachdb://h/db", 1, "cockroachdb");
	assert_string_equal(e->name, "cockroachdb");
	/* The dialect setting's old values keep meaning the SQL only. */
	resolve(&e, 0, "postgres://h/db", 1, "sqlite");
	assert_string_equal(e->name, "postgres");
	resolve(&e, 0, "sqlite:x.db", 1, "postgres");
	assert_string_equal(e->name, "sqlite");
	resolve(&e, 0, "postgres://h/db", 1, "oracle");
	assert_string_equal(e->name, "postgres");
	/* The embedded SQLite default: the setting speaks of the SQL. */
	resolve(&e, 0, "sqlite:x.db", 0, "citus");
	assert_string_equal(e->name, "sqlite");
	/* Refused: an engine the URL's driver does not speak, two engines. */
	resolve(&e, GW_EINVALID, "sqlite:x.db", 1, "cockroachdb");
	resolve(&e, GW_EINVALID, "cockroachdb://h/db", 1, "yugabyte");
	resolve(&e, GW_EINVALID, "yugabytedb://h/db", 1, "citus");
	assert_ptr_equal(gw_engine_for_scheme("cockroachdb://h/db"), named("cockroachdb"));
	assert_null(gw_engine_for_scheme("postgresql://h/db"));
	assert_null(gw_engine_for_scheme("host=h dbname=db"));
	assert_null(gw_engine_for_scheme(NULL));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_engine_names_and_aliases),
	        cmocka_unit_test(test_engine_rows),
	        cmocka_unit_test(test_engine_lock_for),
	        cmocka_unit_test(test_engine_retries),
	        cmocka_unit_test(test_engine_is_ddl),
	        cmocka_unit_test(test_engine_needs_alone),
	        cmocka_unit_test(test_engine_resolve),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
