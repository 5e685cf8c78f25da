/* imp-auditd: Linux audit logs (/var/log/audit/audit.log, `ausearch --raw`) as syscall events.
 *
 * Follows the record format auditd writes (audit-userspace's auditd-event.c / the kernel's
 * audit_log_*): `[node=NAME ]type=TYPE msg=audit(SEC.MSEC:SERIAL): key=value ...`, values bare,
 * "quoted" or hex-encoded (when they hold spaces, quotes or control bytes), user-space records
 * with a nested msg='...', and the ENRICHED log format, which appends `\x1d` and interpreted
 * UPPERCASE fields (ARCH=x86_64 SYSCALL=execve UID="root"). shared/reference/corpus.md §3 lists
 * the variants.
 *
 * Records are joined into events by (node, timestamp, serial): records of several events may
 * interleave and arrive out of order, EOE may be missing, serials wrap at 2^32 and may be lost.
 * Up to PEND_MAX events wait in arrival order; the oldest is completed by its EOE, by a record
 * type that is never followed by others, or when PEND_WINDOW newer events or PEND_SECONDS of log
 * time have passed it. A SYSCALL event (with EXECVE argv — split aN_len/aN[i] arguments
 * included —, PROCTITLE, CWD, PATH items, SOCKADDR) becomes one syscall event through the shared
 * model (sys-model.h); every other record group (USER_*, CRED_*, LOGIN, ANOM_*, AVC, SERVICE_*
 * ...) becomes an event whose type is its record type in lower case, with its key=value pairs
 * under `audit.*` in fields.
 */
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bstime.h"
#include "importer.h"
#include "jsonw.h"
#include "sys-model.h"

/* memmem without its nonnull contract: evidence spans may be empty */
static const char *find_sub(const void *hay, size_t n, const char *w, size_t wn)
{
	const char *s = hay;

	if (!s || wn > n)
		return NULL;
	for (size_t i = 0; i + wn <= n; i++)
		if (s[i] == w[0] && !memcmp(s + i, w, wn))
			return s + i;
	return NULL;
}

#define PEND_MAX 64
#define PEND_WINDOW 32
#define PEND_SECONDS 60
#define MAX_RECORDS 1024      /* records kept per event; more are dropped with a warning */
#define MAX_EVENT_BYTES (16u << 20)
#define MAX_KV 512            /* key=value pairs read per record */
#define MAX_ARGS 8192

struct kv {
	const char *k, *v;
	uint32_t klen, vlen;
	uint32_t tag; /* kv_tag of the key: lookups compare this first */
	char quote; /* 0 bare, '"' or '\'' */
	bool enriched;
};

struct pend {
	bool used, complete;
	char node[64];
	int64_t ts;
	uint32_t serial;
	uint64_t offset;
	struct strbuf buf;     /* the records' lines, each followed by '\n' */
	uint32_t nrec;
	uint32_t rec_start[MAX_RECORDS], rec_len[MAX_RECORDS];
	/* where each record's type and body start in its line: the prefix is parsed once */
	uint32_t rec_type[MAX_RECORDS], rec_type_len[MAX_RECORDS], rec_body[MAX_RECORDS];
	bool overflow;
	uint32_t syscall_rec; /* index of the SYSCALL record, UINT32_MAX: none */
	bool has_execve;
};

/* The last "SEC.MS:SERIAL" stamp parsed: the records of an event follow one another and share
 * it, so most lines compare it instead of parsing its seventeen digits again. */
struct stamp_cache {
	char text[40];
	size_t len;
	int64_t ts;
	uint32_t serial;
};

struct state {
	struct sys_model *model;
	struct pend pend[PEND_MAX];
	int queue[PEND_MAX]; /* slots in arrival order */
	int qhead, qlen;
	int64_t newest_ts;
	bool have_flushed;
	uint32_t max_serial;
	uint64_t lost, lost_warnings, bad_lines;
	struct stamp_cache stamp;

	/* per-event scratch, reused */
	struct kv kvs[MAX_KV];
	struct strbuf arena, extra, argbuf, title;
	const char *argv[MAX_ARGS];
	uint32_t argvlen[MAX_ARGS];
};

/* ---- the line prefix ---- */

struct prefix {
	const char *node;
	size_t node_len;
	const char *type;
	size_t type_len;
	int64_t ts;
	uint32_t serial;
	const char *body;
	size_t body_len;
};

/* Up to max_digits decimal digits at *pp; false when there is none. */
static inline bool parse_u64(const char **pp, const char *end, uint64_t *ret, int max_digits)
{
	const char *p = *pp, *stop = end - p > max_digits ? p + max_digits : end;
	uint64_t v = 0;

	while (p < stop && (unsigned)(*p - '0') < 10)
		v = v * 10 + (uint64_t)(*p++ - '0');
	*ret = v;
	if (p == *pp)
		return false;
	*pp = p;
	return true;
}

static bool parse_prefix(const char *s, size_t len, struct prefix *px, struct stamp_cache *cache)
{
	const char *p = s, *end = s + len, *q;
	uint64_t sec, ms, serial;
	int ms_digits;
	size_t stamp_len = 0;

	px->node = NULL;
	px->node_len = 0;
	if (len > 5 && !memcmp(p, "node=", 5)) {
		p += 5;
		px->node = p;
		while (p < end && *p != ' ')
			p++;
		px->node_len = (size_t)(p - px->node);
		while (p < end && *p == ' ')
			p++;
	}
	if (end - p < 5 || memcmp(p, "type=", 5))
		return false;
	p += 5;
	q = p;
	while (p < end && *p != ' ')
		p++;
	if (p == q)
		return false;
	px->type = q;
	px->type_len = (size_t)(p - q);
	while (p < end && *p == ' ')
		p++;
	if (end - p < 11 || memcmp(p, "msg=audit(", 10))
		return false;
	p += 10;
	if (cache) {
		size_t span = end - p < (ptrdiff_t)sizeof(cache->text) ? (size_t)(end - p) : sizeof(cache->text);
		const char *close = memchr(p, ')', span);
		stamp_len = close ? (size_t)(close - p) : span;
		if (cache->len && stamp_len == cache->len && end - p >= (ptrdiff_t)stamp_len + 2 && p[stamp_len] == ')' &&
		    p[stamp_len + 1] == ':' &&
		    !memcmp(p, cache->text, stamp_len)) {
			p += stamp_len + 2;
			px->ts = cache->ts;
			px->serial = cache->serial;
			px->body = p;
			px->body_len = (size_t)(end - p);
			return true;
		}
	}
	q = p; /* the stamp */
	if (!parse_u64(&p, end, &sec, 11) || sec > 9000000000ull || p >= end || *p != '.')
		return false; /* past year 2255: not a time auditd wrote, and ns would overflow */
	p++;
	{
		const char *m0 = p;
		if (!parse_u64(&p, end, &ms, 9))
			return false;
		ms_digits = (int)(p - m0);
	}
	if (ms_digits != 3) {
		while (ms_digits < 3) {
			ms *= 10;
			ms_digits++;
		}
		while (ms_digits > 3) {
			ms /= 10;
			ms_digits--;
		}
	}
	if (p >= end || *p != ':')
		return false;
	p++;
	if (!parse_u64(&p, end, &serial, 10) || serial > UINT32_MAX)
		return false;
	if (end - p < 2 || p[0] != ')' || p[1] != ':')
		return false;
	px->ts = (int64_t)sec * BS_NS_PER_SEC + (int64_t)ms * 1000000;
	px->serial = (uint32_t)serial;
	if (cache && (size_t)(p - q) <= sizeof(cache->text)) {
		cache->len = (size_t)(p - q);
		memcpy(cache->text, q, cache->len);
		cache->ts = px->ts;
		cache->serial = px->serial;
	}
	p += 2;
	px->body = p;
	px->body_len = (size_t)(end - p);
	return true;
}

