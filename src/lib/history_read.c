/*
 * history_read.c: reading the applied migrations (godwit_migrations) into
 * a gw_hist: one streamed query (COPY on PostgreSQL), the rows held in
 * blocks in as few bytes as the benchmark's rows need (docs/architecture.md
 * "State tables"), and lookups by version. history.c creates and writes the
 * tables.
 */
#include "internal.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../util/error.h"
#include "../util/vec.h"
#include "history_sql.h"

/* ---- reading ------------------------------------------------------------ */

/* The rows live in blocks, each filled before the next is allocated: at
 * 10,000 rows, 36 allocations instead of 10,000 and none of malloc's
 * bookkeeping a row (a thread's malloc arena, where they were once read,
 * grew a page at a time: 540 mprotects for the rows of 10,000, one a
 * block now). A row larger than a quarter block (a long error) gets a
 * block of its own. */
typedef struct row_block {
	struct row_block *next;
	size_t used, cap;
} row_block;

/* A row holds pointers and integers, no wider than 8 bytes: 8-aligned,
 * which saves 8 bytes a row on average against malloc's 16. */
#define ROW_ALIGN  ((size_t)8)
#define ROW_BLOCK  (64 * 1024)
#define BLOCK_HEAD ((sizeof(row_block) + ROW_ALIGN - 1) & ~(ROW_ALIGN - 1))

static void free_blocks(void *blocks)
{
	row_block *b = blocks, *next;

	for (; b; b = next) {
		next = b->next;
		free(b);
	}
}

/* len bytes for a row, 8-aligned, zeroed; NULL when out of memory. */
static void *row_alloc(row_block **blocks, size_t len)
{
	row_block *b = *blocks, *big;
	size_t need = (len + ROW_ALIGN - 1) & ~(ROW_ALIGN - 1);
	void *ptr;

	if (need > (ROW_BLOCK - BLOCK_HEAD) / 4) {
		if (!(big = malloc(BLOCK_HEAD + need)))
			return NULL;
		big->used = big->cap = need;
		/* Behind the current block, which still has room. */
		if (b) {
			big->next = b->next;
			b->next = big;
		} else {
			big->next = NULL;
			*blocks = big;
		}
		return memset((char *)big + BLOCK_HEAD, 0, len);
	}
	if (!b || b->cap - b->used < need) {
		if (!(b = malloc(ROW_BLOCK)))
			return NULL;
		b->next = *blocks;
		b->used = 0;
		b->cap = ROW_BLOCK - BLOCK_HEAD;
		*blocks = b;
	}
	ptr = (char *)b + BLOCK_HEAD + b->used;
	b->used += need;
	return memset(ptr, 0, len);
}

typedef struct load_state {
	gw_vec rows;
	row_block *blocks;
	const char *last_by; /* the last applied_by copied, which the next rows share */
	int failed;
} load_state;

/* The 32 bytes of a checksum as godwit writes it, 64 lowercase hex
 * digits: 1, or 0 for any other text (an upper-case digit included, so
 * that the text comes back as it was). Without a branch a digit, once
 * the length is known (the compiler makes vector code of the loops): it
 * runs for every row read. */
static int pack_sum(unsigned char out[32], const char *hex)
{
	const unsigned char *h = (const unsigned char *)hex;
	unsigned char nib[64], bad = 0;
	int i;

	if (strlen(hex) != 64)
		return 0;
	for (i = 0; i < 64; i++) {
		unsigned char d = (unsigned char)(h[i] - '0'), a = (unsigned char)(h[i] - 'a');
		unsigned char is_d = d < 10, is_a = a < 6;

		bad |= (unsigned char)!(is_d | is_a);
		nib[i] = is_d ? d : (unsigned char)(a + 10);
	}
	for (i = 0; i < 32; i++)
		out[i] = (unsigned char)(nib[2 * i] << 4 | nib[2 * i + 1]);
	return !bad;
}

/* The text again, by arithmetic rather than a table, which the
 * compiler makes vector code of. */
static void unpack_sum(char out[64], const unsigned char sum[32])
{
	unsigned char nib[64];
	int i;

	for (i = 0; i < 32; i++) {
		nib[2 * i] = sum[i] >> 4;
		nib[2 * i + 1] = sum[i] & 15;
	}
	for (i = 0; i < 64; i++)
		out[i] = (char)(nib[i] + '0' + (nib[i] > 9) * ('a' - '0' - 10));
}

