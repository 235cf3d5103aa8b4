/*
 * test_cov_sums.c: the checksum cache of a migrations folder
 * (src/lib/source/sums.c) through gw_project_status: every kind of cache
 * the reader must reject (damaged whole, or one record of it damaged
 * under a right check sum), records of files gone, and a cache that
 * cannot be read or written. Each case asserts how many migration files
 * were read (gw_file_reads) and that status is exactly the one of a run
 * that read every file. The folder's listing kept beside it (listing.c)
 * likewise: every listing under a right check sum that this build would
 * not write is read around.
 */
/* utimensat, truncate */
#define _DEFAULT_SOURCE 1

#include "project_fixture.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <time.h>
#include <unistd.h>

#include "godwit/config.h"
#include "lib/source/priv.h"
#include "util/fs.h"

#define NFILES 70

static int setup(void **state)
{
	return fx_setup_named(state, "cov_sums");
}

/* The project's cache of checksums, and its folder's listing. */
static void cache_path(fixture *f, char *path, char *list, size_t size)
{
	gw_vec names = GW_VEC_INIT;

	snprintf(path, size, "%s/.godwit/sums", f->dir);
	assert_int_equal(gw_dir_list(&names, path, f->ctx), 0);
	/* The checksums, then the listing (listing.c). */
	assert_int_equal(names.len, 3);
	assert_string_equal(names.items[0], ".gitignore");
	assert_memory_equal(names.items[2], "list-", 5);
	snprintf(list, size, "%s/.godwit/sums/%s", f->dir, (const char *)names.items[2]);
	snprintf(path, size, "%s/.godwit/sums/%s", f->dir, (const char *)names.items[1]);
	gw_vec_dispose(&names, free);
}

static char *read_text(fixture *f, const char *path)
{
	gw_str text = GW_STR_INIT;

	assert_int_equal(gw_file_read(&text, path, GW_FILE_MAX, f->ctx), 0);
	return gw_str_detach(&text);
}

