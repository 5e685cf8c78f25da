/* csvw: one CSV cell (RFC 4180), defused for spreadsheets.
 *
 * Every CSV backsight writes (timeline -F csv, query/info -F csv) goes through here: the cell is
 * always quoted, quotes doubled, and a cell that would start a spreadsheet formula (= + - @, a
 * tab or a carriage return) gets a leading apostrophe, because the evidence is attacker-written
 * and the analyst's spreadsheet would otherwise run it. NULL writes an empty, unquoted cell.
 */
#ifndef BS_CSVW_H
#define BS_CSVW_H

#include "strbuf.h"

void csvw_cell(struct strbuf *sb, const char *s);

#endif
