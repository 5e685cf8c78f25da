/* fuzz-package: a libFuzzer entry point for what `backsight verify` parses from a bag it is
 * handed, which an auditor must be able to open whoever made it: a custody log (custody-log.jsonl),
 * a minisign public key, bag-info labels, and the redaction scan every exported text goes
 * through. Built with -Dfuzz=true under clang; run ./build-fuzz/tests/fuzz/fuzz-package CORPUS_DIR.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bagit.h"
#include "custody.h"
#include "minisig.h"
#include "redact.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf problems = STRBUF_INIT, red = STRBUF_INIT, err = STRBUF_INIT;
	struct minisig_pubkey pub;
	char last[SHA256_HEX_LEN + 1], *text = malloc(size + 1), *v;
	size_t entries;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	custody_verify_jsonl((const char *)data, size, "fuzz", &problems, &entries, last);
	redact_secrets((const char *)data, size, &red);
	minisig_pubkey_parse(text, &pub, &err);
	v = bag_info_get(text, "Payload-Oxum");
	free(v);
	free(text);
	strbuf_release(&problems);
	strbuf_release(&red);
	strbuf_release(&err);
	return 0;
}
