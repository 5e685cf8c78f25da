/* indicator-feeds: STIX 2.1 bundles, MISP CSV exports, abuse.ch CSV feeds and Tor exit lists as
 * indicator lists; see indicator-feeds.h. */
#include "indicator-feeds.h"

#include <errno.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "bstime.h"
#include "event.h"

#define MAX_COLUMNS 64

/* ---- recognising a feed ---- */

static const char *skip_space(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n'))
		p++;
	return p;
}

/* The column names abuse.ch writes on its last '#' line before the data, when one of them names
 * an indicator column; the line and its length. */
static bool abusech_header(const char *text, size_t len, const char **ret_line, size_t *ret_len)
{
	static const char *const columns[] = { "url", "ioc_value", "sha256_hash", "dst_ip" };
	const char *p = text, *end = text + len, *header = NULL;
	size_t hlen = 0;

	while (p < end && *p == '#') {
		const char *nl = memchr(p, '\n', (size_t)(end - p)), *le = nl ? nl : end;
		if (memchr(p, ',', (size_t)(le - p))) {
			header = p;
			hlen = (size_t)(le - p);
		}
		p = nl ? nl + 1 : end;
	}
	if (!header)
		return false;
	for (size_t i = 0; i < sizeof(columns) / sizeof(columns[0]); i++) {
		size_t n = strlen(columns[i]);
		for (const char *q = header; (q = memmem(q, hlen - (size_t)(q - header), columns[i], n)); q++) {
			char before = q > header ? q[-1] : ' ', after = q + n < header + hlen ? q[n] : ',';
			if ((before == ' ' || before == ',' || before == '"' || before == '#') &&
			    (after == ',' || after == '"' || after == '\r' || after == ' ')) {
				if (ret_line)
					*ret_line = header, *ret_len = hlen;
				return true;
			}
		}
	}
	return false;
}

enum feed_kind indicator_feed_kind(const char *text, size_t len)
{
	const char *p, *nl;
	size_t head = len > 4096 ? 4096 : len;

	if (!text || !len)
		return FEED_LINES;
	p = skip_space(text, text + len);

	if (p < text + len && *p == '{' && memmem(text, head, "\"bundle\"", 8) && memmem(text, head, "\"type\"", 6))
		return FEED_STIX;
	if (abusech_header(text, len, NULL, NULL))
		return FEED_ABUSECH_CSV;
	/* TorDNSEL: ExitNode opens the first record (after CollecTor's "@type tordnsel" and
	 * "Downloaded" lines and any '#' comments, such as a "# list:" line) */
	while (p < text + head && (*p == '@' || *p == '#' || (text + len - p > 11 && !memcmp(p, "Downloaded ", 11)))) {
		nl = memchr(p, '\n', (size_t)(text + len - p));
		p = nl ? skip_space(nl + 1, text + len) : text + len;
	}
	if ((size_t)(text + len - p) > 9 && !memcmp(p, "ExitNode ", 9))
		return FEED_TOR_EXITS;
	nl = memchr(text, '\n', len);
	if (nl) {
		size_t n = (size_t)(nl - text);
		if (memmem(text, n, "uuid", 4) && memmem(text, n, "type", 4) && memmem(text, n, "value", 5) &&
		    memchr(text, ',', n))
			return FEED_MISP_CSV;
	}
	return FEED_LINES;
}

/* ---- STIX ---- */

/* "2026-01-02T03:04:05Z" (or with a fraction) as ns; BS_NONE when absent or not a time. */
static int64_t stix_time(const json_t *o, const char *key)
{
	const char *t = json_string_value(json_object_get(o, key));
	int64_t ns;

	if (!t || bs_time_parse(t, strlen(t), 0, &ns, NULL) < 0)
		return BS_NONE;
	return ns;
}

