/*
 * test_status.c: gw_project_status on a real SQLite file: each state a
 * migration can be in, the fields of an entry, the counts, another tool's
 * history, and that status creates nothing.
 */
/* utimensat, truncate */
#define _DEFAULT_SOURCE 1

#include "project_fixture.h"

#include <fcntl.h>

#include "godwit/config.h"
#include "util/fs.h"

static int setup(void **state)
{
	return fx_setup_named(state, "status");
}

static gw_status *status_of(fixture *f)
{
	gw_status *st = NULL;

	assert_int_equal(gw_project_status(&st, f->p), 0);
	return st;
}

/* "VERSION STATE" for each entry, in order, one per line. */
static void assert_states(const gw_status *st, const char *expected)
{
	char out[1024] = "";
	size_t i, len = 0;

	for (i = 0; i < gw_status_count(st); i++)
		len += (size_t)snprintf(out + len, sizeof(out) - len, "%s %s\n",
		                        gw_status_get(st, i)->version,
		                        gw_state_name(gw_status_get(st, i)->state));
	assert_string_equal(out, expected);
}

static void test_state_names(void **state)
{
	(void)state;
	assert_string_equal(gw_state_name(GW_STATE_PENDING), "pending");
	assert_string_equal(gw_state_name(GW_STATE_APPLIED), "applied");
	assert_string_equal(gw_state_name(GW_STATE_CHANGED), "changed");
	assert_string_equal(gw_state_name(GW_STATE_MISSING), "missing");
	assert_string_equal(gw_state_name(GW_STATE_OUT_OF_ORDER), "out-of-order");
	assert_string_equal(gw_state_name(GW_STATE_DIRTY), "dirty");
	assert_string_equal(gw_state_name(GW_STATE_RUNNING), "running");
	assert_string_equal(gw_state_name((gw_state)42), "unknown");
	/* The accessors take NULL and an index past the end. */
	assert_int_equal(gw_status_count(NULL), 0);
	assert_null(gw_status_get(NULL, 0));
	assert_int_equal(gw_status_count_state(NULL, GW_STATE_PENDING), 0);
	gw_status_free(NULL);
}

static void test_status_of_a_database_not_created_creates_nothing(void **state)
{
	fixture *f = *state;
	gw_status *st = NULL;
	const gw_status_entry *e;
	struct stat sb;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	fx_write(f->migrations, "20240101000002_b.sql",
	         "-- migrate:up\n-- godwit:no-transaction\nCREATE TABLE b (id int);\n");
	fx_write(f->migrations, "20240101000003_c.sql", "-- migrate:up\n");
	st = status_of(f);
	assert_states(st,
	              "20240101000001 pending\n20240101000002 pending\n20240101000003 pending\n");
	assert_int_equal(gw_status_count_state(st, GW_STATE_PENDING), 3);
	e = gw_status_get(st, 0);
	assert_string_equal(e->name, "a");
	assert_string_equal(e->file, "20240101000001_a.sql");
	assert_string_equal(e->kind, "versioned");
	assert_int_equal(strlen(e->checksum), 64);
	assert_null(e->applied_checksum);
	assert_null(e->applied_at);
	assert_int_equal(e->execution_ms, -1);
	assert_int_equal(e->transactional, 1);
	assert_int_equal(e->has_down, 1);
	assert_int_equal(e->empty, 0);
	e = gw_status_get(st, 1);
	assert_int_equal(e->transactional, 0);
	assert_int_equal(e->has_down, 0);
	assert_int_equal(gw_status_get(st, 2)->empty, 1);
	assert_null(gw_status_get(st, 3));
	assert_null(gw_status_other_tool(st));
	assert_null(gw_status_other_table(st));
	gw_status_free(st);
	assert_int_equal(stat(f->db, &sb), -1);
}

