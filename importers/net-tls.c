/* net-tls: the TLS ClientHello — SNI, ALPN, offered version, JA3 and JA4 — as a `tls` event.
 *
 * Follows RFC 8446 §4.1.2 (ClientHello) and RFC 5246 §6.2 (record layer), RFC 6066 §3
 * (server_name), RFC 7301 (ALPN), RFC 8446 §4.2.1 (supported_versions), RFC 8701 (GREASE
 * values, left out of both fingerprints). JA3 follows salesforce/ja3's definition
 * (SSLVersion,Ciphers,Extensions,EllipticCurves,EllipticCurvePointFormats, decimal, dash-joined;
 * its MD5); JA4 follows FoxIO's JA4 specification (JA4 TLS client: protocol, version, SNI flag,
 * counts, ALPN first/last characters, then the truncated SHA-256 of the sorted ciphers and of the
 * sorted extensions without SNI and ALPN plus the signature algorithms in order).
 *
 * A ClientHello split over several records, themselves split over TCP segments, is joined
 * (net_tls_client); QUIC hands over the ClientHello it took from its CRYPTO frames (net-quic.c)
 * and gets a `quic` event with the same tls.* fields and a JA4 starting with 'q'. The server's
 * side is not parsed.
 */
#include <stdio.h>
#include <openssl/evp.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "jsonw.h"
#include "net.h"

#define MAX_LIST 256

static bool grease(uint16_t v)
{
	return (v & 0x0f0f) == 0x0a0a && (v >> 8) == (v & 0xff);
}

struct hello {
	uint16_t legacy_version, best_version;
	uint16_t ciphers[MAX_LIST], exts[MAX_LIST], groups[MAX_LIST], sigalgs[MAX_LIST];
	uint8_t formats[MAX_LIST];
	size_t nciphers, nexts, ngroups, nsigalgs, nformats;
	const uint8_t *sni;
	size_t sni_len;
	struct cursor alpn; /* the ALPN protocol list */
	bool has_alpn;
};

static void list16(struct cursor *c, uint16_t *out, size_t *n, bool skip_grease)
{
	while (cursor_remaining(c) >= 2) {
		uint16_t v = cursor_be16(c);
		if (skip_grease && grease(v))
			continue;
		if (*n < MAX_LIST)
			out[(*n)++] = v;
	}
}

static bool parse_hello(struct cursor *c, struct hello *h)
{
	struct cursor ciphers, exts;

	h->legacy_version = cursor_be16(c);
	cursor_skip(c, 32);
	cursor_skip(c, cursor_u8(c));
	ciphers = cursor_sub(c, cursor_be16(c));
	list16(&ciphers, h->ciphers, &h->nciphers, true);
	cursor_skip(c, cursor_u8(c));
	if (c->truncated)
		return false;
	if (!cursor_remaining(c))
		return true; /* no extensions (SSLv3 style) */
	exts = cursor_sub(c, cursor_be16(c));
	while (cursor_remaining(&exts) >= 4) {
		uint16_t type = cursor_be16(&exts);
		struct cursor e = cursor_sub(&exts, cursor_be16(&exts));
		if (grease(type))
			continue;
		if (h->nexts < MAX_LIST)
			h->exts[h->nexts++] = type;
		switch (type) {
		case 0: { /* server_name: list of (type, name); host_name is type 0 */
			struct cursor l = cursor_sub(&e, cursor_be16(&e));
			while (cursor_remaining(&l) >= 3) {
				uint8_t nt = cursor_u8(&l);
				uint16_t nl = cursor_be16(&l);
				const uint8_t *name = cursor_bytes(&l, nl);
				if (name && nt == 0 && !h->sni) {
					h->sni = name;
					h->sni_len = nl;
				}
			}
			break;
		}
		case 16:
			h->alpn = cursor_sub(&e, cursor_be16(&e));
			h->has_alpn = true;
			break;
		case 10: {
			struct cursor l = cursor_sub(&e, cursor_be16(&e));
			list16(&l, h->groups, &h->ngroups, true);
			break;
		}
		case 11: {
			uint8_t n = cursor_u8(&e);
			for (uint8_t i = 0; i < n && cursor_remaining(&e); i++)
				if (h->nformats < MAX_LIST)
					h->formats[h->nformats++] = cursor_u8(&e);
			break;
		}
		case 13: {
			struct cursor l = cursor_sub(&e, cursor_be16(&e));
			list16(&l, h->sigalgs, &h->nsigalgs, true);
			break;
		}
		case 43: {
			struct cursor l = cursor_sub(&e, cursor_u8(&e));
			while (cursor_remaining(&l) >= 2) {
				uint16_t v = cursor_be16(&l);
				if (!grease(v) && v > h->best_version)
					h->best_version = v;
			}
			break;
		}
		default:
			break;
		}
	}
	return true;
}

