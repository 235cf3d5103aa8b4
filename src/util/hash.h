/*
 * hash.h: SHA-256 checksums, and the raw-byte digests and CRC-32 other tools
 * keep in their history tables (adopt.c). Written here (hash.c), no library.
 */
#ifndef GW_UTIL_HASH_H
#define GW_UTIL_HASH_H

#include <stddef.h>
#include <stdint.h>

#define GW_CHECKSUM_HEX   65 /* 64 hex digits and a NUL */
#define GW_CHECKSUM_BYTES 32 /* the digest itself */
#define GW_SHA1_HEX       41 /* 40 hex digits and a NUL */

/* SHA-256 of text with every CRLF folded to LF, as lowercase hex. A file
 * saved with Windows line endings has the same checksum as with Unix ones. */
int gw_checksum_text(char out[GW_CHECKSUM_HEX], const char *text, size_t len);
/* The same digest as its 32 bytes: a migration set holds thousands, and
 * the text only where it is shown or stored (gw_checksum_hex). */
void gw_checksum_bytes(unsigned char out[GW_CHECKSUM_BYTES], const char *text, size_t len);
void gw_checksum_hex(char out[GW_CHECKSUM_HEX], const unsigned char sum[GW_CHECKSUM_BYTES]);
/* The bytes of hex[0, len): 64 lowercase hex digits, as gw_checksum_hex
 * writes them; -1 for any other text. */
int gw_checksum_parse(unsigned char out[GW_CHECKSUM_BYTES], const char *hex, size_t len);

/* SHA-256 and SHA-1 of the bytes as they are (nothing folded), as lowercase
 * hex: the checksums Prisma, drizzle and sqitch compute. They return 0; the
 * int return is kept for callers that check it. */
int gw_sha256_hex(char out[GW_CHECKSUM_HEX], const void *data, size_t len);
int gw_sha1_hex(char out[GW_SHA1_HEX], const void *data, size_t len);

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32): pass 0 to start and the
 * previous result to go on, so crc32(crc32(0, a), b) is the CRC of a then
 * b. Flyway's checksums are made of it (adopt.c). */
uint32_t gw_crc32_update(uint32_t crc, const void *data, size_t len);

/* SHA-256 uses the processor's SHA extensions when it has them (x86-64);
 * allowed = 0 makes it use the portable code, as a test compares both. */
void gw_hash__use_sha_ni(int allowed);

/* A stable signed 64-bit key derived from a string (the first 8 bytes of its
 * SHA-256), used for the advisory lock of one history table. */
int64_t gw_hash_key64(const char *text);

#endif
