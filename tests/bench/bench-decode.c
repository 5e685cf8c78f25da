/* bench-decode: the pcap importer alone — reader, decoders, flow table, event building — into a
 * sink that drops the events, to separate the importer's cost from the case database's.
 *
 * Usage: bench-decode FILE   (prints packets, events, CPU seconds and packets per CPU second)
 *        bench-decode --sha256 FILE
 *
 * --sha256 only reads the file and hashes it with the ledger's SHA-256 (importers/base/sha256.h,
 * the code the stream's reader thread runs), in the stream's chunk size: bench-pcap.sh takes its
 * user CPU time as the hash's share of an import, to show every ratio with and without it.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/resource.h>
#include <time.h>

#include "imp-pcap.h"
#include "importer.h"
#include "reader.h"
#include "sha256.h"
#include "stream.h"

static int drop(void *userdata, const struct bs_event *ev)
{
	(void)userdata;
	(void)ev;
	return 0;
}

static int hash_only(const char *path)
{
	static unsigned char buf[STREAM_CHUNK];
	struct sha256_ctx h;
	char hex[SHA256_HEX_LEN + 1];
	unsigned long long total = 0;
	ssize_t r;
	int fd = open(path, O_RDONLY);

	if (fd < 0 || sha256_init(&h) < 0) {
		perror(path);
		return 2;
	}
	while ((r = read(fd, buf, sizeof(buf))) > 0) {
		sha256_update(&h, buf, (size_t)r);
		total += (unsigned long long)r;
	}
	close(fd);
	sha256_final_hex(&h, hex);
	printf("bench-decode --sha256: %llu bytes, %s\n", total, hex);
	return r < 0 ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct strbuf err = STRBUF_INIT;
	struct stream *s;
	struct reader in;
	struct imp_ctx ctx;
	void *state = NULL;
	uint64_t packets;
	clock_t t0;
	double secs, main_secs;
	struct rusage ru;

	if (argc == 3 && !strcmp(argv[1], "--sha256"))
		return hash_only(argv[2]);
	if (argc != 2 || stream_open(argv[1], &s, &err) < 0) {
		fprintf(stderr, "usage: bench-decode FILE %s\n", err.buf);
		return 2;
	}
	reader_init(&in, s);
	imp_ctx_init(&ctx, argv[1], &in, NULL, (struct imp_sink){ .event = drop });
	t0 = clock();
	if (imp_pcap.open(&ctx, &state) == 0)
		while (imp_pcap.next(&ctx, state) > 0)
			;
	packets = imp_pcap_stats(state)->packets;
	imp_pcap.close(state);
	secs = (double)(clock() - t0) / CLOCKS_PER_SEC;
	/* the importer's own thread; the stream's reading/hashing thread is the rest */
	getrusage(RUSAGE_THREAD, &ru);
	main_secs = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
		    (double)ru.ru_stime.tv_usec / 1e6;
	printf("bench-decode: %llu packets, %llu events; importer thread %.2f CPU s = %.0f packets/s; "
	       "both threads (with the ledger's SHA-256) %.2f CPU s\n",
	       (unsigned long long)packets, (unsigned long long)ctx.events, main_secs, (double)packets / main_secs,
	       secs);
	imp_ctx_release(&ctx);
	reader_release(&in);
	stream_free(s);
	strbuf_release(&err);
	return 0;
}
