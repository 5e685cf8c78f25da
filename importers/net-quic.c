/* net-quic: the client's QUIC Initial packets, decrypted, and the ClientHello in their CRYPTO
 * frames as a `quic` event (SNI, ALPN, JA3, JA4 with a 'q').
 *
 * Follows RFC 9000 (§17.2 long header, §17.2.2 Initial packet, §16 variable-length integers,
 * §19 frames: PADDING, PING, ACK, CRYPTO, CONNECTION_CLOSE are all an Initial may hold) and
 * RFC 9001 §5 (Initial secrets: HKDF-Extract with the version's salt over the client's
 * Destination Connection ID, HKDF-Expand-Label "client in", then "quic key"/"quic iv"/"quic hp";
 * AEAD_AES_128_GCM with the nonce = iv XOR packet number; §5.4 header protection with AES-128-ECB
 * over a 16-byte sample taken 4 bytes after the packet number's start). QUIC v2 (RFC 9369: its own
 * salt, "quicv2 " labels, Initial type 1) and drafts 29..34 (their salts) are read too. The
 * primitives are libcrypto's (HMAC-SHA256, AES-128-GCM, AES-128-ECB).
 *
 * Initial keys are public by design: anyone who saw the first packet can derive them, so this is
 * no decryption of private traffic, only of what the protocol leaves readable to middleboxes.
 *
 * Per connection: keys of the original Destination Connection ID (a later Initial carrying the
 * server's chosen id still uses them; after a Retry the packet's own id is tried), and, while the
 * ClientHello is incomplete, its CRYPTO stream reassembled by offset (clients split and reorder
 * it on purpose) up to MAX_CRYPTO bytes. The state is dropped as soon as the hello is out, after
 * MAX_INITIALS client Initials without one, or when all connections together would hold more than
 * MAX_QUIC_MEM bytes.
 */
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "net.h"

#define MAX_CRYPTO (16u * 1024)
#define MAX_INITIALS 16
#define MAX_QUIC_MEM (32u << 20)
#define QUIC_V1 0x00000001u
#define QUIC_V2 0x6b3343cfu

struct keys {
	uint8_t key[16], iv[12], hp[16];
	uint8_t dcid[20];
	uint8_t dcid_len;
	bool valid;
};

struct net_quic {
	uint32_t version;
	uint8_t odcid[20], scid[20];
	uint8_t odcid_len, scid_len;
	unsigned initials;
	bool reported;
	struct keys k;
	size_t prefix;  /* CRYPTO bytes known contiguously from offset 0 */
	uint8_t *crypto; /* MAX_CRYPTO bytes, then a bitmap of which are known */
};

/* The cipher contexts, made once per capture. */
struct net_quic_ctx {
	EVP_CIPHER_CTX *gcm, *ecb;
};

void net_quic_ctx_free(struct net_quic_ctx *c)
{
	if (!c)
		return;
	EVP_CIPHER_CTX_free(c->gcm);
	EVP_CIPHER_CTX_free(c->ecb);
	free(c);
}

static struct net_quic_ctx *quic_ctx(struct net_state *ns)
{
	struct net_quic_ctx *c = ns->quic;

	if (c)
		return c;
	c = calloc(1, sizeof(*c));
	if (!c)
		return NULL;
	c->gcm = EVP_CIPHER_CTX_new();
	c->ecb = EVP_CIPHER_CTX_new();
	if (!c->gcm || !c->ecb) {
		net_quic_ctx_free(c);
		return NULL;
	}
	ns->quic = c;
	return c;
}

void net_quic_free(struct net_state *ns, struct net_quic *q)
{
	if (!q)
		return;
	if (q->crypto)
		ns->quic_mem -= MAX_CRYPTO + MAX_CRYPTO / 8;
	free(q->crypto);
	free(q);
}

static const uint8_t *version_salt(uint32_t v)
{
	static const uint8_t v1[20] = { 0x38, 0x76, 0x2c, 0xf7, 0xf5, 0x59, 0x34, 0xb3, 0x4d, 0x17,
					0x9a, 0xe6, 0xa4, 0xc8, 0x0c, 0xad, 0xcc, 0xbb, 0x7f, 0x0a };
	static const uint8_t v2[20] = { 0x0d, 0xed, 0xe3, 0xde, 0xf7, 0x00, 0xa6, 0xdb, 0x81, 0x93,
					0x81, 0xbe, 0x6e, 0x26, 0x9d, 0xcb, 0xf9, 0xbd, 0x2e, 0xd9 };
	static const uint8_t d29[20] = { 0xaf, 0xbf, 0xec, 0x28, 0x99, 0x93, 0xd2, 0x4c, 0x9e, 0x97,
					 0x86, 0xf1, 0x9c, 0x61, 0x11, 0xe0, 0x43, 0x90, 0xa8, 0x99 };

	if (v == QUIC_V1 || v == 0xff000021u || v == 0xff000022u)
		return v1;
	if (v == QUIC_V2)
		return v2;
	if (v >= 0xff00001du && v <= 0xff000020u)
		return d29;
	return NULL;
}

