/*
 * test_cov_sums_oom.c: the checksum cache of a migrations folder
 * (src/lib/source/sums.c) when memory runs out: each allocation of a
 * status run fails in turn, with no cache, with a cache that has every
 * file, and with one that has all but a changed one. Each round ends in
 * GW_ENOMEM or in exactly the status of a run that read every file, and
 * the cache it leaves behind never hides a file: the next run, with
 * memory, gives that status again.
 */
#define _DEFAULT_SOURCE 1

#include "project_fixture.h"

#include "godwit/config.h"
#include "oom.h"
#include "util/fs.h"

#define NFILES 64 /* the fewest files that get a cache */

static int setup(void **state)
{
	return fx_setup_named(state, "cov_sums_oom");
}

/* The folder is in memory (oom_use_tmpfs): remove it rather than leave it
 * to a reboot. */
static int teardown(void **state)
{
	fixture *f = *state;

	oom_rm_rf(f->dir);
	return fx_teardown(state);
}

/* "version state checksum transactional has_down" of each entry. */
static char *signature_of(const gw_status *st)
{
	gw_str s = GW_STR_INIT;
	size_t i;

	for (i = 0; i < gw_status_count(st); i++) {
		const gw_status_entry *e = gw_status_get(st, i);

		gw_str_printf(&s, "%s %s %s %d %d\n", e->version, gw_state_name(e->state),
		              e->checksum ? e->checksum : "-", e->transactional, e->has_down);
	}
	assert_false(gw_str_failed(&s));
	return gw_str_detach(&s);
}

/* A status run with memory: its signature, and the files it read. */
static char *signature(fixture *f, unsigned long *reads)
{
	gw_status *st = NULL;
	unsigned long before;
	char *sig;

	fx_open(f);
	before = gw_file_reads();
	assert_int_equal(gw_project_status(&st, f->p), 0);
	*reads = gw_file_reads() - before;
	sig = signature_of(st);
	gw_status_free(st);
	return sig;
}

static void write_file(const char *path, const char *text)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, strlen(text), fp), strlen(text));
	assert_int_equal(fclose(fp), 0);
}

enum { NO_CACHE, FULL_CACHE, ONE_CHANGED };

/* Puts the cache as the mode wants it before a round. */
static void prepare(fixture *f, const char *path, const char *cache, const char *stale, int mode)
{
	unlink(path);
	if (mode == FULL_CACHE)
		write_file(path, cache);
	else if (mode == ONE_CHANGED)
		write_file(path, stale);
	fx_open(f);
	gw_ctx_clear_error(f->ctx);
}

static void test_status_out_of_memory_with_the_cache(void **state)
{
	fixture *f = *state;
	gw_config_options co = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;
	gw_vec names = GW_VEC_INIT;
	char name[64], sql[64], path[PATH_MAX * 2], *baseline, *sig, *cache, *stale;
	gw_str text = GW_STR_INIT;
	unsigned long reads;
	size_t i;
	long n;
	int mode, rc, reached, failed;

	co.project_dir = f->dir;
	assert_int_equal(gw_config_load(&cfg, &co, f->ctx), 0);
	f->opts.config = cfg;
	for (i = 1; i <= NFILES; i++) {
		snprintf(name, sizeof(name), "20240101%06zu_t%zu.sql", i, i);
		snprintf(sql, sizeof(sql), "CREATE TABLE t%zu (id int);", i);
		fx_migration(f, name, sql, i % 2 ? "SELECT 1;" : NULL);
	}
	fx_write(f->migrations, "20240101000003_t3.sql",
	         "-- migrate:up transaction:false\n-- @depends-on: 20240101000002_t2.sql\n"
	         "CREATE TABLE t3 (id int);\n");
	fx_wait_clock_past(f, f->migrations);
	baseline = signature(f, &reads);
	assert_int_equal(reads, NFILES);
	sig = signature(f, &reads);
	assert_int_equal(reads, 0);
	assert_string_equal(sig, baseline);
	free(sig);
	snprintf(path, sizeof(path), "%s/.godwit/sums", f->dir);
	assert_int_equal(gw_dir_list(&names, path, f->ctx), 0);
	/* The checksums, then the listing (listing.c). */
	assert_int_equal(names.len, 3);
	assert_memory_equal(names.items[2], "list-", 5);
	snprintf(path, sizeof(path), "%s/.godwit/sums/%s", f->dir, (const char *)names.items[1]);
	gw_vec_dispose(&names, free);
	assert_int_equal(gw_file_read(&text, path, GW_FILE_MAX, f->ctx), 0);
	cache = gw_str_detach(&text);
	/* The cache as it is after t7 was recorded and then rewritten with
	 * another text of another size: t7 is read, the rest is not. */
	fx_write(f->migrations, "20240101000007_t7.sql",
	         "-- migrate:up\nCREATE TABLE t7 (id bigint, x int);\n");
	fx_wait_clock_past(f, f->migrations);
	free(baseline);
	write_file(path, cache);
	baseline = signature(f, &reads);
	assert_int_equal(reads, 1);
	stale = cache;
	/* The cache now has t7 as it is. */
	assert_int_equal(gw_file_read(&text, path, GW_FILE_MAX, f->ctx), 0);
	cache = gw_str_detach(&text);
	assert_string_not_equal(cache, stale);
	sig = signature(f, &reads);
	assert_int_equal(reads, 0);
	free(sig);

	for (mode = NO_CACHE; mode <= ONE_CHANGED; mode++) {
		failed = 0;
		for (n = 1;; n++) {
			gw_status *st = NULL;

			prepare(f, path, cache, stale, mode);
			oom_fail_at(n);
			rc = gw_project_status(&st, f->p);
			reached = oom_reached();
			if (rc < 0) {
				assert_int_equal(rc, GW_ENOMEM);
				assert_null(st);
				failed++;
			} else {
				sig = signature_of(st);
				gw_status_free(st);
				assert_string_equal(sig, baseline);
				free(sig);
			}
			/* Whatever the round left in the cache, a run with
			 * memory gives the same status. */
			gw_ctx_clear_error(f->ctx);
			sig = signature(f, &reads);
			assert_string_equal(sig, baseline);
			free(sig);
			if (!reached)
				break;
		}
		assert_true(failed > 0);
	}
	free(baseline);
	free(cache);
	free(stale);
	gw_config_free(cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_status_out_of_memory_with_the_cache, setup,
	                                        teardown),
	};

	oom_use_tmpfs();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