/* Record types that only ever come with others of their event and wait for EOE. */
static bool type_is_grouped(const char *t, size_t len)
{
	static const char *const grouped[] = {
		"SYSCALL", "PATH", "IPC", "SOCKETCALL", "SOCKADDR", "CWD", "EXECVE", "IPC_SET_PERM",
		"MQ_OPEN", "MQ_SENDRECV", "MQ_NOTIFY", "MQ_GETSETATTR", "FD_PAIR", "OBJ_PID", "BPRM_FCAPS",
		"CAPSET", "MMAP", "NETFILTER_CFG", "PROCTITLE", "KERN_MODULE", "AVC", "SELINUX_ERR",
		"URINGOP", "OPENAT2", "TIME_INJOFFSET", "TIME_ADJNTPVAL", "FANOTIFY", "AVC_PATH",
		"MAC_IPSEC_EVENT", "CONFIG_CHANGE", "ANOM_LINK", "INTEGRITY_RULE",
	};
	if (len > 8 && !memcmp(t, "UNKNOWN[", 8)) {
		long n = strtol(t + 8, NULL, 10);
		return n >= 1300 && n < 1500;
	}
	for (size_t i = 0; i < sizeof(grouped) / sizeof(grouped[0]); i++)
		if (strlen(grouped[i]) == len && !memcmp(grouped[i], t, len))
			return true;
	return false;
}

/* ---- key=value grammar ---- */

/* Length, first and last byte and the enriched flag of a key, in one word. */
static inline uint32_t kv_tag(const char *k, size_t klen, bool enriched)
{
	return (uint32_t)(klen & 0x7f) | (uint32_t)(unsigned char)k[0] << 8 | (uint32_t)(unsigned char)k[klen - 1] << 16 |
	       (uint32_t)enriched << 24;
}

/* Bytes that end a key (the '=', or a bare word's end) and a bare value. */
static const bool stops_key[256] = { ['='] = true, [' '] = true, ['\x1d'] = true };
static const bool stops_value[256] = { [' '] = true, ['\x1d'] = true };
/* Bytes between pairs. */
static const bool blanks[256] = { [' '] = true, ['\t'] = true, ['\x1d'] = true };

/*
 * Eight bytes at a time: the high bit of each byte of the result is set where w holds byte c
 * (exact for the lowest such byte, which is all that is used: a borrow only spills upwards).
 */
#define ONES 0x0101010101010101ull
#define HIGHS 0x8080808080808080ull
static inline uint64_t bytes_eq(uint64_t w, unsigned char c)
{
	uint64_t x = w ^ (ONES * c);

	return (x - ONES) & ~x & HIGHS;
}

/* The first byte at or after p (before end) that is a stop: ' ', 0x1d, and '=' if with_eq. */
static inline const char *scan_stop(const char *p, const char *end, bool with_eq)
{
	while (end - p >= 8) {
		uint64_t w, m;
		memcpy(&w, p, 8);
		m = bytes_eq(w, ' ') | bytes_eq(w, 0x1d) | (with_eq ? bytes_eq(w, '=') : 0);
		if (m) {
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
			return p + (__builtin_ctzll(m) >> 3);
#else
			return p + (__builtin_clzll(m) >> 3);
#endif
		}
		p += 8;
	}
	if (with_eq) {
		while (p < end && !stops_key[(unsigned char)*p])
			p++;
	} else {
		while (p < end && !stops_value[(unsigned char)*p])
			p++;
	}
	return p;
}

static size_t parse_kvs(const char *s, size_t len, struct kv *out, size_t max, size_t n, bool enriched)
{
	const char *p = s, *end = s + len;

	while (p < end && n < max) {
		const char *k, *v;
		char quote = 0;

		for (; p < end && blanks[(unsigned char)*p]; p++)
			if (*p == '\x1d')
				enriched = true; /* ENRICHED format: interpreted fields follow */
		if (p >= end)
			break;
		k = p;
		p = scan_stop(p, end, true);
		if (p >= end || *p != '=') {
			/* a bare word (AVC text, "user", "{"): not a field */
			if (p < end && *p == '\x1d')
				enriched = true;
			continue;
		}
		if (p == k) {
			p++;
			continue;
		}
		out[n].k = k;
		out[n].klen = (uint32_t)(p - k);
		p++;
		if (p < end && (*p == '"' || *p == '\'')) {
			const char *q;
			quote = *p++;
			v = p;
			q = memchr(p, quote, (size_t)(end - p));
			p = q ? q : end;
			out[n].v = v;
			out[n].vlen = (uint32_t)(p - v);
			if (p < end)
				p++;
		} else if (p < end && *p == '{') {
			/* enriched SADDR={ fam=inet laddr=... } */
			v = p;
			while (p < end && *p != '}')
				p++;
			if (p < end)
				p++;
			out[n].v = v;
			out[n].vlen = (uint32_t)(p - v);
		} else {
			v = p;
			p = scan_stop(p, end, false);
			out[n].v = v;
			out[n].vlen = (uint32_t)(p - v);
		}
		out[n].quote = quote;
		out[n].enriched = enriched;
		out[n].tag = kv_tag(out[n].k, out[n].klen, enriched);
		n++;
		/* user-space records nest their own fields in msg='...' */
		if (quote == '\'' && out[n - 1].klen == 3 && !memcmp(out[n - 1].k, "msg", 3))
			n = parse_kvs(out[n - 1].v, out[n - 1].vlen, out, max, n - 1, enriched);
	}
	return n;
}

static const struct kv *find_kvn(const struct kv *kvs, size_t n, const char *key, size_t klen, bool enriched)
{
	uint32_t tag = kv_tag(key, klen, enriched);

	for (size_t i = 0; i < n; i++)
		if (kvs[i].tag == tag && kvs[i].klen == klen && !memcmp(kvs[i].k, key, klen))
			return &kvs[i];
	return NULL;
}

