/* fuzz-pcap: libFuzzer entry point for the pcap/pcapng importer and every packet decoder.
 *
 * The input is a whole capture file held in memory (stream_open_mem), read through the same
 * reader, record layer and decoders as a real import, into a sink that drops every event. Any
 * crash, sanitizer report, leak or hang is a bug. Build: CC=clang meson setup build-fuzz
 * -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false; run:
 * build-fuzz/tests/fuzz/fuzz-pcap -max_total_time=60 CORPUS_DIR ../shared/corpus/pcap
 */
#include <stddef.h>
#include <stdint.h>

#include "imp-pcap.h"
#include "importer.h"
#include "reader.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int drop(void *userdata, const struct bs_event *ev)
{
	(void)userdata;
	/* touch what a real sink reads, so that the sanitizers see bad pointers */
	volatile size_t n = ev->raw_len + (ev->fields ? 1 : 0) + (ev->summary ? 1 : 0);
	(void)n;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct stream *s;
	struct reader in;
	struct imp_ctx ctx;
	void *state = NULL;

	if (stream_open_mem(data, size, &s) < 0)
		return 0;
	reader_init(&in, s);
	imp_ctx_init(&ctx, "fuzz", &in, NULL, (struct imp_sink){ .event = drop });
	if (imp_pcap.open(&ctx, &state) == 0) {
		while (imp_pcap.next(&ctx, state) > 0)
			;
	}
	imp_pcap.close(state);
	imp_ctx_release(&ctx);
	reader_release(&in);
	stream_free(s);
	return 0;
}
