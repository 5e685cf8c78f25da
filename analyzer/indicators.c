/* indicators: IOC lists loaded into hash sets and matched over the timeline (see indicators.h).
 *
 * Every indicator is one key in one open-addressing set of byte strings: "i" + 16 address
 * bytes (IPv4 as ::ffff:a.b.c.d) masked to the prefix + the prefix length for addresses and
 * networks, "d" + the lower-case name for domains, "h" + lower-case hex for hashes, "k" + the
 * key id. An address is looked up once per prefix length the lists use; a name once for
 * itself and once per parent domain. So a lookup costs the same for ten indicators or a
 * million, and a pass over the case is one read of the events table.
 */
#include "indicators.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "event.h"
#include "indicator-feeds.h"
#include "jsonw.h"

struct ioc {
	enum indicator_kind kind;
	char *value; /* as the list wrote it (normalised) */
	char *desc;  /* the line's comment, or "" */
	size_t list;
	int64_t valid_from, valid_until; /* ns; BS_NONE: unbounded (a feed's validity, STIX) */
};

struct indicator_set {
	struct indicator_list *lists;
	size_t nlists;
	struct ioc *iocs;
	size_t n, cap;
	/* the set: keys (malloc'd, length-prefixed by klen), value = index into iocs */
	unsigned char **keys;
	size_t *klen, *idx;
	size_t scap, sn;
	bool prefix_used[129]; /* address prefix lengths some network uses (IPv4 ones + 96) */
	size_t kinds[IOC__COUNT];
	int64_t valid_from, valid_until; /* given to the indicators being added (feeds.c) */
	indicator_entry_fn sink;        /* a sink set keeps nothing: entries go here */
	void *sink_data;
	bool lenient;
};

static const char *const kind_names[IOC__COUNT] = { "ip", "domain", "hash", "access key" };
static const char *const rule_names[IOC__COUNT] = {
	INDICATOR_RULE_PREFIX "IP address", INDICATOR_RULE_PREFIX "domain", INDICATOR_RULE_PREFIX "file hash",
	INDICATOR_RULE_PREFIX "access key",
};

const char *indicator_kind_name(enum indicator_kind k)
{
	return k < IOC__COUNT ? kind_names[k] : "?";
}

struct indicator_set *indicator_set_new(void)
{
	struct indicator_set *s = calloc(1, sizeof(*s));

	if (!s)
		abort();
	s->valid_from = s->valid_until = BS_NONE;
	return s;
}

struct indicator_set *indicator_set_new_sink(indicator_entry_fn fn, void *userdata, bool lenient)
{
	struct indicator_set *s = indicator_set_new();

	s->sink = fn;
	s->sink_data = userdata;
	s->lenient = lenient;
	return s;
}

void indicator_set_free(struct indicator_set *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nlists; i++)
		free(s->lists[i].path);
	for (size_t i = 0; i < s->n; i++) {
		free(s->iocs[i].value);
		free(s->iocs[i].desc);
	}
	for (size_t i = 0; i < s->scap; i++)
		free(s->keys[i]);
	free(s->lists);
	free(s->iocs);
	free(s->keys);
	free(s->klen);
	free(s->idx);
	free(s);
}

size_t indicator_set_size(const struct indicator_set *s)
{
	return s ? s->n : 0;
}

const struct indicator_list *indicator_set_lists(const struct indicator_set *s, size_t *ret_n)
{
	*ret_n = s ? s->nlists : 0;
	return s ? s->lists : NULL;
}

static uint64_t hash_bytes(const unsigned char *k, size_t len)
{
	uint64_t h = 1469598103934665603ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	return h;
}

/* The index of key, or SIZE_MAX. */
static size_t set_find(const struct indicator_set *s, const unsigned char *k, size_t len)
{
	size_t i;

	if (!s->scap)
		return SIZE_MAX;
	i = hash_bytes(k, len) & (s->scap - 1);
	while (s->keys[i]) {
		if (s->klen[i] == len && !memcmp(s->keys[i], k, len))
			return s->idx[i];
		i = (i + 1) & (s->scap - 1);
	}
	return SIZE_MAX;
}

