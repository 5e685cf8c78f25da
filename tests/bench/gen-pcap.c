/* gen-pcap: write a deterministic capture of mixed traffic for the import benchmark.
 *
 * Usage: gen-pcap OUT.pcap [PACKETS]   (default 1,000,000)
 *
 * Classic pcap, Ethernet, µs timestamps 10 µs apart from 2026-11-02T00:00:00Z. The traffic is a
 * fixed rotation of: DNS query/response over UDP (IPv4 and IPv6), HTTP/1.1 sessions, TLS sessions
 * opening with a ClientHello (SNI, ALPN, groups, signature algorithms), ICMP echo pairs, and bulk
 * TCP transfers of 1400-byte segments — every TCP session with its handshake and FIN close. The
 * same arguments always give the same bytes.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static FILE *out;
static uint64_t ts_us = UINT64_C(1793577600) * 1000000;
static uint64_t written, limit;
static uint8_t frame[2048];

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, (uint16_t)(v >> 16));
	put16(p + 2, (uint16_t)v);
}

static void record(size_t len)
{
	uint32_t h[4] = { (uint32_t)(ts_us / 1000000), (uint32_t)(ts_us % 1000000), (uint32_t)len, (uint32_t)len };

	fwrite(h, 4, 4, out);
	fwrite(frame, 1, len, out);
	ts_us += 10;
	written++;
}

struct ep {
	int v6;
	uint8_t a[16];
	uint16_t port;
};

/* Ethernet + IP header for proto with l4 length n; returns the offset of the L4 header. */
static size_t ip_head(const struct ep *s, const struct ep *d, uint8_t proto, size_t n)
{
	memset(frame, 0, 14);
	frame[0] = 2, frame[6] = 2, frame[11] = 1;
	if (!s->v6) {
		uint8_t *ip = frame + 14;
		put16(frame + 12, 0x0800);
		memset(ip, 0, 20);
		ip[0] = 0x45;
		put16(ip + 2, (uint16_t)(20 + n));
		ip[8] = 64;
		ip[9] = proto;
		memcpy(ip + 12, s->a, 4);
		memcpy(ip + 16, d->a, 4);
		return 34;
	}
	put16(frame + 12, 0x86dd);
	memset(frame + 14, 0, 8);
	frame[14] = 0x60;
	put16(frame + 18, (uint16_t)n);
	frame[20] = proto;
	frame[21] = 64;
	memcpy(frame + 22, s->a, 16);
	memcpy(frame + 38, d->a, 16);
	return 54;
}

static void udp(const struct ep *s, const struct ep *d, const uint8_t *pl, size_t n)
{
	size_t o = ip_head(s, d, 17, 8 + n);
	put16(frame + o, s->port);
	put16(frame + o + 2, d->port);
	put16(frame + o + 4, (uint16_t)(8 + n));
	put16(frame + o + 6, 0);
	memcpy(frame + o + 8, pl, n);
	record(o + 8 + n);
}

static void tcp(const struct ep *s, const struct ep *d, uint32_t seq, uint32_t ack, uint8_t flags, const uint8_t *pl,
		size_t n)
{
	size_t o = ip_head(s, d, 6, 20 + n);
	put16(frame + o, s->port);
	put16(frame + o + 2, d->port);
	put32(frame + o + 4, seq);
	put32(frame + o + 8, ack);
	frame[o + 12] = 5 << 4;
	frame[o + 13] = flags;
	put16(frame + o + 14, 65535);
	put32(frame + o + 16, 0);
	if (n)
		memcpy(frame + o + 20, pl, n);
	record(o + 20 + n);
}

