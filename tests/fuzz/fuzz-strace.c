/* fuzz-strace: libFuzzer entry point for the strace importer (lines, joins, sys-model). The
 * name carries a pid suffix, as an -ff file's does. */
#include "fuzz-host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_host("strace", "trace.4242", data, size);
}
