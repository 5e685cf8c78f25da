/* stream: sequential, transparently decompressed and hashed evidence input; see stream.h.
 *
 * A producer thread reads the file, hashes the raw bytes, decompresses when the first bytes are
 * a gzip or zstd magic, hashes the decompressed bytes and publishes them in a ring of
 * STREAM_CHUNKS chunks. The importer is the single consumer. When decompression fails the
 * producer keeps reading (and hashing) the raw file to its end, so the ledger always records the
 * hash of the whole file as it was handed over.
 */
#include "stream.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <zstd.h>

struct chunk {
	uint8_t data[STREAM_CHUNK];
	size_t len;
};

struct stream {
	char *path;
	int fd;
	bool own_fd;
	const uint8_t *mem;
	size_t mem_len, mem_pos;

	enum stream_compression comp;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;

	/* Ring: slots [released, produced) are owned by the consumer side. */
	struct chunk *ring;
	uint64_t produced, taken, released;
	bool started, done, stop;

	struct chunk *cur;
	size_t cur_pos;

	/* Written by the producer; read by the consumer only after `done`. */
	struct sha256_ctx raw_ctx, inner_ctx;
	char raw_hex[SHA256_HEX_LEN + 1], inner_hex[SHA256_HEX_LEN + 1];
	_Atomic uint64_t raw_size, inner_size; /* read live by progress displays */
	char *error;
	int err;
};

static const uint8_t gzip_magic[] = { 0x1f, 0x8b };
static const uint8_t zstd_magic[] = { 0x28, 0xb5, 0x2f, 0xfd };

const char *stream_compression_name(enum stream_compression c)
{
	switch (c) {
	case STREAM_GZIP: return "gzip";
	case STREAM_ZSTD: return "zstd";
	case STREAM_PLAIN: break;
	}
	return "none";
}

/* Producer side ------------------------------------------------------------------------- */