static size_t dns_msg(uint8_t *m, uint16_t id, const char *name, int response, int v6)
{
	size_t n = 12;
	const char *p = name;

	memset(m, 0, 12);
	put16(m, id);
	put16(m + 2, response ? 0x8180 : 0x0100);
	put16(m + 4, 1);
	put16(m + 6, response ? 1 : 0);
	while (*p) {
		const char *dot = strchr(p, '.');
		size_t l = dot ? (size_t)(dot - p) : strlen(p);
		m[n++] = (uint8_t)l;
		memcpy(m + n, p, l);
		n += l;
		p += l + (dot ? 1 : 0);
	}
	m[n++] = 0;
	put16(m + n, v6 ? 28 : 1), n += 2;
	put16(m + n, 1), n += 2;
	if (response) {
		m[n++] = 0xc0, m[n++] = 12;
		put16(m + n, v6 ? 28 : 1), n += 2;
		put16(m + n, 1), n += 2;
		put32(m + n, 300), n += 4;
		put16(m + n, v6 ? 16 : 4), n += 2;
		for (int i = 0; i < (v6 ? 16 : 4); i++)
			m[n++] = (uint8_t)(93 + i + id);
	}
	return n;
}

static void client(struct ep *c, uint32_t i, int v6)
{
	memset(c, 0, sizeof(*c));
	c->v6 = v6;
	if (v6) {
		c->a[0] = 0x20, c->a[1] = 0x01, c->a[2] = 0x0d, c->a[3] = 0xb8;
		c->a[14] = (uint8_t)(i >> 8), c->a[15] = (uint8_t)i;
	} else {
		c->a[0] = 10, c->a[1] = (uint8_t)(i >> 16), c->a[2] = (uint8_t)(i >> 8), c->a[3] = (uint8_t)i;
	}
	c->port = (uint16_t)(20000 + i % 40000);
}

static void server(struct ep *s, uint32_t i, int v6, uint16_t port)
{
	memset(s, 0, sizeof(*s));
	s->v6 = v6;
	if (v6) {
		s->a[0] = 0x26, s->a[1] = 0x06, s->a[15] = (uint8_t)(i % 50 + 1);
	} else {
		s->a[0] = 198, s->a[1] = 51, s->a[2] = 100, s->a[3] = (uint8_t)(i % 50 + 1);
	}
	s->port = port;
}

static void session(const struct ep *c, const struct ep *s, const uint8_t *req, size_t rl, int resp_segs,
		    size_t seg_len)
{
	static uint8_t data[1500];
	uint32_t cs = 1000, ss = 5000;

	memset(data, 'x', sizeof(data));
	tcp(c, s, cs, 0, 0x02, NULL, 0);
	tcp(s, c, ss, cs + 1, 0x12, NULL, 0);
	cs++, ss++;
	tcp(c, s, cs, ss, 0x10, NULL, 0);
	tcp(c, s, cs, ss, 0x18, req, rl);
	cs += (uint32_t)rl;
	for (int k = 0; k < resp_segs; k++) {
		tcp(s, c, ss, cs, 0x18, data, seg_len);
		ss += (uint32_t)seg_len;
		if (k % 2)
			tcp(c, s, cs, ss, 0x10, NULL, 0);
	}
	tcp(c, s, cs, ss, 0x11, NULL, 0);
	tcp(s, c, ss, cs + 1, 0x11, NULL, 0);
	tcp(c, s, cs + 1, ss + 1, 0x10, NULL, 0);
}

