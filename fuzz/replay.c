/*
 * replay.c: a main() for the fuzz targets when they are not linked with
 * libFuzzer (gcc builds, the ctest run): it calls LLVMFuzzerTestOneInput
 * once on every file named on the command line, walking folders
 * recursively in name order. Each input is passed in a buffer of exactly
 * its size, so AddressSanitizer catches a read past its end as libFuzzer
 * would. A folder that cannot be read, or no input at all, is a failure:
 * a corpus that went missing must not pass silently.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static size_t ninputs;

static int run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	unsigned char *buf = NULL;
	size_t len = 0, cap = 0, n;

	if (!f) {
		fprintf(stderr, "replay: cannot open %s: %s\n", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (len == cap) {
			unsigned char *nbuf;

			cap = cap ? cap * 2 : 4096;
			if (!(nbuf = realloc(buf, cap))) {
				fclose(f);
				free(buf);
				fprintf(stderr, "replay: out of memory reading %s\n", path);
				return -1;
			}
			buf = nbuf;
		}
		n = fread(buf + len, 1, cap - len, f);
		len += n;
		if (n == 0)
			break;
	}
	if (ferror(f)) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		fclose(f);
		free(buf);
		return -1;
	}
	fclose(f);
	/* An exact-size copy, so a read past the end is caught. */
	{
		unsigned char *exact = malloc(len ? len : 1);

		if (!exact) {
			free(buf);
			return -1;
		}
		if (len)
			memcpy(exact, buf, len);
		free(buf);
		printf("%s (%zu bytes)\n", path, len);
		fflush(stdout);
		LLVMFuzzerTestOneInput(exact, len);
		free(exact);
	}
	ninputs++;
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int run_path(const char *path);

static int run_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **names = NULL;
	size_t count = 0, cap = 0, i;
	int error = 0;

	if (!d) {
		fprintf(stderr, "replay: cannot read folder %s: %s\n", path, strerror(errno));
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		if (count == cap) {
			char **nnames;

			cap = cap ? cap * 2 : 64;
			if (!(nnames = realloc(names, cap * sizeof(*names)))) {
				error = -1;
				break;
			}
			names = nnames;
		}
		if (!(names[count] = malloc(strlen(path) + strlen(e->d_name) + 2))) {
			error = -1;
			break;
		}
		sprintf(names[count], "%s/%s", path, e->d_name);
		count++;
	}
	closedir(d);
	if (count)
		qsort(names, count, sizeof(*names), cmp_names);
	for (i = 0; i < count; i++) {
		if (!error && run_path(names[i]) < 0)
			error = -1;
		free(names[i]);
	}
	free(names);
	return error;
}

static int run_path(const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		fprintf(stderr, "replay: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return S_ISDIR(st.st_mode) ? run_dir(path) : run_file(path);
}

int main(int argc, char **argv)
{
	int i, error = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: %s CORPUS_DIR_OR_FILE...\n", argv[0]);
		return 2;
	}
	for (i = 1; i < argc; i++)
		if (run_path(argv[i]) < 0)
			error = 1;
	if (!error && !ninputs) {
		fprintf(stderr, "replay: no inputs found\n");
		error = 1;
	}
	printf("replay: %zu inputs, %s\n", ninputs, error ? "FAILED" : "ok");
	return error;
}