static void write_bytes(const char *path, const char *text, size_t len)
{
	FILE *fp;

	assert_non_null(fp = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
}

/* Writes body with the trailer of a right check sum. */
static void write_summed(const char *path, const char *body)
{
	gw_str s = GW_STR_INIT;

	assert_int_equal(gw_str_puts(&s, body), 0);
	assert_int_equal(
	        gw_str_printf(&s, "end\t%016llx\n",
	                      (unsigned long long)gw_source__sums_text_sum(body, strlen(body))),
	        0);
	write_bytes(path, s.ptr, s.size);
	gw_str_dispose(&s);
}

/* "version state checksum transactional has_down" of each entry. */
static char *signature(fixture *f, unsigned long *reads)
{
	gw_status *st = NULL;
	gw_str s = GW_STR_INIT;
	unsigned long before;
	size_t i;

	fx_open(f);
	before = gw_file_reads();
	assert_int_equal(gw_project_status(&st, f->p), 0);
	*reads = gw_file_reads() - before;
	for (i = 0; i < gw_status_count(st); i++) {
		const gw_status_entry *e = gw_status_get(st, i);

		gw_str_printf(&s, "%s %s %s %d %d\n", e->version, gw_state_name(e->state),
		              e->checksum ? e->checksum : "-", e->transactional, e->has_down);
	}
	gw_status_free(st);
	assert_false(gw_str_failed(&s));
	return gw_str_detach(&s);
}

/* Runs status: reads files read, and the result is the baseline. */
static void expect_reads(fixture *f, const char *baseline, unsigned long reads)
{
	unsigned long got;
	char *sig = signature(f, &got);

	assert_int_equal(got, reads);
	assert_string_equal(sig, baseline);
	free(sig);
	assert_null(gw_ctx_error(f->ctx));
}

/* body with the line of the record of name replaced by line (NULL: the
 * line dropped); line is the whole line, with its '\n'. */
static char *with_line(const char *body, const char *name, const char *line)
{
	char key[128];
	const char *at, *nl;
	gw_str s = GW_STR_INIT;

	snprintf(key, sizeof(key), "\n%s\t", name);
	assert_non_null(at = strstr(body, key));
	at++;
	assert_non_null(nl = strchr(at, '\n'));
	gw_str_put(&s, body, (size_t)(at - body));
	if (line)
		gw_str_puts(&s, line);
	gw_str_puts(&s, nl + 1);
	assert_false(gw_str_failed(&s));
	return gw_str_detach(&s);
}

/* The record line of name in body, with its '\n'. */
static char *line_of(const char *body, const char *name)
{
	char key[128];
	const char *at, *nl;

	snprintf(key, sizeof(key), "\n%s\t", name);
	assert_non_null(at = strstr(body, key));
	at++;
	assert_non_null(nl = strchr(at, '\n'));
	return strndup(at, (size_t)(nl + 1 - at));
}

/* The record of name with field idx (0: the name) set to value, or, with
 * value NULL, the record cut after field idx (its '\n' kept). */
static char *with_field(const char *body, const char *name, int idx, const char *value)
{
	char *line = line_of(body, name), *out;
	gw_str s = GW_STR_INIT;
	const char *p = line;
	int i = 0;

	for (;;) {
		const char *end = p + strcspn(p, "\t\n");

		if (i == idx && value)
			gw_str_puts(&s, value);
		else
			gw_str_put(&s, p, (size_t)(end - p));
		if (*end == '\n' || (!value && i == idx))
			break;
		gw_str_putc(&s, '\t');
		p = end + 1;
		i++;
	}
	assert_true(i >= idx);
	gw_str_putc(&s, '\n');
	assert_false(gw_str_failed(&s));
	out = with_line(body, name, s.ptr);
	gw_str_dispose(&s);
	free(line);
	return out;
}

static char *name_of(size_t i)
{
	char buf[64];

	snprintf(buf, sizeof(buf), "20240101%06zu_t%zu.sql", i, i);
	return strdup(buf);
}

typedef struct {
	fixture *f;
	gw_config *cfg;
	char path[PATH_MAX * 2];
	char list[PATH_MAX * 2]; /* the folder's listing */
	char *body;              /* the cache, as written, without its trailer */
	char *baseline;          /* status of a run that read every file */
} cache_fx;

/* NFILES migrations (the 3rd depends on the 2nd and runs outside a
 * transaction), a first run that writes the cache, one that reads no file. */
static void cache_setup(cache_fx *c, fixture *f)
{
	char sql[128], *text, *name;
	unsigned long reads;
	size_t i;

	c->f = f;
	c->cfg = fx_open_with_config(f);
	for (i = 1; i <= NFILES; i++) {
		name = name_of(i);
		if (i == 3) {
			fx_write(f->migrations, name,
			         "-- migrate:up transaction:false\n"
			         "-- @depends-on: 20240101000002_t2.sql\n"
			         "CREATE TABLE t3 (id int);\n");
		} else {
			snprintf(sql, sizeof(sql), "CREATE TABLE t%zu (id int);", i);
			fx_migration(f, name, sql, i % 2 ? "SELECT 1;" : NULL);
		}
		free(name);
	}
	fx_wait_clock_past(f, f->migrations);
	c->baseline = signature(f, &reads);
	assert_int_equal(reads, NFILES);
	expect_reads(f, c->baseline, 0);
	cache_path(f, c->path, c->list, sizeof(c->path));
	text = read_text(f, c->path);
	assert_true(strlen(text) > 21);
	c->body = strndup(text, strlen(text) - 21);
	free(text);
}

static void cache_teardown(cache_fx *c)
{
	free(c->body);
	free(c->baseline);
	gw_config_free(c->cfg);
}

/* A cache with body (summed right) reads `reads` files, twice when
 * `again` (a cache this build would not write is replaced: the run
 * after reads none). */
static void case_summed(cache_fx *c, char *body, unsigned long reads, int again)
{
	write_summed(c->path, body);
	expect_reads(c->f, c->baseline, reads);
	if (again)
		expect_reads(c->f, c->baseline, 0);
	free(body);
}

static void case_raw(cache_fx *c, const char *text, size_t len, unsigned long reads)
{
	write_bytes(c->path, text, len);
	expect_reads(c->f, c->baseline, reads);
	expect_reads(c->f, c->baseline, 0);
}

/* A cache not whole, or not this build's: every file is read, and it is
 * written again. */
static void test_damaged_whole_cache_is_read_around(void **state)
{
	cache_fx c;
	char *text, *t;
	size_t len;

	cache_setup(&c, *state);
	text = read_text(c.f, c.path);
	len = strlen(text);

	/* Empty. */
	case_raw(&c, "", 0, NFILES);
	/* Shorter than its header and trailer. */
	case_raw(&c, text, 30, NFILES);
	/* Cut short, by one byte: no trailer. */
	case_raw(&c, text, len - 1, NFILES);
	/* The trailer's word, its newline, its digits. */
	t = strdup(text);
	t[len - 21] = 'E';
	case_raw(&c, t, len, NFILES);
	strcpy(t, text);
	t[len - 1] = ' ';
	case_raw(&c, t, len, NFILES);
	strcpy(t, text);
	memcpy(t + len - 17, "zzzzzzzzzzzzzzzz", 16);
	case_raw(&c, t, len, NFILES);
	/* Its digits in capitals, which this build does not write. */
	strcpy(t, text);
	for (size_t i = len - 17; i < len - 1; i++)
		t[i] = (char)toupper((unsigned char)t[i]);
	if (strcmp(t, text))
		case_raw(&c, t, len, NFILES);
	/* One byte of a record changed: the check sum tells. */
	strcpy(t, text);
	t[len - 30] = t[len - 30] == '0' ? '1' : '0';
	case_raw(&c, t, len, NFILES);
	free(t);
	/* Another format or another build, under a right check sum. */
	assert_int_equal(strncmp(c.body, "godwit-sums 4\t", 14), 0);
	t = strdup(c.body);
	t[12] = '1';
	case_summed(&c, t, NFILES, 1);
	t = strdup(c.body);
	*strchr(t + 14, '\t') = ' ';
	case_summed(&c, t, NFILES, 1);
	/* Records only, no header. */
	t = strdup(strchr(c.body, '\n') + 1);
	case_summed(&c, t, NFILES, 1);
	/* The header alone: no record, every file read and recorded. */
	t = strndup(c.body, (size_t)(strchr(c.body, '\n') + 1 - c.body));
	case_summed(&c, t, NFILES, 1);
	free(text);
	cache_teardown(&c);
}

/* A record this build would not have written, under a right check sum:
 * the cache is not trusted at all (every file read), and replaced. */
static void test_bad_record_drops_the_whole_cache(void **state)
{
	static const struct {
		int field;
		const char *value;
	} bad_ids[] = {
	        {0, ""},                      /* no name */
	        {1, "x1"},                    /* a device not a number */
	        {1, ""},                      /* empty */
	        {2, "123456789012345678901"}, /* an inode of 21 digits */
	        {3, "18446744073709551616"},  /* a size past 2^64 - 1 */
	        {4, "-"},                     /* a sign alone */
	        {4, "1234567890123456789"},   /* 19 digits */
	        {5, "1x"},                    /* not a number */
	        {6, ""},                      /* empty */
	        {7, "--1"},                   /* two signs */
	        {3, NULL},                    /* the line cut after the size */
	        {0, NULL},                    /* a name alone */
	};
	cache_fx c;
	char *first, *second, *t;
	size_t i;

	cache_setup(&c, *state);
	for (i = 0; i < sizeof(bad_ids) / sizeof(bad_ids[0]); i++) {
		/* In the middle: the records before it are forgotten too. */
		t = with_field(c.body, "20240101000040_t40.sql", bad_ids[i].field,
		               bad_ids[i].value);
		case_summed(&c, t, NFILES, 1);
	}
	/* The first record bad. */
	case_summed(&c, with_field(c.body, "20240101000001_t1.sql", 2, "z"), NFILES, 1);
	/* Out of order: two records swapped. */
	first = line_of(c.body, "20240101000010_t10.sql");
	second = line_of(c.body, "20240101000011_t11.sql");
	t = with_line(c.body, "20240101000010_t10.sql", second);
	{
		char *u = with_line(t, "20240101000011_t11.sql", NULL);
		char *v;

		free(t);
		/* t11's line is now where t10's was; t10's goes after it. */
		v = strstr(u, second);
		assert_non_null(v);
		t = calloc(1, strlen(u) + strlen(first) + 1);
		memcpy(t, u, (size_t)(v - u) + strlen(second));
		strcat(t, first);
		strcat(t, v + strlen(second));
		free(u);
	}
	case_summed(&c, t, NFILES, 1);
	/* The same record twice. */
	t = with_line(c.body, "20240101000020_t20.sql", NULL);
	{
		char *line = line_of(c.body, "20240101000020_t20.sql");
		gw_str s = GW_STR_INIT;
		const char *at = strstr(c.body, line);

		gw_str_put(&s, c.body, (size_t)(at - c.body));
		gw_str_puts(&s, line);
		gw_str_puts(&s, at);
		free(t);
		t = gw_str_detach(&s);
		free(line);
	}
	case_summed(&c, t, NFILES, 1);
	/* The last record without its newline. */
	t = strdup(c.body);
	t[strlen(t) - 1] = '\0';
	case_summed(&c, t, NFILES, 1);
	free(first);
	free(second);
	cache_teardown(&c);
}

/* A record whose identity is the file's but whose fields this build would
 * not have written: that file alone is read. */
static void test_bad_fields_read_that_file(void **state)
{
	static const struct {
		const char *name;
		int field;
		const char *value;
	} bad[] = {
	        {"20240101000040_t40.sql", 8, "63000000000000"},  /* no such convention */
	        {"20240101000040_t40.sql", 8, "0140000e0f0012"},  /* a flag past the six */
	        {"20240101000040_t40.sql", 8, "01000000000"},     /* too short */
	        {"20240101000040_t40.sql", 8, "010000000000000"}, /* too long */
	        {"20240101000040_t40.sql", 8, "0100000e0f001G"},  /* not hex */
	        {"20240101000040_t40.sql", 8, "0100000e0F0012"},  /* uppercase */
	        {"20240101000040_t40.sql", 8, "0100ff0e0f0012"},  /* past the name's end */
	        {"20240101000040_t40.sql", 8, "0100000e0f00ff"},  /* a stem past the name */
	        {"20240101000040_t40.sql", 8, "0100000e200012"},  /* a name past the stem */
	        {"20240101000040_t40.sql", 9, "X"},               /* neither up nor down */
	        {"20240101000040_t40.sql", 9, "UU"},              /* a kind of two letters */
	        {"20240101000040_t40.sql", 10, "100"},            /* flags of three digits */
	        {"20240101000040_t40.sql", 10, "x1"},             /* flags not hex */
	        {"20240101000040_t40.sql", 11, "abc"},            /* a checksum too short */
	        {"20240101000040_t40.sql", 11, "-"},              /* an up without checksum */
	        {"20240101000040_t40.sql", 11, "x"},              /* neither '-' nor a checksum */
	        {"20240101000040_t40.sql", 12, "ab"},             /* a down checksum too short */
	        {"20240101000040_t40.sql", 13, "-1"},             /* a negative count */
	        {"20240101000040_t40.sql", 13, "1"},              /* a depends-on missing */
	        {"20240101000040_t40.sql", 12, NULL},             /* cut before the count */
	        {"20240101000040_t40.sql", 9, NULL},              /* cut after the kind */
	        {"20240101000040_t40.sql", 8, NULL},              /* cut before the flags */
	        {"20240101000003_t3.sql", 14, "-1"},         /* a depends-on on a negative line */
	        {"20240101000003_t3.sql", 14, "2147483648"}, /* past an int */
	        {"20240101000003_t3.sql", 15, ""},           /* no name */
	        {"20240101000003_t3.sql", 14, NULL},         /* cut before its name */
	};
	cache_fx c;
	char *line, *t;
	size_t i;

	cache_setup(&c, *state);
	/* The records as this build writes them: t3 is an up outside a
	 * transaction with one depends-on, t40 an up with no down. */
	line = line_of(c.body, "20240101000003_t3.sql");
	/* Its flags in hex, the lowest bit no_transaction. */
	assert_non_null(t = strstr(line, "\tU\t"));
	assert_true(strtoul(t + 3, NULL, 16) & 1);
	/* What the name says: native (conv 0), no flag, the version 14 bytes
	 * from 0, the name from 15, the stem 18 bytes from 0. */
	assert_non_null(strstr(line, "\t0100000e0f0011\tU\t"));
	assert_non_null(strstr(line, "\t-\t1\t2\t20240101000002_t2.sql\n"));
	free(line);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		t = with_field(c.body, bad[i].name, bad[i].field, bad[i].value);
		/* The record is kept as its identity is right: read each run. */
		case_summed(&c, t, 1, 0);
		expect_reads(c.f, c.baseline, 1);
	}
	/* A field too many. */
	line = line_of(c.body, "20240101000040_t40.sql");
	line[strlen(line) - 1] = '\0';
	t = malloc(strlen(line) + 8);
	sprintf(t, "%s\t7\n", line);
	free(line);
	line = t;
	case_summed(&c, with_line(c.body, "20240101000040_t40.sql", line), 1, 0);
	free(line);
	cache_teardown(&c);
}

