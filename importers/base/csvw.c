/* csvw: quoted, formula-defused CSV cells; see csvw.h. */
#include "csvw.h"

#include <string.h>

void csvw_cell(struct strbuf *sb, const char *s)
{
	if (!s)
		return;
	strbuf_addch(sb, '"');
	if (s[0] && strchr("=+-@\t\r", s[0]))
		strbuf_addch(sb, '\'');
	for (; *s; s++) {
		if (*s == '"')
			strbuf_addch(sb, '"');
		strbuf_addch(sb, *s);
	}
	strbuf_addch(sb, '"');
}
