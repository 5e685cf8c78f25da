/* fuzz-import: a libFuzzer entry point for one importer, named by FUZZ_IMPORTER at build time.
 *
 * Each input is evidence: it goes through the same path as a file (the stream layer with its
 * gzip/zstd detection, the reader, every importer's probe) and then through the importer's
 * open/next/close into a sink that checks what it is given and keeps nothing. Built with
 * -Dfuzz=true under clang; run e.g. ./build-fuzz/tests/fuzz/fuzz-timeline-jsonl CORPUS_DIR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_event(void *userdata, const struct bs_event *ev)
{
	/* Every event has a type and a summary, and raw bytes when it says it has some. */
	if (!ev->type || !ev->summary || (ev->raw_len && !ev->raw))
		abort();
	/* Touch every string, so a dangling or unterminated one is caught by the sanitizers. */
	size_t n = strlen(ev->type ? ev->type : "") + strlen(ev->summary ? ev->summary : "");
	for (size_t i = 0; i < bs_event_ncolumns; i++)
		if (bs_event_columns[i].kind == BS_COLUMN_STR && bs_event_str(ev, &bs_event_columns[i]))
			n += strlen(bs_event_str(ev, &bs_event_columns[i]));
	if (ev->fields)
		n += strlen(ev->fields);
	if (ev->raw && ev->raw_len)
		n += ((const uint8_t *)ev->raw)[ev->raw_len - 1];
	*(size_t *)userdata += n;
	return 0;
}

static int check_process(void *userdata, const struct bs_process *p)
{
	*(size_t *)userdata += strlen(p->exe ? p->exe : "");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct importer *imp = importer_find(FUZZ_IMPORTER);
	size_t touched = 0;
	struct stream *s;
	struct reader in;
	struct imp_ctx ctx;
	void *state = NULL;

	if (!imp || stream_open_mem(data, size, &s) < 0)
		abort();
	reader_init(&in, s);
	reader_fill(&in, IMP_PROBE_LEN);
	importer_probe(reader_data(&in), reader_avail(&in));
	imp_ctx_init(&ctx, "fuzz-input", &in, NULL,
		     (struct imp_sink){ .event = check_event, .process = check_process, .userdata = &touched });
	if (imp->open(&ctx, &state) == 0)
		while (imp->next(&ctx, state) > 0)
			;
	imp->close(state);
	imp_ctx_release(&ctx);
	reader_release(&in);
	stream_free(s);
	return 0;
}
