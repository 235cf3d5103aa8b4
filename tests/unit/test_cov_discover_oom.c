/*
 * test_cov_discover_oom.c: finding another tool's migrations folder from
 * its files (src/lib/discover.c): each tool's file and the ways of writing
 * its setting that are read or passed over, several tools at once, and
 * running out of memory. For every case, the Nth allocation fails for
 * N = 1, 2, ... (the executable is linked with --wrap for the allocation
 * functions, see tests/CMakeLists.txt): each run either returns -1 with
 * nothing found or exactly what a run with memory to spare finds. The
 * sqitch loader, which reads the same sqitch.conf, is held to the same:
 * out of memory, never the wrong folder.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lib/discover.h"
#include "lib/source/source.h"
#include "util/fs.h"
#include "util/str.h"
#include "oom.h"

static char base[512];
static int serial;

static int setup(void **state)
{
	const char *tmp = getenv("GW_TEST_TMP");

	(void)state;
	if (!tmp || !*tmp)
		tmp = "/tmp";
	mkdir(tmp, 0755);
	snprintf(base, sizeof(base), "%s/test_cov_discover_oom.XXXXXX", tmp);
	assert_non_null(mkdtemp(base));
	return 0;
}

static int teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", base);
	assert_int_equal(system(cmd), 0);
	return 0;
}

/* A fresh project folder holding files: "path", "text", ..., NULL; a path
 * ending in / is a folder. */
static const char *project(const char *first, ...)
{
	static char dir[600];
	char path[900];
	const char *name;
	va_list ap;

	snprintf(dir, sizeof(dir), "%s/p%d", base, ++serial);
	assert_int_equal(mkdir(dir, 0755), 0);
	va_start(ap, first);
	for (name = first; name; name = va_arg(ap, const char *)) {
		size_t len = strlen(name);
		char *slash;

		snprintf(path, sizeof(path), "%s/%s", dir, name);
		if (name[len - 1] == '/') {
			assert_int_equal(gw_make_dirs(path, 0755, NULL), 0);
			continue;
		}
		if ((slash = strrchr(path, '/')) > path + strlen(dir)) {
			*slash = '\0';
			assert_int_equal(gw_make_dirs(path, 0755, NULL), 0);
			*slash = '/';
		}
		{
			const char *text = va_arg(ap, const char *);
			assert_int_equal(gw_file_create(path, text, strlen(text), NULL), 0);
		}
	}
	va_end(ap);
	return dir;
}

static void expect(const char *dir, const char *want_dir, const char *want_why,
                   const char *want_ambiguous)
{
	gw_found_dir f;
	long n;
	int rc, reached;

	assert_int_equal(gw_discover_dir(&f, dir, NULL), 0);
#define CHECK(field, want)                                                                         \
	do {                                                                                       \
		if (want) {                                                                        \
			assert_non_null(f.field);                                                  \
			assert_string_equal(f.field, want);                                        \
		} else                                                                             \
			assert_null(f.field);                                                      \
	} while (0)
	CHECK(dir, want_dir);
	CHECK(why, want_why);
	CHECK(ambiguous, want_ambiguous);
	gw_found_dir_dispose(&f);
	for (n = 1;; n++) {
		oom_fail_at(n);
		rc = gw_discover_dir(&f, dir, NULL);
		reached = oom_reached();
		if (rc < 0) {
			assert_int_equal(rc, -1);
			assert_null(f.dir);
			assert_null(f.why);
			assert_null(f.ambiguous);
			continue;
		}
		CHECK(dir, want_dir);
		CHECK(why, want_why);
		CHECK(ambiguous, want_ambiguous);
		gw_found_dir_dispose(&f);
		if (!reached)
			break;
	}
#undef CHECK
}

static void nothing_to_find(void **state)
{
	(void)state;
	expect(project(NULL), NULL, NULL, NULL);
	/* A migrations/ folder without SQL is nobody's. */
	expect(project("migrations/README", "x", "migrations/up.sq", "x", NULL), NULL, NULL, NULL);
	/* A tool's folder that does not exist is not a finding. */
	expect(project("diesel.toml", "[migrations_directory]\ndir = \"gone\"\n", NULL), NULL, NULL,
	       NULL);
}

static void sqitch_project(void **state)
{
	(void)state;
	expect(project("sqitch.conf", "[core]\n\ttop_dir = db\n", "db/sqitch.plan", "%project=x\n",
	               NULL),
	       ".", "sqitch's sqitch.conf and sqitch.plan", NULL);
	/* A sqitch.conf without its plan is not a sqitch project yet. */
	expect(project("sqitch.conf", "[core]\n\tengine = pg\n", NULL), NULL, NULL, NULL);
}