/* Under a convention forced, a record that says its file follows another
 * (under a right check sum) is refused as the file itself would be, and
 * the error names that file: a file the cache holds has no path made
 * until an error needs it. */
static void test_record_of_another_convention_names_its_file(void **state)
{
	fixture *f = *state;
	const gw_error *e;
	gw_status *st = NULL;
	char path[PATH_MAX + 128], *body;
	cache_fx c;

	f->opts.format = GW_FORMAT_NATIVE;
	cache_setup(&c, f);
	/* What the name says, as written: native (1), no flag. */
	assert_non_null(strstr(c.body, "20240101000040_t40.sql\t"));
	body = with_field(c.body, "20240101000040_t40.sql", 8, "0600000e0f0012");
	write_summed(c.path, body);
	free(body);
	fx_open(f);
	assert_int_equal(gw_project_status(&st, f->p), GW_ESOURCE);
	assert_null(st);
	assert_non_null(e = gw_ctx_error(f->ctx));
	snprintf(path, sizeof(path),
	         "%s/20240101000040_t40.sql: does not follow the native convention (it looks "
	         "like goose)",
	         f->migrations);
	assert_non_null(strstr(e->message, path));
	assert_ptr_equal(strstr(e->message, path), e->message);
	gw_ctx_clear_error(f->ctx);
	cache_teardown(&c);
}