/* key is a string literal: its length is known at compile time */
#define find_kv(kvs, n, key) find_kvn((kvs), (n), (key), strlen(key), false)
#define find_enriched(kvs, n, key) find_kvn((kvs), (n), (key), strlen(key), true)

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* The kernel writes upper-case hex; some producers rewrite titles in lower case. */
static bool is_hex_case(const char *s, size_t len, bool lower_ok)
{
	if (!len || len % 2)
		return false;
	for (size_t i = 0; i < len; i++)
		if (hexval(s[i]) < 0 || (!lower_ok && s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return true;
}

static bool is_hex(const char *s, size_t len)
{
	return is_hex_case(s, len, false);
}

/* Fields the kernel and auditd hex-encode when their value holds a space, quote or control byte
 * (audit_log_untrustedstring / audit_encode_value users). */
static bool hex_key(const char *k, size_t len)
{
	static const char *const keys[] = {
		"proctitle", "exe", "comm", "cmd", "acct", "name", "cwd", "path", "key", "data", "old", "new",
		"grp", "new_group", "old-chardev", "new-chardev", "root_dir", "ocomm", "watch",
		"new-disk", "old-disk", "new-fs", "old-fs", "new-net", "old-net", "new-rng", "old-rng",
		"new-mem", "old-mem", "new-vcpu", "old-vcpu", "device", "unit",
	};
	if (len >= 2 && k[0] == 'a' && k[1] >= '0' && k[1] <= '9')
		return true; /* EXECVE arguments, whole or in pieces */
	if (len < 3 || len > 11)
		return false;
	for (size_t i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (keys[i][0] == k[0] && strlen(keys[i]) == len && !memcmp(keys[i], k, len))
			return true;
	return false;
}

/*
 * A string value: quoted as is, bare hex decoded, other bare text as is. Written to the arena
 * (reserved up front, so earlier pointers stay valid) NUL-terminated; *ret_len gets the length.
 */
static const char *kv_string(struct state *st, const struct kv *kv, size_t *ret_len)
{
	struct strbuf *a = &st->arena;
	char *out;
	size_t n;

	if (!kv)
		return NULL;
	if (kv->quote || kv->enriched || !hex_key(kv->k, kv->klen) ||
	    !is_hex_case(kv->v, kv->vlen, kv->klen == 9 && !memcmp(kv->k, "proctitle", 9))) {
		n = kv->vlen;
		if (a->len + n + 1 > a->cap)
			return NULL;
		out = a->buf + a->len;
		memcpy(out, kv->v, n);
	} else {
		n = kv->vlen / 2;
		if (a->len + n + 1 > a->cap)
			return NULL;
		out = a->buf + a->len;
		for (size_t i = 0; i < n; i++)
			out[i] = (char)(hexval(kv->v[2 * i]) << 4 | hexval(kv->v[2 * i + 1]));
	}
	out[n] = '\0';
	a->len += n + 1;
	if (ret_len)
		*ret_len = n;
	return out;
}

/* A string value, NULL for absent and for the placeholders "(null)", "?" and "(none)". */
static const char *str_kv(struct state *st, const struct kv *kv)
{
	if (!kv || (!kv->quote && ((kv->vlen == 6 && !memcmp(kv->v, "(null)", 6)) || (kv->vlen == 1 && kv->v[0] == '?'))))
		return NULL;
	return kv_string(st, kv, NULL);
}

static const char *str_field(struct state *st, const struct kv *kvs, size_t n, const char *key)
{
	return str_kv(st, find_kv(kvs, n, key));
}

/* A whole value as a number (strtoull's grammar without the blanks: an optional sign, "0x" in
 * base 16); false for anything else and for values out of range. Parsed in place: this runs
 * twenty times per event. */
#define DV(c, v) [c] = v + 1
/* 1 + the value of a digit of base 16 or less, 0 for any other byte; digit_value is that - 1 */
static const uint8_t digit_value1[256] = {
	DV('0', 0), DV('1', 1), DV('2', 2), DV('3', 3), DV('4', 4), DV('5', 5), DV('6', 6), DV('7', 7), DV('8', 8),
	DV('9', 9), DV('a', 10), DV('b', 11), DV('c', 12), DV('d', 13), DV('e', 14), DV('f', 15), DV('A', 10),
	DV('B', 11), DV('C', 12), DV('D', 13), DV('E', 14), DV('F', 15),
};
#undef DV
#define digit_value(c) ((unsigned)digit_value1[c] - 1u) /* UINT_MAX for a non-digit */

static bool parse_num(const char *s, size_t len, int base, int64_t *ret)
{
	const char *end = s + len;
	bool neg = false, safe;
	uint64_t v = 0;

	if (s < end && (*s == '-' || *s == '+'))
		neg = *s++ == '-';
	if (base == 16 && end - s > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	if (s >= end)
		return false;
	/* up to 19 decimal or 16 hex digits cannot overflow: no range check (a division) per digit */
	safe = (size_t)(end - s) <= (base == 16 ? 16u : 19u);
	for (; s < end; s++) {
		/* a digit's value by table: hex and decimal digits mix unpredictably in a0..a3 */
		unsigned d = digit_value((unsigned char)*s);
		if (d >= (unsigned)base)
			return false;
		if (!safe && v > (UINT64_MAX - d) / (unsigned)base)
			return false; /* out of range */
		v = v * (unsigned)base + d;
	}
	if (neg && base == 10) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		*ret = (int64_t)(0 - v);
	} else {
		*ret = (int64_t)(neg ? 0 - v : v);
	}
	return true;
}

static bool num_kv(const struct kv *kv, int base, int64_t *ret)
{
	if (!kv || !kv->vlen || kv->vlen >= 32)
		return false;
	return parse_num(kv->v, kv->vlen, base, ret);
}

static bool num_field(const struct kv *kvs, size_t n, const char *key, int base, int64_t *ret)
{
	return num_kv(find_kv(kvs, n, key), base, ret);
}

/* auid/uid 4294967295 is "unset": Falco's -1. */
static int64_t id_kv(const struct kv *kv)
{
	int64_t v;

	if (!num_kv(kv, 10, &v))
		return BS_NONE;
	return v == 4294967295LL ? -1 : v;
}

static int64_t id_field(const struct kv *kvs, size_t n, const char *key)
{
	return id_kv(find_kv(kvs, n, key));
}

/*
 * The SYSCALL record's keys that emit_syscall reads, found in one pass over its pairs (the
 * first of each, as find_kv would find it) instead of a scan per key: this record has some
 * thirty pairs and twenty of them are looked up for every event.
 */
enum sc_key {
	SC_ARCH, SC_SYSCALL, SC_EXIT, SC_A0, SC_A1, SC_A2, SC_A3, SC_PID, SC_PPID, SC_UID, SC_EUID, SC_AUID,
	SC_COMM, SC_EXE, SC_TTY, SC_KEY, SC_SES, SC_E_SYSCALL, SC_E_UID, SC_E_AUID, SC__COUNT
};

static int sc_key_of(const struct kv *kv)
{
	const char *k = kv->k;

	if (kv->enriched) {
		if (kv->klen == 7 && !memcmp(k, "SYSCALL", 7))
			return SC_E_SYSCALL;
		if (kv->klen == 3 && !memcmp(k, "UID", 3))
			return SC_E_UID;
		if (kv->klen == 4 && !memcmp(k, "AUID", 4))
			return SC_E_AUID;
		return -1;
	}
	switch (kv->klen) {
	case 2:
		return k[0] == 'a' && k[1] >= '0' && k[1] <= '3' ? SC_A0 + (k[1] - '0') : -1;
	case 3:
		if (!memcmp(k, "pid", 3))
			return SC_PID;
		if (!memcmp(k, "uid", 3))
			return SC_UID;
		if (!memcmp(k, "exe", 3))
			return SC_EXE;
		if (!memcmp(k, "tty", 3))
			return SC_TTY;
		if (!memcmp(k, "key", 3))
			return SC_KEY;
		if (!memcmp(k, "ses", 3))
			return SC_SES;
		return -1;
	case 4:
		if (!memcmp(k, "arch", 4))
			return SC_ARCH;
		if (!memcmp(k, "exit", 4))
			return SC_EXIT;
		if (!memcmp(k, "ppid", 4))
			return SC_PPID;
		if (!memcmp(k, "euid", 4))
			return SC_EUID;
		if (!memcmp(k, "auid", 4))
			return SC_AUID;
		if (!memcmp(k, "comm", 4))
			return SC_COMM;
		return -1;
	case 7:
		return !memcmp(k, "syscall", 7) ? SC_SYSCALL : -1;
	default:
		return -1;
	}
}

static void sc_index(const struct kv *kvs, size_t n, const struct kv *idx[SC__COUNT])
{
	for (int i = 0; i < SC__COUNT; i++)
		idx[i] = NULL;
	for (size_t i = 0; i < n; i++) {
		int k = sc_key_of(&kvs[i]);
		if (k >= 0 && !idx[k])
			idx[k] = &kvs[i];
	}
}

/* SOCKADDR saddr= (hex of struct sockaddr; family in the writer's byte order). */
/* "a.b.c.d" into ip (16 bytes at least), as "%u.%u.%u.%u" writes it: this runs per connect */
static void ipv4_text(char *ip, const uint8_t b[4])
{
	char *o = ip;

	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];
		if (v >= 100)
			*o++ = (char)('0' + v / 100);
		if (v >= 10)
			*o++ = (char)('0' + v / 10 % 10);
		*o++ = (char)('0' + v % 10);
		*o++ = i < 3 ? '.' : '\0';
	}
}

static void decode_saddr(const char *hex, size_t len, struct sys_sockaddr *a)
{
	uint8_t b[128];
	size_t n = len / 2 > sizeof(b) ? sizeof(b) : len / 2;
	int fam;

	memset(a, 0, sizeof(*a));
	a->port = BS_NONE;
	if (!is_hex(hex, len) && !is_hex(hex, len - (len & 1)))
		return;
	for (size_t i = 0; i < n; i++)
		b[i] = (uint8_t)(hexval(hex[2 * i]) << 4 | hexval(hex[2 * i + 1]));
	if (n < 2)
		return;
	fam = b[0] | b[1] << 8;
	if (fam > 255)
		fam = b[0] << 8 | b[1]; /* big-endian writer */
	a->family = fam;
	if (fam == 2 && n >= 8) {
		a->port = b[2] << 8 | b[3];
		ipv4_text(a->ip, b + 4);
	} else if (fam == 10 && n >= 24) {
		char *o = a->ip;
		a->port = b[2] << 8 | b[3];
		/* text form without zero compression is fine for comparison, but compress like
		 * inet_ntop so that "::1" reads as users write it */
		{
			int best = -1, bestlen = 0, cur = -1, curlen = 0;
			uint16_t w[8];
			for (int i = 0; i < 8; i++) {
				w[i] = (uint16_t)(b[8 + 2 * i] << 8 | b[9 + 2 * i]);
				if (!w[i]) {
					if (cur < 0)
						cur = i, curlen = 0;
					curlen++;
					if (curlen > bestlen)
						best = cur, bestlen = curlen;
				} else {
					cur = -1;
				}
			}
			if (bestlen < 2)
				best = -1;
			if (best < 0 && w[0] == 0 && w[1] == 0 && w[2] == 0 && w[3] == 0 && w[4] == 0 && w[5] == 0xffff)
				best = 0;
			if (best == 0 && bestlen == 5 && w[5] == 0xffff) {
				snprintf(a->ip, sizeof(a->ip), "::ffff:%u.%u.%u.%u", b[20], b[21], b[22], b[23]);
				return;
			}
			for (int i = 0; i < 8; i++) {
				if (i == best) {
					o += sprintf(o, i == 0 ? "::" : ":");
					i += bestlen - 1;
					continue;
				}
				o += sprintf(o, "%x%s", w[i], i < 7 && i + 1 != best ? ":" : "");
			}
		}
	} else if (fam == 1) {
		size_t plen = 0;
		if (n > 2 && b[2] == 0 && n > 3 && b[3]) {
			a->path[0] = '@';
			for (size_t i = 3; i < n && b[i] && plen + 2 < sizeof(a->path); i++)
				a->path[1 + plen++] = (char)b[i];
			a->path[plen + 1] = '\0';
		} else {
			for (size_t i = 2; i < n && b[i] && plen + 1 < sizeof(a->path); i++)
				a->path[plen++] = (char)b[i];
			a->path[plen] = '\0';
		}
	}
}

/* ---- events ---- */

static void lower(char *dst, size_t cap, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len && i + 1 < cap; i++)
		dst[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
	dst[i] = '\0';
}

/* The kvs of record r of p, into st->kvs starting at `first`; returns the new count. */
static size_t record_kvs(struct state *st, const struct pend *p, uint32_t r, struct prefix *px, size_t first)
{
	const char *line = p->buf.buf + p->rec_start[r];

	memset(px, 0, sizeof(*px));
	px->type = line + p->rec_type[r];
	px->type_len = p->rec_type_len[r];
	px->body = line + p->rec_body[r];
	px->body_len = p->rec_len[r] - p->rec_body[r];
	px->ts = p->ts;
	px->serial = p->serial;
	return parse_kvs(px->body, px->body_len, st->kvs, MAX_KV, first, false);
}

static bool type_is(const struct prefix *px, const char *t)
{
	size_t n = strlen(t);
	return px->type_len == n && !memcmp(px->type, t, n);
}

/* Write every kv as fields "audit.<key>" (decoded strings; enriched ones as audit.<KEY>). */
static void kvs_to_json(struct state *st, struct jsonw_obj *o, const struct kv *kvs, size_t n, const char *skip_prefix)
{
	char key[80];

	for (size_t i = 0; i < n; i++) {
		size_t vlen;
		const char *v;
		if (kvs[i].klen > 60)
			continue;
		if (skip_prefix && kvs[i].klen >= 1 && kvs[i].k[0] == 'a' && kvs[i].klen <= 8 && kvs[i].k[1] >= '0' &&
		    kvs[i].k[1] <= '9')
			continue;
		memcpy(key, "audit.", 6);
		memcpy(key + 6, kvs[i].k, kvs[i].klen);
		key[6 + kvs[i].klen] = '\0';
		v = kv_string(st, &kvs[i], &vlen);
		if (v) {
			/* a decoded process title separates its arguments with NULs */
			for (size_t j = 0; j < vlen; j++)
				if (!v[j])
					((char *)v)[j] = ' ';
			jsonw_key_strn(o, key, v, vlen);
		}
	}
}

static int emit_other(struct imp_ctx *ctx, struct state *st, struct pend *p)
{
	struct prefix px;
	struct sys_call c;
	struct jsonw_obj o;
	char type[64];
	size_t n = 0;
	const struct kv *kv;
	int64_t v;

	sys_call_init(&c);
	strbuf_reset(&st->extra);
	jsonw_begin(&o, &st->extra);
	type[0] = '\0';
	for (uint32_t r = 0; r < p->nrec; r++) {
		n = record_kvs(st, p, r, &px, n);
		if (!px.body)
			continue;
		if (r == 0)
			lower(type, sizeof(type), px.type, px.type_len);
		if (type_is(&px, "AVC") || type_is(&px, "SELINUX_ERR")) {
			/* free text before the fields: "avc:  denied  { read write } for" */
			const char *b = px.body, *e = px.body + px.body_len;
			const char *brace = memchr(b, '{', px.body_len);
			const char *close = brace ? memchr(brace, '}', (size_t)(e - brace)) : NULL;
			if (brace && close)
				jsonw_key_strn(&o, "audit.avc.permissions", brace + 1, (size_t)(close - brace - 1));
			if (px.body_len > 6 && find_sub(b, px.body_len, "denied", 6))
				jsonw_key_str(&o, "audit.avc.result", "denied");
			else if (find_sub(b, px.body_len, "granted", 7))
				jsonw_key_str(&o, "audit.avc.result", "granted");
		}
	}
	c.host = p->node[0] ? p->node : ctx->opts->host;
	c.ts = p->ts;
	c.ts_precision = 1000000;
	c.offset = p->offset;
	c.raw = p->buf.buf;
	c.raw_len = p->buf.len ? p->buf.len - 1 : 0;
	c.name = type;
	if (num_field(st->kvs, n, "pid", 10, &v))
		c.pid = v;
	c.uid = id_field(st->kvs, n, "uid");
	c.loginuid = id_field(st->kvs, n, "auid");
	c.comm = str_field(st, st->kvs, n, "comm");
	c.exe = str_field(st, st->kvs, n, "exe");
	if ((kv = find_enriched(st->kvs, n, "UID")))
		c.user_name = kv_string(st, kv, NULL);
	if ((kv = find_kv(st->kvs, n, "res")) || (kv = find_kv(st->kvs, n, "success")))
		c.err = kv_string(st, kv, NULL);
	kvs_to_json(st, &o, st->kvs, n, NULL);
	jsonw_end(&o);
	c.extra_fields = st->extra.buf;
	return sys_model_call(st->model, &c);
}

/* Syscalls whose first argument is the fd they act on. */
static bool fd_first(const char *name)
{
	static const char *const names[] = {
		"read", "write", "pread64", "pwrite64", "readv", "writev", "sendto", "recvfrom", "sendmsg",
		"recvmsg", "listen", "shutdown", "ioctl", "fchmod", "fchown", "fstat", "ftruncate",
		"getsockopt", "setsockopt", "fsync", "fdatasync", "flock", "lseek", "getdents64", "getdents",
		"sendfile", "splice", "fsetxattr", "fremovexattr", "fchdir", "send", "recv", "sendmmsg",
		"recvmmsg", "close",
	};
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i]))
			return true;
	return false;
}