int gw_hist_row_sum_is(const gw_hist_row *r, const char *hex)
{
	char text[64];

	if (gw_hist_row_checksum(r))
		return !strcmp(gw_hist_row_checksum(r), hex);
	/* strncmp stops at a shorter text's end. */
	unpack_sum(text, r->sum);
	return !strncmp(text, hex, sizeof(text)) && hex[sizeof(text)] == '\0';
}

/* r's odd part, made in h's blocks if r has none; NULL when out of
 * memory. */
static gw_hist_odd *row_odd(gw_hist *h, gw_hist_row *r)
{
	row_block *blocks = h->blocks;

	if (!r->odd && (r->odd = row_alloc(&blocks, sizeof(gw_hist_odd))))
		h->blocks = blocks;
	return r->odd;
}

int gw_hist_row_sum_text(gw_hist *h, gw_hist_row *r)
{
	row_block *blocks;
	char *text;

	if (gw_hist_row_checksum(r))
		return 0;
	if (!row_odd(h, r))
		return GW_ENOMEM;
	blocks = h->blocks;
	if (!(text = row_alloc(&blocks, 2 * sizeof(r->sum) + 1)))
		return GW_ENOMEM;
	h->blocks = blocks;
	unpack_sum(text, r->sum);
	r->odd->checksum = text;
	return 0;
}

long long gw_hist__to_ll(const char *s, long long fallback)
{
	unsigned long long n = 0;
	size_t i, neg;

	if (!s)
		return fallback;
	/* The server's text of an integer, up to 18 digits, by hand: strtoll
	 * (locale, whitespace, base) was three times the cost of the rest of
	 * a row's three numbers. Anything else is strtoll's. */
	neg = s[0] == '-';
	for (i = neg; s[i] >= '0' && s[i] <= '9' && i < 18 + neg; i++)
		n = n * 10 + (unsigned)(s[i] - '0');
	if (s[i] || i == neg)
		return strtoll(s, NULL, 10);
	return neg ? -(long long)n : (long long)n;
}

/* The width last digits of n, with leading zeros. */
static void put_digits(char *out, unsigned n, int width)
{
	while (width-- > 0) {
		out[width] = (char)('0' + n % 10);
		n /= 10;
	}
}

/* A row holds applied_at as microseconds since 1970, 8 bytes instead of
 * its 25 of text (the benchmark's rows take 88 bytes where they took
 * 112), and status prints it as to_char printed every applied_at before
 * (milliseconds truncated). PostgreSQL sends the count itself (exec_binary:
 * microseconds since 2000), SQLite the text it holds, kept as the count
 * when the count prints the very same text. */
/* The civil date of a count of days since 1970, before it too (Howard
 * Hinnant's civil_from_days): the year as astronomers count (0 is 1 BC). */
static inline void civil_from_days(long long days, long long *y, int *mo, int *dd)
{
	long long z = days + 719468, era, doe, yoe, doy, mp;

	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	*mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*mo <= 2);
}

void gw_hist_at_text(char out[GW_HIST_AT_SIZE], long long count)
{
	unsigned long long us = (unsigned long long)count;
	long long y;
	unsigned sec;
	int mo, dd;

	civil_from_days((long long)(us / 86400000000ull), &y, &mo, &dd);
	sec = (unsigned)(us / 1000000ull % 86400ull);
	/* Written digit by digit: snprintf was a seventh of a cached status's
	 * instructions at 10,000 rows. The counts held are of the years 1970
	 * to 9999, so every field has its fixed width. */
	put_digits(out, (unsigned)y, 4);
	out[4] = '-';
	put_digits(out + 5, (unsigned)mo, 2);
	out[7] = '-';
	put_digits(out + 8, (unsigned)dd, 2);
	out[10] = 'T';
	put_digits(out + 11, sec / 3600, 2);
	out[13] = ':';
	put_digits(out + 14, sec / 60 % 60, 2);
	out[16] = ':';
	put_digits(out + 17, sec % 60, 2);
	out[19] = '.';
	put_digits(out + 20, (unsigned)(us / 1000 % 1000), 3);
	out[23] = 'Z';
	out[24] = '\0';
}

/* The digits text[0..width) as a number (parse_text checked them). */
static long long get_digits(const char *text, int width)
{
	long long n = 0;
	int i;

	for (i = 0; i < width; i++)
		n = n * 10 + (text[i] - '0');
	return n;
}

/* The day count since 1970 of a civil date (Howard Hinnant's
 * days_from_civil). */