/* The host of a URL ("http://user@host:port/path" → host). */
static void url_host(const char *url, size_t len, const char **ret, size_t *ret_len)
{
	const char *p = url, *end = url + len, *at, *q;

	if ((q = memmem(url, len, "://", 3)))
		p = q + 3;
	q = p;
	while (q < end && *q != '/' && *q != '?' && *q != '#')
		q++;
	at = memchr(p, '@', (size_t)(q - p));
	if (at)
		p = at + 1;
	if (p < q && *p == '[') { /* an IPv6 literal */
		const char *rb = memchr(p, ']', (size_t)(q - p));
		*ret = p + 1;
		*ret_len = rb ? (size_t)(rb - p - 1) : 0;
		return;
	}
	*ret = p;
	*ret_len = (size_t)(q - p);
	if ((q = memchr(p, ':', *ret_len)))
		*ret_len = (size_t)(q - p);
}

/* The prefix add_value needs for a comparison's object and path, or NULL to skip it. */
static const char *stix_kind(const char *obj, size_t olen, const char *path, size_t plen)
{
	if ((olen == 9 && !memcmp(obj, "ipv4-addr", 9)) || (olen == 9 && !memcmp(obj, "ipv6-addr", 9)))
		return plen == 5 && !memcmp(path, "value", 5) ? "ip:" : NULL;
	if (olen == 11 && !memcmp(obj, "domain-name", 11))
		return plen == 5 && !memcmp(path, "value", 5) ? "domain:" : NULL;
	if (olen == 3 && !memcmp(obj, "url", 3))
		return plen == 5 && !memcmp(path, "value", 5) ? "url" : NULL;
	if (olen == 4 && !memcmp(obj, "file", 4) && plen > 7 && !memcmp(path, "hashes.", 7))
		return "hash:";
	return NULL;
}

static int add_value(struct indicator_set *s, const char *name, size_t at, const char *prefix, const char *v,
		     size_t vlen, const char *desc, int64_t from, int64_t until, struct strbuf *err)
{
	struct strbuf tagged = STRBUF_INIT;
	int r;

	if (!strcmp(prefix, "url")) {
		url_host(v, vlen, &v, &vlen);
		prefix = "";
	}
	if (!vlen)
		return 0;
	strbuf_addstr(&tagged, prefix);
	strbuf_add(&tagged, v, vlen);
	r = indicator_set_add_value(s, name, at, tagged.buf, tagged.len, desc, strlen(desc), from, until, err);
	strbuf_release(&tagged);
	return r;
}

/* Each `[TYPE:PATH = 'VALUE']` comparison of a STIX pattern. */
static int stix_pattern(struct indicator_set *s, const char *name, size_t at, const char *pat, const char *desc,
			int64_t from, int64_t until, struct strbuf *err)
{
	const char *p = pat;
	struct strbuf value = STRBUF_INIT;
	int r = 0;

	while (r >= 0 && (p = strchr(p, '['))) {
		const char *obj = ++p, *colon = p, *path, *pend, *q;
		while (*colon && *colon != ':' && *colon != ']')
			colon++;
		if (*colon != ':')
			continue;
		path = colon + 1;
		pend = path;
		while (*pend && *pend != ' ' && *pend != '=' && *pend != ']')
			pend++;
		q = pend;
		while (*q == ' ')
			q++;
		if (*q != '=')
			continue;
		q++;
		while (*q == ' ')
			q++;
		if (*q != '\'')
			continue;
		strbuf_reset(&value);
		for (q++; *q && *q != '\''; q++) {
			if (*q == '\\' && q[1])
				q++;
			strbuf_addch(&value, *q);
		}
		const char *kind = stix_kind(obj, (size_t)(colon - obj), path, (size_t)(pend - path));
		if (kind)
			r = add_value(s, name, at, kind, value.buf, value.len, desc, from, until, err);
		p = *q ? q + 1 : q;
	}
	strbuf_release(&value);
	return r;
}

