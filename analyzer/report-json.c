/* report-json: `--format json` — the whole report model (report.h) as one indented document. */
#include "jsondump.h"
#include "report.h"

int report_write_json(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err)
{
	jsondump(out, model, 2);
	strbuf_addch(out, '\n');
	return 0;
}
