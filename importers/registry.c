/* registry: the table of evidence formats, and format detection by probing. */
#include "importer.h"

#include <string.h>

extern const struct importer imp_timeline_jsonl;
extern const struct importer imp_pcap;
extern const struct importer imp_auditd;
extern const struct importer imp_scap;
extern const struct importer imp_strace;
extern const struct importer imp_cloudtrail;
extern const struct importer imp_k8s_audit;
extern const struct importer imp_guardduty;

/* Probed in this order; on a tie the earlier row wins, so put stricter probes first. */
const struct importer *const importers[] = {
	&imp_scap,
	&imp_pcap,
	&imp_timeline_jsonl,
	&imp_auditd,
	&imp_strace,
	&imp_guardduty,
	&imp_k8s_audit,
	&imp_cloudtrail,
	NULL,
};

const struct importer *importer_find(const char *name)
{
	for (size_t i = 0; importers[i]; i++)
		if (!strcmp(importers[i]->name, name))
			return importers[i];
	return NULL;
}

const struct importer *importer_probe(const uint8_t *head, size_t len)
{
	const struct importer *best = NULL;
	int best_score = 0;

	for (size_t i = 0; importers[i]; i++) {
		int score = importers[i]->probe(head, len);
		if (score > best_score) {
			best = importers[i];
			best_score = score;
		}
	}
	return best;
}
