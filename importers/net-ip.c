/* net-ip: the network and transport layers — IPv4, IPv6, fragments, TCP, UDP, ICMP, tunnels.
 *
 * Follows RFC 791 (IPv4, options skipped by IHL), RFC 8200 (IPv6 and its extension headers:
 * hop-by-hop, routing, destination options, fragment, AH per RFC 4302), RFC 815 style fragment
 * reassembly, RFC 9293 (TCP), RFC 768 (UDP), RFC 792 / RFC 4443 (ICMP, ICMPv6), RFC 7348
 * (VXLAN on UDP 4789), IEEE 802.1Q/802.1ad (VLAN, QinQ), RFC 3032 (MPLS label stacks) and
 * RFC 2516 (PPPoE sessions). IP-in-IP (4, 41) is decoded as the inner packet.
 *
 * Fragment reassembly is bounded: at most FRAG_SLOTS datagrams in progress, each at most 64 KiB,
 * each dropped (and reported) when FRAG_TIMEOUT of capture time passes without completing it or
 * when its slot is needed for a newer datagram. The slot buffers are allocated once and reused.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "net.h"

#define FRAG_SLOTS 64
#define FRAG_MAX 65535
#define FRAG_TIMEOUT (INT64_C(30) * 1000000000)
#define MAX_DEPTH 6

struct frag_slot {
	bool used;
	uint8_t ipver, proto;
	uint8_t src[16], dst[16];
	uint32_t id;
	int64_t first_ts;
	uint64_t first_offset;
	uint32_t total;       /* payload length once the last fragment is seen, else 0 */
	uint32_t have;        /* bytes received (may double count overlaps; only a hint) */
	uint8_t *buf;         /* FRAG_MAX bytes, allocated on first use */
	uint8_t map[FRAG_MAX / 64 + 1]; /* one bit per 8-byte unit received */
};

struct net_frag {
	struct frag_slot slot[FRAG_SLOTS];
};

struct net_frag *net_frag_new(void)
{
	return calloc(1, sizeof(struct net_frag));
}

void net_frag_free(struct net_frag *f)
{
	if (!f)
		return;
	for (size_t i = 0; i < FRAG_SLOTS; i++)
		free(f->slot[i].buf);
	free(f);
}

static int transport(struct net_state *ns, struct net_pkt *pkt, uint8_t proto, const uint8_t *p, size_t caplen,
		     uint32_t claimed, int depth);

static bool map_full(const struct frag_slot *s)
{
	uint32_t units = (s->total + 7) / 8;

	for (uint32_t u = 0; u < units; u++)
		if (!(s->map[u / 8] & (1u << (u % 8))))
			return false;
	return true;
}

/* Add a fragment; when it completes the datagram, decode the whole payload. */
static int fragment(struct net_state *ns, struct net_pkt *pkt, uint8_t proto, uint32_t id, uint32_t off,
		    bool more, const uint8_t *p, size_t len, int depth)
{
	struct net_frag *f = ns->frag;
	struct frag_slot *s = NULL, *victim = NULL;
	size_t addr_len = pkt->ipver == 4 ? 4 : 16;
	int r;

	if (pkt->reassembled) {
		/* a fragment inside a reassembled datagram would reuse the buffer being read */
		imp_skipped(ns->out.ctx, pkt->offset, "IP fragment nested in a reassembled datagram");
		return 0;
	}
	for (size_t i = 0; i < FRAG_SLOTS; i++) {
		struct frag_slot *c = &f->slot[i];
		if (c->used && pkt->ts - c->first_ts > FRAG_TIMEOUT) {
			imp_warning(ns->out.ctx, c->first_offset,
				    "IP fragments of datagram id %u never completed within 30 s: dropped", c->id);
			c->used = false;
		}
		if (c->used && c->id == id && c->ipver == pkt->ipver && c->proto == proto &&
		    !memcmp(c->src, pkt->src, addr_len) && !memcmp(c->dst, pkt->dst, addr_len))
			s = c;
		if (!c->used && !victim)
			victim = c;
	}
	if (!s) {
		if (!victim) {
			victim = &f->slot[0];
			for (size_t i = 1; i < FRAG_SLOTS; i++)
				if (f->slot[i].first_ts < victim->first_ts)
					victim = &f->slot[i];
			imp_warning(ns->out.ctx, victim->first_offset,
				    "more than %d IP datagrams in reassembly: fragments of id %u dropped", FRAG_SLOTS,
				    victim->id);
		}
		s = victim;
		if (!s->buf && !(s->buf = malloc(FRAG_MAX)))
			return -12;
		s->used = true;
		s->ipver = pkt->ipver;
		s->proto = proto;
		memcpy(s->src, pkt->src, 16);
		memcpy(s->dst, pkt->dst, 16);
		s->id = id;
		s->first_ts = pkt->ts;
		s->first_offset = pkt->offset;
		s->total = 0;
		s->have = 0;
		memset(s->map, 0, sizeof(s->map));
	}
	if ((uint64_t)off + len > FRAG_MAX || (more && len % 8)) {
		imp_skipped(ns->out.ctx, pkt->offset, "IP fragment at offset %u length %zu is invalid", off, len);
		return 0;
	}
	memcpy(s->buf + off, p, len);
	for (uint32_t u = off / 8; u < (off + (uint32_t)len + 7) / 8; u++)
		s->map[u / 8] |= (uint8_t)(1u << (u % 8));
	s->have += (uint32_t)len;
	if (!more)
		s->total = off + (uint32_t)len;
	if (!s->total || !map_full(s))
		return 0;
	s->used = false; /* the buffer stays valid until the next fragment arrives */
	pkt->reassembled = true;
	pkt->ip_total = s->total + (pkt->ipver == 4 ? 20 : 40);
	r = transport(ns, pkt, proto, s->buf, s->total, s->total, depth);
	return r;
}