/* Records of files the folder no longer has, before, between and after
 * its files, and a record of another identity: no file read but the
 * changed one, and the cache written again without them. */
static void test_records_of_other_files(void **state)
{
	cache_fx c;
	char *line, *t, *text;

	cache_setup(&c, *state);
	line = line_of(c.body, "20240101000005_t5.sql");
	/* Between two files. */
	{
		gw_str s = GW_STR_INIT;
		const char *at = strstr(c.body, line) + strlen(line);

		gw_str_put(&s, c.body, (size_t)(at - c.body));
		gw_str_puts(&s, "20240101000005_t5x.sql");
		gw_str_puts(&s, strchr(line, '\t'));
		gw_str_puts(&s, at);
		t = gw_str_detach(&s);
	}
	case_summed(&c, t, 0, 0);
	text = read_text(c.f, c.path);
	assert_null(strstr(text, "t5x.sql"));
	assert_non_null(strstr(text, "\n20240101000005_t5.sql\t"));
	free(text);
	expect_reads(c.f, c.baseline, 0);
	/* After the last file. */
	{
		gw_str s = GW_STR_INIT;

		gw_str_puts(&s, c.body);
		gw_str_puts(&s, "zz.sql");
		gw_str_puts(&s, strchr(line, '\t'));
		t = gw_str_detach(&s);
	}
	case_summed(&c, t, 0, 0);
	text = read_text(c.f, c.path);
	assert_null(strstr(text, "zz.sql"));
	free(text);
	/* Before the first. */
	{
		gw_str s = GW_STR_INIT;
		const char *first = strchr(c.body, '\n') + 1;

		gw_str_put(&s, c.body, (size_t)(first - c.body));
		gw_str_puts(&s, "1_a.sql");
		gw_str_puts(&s, strchr(line, '\t'));
		gw_str_puts(&s, first);
		t = gw_str_detach(&s);
	}
	case_summed(&c, t, 0, 0);
	text = read_text(c.f, c.path);
	assert_null(strstr(text, "1_a.sql"));
	free(text);
	/* An identity that is not the file's (a negative mtime, which
	 * parses): that file is read, and recorded again. */
	case_summed(&c, with_field(c.body, "20240101000005_t5.sql", 4, "-5"), 1, 1);
	/* Each other part of the identity, another value: the same. */
	{
		static const int parts[] = {1, 2, 3, 5, 6, 7};
		size_t i;

		for (i = 0; i < sizeof(parts) / sizeof(parts[0]); i++)
			case_summed(&c, with_field(c.body, "20240101000005_t5.sql", parts[i], "7"),
			            1, 1);
	}
	free(line);
	cache_teardown(&c);
}

