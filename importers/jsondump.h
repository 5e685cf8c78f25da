/* jsondump: write a jansson value as JSON text through jsonw, so that every string is escaped
 * the way backsight's outputs need ('<', '>' and '&' as \u003c.., invalid UTF-8 replaced).
 *
 * The JSON importers write `fields` values with it (jsonu_write), and the report writers build
 * their documents with jansson (objects keep insertion order, so the
 * output is deterministic) and serialise them here; the HTML report relies on the escaping to
 * embed the case as one JSON blob that cannot close its <script> element.
 *
 * Ownership: nothing is kept; the caller owns both the value and the strbuf.
 */
#ifndef BS_JSONDUMP_H
#define BS_JSONDUMP_H

#include <jansson.h>

#include "strbuf.h"

/* Append v to sb; indent 0 writes compact JSON, otherwise that many spaces per level. */
void jsondump(struct strbuf *sb, const json_t *v, int indent);

#endif
