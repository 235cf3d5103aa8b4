/*
 * hash.c: SHA-256 checksums of migration text and lock keys, raw-byte
 * SHA-256 / SHA-1 digests, written here from FIPS 180-4, and the CRC-32
 * Flyway's checksums are made of.
 *
 * godwit used libcrypto for these, and loading libcrypto was about 1.7 ms
 * of every run's start-up on its own (its relocations), more than the rest
 * of godwit's libraries together; the digests of a few kilobytes of SQL
 * need none of its speed. PostgreSQL connections still load it through
 * libpq, for TLS.
 */
#include "hash.h"

#include <string.h>

/* ---- one streaming engine for both digests ------------------------------ */

typedef struct digest {
	uint32_t h[8];
	unsigned char block[64];
	size_t used;    /* bytes in block */
	uint64_t total; /* bytes fed so far */
	int sha1;       /* SHA-1 (5 words) rather than SHA-256 (8) */
} digest;

static uint32_t rotr(uint32_t x, unsigned n)
{
	return (x >> n) | (x << (32 - n));
}

static uint32_t rotl(uint32_t x, unsigned n)
{
	return (x << n) | (x >> (32 - n));
}

static uint32_t load_be32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static const uint32_t k256[64] = {
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
        0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
        0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
        0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
        0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
        0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
        0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
        0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
        0xc67178f2};

static void sha256_block(uint32_t h[8], const unsigned char *p)
{
	uint32_t w[64], v[8], t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = load_be32(p + 4 * i);
	for (i = 16; i < 64; i++)
		w[i] = w[i - 16] + (rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >> 3)) +
		       w[i - 7] + (rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >> 10));
	memcpy(v, h, sizeof(v));
	for (i = 0; i < 64; i++) {
		t1 = v[7] + (rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25)) +
		     ((v[4] & v[5]) ^ (~v[4] & v[6])) + k256[i] + w[i];
		t2 = (rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22)) +
		     ((v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]));
		memmove(v + 1, v, 7 * sizeof(v[0]));
		v[4] += t1;
		v[0] = t1 + t2;
	}
	for (i = 0; i < 8; i++)
		h[i] += v[i];
}

/* The SHA extensions of x86-64 (Intel since Goldmont and Ice Lake, AMD
 * since Zen) do the rounds of SHA-256 in hardware, several times faster
 * than the code above: what a folder's checksums cost when they are all
 * read. The instructions are used only when the processor has them;
 * every other build (arm64's) and processor runs the code above. */
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>

#define HAVE_SHA_NI 1

__attribute__((target("sha,sse4.1"))) static void sha256_block_ni(uint32_t h[8],
                                                                  const unsigned char *p)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i s0, s1, t, w[4], abef, cdgh, m;
	int i;

	/* h as the instructions hold it: ABEF and CDGH. */
	t = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);  /* CDAB */
	s1 = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b); /* EFGH */
	s0 = _mm_alignr_epi8(t, s1, 8);                                        /* ABEF */
	s1 = _mm_blend_epi16(s1, t, 0xf0);                                     /* CDGH */
	abef = s0;
	cdgh = s1;
	/* Four rounds at a time; w[i % 4] holds the message words 4i to
	 * 4i + 3, each group made of the four before it. */
	for (i = 0; i < 16; i++) {
		if (i < 4) {
			w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)),
			                        bswap);
		} else {
			t = _mm_sha256msg1_epu32(w[i % 4], w[(i + 1) % 4]);
			t = _mm_add_epi32(t, _mm_alignr_epi8(w[(i + 3) % 4], w[(i + 2) % 4], 4));
			w[i % 4] = _mm_sha256msg2_epu32(t, w[(i + 3) % 4]);
		}
		m = _mm_add_epi32(w[i % 4], _mm_loadu_si128((const __m128i *)&k256[4 * i]));
		s1 = _mm_sha256rnds2_epu32(s1, s0, m);
		s0 = _mm_sha256rnds2_epu32(s0, s1, _mm_shuffle_epi32(m, 0x0e));
	}
	s0 = _mm_add_epi32(s0, abef);
	s1 = _mm_add_epi32(s1, cdgh);
	t = _mm_shuffle_epi32(s0, 0x1b);                                  /* FEBA */
	s1 = _mm_shuffle_epi32(s1, 0xb1);                                 /* DCHG */
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(t, s1, 0xf0)); /* DCBA */
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(s1, t, 8));    /* HGFE */
}

