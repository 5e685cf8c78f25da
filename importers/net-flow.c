/* net-flow: the connection table — one row per 5-tuple, emitted as a `conn` event.
 *
 * Follows Zeek's conn.log (docs.zeek.org, base/protocols/conn/main.zeek) for what a connection
 * record holds: originator/responder, first and last packet, packets and IP bytes each way, the
 * TCP state (conn_state: S0, S1, SF, REJ, S2, S3, RSTO, RSTR, RSTOS0, RSTRH, SH, SHR, OTH) and
 * history letters (upper case from the originator), and the Community ID v1 of the tuple.
 *
 * The originator is the sender of the first packet, except that a first packet which is a
 * SYN-ACK, or a UDP packet from a well-known server port to a high port, makes its receiver the
 * originator (as Zeek does). Application bytes go to the DNS, TLS and HTTP parsers: UDP
 * datagrams directly, TCP through a small in-order reassembly buffer per direction that gives up
 * at the first gap (a capture with holes yields the connection, not the application record).
 *
 * Memory is bounded: at most MAX_FLOWS connections; idle ones are emitted and evicted (TCP after
 * 5 minutes without a packet, or 10 s after it closed; UDP and ICMP after 1 minute), and when
 * the table is full the longest-idle ones go first. Reassembly buffers together never exceed
 * MAX_BUFFERED bytes. Flows live in one array reused through a free list: no allocation per
 * packet.
 */
#include <stdio.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"
#include "net.h"

#define MAX_FLOWS (1u << 17)
#define FIRST_RAW 192 /* bytes of the first packet kept as the conn event's raw record */
#define SBUF_MAX (65536u + 2)
#define MAX_BUFFERED (64u << 20)
#define MAX_HTTP_LIVE 16384
#define NS(s) ((int64_t)(s) * 1000000000)
#define RAW(sb, lit) strbuf_add((sb), (lit), strlen(lit))
#define TCP_IDLE NS(300)
#define TCP_CLOSED_IDLE NS(10)
#define OTHER_IDLE NS(60)
#define SWEEP_EVERY NS(10)

enum { F_FIN = 1, F_SYN = 2, F_RST = 4, F_PSH = 8, F_ACK = 16 };
enum app { APP_UNKNOWN, APP_NONE, APP_DNS, APP_TLS, APP_HTTP, APP_QUIC };

struct sbuf {
	uint32_t next_seq;
	bool seq_known, done;
	uint32_t len, cap;
	uint8_t *data;
};

struct flow {
	uint32_t next;    /* hash chain, or free list; 0 = end (index 0 is never used) */
	uint32_t hash;
	bool used;
	uint8_t ipver, proto;
	uint8_t key_a[16], key_b[16];
	uint16_t key_pa, key_pb, vkey[3];
	uint8_t cli[16], srv[16];
	uint16_t cport, sport;
	uint16_t vlan[3];
	uint8_t nvlan;
	int64_t first_ts, last_ts, precision;
	uint64_t pkts[2], ip_bytes[2], bytes[2];
	uint8_t flags_seen[2];
	bool synack, closed;
	uint16_t hist_mask;
	char history[24];
	uint8_t hist_len;
	uint8_t app;
	bool tls_done[1], http_counted;
	uint64_t first_offset;
	uint16_t first_len;
	uint8_t first_raw[FIRST_RAW];
	struct sbuf *sb[2];
	struct net_dns_pending *dns;
	struct net_http *http;
	struct net_quic *quic;
	bool quic_done;
};

struct net_flows {
	struct flow *flows;
	uint32_t cap, used, free_head;
	uint32_t *buckets;
	uint32_t nbuckets;
	int64_t next_sweep;
	uint64_t buffered;
	uint64_t evicted_full;
	struct net_dns_pool *pool;
	struct net_state *ns; /* the owner, for the QUIC state's memory count */
	uint32_t http_live; /* connections holding HTTP parser state */
	bool http_capped;
};

struct net_flows *net_flows_new(struct net_dns_pool *pool)
{
	struct net_flows *f = calloc(1, sizeof(*f));

	if (!f)
		return NULL;
	f->pool = pool;
	f->nbuckets = 2048; /* grows with the flow array, see flow_alloc */
	f->buckets = calloc(f->nbuckets, sizeof(*f->buckets));
	if (!f->buckets) {
		free(f);
		return NULL;
	}
	f->next_sweep = INT64_MIN;
	return f;
}

static void sbuf_free(struct net_flows *t, struct sbuf *b)
{
	if (!b)
		return;
	t->buffered -= b->cap;
	free(b->data);
	free(b);
}

static void flow_release(struct net_flows *t, struct flow *fl)
{
	if (fl->http_counted) {
		t->http_live--;
		fl->http_counted = false;
	}
	sbuf_free(t, fl->sb[0]);
	sbuf_free(t, fl->sb[1]);
	fl->sb[0] = fl->sb[1] = NULL;
	net_http_free(fl->http);
	fl->http = NULL;
	net_dns_forget(t->pool, &fl->dns);
	net_quic_free(t->ns, fl->quic);
	fl->quic = NULL;
}

