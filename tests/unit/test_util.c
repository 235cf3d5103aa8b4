/*
 * test_util.c: unit tests of src/util, the layer every other module stands
 * on: the growable string and vector, checksums and lock keys, URL handling
 * (including password masking), UTF-8 and text positions, files and
 * folders, and the first-error-wins context.
 *
 * The tests follow the contracts written in the headers; what a header
 * leaves open is not tested.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util/error.h"
#include "util/fs.h"
#include "util/hash.h"
#include "util/str.h"
#include "util/text.h"
#include "util/url.h"
#include "util/vec.h"

/* ---- helpers ----------------------------------------------------------- */

/* A fresh folder for one test, under GW_TEST_TMP (set by ctest) or TMPDIR. */
static char *make_temp_dir(void)
{
	const char *base = getenv("GW_TEST_TMP");
	gw_str path = GW_STR_INIT;

	if (!base || !*base)
		base = getenv("TMPDIR");
	if (!base || !*base)
		base = "/tmp";
	mkdir(base, 0755); /* GW_TEST_TMP may not exist yet */
	assert_int_equal(gw_str_printf(&path, "%s/test_util.XXXXXX", base), 0);
	assert_non_null(mkdtemp(path.ptr));
	return gw_str_detach(&path);
}

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	gw_str path = GW_STR_INIT;
	FILE *f;

	assert_int_equal(gw_path_join(&path, dir, name), 0);
	f = fopen(path.ptr, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(data, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	gw_str_dispose(&path);
}

static void remove_tree(const char *dir)
{
	gw_vec names = GW_VEC_INIT;
	gw_str path = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	size_t i;

	assert_int_equal(gw_ctx_new(&ctx), 0);
	if (gw_dir_list(&names, dir, ctx) == 0) {
		for (i = 0; i < names.len; i++) {
			gw_str_clear(&path);
			gw_path_join(&path, dir, names.items[i]);
			unlink(path.ptr);
		}
	}
	rmdir(dir);
	gw_vec_dispose(&names, free);
	gw_str_dispose(&path);
	gw_ctx_free(ctx);
}

static int contains(const char *haystack, const char *needle)
{
	return haystack && strstr(haystack, needle) != NULL;
}

/* ---- gw_str ------------------------------------------------------------ */

static void test_str_init_is_empty_and_terminated(void **state)
{
	gw_str s = GW_STR_INIT;

	(void)state;
	assert_non_null(s.ptr);
	assert_string_equal(s.ptr, "");
	assert_int_equal(s.size, 0);
	assert_false(gw_str_failed(&s));
	gw_str_dispose(&s);
	assert_non_null(s.ptr);
	assert_string_equal(s.ptr, "");
}

static void test_str_grows_and_stays_terminated(void **state)
{
	gw_str s = GW_STR_INIT;
	char expect[10001];
	size_t i;

	(void)state;
	for (i = 0; i < 10000; i++) {
		assert_int_equal(gw_str_putc(&s, (char)('a' + i % 26)), 0);
		expect[i] = (char)('a' + i % 26);
		assert_int_equal(s.size, i + 1);
		assert_int_equal(s.ptr[s.size], '\0');
		assert_true(s.asize > s.size);
	}
	expect[10000] = '\0';
	assert_string_equal(s.ptr, expect);

	assert_int_equal(gw_str_puts(&s, "tail"), 0);
	assert_int_equal(gw_str_put(&s, "xyz", 2), 0);
	assert_int_equal(s.size, 10006);
	assert_string_equal(s.ptr + 10000, "tailxy");
	assert_false(gw_str_failed(&s));
	gw_str_dispose(&s);
	assert_int_equal(s.size, 0);
}

static void test_str_put_keeps_embedded_nul(void **state)
{
	gw_str s = GW_STR_INIT;

	(void)state;
	assert_int_equal(gw_str_put(&s, "a\0b", 3), 0);
	assert_int_equal(s.size, 3);
	assert_memory_equal(s.ptr, "a\0b", 4);
	gw_str_dispose(&s);
}

static void test_str_printf_appends(void **state)
{
	gw_str s = GW_STR_INIT;
	char big[5000];

	(void)state;
	assert_int_equal(gw_str_puts(&s, "v="), 0);
	assert_int_equal(gw_str_printf(&s, "%d %s %05.1f", 42, "x", 3.5), 0);
	assert_string_equal(s.ptr, "v=42 x 003.5");
	assert_int_equal(s.size, strlen("v=42 x 003.5"));

	/* A format result larger than the buffer grows it. */
	memset(big, 'q', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(gw_str_printf(&s, "[%s]", big), 0);
	assert_int_equal(s.size, strlen("v=42 x 003.5") + 2 + sizeof(big) - 1);
	assert_int_equal(s.ptr[s.size - 1], ']');
	assert_int_equal(s.ptr[s.size], '\0');
	gw_str_dispose(&s);
}

static void test_str_failed_flag_is_sticky(void **state)
{
	gw_str s = GW_STR_INIT;

	(void)state;
	assert_int_equal(gw_str_puts(&s, "kept"), 0);
	/* Asking for more than the cap fails without allocating it. */
	assert_true(gw_str_grow(&s, GW_STR_MAX) < 0);
	assert_true(gw_str_failed(&s));

	/* Every later append is a no-op that reports the failure. */
	assert_true(gw_str_puts(&s, "more") < 0);
	assert_true(gw_str_putc(&s, 'x') < 0);
	assert_true(gw_str_printf(&s, "%d", 1) < 0);
	assert_true(gw_str_put(&s, "y", 1) < 0);
	assert_true(gw_str_grow(&s, 10) < 0);
	assert_true(gw_str_failed(&s));
	assert_string_equal(s.ptr, "kept");
	assert_int_equal(s.size, 4);

	/* A failed string cannot be detached as if it were complete. */
	assert_null(gw_str_detach(&s));
	gw_str_dispose(&s);

	/* A length that would pass the cap fails too, on a fresh string. */
	assert_true(gw_str_put(&s, "z", GW_STR_MAX) < 0);
	assert_true(gw_str_failed(&s));
	assert_true(gw_str_puts(&s, "after") < 0);
	assert_string_equal(s.ptr, "");

	gw_str_dispose(&s);
	assert_false(gw_str_failed(&s));
	assert_int_equal(gw_str_puts(&s, "again"), 0);
	assert_string_equal(s.ptr, "again");
	gw_str_dispose(&s);
}

static void test_str_detach_hands_over_the_buffer(void **state)
{
	gw_str s = GW_STR_INIT;
	char *p;

	(void)state;
	assert_int_equal(gw_str_puts(&s, "hello"), 0);
	p = gw_str_detach(&s);
	assert_non_null(p);
	assert_string_equal(p, "hello");
	/* The string is reset and usable. */
	assert_int_equal(s.size, 0);
	assert_non_null(s.ptr);
	assert_string_equal(s.ptr, "");
	assert_false(gw_str_failed(&s));
	assert_int_equal(gw_str_puts(&s, "next"), 0);
	assert_string_equal(s.ptr, "next");
	assert_string_equal(p, "hello");
	free(p);
	gw_str_dispose(&s);

	/* An empty string detaches to a malloc'd "". */
	p = gw_str_detach(&s);
	assert_non_null(p);
	assert_string_equal(p, "");
	free(p);
}

static void test_str_set_clear_truncate(void **state)
{
	gw_str s = GW_STR_INIT;

	(void)state;
	assert_int_equal(gw_str_sets(&s, "first value"), 0);
	assert_string_equal(s.ptr, "first value");
	assert_int_equal(gw_str_sets(&s, "2nd"), 0);
	assert_string_equal(s.ptr, "2nd");
	assert_int_equal(s.size, 3);
	assert_int_equal(gw_str_set(&s, "abcdef", 2), 0);
	assert_string_equal(s.ptr, "ab");

	gw_str_clear(&s);
	assert_int_equal(s.size, 0);
	assert_string_equal(s.ptr, "");
	assert_int_equal(gw_str_puts(&s, "reuse"), 0);
	assert_string_equal(s.ptr, "reuse");

	gw_str_truncate(&s, 3);
	assert_string_equal(s.ptr, "reu");
	assert_int_equal(s.size, 3);
	gw_str_truncate(&s, 10); /* longer than the string: no change */
	assert_string_equal(s.ptr, "reu");
	assert_int_equal(s.size, 3);

	/* Clearing a string that never allocated is fine. */
	gw_str_dispose(&s);
	gw_str_clear(&s);
	assert_string_equal(s.ptr, "");
	gw_str_dispose(&s);
}

static void test_strdup_accepts_null(void **state)
{
	char *p;

	(void)state;
	assert_null(gw_strdup(NULL));
	assert_null(gw_strndup(NULL, 3));
	p = gw_strdup("abc");
	assert_string_equal(p, "abc");
	free(p);
	p = gw_strndup("abcdef", 3);
	assert_string_equal(p, "abc");
	free(p);
}

/* ---- gw_vec ------------------------------------------------------------ */

static int freed_count;

static void count_free(void *item)
{
	freed_count++;
	free(item);
}

/* gw_grow: the array as it is while there is room, twice as large when
 * full, the elements kept. */
static void test_grow_doubles_and_keeps(void **state)
{
	long *items = NULL, *same;
	size_t cap = 0, n;

	(void)state;
	for (n = 0; n < 40; n++) {
		long *more = gw_grow(items, &cap, n, sizeof(*items));

		assert_non_null(more);
		assert_true(cap > n);
		items = more;
		items[n] = (long)n * 3;
	}
	assert_int_equal(cap, 64);
	for (n = 0; n < 40; n++)
		assert_int_equal(items[n], (long)n * 3);
	same = gw_grow(items, &cap, 40, sizeof(*items));
	assert_ptr_equal(same, items);
	assert_int_equal(cap, 64);
	free(items);
}

static void test_vec_push_keeps_order(void **state)
{
	gw_vec v = GW_VEC_INIT;
	size_t i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		int *n = malloc(sizeof(*n));

		assert_non_null(n);
		*n = (int)i;
		assert_int_equal(gw_vec_push(&v, n), 0);
		assert_int_equal(v.len, i + 1);
		assert_true(v.cap >= v.len);
	}
	for (i = 0; i < 1000; i++)
		assert_int_equal(*(int *)v.items[i], (int)i);

	freed_count = 0;
	gw_vec_dispose(&v, count_free);
	assert_int_equal(freed_count, 1000);
	assert_int_equal(v.len, 0);
	assert_null(v.items);

	/* Disposed vectors are reusable; without free_item, items are kept. */
	assert_int_equal(gw_vec_push(&v, &freed_count), 0);
	assert_ptr_equal(v.items[0], &freed_count);
	gw_vec_dispose(&v, NULL);
	assert_int_equal(v.len, 0);
	gw_vec_dispose(&v, NULL);
}

/* ---- checksums --------------------------------------------------------- */

static void checksum_of(char out[GW_CHECKSUM_HEX], const char *text, size_t len)
{
	assert_int_equal(gw_checksum_text(out, text, len), 0);
	assert_int_equal(strlen(out), 64);
}

static void test_checksum_known_values(void **state)
{
	char sum[GW_CHECKSUM_HEX];

	(void)state;
	checksum_of(sum, "abc", 3);
	assert_string_equal(sum,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	checksum_of(sum, "", 0);
	assert_string_equal(sum,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* Only len bytes count. */
	checksum_of(sum, "abcdef", 3);
	assert_string_equal(sum,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

static void test_checksum_folds_crlf(void **state)
{
	char lf[GW_CHECKSUM_HEX], crlf[GW_CHECKSUM_HEX];
	const char *unix_text = "CREATE TABLE t (id int);\n-- migrate:down\nDROP TABLE t;\n";
	const char *dos_text = "CREATE TABLE t (id int);\r\n-- migrate:down\r\nDROP TABLE t;\r\n";

	(void)state;
	checksum_of(lf, unix_text, strlen(unix_text));
	checksum_of(crlf, dos_text, strlen(dos_text));
	assert_string_equal(lf, crlf);

	checksum_of(lf, "a\nb\n", 4);
	assert_string_equal(lf, "911169ddaaf146aff539f58c26c489af3b892dff0fe283c1c264c65ae5aa59a2");
	checksum_of(crlf, "a\r\nb\r\n", 6);
	assert_string_equal(crlf, lf);
}

static void test_checksum_keeps_lone_cr(void **state)
{
	char sum[GW_CHECKSUM_HEX], other[GW_CHECKSUM_HEX];

	(void)state;
	/* CR CR LF: the first CR is content, the second goes with the LF. */
	checksum_of(sum, "a\r\r\nb", 5);
	assert_int_equal(gw_sha256_hex(other, "a\r\nb", 4), 0);
	assert_string_equal(sum, other);
	/* A CRLF cut by len: its CR is the text's last byte, kept. */
	checksum_of(sum, "a\r\nb", 2);
	assert_int_equal(gw_sha256_hex(other, "a\r", 2), 0);
	assert_string_equal(sum, other);
	/* sha256("a\rb"): a CR not followed by LF is content. */
	checksum_of(sum, "a\rb", 3);
	assert_string_equal(sum,
	                    "af9081672dd5ef3247a30c2db5b0dafcc9bcf981a26aefb3c55d210d43fcc14e");
	checksum_of(other, "a\nb", 3);
	assert_string_not_equal(sum, other);
	checksum_of(other, "ab", 2);
	assert_string_not_equal(sum, other);

	/* A CR at the very end is kept too. */
	checksum_of(sum, "a\r", 2);
	assert_string_equal(sum,
	                    "961a57df036f6c4f44ca8a054271c45e823f469bcc439f0255c40974c3e3d131");

	/* Mixed: the CRLF folds, the lone CR stays. */
	checksum_of(sum, "line1\r\nline2\rstill2\r\n", 21);
	assert_string_equal(sum,
	                    "5f3aaf6ec06144ee3b493b9a8a103b38b6cf557a4bf4007d390590f20fa01005");
}

/* The checksum as its 32 bytes is the same digest: its text is
 * gw_checksum_text's, and parses back; any other text is refused. */
static void test_checksum_bytes_and_text(void **state)
{
	const char *abc = "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad";
	unsigned char sum[GW_CHECKSUM_BYTES], back[GW_CHECKSUM_BYTES];
	char hex[GW_CHECKSUM_HEX], bad[GW_CHECKSUM_HEX];
	size_t i;

	(void)state;
	gw_checksum_bytes(sum, "abc", 3);
	assert_int_equal(sum[0], 0xba);
	assert_int_equal(sum[31], 0xad);
	gw_checksum_hex(hex, sum);
	assert_string_equal(hex, abc);
	gw_checksum_bytes(back, "a\r\nb", 4);
	gw_checksum_text(hex, "a\nb", 3);
	assert_int_equal(gw_checksum_parse(sum, hex, 64), 0);
	assert_memory_equal(sum, back, sizeof(sum));
	assert_int_equal(gw_checksum_parse(back, abc, 64), 0);
	gw_checksum_hex(hex, back);
	assert_string_equal(hex, abc);
	assert_int_equal(gw_checksum_parse(back, abc, 63), -1);
	assert_int_equal(gw_checksum_parse(back, abc, 65), -1);
	for (i = 0; i < 64; i += 9) {
		const char *odd = "AFg/:@`x";

		memcpy(bad, abc, sizeof(bad));
		bad[i] = odd[i / 9];
		assert_int_equal(gw_checksum_parse(back, bad, 64), -1);
	}
}

/* Raw-byte digests keep every byte: the CRLF that gw_checksum_text folds
 * is content here (Prisma and drizzle hash the file as it is). */
static void test_sha256_hex_keeps_bytes(void **state)
{
	char sum[GW_CHECKSUM_HEX], folded[GW_CHECKSUM_HEX];

	(void)state;
	assert_int_equal(gw_sha256_hex(sum, "abc", 3), 0);
	assert_string_equal(sum,
	                    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(gw_sha256_hex(sum, NULL, 0), 0);
	assert_string_equal(sum,
	                    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_int_equal(gw_sha256_hex(sum, "a\r\nb\r\n", 6), 0);
	assert_string_equal(sum,
	                    "58055bdcc73787eb88c78d36f0b4939e9c5dc1c3ad17e25cc85a6833cf1a0cab");
	checksum_of(folded, "a\r\nb\r\n", 6);
	assert_string_not_equal(sum, folded);
	/* Embedded NUL bytes count; only len bytes are read. */
	assert_int_equal(gw_sha256_hex(sum, "\0x\0yz", 3), 0);
	assert_string_equal(sum,
	                    "0561374e75d21135ef4df8565a9e09c93257944df311c37bd6c2a6e9f6fbf0ad");
}

static void test_sha1_hex_known_values(void **state)
{
	char sum[GW_SHA1_HEX];
	const char *two_blocks = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	/* FIPS 180 test vectors. */
	assert_int_equal(gw_sha1_hex(sum, "abc", 3), 0);
	assert_string_equal(sum, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_int_equal(gw_sha1_hex(sum, "", 0), 0);
	assert_string_equal(sum, "da39a3ee5e6b4b0d3255bfef95601890afd80709");
	assert_int_equal(gw_sha1_hex(sum, two_blocks, strlen(two_blocks)), 0);
	assert_string_equal(sum, "84983e441c3bd26ebaae4aa1f95129e5e54670f1");
	assert_int_equal(gw_sha1_hex(sum, "\0x\0", 3), 0);
	assert_string_equal(sum, "6479b71675ef4f37063d4b167c5b781e988269ed");
	assert_int_equal(strlen(sum), GW_SHA1_HEX - 1);
}

/* SHA-256 and SHA-1 are written here (src/util/hash.c): FIPS 180-4's long
 * vectors, and messages whose padding falls on each side of a block
 * boundary (55, 56, 63, 64, 65, 119, 120, 128 bytes; values from Python's
 * hashlib). */
static void test_digests_at_block_boundaries(void **state)
{
	static const struct {
		size_t len;
		const char *sha256, *sha1;
	} cases[] = {
	        {55, "e7313d333c272e639f790978283f9eb392e843d0f29b7016828bb1daa4aac70b",
	         "ddf57317ef34bfee3b6df83d359098930eb278bc"},
	        {56, "4324d65f3c103567f5589c710bc08f8523f929a9272e3af36fc968e52abc6c27",
	         "a0d492bb0fc889d0eca3bc137066ab6f4f74f369"},
	        {63, "81c80242132f230c3bd41b3e63bbcff16107339549214a99614ff26664625055",
	         "c55856749bef509bdfe6bfebfc7bf4e793e82132"},
	        {64, "39e3d7b6b5d075d37d053ad89b24b41bef4f3c29760c84447cab3f3be1882241",
	         "bede92be29c3874e1b54ddc77988d606fc857a8e"},
	        {65, "aacca6ff74fdbb296d165a45cecfa04e5127bc008770fbbdd48006f2d2fae95e",
	         "b05a80522b053d6dc7e0a517d0e70212c7dad11f"},
	        {119, "9ce7368e4daf32341631b492e80359dc9f594b48453cd0dd5bf0b19279cc177e",
	         "504e27376a6e0f0dba8295b85cb25dc4dfa17d23"},
	        {120, "7836b787757e95e58b3ca5aec90b1b004e8deba1e50e9675af9cabf1a13a04b5",
	         "82134b02fb3f702491be9bed581eeab59334acb2"},
	        {128, "d2742f1f4ac6bb7ca2b239ee18402ba8b3f9f8e652d2a72973c2b9ba11c08cf6",
	         "a09133e6730ffe899efb70204cb5646cd5dc24ee"},
	};
	static const char fips[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	unsigned char msg[128];
	char sum[GW_CHECKSUM_HEX], folded[GW_CHECKSUM_HEX], sum1[GW_SHA1_HEX];
	char *million = malloc(1000000);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(msg); i++)
		msg[i] = (unsigned char)((i * 7 + 3) % 256);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		gw_sha256_hex(sum, msg, cases[i].len);
		assert_string_equal(sum, cases[i].sha256);
		gw_sha1_hex(sum1, msg, cases[i].len);
		assert_string_equal(sum1, cases[i].sha1);
	}
	gw_sha256_hex(sum, fips, strlen(fips));
	assert_string_equal(sum,
	                    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
	assert_non_null(million);
	memset(million, 'a', 1000000);
	gw_sha256_hex(sum, million, 1000000);
	assert_string_equal(sum,
	                    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	gw_sha1_hex(sum1, million, 1000000);
	assert_string_equal(sum1, "34aa973cd4c4daa4f61eeb2bdbad27316534016f");
	/* Folding CRLF feeds the digest in pieces: the same as one piece. */
	memset(million, 'a', 1000000);
	million[70] = '\r';
	million[71] = '\n';
	gw_checksum_text(sum, million, 1000000);
	memmove(million + 70, million + 71, 1000000 - 71);
	gw_sha256_hex(folded, million, 999999);
	assert_string_equal(sum, folded);
	free(million);
}

/* SHA-256 runs on the processor's SHA extensions where it has them: the
 * same digests as the portable code, at every length around the block
 * boundaries and on a long message, the vectors above included. */
static void test_sha256_same_with_and_without_sha_extensions(void **state)
{
	char fast[GW_CHECKSUM_HEX], slow[GW_CHECKSUM_HEX];
	unsigned char *msg = malloc(300000);
	uint32_t x = 2463534242u;
	size_t i, len;

	(void)state;
	assert_non_null(msg);
	for (i = 0; i < 300000; i++) {
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		msg[i] = (unsigned char)x;
	}
	for (len = 0; len <= 300000; len = len < 300 ? len + 1 : len * 3 + 17) {
		gw_hash__use_sha_ni(1);
		gw_sha256_hex(fast, msg, len);
		gw_hash__use_sha_ni(0);
		gw_sha256_hex(slow, msg, len);
		assert_string_equal(fast, slow);
	}
	gw_hash__use_sha_ni(0);
	test_digests_at_block_boundaries(state);
	gw_hash__use_sha_ni(1);
	free(msg);
}

static void test_hash_key64_is_stable(void **state)
{
	(void)state;
	/* The first 8 bytes of sha256("abc"), ba7816bf8f01cfea, as a signed
	 * 64-bit integer. These keys are advisory lock ids shared by every
	 * godwit version that may run at once: they must never change. */
	assert_true(gw_hash_key64("abc") == INT64_C(-5010229573455851542));
	assert_true(gw_hash_key64("public.godwit_migrations") == INT64_C(245961577547982164));
	assert_true(gw_hash_key64("abc") == gw_hash_key64("abc"));
	assert_true(gw_hash_key64("public.a") != gw_hash_key64("public.b"));
}

/* ---- URLs -------------------------------------------------------------- */

static void test_url_scheme(void **state)
{
	char buf[16];

	(void)state;
	assert_int_equal(gw_url_scheme(buf, sizeof(buf), "postgres://u@h/db"), 0);
	assert_string_equal(buf, "postgres");
	assert_int_equal(gw_url_scheme(buf, sizeof(buf), "PostgreSQL://h/db"), 0);
	assert_string_equal(buf, "postgresql");
	assert_int_equal(gw_url_scheme(buf, sizeof(buf), "sqlite:db/x.db"), 0);
	assert_string_equal(buf, "sqlite");
	assert_int_equal(gw_url_scheme(buf, sizeof(buf), "sqlite3:x"), 0);
	assert_string_equal(buf, "sqlite3");

	assert_int_equal(gw_url_scheme(buf, sizeof(buf), "db/x.db"), -1);
	assert_int_equal(gw_url_scheme(buf, sizeof(buf), "host=x user=u"), -1);
	assert_int_equal(gw_url_scheme(buf, sizeof(buf), ""), -1);
	assert_int_equal(gw_url_scheme(buf, sizeof(buf), "://h/db"), -1);

	/* "postgres" needs 9 bytes with its NUL. */
	assert_int_equal(gw_url_scheme(buf, 8, "postgres://h/db"), -1);
	assert_int_equal(gw_url_scheme(buf, 9, "postgres://h/db"), 0);
	assert_string_equal(buf, "postgres");
}

static void expect_sqlite_path(const char *url, const char *path)
{
	gw_str out = GW_STR_INIT;

	assert_int_equal(gw_url_sqlite_path(&out, url), 0);
	assert_string_equal(out.ptr, path);
	gw_str_dispose(&out);
}

static void test_url_sqlite_path(void **state)
{
	gw_str out = GW_STR_INIT;

	(void)state;
	expect_sqlite_path("sqlite:db/x.db", "db/x.db");
	expect_sqlite_path("sqlite:///tmp/x.db", "/tmp/x.db");
	expect_sqlite_path("sqlite://rel/x.db", "rel/x.db");
	expect_sqlite_path("sqlite3:x", "x");
	expect_sqlite_path("sqlite:/abs/x.db", "/abs/x.db");
	expect_sqlite_path("SQLite:db/x.db", "db/x.db");

	assert_int_equal(gw_url_sqlite_path(&out, "postgres://h/db"), -1);
	assert_int_equal(gw_url_sqlite_path(&out, "db/x.db"), -1);

	/* It appends. */
	assert_int_equal(gw_str_puts(&out, "path: "), 0);
	assert_int_equal(gw_url_sqlite_path(&out, "sqlite:a.db"), 0);
	assert_string_equal(out.ptr, "path: a.db");
	gw_str_dispose(&out);
}

static void expect_mask(const char *url, const char *masked)
{
	gw_str out = GW_STR_INIT;

	assert_int_equal(gw_url_mask(&out, url), 0);
	assert_string_equal(out.ptr, masked);
	assert_false(contains(out.ptr, "secret"));
	gw_str_dispose(&out);
}

static void expect_hook(const char *url, const char *masked)
{
	gw_str out = GW_STR_INIT;

	assert_int_equal(gw_url_mask_hook(&out, url), 0);
	assert_string_equal(out.ptr, masked);
	assert_false(contains(out.ptr, "secret"));
	gw_str_dispose(&out);
}

static void test_url_mask_hook(void **state)
{
	(void)state;
	expect_hook("https://hooks.slack.com/services/T0/B0/secret",
	            "https://hooks.slack.com/****");
	expect_hook("slack:http://127.0.0.1:8080/services/secret",
	            "slack:http://127.0.0.1:8080/****");
	expect_hook("https://example.com?token=secret", "https://example.com?****");
	expect_hook("https://u:secret@example.com/hook", "https://u:****@example.com/****");
	expect_hook("https://example.com/secret", "https://example.com/****");
	expect_hook("https://example.com/", "https://example.com/");
	expect_hook("mailto:ops@example.com", "mailto:ops@example.com");
}

static void test_url_mask_userinfo(void **state)
{
	(void)state;
	expect_mask("postgres://u:secret@h/db", "postgres://u:****@h/db");
	expect_mask("postgresql://u:secret@h:5432/db?sslmode=require",
	            "postgresql://u:****@h:5432/db?sslmode=require");
	expect_mask("postgres://:secret@h/db", "postgres://:****@h/db");
	expect_mask("postgres://u:secret@h", "postgres://u:****@h");
	/* A password holding '@', percent-encoded or not. */
	expect_mask("postgres://u:p%40secret@h/db", "postgres://u:****@h/db");
	expect_mask("postgres://u:p@secret@h/db", "postgres://u:****@h/db");
}

static void test_url_mask_query_and_keywords(void **state)
{
	(void)state;
	expect_mask("postgres://u@h/db?password=secret&sslmode=require",
	            "postgres://u@h/db?password=****&sslmode=require");
	expect_mask("postgres://h/db?sslmode=require&password=secret",
	            "postgres://h/db?sslmode=require&password=****");
	expect_mask("postgres://u:secret@h/db?password=secret",
	            "postgres://u:****@h/db?password=****");
	expect_mask("host=x password=secret user=u", "host=x password=**** user=u");
	expect_mask("password=secret host=x", "password=**** host=x");
	expect_mask("host=x password='se cret' user=u", "host=x password=**** user=u");
}

/* Found by fuzz/fuzz_url: each once printed a password. */
static void test_url_mask_fuzz_findings(void **state)
{
	(void)state;
	expect_mask("host=x password=secret application_name=http://y",
	            "host=x password=**** application_name=http://y");
	expect_mask("password=://", "password=****");
	expect_mask("postgres://u@h/db?password=ab?cd", "postgres://u@h/db?password=****");
	expect_mask("postgres://h/db?password='ab'cd&x=1", "postgres://h/db?password=****&x=1");
	expect_mask("postgres://app:s3cr#t@db/x", "postgres://app:****@db/x");
}

/* Malformed URLs are the ones libpq echoes in its errors: each once
 * printed its password whole. */
static void test_url_mask_malformed(void **state)
{
	(void)state;
	expect_mask("postgres://u:secret@[::1/db", "postgres://u:****@[::1/db");
	expect_mask("postgres://u:secret@[]/db", "postgres://u:****@[]/db");
	expect_mask("postgres://u:secret@[::1]x/db", "postgres://u:****@[::1]x/db");
	expect_mask(" postgres://u:secret@h/db", " postgres://u:****@h/db");
	expect_mask("\"postgres://u:secret@h/db", "\"postgres://u:****@h/db");
	expect_mask("postgres:/u:secret@h/db", "postgres:/u:****@h/db");
	expect_mask("postgres:u:secret@h/db", "postgres:u:****@h/db");
	expect_mask("POSTGRES://u:secret@h/db", "POSTGRES://u:****@h/db");
	expect_mask("u:secret@h/db", "u:****@h/db");
	/* A '/' or '?' in an unencoded password. */
	expect_mask("postgres://u:se/cret@h/db", "postgres://u:****@h/db");
	expect_mask("postgres://u:se?cret@h/db", "postgres://u:****@h/db");
	expect_mask("postgres://u:s/e?cret@h/db?x=1", "postgres://u:****@h/db?x=1");
	/* An '@' in a query parameter is not a password's end. */
	expect_mask("postgres://h:5432/db?application_name=a@b",
	            "postgres://h:5432/db?application_name=a@b");
	/* Every secret key, in a URL and in a key/value string, and a URL
	 * given as a key/value string's dbname. */
	expect_mask("postgres://h/db?sslpassword=secret", "postgres://h/db?sslpassword=****");
	expect_mask("host=h sslpassword=secret", "host=h sslpassword=****");
	expect_mask("dbname=postgres://u:secret@h/db", "dbname=postgres://u:****@h/db");
	expect_mask("sqlite:db/x.db?mode=ro&password=secret",
	            "sqlite:db/x.db?mode=ro&password=****");
	/* Parameters right after the host, or after a path with a '/' in a
	 * parameter before the password. */
	expect_mask("postgres://h?host=/tmp&password=secret",
	            "postgres://h?host=/tmp&password=****");
	expect_mask("postgresql:///db?host=/tmp/s&user=app&password=secret",
	            "postgresql:///db?host=/tmp/s&user=app&password=****");
	expect_mask("postgresql://?host=/tmp/s&dbname=x&password=secret&schema=a",
	            "postgresql://?host=/tmp/s&dbname=x&password=****&schema=a");
}

static void test_url_mask_keyword_with_spaces(void **state)
{
	gw_str out = GW_STR_INIT;

	(void)state;
	/* libpq accepts white space around the '=' of a keyword/value pair. */
	assert_int_equal(gw_url_mask(&out, "host=x password = secret user=u"), 0);
	assert_false(contains(out.ptr, "secret"));
	assert_true(contains(out.ptr, "host=x"));
	assert_true(contains(out.ptr, "user=u"));
	gw_str_dispose(&out);
}

static void test_url_mask_leaves_the_rest(void **state)
{
	(void)state;
	expect_mask("postgres://u@h/db", "postgres://u@h/db");
	expect_mask("postgres://h:5432/db?sslmode=require", "postgres://h:5432/db?sslmode=require");
	expect_mask("postgresql:///postgres?host=/tmp/sock&user=postgres",
	            "postgresql:///postgres?host=/tmp/sock&user=postgres");
	expect_mask("sqlite:db/x.db", "sqlite:db/x.db");
	expect_mask("host=x user=u dbname=d", "host=x user=u dbname=d");
	expect_mask("", "");
}

/* ---- UTF-8 and positions ------------------------------------------------ */

static void test_utf8_check(void **state)
{
	/* é (2 bytes), ✓ (3 bytes), 😀 (4 bytes) */
	const char *valid = "h\xc3\xa9llo \xe2\x9c\x93 \xf0\x9f\x98\x80!";
	size_t bad = 99;

	(void)state;
	assert_int_equal(gw_utf8_check(valid, strlen(valid), &bad), 0);
	assert_int_equal(gw_utf8_check("", 0, &bad), 0);

	assert_int_equal(gw_utf8_check("abc\xff!de", 7, &bad), -1);
	assert_int_equal(bad, 3);
	/* Past runs of eight ASCII bytes (checked a word at a time): a bad
	 * byte first in a word, last in one, alone after them; a sequence
	 * across two words; one cut by the end after them. */
	assert_int_equal(gw_utf8_check("abcdefgh\xffijklmno", 16, &bad), -1);
	assert_int_equal(bad, 8);
	assert_int_equal(gw_utf8_check("abcdefghijklmno\xff", 16, &bad), -1);
	assert_int_equal(bad, 15);
	assert_int_equal(gw_utf8_check("abcdefghijklmnopq\xff", 18, &bad), -1);
	assert_int_equal(bad, 17);
	assert_int_equal(gw_utf8_check("abcdefg\xc3\xa9ijklmnopq", 17, &bad), 0);
	assert_int_equal(gw_utf8_check("abcdefghijklmnopqrstuvw\xe2\x9c", 25, &bad), -1);
	assert_int_equal(bad, 23);

	/* Latin-1 é in the middle of valid text. */
	assert_int_equal(gw_utf8_check("caf\xe9!", 5, &bad), -1);
	assert_int_equal(bad, 3);

	/* A continuation byte with no lead. */
	assert_int_equal(gw_utf8_check("a\x80", 2, &bad), -1);
	assert_int_equal(bad, 1);

	/* A sequence cut short by the end of the text... */
	assert_int_equal(gw_utf8_check("ab\xe2\x9c", 4, &bad), -1);
	assert_int_equal(bad, 2);
	/* ...or by a byte that is not a continuation. */
	assert_int_equal(gw_utf8_check("ab\xe2\x9cz", 5, &bad), -1);
	assert_int_equal(bad, 2);

	/* Overlong encodings of '/' and of U+0000. */
	assert_int_equal(gw_utf8_check("x\xc0\xaf", 3, &bad), -1);
	assert_int_equal(bad, 1);
	assert_int_equal(gw_utf8_check("\xe0\x80\xaf", 3, &bad), -1);
	assert_int_equal(bad, 0);
	assert_int_equal(gw_utf8_check("\xf0\x80\x80\x80", 4, &bad), -1);
	assert_int_equal(bad, 0);

	/* A UTF-16 surrogate and a code point past U+10FFFF. */
	assert_int_equal(gw_utf8_check("\xed\xa0\x80", 3, &bad), -1);
	assert_int_equal(gw_utf8_check("\xf4\x90\x80\x80", 4, &bad), -1);

	/* Only len bytes are looked at. */
	assert_int_equal(gw_utf8_check("ok\xff", 2, &bad), 0);
}

static void expect_position(const char *text, size_t at, int line, int column)
{
	int l = -1, c = -1;

	gw_text_position(text, strlen(text), at, &l, &c);
	assert_int_equal(l, line);
	assert_int_equal(c, column);
}

static void test_text_position(void **state)
{
	(void)state;
	expect_position("SELECT 1;", 0, 1, 1);
	expect_position("SELECT 1;", 7, 1, 8);
	expect_position("ab\ncd\nef", 3, 2, 1);
	expect_position("ab\ncd\nef", 4, 2, 2);
	expect_position("ab\ncd\nef", 7, 3, 2);
	/* The newline itself is the last column of its line. */
	expect_position("ab\ncd", 2, 1, 3);
	/* Multibyte characters count as one column: "é" is 2 bytes, "✓" 3. */
	expect_position("\xc3\xa9x", 2, 1, 2);
	expect_position("\xe2\x9c\x93\xc3\xa9x", 5, 1, 3);
	expect_position("a\n\xc3\xa9\xc3\xa9z", 6, 2, 3);
	/* CRLF ends a line once; the CR is not a column of the next line. */
	expect_position("ab\r\ncd", 4, 2, 1);
	expect_position("ab\r\ncd", 5, 2, 2);
	expect_position("a\r\nb\r\nc", 6, 3, 1);
	/* Past the end: clamped to the end. */
	expect_position("ab\ncd", 100, 2, 3);
}

static void test_text_char_to_byte(void **state)
{
	const char *text = "\xc3\xa9t\xc3\xa9 \xe2\x9c\x93x"; /* "été ✓x" */
	size_t len = strlen(text);

	(void)state;
	assert_int_equal(gw_text_char_to_byte("SELECT", 6, 1), 0);
	assert_int_equal(gw_text_char_to_byte("SELECT", 6, 4), 3);
	assert_int_equal(gw_text_char_to_byte(text, len, 1), 0);
	assert_int_equal(gw_text_char_to_byte(text, len, 2), 2);
	assert_int_equal(gw_text_char_to_byte(text, len, 3), 3);
	assert_int_equal(gw_text_char_to_byte(text, len, 4), 5);
	assert_int_equal(gw_text_char_to_byte(text, len, 5), 6);
	assert_int_equal(gw_text_char_to_byte(text, len, 6), 9);
	/* Past the end: clamped to len. */
	assert_int_equal(gw_text_char_to_byte(text, len, 7), len);
	assert_int_equal(gw_text_char_to_byte(text, len, 1000), len);
}

static void test_text_has_nocase(void **state)
{
	const char *t = "SELECT PG_Advisory_Unlock_All()";

	(void)state;
	assert_true(gw_text_has_nocase(t, strlen(t), "pg_advisory_unlock"));
	assert_true(gw_text_has_nocase(t, strlen(t), "all()"));
	/* Only the first len bytes are searched. */
	assert_false(gw_text_has_nocase(t, 20, "pg_advisory_unlock"));
	assert_false(gw_text_has_nocase(t, strlen(t), "discard"));
	/* A word longer than the text. */
	assert_false(gw_text_has_nocase("dis", 3, "discard"));
	assert_true(gw_text_has_nocase("x", 1, ""));
}

static void test_text_skip_space_comments(void **state)
{
	const char *t1 = "  \t\n-- a comment\n  -- another\nSELECT 1";
	const char *t2 = "/* outer /* nested */ still comment */ CREATE";
	const char *t3 = " /* a */ -- b\n\r\n/**/X";
	const char *t4 = "SELECT 1; -- trailing\n  INSERT";
	const char *t5 = " -x";
	const char *t6 = "  /* never closed";
	const char *t7 = "  -- no newline at the end";
	const char *t8 = " / 2";

	(void)state;
	assert_int_equal(gw_text_skip_space_comments(t1, strlen(t1), 0), strlen(t1) - 8);
	assert_int_equal(gw_text_skip_space_comments(t2, strlen(t2), 0), strlen(t2) - 6);
	assert_int_equal(gw_text_skip_space_comments(t3, strlen(t3), 0), strlen(t3) - 1);
	/* From an offset, and at a character that is not space: no move. */
	assert_int_equal(gw_text_skip_space_comments(t4, strlen(t4), 9), strlen(t4) - 6);
	assert_int_equal(gw_text_skip_space_comments(t4, strlen(t4), 0), 0);
	/* A lone '-' or '/' is not a comment. */
	assert_int_equal(gw_text_skip_space_comments(t5, strlen(t5), 0), 1);
	assert_int_equal(gw_text_skip_space_comments(t8, strlen(t8), 0), 1);
	/* Comments running to the end. */
	assert_int_equal(gw_text_skip_space_comments(t6, strlen(t6), 0), strlen(t6));
	assert_int_equal(gw_text_skip_space_comments(t7, strlen(t7), 0), strlen(t7));
	/* Found by fuzz/fuzz_split: PostgreSQL ends -- at a bare CR, and
	 * SQLite's block comments do not nest. */
	assert_int_equal(gw_text_skip_space_comments("-- c\rselect 1;", 14, 0), 5);
	assert_int_equal(gw_text_skip_space_comments_sqlite("-- c\rselect 1;", 14, 0), 14);
	assert_int_equal(gw_text_skip_space_comments_sqlite("/* a /* b */ select 1;", 22, 0), 13);
	assert_int_equal(gw_text_skip_space_comments("/* a /* b */ select 1;", 22, 0), 22);
	assert_int_equal(gw_text_skip_space_comments("", 0, 0), 0);
}

/* ---- files and folders ------------------------------------------------- */

static void test_file_read(void **state)
{
	char *dir = make_temp_dir();
	gw_str path = GW_STR_INIT, out = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	const gw_error *err;
	char big[200000];
	size_t i;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);

	/* The content replaces what the string held. */
	write_file(dir, "m.sql", "CREATE TABLE t (id int);\n", 25);
	assert_int_equal(gw_path_join(&path, dir, "m.sql"), 0);
	assert_int_equal(gw_str_puts(&out, "junk"), 0);
	assert_int_equal(gw_file_read(&out, path.ptr, GW_FILE_MAX, ctx), 0);
	assert_string_equal(out.ptr, "CREATE TABLE t (id int);\n");
	assert_int_equal(out.size, 25);
	assert_null(gw_ctx_error(ctx));

	/* Exactly max bytes is fine, one more is refused with the file named. */
	assert_int_equal(gw_file_read(&out, path.ptr, 25, ctx), 0);
	assert_int_equal(out.size, 25);
	assert_int_equal(gw_file_read(&out, path.ptr, 24, ctx), GW_ESOURCE);
	err = gw_ctx_error(ctx);
	assert_non_null(err);
	assert_int_equal(err->code, GW_ESOURCE);
	assert_true(contains(err->message, path.ptr));
	gw_ctx_clear_error(ctx);

	/* An empty file. */
	write_file(dir, "empty.sql", "", 0);
	gw_str_clear(&path);
	assert_int_equal(gw_path_join(&path, dir, "empty.sql"), 0);
	assert_int_equal(gw_file_read(&out, path.ptr, GW_FILE_MAX, ctx), 0);
	assert_int_equal(out.size, 0);
	assert_string_equal(out.ptr, "");

	/* A file larger than one read, with NUL bytes, comes back whole. */
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)(i % 251);
	write_file(dir, "big.sql", big, sizeof(big));
	gw_str_clear(&path);
	assert_int_equal(gw_path_join(&path, dir, "big.sql"), 0);
	assert_int_equal(gw_file_read(&out, path.ptr, GW_FILE_MAX, ctx), 0);
	assert_int_equal(out.size, sizeof(big));
	assert_memory_equal(out.ptr, big, sizeof(big));
	assert_int_equal(out.ptr[out.size], '\0');

	/* A missing file: an error that names it. */
	gw_str_clear(&path);
	assert_int_equal(gw_path_join(&path, dir, "missing.sql"), 0);
	assert_true(gw_file_read(&out, path.ptr, GW_FILE_MAX, ctx) < 0);
	err = gw_ctx_error(ctx);
	assert_non_null(err);
	assert_true(err->code < 0);
	assert_true(contains(err->message, path.ptr));
	assert_true(contains(err->message, strerror(ENOENT)));
	gw_ctx_clear_error(ctx);

	gw_str_dispose(&path);
	gw_str_dispose(&out);
	gw_ctx_free(ctx);
	remove_tree(dir);
	free(dir);
}

static void test_file_create_is_exclusive(void **state)
{
	char *dir = make_temp_dir();
	gw_str path = GW_STR_INIT, out = GW_STR_INIT;
	gw_ctx *ctx = NULL;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_int_equal(gw_path_join(&path, dir, "new.sql"), 0);
	assert_int_equal(gw_file_create(path.ptr, "-- migrate:up\n", 14, ctx), 0);
	assert_int_equal(gw_file_read(&out, path.ptr, GW_FILE_MAX, ctx), 0);
	assert_string_equal(out.ptr, "-- migrate:up\n");

	assert_true(gw_file_create(path.ptr, "other", 5, ctx) < 0);
	assert_non_null(gw_ctx_error(ctx));
	assert_true(contains(gw_ctx_error(ctx)->message, path.ptr));
	gw_ctx_clear_error(ctx);
	assert_int_equal(gw_file_read(&out, path.ptr, GW_FILE_MAX, ctx), 0);
	assert_string_equal(out.ptr, "-- migrate:up\n");

	gw_str_dispose(&path);
	gw_str_dispose(&out);
	gw_ctx_free(ctx);
	remove_tree(dir);
	free(dir);
}

static void test_dir_list_sorted(void **state)
{
	char *dir = make_temp_dir();
	gw_vec names = GW_VEC_INIT;
	gw_str path = GW_STR_INIT;
	gw_ctx *ctx = NULL;
	const char *expect[] = {"002_b.sql", "010_c.sql", "1_a.sql", "B.sql", "a.sql"};
	size_t i;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	write_file(dir, "a.sql", "", 0);
	write_file(dir, "010_c.sql", "", 0);
	write_file(dir, "B.sql", "", 0);
	write_file(dir, "1_a.sql", "", 0);
	write_file(dir, "002_b.sql", "", 0);

	assert_int_equal(gw_dir_list(&names, dir, ctx), 0);
	assert_int_equal(names.len, 5);
	for (i = 0; i < 5; i++)
		assert_string_equal(names.items[i], expect[i]);
	gw_vec_dispose(&names, free);

	assert_int_equal(gw_path_is_dir(dir), 1);
	assert_int_equal(gw_path_join(&path, dir, "a.sql"), 0);
	assert_int_equal(gw_path_is_dir(path.ptr), 0);
	gw_str_clear(&path);
	assert_int_equal(gw_path_join(&path, dir, "nothing"), 0);
	assert_int_equal(gw_path_is_dir(path.ptr), -1);

	/* A missing folder: an error that names it. */
	assert_true(gw_dir_list(&names, path.ptr, ctx) < 0);
	assert_non_null(gw_ctx_error(ctx));
	assert_true(contains(gw_ctx_error(ctx)->message, path.ptr));
	assert_int_equal(names.len, 0);

	gw_vec_dispose(&names, free);
	gw_str_dispose(&path);
	gw_ctx_free(ctx);
	remove_tree(dir);
	free(dir);
}

static void test_path_join(void **state)
{
	gw_str s = GW_STR_INIT;

	(void)state;
	assert_int_equal(gw_path_join(&s, "db/migrations", "001_a.sql"), 0);
	assert_string_equal(s.ptr, "db/migrations/001_a.sql");
	gw_str_clear(&s);
	assert_int_equal(gw_path_join(&s, "db/migrations/", "001_a.sql"), 0);
	assert_string_equal(s.ptr, "db/migrations/001_a.sql");
	gw_str_clear(&s);
	assert_int_equal(gw_path_join(&s, "/", "tmp"), 0);
	assert_string_equal(s.ptr, "/tmp");
	gw_str_dispose(&s);
}

/* ---- errors ------------------------------------------------------------ */

static void test_error_first_wins(void **state)
{
	gw_ctx *ctx = NULL;
	const gw_error *err;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	assert_null(gw_ctx_error(ctx));
	assert_false(gw_error_is_set(ctx));

	assert_int_equal(gw_error_set(ctx, GW_ECHECKSUM, "migration '%s' was changed", "001_a.sql"),
	                 GW_ECHECKSUM);
	assert_true(gw_error_is_set(ctx));
	/* A later error (a failed ROLLBACK, say) returns its code but does not
	 * replace the cause. */
	assert_int_equal(gw_error_set(ctx, GW_ESQL, "rollback failed"), GW_ESQL);
	err = gw_ctx_error(ctx);
	assert_non_null(err);
	assert_int_equal(err->code, GW_ECHECKSUM);
	assert_string_equal(err->message, "migration '001_a.sql' was changed");
	assert_string_equal(err->sqlstate, "");
	assert_string_equal(err->file, "");
	assert_string_equal(err->hint, "");
	assert_int_equal(err->line, 0);
	assert_int_equal(err->column, 0);

	/* After a clear, a new error is recorded. */
	gw_ctx_clear_error(ctx);
	assert_null(gw_ctx_error(ctx));
	assert_int_equal(gw_error_set(ctx, GW_EIO, "second %d", 2), GW_EIO);
	assert_string_equal(gw_ctx_error(ctx)->message, "second 2");
	assert_int_equal(gw_ctx_error(ctx)->code, GW_EIO);
	gw_ctx_free(ctx);
}

static void test_error_details_fill_once(void **state)
{
	gw_ctx *ctx = NULL;
	const gw_error *err;

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	gw_error_set(ctx, GW_ESQL, "relation \"t\" does not exist");
	gw_error_set_location(ctx, "001_a.sql", 3, 14);
	gw_error_set_location(ctx, "002_b.sql", 9, 1);
	gw_error_set_sqlstate(ctx, "42P01");
	gw_error_set_sqlstate(ctx, "XX000");
	gw_error_set_hint(ctx, "create %s first", "t");
	gw_error_set_hint(ctx, "another hint");

	err = gw_ctx_error(ctx);
	assert_non_null(err);
	assert_string_equal(err->file, "001_a.sql");
	assert_int_equal(err->line, 3);
	assert_int_equal(err->column, 14);
	assert_string_equal(err->sqlstate, "42P01");
	assert_string_equal(err->hint, "create t first");

	gw_error_prefix(ctx, "applying %s: ", "001_a.sql");
	err = gw_ctx_error(ctx);
	assert_string_equal(err->message, "applying 001_a.sql: relation \"t\" does not exist");
	assert_int_equal(err->code, GW_ESQL);

	/* A clear empties the details too. */
	gw_ctx_clear_error(ctx);
	gw_error_set(ctx, GW_EIO, "io");
	err = gw_ctx_error(ctx);
	assert_string_equal(err->file, "");
	assert_string_equal(err->sqlstate, "");
	assert_string_equal(err->hint, "");
	assert_int_equal(err->line, 0);
	gw_error_set_location(ctx, "x.sql", 1, 2);
	assert_string_equal(gw_ctx_error(ctx)->file, "x.sql");
	gw_ctx_free(ctx);
}

static void test_error_code_names(void **state)
{
	(void)state;
	assert_string_equal(gw_error_code_name(GW_ECHECKSUM), "checksum");
	assert_non_null(gw_error_code_name(GW_ESQL));
	assert_non_null(gw_error_code_name(-9999));
	assert_string_not_equal(gw_error_code_name(GW_ESQL), gw_error_code_name(GW_EIO));
}

struct notice_log {
	int calls;
	gw_notice_kind kind;
	char message[128];
	char version[32];
	long long duration_ms;
};

static void record_notice(const gw_notice *n, void *payload)
{
	struct notice_log *log = payload;

	log->calls++;
	log->kind = n->kind;
	log->duration_ms = n->duration_ms;
	snprintf(log->message, sizeof(log->message), "%s", n->message);
	snprintf(log->version, sizeof(log->version), "%s", n->version ? n->version : "(null)");
}

static void test_notify_reaches_the_callback(void **state)
{
	gw_ctx *ctx = NULL;
	struct notice_log log = {0};

	(void)state;
	assert_int_equal(gw_ctx_new(&ctx), 0);
	/* No callback: nothing happens. */
	gw_notify(ctx, GW_NOTICE_INFO, NULL, NULL, NULL, -1, "ignored");

	gw_ctx_set_notice_cb(ctx, record_notice, &log);
	gw_notify(ctx, GW_NOTICE_APPLIED, "20240101000000", "users", "20240101000000_users.sql", 12,
	          "applied %s in %d ms", "users", 12);
	assert_int_equal(log.calls, 1);
	assert_int_equal(log.kind, GW_NOTICE_APPLIED);
	assert_string_equal(log.message, "applied users in 12 ms");
	assert_string_equal(log.version, "20240101000000");
	assert_int_equal(log.duration_ms, 12);
	gw_ctx_free(ctx);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_str_init_is_empty_and_terminated),
	        cmocka_unit_test(test_str_grows_and_stays_terminated),
	        cmocka_unit_test(test_str_put_keeps_embedded_nul),
	        cmocka_unit_test(test_str_printf_appends),
	        cmocka_unit_test(test_str_failed_flag_is_sticky),
	        cmocka_unit_test(test_str_detach_hands_over_the_buffer),
	        cmocka_unit_test(test_str_set_clear_truncate),
	        cmocka_unit_test(test_strdup_accepts_null),
	        cmocka_unit_test(test_vec_push_keeps_order),
	        cmocka_unit_test(test_grow_doubles_and_keeps),
	        cmocka_unit_test(test_checksum_known_values),
	        cmocka_unit_test(test_checksum_folds_crlf),
	        cmocka_unit_test(test_checksum_keeps_lone_cr),
	        cmocka_unit_test(test_checksum_bytes_and_text),
	        cmocka_unit_test(test_sha256_hex_keeps_bytes),
	        cmocka_unit_test(test_sha256_same_with_and_without_sha_extensions),
	        cmocka_unit_test(test_sha1_hex_known_values),
	        cmocka_unit_test(test_digests_at_block_boundaries),
	        cmocka_unit_test(test_hash_key64_is_stable),
	        cmocka_unit_test(test_url_scheme),
	        cmocka_unit_test(test_url_sqlite_path),
	        cmocka_unit_test(test_url_mask_userinfo),
	        cmocka_unit_test(test_url_mask_hook),
	        cmocka_unit_test(test_url_mask_query_and_keywords),
	        cmocka_unit_test(test_url_mask_keyword_with_spaces),
	        cmocka_unit_test(test_url_mask_fuzz_findings),
	        cmocka_unit_test(test_url_mask_malformed),
	        cmocka_unit_test(test_url_mask_leaves_the_rest),
	        cmocka_unit_test(test_utf8_check),
	        cmocka_unit_test(test_text_position),
	        cmocka_unit_test(test_text_char_to_byte),
	        cmocka_unit_test(test_text_has_nocase),
	        cmocka_unit_test(test_text_skip_space_comments),
	        cmocka_unit_test(test_file_read),
	        cmocka_unit_test(test_file_create_is_exclusive),
	        cmocka_unit_test(test_dir_list_sorted),
	        cmocka_unit_test(test_path_join),
	        cmocka_unit_test(test_error_first_wins),
	        cmocka_unit_test(test_error_details_fill_once),
	        cmocka_unit_test(test_error_code_names),
	        cmocka_unit_test(test_notify_reaches_the_callback),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
