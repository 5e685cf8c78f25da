/* timeline: reading the merged timeline back out of a case, filtered, in time order, and the
 * writers that print it (text, jsonl, csv, timesketch). The writers read only what the query
 * returns; every string from evidence is escaped for the format it lands in. */
#ifndef BS_TIMELINE_H
#define BS_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "casedb.h"
#include "event.h"

struct timeline_filter {
	int64_t since, until;   /* ns; BS_NONE for open ends; until is exclusive */
	const char *sources;    /* comma-separated source names, or NULL */
	const char *host;
	const char *grep;       /* case-insensitive substring of summary or fields */
	int64_t limit;          /* 0: no limit */
	int64_t event_id;       /* one event only, or BS_NONE */
};

/* One row: the event as stored, plus its identity and provenance. Valid until the next step. */
struct timeline_row {
	int64_t id;
	struct bs_event ev;
	int64_t raw_length;
	int64_t process_id;
	const char *evidence_name;
	const char *evidence_sha256;
};

struct timeline_cursor;

void timeline_filter_init(struct timeline_filter *f);
int timeline_open(struct casedb *cdb, const struct timeline_filter *f, struct timeline_cursor **ret_cursor,
		  struct strbuf *err);
/* 1 with a row, 0 at the end, < 0 on error. */
int timeline_next(struct timeline_cursor *c, struct timeline_row *ret_row);
void timeline_close(struct timeline_cursor *c);

struct timeline_writer {
	const char *name;
	const char *description;
	void (*begin)(FILE *out);
	void (*row)(FILE *out, const struct timeline_row *row, struct strbuf *scratch);
};

extern const struct timeline_writer timeline_writers[];
const struct timeline_writer *timeline_writer_find(const char *name);

/* The JSON object of one row, as `timeline --format jsonl` writes it (no newline). */
void timeline_row_json(struct strbuf *sb, const struct timeline_row *row);

#endif
