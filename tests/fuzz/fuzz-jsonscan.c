/* fuzz-jsonscan: jsonscan against jansson, differentially.
 *
 * jsonscan promises to accept only JSON that jansson accepts, and to give the same values. For
 * each input: when jscan_load takes it, json_loadb must take it too, as an object; every
 * top-level member (the last of duplicates; names that a dotted path cannot spell — empty or
 * holding a dot — are left out) and every member one level below must be the same
 * value whether written by jscan_write and read back or taken from jansson's tree; and jscan_str
 * must be jansson's string. A difference aborts. Built with -Dfuzz=true under clang:
 *   ./build-fuzz/tests/fuzz/fuzz-jsonscan -max_total_time=60 CORPUS_DIR ../shared/corpus/cloudtrail
 */
#include <jansson.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_member(struct jscan *s, int node, json_t *want)
{
	struct strbuf sb = STRBUF_INIT;
	json_t *got;
	const char *str;

	if (node < 0 || !want)
		abort();
	jscan_write(s, node, &sb);
	got = json_loadb(sb.buf, sb.len, JSON_DECODE_ANY, NULL);
	if (!got || !json_equal(got, want))
		abort();
	str = jscan_str(s, node);
	if (json_is_string(want) && json_string_length(want) > 0 && strlen(json_string_value(want)) == json_string_length(want)) {
		if (!str || strcmp(str, json_string_value(want)))
			abort();
	} else if (str && !json_is_string(want)) {
		abort();
	}
	json_decref(got);
	strbuf_release(&sb);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct jscan s;
	static bool ready;
	json_t *tree;
	const char *key;
	json_t *v;

	if (!ready) {
		jscan_init(&s);
		ready = true;
	}
	if (jscan_load(&s, data, size) != 0)
		return 0;
	tree = json_loadb((const char *)data, size, 0, NULL);
	if (!json_is_object(tree))
		abort();
	json_object_foreach(tree, key, v) {
		char path[256];
		int node;
		if (!*key || strchr(key, '.') || strlen(key) >= 128)
			continue;
		node = jscan_get(&s, 0, key);
		check_member(&s, node, v);
		if (json_is_object(v)) {
			const char *k2;
			json_t *v2;
			json_object_foreach(v, k2, v2) {
				if (!*k2 || strchr(k2, '.') || strlen(k2) >= 100)
					continue;
				snprintf(path, sizeof(path), "%s.%s", key, k2);
				check_member(&s, jscan_get(&s, 0, path), v2);
			}
		}
	}
	json_decref(tree);
	return 0;
}