/* ptrace(2) requests (linux/ptrace.h, x86 numbering for the register requests), for evt.arg.request. */
static const char *ptrace_request_name(int64_t req)
{
	static const struct {
		int64_t n;
		const char *name;
	} reqs[] = {
		{ 0, "PTRACE_TRACEME" },     { 1, "PTRACE_PEEKTEXT" },	  { 2, "PTRACE_PEEKDATA" },
		{ 3, "PTRACE_PEEKUSER" },    { 4, "PTRACE_POKETEXT" },	  { 5, "PTRACE_POKEDATA" },
		{ 6, "PTRACE_POKEUSER" },    { 7, "PTRACE_CONT" },	  { 8, "PTRACE_KILL" },
		{ 9, "PTRACE_SINGLESTEP" },  { 12, "PTRACE_GETREGS" },	  { 13, "PTRACE_SETREGS" },
		{ 14, "PTRACE_GETFPREGS" },  { 15, "PTRACE_SETFPREGS" },  { 16, "PTRACE_ATTACH" },
		{ 17, "PTRACE_DETACH" },     { 24, "PTRACE_SYSCALL" },	  { 0x4200, "PTRACE_SETOPTIONS" },
		{ 0x4201, "PTRACE_GETEVENTMSG" }, { 0x4204, "PTRACE_GETREGSET" }, { 0x4205, "PTRACE_SETREGSET" },
		{ 0x4206, "PTRACE_SEIZE" },  { 0x4207, "PTRACE_INTERRUPT" },
	};

	for (size_t i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++)
		if (reqs[i].n == req)
			return reqs[i].name;
	return NULL;
}