/* Insert; false when the key is already there (the first listing wins). */
static bool set_put(struct indicator_set *s, const unsigned char *k, size_t len, size_t idx)
{
	size_t i;

	if ((s->sn + 1) * 2 > s->scap) {
		size_t ncap = s->scap ? s->scap * 2 : 64;
		unsigned char **keys = calloc(ncap, sizeof(*keys));
		size_t *klen = calloc(ncap, sizeof(*klen)), *ix = calloc(ncap, sizeof(*ix));
		if (!keys || !klen || !ix)
			abort();
		for (size_t j = 0; j < s->scap; j++) {
			if (!s->keys[j])
				continue;
			i = hash_bytes(s->keys[j], s->klen[j]) & (ncap - 1);
			while (keys[i])
				i = (i + 1) & (ncap - 1);
			keys[i] = s->keys[j];
			klen[i] = s->klen[j];
			ix[i] = s->idx[j];
		}
		free(s->keys);
		free(s->klen);
		free(s->idx);
		s->keys = keys;
		s->klen = klen;
		s->idx = ix;
		s->scap = ncap;
	}
	i = hash_bytes(k, len) & (s->scap - 1);
	while (s->keys[i]) {
		if (s->klen[i] == len && !memcmp(s->keys[i], k, len))
			return false;
		i = (i + 1) & (s->scap - 1);
	}
	s->keys[i] = malloc(len ? len : 1);
	if (!s->keys[i])
		abort();
	memcpy(s->keys[i], k, len);
	s->klen[i] = len;
	s->idx[i] = idx;
	s->sn++;
	return true;
}

/* ---- recognising indicators ---- */

/* An address, optionally /prefix: its 16 bytes (IPv4 mapped) and prefix (0..128). */
static bool parse_ip(const char *s, size_t len, bool allow_prefix, uint8_t addr[16], int *ret_prefix)
{
	char tmp[64];
	const char *slash;
	size_t alen = len;
	int prefix = -1;
	uint8_t a4[4];

	if (!len || len >= sizeof(tmp))
		return false;
	memcpy(tmp, s, len);
	tmp[len] = '\0';
	slash = strchr(tmp, '/');
	if (slash) {
		char *end;
		long p;
		if (!allow_prefix || !slash[1])
			return false;
		alen = (size_t)(slash - tmp);
		p = strtol(slash + 1, &end, 10);
		if (*end || p < 0 || p > 128)
			return false;
		prefix = (int)p;
		tmp[alen] = '\0';
	}
	if (inet_pton(AF_INET, tmp, a4) == 1) {
		if (prefix > 32)
			return false;
		memset(addr, 0, 10);
		addr[10] = addr[11] = 0xff;
		memcpy(addr + 12, a4, 4);
		*ret_prefix = prefix < 0 ? 128 : prefix + 96;
		return true;
	}
	if (inet_pton(AF_INET6, tmp, addr) == 1) {
		*ret_prefix = prefix < 0 ? 128 : prefix;
		return true;
	}
	return false;
}

static void ip_key(const uint8_t addr[16], int prefix, unsigned char key[18])
{
	key[0] = 'i';
	for (int i = 0; i < 16; i++) {
		int bits = prefix - i * 8;
		uint8_t mask = bits >= 8 ? 0xff : bits <= 0 ? 0 : (uint8_t)(0xff << (8 - bits));
		key[1 + i] = addr[i] & mask;
	}
	key[17] = (unsigned char)prefix;
}

static bool is_hex_hash(const char *s, size_t len)
{
	if (len != 32 && len != 40 && len != 64)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return true;
}

static bool is_key_id(const char *s, size_t len)
{
	if (len != 20 || (memcmp(s, "AKIA", 4) && memcmp(s, "ASIA", 4)))
		return false;
	for (size_t i = 4; i < len; i++)
		if (!isupper((unsigned char)s[i]) && !isdigit((unsigned char)s[i]))
			return false;
	return true;
}

/* A host name: labels of letters, digits, '-' and '_', at least two of them. */
static bool is_domain(const char *s, size_t len, bool need_dot)
{
	bool dot = false;
	size_t label = 0;

	if (!len || len > 253)
		return false;
	for (size_t i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c == '.') {
			if (!label)
				return false;
			dot = true;
			label = 0;
		} else if (isalnum(c) || c == '-' || c == '_') {
			if (++label > 63)
				return false;
		} else {
			return false;
		}
	}
	return label && (dot || !need_dot);
}

static int give(struct indicator_set *s, int kind, const char *value, size_t vlen, const char *desc, size_t dlen,
		size_t line_no)
{
	struct indicator_entry e = { kind, value, desc, vlen, dlen, line_no, s->valid_from, s->valid_until };

	return s->sink(s->sink_data, &e) < 0 ? -EINVAL : 1;
}