int indicator_feed_stix(struct indicator_set *s, const char *name, const char *text, size_t len, struct strbuf *err)
{
	json_error_t je;
	json_t *bundle = json_loadb(text, len, 0, &je), *objects, *o;
	size_t i;
	int r = 0;

	if (!json_is_object(bundle) || !json_is_array(objects = json_object_get(bundle, "objects"))) {
		strbuf_addf(err, "%s: not a STIX bundle with objects (%s, line %d)", name, bundle ? "no objects" : je.text,
			    je.line);
		json_decref(bundle);
		return -EINVAL;
	}
	json_array_foreach(objects, i, o) {
		const char *type = json_string_value(json_object_get(o, "type"));
		const char *ptype = json_string_value(json_object_get(o, "pattern_type"));
		const char *pattern = json_string_value(json_object_get(o, "pattern"));
		const char *desc = json_string_value(json_object_get(o, "name"));
		if (!type || strcmp(type, "indicator") || !pattern || (ptype && strcmp(ptype, "stix")))
			continue;
		if (!desc)
			desc = json_string_value(json_object_get(o, "description"));
		r = stix_pattern(s, name, i + 1, pattern, desc ? desc : "", stix_time(o, "valid_from"),
				 stix_time(o, "valid_until"), err);
		if (r < 0)
			break;
	}
	json_decref(bundle);
	return r < 0 ? -EINVAL : 0;
}

/* ---- MISP CSV ---- */

/* The cells of one CSV line (RFC 4180 quotes), into `cells` (NUL-separated); their count. */
static size_t csv_cells(const char *line, size_t len, struct strbuf *cells, const char **v, size_t *vl, size_t max)
{
	size_t n = 0, i = 0;
	size_t offs[MAX_COLUMNS];

	strbuf_reset(cells);
	while (i <= len && n < max) {
		size_t q = i;
		offs[n] = cells->len;
		while (q < len && line[q] == ' ') /* ThreatFox writes ", " between quoted cells */
			q++;
		if (q < len && line[q] == '"') {
			i = q;
			for (i++; i < len; i++) {
				if (line[i] == '"' && i + 1 < len && line[i + 1] == '"')
					strbuf_addch(cells, line[i++]);
				else if (line[i] == '"')
					break;
				else
					strbuf_addch(cells, line[i]);
			}
			while (i < len && line[i] != ',')
				i++;
		} else {
			while (i < len && line[i] != ',')
				strbuf_addch(cells, line[i++]);
		}
		vl[n] = cells->len - offs[n];
		strbuf_addch(cells, '\0');
		n++;
		i++;
	}
	for (size_t k = 0; k < n; k++)
		v[k] = cells->buf + offs[k];
	return n;
}

static const char *misp_kind(const char *type, size_t len)
{
	static const struct {
		const char *type, *prefix;
	} kinds[] = {
		{ "ip-src", "ip:" }, { "ip-dst", "ip:" },   { "ip", "ip:" }, { "domain", "domain:" }, { "hostname", "domain:" },
		{ "md5", "hash:" },  { "sha1", "hash:" },   { "sha256", "hash:" },   { "url", "url" },
		{ "filename", NULL }, { "port", NULL },
	};

	for (size_t i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strlen(kinds[i].type) == len && !memcmp(kinds[i].type, type, len))
			return kinds[i].prefix;
	return NULL;
}

int indicator_feed_misp_csv(struct indicator_set *s, const char *name, const char *text, size_t len,
			    struct strbuf *err)
{
	struct strbuf cells = STRBUF_INIT, desc = STRBUF_INIT;
	const char *v[MAX_COLUMNS], *line;
	size_t vl[MAX_COLUMNS], pos = 0, line_no = 0, n, ll;
	int type_col = -1, value_col = -1, comment_col = -1, r = 0;

