/* sink-queue: an importer's output handed, in order, to the loader's thread; see sink-queue.h. */
#include "sink-queue.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"

/*
 * A message is a header, a copy of the record's struct, then each of its strings as a length
 * (SIZE_MAX for NULL) and the bytes with their NUL; an event's raw record comes last. The
 * reader copies the struct out and points its strings into the block.
 */
enum message_kind { MSG_EVENT, MSG_PROCESS, MSG_DOCUMENT, MSG_ISSUE };

struct message_header {
	uint32_t kind;
	uint32_t size; /* of the whole message, a multiple of 8 */
};

/* The records that are not already structs. */
struct document_record {
	uint64_t offset;
	const char *kind, *body;
};

struct issue_record {
	uint64_t offset;
	const char *severity, *msg;
};

#define MAX_SLOTS 32

/* Where a record's string pointers are, as offsets into its struct. */
struct layout {
	size_t size;
	size_t nslots;
	size_t slots[MAX_SLOTS];
};

struct block {
	uint8_t *data;
	size_t len, cap;
};

struct sink_queue {
	struct imp_sink target;
	sink_issue_fn target_issue;
	void *issue_userdata;
	struct layout layouts[4];

	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct block blocks[SINK_QUEUE_BLOCKS];
	uint64_t published, released; /* blocks handed to the writer / handed back */
	bool closed;
	struct block *current;	       /* the block the importer is filling, or NULL */
	atomic_int error;	       /* the target's first error: the importer stops on it */
	struct sink_queue_counts counts;
};

static void add_slot(struct layout *l, size_t offset)
{
	l->slots[l->nslots++] = offset;
}

static void init_layouts(struct sink_queue *q)
{
	struct layout *ev = &q->layouts[MSG_EVENT], *proc = &q->layouts[MSG_PROCESS];
	struct layout *doc = &q->layouts[MSG_DOCUMENT], *issue = &q->layouts[MSG_ISSUE];

	ev->size = sizeof(struct bs_event);
	add_slot(ev, offsetof(struct bs_event, type));
	add_slot(ev, offsetof(struct bs_event, host));
	add_slot(ev, offsetof(struct bs_event, summary));
	add_slot(ev, offsetof(struct bs_event, fields));
	add_slot(ev, offsetof(struct bs_event, dedup_key));
	for (size_t i = 0; i < bs_event_ncolumns; i++)
		if (bs_event_columns[i].kind == BS_COLUMN_STR)
			add_slot(ev, bs_event_columns[i].offset);

	proc->size = sizeof(struct bs_process);
	add_slot(proc, offsetof(struct bs_process, host));
	add_slot(proc, offsetof(struct bs_process, exe));
	add_slot(proc, offsetof(struct bs_process, name));
	add_slot(proc, offsetof(struct bs_process, args_json));
	add_slot(proc, offsetof(struct bs_process, cwd));
	add_slot(proc, offsetof(struct bs_process, tty));
	add_slot(proc, offsetof(struct bs_process, container_id));

	doc->size = sizeof(struct document_record);
	add_slot(doc, offsetof(struct document_record, kind));
	add_slot(doc, offsetof(struct document_record, body));

	issue->size = sizeof(struct issue_record);
	add_slot(issue, offsetof(struct issue_record, severity));
	add_slot(issue, offsetof(struct issue_record, msg));
}

int sink_queue_new(struct imp_sink target, sink_issue_fn target_issue, void *issue_userdata,
		   struct sink_queue **ret_queue)
{
	struct sink_queue *q = calloc(1, sizeof(*q));

	if (!q)
		return -ENOMEM;
	q->target = target;
	q->target_issue = target_issue;
	q->issue_userdata = issue_userdata;
	init_layouts(q);
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	atomic_init(&q->error, 0);
	q->counts.first_ts = q->counts.last_ts = BS_NONE;
	*ret_queue = q;
	return 0;
}

void sink_queue_free(struct sink_queue *q)
{
	if (!q)
		return;
	for (size_t i = 0; i < SINK_QUEUE_BLOCKS; i++)
		free(q->blocks[i].data);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q);
}

