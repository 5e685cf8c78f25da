/* imp-pcap: what the pcap importer exposes beyond struct importer — its counters, for tests
 * and the fuzzer (block counts checked against pcapng-test-generator, packet times against
 * tcpdump). Ownership: the stats live in the importer's state and die with close(). */
#ifndef BS_IMP_PCAP_H
#define BS_IMP_PCAP_H

#include <stdint.h>

#include "importer.h"
#include "net.h"

struct imp_pcap_stats {
	uint64_t packets;  /* records that carried a packet (pcap records, EPB, SPB, PB) */
	uint64_t shb, idb, epb, spb, pb, nrb, isb, cb, dcb, other_blocks;
	bool nanosecond;   /* classic pcap: the file declared ns timestamps */
	/* Called for every packet before it is decoded, when set (tests). */
	void (*on_packet)(void *userdata, const struct net_pkt *pkt, int linktype);
	void *userdata;
};

extern const struct importer imp_pcap;

/* The counters of an open pcap importer state (as returned by imp_pcap.open). */
struct imp_pcap_stats *imp_pcap_stats(void *state);

#endif
