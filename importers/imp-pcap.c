/* imp-pcap: packet captures — classic pcap and pcapng — read record by record.
 *
 * Follows the libpcap file format (draft-ietf-opsawg-pcap) and the pcapng format
 * (draft-ietf-opsawg-pcapng). This file is the record/block layer only: it finds each packet,
 * its link type, its timestamp in ns UTC and the byte offset of its record, and hands the frame
 * to the decoders (net-link.c and onwards), which turn packets into `network` events.
 *
 * Own reader rather than libpcap: libpcap refuses pcapng files whose interfaces have different
 * link types, and does not tell where in the file a packet was. Both byte orders, µs and ns
 * classic files, pcapng sections of either order, any number of interfaces each with its own
 * link type, if_tsresol and if_tsoffset, EPB/SPB and the obsolete PB are read; NRB, ISB, custom
 * and unknown blocks are skipped by their length. A record whose length cannot be true ends the
 * import as partial (nothing after it can be found again); earlier packets are kept.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "imp-pcap.h"
#include "importer.h"

#define PCAP_MAGIC_US 0xa1b2c3d4u
#define PCAP_MAGIC_NS 0xa1b23c4du
#define PCAP_MAGIC_KUZ 0xa1b2cd34u /* "modified" pcap of old Linux patches: 8 more bytes per record */
#define PCAPNG_SHB 0x0a0d0d0au
#define PCAPNG_BOM 0x1a2b3c4du

/* Records longer than this cannot be a packet whatever the snaplen says (libpcap's bound). */
#define MAX_PACKET (256u * 1024)
/* pcapng blocks longer than this are treated as corrupt lengths. */
#define MAX_BLOCK (16u << 20)
#define MAX_IFACES 4096

struct iface {
	int linktype;
	uint32_t snaplen;
	int64_t tsoffset_ns;
	uint64_t units;  /* ticks per second when base 10; 0 when base 2 */
	uint8_t pow2;    /* exponent when base 2 */
	int64_t precision;
};

struct state {
	bool ng;
	/* classic */
	bool be, kuz;
	int linktype;
	uint32_t snaplen;
	int64_t frac_ns; /* ns per fraction unit: 1000 (µs) or 1 */
	/* pcapng: interfaces of the current section */
	struct iface *ifaces;
	size_t nifaces, cap_ifaces;
	bool spb_assumed, started;
	int64_t last_ts;

	struct net_state ns;
	struct imp_pcap_stats stats;
};

struct imp_pcap_stats *imp_pcap_stats(void *state)
{
	return &((struct state *)state)->stats;
}

static int probe(const uint8_t *head, size_t len)
{
	uint32_t le, be;

	if (len < 4)
		return 0;
	le = (uint32_t)head[0] | (uint32_t)head[1] << 8 | (uint32_t)head[2] << 16 | (uint32_t)head[3] << 24;
	be = (uint32_t)head[3] | (uint32_t)head[2] << 8 | (uint32_t)head[1] << 16 | (uint32_t)head[0] << 24;
	if (le == PCAP_MAGIC_US || be == PCAP_MAGIC_US || le == PCAP_MAGIC_NS || be == PCAP_MAGIC_NS ||
	    le == PCAP_MAGIC_KUZ || be == PCAP_MAGIC_KUZ)
		return 100;
	if (le == PCAPNG_SHB && len >= 12) {
		struct cursor c = cursor_make(head + 8, 4);
		uint32_t bom = cursor_le32(&c);
		if (bom == PCAPNG_BOM || bom == 0x4d3c2b1au)
			return 100;
	}
	return 0;
}

static int open_(struct imp_ctx *ctx, void **ret_state)
{
	struct state *st = calloc(1, sizeof(*st));
	const uint8_t *p;
	struct cursor c;
	uint32_t magic;
	int r;

	if (!st)
		return -ENOMEM;
	r = net_state_init(&st->ns, ctx);
	if (r < 0) {
		free(st);
		return r;
	}
	*ret_state = st;
	if (reader_fill(ctx->in, 4) < 4)
		return 0; /* next() reports the empty file */
	p = reader_data(ctx->in);
	c = cursor_make(p, 4);
	magic = cursor_le32(&c);
	st->ng = magic == PCAPNG_SHB;
	return 0;
}

/* ---- classic pcap ---- */