const struct sink_queue_counts *sink_queue_counts(const struct sink_queue *q)
{
	return &q->counts;
}

/* The importer's side ----------------------------------------------------------------------- */

static const char *slot_value(const void *record, size_t offset)
{
	const char *s;

	memcpy(&s, (const char *)record + offset, sizeof(s));
	return s;
}

static void publish_locked(struct sink_queue *q)
{
	if (q->current) {
		q->published++;
		q->current = NULL;
		pthread_cond_broadcast(&q->cv);
	}
}

/* A free block with room for n bytes, or NULL when the writer failed or memory ran out. */
static struct block *block_with_room(struct sink_queue *q, size_t n)
{
	struct block *b = q->current;

	if (b && b->len + n <= b->cap)
		return b;
	pthread_mutex_lock(&q->mu);
	if (b && b->len)
		publish_locked(q);
	while (!q->current && q->published - q->released >= SINK_QUEUE_BLOCKS && !atomic_load(&q->error))
		pthread_cond_wait(&q->cv, &q->mu);
	if (!q->current && !atomic_load(&q->error)) {
		q->current = &q->blocks[q->published % SINK_QUEUE_BLOCKS];
		q->current->len = 0;
	}
	b = q->current;
	pthread_mutex_unlock(&q->mu);
	if (!b)
		return NULL;
	if (n > b->cap) {
		size_t cap = n > SINK_QUEUE_BLOCK ? n : SINK_QUEUE_BLOCK;
		uint8_t *data = realloc(b->data, cap);
		if (!data)
			return NULL;
		b->data = data;
		b->cap = cap;
	}
	return b;
}

static size_t round8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Copy one record (its struct, strings and, for an event, raw bytes) into the queue. */
static int enqueue(struct sink_queue *q, enum message_kind kind, const void *record, const void *extra,
		   size_t extra_len)
{
	const struct layout *l = &q->layouts[kind];
	size_t lens[MAX_SLOTS], size = sizeof(struct message_header) + l->size + extra_len;
	int error = atomic_load(&q->error);
	struct message_header h = { .kind = kind };
	struct block *b;
	uint8_t *p;

	if (error)
		return error;
	for (size_t i = 0; i < l->nslots; i++) {
		const char *s = slot_value(record, l->slots[i]);
		lens[i] = s ? strlen(s) : SIZE_MAX;
		size += sizeof(size_t) + (s ? lens[i] + 1 : 0);
	}
	size = round8(size);
	if (size > UINT32_MAX)
		return -E2BIG;
	b = block_with_room(q, size);
	if (!b)
		return atomic_load(&q->error) ? atomic_load(&q->error) : -ENOMEM;
	h.size = (uint32_t)size;
	p = b->data + b->len;
	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	memcpy(p, record, l->size);
	p += l->size;
	for (size_t i = 0; i < l->nslots; i++) {
		memcpy(p, &lens[i], sizeof(size_t));
		p += sizeof(size_t);
		if (lens[i] != SIZE_MAX) {
			memcpy(p, slot_value(record, l->slots[i]), lens[i] + 1);
			p += lens[i] + 1;
		}
	}
	if (extra_len)
		memcpy(p, extra, extra_len);
	b->len += size;
	return 0;
}

static int queue_event(void *userdata, const struct bs_event *ev)
{
	return enqueue(userdata, MSG_EVENT, ev, ev->raw, ev->raw ? ev->raw_len : 0);
}

static int queue_process(void *userdata, const struct bs_process *p)
{
	return enqueue(userdata, MSG_PROCESS, p, NULL, 0);
}

static int queue_document(void *userdata, const char *kind, uint64_t offset, const char *body)
{
	struct document_record d = { .offset = offset, .kind = kind, .body = body };

	return enqueue(userdata, MSG_DOCUMENT, &d, NULL, 0);
}

struct imp_sink sink_queue_sink(struct sink_queue *q)
{
	return (struct imp_sink){
		.event = queue_event, .process = queue_process, .document = queue_document, .userdata = q
	};
}