static long long days_from_civil(long long y, long long mo, long long d)
{
	long long era, yoe, doy;

	y -= mo <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = y - era * 400;
	doy = (153 * (mo > 2 ? mo - 3 : mo + 9) + 2) / 5 + d - 1;
	return era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;
}

/* Whether text starts with shape's characters, 'd' standing for a digit. */
static int has_shape(const char *text, const char *shape)
{
	size_t i;

	for (i = 0; shape[i]; i++)
		if (shape[i] == 'd' ? text[i] < '0' || text[i] > '9' : text[i] != shape[i])
			return 0;
	return 1;
}

/* PostgreSQL's microseconds since 2000 at their ends: infinity, which
 * to_char printed as nothing. */
#define AT_MINUS_INFINITY INT64_MIN
#define AT_INFINITY       INT64_MAX
#define US_PER_DAY        86400000000LL
/* Days from 1970-01-01 to 2000-01-01, and 10000-01-01 in microseconds
 * since 1970: the counts gw_hist_at_text prints are of 1970 to 9999. */
#define DAYS_1970_2000 10957LL
#define AT_10000       253402300800000000LL
/* Room for at_text_wide's text, whatever its fields (six-digit years). */
#define AT_WIDE_SIZE 96

/* A time out of 1970-9999 as to_char printed it (its year without an era:
 * 44 BC is 0044, as YYYY shows it), from microseconds since 2000. */
static void at_text_wide(char out[AT_WIDE_SIZE], long long us)
{
	long long days = us / US_PER_DAY - (us % US_PER_DAY < 0), rem = us - days * US_PER_DAY, y;
	int mo, dd;

	civil_from_days(days + DAYS_1970_2000, &y, &mo, &dd);
	snprintf(out, AT_WIDE_SIZE, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", y > 0 ? y : 1 - y, mo,
	         dd, (int)(rem / 3600000000LL), (int)(rem / 60000000LL % 60),
	         (int)(rem / 1000000 % 60), (int)(rem / 1000 % 1000));
}

/* Text as gw_hist_at_text prints it (to_char's beyond 2099, SQLite's
 * strftime) into *us; 0 for any other text, which is held as it is: the
 * count is kept only when it prints the very same text. */
static int parse_text(const char *text, long long *us)
{
	static const char shape[] = "dddd-dd-ddTdd:dd:dd.dddZ";
	long long y, mo, d, days;
	char again[GW_HIST_AT_SIZE];

	if (strlen(text) != sizeof(shape) - 1 || !has_shape(text, shape))
		return 0;
	y = get_digits(text, 4);
	mo = get_digits(text + 5, 2);
	d = get_digits(text + 8, 2);
	if (y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31)
		return 0;
	days = days_from_civil(y, mo, d);
	*us = ((days * 24 + get_digits(text + 11, 2)) * 60 + get_digits(text + 14, 2)) * 60 +
	      get_digits(text + 17, 2);
	*us = *us * 1000000 + get_digits(text + 20, 3) * 1000;
	gw_hist_at_text(again, *us);
	return !memcmp(again, text, sizeof(again));
}

const char *gw_hist_row_at(const gw_hist_row *r, char buf[GW_HIST_AT_SIZE])
{
	if (r->applied_at < 0)
		return r->odd ? r->odd->applied_at : NULL;
	gw_hist_at_text(buf, r->applied_at);
	return buf;
}

/* The columns load_rows selects, in this order. */
enum {
	H_VERSION,
	H_KIND,
	H_CHECKSUM,
	H_AT,
	H_BY,
	H_MS,
	H_TOTAL,
	H_DONE,
	H_STATE,
	H_ERROR,
	H_NCOLS
};

/* The bytes after a row's struct to its odd part: its version, padded
 * to the odd part's alignment. */
static size_t odd_offset(size_t version_len)
{
	return (version_len + 1 + ROW_ALIGN - 1) & ~(ROW_ALIGN - 1);
}

/* Whether a row's numbers fit its narrow fields (else its odd part
 * holds them): -1 to INT32_MAX ms, 0 to 65,535 statements. */
static int numbers_fit(long long ms, int total, int done)
{
	return ms >= -1 && ms <= INT32_MAX && total >= 0 && total <= UINT16_MAX && done >= 0 &&
	       done <= UINT16_MAX;
}

