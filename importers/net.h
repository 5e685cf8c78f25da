/* net: the packet decoders behind the pcap importer, and what they share.
 *
 * imp-pcap.c reads capture records and hands each frame to net_decode_frame (net-link.c), which
 * peels the link layer (Ethernet, VLAN, MPLS, SLL, NULL, PPP, NFLOG ...) and calls the IP layer
 * (net-ip.c: IPv4/IPv6, fragments, TCP/UDP/ICMP, VXLAN). A decoded packet is a struct net_pkt;
 * net-flow.c keeps the connection table, feeds application bytes to the DNS, TLS and HTTP
 * parsers (net-dns.c, net-tls.c, net-http.c) and emits `network` events through struct net_out.
 *
 * Ownership: everything a net_pkt points at is borrowed from the capture record being decoded
 * and lives only until the next record. The flow table (struct net_flows) owns its flows and
 * their small per-direction reassembly buffers; net_flows_free releases them.
 */
#ifndef BS_NET_H
#define BS_NET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "importer.h"
#include "jsonw.h"
#include "strbuf.h"

/* jsonw_lkey_* for a boolean: a literal key written without the run-time escape check. */
#define NET_LKEY_BOOL(o, lit, val) (jsonw_lkey((o), lit), strbuf_addstr((o)->sb, (val) ? "true" : "false"))

/* Link types (tcpdump.org/linktypes.html) that the decoders know. */
enum {
	LT_NULL = 0,
	LT_ETHERNET = 1,
	LT_PPP = 9,
	LT_RAW_OLD12 = 12,
	LT_RAW_OLD14 = 14,
	LT_PPP_HDLC = 50,
	LT_PPP_ETHER = 51,
	LT_RAW = 101,
	LT_LOOP = 108,
	LT_LINUX_SLL = 113,
	LT_IPV4 = 228,
	LT_IPV6 = 229,
	LT_NFLOG = 239,
	LT_ETHERNET_MPACKET = 274,
	LT_LINUX_SLL2 = 276,
};

/* One decoded packet: what the flow table and the application parsers need. */
struct net_pkt {
	int64_t ts, ts_precision;
	uint64_t offset;        /* of the capture record in the stream */
	const uint8_t *frame;   /* captured bytes of the frame (the event's raw record) */
	size_t frame_len;
	uint32_t wire_len;      /* original length on the wire */

	uint8_t ipver;          /* 4, 6, or 0 when no IP layer was found */
	uint8_t proto;          /* IP protocol: 6 tcp, 17 udp, 1 icmp, 58 icmp6 ... */
	uint8_t src[16], dst[16]; /* IPv4 in the first 4 bytes */
	uint16_t sport, dport;  /* ports, or ICMP type/code as Community ID defines them */
	uint8_t icmp_type, icmp_code;
	uint8_t tcp_flags;
	uint32_t tcp_seq, tcp_ack;
	uint32_t ip_len;        /* IP payload length the header claims */
	uint32_t ip_total;      /* IP datagram length the header claims (conn's ip_bytes) */
	uint32_t l4_payload_len; /* transport payload length the headers claim (conn's bytes) */
	const uint8_t *payload; /* transport payload as captured */
	size_t payload_len;
	uint16_t vlan[3];       /* 802.1Q ids, outermost first */
	uint8_t nvlan;
	bool truncated;         /* a header or payload was cut by the snaplen */
	bool reassembled;       /* rebuilt from IP fragments */
};

/* Where decoded events go: the importer context plus scratch buffers reused for every event. */
struct net_out {
	struct imp_ctx *ctx;
	struct strbuf fields, summary, tmp, l1, l2, l3;
	struct strbuf hello; /* a TLS handshake message joined from several records */
	struct strbuf plain; /* a decrypted QUIC packet */
	void *md_ctx[3];     /* EVP_MD_CTX per enum net_md, see net_digest */
	char fd_name[128];
	uint64_t events[4]; /* per kind: conn, dns, tls, http */
};

