/*
 * priv.h: what the files of src/lib/source/ share and nobody else sees:
 * the table each folder convention exports (gw_convention), and the
 * private part of each migration and of the set.
 */
#ifndef GW_LIB_SOURCE_PRIV_H
#define GW_LIB_SOURCE_PRIV_H

#include <pthread.h>
#include <string.h>

#include "godwit/sys/driver.h"
#include "source.h"
#include "../../util/vec.h"

/* More than the largest gw_format value, for arrays indexed by convention
 * (format.c checks every convention's format against it). */
#define GW_SOURCE_NFORMATS 32

/* Where a convention keeps its lists of migrations. */
#define DRIZZLE_JOURNAL "meta/_journal.json"
#define SQITCH_PLAN     "sqitch.plan"

/* What `godwit new` writes in a file of its own: a migration still holding
 * only this is one not written yet, even where an empty one is applied. */
#define NEW_UP_TEMPLATE   "-- Write the SQL of this migration here.\n"
#define NEW_DOWN_TEMPLATE "-- Write the SQL that reverts "

struct file_name;
struct markers;
struct gw_loader;
struct gw_folder;

/* One folder convention, as the generic loader (folder.c, file.c, read.c)
 * and `godwit new` see it. Each convention is one file of src/lib/source/
 * exporting one of these, listed in conventions.def; format.c makes the
 * registry of that list, and finds one by gw_format or by name. The
 * format is the convention's place in the list (conventions.h). */
