/* custody-log: custody entries of detect, analyze and report; see custody-log.h. */
#include "custody-log.h"

#include <errno.h>
#include <stdlib.h>

#include "bagit.h"
#include "custody.h"

int custody_log_detect(struct casedb *cdb, const struct ruleset *rs, const struct indicator_set *iocs,
		       const char *command_line, struct strbuf *err)
{
	size_t nlists = 0, n = 0;
	const struct indicator_list *lists = iocs ? indicator_set_lists(iocs, &nlists) : NULL;
	struct custody_file *inputs = calloc(rs->nfiles + nlists + 1, sizeof(*inputs));
	int r;

	if (!inputs)
		return -ENOMEM;
	for (size_t i = 0; i < rs->nfiles; i++, n++) {
		inputs[n].name = rs->files[i]->path;
		inputs[n].sha256 = rs->files[i]->sha256;
	}
	for (size_t i = 0; i < nlists; i++, n++) {
		inputs[n].name = lists[i].path;
		inputs[n].sha256 = (char *)lists[i].sha256;
	}
	r = custody_append(cdb, "detect", custody_actor(NULL), command_line, inputs, n, NULL, 0, err);
	free(inputs);
	return r;
}

int custody_log_analyze(struct casedb *cdb, const char *case_file, const char *command_line, struct strbuf *err)
{
	char hex[SHA256_HEX_LEN + 1];
	struct custody_file input = { .name = (char *)case_file, .sha256 = hex };

	if (case_file && bag_hash_file(case_file, hex, NULL, err) < 0)
		return -EIO;
	return custody_append(cdb, "analyze", custody_actor(NULL), command_line, &input, case_file ? 1 : 0, NULL, 0,
			      err);
}

int custody_log_report(struct casedb *cdb, const char *const *files, size_t nfiles, const char *command_line,
		       struct strbuf *err)
{
	struct custody_file *outputs = calloc(nfiles ? nfiles : 1, sizeof(*outputs));
	char (*hex)[SHA256_HEX_LEN + 1] = calloc(nfiles ? nfiles : 1, sizeof(*hex));
	int r = 0;

	if (!outputs || !hex) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < nfiles && r == 0; i++) {
		outputs[i].name = (char *)files[i];
		outputs[i].sha256 = hex[i];
		r = bag_hash_file(files[i], hex[i], NULL, err);
	}
	if (r == 0)
		r = custody_append(cdb, "report", custody_actor(NULL), command_line, NULL, 0, outputs, nfiles, err);
out:
	free(outputs);
	free(hex);
	return r;
}