static size_t client_hello(uint8_t *m, uint32_t i)
{
	static const uint16_t ciphers[] = { 0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8 };
	char sni[64];
	size_t n = 0, sl, hs_len_at, rec_len_at, ext_len_at;

	snprintf(sni, sizeof(sni), "api%u.example.com", i % 997);
	sl = strlen(sni);
	m[n++] = 0x16, m[n++] = 3, m[n++] = 1;
	rec_len_at = n, n += 2;
	m[n++] = 1;
	hs_len_at = n, n += 3;
	m[n++] = 3, m[n++] = 3;
	for (int k = 0; k < 32; k++)
		m[n++] = (uint8_t)(k * 7 + i);
	m[n++] = 0;
	put16(m + n, sizeof(ciphers)), n += 2;
	for (size_t k = 0; k < sizeof(ciphers) / 2; k++)
		put16(m + n, ciphers[k]), n += 2;
	m[n++] = 1, m[n++] = 0;
	ext_len_at = n, n += 2;
	put16(m + n, 0), put16(m + n + 2, (uint16_t)(sl + 5)), put16(m + n + 4, (uint16_t)(sl + 3)), m[n + 6] = 0;
	put16(m + n + 7, (uint16_t)sl), memcpy(m + n + 9, sni, sl), n += 9 + sl;
	memcpy(m + n, "\x00\x10\x00\x0e\x00\x0c\x02h2\x08http/1.1", 18), n += 18;
	memcpy(m + n, "\x00\x0a\x00\x08\x00\x06\x00\x1d\x00\x17\x00\x18", 12), n += 12;
	memcpy(m + n, "\x00\x0b\x00\x02\x01\x00", 6), n += 6;
	memcpy(m + n, "\x00\x0d\x00\x08\x00\x06\x04\x03\x08\x04\x04\x01", 12), n += 12;
	memcpy(m + n, "\x00\x2b\x00\x05\x04\x03\x04\x03\x03", 9), n += 9;
	put16(m + ext_len_at, (uint16_t)(n - ext_len_at - 2));
	m[hs_len_at] = 0;
	put16(m + hs_len_at + 1, (uint16_t)(n - hs_len_at - 3));
	put16(m + rec_len_at, (uint16_t)(n - rec_len_at - 2));
	return n;
}

int main(int argc, char **argv)
{
	uint8_t m[1024];
	char name[128], req[512];
	uint32_t i = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: gen-pcap OUT.pcap [PACKETS]\n");
		return 2;
	}
	limit = argc > 2 ? strtoull(argv[2], NULL, 10) : 1000000;
	out = fopen(argv[1], "wb");
	if (!out) {
		perror(argv[1]);
		return 1;
	}
	{
		uint32_t h[6] = { 0xa1b2c3d4, 2 | 4 << 16, 0, 0, 65535, 1 };
		fwrite(h, 4, 6, out);
	}
	while (written < limit) {
		struct ep c, s;
		int v6 = (i % 5) == 4;
		size_t n;
		client(&c, i, v6);
		switch (i % 10) {
		case 0: case 1: case 2: case 3:
			server(&s, i, v6, 53);
			snprintf(name, sizeof(name), "host%u.zone%u.example.net", i, i % 13);
			n = dns_msg(m, (uint16_t)i, name, 0, v6);
			udp(&c, &s, m, n);
			n = dns_msg(m, (uint16_t)i, name, 1, v6);
			udp(&s, &c, m, n);
			break;
		case 4: case 5:
			server(&s, i, v6, 80);
			n = (size_t)snprintf(req, sizeof(req),
					     "GET /api/v1/items/%u HTTP/1.1\r\nHost: www%u.example.org\r\n"
					     "User-Agent: bench/1.0\r\nAccept: */*\r\n\r\n",
					     i, i % 31);
			session(&c, &s, (const uint8_t *)req, n, 3, 600);
			break;
		case 6: case 7:
			server(&s, i, v6, 443);
			n = client_hello(m, i);
			session(&c, &s, m, n, 4, 1200);
			break;
		case 8:
			server(&s, i, v6, 0);
			{
				uint8_t echo[64] = { v6 ? 128 : 8, 0 };
				size_t o;
				memset(echo + 8, 'p', 56);
				put16(echo + 4, (uint16_t)i);
				o = ip_head(&c, &s, v6 ? 58 : 1, sizeof(echo));
				memcpy(frame + o, echo, sizeof(echo));
				record(o + sizeof(echo));
				echo[0] = v6 ? 129 : 0;
				o = ip_head(&s, &c, v6 ? 58 : 1, sizeof(echo));
				memcpy(frame + o, echo, sizeof(echo));
				record(o + sizeof(echo));
			}
			break;
		default:
			server(&s, i, v6, 8443);
			session(&c, &s, (const uint8_t *)"PUSH", 4, 20, 1400);
			break;
		}
		i++;
	}
	fclose(out);
	fprintf(stderr, "gen-pcap: %llu packets, %u conversations\n", (unsigned long long)written, i);
	return 0;
}