/* A cache of whole pages is mapped with nothing after its last byte: its
 * trailer is read within it, and every file is taken from it. The pages
 * are filled by a record of a file gone, after the last file's. */
static void test_cache_of_whole_pages(void **state)
{
	cache_fx c;
	gw_str s = GW_STR_INIT;
	size_t page = (size_t)sysconf(_SC_PAGESIZE), pad;
	char *line, *text;

	cache_setup(&c, *state);
	line = line_of(c.body, "20240101000005_t5.sql");
	gw_str_puts(&s, c.body);
	gw_str_puts(&s, "zz");
	pad = page - (s.size + strlen(".sql") + strlen(strchr(line, '\t')) + 21) % page;
	while (pad--)
		gw_str_putc(&s, 'z');
	gw_str_puts(&s, ".sql");
	gw_str_puts(&s, strchr(line, '\t'));
	assert_false(gw_str_failed(&s));
	assert_int_equal((s.size + 21) % page, 0);
	case_summed(&c, gw_str_detach(&s), 0, 0);
	/* Written again without the record of the file gone. */
	text = read_text(c.f, c.path);
	assert_null(strstr(text, "zz"));
	free(text);
	expect_reads(c.f, c.baseline, 0);
	free(line);
	cache_teardown(&c);
}

/* A cache that cannot be read (a folder in its place) or written (a file
 * where its folder goes): every file read, each run, and no error. */