static void test_every_state(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_status *st = NULL;
	const gw_status_entry *e;
	char path[PATH_MAX + 32];
	size_t n = 0;

	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", NULL);
	fx_migration(f, "20240101000003_c.sql", "CREATE TABLE c (id int);", NULL);
	fx_migration(f, "20240101000004_d.sql", "CREATE TABLE d (id int);", NULL);
	fx_migration(f, "20240101000005_e.sql", "CREATE TABLE e (id int);", NULL);
	up.to = "20240101000004";
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 3);
	/* b is changed, c's file is gone, d is dirty as a failed
	 * no-transaction run leaves it, a arrived late, e is pending. */
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id bigint);", NULL);
	snprintf(path, sizeof(path), "%s/20240101000003_c.sql", f->migrations);
	assert_int_equal(unlink(path), 0);
	fx_sql(f,
	       "UPDATE godwit_migrations SET state = 'dirty', statements_total = 3, "
	       "statements_done = 1, error = 'no such table: x' WHERE version = '20240101000004'");
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_open(f);
	st = status_of(f);
	assert_states(st, "20240101000001 out-of-order\n"
	                  "20240101000002 changed\n"
	                  "20240101000004 dirty\n"
	                  "20240101000005 pending\n"
	                  "20240101000003 missing\n");
	assert_int_equal(gw_status_count_state(st, GW_STATE_OUT_OF_ORDER), 1);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 0);
	e = gw_status_get(st, 1);
	assert_int_equal(strlen(e->applied_checksum), 64);
	assert_string_not_equal(e->checksum, e->applied_checksum);
	assert_non_null(e->applied_at);
	assert_true(e->execution_ms >= 0);
	e = gw_status_get(st, 2);
	assert_int_equal(e->statements_total, 3);
	assert_int_equal(e->statements_done, 1);
	assert_string_equal(e->error, "no such table: x");
	assert_string_equal(e->checksum, e->applied_checksum);
	e = gw_status_get(st, 4);
	assert_string_equal(e->name, "c");
	assert_null(e->file);
	assert_null(e->checksum);
	assert_non_null(e->applied_checksum);
	gw_status_free(st);
	/* A missing row that is dirty stays dirty. */
	fx_sql(f, "UPDATE godwit_migrations SET state = 'dirty' WHERE version = '20240101000003'");
	st = status_of(f);
	assert_int_equal(gw_status_get(st, 4)->state, GW_STATE_DIRTY);
	gw_status_free(st);
}

static void assert_same_str(const char *a, const char *b)
{
	if (!a || !b)
		assert_ptr_equal(a, b);
	else
		assert_string_equal(a, b);
}

static void assert_same_entry(const gw_status_entry *a, const gw_status_entry *b)
{
	assert_same_str(a->version, b->version);
	assert_same_str(a->name, b->name);
	assert_same_str(a->file, b->file);
	assert_int_equal(a->state, b->state);
	assert_same_str(a->kind, b->kind);
	assert_same_str(a->checksum, b->checksum);
	assert_same_str(a->applied_checksum, b->applied_checksum);
	assert_same_str(a->applied_at, b->applied_at);
	assert_same_str(a->applied_by, b->applied_by);
	assert_int_equal(a->execution_ms, b->execution_ms);
	assert_int_equal(a->statements_total, b->statements_total);
	assert_int_equal(a->statements_done, b->statements_done);
	assert_same_str(a->error, b->error);
	assert_int_equal(a->transactional, b->transactional);
	assert_int_equal(a->has_down, b->has_down);
	assert_int_equal(a->empty, b->empty);
}

/* a, of a status of states, is b of the full status but for who applied
 * it, how long it took and, when it was applied whole, how many
 * statements it ran, which a status of states does not read. A dirty one
 * keeps its statement counts and its error. */
static void assert_same_states(const gw_status_entry *a, const gw_status_entry *b)
{
	gw_status_entry known = *b;

	assert_null(a->applied_by);
	assert_int_equal(a->execution_ms, -1);
	known.applied_by = NULL;
	known.execution_ms = -1;
	if (b->state != GW_STATE_DIRTY && b->state != GW_STATE_RUNNING)
		known.statements_total = known.statements_done = 0;
	assert_same_entry(a, &known);
}

/* The file's checksum is text made in the entry itself, and so is the
 * applied one when it is the same, and the time of an applied one; a
 * copy by gw_status_read points into the copy. */
