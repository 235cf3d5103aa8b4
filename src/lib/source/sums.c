/*
 * sums.c: the checksum cache of a migrations folder, so that a file that
 * has not changed since godwit last read it is not read again.
 *
 * Loading a folder reads every migration file to checksum its sections
 * and read its directives; with thousands of files that is most of what
 * `status` costs. The cache, a file in <project>/.godwit/sums/ for each
 * folder (with the convention forced and the dialect), keeps for every
 * migration file what its loading made of its text (the fields of the
 * migration or the down, and the convention its markers settled) with the
 * file's identity as stat gives it: device, inode, size, and mtime and
 * ctime to the nanosecond. A file whose identity is the one recorded is
 * taken from the cache; any other is read, and recorded again.
 *
 * Why an edit is never hidden: every write to a file sets its mtime and
 * ctime from the file system's clock, and `touch -d`, which can put the
 * mtime back, sets the ctime to the present (only a change of the system
 * clock could set a ctime back). An entry is recorded only when the
 * file's mtime and ctime are strictly older than T0, the time stamp the
 * file system gave a file created in the cache's folder before the file
 * was stat'ed and read: a later write carries a stamp not older than T0,
 * so it cannot match the one recorded. This is git's "racily clean" case,
 * settled by not recording such a file: it is read each time until it is
 * older than a run. Stamps in whole seconds (file systems that keep no
 * more, FAT's two) must be two seconds older than T0. The migrations and
 * the cache are taken to share a clock: one machine's, or one file
 * server's (a cache on a disk whose clock runs ahead of the migrations'
 * server could record a file written in the same instant as T0).
 *
 * Each record is a line of tab-separated fields: the name, the identity
 * in hex (compared as text with the file's), what the name says and the
 * migration's flags as hex bytes (a field each: parsing some 30 decimal
 * fields a file was a fifth of a cached status), the checksums and the
 * @depends-on lines.
 *
 * In a folder of 2,000 files or more, a thread stats the later half of
 * them while the walk stats the first (stat.c); it is joined before
 * the walk reaches its part, and the files that missed are stat'ed again
 * after T0 as ever. With no old cache to match, the files are stat'ed
 * only after T0.
 *
 * A cache that is not exactly what this build would write (its first line
 * names the format, godwit's version, the convention forced, the dialect
 * and the folder's real path) or whose check sum (its last line) does not
 * match is ignored and replaced. It is written to a new file renamed over
 * the old one; any failure (a read-only project) is silent: a cache that
 * cannot be written is a slower run, never a failed one. The new file
 * of a run killed before its rename is removed later (cachefile.c, which
 * holds what this cache and the folder's listing, listing.c, share).
 */
#define _DEFAULT_SOURCE 1 /* madvise, MAP_ANONYMOUS */

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "priv.h"
#include "../../util/fs.h"
#include "../../util/hash.h"
#include "../../util/text.h"

#define SUMS_MAGIC "godwit-sums 4"
/* Fewer files are read about as fast as the cache is, and a small
 * project gets no .godwit folder for nothing. */
#define SUMS_MIN 64
/* One migration file of the folder, in the folder's order: 32 bytes,
 * as there is one for each file (the identity of a file that missed, the
 * only one needed after the comparison, is kept in gw_sums.ids). */
struct gw_sum_entry {
	const char *hit;          /* its record in the old cache, when its id is the one there */
	const char *name;         /* the entry's */
	uint32_t hit_len;         /* the record's line, with its '\n' */
	uint32_t fields_off;      /* hit: where the record's fields start in it */
	uint32_t id;              /* a miss: its identity, ids[id] */
	unsigned char known;      /* a miss whose id was taken (a regular file) */
	unsigned char recordable; /* its id is older than T0 */
};

/* A record of the old cache as the walk finds it. */
typedef struct old_rec {
	const char *line, *name;
	const char *id, *end; /* its identity's text, and the line's '\n' */
	size_t line_len, name_len;
} old_rec;

struct gw_sums {
	char *path;     /* the cache file */
	char *cachedir; /* its folder */
	gw_str header;  /* the first line this build writes */
	char *text;     /* the old cache, mapped read only (read_old) */
	size_t text_size, text_map;
	/* The text of the records replayed (and written again) is given
	 * back as the load goes, as it is a quarter of what the folder takes
	 * at its peak. */
	size_t released; /* text below it is given back */
	int stale;       /* an old record was dropped: the cache is written again */
	gw_sum_entry *entries;
	size_t n, entries_map; /* entries: count, and the bytes mapped */
	gw_file_id *ids;       /* of the files that missed */
	size_t nids;
	/* The new cache is written as the folder loads, in the folder's
	 * order, 64 KiB at a time: holding it whole (and the new records
	 * apart) doubled what a folder with a file changed took at its peak. */
	int writing;
	size_t next;          /* entries before it are written */
	gw_str out;           /* what is not written yet */
	gw_str rec;           /* a new record being made */
	uint64_t sum, summed; /* the check sum of what is written, and its length */
	char *tmp;            /* the new cache, created at T0 */
	int tmp_fd;
	long long t0_s, t0_ns;
	int dirty;
	size_t page; /* sysconf's, asked once: each replay gives text back */
};

