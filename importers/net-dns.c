/* net-dns: DNS messages over UDP and TCP, paired query with response, as `dns` events.
 *
 * Follows RFC 1035 (message format, name compression §4.1.4), RFC 3596 (AAAA), RFC 2782 (SRV)
 * and RFC 7766 (DNS over TCP: each message behind a 2-byte length, which net-flow.c strips).
 * A query waits in its connection's pending list (keyed by the DNS id; the connection is the
 * 5-tuple) until its response arrives; the response makes one `dns` event holding the question,
 * the rcode and the answers. A query never answered becomes an event of its own when its
 * connection ends; a response without a query seen is an event too.
 *
 * Name decompression follows pointers anywhere in the message (forward pointers exist in the
 * wild) but at most MAX_JUMPS of them, so a pointer loop ends; a name longer than MAX_NAME
 * characters is cut there and flagged (dns.rrname_truncated). Pending queries come from one
 * bounded pool (POOL_MAX entries, allocated in chunks and reused): no allocation per packet.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "jsonw.h"
#include "net.h"

#define MAX_JUMPS 64
#define MAX_NAME 1025
#define MAX_ANSWERS 64
#define KEEP 400 /* bytes of the query's frame and message kept while it waits */
#define POOL_CHUNK 1024
#define POOL_MAX 32768

struct net_dns_pending {
	struct net_dns_pending *next;
	uint16_t id;
	int64_t ts, precision;
	uint64_t offset;
	uint16_t frame_len, msg_len;
	uint8_t frame[KEEP];
	uint8_t msg[KEEP];
};

struct net_dns_pool {
	struct net_dns_pending *free_list;
	struct net_dns_pending **chunks;
	size_t nchunks, in_use;
};

struct net_dns_pool *net_dns_pool_new(void)
{
	return calloc(1, sizeof(struct net_dns_pool));
}

void net_dns_pool_free(struct net_dns_pool *p)
{
	if (!p)
		return;
	for (size_t i = 0; i < p->nchunks; i++)
		free(p->chunks[i]);
	free(p->chunks);
	free(p);
}

void net_dns_forget(struct net_dns_pool *p, struct net_dns_pending **head)
{
	while (*head) {
		struct net_dns_pending *e = *head;
		*head = e->next;
		e->next = p->free_list;
		p->free_list = e;
		p->in_use--;
	}
}

static struct net_dns_pending *pool_get(struct net_dns_pool *p)
{
	struct net_dns_pending *e;

	if (!p->free_list) {
		struct net_dns_pending *chunk, **nc;
		if (p->nchunks * POOL_CHUNK >= POOL_MAX)
			return NULL;
		chunk = malloc(POOL_CHUNK * sizeof(*chunk));
		nc = realloc(p->chunks, (p->nchunks + 1) * sizeof(*nc));
		if (!chunk || !nc) {
			free(chunk);
			if (nc)
				p->chunks = nc;
			return NULL;
		}
		p->chunks = nc;
		p->chunks[p->nchunks++] = chunk;
		for (size_t i = 0; i < POOL_CHUNK; i++) {
			chunk[i].next = p->free_list;
			p->free_list = &chunk[i];
		}
	}
	e = p->free_list;
	p->free_list = e->next;
	p->in_use++;
	return e;
}

int net_dns_name(const uint8_t *msg, size_t len, size_t off, struct strbuf *out, bool *ret_truncated)
{
	size_t pos = off, after = 0;
	int jumps = 0;
	bool jumped = false;

	*ret_truncated = false;
	for (;;) {
		uint8_t l;
		if (pos >= len)
			return -1;
		l = msg[pos];
		if ((l & 0xc0) == 0xc0) {
			if (pos + 1 >= len || ++jumps > MAX_JUMPS)
				return -1;
			if (!jumped)
				after = pos + 2;
			jumped = true;
			pos = (size_t)(l & 0x3f) << 8 | msg[pos + 1];
			continue;
		}
		if (l & 0xc0)
			return -1; /* 0x40/0x80 label types are obsolete */
		if (!l) {
			if (!jumped)
				after = pos + 1;
			break;
		}
		if (pos + 1 + l > len)
			return -1;
		if (out->len + l + 1 > MAX_NAME) {
			size_t room = MAX_NAME > out->len + 1 ? MAX_NAME - out->len - 1 : 0;
			if (out->len && room)
				strbuf_addch(out, '.');
			strbuf_add(out, msg + pos + 1, room > l ? l : room);
			*ret_truncated = true;
			/* keep walking to find where the name ends, without adding text */
			for (;;) {
				pos += 1 + (size_t)l;
				if (pos >= len)
					return -1;
				l = msg[pos];
				if ((l & 0xc0) == 0xc0) {
					if (pos + 1 >= len)
						return -1;
					return (int)(jumped ? after : pos + 2);
				}
				if (!l)
					return (int)(jumped ? after : pos + 1);
				if (l & 0xc0 || pos + 1 + l > len)
					return -1;
			}
		}
		if (out->len)
			strbuf_addch(out, '.');
		strbuf_add(out, msg + pos + 1, l);
		pos += 1 + (size_t)l;
	}
	return (int)after;
}