bool net_quic_version_known(uint32_t v)
{
	return version_salt(v) != NULL;
}

/* HKDF-Expand-Label (RFC 8446 §7.1) with an empty context, for outputs of at most 32 bytes:
 * one HMAC block. */
static bool expand_label(const uint8_t secret[32], const char *label, uint8_t *out, size_t len)
{
	uint8_t info[64], md[EVP_MAX_MD_SIZE];
	size_t ll = strlen(label), n = 0;
	unsigned int mdlen = 0;

	info[n++] = 0;
	info[n++] = (uint8_t)len;
	info[n++] = (uint8_t)(6 + ll);
	memcpy(info + n, "tls13 ", 6);
	n += 6;
	memcpy(info + n, label, ll);
	n += ll;
	info[n++] = 0;    /* context */
	info[n++] = 1;    /* block counter */
	if (!HMAC(EVP_sha256(), secret, 32, info, n, md, &mdlen) || mdlen < len)
		return false;
	memcpy(out, md, len);
	return true;
}

int net_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, uint8_t key[16], uint8_t iv[12],
			  uint8_t hp[16])
{
	const uint8_t *salt = version_salt(version);
	uint8_t initial[EVP_MAX_MD_SIZE], client[32];
	unsigned int ilen = 0;
	bool v2 = version == QUIC_V2;

	if (!salt)
		return -EPROTONOSUPPORT;
	if (!HMAC(EVP_sha256(), salt, 20, dcid, dcid_len, initial, &ilen) || ilen != 32)
		return -EIO;
	if (!expand_label(initial, "client in", client, 32) ||
	    !expand_label(client, v2 ? "quicv2 key" : "quic key", key, 16) ||
	    !expand_label(client, v2 ? "quicv2 iv" : "quic iv", iv, 12) ||
	    !expand_label(client, v2 ? "quicv2 hp" : "quic hp", hp, 16))
		return -EIO;
	return 0;
}

/* A variable-length integer (RFC 9000 §16). */
static uint64_t varint(struct cursor *c)
{
	uint8_t b = cursor_u8(c);
	uint64_t v = b & 0x3f;
	unsigned n = (1u << (b >> 6)) - 1;

	for (unsigned i = 0; i < n; i++)
		v = v << 8 | cursor_u8(c);
	return v;
}

/* Remove header protection and decrypt one Initial packet with k. The packet is
 * pkt[0 .. plen), its packet number at pn_off. On success the plaintext is in o->plain. */
static bool open_packet(struct net_quic_ctx *cx, struct strbuf *plain, const struct keys *k, const uint8_t *pkt,
			size_t plen, size_t pn_off)
{
	uint8_t mask[16], first, pnb[4], nonce[12];
	int outl = 0, fin = 0;
	size_t pnlen, ctlen;
	uint64_t pn = 0;
	const uint8_t *ct;

	if (pn_off + 4 + 16 > plen)
		return false;
	if (!EVP_EncryptInit_ex(cx->ecb, EVP_aes_128_ecb(), NULL, k->hp, NULL) ||
	    !EVP_CIPHER_CTX_set_padding(cx->ecb, 0) ||
	    !EVP_EncryptUpdate(cx->ecb, mask, &outl, pkt + pn_off + 4, 16) || outl != 16)
		return false;
	first = pkt[0] ^ (mask[0] & 0x0f);
	pnlen = (size_t)(first & 3) + 1;
	for (size_t i = 0; i < pnlen; i++) {
		pnb[i] = pkt[pn_off + i] ^ mask[1 + i];
		pn = pn << 8 | pnb[i];
	}
	if (plen < pn_off + pnlen + 16)
		return false;
	memcpy(nonce, k->iv, 12);
	for (int i = 0; i < 8; i++)
		nonce[11 - i] ^= (uint8_t)(pn >> (8 * i));
	ct = pkt + pn_off + pnlen;
	ctlen = plen - pn_off - pnlen - 16;
	strbuf_reset(plain);
	strbuf_grow(plain, ctlen + 16);
	/* the associated data is the unprotected header: first byte, the rest as sent, the number */
	if (!EVP_DecryptInit_ex(cx->gcm, EVP_aes_128_gcm(), NULL, NULL, NULL) ||
	    !EVP_CIPHER_CTX_ctrl(cx->gcm, EVP_CTRL_GCM_SET_IVLEN, 12, NULL) ||
	    !EVP_DecryptInit_ex(cx->gcm, NULL, NULL, k->key, nonce) ||
	    !EVP_DecryptUpdate(cx->gcm, NULL, &outl, &first, 1) ||
	    !EVP_DecryptUpdate(cx->gcm, NULL, &outl, pkt + 1, (int)(pn_off - 1)) ||
	    !EVP_DecryptUpdate(cx->gcm, NULL, &outl, pnb, (int)pnlen) ||
	    !EVP_DecryptUpdate(cx->gcm, (uint8_t *)plain->buf, &outl, ct, (int)ctlen) ||
	    !EVP_CIPHER_CTX_ctrl(cx->gcm, EVP_CTRL_GCM_SET_TAG, 16, (void *)(uintptr_t)(ct + ctlen)) ||
	    EVP_DecryptFinal_ex(cx->gcm, (uint8_t *)plain->buf + outl, &fin) <= 0)
		return false;
	strbuf_setlen(plain, (size_t)(outl + fin));
	return true;
}