static int classic_header(struct imp_ctx *ctx, struct state *st)
{
	size_t n = reader_fill(ctx->in, 24);
	struct cursor c;
	uint32_t magic;
	uint16_t major, minor;
	int32_t thiszone;
	uint32_t network;

	if (n < 24) {
		imp_truncated(ctx, 0, "pcap file header cut short: %zu of 24 bytes", n);
		return -EBADMSG;
	}
	c = cursor_make(reader_data(ctx->in), 24);
	magic = cursor_le32(&c);
	st->be = !(magic == PCAP_MAGIC_US || magic == PCAP_MAGIC_NS || magic == PCAP_MAGIC_KUZ);
	if (st->be) {
		c = cursor_make(reader_data(ctx->in), 24);
		magic = cursor_be32(&c);
	}
	st->frac_ns = magic == PCAP_MAGIC_NS ? 1 : 1000;
	st->stats.nanosecond = magic == PCAP_MAGIC_NS;
	st->kuz = magic == PCAP_MAGIC_KUZ;
	major = cursor_u16(&c, st->be);
	minor = cursor_u16(&c, st->be);
	thiszone = (int32_t)cursor_u32(&c, st->be);
	(void)cursor_u32(&c, st->be); /* sigfigs: always 0 in practice, unused */
	st->snaplen = cursor_u32(&c, st->be);
	network = cursor_u32(&c, st->be);
	st->linktype = (int)(network & 0x03ffffff); /* upper bits: FCS length flags */
	if (major != 2)
		imp_warning(ctx, 4, "pcap version %u.%u (expected 2.x): reading as 2.4", major, minor);
	if (thiszone)
		imp_assume(ctx, "pcap header thiszone=%d ignored: timestamps read as UTC, as libpcap and Wireshark do",
			   (int)thiszone);
	reader_consume(ctx->in, 24);
	return 0;
}

static void packet(struct state *st, struct net_pkt *pkt, int linktype)
{
	st->stats.packets++;
	if (st->stats.on_packet)
		st->stats.on_packet(st->stats.userdata, pkt, linktype);
}

static int classic_next(struct imp_ctx *ctx, struct state *st)
{
	size_t hdr = st->kuz ? 24 : 16;
	size_t n = reader_fill(ctx->in, hdr);
	uint64_t off = reader_offset(ctx->in);
	struct cursor c;
	uint32_t sec, frac, incl, orig;
	struct net_pkt pkt;
	int r;

	if (n == 0)
		return 0;
	if (n < hdr) {
		imp_truncated(ctx, off, "pcap record header cut short: %zu of %zu bytes", n, hdr);
		return -EBADMSG;
	}
	c = cursor_make(reader_data(ctx->in), hdr);
	sec = cursor_u32(&c, st->be);
	frac = cursor_u32(&c, st->be);
	incl = cursor_u32(&c, st->be);
	orig = cursor_u32(&c, st->be);
	if (incl > MAX_PACKET && (incl > st->snaplen || incl > MAX_BLOCK)) {
		imp_truncated(ctx, off, "pcap record claims %u captured bytes (snaplen %u): corrupt record length",
			      incl, st->snaplen);
		return -EBADMSG;
	}
	n = reader_fill(ctx->in, hdr + incl);
	if (n < hdr + incl) {
		imp_truncated(ctx, off, "pcap record cut short: %zu of %u packet bytes", n - hdr, incl);
		return -EBADMSG;
	}
	memset(&pkt, 0, sizeof(pkt));
	/* A fraction past one second (seen in the wild) is kept as the arithmetic gives it. */
	pkt.ts = (int64_t)sec * 1000000000 + (int64_t)frac * st->frac_ns;
	pkt.ts_precision = st->frac_ns;
	pkt.offset = off;
	pkt.frame = reader_data(ctx->in) + hdr;
	pkt.frame_len = incl;
	pkt.wire_len = orig;
	packet(st, &pkt, st->linktype);
	r = net_decode_frame(&st->ns, st->linktype, &pkt);
	reader_consume(ctx->in, hdr + incl);
	return r < 0 ? r : 1;
}

/* ---- pcapng ---- */

/* Times are kept within [-2^60, 2^62] ns (1933 .. 2116): any difference of two of them fits in
 * an int64_t, whatever a hostile if_tsoffset or tick count says. */
#define TS_MIN (-(INT64_C(1) << 60))
#define TS_MAX (INT64_C(1) << 62)

static int64_t clamp_ts(int64_t t)
{
	return t < TS_MIN ? TS_MIN : t > TS_MAX ? TS_MAX : t;
}

static int64_t ticks_to_ns(const struct iface *ifc, uint64_t t)
{
	unsigned __int128 v;

	if (ifc->units) {
		if (ifc->units <= 1000000000u)
			v = (unsigned __int128)t * (1000000000u / ifc->units);
		else
			v = t / (ifc->units / 1000000000u);
	} else {
		v = ((unsigned __int128)t * 1000000000u) >> ifc->pow2;
	}
	if (v > (unsigned __int128)TS_MAX)
		v = TS_MAX;
	return clamp_ts((int64_t)v + ifc->tsoffset_ns);
}