static const char *version_text(uint16_t v)
{
	switch (v) {
	case 0x0300: return "SSL 3.0";
	case 0x0301: return "TLS 1.0";
	case 0x0302: return "TLS 1.1";
	case 0x0303: return "TLS 1.2";
	case 0x0304: return "TLS 1.3";
	default: return NULL;
	}
}

static const char *ja4_version(uint16_t v)
{
	switch (v) {
	case 0x0304: return "13";
	case 0x0303: return "12";
	case 0x0302: return "11";
	case 0x0301: return "10";
	case 0x0300: return "s3";
	case 0x0002: return "s2";
	case 0xfeff: return "d1";
	case 0xfefd: return "d2";
	case 0xfefc: return "d3";
	default: return "00";
	}
}

static int cmp16(const void *a, const void *b)
{
	return (int)*(const uint16_t *)a - (int)*(const uint16_t *)b;
}

static void hex4_list(struct strbuf *sb, const uint16_t *v, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		char x[5] = { ',', hex[v[i] >> 12], hex[v[i] >> 8 & 15], hex[v[i] >> 4 & 15], hex[v[i] & 15] };
		strbuf_add(sb, i ? x : x + 1, i ? 5 : 4);
	}
}

static void dec_list(struct strbuf *sb, const uint16_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			strbuf_addch(sb, '-');
		strbuf_addu64(sb, v[i]);
	}
}

static void sha12(struct net_out *o, const struct strbuf *sb, char out[13])
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];

	memset(md, 0, sizeof(md));
	net_digest(o, NET_MD_SHA256, sb->buf, sb->len, md);
	for (int i = 0; i < 6; i++) {
		out[2 * i] = hex[md[i] >> 4];
		out[2 * i + 1] = hex[md[i] & 15];
	}
	out[12] = '\0';
}

static void ja4(struct net_out *o, const struct hello *h, char proto, struct strbuf *tmp, char out[40])
{
	uint16_t sorted[MAX_LIST];
	size_t n = 0;
	char a[3] = "00", hc[13] = "000000000000", he[13] = "000000000000";
	uint16_t v = h->best_version ? h->best_version : h->legacy_version;

	if (h->has_alpn) {
		struct cursor l = h->alpn;
		uint8_t pl = cursor_u8(&l);
		const uint8_t *p = cursor_bytes(&l, pl);
		if (p && pl) {
			static const char hex[] = "0123456789abcdef";
			bool alnum = ((p[0] | 32) >= 'a' && (p[0] | 32) <= 'z') || (p[0] >= '0' && p[0] <= '9');
			bool alnum2 = ((p[pl - 1] | 32) >= 'a' && (p[pl - 1] | 32) <= 'z') ||
				      (p[pl - 1] >= '0' && p[pl - 1] <= '9');
			if (alnum && alnum2) {
				a[0] = (char)p[0];
				a[1] = (char)p[pl - 1];
			} else {
				a[0] = hex[p[0] >> 4];
				a[1] = hex[p[pl - 1] & 15];
			}
		}
	}
	if (h->nciphers) {
		memcpy(sorted, h->ciphers, h->nciphers * sizeof(*sorted));
		qsort(sorted, h->nciphers, sizeof(*sorted), cmp16);
		strbuf_reset(tmp);
		hex4_list(tmp, sorted, h->nciphers);
		sha12(o, tmp, hc);
	}
	for (size_t i = 0; i < h->nexts; i++)
		if (h->exts[i] != 0 && h->exts[i] != 16)
			sorted[n++] = h->exts[i];
	if (n || h->nsigalgs) {
		qsort(sorted, n, sizeof(*sorted), cmp16);
		strbuf_reset(tmp);
		hex4_list(tmp, sorted, n);
		if (h->nsigalgs) {
			strbuf_addch(tmp, '_');
			hex4_list(tmp, h->sigalgs, h->nsigalgs);
		}
		sha12(o, tmp, he);
	}
	{
		/* "t13d1516h2_<hc>_<he>": written directly, snprintf cost a tenth of the event */
		const char *ver = ja4_version(v);
		size_t nc = h->nciphers > 99 ? 99 : h->nciphers, ne = h->nexts > 99 ? 99 : h->nexts;
		char *p = out;
		*p++ = proto;
		*p++ = ver[0];
		*p++ = ver[1];
		*p++ = h->sni ? 'd' : 'i';
		*p++ = (char)('0' + nc / 10);
		*p++ = (char)('0' + nc % 10);
		*p++ = (char)('0' + ne / 10);
		*p++ = (char)('0' + ne % 10);
		*p++ = a[0];
		*p++ = a[1];
		*p++ = '_';
		memcpy(p, hc, 12);
		p += 12;
		*p++ = '_';
		memcpy(p, he, 13); /* with its NUL */
	}
}

