/*
 * replay.c - runs a fuzz target over its stored corpus as a TAP test
 * (after SQLite's fuzzcheck): every file in tests/fuzz/corpus/NAME/ is fed
 * to LLVMFuzzerTestOneInput once. Built with the ordinary compiler, so
 * 'make test' replays the corpus under ASan/UBSan without libFuzzer;
 * 'make fuzz' builds the same target with clang's libFuzzer to grow it.
 */
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef FUZZ_NAME
#error "build with -DFUZZ_NAME=\"csv\" (the corpus folder)"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int main(void)
{
	const char *top = getenv("TN_TOP");
	char dir[4096], path[8192], **names = NULL;
	struct dirent *de;
	size_t n = 0, i;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/fuzz/corpus/%s", top ? top : ".", FUZZ_NAME);
	if (!(d = opendir(dir))) {
		printf("1..0 # SKIP no corpus at %s\n", dir);
		return 1;
	}
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		names = realloc(names, (n + 1) * sizeof(*names));
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), by_name);
	for (i = 0; i < n; i++) {
		FILE *f;
		long len;
		uint8_t *buf;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		f = fopen(path, "rb");
		if (!f || fseek(f, 0, SEEK_END) != 0 || (len = ftell(f)) < 0) {
			printf("not ok %zu - %s: cannot read\n", i + 1, names[i]);
			if (f)
				fclose(f);
			continue;
		}
		rewind(f);
		buf = malloc((size_t)len + 1);
		if (fread(buf, 1, (size_t)len, f) != (size_t)len) {
			printf("not ok %zu - %s: short read\n", i + 1, names[i]);
		} else {
			LLVMFuzzerTestOneInput(buf, (size_t)len);   /* aborts on a failed check */
			printf("ok %zu - %s %s\n", i + 1, FUZZ_NAME, names[i]);
		}
		free(buf);
		fclose(f);
		free(names[i]);
	}
	free(names);
	printf("1..%zu\n", n);
	return n == 0;
}
