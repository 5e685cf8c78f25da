/* ustar: deterministic ustar archives of a directory tree, and a careful reader; see ustar.h. */
#include "ustar.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define BLOCK 512
#define MAX_DEPTH 32

struct header {
	char name[100], mode[8], uid[8], gid[8], size[12], mtime[12], chksum[8], typeflag;
	char linkname[100], magic[6], version[2], uname[32], gname[32], devmajor[8], devminor[8];
	char prefix[155], pad[12];
};
_Static_assert(sizeof(struct header) == BLOCK, "ustar header is one block");

static void octal(char *field, size_t width, uint64_t v)
{
	/* width-1 digits and a NUL */
	snprintf(field, width, "%0*llo", (int)width - 1, (unsigned long long)v);
}

static int split_name(struct header *h, const char *name, struct strbuf *err)
{
	size_t len = strlen(name);
	const char *cut;

	if (len < sizeof(h->name)) {
		memcpy(h->name, name, len);
		return 0;
	}
	/* prefix '/' name: cut at a slash leaving at most 99 bytes of name and 155 of prefix */
	for (cut = name + len; cut > name; cut--) {
		if (*cut != '/')
			continue;
		if ((size_t)(cut - name) <= sizeof(h->prefix) && strlen(cut + 1) < sizeof(h->name) && cut[1]) {
			memcpy(h->prefix, name, (size_t)(cut - name));
			memcpy(h->name, cut + 1, strlen(cut + 1));
			return 0;
		}
	}
	strbuf_addf(err, "%s: name too long for a ustar archive", name);
	return -ENAMETOOLONG;
}

static int put_header(FILE *out, const char *name, bool dir, uint64_t size, struct strbuf *err)
{
	struct header h;
	unsigned sum = 0;

	memset(&h, 0, sizeof(h));
	if (split_name(&h, name, err) < 0)
		return -ENAMETOOLONG;
	octal(h.mode, sizeof(h.mode), dir ? 0755 : 0644);
	octal(h.uid, sizeof(h.uid), 0);
	octal(h.gid, sizeof(h.gid), 0);
	if (size > 077777777777ULL) {
		/* past 8 GiB: the base-256 size GNU tar, bsdtar and Python's tarfile read */
		h.size[0] = (char)0x80;
		for (int i = 11; i >= 1; i--, size >>= 8)
			h.size[i] = (char)(size & 0xff);
	} else {
		octal(h.size, sizeof(h.size), dir ? 0 : size);
	}
	octal(h.mtime, sizeof(h.mtime), 0);
	h.typeflag = dir ? '5' : '0';
	memcpy(h.magic, "ustar", 6);
	memcpy(h.version, "00", 2);
	strcpy(h.uname, "backsight");
	strcpy(h.gname, "backsight");
	octal(h.devmajor, sizeof(h.devmajor), 0);
	octal(h.devminor, sizeof(h.devminor), 0);
	memset(h.chksum, ' ', sizeof(h.chksum));
	for (size_t i = 0; i < sizeof(h); i++)
		sum += ((unsigned char *)&h)[i];
	snprintf(h.chksum, sizeof(h.chksum), "%06o", sum);
	h.chksum[7] = ' ';
	if (fwrite(&h, sizeof(h), 1, out) != 1) {
		strbuf_addf(err, "writing the archive: %s", strerror(errno));
		return -EIO;
	}
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int add_file(FILE *out, const char *path, const char *name, uint64_t size, struct strbuf *err)
{
	static const char zeros[BLOCK];
	char buf[65536];
	uint64_t done = 0;
	size_t n;
	FILE *in = fopen(path, "rb");
	int r;

	if (!in) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if ((r = put_header(out, name, false, size, err)) < 0) {
		fclose(in);
		return r;
	}
	while (done < size && (n = fread(buf, 1, sizeof(buf) < size - done ? sizeof(buf) : (size_t)(size - done), in)) > 0) {
		fwrite(buf, 1, n, out);
		done += n;
	}
	fclose(in);
	if (done != size) {
		strbuf_addf(err, "%s: changed size while being archived", path);
		return -EIO;
	}
	if (size % BLOCK)
		fwrite(zeros, 1, BLOCK - size % BLOCK, out);
	return 0;
}

static int add_tree(FILE *out, const char *path, const char *name, int depth, struct strbuf *err)
{
	char **names = NULL;
	size_t n = 0, cap = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if (depth > MAX_DEPTH) {
		strbuf_addf(err, "%s: nested too deep", path);
		return -ELOOP;
	}
	if ((r = put_header(out, name, true, 0, err)) < 0)
		return r;
	if (!(d = opendir(path))) {
		strbuf_addf(err, "%s: %s", path, strerror(errno));
		return -errno;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 32;
			names = realloc(names, cap * sizeof(*names));
			if (!names)
				abort();
		}
		names[n++] = strdup(de->d_name);
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof(*names), cmp_str);
	for (size_t i = 0; i < n && r == 0; i++) {
		struct strbuf p = STRBUF_INIT, nm = STRBUF_INIT;
		struct stat st;
		strbuf_addf(&p, "%s/%s", path, names[i]);
		strbuf_addf(&nm, "%s%s", name, names[i]);
		if (lstat(p.buf, &st) < 0) {
			strbuf_addf(err, "%s: %s", p.buf, strerror(errno));
			r = -errno;
		} else if (S_ISDIR(st.st_mode)) {
			strbuf_addch(&nm, '/');
			r = add_tree(out, p.buf, nm.buf, depth + 1, err);
		} else if (S_ISREG(st.st_mode)) {
			r = add_file(out, p.buf, nm.buf, (uint64_t)st.st_size, err);
		} else {
			strbuf_addf(err, "%s: only files and directories go into a package", p.buf);
			r = -EINVAL;
		}
		strbuf_release(&p);
		strbuf_release(&nm);
	}
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
	return r;
}

