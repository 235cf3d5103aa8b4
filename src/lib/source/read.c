/*
 * read.c: reading a migration file, when it is loaded and again when its
 * SQL runs.
 *
 * gw_source__read_migration reads a file as godwit checksums and runs it
 * (no byte-order mark, UTF-8, no NUL, not through a symbolic link out of
 * the project). gw_source_read_up/down/verify read a file again when its
 * SQL is needed, cut the section with the convention's scan and unwrap
 * hooks, and prove by checksum that it is the text that was validated.
 */
/* realpath is POSIX, which strict C11 hides. */
#define _DEFAULT_SOURCE 1

#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "priv.h"
#include "../../util/error.h"
#include "../../util/fs.h"
#include "../../util/text.h"

/* Whether path is dir or below it. */
static int path_under(const char *path, const char *dir)
{
	size_t n = strlen(dir);

	return !strncmp(path, dir, n) &&
	       (path[n] == '\0' || path[n] == '/' || (n && dir[n - 1] == '/'));
}

/* A symbolic link must not take godwit out of the project: a migration
 * file resolving elsewhere runs SQL nobody reviewed with the project. */
static int check_inside(const char *path, const gw_file_guard *g, gw_ctx *ctx)
{
	char *real;
	int error = 0;

	if (!g || !g->root)
		return 0;
	/* A file that cannot be resolved cannot be read either, and reading
	 * it says why. */
	if (!(real = realpath(path, NULL)))
		return 0;
	if (!path_under(real, g->root) && !(g->dir && path_under(real, g->dir))) {
		error = gw_source__file_error(ctx, GW_ESOURCE, path, 0, 0,
		                              "is a symbolic link to %s, outside the project (%s); "
		                              "godwit does not follow it there",
		                              real, g->root);
		gw_error_set_hint(ctx, "copy the file into the project, or set "
		                       "allow_symlinks_outside = true in godwit.conf");
	}
	free(real);
	return error;
}

/* Reads a migration file as godwit checksums and runs it. A leading UTF-8
 * byte-order mark is dropped: it is no part of the SQL (a server would
 * take it for one), so neither is it of the checksum, and a file saved
 * with or without one is the same migration. The text must be UTF-8 and
 * hold no NUL byte, which SQLite takes for the end of the SQL: what comes
 * after it would never run. */
static int check_text(gw_str *text, const char *path, int *bom, gw_ctx *ctx)
{
	const char *nul;
	size_t bad = 0;
	int line, col;

	*bom = gw_text_drop_bom(text);
	if (gw_utf8_check(text->ptr, text->size, &bad) < 0) {
		gw_text_position(text->ptr, text->size, bad, &line, &col);
		return gw_source__file_error(ctx, GW_ESOURCE, path, line, col,
		                             "invalid UTF-8 byte 0x%02x; save the file as UTF-8",
		                             (unsigned char)text->ptr[bad]);
	}
	if ((nul = memchr(text->ptr, '\0', text->size)) != NULL) {
		gw_text_position(text->ptr, text->size, (size_t)(nul - text->ptr), &line, &col);
		return gw_source__file_error(ctx, GW_ESOURCE, path, line, col,
		                             "a NUL byte; SQL text cannot hold one (SQLite would "
		                             "stop reading the migration there): remove it");
	}
	return 0;
}

/* bom: set to whether the file started with a byte-order mark. */
static int read_migration(gw_str *text, const char *path, const gw_file_guard *g, int *bom,
                          gw_ctx *ctx)
{
	int error;

	*bom = 0;
	if ((error = check_inside(path, g, ctx)) < 0 ||
	    (error = gw_file_read(text, path, GW_FILE_MAX, ctx)) < 0)
		return error;
	return check_text(text, path, bom, ctx);
}

int gw_source__read_migration(gw_str *text, const char *path, const gw_file_guard *g, gw_ctx *ctx)
{
	int bom;

	return read_migration(text, path, g, &bom, ctx);
}

/* ---- reading a folder's files ahead --------------------------------------- */

/* While the loader parses and checksums one file, a second thread reads
 * the next ones: on a machine with two cores the system calls (open,
 * fstat, read, close) and the hashing overlap. The files are handed over
 * in the folder's order, whatever the timing, through a ring of RING
 * slots, so memory stays that of RING files however large the folder.
 *
 * Each side wakes the other only when it waits, and only once a batch is
 * ready for it: BATCH files read, or room for BATCH more. Waking it for
 * every file (a condition variable signalled per slot, in a ring of 16)
 * cost 3.5 futex calls and half a context switch a file, a quarter of
 * the CPU of a status of 10,000 files read without the checksum cache.
 * The files read and not yet taken are kept under PENDING_MAX bytes (the
 * thread waits past it until they are half that), and a slot keeps no
 * buffer past SLOT_KEEP bytes once taken, so large files cost memory
 * only while they are in the ring. */
