/* jsonutil: path lookups, writing and redaction over jansson values; see jsonutil.h. */
#include "jsonutil.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "jsondump.h"

json_t *jsonu_get(json_t *obj, const char *path)
{
	const char *p = path;

	while (obj && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!json_is_object(obj))
			return NULL;
		obj = json_object_getn(obj, p, n);
		p += n + (dot ? 1 : 0);
	}
	return obj;
}

const char *jsonu_str(json_t *obj, const char *path)
{
	const char *s = json_string_value(jsonu_get(obj, path));

	return s && *s ? s : NULL;
}

void jsonu_write(struct strbuf *sb, const json_t *v)
{
	jsondump(sb, v, 0);
}

void jsonu_key_value(struct jsonw_obj *o, struct strbuf *sb, const char *key, const json_t *v)
{
	if (!v || json_is_null(v))
		return;
	jsonw_key(o, key);
	jsonu_write(sb, v);
}

static bool listed(const char *key, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		if (!strcasecmp(key, keys[i]))
			return true;
	return false;
}

int jsonu_redact(json_t *v, const char *const *keys)
{
	int n = 0;

	if (json_is_object(v)) {
		const char *key;
		json_t *m;
		json_object_foreach(v, key, m) {
			if (json_is_string(m) && listed(key, keys)) {
				if (strcmp(json_string_value(m), "HIDDEN_DUE_TO_SECURITY_REASONS") &&
				    strcmp(json_string_value(m), "REDACTED")) {
					json_string_set(m, "REDACTED");
					n++;
				}
			} else {
				n += jsonu_redact(m, keys);
			}
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			n += jsonu_redact(json_array_get(v, i), keys);
	}
	return n;
}

bool jsonu_may_hold(const void *data, size_t len, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		size_t klen = strlen(keys[i]);
		/* Compare from the second byte: key names differ in the case of their first letter. */
		if (klen > 1 && memmem(data, len, keys[i] + 1, klen - 1))
			return true;
	}
	return false;
}
