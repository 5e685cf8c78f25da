/* cloudtest: what the CloudTrail, Kubernetes audit and GuardDuty tests share — importing one
 * corpus file into a fresh case, SQL over the case, and the stored raw record of an event. */
#ifndef BS_CLOUDTEST_H
#define BS_CLOUDTEST_H

#include <stdint.h>

#include "strbuf.h"

/* An expectation for one corpus file: what `backsight import` must make of it. */
struct corpus_expect {
	const char *file;   /* name in ../shared/corpus/<dir>/ */
	int64_t events;     /* events stored */
	int64_t skipped;    /* records skipped */
	const char *status; /* ledger status: complete, partial, failed */
};

/* ../shared/corpus/<dir>/<file> (one of 8 static buffers used in turn). */
const char *cloud_corpus(const char *dir, const char *file);
/* Import the files (NULL-terminated) into a new case named `name` in the test directory;
 * returns the case path. The import's stdout/stderr go to out/err when not NULL. */
char *cloud_import(const char *name, struct strbuf *out, struct strbuf *err, const char *file, ...)
	__attribute__((sentinel));
int64_t cloud_int(const char *db, const char *sql);
/* Rows joined by '\n', columns by '|'. */
void cloud_text(const char *db, const char *sql, struct strbuf *out);
/* The decompressed raw record of an event. */
void cloud_raw(const char *db, int64_t event_id, struct strbuf *out);
/* Check every file of a corpus directory against a table: each file is imported into its own
 * case; a file in the directory without a row (other than PROVENANCE.md and oracles) fails. */
void cloud_check_corpus(const char *dir, const struct corpus_expect *table, size_t n);

#endif