void sink_queue_issue(void *userdata, uint64_t offset, const char *severity, const char *msg)
{
	struct issue_record r = { .offset = offset, .severity = severity, .msg = msg };

	/* a damage report lost to a failed writer changes nothing: that import fails anyway */
	(void)enqueue(userdata, MSG_ISSUE, &r, NULL, 0);
}

void sink_queue_close(struct sink_queue *q)
{
	pthread_mutex_lock(&q->mu);
	if (q->current && q->current->len)
		publish_locked(q);
	q->current = NULL;
	q->closed = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* The writer's side ------------------------------------------------------------------------- */

/* Copy the record's struct out of message m and point its strings into the block. */
static void read_record(const struct layout *l, const uint8_t *m, void *record, const uint8_t **rest)
{
	const uint8_t *p = m + sizeof(struct message_header);

	memcpy(record, p, l->size);
	p += l->size;
	for (size_t i = 0; i < l->nslots; i++) {
		size_t len;
		const char *s = NULL;
		memcpy(&len, p, sizeof(len));
		p += sizeof(len);
		if (len != SIZE_MAX) {
			s = (const char *)p;
			p += len + 1;
		}
		memcpy((char *)record + l->slots[i], &s, sizeof(s));
	}
	*rest = p;
}

static void count_event(struct sink_queue_counts *c, const struct bs_event *ev, int r)
{
	if (r == 1) {
		c->duplicates++;
		return;
	}
	c->stored++;
	if (c->first_ts == BS_NONE || ev->ts < c->first_ts)
		c->first_ts = ev->ts;
	if (c->last_ts == BS_NONE || ev->ts > c->last_ts)
		c->last_ts = ev->ts;
}

static int deliver(struct sink_queue *q, const uint8_t *m)
{
	struct message_header h;
	const uint8_t *rest;
	int r = 0;

	memcpy(&h, m, sizeof(h));
	switch (h.kind) {
	case MSG_EVENT: {
		struct bs_event ev;
		read_record(&q->layouts[MSG_EVENT], m, &ev, &rest);
		if (ev.raw)
			ev.raw = rest;
		r = q->target.event ? q->target.event(q->target.userdata, &ev) : 0;
		if (r >= 0)
			count_event(&q->counts, &ev, r);
		break;
	}
	case MSG_PROCESS: {
		struct bs_process p;
		read_record(&q->layouts[MSG_PROCESS], m, &p, &rest);
		r = q->target.process ? q->target.process(q->target.userdata, &p) : 0;
		break;
	}
	case MSG_DOCUMENT: {
		struct document_record d;
		read_record(&q->layouts[MSG_DOCUMENT], m, &d, &rest);
		r = q->target.document ? q->target.document(q->target.userdata, d.kind, d.offset, d.body) : 0;
		break;
	}
	case MSG_ISSUE: {
		struct issue_record i;
		read_record(&q->layouts[MSG_ISSUE], m, &i, &rest);
		if (q->target_issue)
			q->target_issue(q->issue_userdata, i.offset, i.severity, i.msg);
		break;
	}
	}
	return r < 0 ? r : 0;
}

static void deliver_block(struct sink_queue *q, const struct block *b)
{
	for (size_t off = 0; off < b->len && !atomic_load(&q->error);) {
		struct message_header h;
		memcpy(&h, b->data + off, sizeof(h));
		int r = deliver(q, b->data + off);
		if (r < 0)
			atomic_store(&q->error, r);
		off += h.size;
	}
}

int sink_queue_drain(struct sink_queue *q)
{
	for (;;) {
		struct block *b = NULL;

		pthread_mutex_lock(&q->mu);
		while (q->released == q->published && !q->closed)
			pthread_cond_wait(&q->cv, &q->mu);
		if (q->released < q->published)
			b = &q->blocks[q->released % SINK_QUEUE_BLOCKS];
		pthread_mutex_unlock(&q->mu);
		if (!b)
			break;
		deliver_block(q, b);
		pthread_mutex_lock(&q->mu);
		q->released++;
		pthread_cond_broadcast(&q->cv);
		pthread_mutex_unlock(&q->mu);
	}
	return atomic_load(&q->error);
}