static int have_sha_ni(void)
{
	/* Asked once; __builtin_cpu_supports reads what the start-up of the
	 * process found. */
	static int known = -1;
	int v = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (v < 0) {
		__builtin_cpu_init();
		v = __builtin_cpu_supports("sha") && __builtin_cpu_supports("sse4.1");
		__atomic_store_n(&known, v, __ATOMIC_RELAXED);
	}
	return v;
}
#endif

/* For the tests: 0 forces the portable code, as on a processor without
 * the SHA extensions; 1 (the default) uses them when there. */
static int sha_ni_allowed = 1;

void gw_hash__use_sha_ni(int allowed)
{
	__atomic_store_n(&sha_ni_allowed, allowed, __ATOMIC_RELAXED);
}

static void sha1_block(uint32_t h[5], const unsigned char *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f, k, t;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = load_be32(p + 4 * i);
	for (i = 16; i < 80; i++)
		w[i] = rotl(w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16], 1);
	for (i = 0; i < 80; i++) {
		if (i < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (i < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (i < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		t = rotl(a, 5) + f + e + k + w[i];
		e = d;
		d = c;
		c = rotl(b, 30);
		b = a;
		a = t;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

static void digest_init(digest *d, int sha1)
{
	static const uint32_t h256[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	static const uint32_t h1[5] = {0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0};

	memset(d, 0, sizeof(*d));
	d->sha1 = sha1;
	memcpy(d->h, sha1 ? h1 : h256, sha1 ? sizeof(h1) : sizeof(h256));
}

static void digest_block(digest *d, const unsigned char *p)
{
	if (d->sha1)
		sha1_block(d->h, p);
#ifdef HAVE_SHA_NI
	else if (__atomic_load_n(&sha_ni_allowed, __ATOMIC_RELAXED) && have_sha_ni())
		sha256_block_ni(d->h, p);
#endif
	else
		sha256_block(d->h, p);
}

static void digest_update(digest *d, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t n;

	if (!len)
		return; /* data may be NULL then */
	d->total += len;
	if (d->used) {
		n = len < 64 - d->used ? len : 64 - d->used;
		memcpy(d->block + d->used, p, n);
		d->used += n;
		p += n;
		len -= n;
		if (d->used < 64)
			return;
		digest_block(d, d->block);
		d->used = 0;
	}
	for (; len >= 64; p += 64, len -= 64)
		digest_block(d, p);
	memcpy(d->block, p, len);
	d->used = len;
}

/* Pads (a 1 bit, zeros, the length in bits) and writes the digest's
 * bytes into out (4 * words). */
static void digest_final(digest *d, unsigned char *out)
{
	uint64_t bits = d->total * 8;
	unsigned char pad[72] = {0x80};
	size_t padlen = (d->used < 56 ? 56 : 120) - d->used, i, words = d->sha1 ? 5 : 8;

	for (i = 0; i < 8; i++)
		pad[padlen + i] = (unsigned char)(bits >> (56 - 8 * i));
	digest_update(d, pad, padlen + 8);
	for (i = 0; i < 4 * words; i++)
		out[i] = (unsigned char)(d->h[i / 4] >> (24 - 8 * (i % 4)));
}

/* n bytes as lowercase hex, and a NUL. */
static void to_hex(char *out, const unsigned char *bytes, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[bytes[i] >> 4];
		out[2 * i + 1] = hex[bytes[i] & 15];
	}
	out[2 * n] = '\0';
}

static void digest_final_hex(digest *d, char *out)
{
	unsigned char bytes[32];

	digest_final(d, bytes);
	to_hex(out, bytes, d->sha1 ? 20 : 32);
}

/* ---- the functions godwit calls ----------------------------------------- */

static void one_shot_hex(char *out, int sha1, const void *data, size_t len)
{
	digest d;

	digest_init(&d, sha1);
	digest_update(&d, data, len);
	digest_final_hex(&d, out);
}

int gw_sha256_hex(char out[GW_CHECKSUM_HEX], const void *data, size_t len)
{
	one_shot_hex(out, 0, data, len);
	return 0;
}

int gw_sha1_hex(char out[GW_SHA1_HEX], const void *data, size_t len)
{
	one_shot_hex(out, 1, data, len);
	return 0;
}

/* The text in runs, dropping the CR of every CRLF, so the text never has
 * to be copied. memchr finds the CRs (most texts have none): a byte at a
 * time, this scan cost a tenth of reading a folder's files. */
void gw_checksum_bytes(unsigned char out[GW_CHECKSUM_BYTES], const char *text, size_t len)
{
	const char *start = text, *p = text, *end = text + len, *cr;
	digest d;

	digest_init(&d, 0);
	while (p < end && (cr = memchr(p, '\r', (size_t)(end - p))) != NULL) {
		if (cr + 1 < end && cr[1] == '\n') {
			digest_update(&d, start, (size_t)(cr - start));
			start = cr + 1;
		}
		p = cr + 1;
	}
	digest_update(&d, start, (size_t)(end - start));
	digest_final(&d, out);
}

int gw_checksum_text(char out[GW_CHECKSUM_HEX], const char *text, size_t len)
{
	unsigned char sum[GW_CHECKSUM_BYTES];

	gw_checksum_bytes(sum, text, len);
	gw_checksum_hex(out, sum);
	return 0;
}

/* By arithmetic rather than a table or branches, which the compiler
 * makes vector code of: status makes the text of every migration's. */
void gw_checksum_hex(char out[GW_CHECKSUM_HEX], const unsigned char sum[GW_CHECKSUM_BYTES])
{
	unsigned char nib[2 * GW_CHECKSUM_BYTES];
	int i;

	for (i = 0; i < GW_CHECKSUM_BYTES; i++) {
		nib[2 * i] = sum[i] >> 4;
		nib[2 * i + 1] = sum[i] & 15;
	}
	for (i = 0; i < 2 * GW_CHECKSUM_BYTES; i++)
		out[i] = (char)(nib[i] + '0' + (nib[i] > 9) * ('a' - '0' - 10));
	out[2 * GW_CHECKSUM_BYTES] = '\0';
}

/* Without a branch a digit, as gw_checksum_hex: the checksum cache
 * parses two a migration. */
int gw_checksum_parse(unsigned char out[GW_CHECKSUM_BYTES], const char *hex, size_t len)
{
	const unsigned char *h = (const unsigned char *)hex;
	unsigned char nib[2 * GW_CHECKSUM_BYTES], bad = 0;
	int i;

	if (len != 2 * GW_CHECKSUM_BYTES)
		return -1;
	for (i = 0; i < 2 * GW_CHECKSUM_BYTES; i++) {
		unsigned char d = (unsigned char)(h[i] - '0'), a = (unsigned char)(h[i] - 'a');
		unsigned char is_d = d < 10, is_a = a < 6;

		bad |= (unsigned char)!(is_d | is_a);
		nib[i] = is_d ? d : (unsigned char)(a + 10);
	}
	for (i = 0; i < GW_CHECKSUM_BYTES; i++)
		out[i] = (unsigned char)(nib[2 * i] << 4 | nib[2 * i + 1]);
	return bad ? -1 : 0;
}

uint32_t gw_crc32_update(uint32_t crc, const void *data, size_t len)
{
	const unsigned char *p = data;
	size_t i;
	int bit;

	/* Bitwise: a table would be faster, but the CRC is only computed
	 * for the few files adopt compares with Flyway's history. */
	crc = ~crc;
	for (i = 0; i < len; i++) {
		crc ^= p[i];
		for (bit = 0; bit < 8; bit++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1u)));
	}
	return ~crc;
}

int64_t gw_hash_key64(const char *text)
{
	char hex[GW_CHECKSUM_HEX];
	uint64_t key = 0;
	int i;

	gw_sha256_hex(hex, text, strlen(text));
	for (i = 0; i < 16; i++)
		key = (key << 4) | (uint64_t)(hex[i] <= '9' ? hex[i] - '0' : hex[i] - 'a' + 10);
	/* Two's complement conversion without implementation-defined casts. */
	if (key > (uint64_t)INT64_MAX)
		return -(int64_t)(~key) - 1;
	return (int64_t)key;
}