struct net_flows;
struct net_frag;
struct net_dns_pool;
struct net_http_pool;
struct net_quic_ctx;

/* The decoder state of one capture: fragment table and flow table. */
struct net_state {
	struct net_frag *frag;
	struct net_flows *flows;
	struct net_dns_pool *dns_pool;
	struct net_out out;
	struct net_quic_ctx *quic; /* cipher contexts, made at the first QUIC Initial */
	uint64_t quic_mem;         /* bytes of QUIC CRYPTO reassembly held */
	uint64_t packets, undecoded;
};

int net_state_init(struct net_state *ns, struct imp_ctx *ctx);
/* Emit every flow still open (end of the capture), then free everything. */
int net_state_finish(struct net_state *ns);
void net_state_release(struct net_state *ns);

/* net-link.c: decode one captured frame of `linktype`; feeds the flow table. Returns 0 or the
 * sink's negative errno. */
int net_decode_frame(struct net_state *ns, int linktype, struct net_pkt *pkt);

/* net-ip.c */
int net_decode_ip(struct net_state *ns, struct net_pkt *pkt, const uint8_t *data, size_t len, int depth);
int net_decode_ethertype(struct net_state *ns, struct net_pkt *pkt, uint16_t ethertype, const uint8_t *data,
			 size_t len, int depth);
struct net_frag *net_frag_new(void);
void net_frag_free(struct net_frag *f);

/* net-flow.c */
struct net_flows *net_flows_new(struct net_dns_pool *pool);
void net_flows_free(struct net_flows *f);
int net_flow_packet(struct net_state *ns, const struct net_pkt *pkt);
int net_flows_flush(struct net_state *ns, int64_t before_ts);

/* Address text ("10.0.0.1", "2001:db8::1") into buf (>= 46 bytes). */
void net_addr_str(uint8_t ipver, const uint8_t *addr, char *buf, size_t len);

/* net-community-id.c: Community ID v1 (seed 0) of a 5-tuple, "1:<base64>" into buf (>= 32). */
void net_community_id(uint8_t ipver, uint8_t proto, const uint8_t *src, const uint8_t *dst, uint16_t sport,
		      uint16_t dport, char *buf, size_t len);
/* The same through o's reusable digest context (the decoder's per-connection call). */
void net_community_id_out(struct net_out *o, uint8_t ipver, uint8_t proto, const uint8_t *src, const uint8_t *dst,
			  uint16_t sport, uint16_t dport, char *buf, size_t len);
/* The same with a seed other than 0 (Suricata's community-id-seed; tests). */
void net_community_id_seeded(uint16_t seed, uint8_t ipver, uint8_t proto, const uint8_t *src, const uint8_t *dst,
			     uint16_t sport, uint16_t dport, char *buf, size_t len);

/* A message digest fetched once (SHA-1 for Community ID, MD5 for JA3, SHA-256 for JA4). */
enum net_md { NET_MD_SHA1, NET_MD_MD5, NET_MD_SHA256 };
typedef struct evp_md_st EVP_MD;
const EVP_MD *net_md(enum net_md which);
/* The digest of data into md, through o's reusable contexts (o may be NULL). */
void net_digest(struct net_out *o, enum net_md which, const void *data, size_t len, unsigned char *md);
void net_digest_release(struct net_out *o);

/* The 5-tuple columns an application event shares with its connection (client -> server). */
struct net_tuple {
	uint8_t ipver, proto;
	const uint8_t *cli, *srv;
	uint16_t cport, sport;
};

/* Fill the common columns of an event of `type` from the tuple and packet. */
struct bs_event;
void net_event_fill(struct bs_event *ev, const struct net_tuple *t, const struct net_pkt *pkt, const char *type,
		    char cbuf[46], char sbuf[46]);

/* net-dns.c: parse one DNS message (no TCP length prefix) seen on tuple t; emits a `dns`
 * event for responses (paired with their query) and for queries left without an answer. */
