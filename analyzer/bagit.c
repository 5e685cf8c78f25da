/* bagit: writing and checking BagIt 1.0 bags (RFC 8493); see bagit.h. */
#include "bagit.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BAGIT_TXT "BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"
#define MAX_DEPTH 32

struct bag_entry {
	char *path; /* "data/…" or a tag file name */
	char sha256[SHA256_HEX_LEN + 1];
	uint64_t size;
};

struct entry_list {
	struct bag_entry *v;
	size_t n, cap;
};

struct bag_writer {
	char *dir;
	struct entry_list payload, tags;
	struct strbuf info;
};

static void list_add(struct entry_list *l, const char *path, const char *sha, uint64_t size)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 32;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
		if (!l->v)
			abort();
	}
	l->v[l->n].path = strdup(path);
	if (!l->v[l->n].path)
		abort();
	memcpy(l->v[l->n].sha256, sha, SHA256_HEX_LEN + 1);
	l->v[l->n].size = size;
	l->n++;
}

static void list_release(struct entry_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i].path);
	free(l->v);
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct bag_entry *)a)->path, ((const struct bag_entry *)b)->path);
}

static int mkdirs(const char *path, struct strbuf *err)
{
	char *copy = strdup(path);
	int r = 0;

	for (char *p = copy + 1; *p && r == 0; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(copy, 0755) < 0 && errno != EEXIST) {
			strbuf_addf(err, "%s: %s", copy, strerror(errno));
			r = -errno;
		}
		*p = '/';
	}
	if (r == 0 && mkdir(copy, 0755) < 0 && errno != EEXIST) {
		strbuf_addf(err, "%s: %s", copy, strerror(errno));
		r = -errno;
	}
	free(copy);
	return r;
}

int bag_writer_new(const char *dir, struct bag_writer **ret, struct strbuf *err)
{
	struct bag_writer *b;
	DIR *d = opendir(dir);
	int r;

	if (d) {
		struct dirent *de;
		while ((de = readdir(d)))
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..")) {
				closedir(d);
				strbuf_addf(err, "%s: exists and is not empty; a package goes into a new directory", dir);
				return -EEXIST;
			}
		closedir(d);
	} else if (errno != ENOENT) {
		strbuf_addf(err, "%s: %s", dir, strerror(errno));
		return -errno;
	}
	if ((r = mkdirs(dir, err)) < 0)
		return r;
	b = calloc(1, sizeof(*b));
	if (!b || !(b->dir = strdup(dir)))
		abort();
	strbuf_init(&b->info);
	*ret = b;
	return 0;
}

void bag_writer_free(struct bag_writer *b)
{
	if (!b)
		return;
	free(b->dir);
	list_release(&b->payload);
	list_release(&b->tags);
	strbuf_release(&b->info);
	free(b);
}

const char *bag_writer_dir(const struct bag_writer *b)
{
	return b->dir;
}

void bag_safe_name(struct strbuf *out, const char *name)
{
	size_t start = out->len;

	for (const char *p = name; *p; p++) {
		char c = *p;
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
			  c == '_' || c == '-';
		strbuf_addch(out, ok ? c : '_');
	}
	if (out->len == start || !strcmp(out->buf + start, ".") || !strcmp(out->buf + start, ".."))
		strbuf_addch(out, '_');
}

char *bag_data_path(struct bag_writer *b, const char *relpath, struct strbuf *err)
{
	struct strbuf p = STRBUF_INIT;
	char *slash;

	strbuf_addf(&p, "%s/data/%s", b->dir, relpath);
	slash = strrchr(p.buf, '/');
	*slash = '\0';
	if (mkdirs(p.buf, err) < 0) {
		strbuf_release(&p);
		return NULL;
	}
	*slash = '/';
	return strbuf_detach(&p, NULL);
}

static int write_file(const char *path, const void *data, size_t len, struct strbuf *err)
{
	FILE *f = fopen(path, "wbx");

	if (!f) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	bool short_write = len && fwrite(data, 1, len, f) != len;

	/* close in every case, then report either failure */
	if (fclose(f) != 0 || short_write) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -EIO;
	}
	return 0;
}