	while (r >= 0 && feed_next_line(text, len, &pos, &line, &ll)) {
		line_no++;
		n = csv_cells(line, ll, &cells, v, vl, MAX_COLUMNS);
		if (line_no == 1) {
			for (size_t c = 0; c < n; c++) {
				if (vl[c] == 4 && !strncasecmp(v[c], "type", 4))
					type_col = (int)c;
				else if (vl[c] == 5 && !strncasecmp(v[c], "value", 5))
					value_col = (int)c;
				else if (vl[c] == 7 && !strncasecmp(v[c], "comment", 7))
					comment_col = (int)c;
			}
			if (type_col < 0 || value_col < 0) {
				strbuf_addf(err, "%s:1: a MISP CSV export names a type and a value column", name);
				r = -EINVAL;
			}
			continue;
		}
		if ((size_t)type_col >= n || (size_t)value_col >= n)
			continue;
		strbuf_reset(&desc);
		if (comment_col >= 0 && (size_t)comment_col < n)
			strbuf_add(&desc, v[comment_col], vl[comment_col]);
		/* "domain|ip" with "example.com|192.0.2.1": each part by its own type */
		const char *t = v[type_col], *val = v[value_col];
		size_t tl = vl[type_col], vlen = vl[value_col];
		while (r >= 0 && tl && vlen) {
			const char *tb = memchr(t, '|', tl), *vb = memchr(val, '|', vlen);
			size_t tpart = tb ? (size_t)(tb - t) : tl, vpart = vb ? (size_t)(vb - val) : vlen;
			const char *kind = misp_kind(t, tpart);
			if (kind)
				r = add_value(s, name, line_no, kind, val, vpart, desc.buf, BS_NONE, BS_NONE, err);
			if (!tb || !vb)
				break;
			t = tb + 1;
			tl -= tpart + 1;
			val = vb + 1;
			vlen -= vpart + 1;
		}
	}
	strbuf_release(&cells);
	strbuf_release(&desc);
	return r < 0 ? -EINVAL : 0;
}

/* ---- abuse.ch CSV ---- */

static int column_of(const char *const *v, const size_t *vl, size_t n, const char *name)
{
	for (size_t c = 0; c < n; c++) {
		const char *cell = v[c];
		size_t cl = vl[c];
		while (cl && (*cell == '#' || *cell == ' ')) /* the header's leading "# " */
			cell++, cl--;
		if (cl == strlen(name) && !memcmp(cell, name, cl))
			return (int)c;
	}
	return -1;
}

/* ThreatFox's ioc_type, as the kind add_value wants. */
static const char *threatfox_kind(const char *type, size_t len)
{
	if (len == 7 && !memcmp(type, "ip:port", 7))
		return "ip:";
	if (len == 6 && !memcmp(type, "domain", 6))
		return "domain:";
	if (len == 3 && !memcmp(type, "url", 3))
		return "url";
	if (len > 5 && !memcmp(type + len - 5, "_hash", 5))
		return "hash:";
	return NULL;
}

int indicator_feed_abusech_csv(struct indicator_set *s, const char *name, const char *text, size_t len,
			       struct strbuf *err)
{
	struct strbuf cells = STRBUF_INIT;
	const char *v[MAX_COLUMNS], *header = NULL, *line;
	size_t vl[MAX_COLUMNS], hlen = 0, pos = 0, line_no = 0, n, ll;
	int url, ioc, ioc_type, sha256, dst_ip, r = 0;

	abusech_header(text, len, &header, &hlen);
	n = csv_cells(header, hlen, &cells, v, vl, MAX_COLUMNS);
	url = column_of(v, vl, n, "url");
	ioc = column_of(v, vl, n, "ioc_value");
	ioc_type = column_of(v, vl, n, "ioc_type");
	sha256 = column_of(v, vl, n, "sha256_hash");
	dst_ip = column_of(v, vl, n, "dst_ip");
	while (r >= 0 && feed_next_line(text, len, &pos, &line, &ll)) {
		line_no++;
		if (!ll || line[0] == '#')
			continue;
		n = csv_cells(line, ll, &cells, v, vl, MAX_COLUMNS);
		if (url >= 0 && (size_t)url < n)
			r = add_value(s, name, line_no, "url", v[url], vl[url], "", BS_NONE, BS_NONE, err);
		if (r >= 0 && ioc >= 0 && (size_t)ioc < n && ioc_type >= 0 && (size_t)ioc_type < n) {
			const char *kind = threatfox_kind(v[ioc_type], vl[ioc_type]);
			size_t vlen = vl[ioc];
			const char *colon = memchr(v[ioc], ':', vlen);
			if (kind && !strcmp(kind, "ip:") && colon && !memchr(colon + 1, ':', vlen - (size_t)(colon - v[ioc]) - 1))
				vlen = (size_t)(colon - v[ioc]); /* an IPv4 address:port */
			if (kind)
				r = add_value(s, name, line_no, kind, v[ioc], vlen, "", BS_NONE, BS_NONE, err);
		}
		if (r >= 0 && sha256 >= 0 && (size_t)sha256 < n)
			r = add_value(s, name, line_no, "hash:", v[sha256], vl[sha256], "", BS_NONE, BS_NONE, err);
		if (r >= 0 && dst_ip >= 0 && (size_t)dst_ip < n)
			r = add_value(s, name, line_no, "ip:", v[dst_ip], vl[dst_ip], "", BS_NONE, BS_NONE, err);
	}
	strbuf_release(&cells);
	return r < 0 ? -EINVAL : 0;
}

