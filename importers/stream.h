/* stream: an evidence file as one sequential stream of bytes, decompressed and hashed.
 *
 * A stream opens a path (or "-" for standard input), recognises gzip and zstd by their magic
 * bytes and decompresses them transparently, and computes the SHA-256 of the bytes as read and,
 * for a compressed file, of the decompressed stream. Reading, hashing and decompression run on a
 * worker thread that stays a few chunks ahead of the importer, so on a two-core machine the
 * ledger's hashing costs the importer nothing. Memory is bounded: STREAM_CHUNKS chunks of
 * STREAM_CHUNK bytes.
 *
 * Ownership: stream_open returns a stream the caller frees with stream_free (NULL is fine).
 * Strings returned by the accessors belong to the stream.
 */
#ifndef BS_STREAM_H
#define BS_STREAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sha256.h"
#include "strbuf.h"

#define STREAM_CHUNK (256 * 1024)
#define STREAM_CHUNKS 8

enum stream_compression {
	STREAM_PLAIN,
	STREAM_GZIP,
	STREAM_ZSTD,
};

struct stream;

/* Open path ("-" is stdin). On failure returns a negative errno and a message in err. */
int stream_open(const char *path, struct stream **ret_stream, struct strbuf *err);
/* Open a stream over bytes in memory (for tests and fuzzing); the bytes must outlive it. */
int stream_open_mem(const void *data, size_t len, struct stream **ret_stream);
void stream_free(struct stream *s);

/*
 * Read up to n decompressed bytes. Returns the count, 0 at the end of the stream, or a negative
 * errno when the stream is damaged or unreadable (stream_error says what and where); the bytes
 * before the damage have all been delivered by then.
 */
ssize_t stream_read(struct stream *s, void *buf, size_t n);

enum stream_compression stream_compression(const struct stream *s);
const char *stream_compression_name(enum stream_compression c);
/* Bytes read from the file / produced by decompression so far (final once read hit the end). */
uint64_t stream_raw_size(const struct stream *s);
uint64_t stream_size(const struct stream *s);
/* Hashes of everything read so far; final after stream_read returned 0 or an error. */
void stream_raw_sha256(const struct stream *s, char hex[SHA256_HEX_LEN + 1]);
void stream_sha256(const struct stream *s, char hex[SHA256_HEX_LEN + 1]);
/* What went wrong, naming the offset, or NULL. */
const char *stream_error(const struct stream *s);

#endif