static void test_cache_unreadable_or_unwritable(void **state)
{
	cache_fx c;
	char dir[PATH_MAX * 2], cmd[PATH_MAX * 5];

	cache_setup(&c, *state);
	assert_int_equal(unlink(c.path), 0);
	assert_int_equal(mkdir(c.path, 0700), 0);
	expect_reads(c.f, c.baseline, NFILES);
	expect_reads(c.f, c.baseline, NFILES);
	assert_int_equal(rmdir(c.path), 0);
	/* Gone, .gitignore kept: written again. */
	expect_reads(c.f, c.baseline, NFILES);
	expect_reads(c.f, c.baseline, 0);
	snprintf(dir, sizeof(dir), "%s/.godwit/sums", c.f->dir);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && : > '%s'", dir, dir);
	assert_int_equal(system(cmd), 0);
	expect_reads(c.f, c.baseline, NFILES);
	expect_reads(c.f, c.baseline, NFILES);
	cache_teardown(&c);
}

/* Sets the mtime of a migration (nanoseconds 0: a file system that keeps
 * seconds) to now + delta seconds. */
static void set_mtime(fixture *f, const char *name, long delta, long ns)
{
	char path[PATH_MAX * 2];
	struct timespec times[2];

	snprintf(path, sizeof(path), "%s/%s", f->migrations, name);
	times[0].tv_sec = 0;
	times[0].tv_nsec = UTIME_OMIT;
	times[1].tv_sec = time(NULL) + delta;
	times[1].tv_nsec = ns;
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

/* Stamps in whole seconds are recorded only two seconds older than the
 * run; a stamp in the future is never recorded (read each run). */
static void test_stamps_in_seconds_and_in_the_future(void **state)
{
	cache_fx c;
	char *text;

	cache_setup(&c, *state);
	/* Whole seconds, in the past: recorded when the ctime is too. */
	set_mtime(c.f, "20240101000008_t8.sql", -3600, 0);
	/* Whole seconds, an hour ahead; nanoseconds, an hour ahead. */
	set_mtime(c.f, "20240101000009_t9.sql", 3600, 0);
	set_mtime(c.f, "20240101000012_t12.sql", 3600, 5);
	fx_wait_clock_past(c.f, c.f->migrations);
	expect_reads(c.f, c.baseline, 3);
	expect_reads(c.f, c.baseline, 2);
	expect_reads(c.f, c.baseline, 2);
	text = read_text(c.f, c.path);
	assert_non_null(strstr(text, "\n20240101000008_t8.sql\t"));
	assert_null(strstr(text, "\n20240101000009_t9.sql\t"));
	assert_null(strstr(text, "\n20240101000012_t12.sql\t"));
	free(text);
	cache_teardown(&c);
}

/* A run killed while it wrote the cache left its new file behind: the
 * next run that writes the cache removes it once it is older than any
 * run takes, and leaves alone one being written now and what is not
 * godwit's. */
static void put_file_aged(const char *path, long age)
{
	struct timespec times[2];

	write_bytes(path, "godwit-sums 4\t", 14);
	times[0].tv_sec = times[1].tv_sec = time(NULL) - age;
	times[0].tv_nsec = times[1].tv_nsec = 0;
	assert_int_equal(utimensat(AT_FDCWD, path, times, 0), 0);
}

static void test_leftover_of_a_killed_run_is_removed(void **state)
{
	cache_fx c;
	char old[PATH_MAX * 3], fresh[PATH_MAX * 3], other[PATH_MAX * 3], dashed[PATH_MAX * 3];
	char listed[PATH_MAX * 3];
	char sql[64];
	struct stat st;
	unsigned long reads;

	cache_setup(&c, *state);
	snprintf(old, sizeof(old), "%s.Ab12Cd", c.path);
	snprintf(fresh, sizeof(fresh), "%s.x9Y8z7", c.path);
	snprintf(other, sizeof(other), "%s.notes", c.path);
	/* Six characters after the dot, but not mkstemp's. */
	snprintf(dashed, sizeof(dashed), "%s.ab-c_d", c.path);
	/* The listing's, list-<key>.XXXXXX. */
	snprintf(listed, sizeof(listed), "%s.Zz09aB", c.list);
	put_file_aged(old, 3600);
	put_file_aged(listed, 3600);
	put_file_aged(fresh, 60);
	put_file_aged(other, 3600);
	put_file_aged(dashed, 3600);
	/* A cache read as it is writes nothing, and removes nothing. */
	expect_reads(c.f, c.baseline, 0);
	assert_int_equal(stat(old, &st), 0);
	assert_int_equal(stat(listed, &st), 0);
	/* One written again (a file added) does. */
	snprintf(sql, sizeof(sql), "CREATE TABLE t%d (id int);", NFILES + 1);
	fx_migration(c.f, "20240101999999_last.sql", sql, NULL);
	free(c.baseline);
	c.baseline = signature(c.f, &reads);
	assert_int_equal(reads, 1);
	assert_int_equal(stat(old, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat(listed, &st), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(stat(fresh, &st), 0);
	assert_int_equal(stat(other, &st), 0);
	assert_int_equal(stat(dashed, &st), 0);
	assert_int_equal(stat(c.path, &st), 0);
	cache_teardown(&c);
}

/* text with its first `from` replaced by `to`. */
static char *replaced(const char *text, const char *from, const char *to)
{
	const char *at = strstr(text, from);
	gw_str s = GW_STR_INIT;

	assert_non_null(at);
	gw_str_put(&s, text, (size_t)(at - text));
	gw_str_puts(&s, to);
	gw_str_puts(&s, at + strlen(from));
	assert_false(gw_str_failed(&s));
	return gw_str_detach(&s);
}

/* A listing with body under a right check sum, which this build would
 * not write: the folder is read (status is the baseline) and its listing
 * kept again, as it was. */
static void case_listing(cache_fx *c, const char *kept, char *body)
{
	char *text;

	write_summed(c->list, body);
	expect_reads(c->f, c->baseline, 0);
	text = read_text(c->f, c->list);
	assert_string_equal(text, kept);
	free(text);
	free(body);
}

#define T1 "m20240101000001_t1.sql\n"
#define T2 "m20240101000002_t2.sql\n"

static void test_listing_this_build_would_not_write(void **state)
{
	cache_fx c;
	char *kept, *body, *sig, *ident, *dropped;
	unsigned long reads;

	cache_setup(&c, *state);
	kept = read_text(c.f, c.list);
	body = strndup(kept, strlen(kept) - 21);
	assert_int_equal(strncmp(body, "godwit-list 1\t", 14), 0);
	/* Taken as it is while the folder is as it was: a listing this
	 * build would write, that leaves t1 out, hides t1 (the check sum
	 * and the folder's identity are what is trusted). */
	dropped = replaced(body, T1, "");
	write_summed(c.list, dropped);
	free(dropped);
	sig = signature(c.f, &reads);
	assert_null(strstr(sig, "20240101000001 "));
	assert_non_null(strstr(sig, "20240101000002 "));
	free(sig);
	/* The listing as it was: t1 is back, read once (the checksums'
	 * cache dropped its record), and the folder not read. */
	write_bytes(c.list, kept, strlen(kept));
	expect_reads(c.f, c.baseline, 1);
	/* Names out of order, twice, with a '/', a hidden one, an empty
	 * one; a letter neither 'm' nor 's'; 'm' for what is no .sql file. */
	case_listing(&c, kept, replaced(body, T1 T2, T2 T1));
	case_listing(&c, kept, replaced(body, T1, T1 T1));
	case_listing(&c, kept, replaced(body, T1, T1 "m20240101000001_t1.sql/x.sql\n"));
	case_listing(&c, kept, replaced(body, T1, "m.20240101000001_t1.sql\n"));
	case_listing(&c, kept, replaced(body, T1, "m\n" T1));
	case_listing(&c, kept, replaced(body, T1, "x20240101000001_t1.sql\n"));
	case_listing(&c, kept, replaced(body, T1, T1 "m20240101000001_t1.txt\n"));
	/* No entry; the last without its newline. */
	case_listing(&c, kept, strndup(body, (size_t)(strstr(body, T1) - body)));
	case_listing(&c, kept, strndup(body, strlen(body) - 1));
	/* The folder's identity another: its inode's first digit. */
	ident = strchr(body, '\n') + 1;
	ident = strchr(ident, '\t') + 1;
	ident[0] = ident[0] == '1' ? '2' : '1';
	case_listing(&c, kept, strdup(body));
	free(body);
	free(kept);
	cache_teardown(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup_teardown(test_damaged_whole_cache_is_read_around, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_bad_record_drops_the_whole_cache, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_bad_fields_read_that_file, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_records_of_other_files, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_record_of_another_convention_names_its_file,
	                                        setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_stamps_in_seconds_and_in_the_future, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_cache_of_whole_pages, setup, fx_teardown),
	        cmocka_unit_test_setup_teardown(test_cache_unreadable_or_unwritable, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_leftover_of_a_killed_run_is_removed, setup,
	                                        fx_teardown),
	        cmocka_unit_test_setup_teardown(test_listing_this_build_would_not_write, setup,
	                                        fx_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
