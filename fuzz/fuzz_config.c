/*
 * fuzz_config.c: fuzz target for the configuration readers of
 * src/lib/config.c: godwit.conf (INI through libinih, [env.NAME] sections,
 * ${VAR} and ${VAR:-default} expansion, the checks of every key's value)
 * and the .env file beside it (dbmate's KEY=value lines, quotes, export).
 *
 * The input is written to a fresh temporary folder twice in turn: as
 * godwit.conf, then as .env, and loaded each time for the environment
 * "production" (so [env.production] sections are read). Checked: a failure
 * is GW_ECONFIG or GW_EIO with a message, and a GW_ECONFIG about the file
 * names it; a loaded configuration answers every key of gw_config_keys
 * with NULL or a string, a source for every value, and a display form
 * that never holds more than the value; project options derived from it
 * succeed or fail with an error set. Everything is freed and the folder
 * removed.
 */
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "godwit/config.h"
#include "source_checks.h"

static gw_ctx *ctx;

static void write_file(const char *path, const uint8_t *data, size_t size)
{
	FILE *f = fopen(path, "wb");

	if (!f || (size && fwrite(data, 1, size, f) != size) || fclose(f)) {
		perror(path);
		abort();
	}
}

static void check_loaded(const gw_config *cfg)
{
	const char *const *keys = gw_config_keys();
	gw_project_options opts = GW_PROJECT_OPTIONS_INIT;

	FUZZ_CHECK(keys && keys[0]);
	for (size_t i = 0; keys[i]; i++) {
		const char *v = gw_config_get(cfg, keys[i]);
		char *shown = gw_config_display(cfg, keys[i]);

		if (v) {
			FUZZ_CHECK(gw_config_source(cfg, keys[i]) != NULL);
			FUZZ_CHECK(shown != NULL);
		}
		free(shown);
	}
	FUZZ_CHECK(gw_config_environment(cfg) && !strcmp(gw_config_environment(cfg), "production"));
	if (gw_config_project_options(&opts, cfg, ctx) < 0)
		fuzz_check_error(ctx, gw_ctx_error(ctx)->code);
	gw_ctx_clear_error(ctx);
}

static void load(const char *dir, const char *file)
{
	gw_config_options opts = GW_CONFIG_OPTIONS_INIT;
	gw_config *cfg = NULL;
	const gw_error *err;
	int r;

	opts.project_dir = dir;
	opts.environment = "production";
	r = gw_config_load(&cfg, &opts, ctx);
	if (r < 0) {
		FUZZ_CHECK(cfg == NULL);
		fuzz_check_error(ctx, r);
		err = gw_ctx_error(ctx);
		FUZZ_CHECK(r == GW_ECONFIG || r == GW_EIO);
		if (r == GW_ECONFIG && err->file[0])
			FUZZ_CHECK(strstr(err->file, file) != NULL);
		gw_ctx_clear_error(ctx);
		return;
	}
	FUZZ_CHECK(cfg != NULL);
	check_loaded(cfg);
	gw_config_free(cfg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const names[] = {"godwit.conf", ".env"};
	char dir[FUZZ_PATH_SIZE - 128], path[FUZZ_PATH_SIZE];

	if (!ctx && gw_ctx_new(&ctx) < 0)
		abort();
	fuzz_mkdtemp(dir);
	for (size_t i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		write_file(path, data, size);
		load(dir, names[i]);
		unlink(path);
	}
	if (rmdir(dir) < 0) {
		perror(dir);
		abort();
	}
	return 0;
}