/* The check sum of the cache's text, against a file damaged or cut
 * short: eight bytes at a time, as the CRC-32 of hash.c, a byte at a
 * time, took a quarter of `status` at 10,000 files. Not a defence
 * against whoever can write the project: they can edit the migrations.
 * Taken as the text is written (sum_words over whole words, then
 * sum_end with the last bytes), so its length is mixed in last. */
#define SUM_SEED 0x9e3779b97f4a7c15ull

static uint64_t sum_words(uint64_t h, const char *p, size_t len)
{
	uint64_t w;

	for (; len >= 8; p += 8, len -= 8) {
		memcpy(&w, p, 8);
		h = (h ^ w) * 0xff51afd7ed558ccdull;
		h ^= h >> 29;
	}
	return h;
}

/* tail: the last len % 8 bytes of the len bytes summed. */
static uint64_t sum_end(uint64_t h, const char *tail, uint64_t len)
{
	uint64_t w = 0;

	memcpy(&w, tail, (size_t)(len & 7));
	h = (h ^ w ^ len * SUM_SEED) * 0xc4ceb9fe1a85ec53ull;
	return h ^ (h >> 32);
}

uint64_t gw_source__sums_text_sum(const char *p, size_t len)
{
	size_t whole = len & ~(size_t)7;

	return sum_end(sum_words(SUM_SEED, p, whole), p + whole, len);
}

/* ---- identities ------------------------------------------------------------ */

/* Whether stamp (s, ns) is older than T0 by enough that no write after T0
 * can carry it again. */
static int older(const gw_sums *c, long long s, long long ns)
{
	return gw_source__older(s, ns, c->t0_s, c->t0_ns);
}

/* ---- fields of a record ---------------------------------------------------- */

/* A record's fields are separated by tabs; names with a tab or a newline
 * are not recorded. */
static int next_field(const char **p, const char *end, const char **f, size_t *len)
{
	const char *tab;

	if (*p >= end)
		return -1;
	tab = memchr(*p, '\t', (size_t)(end - *p));
	*f = *p;
	*len = (size_t)((tab ? tab : end) - *p);
	*p = tab ? tab + 1 : end;
	return 0;
}

/* Where the field at *p ends: the tab that closes it is stepped over. 0,
 * or -1 when it ends elsewhere than at a tab or at end. */
static int field_end(const char **p, const char *q, const char *end)
{
	if (q < end && *q != '\t')
		return -1;
	*p = q < end ? q + 1 : end;
	return 0;
}

/* A decimal field, with an optional '-'; 18 digits at most, which holds
 * every value written. Read in one pass, without looking for its tab
 * first: a cached status parses some 30 numbers a file (strtoll, with a
 * copy to end each field, took a tenth of it; memchr and then the digits,
 * a quarter). */
static int next_ll(const char **p, const char *end, long long *out)
{
	const char *q = *p, *digits;
	long long v = 0;
	int neg;

	if (q >= end)
		return -1;
	neg = *q == '-';
	digits = q += neg;
	while (q < end && (unsigned)(*q - '0') <= 9 && q - digits < 19)
		v = v * 10 + (*q++ - '0');
	if (q == digits || q - digits > 18 || field_end(p, q, end) < 0)
		return -1;
	*out = neg ? -v : v;
	return 0;
}

static int next_size(const char **p, const char *end, size_t *out)
{
	long long v;

	if (next_ll(p, end, &v) < 0 || v < 0)
		return -1;
	*out = (size_t)v;
	return 0;
}

/* A number of a file's identity in hex, 1 to 16 lowercase digits; a
 * signed one may have a '-' before them. */
static int next_xull(const char **p, const char *end, unsigned long long *out)
{
	const char *q = *p;
	unsigned long long v = 0;
	int d;

	while (q < end && q - *p <= 16 && (d = gw_source__hex_digit(*q)) >= 0) {
		v = v << 4 | (unsigned)d;
		q++;
	}
	if (q == *p || q - *p > 16 || field_end(p, q, end) < 0)
		return -1;
	*out = v;
	return 0;
}