static void iface_options(struct iface *ifc, struct cursor *c, bool be)
{
	while (cursor_remaining(c) >= 4) {
		uint16_t code = cursor_u16(c, be), olen = cursor_u16(c, be);
		struct cursor v = cursor_sub(c, olen);
		cursor_skip(c, (4 - olen % 4) % 4);
		if (c->truncated || code == 0)
			break;
		if (code == 9 && olen >= 1) { /* if_tsresol */
			uint8_t res = cursor_u8(&v);
			if (res & 0x80) {
				ifc->units = 0;
				ifc->pow2 = res & 0x7f;
				if (ifc->pow2 > 63)
					ifc->pow2 = 63;
				ifc->precision = ifc->pow2 >= 30 ? 1 : (int64_t)(1000000000u >> ifc->pow2);
			} else {
				uint64_t u = 1;
				if (res > 19)
					res = 19;
				for (uint8_t i = 0; i < res; i++)
					u *= 10;
				ifc->units = u;
				ifc->precision = u >= 1000000000u ? 1 : (int64_t)(1000000000u / u);
			}
		} else if (code == 14 && olen >= 8) { /* if_tsoffset, seconds */
			int64_t s = (int64_t)cursor_u64(&v, be);
			if (s > -(INT64_C(1) << 31) && s < (INT64_C(1) << 31))
				ifc->tsoffset_ns = s * 1000000000;
		}
	}
}

static int add_iface(struct imp_ctx *ctx, struct state *st, struct cursor *body, bool be, uint64_t off)
{
	struct iface ifc = { .units = 1000000, .precision = 1000 };

	ifc.linktype = cursor_u16(body, be);
	cursor_skip(body, 2);
	ifc.snaplen = cursor_u32(body, be);
	if (body->truncated) {
		imp_skipped(ctx, off, "pcapng interface description block too short");
		return 0;
	}
	iface_options(&ifc, body, be);
	if (st->nifaces >= MAX_IFACES) {
		imp_skipped(ctx, off, "more than %u interfaces in one pcapng section", MAX_IFACES);
		return 0;
	}
	if (st->nifaces == st->cap_ifaces) {
		size_t cap = st->cap_ifaces ? st->cap_ifaces * 2 : 8;
		struct iface *n = realloc(st->ifaces, cap * sizeof(*n));
		if (!n)
			return -ENOMEM;
		st->ifaces = n;
		st->cap_ifaces = cap;
	}
	st->ifaces[st->nifaces++] = ifc;
	return 0;
}

static int ng_packet(struct imp_ctx *ctx, struct state *st, uint32_t type, struct cursor *body, bool be,
		     uint64_t off)
{
	struct net_pkt pkt;
	uint32_t if_id, cap, orig;
	uint64_t ticks = 0;
	const struct iface *ifc;
	const char *what = type == 6 ? "enhanced packet" : type == 3 ? "simple packet" : "packet";

	memset(&pkt, 0, sizeof(pkt));
	if (type == 3) {
		if_id = 0;
		orig = cursor_u32(body, be);
		cap = (uint32_t)cursor_remaining(body);
		if (orig < cap)
			cap = orig;
	} else {
		if (type == 6) {
			if_id = cursor_u32(body, be);
		} else {
			if_id = cursor_u16(body, be);
			cursor_skip(body, 2); /* drops count */
		}
		ticks = (uint64_t)cursor_u32(body, be) << 32;
		ticks |= cursor_u32(body, be);
		cap = cursor_u32(body, be);
		orig = cursor_u32(body, be);
	}
	if (body->truncated || cap > cursor_remaining(body)) {
		imp_skipped(ctx, off, "pcapng %s block: captured length %u exceeds the block", what, cap);
		return 0;
	}
	if (if_id >= st->nifaces) {
		imp_skipped(ctx, off, "pcapng %s block names interface %u, but the section has %zu", what, if_id,
			    st->nifaces);
		return 0;
	}
	ifc = &st->ifaces[if_id];
	if (type == 3) {
		if (ifc->snaplen && cap > ifc->snaplen)
			cap = ifc->snaplen;
		if (!st->spb_assumed) {
			imp_assume(ctx, "pcapng simple packet blocks carry no time: each takes the time of the packet "
					"before it");
			st->spb_assumed = true;
		}
		pkt.ts = st->last_ts;
		pkt.ts_precision = 1000000000;
	} else {
		pkt.ts = ticks_to_ns(ifc, ticks);
		pkt.ts_precision = ifc->precision;
		st->last_ts = pkt.ts;
	}
	pkt.offset = off;
	pkt.frame = body->pos;
	pkt.frame_len = cap;
	pkt.wire_len = orig;
	packet(st, &pkt, ifc->linktype);
	return net_decode_frame(&st->ns, ifc->linktype, &pkt);
}