static void put_numbers(gw_hist_row *r, long long ms, int total, int done)
{
	if (!numbers_fit(ms, total, done)) {
		r->odd->execution_ms = ms;
		r->odd->statements_total = total;
		r->odd->statements_done = done;
		r->execution_ms = GW_HIST_WIDE;
		return;
	}
	r->execution_ms = (int32_t)ms;
	r->statements_total = (uint16_t)total;
	r->statements_done = (uint16_t)done;
}

/* A row's fields as the query gave them, before they are packed. */
typedef struct row_in {
	const char *version, *kind, *checksum, *by, *state, *error;
	const char *at_text; /* applied_at as text, when no count prints it */
	long long at;        /* applied_at in microseconds since 1970; -1: none */
	long long ms;
	int total, done;
} row_in;

/* One piece of a block a row: the struct, its version, then the odd part
 * when any of its fields is set, then its other strings. The kind and
 * the state are the constants below when they are the usual ones, which
 * most rows are; the checksum is its 32 bytes when it is godwit's hex,
 * applied_at its count when it has one, and applied_by the previous
 * row's when it is the same. The name is not read (gw_hist_load_names). */
static int add_row(load_state *st, const row_in *in)
{
	static const char versioned[] = "versioned", applied[] = "applied";
	int odd;
	gw_hist_row *r;
	unsigned char sum[32];
	const char *val[7];
	const char **field[7];
	char *p;
	size_t vlen, len, n, i;

	val[0] = NULL;
	val[1] = in->kind && strcmp(in->kind, versioned) ? in->kind : NULL;
	val[2] = in->checksum && pack_sum(sum, in->checksum) ? NULL
	         : in->checksum                              ? in->checksum
	                                                     : "";
	val[3] = in->at_text;
	val[4] = in->by && st->last_by && !strcmp(in->by, st->last_by) ? NULL : in->by;
	val[5] = in->state && strcmp(in->state, applied) ? in->state : NULL;
	val[6] = in->error;
	/* The odd part, right behind the version, when any of its fields is
	 * set. */
	odd = val[1] || val[2] || val[3] || val[5] || val[6] ||
	      !numbers_fit(in->ms, in->total, in->done);
	vlen = strlen(in->version);
	len = sizeof(*r) + (odd ? odd_offset(vlen) + sizeof(gw_hist_odd) : vlen + 1);
	for (i = 0; i < 7; i++)
		if (val[i])
			len += strlen(val[i]) + 1;
	if (!(r = row_alloc(&st->blocks, len)) || gw_vec_push(&st->rows, r) < 0) {
		st->failed = 1;
		return 1;
	}
	memcpy(r->version, in->version, vlen + 1);
	if (odd)
		r->odd = (gw_hist_odd *)(void *)(r->version + odd_offset(vlen));
	field[0] = odd ? &r->odd->name : NULL;
	field[1] = odd ? &r->odd->kind : NULL;
	field[2] = odd ? &r->odd->checksum : NULL;
	field[3] = odd ? &r->odd->applied_at : NULL;
	field[4] = &r->applied_by;
	field[5] = odd ? &r->odd->state : NULL;
	field[6] = odd ? &r->odd->error : NULL;
	if (!val[2])
		memcpy(r->sum, sum, sizeof(sum));
	r->applied_at = val[3] ? -1 : in->at;
	if (!val[4] && in->by)
		r->applied_by = st->last_by;
	p = odd ? (char *)(r->odd + 1) : r->version + vlen + 1;
	for (i = 0; i < 7; i++) {
		if (!val[i])
			continue;
		n = strlen(val[i]) + 1;
		memcpy(p, val[i], n);
		*field[i] = p;
		p += n;
	}
	if (val[4])
		st->last_by = r->applied_by;
	put_numbers(r, in->ms, in->total, in->done);
	return 0;
}

/* The text fields of a row, as text and binary rows give them alike, and
 * no time yet: 0, or 1 (st failed) for a row without its columns. */
static int row_strings(row_in *in, load_state *st, int ncols, const char *const *v)
{
	if (ncols < H_NCOLS || !v[H_VERSION]) {
		st->failed = 1;
		return 1;
	}
	in->version = v[H_VERSION];
	in->kind = v[H_KIND];
	in->checksum = v[H_CHECKSUM];
	in->by = v[H_BY];
	in->state = v[H_STATE];
	in->error = v[H_ERROR];
	in->at = -1;
	in->at_text = NULL;
	return 0;
}