static void assert_own_texts(const gw_status_entry *e)
{
	if (e->applied_at) {
		assert_ptr_equal(e->applied_at, e->applied_at_text);
		assert_int_equal(strlen(e->applied_at_text), 24);
	}
	if (!e->checksum)
		return;
	assert_ptr_equal(e->checksum, e->checksum_text);
	assert_int_equal(strlen(e->checksum_text), 64);
	if (e->applied_checksum && !strcmp(e->applied_checksum, e->checksum))
		assert_ptr_equal(e->applied_checksum, e->checksum_text);
}

/* gw_status_names gives entry i's version and name, as its entry has
 * them. */
static void assert_names(const gw_status *st, size_t i, const gw_status_entry *e)
{
	const char *version = NULL, *name = NULL;

	assert_int_equal(gw_status_names(st, i, &version, &name), 0);
	assert_string_equal(version, e->version);
	assert_string_equal(name, e->name);
}

/* A status of states only holds no array of entries: gw_status_read
 * makes each one as gw_project_status's would be, in every state, and
 * gw_status_get makes the array at its first call, the same. */
static void test_status_states_reads_each_entry_as_made(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_status *full = NULL, *states = NULL;
	gw_status_entry e;
	char path[PATH_MAX + 32];
	const char *none_v, *none_n;
	size_t i, n = 0;

	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id int);", NULL);
	fx_migration(f, "20240101000003_c.sql", "CREATE TABLE c (id int);", NULL);
	fx_migration(f, "20240101000004_d.sql", "CREATE TABLE d (id int);", NULL);
	fx_migration(f, "20240101000005_e.sql", "CREATE TABLE e (id int);", NULL);
	fx_migration(f, "20240101000006_f.sql", "CREATE TABLE f (id int);", "DROP TABLE f;");
	fx_migration(f, "20240101000007_g.sql", "CREATE TABLE g (id int);", NULL);
	up.to = "20240101000006";
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 5);
	fx_migration(f, "20240101000002_b.sql", "CREATE TABLE b (id bigint);", NULL);
	snprintf(path, sizeof(path), "%s/20240101000003_c.sql", f->migrations);
	assert_int_equal(unlink(path), 0);
	fx_sql(f,
	       "UPDATE godwit_migrations SET state = 'dirty', statements_total = 3, "
	       "statements_done = 1, error = 'no such table: x' WHERE version = '20240101000004'");
	fx_sql(f, "UPDATE godwit_migrations SET checksum = upper(checksum), applied_by = 'x' "
	          "WHERE version = '20240101000005'");
	fx_sql(f,
	       "UPDATE godwit_migrations SET kind = 'baseline' WHERE version = '20240101000006'");
	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_open(f);
	assert_int_equal(gw_project_status(&full, f->p), 0);
	assert_int_equal(gw_project_status_states(&states, f->p), 0);
	assert_states(full, "20240101000001 out-of-order\n"
	                    "20240101000002 changed\n"
	                    "20240101000004 dirty\n"
	                    "20240101000005 changed\n"
	                    "20240101000006 applied\n"
	                    "20240101000007 pending\n"
	                    "20240101000003 missing\n");
	assert_int_equal(gw_status_count(states), 7);
	for (i = 0; i < gw_status_count(states); i++) {
		assert_int_equal(gw_status_read(states, i, &e), 0);
		assert_same_states(&e, gw_status_get(full, i));
		assert_own_texts(&e);
		assert_own_texts(gw_status_get(full, i));
		assert_names(states, i, &e);
	}
	/* What the full status reads and the states do not; what both do. */
	assert_string_equal(gw_status_get(full, 3)->applied_by, "x");
	assert_true(gw_status_get(full, 4)->execution_ms >= 0);
	assert_int_equal(gw_status_get(full, 4)->statements_total, 1);
	assert_int_equal(gw_status_read(states, 2, &e), 0);
	assert_int_equal(e.statements_total, 3);
	assert_int_equal(e.statements_done, 1);
	assert_string_equal(e.error, "no such table: x");
	assert_int_equal(gw_status_read(states, 4, &e), 0);
	assert_string_equal(e.kind, "baseline");
	assert_int_equal(gw_status_read(states, 5, &e), 0);
	assert_string_equal(e.kind, "versioned");
	assert_int_equal(gw_status_read(states, 7, &e), -1);
	assert_int_equal(gw_status_names(states, 7, &none_v, &none_n), -1);
	assert_int_equal(gw_status_names(NULL, 0, &none_v, &none_n), -1);
	assert_int_equal(gw_status_count_state(states, GW_STATE_CHANGED), 2);
	assert_int_equal(gw_status_count_state(states, GW_STATE_MISSING), 1);
	assert_int_equal(gw_status_count_state(states, GW_STATE_DIRTY), 1);
	assert_int_equal(gw_status_count_state(states, GW_STATE_OUT_OF_ORDER), 1);
	/* gw_status_read of a full status reads its array. */
	for (i = 0; i < gw_status_count(full); i++) {
		assert_int_equal(gw_status_read(full, i, &e), 0);
		assert_same_entry(&e, gw_status_get(full, i));
		assert_own_texts(&e);
		assert_names(full, i, &e);
	}
	/* The array, made at the first gw_status_get, kept for the next. */
	for (i = 0; i < gw_status_count(states); i++)
		assert_same_states(gw_status_get(states, i), gw_status_get(full, i));
	assert_ptr_equal(gw_status_get(states, 3), gw_status_get(states, 3));
	assert_null(gw_status_get(states, 7));
	assert_int_equal(gw_status_count_state(states, GW_STATE_APPLIED), 1);
	gw_status_free(full);
	gw_status_free(states);
}