void net_flows_free(struct net_flows *t)
{
	if (!t)
		return;
	for (uint32_t i = 1; i < t->cap; i++)
		if (t->flows[i].used)
			flow_release(t, &t->flows[i]);
	free(t->flows);
	free(t->buckets);
	free(t);
}

void net_addr_str(uint8_t ipver, const uint8_t *a, char *buf, size_t len)
{
	if (ipver == 4) {
		char *p = buf;
		for (int i = 0; i < 4; i++) {
			unsigned v = a[i];
			if (v >= 100)
				*p++ = (char)('0' + v / 100);
			if (v >= 10)
				*p++ = (char)('0' + v / 10 % 10);
			*p++ = (char)('0' + v % 10);
			*p++ = i < 3 ? '.' : '\0';
		}
		return;
	}
	/* RFC 5952: lower case, leading zeros dropped, the longest run of zero groups as "::". */
	{
		uint16_t g[8];
		int best = -1, best_len = 0;
		char *p = buf;
		for (int i = 0; i < 8; i++)
			g[i] = (uint16_t)(a[2 * i] << 8 | a[2 * i + 1]);
		for (int i = 0; i < 8;) {
			int j = i;
			while (j < 8 && !g[j])
				j++;
			if (j - i > best_len && j - i >= 2) {
				best = i;
				best_len = j - i;
			}
			i = j > i ? j : i + 1;
		}
		(void)len;
		for (int i = 0; i < 8; i++) {
			static const char hex[] = "0123456789abcdef";
			bool lead = true;
			if (i == best) {
				*p++ = ':';
				if (i == 0)
					*p++ = ':';
				i += best_len - 1;
				continue;
			}
			for (int s = 12; s >= 0; s -= 4) {
				unsigned d = (g[i] >> s) & 15;
				if (d || !lead || s == 0) {
					*p++ = hex[d];
					lead = false;
				}
			}
			if (i < 7)
				*p++ = ':';
		}
		*p = '\0';
	}
}

static const char *l4name(uint8_t proto)
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmp6";
	default: return NULL;
	}
}

void net_event_fill(struct bs_event *ev, const struct net_tuple *t, const struct net_pkt *pkt, const char *type,
		    char cbuf[46], char sbuf[46])
{
	bs_event_init(ev);
	ev->source = SRC_NETWORK;
	ev->type = type;
	ev->ts = pkt->ts;
	ev->ts_precision = pkt->ts_precision;
	ev->offset = pkt->offset;
	ev->raw = pkt->frame;
	ev->raw_len = pkt->frame_len;
	net_addr_str(t->ipver, t->cli, cbuf, 46);
	net_addr_str(t->ipver, t->srv, sbuf, 46);
	ev->src_ip = cbuf;
	ev->dst_ip = sbuf;
	ev->l4proto = l4name(t->proto);
	if (t->proto == 6 || t->proto == 17) {
		ev->src_port = t->cport;
		ev->dst_port = t->sport;
	}
}

/* ---- the table ---- */

static uint32_t hash_key(const uint8_t *a, const uint8_t *b, uint16_t pa, uint16_t pb, uint8_t proto)
{
	uint64_t h = 0x9e3779b97f4a7c15ull ^ proto;
	uint64_t w[4];

	memcpy(w, a, 16);
	memcpy(w + 2, b, 16);
	for (int i = 0; i < 4; i++) {
		h ^= w[i];
		h *= 0xff51afd7ed558ccdull;
		h ^= h >> 32;
	}
	h ^= (uint64_t)pa << 16 | pb;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 29;
	return (uint32_t)h;
}

static uint16_t icmp_counterpart(uint8_t ipver, uint8_t type, bool *ret_found)
{
	static const uint8_t v4[][2] = { { 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 },
					 { 16, 15 }, { 10, 9 }, { 9, 10 }, { 17, 18 }, { 18, 17 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 129, 128 }, { 133, 134 }, { 134, 133 }, { 135, 136 },
					 { 136, 135 }, { 130, 131 }, { 131, 130 }, { 144, 145 }, { 145, 144 } };
	const uint8_t(*m)[2] = ipver == 4 ? v4 : v6;

	for (int i = 0; i < 10; i++)
		if (m[i][0] == type) {
			*ret_found = true;
			return m[i][1];
		}
	*ret_found = false;
	return 0;
}

static void unlink_flow(struct net_flows *t, struct flow *fl)
{
	uint32_t idx = (uint32_t)(fl - t->flows);
	uint32_t *pp = &t->buckets[fl->hash & (t->nbuckets - 1)];

	while (*pp && *pp != idx)
		pp = &t->flows[*pp].next;
	if (*pp)
		*pp = fl->next;
	flow_release(t, fl);
	fl->used = false;
	fl->next = t->free_head;
	t->free_head = idx;
	t->used--;
}

