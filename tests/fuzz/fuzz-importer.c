/* fuzz-importer: libFuzzer entry points for the JSON cloud importers (CloudTrail, Kubernetes
 * audit, GuardDuty) and the record framer under them.
 *
 * Each target runs one importer over the input as a whole evidence stream, with a sink that
 * checks what is emitted (a fields object must be valid JSON, a summary and a type must be
 * set) and stores nothing. FUZZ_IMPORTER names the importer at build time; meson builds one
 * executable per importer when configured with -Dfuzz=true (clang only):
 *
 *   CC=clang meson setup build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false
 *   ninja -C build-fuzz && build-fuzz/tests/fuzz/fuzz-aws_cloudtrail ../shared/corpus/cloudtrail
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"
#include "stream.h"

#ifndef FUZZ_IMPORTER
#error "FUZZ_IMPORTER must name an importer"
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_event(void *userdata, const struct bs_event *ev)
{
	(void)userdata;
	if (!ev->type || !ev->summary)
		abort();
	if (ev->fields) {
		json_t *f = json_loads(ev->fields, 0, NULL);
		if (!json_is_object(f))
			abort(); /* the importer wrote invalid JSON */
		json_decref(f);
	}
	if (ev->raw && !ev->raw_len)
		abort();
	return 0;
}

static int check_document(void *userdata, const char *kind, uint64_t offset, const char *body)
{
	(void)userdata;
	(void)offset;
	if (!kind || !body)
		abort();
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct importer *imp = importer_find(FUZZ_IMPORTER);
	struct stream *s = NULL;
	struct reader in;
	struct imp_ctx ctx;
	void *state = NULL;

	if (!imp || stream_open_mem(data, size, &s) < 0)
		return 0;
	reader_init(&in, s);
	imp_ctx_init(&ctx, "fuzz", &in, NULL,
		     (struct imp_sink){ .event = check_event, .document = check_document });
	if (imp->open(&ctx, &state) == 0) {
		/* Bounded: every call consumes input or ends the import. */
		for (size_t calls = 0; calls < 10 * size + 100; calls++)
			if (imp->next(&ctx, state) <= 0)
				break;
	}
	imp->close(state);
	imp_ctx_release(&ctx);
	reader_release(&in);
	stream_free(s);
	return 0;
}