int bag_add_data(struct bag_writer *b, const char *relpath, const void *data, size_t len, struct strbuf *err)
{
	char *path = bag_data_path(b, relpath, err), hex[SHA256_HEX_LEN + 1];
	struct strbuf name = STRBUF_INIT;
	int r;

	if (!path)
		return -EIO;
	r = write_file(path, data, len, err);
	free(path);
	if (r < 0)
		return r;
	sha256_hex(data, len, hex);
	strbuf_addf(&name, "data/%s", relpath);
	list_add(&b->payload, name.buf, hex, len);
	strbuf_release(&name);
	return 0;
}

int bag_hash_file(const char *path, char ret_hex[SHA256_HEX_LEN + 1], uint64_t *ret_size, struct strbuf *err)
{
	struct sha256_ctx ctx;
	char buf[65536];
	uint64_t size = 0;
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0) {
		sha256_update(&ctx, buf, n);
		size += n;
	}
	if (ferror(f)) {
		strbuf_addf(err, "%s: read error", path);
		sha256_release(&ctx);
		fclose(f);
		return -EIO;
	}
	fclose(f);
	sha256_final_hex(&ctx, ret_hex);
	if (ret_size)
		*ret_size = size;
	return 0;
}

int bag_add_copy(struct bag_writer *b, const char *relpath, const char *src, const char *expect_sha256,
		 char ret_sha256[SHA256_HEX_LEN + 1], struct strbuf *err)
{
	char *path = bag_data_path(b, relpath, err), hex[SHA256_HEX_LEN + 1], buf[65536];
	struct strbuf name = STRBUF_INIT;
	struct sha256_ctx ctx;
	uint64_t size = 0;
	FILE *in = NULL, *out = NULL;
	size_t n;
	int r = -EIO;

	if (!path)
		return -EIO;
	if (!(in = fopen(src, "rb"))) {
		strbuf_addf(err, "%s: %s", src, strerror(errno));
		r = -errno;
		goto out;
	}
	if (!(out = fopen(path, "wbx"))) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		r = -errno;
		goto out;
	}
	sha256_init(&ctx);
	while ((n = fread(buf, 1, sizeof(buf), in)) > 0) {
		sha256_update(&ctx, buf, n);
		if (fwrite(buf, 1, n, out) != n) {
			strbuf_addf(err, "%s: %s", path, strerror(errno));
			sha256_release(&ctx);
			goto out;
		}
		size += n;
	}
	sha256_final_hex(&ctx, hex);
	if (ferror(in)) {
		strbuf_addf(err, "%s: read error", src);
		goto out;
	}
	if (fclose(out) != 0) {
		out = NULL;
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		goto out;
	}
	out = NULL;
	if (expect_sha256 && strcmp(hex, expect_sha256)) {
		strbuf_addf(err, "%s: SHA-256 is %s but the ledger recorded %s: the file changed since it was imported",
			    src, hex, expect_sha256);
		unlink(path);
		r = -EBADMSG;
		goto out;
	}
	strbuf_addf(&name, "data/%s", relpath);
	list_add(&b->payload, name.buf, hex, size);
	if (ret_sha256)
		memcpy(ret_sha256, hex, sizeof(hex));
	r = 0;
out:
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	free(path);
	strbuf_release(&name);
	return r;
}

int bag_add_written(struct bag_writer *b, const char *relpath, char ret_sha256[SHA256_HEX_LEN + 1], struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT, name = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];
	uint64_t size;
	int r;

	strbuf_addf(&path, "%s/data/%s", b->dir, relpath);
	r = bag_hash_file(path.buf, hex, &size, err);
	if (r == 0) {
		strbuf_addf(&name, "data/%s", relpath);
		list_add(&b->payload, name.buf, hex, size);
		if (ret_sha256)
			memcpy(ret_sha256, hex, sizeof(hex));
	}
	strbuf_release(&path);
	strbuf_release(&name);
	return r;
}

void bag_info_add(struct bag_writer *b, const char *label, const char *fmt, ...)
{
	struct strbuf v = STRBUF_INIT;
	va_list ap;

	va_start(ap, fmt);
	strbuf_vaddf(&v, fmt, ap);
	va_end(ap);
	strbuf_addf(&b->info, "%s: ", label);
	for (size_t i = 0; i < v.len; i++) {
		unsigned char c = (unsigned char)v.buf[i];
		if (c < 0x20 || c == 0x7f)
			strbuf_addf(&b->info, "\\x%02x", c);
		else
			strbuf_addch(&b->info, (char)c);
	}
	strbuf_addch(&b->info, '\n');
	strbuf_release(&v);
}