static const char *type_name(uint16_t t, char buf[12])
{
	switch (t) {
	case 1: return "A";
	case 2: return "NS";
	case 5: return "CNAME";
	case 6: return "SOA";
	case 12: return "PTR";
	case 13: return "HINFO";
	case 15: return "MX";
	case 16: return "TXT";
	case 28: return "AAAA";
	case 33: return "SRV";
	case 35: return "NAPTR";
	case 41: return "OPT";
	case 43: return "DS";
	case 46: return "RRSIG";
	case 47: return "NSEC";
	case 48: return "DNSKEY";
	case 64: return "SVCB";
	case 65: return "HTTPS";
	case 251: return "IXFR";
	case 252: return "AXFR";
	case 255: return "ANY";
	case 257: return "CAA";
	default:
		snprintf(buf, 12, "TYPE%u", t);
		return buf;
	}
}

static const char *rcode_name(unsigned r, char buf[12])
{
	static const char *const names[] = { "NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
					     "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE" };
	if (r < sizeof(names) / sizeof(names[0]))
		return names[r];
	snprintf(buf, 12, "RCODE%u", r);
	return buf;
}

static const char *class_name(uint16_t c, char buf[12])
{
	if (c == 1)
		return "IN";
	if (c == 3)
		return "CH";
	if (c == 255)
		return "ANY";
	snprintf(buf, 12, "CLASS%u", c);
	return buf;
}

/* rdata as text into out; false when the type has no text form here. */
static bool rdata_text(const uint8_t *msg, size_t len, size_t off, uint16_t type, uint16_t rdlen, struct strbuf *out)
{
	struct cursor c = cursor_make(msg + off, rdlen);
	char a[48];
	bool tr;

	switch (type) {
	case 1:
		if (rdlen != 4)
			return false;
		net_addr_str(4, msg + off, a, sizeof(a));
		strbuf_addstr(out, a);
		return true;
	case 28:
		if (rdlen != 16)
			return false;
		net_addr_str(6, msg + off, a, sizeof(a));
		strbuf_addstr(out, a);
		return true;
	case 2:
	case 5:
	case 12:
		return net_dns_name(msg, len, off, out, &tr) >= 0;
	case 15:
		if (rdlen < 3)
			return false;
		return net_dns_name(msg, len, off + 2, out, &tr) >= 0;
	case 33: {
		uint16_t prio = cursor_be16(&c), weight = cursor_be16(&c), port = cursor_be16(&c);
		if (c.truncated)
			return false;
		strbuf_addf(out, "%u %u %u ", prio, weight, port);
		return net_dns_name(msg, len, off + 6, out, &tr) >= 0;
	}
	case 16:
		while (cursor_remaining(&c)) {
			uint8_t l = cursor_u8(&c);
			const uint8_t *s = cursor_bytes(&c, l);
			if (!s)
				return false;
			strbuf_add(out, s, l);
		}
		return true;
	default:
		return false;
	}
}

/* One dns event from a message (a response, or a query never answered). */
/* qmsg: the query this response answers, when it was seen: its questions are the ones shown
 * (a resolver may answer fewer questions than were asked). */