#define PREFETCH_MIN 64 /* fewer files are read faster than a thread starts */
#define RING         128
#define BATCH        32
#define PENDING_MAX  ((size_t)1 << 20)
#define SLOT_KEEP    ((size_t)16 << 10)

typedef struct slot {
	const char *name; /* the entry's, owned by the folder listing */
	gw_str text;
	int failed;
} slot;

struct gw_prefetch {
	const gw_folder *names;
	const char *dir;
	/* Counts, never wrapped: slots [head, filled) are read and wait for
	 * the loader, [filled, tail) are being read. */
	size_t head, filled, tail;
	size_t pending;   /* the bytes of the slots read and not taken */
	size_t want;      /* the loader waits until filled reaches it */
	int loader_waits; /* for want */
	int reader_waits; /* for room for a batch */
	slot ring[RING];
	int stop; /* set by either side: the thread has no more to read, or
	             the loader no more to ask */
	pthread_mutex_t mu;
	pthread_cond_t read_cond, room_cond;
	pthread_t thread;
	gw_ctx *ctx; /* the thread's: a failed read is read again by the loader,
	                which reports it */
};

/* Whether the thread must wait before it reads another file: the ring
 * full, or the files in it over their bytes. */
static int ring_full(const gw_prefetch *pf)
{
	return pf->tail - pf->head == RING || (pf->pending > PENDING_MAX && pf->head != pf->tail);
}

/* Whether the thread, waiting, may go on: room for a batch, and the
 * bytes in the ring down to half what they may be (or none left). */
static int ring_has_room(const gw_prefetch *pf)
{
	return pf->tail - pf->head <= RING - BATCH &&
	       (pf->pending <= PENDING_MAX / 2 || pf->head == pf->tail);
}

/* The next slot the thread fills, once there is room when the ring was
 * full; NULL when it is to stop. Called locked. */
static slot *take_slot(gw_prefetch *pf, const char *name)
{
	slot *sl;

	if (ring_full(pf)) {
		/* Whatever the loader waits for, it has all there will be
		 * until it takes some. */
		if (pf->loader_waits)
			pthread_cond_signal(&pf->read_cond);
		pf->reader_waits = 1;
		while (!pf->stop && !ring_has_room(pf))
			pthread_cond_wait(&pf->room_cond, &pf->mu);
		pf->reader_waits = 0;
	}
	if (pf->stop)
		return NULL;
	sl = &pf->ring[pf->tail++ % RING];
	sl->name = name;
	return sl;
}

static void *prefetch_run(void *arg)
{
	gw_prefetch *pf = arg;
	gw_str path = GW_STR_INIT;
	size_t i;

	for (i = 0; i < pf->names->len; i++) {
		const gw_folder_entry *e = &pf->names->items[i];
		slot *sl;
		int failed;

		if (e->skip || gw_source__sums_hit(e->sum))
			continue;
		pthread_mutex_lock(&pf->mu);
		sl = take_slot(pf, e->name);
		pthread_mutex_unlock(&pf->mu);
		if (!sl)
			break;
		/* The slot is the thread's until filled passes it. */
		gw_str_clear(&path);
		failed = gw_path_join(&path, pf->dir, e->name) < 0 ||
		         gw_file_read(&sl->text, path.ptr, GW_FILE_MAX, pf->ctx) < 0;
		gw_ctx_clear_error(pf->ctx);

		pthread_mutex_lock(&pf->mu);
		sl->failed = failed;
		pf->pending += sl->text.size;
		pf->filled++;
		if (pf->loader_waits && pf->filled >= pf->want)
			pthread_cond_signal(&pf->read_cond);
		pthread_mutex_unlock(&pf->mu);
	}
	pthread_mutex_lock(&pf->mu);
	pf->stop = 1;
	pthread_cond_signal(&pf->read_cond);
	pthread_mutex_unlock(&pf->mu);
	gw_str_dispose(&path);
	return NULL;
}

