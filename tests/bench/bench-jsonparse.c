/* bench-jsonparse: how fast jansson alone parses records — the bound of the JSON importers,
 * which hand every record to jansson (DESIGN.md: jansson is the only JSON parser).
 * usage: bench-jsonparse FILE.jsonl [PASSES]  (one compact record per line, e.g. the output of
 *        `zcat … | jq -c '.Records[]'`)
 * Reads the file into memory once, then times (thread CPU time, best of PASSES, default 3):
 *   read   walking the lines only (the loop's own cost, subtracted from the others);
 *   malloc json_loadb + json_decref per line, with jansson's default allocator;
 *   arena  jsonu_loadb + json_decref + jsonu_arena_release per line (what the importers do).
 * Prints "records bytes malloc_s arena_s", the seconds net of the read loop. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jsonutil.h"

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* mode 0: walk lines; 1: json_loadb; 2: jsonu_loadb. Returns the lines that parsed. */
static size_t pass(const char *buf, size_t len, int mode)
{
	size_t n = 0;

	for (const char *p = buf, *end = buf + len; p < end;) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
		json_error_t err;
		json_t *v = NULL;
		if (mode == 1)
			v = json_loadb(p, l, 0, &err);
		else if (mode == 2)
			v = jsonu_loadb(p, l, 0, &err);
		n += mode == 0 ? l > 0 : v != NULL;
		json_decref(v);
		if (mode == 2)
			jsonu_arena_release();
		p += l + 1;
	}
	return n;
}

int main(int argc, char **argv)
{
	FILE *f = argc >= 2 ? fopen(argv[1], "rb") : NULL;
	int passes = argc >= 3 ? atoi(argv[2]) : 3;
	double best[3] = { 1e30, 1e30, 1e30 };
	size_t len = 0, cap = 1 << 20, got, records = 0;
	char *buf = malloc(cap);

	if (!f || !buf || passes < 1) {
		fprintf(stderr, "usage: bench-jsonparse FILE.jsonl [PASSES]\n");
		return 2;
	}
	while ((got = fread(buf + len, 1, cap - len, f)) > 0) {
		len += got;
		if (len == cap && !(buf = realloc(buf, cap *= 2)))
			return 1;
	}
	fclose(f);
	for (int i = 0; i < passes; i++) {
		for (int mode = 0; mode < 3; mode++) {
			double t0 = now();
			size_t n = pass(buf, len, mode);
			double t = now() - t0;
			if (t < best[mode])
				best[mode] = t;
			if (mode)
				records = n;
		}
	}
	printf("%zu %zu %.3f %.3f\n", records, len, best[1] - best[0], best[2] - best[0]);
	free(buf);
	return 0;
}