static void put_port(struct net_pkt *pkt, uint16_t sp, uint16_t dp)
{
	pkt->sport = sp;
	pkt->dport = dp;
}

static int tcp(struct net_state *ns, struct net_pkt *pkt, const uint8_t *p, size_t caplen, uint32_t claimed)
{
	struct cursor c = cursor_make(p, caplen);
	uint16_t sp = cursor_be16(&c), dp = cursor_be16(&c);
	uint32_t seq = cursor_be32(&c), ack = cursor_be32(&c);
	uint8_t doff = cursor_u8(&c) >> 4, flags = cursor_u8(&c);
	size_t hl = (size_t)doff * 4;

	if (c.truncated) {
		imp_skipped(ns->out.ctx, pkt->offset, "TCP header cut short: %zu of 20 bytes", caplen);
		return 0;
	}
	if (hl < 20 || hl > claimed) {
		imp_skipped(ns->out.ctx, pkt->offset, "TCP data offset %zu is invalid", hl);
		return 0;
	}
	put_port(pkt, sp, dp);
	pkt->tcp_seq = seq;
	pkt->tcp_ack = ack;
	pkt->tcp_flags = flags;
	pkt->ip_len = claimed;
	pkt->l4_payload_len = claimed - (uint32_t)hl;
	if (hl > caplen) {
		pkt->truncated = true;
		pkt->payload = NULL;
		pkt->payload_len = 0;
	} else {
		size_t plen = (claimed < caplen ? claimed : caplen) - hl;
		pkt->payload = p + hl;
		pkt->payload_len = plen;
		if (claimed > caplen)
			pkt->truncated = true;
	}
	return net_flow_packet(ns, pkt);
}

