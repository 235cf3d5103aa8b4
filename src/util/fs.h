/*
 * fs.h: reading files and listing folders, with errors that name the path.
 */
#ifndef GW_UTIL_FS_H
#define GW_UTIL_FS_H

#include <stddef.h>

#include "godwit/errors.h"
#include "str.h"
#include "vec.h"

/* Largest migration file accepted. */
#define GW_FILE_MAX ((size_t)64 << 20)

/* Reads the whole file into out (replacing its content). A file over max
 * bytes is refused with GW_ESOURCE naming it. */
int gw_file_read(gw_str *out, const char *path, size_t max, gw_ctx *ctx);
/* How many times gw_file_read was called in this process, so a test can
 * check that a command reads only the files it needs, once. */
unsigned long gw_file_reads(void);

/* Writes data to a new file; fails if it exists (O_EXCL). */
int gw_file_create(const char *path, const char *data, size_t len, gw_ctx *ctx);

/* Creates a folder and the folders above it that are missing (mkdir -p). */
int gw_make_dirs(const char *path, unsigned int mode, gw_ctx *ctx);

/* Replaces a file's content all at once: the new text is written next to
 * it and renamed over it, so a reader sees the old file or the new one. */
int gw_file_replace(const char *path, const char *data, size_t len, gw_ctx *ctx);

/* Names in a folder (no "." or ".."), sorted bytewise; each a malloc'd
 * string pushed onto out. On an error, out is left as it was. */
int gw_dir_list(gw_vec *out, const char *path, gw_ctx *ctx);

/* 1 for a directory, 0 for anything else, -1 when it does not exist. */
int gw_path_is_dir(const char *path);

/* Appends "a/b" (no doubled slash) to out. */
int gw_path_join(gw_str *out, const char *a, const char *b);

#endif