typedef struct gw_convention {
	gw_format format;
	const char *name;           /* canonical, for --source-format and messages */
	const char *const *aliases; /* other names it is known by; NULL-terminated, or NULL */
	const char *example;        /* a migration of this convention, for messages */
	/* Classifies a "*.sql" file name n (base: its length without ".sql",
	 * fn zeroed): 0 when the name has this convention's shape, with fn
	 * filled, -1 otherwise. The shapes are disjoint, so the registry's
	 * order does not matter. "<digits>_<name>.sql" is one shape for
	 * several conventions (golang.c's hook settles which from the
	 * suffixes, the loader from the text); NULL: the convention's files
	 * take another's shape, or are found otherwise (folders, a plan). */
	int (*classify)(struct file_name *fn, const char *n, size_t base);
	/* Where the down of a migration goes: the file to write, relative to
	 * the folder, appended to *file (stem is the migration's, without
	 * suffixes). Returns the marker line of the down section when the
	 * down is kept in the up file (*file is then up_file), NULL when the
	 * down is a file of its own. */
	const char *(*down_place)(gw_str *file, const char *stem, const char *up_file);
	/* What the message about a missing down puts before the stem (Flyway's
	 * "V"); NULL: nothing. */
	const char *stem_prefix;
	/* The files of a new migration, names relative to the folder, into
	 * cleared strings. A convention that leaves up_body empty and writes
	 * a down_name gets the generic placeholder texts. */
	void (*new_files)(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
	                  const char *version, const char *name);
	/* How a file of this convention that holds both sections says it runs
	 * without a transaction, in the tool's own syntax so that the tool
	 * runs it too: the up and down marker lines of such a file. NULL:
	 * godwit's "-- godwit:no-transaction" line goes above the template. */
	const char *no_tx_up, *no_tx_down;
	/* Whether `godwit new NAME` may add this migration; NULL: any name. */
	int (*check_new)(const gw_source *src, const char *name, gw_ctx *ctx);
	/* Records a new migration where the convention lists its migrations,
	 * after its files were written; NULL: the files are enough. */
	int (*register_new)(const gw_source *src, const char *version, const char *name,
	                    gw_ctx *ctx);

	/* Loading a folder. Every hook may be NULL. */

	/* Where the folder's migrations are when the convention's own settings
	 * move them (sqitch.conf's top_dir): *top set to that folder, or left
	 * empty for the folder given; *registry to the name of the history the
	 * tool keeps there, or NULL. Asked when the convention is forced or
	 * none is; an unreadable settings file is as good as none. */
	int (*locate)(gw_str *top, char **registry, const char *dir, gw_ctx *ctx);
	/* Whether the folder is this convention's by a file that lists its
	 * migrations (drizzle-kit's journal, sqitch's plan), read into ld: 1
	 * when it is, 0 when not, or an error. Asked when the convention is
	 * forced or none is; the last convention to say 1 loads the folder. */
	int (*detect)(struct gw_loader *ld);
	/* Loads a detected folder from its list, in place of the file by file
	 * loading of the generic loader. */
	int (*load)(struct gw_loader *ld, const struct gw_folder *names);
	/* Settles a file of a detected folder that its name alone classified
	 * (drizzle's "0000_x.sql" reads as a pair's up file). */
	void (*claim)(const struct gw_loader *ld, struct file_name *fn, const char *file);
	/* An entry of the folder that is not a .sql file (a folder, say): 1
	 * when it is this convention's (loaded, or its own to pass over), 0
	 * when it is not, or an error. Asked of every convention. */
	int (*load_dir)(struct gw_loader *ld, char *name);
	/* Checks the loaded set of a folder of this convention, before it is
	 * ordered (that drizzle-kit's journal lists every file). */
	int (*check_set)(struct gw_loader *ld);

	/* Reading a file. */

	/* Settles what a .sql file classified as this convention's is, from
	 * its text (in ld->text; mk: its native section markers): which
	 * convention it is (fn->conv; the shape "<digits>_<name>.sql" is
	 * native's or goose's by its markers, see pairs.c), whether it is a
	 * down, and that its sections are sound. 0 to go on, 1 when it is an
	 * up taking no convention's side (an empty file of that shape), or an
	 * error. NULL: the whole file is the SQL (gw_source__check_whole). */
	int (*settle)(struct gw_loader *ld, const char *file, struct file_name *fn,
	              struct markers *mk);
	/* Finds the section marker lines of a file that holds its up and down
	 * below them (native, goose); NULL: the whole file is the up, or the
	 * down. */
	void (*scan)(struct markers *mk, const char *text, size_t len);
	/* The part of a whole-file script that runs in godwit's transaction,
	 * without the BEGIN; ... COMMIT; (verify: ... ROLLBACK;) it wraps
	 * itself in (see gw_source__sqitch_unwrap); NULL: all of it. */
	int (*unwrap)(gw_dialect dialect, const char *text, size_t len, int verify, size_t *off,
	              size_t *end);
	/* Checks the files of a folder of this convention once all are read,
	 * before downs are matched to ups. */
	int (*check_folder)(struct gw_loader *ld);
	/* The error of a migration that has no down, when the convention
	 * words it its own way; file is where the down goes, empty that it is
	 * there without SQL. */
	int (*nodown_error)(const gw_migration *m, const char *file, int empty, gw_ctx *ctx);

	/* What the generic loader does differently per convention. */

	gw_format adopts;      /* files of this convention are this one's too, in its
	                          folders (multi-dialect's generic golang-migrate files) */
	const char *unmarked;  /* why a file of the shared "<digits>_<name>.sql" shape
	                          without markers is not this convention's */
	const char *up_suffix; /* what ends an up file's name after the stem; NULL: ".sql" */
	const char *own_file;  /* a file of the tool's own in the folder, not a stray one */
	int takes_empty;       /* an empty "<digits>_<name>.sql" may be its migration */
	int runs_empty;        /* its tool applies a migration whose file holds no SQL */
	int empty_down;        /* GW_EMPTY_DOWN_*: what a down file without SQL means */
	int repeatable_dir;    /* it keeps repeatables in a repeatable/ folder */
	int notes_ignored;     /* a file in its folder that is no migration gets a notice */
	/* The migrations form a graph of their @depends-on lines rather than
	 * a line (dated): `godwit graph` then draws no order edges. */
	int by_dependencies;
} gw_convention;

/* What a down file that holds no SQL means. */
enum {
	GW_EMPTY_DOWN_NONE = 0, /* there is no down */
	GW_EMPTY_DOWN_NOOP,     /* nothing to undo, unless it is still godwit new's template
	                           (popx wants a down for every up) */
	GW_EMPTY_DOWN_BLANK,    /* nothing to undo when it is blank, as `migrate create`
	                           writes it (golang-migrate) */
};

/* Parts more than one convention shares (see each for its shape). */
const char *gw_source__dot_down_place(gw_str *file, const char *stem, const char *up_file);
const char *gw_source__rollback_down_place(gw_str *file, const char *stem, const char *up_file);
const char *gw_source__folder_down_place(gw_str *file, const char *stem, const char *up_file);
void gw_source__dot_up_down_new(gw_str *up_name, gw_str *up_body, gw_str *down_name,
                                gw_str *down_body, const char *version, const char *name);
void gw_source__rollback_new(gw_str *up_name, gw_str *up_body, gw_str *down_name, gw_str *down_body,
                             const char *version, const char *name);