static bool have(const struct net_quic *q, size_t i)
{
	return q->crypto[MAX_CRYPTO + i / 8] >> (i % 8) & 1;
}

/* The handshake message's length once its header is known, else 0. */
static size_t hello_len(const uint8_t *p, size_t avail)
{
	if (avail < 4)
		return 0;
	return 4 + ((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]);
}

/* One CRYPTO frame's data at `off`. Returns 1 when the hello was emitted (or cannot be), 0 to
 * go on, or a negative errno. */
static int crypto_data(struct net_state *ns, struct net_quic *q, const struct net_tuple *t,
		       const struct net_pkt *pkt, uint64_t off, const uint8_t *data, size_t len)
{
	struct net_quic_info info = { q->version, q->odcid, q->scid, q->odcid_len, q->scid_len };
	size_t need;

	if (!q->crypto && off == 0 && (need = hello_len(data, len)) && need <= len)
		return net_tls_hello(ns, t, pkt, data, need, &info) < 0 ? -EIO : 1; /* all in one frame */
	if (off >= MAX_CRYPTO)
		return 0;
	if (len > MAX_CRYPTO - off)
		len = MAX_CRYPTO - (size_t)off;
	if (!q->crypto) {
		if (ns->quic_mem + MAX_CRYPTO + MAX_CRYPTO / 8 > MAX_QUIC_MEM)
			return 1; /* over the budget: this connection's hello is not followed */
		q->crypto = calloc(1, MAX_CRYPTO + MAX_CRYPTO / 8);
		if (!q->crypto)
			return -ENOMEM;
		ns->quic_mem += MAX_CRYPTO + MAX_CRYPTO / 8;
	}
	memcpy(q->crypto + off, data, len);
	for (size_t i = (size_t)off; i < off + len; i++)
		q->crypto[MAX_CRYPTO + i / 8] |= (uint8_t)(1u << (i % 8));
	while (q->prefix < MAX_CRYPTO && have(q, q->prefix))
		q->prefix++;
	need = hello_len(q->crypto, q->prefix);
	if (need > MAX_CRYPTO) {
		imp_skipped(ns->out.ctx, pkt->offset, "QUIC ClientHello of %zu bytes: too long", need);
		return 1;
	}
	if (need && q->prefix >= need) {
		int r = net_tls_hello(ns, t, pkt, q->crypto, need, &info);
		return r < 0 ? r : 1;
	}
	return 0;
}

/* The frames of one decrypted Initial. */
static int frames(struct net_state *ns, struct net_quic *q, const struct net_tuple *t, const struct net_pkt *pkt,
		  const uint8_t *p, size_t len)
{
	struct cursor c = cursor_make(p, len);

	while (cursor_remaining(&c) && !c.truncated) {
		uint64_t type = varint(&c);
		switch (type) {
		case 0x00: /* PADDING */
			while (cursor_remaining(&c) && *c.pos == 0)
				c.pos++;
			break;
		case 0x01: /* PING */
			break;
		case 0x02:
		case 0x03: { /* ACK */
			uint64_t ranges;
			varint(&c), varint(&c);
			ranges = varint(&c);
			varint(&c);
			for (uint64_t i = 0; i < ranges && !c.truncated; i++)
				varint(&c), varint(&c);
			if (type == 0x03)
				varint(&c), varint(&c), varint(&c);
			break;
		}
		case 0x06: { /* CRYPTO */
			uint64_t off = varint(&c), n = varint(&c);
			const uint8_t *d;
			int r;
			if (n > cursor_remaining(&c))
				return 0;
			d = cursor_bytes(&c, (size_t)n);
			r = crypto_data(ns, q, t, pkt, off, d, (size_t)n);
			if (r)
				return r;
			break;
		}
		default: /* CONNECTION_CLOSE, or a frame an Initial cannot hold */
			return 0;
		}
	}
	return 0;
}