/* ---- Tor exit lists ---- */

/* "YYYY-MM-DD HH:MM:SS" (UTC) at p as ns; false when it is not one. */
static bool tor_time(const char *p, size_t len, int64_t *ret)
{
	char iso[20];
	int64_t prec;

	while (len && (p[len - 1] == ' ' || p[len - 1] == '\r'))
		len--;
	if (len != 19 || p[10] != ' ')
		return false;
	memcpy(iso, p, 19);
	iso[10] = 'T';
	iso[19] = 'Z';
	return bs_time_parse(iso, 20, 0, ret, &prec) == 0;
}

static bool keyword(const char *line, size_t ll, const char *kw, const char **ret_rest, size_t *ret_len)
{
	size_t k = strlen(kw);

	if (ll <= k || memcmp(line, kw, k) || line[k] != ' ')
		return false;
	*ret_rest = line + k + 1;
	*ret_len = ll - k - 1;
	return true;
}

int indicator_feed_tor_exits(struct indicator_set *s, const char *name, const char *text, size_t len,
			     struct strbuf *err)
{
	struct strbuf desc = STRBUF_INIT;
	char node[48] = "";
	int64_t last_status = BS_NONE;
	const char *line;
	size_t pos = 0, line_no = 0, ll;
	int r = 0;

	while (r >= 0 && feed_next_line(text, len, &pos, &line, &ll)) {
		const char *rest;
		size_t rl;
		line_no++;
		if (keyword(line, ll, "ExitNode", &rest, &rl)) {
			snprintf(node, sizeof(node), "%.*s", (int)(rl > 40 ? 40 : rl), rest);
			last_status = BS_NONE;
		} else if (keyword(line, ll, "LastStatus", &rest, &rl)) {
			if (!tor_time(rest, rl, &last_status))
				last_status = BS_NONE;
		} else if (keyword(line, ll, "ExitAddress", &rest, &rl)) {
			const char *sp = memchr(rest, ' ', rl);
			size_t alen = sp ? (size_t)(sp - rest) : rl;
			int64_t seen, from = BS_NONE, until = BS_NONE;
			if (sp && !tor_time(sp + 1, rl - alen - 1, &seen)) {
				strbuf_addf(err, "%s:%zu: ExitAddress date is not YYYY-MM-DD HH:MM:SS", name, line_no);
				r = -EINVAL;
				break;
			}
			strbuf_reset(&desc);
			strbuf_addf(&desc, "Tor exit %s", node[0] ? node : "(no ExitNode line)");
			if (sp) {
				from = seen - TOR_EXIT_MARGIN_NS;
				until = (last_status != BS_NONE && last_status > seen ? last_status : seen) + TOR_EXIT_MARGIN_NS;
				strbuf_addf(&desc, " seen exiting %.19s", sp + 1);
			}
			r = add_value(s, name, line_no, "ip:", rest, alen, desc.buf, from, until, err);
		}
		/* Published, @type, blank and unknown lines: nothing to look for */
	}
	strbuf_release(&desc);
	return r < 0 ? -EINVAL : 0;
}
