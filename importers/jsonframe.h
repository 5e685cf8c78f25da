/* jsonframe: find the byte span of each record in a stream of JSON, without parsing it.
 *
 * Cloud logs come as one JSON value per line (JSON Lines), as concatenated pretty-printed values,
 * or as one huge object whose array member holds the records (`{"Records":[…]}` for CloudTrail,
 * `{"Events":[…]}` for `aws cloudtrail lookup-events`, `{"items":[…]}` for a Kubernetes
 * EventList). Loading a 1 GB container with jansson would need gigabytes, so the framer only
 * tracks strings, escapes and bracket nesting to cut the stream into records, and each record is
 * then parsed alone with json_loadb. That is framing, not parsing: the framer never decodes a
 * value, and jansson decides whether a record is valid JSON.
 *
 * A top-level object that has a member named in `containers` whose value is an array is streamed
 * element by element (its other members are skipped); any other top-level object, and each
 * element of a top-level array, is one record. Memory is bounded by the largest record
 * (READER_MAX at most).
 *
 * Errors: a top-level value that is not JSON is reported and skipped up to the next line that
 * starts with '{' or '['; damage inside a container array, or a file ending inside a value, is
 * fatal for the rest of the file (`fatal` set), since nothing after it can be framed reliably.
 *
 * Ownership: spans point into the reader's window and are valid until the next jframe_next.
 */
#ifndef BS_JSONFRAME_H
#define BS_JSONFRAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "reader.h"
#include "strbuf.h"

#define JFRAME_MAX_DEPTH 1024

struct jframe_record {
	const uint8_t *data;
	size_t len;
	uint64_t offset;       /* in the decompressed stream */
	const char *container; /* the member the record was an element of ("" for a top-level array), or NULL */
	uint64_t index;        /* 0-based position within that container, or among top-level values */
};

struct jframe {
	const char *const *containers; /* NULL-terminated */
	int state;
	size_t pending; /* bytes of the last record still to consume */
	char container[32];
	uint64_t index, top_index;
	bool fatal;
	uint64_t err_offset; /* where the damaged record begins (top level) or the damage is (fatal) */
	struct strbuf err;
	uint8_t stack[JFRAME_MAX_DEPTH];
};

void jframe_init(struct jframe *f, const char *const *containers);
void jframe_release(struct jframe *f);

/*
 * The next record. Returns 1 with *ret, 0 at the end of the stream, or -EBADMSG when a value
 * could not be framed: f->err says why and f->err_offset where; when f->fatal is false the
 * framer has already moved past the damage and the caller may call again.
 */
int jframe_next(struct jframe *f, struct reader *r, struct jframe_record *ret);

/* Does `data` start (after white space and a UTF-8 BOM) with c? */
bool jframe_starts_with(const uint8_t *data, size_t len, char c);

#endif