static int emit_syscall(struct imp_ctx *ctx, struct state *st, struct pend *p, uint32_t sys_rec)
{
	struct prefix px;
	struct sys_call c;
	struct jsonw_obj o;
	size_t n, ns;
	const struct kv *kv;
	int64_t v, a[4] = { BS_NONE, BS_NONE, BS_NONE, BS_NONE }, argc = -1;
	char name_buf[32];
	const char *paths[4] = { NULL, NULL, NULL, NULL }; /* normal, delete, create, any */
	const char *item0 = NULL;
	size_t nargs = 0;
	enum sys_arch arch = SYS_ARCH_UNKNOWN;
	bool have_execve = false, have_title = false;
	const struct kv *sc[SC__COUNT];

	sys_call_init(&c);
	n = sys_rec < p->nrec ? record_kvs(st, p, sys_rec, &px, 0) : 0; /* no SYSCALL: EXECVE alone */
	ns = n;
	c.host = p->node[0] ? p->node : ctx->opts->host;
	c.ts = p->ts;
	c.ts_precision = 1000000;
	c.offset = p->offset;
	c.raw = p->buf.buf;
	c.raw_len = p->buf.len ? p->buf.len - 1 : 0;

	sc_index(st->kvs, n, sc);
	if (num_kv(sc[SC_ARCH], 16, &v))
		arch = sys_arch_from_audit((uint32_t)v);
	if (num_kv(sc[SC_SYSCALL], 10, &v)) {
		c.name = sys_syscall_name(arch, v);
		if ((kv = sc[SC_E_SYSCALL]) && kv->vlen && kv->vlen < sizeof(name_buf)) {
			memcpy(name_buf, kv->v, kv->vlen);
			name_buf[kv->vlen] = '\0';
			if (!c.name)
				c.name = name_buf;
		}
		if (!c.name) {
			snprintf(name_buf, sizeof(name_buf), "syscall_%lld", (long long)v);
			c.name = name_buf;
		}
	} else {
		c.name = sys_rec < p->nrec ? "syscall" : "execve";
	}
	if (num_kv(sc[SC_EXIT], 10, &v)) {
		c.has_res = true;
		c.res = v;
	}
	for (int i = 0; i < 4; i++)
		if (num_kv(sc[SC_A0 + i], 16, &v))
			a[i] = v;
	if (num_kv(sc[SC_PID], 10, &v))
		c.pid = v;
	if (num_kv(sc[SC_PPID], 10, &v))
		c.ppid = v;
	c.uid = id_kv(sc[SC_UID]);
	c.euid = id_kv(sc[SC_EUID]);
	c.loginuid = id_kv(sc[SC_AUID]);
	c.comm = str_kv(st, sc[SC_COMM]);
	c.exe = str_kv(st, sc[SC_EXE]);
	if ((kv = sc[SC_TTY]))
		c.tty = kv_string(st, kv, NULL);
	if ((kv = sc[SC_E_UID]))
		c.user_name = kv_string(st, kv, NULL);

	strbuf_reset(&st->extra);
	jsonw_begin(&o, &st->extra);
	{
		const char *key = str_kv(st, sc[SC_KEY]);
		if (key)
			jsonw_lkey_str(&o, "audit.key", key);
		/* the enriched format names the login user: Falco's user.loginname */
		if ((kv = sc[SC_E_AUID]) && !(kv->vlen == 5 && !memcmp(kv->v, "unset", 5)))
			jsonw_lkey_strn(&o, "user.loginname", kv->v, kv->vlen);
	}
	if (num_kv(sc[SC_SES], 10, &v))
		jsonw_lkey_i64(&o, "audit.ses", v == 4294967295LL ? -1 : v);
	/* a0..a3 stay in the raw record: mostly user-space pointers, decoded below where they mean
	 * something (flags, fds, domains) */

	/* the other records */
	for (uint32_t r = 0; r < p->nrec; r++) {
		size_t m, base = ns;
		if (r == sys_rec)
			continue;
		m = record_kvs(st, p, r, &px, base);
		if (type_is(&px, "EXECVE")) {
			have_execve = true;
			if (num_field(st->kvs + base, m - base, "argc", 10, &v) && v >= 0 && v < MAX_ARGS)
				argc = v;
			for (size_t i = base; i < m; i++) {
				const struct kv *x = &st->kvs[i];
				char *endp;
				long idx;
				if (x->klen < 2 || x->k[0] != 'a' || x->k[1] < '0' || x->k[1] > '9')
					continue;
				idx = strtol(x->k + 1, &endp, 10);
				if (idx < 0 || idx >= MAX_ARGS)
					continue;
				if ((size_t)(endp - x->k) == x->klen) {
					size_t len;
					const char *s = (x->vlen == 6 && !memcmp(x->v, "(null)", 6) && !x->quote)
								? NULL
								: kv_string(st, x, &len);
					if (!s)
						continue;
					while (nargs <= (size_t)idx)
						st->argv[nargs] = NULL, st->argvlen[nargs++] = 0;
					st->argv[idx] = s;
					st->argvlen[idx] = (uint32_t)len;
				} else if (*endp == '[') {
					/* aN[i]: pieces of one long argument, appended in order to argbuf */
					size_t len;
					const char *s = kv_string(st, x, &len);
					if (!s)
						continue;
					while (nargs <= (size_t)idx)
						st->argv[nargs] = NULL, st->argvlen[nargs++] = 0;
					if (!st->argv[idx]) {
						st->argv[idx] = s;
						st->argvlen[idx] = (uint32_t)len;
					} else if (st->argv[idx] + st->argvlen[idx] + 1 == s) {
						/* adjacent in the arena: join by moving over the NUL */
						memmove((char *)s - 1, s, len + 1);
						st->argvlen[idx] += (uint32_t)len;
						st->arena.len--;
					}
				}
			}
		} else if (type_is(&px, "CWD")) {
			const char *cwd = str_field(st, st->kvs + base, m - base, "cwd");
			if (cwd)
				c.cwd = cwd;
		} else if (type_is(&px, "PATH")) {
			const char *name = str_field(st, st->kvs + base, m - base, "name");
			const struct kv *nt = find_kv(st->kvs + base, m - base, "nametype");
			int64_t item = -1;
			num_field(st->kvs + base, m - base, "item", 10, &item);
			if (!name)
				continue;
			if (item == 0)
				item0 = name;
			if (!nt || (nt->vlen == 6 && !memcmp(nt->v, "NORMAL", 6))) {
				if (!paths[0])
					paths[0] = name;
			} else if (nt->vlen == 6 && !memcmp(nt->v, "CREATE", 6)) {
				paths[2] = name;
			} else if (nt->vlen == 6 && !memcmp(nt->v, "DELETE", 6)) {
				paths[1] = name;
			}
			if (!paths[3])
				paths[3] = name;
		} else if (type_is(&px, "SOCKADDR")) {
			const struct kv *sa = find_kv(st->kvs + base, m - base, "saddr");
			if (sa)
				decode_saddr(sa->v, sa->vlen, &c.addr);
		} else if (type_is(&px, "PROCTITLE")) {
			const struct kv *pt = find_kv(st->kvs + base, m - base, "proctitle");
			size_t len;
			const char *s = pt ? kv_string(st, pt, &len) : NULL;
			if (s && !have_title) {
				have_title = true;
				strbuf_reset(&st->title);
				strbuf_add(&st->title, s, len);
			}
		} else if (type_is(&px, "AVC")) {
			/* the access decision that came with the call: its fields under audit.avc.* */
			for (size_t k = base; k < m; k++) {
				char key[80];
				size_t vlen;
				const char *val;
				if (st->kvs[k].klen > 60)
					continue;
				snprintf(key, sizeof(key), "audit.avc.%.*s", (int)st->kvs[k].klen, st->kvs[k].k);
				val = kv_string(st, &st->kvs[k], &vlen);
				if (val)
					jsonw_key_strn(&o, key, val, vlen);
			}
		} else if (type_is(&px, "FD_PAIR")) {
			int64_t f0, f1;
			if (num_field(st->kvs + base, m - base, "fd0", 10, &f0) && num_field(st->kvs + base, m - base, "fd1", 10, &f1)) {
				c.fd = f0;
				c.fd2 = f1;
			}
		}
	}

	/* arguments by syscall */
	{
		const char *nm = c.name;
		const char *target = paths[2] ? paths[2] : paths[0] ? paths[0] : paths[3];
		int64_t fd0 = a[0] == BS_NONE ? BS_NONE : (int64_t)(int32_t)a[0];
		if (!strcmp(nm, "open")) {
			c.flags = a[1];
			c.mode = a[2];
			c.path = target;
		} else if (!strcmp(nm, "openat") || !strcmp(nm, "openat2")) {
			c.fd = fd0;
			if (!strcmp(nm, "openat")) {
				c.flags = a[2];
				c.mode = a[3];
			}
			c.path = target;
		} else if (!strcmp(nm, "creat")) {
			c.flags = 01 | 0100 | 01000;
			c.mode = a[1];
			c.path = target;
		} else if (!strcmp(nm, "execve") || !strcmp(nm, "execveat")) {
			c.path = item0;
		} else if (!strcmp(nm, "connect") || !strcmp(nm, "bind") || !strcmp(nm, "accept") || !strcmp(nm, "accept4")) {
			c.fd = fd0;
		} else if (!strcmp(nm, "socket")) {
			c.sock_domain = (int)a[0];
			c.sock_type = (int)a[1];
		} else if (!strcmp(nm, "dup") || !strcmp(nm, "dup2") || !strcmp(nm, "dup3")) {
			c.fd = fd0;
			if (nm[3])
				c.fd2 = a[1] == BS_NONE ? BS_NONE : (int64_t)(int32_t)a[1];
			if (nm[3] == '3')
				c.flags = a[2];
		} else if (!strcmp(nm, "fcntl")) {
			c.fd = fd0;
			c.flags = a[1];
		} else if (!strcmp(nm, "clone")) {
			c.flags = a[0];
			c.thread = a[0] != BS_NONE && (a[0] & 0x10000);
		} else if (!strcmp(nm, "exit_group") || !strcmp(nm, "exit")) {
			c.exit_status = a[0] == BS_NONE ? BS_NONE : (int64_t)(int32_t)a[0];
		} else if (!strcmp(nm, "rename") || !strcmp(nm, "renameat") || !strcmp(nm, "renameat2") || !strcmp(nm, "link") ||
			   !strcmp(nm, "linkat") || !strcmp(nm, "symlink") || !strcmp(nm, "symlinkat")) {
			c.path = paths[1] ? paths[1] : paths[0] ? paths[0] : paths[3];
			c.path2 = paths[2];
		} else if (!strcmp(nm, "pipe") || !strcmp(nm, "pipe2") || !strcmp(nm, "socketpair")) {
			/* descriptors from FD_PAIR */
		} else if (fd_first(nm)) {
			c.fd = fd0;
		} else {
			c.path = paths[2] ? paths[2] : paths[1] ? paths[1] : paths[0] ? paths[0] : paths[3];
		}
		if (c.has_res && c.res < 0 && (!strcmp(nm, "socket")))
			c.sock_domain = (int)a[0];
	}

	/* arm64 numbers four open flags differently from x86 and the generic ABI the model uses */
	if (arch == SYS_ARCH_AARCH64 && c.flags != BS_NONE && c.flags > 0 && c.path) {
		int64_t f = c.flags & ~(int64_t)0740000;
		f |= (c.flags & 040000) ? 0200000 : 0;  /* O_DIRECTORY */
		f |= (c.flags & 0100000) ? 0400000 : 0; /* O_NOFOLLOW */
		f |= (c.flags & 0200000) ? 040000 : 0;  /* O_DIRECT */
		f |= (c.flags & 0400000) ? 0100000 : 0; /* O_LARGEFILE */
		c.flags = f;
	}

	/* argv: EXECVE, else the process title describes the process */
	if (have_execve) {
		size_t cnt = argc >= 0 ? (size_t)argc : nargs;
		if (cnt > nargs) {
			while (nargs < cnt && nargs < MAX_ARGS)
				st->argv[nargs] = NULL, st->argvlen[nargs++] = 0;
		}
		c.argv = st->argv;
		c.argc = cnt < nargs ? cnt : nargs;
		if (argc >= 0 && (size_t)argc != c.argc)
			jsonw_key_i64(&o, "audit.argc", argc);
	} else if (have_title && st->title.len) {
		size_t start = 0, cnt = 0;
		for (size_t i = 0; i <= st->title.len && cnt < MAX_ARGS; i++) {
			if (i == st->title.len || st->title.buf[i] == '\0') {
				st->argv[cnt++] = st->title.buf + start;
				st->title.buf[i] = '\0';
				start = i + 1;
			}
		}
		while (cnt > 1 && !st->argv[cnt - 1][0])
			cnt--;
		c.argv = st->argv;
		c.argc = cnt;
		c.argv_is_title = true;
	}
	if (!strcmp(c.name, "ptrace") && a[0] != BS_NONE) {
		/* the request by name, as strace and Falco print it, and the target pid */
		const char *req = ptrace_request_name(a[0]);
		if (req)
			jsonw_key_str(&o, "evt.arg.request", req);
		else
			jsonw_key_i64(&o, "evt.arg.request", a[0]);
		if (a[1] != BS_NONE)
			jsonw_key_i64(&o, "evt.arg.pid", (int64_t)(int32_t)a[1]);
	}
	jsonw_end(&o);
	c.extra_fields = st->extra.buf;
	return sys_model_call(st->model, &c);
}