static int udp(struct net_state *ns, struct net_pkt *pkt, const uint8_t *p, size_t caplen, uint32_t claimed,
	       int depth)
{
	struct cursor c = cursor_make(p, caplen);
	uint16_t sp = cursor_be16(&c), dp = cursor_be16(&c), ulen = cursor_be16(&c);
	size_t plen;
	int r;

	cursor_skip(&c, 2);
	if (c.truncated) {
		imp_skipped(ns->out.ctx, pkt->offset, "UDP header cut short: %zu of 8 bytes", caplen);
		return 0;
	}
	if (claimed < 8) {
		imp_skipped(ns->out.ctx, pkt->offset, "IP length %u leaves no room for the UDP header", claimed);
		return 0;
	}
	if (ulen >= 8 && ulen < claimed)
		claimed = ulen;
	put_port(pkt, sp, dp);
	pkt->ip_len = claimed;
	pkt->l4_payload_len = claimed >= 8 ? claimed - 8 : 0;
	plen = (claimed < caplen ? claimed : caplen) - 8;
	pkt->payload = p + 8;
	pkt->payload_len = plen;
	pkt->truncated = claimed > caplen;
	r = net_flow_packet(ns, pkt);
	if (r < 0)
		return r;
	/* VXLAN: an 8-byte header with the I flag, then an Ethernet frame. */
	if (dp == 4789 && plen >= 8 + 14 && (p[8] & 0x08) && depth < MAX_DEPTH) {
		struct net_pkt inner = *pkt;
		struct cursor e = cursor_make(p + 16, plen - 8);
		uint16_t type;
		cursor_skip(&e, 12);
		type = cursor_be16(&e);
		inner.ipver = 0;
		inner.nvlan = 0;
		return net_decode_ethertype(ns, &inner, type, e.pos, cursor_remaining(&e), depth + 1);
	}
	/* Teredo (RFC 4380): IPv6 in UDP 3544, after optional authentication / origin indication. */
	if (depth < MAX_DEPTH && plen >= 40 &&
	    (sp == 3544 || dp == 3544 || ((p[8] >> 4) == 6 && (size_t)(p[12] << 8 | p[13]) + 40 == plen))) {
		struct cursor t = cursor_make(p + 8, plen);
		if (cursor_remaining(&t) >= 4 && t.pos[0] == 0 && t.pos[1] == 1) {
			uint8_t idl = t.pos[2], aul = t.pos[3];
			cursor_skip(&t, 4 + (size_t)idl + aul + 9);
		}
		if (cursor_remaining(&t) >= 8 && t.pos[0] == 0 && t.pos[1] == 0)
			cursor_skip(&t, 8);
		if (cursor_remaining(&t) >= 40 && (t.pos[0] >> 4) == 6) {
			struct net_pkt inner = *pkt;
			inner.ipver = 0;
			return net_decode_ip(ns, &inner, t.pos, cursor_remaining(&t), depth + 1);
		}
	}
	return 0;
}

static int icmp(struct net_state *ns, struct net_pkt *pkt, const uint8_t *p, size_t caplen, uint32_t claimed)
{
	if (caplen < 2) {
		imp_skipped(ns->out.ctx, pkt->offset, "ICMP header cut short: %zu of 4 bytes", caplen);
		return 0;
	}
	pkt->icmp_type = p[0];
	pkt->icmp_code = p[1];
	put_port(pkt, p[0], p[1]);
	pkt->ip_len = claimed;
	pkt->l4_payload_len = claimed >= 4 ? claimed - 4 : 0;
	pkt->payload = p;
	pkt->payload_len = claimed < caplen ? claimed : caplen;
	pkt->truncated = claimed > caplen || caplen < 4;
	return net_flow_packet(ns, pkt);
}

static int ipv6_ext(struct net_state *ns, struct net_pkt *pkt, uint8_t nh, const uint8_t *p, size_t caplen,
		    uint32_t claimed, int depth)
{
	struct cursor c = cursor_make(p, caplen < claimed ? caplen : claimed);

	for (int i = 0; i < 16; i++) {
		switch (nh) {
		case 0:   /* hop-by-hop */
		case 43:  /* routing */
		case 60:  /* destination options */
		case 135: /* mobility */
		case 51: { /* AH: length in 4-byte units minus 2 */
			uint8_t next = cursor_u8(&c), hlen = cursor_u8(&c);
			size_t skip = nh == 51 ? ((size_t)hlen + 2) * 4 : ((size_t)hlen + 1) * 8;
			cursor_skip(&c, skip - 2);
			if (c.truncated) {
				imp_skipped(ns->out.ctx, pkt->offset, "IPv6 extension header %u cut short", nh);
				return 0;
			}
			claimed -= (uint32_t)skip;
			nh = next;
			continue;
		}
		case 44: { /* fragment */
			uint8_t next = cursor_u8(&c);
			uint16_t offm;
			uint32_t id;
			cursor_skip(&c, 1);
			offm = cursor_be16(&c);
			id = cursor_be32(&c);
			if (c.truncated) {
				imp_skipped(ns->out.ctx, pkt->offset, "IPv6 fragment header cut short");
				return 0;
			}
			claimed -= 8;
			if ((offm & 0xfff8) == 0 && !(offm & 1)) { /* atomic fragment */
				nh = next;
				continue;
			}
			if (cursor_remaining(&c) < claimed) {
				imp_skipped(ns->out.ctx, pkt->offset, "IPv6 fragment cut short by the snaplen");
				return 0;
			}
			return fragment(ns, pkt, next, id, offm & 0xfff8, offm & 1, c.pos, claimed, depth);
		}
		default:
			return transport(ns, pkt, nh, c.pos, cursor_remaining(&c), claimed, depth);
		}
	}
	imp_skipped(ns->out.ctx, pkt->offset, "more than 16 IPv6 extension headers");
	return 0;
}

