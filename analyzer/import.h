/* import: the driver that takes evidence paths into a case — the `import` pipeline stage.
 *
 * For each file: a quick duplicate check against the ledger, a stream (decompressed, hashed),
 * format detection by the importer registry's probes (or a forced format), the importer's
 * open/next/close loop into a loader, and the ledger row completed with hashes, counts, time
 * span and status. A file that fails is recorded as 'failed' and the others still import.
 */
#ifndef BS_IMPORT_H
#define BS_IMPORT_H

#include <stdbool.h>
#include <stdint.h>

#include "casedb.h"
#include "importer.h"

enum import_outcome {
	IMPORT_COMPLETE,
	IMPORT_PARTIAL,
	IMPORT_DUPLICATE,
	IMPORT_FAILED,
};

struct import_result {
	enum import_outcome outcome;
	int64_t evidence_id;
	const char *format;
	uint64_t events, skipped;
	int64_t first_ts, last_ts;
	uint64_t bytes;
	struct strbuf message; /* why it failed, where it was cut, what it duplicates */
};

/* Called as the import of a file advances (bytes of the file read so far, and its size or 0). */
typedef void (*import_progress_fn)(void *userdata, const char *path, uint64_t done, uint64_t total);

struct import_options {
	const char *format; /* NULL: detect */
	const struct importer *importer; /* overrides format (benchmarks, tests) */
	struct imp_options imp;
	import_progress_fn progress;
	void *progress_userdata;
};

/* The options that shape a file's events (a forced format, --host, --date, --tz) as the JSON
 * object the ledger keeps in evidence.options, so that the import can be made again; nothing
 * when none was given. */
void import_options_json(const struct import_options *o, struct strbuf *out);

void import_result_init(struct import_result *res);
void import_result_release(struct import_result *res);

/* Import one file ("-" for stdin). Returns 0 whatever the outcome, < 0 when the case database
 * itself failed (then err says why and nothing of this file is left in the case). */
int import_file(struct casedb *cdb, const char *path, const struct import_options *opts,
		struct import_result *res, struct strbuf *err);

#endif