static int emit_event(struct imp_ctx *ctx, struct state *st, struct pend *p)
{
	struct prefix px;
	int r = 0;

	strbuf_reset(&st->arena);
	strbuf_grow(&st->arena, p->buf.len * 2 + 256);
	if (p->overflow)
		imp_warning(ctx, p->offset, "event %u has more than %u records: the rest were dropped", p->serial, MAX_RECORDS);
	(void)px;
	if (p->syscall_rec != UINT32_MAX)
		r = emit_syscall(ctx, st, p, p->syscall_rec);
	else if (p->has_execve)
		r = emit_syscall(ctx, st, p, UINT32_MAX); /* EXECVE without its SYSCALL */
	else
		r = emit_other(ctx, st, p);
	if (!st->have_flushed || p->serial > st->max_serial) {
		if (st->have_flushed && p->serial - st->max_serial > 1 && p->serial - st->max_serial < 100000) {
			uint32_t gap = p->serial - st->max_serial - 1;
			st->lost += gap;
			if (st->lost_warnings++ < 100)
				imp_warning(ctx, p->offset, "serials %u..%u are missing (records lost or filtered)",
					    st->max_serial + 1, p->serial - 1);
		}
		st->max_serial = p->serial;
		st->have_flushed = true;
	}
	p->used = false;
	return r;
}