void gw_source__prefetch_start(gw_loader *ld, const gw_folder *names)
{
	gw_prefetch *pf;
	size_t i, n = 0;

	ld->prefetch = NULL;
	for (i = 0; i < names->len; i++)
		n += !names->items[i].skip && !gw_source__sums_hit(names->items[i].sum);
	if (n < PREFETCH_MIN || !(pf = calloc(1, sizeof(*pf))))
		return;
	pf->names = names;
	pf->dir = ld->dir;
	for (i = 0; i < RING; i++)
		pf->ring[i].text = (gw_str)GW_STR_INIT;
	if (gw_ctx_new(&pf->ctx) < 0) {
		free(pf);
		return;
	}
	pthread_mutex_init(&pf->mu, NULL);
	pthread_cond_init(&pf->read_cond, NULL);
	pthread_cond_init(&pf->room_cond, NULL);
	if (pthread_create(&pf->thread, NULL, prefetch_run, pf) != 0) {
		pthread_mutex_destroy(&pf->mu);
		pthread_cond_destroy(&pf->read_cond);
		pthread_cond_destroy(&pf->room_cond);
		gw_ctx_free(pf->ctx);
		free(pf);
		return;
	}
	ld->prefetch = pf;
}

void gw_source__prefetch_stop(gw_loader *ld)
{
	gw_prefetch *pf = ld->prefetch;
	size_t i;

	if (!pf)
		return;
	pthread_mutex_lock(&pf->mu);
	pf->stop = 1;
	pthread_cond_signal(&pf->room_cond);
	pthread_mutex_unlock(&pf->mu);
	pthread_join(pf->thread, NULL);
	for (i = 0; i < RING; i++)
		gw_str_dispose(&pf->ring[i].text);
	pthread_mutex_destroy(&pf->mu);
	pthread_cond_destroy(&pf->read_cond);
	pthread_cond_destroy(&pf->room_cond);
	gw_ctx_free(pf->ctx);
	free(pf);
	ld->prefetch = NULL;
}

/* Waits until the slot at head is read, or the thread has stopped with
 * nothing more: 1 when there is a slot, 0 when not. Called locked. The
 * loader, once it waits, waits for a batch. */
static int wait_for_slot(gw_prefetch *pf)
{
	if (pf->head < pf->filled)
		return 1;
	if (pf->stop && pf->filled == pf->tail)
		return 0;
	pf->want = pf->head + BATCH;
	pf->loader_waits = 1;
	/* The thread never waits for room while the slot at head is
	 * unread: it waits only with every slot it took read. */
	while (pf->head == pf->filled && !(pf->stop && pf->filled == pf->tail))
		pthread_cond_wait(&pf->read_cond, &pf->mu);
	pf->loader_waits = 0;
	return pf->head < pf->filled;
}

/* Gives the slot at head back, with text its buffer now (the loader's
 * last); the thread is woken once there is room. */
static void give_back(gw_prefetch *pf, slot *sl, size_t size)
{
	pf->pending -= size;
	if (sl->text.asize > SLOT_KEEP) {
		gw_str_dispose(&sl->text);
		sl->text = (gw_str)GW_STR_INIT;
	}
	pf->head++;
	if (pf->reader_waits && ring_has_room(pf))
		pthread_cond_signal(&pf->room_cond);
}

/* Swaps the text of entry `name` into *text when the thread read it: 1
 * then, 0 when it did not (or failed). Slots of entries the loader went
 * past without reading are dropped; names come in bytewise order. */
static int prefetched(gw_prefetch *pf, const char *name, gw_str *text)
{
	int got = 0;

	pthread_mutex_lock(&pf->mu);
	while (wait_for_slot(pf)) {
		slot *sl = &pf->ring[pf->head % RING];
		size_t size = sl->text.size;
		int c = strcmp(sl->name, name);

		if (c > 0)
			break;
		if (c == 0 && !sl->failed) {
			gw_str tmp = *text;

			*text = sl->text;
			sl->text = tmp;
			got = 1;
		}
		give_back(pf, sl, size);
		if (c == 0)
			break;
	}
	pthread_mutex_unlock(&pf->mu);
	return got;
}

int gw_source__read_entry(gw_loader *ld, const gw_folder_entry *e)
{
	int error, bom;

	/* A file that is no symbolic link, listed in the folder the guard
	 * resolved, is inside it: realpath (a system call per component of
	 * the path) is for links. */
	if (e->link && (error = check_inside(ld->path.ptr, &ld->guard, ld->ctx)) < 0)
		return error;
	if (!(ld->prefetch && prefetched(ld->prefetch, e->name, &ld->text)) &&
	    (error = gw_file_read(&ld->text, ld->path.ptr, GW_FILE_MAX, ld->ctx)) < 0)
		return error;
	return check_text(&ld->text, ld->path.ptr, &bom, ld->ctx);
}

