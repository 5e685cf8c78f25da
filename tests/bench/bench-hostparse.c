/* bench-hostparse: an importer alone, into a sink that drops everything — how fast the parsing
 * and the syscall model are without the case database. Used by bench-hostlog.sh.
 * usage: bench-hostparse IMPORTER FILE  → prints "events processes cpu_seconds parse_cpu_seconds"
 * cpu_seconds is the whole process (the stream's reader thread hashes and decompresses in
 * parallel); parse_cpu_seconds is the importer's own thread: parsing and the syscall model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "importer.h"
#include "reader.h"
#include "stream.h"

static unsigned long long nev, nproc;

static int on_event(void *u, const struct bs_event *ev)
{
	(void)u;
	(void)ev;
	nev++;
	return 0;
}

static int on_process(void *u, const struct bs_process *p)
{
	(void)u;
	(void)p;
	nproc++;
	return 0;
}

int main(int argc, char **argv)
{
	static const struct imp_options opts = { .date = "2026-01-01" };
	const struct importer *imp;
	struct stream *s;
	struct strbuf err = STRBUF_INIT;
	struct reader in;
	struct imp_ctx ctx;
	void *state;
	clock_t t0;
	struct timespec p0, p1;

	if (argc != 3 || !(imp = importer_find(argv[1]))) {
		fprintf(stderr, "usage: bench-hostparse IMPORTER FILE\n");
		return 2;
	}
	if (stream_open(argv[2], &s, &err) < 0) {
		fprintf(stderr, "%s: %s\n", argv[2], err.buf);
		return 1;
	}
	reader_init(&in, s);
	imp_ctx_init(&ctx, argv[2], &in, &opts, (struct imp_sink){ .event = on_event, .process = on_process });
	t0 = clock();
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &p0);
	if (imp->open(&ctx, &state) < 0)
		return 1;
	while (imp->next(&ctx, state) > 0)
		;
	imp->close(state);
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &p1);
	printf("%llu %llu %.2f %.2f\n", nev, nproc, (double)(clock() - t0) / CLOCKS_PER_SEC,
	       (double)(p1.tv_sec - p0.tv_sec) + (double)(p1.tv_nsec - p0.tv_nsec) / 1e9);
	imp_ctx_release(&ctx);
	reader_release(&in);
	stream_free(s);
	strbuf_release(&err);
	return 0;
}
