/* resultset: print the rows of an SQL statement as an aligned table, CSV or JSON — the output
 * of `query` and `info`. Every cell from the database is escaped for where it lands. */
#ifndef BS_RESULTSET_H
#define BS_RESULTSET_H

#include <sqlite3.h>
#include <stdio.h>

enum resultset_format { RESULTSET_TABLE, RESULTSET_CSV, RESULTSET_JSON };

int resultset_format_parse(const char *s, enum resultset_format *ret_format);
/* Step the statement to the end, printing every row. Returns rows printed, or -EIO. */
int resultset_print(FILE *out, sqlite3_stmt *st, enum resultset_format format);

#endif
