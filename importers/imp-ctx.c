/* imp-ctx: the services the driver gives importers — emitting, counting, damage reports. */
#include "importer.h"

#include <stdarg.h>
#include <string.h>

void imp_ctx_init(struct imp_ctx *ctx, const char *path, struct reader *in, const struct imp_options *opts,
		  struct imp_sink sink)
{
	static const struct imp_options no_options;

	memset(ctx, 0, sizeof(*ctx));
	ctx->path = path;
	ctx->in = in;
	ctx->opts = opts ? opts : &no_options;
	ctx->sink = sink;
	ctx->first_ts = BS_NONE;
	ctx->last_ts = BS_NONE;
	strbuf_init(&ctx->partial_reason);
	strbuf_init(&ctx->assumptions);
}

void imp_ctx_release(struct imp_ctx *ctx)
{
	strbuf_release(&ctx->partial_reason);
	strbuf_release(&ctx->assumptions);
}

int imp_emit(struct imp_ctx *ctx, const struct bs_event *ev)
{
	struct bs_event named;
	int r;

	if (ctx->sink_error)
		return ctx->sink_error;
	/* --host names the host of evidence that does not name its own (a capture, say) */
	if (!ev->host && ctx->opts && ctx->opts->host) {
		named = *ev;
		named.host = ctx->opts->host;
		ev = &named;
	}
	r = ctx->sink.event ? ctx->sink.event(ctx->sink.userdata, ev) : 0;
	if (r < 0) {
		ctx->sink_error = r;
		return r;
	}
	if (r == 1) {
		ctx->duplicates++;
		return 0;
	}
	ctx->events++;
	if (ctx->first_ts == BS_NONE || ev->ts < ctx->first_ts)
		ctx->first_ts = ev->ts;
	if (ctx->last_ts == BS_NONE || ev->ts > ctx->last_ts)
		ctx->last_ts = ev->ts;
	return 0;
}

int imp_document(struct imp_ctx *ctx, const char *kind, uint64_t offset, const char *body)
{
	int r;

	if (ctx->sink_error)
		return ctx->sink_error;
	r = ctx->sink.document ? ctx->sink.document(ctx->sink.userdata, kind, offset, body) : 0;
	if (r < 0)
		ctx->sink_error = r;
	return r;
}

int imp_process(struct imp_ctx *ctx, const struct bs_process *p)
{
	int r;

	if (ctx->sink_error)
		return ctx->sink_error;
	r = ctx->sink.process ? ctx->sink.process(ctx->sink.userdata, p) : 0;
	if (r < 0)
		ctx->sink_error = r;
	return r;
}

static void report(struct imp_ctx *ctx, uint64_t offset, const char *severity, const char *fmt, va_list ap)
	__attribute__((format(printf, 4, 0)));
static void report(struct imp_ctx *ctx, uint64_t offset, const char *severity, const char *fmt, va_list ap)
{
	struct strbuf msg = STRBUF_INIT;

	if (!ctx->issue)
		return;
	strbuf_vaddf(&msg, fmt, ap);
	ctx->issue(ctx->issue_userdata, offset, severity, msg.buf);
	strbuf_release(&msg);
}

void imp_skipped(struct imp_ctx *ctx, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	ctx->skipped++;
	va_start(ap, fmt);
	report(ctx, offset, "skipped", fmt, ap);
	va_end(ap);
}

void imp_warning(struct imp_ctx *ctx, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report(ctx, offset, "warning", fmt, ap);
	va_end(ap);
}

void imp_truncated(struct imp_ctx *ctx, uint64_t offset, const char *fmt, ...)
{
	va_list ap;

	if (ctx->partial)
		return;
	ctx->partial = true;
	ctx->partial_offset = offset;
	va_start(ap, fmt);
	strbuf_vaddf(&ctx->partial_reason, fmt, ap);
	va_end(ap);
	if (ctx->issue)
		ctx->issue(ctx->issue_userdata, offset, "truncated", ctx->partial_reason.buf);
}

void imp_assume(struct imp_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	if (ctx->assumptions.len)
		strbuf_addstr(&ctx->assumptions, "; ");
	va_start(ap, fmt);
	strbuf_vaddf(&ctx->assumptions, fmt, ap);
	va_end(ap);
}
