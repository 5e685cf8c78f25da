/* test-stream: transparent gzip/zstd decompression, hashing, damage, and the line reader. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>
#include <zstd.h>

#include "reader.h"
#include "sha256.h"
#include "stream.h"
#include "testutil.h"

/* Deterministic, mildly compressible test data. */
static uint8_t *make_data(size_t len)
{
	uint8_t *d = malloc(len);
	uint32_t x = 12345;

	for (size_t i = 0; i < len; i++) {
		x = x * 1103515245 + 12345;
		d[i] = (uint8_t)("abcdefgh\n"[(x >> 16) % 9]);
	}
	return d;
}

static size_t gzip_bytes(const uint8_t *in, size_t len, uint8_t *out, size_t cap)
{
	z_stream z = { 0 };
	size_t n;

	cr_assert_eq(deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY), Z_OK);
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	cr_assert_eq(deflate(&z, Z_FINISH), Z_STREAM_END);
	n = z.total_out;
	deflateEnd(&z);
	return n;
}

/* Read everything; returns the bytes and the final read's return (0 or -errno). */
static ssize_t read_all(struct stream *s, struct strbuf *out)
{
	uint8_t buf[7000]; /* an odd size, to cross chunk boundaries unevenly */
	ssize_t n;

	while ((n = stream_read(s, buf, sizeof(buf))) > 0)
		strbuf_add(out, buf, (size_t)n);
	return n;
}

static void check_round_trip(const uint8_t *file, size_t file_len, const uint8_t *plain, size_t plain_len,
			     enum stream_compression comp)
{
	struct stream *s;
	struct strbuf got = STRBUF_INIT;
	char want_raw[SHA256_HEX_LEN + 1], want_inner[SHA256_HEX_LEN + 1];
	char raw[SHA256_HEX_LEN + 1], inner[SHA256_HEX_LEN + 1];

	cr_assert_eq(stream_open_mem(file, file_len, &s), 0);
	cr_assert_eq(read_all(s, &got), 0, "clean end expected: %s", stream_error(s) ? stream_error(s) : "");
	cr_assert_eq(got.len, plain_len);
	cr_assert(!memcmp(got.buf, plain, plain_len));
	cr_assert_eq(stream_compression(s), comp);
	cr_assert_eq(stream_raw_size(s), file_len);
	cr_assert_eq(stream_size(s), plain_len);
	sha256_hex(file, file_len, want_raw);
	sha256_hex(plain, plain_len, want_inner);
	stream_raw_sha256(s, raw);
	stream_sha256(s, inner);
	cr_assert_str_eq(raw, want_raw);
	cr_assert_str_eq(inner, want_inner);
	stream_free(s);
	strbuf_release(&got);
}

Test(stream, plain_gzip_and_zstd_give_the_same_bytes)
{
	size_t len = 3 * STREAM_CHUNK * STREAM_CHUNKS + 123; /* more than the ring holds */
	uint8_t *plain = make_data(len);
	size_t cap = len + 1024;
	uint8_t *gz = malloc(cap), *zs = malloc(ZSTD_compressBound(len));
	size_t gz_len = gzip_bytes(plain, len, gz, cap);
	size_t zs_len = ZSTD_compress(zs, ZSTD_compressBound(len), plain, len, 3);

	check_round_trip(plain, len, plain, len, STREAM_PLAIN);
	check_round_trip(gz, gz_len, plain, len, STREAM_GZIP);
	check_round_trip(zs, zs_len, plain, len, STREAM_ZSTD);
	free(plain);
	free(gz);
	free(zs);
}

Test(stream, concatenated_gzip_members_are_one_stream)
{
	uint8_t *a = make_data(5000), *b = make_data(9000);
	uint8_t both[20000], plain[14000];
	size_t n1 = gzip_bytes(a, 5000, both, sizeof(both));
	size_t n2 = gzip_bytes(b, 9000, both + n1, sizeof(both) - n1);

	memcpy(plain, a, 5000);
	memcpy(plain + 5000, b, 9000);
	check_round_trip(both, n1 + n2, plain, sizeof(plain), STREAM_GZIP);
	free(a);
	free(b);
}

Test(stream, empty_and_tiny_inputs)
{
	check_round_trip((const uint8_t *)"", 0, (const uint8_t *)"", 0, STREAM_PLAIN);
	check_round_trip((const uint8_t *)"x", 1, (const uint8_t *)"x", 1, STREAM_PLAIN);
	/* One byte of the gzip magic is not a gzip file. */
	check_round_trip((const uint8_t *)"\x1f", 1, (const uint8_t *)"\x1f", 1, STREAM_PLAIN);
}

Test(stream, cut_gzip_delivers_what_it_can_then_says_where)
{
	size_t len = 200000;
	uint8_t *plain = make_data(len), *gz = malloc(len + 1024);
	size_t gz_len = gzip_bytes(plain, len, gz, len + 1024);
	struct strbuf got = STRBUF_INIT;
	struct stream *s;
	char raw[SHA256_HEX_LEN + 1], want[SHA256_HEX_LEN + 1];

	cr_assert_eq(stream_open_mem(gz, gz_len / 2, &s), 0);
	cr_assert_eq(read_all(s, &got), -EPIPE);
	cr_assert_gt(got.len, 0, "the intact part is delivered");
	cr_assert(!memcmp(got.buf, plain, got.len), "and it is the right data");
	cr_assert_not_null(strstr(stream_error(s), "ends early"), "%s", stream_error(s));
	stream_raw_sha256(s, raw);
	sha256_hex(gz, gz_len / 2, want);
	cr_assert_str_eq(raw, want, "the ledger hash covers the whole file as handed over");
	stream_free(s);
	strbuf_release(&got);
	free(plain);
	free(gz);
}

