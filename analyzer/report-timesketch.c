/* report-timesketch: `--format timesketch` — the whole timeline as Timesketch JSONL, written
 * by the timeline module's writer (analyzer/timeline.h) so both commands give the same lines. */
#include <errno.h>
#include <stdlib.h>

#include "report.h"
#include "timeline.h"

int report_write_timesketch(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err)
{
	const struct timeline_writer *w = timeline_writer_find("timesketch");
	struct timeline_filter filter;
	struct timeline_cursor *cur = NULL;
	struct timeline_row row;
	struct strbuf scratch = STRBUF_INIT;
	char *buf = NULL;
	size_t len = 0;
	FILE *mem;
	int r;

	timeline_filter_init(&filter);
	if (!w || timeline_open(cdb, &filter, &cur, err) < 0)
		return -EIO;
	mem = open_memstream(&buf, &len);
	if (!mem) {
		timeline_close(cur);
		return -errno;
	}
	if (w->begin)
		w->begin(mem);
	while ((r = timeline_next(cur, &row)) > 0)
		w->row(mem, &row, &scratch);
	timeline_close(cur);
	fclose(mem);
	strbuf_add(out, buf, len);
	free(buf);
	strbuf_release(&scratch);
	if (r < 0) {
		strbuf_addstr(err, "reading the timeline failed");
		return -EIO;
	}
	return 0;
}