static void test_applied_after_up(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_status *st = NULL;
	const gw_status_entry *e;
	size_t n = 0;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", "DROP TABLE a;");
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	st = status_of(f);
	assert_states(st, "20240101000001 applied\n");
	e = gw_status_get(st, 0);
	assert_string_equal(e->checksum, e->applied_checksum);
	assert_string_equal(e->kind, "versioned");
	assert_int_equal(e->statements_total, 1);
	assert_int_equal(e->statements_done, 1);
	assert_null(e->error);
	/* ISO 8601 UTC with milliseconds. */
	assert_int_equal(strlen(e->applied_at), 24);
	assert_int_equal(e->applied_at[10], 'T');
	assert_int_equal(e->applied_at[23], 'Z');
	gw_status_free(st);
}

/* status reads each migration file once, through the library's file
 * layer (gw_file_read counts), and nothing else: the folder is large
 * enough to be read ahead by a second thread, which must hand over every
 * file it reads. A changed file is read once too. */
static void test_status_reads_each_file_once(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_status *st = NULL;
	char name[64], sql[64], down[64];
	unsigned long before;
	size_t i, n = 0;

	/* No config: no checksum cache (see the next test). */
	for (i = 1; i <= 100; i++) {
		snprintf(name, sizeof(name), "20240101%06zu_t%zu.sql", i, i);
		snprintf(sql, sizeof(sql), "CREATE TABLE t%zu (id int);", i);
		snprintf(down, sizeof(down), "DROP TABLE t%zu;", i);
		fx_migration(f, name, sql, down);
	}
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 100);
	fx_write(f->migrations, "20240101000007_t7.sql",
	         "-- migrate:up\nCREATE TABLE t7 (id bigint);\n-- migrate:down\nDROP TABLE t7;\n");
	fx_open(f); /* a project that has read nothing yet */
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 100);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 99);
	assert_int_equal(gw_status_get(st, 6)->state, GW_STATE_CHANGED);
	assert_string_equal(gw_status_get(st, 99)->version, "20240101000100");
	gw_status_free(st);
}

/* Rewrites name with text of the same size and puts its mtime back, as a
 * careful edit would: only its ctime tells. */
static void edit_keeping_mtime(fixture *f, const char *name, const char *text)
{
	char path[PATH_MAX * 2];
	struct stat before, after;
	struct timespec times[2];

	snprintf(path, sizeof(path), "%s/%s", f->migrations, name);
	assert_int_equal(stat(path, &before), 0);
	fx_write(f->migrations, name, text);
	times[0] = before.st_atim;
	times[1] = before.st_mtim;
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
	assert_int_equal(stat(path, &after), 0);
	assert_int_equal(after.st_size, before.st_size);
	assert_int_equal(after.st_mtim.tv_sec, before.st_mtim.tv_sec);
	assert_int_equal(after.st_mtim.tv_nsec, before.st_mtim.tv_nsec);
}

