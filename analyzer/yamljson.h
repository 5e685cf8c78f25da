/* yamljson: read a small YAML (or JSON) document into a jansson value — the case file's loader.
 *
 * Ownership: *ret is a new reference the caller releases with json_decref.
 */
#ifndef BS_YAMLJSON_H
#define BS_YAMLJSON_H

#include <jansson.h>

#include "strbuf.h"

/* Parse the one document of `path`. Scalars: null, booleans and decimal integers as such when
 * unquoted, everything else a string. 0, or a negative errno with "path:line:col: what" in err. */
int yamljson_load_file(const char *path, json_t **ret, struct strbuf *err);

#endif