static const char *conn_state(const struct flow *fl)
{
	const uint8_t o = fl->flags_seen[0], r = fl->flags_seen[1];

	if (fl->proto != 6)
		return fl->pkts[1] ? "SF" : "S0";
	if ((o & F_SYN) && !fl->synack) {
		if (r & F_RST)
			return "REJ";
		if (o & F_FIN)
			return "SH";
		if (o & F_RST)
			return "RSTOS0";
		return "S0";
	}
	if ((o & F_SYN) && fl->synack) {
		if (o & F_RST)
			return "RSTO";
		if (r & F_RST)
			return "RSTR";
		if ((o & F_FIN) && (r & F_FIN))
			return "SF";
		if (o & F_FIN)
			return "S2";
		if (r & F_FIN)
			return "S3";
		return "S1";
	}
	if (fl->synack) {
		if (r & F_RST)
			return "RSTRH";
		if (r & F_FIN)
			return "SHR";
	}
	return "OTH";
}

/* Redact the values of "SecretAccessKey" and "Token" JSON members in place, keeping lengths. */
static void redact(uint8_t *p, size_t len)
{
	static const char *const keys[] = { "\"SecretAccessKey\"", "\"Token\"" };

	for (int k = 0; k < 2; k++) {
		size_t kl = strlen(keys[k]);
		uint8_t *s = p, *end = p + len;
		while ((s = memmem(s, (size_t)(end - s), keys[k], kl))) {
			s += kl;
			while (s < end && (*s == ' ' || *s == ':' || *s == '\t' || *s == '\r' || *s == '\n'))
				s++;
			if (s < end && *s == '"')
				s++;
			while (s < end && *s != '"')
				*s++ = 'X';
		}
	}
}

int net_redact_secrets(uint8_t *p, size_t len);
int net_redact_secrets(uint8_t *p, size_t len)
{
	redact(p, len);
	return 0;
}

