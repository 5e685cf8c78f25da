/* indicators: indicator-of-compromise lists — IP addresses and networks, domains, file hashes,
 * AWS access key ids — matched over every event of a case, each hit stored as an alert.
 *
 * A list is a text file, one indicator per line — the line's first field (blank, tab or comma
 * separated, quotes dropped) —, `#` starting a comment (a whole line, or after the indicator and
 * a blank); the comment of an indicator's line, else the rest of the line, is its description.
 * Structured feeds (STIX 2.1, MISP CSV, abuse.ch CSV, Tor exit lists) are read by
 * indicator-feeds.h. The same reader fills the rule set's lists (indicator_set_new_sink).
 * The kind is recognised from the text, or forced by a prefix:
 *   203.0.113.50, 2001:db8::1           ip: an address           (prefix `ip:`)
 *   198.51.100.0/24, 2001:db8::/32      ip: a network
 *   evil.example, *.evil.example        domain: the name and every name below it (`domain:`)
 *   64 / 40 / 32 hex digits             hash: SHA-256 / SHA-1 / MD5 of a file (`hash:`)
 *   AKIA… / ASIA… (20 characters)       access key: an AWS access key id (`key:`)
 * A line that is none of these is an error naming the file and line.
 *
 * Where an event is looked at: the addresses (src_ip, dst_ip), the access key id, the names a
 * source keeps (dns.query, dns.answers, tls.sni, http.host …: every string value of `fields`
 * that is a host name, an address, a hash or a key id), and the host names, addresses and key
 * ids written in the command line (`curl http://evil.example/x`, `AWS_ACCESS_KEY_ID=AKIA…`).
 *
 * A hit is an alert of the detect run (rule "Indicator match: KIND", tags `indicator` and,
 * where GuardDuty has a type for a customer threat list, `guardduty:<Type>`), so hits become
 * findings, reports and exports like any rule's alerts; the output fields carry the
 * indicator, its list and description and the field it was seen in. One alert per event and
 * indicator. The lists with their SHA-256 are recorded in the run (`runs.inputs.indicators`).
 *
 * Ownership: an indicator_set owns its lists and strings; indicator_set_free accepts NULL.
 */
#ifndef BS_INDICATORS_H
#define BS_INDICATORS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "casedb.h"
#include "sha256.h"
#include "strbuf.h"

#define INDICATOR_RULE_PREFIX "Indicator match: "

enum indicator_kind { IOC_IP, IOC_DOMAIN, IOC_HASH, IOC_KEY, IOC__COUNT };

struct indicator_list {
	char *path;
	char sha256[SHA256_HEX_LEN + 1];
	size_t count[IOC__COUNT];
};

struct indicator_set;

/* Load lists in order. 0, or a negative errno with err naming the file (and line). */
int indicator_set_load(char *const *paths, size_t n, struct indicator_set **ret, struct strbuf *err);
/* The same, each list known by names[i] rather than its path (a re-run reading a bag's copy
 * of a list under the list's recorded name). */
int indicator_set_load_as(char *const *paths, const char *const *names, size_t n, struct indicator_set **ret,
			  struct strbuf *err);
/* Add one value to the newest list, as a list line gives it ("ip:…", "domain:…", "hash:…" force
 * the kind), valid from/until (ns; BS_NONE: unbounded). For the feed readers (indicator-feeds.h). */
int indicator_set_add_value(struct indicator_set *s, const char *name, size_t line_no, const char *value, size_t len,
			    const char *desc, size_t dlen, int64_t valid_from, int64_t valid_until, struct strbuf *err);
/* Parse one list from memory (tests, fuzzing); name is used in messages. Plain lines, a STIX 2.1
 * bundle, a MISP CSV export, an abuse.ch CSV feed or a Tor exit list (indicator-feeds.h). */
int indicator_set_add_text(struct indicator_set *s, const char *name, const char *text, size_t len,
			   struct strbuf *err);
struct indicator_set *indicator_set_new(void);

/* One entry of a list as the readers give it: its kind (IOC__COUNT for a plain line's token that
 * is none of the kinds, given only to a lenient sink), the value (normalised: domains and
 * hashes lower-cased, a URL's host), its description, validity (ns, BS_NONE unbounded) and line
 * (or record) number. Valid only during the call. */
struct indicator_entry {
	int kind;
	const char *value, *desc;
	size_t len, dlen, line;
	int64_t valid_from, valid_until;
};
typedef int (*indicator_entry_fn)(void *userdata, const struct indicator_entry *e);

/* A set that keeps nothing: each entry the readers accept goes to fn instead (a negative return
 * stops the read). lenient: plain lines that are no indicator kind are given too (the rule
 * set's own lists hold user names, process names ...). The one reader for `--indicators` and
 * for the rule set's list files (rules-load.c). */
struct indicator_set *indicator_set_new_sink(indicator_entry_fn fn, void *userdata, bool lenient);
void indicator_set_free(struct indicator_set *s);
size_t indicator_set_size(const struct indicator_set *s);
const struct indicator_list *indicator_set_lists(const struct indicator_set *s, size_t *ret_n);
const char *indicator_kind_name(enum indicator_kind k);

/* Does TEXT (an address, name, hash or key id) hit an indicator? Its description (or "") in
 * ret_desc, its list in ret_list; 1 hit, 0 none. */
int indicator_lookup(const struct indicator_set *s, const char *text, size_t len, enum indicator_kind *ret_kind,
		     const char **ret_value, const char **ret_desc, const char **ret_list);

/* Does TEXT hit an indicator valid at ts (ns)? 1 yes, 0 no (not listed, or outside its validity). */
int indicator_valid_at(const struct indicator_set *s, const char *text, size_t len, int64_t ts);

/* Match every event of the case and store the hits as alerts of run run_id (in the caller's
 * transaction or in its own). The number of hits in ret_hits. 0 or a negative errno. */
int indicator_match(struct casedb *cdb, const struct indicator_set *s, int64_t run_id, uint64_t *ret_hits,
		    struct strbuf *err);
/* Record the lists in runs.inputs of run_id ("indicators": [{path, sha256, ip, domain ...}]). */
int indicator_record_run(struct casedb *cdb, const struct indicator_set *s, int64_t run_id, struct strbuf *err);

#endif