static int add_ioc(struct indicator_set *s, enum indicator_kind kind, const unsigned char *key, size_t klen,
		   const char *value, size_t vlen, const char *desc, size_t dlen, size_t line_no)
{
	size_t at;

	if (s->sink)
		return give(s, kind, value, vlen, desc, dlen, line_no);
	if ((at = set_find(s, key, klen)) != SIZE_MAX) {
		/* listed twice: the first listing's description stays; validity grows to cover both
		 * (a Tor exit seen on several days, a STIX indicator renewed) */
		struct ioc *c = &s->iocs[at];
		if (c->valid_from != BS_NONE && (s->valid_from == BS_NONE || s->valid_from < c->valid_from))
			c->valid_from = s->valid_from;
		if (c->valid_until != BS_NONE && (s->valid_until == BS_NONE || s->valid_until > c->valid_until))
			c->valid_until = s->valid_until;
		return 0;
	}
	if (s->n == s->cap) {
		s->cap = s->cap ? s->cap * 2 : 64;
		s->iocs = realloc(s->iocs, s->cap * sizeof(*s->iocs));
		if (!s->iocs)
			abort();
	}
	struct ioc *c = &s->iocs[s->n];
	c->kind = kind;
	c->valid_from = s->valid_from;
	c->valid_until = s->valid_until;
	c->value = strndup(value, vlen);
	c->desc = strndup(desc, dlen);
	c->list = s->nlists - 1;
	if (!c->value || !c->desc)
		abort();
	set_put(s, key, klen, s->n);
	s->n++;
	s->kinds[kind]++;
	s->lists[s->nlists - 1].count[kind]++;
	return 1;
}

static int add_line(struct indicator_set *s, const char *name, size_t line_no, const char *v, size_t len,
		    const char *desc, size_t dlen, struct strbuf *err)
{
	static const struct {
		const char *prefix;
		int kind;
	} prefixes[] = { { "ip:", IOC_IP }, { "domain:", IOC_DOMAIN }, { "hash:", IOC_HASH }, { "key:", IOC_KEY } };
	int forced = -1;
	unsigned char key[300];
	uint8_t addr[16];
	int prefix;

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i].prefix);
		if (len > pl && !strncasecmp(v, prefixes[i].prefix, pl)) {
			forced = prefixes[i].kind;
			v += pl;
			len -= pl;
			while (len && (*v == ' ' || *v == '\t')) {
				v++;
				len--;
			}
			break;
		}
	}
	if ((forced < 0 || forced == IOC_IP) && parse_ip(v, len, true, addr, &prefix)) {
		ip_key(addr, prefix, key);
		s->prefix_used[prefix] = true;
		return add_ioc(s, IOC_IP, key, 18, v, len, desc, dlen, line_no);
	}
	if ((forced < 0 || forced == IOC_HASH) && is_hex_hash(v, len)) {
		key[0] = 'h';
		for (size_t i = 0; i < len; i++)
			key[1 + i] = (unsigned char)tolower((unsigned char)v[i]);
		return add_ioc(s, IOC_HASH, key, len + 1, (const char *)key + 1, len, desc, dlen, line_no);
	}
	if ((forced < 0 || forced == IOC_KEY) && is_key_id(v, len)) {
		key[0] = 'k';
		memcpy(key + 1, v, len);
		return add_ioc(s, IOC_KEY, key, len + 1, v, len, desc, dlen, line_no);
	}
	if (forced < 0 || forced == IOC_DOMAIN) {
		const char *d = v;
		size_t dl = len;
		if (dl > 2 && !memcmp(d, "*.", 2)) {
			d += 2;
			dl -= 2;
		} else if (dl > 1 && d[0] == '.') {
			d++;
			dl--;
		}
		if (dl > 1 && d[dl - 1] == '.')
			dl--;
		if (is_domain(d, dl, forced < 0)) {
			key[0] = 'd';
			for (size_t i = 0; i < dl; i++)
				key[1 + i] = (unsigned char)tolower((unsigned char)d[i]);
			return add_ioc(s, IOC_DOMAIN, key, dl + 1, (const char *)key + 1, dl, desc, dlen, line_no);
		}
	}
	if (s->sink && s->lenient && forced < 0)
		return give(s, IOC__COUNT, v, len, desc, dlen, line_no);
	strbuf_addf(err, "%s:%zu: '%.*s' is not %s", name, line_no, (int)(len > 80 ? 80 : len), v,
		    forced < 0 ? "an IP address or network, a domain, a file hash (MD5, SHA-1, SHA-256) or an "
				 "access key id"
			       : forced == IOC_IP ? "an IP address or network"
			       : forced == IOC_HASH ? "a file hash (32, 40 or 64 hex digits)"
			       : forced == IOC_KEY ? "an access key id (AKIA… or ASIA…, 20 characters)"
						   : "a domain");
	return -EINVAL;
}

