/* test-sink-queue: an importer's output crosses to the writer's thread whole and in order. */
#include <criterion/criterion.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sink-queue.h"

/* What the writer's side saw, as one text line per record, plus when to fail. */
struct recorder {
	char *log;
	size_t len, cap;
	long events;
	long fail_at; /* fail the event with this index (-1: never) */
	long dup_every;
};

static void record(struct recorder *r, const char *line)
{
	size_t n = strlen(line);

	if (r->len + n + 2 > r->cap) {
		r->cap = (r->len + n + 2) * 2;
		r->log = realloc(r->log, r->cap);
	}
	memcpy(r->log + r->len, line, n);
	r->len += n;
	r->log[r->len++] = '\n';
	r->log[r->len] = '\0';
}

/* The line both sides agree an event should give. */
static void event_line(char *buf, size_t size, const struct bs_event *ev)
{
	unsigned long sum = 0;

	for (size_t i = 0; ev->raw && i < ev->raw_len; i++)
		sum = sum * 31 + ((const unsigned char *)ev->raw)[i];
	snprintf(buf, size, "event %lld %s %s %s raw=%zu/%lu cmd=%s pid=%lld key=%s", (long long)ev->ts,
		 ev->type ? ev->type : "-", ev->summary ? ev->summary : "-", ev->fields ? ev->fields : "-",
		 ev->raw ? ev->raw_len : 0, sum, ev->cmdline ? ev->cmdline : "(null)", (long long)ev->pid,
		 ev->dedup_key ? ev->dedup_key : "-");
}

static int on_event(void *userdata, const struct bs_event *ev)
{
	struct recorder *r = userdata;
	char line[512];
	long i = r->events++;

	if (i == r->fail_at)
		return -ENOSPC;
	event_line(line, sizeof(line), ev);
	record(r, line);
	return r->dup_every && i % r->dup_every == 0 ? 1 : 0;
}

static int on_process(void *userdata, const struct bs_process *p)
{
	char line[256];

	snprintf(line, sizeof(line), "process %lld %s", (long long)p->pid, p->exe ? p->exe : "(null)");
	record(userdata, line);
	return 0;
}

static int on_document(void *userdata, const char *kind, uint64_t offset, const char *body)
{
	char line[256];

	snprintf(line, sizeof(line), "document %s %llu %s", kind, (unsigned long long)offset, body);
	record(userdata, line);
	return 0;
}

static void on_issue(void *userdata, uint64_t offset, const char *severity, const char *msg)
{
	char line[256];

	snprintf(line, sizeof(line), "issue %llu %s %s", (unsigned long long)offset, severity, msg);
	record(userdata, line);
}

/* The importer's side: a mix of records, some with raw records larger than a block. */
struct producer {
	struct imp_sink sink;
	struct sink_queue *queue;
	struct recorder expected;
	long n;
	int first_error;
	long emitted_after_error;
};

static void *produce(void *arg)
{
	struct producer *p = arg;
	size_t big_len = SINK_QUEUE_BLOCK + 12345;
	char *big = malloc(big_len);
	char summary[64], cmdline[64], fields[64];

	for (size_t i = 0; i < big_len; i++)
		big[i] = (char)('a' + i % 23);
	for (long i = 0; i < p->n; i++) {
		struct bs_event ev;
		char line[512];
		int r;
		bs_event_init(&ev);
		snprintf(summary, sizeof(summary), "summary %ld", i);
		snprintf(cmdline, sizeof(cmdline), "cmd --n %ld", i);
		snprintf(fields, sizeof(fields), "{\"i\":%ld}", i);
		ev.ts = 1000 + i;
		ev.type = i % 2 ? "openat" : "execve";
		ev.summary = summary;
		ev.fields = i % 3 ? fields : NULL;
		ev.cmdline = i % 5 ? cmdline : NULL;
		ev.pid = i % 7;
		ev.dedup_key = i % 11 ? NULL : "k";
		/* the importer reuses its buffers: what was queued must be a copy */
		memcpy(big, &i, sizeof(i));
		ev.raw = i % 1000 == 999 ? big : summary;
		ev.raw_len = i % 1000 == 999 ? big_len - (size_t)i % 3 : strlen(summary);
		r = p->sink.event(p->sink.userdata, &ev);
		if (r < 0 && !p->first_error)
			p->first_error = r;
		if (r < 0) {
			p->emitted_after_error++;
			continue;
		}
		event_line(line, sizeof(line), &ev);
		record(&p->expected, line);
		if (i % 100 == 0) {
			struct bs_process proc;
			bs_process_init(&proc);
			proc.pid = i;
			proc.exe = i % 200 ? "/bin/sh" : NULL;
			p->sink.process(p->sink.userdata, &proc);
			snprintf(line, sizeof(line), "process %ld %s", i, proc.exe ? proc.exe : "(null)");
			record(&p->expected, line);
		}
		if (i % 333 == 0) {
			p->sink.document(p->sink.userdata, "note", (uint64_t)i, "{}");
			snprintf(line, sizeof(line), "document note %ld {}", i);
			record(&p->expected, line);
			sink_queue_issue(p->queue, (uint64_t)i, "warning", "odd record");
			snprintf(line, sizeof(line), "issue %ld warning odd record", i);
			record(&p->expected, line);
		}
	}
	free(big);
	sink_queue_close(p->queue);
	return NULL;
}

static int run(struct recorder *writer, struct producer *p, struct sink_queue_counts *counts)
{
	struct imp_sink target = { .event = on_event, .process = on_process, .document = on_document,
				   .userdata = writer };
	pthread_t t;
	int r;

	cr_assert_eq(sink_queue_new(target, on_issue, writer, &p->queue), 0);
	p->sink = sink_queue_sink(p->queue);
	cr_assert_eq(pthread_create(&t, NULL, produce, p), 0);
	r = sink_queue_drain(p->queue);
	pthread_join(t, NULL);
	*counts = *sink_queue_counts(p->queue);
	sink_queue_free(p->queue);
	return r;
}

Test(sink_queue, every_record_arrives_whole_and_in_order_across_blocks)
{
	struct recorder writer = { .fail_at = -1, .dup_every = 10 };
	struct producer p = { .n = 5000 };
	struct sink_queue_counts c;

	cr_assert_eq(run(&writer, &p, &c), 0);
	cr_assert_eq(p.first_error, 0);
	cr_assert(writer.log && p.expected.log);
	cr_assert_eq(writer.len, p.expected.len);
	cr_assert_str_eq(writer.log, p.expected.log);
	/* every 10th event was a duplicate in the case: counted apart, not as stored */
	cr_expect_eq(c.duplicates, 500);
	cr_expect_eq(c.stored, 4500);
	cr_expect_eq(c.first_ts, 1001);
	cr_expect_eq(c.last_ts, 1000 + 4999);
	free(writer.log);
	free(p.expected.log);
}

Test(sink_queue, a_writer_error_stops_the_importer_and_is_returned)
{
	struct recorder writer = { .fail_at = 1234 };
	struct producer p = { .n = 200000 };
	struct sink_queue_counts c;

	cr_assert_eq(run(&writer, &p, &c), -ENOSPC);
	/* the importer hears of it within the few blocks already queued, not at the end */
	cr_expect_eq(p.first_error, -ENOSPC);
	cr_expect_gt(p.emitted_after_error, 100000);
	cr_expect_eq(c.stored, 1234);
	free(writer.log);
	free(p.expected.log);
}