/* A row as text (SQLite's): applied_at as SQLite holds it. */
static int hist_row(void *payload, int ncols, const char *const *v)
{
	load_state *st = payload;
	row_in in;

	if (row_strings(&in, st, ncols, v))
		return 1;
	in.at_text = v[H_AT] && !parse_text(v[H_AT], &in.at) ? v[H_AT] : NULL;
	in.ms = gw_hist__to_ll(v[H_MS], -1);
	in.total = (int)gw_hist__to_ll(v[H_TOTAL], 0);
	in.done = (int)gw_hist__to_ll(v[H_DONE], 0);
	return add_row(st, &in);
}

/* A big-endian integer of 2, 4 or 8 bytes (the column's type decides),
 * or fallback for NULL or another width. */
static long long binary_int(const char *v, int len, long long fallback)
{
	const unsigned char *b = (const unsigned char *)v;
	uint64_t n = 0;
	int i;

	if (!v || (len != 2 && len != 4 && len != 8))
		return fallback;
	for (i = 0; i < len; i++)
		n = n << 8 | b[i];
	/* Sign-extended from the width read. */
	if (len < 8 && n >> (8 * len - 1))
		n |= ~(uint64_t)0 << (8 * len);
	return (long long)n;
}

/* A row in PostgreSQL's binary form (exec_binary): applied_at is a
 * timestamptz's microseconds since 2000. */
static int hist_row_binary(void *payload, int ncols, const char *const *v, const int *lengths)
{
	load_state *st = payload;
	char wide[AT_WIDE_SIZE];
	row_in in;
	long long us;

	if (row_strings(&in, st, ncols, v))
		return 1;
	if (v[H_AT] && lengths[H_AT] == 8 && (us = binary_int(v[H_AT], 8, 0)) != AT_INFINITY &&
	    us != AT_MINUS_INFINITY) {
		/* 1970 to 9999 as the count gw_hist_at_text prints; any
		 * other time as its text. */
		if (us >= -DAYS_1970_2000 * US_PER_DAY &&
		    us < AT_10000 - DAYS_1970_2000 * US_PER_DAY) {
			in.at = us + DAYS_1970_2000 * US_PER_DAY;
		} else {
			at_text_wide(wide, us);
			in.at_text = wide;
		}
	}
	in.ms = binary_int(v[H_MS], lengths[H_MS], -1);
	in.total = (int)binary_int(v[H_TOTAL], lengths[H_TOTAL], 0);
	in.done = (int)binary_int(v[H_DONE], lengths[H_DONE], 0);
	return add_row(st, &in);
}

static int cmp_rows(const void *a, const void *b)
{
	const gw_hist_row *ra = *(const gw_hist_row *const *)a;
	const gw_hist_row *rb = *(const gw_hist_row *const *)b;

	return gw_version_cmp(ra->version, rb->version);
}

/* The rows into out: 0, GW_ENOMEM (not set on any context), or the
 * error of the query (on the connection's context). */
static int load_rows(gw_hist *out, gw_project *p, gw_hist_cols cols)
{
	const gw_driver *d = p->conn->driver;
	load_state st = {GW_VEC_INIT, NULL, NULL, 0};
	gw_str sql = GW_STR_INIT;
	gw_stmt stmt;
	size_t i = 1;
	int error;

	*out = (gw_hist)GW_HIST_INIT;
	/* Only what status, the plans, baseline and adopt read: at 10,000
	 * rows, the files, the down checksums and to_char's text were 60 %
	 * of the 2.4 MB the server sent, and to_char most of its time. The
	 * name is shown only for a row no file has: gw_hist_load_names. */
	/* The usual kind and state come as NULL, which add_row takes for
	 * them: a NULL is sent as its length alone. */
	gw_str_puts(&sql, "SELECT version, NULLIF(kind, 'versioned'), checksum, ");
	if (d->exec_binary)
		gw_str_puts(&sql, "applied_at");
	else
		gw_hist__put_around(&sql, gw_hist__sql(p)->show_time, "applied_at");
	if (cols == GW_HIST_STATES)
		gw_str_puts(&sql,
		            ", NULL, NULL, CASE WHEN state <> 'applied' THEN statements_total END, "
		            "CASE WHEN state <> 'applied' THEN statements_done END");
	else
		gw_str_puts(&sql, ", applied_by, execution_ms, statements_total, statements_done");
	gw_str_printf(&sql, ", NULLIF(state, 'applied'), error FROM %s", p->table_q);
	if (gw_str_failed(&sql)) {
		error = GW_ENOMEM;
		goto cleanup;
	}
	stmt = (gw_stmt){sql.ptr, sql.size, NULL, 0};
	/* In the binary form where the driver has it (no number or time is
	 * printed by the server and parsed back), else as COPY where it can:
	 * at 10,000 rows, half the client's CPU of reading them row by row. */
	if (d->exec_binary)
		error = d->exec_binary(p->conn, &stmt, hist_row_binary, &st);
	else
		error = (d->exec_copy ? d->exec_copy : d->exec)(p->conn, &stmt, hist_row, &st);
	if (st.failed)
		error = GW_ENOMEM;
	if (error < 0)
		goto cleanup;
	/* Rows mostly come back in the order they were inserted, which is
	 * the versions' own: one pass tells, and spares the sort. */
	for (i = 1; i < st.rows.len && cmp_rows(&st.rows.items[i - 1], &st.rows.items[i]) < 0; i++)
		;
	if (i < st.rows.len)
		qsort(st.rows.items, st.rows.len, sizeof(void *), cmp_rows);
	out->rows = (gw_hist_row **)st.rows.items;
	out->count = st.rows.len;
	out->blocks = st.blocks;
	st.rows.items = NULL;
	st.rows.len = 0;
	st.blocks = NULL;
cleanup:
	gw_vec_dispose(&st.rows, NULL);
	free_blocks(st.blocks);
	gw_str_dispose(&sql);
	return error;
}

