/* fuzz-quic: a libFuzzer entry point for what a QUIC Initial holds once decrypted.
 *
 * Mutated captures almost never carry a valid AEAD tag, so fuzz-pcap stops at the decryption of
 * a QUIC Initial. Here the input is the plaintext: its first byte picks the version and where the
 * rest is cut into two Initial packets; each part is protected the way a client protects it
 * (RFC 9001 §5: keys from the Destination Connection ID, AES-128-GCM, header protection) and the
 * two datagrams go, inside a classic pcap, through the whole importer — frame parsing, CRYPTO
 * reassembly and the ClientHello parser included. Seeds: any bytes; a CRYPTO frame (0x06) holding
 * a ClientHello finds the deep paths fastest.
 */
#include <openssl/evp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "importer.h"
#include "net.h"
#include "stream.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_event(void *userdata, const struct bs_event *ev)
{
	if (!ev->type || !ev->summary)
		abort();
	*(size_t *)userdata += strlen(ev->summary) + (ev->fields ? strlen(ev->fields) : 0);
	return 0;
}

static void put(struct strbuf *b, uint32_t v, int bytes, bool be)
{
	for (int i = 0; i < bytes; i++)
		strbuf_addch(b, (char)(uint8_t)(v >> (be ? 8 * (bytes - 1 - i) : 8 * i)));
}

/* One protected Initial carrying `pl` (at least 20 bytes, padded here) into out. */
static bool protect(struct strbuf *out, uint32_t version, const uint8_t *pl, size_t plen, uint16_t pn)
{
	static const uint8_t dcid[8] = { 1, 2, 3, 4, 5, 6, 7, 8 };
	uint8_t key[16], iv[12], hp[16], mask[16], tag[16], *ct;
	struct strbuf h = STRBUF_INIT;
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();
	size_t padded = plen < 20 ? 20 : plen, pn_off;
	int n = 0, f = 0;
	bool ok = false;

	ct = calloc(1, padded + 1);
	if (!x || !ct || net_quic_initial_keys(version, dcid, sizeof(dcid), key, iv, hp) < 0)
		goto out;
	strbuf_addch(&h, (char)(0xc0 | (version == 0x6b3343cf ? 0x10 : 0) | 0x01));
	put(&h, version, 4, true);
	strbuf_addch(&h, 8), strbuf_add(&h, dcid, 8);
	strbuf_addch(&h, 0), strbuf_addch(&h, 0);
	put(&h, (uint32_t)(0x4000 | (2 + padded + 16)), 2, true);
	pn_off = h.len;
	put(&h, pn, 2, true);
	iv[10] ^= (uint8_t)(pn >> 8), iv[11] ^= (uint8_t)pn;
	memcpy(ct, pl, plen); /* the rest stays zero: PADDING */
	if (!EVP_EncryptInit_ex(x, EVP_aes_128_gcm(), NULL, key, iv) ||
	    !EVP_EncryptUpdate(x, NULL, &n, (const uint8_t *)h.buf, (int)h.len) ||
	    !EVP_EncryptUpdate(x, ct, &n, ct, (int)padded) || !EVP_EncryptFinal_ex(x, ct + n, &f) ||
	    !EVP_CIPHER_CTX_ctrl(x, EVP_CTRL_GCM_GET_TAG, 16, tag) ||
	    !EVP_EncryptInit_ex(x, EVP_aes_128_ecb(), NULL, hp, NULL) || !EVP_CIPHER_CTX_set_padding(x, 0) ||
	    !EVP_EncryptUpdate(x, mask, &n, ct + 2, 16))
		goto out;
	h.buf[0] ^= (char)(mask[0] & 0x0f);
	h.buf[pn_off] ^= (char)mask[1], h.buf[pn_off + 1] ^= (char)mask[2];
	strbuf_add(out, h.buf, h.len);
	strbuf_add(out, ct, padded);
	strbuf_add(out, tag, 16);
	ok = true;
out:
	EVP_CIPHER_CTX_free(x);
	free(ct);
	strbuf_release(&h);
	return ok;
}

/* A raw-IPv4 (linktype 228) record of one UDP datagram 10.0.0.1:50000 -> 10.0.0.2:443. */
static void record(struct strbuf *b, const struct strbuf *dgram)
{
	size_t total = 20 + 8 + dgram->len;

	put(b, 1, 4, false), put(b, 0, 4, false);
	put(b, (uint32_t)total, 4, false), put(b, (uint32_t)total, 4, false);
	strbuf_add(b, "\x45\x00", 2), put(b, (uint32_t)total, 2, true);
	strbuf_add(b, "\x00\x01\x40\x00\x40\x11\x00\x00\x0a\x00\x00\x01\x0a\x00\x00\x02", 16);
	put(b, 50000, 2, true), put(b, 443, 2, true), put(b, (uint32_t)(8 + dgram->len), 2, true), put(b, 0, 2, true);
	strbuf_add(b, dgram->buf, dgram->len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const uint32_t versions[4] = { 0x00000001, 0x6b3343cf, 0xff00001d, 0x00000001 };
	const struct importer *pcap = importer_find("pcap");
	struct strbuf cap = STRBUF_INIT, d = STRBUF_INIT;
	size_t touched = 0, cut;
	struct stream *s;
	struct reader in;
	struct imp_ctx ctx;
	void *state = NULL;
	uint32_t version;

	if (size < 1 || size > 16000) /* each packet's Length is a 2-byte varint here */
		return 0;
	version = versions[data[0] & 3];
	cut = (size - 1) * (data[0] >> 2) / 63;
	data++, size--;
	put(&cap, 0xa1b2c3d4, 4, false), put(&cap, 2 | 4 << 16, 4, false);
	put(&cap, 0, 4, false), put(&cap, 0, 4, false), put(&cap, 65535, 4, false), put(&cap, 228, 4, false);
	if (!protect(&d, version, data, cut, 0))
		abort();
	record(&cap, &d);
	strbuf_reset(&d);
	if (!protect(&d, version, data + cut, size - cut, 1))
		abort();
	record(&cap, &d);
	if (!pcap || stream_open_mem(cap.buf, cap.len, &s) < 0)
		abort();
	reader_init(&in, s);
	imp_ctx_init(&ctx, "fuzz-input", &in, NULL, (struct imp_sink){ .event = check_event, .userdata = &touched });
	if (pcap->open(&ctx, &state) == 0)
		while (pcap->next(&ctx, state) > 0)
			;
	pcap->close(state);
	imp_ctx_release(&ctx);
	reader_release(&in);
	stream_free(s);
	strbuf_release(&cap);
	strbuf_release(&d);
	return 0;
}
