/* net-link: the link layer of a captured frame, peeled down to the ethertype or IP header.
 *
 * Follows the tcpdump.org link-type registry (https://www.tcpdump.org/linktypes.html) and the
 * per-type pages it links: Ethernet II and 802.3/SNAP (IEEE 802.3), Linux cooked capture v1
 * (LINKTYPE_LINUX_SLL, 16-byte header) and v2 (LINKTYPE_LINUX_SLL2, 20 bytes), raw IP (101, and
 * the old 12/14), IPv4 (228), IPv6 (229), BSD loopback NULL (address family in the writer's
 * byte order) and LOOP (network order), PPP (RFC 1661, with or without the RFC 1662 HDLC
 * address/control bytes) and NFLOG (Linux nfnetlink_log: a 4-byte header then TLVs in host
 * order; the packet is the NFULA_PAYLOAD TLV). VLAN, QinQ, MPLS and PPPoE are ethertypes and are
 * peeled in net-ip.c's net_decode_ethertype.
 */
#include <stdio.h>
#include <string.h>

#include "cursor.h"
#include "net.h"

static int ip_by_version(struct net_state *ns, struct net_pkt *pkt, const uint8_t *p, size_t len)
{
	if (!len) {
		imp_skipped(ns->out.ctx, pkt->offset, "frame holds no IP header");
		return 0;
	}
	return net_decode_ip(ns, pkt, p, len, 0);
}

static int null_loop(struct net_state *ns, struct net_pkt *pkt, bool network_order)
{
	struct cursor c = cursor_make(pkt->frame, pkt->frame_len);
	uint32_t le = cursor_le32(&c), af;
	const uint8_t *p = c.pos;

	if (c.truncated) {
		imp_skipped(ns->out.ctx, pkt->offset, "loopback header cut short: %zu of 4 bytes", pkt->frame_len);
		return 0;
	}
	/* NULL is in the writer's byte order, which the file does not say: small values decide. */
	af = network_order || le > 0xffff ? __builtin_bswap32(le) : le;
	switch (af) {
	case 2:
		return net_decode_ethertype(ns, pkt, 0x0800, p, cursor_remaining(&c), 0);
	case 10: case 24: case 28: case 30:
		return net_decode_ethertype(ns, pkt, 0x86dd, p, cursor_remaining(&c), 0);
	default:
		ns->undecoded++;
		return 0;
	}
}

static int ppp(struct net_state *ns, struct net_pkt *pkt, const uint8_t *p, size_t len)
{
	struct cursor c = cursor_make(p, len);
	uint16_t proto;

	if (len >= 2 && p[0] == 0xff && p[1] == 0x03)
		cursor_skip(&c, 2);
	/* Protocol field compression: a 1-byte protocol has its low bit set. */
	if (cursor_remaining(&c) >= 1 && (c.pos[0] & 1))
		proto = cursor_u8(&c);
	else
		proto = cursor_be16(&c);
	if (c.truncated) {
		imp_skipped(ns->out.ctx, pkt->offset, "PPP header cut short");
		return 0;
	}
	if (proto == 0x21)
		return net_decode_ethertype(ns, pkt, 0x0800, c.pos, cursor_remaining(&c), 0);
	if (proto == 0x57)
		return net_decode_ethertype(ns, pkt, 0x86dd, c.pos, cursor_remaining(&c), 0);
	ns->undecoded++;
	return 0;
}

static int nflog(struct net_state *ns, struct net_pkt *pkt)
{
	struct cursor c = cursor_make(pkt->frame, pkt->frame_len);
	uint8_t family = cursor_u8(&c);

	cursor_skip(&c, 3); /* version, resource id */
	while (cursor_remaining(&c) >= 4) {
		uint64_t tlv_off = cursor_offset(&c);
		uint16_t tlen = cursor_le16(&c), type = cursor_le16(&c);
		struct cursor v;
		if (tlen < 4) {
			imp_skipped(ns->out.ctx, pkt->offset, "NFLOG TLV at byte %llu has length %u (< 4)",
				    (unsigned long long)tlv_off, tlen);
			return 0;
		}
		v = cursor_sub(&c, (size_t)tlen - 4);
		cursor_skip(&c, (4 - tlen % 4) % 4);
		if (type == 9) /* NFULA_PAYLOAD: the packet, from its IP header */
			return net_decode_ethertype(ns, pkt, family == 10 ? 0x86dd : 0x0800, v.pos, cursor_remaining(&v),
						    0);
	}
	if (c.truncated || cursor_remaining(&c))
		imp_skipped(ns->out.ctx, pkt->offset, "NFLOG TLVs cut short before the payload");
	else
		ns->undecoded++;
	return 0;
}

int net_decode_frame(struct net_state *ns, int linktype, struct net_pkt *pkt)
{
	struct cursor c = cursor_make(pkt->frame, pkt->frame_len);
	uint16_t type;

	ns->packets++;
	switch (linktype) {
	case LT_ETHERNET:
		cursor_skip(&c, 12);
		type = cursor_be16(&c);
		if (c.truncated) {
			imp_skipped(ns->out.ctx, pkt->offset, "Ethernet header cut short: %zu of 14 bytes",
				    pkt->frame_len);
			return 0;
		}
		return net_decode_ethertype(ns, pkt, type, c.pos, cursor_remaining(&c), 0);
	case LT_LINUX_SLL:
		cursor_skip(&c, 14);
		type = cursor_be16(&c);
		if (c.truncated) {
			imp_skipped(ns->out.ctx, pkt->offset, "Linux cooked (SLL) header cut short");
			return 0;
		}
		return net_decode_ethertype(ns, pkt, type, c.pos, cursor_remaining(&c), 0);
	case LT_LINUX_SLL2:
		type = cursor_be16(&c);
		cursor_skip(&c, 18);
		if (c.truncated) {
			imp_skipped(ns->out.ctx, pkt->offset, "Linux cooked v2 (SLL2) header cut short");
			return 0;
		}
		return net_decode_ethertype(ns, pkt, type, c.pos, cursor_remaining(&c), 0);
	case LT_RAW:
	case LT_RAW_OLD12:
	case LT_RAW_OLD14:
		return ip_by_version(ns, pkt, pkt->frame, pkt->frame_len);
	case LT_IPV4:
		return net_decode_ethertype(ns, pkt, 0x0800, pkt->frame, pkt->frame_len, 0);
	case LT_IPV6:
		return net_decode_ethertype(ns, pkt, 0x86dd, pkt->frame, pkt->frame_len, 0);
	case LT_NULL:
		return null_loop(ns, pkt, false);
	case LT_LOOP:
		return null_loop(ns, pkt, true);
	case LT_PPP:
	case LT_PPP_HDLC:
		return ppp(ns, pkt, pkt->frame, pkt->frame_len);
	case LT_NFLOG:
		return nflog(ns, pkt);
	default:
		ns->undecoded++;
		return 0;
	}
}