static int flush_head(struct imp_ctx *ctx, struct state *st)
{
	int slot = st->queue[st->qhead];

	st->qhead = (st->qhead + 1) % PEND_MAX;
	st->qlen--;
	return emit_event(ctx, st, &st->pend[slot]);
}

static int flush_ready(struct imp_ctx *ctx, struct state *st, bool all)
{
	int r;

	while (st->qlen) {
		struct pend *h = &st->pend[st->queue[st->qhead]];
		if (!all && !h->complete && st->qlen <= PEND_WINDOW &&
		    h->ts + PEND_SECONDS * BS_NS_PER_SEC >= st->newest_ts)
			break;
		if ((r = flush_head(ctx, st)) < 0)
			return r;
	}
	return 0;
}

static int add_record(struct imp_ctx *ctx, struct state *st, const struct prefix *px, const char *line, size_t len,
		      uint64_t offset)
{
	struct pend *p = NULL;
	size_t nlen = px->node_len < 63 ? px->node_len : 63;
	bool eoe = px->type_len == 3 && !memcmp(px->type, "EOE", 3);
	int r;

	for (int i = st->qlen - 1; i >= 0; i--) {
		struct pend *q = &st->pend[st->queue[(st->qhead + i) % PEND_MAX]];
		if (q->serial == px->serial && q->ts == px->ts && !q->complete && strlen(q->node) == nlen &&
		    (!nlen || !memcmp(q->node, px->node, nlen))) {
			p = q;
			break;
		}
	}
	if (!p && eoe)
		return 0; /* an EOE whose event was already flushed */
	if (!p) {
		int slot = -1;
		if (st->qlen == PEND_MAX && (r = flush_head(ctx, st)) < 0)
			return r;
		for (int i = 0; i < PEND_MAX; i++)
			if (!st->pend[i].used) {
				slot = i;
				break;
			}
		if (slot < 0)
			return -EINVAL;
		p = &st->pend[slot];
		p->used = true;
		p->complete = false;
		p->overflow = false;
		if (nlen)
			memcpy(p->node, px->node, nlen);
		p->node[nlen] = '\0';
		p->ts = px->ts;
		p->serial = px->serial;
		p->offset = offset;
		p->nrec = 0;
		p->syscall_rec = UINT32_MAX;
		p->has_execve = false;
		strbuf_reset(&p->buf);
		st->queue[(st->qhead + st->qlen) % PEND_MAX] = slot;
		st->qlen++;
	}
	if (eoe) {
		p->complete = true;
	} else if (p->nrec == MAX_RECORDS || p->buf.len + len + 1 > MAX_EVENT_BYTES) {
		p->overflow = true;
	} else {
		if (p->syscall_rec == UINT32_MAX && type_is(px, "SYSCALL"))
			p->syscall_rec = p->nrec;
		else if (type_is(px, "EXECVE"))
			p->has_execve = true;
		p->rec_start[p->nrec] = (uint32_t)p->buf.len;
		p->rec_len[p->nrec] = (uint32_t)len;
		p->rec_type[p->nrec] = (uint32_t)(px->type - line);
		p->rec_type_len[p->nrec] = (uint32_t)px->type_len;
		p->rec_body[p->nrec] = (uint32_t)(px->body - line);
		p->nrec++;
		strbuf_add(&p->buf, line, len);
		strbuf_addch(&p->buf, '\n');
		if (p->nrec == 1 && !type_is_grouped(px->type, px->type_len))
			p->complete = true;
	}
	if (px->ts > st->newest_ts)
		st->newest_ts = px->ts;
	return flush_ready(ctx, st, false);
}