int ustar_write_dir(const char *dir, const char *top, const char *tarpath, struct strbuf *err)
{
	static const char zeros[2 * BLOCK];
	struct strbuf name = STRBUF_INIT;
	FILE *out = fopen(tarpath, "wbx");
	int r;

	if (!out) {
		strbuf_addf(err, "%s: %s", tarpath, errno == EEXIST ? "exists already, not overwritten" : strerror(errno));
		return -errno;
	}
	strbuf_addf(&name, "%s/", top);
	r = add_tree(out, dir, name.buf, 0, err);
	strbuf_release(&name);
	if (r == 0)
		fwrite(zeros, 1, sizeof(zeros), out);
	if (fclose(out) != 0 && r == 0) {
		strbuf_addf(err, "%s: %s", tarpath, strerror(errno));
		r = -EIO;
	}
	if (r < 0)
		unlink(tarpath);
	return r;
}

static bool safe_name(const char *name)
{
	const char *p = name;

	if (!*name || *name == '/')
		return false;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t l = slash ? (size_t)(slash - p) : strlen(p);
		if ((l == 2 && !strncmp(p, "..", 2)) || (l == 1 && *p == '.' && slash))
			return false;
		p += l + (slash ? 1 : 0);
	}
	return true;
}

static uint64_t parse_octal(const char *f, size_t w, bool *ok)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < w && f[i] == ' ')
		i++;
	for (; i < w && f[i] >= '0' && f[i] <= '7'; i++)
		v = v * 8 + (uint64_t)(f[i] - '0');
	if (i < w && f[i] != ' ' && f[i] != '\0')
		*ok = false;
	return v;
}

int ustar_extract(const char *tarpath, const char *destdir, struct strbuf *err)
{
	struct header h;
	FILE *in = fopen(tarpath, "rb");
	int r = 0;

	if (!in) {
		strbuf_addf(err, "%s: %s", tarpath, strerror(errno));
		return -errno;
	}
	while (r == 0) {
		char name[100 + 1 + 155 + 1];
		struct strbuf path = STRBUF_INIT;
		unsigned sum = 0, want;
		uint64_t size;
		bool ok = true;

		if (fread(&h, sizeof(h), 1, in) != 1) {
			strbuf_addf(err, "%s: archive ends without its end-of-archive blocks", tarpath);
			r = -EBADMSG;
			break;
		}
		if (h.name[0] == '\0')
			break; /* end of archive */
		want = (unsigned)parse_octal(h.chksum, sizeof(h.chksum), &ok);
		memset(h.chksum, ' ', sizeof(h.chksum));
		for (size_t i = 0; i < sizeof(h); i++)
			sum += ((unsigned char *)&h)[i];
		if ((unsigned char)h.size[0] == 0x80) {
			size = 0;
			for (int i = 1; i < 12; i++)
				size = (size << 8) | (unsigned char)h.size[i];
		} else {
			size = parse_octal(h.size, sizeof(h.size), &ok);
		}
		if (!ok || sum != want || memcmp(h.magic, "ustar", 5)) {
			strbuf_addf(err, "%s: damaged ustar header at byte %ld", tarpath, ftell(in) - BLOCK);
			r = -EBADMSG;
			break;
		}
		if (h.prefix[0])
			snprintf(name, sizeof(name), "%.155s/%.100s", h.prefix, h.name);
		else
			snprintf(name, sizeof(name), "%.100s", h.name);
		if (!safe_name(name)) {
			strbuf_addf(err, "%s: unsafe name '%s' in archive, refused", tarpath, name);
			r = -EPERM;
			break;
		}
		strbuf_addf(&path, "%s/%s", destdir, name);
		if (h.typeflag == '5') {
			if (mkdir(path.buf, 0755) < 0 && errno != EEXIST) {
				strbuf_addf(err, "%s: %s", path.buf, strerror(errno));
				r = -errno;
			}
		} else if (h.typeflag == '0' || h.typeflag == '\0') {
			FILE *out = fopen(path.buf, "wbx");
			char buf[BLOCK];
			uint64_t left = size;
			if (!out) {
				strbuf_addf(err, "%s: %s", path.buf, strerror(errno));
				r = -errno;
			}
			while (r == 0 && left > 0) {
				size_t take = left < BLOCK ? (size_t)left : BLOCK;
				if (fread(buf, BLOCK, 1, in) != 1) {
					strbuf_addf(err, "%s: archive cut short inside '%s'", tarpath, name);
					r = -EBADMSG;
					break;
				}
				fwrite(buf, 1, take, out);
				left -= take;
			}
			if (out && fclose(out) != 0 && r == 0) {
				strbuf_addf(err, "%s: %s", path.buf, strerror(errno));
				r = -EIO;
			}
		} else {
			strbuf_addf(err, "%s: entry '%s' is not a file or directory (type '%c'), refused", tarpath, name,
				    h.typeflag);
			r = -EPERM;
		}
		strbuf_release(&path);
	}
	fclose(in);
	return r;
}