static int emit(struct net_state *ns, const struct net_tuple *t, const struct net_pkt *pkt, const uint8_t *msg,
		size_t len, int64_t rtt, const uint8_t *qmsg, size_t qlen)
{
	struct net_out *o = &ns->out;
	struct cursor c = cursor_make(msg, len);
	uint16_t id = cursor_be16(&c), flags = cursor_be16(&c), qd = cursor_be16(&c), an = cursor_be16(&c);
	size_t off = 12;
	char cbuf[46], sbuf[46], tb[12], cb[12], rb[12];
	struct bs_event ev;
	struct jsonw_obj j;
	bool response = flags & 0x8000, tr = false, any_tr = false, have_q = false;
	const char *rcode = rcode_name(flags & 15, rb);
	int r;

	strbuf_reset(&o->fields);
	strbuf_reset(&o->summary);
	jsonw_begin(&j, &o->fields);
	jsonw_lkey_i64(&j, "dns.id", id);
	strbuf_reset(&o->l1);
	/* every question is walked (each takes >= 5 bytes, so the message bounds the loop) to
	 * find where the answers start; the first 16 names are kept */
	const uint8_t *qm = qmsg && qlen >= 12 ? qmsg : msg;
	size_t qml = qm == msg ? len : qlen, qoff = 12;
	unsigned qqd = qm == msg ? qd : (unsigned)(qm[4] << 8 | qm[5]);
	for (unsigned q = 0; q < qqd; q++) {
		uint16_t qt, qc;
		strbuf_reset(&o->tmp);
		r = net_dns_name(qm, qml, qoff, &o->tmp, &tr);
		if (r < 0 || (size_t)r + 4 > qml)
			break;
		any_tr |= tr;
		if (q < 16) {
			if (q)
				strbuf_addch(&o->l1, ',');
			jsonw_string(&o->l1, o->tmp.buf, o->tmp.len);
		}
		c = cursor_make(qm + r, 4);
		qt = cursor_be16(&c);
		qc = cursor_be16(&c);
		qoff = (size_t)r + 4;
		if (q == 0) {
			have_q = true;
			jsonw_lkey_strn(&j, "dns.query", o->tmp.buf, o->tmp.len);
			jsonw_lkey_str(&j, "dns.qtype", type_name(qt, tb));
			jsonw_lkey_str(&j, "dns.qclass", class_name(qc, cb));
			strbuf_reset(&o->summary);
			strbuf_addstr(&o->summary, "dns ");
			strbuf_addstr(&o->summary, type_name(qt, tb));
			strbuf_addstr(&o->summary, "? ");
			strbuf_add(&o->summary, o->tmp.buf, o->tmp.len > 200 ? 200 : o->tmp.len);
		}
	}
	if (!have_q) {
		strbuf_reset(&o->summary);
		strbuf_addstr(&o->summary, "dns (no question)");
	}
	if (qm == msg) {
		off = qoff;
	} else {
		for (unsigned q = 0; q < qd; q++) { /* the response's own questions, to its answers */
			strbuf_reset(&o->tmp);
			r = net_dns_name(msg, len, off, &o->tmp, &tr);
			if (r < 0 || (size_t)r + 4 > len)
				break;
			off = (size_t)r + 4;
		}
	}
	if (qqd > 1 && o->l1.len) {
		jsonw_lkey(&j, "dns.questions");
		strbuf_addch(&o->fields, '[');
		strbuf_add(&o->fields, o->l1.buf, o->l1.len);
		strbuf_addch(&o->fields, ']');
	}
	NET_LKEY_BOOL(&j, "dns.response", response);
	if (response) {
		size_t text_start = o->summary.len;
		unsigned shown = 0;
		jsonw_lkey_str(&j, "dns.rcode", rcode);
		NET_LKEY_BOOL(&j, "dns.aa", flags & 0x0400);
		NET_LKEY_BOOL(&j, "dns.tc", flags & 0x0200);
		NET_LKEY_BOOL(&j, "dns.rd", flags & 0x0100);
		NET_LKEY_BOOL(&j, "dns.ra", flags & 0x0080);
		if (rtt >= 0)
			jsonw_lkey_i64(&j, "dns.rtt_ns", rtt);
		/* answers: four parallel lists */
		{
			struct strbuf *f = &o->fields;
			struct strbuf *names = &o->l1, *types = &o->l2, *ttls = &o->l3;
			unsigned n = 0;
			strbuf_reset(names);
			strbuf_reset(types);
			strbuf_reset(ttls);
			jsonw_lkey(&j, "dns.answers");
			strbuf_addch(f, '[');
			for (unsigned a = 0; a < an && a < MAX_ANSWERS; a++) {
				uint16_t type, rdlen;
				uint32_t ttl;
				strbuf_reset(&o->tmp);
				r = net_dns_name(msg, len, off, &o->tmp, &tr);
				if (r < 0 || (size_t)r + 10 > len)
					break;
				c = cursor_make(msg + r, 10);
				type = cursor_be16(&c);
				cursor_skip(&c, 2);
				ttl = cursor_be32(&c);
				rdlen = cursor_be16(&c);
				if ((size_t)r + 10 + rdlen > len)
					break;
				off = (size_t)r + 10 + rdlen;
				if (n) {
					strbuf_addch(names, ',');
					strbuf_addch(types, ',');
					strbuf_addch(ttls, ',');
				}
				jsonw_string(names, o->tmp.buf, o->tmp.len);
				jsonw_cstr(types, type_name(type, tb));
				strbuf_addu64(ttls, ttl);
				strbuf_reset(&o->tmp);
				if (!rdata_text(msg, len, (size_t)r + 10, type, rdlen, &o->tmp))
					strbuf_reset(&o->tmp);
				if (n)
					strbuf_addch(f, ',');
				jsonw_string(f, o->tmp.buf, o->tmp.len);
				if (o->tmp.len && shown < 3) {
					strbuf_addstr(&o->summary, shown ? ", " : " -> ");
					strbuf_add(&o->summary, o->tmp.buf, o->tmp.len > 100 ? 100 : o->tmp.len);
					shown++;
				}
				n++;
			}
			strbuf_addch(f, ']');
			jsonw_lkey(&j, "dns.answer_names");
			strbuf_addch(f, '[');
			strbuf_add(f, names->buf, names->len);
			strbuf_addch(f, ']');
			jsonw_lkey(&j, "dns.answer_types");
			strbuf_addch(f, '[');
			strbuf_add(f, types->buf, types->len);
			strbuf_addch(f, ']');
			jsonw_lkey(&j, "dns.ttls");
			strbuf_addch(f, '[');
			strbuf_add(f, ttls->buf, ttls->len);
			strbuf_addch(f, ']');
		}
		(void)text_start;
		strbuf_addch(&o->summary, ' ');
		strbuf_addstr(&o->summary, rcode);
	} else {
		strbuf_addstr(&o->summary, " (no response)");
	}
	if (any_tr)
		NET_LKEY_BOOL(&j, "dns.rrname_truncated", true);
	jsonw_end(&j);
	net_event_fill(&ev, t, pkt, "dns", cbuf, sbuf);
	ev.result = response ? rcode : NULL;
	ev.fields = o->fields.buf;
	ev.summary = o->summary.buf;
	o->events[1]++;
	return imp_emit(o->ctx, &ev);
}