static void set_error(struct stream *s, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void set_error(struct stream *s, int err, const char *fmt, ...)
{
	struct strbuf sb = STRBUF_INIT;
	va_list ap;

	if (s->error)
		return;
	va_start(ap, fmt);
	strbuf_vaddf(&sb, fmt, ap);
	va_end(ap);
	s->error = strbuf_detach(&sb, NULL);
	s->err = err;
}

static ssize_t read_raw(struct stream *s, uint8_t *buf, size_t n)
{
	ssize_t r;

	if (s->mem) {
		size_t left = s->mem_len - s->mem_pos;
		if (n > left)
			n = left;
		memcpy(buf, s->mem + s->mem_pos, n);
		s->mem_pos += n;
		r = (ssize_t)n;
	} else {
		do
			r = read(s->fd, buf, n);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			return -errno;
	}
	sha256_update(&s->raw_ctx, buf, (size_t)r);
	s->raw_size += (uint64_t)r;
	return r;
}

/* Fill buf completely unless the file ends first. */
static ssize_t read_raw_full(struct stream *s, uint8_t *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read_raw(s, buf + got, n - got);
		if (r < 0)
			return r;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Wait for a free slot; NULL when the consumer asked us to stop. */
static struct chunk *slot_get(struct stream *s)
{
	struct chunk *c = NULL;

	pthread_mutex_lock(&s->mu);
	while (!s->stop && s->produced - s->released >= STREAM_CHUNKS)
		pthread_cond_wait(&s->cv, &s->mu);
	if (!s->stop)
		c = &s->ring[s->produced % STREAM_CHUNKS];
	pthread_mutex_unlock(&s->mu);
	if (c)
		c->len = 0;
	return c;
}

static void slot_publish(struct stream *s, struct chunk *c)
{
	/* A plain file's published bytes are its raw bytes: hashed once, in read_raw. */
	if (s->comp != STREAM_PLAIN)
		sha256_update(&s->inner_ctx, c->data, c->len);
	s->inner_size += c->len;
	pthread_mutex_lock(&s->mu);
	s->produced++;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
}

static bool stopping(struct stream *s)
{
	bool stop;

	pthread_mutex_lock(&s->mu);
	stop = s->stop;
	pthread_mutex_unlock(&s->mu);
	return stop;
}

/* After a decompression failure: hash the rest of the raw file and stop. */
static void drain_raw(struct stream *s, uint8_t *buf)
{
	while (!stopping(s)) {
		ssize_t r = read_raw(s, buf, STREAM_CHUNK);
		if (r <= 0)
			break;
	}
}

static void produce_plain(struct stream *s, const uint8_t *head, size_t head_len)
{
	struct chunk *c = slot_get(s);

	if (!c)
		return;
	memcpy(c->data, head, head_len);
	c->len = head_len;
	for (;;) {
		ssize_t r = read_raw_full(s, c->data + c->len, STREAM_CHUNK - c->len);
		if (r < 0) {
			set_error(s, (int)-r, "read error at byte %llu: %s", (unsigned long long)s->raw_size,
				  strerror((int)-r));
			break;
		}
		c->len += (size_t)r;
		if (c->len < STREAM_CHUNK)
			break;
		slot_publish(s, c);
		if (!(c = slot_get(s)))
			return;
	}
	if (c->len)
		slot_publish(s, c);
}

/*
 * Both decompressors share one loop: `step` consumes input from in/in_len and appends output to
 * the chunk, returning how much input it used, or -1 with the stream's error set.
 */
struct decoder {
	int (*step)(struct stream *s, struct decoder *d, const uint8_t *in, size_t in_len, struct chunk *c,
		    size_t *ret_used);
	bool (*finished)(struct decoder *d);
	z_stream z;
	bool z_end;
	ZSTD_DCtx *zd;
	size_t zret;
	uint64_t in_offset; /* offset in the raw file of `in` */
};

static int gzip_step(struct stream *s, struct decoder *d, const uint8_t *in, size_t in_len, struct chunk *c,
		     size_t *ret_used)
{
	int zr;

	if (d->z_end) {
		/* Another gzip member may follow (gzip -c a b > ab); NUL padding is tolerated. */
		size_t i = 0;
		while (i < in_len && in[i] == 0)
			i++;
		if (i == in_len) {
			*ret_used = in_len;
			return 0;
		}
		if (in[i] != gzip_magic[0]) {
			set_error(s, EBADMSG, "data after the end of the gzip stream at byte %llu",
				  (unsigned long long)(d->in_offset + i));
			return -1;
		}
		inflateReset(&d->z);
		d->z_end = false;
		*ret_used = i;
		return i ? 0 : gzip_step(s, d, in, in_len, c, ret_used);
	}
	d->z.next_in = (Bytef *)in;
	d->z.avail_in = (uInt)in_len;
	d->z.next_out = c->data + c->len;
	d->z.avail_out = (uInt)(STREAM_CHUNK - c->len);
	zr = inflate(&d->z, Z_NO_FLUSH);
	*ret_used = in_len - d->z.avail_in;
	c->len = STREAM_CHUNK - d->z.avail_out;
	if (zr == Z_STREAM_END) {
		d->z_end = true;
	} else if (zr != Z_OK && zr != Z_BUF_ERROR) {
		set_error(s, EBADMSG, "gzip data corrupt near byte %llu: %s",
			  (unsigned long long)(d->in_offset + *ret_used), d->z.msg ? d->z.msg : "inflate failed");
		return -1;
	}
	return 0;
}

static bool gzip_finished(struct decoder *d)
{
	return d->z_end;
}

static int zstd_step(struct stream *s, struct decoder *d, const uint8_t *in, size_t in_len, struct chunk *c,
		     size_t *ret_used)
{
	ZSTD_inBuffer ib = { in, in_len, 0 };
	ZSTD_outBuffer ob = { c->data, STREAM_CHUNK, c->len };

	size_t zr = ZSTD_decompressStream(d->zd, &ob, &ib);

	if (ZSTD_isError(zr)) {
		set_error(s, EBADMSG, "zstd data corrupt near byte %llu: %s",
			  (unsigned long long)(d->in_offset + ib.pos), ZSTD_getErrorName(zr));
		return -1;
	}
	/* A call that did nothing must not overwrite "frame complete" (0) with the next frame's hint. */
	if (ib.pos || ob.pos != c->len)
		d->zret = zr;
	*ret_used = ib.pos;
	c->len = ob.pos;
	return 0;
}

static bool zstd_finished(struct decoder *d)
{
	return d->zret == 0;
}

static void produce_compressed(struct stream *s, struct decoder *d, uint8_t *inbuf, size_t in_len)
{
	struct chunk *c = slot_get(s);
	size_t pos = 0;
	bool eof = false;

	if (!c)
		return;
	for (;;) {
		size_t used = 0, before = c->len;

		if (pos == in_len && !eof) {
			ssize_t r = read_raw(s, inbuf, STREAM_CHUNK);
			if (r < 0) {
				set_error(s, (int)-r, "read error at byte %llu: %s",
					  (unsigned long long)s->raw_size, strerror((int)-r));
				break;
			}
			pos = 0;
			in_len = (size_t)r;
			eof = r == 0;
		}
		if (d->step(s, d, inbuf + pos, in_len - pos, c, &used) < 0) {
			if (c->len)
				slot_publish(s, c);
			drain_raw(s, inbuf);
			return;
		}
		pos += used;
		d->in_offset += used;
		if (c->len == STREAM_CHUNK) {
			slot_publish(s, c);
			if (!(c = slot_get(s)))
				return;
			continue;
		}
		if (used || c->len != before)
			continue;
		/* No progress: the decoder needs input we do not have. */
		if (eof) {
			if (!d->finished(d))
				set_error(s, EPIPE, "%s stream ends early: the file is cut at byte %llu",
					  stream_compression_name(s->comp), (unsigned long long)s->raw_size);
			break;
		}
		memmove(inbuf, inbuf + pos, in_len - pos);
		in_len -= pos;
		pos = 0;
		ssize_t r = read_raw(s, inbuf + in_len, STREAM_CHUNK - in_len);
		if (r < 0) {
			set_error(s, (int)-r, "read error at byte %llu: %s", (unsigned long long)s->raw_size,
				  strerror((int)-r));
			break;
		}
		in_len += (size_t)r;
		eof = r == 0;
	}
	if (c->len)
		slot_publish(s, c);
}

static void *producer(void *arg)
{
	struct stream *s = arg;
	uint8_t *inbuf = malloc(STREAM_CHUNK);
	struct decoder d = { 0 };
	ssize_t head;

	if (!inbuf) {
		set_error(s, ENOMEM, "out of memory");
		goto out;
	}
	head = read_raw_full(s, inbuf, sizeof(zstd_magic));
	if (head < 0) {
		set_error(s, (int)-head, "read error at byte 0: %s", strerror((int)-head));
		goto out;
	}
	if (head >= 2 && !memcmp(inbuf, gzip_magic, 2)) {
		s->comp = STREAM_GZIP;
		d.step = gzip_step;
		d.finished = gzip_finished;
		if (inflateInit2(&d.z, 15 + 16) != Z_OK) {
			set_error(s, ENOMEM, "cannot start gzip decompression");
			goto out;
		}
	} else if (head == 4 && !memcmp(inbuf, zstd_magic, 4)) {
		s->comp = STREAM_ZSTD;
		d.step = zstd_step;
		d.finished = zstd_finished;
		d.zret = 1;
		if (!(d.zd = ZSTD_createDCtx())) {
			set_error(s, ENOMEM, "cannot start zstd decompression");
			goto out;
		}
	}
	/* Tell the consumer the compression before any data, so probes can report it. */
	if (s->comp == STREAM_PLAIN)
		produce_plain(s, inbuf, (size_t)head);
	else
		produce_compressed(s, &d, inbuf, (size_t)head);
out:
	if (s->comp == STREAM_GZIP)
		inflateEnd(&d.z);
	ZSTD_freeDCtx(d.zd);
	free(inbuf);
	sha256_final_hex(&s->raw_ctx, s->raw_hex);
	if (s->comp == STREAM_PLAIN) {
		sha256_release(&s->inner_ctx);
		memcpy(s->inner_hex, s->raw_hex, sizeof(s->inner_hex));
	} else {
		sha256_final_hex(&s->inner_ctx, s->inner_hex);
	}
	pthread_mutex_lock(&s->mu);
	s->done = true;
	pthread_cond_broadcast(&s->cv);
	pthread_mutex_unlock(&s->mu);
	return NULL;
}

/* Consumer side ------------------------------------------------------------------------- */

static int start(struct stream *s)
{
	int r;

	s->ring = malloc(sizeof(*s->ring) * STREAM_CHUNKS);
	if (!s->ring)
		return -ENOMEM;
	if (sha256_init(&s->raw_ctx) < 0 || sha256_init(&s->inner_ctx) < 0)
		return -ENOMEM;
	pthread_mutex_init(&s->mu, NULL);
	pthread_cond_init(&s->cv, NULL);
	r = pthread_create(&s->thread, NULL, producer, s);
	if (r) {
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
		return -r;
	}
	s->started = true;
	return 0;
}

static struct stream *stream_alloc(void)
{
	struct stream *s = calloc(1, sizeof(*s));

	if (s)
		s->fd = -1;
	return s;
}

int stream_open(const char *path, struct stream **ret_stream, struct strbuf *err)
{
	struct stream *s = stream_alloc();
	int r;

	if (!s)
		return -ENOMEM;
	s->path = strdup(path);
	if (!strcmp(path, "-")) {
		s->fd = STDIN_FILENO;
	} else {
		s->fd = open(path, O_RDONLY | O_CLOEXEC);
		if (s->fd < 0) {
			r = -errno;
			strbuf_addf(err, "cannot open '%s': %s", path, strerror(errno));
			free(s->path);
			free(s);
			return r;
		}
		s->own_fd = true;
		posix_fadvise(s->fd, 0, 0, POSIX_FADV_SEQUENTIAL);
	}
	r = start(s);
	if (r < 0) {
		strbuf_addf(err, "cannot read '%s': %s", path, strerror(-r));
		stream_free(s);
		return r;
	}
	*ret_stream = s;
	return 0;
}

int stream_open_mem(const void *data, size_t len, struct stream **ret_stream)
{
	static const uint8_t empty;
	struct stream *s = stream_alloc();
	int r;

	if (!s)
		return -ENOMEM;
	s->mem = len ? data : &empty;
	s->mem_len = len;
	r = start(s);
	if (r < 0) {
		stream_free(s);
		return r;
	}
	*ret_stream = s;
	return 0;
}

ssize_t stream_read(struct stream *s, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		if (s->cur && s->cur_pos < s->cur->len) {
			size_t k = s->cur->len - s->cur_pos;
			if (k > n - got)
				k = n - got;
			memcpy((uint8_t *)buf + got, s->cur->data + s->cur_pos, k);
			s->cur_pos += k;
			got += k;
			continue;
		}
		pthread_mutex_lock(&s->mu);
		if (s->cur) {
			s->cur = NULL;
			s->released++;
			pthread_cond_broadcast(&s->cv);
		}
		while (s->taken == s->produced && !s->done)
			pthread_cond_wait(&s->cv, &s->mu);
		if (s->taken < s->produced) {
			s->cur = &s->ring[s->taken % STREAM_CHUNKS];
			s->cur_pos = 0;
			s->taken++;
		}
		pthread_mutex_unlock(&s->mu);
		if (!s->cur)
			break;
	}
	if (got)
		return (ssize_t)got;
	return s->error ? -s->err : 0;
}

void stream_free(struct stream *s)
{
	if (!s)
		return;
	if (s->started) {
		pthread_mutex_lock(&s->mu);
		s->stop = true;
		pthread_cond_broadcast(&s->cv);
		pthread_mutex_unlock(&s->mu);
		pthread_join(s->thread, NULL);
		pthread_mutex_destroy(&s->mu);
		pthread_cond_destroy(&s->cv);
	}
	sha256_release(&s->raw_ctx);
	sha256_release(&s->inner_ctx);
	if (s->own_fd)
		close(s->fd);
	free(s->ring);
	free(s->error);
	free(s->path);
	free(s);
}

enum stream_compression stream_compression(const struct stream *s)
{
	return s->comp;
}

uint64_t stream_raw_size(const struct stream *s)
{
	return s->raw_size;
}

uint64_t stream_size(const struct stream *s)
{
	return s->inner_size;
}

void stream_raw_sha256(const struct stream *s, char hex[SHA256_HEX_LEN + 1])
{
	memcpy(hex, s->raw_hex, sizeof(s->raw_hex));
}

void stream_sha256(const struct stream *s, char hex[SHA256_HEX_LEN + 1])
{
	memcpy(hex, s->inner_hex, sizeof(s->inner_hex));
}

const char *stream_error(const struct stream *s)
{
	return s->error;
}
