/*
 * hash.c: SHA-256 checksums of migration text and lock keys, and raw-byte
 * SHA-256 / SHA-1 digests (libcrypto).
 */
#include "hash.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <string.h>

static void to_hex(char *out, const unsigned char *md, unsigned int len)
{
	static const char digits[] = "0123456789abcdef";
	unsigned int i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[md[i] >> 4];
		out[2 * i + 1] = digits[md[i] & 15];
	}
	out[2 * len] = '\0';
}

/* Feeds text to the digest in runs, dropping the CR of every CRLF, so the
 * text never has to be copied. */
static int digest_folded(EVP_MD_CTX *md, const char *text, size_t len)
{
	size_t start = 0, i;

	for (i = 0; i + 1 < len; i++) {
		if (text[i] == '\r' && text[i + 1] == '\n') {
			if (!EVP_DigestUpdate(md, text + start, i - start))
				return -1;
			start = i + 1;
		}
	}
	return EVP_DigestUpdate(md, text + start, len - start) ? 0 : -1;
}

/* OpenSSL 3 looks EVP_sha256() up on every use; fetching a digest once
 * saves most of the cost of checksumming a small file. Reading
 * openssl.cnf (which a plain digest never needs) is most of OpenSSL's
 * start-up cost. */
static const EVP_MD *fetch_md(EVP_MD **cache, const char *name, const EVP_MD *(*fallback)(void))
{
	if (!*cache) {
		OPENSSL_init_crypto(OPENSSL_INIT_NO_LOAD_CONFIG, NULL);
		*cache = EVP_MD_fetch(NULL, name, NULL);
	}
	return *cache ? *cache : fallback();
}

static const EVP_MD *sha256(void)
{
	static EVP_MD *md;

	return fetch_md(&md, "SHA256", EVP_sha256);
}

/* SHA-1 is for sqitch's script hashes only. */
static const EVP_MD *sha1(void)
{
	static EVP_MD *md;

	return fetch_md(&md, "SHA1", EVP_sha1);
}

/* One-shot digest of bytes as they are, as hex; out holds 2 * size + 1. */
static int digest_hex(char *out, const EVP_MD *type, const void *data, size_t len)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;

	out[0] = '\0';
	/* Never hand libcrypto a NULL pointer, even for no bytes. */
	if (!EVP_Digest(len ? data : "", len, digest, &dlen, type, NULL))
		return -1;
	to_hex(out, digest, dlen);
	return 0;
}

int gw_sha256_hex(char out[GW_CHECKSUM_HEX], const void *data, size_t len)
{
	return digest_hex(out, sha256(), data, len);
}

int gw_sha1_hex(char out[GW_SHA1_HEX], const void *data, size_t len)
{
	return digest_hex(out, sha1(), data, len);
}

int gw_checksum_text(char out[GW_CHECKSUM_HEX], const char *text, size_t len)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	int error = -1;

	out[0] = '\0';
	if (!md)
		return -1;
	if (!EVP_DigestInit_ex(md, sha256(), NULL) || digest_folded(md, text, len) < 0 ||
	    !EVP_DigestFinal_ex(md, digest, &dlen))
		goto cleanup;
	to_hex(out, digest, dlen);
	error = 0;
cleanup:
	EVP_MD_CTX_free(md);
	return error;
}

int64_t gw_hash_key64(const char *text)
{
	unsigned char digest[EVP_MAX_MD_SIZE];
	unsigned int dlen = 0;
	uint64_t key = 0;
	int i;

	if (!EVP_Digest(text, strlen(text), digest, &dlen, sha256(), NULL))
		return 0;
	for (i = 0; i < 8; i++)
		key = (key << 8) | digest[i];
	/* Two's complement conversion without implementation-defined casts. */
	if (key > (uint64_t)INT64_MAX)
		return -(int64_t)(~key) - 1;
	return (int64_t)key;
}
