/* jsondump: jansson values to JSON text through jsonw's escaping (see jsondump.h). */
#include <math.h>
#include <stdio.h>

#include "jsondump.h"
#include "jsonw.h"

static void newline(struct strbuf *sb, int indent, int depth)
{
	if (!indent)
		return;
	strbuf_addch(sb, '\n');
	for (int i = 0; i < indent * depth; i++)
		strbuf_addch(sb, ' ');
}

static void real(struct strbuf *sb, double d)
{
	if (!isfinite(d)) {
		strbuf_addstr(sb, "null");
		return;
	}
	if (d == (double)(long long)d && fabs(d) < 1e15) {
		strbuf_addf(sb, "%lld.0", (long long)d);
		return;
	}
	strbuf_addf(sb, "%.15g", d);
}

static void dump(struct strbuf *sb, const json_t *v, int indent, int depth)
{
	const char *key;
	json_t *val;
	size_t i, n, klen;

	switch (json_typeof(v)) {
	case JSON_OBJECT:
		if (!json_object_size(v)) {
			strbuf_addstr(sb, "{}");
			break;
		}
		strbuf_addch(sb, '{');
		n = 0;
		json_object_keylen_foreach((json_t *)v, key, klen, val) {
			if (n++)
				strbuf_addch(sb, ',');
			newline(sb, indent, depth + 1);
			jsonw_string(sb, key, klen);
			strbuf_addstr(sb, indent ? ": " : ":");
			dump(sb, val, indent, depth + 1);
		}
		newline(sb, indent, depth);
		strbuf_addch(sb, '}');
		break;
	case JSON_ARRAY:
		if (!json_array_size(v)) {
			strbuf_addstr(sb, "[]");
			break;
		}
		strbuf_addch(sb, '[');
		json_array_foreach(v, i, val) {
			if (i)
				strbuf_addch(sb, ',');
			newline(sb, indent, depth + 1);
			dump(sb, val, indent, depth + 1);
		}
		newline(sb, indent, depth);
		strbuf_addch(sb, ']');
		break;
	case JSON_STRING:
		jsonw_string(sb, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		strbuf_addi64(sb, (long long)json_integer_value(v));
		break;
	case JSON_REAL:
		real(sb, json_real_value(v));
		break;
	case JSON_TRUE:
		strbuf_addstr(sb, "true");
		break;
	case JSON_FALSE:
		strbuf_addstr(sb, "false");
		break;
	default:
		strbuf_addstr(sb, "null");
		break;
	}
}

void jsondump(struct strbuf *sb, const json_t *v, int indent)
{
	if (!v) {
		strbuf_addstr(sb, "null");
		return;
	}
	dump(sb, v, indent, 0);
}
