/*
 * history.c: the two state tables (docs/architecture.md) and the statements that
 * write them.
 *
 * godwit_migrations holds one row per applied (or dirty) migration;
 * godwit_events is an append-only audit of everything that happened. The
 * statements here are appended to the same batch as the migration's own
 * SQL, so a migration and its record commit together or not at all. Values
 * always travel as parameters; only identifiers (quoted by the driver) and
 * fixed expressions are part of the SQL text.
 */
#include "internal.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../util/error.h"
#include "../util/proc.h"
#include "../util/vec.h"
#include "history_sql.h"

static const gw_hist_sql postgres_sql = {
        "timestamptz",
        "now()",
        "clock_timestamp()",
        {"(extract(epoch from (clock_timestamp() - ", ")) * 1000)::bigint"},
        {"to_char(", " AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"')"},
        "CASE WHEN applied_at >= '1970-01-01Z' AND applied_at < '2100-01-01Z' THEN "
        "(date_part('epoch', applied_at) * 1000000)::int8::text ELSE to_char(applied_at AT "
        "TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') END",
        "id bigserial PRIMARY KEY",
        "current_user",
};

static const gw_hist_sql sqlite_sql = {
        "text",
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        "strftime('%Y-%m-%dT%H:%M:%fZ', 'now')",
        {"CAST(round((julianday('now') - julianday(", ")) * 86400000) AS INTEGER)"},
        {"", ""},
        NULL,
        "id INTEGER PRIMARY KEY AUTOINCREMENT",
        NULL,
};

const gw_hist_sql *gw_hist__sql(const gw_project *p)
{
	return p->driver->dialect == GW_DIALECT_POSTGRES ? &postgres_sql : &sqlite_sql;
}

int gw_hist__put_around(gw_str *s, const char *const around[2], const char *column)
{
	gw_str_puts(s, around[0]);
	gw_str_puts(s, column);
	gw_str_puts(s, around[1]);
	return gw_str_failed(s) ? -1 : 0;
}

/* ---- batches ----------------------------------------------------------- */

int gw_batch_add(gw_batch *b, const char *sql, size_t len, const char *const *params, int n)
{
	gw_stmt *stmts = gw_grow(b->stmts, &b->cap, b->count, sizeof(*stmts));

	if (!stmts)
		return -1;
	b->stmts = stmts;
	b->stmts[b->count].sql = sql;
	b->stmts[b->count].len = len;
	b->stmts[b->count].params = params;
	b->stmts[b->count].nparams = n;
	b->count++;
	return 0;
}

static int own(gw_batch *b, void *ptr)
{
	if (!ptr || gw_vec_push(&b->owned, ptr) < 0) {
		free(ptr);
		return -1;
	}
	return 0;
}

int gw_batch_addf(gw_batch *b, const char *const *params, int n, const char *fmt, ...)
{
	gw_str sql = GW_STR_INIT;
	const char **copy = NULL;
	char *text;
	va_list ap;
	int i;

	va_start(ap, fmt);
	gw_str_vprintf(&sql, fmt, ap);
	va_end(ap);
	if (own(b, (text = gw_str_detach(&sql))) < 0)
		return -1;
	if (n > 0) {
		if (own(b, (copy = calloc((size_t)n, sizeof(*copy)))) < 0)
			return -1;
		for (i = 0; i < n; i++) {
			char *dup = gw_strdup(params[i]);

			if (params[i] && own(b, dup) < 0)
				return -1;
			copy[i] = dup;
		}
	}
	return gw_batch_add(b, text, strlen(text), copy, n);
}

void gw_batch_dispose(gw_batch *b)
{
	free(b->stmts);
	b->stmts = NULL;
	b->count = b->cap = 0;
	gw_vec_dispose(&b->owned, free);
}

/* ---- tables ------------------------------------------------------------ */

/* An escaped SQL literal, for the one value that is not a parameter in
 * SQLite's history SQL: the name of the OS user running godwit. */
static void put_literal(gw_str *s, const char *value)
{
	gw_str_putc(s, '\'');
	for (; *value; value++) {
		if (*value == '\'')
			gw_str_putc(s, '\'');
		gw_str_putc(s, *value);
	}
	gw_str_putc(s, '\'');
}

/* -1 when s could not grow (see put_around). */
static int put_who(gw_str *s, const gw_project *p)
{
	char *user;

	if (gw_hist__sql(p)->who) {
		gw_str_puts(s, gw_hist__sql(p)->who);
	} else {
		user = gw_os_user();
		put_literal(s, user ? user : "unknown");
		free(user);
	}
	return gw_str_failed(s) ? -1 : 0;
}

static int bool_row(void *payload, int ncols, const char *const *values)
{
	int *out = payload;

	*out = ncols > 0 && values[0] && (values[0][0] == 't' || values[0][0] == '1');
	return 0;
}

/* Whether the migrations table exists, and with both set, the events
 * table too. */
static int tables_exist(int *exists, gw_project *p, int both)
{
	gw_conn *conn;
	int error;
	const char *params[2];

	*exists = 0;
	if (gw_project__database_missing(p))
		return 0;
	if ((error = gw_project__connect(&conn, p)) < 0)
		return error;
	if (p->driver->dialect == GW_DIALECT_POSTGRES) {
		params[0] = p->table_q;
		params[1] = both ? p->events_q : p->table_q;
		return gw_project__exec(p,
		                        "SELECT to_regclass($1) IS NOT NULL AND "
		                        "to_regclass($2) IS NOT NULL",
		                        params, 2, bool_row, exists);
	}
	/* sqlite_master holds bare names, not quoted ones. */
	params[0] = p->opts.table;
	params[1] = both ? p->opts.events_table : p->opts.table;
	return gw_project__exec(p,
	                        "SELECT count(DISTINCT name) = 1 + ($1 <> $2) FROM sqlite_master "
	                        "WHERE type = 'table' AND name IN ($1, $2)",
	                        params, 2, bool_row, exists);
}

int gw_hist_exists(int *exists, gw_project *p)
{
	return tables_exist(exists, p, 1);
}

int gw_hist_rows_exist(int *exists, gw_project *p)
{
	return tables_exist(exists, p, 0);
}

/* The history's schema needs creating: PostgreSQL, not public, and not
 * there yet. Asked first because CREATE SCHEMA IF NOT EXISTS says
 * "schema ... already exists, skipping" to a run that had nothing to
 * create (a schema made by whoever set up the database, or ?schema=). */
int gw_hist_schema_missing(int *missing, gw_project *p)
{
	char *q = NULL;
	const char *param;
	int error, exists = 0;

	*missing = 0;
	if (p->driver->dialect != GW_DIALECT_POSTGRES || !strcmp(p->opts.schema, "public"))
		return 0;
	if (p->driver->quote_ident(p->conn, p->opts.schema, &q) < 0)
		return gw_error_oom(p->ctx);
	param = q;
	error = gw_project__exec(p, "SELECT to_regnamespace($1) IS NOT NULL", &param, 1, bool_row,
	                         &exists);
	free(q);
	*missing = error == 0 && !exists;
	return error;
}

/* The statements that create the history tables, one per part: 0 the
 * schema (when `schema` says it is missing), 1 godwit_migrations,
 * 2 godwit_events. */
#define CREATE_PARTS 3

static void put_create_table(gw_str *s, const gw_project *p, int part, int schema)
{
	const gw_hist_sql *d = gw_hist__sql(p);

	if (part == 0 && schema) {
		char *q = NULL;

		if (p->driver->quote_ident(p->conn, p->opts.schema, &q) == 0)
			gw_str_printf(s, "CREATE SCHEMA IF NOT EXISTS %s;\n", q);
		else
			s->failed = 1;
		free(q);
	}
	if (part == 1)
		gw_str_printf(s,
		              "CREATE TABLE IF NOT EXISTS %s (\n"
		              "  version text PRIMARY KEY,\n"
		              "  name text NOT NULL,\n"
		              "  kind text NOT NULL DEFAULT 'versioned',\n"
		              "  file text,\n"
		              "  checksum text NOT NULL,\n"
		              "  down_checksum text,\n"
		              "  applied_at %s NOT NULL,\n"
		              "  applied_by text,\n"
		              "  execution_ms bigint,\n"
		              "  statements_total integer NOT NULL DEFAULT 0,\n"
		              "  statements_done integer NOT NULL DEFAULT 0,\n"
		              "  state text NOT NULL DEFAULT 'applied' CHECK (state IN ('applied', "
		              "'dirty')),\n"
		              "  error text,\n"
		              "  environment text,\n"
		              "  godwit_version text\n"
		              ");\n",
		              p->table_q, d->time_type);
	if (part == 2)
		gw_str_printf(s,
		              "CREATE TABLE IF NOT EXISTS %s (\n"
		              "  %s,\n"
		              "  at %s NOT NULL,\n"
		              "  action text NOT NULL,\n"
		              "  version text,\n"
		              "  name text,\n"
		              "  file text,\n"
		              "  checksum text,\n"
		              "  duration_ms bigint,\n"
		              "  applied_by text,\n"
		              "  environment text,\n"
		              "  error text,\n"
		              "  sqlstate text,\n"
		              "  error_file text,\n"
		              "  error_line integer,\n"
		              "  error_column integer,\n"
		              "  godwit_version text\n"
		              ");\n",
		              p->events_q, d->event_id, d->time_type);
}

static void put_create_tables(gw_str *s, const gw_project *p, int schema)
{
	int part;

	for (part = 0; part < CREATE_PARTS; part++)
		put_create_table(s, p, part, schema);
}

int gw_hist_add_create_tables(gw_batch *b, gw_project *p)
{
	gw_str sql = GW_STR_INIT;
	int part, schema, error;

	if ((error = gw_hist_schema_missing(&schema, p)) < 0)
		return error;
	for (part = 0; part < CREATE_PARTS && error == 0; part++) {
		gw_str_clear(&sql);
		put_create_table(&sql, p, part, schema);
		if (gw_str_failed(&sql))
			error = gw_error_oom(p->ctx);
		else if (sql.size && gw_batch_addf(b, NULL, 0, "%s", sql.ptr) < 0)
			error = gw_error_oom(p->ctx);
	}
	gw_str_dispose(&sql);
	return error;
}

int gw_hist_ensure(gw_project *p)
{
	gw_str sql = GW_STR_INIT;
	int exists = 0, schema = 0, error;

	/* Checking first keeps PostgreSQL's "already exists, skipping" notices
	 * out of every run, and needs no CREATE privilege once set up. */
	if ((error = gw_hist_exists(&exists, p)) < 0 ||
	    (!exists && (error = gw_hist_schema_missing(&schema, p)) < 0))
		return error;
	if (!exists) {
		put_create_tables(&sql, p, schema);
		if (gw_str_failed(&sql))
			error = gw_error_oom(p->ctx);
		else
			error = gw_project__exec(p, sql.ptr, NULL, 0, NULL, NULL);
		if (error < 0)
			gw_error_prefix(p->ctx,
			                "cannot create the history tables %s and %s: ", p->table_q,
			                p->events_q);
		gw_str_dispose(&sql);
	}
	/* The event stream starts here, before this run writes any. */
	if (error == 0)
		error = gw_events__mark(p, !exists);
	return error;
}

/* A run that waited for another runner's lock says for how long: the
 * lock-wait event, its duration the wait, so deploys queueing behind
 * each other show in the history (and in godwit serve's metrics). */
static int record_lock_wait(gw_project *p)
{
	gw_record rec = {NULL, NULL, NULL, "lock-wait", NULL, 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	char ms[32];
	const char *param = ms;
	int error;

	snprintf(ms, sizeof(ms), "%lld", p->lock_waited_ms);
	p->lock_waited_ms = 0;
	if (gw_hist_add_event(&b, p, &rec) < 0 ||
	    gw_batch_addf(&b, &param, 1,
	                  "UPDATE %s SET duration_ms = CAST($1 AS bigint) WHERE id = (SELECT "
	                  "max(id) FROM %s)",
	                  p->events_q, p->events_q) < 0)
		error = gw_error_oom(p->ctx);
	else
		error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	gw_batch_dispose(&b);
	return error;
}

int gw_hist_begin(gw_project *p)
{
	int error;

	/* Created under the lock, so concurrent first runs cannot race on
	 * CREATE TABLE. */
	if ((error = gw_project__lock(p)) < 0 || (error = gw_hist_ensure(p)) < 0)
		return error;
	return p->lock_waited_ms > 0 ? record_lock_wait(p) : 0;
}

/* ---- reading ------------------------------------------------------------ */

/* The rows live in blocks, each filled before the next is allocated: at
 * 10,000 rows, 36 allocations instead of 10,000 and none of malloc's
 * bookkeeping a row. The rows are read on the connecting thread, whose
 * malloc arena grows a page at a time (one mprotect each: 540 of them
 * for the rows of 10,000, one a block now). A row larger than a
 * quarter block (a long error) gets a block of its own. */
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
	int epoch; /* applied_at may come as microseconds (gw_hist_sql.applied_at) */
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

/* "YYYY-MM-DDTHH:MM:SS.mmmZ" of a microsecond count since 1970, as
 * to_char printed every applied_at before (milliseconds truncated). The
 * server sends the count for the years 1970 to 2099 (date_part's float8
 * times a million, rounded: exact there, as its error stays under 0.25
 * microsecond), a tenth of to_char's cost at 10,000 rows, and to_char's own text
 * for any other value, which is kept as it is. Returns 0 for text that
 * is no count. */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
/* Eight digits at once, the first in the lowest byte: pairs, then
 * fours, then the eight, each step within its lanes (no carry crosses
 * one); 0 when a byte is no digit. */
static int parse8(const char *text, unsigned long long *out)
{
	uint64_t x;

	memcpy(&x, text, 8);
	if ((x & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull ||
	    ((x + 0x0606060606060606ull) & 0xF0F0F0F0F0F0F0F0ull) != 0x3030303030303030ull)
		return 0;
	x -= 0x3030303030303030ull;
	x = (x * 10 + (x >> 8)) & 0x00FF00FF00FF00FFull;
	x = (x * 100 + (x >> 16)) & 0x0000FFFF0000FFFFull;
	x = (x * 10000 + (x >> 32)) & 0xFFFFFFFFull;
	*out = x;
	return 1;
}
#endif

static int format_epoch_us(char out[48], const char *text)
{
	unsigned long long us = 0;
	long long days, z, era, doe, yoe, doy, mp;
	unsigned sec;
	int y, mo, dd;
	size_t i = strlen(text);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	unsigned long long hi, lo;

	/* Every count since 2001-09-09 has 16 digits: two words of eight,
	 * a third of the loop's cost at 10,000 rows. */
	if (i == 16 && parse8(text, &hi) && parse8(text + 8, &lo))
		us = hi * 100000000ull + lo;
	else
#endif
	{
		if (!i || i > 16)
			return 0;
		for (i = 0; text[i]; i++) {
			if (text[i] < '0' || text[i] > '9')
				return 0;
			us = us * 10 + (unsigned)(text[i] - '0');
		}
	}
	days = (long long)(us / 86400000000ull);
	sec = (unsigned)(us / 1000000ull % 86400ull);
	/* The civil date of a day count (Howard Hinnant's civil_from_days). */
	z = days + 719468;
	era = z / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	dd = (int)(doy - (153 * mp + 2) / 5 + 1);
	mo = (int)(mp < 10 ? mp + 3 : mp - 9);
	y = (int)(yoe + era * 400 + (mo <= 2));
	/* Written digit by digit: snprintf was a seventh of a cached status's
	 * instructions at 10,000 rows. The count's years are 1970 to 2099, so
	 * every field has its fixed width. */
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
	return 1;
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

/* One piece of a block a row, the strings after the struct. The kind
 * and the state are the constants below when they are the usual ones,
 * which most rows are; the checksum is its 32 bytes when it is godwit's
 * hex, and applied_by the previous row's when it is the same. The name
 * is not read (gw_hist_load_names). */
static int hist_row(void *payload, int ncols, const char *const *v)
{
	static const char versioned[] = "versioned", applied[] = "applied";
	load_state *st = payload;
	int odd;
	gw_hist_row *r;
	char at[48];
	unsigned char sum[32];
	const char *val[8];
	const char **field[8];
	char *p;
	size_t len = sizeof(*r), n, i;

	if (ncols < H_NCOLS || !v[H_VERSION]) {
		st->failed = 1;
		return 1;
	}
	val[0] = v[H_VERSION];
	val[1] = NULL;
	val[2] = v[H_KIND] && strcmp(v[H_KIND], versioned) ? v[H_KIND] : NULL;
	val[3] = v[H_CHECKSUM] && pack_sum(sum, v[H_CHECKSUM]) ? NULL
	         : v[H_CHECKSUM]                               ? v[H_CHECKSUM]
	                                                       : "";
	val[4] = v[H_AT];
	if (v[H_AT] && st->epoch && format_epoch_us(at, v[H_AT]))
		val[4] = at;
	val[5] = v[H_BY] && st->last_by && !strcmp(v[H_BY], st->last_by) ? NULL : v[H_BY];
	val[6] = v[H_STATE] && strcmp(v[H_STATE], applied) ? v[H_STATE] : NULL;
	val[7] = v[H_ERROR];
	/* The odd part, right behind the row, when any of its fields is set. */
	odd = val[1] || val[2] || val[3] || val[6] || val[7];
	for (i = 0; i < 8; i++)
		if (val[i])
			len += strlen(val[i]) + 1;
	if (!(r = row_alloc(&st->blocks, len + (odd ? sizeof(gw_hist_odd) : 0))) ||
	    gw_vec_push(&st->rows, r) < 0) {
		st->failed = 1;
		return 1;
	}
	if (odd)
		r->odd = (gw_hist_odd *)(void *)(r + 1);
	field[0] = &r->version;
	field[1] = odd ? &r->odd->name : NULL;
	field[2] = odd ? &r->odd->kind : NULL;
	field[3] = odd ? &r->odd->checksum : NULL;
	field[4] = &r->applied_at;
	field[5] = &r->applied_by;
	field[6] = odd ? &r->odd->state : NULL;
	field[7] = odd ? &r->odd->error : NULL;
	if (!val[3])
		memcpy(r->sum, sum, sizeof(sum));
	if (!val[5] && v[H_BY])
		r->applied_by = st->last_by;
	p = odd ? (char *)(r->odd + 1) : (char *)(r + 1);
	for (i = 0; i < 8; i++) {
		if (!val[i])
			continue;
		n = strlen(val[i]) + 1;
		memcpy(p, val[i], n);
		*field[i] = p;
		p += n;
	}
	if (val[5])
		st->last_by = r->applied_by;
	r->execution_ms = gw_hist__to_ll(v[H_MS], -1);
	r->statements_total = (int)gw_hist__to_ll(v[H_TOTAL], 0);
	r->statements_done = (int)gw_hist__to_ll(v[H_DONE], 0);
	return 0;
}

static int cmp_rows(const void *a, const void *b)
{
	const gw_hist_row *ra = *(const gw_hist_row *const *)a;
	const gw_hist_row *rb = *(const gw_hist_row *const *)b;

	return gw_version_cmp(ra->version, rb->version);
}

/* The rows into out: 0, GW_ENOMEM (not set on any context), or the
 * error of the query (on the connection's context). */
static int load_rows(gw_hist *out, gw_project *p)
{
	load_state st = {GW_VEC_INIT, NULL, NULL, 0, 0};
	gw_str sql = GW_STR_INIT;
	size_t i = 1;
	int error;

	*out = (gw_hist)GW_HIST_INIT;
	/* Only what status, the plans, baseline and adopt read: at 10,000
	 * rows, the files, the down checksums and to_char's text were 60 %
	 * of the 2.4 MB the server sent, and to_char most of its time. The
	 * name is shown only for a row no file has: gw_hist_load_names. */
	gw_str_puts(&sql, "SELECT version, kind, checksum, ");
	if ((st.epoch = gw_hist__sql(p)->applied_at != NULL))
		gw_str_puts(&sql, gw_hist__sql(p)->applied_at);
	else
		gw_hist__put_around(&sql, gw_hist__sql(p)->show_time, "applied_at");
	gw_str_printf(&sql,
	              ", applied_by, execution_ms, statements_total, statements_done, state, "
	              "error FROM %s",
	              p->table_q);
	if (gw_str_failed(&sql)) {
		error = GW_ENOMEM;
		goto cleanup;
	}
	/* As COPY where the driver can: at 10,000 rows, half the client's CPU
	 * of reading them row by row. */
	error = (p->conn->driver->exec_copy ? p->conn->driver->exec_copy : p->conn->driver->exec)(
	        p->conn, &(gw_stmt){sql.ptr, sql.size, NULL, 0}, hist_row, &st);
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

int gw_hist_load(gw_hist *out, gw_project *p)
{
	int error;

	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	if ((error = load_rows(out, p)) == GW_ENOMEM)
		error = gw_error_oom(p->ctx);
	return error;
}

int gw_hist__read_early(gw_hist *out, int *exists, gw_project *p)
{
	const char *params[1] = {p->table_q};
	gw_stmt stmt = {"SELECT to_regclass($1) IS NOT NULL", 0, params, 1};
	int error;

	*exists = 0;
	*out = (gw_hist)GW_HIST_INIT;
	stmt.len = strlen(stmt.sql);
	if ((error = p->conn->driver->exec(p->conn, &stmt, bool_row, exists)) < 0)
		return error;
	return *exists ? load_rows(out, p) : 0;
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

/* ---- writing ------------------------------------------------------------ */

static const char *record_version(const gw_record *r)
{
	return r->m ? r->m->version : r->version;
}

static const char *record_name(const gw_record *r)
{
	return r->m ? r->m->name : r->name;
}

/* The apply event, copied from the finished row: its start, its duration
 * and who ran it. */
#define EVENT_FROM_ROW                                                                             \
	"INSERT INTO %s (at, action, version, name, file, checksum, duration_ms, applied_by, "     \
	"environment, godwit_version) SELECT applied_at, 'apply', version, name, file, "           \
	"checksum, execution_ms, applied_by, environment, godwit_version FROM %s"

/* The row's INSERT; with done, the finished row with its duration
 * (measured from the transaction's start, which applied_at is) and its
 * apply event, in one statement (a writable CTE: PostgreSQL only). */
static int add_row(gw_batch *b, gw_project *p, const gw_record *r, int done)
{
	char total[16], finished[16];
	const char *params[9];
	gw_str who = GW_STR_INIT, row = GW_STR_INIT;
	int error = -1;

	snprintf(total, sizeof(total), "%d", r->statements_total);
	snprintf(finished, sizeof(finished), "%d", r->statements_done);
	params[0] = record_version(r);
	params[1] = record_name(r);
	params[2] = r->m ? r->m->up_file : NULL;
	params[3] = r->m ? r->m->checksum : "";
	params[4] = r->m && r->m->down_checksum[0] ? r->m->down_checksum : NULL;
	params[5] = total;
	params[6] = finished;
	params[7] = r->state;
	params[8] = p->environment;
	if (put_who(&who, p) < 0)
		goto cleanup;
	gw_str_printf(&row,
	              "INSERT INTO %s (version, name, kind, file, checksum, down_checksum, "
	              "applied_at, applied_by, statements_total, statements_done, state, "
	              "environment, godwit_version%s) VALUES ($1, $2, '%s', $3, $4, $5, %s, %s, "
	              "$6, $7, $8, $9, '" GODWIT_VERSION "'%s",
	              p->table_q, done ? ", execution_ms" : "",
	              r->m && r->m->repeatable ? "repeatable" : "versioned", gw_hist__sql(p)->now,
	              who.ptr, done ? ", " : "");
	if (done)
		gw_hist__put_around(&row, gw_hist__sql(p)->elapsed, gw_hist__sql(p)->now);
	gw_str_putc(&row, ')');
	/* A repeatable migration keeps one row, replaced at each apply. */
	if (gw_str_failed(&row) ||
	    (r->m && r->m->repeatable && gw_hist_add_row_delete(b, p, r->m->version) < 0))
		goto cleanup;
	if (done)
		error = gw_batch_addf(b, params, 9, "WITH r AS (%s RETURNING *) " EVENT_FROM_ROW,
		                      row.ptr, p->events_q, "r");
	else
		error = gw_batch_addf(b, params, 9, "%s", row.ptr);
cleanup:
	gw_str_dispose(&row);
	gw_str_dispose(&who);
	return error;
}

int gw_hist_add_row_insert(gw_batch *b, gw_project *p, const gw_record *r)
{
	return add_row(b, p, r, 0);
}

int gw_hist_add_row_applied(gw_batch *b, gw_project *p, const gw_record *r)
{
	return add_row(b, p, r, 1);
}

int gw_hist_add_applied(gw_batch *b, gw_project *p, const gw_migration *m)
{
	const char *params[3] = {m->version, m->checksum,
	                         m->down_checksum[0] ? m->down_checksum : NULL};
	gw_str elapsed = GW_STR_INIT;
	int error;

	/* The checksum is written again: a resumed migration may have been
	 * fixed since its row was inserted. On PostgreSQL the row's update and
	 * the event are one statement (a writable CTE), one less to send and
	 * execute per migration. */
	if (gw_hist__put_around(&elapsed, gw_hist__sql(p)->elapsed, "applied_at") < 0) {
		error = -1;
	} else if (p->driver->dialect == GW_DIALECT_POSTGRES) {
		error = gw_batch_addf(
		        b, params, 3,
		        "WITH r AS (UPDATE %s SET state = 'applied', statements_done = "
		        "statements_total, error = NULL, checksum = $2, down_checksum = "
		        "$3, execution_ms = %s WHERE version = $1 RETURNING *) " EVENT_FROM_ROW,
		        p->table_q, elapsed.ptr, p->events_q, "r");
	} else {
		error = gw_batch_addf(
		        b, params, 3,
		        "UPDATE %s SET state = 'applied', statements_done = "
		        "statements_total, error = NULL, checksum = $2, down_checksum = $3, "
		        "execution_ms = %s WHERE version = $1",
		        p->table_q, elapsed.ptr);
		if (error == 0)
			error = gw_batch_addf(b, params, 1, EVENT_FROM_ROW " WHERE version = $1",
			                      p->events_q, p->table_q);
	}
	gw_str_dispose(&elapsed);
	return error;
}

int gw_hist_add_row_delete(gw_batch *b, gw_project *p, const char *version)
{
	return gw_batch_addf(b, &version, 1, "DELETE FROM %s WHERE version = $1", p->table_q);
}

int gw_hist_add_event(gw_batch *b, gw_project *p, const gw_record *r)
{
	const char *params[6];
	gw_str who = GW_STR_INIT;
	int error;

	params[0] = r->action;
	params[1] = record_version(r);
	params[2] = record_name(r);
	params[3] = r->m ? (strcmp(r->action, "revert") ? r->m->up_file : r->m->down_file) : NULL;
	params[4] = r->m ? r->m->checksum : NULL;
	params[5] = p->environment;
	error = put_who(&who, p) < 0
	                ? -1
	                : gw_batch_addf(
	                          b, params, 6,
	                          "INSERT INTO %s (at, action, version, name, file, checksum, "
	                          "applied_by, environment, godwit_version) VALUES (%s, $1, $2, "
	                          "$3, "
	                          "$4, $5, %s, $6, '" GODWIT_VERSION "')",
	                          p->events_q, gw_hist__sql(p)->clock, who.ptr);
	gw_str_dispose(&who);
	return error;
}

int gw_hist_add_event_done(gw_batch *b, gw_project *p)
{
	gw_str elapsed = GW_STR_INIT;
	int error;

	/* The batch holds the runner lock (or SQLite's write lock), so the
	 * newest event is the one this batch inserted. */
	error = gw_hist__put_around(&elapsed, gw_hist__sql(p)->elapsed, "at") < 0
	                ? -1
	                : gw_batch_addf(b, NULL, 0,
	                                "UPDATE %s SET duration_ms = %s WHERE id = (SELECT max(id) "
	                                "FROM %s)",
	                                p->events_q, elapsed.ptr, p->events_q);
	gw_str_dispose(&elapsed);
	return error;
}

int gw_hist_add_failure(gw_batch *b, gw_project *p, const char *version, const char *name,
                        const char *action)
{
	const gw_error *e = gw_ctx_error(p->ctx);
	char line[16], column[16];
	const char *params[9];
	gw_str who = GW_STR_INIT;
	int error;

	if (!e)
		return 0;
	snprintf(line, sizeof(line), "%d", e->line);
	snprintf(column, sizeof(column), "%d", e->column);
	params[0] = action;
	params[1] = version;
	params[2] = name;
	params[3] = e->message;
	params[4] = e->sqlstate[0] ? e->sqlstate : NULL;
	params[5] = e->file[0] ? e->file : NULL;
	params[6] = e->line ? line : NULL;
	params[7] = e->column ? column : NULL;
	params[8] = p->environment;
	error = put_who(&who, p) < 0
	                ? -1
	                : gw_batch_addf(
	                          b, params, 9,
	                          "INSERT INTO %s (at, action, version, name, error, sqlstate, "
	                          "error_file, error_line, error_column, applied_by, environment, "
	                          "godwit_version) VALUES (%s, $1, $2, $3, $4, $5, $6, $7, $8, %s, "
	                          "$9, "
	                          "'" GODWIT_VERSION "')",
	                          p->events_q, gw_hist__sql(p)->clock, who.ptr);
	gw_str_dispose(&who);
	return error;
}

void gw_hist_record_failure(gw_project *p, const char *version, const char *name,
                            const char *action)
{
	gw_batch b = GW_BATCH_INIT;

	if (!gw_ctx_error(p->ctx) || !p->conn)
		return;
	if (gw_hist_add_failure(&b, p, version, name, action) == 0 && b.count) {
		/* Runs in its own transaction: the failed one is gone. The
		 * context keeps the original error if this fails too. */
		if (p->conn->driver->exec(p->conn, &b.stmts[0], NULL, NULL) == 0)
			gw_events__flush(p);
	}
	gw_batch_dispose(&b);
}

static int copy_state(void *payload, int ncols, const char *const *values)
{
	char **state = payload;

	if (ncols < 1 || !values[0])
		return 0;
	free(*state);
	*state = gw_strdup(values[0]);
	return *state ? 0 : GW_ENOMEM;
}

int gw_hist_row_state(gw_project *p, const char *version, char **state)
{
	const char *params[1] = {version};
	gw_str sql = GW_STR_INIT;
	int error;

	*state = NULL;
	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	gw_str_printf(&sql, "SELECT state FROM %s WHERE version = $1", p->table_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : gw_project__exec(p, sql.ptr, params, 1, copy_state, state);
	gw_str_dispose(&sql);
	return error;
}

int gw_hist_set_progress(gw_project *p, const char *version, int done)
{
	char n[16];
	const char *params[2] = {version, n};
	gw_str sql = GW_STR_INIT;
	int error;

	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	snprintf(n, sizeof(n), "%d", done);
	gw_str_printf(&sql, "UPDATE %s SET statements_done = $2 WHERE version = $1", p->table_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : gw_project__exec(p, sql.ptr, params, 2, NULL, NULL);
	gw_str_dispose(&sql);
	return error;
}

int gw_hist_set_dirty(gw_project *p, const char *version, const char *message)
{
	const char *params[2] = {version, message};
	gw_str sql = GW_STR_INIT;
	int error;

	if ((error = gw_project__need_conn(p)) < 0)
		return error;
	gw_str_printf(&sql, "UPDATE %s SET state = 'dirty', error = $2 WHERE version = $1",
	              p->table_q);
	error = gw_str_failed(&sql) ? gw_error_oom(p->ctx)
	                            : gw_project__exec(p, sql.ptr, params, 2, NULL, NULL);
	gw_str_dispose(&sql);
	return error;
}

/* An event about no migration, in a transaction of its own: backup,
 * restore, reset, record-schema. The history tables are created first if
 * need be. */
int gw_hist_record_note(gw_project *p, const char *action, const gw_migration *m, const char *what,
                        const char *file, int line)
{
	char line_text[16];
	const char *params[8];
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	gw_str who = GW_STR_INIT;
	int error;

	snprintf(line_text, sizeof(line_text), "%d", line);
	params[0] = action;
	params[1] = m->version;
	params[2] = m->name;
	params[3] = m->checksum;
	params[4] = what;
	params[5] = file;
	params[6] = line ? line_text : NULL;
	params[7] = p->environment;
	if ((error = gw_hist_ensure(p)) < 0)
		return error;
	if (put_who(&who, p) < 0 ||
	    gw_batch_addf(&b, params, 8,
	                  "INSERT INTO %s (at, action, version, name, checksum, error, error_file, "
	                  "error_line, applied_by, environment, godwit_version) VALUES (%s, $1, "
	                  "$2, $3, $4, $5, $6, $7, %s, $8, '" GODWIT_VERSION "')",
	                  p->events_q, gw_hist__sql(p)->clock, who.ptr) < 0)
		error = gw_error_oom(p->ctx);
	else
		error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	if (error == 0)
		error = gw_events__flush(p);
	gw_str_dispose(&who);
	gw_batch_dispose(&b);
	return error;
}

int gw_hist_record_event(gw_project *p, const char *action, const char *name)
{
	gw_record rec = {NULL, NULL, name, action, NULL, 0, 0};
	gw_exec_failure fail = {0, 0};
	gw_batch b = GW_BATCH_INIT;
	int error;

	if ((error = gw_hist_ensure(p)) < 0)
		return error;
	if (gw_hist_add_event(&b, p, &rec) < 0)
		error = gw_error_oom(p->ctx);
	else
		error = p->driver->exec_tx(p->conn, b.stmts, b.count, &fail);
	if (error == 0)
		error = gw_events__flush(p);
	gw_batch_dispose(&b);
	return error;
}