int indicator_set_add_value(struct indicator_set *s, const char *name, size_t line_no, const char *value, size_t len,
			    const char *desc, size_t dlen, int64_t valid_from, int64_t valid_until, struct strbuf *err)
{
	int r;

	s->valid_from = valid_from;
	s->valid_until = valid_until;
	r = add_line(s, name, line_no, value, len, desc, dlen, err);
	s->valid_from = s->valid_until = BS_NONE;
	return r;
}

/* The length of a leading kind prefix ("ip: ", "domain:" ...) and the blanks after it, or 0. */
static size_t prefix_len(const char *v, size_t len)
{
	static const char *const prefixes[] = { "ip:", "domain:", "hash:", "key:" };

	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		size_t pl = strlen(prefixes[i]);
		if (len > pl && !strncasecmp(v, prefixes[i], pl)) {
			while (pl < len && (v[pl] == ' ' || v[pl] == '\t'))
				pl++;
			return pl;
		}
	}
	return 0;
}

int indicator_set_add_text(struct indicator_set *s, const char *name, const char *text, size_t len,
			   struct strbuf *err)
{
	const char *line;
	size_t pos = 0, line_no = 0, ll;

	s->lists = realloc(s->lists, (s->nlists + 1) * sizeof(*s->lists));
	if (!s->lists)
		abort();
	memset(&s->lists[s->nlists], 0, sizeof(s->lists[0]));
	s->lists[s->nlists].path = strdup(name);
	sha256_hex(text, len, s->lists[s->nlists].sha256);
	s->nlists++;
	switch (indicator_feed_kind(text, len)) {
	case FEED_STIX:
		return indicator_feed_stix(s, name, text, len, err);
	case FEED_MISP_CSV:
		return indicator_feed_misp_csv(s, name, text, len, err);
	case FEED_ABUSECH_CSV:
		return indicator_feed_abusech_csv(s, name, text, len, err);
	case FEED_TOR_EXITS:
		return indicator_feed_tor_exits(s, name, text, len, err);
	case FEED_LINES:
		break;
	}
	while (feed_next_line(text, len, &pos, &line, &ll)) {
		size_t vlen, dstart = 0, dlen = 0;
		line_no++;
		/* trim; cut the comment (a '#' at the start or after a blank) */
		while (ll && isspace((unsigned char)line[ll - 1]))
			ll--;
		while (ll && isspace((unsigned char)*line)) {
			line++;
			ll--;
		}
		if (!ll || line[0] == '#')
			continue;
		vlen = ll;
		for (size_t i = 1; i < ll; i++) {
			if (line[i] == '#' && (line[i - 1] == ' ' || line[i - 1] == '\t')) {
				vlen = i;
				dstart = i + 1;
				while (dstart < ll && isspace((unsigned char)line[dstart]))
					dstart++;
				dlen = ll - dstart;
				break;
			}
		}
		while (vlen && isspace((unsigned char)line[vlen - 1]))
			vlen--;
		/* a CSV line or a blank-separated one: the indicator is the first field, the rest its
		 * description (unless a comment gave one) */
		for (size_t i = prefix_len(line, vlen); i < vlen; i++) {
			if (line[i] == ',' || line[i] == ' ' || line[i] == '\t') {
				if (!dlen) {
					dstart = i + 1;
					while (dstart < vlen && isspace((unsigned char)line[dstart]))
						dstart++;
					dlen = vlen - dstart;
				}
				vlen = i;
				while (vlen && isspace((unsigned char)line[vlen - 1]))
					vlen--;
				break;
			}
		}
		if (vlen >= 2 && (line[0] == '"' || line[0] == '\'') && line[vlen - 1] == line[0]) {
			line++; /* a quoted first field */
			vlen -= 2;
			dstart = dstart ? dstart - 1 : 0;
		}
		if (!vlen)
			continue;
		if (add_line(s, name, line_no, line, vlen, line + dstart, dlen, err) < 0)
			return -EINVAL;
	}
	return 0;
}