int bag_add_tag(struct bag_writer *b, const char *name, const void *data, size_t len, struct strbuf *err)
{
	struct strbuf path = STRBUF_INIT;
	char hex[SHA256_HEX_LEN + 1];
	int r;

	strbuf_addf(&path, "%s/%s", b->dir, name);
	r = write_file(path.buf, data, len, err);
	strbuf_release(&path);
	if (r < 0)
		return r;
	sha256_hex(data, len, hex);
	list_add(&b->tags, name, hex, len);
	return 0;
}

static void manifest_text(struct entry_list *l, struct strbuf *out)
{
	if (l->n)
		qsort(l->v, l->n, sizeof(*l->v), cmp_entry);
	for (size_t i = 0; i < l->n; i++)
		strbuf_addf(out, "%s  %s\n", l->v[i].sha256, l->v[i].path);
}

int bag_finish(struct bag_writer *b, char *ret_tagmanifest_sha256, struct strbuf *err)
{
	struct strbuf text = STRBUF_INIT, path = STRBUF_INIT;
	uint64_t octets = 0;
	int r;

	for (size_t i = 0; i < b->payload.n; i++)
		octets += b->payload.v[i].size;
	bag_info_add(b, "Payload-Oxum", "%llu.%zu", (unsigned long long)octets, b->payload.n);
	if ((r = bag_add_tag(b, "bagit.txt", BAGIT_TXT, strlen(BAGIT_TXT), err)) < 0 ||
	    (r = bag_add_tag(b, "bag-info.txt", b->info.buf, b->info.len, err)) < 0)
		goto out;
	manifest_text(&b->payload, &text);
	if ((r = bag_add_tag(b, "manifest-sha256.txt", text.buf, text.len, err)) < 0)
		goto out;
	strbuf_reset(&text);
	manifest_text(&b->tags, &text);
	strbuf_addf(&path, "%s/tagmanifest-sha256.txt", b->dir);
	if ((r = write_file(path.buf, text.buf, text.len, err)) < 0)
		goto out;
	if (ret_tagmanifest_sha256)
		sha256_hex(text.buf, text.len, ret_tagmanifest_sha256);
out:
	strbuf_release(&text);
	strbuf_release(&path);
	return r;
}

/* --- checking ------------------------------------------------------------------------------ */

struct seen {
	char **paths;
	size_t n, cap;
};

static void seen_add(struct seen *s, const char *p)
{
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->paths = realloc(s->paths, s->cap * sizeof(*s->paths));
		if (!s->paths)
			abort();
	}
	s->paths[s->n++] = strdup(p);
}

static int cmp_path(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Sort once the manifest is read (bags with 100k files stay fast); returns a duplicate or NULL. */
static const char *seen_sort(struct seen *s)
{
	if (s->n)
		qsort(s->paths, s->n, sizeof(*s->paths), cmp_path);
	for (size_t i = 1; i < s->n; i++)
		if (!strcmp(s->paths[i - 1], s->paths[i]))
			return s->paths[i];
	return NULL;
}

static bool seen_has(const struct seen *s, const char *p)
{
	return s->n && bsearch(&p, s->paths, s->n, sizeof(*s->paths), cmp_path) != NULL;
}

static void seen_release(struct seen *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->paths[i]);
	free(s->paths);
}

static bool read_all(const char *path, struct strbuf *out)
{
	char buf[65536];
	size_t n;
	FILE *f = fopen(path, "rb");

	if (!f)
		return false;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
		strbuf_add(out, buf, n);
	fclose(f);
	return true;
}

static bool safe_relpath(const char *p)
{
	if (!*p || *p == '/' || strstr(p, "//"))
		return false;
	for (const char *c = p; *c; c++) {
		if ((c == p || c[-1] == '/') && c[0] == '.' && (c[1] == '/' || !c[1] || (c[1] == '.' && (c[2] == '/' || !c[2]))))
			return false;
	}
	return true;
}