static int next_xll(const char **p, const char *end, long long *out)
{
	const char *q = *p;
	unsigned long long v;
	int neg = q < end && *q == '-';

	q += neg;
	if (next_xull(&q, end, &v) < 0 || v > (neg ? 1ULL << 63 : (unsigned long long)LLONG_MAX))
		return -1;
	*p = q;
	*out = neg ? (v == 1ULL << 63 ? LLONG_MIN : -(long long)v) : (long long)v;
	return 0;
}

static int next_hex(const char **p, const char *end, unsigned char *out, size_t n)
{
	const char *q = *p;
	size_t i;
	int hi, lo;

	if ((size_t)(end - q) < 2 * n)
		return -1;
	for (i = 0; i < n; i++, q += 2) {
		if ((hi = gw_source__hex_digit(q[0])) < 0 || (lo = gw_source__hex_digit(q[1])) < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return field_end(p, q, end);
}

/* Flags of 0 or 1 as the bits of a byte, the first the lowest; -1 when
 * one is neither (it is then not recorded). */
static int pack_bits(const unsigned char *const *flags, size_t n)
{
	size_t i;
	int bits = 0;

	for (i = 0; i < n; i++) {
		if (*flags[i] != 0 && *flags[i] != 1)
			return -1;
		bits |= *flags[i] << i;
	}
	return bits;
}

/* The bits of a byte into flags, the first the lowest; -1 when a bit past
 * them is set. */
static int unpack_bits(unsigned char *const *flags, size_t n, unsigned bits)
{
	size_t i;

	if (bits >> n)
		return -1;
	for (i = 0; i < n; i++)
		*flags[i] = (unsigned char)(bits >> i & 1);
	return 0;
}

/* A checksum into out, *has set, or "-" for none (*has cleared; has
 * NULL: a checksum is wanted). Its length tells where its tab is. */
static int next_sum(const char **p, const char *end, unsigned char out[GW_CHECKSUM_BYTES],
                    unsigned char *has)
{
	const char *f = *p;
	size_t len = f < end && *f == '-' ? 1 : 2 * GW_CHECKSUM_BYTES;

	if ((size_t)(end - f) < len || field_end(p, f + len, end) < 0)
		return -1;
	if (len == 1) /* "-": none */
		return has ? (*has = 0) : -1;
	if (has)
		*has = 1;
	return gw_checksum_parse(out, f, len);
}

/* A checksum as a record holds it: its hex text, or "-" for none. */
static void put_sum(gw_str *r, const unsigned char sum[GW_CHECKSUM_BYTES], int has)
{
	char hex[GW_CHECKSUM_HEX];

	gw_str_putc(r, '\t');
	if (!has) {
		gw_str_putc(r, '-');
		return;
	}
	gw_checksum_hex(hex, sum);
	gw_str_put(r, hex, 2 * GW_CHECKSUM_BYTES);
}

/* An identity as a record holds it: its seven numbers in hex, each
 * followed by a tab (the last by the tab that opens the next field).
 * Matching a file to its record compares this text with the record's,
 * without parsing it: parsing seven decimal numbers a record was a
 * tenth of a cached status, and writing them in decimal as much. */
#define ID_TEXT_MAX (7 * 18)

/* The digits are written in place, from the last: their count is known
 * from the highest bit set. Made in a buffer of their own and copied,
 * with a memcpy call a number, they were an eighth of the folder's walk
 * at 10,000 files. */
static char *put_u(char *p, unsigned long long v)
{
	int n = v ? (67 - __builtin_clzll(v)) / 4 : 1;
	char *q = p + n;

	do
		*--q = "0123456789abcdef"[v & 15];
	while ((v >>= 4) != 0);
	p += n;
	*p++ = '\t';
	return p;
}

static char *put_s(char *p, long long v)
{
	if (v >= 0)
		return put_u(p, (unsigned long long)v);
	*p++ = '-';
	return put_u(p, 0ULL - (unsigned long long)v);
}

static size_t id_text(char buf[ID_TEXT_MAX], const gw_file_id *id)
{
	char *p = put_u(buf, id->dev);

	p = put_u(p, id->ino);
	p = put_u(p, id->size);
	p = put_s(p, id->mtime_s);
	p = put_s(p, id->mtime_ns);
	p = put_s(p, id->ctime_s);
	p = put_s(p, id->ctime_ns);
	return (size_t)(p - buf);
}

static int put_id(gw_str *s, const gw_file_id *id)
{
	char buf[ID_TEXT_MAX];

	return gw_str_put(s, buf, id_text(buf, id) - 1);
}

static int get_id(const char **p, const char *end, gw_file_id *id)
{
	return next_xull(p, end, &id->dev) < 0 || next_xull(p, end, &id->ino) < 0 ||
	                       next_xull(p, end, &id->size) < 0 ||
	                       next_xll(p, end, &id->mtime_s) < 0 ||
	                       next_xll(p, end, &id->mtime_ns) < 0 ||
	                       next_xll(p, end, &id->ctime_s) < 0 ||
	                       next_xll(p, end, &id->ctime_ns) < 0
	               ? -1
	               : 0;
}

/* The flags of an up's record and of a down's, in the order of their
 * bits, the first the lowest. */
#define UP_FLAGS(m, has_down)                                                                      \
	{                                                                                          \
		&(m)->pub.no_transaction, &(m)->pub.down_no_transaction, &(m)->pub.empty,          \
		        &(m)->untouched, &(m)->pub.has_verify, &(m)->pub.plain_tx,                 \
		        &(m)->down_state, (has_down)                                               \
	}
#define DOWN_FLAGS(d)                                                                              \
	{                                                                                          \
		&(d)->no_tx, &(d)->empty, &(d)->untouched, &(d)->blank                             \
	}

/* What a name says of a file, as its convention settled it: its
 * convention, its flags and the offsets of its parts, one byte each (a
 * file name has at most 255 bytes). -1 when it does not fit. */
#define FN_BYTES 7

static int put_fn(gw_str *s, const file_name *fn)
{
	const unsigned char *const flags[] = {&fn->shared,     &fn->is_down, &fn->rollback,
	                                      &fn->repeatable, &fn->dotted,  &fn->autocommit};
	const size_t sizes[] = {fn->version_start, fn->version_len, fn->name_start, fn->stem_start,
	                        fn->stem_len};
	int bits = pack_bits(flags, 6);
	size_t i;

	if (bits < 0 || (unsigned)fn->conv > 0xff)
		return -1;
	for (i = 0; i < 5; i++)
		if (sizes[i] > 0xff)
			return -1;
	gw_str_printf(s, "\t%02x%02x%02zx%02zx%02zx%02zx%02zx", (unsigned)fn->conv, (unsigned)bits,
	              sizes[0], sizes[1], sizes[2], sizes[3], sizes[4]);
	return 0;
}

static int get_fn(const char **p, const char *end, file_name *fn, size_t name_len)
{
	unsigned char *const flags[] = {&fn->shared,     &fn->is_down, &fn->rollback,
	                                &fn->repeatable, &fn->dotted,  &fn->autocommit};
	unsigned char b[FN_BYTES];

	memset(fn, 0, sizeof(*fn));
	if (next_hex(p, end, b, FN_BYTES) < 0 || b[0] >= GW_SOURCE_NFORMATS ||
	    unpack_bits(flags, 6, b[1]) < 0)
		return -1;
	fn->conv = (gw_format)b[0];
	fn->version_start = b[2];
	fn->version_len = b[3];
	fn->name_start = b[4];
	fn->stem_start = b[5];
	fn->stem_len = b[6];
	/* Offsets into the name, which must hold them. */
	if (fn->version_start + fn->version_len > name_len || fn->stem_len > name_len ||
	    fn->name_start > fn->stem_len || fn->stem_start > fn->stem_len)
		return -1;
	return 0;
}

/* ---- opening: the old cache, and which files are unchanged ------------------- */

/* Whether the old cache is one this build wrote for this folder, whole:
 * its header and its check sum. Its records are read as the folder is
 * walked (next_old). Returns where the records start, or NULL. */
static const char *check_old(const gw_sums *c)
{
	return gw_source__cache_body(c->text, c->text_size, c->header.ptr, c->header.size);
}

/* The record at *p (before end, the trailer), *p moved past it: 1, 0 at
 * the end, -1 for a record this build would not have written. */
static int next_old(old_rec *r, const char **p, const char *end)
{
	const char *nl, *q = *p;
	size_t len;

	if (q >= end)
		return 0;
	if (!(nl = memchr(q, '\n', (size_t)(end - q))))
		return -1;
	r->line = q;
	r->line_len = (size_t)(nl + 1 - q);
	if (next_field(&q, nl, &r->name, &len) < 0 || !len || r->line_len > UINT32_MAX)
		return -1;
	r->name_len = len;
	r->id = q;
	r->end = nl;
	*p = nl + 1;
	return 1;
}

/* Whether r's identity is one this build would have written: a record
 * that is not, under a right check sum, drops the whole cache. Checked
 * only for the records that do not match their file's text (a file
 * gone or changed): one that matches is what this build writes. */
static int id_sound(const old_rec *r)
{
	const char *q = r->id;
	gw_file_id id;

	return get_id(&q, r->end, &id);
}

static int cmp_name(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	return c ? c : (alen > blen) - (alen < blen);
}

/* Maps the old cache into c->text. Its pages are the page cache's, mapped
 * as the walk reaches them: reading it into pages of its own took 1.3 to
 * 2.7 ms at 10,000 files (the copy, and a fault and a zeroed page every
 * 4 KiB), mapped 0.25 ms. The cache is only ever replaced by a rename (finish_new),
 * never written in place, so the file mapped does not shrink under the
 * walk. A file that cannot be mapped is a cache that cannot be read: a
 * slower run. Not through gw_file_read, which counts the migration files
 * read (gw_file_reads), and whose errors are for files that must be read. */
static int read_old(gw_sums *c)
{
	struct stat st;
	size_t page = c->page;
	int fd = open(c->path, O_RDONLY | O_CLOEXEC), error = -1;
	void *map;

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size <= 0 ||
	    (unsigned long long)st.st_size > GW_FILE_MAX)
		goto cleanup;
	/* Whole pages, that madvise can give back (release_before). */
	c->text_map = ((size_t)st.st_size + page - 1) / page * page;
	map = mmap(NULL, c->text_map, PROT_READ, MAP_PRIVATE, fd, 0);
	if (map == MAP_FAILED) {
		c->text_map = 0;
		goto cleanup;
	}
	c->text = map;
	c->text_size = (size_t)st.st_size;
	error = 0;
cleanup:
	close(fd);
	return error;
}

/* Gives back the pages of the old cache below at, which no replay and
 * no write will read again (the records before it are written), 64 KiB
 * at a time. */
#define RELEASE_STEP 65536

static void release_before(gw_sums *c, const char *at)
{
	size_t page = c->page, end = (size_t)(at - c->text) / page * page;

	if (end < c->released + RELEASE_STEP)
		return;
	if (madvise(c->text + c->released, end - c->released, MADV_DONTNEED) == 0)
		c->released = end;
}

/* The new cache is created now, in the cache's folder: its mtime is T0,
 * taken from the file system's clock before the files that miss are
 * stat'ed again and read. */
static int start_new(gw_sums *c)
{
	long long t0[2];

	if (c->tmp)
		return 0;
	if ((c->tmp_fd = gw_source__cache_create(c->cachedir, c->path, &c->tmp, t0)) < 0)
		return -1;
	c->t0_s = t0[0];
	c->t0_ns = t0[1];
	return 0;
}

static void drop_new(gw_sums *c)
{
	if (!c->tmp)
		return;
	close(c->tmp_fd);
	unlink(c->tmp);
	free(c->tmp);
	c->tmp = NULL;
}

/* ---- the new cache, written as the folder loads ------------------------------ */

#define WRITE_STEP 65536

/* Nothing more is written (a write failed, memory ran out): the new
 * cache is dropped at the end. */
static void stop_writing(gw_sums *c)
{
	c->writing = 0;
	gw_str_dispose(&c->out);
	c->out = (gw_str)GW_STR_INIT;
}

/* Writes the whole words of what waits, and sums them. */
static void flush_out(gw_sums *c)
{
	size_t whole = c->out.size & ~(size_t)7;

	if (gw_str_failed(&c->out) || gw_source__cache_write(c->tmp_fd, c->out.ptr, whole) < 0) {
		stop_writing(c);
		return;
	}
	c->sum = sum_words(c->sum, c->out.ptr, whole);
	c->summed += whole;
	memmove(c->out.ptr, c->out.ptr + whole, c->out.size - whole);
	gw_str_truncate(&c->out, c->out.size - whole);
}

static void put_out(gw_sums *c, const char *p, size_t len)
{
	if (!c->writing)
		return;
	gw_str_put(&c->out, p, len);
	if (gw_str_failed(&c->out) || c->out.size >= WRITE_STEP)
		flush_out(c);
}

/* Writes the old records of the files before entries[upto] that were
 * neither replayed nor read (their text is still there: it is given back
 * only below the record replayed). */
static void write_upto(gw_sums *c, size_t upto)
{
	if (!c->writing)
		c->next = upto;
	for (; c->next < upto; c->next++)
		if (c->entries[c->next].hit)
			put_out(c, c->entries[c->next].hit, c->entries[c->next].hit_len);
}

/* The walk found a record it cannot use, in a cache whose check sum is
 * right: no cache then, as for a damaged one. */
static void forget_hits(gw_sums *c, size_t k, size_t *misses)
{
	size_t j;

	for (j = 0; j < k; j++) {
		if (c->entries[j].hit) {
			c->entries[j].hit = NULL;
			++*misses;
		}
	}
	c->dirty = 1;
}

gw_sums *gw_source__sums_open(const char *cache_dir, const gw_loader *ld, gw_folder *names)
{
	gw_sums *c = NULL;
	const char *real = ld->real, *rp = NULL, *rend = NULL, *prev = NULL;
	size_t i, k, count = 0, misses = 0, prev_len = 0;
	old_rec r = {NULL, NULL, NULL, NULL, 0, 0};
	gw_stat_ahead ahead = {0};
	int dirfd = -1, have = 0, matching;

	for (i = 0; i < names->len; i++)
		count += !names->items[i].skip;
	if (!cache_dir || ld->detected || count < SUMS_MIN || count > UINT32_MAX || !real ||
	    !(c = calloc(1, sizeof(*c))))
		goto fail;
	c->tmp_fd = -1;
	c->page = (size_t)sysconf(_SC_PAGESIZE);
	c->header = (gw_str)GW_STR_INIT;
	c->out = (gw_str)GW_STR_INIT;
	c->rec = (gw_str)GW_STR_INIT;
	/* One cache a folder, convention forced and dialect. */
	if (gw_str_printf(&c->header, "%s\t%s\t%d\t%s\t%s\n", SUMS_MAGIC, GODWIT_VERSION,
	                  (int)ld->forced, ld->dialect ? ld->dialect : "-", real) < 0 ||
	    strchr(real, '\n'))
		goto fail;
	if (!(c->cachedir = gw_strdup(cache_dir)) ||
	    !(c->path = gw_source__cache_path(cache_dir, "", c->header.ptr, c->header.size)))
		goto fail;
	/* Pages of their own, given back whole at the end: on malloc's
	 * heap, this array of a few hundred KiB left a hole that what the
	 * status holds after it did not fill (peak RSS 0.2 MiB higher at
	 * 10,000 files). mmap zeroes them, as calloc. */
	c->entries = mmap(NULL, count * sizeof(*c->entries), PROT_READ | PROT_WRITE,
	                  MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->entries == MAP_FAILED)
		c->entries = NULL;
	else
		c->entries_map = count * sizeof(*c->entries);
	if (!c->entries || (dirfd = open(ld->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		goto fail;
	/* No cache, an unreadable one, one of another build or folder: all
	 * files are read, and the cache written anew. Its records are in
	 * the folder's order: one walk beside the folder's matches them. */
	if (read_old(c) == 0 && (rp = check_old(c)) != NULL)
		rend = c->text + c->text_size - GW_CACHE_TRAILER;
	else
		c->dirty = 1;
	/* With no records to match, each file is stat'ed once, after T0
	 * (below): stat'ed here too, a first run made 10,000 fstatat more
	 * than it needed. */
	if ((matching = rp != NULL) != 0)
		gw_source__stat_ahead_start(&ahead, dirfd, names);
	for (i = k = 0; i < names->len; i++) {
		gw_folder_entry *e = &names->items[i];
		gw_sum_entry *s;
		gw_file_id id;
		char idbuf[ID_TEXT_MAX];
		size_t name_len, idlen = 0;
		int cmp = 1, got, same = 0;

		if (e->skip)
			continue;
		s = &c->entries[k++];
		s->name = e->name;
		e->sum = s;
		/* A symbolic link is read each time: where it leads is
		 * checked then. */
		if (e->link) {
			e->sum = NULL;
			continue;
		}
		if (!matching) {
			s->known = 1;
			misses++;
			continue;
		}
		if (gw_source__stat_ahead_get(&ahead, i, &id, dirfd, e->name) < 0) {
			e->sum = NULL;
			continue;
		}
		s->known = 1;
		name_len = strlen(e->name);
		while (rp) {
			if (!have) {
				if ((got = next_old(&r, &rp, rend)) == 0)
					break;
				if (got < 0 ||
				    (prev && cmp_name(prev, prev_len, r.name, r.name_len) >= 0)) {
					forget_hits(c, k, &misses);
					rp = NULL;
					break;
				}
				prev = r.name;
				prev_len = r.name_len;
				have = 1;
			}
			/* A record of a file gone, or one changed, is dropped:
			 * the cache is written again. */
			if ((cmp = cmp_name(r.name, r.name_len, e->name, name_len)) <= 0) {
				have = 0;
				if (cmp == 0) {
					idlen = id_text(idbuf, &id);
					same = (size_t)(r.end - r.id) > idlen &&
					       !memcmp(r.id, idbuf, idlen);
				}
				if (!same && id_sound(&r) < 0) {
					forget_hits(c, k, &misses);
					rp = NULL;
					break;
				}
				c->stale |= !same;
			}
			if (cmp >= 0)
				break;
		}
		if (rp && cmp == 0 && same) {
			s->hit = r.line;
			s->hit_len = (uint32_t)r.line_len;
			s->fields_off = (uint32_t)(r.id + idlen - r.line);
		} else {
			misses++;
		}
	}
	gw_source__stat_ahead_end(&ahead);
	c->n = k;
	if (rp && (have || rp < rend))
		c->stale = 1;
	/* A cache that will change is written as the folder loads, from
	 * its first line. */
	if ((misses || c->stale || c->dirty) && start_new(c) == 0) {
		c->writing = 1;
		c->sum = SUM_SEED;
		put_out(c, c->header.ptr, c->header.size);
	}
	/* The files that missed are stat'ed again after T0: what is
	 * recorded of them is older than their reading. */
	if (misses && c->writing && (c->ids = calloc(misses, sizeof(*c->ids))) != NULL) {
		for (i = 0; i < c->n; i++) {
			gw_sum_entry *s = &c->entries[i];
			gw_file_id *id = &c->ids[c->nids];

			if (!s->known || s->hit)
				continue;
			if (gw_source__file_id(id, dirfd, s->name) < 0) {
				s->known = 0;
				continue;
			}
			s->id = (uint32_t)c->nids++;
			s->recordable = older(c, id->mtime_s, id->mtime_ns) &&
			                older(c, id->ctime_s, id->ctime_ns);
		}
	}
	close(dirfd);
	return c;
fail:
	if (dirfd >= 0)
		close(dirfd);
	for (i = 0; i < names->len; i++)
		names->items[i].sum = NULL;
	gw_source__sums_close(c, 0);
	return NULL;
}

int gw_source__sums_hit(const gw_sum_entry *s)
{
	return s && s->hit;
}

/* ---- a record: what a file's text made it ------------------------------------ */

/* Whether a name can go in a record as it is. */
static int plain(const char *s)
{
	return !strpbrk(s, "\t\n\r");
}

void gw_source__sums_record(gw_sums *c, const gw_folder_entry *e, const file_name *fn,
                            const gw_source_mig *m, const gw_down_rec *d)
{
	gw_sum_entry *s = e->sum;
	gw_str *r;
	size_t i;
	int bits;

	if (!c || !s || s->hit || !s->recordable || !c->writing || fn->dialect || !plain(e->name))
		return;
	for (i = 0; m && i < gw_migration_ndepends(&m->pub); i++)
		if (!plain(m->pub.rare->depends[i]) || !*m->pub.rare->depends[i])
			return;
	if (m) {
		unsigned char has_down = m->pub.down_file != NULL;
		const unsigned char *const up[] = UP_FLAGS(m, &has_down);

		bits = pack_bits(up, sizeof(up) / sizeof(*up));
	} else {
		const unsigned char *const down[] = DOWN_FLAGS(d);

		bits = pack_bits(down, sizeof(down) / sizeof(*down));
	}
	if (bits < 0)
		return;
	r = &c->rec;
	gw_str_clear(r);
	gw_str_puts(r, e->name);
	gw_str_putc(r, '\t');
	put_id(r, &c->ids[s->id]);
	if (put_fn(r, fn) < 0)
		return;
	gw_str_printf(r, "\t%c\t%02x", m ? 'U' : 'D', (unsigned)bits);
	put_sum(r, m ? m->pub.sum : d->sum, 1);
	if (m) {
		put_sum(r, m->pub.down_sum, m->pub.has_down_sum);
		gw_str_printf(r, "\t%zu", gw_migration_ndepends(&m->pub));
		for (i = 0; i < gw_migration_ndepends(&m->pub); i++)
			gw_str_printf(r, "\t%d\t%s", m->pub.rare->depends_line[i],
			              m->pub.rare->depends[i]);
	}
	gw_str_putc(r, '\n');
	if (gw_str_failed(r)) {
		/* Out of memory: no cache is written this time. */
		stop_writing(c);
		return;
	}
	write_upto(c, (size_t)(s - c->entries));
	put_out(c, r->ptr, r->size);
	c->next = (size_t)(s - c->entries) + 1;
}

int gw_source__sums_replay(gw_sums *c, const gw_folder_entry *e, file_name *fn, gw_folder *blocks,
                           gw_source_mig **mp, gw_down_rec **dp)
{
	const gw_sum_entry *s = e->sum;
	const char *p = s->hit + s->fields_off, *end = s->hit + s->hit_len - 1, *f;
	size_t idx = (size_t)(s - c->entries);
	gw_source_mig *m = NULL;
	gw_down_rec *d = NULL;
	size_t len, i, nd;
	unsigned char has_down;
	int line;
	unsigned char bits;

	*mp = NULL;
	*dp = NULL;
	/* The records are replayed in their order: those before this one
	 * are written, and done with. */
	write_upto(c, idx);
	release_before(c, s->hit);
	/* A record that cannot be read is written no more: the file is
	 * read, and recorded the next time. */
	c->next = idx + 1;
	if (get_fn(&p, end, fn, strlen(e->name)) < 0 || next_field(&p, end, &f, &len) < 0 ||
	    len != 1)
		return -1;
	if (*f == 'D') {
		if (!(d = calloc(1, sizeof(*d))))
			return GW_ENOMEM;
		{
			unsigned char *const down[] = DOWN_FLAGS(d);

			if (next_hex(&p, end, &bits, 1) < 0 ||
			    unpack_bits(down, sizeof(down) / sizeof(*down), bits) < 0 ||
			    next_sum(&p, end, d->sum, NULL) < 0 || p != end) {
				free(d);
				return -1;
			}
		}
		put_out(c, s->hit, s->hit_len);
		*dp = d;
		return 0;
	}
	/* In the listing's blocks, which the set keeps: a calloc each was
	 * 2.6 M of the walk's 40.6 M instructions at 10,000 files, their
	 * frees at the end 2 M more, and growing the thread's heap a page
	 * at a time took 326 mprotect calls (135 now). Given back with the
	 * blocks, so one that is not kept waits for them. */
	if (*f != 'U' || !(m = gw_source__folder_alloc_struct(blocks, sizeof(*m))))
		return *f != 'U' ? -1 : GW_ENOMEM;
	memset(m, 0, sizeof(*m));
	m->in_block = 1;
	{
		unsigned char *const up[] = UP_FLAGS(m, &has_down);

		if (next_hex(&p, end, &bits, 1) < 0 ||
		    unpack_bits(up, sizeof(up) / sizeof(*up), bits) < 0)
			goto bad;
	}
	if (next_sum(&p, end, m->pub.sum, NULL) < 0 ||
	    next_sum(&p, end, m->pub.down_sum, &m->pub.has_down_sum) < 0 ||
	    next_size(&p, end, &nd) < 0)
		goto bad;
	for (i = 0; i < nd; i++) {
		long long l;

		if (next_ll(&p, end, &l) < 0 || l < 0 || l > 0x7fffffff ||
		    next_field(&p, end, &f, &len) < 0 || !len)
			goto bad;
		line = (int)l;
		if (gw_source__add_depend(m, f, len, line) < 0) {
			gw_source__mig_free(m);
			return GW_ENOMEM;
		}
	}
	if (p != end)
		goto bad;
	m->down_in_up = has_down != 0;
	put_out(c, s->hit, s->hit_len);
	*mp = m;
	return 0;
bad:
	gw_source__mig_free(m);
	return -1;
}

/* ---- closing: the new cache -------------------------------------------------- */

/* The rest of the new cache: the old records of the files after the
 * last one loaded, the check sum, and the file renamed over the old. */
static void finish_new(gw_sums *c)
{
	char trailer[GW_CACHE_TRAILER + 1];
	uint64_t len;
	int ok;

	write_upto(c, c->n);
	if (c->writing)
		flush_out(c);
	if (!c->writing)
		return;
	len = c->summed + c->out.size; /* fewer than 8 bytes wait */
	gw_source__cache_trailer(trailer, sum_end(c->sum, c->out.ptr ? c->out.ptr : "", len));
	gw_str_put(&c->out, trailer, GW_CACHE_TRAILER);
	ok = !gw_str_failed(&c->out) &&
	     gw_source__cache_write(c->tmp_fd, c->out.ptr, c->out.size) == 0;
	gw_source__cache_commit(c->tmp_fd, c->tmp, c->path, c->cachedir, c->t0_s, ok);
	c->tmp_fd = -1;
	c->tmp = NULL;
}

void gw_source__sums_close(gw_sums *c, int loaded)
{
	if (!c)
		return;
	/* Records of files gone or changed are dropped too. */
	if (loaded && c->writing)
		finish_new(c);
	drop_new(c);
	free(c->path);
	free(c->cachedir);
	free(c->ids);
	if (c->entries)
		munmap(c->entries, c->entries_map);
	gw_str_dispose(&c->header);
	if (c->text_map)
		munmap(c->text, c->text_map);
	gw_str_dispose(&c->out);
	gw_str_dispose(&c->rec);
	free(c);
}