static void test_status_reads_no_file_the_cache_has(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_status *st = NULL;
	char name[64], sql[64], down[64];
	unsigned long before;
	size_t i, n = 0;
	gw_config *cfg = fx_open_with_config(f);

	for (i = 1; i <= 100; i++) {
		snprintf(name, sizeof(name), "20240101%06zu_t%zu.sql", i, i);
		snprintf(sql, sizeof(sql), "CREATE TABLE t%zu (id int);", i);
		snprintf(down, sizeof(down), "DROP TABLE t%zu;", i);
		fx_migration(f, name, sql, down);
	}
	/* @depends-on and no-transaction come back from the cache too. */
	fx_write(f->migrations, "20240101000101_late.sql",
	         "-- migrate:up transaction:false\n-- @depends-on: 20240101000003_t3.sql\n"
	         "CREATE TABLE late (id int);\n");
	fx_wait_clock_past(f, f->migrations);
	/* up reads them all, and records them. */
	before = gw_file_reads();
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 101);
	assert_true(gw_file_reads() - before >= 101);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 0);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 101);
	assert_false(gw_status_get(st, 100)->transactional);
	assert_true(gw_status_get(st, 99)->transactional);
	assert_true(gw_status_get(st, 99)->has_down);
	assert_false(gw_status_get(st, 100)->has_down);
	gw_status_free(st);

	/* The same size, the same mtime: the ctime gives the edit away. */
	edit_keeping_mtime(f, "20240101000007_t7.sql",
	                   "-- migrate:up\nCREATE TABLE t7 (ix int);\n\n-- migrate:down\n"
	                   "DROP TABLE t7;\n");
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 1);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 100);
	assert_int_equal(gw_status_get(st, 6)->state, GW_STATE_CHANGED);
	gw_status_free(st);
	/* Read again until it is older than a run; then from the cache,
	 * still changed. */
	fx_wait_clock_past(f, f->migrations);
	fx_open(f);
	st = status_of(f);
	gw_status_free(st);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 0);
	assert_int_equal(gw_status_get(st, 6)->state, GW_STATE_CHANGED);
	gw_status_free(st);
	gw_config_free(cfg);
}

/* Working out a transaction mode takes the file's text whenever it names
 * a word that might need one (VACUUM, or "database" in a comment): the
 * cache cannot say, so gw_project_status reads those files on every run.
 * gw_project_status_states, which `status`'s text uses, reads none. */
/* From 2,000 files on, a thread stats the later half of the folder
 * (gw_stat_ahead, stat.c). A wrong identity there reads a file the cache
 * had, or worse takes one from it that changed: the count of reads says
 * neither happens, an edit in each half read and seen. */
static void test_status_large_folder_reads_only_the_edited(void **state)
{
	fixture *f = *state;
	gw_status *st = NULL;
	char name[64], sql[64], before_sums[2][65];
	const size_t edited[2] = {10, 2000};
	unsigned long before;
	size_t i;
	gw_config *cfg = fx_open_with_config(f);

	for (i = 1; i <= 2100; i++) {
		snprintf(name, sizeof(name), "2024%010zu_t%zu.sql", i, i);
		snprintf(sql, sizeof(sql), "-- migrate:up\nCREATE TABLE t%zu (id int);\n", i);
		fx_write(f->migrations, name, sql);
	}
	fx_wait_clock_past(f, f->migrations);
	fx_open(f);
	st = status_of(f); /* reads them all, and records them */
	gw_status_free(st);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 0);
	assert_int_equal(gw_status_count(st), 2100);
	for (i = 0; i < 2; i++)
		snprintf(before_sums[i], sizeof(before_sums[i]), "%s",
		         gw_status_get(st, edited[i] - 1)->checksum);
	gw_status_free(st);
	for (i = 0; i < 2; i++) {
		snprintf(name, sizeof(name), "2024%010zu_t%zu.sql", edited[i], edited[i]);
		snprintf(sql, sizeof(sql), "-- migrate:up\nCREATE TABLE t%zu (ix int);\n",
		         edited[i]);
		edit_keeping_mtime(f, name, sql);
	}
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 2);
	for (i = 0; i < 2; i++)
		assert_string_not_equal(gw_status_get(st, edited[i] - 1)->checksum, before_sums[i]);
	gw_status_free(st);
	gw_config_free(cfg);
}