/* Reads <dir>/<sub>/<file> into ld->text: 1 when read, 0 when there is no
 * such file. */
int gw_source__read_sub(gw_loader *ld, const char *sub, const char *file)
{
	int error;

	gw_str_clear(&ld->path);
	if (gw_path_join(&ld->path, ld->dir, sub) < 0 || gw_str_printf(&ld->path, "/%s", file) < 0)
		return gw_error_oom(ld->ctx);
	if (gw_path_is_dir(ld->path.ptr) != 0)
		return 0;
	if ((error = gw_source__read_migration(&ld->text, ld->path.ptr, &ld->guard, ld->ctx)) < 0)
		return error;
	return 1;
}

static int changed_error(const char *path, gw_ctx *ctx)
{
	int error =
	        gw_error_set(ctx, GW_ECHECKSUM,
	                     "%s changed while godwit was running; run the command again", path);

	gw_error_set_location(ctx, path, 0, 0);
	return error;
}

/* Where the down of a migration goes in the folder's convention: the file
 * to write, relative to the folder, into *file. Returns the marker line of
 * the down section when the convention keeps it in the up file (*file is
 * then the up file), NULL when the down is a file of its own. */
int gw_source_down_hint(gw_str *out, const gw_source *src, const gw_migration *m)
{
	const gw_source_mig *sm = (const gw_source_mig *)m;
	gw_str file = GW_STR_INIT;
	const char *section;

	gw_str_clear(out);
	if (m->repeatable) {
		gw_str_puts(out, "delete it and write a migration that reverts it");
		return gw_str_failed(out) ? GW_ENOMEM : 0;
	}
	section = gw_convention_of(src->format)->down_place(&file, sm->stem, m->up_file);
	if (section && sm->down_state == GW_DOWN_EMPTY)
		gw_str_printf(out, "write its down SQL in the '%s' section of %s/%s", section,
		              src->dir, file.ptr);
	else if (section)
		gw_str_printf(out, "add a '%s' section to %s/%s", section, src->dir, file.ptr);
	else
		gw_str_printf(out, "write its down SQL in %s/%s", src->dir, file.ptr);
	gw_str_dispose(&file);
	return gw_str_failed(out) || gw_str_failed(&file) ? GW_ENOMEM : 0;
}

/* The error of a migration that cannot be reverted, naming what to write. */
static int nodown_error(const gw_source *src, const gw_migration *m, gw_ctx *ctx)
{
	const gw_convention *conv = gw_convention_of(src->format);
	const gw_source_mig *sm = (const gw_source_mig *)m;
	gw_str file = GW_STR_INIT;
	const char *section;
	int error;

	if (m->repeatable)
		return gw_error_set(ctx, GW_ENODOWN,
		                    "%s is repeatable and has no down migration; to undo it, "
		                    "delete it and write a migration that reverts it",
		                    m->up_file);
	section = gw_convention_of(src->format)->down_place(&file, sm->stem, m->up_file);
	if (gw_str_failed(&file))
		error = gw_error_oom(ctx);
	else if (conv->nodown_error)
		error = conv->nodown_error(m, file.ptr, sm->down_state == GW_DOWN_EMPTY, ctx);
	else if (section)
		error = gw_error_set(ctx, GW_ENODOWN,
		                     "%s has no down migration; write %s %s section %s %s to make "
		                     "it revertible",
		                     sm->stem, sm->down_state == GW_DOWN_EMPTY ? "SQL in the" : "a",
		                     section, sm->down_state == GW_DOWN_EMPTY ? "of" : "in",
		                     file.ptr);
	else
		error = gw_error_set(ctx, GW_ENODOWN,
		                     "%s%s has no down migration; write %s%s to make it revertible",
		                     conv->stem_prefix ? conv->stem_prefix : "", sm->stem,
		                     sm->down_state == GW_DOWN_EMPTY ? "SQL in " : "", file.ptr);
	gw_str_dispose(&file);
	return error;
}

