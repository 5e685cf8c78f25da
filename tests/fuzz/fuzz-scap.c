/* fuzz-scap: libFuzzer entry point for the .scap importer (blocks, process/fd/user tables,
 * event decoding with and without a parameter count, enter/exit merging, sys-model). */
#include "fuzz-host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_host("scap", "fuzz.scap", data, size);
}