static int emit_conn(struct net_state *ns, struct flow *fl)
{
	struct net_out *o = &ns->out;
	struct bs_event ev;
	struct net_pkt pkt = { 0 };
	struct net_tuple tp = { fl->ipver, fl->proto, fl->cli, fl->srv, fl->cport, fl->sport };
	char cbuf[46], sbuf[46], cid[40];
	struct strbuf *f;
	const char *state = conn_state(fl);
	int r;

	/* Application records still waiting for their answer come first. */
	if (fl->dns && (r = net_dns_flush(ns, &fl->dns, &tp)) < 0)
		return r;
	if (fl->http && (r = net_http_flush(ns, &fl->http, &tp)) < 0)
		return r;
	pkt.ts = fl->first_ts;
	pkt.ts_precision = fl->precision;
	pkt.offset = fl->first_offset;
	pkt.frame = fl->first_raw;
	pkt.frame_len = fl->first_len;
	net_event_fill(&ev, &tp, &pkt, "conn", cbuf, sbuf);
	if (fl->proto == 1 || fl->proto == 58) {
		ev.src_port = fl->cport;
		ev.dst_port = fl->sport;
	}
	if (fl->proto == 6 || fl->proto == 17) {
		struct strbuf *t = &o->tmp;
		strbuf_reset(t);
		if (fl->ipver == 6)
			strbuf_addch(t, '[');
		strbuf_addstr(t, cbuf);
		RAW(t, fl->ipver == 6 ? "]:" : ":");
		strbuf_addu64(t, fl->cport);
		RAW(t, "->");
		if (fl->ipver == 6)
			strbuf_addch(t, '[');
		strbuf_addstr(t, sbuf);
		RAW(t, fl->ipver == 6 ? "]:" : ":");
		strbuf_addu64(t, fl->sport);
		ev.fd_name = t->buf;
	}
	ev.result = state;
	net_community_id_out(o, fl->ipver, fl->proto, fl->cli, fl->srv, fl->cport, fl->sport, cid, sizeof(cid));

	/* Written by hand rather than through jsonw: one of these per connection, keys constant
	 * and values that need no escaping (numbers, base64, state and history letters). */
	f = &o->fields;
	strbuf_reset(f);
	RAW(f, "{\"fd.type\":\"");
	RAW(f, fl->ipver == 4 ? "ipv4" : "ipv6");
	if (!ev.l4proto) {
		RAW(f, "\",\"net.proto\":");
		strbuf_addu64(f, fl->proto);
		RAW(f, ",\"net.community_id\":\"");
	} else {
		RAW(f, "\",\"net.community_id\":\"");
	}
	strbuf_addstr(f, cid);
	RAW(f, "\",\"net.conn_state\":\"");
	strbuf_addstr(f, state);
	if (fl->hist_len) {
		RAW(f, "\",\"net.history\":\"");
		strbuf_add(f, fl->history, fl->hist_len);
	}
	RAW(f, "\",\"net.duration_ns\":");
	strbuf_addi64(f, fl->last_ts - fl->first_ts);
	RAW(f, ",\"net.last_ts\":");
	strbuf_addi64(f, fl->last_ts);
	RAW(f, ",\"net.orig_pkts\":");
	strbuf_addu64(f, fl->pkts[0]);
	RAW(f, ",\"net.resp_pkts\":");
	strbuf_addu64(f, fl->pkts[1]);
	RAW(f, ",\"net.orig_bytes\":");
	strbuf_addu64(f, fl->bytes[0]);
	RAW(f, ",\"net.resp_bytes\":");
	strbuf_addu64(f, fl->bytes[1]);
	RAW(f, ",\"net.orig_ip_bytes\":");
	strbuf_addu64(f, fl->ip_bytes[0]);
	RAW(f, ",\"net.resp_ip_bytes\":");
	strbuf_addu64(f, fl->ip_bytes[1]);
	if (fl->nvlan) {
		RAW(f, ",\"net.vlan\":[");
		for (unsigned i = 0; i < fl->nvlan; i++) {
			if (i)
				strbuf_addch(f, ',');
			strbuf_addu64(f, fl->vlan[i]);
		}
		strbuf_addch(f, ']');
	}
	if (fl->app >= APP_DNS) {
		RAW(f, ",\"net.app\":\"");
		RAW(f, fl->app == APP_DNS    ? "dns\""
		       : fl->app == APP_TLS  ? "tls\""
		       : fl->app == APP_QUIC ? "quic\""
					     : "http\"");
	}
	strbuf_addch(f, '}');
	ev.fields = f->buf;

	strbuf_reset(&o->summary);
	strbuf_addstr(&o->summary, ev.l4proto ? ev.l4proto : "ip");
	strbuf_addch(&o->summary, ' ');
	if (ev.fd_name) {
		strbuf_addstr(&o->summary, ev.fd_name);
	} else {
		strbuf_addstr(&o->summary, cbuf);
		RAW(&o->summary, "->");
		strbuf_addstr(&o->summary, sbuf);
	}
	RAW(&o->summary, ", ");
	strbuf_addu64(&o->summary, fl->pkts[0]);
	strbuf_addch(&o->summary, '/');
	strbuf_addu64(&o->summary, fl->pkts[1]);
	RAW(&o->summary, " pkts, ");
	strbuf_addu64(&o->summary, fl->bytes[0]);
	strbuf_addch(&o->summary, '/');
	strbuf_addu64(&o->summary, fl->bytes[1]);
	RAW(&o->summary, " bytes ");
	strbuf_addstr(&o->summary, state);
	ev.summary = o->summary.buf;
	o->events[0]++;
	return imp_emit(o->ctx, &ev);
}

static int evict(struct net_state *ns, struct flow *fl)
{
	int r = emit_conn(ns, fl);

	unlink_flow(ns->flows, fl);
	return r;
}