int gw_hist_load(gw_hist *out, gw_project *p, gw_hist_cols cols)
{
	int error;

	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	if ((error = load_rows(out, p, cols)) == GW_ENOMEM)
		error = gw_error_oom(p->ctx);
	return error;
}

int gw_hist__read_early(gw_hist *out, gw_hist_cols cols, int *exists, gw_project *p)
{
	const char *params[1] = {p->table_q};
	gw_stmt stmt = {"SELECT to_regclass($1) IS NOT NULL", 0, params, 1};
	int error;

	*exists = 0;
	*out = (gw_hist)GW_HIST_INIT;
	stmt.len = strlen(stmt.sql);
	if ((error = p->conn->driver->exec(p->conn, &stmt, gw_project__bool_row, exists)) < 0)
		return error;
	return *exists ? load_rows(out, p, cols) : 0;
}

typedef struct names_state {
	gw_hist *h;
	const char *skip;
	int failed;
} names_state;

static int name_row(void *payload, int ncols, const char *const *v)
{
	names_state *ns = payload;
	row_block *blocks;
	const char *name = ncols > 1 && v[1] ? v[1] : "";
	long i = ncols > 1 && v[0] ? gw_hist_find_index(ns->h, v[0]) : -1;
	size_t n = strlen(name) + 1;
	char *copy;

	if (i < 0 || ns->skip[i] || gw_hist_row_name(ns->h->rows[i]))
		return 0;
	if (!row_odd(ns->h, ns->h->rows[i])) {
		ns->failed = 1;
		return 1;
	}
	blocks = ns->h->blocks;
	if (!(copy = row_alloc(&blocks, n))) {
		ns->failed = 1;
		return 1;
	}
	ns->h->blocks = blocks;
	ns->h->rows[i]->odd->name = memcpy(copy, name, n);
	return 0;
}

int gw_hist_load_names(gw_hist *h, gw_project *p, const char *skip)
{
	names_state ns = {h, skip, 0};
	gw_str sql = GW_STR_INIT;
	int error;

	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	gw_str_printf(&sql, "SELECT version, name FROM %s", p->table_q);
	error = gw_str_failed(&sql) ? GW_ENOMEM
	                            : gw_project__exec(p, sql.ptr, NULL, 0, name_row, &ns);
	if (ns.failed || error == GW_ENOMEM)
		error = gw_error_oom(p->ctx);
	gw_str_dispose(&sql);
	return error;
}

void gw_hist_dispose(gw_hist *h)
{
	free(h->rows);
	free_blocks(h->blocks);
	*h = (gw_hist)GW_HIST_INIT;
}

long gw_hist_find_index(const gw_hist *h, const char *version)
{
	size_t lo = 0, hi = h->count;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = gw_version_cmp(h->rows[mid]->version, version);

		if (c == 0)
			return (long)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

gw_hist_row *gw_hist_find(const gw_hist *h, const char *version)
{
	long i = gw_hist_find_index(h, version);

	return i >= 0 ? h->rows[i] : NULL;
}