static void test_status_states_reads_no_file_for_modes(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_status *st = NULL;
	char name[64], sql[64];
	unsigned long before;
	size_t i, n = 0;
	gw_config *cfg = fx_open_with_config(f);

	/* Enough files for the folder to get a cache. */
	for (i = 1; i <= 64; i++) {
		snprintf(name, sizeof(name), "20240101%06zu_t%zu.sql", i, i);
		snprintf(sql, sizeof(sql), "CREATE TABLE t%zu (id int);", i);
		fx_migration(f, name, sql, NULL);
	}
	fx_migration(f, "20240101000065_vacuum.sql", "VACUUM;", NULL);
	fx_migration(f, "20240101000066_comment.sql",
	             "-- keeps the database small\nCREATE TABLE c (id int);", NULL);
	fx_wait_clock_past(f, f->migrations);
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 66);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 2);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 66);
	assert_true(gw_status_get(st, 63)->transactional);
	assert_false(gw_status_get(st, 64)->transactional);
	assert_true(gw_status_get(st, 65)->transactional);
	gw_status_free(st);

	fx_open(f);
	before = gw_file_reads();
	assert_int_equal(gw_project_status_states(&st, f->p), 0);
	assert_int_equal(gw_file_reads() - before, 0);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 66);
	/* What the directive says: it has none. */
	assert_true(gw_status_get(st, 64)->transactional);
	gw_status_free(st);

	/* An edited file is still read, for its checksum, and seen changed. */
	fx_migration(f, "20240101000001_t1.sql", "CREATE TABLE t1 (id bigint);", NULL);
	fx_open(f);
	before = gw_file_reads();
	assert_int_equal(gw_project_status_states(&st, f->p), 0);
	assert_int_equal(gw_file_reads() - before, 1);
	assert_int_equal(gw_status_get(st, 0)->state, GW_STATE_CHANGED);
	assert_int_equal(gw_status_count_state(st, GW_STATE_APPLIED), 65);
	gw_status_free(st);
	gw_config_free(cfg);
}

/* A damaged cache, one of another folder, one that cannot be written:
 * each file is read, and status is right all the same. */
static void test_status_cache_damaged_or_unwritable(void **state)
{
	fixture *f = *state;
	gw_status *st = NULL;
	char name[64], sql[64], path[PATH_MAX * 2];
	gw_vec names = GW_VEC_INIT;
	unsigned long before;
	FILE *fp;
	size_t i;
	gw_config *cfg = fx_open_with_config(f);

	for (i = 1; i <= 70; i++) {
		snprintf(name, sizeof(name), "20240101%06zu_t%zu.sql", i, i);
		snprintf(sql, sizeof(sql), "CREATE TABLE t%zu (id int);", i);
		fx_migration(f, name, sql, NULL);
	}
	fx_wait_clock_past(f, f->migrations);
	st = status_of(f);
	gw_status_free(st);
	snprintf(path, sizeof(path), "%s/.godwit/sums", f->dir);
	/* The cache, and a .gitignore that keeps it out of git. */
	assert_int_equal(gw_dir_list(&names, path, f->ctx), 0);
	/* The checksums, then the listing (listing.c). */
	assert_int_equal(names.len, 3);
	assert_memory_equal(names.items[2], "list-", 5);
	assert_string_equal(names.items[0], ".gitignore");
	snprintf(path, sizeof(path), "%s/.godwit/sums/%s", f->dir, (const char *)names.items[1]);
	gw_vec_dispose(&names, free);

	/* One byte changed in a checksum: the whole cache is ignored. */
	assert_non_null(fp = fopen(path, "r+"));
	assert_int_equal(fseek(fp, -30, SEEK_END), 0);
	assert_int_equal(fputc('x', fp), 'x');
	assert_int_equal(fclose(fp), 0);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 70);
	assert_int_equal(gw_status_count_state(st, GW_STATE_PENDING), 70);
	gw_status_free(st);
	/* ... and written again. */
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 0);
	gw_status_free(st);

	/* Cut short. */
	assert_int_equal(truncate(path, 100), 0);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 70);
	gw_status_free(st);

	/* Where the cache goes cannot be written (a file in the way, which
	 * stops root too): no error, every file read each time. */
	{
		char cmd[PATH_MAX * 3];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s/.godwit' && : > '%s/.godwit'", f->dir,
		         f->dir);
		assert_int_equal(system(cmd), 0);
	}
	for (i = 0; i < 2; i++) {
		fx_open(f);
		before = gw_file_reads();
		st = status_of(f);
		assert_int_equal(gw_file_reads() - before, 70);
		assert_int_equal(gw_status_count_state(st, GW_STATE_PENDING), 70);
		gw_status_free(st);
	}
	assert_null(gw_ctx_error(f->ctx));
	gw_config_free(cfg);
}

