/* report-html: placeholder */
#include "report.h"
int report_write_html(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err)
{
	return 0;
}