Test(stream, corrupt_gzip_names_the_offset_and_still_hashes_everything)
{
	size_t len = 300000;
	uint8_t *plain = make_data(len), *gz = malloc(len + 1024);
	size_t gz_len = gzip_bytes(plain, len, gz, len + 1024);
	struct strbuf got = STRBUF_INIT;
	struct stream *s;

	memset(gz + gz_len / 2, 0xff, 64);
	cr_assert_eq(stream_open_mem(gz, gz_len, &s), 0);
	cr_assert_lt(read_all(s, &got), 0);
	cr_assert_not_null(strstr(stream_error(s), "near byte"), "%s", stream_error(s));
	cr_assert_eq(stream_raw_size(s), gz_len);
	stream_free(s);
	strbuf_release(&got);
	free(plain);
	free(gz);
}

Test(stream, truncated_zstd_is_reported)
{
	size_t len = 100000;
	uint8_t *plain = make_data(len), *zs = malloc(ZSTD_compressBound(len));
	size_t zs_len = ZSTD_compress(zs, ZSTD_compressBound(len), plain, len, 3);
	struct strbuf got = STRBUF_INIT;
	struct stream *s;

	cr_assert_eq(stream_open_mem(zs, zs_len - 10, &s), 0);
	cr_assert_eq(read_all(s, &got), -EPIPE);
	cr_assert_not_null(strstr(stream_error(s), "zstd stream ends early"), "%s", stream_error(s));
	stream_free(s);
	strbuf_release(&got);
	free(plain);
	free(zs);
}

Test(stream, missing_file_is_a_clear_error)
{
	struct strbuf err = STRBUF_INIT;
	struct stream *s = NULL;

	cr_assert_eq(stream_open("/nonexistent/evidence.pcap", &s, &err), -ENOENT);
	cr_assert_str_eq(err.buf, "cannot open '/nonexistent/evidence.pcap': No such file or directory");
	strbuf_release(&err);
}

Test(stream, free_before_the_end_stops_the_producer)
{
	size_t len = 10 * STREAM_CHUNK * STREAM_CHUNKS;
	uint8_t *plain = make_data(len), buf[100];
	struct stream *s;

	cr_assert_eq(stream_open_mem(plain, len, &s), 0);
	cr_assert_eq(stream_read(s, buf, sizeof(buf)), (ssize_t)sizeof(buf));
	stream_free(s); /* must not hang with the producer blocked on a full ring */
	free(plain);
}

Test(reader, lines_with_and_without_final_newline)
{
	static const char text[] = "one\ntwo\r\n\nlast";
	static const char *const want[] = { "one", "two\r", "", "last" };
	static const uint64_t offsets[] = { 0, 4, 9, 10 };
	struct stream *s;
	struct reader r;
	const uint8_t *line;
	size_t len, i = 0;
	uint64_t off;

	cr_assert_eq(stream_open_mem(text, sizeof(text) - 1, &s), 0);
	reader_init(&r, s);
	while (reader_line(&r, &line, &len, &off) == 1) {
		cr_assert_lt(i, 4);
		cr_assert_eq(len, strlen(want[i]));
		cr_assert(!memcmp(line, want[i], len));
		cr_assert_eq(off, offsets[i]);
		i++;
	}
	cr_assert_eq(i, 4);
	cr_assert_eq(reader_offset(&r), sizeof(text) - 1);
	reader_release(&r);
	stream_free(s);
}

Test(reader, overlong_line_is_skipped_and_reported)
{
	size_t len = READER_MAX + 100;
	char *text = malloc(len + 20);
	struct stream *s;
	struct reader r;
	const uint8_t *line;
	size_t n;
	uint64_t off;

	memset(text, 'x', len);
	memcpy(text + len, "\nafter\n", 7);
	cr_assert_eq(stream_open_mem(text, len + 7, &s), 0);
	reader_init(&r, s);
	cr_assert_eq(reader_line(&r, &line, &n, &off), -E2BIG);
	cr_assert_eq(off, 0);
	cr_assert_eq(reader_line(&r, &line, &n, &off), 1);
	cr_assert_eq(n, 5);
	cr_assert(!memcmp(line, "after", 5));
	cr_assert_eq(off, len + 1);
	reader_release(&r);
	stream_free(s);
	free(text);
}

Test(reader, fill_is_bounded_and_tracks_offsets)
{
	uint8_t *data = make_data(3u << 20);
	struct stream *s;
	struct reader r;

	cr_assert_eq(stream_open_mem(data, 3u << 20, &s), 0);
	reader_init(&r, s);
	cr_assert_eq(reader_fill(&r, 100), reader_avail(&r));
	cr_assert_geq(reader_avail(&r), 100);
	/* a small fill reads ahead only a step (cache-warm parsing); a large one reads what it asks */
	cr_assert_geq(reader_fill(&r, 1000000), 1000000);
	reader_consume(&r, 1000000);
	cr_assert_eq(reader_offset(&r), 1000000);
	cr_assert_geq(reader_fill(&r, 2u << 20), 2u << 20);
	cr_assert(!memcmp(reader_data(&r), data + 1000000, 2u << 20));
	reader_consume(&r, SIZE_MAX);
	uint64_t off = reader_offset(&r);
	size_t rest = reader_fill(&r, 4u << 20);
	cr_assert_eq(off + rest, 3u << 20, "a fill past the end returns what is left");
	cr_assert(r.eof);
	reader_release(&r);
	stream_free(s);
	free(data);
}