static void ja3(struct net_out *o, const struct hello *h, struct strbuf *s, char md5hex[33])
{
	unsigned char md[EVP_MAX_MD_SIZE];

	strbuf_reset(s);
	strbuf_addu64(s, h->legacy_version);
	strbuf_addch(s, ',');
	dec_list(s, h->ciphers, h->nciphers);
	strbuf_addch(s, ',');
	dec_list(s, h->exts, h->nexts);
	strbuf_addch(s, ',');
	dec_list(s, h->groups, h->ngroups);
	strbuf_addch(s, ',');
	for (size_t i = 0; i < h->nformats; i++) {
		if (i)
			strbuf_addch(s, '-');
		strbuf_addu64(s, h->formats[i]);
	}
	net_digest(o, NET_MD_MD5, s->buf, s->len, md);
	for (unsigned i = 0; i < 16; i++) {
		static const char hex[] = "0123456789abcdef";
		md5hex[2 * i] = hex[md[i] >> 4];
		md5hex[2 * i + 1] = hex[md[i] & 15];
	}
	md5hex[32] = '\0';
}


static void hex_bytes(struct strbuf *sb, const uint8_t *p, size_t n)
{
	static const char hex[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		char x[2] = { hex[p[i] >> 4], hex[p[i] & 15] };
		strbuf_add(sb, x, 2);
	}
}

static const char *quic_version_text(uint32_t v, char buf[12])
{
	if (v == 1)
		return "1";
	if (v == 0x6b3343cf)
		return "2";
	if ((v >> 8) == 0xff0000) {
		snprintf(buf, 12, "draft-%u", v & 0xff);
		return buf;
	}
	snprintf(buf, 12, "0x%08x", v);
	return buf;
}

int net_tls_hello(struct net_state *ns, const struct net_tuple *t, const struct net_pkt *pkt, const uint8_t *msg,
		  size_t len, const struct net_quic_info *quic)
{
	struct net_out *o = &ns->out;
	struct cursor body = cursor_make(msg, len);
	struct hello hs, *h = &hs;
	struct bs_event ev;
	struct jsonw_obj j;
	char cbuf[46], sbuf[46], ja4s[40], md5hex[33], vbuf[12];
	const char *vt;
	uint32_t hslen;
	int r;

	if (cursor_u8(&body) != 1)
		return 0;
	hslen = (uint32_t)cursor_u8(&body) << 16;
	hslen |= cursor_be16(&body);
	memset(h, 0, sizeof(*h));
	if (!body.truncated && hslen <= cursor_remaining(&body))
		body = cursor_sub(&body, hslen);
	else
		body.truncated = true;
	if (body.truncated || !parse_hello(&body, h)) {
		imp_skipped(o->ctx, pkt->offset, "%s ClientHello cut short", quic ? "QUIC" : "TLS");
		return 0;
	}
	strbuf_reset(&o->fields);
	jsonw_begin(&j, &o->fields);
	if (h->sni)
		jsonw_lkey_strn(&j, "tls.sni", (const char *)h->sni, h->sni_len);
	vt = version_text(h->best_version ? h->best_version : h->legacy_version);
	if (vt)
		jsonw_lkey_str(&j, "tls.version", vt);
	jsonw_lkey_i64(&j, "tls.client_version", h->legacy_version);
	if (h->has_alpn) {
		struct cursor l = h->alpn;
		bool first = true;
		jsonw_lkey(&j, "tls.alpn");
		strbuf_addch(&o->fields, '[');
		while (cursor_remaining(&l)) {
			uint8_t pl = cursor_u8(&l);
			const uint8_t *p = cursor_bytes(&l, pl);
			if (!p)
				break;
			if (!first)
				strbuf_addch(&o->fields, ',');
			first = false;
			jsonw_string(&o->fields, (const char *)p, pl);
		}
		strbuf_addch(&o->fields, ']');
	}
	ja3(o, h, &o->tmp, md5hex);
	jsonw_lkey_strn(&j, "tls.ja3", o->tmp.buf, o->tmp.len);
	jsonw_lkey_str(&j, "tls.ja3_hash", md5hex);
	ja4(o, h, quic ? 'q' : 't', &o->tmp, ja4s);
	jsonw_lkey_str(&j, "tls.ja4", ja4s);
	if (quic) {
		jsonw_key_str(&j, "quic.version", quic_version_text(quic->version, vbuf));
		strbuf_reset(&o->tmp);
		hex_bytes(&o->tmp, quic->dcid, quic->dcid_len);
		jsonw_key_strn(&j, "quic.dcid", o->tmp.buf, o->tmp.len);
		strbuf_reset(&o->tmp);
		hex_bytes(&o->tmp, quic->scid, quic->scid_len);
		jsonw_key_strn(&j, "quic.scid", o->tmp.buf, o->tmp.len);
	}
	jsonw_end(&j);

	strbuf_reset(&o->summary);
	strbuf_addstr(&o->summary, quic ? "quic Initial ClientHello" : "tls ClientHello");
	if (h->sni) {
		strbuf_addstr(&o->summary, " sni=");
		strbuf_add(&o->summary, h->sni, h->sni_len > 200 ? 200 : h->sni_len);
	}
	if (vt) {
		strbuf_addch(&o->summary, ' ');
		strbuf_addstr(&o->summary, vt);
	}
	strbuf_addstr(&o->summary, " ja4=");
	strbuf_addstr(&o->summary, ja4s);
	net_event_fill(&ev, t, pkt, quic ? "quic" : "tls", cbuf, sbuf);
	ev.fields = o->fields.buf;
	ev.summary = o->summary.buf;
	o->events[2]++;
	r = imp_emit(o->ctx, &ev);
	return r < 0 ? r : 1;
}

