/* ustar: write a directory tree as one POSIX ustar archive, and read one back — the `--tar`
 * form of an evidence package (POSIX.1-1988 ustar, as specified in the pax(1) page of POSIX.1-2008).
 *
 * Written archives are deterministic: entries in byte order of their names (directories before
 * their contents), mtime 0 (1970-01-01), uid/gid 0, user and group "backsight", mode 0644 for
 * files and 0755 for directories. A file of 8 GiB or more gets the base-256 size field that GNU
 * tar, bsdtar and Python's tarfile read (ustar's octal field stops at 8 GiB - 1). Only directories and regular files are written or read; a
 * reader refuses absolute names, "..", links and every other entry type, so extracting an
 * archive from an untrusted source cannot write outside the destination.
 */
#ifndef BS_USTAR_H
#define BS_USTAR_H

#include "strbuf.h"

/* Archive the tree at `dir` into `tarpath`, every name prefixed by `top` + "/". */
int ustar_write_dir(const char *dir, const char *top, const char *tarpath, struct strbuf *err);

/* Extract `tarpath` under `destdir` (which must exist). */
int ustar_extract(const char *tarpath, const char *destdir, struct strbuf *err);

#endif
