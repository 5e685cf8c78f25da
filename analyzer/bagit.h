/* bagit: write and check BagIt bags (RFC 8493, BagIt 1.0) — the shape of an evidence package.
 *
 * A bag is a directory: `bagit.txt` (version and tag encoding), `bag-info.txt` (labelled
 * metadata), `data/` (the payload), `manifest-sha256.txt` (SHA-256 of every payload file),
 * `tagmanifest-sha256.txt` (SHA-256 of every tag file, the manifest included) and any further
 * tag files. The writer is deterministic: manifests are sorted by path, bag-info keeps the order
 * its labels were added in, every line ends in LF. Payload paths are restricted to the bytes
 * [A-Za-z0-9._-/] (bag_safe_name makes one), so no path needs RFC 8493's percent-encoding and
 * `sha256sum -c` reads both manifests unchanged.
 *
 * Ownership: a bag_writer owns its directory path and entry list; bag_writer_free accepts NULL.
 */
#ifndef BS_BAGIT_H
#define BS_BAGIT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sha256.h"
#include "strbuf.h"

struct bag_writer;

/* Start a bag in `dir`, which must not exist or be an empty directory. */
int bag_writer_new(const char *dir, struct bag_writer **ret, struct strbuf *err);
void bag_writer_free(struct bag_writer *b);
const char *bag_writer_dir(const struct bag_writer *b);

/* Payload: `relpath` is under data/ ("exports/timeline.jsonl"); directories are created. */
int bag_add_data(struct bag_writer *b, const char *relpath, const void *data, size_t len, struct strbuf *err);
/* Copy a file into the payload byte for byte, hashing as it goes; when expect_sha256 is given
 * and the copy hashes differently, the copy is removed and -EBADMSG returned. */
int bag_add_copy(struct bag_writer *b, const char *relpath, const char *src, const char *expect_sha256,
		 char ret_sha256[SHA256_HEX_LEN + 1], struct strbuf *err);
/* A payload file the caller already wrote at data_path(relpath): hash and list it. */
int bag_add_written(struct bag_writer *b, const char *relpath, char ret_sha256[SHA256_HEX_LEN + 1],
		    struct strbuf *err);
/* The full path of data/relpath in the bag, directories created (the caller frees it). */
char *bag_data_path(struct bag_writer *b, const char *relpath, struct strbuf *err);

/* bag-info.txt: one "Label: value" line; control characters in value are shown as \xNN. */
void bag_info_add(struct bag_writer *b, const char *label, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* An extra tag file at the top of the bag, covered by the tag manifest. */
int bag_add_tag(struct bag_writer *b, const char *name, const void *data, size_t len, struct strbuf *err);

/* Write bagit.txt, bag-info.txt (Payload-Oxum added last), both manifests. ret_tagmanifest_sha256
 * (optional) gets the tag manifest's hash. */
int bag_finish(struct bag_writer *b, char *ret_tagmanifest_sha256, struct strbuf *err);

/* "a b/../c" → "a_b_.._c": a single path component of the allowed bytes (never "." or ".."). */
void bag_safe_name(struct strbuf *out, const char *name);

/* SHA-256 of a file. */
int bag_hash_file(const char *path, char ret_hex[SHA256_HEX_LEN + 1], uint64_t *ret_size, struct strbuf *err);

/* What bag_verify learnt besides the problems. */
struct bag_facts {
	size_t payload_files;
	uint64_t payload_bytes;
	struct strbuf info; /* bag-info.txt as read */
};

/* Check a bag's structure, both manifests, Payload-Oxum, and files that no manifest lists.
 * Each problem is one line "PATH: what is wrong" appended to `problems`; returns their count.
 * Tag files named in `extra_tags` (NULL-terminated; e.g. the signature) are allowed to be
 * outside the tag manifest. */
int bag_verify(const char *dir, const char *const *extra_tags, struct strbuf *problems, struct bag_facts *facts);

/* The value of the first `label` line in bag-info text, or NULL (the caller frees it). */
char *bag_info_get(const char *info, const char *label);

/* Remove a directory tree (no symlinks followed). */
int bag_remove_tree(const char *dir);

#endif