static void remember(struct net_quic *q, uint32_t version, const uint8_t *dcid, size_t dcil, const uint8_t *scid,
		     size_t scil)
{
	q->version = version;
	memcpy(q->odcid, dcid, dcil);
	q->odcid_len = (uint8_t)dcil;
	memcpy(q->scid, scid, scil);
	q->scid_len = (uint8_t)scil;
}

static bool derive(struct keys *k, uint32_t version, const uint8_t *dcid, size_t dcil)
{
	k->valid = net_quic_initial_keys(version, dcid, dcil, k->key, k->iv, k->hp) == 0;
	memcpy(k->dcid, dcid, dcil);
	k->dcid_len = (uint8_t)dcil;
	return k->valid;
}

bool net_quic_is_initial(const uint8_t *p, size_t len)
{
	struct cursor c = cursor_make(p, len);
	uint8_t first = cursor_u8(&c);
	uint32_t v = cursor_be32(&c);
	unsigned type = first >> 4 & 3;

	if (c.truncated || (first & 0xc0) != 0xc0 || !version_salt(v))
		return false;
	return v == QUIC_V2 ? type == 1 : type == 0;
}

int net_quic_datagram(struct net_state *ns, struct net_quic **qp, const struct net_tuple *t,
		      const struct net_pkt *pkt, const uint8_t *data, size_t len, bool *ret_done)
{
	struct net_quic_ctx *cx = quic_ctx(ns);
	struct net_quic *q = *qp;
	struct cursor c = cursor_make(data, len);

	*ret_done = false;
	if (!cx)
		return -ENOMEM;
	/* A datagram may hold several coalesced packets (RFC 9000 §12.2): Initial first. */
	while (cursor_remaining(&c) >= 7) {
		const uint8_t *start = c.pos, *dcid, *scid;
		uint8_t first = cursor_u8(&c), dcil, scil;
		uint32_t v = cursor_be32(&c);
		uint64_t plen;
		size_t pn_off;
		bool initial;
		int r;

		if ((first & 0xc0) != 0xc0 || !version_salt(v))
			break; /* a short header, a version negotiation, or a version we cannot read */
		initial = v == QUIC_V2 ? (first >> 4 & 3) == 1 : (first >> 4 & 3) == 0;
		dcil = cursor_u8(&c);
		dcid = cursor_bytes(&c, dcil);
		scil = cursor_u8(&c);
		scid = cursor_bytes(&c, scil);
		if (initial)
			cursor_skip(&c, varint(&c)); /* token */
		plen = varint(&c);
		if (c.truncated || dcil > 20 || scil > 20 || plen > cursor_remaining(&c))
			break;
		pn_off = (size_t)(c.pos - start);
		cursor_skip(&c, (size_t)plen);
		if (!initial)
			continue;
		if (!q) {
			q = *qp = calloc(1, sizeof(*q));
			if (!q)
				return -ENOMEM;
			remember(q, v, dcid, dcil, scid, scil);
		}
		if (++q->initials > MAX_INITIALS) {
			*ret_done = true;
			return 0;
		}
		/* The original id's keys first; a Retry makes the client use the packet's own id. */
		if (!q->k.valid && !derive(&q->k, q->version, q->odcid, q->odcid_len))
			break;
		if (!open_packet(cx, &ns->out.plain, &q->k, start, pn_off + (size_t)plen, pn_off)) {
			struct keys k2;
			if ((dcil == q->k.dcid_len && !memcmp(dcid, q->k.dcid, dcil)) || !derive(&k2, v, dcid, dcil) ||
			    !open_packet(cx, &ns->out.plain, &k2, start, pn_off + (size_t)plen, pn_off)) {
				if (!q->reported)
					imp_skipped(ns->out.ctx, pkt->offset, "QUIC Initial packet does not decrypt "
									      "(damaged or cut by the snaplen)");
				q->reported = true;
				continue;
			}
			q->k = k2;
		}
		r = frames(ns, q, t, pkt, (const uint8_t *)ns->out.plain.buf, ns->out.plain.len);
		if (r) {
			*ret_done = true;
			return r < 0 ? r : 0;
		}
	}
	return 0;
}
