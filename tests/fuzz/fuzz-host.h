/* fuzz-host: the shared body of the host importers' libFuzzer entry points: the input is a
 * whole evidence file, imported through the named importer into a sink that checks every event
 * is well formed and drops it. */
#ifndef BS_FUZZ_HOST_H
#define BS_FUZZ_HOST_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"
#include "reader.h"
#include "stream.h"

static int fuzz_event(void *userdata, const struct bs_event *ev)
{
	(void)userdata;
	if (!ev->type || !ev->summary || (ev->raw_len && !ev->raw))
		abort();
	/* touch every string so that the sanitizers see a dangling one */
	for (size_t i = 0; i < bs_event_ncolumns; i++)
		if (bs_event_columns[i].kind == BS_COLUMN_STR && bs_event_str(ev, &bs_event_columns[i]))
			(void)strlen(bs_event_str(ev, &bs_event_columns[i]));
	if (ev->fields)
		(void)strlen(ev->fields);
	return 0;
}

static int fuzz_process(void *userdata, const struct bs_process *p)
{
	(void)userdata;
	if (p->key == INT64_MIN)
		abort();
	return 0;
}

static int fuzz_host(const char *importer, const char *path, const uint8_t *data, size_t size)
{
	static const struct imp_options opts = { .date = "2026-01-02" };
	const struct importer *imp = importer_find(importer);
	struct stream *s = NULL;
	struct reader in;
	struct imp_ctx ctx;
	void *state = NULL;

	if (!imp || stream_open_mem(data, size, &s) < 0)
		return 0;
	reader_init(&in, s);
	imp_ctx_init(&ctx, path, &in, &opts, (struct imp_sink){ .event = fuzz_event, .process = fuzz_process });
	if (imp->open(&ctx, &state) == 0) {
		while (imp->next(&ctx, state) > 0)
			;
		imp->close(state);
	}
	imp_ctx_release(&ctx);
	reader_release(&in);
	stream_free(s);
	return 0;
}

#endif