/* Emit and evict flows idle before `now` by their timeouts (INT64_MAX: all of them). */
static int sweep(struct net_state *ns, int64_t now, int64_t scale_shift)
{
	struct net_flows *t = ns->flows;

	for (uint32_t i = 1; i < t->cap; i++) {
		struct flow *fl = &t->flows[i];
		int64_t idle;
		if (!fl->used)
			continue;
		idle = fl->proto == 6 ? (fl->closed ? TCP_CLOSED_IDLE : TCP_IDLE) : OTHER_IDLE;
		idle >>= scale_shift;
		if (now == INT64_MAX || fl->last_ts < now - idle) {
			int r = evict(ns, fl);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int net_flows_flush(struct net_state *ns, int64_t before_ts)
{
	return sweep(ns, before_ts, 0);
}

static struct flow *flow_alloc(struct net_state *ns, int64_t now, int *ret_err)
{
	struct net_flows *t = ns->flows;
	uint32_t idx;

	*ret_err = 0;
	if (!t->free_head && t->cap >= MAX_FLOWS) {
		/* Full: evict the longest idle, halving the timeouts until an eighth is free. */
		for (int shift = 1; t->used > MAX_FLOWS - MAX_FLOWS / 8 && shift < 40; shift++) {
			int r = sweep(ns, now, shift);
			if (r < 0) {
				*ret_err = r;
				return NULL;
			}
		}
		if (!t->evicted_full++)
			imp_warning(ns->out.ctx, 0, "more than %u connections open at once: the longest idle were "
						    "ended early", MAX_FLOWS);
		if (!t->free_head) {
			int r = sweep(ns, INT64_MAX, 0);
			if (r < 0) {
				*ret_err = r;
				return NULL;
			}
		}
	}
	if (t->free_head) {
		idx = t->free_head;
		t->free_head = t->flows[idx].next;
	} else {
		{
			uint32_t ncap = t->cap ? t->cap * 2 : 1024;
			struct flow *nf;
			if (ncap > MAX_FLOWS)
				ncap = MAX_FLOWS;
			nf = realloc(t->flows, (size_t)ncap * sizeof(*nf));
			if (!nf) {
				*ret_err = -ENOMEM;
				return NULL;
			}
			memset(nf + t->cap, 0, (size_t)(ncap - t->cap) * sizeof(*nf));
			t->flows = nf;
			if (ncap * 2 > t->nbuckets) {
				/* twice as many buckets as flows: rehash the chains */
				uint32_t nb = ncap * 2, *bk = calloc(nb, sizeof(*bk));
				if (!bk) {
					*ret_err = -ENOMEM;
					return NULL;
				}
				for (uint32_t i = 1; i < t->cap; i++) {
					if (!nf[i].used)
						continue;
					nf[i].next = bk[nf[i].hash & (nb - 1)];
					bk[nf[i].hash & (nb - 1)] = i;
				}
				free(t->buckets);
				t->buckets = bk;
				t->nbuckets = nb;
			}
			/* index 0 is the chain terminator; put the rest on the free list */
			for (uint32_t i = ncap - 1; i >= (t->cap ? t->cap : 1); i--) {
				nf[i].next = t->free_head;
				t->free_head = i;
			}
			t->cap = ncap;
		}
		idx = t->free_head;
		t->free_head = t->flows[idx].next;
	}
	t->used++;
	return &t->flows[idx];
}

static void history(struct flow *fl, int dir, char letter)
{
	unsigned bit = 0;
	static const char order[] = "shadfr";
	const char *p = strchr(order, letter);

	if (p)
		bit = 1u << ((unsigned)(p - order) + (dir ? 8 : 0));
	if (fl->hist_mask & bit || fl->hist_len >= sizeof(fl->history))
		return;
	fl->hist_mask |= (uint16_t)bit;
	fl->history[fl->hist_len++] = dir ? letter : (char)(letter - 32);
}

static bool server_port(uint16_t p)
{
	return p == 53 || p == 123 || p == 67 || p == 137 || p == 161 || p == 443 || p == 500 || p == 5353 ||
	       p == 5355 || p == 4789 || p == 3544;
}

/* Feed in-order application bytes of direction dir to the flow's parser. */
static int app_bytes(struct net_state *ns, struct flow *fl, int dir, const struct net_pkt *pkt, const uint8_t *p,
		     size_t len, size_t *ret_used, bool *ret_done)
{
	struct net_tuple tp = { fl->ipver, fl->proto, fl->cli, fl->srv, fl->cport, fl->sport };
	size_t used = 0;
	int r = 0;

	*ret_done = false;
	switch (fl->app) {
	case APP_TLS:
		if (dir == 0 && !fl->tls_done[0]) {
			r = net_tls_client(ns, &tp, pkt, p, len, ret_done);
			if (r != 0 || *ret_done)
				fl->tls_done[0] = true, *ret_done = true;
		} else {
			*ret_done = true;
		}
		used = 0;
		break;
	case APP_HTTP:
		r = net_http_data(ns, &fl->http, &tp, pkt, p, len, dir == 0, false, ret_done);
		if (r > 0) {
			used = (size_t)r;
			r = 0;
		}
		break;
	case APP_DNS:
		while (len - used >= 2) {
			size_t ml = (size_t)(p[used] << 8 | p[used + 1]);
			if (ml + 2 > SBUF_MAX) {
				*ret_done = true;
				break;
			}
			if (len - used < ml + 2)
				break;
			r = net_dns_message(ns, &fl->dns, &tp, pkt, p + used + 2, ml, dir == 0);
			used += ml + 2;
			if (r < 0)
				break;
		}
		break;
	default:
		*ret_done = true;
		break;
	}
	*ret_used = used;
	return r < 0 ? r : 0;
}

static bool looks_dns_tcp(const uint8_t *p, size_t len)
{
	/* A length prefix that matches the first message, and a one-question standard query. */
	size_t ml;

	if (len < 14)
		return false;
	ml = (size_t)(p[0] << 8 | p[1]);
	return ml >= 17 && (p[4] & 0xf8) == 0 && (p[6] | p[7]) != 0 && p[8] == 0 && p[9] == 0 && p[10] == 0 &&
	       p[11] == 0;
}

static int tcp_payload(struct net_state *ns, struct flow *fl, int dir, const struct net_pkt *pkt)
{
	struct net_flows *t = ns->flows;
	struct sbuf *b = fl->sb[dir];
	const uint8_t *p = pkt->payload;
	size_t len = pkt->payload_len, used;
	uint32_t seq = pkt->tcp_seq;
	bool done;
	int r;

	if (fl->app == APP_UNKNOWN && dir == 0 && len) {
		if (len >= 6 && p[0] == 0x16 && p[1] == 3 && p[5] == 1)
			fl->app = APP_TLS;
		else if (net_http_is_request(p, len) && t->http_live < MAX_HTTP_LIVE) {
			fl->app = APP_HTTP;
			fl->http_counted = true;
			t->http_live++;
		} else if (net_http_is_request(p, len)) {
			fl->app = APP_NONE;
			if (!t->http_capped)
				imp_warning(ns->out.ctx, pkt->offset, "more than %u HTTP connections open at once: "
								      "requests of the newer ones are not parsed",
					    MAX_HTTP_LIVE);
			t->http_capped = true;
		}
		else if (fl->sport == 53 || fl->cport == 53 || looks_dns_tcp(p, len))
			fl->app = APP_DNS;
		else
			fl->app = APP_NONE;
	}
	if (fl->app <= APP_NONE || !len)
		return 0;
	if (!b) {
		b = fl->sb[dir] = calloc(1, sizeof(*b));
		if (!b)
			return -ENOMEM;
	}
	if (b->done)
		return 0;
	if (!b->seq_known) {
		b->next_seq = seq;
		b->seq_known = true;
	}
	if ((int32_t)(seq - b->next_seq) > 0) {
		b->done = true; /* a gap: the application stream cannot be followed further */
		return 0;
	}
	if ((int32_t)(seq + (uint32_t)len - b->next_seq) <= 0)
		return 0; /* a retransmission of bytes already seen */
	p += b->next_seq - seq;
	len -= b->next_seq - seq;
	b->next_seq += (uint32_t)len;
	if (!b->len) {
		/* Common case: parse straight from the packet and keep only what is left over. */
		r = app_bytes(ns, fl, dir, pkt, p, len, &used, &done);
		if (r < 0)
			return r;
		if (done) {
			b->done = true;
			return 0;
		}
		p += used;
		len -= used;
		if (!len)
			return 0;
	}
	if (b->len + len > b->cap) {
		uint32_t ncap = b->cap ? b->cap : 2048;
		uint8_t *nd;
		while (ncap < b->len + len && ncap < SBUF_MAX)
			ncap *= 2;
		if (ncap > SBUF_MAX)
			ncap = SBUF_MAX;
		if (b->len + len > ncap || t->buffered + (ncap - b->cap) > MAX_BUFFERED) {
			b->done = true;
			return 0;
		}
		nd = realloc(b->data, ncap);
		if (!nd)
			return -ENOMEM;
		t->buffered += ncap - b->cap;
		b->data = nd;
		b->cap = ncap;
	}
	memcpy(b->data + b->len, p, len);
	b->len += (uint32_t)len;
	if (b->len == len && b->data != p) {
		/* the leftover of a direct parse: wait for more bytes */
		return 0;
	}
	r = app_bytes(ns, fl, dir, pkt, b->data, b->len, &used, &done);
	if (r < 0)
		return r;
	if (done) {
		b->done = true;
		return 0;
	}
	memmove(b->data, b->data + used, b->len - used);
	b->len -= (uint32_t)used;
	return 0;
}

int net_flow_packet(struct net_state *ns, const struct net_pkt *pkt)
{
	struct net_flows *t = ns->flows;
	size_t alen = pkt->ipver == 4 ? 4 : 16;
	uint16_t sp = pkt->sport, dp = pkt->dport;
	const uint8_t *a, *b;
	uint16_t pa, pb;
	uint32_t h, idx;
	struct flow *fl = NULL;
	int dir, r;
	bool icmp_pair = false;
	uint16_t vkey[3];

	if (!pkt->ipver)
		return 0;
	if (pkt->ts >= t->next_sweep) {
		if (t->next_sweep != INT64_MIN && (r = sweep(ns, pkt->ts, 0)) < 0)
			return r;
		t->next_sweep = pkt->ts + SWEEP_EVERY;
	}
	if (pkt->proto == 1 || pkt->proto == 58) {
		uint16_t cp = icmp_counterpart(pkt->ipver, pkt->icmp_type, &icmp_pair);
		if (icmp_pair)
			dp = cp;
	}
	/* Normalised key: the lower (address, port) first. */
	{
		int c = memcmp(pkt->src, pkt->dst, alen);
		if (c < 0 || (c == 0 && sp <= dp)) {
			a = pkt->src, b = pkt->dst, pa = sp, pb = dp;
		} else {
			a = pkt->dst, b = pkt->src, pa = dp, pb = sp;
		}
	}
	if (pkt->proto == 1 || pkt->proto == 58) {
		/* request and reply types are one conversation: key them by the request type */
		uint16_t lo = pa < pb ? pa : pb, hi = pa < pb ? pb : pa;
		if (icmp_pair)
			pa = lo, pb = hi;
	}
	{
		uint16_t vl[3] = { 0, 0, 0 };
		memcpy(vl, pkt->vlan, (size_t)pkt->nvlan * sizeof(*vl));
		memcpy(vkey, vl, sizeof(vkey));
	}
	/* VLAN ids are part of the key: the same tuple on two VLANs is two connections */
	h = hash_key(a, b, pa, pb, pkt->proto) ^ (uint32_t)(vkey[0] * 0x9e3779b1u ^ vkey[1] * 0x85ebca6bu ^ vkey[2]);
	for (idx = t->buckets[h & (t->nbuckets - 1)]; idx; idx = t->flows[idx].next) {
		struct flow *c = &t->flows[idx];
		if (c->hash == h && c->proto == pkt->proto && c->ipver == pkt->ipver && c->key_pa == pa &&
		    c->key_pb == pb && !memcmp(c->key_a, a, 16) && !memcmp(c->key_b, b, 16) &&
		    !memcmp(c->vkey, vkey, sizeof(vkey))) {
			fl = c;
			break;
		}
	}
	/* A new SYN on a closed connection starts a new one. */
	if (fl && fl->proto == 6 && fl->closed && (pkt->tcp_flags & (F_SYN | F_ACK)) == F_SYN) {
		if ((r = evict(ns, fl)) < 0)
			return r;
		fl = NULL;
	}
	if (!fl) {
		uint8_t ka[16], kb[16];
		memcpy(ka, a, 16);
		memcpy(kb, b, 16);
		fl = flow_alloc(ns, pkt->ts, &r);
		if (!fl)
			return r;
		memset(fl, 0, offsetof(struct flow, first_raw));
		fl->used = true;
		fl->hash = h;
		fl->ipver = pkt->ipver;
		fl->proto = pkt->proto;
		memcpy(fl->key_a, ka, 16);
		memcpy(fl->key_b, kb, 16);
		fl->key_pa = pa;
		fl->key_pb = pb;
		memcpy(fl->vkey, vkey, sizeof(vkey));
		{
			bool flip = false;
			if (pkt->proto == 6)
				flip = (pkt->tcp_flags & (F_SYN | F_ACK)) == (F_SYN | F_ACK) ||
				       (!(pkt->tcp_flags & F_SYN) && pkt->sport < 1024 && pkt->dport >= 1024);
			else if (pkt->proto == 17)
				flip = server_port(pkt->sport) && !server_port(pkt->dport) && pkt->dport >= 1024;
			else if (icmp_pair)
				flip = pkt->icmp_type == (pkt->ipver == 4 ? 0 : 129);
			memcpy(fl->cli, flip ? pkt->dst : pkt->src, 16);
			memcpy(fl->srv, flip ? pkt->src : pkt->dst, 16);
			fl->cport = flip ? pkt->dport : pkt->sport;
			fl->sport = flip ? pkt->sport : pkt->dport;
			if (pkt->proto == 1 || pkt->proto == 58) {
				/* Zeek: orig port is the ICMP type, resp port the code (request's) */
				fl->cport = flip ? (uint16_t)(pkt->ipver == 4 ? 8 : 128) : pkt->icmp_type;
				fl->sport = flip ? 0 : pkt->icmp_code;
			}
		}
		fl->first_ts = fl->last_ts = pkt->ts;
		fl->precision = pkt->ts_precision;
		fl->first_offset = pkt->offset;
		fl->first_len = (uint16_t)(pkt->frame_len < FIRST_RAW ? pkt->frame_len : FIRST_RAW);
		memcpy(fl->first_raw, pkt->frame, fl->first_len);
		if (pkt->payload_len)
			redact(fl->first_raw, fl->first_len);
		fl->nvlan = pkt->nvlan;
		memcpy(fl->vlan, pkt->vlan, sizeof(fl->vlan));
		fl->next = t->buckets[h & (t->nbuckets - 1)];
		t->buckets[h & (t->nbuckets - 1)] = (uint32_t)(fl - t->flows);
	}
	dir = memcmp(pkt->src, fl->cli, alen) || (pkt->proto != 1 && pkt->proto != 58 && pkt->sport != fl->cport)
		      ? 1
		      : 0;
	if (pkt->proto == 1 || pkt->proto == 58)
		dir = memcmp(pkt->src, fl->cli, alen) ? 1 : 0;
	if (pkt->ts > fl->last_ts)
		fl->last_ts = pkt->ts;
	fl->pkts[dir]++;
	fl->ip_bytes[dir] += pkt->ip_total;
	if (pkt->proto == 6) {
		uint8_t f = pkt->tcp_flags;
		fl->flags_seen[dir] |= f & (F_SYN | F_FIN | F_RST);
		if ((f & (F_SYN | F_ACK)) == (F_SYN | F_ACK)) {
			if (dir == 1)
				fl->synack = true;
			history(fl, dir, 'h');
		} else if (f & F_SYN) {
			history(fl, dir, 's');
		}
		if (f & F_FIN)
			history(fl, dir, 'f');
		if (f & F_RST)
			history(fl, dir, 'r');
		if (pkt->l4_payload_len)
			history(fl, dir, 'd');
		else if ((f & F_ACK) && !(f & (F_SYN | F_FIN | F_RST)))
			history(fl, dir, 'a');
		/* payload bytes as the headers claim them (not deduplicated by sequence numbers) */
		fl->bytes[dir] += pkt->l4_payload_len;
		if ((fl->flags_seen[0] | fl->flags_seen[1]) & F_RST ||
		    ((fl->flags_seen[0] & F_FIN) && (fl->flags_seen[1] & F_FIN)))
			fl->closed = true;
		r = tcp_payload(ns, fl, dir, pkt);
		if (r < 0)
			return r;
		if (fl->closed && (fl->sb[0] || fl->sb[1] || fl->http || fl->dns)) {
			/* Nothing more will come: finish the application records now and free their
			 * state, so that memory follows the open connections, not the closed ones. */
			struct net_tuple tp = { fl->ipver, fl->proto, fl->cli, fl->srv, fl->cport, fl->sport };
			if (fl->dns && (r = net_dns_flush(ns, &fl->dns, &tp)) < 0)
				return r;
			if (fl->http && (r = net_http_flush(ns, &fl->http, &tp)) < 0)
				return r;
			flow_release(t, fl);
		}
		return 0;
	}
	fl->bytes[dir] += pkt->l4_payload_len;
	if (pkt->proto == 17 && pkt->l4_payload_len)
		history(fl, dir, 'd');
	if (pkt->proto == 17 && pkt->payload_len >= 12) {
		if (fl->app == APP_UNKNOWN) {
			if (pkt->sport == 53 || pkt->dport == 53 || pkt->sport == 5353 || pkt->dport == 5353 ||
			    pkt->sport == 5355 || pkt->dport == 5355)
				fl->app = APP_DNS;
			else if (dir == 0 && net_quic_is_initial(pkt->payload, pkt->payload_len))
				fl->app = APP_QUIC;
			else
				fl->app = APP_NONE;
		}
		if (fl->app == APP_DNS) {
			struct net_tuple tp = { fl->ipver, fl->proto, fl->cli, fl->srv, fl->cport, fl->sport };
			return net_dns_message(ns, &fl->dns, &tp, pkt, pkt->payload, pkt->payload_len, dir == 0);
		}
		if (fl->app == APP_QUIC && dir == 0 && !fl->quic_done) {
			struct net_tuple tp = { fl->ipver, fl->proto, fl->cli, fl->srv, fl->cport, fl->sport };
			bool done;
			r = net_quic_datagram(ns, &fl->quic, &tp, pkt, pkt->payload, pkt->payload_len, &done);
			if (done || r < 0) {
				fl->quic_done = true;
				net_quic_free(ns, fl->quic);
				fl->quic = NULL;
			}
			return r;
		}
	}
	return 0;
}

int net_state_init(struct net_state *ns, struct imp_ctx *ctx)
{
	memset(ns, 0, sizeof(*ns));
	ns->out.ctx = ctx;
	strbuf_init(&ns->out.fields);
	strbuf_init(&ns->out.summary);
	strbuf_init(&ns->out.tmp);
	strbuf_init(&ns->out.l1);
	strbuf_init(&ns->out.l2);
	strbuf_init(&ns->out.l3);
	strbuf_init(&ns->out.hello);
	strbuf_init(&ns->out.plain);
	ns->frag = net_frag_new();
	ns->dns_pool = net_dns_pool_new();
	ns->flows = ns->dns_pool ? net_flows_new(ns->dns_pool) : NULL;
	if (ns->flows)
		ns->flows->ns = ns;
	if (!ns->frag || !ns->flows) {
		net_state_release(ns);
		return -ENOMEM;
	}
	return 0;
}

int net_state_finish(struct net_state *ns)
{
	if (!ns->flows)
		return 0;
	return sweep(ns, INT64_MAX, 0);
}

void net_state_release(struct net_state *ns)
{
	net_frag_free(ns->frag);
	net_flows_free(ns->flows);
	net_dns_pool_free(ns->dns_pool);
	net_quic_ctx_free(ns->quic);
	ns->quic = NULL;
	ns->frag = NULL;
	ns->flows = NULL;
	ns->dns_pool = NULL;
	strbuf_release(&ns->out.l1);
	strbuf_release(&ns->out.l2);
	strbuf_release(&ns->out.l3);
	strbuf_release(&ns->out.hello);
	net_digest_release(&ns->out);
	strbuf_release(&ns->out.plain);
	strbuf_release(&ns->out.fields);
	strbuf_release(&ns->out.summary);
	strbuf_release(&ns->out.tmp);
}