static int transport(struct net_state *ns, struct net_pkt *pkt, uint8_t proto, const uint8_t *p, size_t caplen,
		     uint32_t claimed, int depth)
{
	pkt->proto = proto;
	switch (proto) {
	case 6:
		return tcp(ns, pkt, p, caplen, claimed);
	case 17:
		return udp(ns, pkt, p, caplen, claimed, depth);
	case 1:
	case 58:
		return icmp(ns, pkt, p, caplen, claimed);
	case 4:
	case 41:
		if (depth >= MAX_DEPTH)
			return 0;
		pkt->ipver = 0;
		return net_decode_ip(ns, pkt, p, caplen, depth + 1);
	case 59: /* IPv6 no next header (Teredo bubbles): nothing to record */
		return 0;
	case 0: case 43: case 44: case 60: case 51: case 135:
		if (pkt->ipver == 6)
			return ipv6_ext(ns, pkt, proto, p, caplen, claimed, depth);
		break;
	default:
		break;
	}
	/* Other protocols still make a connection record. */
	{
		pkt->ip_len = claimed;
		pkt->payload = NULL;
		pkt->payload_len = 0;
		put_port(pkt, 0, 0);
		return net_flow_packet(ns, pkt);
	}
}

static int ipv4(struct net_state *ns, struct net_pkt *pkt, const uint8_t *p, size_t len, int depth)
{
	struct cursor c = cursor_make(p, len);
	uint8_t vihl = cursor_u8(&c);
	size_t hl = (size_t)(vihl & 15) * 4;
	uint16_t total, id, frag;
	uint8_t proto;

	cursor_skip(&c, 1);
	total = cursor_be16(&c);
	id = cursor_be16(&c);
	frag = cursor_be16(&c);
	cursor_skip(&c, 1);
	proto = cursor_u8(&c);
	cursor_skip(&c, 2);
	cursor_copy(&c, pkt->src, 4);
	cursor_copy(&c, pkt->dst, 4);
	if (c.truncated) {
		imp_skipped(ns->out.ctx, pkt->offset, "IPv4 header cut short: %zu of 20 bytes", len);
		return 0;
	}
	if (hl < 20) {
		imp_skipped(ns->out.ctx, pkt->offset, "IPv4 header length %zu is below 20", hl);
		return 0;
	}
	if (hl > len) {
		imp_skipped(ns->out.ctx, pkt->offset, "IPv4 header with options cut short: %zu of %zu bytes", len, hl);
		return 0;
	}
	if (total < hl) {
		/* TSO captures write 0; anything else below the header length is broken. */
		if (total != 0) {
			imp_skipped(ns->out.ctx, pkt->offset, "IPv4 total length %u is below its header length %zu", total,
				    hl);
			return 0;
		}
		total = (uint16_t)(len > 65535 ? 65535 : len);
	}
	pkt->ipver = 4;
	pkt->ip_total = total;
	memset(pkt->src + 4, 0, 12);
	memset(pkt->dst + 4, 0, 12);
	if (frag & 0x3fff) {
		uint32_t off = (uint32_t)(frag & 0x1fff) * 8;
		size_t plen = (size_t)total - hl;
		if (len < total) {
			imp_skipped(ns->out.ctx, pkt->offset, "IPv4 fragment cut short by the snaplen");
			return 0;
		}
		return fragment(ns, pkt, proto, id, off, frag & 0x2000, p + hl, plen, depth);
	}
	return transport(ns, pkt, proto, p + hl, len - hl, total - (uint32_t)hl, depth);
}