/* Every convention, NULL-terminated, in gw_format order (format.c). */
const gw_convention *const *gw_conventions(void);

/* Whether s[0, len) ends with suffix. */
static inline int gw_source__ends_with(const char *s, size_t len, const char *suffix)
{
	size_t n = strlen(suffix);

	return len >= n && !memcmp(s + len - n, suffix, n);
}

/* The convention of a gw_format; native for GW_FORMAT_AUTO and for what
 * is not one (format.c). */
const gw_convention *gw_convention_of(gw_format format);

/* A lowercase hex digit's value, or -1: the caches' numbers (inline, as
 * a cached status parses some 40,000 of them at 10,000 files). */
static inline int gw_source__hex_digit(char ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Whether a file's time stamp (s, ns) is older than T0 (t0_s, t0_ns) by
 * enough that no write after T0 can carry it again: the caches' rule
 * (sums.c). Stamps in whole seconds (file systems that keep no more,
 * FAT's two) must be two seconds older. */
static inline int gw_source__older(long long s, long long ns, long long t0_s, long long t0_ns)
{
	if (ns == 0)
		return s + 2 < t0_s;
	return s < t0_s || (s == t0_s && ns < t0_ns);
}

/* Where the line at from ends: its '\n', or len. */
static inline size_t gw_source__line_end(const char *text, size_t len, size_t from)
{
	const char *nl = memchr(text + from, '\n', len - from);

	return nl ? (size_t)(nl - text) : len;
}

/* What a file's name says about it. */
typedef struct file_name {
	gw_format conv;         /* PAIRS stands for "<digits>_<name>.sql" until the text is read */
	unsigned char shared;   /* of that shape, its text not (yet) settling whose it is */
	unsigned char is_down;  /* a .down.sql or _rollback.sql file */
	unsigned char rollback; /* "<digits>_<name>_rollback.sql": a down unless it is native */
	unsigned char repeatable; /* Flyway's R__<name>.sql */
	unsigned char dotted;     /* the version is written with '_' for '.' (Flyway's V1_1) */
	const char *dialect;      /* multi-dialect: "postgres" in 1_x.postgres.up.sql */
	unsigned char autocommit; /* multi-dialect: 1_x.autocommit.up.sql */
	size_t version_start;     /* the version is the name's bytes [version_start, */
	size_t version_len;       /* version_start + version_len) */
	size_t name_start;        /* where the description starts */
	size_t stem_start;        /* the stem that pairs an up with its down is the */
	size_t stem_len;          /* name's bytes [stem_start, stem_len), no suffixes */
} file_name;

/* A -- migrate:up or -- migrate:down line of a native file (or goose's
 * -- +goose Up / Down line). */
typedef struct marker {
	int found;
	int line;              /* 1-based */
	size_t start;          /* the marker line */
	size_t body;           /* the text after it */
	size_t opts, opts_end; /* what follows the marker word on its line */
	int again;             /* the line of a second marker of this kind, 0 if none */
} marker;

typedef struct markers {
	marker up, down, verify;
	int no_tx;    /* goose: a -- +goose NO TRANSACTION line */
	int odd_line; /* goose: the first annotation godwit does not know */
	/* The first comment line that looks like a marker but is not one
	 * ("-- Migrate:Down", an indented "-- +goose Down"): the tools skip
	 * it as a comment, so the SQL below it would run with the section
	 * above. near_want is the marker as it must be written. */
	int near_line;
	size_t near_start, near_end;
	const char *near_want;
} markers;

/* Where the text of the comment line [start, end) starts, past any
 * indentation, the "--" and further dashes and blanks; (size_t)-1 when the
 * line is not a -- comment. */
size_t gw_source__comment_body(const char *text, size_t start, size_t end);
/* The first of words (lowercase, each at most 15 letters) that the letters
 * of text[i, end) spell, blanks left out and compared without case: one
 * that they start with, or one word of four letters or more that they
 * misspell by one letter left out, added, changed or two swapped. -1 when
 * none. */
int gw_source__spelled(const char *text, size_t i, size_t end, const char *const *words,
                       int nwords);
/* Records the first such line (later ones are left for the next run). */
void gw_source__near(markers *mk, int line, size_t start, size_t end, const char *want);

/* Finds the native markers: "-- migrate:up", "-- migrate:down" and
 * "-- migrate:verify" lines (and lines that look like them). */
void gw_source__native_scan(markers *mk, const char *text, size_t len);
/* Checks a file that has a -- migrate:up line (native.c). */
int gw_source__native_check(const char *text, size_t len, const markers *mk, const char *path,
                            gw_ctx *ctx);
/* The up and down markers (as written: "-- migrate:up") once each, the
 * up first; then that no SQL stands above the up marker. */
int gw_source__check_markers(const markers *mk, const char *up, const char *down, const char *path,
                             gw_ctx *ctx);
int gw_source__check_head(const char *text, size_t len, const markers *mk, const char *up,
                          const char *path, gw_ctx *ctx);
/* Reads "transaction:false" (or :true) after a marker; what is "up" or
 * "down", for the message. */
int gw_source__marker_options(unsigned char *no_tx, const char *text, const marker *m,
                              const char *what, const char *path, gw_ctx *ctx);
/* The up and down sections of a checked file with markers. */
void gw_source__sections(const markers *mk, size_t len, size_t *up_off, size_t *up_len,
                         size_t *down_off, size_t *down_len);

/* Finds goose's "-- +goose Up" and "-- +goose Down" lines (as the up and
 * down markers; verify is never found) and "-- +goose NO TRANSACTION". */
void gw_source__goose_scan(markers *mk, const char *text, size_t len);
/* Checks a file that has a -- +goose Up line. */
int gw_source__goose_check(const char *text, size_t len, const markers *mk, const char *path,
                           gw_ctx *ctx);
/* A file of the shared "<digits>_<name>.sql" shape without native markers
 * (mk) is goose's if it has goose's: fn and mk then say so. */
void gw_source__goose_sniff(file_name *fn, markers *mk, const char *text, size_t len);

/* Why a migration has no down_file, for the message that says so. */
enum {
	GW_DOWN_NONE = 0,
	GW_DOWN_EMPTY = 1 /* a down file or section without SQL */
};

/* The public part comes first so a gw_migration * converts back. */
typedef struct gw_source_mig {
	gw_migration pub;
	char *stem; /* "<version>_<name>"; for dated files, the version */
	/* The rest a byte each: the struct is 136 bytes, a 144-byte chunk
	 * of malloc's (with ints and a pointer here, and in pub, it was 304
	 * in a chunk of 320; 248 in one of 256 with hex checksums; 184 in
	 * one of 192 with the rare part's fields), as a folder may hold
	 * thousands. */
	/* How gw_source_read_* find the SQL in its file (the scan and
	 * unwrap hooks): its convention's gw_format + 1, 0 for none (the
	 * whole file); gw_source__mig_conv. */
	unsigned char conv;
	unsigned char down_state;
	unsigned char specific;  /* multi-dialect: the up (2: and the down) is the target's own */
	unsigned char untouched; /* the up file is still what `godwit new` wrote */
	/* pub.version is one allocation that holds name, up_file and stem
	 * too (gw_source__name_mig): one a migration instead of four.
	 * MIG_IN_NAMES: they are all in the set's name blocks (push_up). */
	unsigned char packed;
	/* The down is in the up file (native, goose): push_up points
	 * pub.down_file at pub.up_file, which mig_free then frees once. */
	unsigned char down_in_up;
	/* pub.down_file is the down file's name in the set's name blocks
	 * (match_downs), not an allocation of its own. */
	unsigned char down_listed;
	/* The struct is in the set's name blocks (the checksum cache
	 * replayed it: load_cached), not an allocation of its own. */
	unsigned char in_block;
} gw_source_mig;

/* The convention whose hooks find m's SQL in its file; NULL: the whole
 * file. */
static inline const gw_convention *gw_source__mig_conv(const gw_source_mig *m)
{
	return m->conv ? gw_convention_of((gw_format)(m->conv - 1)) : NULL;
}

/* Where the files of a set may resolve to (real paths): inside root (the
 * project) or dir (the migrations folder). root NULL: anywhere, as with
 * allow_symlinks_outside. */
typedef struct gw_file_guard {
	char *root, *dir;
} gw_file_guard;

#define MIG_IN_NAMES 2

typedef struct gw_source_priv {
	gw_source pub;
	gw_file_guard guard;
	gw_dialect sql_dialect; /* how the SQL of its scripts splits */
	gw_source_mig **all;    /* every migration, by version once ordered; NULL
	                           when pub.items holds them in that order */
	/* The folder listing's name blocks (gw_folder's), taken over with
	 * the strings of the migrations kept in them; NULL: none. */
	char *names;
} gw_source_priv;

/* A folder entry; skip marks what is not a migration file (not .sql, or a
 * folder). */
typedef struct gw_folder_entry {
	char *name;
	int skip;
	int link;                 /* may be a symbolic link (or the listing could not tell) */
	struct gw_sum_entry *sum; /* the checksum cache's (sums.c); NULL: none */
} gw_folder_entry;

/* A folder's entries, sorted bytewise, hidden ones left out. Their names
 * are kept in blocks of a few thousand, not one allocation each. */
typedef struct gw_folder {
	gw_folder_entry *items;
	size_t len, cap;
	char *block; /* the names' newest block; its first bytes point to the one before */
	size_t block_used, block_size;
} gw_folder;

#define GW_FOLDER_INIT                                                                             \
	{                                                                                          \
		NULL, 0, 0, NULL, 0, 0                                                             \
	}

int gw_source__list_dir(gw_folder *out, const char *dir, gw_ctx *ctx);
/* The same from the folder open as dirfd, which it closes. */
int gw_source__list_dirfd(gw_folder *out, const char *dir, int dirfd, gw_ctx *ctx);
/* gw_source__list_dir for a loader's folder (ld->dir), from the listing
 * kept in cache_dir while the folder is as it was then (listing.c); a
 * listing read afresh is kept there for the next run. */
int gw_source__list_dir_kept(gw_folder *out, const struct gw_loader *ld, const char *cache_dir);
void gw_source__folder_dispose(gw_folder *l);
/* size bytes in l's name blocks, which last as long as they do; NULL
 * when out of memory. */
char *gw_source__folder_alloc(gw_folder *l, size_t size);
/* The same for a struct whose alignment is at most a pointer's. */
void *gw_source__folder_alloc_struct(gw_folder *l, size_t size);
/* Frees a chain of name blocks (gw_folder.block). */
void gw_source__blocks_free(char *block);

/* A folder being loaded: what the generic loader and the conventions'
 * loading hooks share. */
typedef struct gw_loader {
	const char *dir;
	const char *real; /* dir's real path, for the caches' names; NULL: unknown */
	gw_file_guard guard;
	gw_format forced;
	gw_ctx *ctx;
	gw_str path;                  /* "<dir>/<file>" of the file at hand */
	gw_str text;                  /* its content; one buffer reused for every file */
	struct gw_prefetch *prefetch; /* reads the folder's files ahead; may be NULL */
	gw_vec ups;                   /* gw_source_mig * */
	gw_vec downs;
	gw_vec ignored;
	const char *dialect;           /* the target, for multi-dialect folders; may be NULL */
	gw_dialect sql_dialect;        /* how its SQL splits (PostgreSQL when none) */
	const gw_convention *detected; /* the convention whose list the folder holds */
	gw_vec listed;                 /* what that list names (drizzle-kit's tags) */
	char *project;                 /* sqitch: the plan's %project */
	const char *empty_file;        /* the first empty "<digits>_<name>.sql", which fits
	                                  native, pairs and goose folders only */
	const char *odd_dialect;       /* the first golang-migrate name with a '.' in its
	                                  name part: an unknown dialect in a popx folder */
	const char *first[GW_SOURCE_NFORMATS]; /* the first file of each convention */
	gw_format seen[GW_SOURCE_NFORMATS];    /* conventions in the order first seen */
	size_t nseen;
	struct gw_sums *sums; /* the folder's checksum cache; NULL: none */
	/* The folder's listing, whose names the entries' migrations point
	 * into, their other strings made in its blocks (push_up): the set
	 * takes the blocks over when names_kept. */
	gw_folder *names;
	int names_kept;
} gw_loader;

/* A down file waiting for its up file. */
typedef struct gw_down_rec {
	const char *file; /* borrowed from the folder listing */
	int specific;     /* multi-dialect: for the target dialect */
	size_t stem_start, stem_len;
	unsigned char sum[GW_CHECKSUM_BYTES];
	unsigned char no_tx;
	unsigned char empty;
	unsigned char untouched; /* still what `godwit new` wrote */
	unsigned char blank;     /* nothing but blanks, not even a comment */
} gw_down_rec;

/* The steps of loading (folder.c, file.c, read.c). */

/* Loads the folder dir as gw_source_load_in does once it is located. */
int gw_source__load_folder(gw_source **out, const char *dir, gw_format format, const char *dialect,
                           const char *root, const char *cache_dir, gw_ctx *ctx);
/* Loads one entry of the folder: a migration file, a convention's
 * folder, or one ignored. */
int gw_source__load_entry(gw_loader *ld, const gw_folder_entry *e);
/* Reads a migration file as godwit checksums and runs it. */
int gw_source__read_migration(gw_str *text, const char *path, const gw_file_guard *g, gw_ctx *ctx);
/* The same for entry e of ld's folder (its path in ld->path) into
 * ld->text, taken from the thread that reads ahead when it has it. */
int gw_source__read_entry(gw_loader *ld, const gw_folder_entry *e);
/* Starts a thread reading the migration files of names ahead, in order,
 * when there are enough of them to pay for it (ld->prefetch stays NULL
 * otherwise); stop ends it. names must outlive it. */
typedef struct gw_prefetch gw_prefetch;
void gw_source__prefetch_start(gw_loader *ld, const gw_folder *names);
void gw_source__prefetch_stop(gw_loader *ld);
/* The checksum cache (sums.c): what the loading of each migration file
 * made of its text, kept with the file's identity (device, inode, size,
 * mtime, ctime) so that a file unchanged since is not read again.
 * sums_open stats the files of names (and sets each entry's sum) when
 * cache_dir is set and the folder is large enough; NULL: no cache. A file
 * whose entry sums_hit is taken from the cache by sums_replay, which
 * makes its file_name and its migration or down (m or d, allocated; the
 * caller names and adds it): 0, -1 when the record is unreadable (read
 * the file), GW_ENOMEM. sums_record records what a file read made of it,
 * unless it may be too recent to be trusted; sums_close writes the cache
 * when the folder loaded and it changed, silently failing. Only files
 * that a convention settles from their text alone are recorded: those of
 * the shared "<digits>_<name>.sql" shape (native, goose, pairs) and
 * those of conventions without a settle hook, in folders without a list
 * of their own (detected). */
typedef struct gw_sums gw_sums;
typedef struct gw_sum_entry gw_sum_entry;
gw_sums *gw_source__sums_open(const char *cache_dir, const gw_loader *ld, gw_folder *names);
int gw_source__sums_hit(const gw_sum_entry *s);
int gw_source__sums_replay(gw_sums *c, const gw_folder_entry *e, file_name *fn, gw_folder *blocks,
                           gw_source_mig **m, gw_down_rec **d);
void gw_source__sums_record(gw_sums *c, const gw_folder_entry *e, const file_name *fn,
                            const gw_source_mig *m, const gw_down_rec *d);
void gw_source__sums_close(gw_sums *c, int loaded);
/* The check sum over the cache's text that its last line records. */
uint64_t gw_source__sums_text_sum(const char *p, size_t len);

/* What the two caches' files share (cachefile.c). A cache is named by a
 * hash of its first line, header; it ends with a trailer holding the check
 * sum of what comes before. */
#define GW_CACHE_TRAILER 21 /* "end\t" 16 hex digits "\n" */
/* The cache whose first line is header (len bytes) in cache_dir, its
 * name after prefix; NULL when out of memory. The folder's listing has
 * the prefix below, which sorts it after every cache of checksums. */
#define GW_CACHE_LIST_PREFIX "list-"
char *gw_source__cache_path(const char *cache_dir, const char *prefix, const char *header,
                            size_t len);
/* Where text (size bytes) goes on past its first line when it is a whole
 * cache whose first line is header, its check sum right; else NULL. What
 * follows ends GW_CACHE_TRAILER bytes before text + size. */
const char *gw_source__cache_body(const char *text, size_t size, const char *header, size_t len);
/* The trailer of a text whose check sum is sum. */
void gw_source__cache_trailer(char out[GW_CACHE_TRAILER + 1], uint64_t sum);
/* Writes p whole to fd: 0, or -1. */
int gw_source__cache_write(int fd, const char *p, size_t len);
/* A new file for the cache at path, in cache_dir (made with its
 * .gitignore when missing): its descriptor, its name in *tmp and its
 * mtime in t0 (seconds, nanoseconds); -1 when it cannot be made. */
int gw_source__cache_create(const char *cache_dir, const char *path, char **tmp, long long t0[2]);
/* Closes fd and, when ok, renames tmp over path (removing the new files
 * killed runs left in cache_dir before now_s); else removes tmp. Frees
 * tmp. */
void gw_source__cache_commit(int fd, char *tmp, const char *path, const char *cache_dir,
                             long long now_s, int ok);

/* The identity of a file as the checksum cache records it (stat.c). */
typedef struct gw_file_id {
	unsigned long long dev, ino, size;
	long long mtime_s, mtime_ns, ctime_s, ctime_ns;
} gw_file_id;
/* The identity of name in the folder open as dirfd: 0, or -1 for what is
 * no regular file (or cannot be stat'ed: reading it says why). */
int gw_source__file_id(gw_file_id *id, int dirfd, const char *name);
/* The identities of the entries of names, the later half of a large
 * folder's stat'ed on a thread of its own from stat_ahead_start: the
 * walk asks for each in turn (stat_ahead_get, as gw_source__file_id
 * does), and stat_ahead_end joins the thread and frees what it kept. */
typedef struct gw_stat_ahead {
	pthread_t thread;
	int started, dirfd;
	const gw_folder *names;
	size_t from;        /* the first entry of the thread's part */
	gw_file_id *ids;    /* one per entry from `from` on */
	signed char *found; /* 1: ids[i] holds it; 0: no regular file */
} gw_stat_ahead;
void gw_source__stat_ahead_start(gw_stat_ahead *a, int dirfd, const gw_folder *names);
int gw_source__stat_ahead_get(gw_stat_ahead *a, size_t i, gw_file_id *id, int dirfd,
                              const char *name);
void gw_source__stat_ahead_end(gw_stat_ahead *a);
/* Names migration m of file (version, name, stem and up_file from its
 * name) and adds it to ld's ups; frees m on an error. */
int gw_source__push_up(gw_loader *ld, gw_source_mig *m, const char *file, const file_name *fn);

/* The SHA-256 checksum of text, the bytes of what the history table
 * stores as hex. */
void gw_source__checksum(unsigned char out[GW_CHECKSUM_BYTES], const char *text, size_t len);
void gw_source__mig_free(gw_source_mig *m);
/* Sets m's version, name, up_file and stem (copies, in one allocation);
 * -1 when out of memory. */
int gw_source__name_mig(gw_source_mig *m, const char *version, size_t version_len, const char *name,
                        size_t name_len, const char *file, const char *stem, size_t stem_len);

/* What the loading hooks build with (file.c, read.c). */

/* Records that file (for messages) follows conv. */
void gw_source__note_conv(gw_loader *ld, gw_format conv, const char *file);
/* Reads <dir>/<sub>/<file> into ld->text: 1 when read, 0 when there is no
 * such file, or an error. */
int gw_source__read_sub(gw_loader *ld, const char *sub, const char *file);
/* Whether text[from, to) holds a statement, not just blanks and comments. */
int gw_source__has_sql(const char *text, size_t from, size_t to);
/* A down text that runs whole: its checksum and its godwit:no-transaction. */
int gw_source__down_text(unsigned char sum[GW_CHECKSUM_BYTES], unsigned char *no_tx,
                         const char *text, size_t len, gw_ctx *ctx);
/* A migration whose whole file (in ld->text) is its SQL, pushed onto
 * ld->ups; *out stays owned by it. conv is for messages. */
int gw_source__add_whole(gw_loader *ld, gw_source_mig **out, gw_format conv, const char *file,
                         const char *version, const char *name, size_t name_len, const char *stem);
/* A whole down file (in ld->text) refuses section markers. */
int gw_source__whole_down_markers(gw_loader *ld, gw_format conv, const char *stem);
/* A forced convention refuses a migration folder of another tool. */
int gw_source__check_dir_forced(gw_loader *ld, gw_format conv);
/* A file that runs whole (the settle hook's default): refuses a line that
 * looks like a section marker, and the sections it cannot have. */
int gw_source__check_whole(gw_loader *ld, const char *file, file_name *fn, markers *mk);
/* The error for a line that looks like a section marker but is not one;
 * sections: the file may have sections, so the line is a misspelt one. */
int gw_source__near_error(gw_loader *ld, const file_name *fn, const markers *mk, int sections);
/* Refuses the section markers of a file that runs whole (conv: for the
 * message; stem: the migration's, for naming where its down goes). */
int gw_source__whole_markers(gw_loader *ld, const markers *mk, gw_format conv, const char *stem,
                             int is_down, int repeatable);
/* golang.c: pop's fizz migrations, which godwit cannot run, refused. */
int gw_source__check_fizz(gw_loader *ld);

/* diesel.c: down.sql of a diesel (or Prisma) migration folder sub, when it
 * holds SQL. */
int gw_source__folder_down(gw_loader *ld, gw_source_mig *m, const char *sub, gw_format conv);
/* prisma.c: the Prisma migration folder sub, its migration.sql in
 * ld->text (diesel.c finds both kinds of folder). */
int gw_source__prisma_load(gw_loader *ld, const char *sub, const char *version);

/* An error whose message starts with "path[:line[:col]]: ", with the same
 * location recorded on the context. */
int gw_source__file_error(gw_ctx *ctx, int code, const char *path, int line, int col,
                          const char *fmt, ...) GW_FORMAT_PRINTF(6, 7);

/* Classifies a Flyway name ("V1_1__x", "U1_1__x", "R__x"; base is its
 * length without ".sql"): 0 when it is one, -1 otherwise. */
int gw_source__flyway_name(file_name *fn, const char *n, size_t base);

/* Whether a folder name is a diesel migration's ("2023-07-05-000058_x",
 * "2023-07-05-000058-0000_x" or "00000000000000_x"): the length of its
 * version part, 0 when it is not one. */
size_t gw_source__diesel_name(const char *n);
/* Whether a diesel metadata.toml says run_in_transaction = false. */
int gw_source__diesel_no_tx(const char *text, size_t len);

/* What is wrong with a drizzle-kit journal: the 1-based line and column
 * (0 when the message names the entry instead) and the message; what is
 * empty when memory ran out. */
typedef struct gw_drizzle_error {
	int line, col;
	char what[256];
} gw_drizzle_error;

/* Reads drizzle-kit's meta/_journal.json: the "tag" of each entry of its
 * "entries" array, in the journal's order, each a malloc'd string pushed
 * onto tags, and when whens is not NULL, the entry's "when" digits
 * (drizzle-orm's folderMillis) onto whens. A journal without "entries"
 * lists nothing. -1 with err set when it is not JSON, when a tag is not
 * a file name or (with whens) an entry has no numeric "when". */
int gw_source__drizzle_read(gw_vec *tags, gw_vec *whens, const char *text, size_t len,
                            gw_drizzle_error *err);
/* The journal with one more entry at the end of "entries" (tag and when,
 * ms; later than every entry's), in drizzle-kit's layout, into out. -1
 * with err set when it is not JSON or has no "entries" array. */
int gw_source__drizzle_append(gw_str *out, const char *text, size_t len, const char *tag,
                              long long when, gw_drizzle_error *err);

/* A change of a sqitch plan. */
typedef struct gw_sqitch_change {
	char *name;
	int line;         /* in sqitch.plan */
	gw_vec conflicts; /* names of changes that must not be deployed with it */
	size_t *requires; /* the plan index of each change of its [requires] in this
	                     project (a tag: the change it tags); all planned before it */
	size_t nrequires;
	gw_vec rework_tags; /* reworked later: its scripts are "name@TAG.sql" for the
	                       first of these tags that has one, newest first */
} gw_sqitch_change;

typedef struct gw_sqitch_plan {
	char *project;
	gw_sqitch_change *changes; /* in plan order */
	size_t count, cap;
} gw_sqitch_plan;

/* Parses sqitch.plan (path is for messages) as sqitch does, with its
 * errors at plan:line:column. */
int gw_source__sqitch_plan(gw_sqitch_plan *plan, const char *text, size_t len, const char *path,
                           gw_ctx *ctx);
void gw_source__sqitch_plan_dispose(gw_sqitch_plan *plan);

/* What godwit reads of sqitch.conf: where the project's plan and scripts
 * are (core.top_dir), and the registry's name (engine.ENGINE.registry),
 * the configured engine's settings winning over core's. NULL when unset. */
typedef struct gw_sqitch_conf {
	char *top_dir, *engine, *registry;
} gw_sqitch_conf;

int gw_source__sqitch_conf(gw_sqitch_conf *conf, const char *text, size_t len);
void gw_source__sqitch_conf_dispose(gw_sqitch_conf *conf);

/* The part of a sqitch script inside its own BEGIN; ... COMMIT; (for a
 * verify script, ... ROLLBACK; too): 1 with [*off, *end) set to it, 0 with
 * the whole text when the script is not wrapped, GW_ENOMEM (the whole
 * text) when it could not be split. */
int gw_source__sqitch_unwrap(gw_dialect dialect, const char *text, size_t len, int verify,
                             size_t *off, size_t *end);

/* m's rare part, made when it has none; NULL when out of memory. */
gw_migration_rare *gw_source__rare(gw_source_mig *m);
/* Adds a dependency of m on the migration named name[0, len) (as a
 * @depends-on line names it), at line; -1 when out of memory. */
int gw_source__add_depend(gw_source_mig *m, const char *name, size_t len, int line);

/* Rejects duplicate versions and fills pub.items in apply order. */
int gw_source__order(gw_source_priv *sp, gw_ctx *ctx);

#endif