static void prisma_and_drizzle(void **state)
{
	(void)state;
	expect(project("prisma/migrations/", NULL), "prisma/migrations",
	       "Prisma's prisma/migrations/", NULL);
	/* Keys that only contain "out", values that are no string, a string
	 * left open: passed over until the real `out`. */
	expect(project("drizzle.config.ts",
	               "export default {\n  layout: 'x', xout: 'y', out_dir: 'z', out = 'a',\n"
	               "  'out': 1, out: \"open\n  \"out\": `./db/drizzle/`,\n};\n",
	               "db/drizzle/", NULL),
	       "db/drizzle", "drizzle-kit's drizzle.config.ts", NULL);
	expect(project("drizzle.config.json", "{\"dialect\": \"postgresql\"}", "drizzle/", NULL),
	       "drizzle", "drizzle-kit's drizzle.config.json", NULL);
	expect(project("drizzle/meta/_journal.json", "{}", NULL), "drizzle",
	       "drizzle-kit's drizzle/meta/_journal.json", NULL);
}

static void diesel(void **state)
{
	(void)state;
	expect(project("diesel.toml",
	               "[print_schema]\nfile = \"s.rs\"\n\n[migrations_directory]\n"
	               "dir = \"./db/m/\"\n",
	               "db/m/", NULL),
	       "db/m", "diesel's diesel.toml", NULL);
	/* A dir of the next section is not the migrations' one. */
	expect(project("diesel.toml", "[migrations_directory]\nx = 1\n[other]\ndir = \"db/o\"\n",
	               "db/o/", "migrations/", NULL),
	       "migrations", "diesel's diesel.toml", NULL);
}

static void flyway(void **state)
{
	(void)state;
	expect(project("flyway.conf",
	               "# flyway.locations=filesystem:nope\nflyway.locations x\n"
	               "flyway.locations = filesystem:sql/a , classpath:db/migration,s3:bucket/x,"
	               "filesystem:sql/a\n",
	               "sql/a/", "src/main/resources/db/migration/", NULL),
	       NULL, NULL,
	       "sql/a (Flyway's flyway.conf), src/main/resources/db/migration (Flyway's "
	       "flyway.conf)");
	expect(project("flyway.toml",
	               "[flyway]\nxlocations = 1\nlocations_x = 2\nlocations : 3\nlocations = 4\n"
	               "locations = [ \"filesystem:fw\", 'db/m2', \"open ]\n",
	               "fw/", NULL),
	       "fw", "Flyway's flyway.toml", NULL);
}

static void goose_and_several_tools(void **state)
{
	const char *dir =
	        project("gm/", "migrations/1_a.sql", "SELECT 1;", "prisma/migrations/", NULL);

	(void)state;
	setenv("GOOSE_MIGRATION_DIR", "./gm", 1);
	expect(dir, NULL, NULL,
	       "prisma/migrations (Prisma's prisma/migrations/), gm (goose's "
	       "GOOSE_MIGRATION_DIR), migrations (SQL files in migrations/, as goose and "
	       "golang-migrate keep them)");
	unsetenv("GOOSE_MIGRATION_DIR");
	/* Without a project folder, the current one. */
	assert_int_equal(chdir(project("migrations/1_a.sql", "SELECT 1;", NULL)), 0);
	expect(NULL, "migrations",
	       "SQL files in migrations/, as goose and golang-migrate keep them", NULL);
	expect(".", "migrations", "SQL files in migrations/, as goose and golang-migrate keep them",
	       NULL);
	assert_int_equal(chdir(base), 0);
}

/* sqitch.conf's top_dir moves the plan and scripts: a run that could not
 * read it must fail, not load the project's root (which has no plan). */
static void sqitch_top_dir_without_memory(void **state)
{
	const char *dir = project(
	        "sqitch.conf", "[core]\n\tengine = sqlite\n\ttop_dir = \"db\"\n", "db/sqitch.plan",
	        "%project=x\n\nadd_t 2024-01-01T00:00:00Z A <a@x>\n", "db/deploy/add_t.sql",
	        "CREATE TABLE t (id int);\n", "db/revert/add_t.sql", "DROP TABLE t;\n", NULL);
	char want[700];
	gw_source *src = NULL;
	gw_ctx *ctx = NULL;
	long n;
	int rc, reached;

	(void)state;
	snprintf(want, sizeof(want), "%s/db", dir);
	assert_int_equal(gw_ctx_new(&ctx), 0);
	for (n = 1;; n++) {
		oom_fail_at(n);
		rc = gw_source_load(&src, dir, GW_FORMAT_AUTO, ctx);
		reached = oom_reached();
		if (rc < 0) {
			if (rc != GW_ENOMEM || strcmp(gw_ctx_error(ctx)->message, "out of memory"))
				fail_msg("allocation %ld: %d %s", n, rc,
				         gw_ctx_error(ctx)->message);
			gw_ctx_clear_error(ctx);
			continue;
		}
		assert_string_equal(src->dir, want);
		assert_int_equal(src->count, 1);
		assert_string_equal(src->items[0]->name, "add_t");
		gw_source_free(src);
		src = NULL;
		if (!reached)
			break;
	}
	gw_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(nothing_to_find),
	        cmocka_unit_test(sqitch_project),
	        cmocka_unit_test(prisma_and_drizzle),
	        cmocka_unit_test(diesel),
	        cmocka_unit_test(flyway),
	        cmocka_unit_test(goose_and_several_tools),
	        cmocka_unit_test(sqitch_top_dir_without_memory),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
