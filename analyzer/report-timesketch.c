/* report-timesketch: `--format timesketch` — the whole timeline as Timesketch JSONL, written
 * by the timeline module's writer (analyzer/timeline.h) so both commands give the same lines,
 * streamed row by row. */
#include <errno.h>

#include "report.h"
#include "timeline.h"

int report_stream_timesketch(FILE *out, struct casedb *cdb, struct strbuf *err)
{
	const struct timeline_writer *w = timeline_writer_find("timesketch");
	struct timeline_filter filter;
	struct timeline_cursor *cur = NULL;
	struct timeline_row row;
	struct strbuf scratch = STRBUF_INIT;
	int r;

	timeline_filter_init(&filter);
	if (!w || timeline_open(cdb, &filter, &cur, err) < 0)
		return -EIO;
	if (w->begin)
		w->begin(out);
	while ((r = timeline_next(cur, &row)) > 0)
		w->row(out, &row, &scratch);
	timeline_close(cur);
	strbuf_release(&scratch);
	if (r < 0 || ferror(out)) {
		strbuf_addstr(err, r < 0 ? "reading the timeline failed" : "writing the timeline failed");
		return -EIO;
	}
	return 0;
}
