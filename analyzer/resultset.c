/* resultset: tables, CSV and JSON from an SQL statement; see resultset.h. */
#include "resultset.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "csvw.h"
#include "jsonw.h"
#include "strbuf.h"
#include "termsafe.h"

/* An aligned table needs every row before the first is printed; past this it switches to
 * printing with the widths it has seen, so memory stays bounded. */
#define TABLE_BUFFER_ROWS 10000
#define TABLE_MAX_WIDTH 80

int resultset_format_parse(const char *s, enum resultset_format *ret_format)
{
	static const char *const names[] = { "table", "csv", "json" };

	for (int i = 0; i < 3; i++)
		if (!strcmp(s, names[i])) {
			*ret_format = (enum resultset_format)i;
			return 0;
		}
	return -EINVAL;
}

/* Display width of UTF-8 text (code points; good enough for the alignment of a log tool). */
static size_t width(const char *s)
{
	size_t w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

static char *cell_text(sqlite3_stmt *st, int i)
{
	struct strbuf sb = STRBUF_INIT;
	const char *t = (const char *)sqlite3_column_text(st, i);

	if (sqlite3_column_type(st, i) == SQLITE_BLOB)
		strbuf_addf(&sb, "<blob %d bytes>", sqlite3_column_bytes(st, i));
	else if (t)
		strbuf_add_termsafe(&sb, t, (size_t)sqlite3_column_bytes(st, i));
	return strbuf_detach(&sb, NULL);
}

static void print_padded(FILE *out, const char *s, size_t w, bool last)
{
	size_t have = width(s);

	if (have > w) {
		/* Cut long cells at w code points, marking the cut. */
		size_t n = 0, cps = 0;
		while (s[n] && cps < w - 1) {
			n++;
			while (((unsigned char)s[n] & 0xc0) == 0x80)
				n++;
			cps++;
		}
		fwrite(s, 1, n, out);
		fputs("…", out);
		have = w;
	} else {
		fputs(s, out);
	}
	if (!last)
		fprintf(out, "%*s  ", (int)(w - have), "");
}

/* One line of the table: ncol cells, each padded to its width; the cells are freed. */
static void print_line(FILE *out, char **cells, const size_t *w, int ncol)
{
	for (int i = 0; i < ncol; i++) {
		print_padded(out, cells[i], w[i], i == ncol - 1);
		free(cells[i]);
	}
	fputc('\n', out);
}

/*
 * Rows are held until TABLE_BUFFER_ROWS have come (or the last one), so the column widths fit
 * them; the header and those rows are then printed, and any later row is printed as it comes,
 * with the widths already chosen.
 */
static int print_table(FILE *out, sqlite3_stmt *st)
{
	int ncol = sqlite3_column_count(st), rc, rows = 0;
	size_t *w = calloc((size_t)ncol, sizeof(*w)), nbuf = 0;
	char **buf = malloc(sizeof(char *) * (size_t)ncol * TABLE_BUFFER_ROWS);
	bool widths_fixed = false;

	for (int i = 0; i < ncol; i++)
		w[i] = width(sqlite3_column_name(st, i));
	for (;;) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			char **row = buf + nbuf++ * (size_t)ncol;
			for (int i = 0; i < ncol; i++) {
				size_t cw = width(row[i] = cell_text(st, i));
				if (!widths_fixed && cw > w[i])
					w[i] = cw > TABLE_MAX_WIDTH ? TABLE_MAX_WIDTH : cw;
			}
			rows++;
		}
		if (!widths_fixed && (rc != SQLITE_ROW || nbuf == TABLE_BUFFER_ROWS)) {
			for (int i = 0; i < ncol; i++)
				print_padded(out, sqlite3_column_name(st, i), w[i], i == ncol - 1);
			fputc('\n', out);
			widths_fixed = true;
		}
		if (widths_fixed) {
			for (size_t r = 0; r < nbuf; r++)
				print_line(out, buf + r * (size_t)ncol, w, ncol);
			nbuf = 0;
		}
		if (rc != SQLITE_ROW)
			break;
	}
	free(buf);
	free(w);
	return rc == SQLITE_DONE ? rows : -EIO;
}

static int print_csv(FILE *out, sqlite3_stmt *st)
{
	struct strbuf line = STRBUF_INIT;
	int ncol = sqlite3_column_count(st), rc, rows = 0;

	for (int i = 0; i < ncol; i++) {
		strbuf_addstr(&line, i ? "," : "");
		csvw_cell(&line, sqlite3_column_name(st, i));
	}
	strbuf_addstr(&line, "\r\n");
	fwrite(line.buf, 1, line.len, out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		strbuf_reset(&line);
		for (int i = 0; i < ncol; i++) {
			const char *t = (const char *)sqlite3_column_text(st, i);
			int type = sqlite3_column_type(st, i);
			strbuf_addstr(&line, i ? "," : "");
			if (type == SQLITE_INTEGER || type == SQLITE_FLOAT)
				strbuf_addstr(&line, t);
			else
				csvw_cell(&line, t);
		}
		strbuf_addstr(&line, "\r\n");
		fwrite(line.buf, 1, line.len, out);
		rows++;
	}
	strbuf_release(&line);
	return rc == SQLITE_DONE ? rows : -EIO;
}

static int print_json(FILE *out, sqlite3_stmt *st)
{
	struct strbuf sb = STRBUF_INIT;
	int ncol = sqlite3_column_count(st), rc, rows = 0;

	fputc('[', out);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct jsonw_obj o;
		strbuf_reset(&sb);
		if (rows++)
			strbuf_addch(&sb, ',');
		strbuf_addch(&sb, '\n');
		jsonw_begin(&o, &sb);
		for (int i = 0; i < ncol; i++) {
			const char *name = sqlite3_column_name(st, i);
			switch (sqlite3_column_type(st, i)) {
			case SQLITE_INTEGER:
				jsonw_key_i64(&o, name, sqlite3_column_int64(st, i));
				break;
			case SQLITE_FLOAT:
				jsonw_key(&o, name);
				strbuf_addf(&sb, "%.17g", sqlite3_column_double(st, i));
				break;
			case SQLITE_NULL:
				jsonw_key_str(&o, name, NULL);
				break;
			default:
				jsonw_key_strn(&o, name, (const char *)sqlite3_column_text(st, i),
					       (size_t)sqlite3_column_bytes(st, i));
			}
		}
		jsonw_end(&o);
		fwrite(sb.buf, 1, sb.len, out);
	}
	fputs(rows ? "\n]\n" : "]\n", out);
	strbuf_release(&sb);
	return rc == SQLITE_DONE ? rows : -EIO;
}

int resultset_print(FILE *out, sqlite3_stmt *st, enum resultset_format format)
{
	switch (format) {
	case RESULTSET_CSV: return print_csv(out, st);
	case RESULTSET_JSON: return print_json(out, st);
	case RESULTSET_TABLE: break;
	}
	return print_table(out, st);
}
