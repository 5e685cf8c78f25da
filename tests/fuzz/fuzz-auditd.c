/* fuzz-auditd: libFuzzer entry point for the auditd importer (records, assembly, sys-model). */
#include "fuzz-host.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	return fuzz_host("auditd", "fuzz.log", data, size);
}