struct net_dns_pending;
int net_dns_message(struct net_state *ns, struct net_dns_pending **pending, const struct net_tuple *t,
		    const struct net_pkt *pkt, const uint8_t *msg, size_t len, bool from_client);
struct net_dns_pool *net_dns_pool_new(void);
void net_dns_pool_free(struct net_dns_pool *p);
/* Give a connection's pending queries back to the pool without emitting them. */
void net_dns_forget(struct net_dns_pool *p, struct net_dns_pending **head);
/* Emit queries that never saw an answer, then free the pending list. */
int net_dns_flush(struct net_state *ns, struct net_dns_pending **pending, const struct net_tuple *t);
/* Decode a possibly compressed name at `off` of msg into out (dotted text). Returns the
 * offset after the name in the message, or -1 when damaged (loop, out of bounds, too long). */
int net_dns_name(const uint8_t *msg, size_t len, size_t off, struct strbuf *out, bool *ret_truncated);

/* net-tls.c: parse the first bytes a TLS client sent; emits a `tls` event when they hold a
 * ClientHello. Returns 1 when an event was emitted, 0 when more bytes are needed or it is not
 * TLS (*ret_done tells which), or a negative errno from the sink. */
int net_tls_client(struct net_state *ns, const struct net_tuple *t, const struct net_pkt *pkt,
		   const uint8_t *data, size_t len, bool *ret_done);
/* What a QUIC Initial says about its connection, for the `quic` event. */
struct net_quic_info {
	uint32_t version;
	const uint8_t *dcid, *scid;
	size_t dcid_len, scid_len;
};
/* Emit the `tls` event (or `quic` when quic is given) of one complete handshake message that
 * should be a ClientHello (type, 24-bit length, body). Returns 1 when emitted, 0 when it is not a
 * ClientHello or is damaged (counted as skipped), or the sink's negative errno. */
int net_tls_hello(struct net_state *ns, const struct net_tuple *t, const struct net_pkt *pkt, const uint8_t *msg,
		  size_t len, const struct net_quic_info *quic);

/* net-quic.c: QUIC Initial packets of the client, decrypted with the keys RFC 9001 §5.2 derives
 * from the Destination Connection ID; their ClientHello becomes a `quic` event. */
struct net_quic;
/* Does this UDP payload start with a long-header Initial of a QUIC version we can read? */
bool net_quic_is_initial(const uint8_t *p, size_t len);
bool net_quic_version_known(uint32_t version);
/* Feed one datagram the client sent. *ret_done once the hello was emitted or cannot be: stop
 * feeding, free the state. Returns 0 or a negative errno. */
int net_quic_datagram(struct net_state *ns, struct net_quic **q, const struct net_tuple *t,
		      const struct net_pkt *pkt, const uint8_t *data, size_t len, bool *ret_done);
void net_quic_free(struct net_state *ns, struct net_quic *q);
void net_quic_ctx_free(struct net_quic_ctx *c);
/* The client's Initial key, IV and header-protection key for a version and connection id. */
int net_quic_initial_keys(uint32_t version, const uint8_t *dcid, size_t dcid_len, uint8_t key[16], uint8_t iv[12],
			  uint8_t hp[16]);

/* net-http.c: HTTP/1.x request/response pairing on one TCP connection. */
struct net_http;
void net_http_free(struct net_http *h);
/* Feed in-order bytes of one direction. Returns bytes consumed (the caller drops them), or a
 * negative errno. *ret_done is set when the direction is not HTTP (stop feeding it). */
int net_http_data(struct net_state *ns, struct net_http **h, const struct net_tuple *t, const struct net_pkt *pkt,
		  const uint8_t *data, size_t len, bool from_client, bool at_end, bool *ret_done);
int net_http_flush(struct net_state *ns, struct net_http **h, const struct net_tuple *t);
/* Is this a request line's start ("GET ", "POST " ...)? */
bool net_http_is_request(const uint8_t *data, size_t len);

#endif