/* Check every line of a manifest; the paths it lists go into `listed`. */
static int check_manifest(const char *dir, const char *mname, bool payload, struct seen *listed, struct strbuf *problems,
			  struct bag_facts *facts)
{
	struct strbuf text = STRBUF_INIT, path = STRBUF_INIT, err = STRBUF_INIT;
	size_t pos = 0, lineno = 0;
	const char *dup;
	int bad = 0;

	strbuf_addf(&path, "%s/%s", dir, mname);
	if (!read_all(path.buf, &text)) {
		strbuf_addf(problems, "%s: missing\n", mname);
		bad++;
		goto out;
	}
	while (pos < text.len) {
		char *line = text.buf + pos, *nl = memchr(line, '\n', text.len - pos), hex[SHA256_HEX_LEN + 1];
		const char *name;
		uint64_t size;
		size_t l = nl ? (size_t)(nl - line) : text.len - pos;

		lineno++;
		pos += l + 1;
		line[l] = '\0';
		if (l < SHA256_HEX_LEN + 3 || line[SHA256_HEX_LEN] != ' ' || strspn(line, "0123456789abcdef") != SHA256_HEX_LEN) {
			strbuf_addf(problems, "%s:%zu: not a 'SHA256  PATH' line\n", mname, lineno);
			bad++;
			continue;
		}
		name = line + SHA256_HEX_LEN + 1;
		while (*name == ' ' || *name == '*')
			name++;
		if (!safe_relpath(name) || (payload && strncmp(name, "data/", 5)) || (!payload && strchr(name, '/'))) {
			strbuf_addf(problems, "%s:%zu: path '%s' is not allowed in this manifest\n", mname, lineno, name);
			bad++;
			continue;
		}
		seen_add(listed, name);
		strbuf_reset(&path);
		strbuf_addf(&path, "%s/%s", dir, name);
		strbuf_reset(&err);
		if (bag_hash_file(path.buf, hex, &size, &err) < 0) {
			strbuf_addf(problems, "%s: listed in %s but missing\n", name, mname);
			bad++;
			continue;
		}
		if (strncmp(hex, line, SHA256_HEX_LEN)) {
			strbuf_addf(problems, "%s: SHA-256 mismatch: %s says %.*s, the file has %s\n", name, mname,
				    SHA256_HEX_LEN, line, hex);
			bad++;
		}
		if (payload && facts) {
			facts->payload_files++;
			facts->payload_bytes += size;
		}
	}
	if ((dup = seen_sort(listed))) {
		strbuf_addf(problems, "%s: %s listed twice\n", mname, dup);
		bad++;
	}
out:
	strbuf_release(&text);
	strbuf_release(&path);
	strbuf_release(&err);
	return bad;
}

/* Files under data/ that the manifest does not list. */
static int walk_payload(const char *dir, const char *rel, int depth, const struct seen *listed, struct strbuf *problems,
			uint64_t *ret_bytes, size_t *ret_files)
{
	struct strbuf path = STRBUF_INIT;
	struct dirent *de;
	DIR *d;
	int bad = 0;

	strbuf_addf(&path, "%s/%s", dir, rel);
	if (depth > MAX_DEPTH || !(d = opendir(path.buf))) {
		strbuf_addf(problems, "%s: cannot be read\n", rel);
		strbuf_release(&path);
		return 1;
	}
	while ((de = readdir(d))) {
		struct strbuf child = STRBUF_INIT, full = STRBUF_INIT;
		struct stat st;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		strbuf_addf(&child, "%s/%s", rel, de->d_name);
		strbuf_addf(&full, "%s/%s", dir, child.buf);
		if (lstat(full.buf, &st) < 0) {
			strbuf_addf(problems, "%s: %s\n", child.buf, strerror(errno));
			bad++;
		} else if (S_ISDIR(st.st_mode)) {
			bad += walk_payload(dir, child.buf, depth + 1, listed, problems, ret_bytes, ret_files);
		} else {
			*ret_bytes += (uint64_t)st.st_size;
			(*ret_files)++;
			if (!S_ISREG(st.st_mode)) {
				strbuf_addf(problems, "%s: not a regular file\n", child.buf);
				bad++;
			} else if (!seen_has(listed, child.buf)) {
				strbuf_addf(problems, "%s: present but not in manifest-sha256.txt (a file was added)\n", child.buf);
				bad++;
			}
		}
		strbuf_release(&child);
		strbuf_release(&full);
	}
	closedir(d);
	strbuf_release(&path);
	return bad;
}