static int ng_next(struct imp_ctx *ctx, struct state *st)
{
	size_t n = reader_fill(ctx->in, 12);
	uint64_t off = reader_offset(ctx->in);
	const uint8_t *p = reader_data(ctx->in);
	struct cursor c, body;
	uint32_t type, len;
	bool be;
	int r = 0;

	if (n == 0)
		return 0;
	if (n < 12) {
		imp_truncated(ctx, off, "pcapng block header cut short: %zu of 12 bytes", n);
		return -EBADMSG;
	}
	c = cursor_make(p, 12);
	type = cursor_le32(&c);
	if (type == PCAPNG_SHB) {
		/* A new section: its own byte order, its own interfaces. */
		struct cursor b = cursor_make(p + 8, 4);
		uint32_t bom = cursor_le32(&b);
		if (bom != PCAPNG_BOM && bom != 0x4d3c2b1au) {
			imp_truncated(ctx, off, "pcapng section header with a bad byte-order magic 0x%08x", bom);
			return -EBADMSG;
		}
		st->be = bom != PCAPNG_BOM;
		st->nifaces = 0;
	}
	be = st->be;
	c = cursor_make(p, 12);
	type = cursor_u32(&c, be);
	len = cursor_u32(&c, be);
	if (len < 12 || len % 4 || len > MAX_BLOCK) {
		imp_truncated(ctx, off, "pcapng block of type 0x%08x claims %u bytes: corrupt block length", type, len);
		return -EBADMSG;
	}
	n = reader_fill(ctx->in, len);
	if (n < len) {
		imp_truncated(ctx, off, "pcapng block of type 0x%08x cut short: %zu of %u bytes", type, n, len);
		return -EBADMSG;
	}
	p = reader_data(ctx->in);
	c = cursor_make(p + len - 4, 4);
	if (cursor_u32(&c, be) != len) {
		imp_truncated(ctx, off, "pcapng block of type 0x%08x: trailing length differs from %u", type, len);
		return -EBADMSG;
	}
	body = cursor_make(p + 8, len - 12);
	switch (type) {
	case PCAPNG_SHB:
		st->stats.shb++;
		break;
	case 1:
		st->stats.idb++;
		r = add_iface(ctx, st, &body, be, off);
		break;
	case 2:
	case 3:
	case 6:
		if (type == 2)
			st->stats.pb++;
		else if (type == 3)
			st->stats.spb++;
		else
			st->stats.epb++;
		r = ng_packet(ctx, st, type, &body, be, off);
		break;
	case 4:
		st->stats.nrb++;
		break;
	case 5:
		st->stats.isb++;
		break;
	case 0x00000bad:
		st->stats.cb++;
		break;
	case 0x40000bad:
		st->stats.dcb++;
		break;
	default:
		st->stats.other_blocks++;
		break;
	}
	reader_consume(ctx->in, len);
	return r < 0 ? r : 1;
}

static int next(struct imp_ctx *ctx, void *state)
{
	struct state *st = state;
	int r;

	if (!st->started && !st->ng) {
		st->started = true;
		if (reader_fill(ctx->in, 1) == 0) {
			imp_truncated(ctx, 0, "empty file: no pcap header");
			return net_state_finish(&st->ns) < 0 ? -EIO : 0;
		}
		r = classic_header(ctx, st);
		if (r < 0)
			return net_state_finish(&st->ns) < 0 ? -EIO : r;
	}
	r = st->ng ? ng_next(ctx, st) : classic_next(ctx, st);
	if (r == 0 || r == -EBADMSG) {
		int f = net_state_finish(&st->ns);
		if (f < 0)
			return f;
	}
	return r;
}

static void close_(void *state)
{
	struct state *st = state;

	if (!st)
		return;
	net_state_release(&st->ns);
	free(st->ifaces);
	free(st);
}

const struct importer imp_pcap = {
	.name = "pcap",
	.summary = "packet captures: pcap (µs/ns, either byte order) and pcapng -> conn, dns, tls, http",
	.version = "1",
	.probe = probe,
	.open = open_,
	.next = next,
	.close = close_,
};