int indicator_set_load(char *const *paths, size_t n, struct indicator_set **ret, struct strbuf *err)
{
	return indicator_set_load_as(paths, NULL, n, ret, err);
}

int indicator_set_load_as(char *const *paths, const char *const *names, size_t n, struct indicator_set **ret,
			  struct strbuf *err)
{
	struct indicator_set *s = indicator_set_new();

	for (size_t i = 0; i < n; i++) {
		FILE *f = fopen(paths[i], "rb");
		struct strbuf text = STRBUF_INIT;
		char buf[65536];
		size_t got;
		int r;
		if (!f) {
			strbuf_addf(err, "cannot open indicator list '%s': %s", paths[i], strerror(errno));
			indicator_set_free(s);
			return -ENOENT;
		}
		while ((got = fread(buf, 1, sizeof(buf), f)) > 0)
			strbuf_add(&text, buf, got);
		r = ferror(f) ? -EIO : 0;
		fclose(f);
		if (r == 0 && memchr(text.buf ? text.buf : "", '\0', text.len)) {
			strbuf_addf(err, "%s: not a text file of indicators", paths[i]);
			r = -EINVAL;
		} else if (r == 0) {
			r = indicator_set_add_text(s, names ? names[i] : paths[i], text.buf ? text.buf : "", text.len, err);
		} else {
			strbuf_addf(err, "cannot read indicator list '%s'", paths[i]);
		}
		strbuf_release(&text);
		if (r < 0) {
			indicator_set_free(s);
			return r;
		}
	}
	*ret = s;
	return 0;
}

/* ---- lookups ---- */

static size_t lookup_ip(const struct indicator_set *s, const uint8_t addr[16])
{
	unsigned char key[18];

	for (int p = 128; p >= 0; p--) {
		size_t i;
		if (!s->prefix_used[p])
			continue;
		ip_key(addr, p, key);
		if ((i = set_find(s, key, 18)) != SIZE_MAX)
			return i;
	}
	return SIZE_MAX;
}

static size_t lookup_domain(const struct indicator_set *s, const char *d, size_t len)
{
	unsigned char key[256];

	if (len > 1 && d[len - 1] == '.')
		len--;
	if (!len || len > 253)
		return SIZE_MAX;
	/* the name, then each parent: a.b.evil.example, b.evil.example, evil.example, example */
	for (size_t at = 0; at < len;) {
		size_t i, n = len - at;
		const char *dot;
		key[0] = 'd';
		for (size_t k = 0; k < n; k++)
			key[1 + k] = (unsigned char)tolower((unsigned char)d[at + k]);
		if ((i = set_find(s, key, n + 1)) != SIZE_MAX)
			return i;
		dot = memchr(d + at, '.', n);
		if (!dot)
			break;
		at = (size_t)(dot - d) + 1;
	}
	return SIZE_MAX;
}

/* One value of any kind: SIZE_MAX when it hits nothing. */
static size_t lookup_any(const struct indicator_set *s, const char *v, size_t len)
{
	unsigned char key[80];
	uint8_t addr[16];
	int prefix;

	if (!len)
		return SIZE_MAX;
	if (s->kinds[IOC_IP] && (isxdigit((unsigned char)v[0]) || v[0] == ':') && len <= 45 &&
	    parse_ip(v, len, false, addr, &prefix))
		return lookup_ip(s, addr);
	if (s->kinds[IOC_HASH] && is_hex_hash(v, len)) {
		key[0] = 'h';
		for (size_t i = 0; i < len; i++)
			key[1 + i] = (unsigned char)tolower((unsigned char)v[i]);
		return set_find(s, key, len + 1);
	}
	if (s->kinds[IOC_KEY] && is_key_id(v, len)) {
		key[0] = 'k';
		memcpy(key + 1, v, len);
		return set_find(s, key, len + 1);
	}
	if (len > 1 && v[len - 1] == '.')
		len--; /* a fully qualified name */
	if (s->kinds[IOC_DOMAIN] && is_domain(v, len, true))
		return lookup_domain(s, v, len);
	return SIZE_MAX;
}

