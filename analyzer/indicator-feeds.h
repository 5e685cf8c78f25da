/* indicator-feeds: threat feeds in structured formats, read into an indicator set (indicators.h).
 *
 * STIX 2.1 bundles (docs.oasis-open.org/cti/stix/v2.1): every object of type "indicator" whose
 * pattern_type is "stix" (or absent). Each equality comparison of its pattern,
 * `[TYPE:PATH = 'VALUE']`, joined by OR or AND, becomes an indicator when TYPE is ipv4-addr,
 * ipv6-addr, domain-name, url (its host) or file with hashes (MD5, SHA-1, SHA-256). The
 * object's name (else its description) is the description, and valid_from / valid_until its
 * validity: a hit counts only for an event inside it.
 *
 * MISP CSV exports: a header line naming at least the `type` and `value` columns (`comment` is
 * the description). Rows of type ip-src, ip-dst, domain, hostname, md5, sha1, sha256 and url
 * are read; `x|y` types (domain|ip, ip-dst|port, filename|sha256 ...) give their parts.
 *
 * abuse.ch CSV feeds (URLhaus, ThreatFox, MalwareBazaar, Feodo Tracker): the column names on the
 * last '#' comment line before the data; the indicator is in `url` (its host), `ioc_value` (by
 * `ioc_type`: ip:port, domain, url, md5_hash, sha1_hash, sha256_hash), `sha256_hash` or
 * `dst_ip`. The feed's plain-text lists need nothing of this: they are plain lines.
 *
 * Tor exit lists (TorDNSEL's format, check.torproject.org/exit-addresses and CollecTor's
 * exit-lists): `ExitNode FINGERPRINT`, `Published`, `LastStatus` and one or more
 * `ExitAddress IP YYYY-MM-DD HH:MM:SS` lines per relay (UTC). Each ExitAddress is an IP
 * indicator valid from a day before the date the exit scanner saw the relay exit from it to a
 * day after that date (or after LastStatus, the last consensus listing the relay, when later):
 * the scanner re-tests exits about daily and the lists are hourly snapshots of the last day, so
 * a sighting says the address was an exit within a day of it, and nothing about last month
 * (addresses are reused: dynamic lines, cloud machines). The same address seen on several dates
 * is valid over the span they cover. A date that is absent leaves the entry unbounded.
 *
 * Anything else in a feed is skipped: a feed names many kinds of things backsight cannot look for.
 */
#ifndef BS_INDICATOR_FEEDS_H
#define BS_INDICATOR_FEEDS_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "indicators.h"
#include "strbuf.h"

enum feed_kind { FEED_LINES, FEED_STIX, FEED_MISP_CSV, FEED_ABUSECH_CSV, FEED_TOR_EXITS };

/* How far either side of an exit sighting a Tor exit list's address counts (see above). */
#define TOR_EXIT_MARGIN_NS (24 * 3600 * 1000000000LL)

/* Which reader a list's text wants: a STIX bundle, a MISP CSV export, an abuse.ch CSV feed, a Tor
 * exit list, or plain lines. */
enum feed_kind indicator_feed_kind(const char *text, size_t len);

/* Read one feed into the set's newest list; 0, or -EINVAL with err naming the file. */
int indicator_feed_stix(struct indicator_set *s, const char *name, const char *text, size_t len, struct strbuf *err);
int indicator_feed_misp_csv(struct indicator_set *s, const char *name, const char *text, size_t len,
			    struct strbuf *err);
int indicator_feed_abusech_csv(struct indicator_set *s, const char *name, const char *text, size_t len,
			       struct strbuf *err);
int indicator_feed_tor_exits(struct indicator_set *s, const char *name, const char *text, size_t len,
			     struct strbuf *err);

/* The line of text at *pos, without its '\n' or "\r\n", and *pos past it; false at the end.
 * Every feed reader walks its text with this. */
static inline bool feed_next_line(const char *text, size_t len, size_t *pos, const char **ret_line, size_t *ret_len)
{
	const char *line = text + *pos, *nl;
	size_t ll;

	if (*pos >= len)
		return false;
	nl = memchr(line, '\n', len - *pos);
	ll = nl ? (size_t)(nl - line) : len - *pos;
	*pos += ll + (nl ? 1 : 0);
	if (ll && line[ll - 1] == '\r')
		ll--;
	*ret_line = line;
	*ret_len = ll;
	return true;
}

#endif
