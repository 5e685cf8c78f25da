/* net-community-id: the Community ID v1 flow hash, for pivoting into Zeek and Suricata logs.
 *
 * Follows the Community ID specification v1 (github.com/corelight/community-id-spec): SHA-1 over
 * seed (2 bytes, 0), source address, destination address, protocol, one zero byte, source port
 * and destination port (network order), with the endpoints ordered so that both directions hash
 * alike; ICMP and ICMPv6 use type and code as ports, a request/reply type pair mapped to its
 * counterpart, and one-way types are hashed as given. The result is "1:" + base64(digest).
 */
#include <stdio.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <pthread.h>
#include <string.h>

#include "net.h"

static bool icmp_ports(uint8_t ipver, uint16_t type, uint16_t code, uint16_t *ret_dst)
{
	static const uint8_t v4[][2] = { { 8, 0 }, { 0, 8 }, { 13, 14 }, { 14, 13 }, { 15, 16 },
					 { 16, 15 }, { 10, 9 }, { 9, 10 }, { 17, 18 }, { 18, 17 } };
	static const uint8_t v6[][2] = { { 128, 129 }, { 129, 128 }, { 133, 134 }, { 134, 133 }, { 135, 136 },
					 { 136, 135 }, { 130, 131 }, { 131, 130 }, { 144, 145 }, { 145, 144 } };
	const uint8_t(*m)[2] = ipver == 4 ? v4 : v6;

	for (int i = 0; i < 10; i++)
		if (m[i][0] == type) {
			*ret_dst = m[i][1];
			return true;
		}
	*ret_dst = code;
	return false;
}

void net_community_id(uint8_t ipver, uint8_t proto, const uint8_t *src, const uint8_t *dst, uint16_t sport,
		      uint16_t dport, char *buf, size_t len)
{
	net_community_id_seeded(0, ipver, proto, src, dst, sport, dport, buf, len);
}

/* Digests fetched once per process: OpenSSL 3 looks an implicit EVP_sha1() up in its provider
 * store, under a lock, at every call — a fifth of the decoder's time when done per connection
 * and per ClientHello. */
static EVP_MD *mds[3];
static pthread_once_t mds_once = PTHREAD_ONCE_INIT;

static void fetch_mds(void)
{
	mds[NET_MD_SHA1] = EVP_MD_fetch(NULL, "SHA1", NULL);
	mds[NET_MD_MD5] = EVP_MD_fetch(NULL, "MD5", NULL);
	mds[NET_MD_SHA256] = EVP_MD_fetch(NULL, "SHA256", NULL);
}

const EVP_MD *net_md(enum net_md which)
{
	pthread_once(&mds_once, fetch_mds);
	if (mds[which])
		return mds[which];
	return which == NET_MD_SHA1 ? EVP_sha1() : which == NET_MD_MD5 ? EVP_md5() : EVP_sha256();
}

void net_digest(struct net_out *o, enum net_md which, const void *data, size_t len, unsigned char *md)
{
	EVP_MD_CTX **ctx = o ? (EVP_MD_CTX **)&o->md_ctx[which] : NULL;

	/* one context per digest, initialised again for each message: no allocation per call */
	if (ctx && !*ctx)
		*ctx = EVP_MD_CTX_new();
	if (!ctx || !*ctx || !EVP_DigestInit_ex2(*ctx, net_md(which), NULL) || !EVP_DigestUpdate(*ctx, data, len) ||
	    !EVP_DigestFinal_ex(*ctx, md, NULL))
		EVP_Digest(data, len, md, NULL, net_md(which), NULL);
}

void net_digest_release(struct net_out *o)
{
	for (size_t i = 0; i < sizeof(o->md_ctx) / sizeof(o->md_ctx[0]); i++) {
		EVP_MD_CTX_free(o->md_ctx[i]);
		o->md_ctx[i] = NULL;
	}
}

static void community_id(struct net_out *out, uint16_t seed, uint8_t ipver, uint8_t proto, const uint8_t *src,
			 const uint8_t *dst, uint16_t sport, uint16_t dport, char *buf, size_t len)
{
	static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	size_t alen = ipver == 4 ? 4 : 16;
	uint8_t in[2 + 32 + 2 + 4], md[SHA_DIGEST_LENGTH];
	size_t n = 0;
	bool one_way = false, swap;
	char *o = buf;
	int c;

	if (proto == 1 || proto == 58) {
		uint16_t d;
		one_way = !icmp_ports(ipver, sport, dport, &d);
		dport = d;
	}
	c = memcmp(src, dst, alen);
	swap = !one_way && (c > 0 || (c == 0 && sport > dport));
	if (swap) {
		const uint8_t *t = src;
		uint16_t tp = sport;
		src = dst, dst = t;
		sport = dport, dport = tp;
	}
	in[n++] = (uint8_t)(seed >> 8);
	in[n++] = (uint8_t)seed;
	memcpy(in + n, src, alen), n += alen;
	memcpy(in + n, dst, alen), n += alen;
	in[n++] = proto;
	in[n++] = 0;
	if (proto == 6 || proto == 17 || proto == 1 || proto == 58 || proto == 132) {
		in[n++] = (uint8_t)(sport >> 8), in[n++] = (uint8_t)sport;
		in[n++] = (uint8_t)(dport >> 8), in[n++] = (uint8_t)dport;
	}
	net_digest(out, NET_MD_SHA1, in, n, md);
	if (len < 32) {
		if (len)
			buf[0] = '\0';
		return;
	}
	*o++ = '1';
	*o++ = ':';
	for (size_t i = 0; i < sizeof(md); i += 3) {
		uint32_t v = (uint32_t)md[i] << 16 | (i + 1 < sizeof(md) ? (uint32_t)md[i + 1] << 8 : 0) |
			     (i + 2 < sizeof(md) ? md[i + 2] : 0);
		*o++ = b64[v >> 18 & 63];
		*o++ = b64[v >> 12 & 63];
		*o++ = i + 1 < sizeof(md) ? b64[v >> 6 & 63] : '=';
		*o++ = i + 2 < sizeof(md) ? b64[v & 63] : '=';
	}
	*o = '\0';
}

void net_community_id_seeded(uint16_t seed, uint8_t ipver, uint8_t proto, const uint8_t *src, const uint8_t *dst,
			     uint16_t sport, uint16_t dport, char *buf, size_t len)
{
	community_id(NULL, seed, ipver, proto, src, dst, sport, dport, buf, len);
}

void net_community_id_out(struct net_out *o, uint8_t ipver, uint8_t proto, const uint8_t *src, const uint8_t *dst,
			  uint16_t sport, uint16_t dport, char *buf, size_t len)
{
	community_id(o, 0, ipver, proto, src, dst, sport, dport, buf, len);
}