static int read_section(gw_source_text *out, const gw_source *src, const gw_migration *m, int down,
                        gw_ctx *ctx)
{
	const gw_convention *conv = gw_source__mig_conv((const gw_source_mig *)m);
	const char *file = down ? m->down_file : m->up_file;
	const unsigned char *want = down ? m->down_sum : m->sum;
	gw_str path = GW_STR_INIT;
	unsigned char sum[GW_CHECKSUM_BYTES];
	size_t off = 0, len, down_off, down_len;
	markers mk;
	int error;

	if (gw_path_join(&path, src->dir, file) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	if ((error = read_migration(&out->file_text, path.ptr,
	                            &((const gw_source_priv *)src)->guard, &out->bom, ctx)) < 0)
		goto cleanup;
	len = out->file_text.size;
	if (conv && conv->scan) {
		conv->scan(&mk, out->file_text.ptr, out->file_text.size);
		if (!mk.up.found || (down && !mk.down.found)) {
			error = changed_error(path.ptr, ctx);
			goto cleanup;
		}
		gw_source__sections(&mk, out->file_text.size, &off, &len, &down_off, &down_len);
		if (down) {
			off = down_off;
			len = down_len;
		}
	}
	gw_source__checksum(sum, out->file_text.ptr + off, len);
	if ((down && !m->has_down_sum) || memcmp(sum, want, sizeof(sum))) {
		error = changed_error(path.ptr, ctx);
		goto cleanup;
	}
	/* A script (sqitch's) is checksummed whole, and run without the
	 * BEGIN and COMMIT it wraps itself in. */
	if (conv && conv->unwrap) {
		if (conv->unwrap(((const gw_source_priv *)src)->sql_dialect, out->file_text.ptr,
		                 len, 0, &off, &down_off) < 0) {
			error = gw_error_oom(ctx);
			goto cleanup;
		}
		len = down_off - off;
	}
	out->offset = off;
	out->len = len;
	out->file = file;
	error = 0;
cleanup:
	gw_str_dispose(&path);
	return error;
}

int gw_source_read_up(gw_source_text *out, const gw_source *src, const gw_migration *m, gw_ctx *ctx)
{
	return read_section(out, src, m, 0, ctx);
}

/* A verify script of its own (sqitch's verify/<name>.sql), without its
 * BEGIN ... ROLLBACK. */
static int read_verify_script(gw_source_text *out, const gw_source *src, const gw_source_mig *sm,
                              gw_ctx *ctx)
{
	gw_str path = GW_STR_INIT;
	size_t off, end;
	int error;

	if (gw_path_join(&path, src->dir, sm->pub.rare->verify_file) < 0) {
		gw_str_dispose(&path);
		return gw_error_oom(ctx);
	}
	if ((error = gw_source__read_migration(&out->file_text, path.ptr,
	                                       &((const gw_source_priv *)src)->guard, ctx)) == 0 &&
	    gw_source__sqitch_unwrap(((const gw_source_priv *)src)->sql_dialect, out->file_text.ptr,
	                             out->file_text.size, 1, &off, &end) < 0)
		error = gw_error_oom(ctx);
	else if (error == 0) {
		out->offset = off;
		out->len = end - off;
		out->file = sm->pub.rare->verify_file;
	}
	gw_str_dispose(&path);
	return error;
}

int gw_source_read_verify(gw_source_text *out, const gw_source *src, const gw_migration *m,
                          gw_ctx *ctx)
{
	const gw_source_mig *sm = (const gw_source_mig *)m;
	const gw_convention *conv = gw_source__mig_conv(sm);
	gw_str path = GW_STR_INIT;
	markers mk;
	int error;

	const char *script = m->rare ? m->rare->verify_file : NULL;

	if (!m->has_verify || (!script && (!conv || !conv->scan)))
		return gw_error_set(ctx, GW_ENOTFOUND, "%s has no verify section", m->up_file);
	if (script)
		return read_verify_script(out, src, sm, ctx);
	if (gw_path_join(&path, src->dir, m->up_file) < 0) {
		error = gw_error_oom(ctx);
		goto cleanup;
	}
	/* The verify section is not part of what was applied, so it is read
	 * as it is now, without a checksum. */
	if ((error = gw_source__read_migration(&out->file_text, path.ptr,
	                                       &((const gw_source_priv *)src)->guard, ctx)) < 0)
		goto cleanup;
	conv->scan(&mk, out->file_text.ptr, out->file_text.size);
	if (!mk.verify.found) {
		error = changed_error(path.ptr, ctx);
		goto cleanup;
	}
	out->offset = mk.verify.body;
	out->len = out->file_text.size - mk.verify.body;
	out->file = m->up_file;
cleanup:
	gw_str_dispose(&path);
	return error;
}

int gw_source_read_down(gw_source_text *out, const gw_source *src, const gw_migration *m,
                        gw_ctx *ctx)
{
	if (!m->down_file)
		return nodown_error(src, m, ctx);
	return read_section(out, src, m, 1, ctx);
}

void gw_source_text_dispose(gw_source_text *t)
{
	gw_str_dispose(&t->file_text);
	t->offset = t->len = 0;
	t->file = NULL;
}
