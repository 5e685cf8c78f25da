/* testutil: what the tests share — paths to the binary, the sources and ../shared, temporary
 * directories, running the CLI, and reading files. */
#ifndef BS_TESTUTIL_H
#define BS_TESTUTIL_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

/* The backsight binary under test, the source tree, and ../shared (NULL when absent). */
const char *test_bin(void);
const char *test_source_root(void);
const char *test_shared_dir(void);

/* Skip the current test, visibly, when ../shared is not beside the checkout. */
#define REQUIRE_SHARED()                                                                           \
	do {                                                                                       \
		if (!test_shared_dir())                                                            \
			cr_skip_test("../shared is absent: corpus test skipped");                 \
	} while (0)

/* A fresh directory under $TMPDIR, removed at exit. Returned string lives until exit. */
const char *test_tmpdir(void);
/* test_tmpdir()/name, for the caller to free. */
char *test_path(const char *name);
/* The same, kept until the test process exits (do not free it). */
char *test_file(const char *name);
/* Free p when the test process exits; returns p. */
void *test_keep(void *p);

/* Run `backsight ARGS...` (NULL-terminated), capturing stdout and stderr; returns the exit code. */
int test_run(struct strbuf *out, struct strbuf *err, const char *arg, ...) __attribute__((sentinel));
/* Run a shell command line, capturing stdout; returns the exit status. */
int test_sh(struct strbuf *out, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

bool test_read_file(const char *path, struct strbuf *out);
bool test_write_file(const char *path, const void *data, size_t len);

#endif
