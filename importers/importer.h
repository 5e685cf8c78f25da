/* importer: the interface every evidence format implements, and the registry of formats.
 *
 * An importer is a row of `importers[]` (registry.c): a name, a one-line summary, a version, a
 * probe and three calls. The import driver (analyzer/import.c) opens the evidence as a stream,
 * asks each probe in turn about the first bytes, then calls open, next until it returns 0, and
 * close. next() reads a record (or a few) from ctx->in and hands events to imp_emit(); it
 * returns 1 to be called again, 0 at the end, or a negative errno when nothing more of the file
 * can be trusted (after calling imp_truncated to say where and why).
 *
 * Damage is reported, never fatal: a record that cannot be parsed is reported with
 * imp_skipped() and the importer moves on to the next one it can find; a file cut short is
 * reported with imp_truncated() and imports up to its last good record.
 *
 * Ownership: the context and everything in it belong to the driver. An importer's state is
 * created by open and freed by close (which accepts NULL).
 */
#ifndef BS_IMPORTER_H
#define BS_IMPORTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "reader.h"
#include "strbuf.h"

/* How many bytes of the decompressed stream the probes see. */
#define IMP_PROBE_LEN 4096

/* Where an importer's events and processes go: the case database, or a test's collector. */
struct imp_sink {
	/* 0 stored, 1 already in the case (same source and dedup_key), or a negative errno. */
	int (*event)(void *userdata, const struct bs_event *ev);
	int (*process)(void *userdata, const struct bs_process *p);
	void *userdata;
	/* A document of the evidence that is not a timeline event (a CloudTrail digest); may be NULL. */
	int (*document)(void *userdata, const char *kind, uint64_t offset, const char *body);
};

/* Options a user can give an import; all optional. */
struct imp_options {
	const char *host;     /* host name for sources that do not name one */
	const char *date;     /* YYYY-MM-DD for sources whose times lack a date */
	int tz_offset_sec;    /* zone of such sources' times, seconds east of UTC */
	bool tz_set;
};

struct imp_issue_log; /* the driver's record of damage; see imp_skipped */

struct imp_ctx {
	const char *path;           /* the name the user gave, for messages */
	struct reader *in;
	const struct imp_options *opts;
	struct imp_sink sink;

	/* Kept by imp_emit / imp_skipped / imp_truncated; read by the driver. */
	uint64_t events, skipped;
	uint64_t duplicates;        /* events the case already held (see bs_event.dedup_key) */
	int64_t first_ts, last_ts;
	bool partial;
	uint64_t partial_offset;
	struct strbuf partial_reason;
	struct strbuf assumptions;  /* e.g. "dates taken from --date 2026-11-02" */
	int sink_error;             /* first error the sink returned; stops the import */

	/* Damage messages for the ledger: the first IMP_MAX_ISSUES are kept verbatim. */
	void (*issue)(void *userdata, uint64_t offset, const char *severity, const char *msg);
	void *issue_userdata;
};

#define IMP_MAX_ISSUES 1000

struct importer {
	const char *name;
	const char *summary;
	const char *version;
	/* How sure the format is that `head` (the first bytes, maybe fewer than IMP_PROBE_LEN) is
	 * its own: 0 not at all, 100 certain from a magic number; text formats answer in between. */
	int (*probe)(const uint8_t *head, size_t len);
	int (*open)(struct imp_ctx *ctx, void **ret_state);
	int (*next)(struct imp_ctx *ctx, void *state);
	void (*close)(void *state);
};

extern const struct importer *const importers[];

const struct importer *importer_find(const char *name);
/* The importer whose probe is surest of `head`, or NULL when none claims it. */
const struct importer *importer_probe(const uint8_t *head, size_t len);

void imp_ctx_init(struct imp_ctx *ctx, const char *path, struct reader *in, const struct imp_options *opts,
		  struct imp_sink sink);
void imp_ctx_release(struct imp_ctx *ctx);

/* Hand one event to the sink. Returns 0 (stored or counted as a duplicate), or the sink's
 * negative errno (stop importing). */
int imp_emit(struct imp_ctx *ctx, const struct bs_event *ev);
/* Keep a document that is not an event (kind e.g. "cloudtrail-digest", body JSON text). */
int imp_document(struct imp_ctx *ctx, const char *kind, uint64_t offset, const char *body);
int imp_process(struct imp_ctx *ctx, const struct bs_process *p);
/* A record at `offset` was damaged and skipped. */
void imp_skipped(struct imp_ctx *ctx, uint64_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Something worth telling that lost nothing. */
void imp_warning(struct imp_ctx *ctx, uint64_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Nothing after `offset` can be trusted: the file is imported as `partial`. */
void imp_truncated(struct imp_ctx *ctx, uint64_t offset, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Record an assumption the import had to make (joined with "; " in the ledger). */
void imp_assume(struct imp_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