/* The cache file's text, the folder's one cache. */
static char *cache_text(fixture *f)
{
	char path[PATH_MAX * 2];
	gw_vec names = GW_VEC_INIT;
	gw_str text = GW_STR_INIT;

	snprintf(path, sizeof(path), "%s/.godwit/sums", f->dir);
	assert_int_equal(gw_dir_list(&names, path, f->ctx), 0);
	/* The checksums, then the listing (listing.c). */
	assert_int_equal(names.len, 3);
	assert_memory_equal(names.items[2], "list-", 5);
	snprintf(path, sizeof(path), "%s/.godwit/sums/%s", f->dir, (const char *)names.items[1]);
	gw_vec_dispose(&names, free);
	assert_int_equal(gw_file_read(&text, path, GW_FILE_MAX, f->ctx), 0);
	return gw_str_detach(&text);
}

/* The cache's records are matched to the files in one walk of both, in
 * the folder's order: files added before, between and after the
 * records, and files removed, are each read or dropped, and only they. */
static void test_status_cache_walk_follows_added_and_removed_files(void **state)
{
	fixture *f = *state;
	gw_status *st = NULL;
	char name[64], sql[64], path[PATH_MAX * 2], *text;
	unsigned long before;
	size_t i;
	gw_config *cfg = fx_open_with_config(f);

	for (i = 1; i <= 70; i++) {
		snprintf(name, sizeof(name), "20240101%06zu_t%zu.sql", i, i);
		snprintf(sql, sizeof(sql), "CREATE TABLE t%zu (id int);", i);
		fx_migration(f, name, sql, NULL);
	}
	fx_wait_clock_past(f, f->migrations);
	st = status_of(f);
	gw_status_free(st);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 0);
	gw_status_free(st);

	/* Two removed (one in the middle, the last), three added (first,
	 * between two records, last). */
	for (i = 10; i <= 70; i += 60) {
		snprintf(path, sizeof(path), "%s/20240101%06zu_t%zu.sql", f->migrations, i, i);
		assert_int_equal(unlink(path), 0);
	}
	fx_migration(f, "20231231000000_first.sql", "CREATE TABLE first (id int);", NULL);
	fx_migration(f, "202401010000205_between.sql", "CREATE TABLE between (id int);", NULL);
	fx_migration(f, "20240102000000_last.sql", "CREATE TABLE last (id int);", NULL);
	fx_wait_clock_past(f, f->migrations);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 3);
	assert_int_equal(gw_status_count(st), 71);
	assert_int_equal(gw_status_count_state(st, GW_STATE_PENDING), 71);
	assert_string_equal(gw_status_get(st, 0)->version, "20231231000000");
	assert_string_equal(gw_status_get(st, 9)->version, "20240101000009");
	assert_string_equal(gw_status_get(st, 10)->version, "20240101000011");
	gw_status_free(st);
	/* The cache was written again: the new files in it, the removed
	 * ones not. */
	text = cache_text(f);
	assert_non_null(strstr(text, "\n20231231000000_first.sql\t"));
	assert_non_null(strstr(text, "\n202401010000205_between.sql\t"));
	assert_non_null(strstr(text, "\n20240102000000_last.sql\t"));
	assert_null(strstr(text, "_t10.sql"));
	assert_null(strstr(text, "_t70.sql"));
	free(text);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 0);
	assert_int_equal(gw_status_count(st), 71);
	gw_status_free(st);

	/* A file removed and nothing else: no file read, and the cache
	 * forgets it. */
	snprintf(path, sizeof(path), "%s/20240101000033_t33.sql", f->migrations);
	assert_int_equal(unlink(path), 0);
	fx_open(f);
	before = gw_file_reads();
	st = status_of(f);
	assert_int_equal(gw_file_reads() - before, 0);
	assert_int_equal(gw_status_count(st), 70);
	gw_status_free(st);
	text = cache_text(f);
	assert_null(strstr(text, "_t33.sql"));
	assert_non_null(strstr(text, "_t34.sql"));
	free(text);
	gw_config_free(cfg);
}