int indicator_lookup(const struct indicator_set *s, const char *text, size_t len, enum indicator_kind *ret_kind,
		     const char **ret_value, const char **ret_desc, const char **ret_list)
{
	size_t i = lookup_any(s, text, len);

	if (i == SIZE_MAX)
		return 0;
	if (ret_kind)
		*ret_kind = s->iocs[i].kind;
	if (ret_value)
		*ret_value = s->iocs[i].value;
	if (ret_desc)
		*ret_desc = s->iocs[i].desc;
	if (ret_list)
		*ret_list = s->lists[s->iocs[i].list].path;
	return 1;
}

int indicator_valid_at(const struct indicator_set *s, const char *text, size_t len, int64_t ts)
{
	size_t i = lookup_any(s, text, len);

	if (i == SIZE_MAX)
		return 0;
	return (s->iocs[i].valid_from == BS_NONE || ts >= s->iocs[i].valid_from) &&
	       (s->iocs[i].valid_until == BS_NONE || ts < s->iocs[i].valid_until);
}

/* ---- the pass over the case ---- */

struct hit {
	size_t ioc;
};

struct scan {
	const struct indicator_set *s;
	int64_t ts; /* the event's time */
	struct hit hits[32];
	size_t n;
	struct strbuf field; /* field names of hits in fields (they outlive the JSON) */
	size_t field_off[32];
};

static void note(struct scan *sc, size_t ioc, const char *field, const char *value, size_t vlen)
{
	const struct ioc *c;

	if (ioc == SIZE_MAX)
		return;
	/* an indicator is a hit only while its feed says it is valid */
	c = &sc->s->iocs[ioc];
	if ((c->valid_from != BS_NONE && sc->ts < c->valid_from) ||
	    (c->valid_until != BS_NONE && sc->ts >= c->valid_until))
		return;
	for (size_t i = 0; i < sc->n; i++)
		if (sc->hits[i].ioc == ioc)
			return;
	if (sc->n == sizeof(sc->hits) / sizeof(sc->hits[0]))
		return;
	sc->field_off[sc->n] = sc->field.len;
	strbuf_addstr(&sc->field, field);
	strbuf_addch(&sc->field, '\0');
	strbuf_add(&sc->field, value, vlen);
	strbuf_addch(&sc->field, '\0');
	sc->hits[sc->n].ioc = ioc;
	sc->n++;
}

/* Host names, addresses and key ids written in free text (a command line, a URL). */
static void scan_text(struct scan *sc, const char *t, size_t len, const char *field)
{
	size_t i = 0;

	while (i < len) {
		size_t start;
		while (i < len && !(isalnum((unsigned char)t[i]) || t[i] == ':' || t[i] == '.'))
			i++;
		start = i;
		while (i < len && (isalnum((unsigned char)t[i]) || t[i] == '.' || t[i] == '-' || t[i] == '_' ||
				   t[i] == ':'))
			i++;
		if (i == start)
			continue;
		const char *tok = t + start;
		size_t tl = i - start;
		size_t hit = lookup_any(sc->s, tok, tl);
		if (hit == SIZE_MAX && memchr(tok, ':', tl)) {
			/* host:port, scheme: — each part on its own */
			size_t a = 0;
			for (size_t k = 0; k <= tl && hit == SIZE_MAX; k++) {
				if (k == tl || tok[k] == ':') {
					if (k > a && (hit = lookup_any(sc->s, tok + a, k - a)) != SIZE_MAX) {
						tok += a;
						tl = k - a;
					}
					a = k + 1;
				}
			}
		}
		if (hit == SIZE_MAX) {
			while (tl && tok[tl - 1] == '.')
				tl--; /* a sentence's full stop */
			if (tl != i - start)
				hit = lookup_any(sc->s, tok, tl);
		}
		note(sc, hit, field, tok, tl);
	}
}

static void scan_value(struct scan *sc, const char *key, json_t *v)
{
	if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t len = json_string_length(v);
		size_t hit = lookup_any(sc->s, s, len);
		if (hit == SIZE_MAX && (strstr(key, "uri") || strstr(key, "url") || strstr(key, "cmdline") ||
					strstr(key, "args") || strstr(key, "command")))
			scan_text(sc, s, len, key);
		else
			note(sc, hit, key, s, len);
	} else if (json_is_array(v)) {
		size_t i;
		json_t *x;
		json_array_foreach(v, i, x) {
			if (json_is_string(x))
				scan_value(sc, key, x);
		}
	}
}