/* The handshake message may span several records (RFC 8446 §5.1: handshake messages may be
 * fragmented across records), each possibly in its own TCP segment: the caller keeps every byte
 * from the first record on and calls again as more arrive. The records' bodies are joined into
 * o->hello, up to MAX_HELLO bytes of message; records of other types in between are passed over. */
#define MAX_HELLO (64u * 1024 - 64)

int net_tls_client(struct net_state *ns, const struct net_tuple *t, const struct net_pkt *pkt,
		   const uint8_t *data, size_t len, bool *ret_done)
{
	struct net_out *o = &ns->out;
	struct cursor c = cursor_make(data, len);
	uint32_t hslen = 0;
	bool first = true;

	*ret_done = false;
	strbuf_reset(&o->hello);
	for (;;) {
		uint8_t type;
		uint16_t reclen;
		const uint8_t *body;

		if (cursor_remaining(&c) < 5)
			return 0; /* wait for the next record header */
		type = cursor_u8(&c);
		cursor_skip(&c, 2);
		reclen = cursor_be16(&c);
		if (reclen == 0 || reclen > 16384 + 2048 || (first && type != 0x16)) {
			*ret_done = true; /* not TLS */
			return 0;
		}
		if (cursor_remaining(&c) < reclen)
			return 0; /* wait for the rest of the record */
		body = cursor_bytes(&c, reclen);
		if (type != 0x16) {
			/* RFC 8446 §5.1 forbids other records between the fragments of a handshake
			 * message; a server would abort. Wireshark joins the fragments anyway, and so do
			 * we: an interleaved alert must not hide the name from the investigator. */
			continue;
		}
		if (first) {
			struct cursor h = cursor_make(body, reclen);
			if (cursor_u8(&h) != 1) {
				*ret_done = true;
				return 0;
			}
			if (reclen >= 4) {
				hslen = (uint32_t)cursor_u8(&h) << 16;
				hslen |= cursor_be16(&h);
				if (hslen > MAX_HELLO) {
					*ret_done = true;
					imp_skipped(o->ctx, pkt->offset, "TLS ClientHello of %u bytes: too long", hslen);
					return 0;
				}
				if (4 + hslen <= reclen) { /* the common case: one record */
					*ret_done = true;
					return net_tls_hello(ns, t, pkt, body, 4 + hslen, NULL);
				}
			}
			first = false;
		}
		strbuf_add(&o->hello, body, reclen);
		if (o->hello.len >= 4) {
			struct cursor h = cursor_make(o->hello.buf, o->hello.len);
			cursor_skip(&h, 1);
			hslen = (uint32_t)cursor_u8(&h) << 16;
			hslen |= cursor_be16(&h);
			if (hslen > MAX_HELLO) {
				*ret_done = true;
				imp_skipped(o->ctx, pkt->offset, "TLS ClientHello of %u bytes: too long", hslen);
				return 0;
			}
			if (o->hello.len >= 4 + hslen) {
				*ret_done = true;
				return net_tls_hello(ns, t, pkt, (const uint8_t *)o->hello.buf, 4 + hslen, NULL);
			}
		}
	}
}