static int ipv6(struct net_state *ns, struct net_pkt *pkt, const uint8_t *p, size_t len, int depth)
{
	struct cursor c = cursor_make(p, len);
	uint16_t plen;
	uint8_t nh;

	cursor_skip(&c, 4);
	plen = cursor_be16(&c);
	nh = cursor_u8(&c);
	cursor_skip(&c, 1);
	cursor_copy(&c, pkt->src, 16);
	cursor_copy(&c, pkt->dst, 16);
	if (c.truncated) {
		imp_skipped(ns->out.ctx, pkt->offset, "IPv6 header cut short: %zu of 40 bytes", len);
		return 0;
	}
	pkt->ipver = 6;
	if (plen == 0) /* jumbogram or TSO: take what was captured */
		plen = (uint16_t)(len - 40 > 65535 ? 65535 : len - 40);
	pkt->ip_total = (uint32_t)plen + 40;
	return ipv6_ext(ns, pkt, nh, p + 40, len - 40, plen, depth);
}

int net_decode_ip(struct net_state *ns, struct net_pkt *pkt, const uint8_t *data, size_t len, int depth)
{
	if (!len) {
		imp_skipped(ns->out.ctx, pkt->offset, "IP header missing");
		return 0;
	}
	switch (data[0] >> 4) {
	case 4:
		return ipv4(ns, pkt, data, len, depth);
	case 6:
		return ipv6(ns, pkt, data, len, depth);
	default:
		imp_skipped(ns->out.ctx, pkt->offset, "IP version %u is neither 4 nor 6", data[0] >> 4);
		return 0;
	}
}

int net_decode_ethertype(struct net_state *ns, struct net_pkt *pkt, uint16_t type, const uint8_t *data, size_t len,
			 int depth)
{
	struct cursor c = cursor_make(data, len);

	for (int i = 0; i < 8; i++) {
		switch (type) {
		case 0x0800:
		case 0x86dd:
			if (!cursor_remaining(&c)) {
				imp_skipped(ns->out.ctx, pkt->offset, "frame ends before its IP header");
				return 0;
			}
			if ((c.pos[0] >> 4) != (type == 0x0800 ? 4 : 6)) {
				imp_skipped(ns->out.ctx, pkt->offset, "ethertype 0x%04x but IP version %u", type,
					    c.pos[0] >> 4);
				return 0;
			}
			return net_decode_ip(ns, pkt, c.pos, cursor_remaining(&c), depth);
		case 0x8100:
		case 0x88a8:
		case 0x9100: {
			uint16_t tci = cursor_be16(&c);
			type = cursor_be16(&c);
			if (c.truncated) {
				imp_skipped(ns->out.ctx, pkt->offset, "VLAN tag cut short");
				return 0;
			}
			if (pkt->nvlan < 3)
				pkt->vlan[pkt->nvlan++] = tci & 0x0fff;
			continue;
		}
		case 0x8847:
		case 0x8848: {
			uint32_t label;
			int n = 0;
			do {
				label = cursor_be32(&c);
			} while (!c.truncated && !(label & 0x100) && ++n < 16);
			if (c.truncated || !cursor_remaining(&c)) {
				imp_skipped(ns->out.ctx, pkt->offset, "MPLS label stack cut short");
				return 0;
			}
			if ((c.pos[0] >> 4) == 4 || (c.pos[0] >> 4) == 6)
				return net_decode_ip(ns, pkt, c.pos, cursor_remaining(&c), depth);
			ns->undecoded++; /* Ethernet over MPLS (pseudowire) is not decoded */
			return 0;
		}
		case 0x8864: { /* PPPoE session: 6-byte header, then the PPP protocol */
			uint16_t proto;
			cursor_skip(&c, 6);
			proto = cursor_be16(&c);
			if (c.truncated) {
				imp_skipped(ns->out.ctx, pkt->offset, "PPPoE header cut short");
				return 0;
			}
			if (proto == 0x21)
				type = 0x0800;
			else if (proto == 0x57)
				type = 0x86dd;
			else {
				ns->undecoded++;
				return 0;
			}
			continue;
		}
		default:
			if (type <= 1500 && cursor_remaining(&c) >= 8 && c.pos[0] == 0xaa && c.pos[1] == 0xaa &&
			    c.pos[2] == 0x03) { /* 802.3 length + LLC/SNAP */
				cursor_skip(&c, 6);
				type = cursor_be16(&c);
				continue;
			}
			ns->undecoded++; /* ARP, LLDP, STP ...: not what the timeline is about */
			return 0;
		}
	}
	ns->undecoded++;
	return 0;
}