/* ---- the importer ---- */

static int probe(const uint8_t *head, size_t len)
{
	const char *s = (const char *)head;
	size_t i = 0, lines = 0, good = 0;

	while (i < len && lines < 8) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (s + i)) : len - i;
		struct prefix px;
		if (l && s[i] != '#') {
			lines++;
			if (parse_prefix(s + i, l, &px, NULL))
				good++;
			else if (!nl && (find_sub(s + i, l, "msg=audit(", 10)))
				good++; /* the probe window cut the line */
		}
		if (!nl)
			break;
		i += l + 1;
	}
	if (!good)
		return 0;
	return good == lines ? 90 : good * 2 >= lines ? 70 : 40;
}

static int open_(struct imp_ctx *ctx, void **ret_state)
{
	struct state *st = calloc(1, sizeof(*st));

	if (!st)
		return -ENOMEM;
	st->model = sys_model_new(ctx);
	if (!st->model) {
		free(st);
		return -ENOMEM;
	}
	for (int i = 0; i < PEND_MAX; i++)
		strbuf_init(&st->pend[i].buf);
	strbuf_init(&st->arena);
	strbuf_init(&st->extra);
	strbuf_init(&st->argbuf);
	strbuf_init(&st->title);
	*ret_state = st;
	return 0;
}

static int next(struct imp_ctx *ctx, void *state)
{
	struct state *st = state;
	const uint8_t *line;
	size_t len;
	uint64_t offset;
	struct prefix px;
	int r;

	for (int batch = 0; batch < 256; batch++) {
		r = reader_line(ctx->in, &line, &len, &offset);
		if (r == -E2BIG) {
			imp_skipped(ctx, offset, "line longer than %u bytes", READER_MAX);
			continue;
		}
		if (r < 0)
			return r;
		if (r == 0) {
			r = flush_ready(ctx, st, true);
			if (r < 0)
				return r;
			if (st->lost)
				imp_warning(ctx, reader_offset(ctx->in), "%llu audit serials missing in total",
					    (unsigned long long)st->lost);
			return 0;
		}
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (!len)
			continue;
		if ((len >= 4 && !memcmp(line, "----", 4)) || (len >= 6 && !memcmp(line, "time->", 6)))
			continue; /* ausearch's (non --raw) separator and local-time header of an event */
		if (line[0] == '#') {
			if (st->bad_lines++ < 10)
				imp_warning(ctx, offset, "comment line ignored (not audit.log syntax)");
			continue;
		}
		if (!parse_prefix((const char *)line, len, &px, &st->stamp)) {
			imp_skipped(ctx, offset, "not an audit record (expected 'type=... msg=audit(SEC.MS:SERIAL): ')");
			continue;
		}
		if ((r = add_record(ctx, st, &px, (const char *)line, len, offset)) < 0)
			return r;
	}
	return 1;
}

static void close_(void *state)
{
	struct state *st = state;

	if (!st)
		return;
	sys_model_free(st->model);
	for (int i = 0; i < PEND_MAX; i++)
		strbuf_release(&st->pend[i].buf);
	strbuf_release(&st->arena);
	strbuf_release(&st->extra);
	strbuf_release(&st->argbuf);
	strbuf_release(&st->title);
	free(st);
}

const struct importer imp_auditd = {
	.name = "auditd",
	.summary = "Linux audit logs (audit.log, ausearch --raw, enriched format)",
	.version = "1",
	.probe = probe,
	.open = open_,
	.next = next,
	.close = close_,
};
