/* custody: the case's chain-of-custody log — every action taken on a case (import, detect,
 * report, package, verify …), append-only and hash-chained, stored in the `custody` table.
 *
 * Each entry holds its sequence number, the time, the action, who did it, the command line,
 * the inputs' and outputs' SHA-256 and the previous entry's hash; its own hash is the SHA-256 of
 * a canonical serialisation (custody_canonical, documented in schema/README.md), so that a
 * changed, removed or reordered entry breaks every hash after it. The same serialisation, with
 * the hash added, is the line `custody_export_jsonl` writes: the log can be verified from the
 * case database or from its export alone (custody-log.jsonl in an evidence package).
 *
 * Ownership: entries returned by the readers own their strings; custody_entry_release frees
 * them. Library calls return 0 / a count or a negative errno with the reason in `err`.
 */
#ifndef BS_CUSTODY_H
#define BS_CUSTODY_H

#include <stddef.h>
#include <stdint.h>

#include "casedb.h"
#include "sha256.h"
#include "strbuf.h"

/* The prev_hash of the first entry. */
#define CUSTODY_GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

/* A file an action read or wrote: the name as given, and its SHA-256 (hex), or NULL if unknown. */
struct custody_file {
	char *name;
	char *sha256;
};

struct custody_entry {
	int64_t seq;
	char *time; /* RFC 3339 UTC */
	char *action;
	char *actor;
	char *command_line;
	struct custody_file *inputs, *outputs;
	size_t ninputs, noutputs;
	char prev_hash[SHA256_HEX_LEN + 1];
	char hash[SHA256_HEX_LEN + 1];
};

void custody_entry_release(struct custody_entry *e);

/* The bytes an entry's hash covers: one JSON object, keys in a fixed order, no hash. */
void custody_canonical(struct strbuf *sb, const struct custody_entry *e);

/* Append an entry after the last one (seq, time, prev_hash and hash are filled in). The entry's
 * files are copied; the caller keeps its own. Runs in its own transaction. */
int custody_append(struct casedb *cdb, const char *action, const char *actor, const char *command_line,
		   const struct custody_file *inputs, size_t ninputs, const struct custody_file *outputs,
		   size_t noutputs, struct strbuf *err);

/* Walk the chain stored in the case: one line per problem appended to `problems` (seq, what is
 * wrong). Returns the number of problems, or a negative errno when the case cannot be read. */
int custody_verify_db(struct casedb *cdb, struct strbuf *problems, struct strbuf *err);

/* Verify an exported log (JSONL text); `label` names it in the problem lines. Returns the number
 * of problems found (0: the chain is whole); ret_entries (optional) gets the count of entries and
 * ret_last_hash (optional, 65 bytes) the last entry's hash. */
int custody_verify_jsonl(const char *text, size_t len, const char *label, struct strbuf *problems,
			 size_t *ret_entries, char *ret_last_hash);

/* The whole log as JSONL, one canonical entry plus its hash per line, in seq order. */
int custody_export_jsonl(struct casedb *cdb, struct strbuf *out, struct strbuf *err);

/* Read every entry, in seq order (for bag-info's command lines). */
int custody_read_all(struct casedb *cdb, struct custody_entry **ret_entries, size_t *ret_n, struct strbuf *err);
void custody_entries_free(struct custody_entry *entries, size_t n);

/* "backsight ARG ..." with arguments that need it single-quoted for a POSIX shell. argv[0] is the
 * subcommand's name as main() passes it. The caller frees the result. */
char *custody_command_line(int argc, char **argv);

/* The actor: `by` when given, else the user name of the process, else "uid N". Never NULL; the
 * string lives until the next call. */
const char *custody_actor(const char *by);

#endif
