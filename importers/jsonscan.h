/* jsonscan: check one JSON object against RFC 8259 and index its members, without building values.
 *
 * Why: jansson builds a tree of allocated values and reads its input a byte at a time through a
 * stream callback; on CloudTrail records that is ~20 MB/s, slower than the rest of an import put
 * together, although an importer reads a few dozen members of each record and copies the rest
 * (requestParameters, responseElements …) whole into `fields`. jsonscan makes one pass over the
 * bytes: it checks the grammar (strings, escapes, UTF-8, numbers, literals, nesting) and records,
 * for every object member outside arrays, the spans of its name and value. Lookups by dotted path
 * then walk the index; a string value without escapes is its bytes, one with escapes is decoded by
 * jansson; a value copied into `fields` is its span, with white space dropped and '<', '>', '&'
 * and DEL escaped as jsonw escapes them, so it is the same JSON jsondump writes from a jansson tree
 * (numbers keep their spelling).
 *
 * jsonscan accepts a subset of what jansson accepts and never more: it declines (returns
 * -EAGAIN) anything it does not take on itself — numbers with an exponent or more than 15
 * digits, \u escapes of surrogates or NUL, member names with escapes, nesting deeper than
 * JSCAN_MAX_DEPTH — and the caller then parses the record with jansson, which decides whether it
 * is valid and says why not. So a record jansson rejects is never imported through jsonscan.
 *
 * Ownership: the scanner keeps a pointer to the data given to jscan_load, valid until the next
 * jscan_load; strings returned by jscan_str live in the scanner until then.
 */
#ifndef BS_JSONSCAN_H
#define BS_JSONSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "strbuf.h"

#define JSCAN_MAX_DEPTH 64

enum jscan_type { JSCAN_OBJECT, JSCAN_ARRAY, JSCAN_STRING, JSCAN_NUMBER, JSCAN_TRUE, JSCAN_FALSE, JSCAN_NULL };

struct jscan_node {
	uint32_t key, key_len; /* the member name's bytes (inside the quotes) */
	uint32_t val, val_len; /* the value's bytes (strings with their quotes) */
	int32_t next;          /* the next member of the same object, or -1 */
	int32_t child;         /* an object's first member, or -1 */
	int32_t dec;           /* offset of the decoded string in `dec`, or -1 */
	uint8_t type;          /* enum jscan_type */
	bool escaped;          /* a string holding a backslash escape */
};

struct jscan {
	const char *data;
	size_t len;
	struct jscan_node *nodes; /* nodes[0] is the top-level object */
	size_t count, cap;
	struct strbuf dec;
};

void jscan_init(struct jscan *s);
void jscan_release(struct jscan *s);

/* Check and index one JSON object (white space around it allowed). 0, -EAGAIN when the caller
 * must ask jansson (invalid JSON, or JSON jsonscan does not take on), or -ENOMEM. */
int jscan_load(struct jscan *s, const void *data, size_t len);

/* The node of the value at a dotted path below `from` (0: the top level), or -1. With duplicate
 * member names the last one counts, as in jansson. */
int jscan_get(const struct jscan *s, int from, const char *path);
/* Has the top-level object a member of that name? */
static inline bool jscan_has(const struct jscan *s, const char *name)
{
	return jscan_get(s, 0, name) >= 0;
}
/* The node's string value when it is a non-empty string, else NULL. */
const char *jscan_str(struct jscan *s, int node);
/* Append the node's value as compact JSON (see above). */
void jscan_write(const struct jscan *s, int node, struct strbuf *sb);

#endif