static const char *gd_type(enum indicator_kind k, const char *source)
{
	switch (k) {
	case IOC_IP:
		return source && !strcmp(source, "aws_cloudtrail") ? "UnauthorizedAccess:IAMUser/MaliciousIPCaller.Custom"
								   : "UnauthorizedAccess:EC2/MaliciousIPCaller.Custom";
	case IOC_HASH:
		return "Execution:Runtime/MaliciousFileExecuted.Custom";
	default:
		return NULL;
	}
}

static int severity_of(enum indicator_kind k)
{
	return k == IOC_HASH || k == IOC_KEY ? 8 : 5;
}

int indicator_match(struct casedb *cdb, const struct indicator_set *s, int64_t run_id, uint64_t *ret_hits,
		    struct strbuf *err)
{
	sqlite3_stmt *sel = NULL, *ins = NULL;
	struct scan sc = { .s = s };
	struct strbuf out = STRBUF_INIT, of = STRBUF_INIT, tags = STRBUF_INIT;
	uint64_t hits = 0;
	bool own_tx = sqlite3_get_autocommit(cdb->db);
	int rc;

	strbuf_init(&sc.field);
	if (ret_hits)
		*ret_hits = 0;
	if (!s || !s->n)
		return 0;
	if (own_tx && (rc = casedb_exec(cdb, "BEGIN IMMEDIATE", err)) < 0)
		return rc;
	rc = casedb_prepare(cdb,
			    "SELECT id, ts, source, type, host, src_ip, dst_ip, access_key_id, cmdline, fields, pid,"
			    " proc_name, summary FROM events ORDER BY id",
			    &sel, err);
	if (rc < 0)
		goto fail;
	rc = casedb_prepare(cdb,
			    "INSERT INTO alerts (run_id, rule, priority, source, event_id, ts, output, output_fields, tags)"
			    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
			    &ins, err);
	if (rc < 0)
		goto fail;
	while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
		static const struct {
			int col;
			const char *field;
		} cols[] = { { 5, "src_ip" }, { 6, "dst_ip" }, { 7, "access_key_id" } };
		const char *source = (const char *)sqlite3_column_text(sel, 2);
		const char *type = (const char *)sqlite3_column_text(sel, 3);
		const char *host = (const char *)sqlite3_column_text(sel, 4);
		const char *fields = (const char *)sqlite3_column_text(sel, 9);
		const char *proc = (const char *)sqlite3_column_text(sel, 11);