int net_dns_message(struct net_state *ns, struct net_dns_pending **pending, const struct net_tuple *t,
		    const struct net_pkt *pkt, const uint8_t *msg, size_t len, bool from_client)
{
	struct net_dns_pool *pool = ns->dns_pool;
	uint16_t id, flags;
	int r;

	if (len < 12) {
		imp_skipped(ns->out.ctx, pkt->offset, "DNS message of %zu bytes is shorter than its header", len);
		return 0;
	}
	id = (uint16_t)(msg[0] << 8 | msg[1]);
	flags = (uint16_t)(msg[2] << 8 | msg[3]);
	(void)from_client;
	if (!(flags & 0x8000)) {
		struct net_dns_pending *e = len <= KEEP ? pool_get(pool) : NULL;
		if (!e) /* too big to keep, or the pool is exhausted: the query stands alone */
			return emit(ns, t, pkt, msg, len, -1, NULL, 0);
		e->id = id;
		e->ts = pkt->ts;
		e->precision = pkt->ts_precision;
		e->offset = pkt->offset;
		e->frame_len = (uint16_t)(pkt->frame_len < KEEP ? pkt->frame_len : KEEP);
		memcpy(e->frame, pkt->frame, e->frame_len);
		e->msg_len = (uint16_t)(len < KEEP ? len : KEEP);
		memcpy(e->msg, msg, e->msg_len);
		e->next = *pending;
		*pending = e;
		return 0;
	}
	for (struct net_dns_pending **pp = pending; *pp; pp = &(*pp)->next) {
		if ((*pp)->id == id) {
			struct net_dns_pending *e = *pp;
			int64_t rtt = pkt->ts - e->ts;
			*pp = e->next;
			e->next = NULL;
			r = emit(ns, t, pkt, msg, len, rtt, e->msg, e->msg_len);
			net_dns_forget(pool, &e);
			return r;
		}
	}
	return emit(ns, t, pkt, msg, len, -1, NULL, 0);
}

int net_dns_flush(struct net_state *ns, struct net_dns_pending **pending, const struct net_tuple *t)
{
	int r = 0;

	/* the list is newest first: emit oldest first */
	while (*pending && r >= 0) {
		struct net_dns_pending **pp = pending, *e;
		struct net_pkt pkt = { 0 };
		while ((*pp)->next)
			pp = &(*pp)->next;
		e = *pp;
		*pp = NULL;
		pkt.ts = e->ts;
		pkt.ts_precision = e->precision;
		pkt.offset = e->offset;
		pkt.frame = e->frame;
		pkt.frame_len = e->frame_len;
		r = emit(ns, t, &pkt, e->msg, e->msg_len, -1, NULL, 0);
		net_dns_forget(ns->dns_pool, &e);
	}
	return r;
}