char *bag_info_get(const char *info, const char *label)
{
	size_t ll = strlen(label);

	for (const char *p = info; p && *p;) {
		const char *nl = strchr(p, '\n');
		size_t l = nl ? (size_t)(nl - p) : strlen(p);
		if (l > ll + 1 && !strncmp(p, label, ll) && p[ll] == ':') {
			const char *v = p + ll + 1;
			while (*v == ' ')
				v++;
			return strndup(v, l - (size_t)(v - p));
		}
		p = nl ? nl + 1 : NULL;
	}
	return NULL;
}

int bag_verify(const char *dir, const char *const *extra_tags, struct strbuf *problems, struct bag_facts *facts)
{
	struct seen payload = { 0 }, tags = { 0 };
	struct strbuf path = STRBUF_INIT, text = STRBUF_INIT;
	struct dirent *de;
	uint64_t bytes = 0;
	size_t files = 0;
	char *oxum;
	DIR *d;
	int bad = 0;

	strbuf_addf(&path, "%s/bagit.txt", dir);
	if (!read_all(path.buf, &text)) {
		strbuf_addstr(problems, "bagit.txt: missing: this is not a BagIt bag\n");
		bad++;
	} else if (!strstr(text.buf, "BagIt-Version: ") || !strstr(text.buf, "Tag-File-Character-Encoding: UTF-8")) {
		strbuf_addstr(problems, "bagit.txt: not a BagIt declaration (BagIt-Version and Tag-File-Character-Encoding: UTF-8)\n");
		bad++;
	}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/bag-info.txt", dir);
	if (!read_all(path.buf, &facts->info)) {
		strbuf_addstr(problems, "bag-info.txt: missing\n");
		bad++;
	}
	bad += check_manifest(dir, "manifest-sha256.txt", true, &payload, problems, facts);
	bad += check_manifest(dir, "tagmanifest-sha256.txt", false, &tags, problems, NULL);
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/tagmanifest-sha256.txt", dir);
	for (const char *must[] = { "bagit.txt", "bag-info.txt", "manifest-sha256.txt", NULL }, **m = must;
	     *m && access(path.buf, F_OK) == 0; m++)
		if (!seen_has(&tags, *m)) {
			strbuf_addf(problems, "%s: not covered by tagmanifest-sha256.txt\n", *m);
			bad++;
		}
	strbuf_reset(&path);
	strbuf_addf(&path, "%s/data", dir);
	if (access(path.buf, F_OK) != 0) {
		strbuf_addstr(problems, "data/: missing\n");
		bad++;
	} else {
		bad += walk_payload(dir, "data", 0, &payload, problems, &bytes, &files);
	}
	/* Tag files (top level) that nothing covers. */
	if ((d = opendir(dir))) {
		while ((de = readdir(d))) {
			bool allowed = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") || !strcmp(de->d_name, "data") ||
				       !strcmp(de->d_name, "tagmanifest-sha256.txt") || seen_has(&tags, de->d_name);
			for (const char *const *e = extra_tags; e && *e && !allowed; e++)
				allowed = !strcmp(*e, de->d_name);
			if (!allowed) {
				strbuf_addf(problems, "%s: present but not in tagmanifest-sha256.txt (a file was added)\n", de->d_name);
				bad++;
			}
		}
		closedir(d);
	}
	oxum = bag_info_get(facts->info.buf, "Payload-Oxum");
	if (!oxum) {
		if (facts->info.len) {
			strbuf_addstr(problems, "bag-info.txt: no Payload-Oxum\n");
			bad++;
		}
	} else {
		unsigned long long ob = 0;
		size_t of = 0;
		if (sscanf(oxum, "%llu.%zu", &ob, &of) != 2 || ob != bytes || of != files) {
			strbuf_addf(problems, "bag-info.txt: Payload-Oxum %s but data/ holds %llu bytes in %zu files\n", oxum,
				    (unsigned long long)bytes, files);
			bad++;
		}
		free(oxum);
	}
	seen_release(&payload);
	seen_release(&tags);
	strbuf_release(&path);
	strbuf_release(&text);
	return bad;
}

static int rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return flag == FTW_DP ? rmdir(path) : unlink(path);
}

int bag_remove_tree(const char *dir)
{
	return nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}