		sc.n = 0;
		sc.ts = sqlite3_column_int64(sel, 1);
		strbuf_reset(&sc.field);
		for (size_t c = 0; c < sizeof(cols) / sizeof(cols[0]); c++) {
			const char *v = (const char *)sqlite3_column_text(sel, cols[c].col);
			if (v)
				note(&sc, lookup_any(s, v, (size_t)sqlite3_column_bytes(sel, cols[c].col)), cols[c].field, v,
				     (size_t)sqlite3_column_bytes(sel, cols[c].col));
		}
		if (sqlite3_column_text(sel, 8))
			scan_text(&sc, (const char *)sqlite3_column_text(sel, 8), (size_t)sqlite3_column_bytes(sel, 8),
				  "cmdline");
		if (fields && fields[0] == '{' && fields[1] != '}') {
			json_t *o = json_loadb(fields, (size_t)sqlite3_column_bytes(sel, 9), 0, NULL);
			const char *k;
			json_t *v;
			json_object_foreach(o, k, v) scan_value(&sc, k, v);
			json_decref(o);
		}
		for (size_t h = 0; h < sc.n; h++) {
			const struct ioc *c = &s->iocs[sc.hits[h].ioc];
			const char *field = sc.field.buf + sc.field_off[h];
			const char *seen = field + strlen(field) + 1;
			const char *list = s->lists[c->list].path;
			const char *gd = gd_type(c->kind, source);
			struct jsonw_obj o;

			strbuf_reset(&out);
			strbuf_reset(&of);
			strbuf_reset(&tags);
			strbuf_addf(&out, "Indicator %s (%s on list %s%s%s): %s seen in %s of a %s %s event on %s", c->value,
				    kind_names[c->kind], list, *c->desc ? ": " : "", c->desc, seen, field,
				    source ? source : "?", type ? type : "?", host ? host : "<NA>");
			if (proc)
				strbuf_addf(&out, " (process %s, pid %lld)", proc, (long long)sqlite3_column_int64(sel, 10));
			jsonw_begin(&o, &of);
			jsonw_key_str(&o, "evt.type", type ? type : "");
			jsonw_key_str(&o, "indicator", c->value);
			jsonw_key_str(&o, "indicator.description", c->desc);
			jsonw_key_str(&o, "indicator.field", field);
			jsonw_key_str(&o, "indicator.kind", kind_names[c->kind]);
			jsonw_key_str(&o, "indicator.list", list);
			jsonw_key_str(&o, "indicator.seen", seen);
			if (proc)
				jsonw_key_str(&o, "proc.name", proc);
			jsonw_end(&o);
			strbuf_addstr(&tags, "[\"indicator\",");
			jsonw_cstr(&tags, c->kind == IOC_KEY ? "ioc:access_key" : c->kind == IOC_HASH ? "ioc:hash"
							       : c->kind == IOC_IP ? "ioc:ip" : "ioc:domain");
			if (gd) {
				strbuf_addstr(&tags, ",\"guardduty:");
				strbuf_addstr(&tags, gd);
				strbuf_addch(&tags, '"');
			}
			strbuf_addf(&tags, ",\"severity:%d\"]", severity_of(c->kind));
			sqlite3_bind_int64(ins, 1, run_id);
			sqlite3_bind_text(ins, 2, rule_names[c->kind], -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 3, severity_of(c->kind) >= 7 ? "Error" : "Warning", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 4, source ? source : "", -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 5, sqlite3_column_int64(sel, 0));
			sqlite3_bind_int64(ins, 6, sqlite3_column_int64(sel, 1));
			sqlite3_bind_text(ins, 7, out.buf, (int)out.len, SQLITE_STATIC);
			sqlite3_bind_text(ins, 8, of.buf, (int)of.len, SQLITE_STATIC);
			sqlite3_bind_text(ins, 9, tags.buf, (int)tags.len, SQLITE_STATIC);
			if (sqlite3_step(ins) != SQLITE_DONE) {
				strbuf_addf(err, "storing an indicator hit: %s", sqlite3_errmsg(cdb->db));
				rc = -EIO;
				goto fail;
			}
			sqlite3_reset(ins);
			hits++;
		}
	}
	if (rc != SQLITE_DONE) {
		strbuf_addf(err, "reading the timeline: %s", sqlite3_errmsg(cdb->db));
		rc = -EIO;
		goto fail;
	}
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	sel = ins = NULL;
	if (own_tx && (rc = casedb_exec(cdb, "COMMIT", err)) < 0)
		goto fail;
	if (ret_hits)
		*ret_hits = hits;
	rc = 0;
	goto out;
fail:
	if (rc >= 0)
		rc = -EIO;
	sqlite3_finalize(sel);
	sqlite3_finalize(ins);
	if (own_tx) {
		struct strbuf ignore = STRBUF_INIT;
		casedb_exec(cdb, "ROLLBACK", &ignore);
		strbuf_release(&ignore);
	}
out:
	strbuf_release(&sc.field);
	strbuf_release(&out);
	strbuf_release(&of);
	strbuf_release(&tags);
	return rc;
}

int indicator_record_run(struct casedb *cdb, const struct indicator_set *s, int64_t run_id, struct strbuf *err)
{
	json_t *a = json_array();
	sqlite3_stmt *up;
	char *text;
	int rc;

	for (size_t i = 0; s && i < s->nlists; i++) {
		json_t *o = json_object();
		json_object_set_new(o, "path", json_string(s->lists[i].path));
		json_object_set_new(o, "sha256", json_string(s->lists[i].sha256));
		for (int k = 0; k < IOC__COUNT; k++)
			json_object_set_new(o, kind_names[k], json_integer((json_int_t)s->lists[i].count[k]));
		json_array_append_new(a, o);
	}
	text = json_dumps(a, JSON_COMPACT);
	json_decref(a);
	rc = casedb_prepare(cdb, "UPDATE runs SET inputs = json_set(coalesce(inputs, '{}'), '$.indicators', json(?1))"
				 " WHERE id = ?2",
			    &up, err);
	if (rc == 0) {
		sqlite3_bind_text(up, 1, text ? text : "[]", -1, SQLITE_STATIC);
		sqlite3_bind_int64(up, 2, run_id);
		if (sqlite3_step(up) != SQLITE_DONE) {
			strbuf_addf(err, "recording the indicator lists: %s", sqlite3_errmsg(cdb->db));
			rc = -EIO;
		}
		sqlite3_finalize(up);
	}
	free(text);
	return rc;
}