static void test_other_tool_history_is_named_and_up_refuses(void **state)
{
	fixture *f = *state;
	gw_up_options up = GW_UP_OPTIONS_INIT;
	gw_status *st = NULL;
	size_t n = 0;
	int rc;

	fx_migration(f, "20240101000001_a.sql", "CREATE TABLE a (id int);", NULL);
	fx_sql(f, "CREATE TABLE schema_migrations (version varchar(128) PRIMARY KEY);"
	          "INSERT INTO schema_migrations VALUES ('20240101000001');");
	st = status_of(f);
	assert_string_equal(gw_status_other_tool(st), "dbmate");
	assert_string_equal(gw_status_other_table(st), "schema_migrations");
	assert_states(st, "20240101000001 pending\n");
	gw_status_free(st);
	rc = gw_project_up(&n, f->p, &up);
	assert_int_equal(gw_ctx_error(f->ctx)->hint_code, GW_HINT_OTHER_HISTORY);
	assert_string_equal(gw_ctx_error(f->ctx)->hint_args[0], "dbmate");
	fx_assert_error(
	        f, rc, GW_ESTATE,
	        "this database holds the dbmate history (schema_migrations) and godwit's history "
	        "is empty: up would apply every migration again on a database dbmate already "
	        "migrated",
	        "take the history over by adopting it from dbmate (a dry run shows what it "
	        "records); to apply everything anyway, set ignore_other_history");
	fx_assert_query(f, "SELECT count(*) FROM sqlite_master WHERE name = 'a'", "0\n");
	/* Version 1 options cannot ask to ignore it. */
	up.version = 1;
	up.ignore_other_history = 1;
	assert_int_equal(gw_project_up(&n, f->p, &up), GW_ESTATE);
	gw_ctx_clear_error(f->ctx);
	up.version = GW_UP_OPTIONS_VERSION;
	assert_int_equal(gw_project_up(&n, f->p, &up), 0);
	assert_int_equal(n, 1);
	/* Once godwit's history has rows, the other one is not looked for. */
	st = status_of(f);
	assert_null(gw_status_other_tool(st));
	gw_status_free(st);
}

static void test_broken_file_is_reported_without_a_database(void **state)
{
	fixture *f = *state;
	gw_status *st = NULL;
	char message[PATH_MAX + 256];
	struct stat sb;
	int error;

	fx_write(f->migrations, "20240101000001_a.sql",
	         "-- migrate:up\nSELECT 1;\n-- Migrate:Down\n");
	error = gw_project_status(&st, f->p);
	assert_int_equal(error, GW_ESOURCE);
	assert_null(st);
	assert_int_equal(gw_ctx_error(f->ctx)->line, 3);
	snprintf(message, sizeof(message),
	         "%s/20240101000001_a.sql:3: \"-- Migrate:Down\" is not a section marker; write "
	         "it exactly as \"-- migrate:down\" at the start of the line (as it is, the SQL "
	         "below it would run as part of the section above it)",
	         f->migrations);
	assert_string_equal(gw_ctx_error(f->ctx)->message, message);
	assert_int_equal(stat(f->db, &sb), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_state_names),
	        cmocka_unit_test_setup_teardown(
	                test_status_of_a_database_not_created_creates_nothing, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_every_state, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_applied_after_up, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_status_states_reads_each_entry_as_made, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_status_reads_each_file_once, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_status_reads_no_file_the_cache_has, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_status_large_folder_reads_only_the_edited,
	                                        setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_status_states_reads_no_file_for_modes, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_status_cache_damaged_or_unwritable, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(
	                test_status_cache_walk_follows_added_and_removed_files, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_other_tool_history_is_named_and_up_refuses,
	                                        setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_broken_file_is_reported_without_a_database,
	                                        setup, fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
