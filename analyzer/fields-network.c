/* fields-network: the field table of source `network` — connections, DNS, TLS, QUIC and HTTP seen in
 * packet captures. Falco has no such source; the fd.* names follow Falco's (so a syscall-style
 * condition on addresses reads the same) and the rest is backsight's documented namespace
 * (net.*, dns.*, tls.*, http.*), keyed so in `fields` by the importer.
 */
#include "fields.h"

#define COLF(name, type, col, desc) { name, type, 0, desc, fx_col, COL_##col }
#define FLD(name, type, flags, desc) { name, type, flags, desc, NULL, 0 }

const struct field_def fields_network[] = {
	COLF("fd.cip", FT_IP, src_ip, "client address (events.src_ip)"),
	COLF("fd.sip", FT_IP, dst_ip, "server address (events.dst_ip)"),
	COLF("fd.cport", FT_INT, src_port, "client port (events.src_port)"),
	COLF("fd.sport", FT_INT, dst_port, "server port (events.dst_port)"),
	COLF("fd.cnet", FT_IP, src_ip, "client address compared with a CIDR network"),
	COLF("fd.snet", FT_IP, dst_ip, "server address compared with a CIDR network"),
	COLF("fd.l4proto", FT_STR, l4proto, "transport protocol: tcp, udp, icmp (events.l4proto)"),
	COLF("fd.name", FT_STR, fd_name, "the connection tuple as Falco prints it (events.fd_name)"),
	COLF("proc.name", FT_STR, proc_name, "process the connection is attributed to, when a syscall source says"),
	COLF("proc.pid", FT_INT, pid, "pid the connection is attributed to"),
	COLF("net.result", FT_STR, result, "outcome: a DNS rcode, HTTP status, TCP reset ... (events.result)"),
	FLD("net.bytes", FT_INT, 0, "bytes carried by the connection, both directions"),
	FLD("net.bytes.out", FT_INT, 0, "bytes sent by the client"),
	FLD("net.bytes.in", FT_INT, 0, "bytes sent by the server"),
	FLD("net.packets", FT_INT, 0, "packets of the connection"),
	FLD("net.duration", FT_INT, 0, "duration of the connection, ns"),
	FLD("net.tcp.flags", FT_STR, 0, "TCP flags seen on the connection, e.g. SA, R"),
	FLD("net.iface", FT_STR, 0, "capture interface"),
	FLD("dns.query", FT_STR, 0, "queried domain name"),
	FLD("dns.qtype", FT_STR, 0, "query type: A, AAAA, TXT ..."),
	FLD("dns.rcode", FT_STR, 0, "response code: NOERROR, NXDOMAIN ..."),
	FLD("dns.answers", FT_LIST, FF_ARG_INDEX, "answer records' data"),
	FLD("tls.sni", FT_STR, 0, "server name indication of a TLS client hello"),
	FLD("tls.version", FT_STR, 0, "TLS version offered or agreed"),
	FLD("tls.ja3", FT_STR, 0, "JA3 fingerprint of the client hello"),
	FLD("tls.ja3_hash", FT_STR, 0, "MD5 of the JA3 fingerprint, as JA3 lists publish it"),
	FLD("tls.ja4", FT_STR, 0, "JA4 fingerprint of the client hello (t... over TCP, q... over QUIC)"),
	FLD("tls.alpn", FT_LIST, FF_ARG_INDEX, "application protocols the client hello offers (h2, http/1.1, h3 ...)"),
	FLD("quic.version", FT_STR, 0, "QUIC version of a client Initial: 1, 2, draft-29 ..."),
	FLD("quic.dcid", FT_STR, 0, "QUIC Destination Connection ID of the client's first Initial, hex"),
	FLD("quic.scid", FT_STR, 0, "QUIC Source Connection ID the client chose, hex"),
	FLD("tls.ja3s", FT_STR, 0, "JA3S fingerprint of the server hello"),
	FLD("tls.cert.subject", FT_STR, 0, "subject of the server certificate"),
	FLD("tls.cert.issuer", FT_STR, 0, "issuer of the server certificate"),
	FLD("http.method", FT_STR, 0, "HTTP request method"),
	FLD("http.host", FT_STR, 0, "HTTP Host header"),
	FLD("http.uri", FT_STR, 0, "HTTP request target"),
	COLF("http.user_agent", FT_STR, user_agent, "HTTP User-Agent header (events.user_agent)"),
	FLD("http.status", FT_INT, 0, "HTTP response status"),
	FLD("http.content_type", FT_STR, 0, "HTTP response Content-Type"),
};
const size_t fields_network_count = sizeof(fields_network) / sizeof(fields_network[0]);
