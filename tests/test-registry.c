/* test-registry: the importer table is complete and its probes decide as documented. */
#include <criterion/criterion.h>
#include <string.h>

#include "importer.h"
#include "testutil.h"

Test(registry, every_importer_is_a_complete_row)
{
	size_t n = 0;

	for (size_t i = 0; importers[i]; i++, n++) {
		const struct importer *imp = importers[i];
		cr_assert(imp->name && imp->name[0], "row %zu has no name", i);
		cr_assert(imp->summary && imp->summary[0], "%s has no summary", imp->name);
		cr_assert(imp->version && imp->version[0], "%s has no version", imp->name);
		cr_assert(imp->probe && imp->open && imp->next && imp->close, "%s lacks a call", imp->name);
		cr_assert_eq(importer_find(imp->name), imp, "%s is found by name", imp->name);
		for (size_t j = 0; j < i; j++)
			cr_assert_str_neq(importers[j]->name, imp->name, "two importers named %s", imp->name);
		/* Probes must cope with nothing at all. */
		cr_assert_eq(imp->probe((const uint8_t *)"", 0), 0, "%s claims an empty file", imp->name);
	}
	cr_assert_geq(n, 1);
	cr_assert_null(importer_find("no-such-format"));
}

struct probe_case {
	const char *head;
	const char *want; /* NULL: nobody claims it */
};

Test(registry, probes_pick_the_right_format)
{
	static const struct probe_case cases[] = {
		{ "{\"ts_ns\":1,\"source\":\"syscall\",\"type\":\"execve\",\"summary\":\"x\"}\n", "timeline-jsonl" },
		{ "{\"summary\":\"x\",\"source\":\"network\",\"type\":\"dns\",\"ts_ns\":5}", "timeline-jsonl" },
		{ "{\"ts\":\"2026-11-22T00:00:00Z\",\"message\":\"x\"}\n", NULL },
		{ "hello world\n", NULL },
		{ "\x00\x01\x02\x03", NULL },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = cases[i].head[0] ? strlen(cases[i].head) : 4;
		const struct importer *imp = importer_probe((const uint8_t *)cases[i].head, len);
		if (cases[i].want)
			cr_assert(imp && !strcmp(imp->name, cases[i].want), "case %zu: got %s", i, imp ? imp->name : "none");
		else
			cr_assert_null(imp, "case %zu claimed by %s", i, imp ? imp->name : "");
	}
}

Test(registry, list_formats_prints_every_row)
{
	struct strbuf out = STRBUF_INIT, err = STRBUF_INIT;

	cr_assert_eq(test_run(&out, &err, "import", "--list-formats", NULL), 0);
	for (size_t i = 0; importers[i]; i++)
		cr_assert_not_null(strstr(out.buf, importers[i]->name), "%s missing from --list-formats", importers[i]->name);
	strbuf_release(&out);
	strbuf_release(&err);
}
