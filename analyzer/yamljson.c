/* yamljson: a small YAML document read into a jansson value, for the case file.
 *
 * Follows YAML 1.1 as libyaml parses it (yaml_parser_load: one document, anchors and aliases
 * resolved by the library) and the core schema's plain-scalar resolution, reduced to what a
 * configuration file needs: `null`, `~` and the empty plain scalar are null; `true`/`false`
 * (any case) are booleans; a plain decimal integer that fits int64 is an integer; every other
 * scalar, and every quoted one, is a string (so `10.0.1.23` and `i-0a1b...` stay strings).
 * Mapping keys must be scalars; a repeated key is an error, as in JSON tools that check.
 * JSON is valid YAML, but libyaml locates JSON syntax errors poorly: a file that opens with
 * '{' or '[' is read with jansson first, and its error is the one reported when YAML cannot
 * read the file either.
 *
 * Errors name the file, line and column (1-based) and what was wrong.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yaml.h>

#include "yamljson.h"

#define MAX_DEPTH 64

static json_t *scalar(const yaml_node_t *n)
{
	const char *s = (const char *)n->data.scalar.value;
	size_t len = n->data.scalar.length;
	char *end;
	long long v;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(s, len);
	if (len == 0 || !strcmp(s, "~") || !strcasecmp(s, "null"))
		return json_null();
	if (!strcasecmp(s, "true"))
		return json_true();
	if (!strcasecmp(s, "false"))
		return json_false();
	if ((s[0] >= '0' && s[0] <= '9') || ((s[0] == '-' || s[0] == '+') && len > 1)) {
		errno = 0;
		v = strtoll(s, &end, 10);
		if (!errno && end == s + len)
			return json_integer(v);
	}
	return json_stringn(s, len);
}

static json_t *convert(const char *path, yaml_document_t *doc, yaml_node_t *n, int depth, struct strbuf *err)
{
	json_t *out;

	if (!n)
		return json_null();
	if (depth > MAX_DEPTH) {
		strbuf_addf(err, "%s:%zu:%zu: nested deeper than %d levels", path, n->start_mark.line + 1,
			    n->start_mark.column + 1, MAX_DEPTH);
		return NULL;
	}
	switch (n->type) {
	case YAML_SCALAR_NODE:
		out = scalar(n);
		if (!out)
			strbuf_addf(err, "%s:%zu:%zu: a value that is not valid UTF-8", path, n->start_mark.line + 1,
				    n->start_mark.column + 1);
		return out;
	case YAML_SEQUENCE_NODE:
		out = json_array();
		for (yaml_node_item_t *i = n->data.sequence.items.start; i < n->data.sequence.items.top; i++) {
			json_t *v = convert(path, doc, yaml_document_get_node(doc, *i), depth + 1, err);
			if (!v) {
				json_decref(out);
				return NULL;
			}
			json_array_append_new(out, v);
		}
		return out;
	case YAML_MAPPING_NODE:
		out = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			json_t *v;
			char *key;

			if (!k || k->type != YAML_SCALAR_NODE) {
				strbuf_addf(err, "%s:%zu:%zu: a mapping key must be a plain value", path,
					    (k ? k->start_mark.line : n->start_mark.line) + 1,
					    (k ? k->start_mark.column : n->start_mark.column) + 1);
				json_decref(out);
				return NULL;
			}
			key = strndup((const char *)k->data.scalar.value, k->data.scalar.length);
			if (!key)
				abort();
			if (json_object_get(out, key)) {
				strbuf_addf(err, "%s:%zu:%zu: key '%s' given twice", path, k->start_mark.line + 1,
					    k->start_mark.column + 1, key);
				free(key);
				json_decref(out);
				return NULL;
			}
			v = convert(path, doc, yaml_document_get_node(doc, p->value), depth + 1, err);
			if (!v || json_object_set_new(out, key, v) < 0) {
				if (v) {
					json_decref(v);
					strbuf_addf(err, "%s:%zu:%zu: a key that is not valid UTF-8", path,
						    k->start_mark.line + 1, k->start_mark.column + 1);
				}
				free(key);
				json_decref(out);
				return NULL;
			}
			free(key);
		}
		return out;
	default:
		return json_null();
	}
}

int yamljson_load_file(const char *path, json_t **ret, struct strbuf *err)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_error_t je;
	json_t *v;
	bool json_like = false;
	int c;
	FILE *f = fopen(path, "rb");

	if (!f) {
		int e = errno;
		strbuf_addf(err, "%s: %s", path, strerror(e));
		return -e;
	}
	while ((c = getc(f)) == ' ' || c == '\t' || c == '\n' || c == '\r')
		;
	if (c == '{' || c == '[') {
		json_like = true;
		rewind(f);
		v = json_loadf(f, 0, &je);
		if (v) {
			fclose(f);
			*ret = v;
			return 0;
		}
	}
	rewind(f);
	if (!yaml_parser_initialize(&parser))
		abort();
	yaml_parser_set_input_file(&parser, f);
	if (!yaml_parser_load(&parser, &doc)) {
		if (json_like) {
			strbuf_addf(err, "%s:%d:%d: %s", path, je.line, je.column, je.text);
			yaml_parser_delete(&parser);
			fclose(f);
			return -EINVAL;
		}
		/* where the construct began (libyaml's context), then where it went wrong */
		if (parser.context)
			strbuf_addf(err, "%s:%zu:%zu: %s, %s at %zu:%zu", path, parser.context_mark.line + 1,
				    parser.context_mark.column + 1, parser.context,
				    parser.problem ? parser.problem : "not a YAML document", parser.problem_mark.line + 1,
				    parser.problem_mark.column + 1);
		else
			strbuf_addf(err, "%s:%zu:%zu: %s", path, parser.problem_mark.line + 1,
				    parser.problem_mark.column + 1, parser.problem ? parser.problem : "not a YAML document");
		yaml_parser_delete(&parser);
		fclose(f);
		return -EINVAL;
	}
	if (!yaml_document_get_root_node(&doc)) {
		strbuf_addf(err, "%s: empty document", path);
		yaml_document_delete(&doc);
		yaml_parser_delete(&parser);
		fclose(f);
		return -EINVAL;
	}
	v = convert(path, &doc, yaml_document_get_root_node(&doc), 0, err);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	fclose(f);
	if (!v)
		return -EINVAL;
	*ret = v;
	return 0;
}
