/* testutil: shared test helpers; see testutil.h. */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

const char *test_bin(void)
{
	const char *bin = getenv("BACKSIGHT_BIN");
	return bin ? bin : "backsight";
}

const char *test_source_root(void)
{
	const char *root = getenv("BACKSIGHT_SOURCE_ROOT");
	return root ? root : TEST_SOURCE_ROOT;
}

const char *test_shared_dir(void)
{
	static char path[4096];
	static int known = -1;
	struct stat st;

	if (known < 0) {
		const char *env = getenv("BACKSIGHT_SHARED");
		if (env)
			snprintf(path, sizeof(path), "%s", env);
		else
			snprintf(path, sizeof(path), "%s/../shared", test_source_root());
		known = stat(path, &st) == 0 && S_ISDIR(st.st_mode);
	}
	return known ? path : NULL;
}

static char tmpdir[4096];

static void remove_tmpdir(void)
{
	char cmd[4200];

	if (tmpdir[0] && !getenv("BACKSIGHT_KEEP_TMP")) {
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(stderr, "could not remove %s\n", tmpdir);
	}
}

const char *test_tmpdir(void)
{
	if (!tmpdir[0]) {
		const char *base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
		snprintf(tmpdir, sizeof(tmpdir), "%s/backsight-test-XXXXXX", base);
		if (!mkdtemp(tmpdir)) {
			perror("mkdtemp");
			abort();
		}
		atexit(remove_tmpdir);
	}
	return tmpdir;
}

static void **kept;
static size_t nkept;

static void free_kept(void)
{
	for (size_t i = 0; i < nkept; i++)
		free(kept[i]);
	free(kept);
}

void *test_keep(void *p)
{
	if (!nkept)
		atexit(free_kept);
	kept = realloc(kept, (nkept + 1) * sizeof(*kept));
	kept[nkept++] = p;
	return p;
}

char *test_path(const char *name)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_addf(&sb, "%s/%s", test_tmpdir(), name);
	return strbuf_detach(&sb, NULL);
}

char *test_file(const char *name)
{
	return test_keep(test_path(name));
}

static void slurp(int fd, struct strbuf *out)
{
	char buf[65536];
	ssize_t n;

	while ((n = read(fd, buf, sizeof(buf))) > 0)
		if (out)
			strbuf_add(out, buf, (size_t)n);
}

static int wait_status(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	if (WIFEXITED(status))
		return WEXITSTATUS(status);
	return 128 + WTERMSIG(status);
}

int test_run(struct strbuf *out, struct strbuf *err, const char *arg, ...)
{
	const char *argv[64];
	char errpath[] = "/tmp/backsight-test-err-XXXXXX";
	int outpipe[2], errfd, argc = 0, status;
	va_list ap;
	pid_t pid;

	argv[argc++] = test_bin();
	va_start(ap, arg);
	for (const char *a = arg; a && argc < 63; a = va_arg(ap, const char *))
		argv[argc++] = a;
	va_end(ap);
	argv[argc] = NULL;
	errfd = mkstemp(errpath);
	if (errfd < 0 || pipe(outpipe) < 0)
		abort();
	unlink(errpath);
	pid = fork();
	if (pid == 0) {
		dup2(outpipe[1], STDOUT_FILENO);
		dup2(errfd, STDERR_FILENO);
		close(outpipe[0]);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(outpipe[1]);
	slurp(outpipe[0], out);
	close(outpipe[0]);
	status = wait_status(pid);
	lseek(errfd, 0, SEEK_SET);
	slurp(errfd, err);
	close(errfd);
	return status;
}

int test_sh(struct strbuf *out, const char *fmt, ...)
{
	struct strbuf cmd = STRBUF_INIT;
	va_list ap;
	FILE *p;
	char buf[65536];
	size_t n;
	int status;

	va_start(ap, fmt);
	strbuf_vaddf(&cmd, fmt, ap);
	va_end(ap);
	p = popen(cmd.buf, "r");
	strbuf_release(&cmd);
	if (!p)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		if (out)
			strbuf_add(out, buf, n);
	status = pclose(p);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool test_read_file(const char *path, struct strbuf *out)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return false;
	slurp(fd, out);
	close(fd);
	return true;
}

bool test_write_file(const char *path, const void *data, size_t len)
{
	FILE *f = fopen(path, "wb");
	bool ok;

	if (!f)
		return false;
	ok = fwrite(data, 1, len, f) == len;
	return fclose(f) == 0 && ok;
}
