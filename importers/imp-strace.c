/* imp-strace: strace text output as syscall events.
 *
 * Follows the output strace(1) writes (strace 4.x to 6.x; the strace test suite's expected
 * outputs in shared/corpus/strace are the grammar oracles, corpus.md §3 the variants):
 *   [PID |[pid N] ][TIMESTAMP ]name(args) = RET [ERRNO (text)] [(annotation)] [<DURATION>]
 * with `-f` (pid column, or `[pid N]` on a terminal), `-ff -o prefix` (one file per process:
 * the pid is the file name's numeric suffix), timestamps `-t` (HH:MM:SS), `-tt` (.usec),
 * `--timestamps=ns`, `-ttt` (epoch), `-r` (relative), `-T` (<duration>); split calls
 * `name(args <unfinished ...>` joined with their `<... name resumed>rest`; `-y`/`-yy` fd
 * annotations (`3</etc/passwd>`, `3<TCP:[a:p->b:q]>`, `4<pipe:[123]>`); `--- SIG... ---`
 * signals; `+++ exited with N +++` and `+++ killed by SIG +++`. Every completed call goes
 * through the shared syscall model (sys-model.h), which keeps the process tree and fd tables.
 *
 * -t/-tt lines carry no date: the date is --date's, else the day the file was last written
 * (the trace's end; the day before when its first time is later in the day than that), else
 * 1970-01-01, and the assumption is recorded in the ledger (as it is for -r, whose times are
 * relative to the first line). strace keeps one -r clock for every tracee, so in a -ff file each
 * -r time is the time since the line strace wrote before it to whichever file: such a file is
 * counted from --date, and analyzer/proclink.c places it after the clone that created its
 * process once both files are in the case (the ledger says these times are lower bounds).
 * With -t/-tt/-ttt and -r together, the "(+ 0.000123)" after the time is skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bstime.h"
#include "i64map.h"
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

#define MAX_ARGS 64          /* top-level arguments read per call */
#define MAX_ARGV 4096        /* execve argv elements kept */
#define MAX_UNFINISHED 1024  /* calls waiting for their `resumed` line */

struct span {
	const char *s;
	size_t len;
};

struct unfinished {
	int64_t tid; /* BS_NONE: free */
	uint64_t offset;
	struct strbuf text; /* the unfinished line (without " <unfinished ...>") */
	uint64_t seq;
};

enum ts_kind { TS_NONE, TS_TIME_OF_DAY, TS_EPOCH, TS_RELATIVE };

struct state {
	struct sys_model *model;
	int64_t file_pid; /* -ff: from the file name, else BS_NONE */
	int64_t day_base; /* ns of the assumed date's midnight (UTC, zone applied) */
	int64_t tod_base; /* the same for -t/-tt lines: --date's, or the day the file was last written */
	int64_t file_mtime; /* ns, BS_NONE: no --date, and the file's own date is to be used if known */
	int64_t last_tod, day_offset, rel_sum;
	enum ts_kind ts_seen;
	bool assumed_date, assumed_none;
	uint64_t line_no, seq, junk;
	uint8_t shape_first[28]; /* see shape_of */

	struct unfinished unf[MAX_UNFINISHED];
	struct i64map unf_index; /* tid → slot */
	size_t nunf;

	/* scratch, reused per line */
	struct strbuf joined, strs, fields, hints;
	struct span args[MAX_ARGS];
	const char *argv[MAX_ARGV];
};

/* ---- lexical helpers ---- */

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}

/* Position after the closing quote of the C string starting at s[0] == '"'. */
static size_t skip_string(const char *s, size_t len)
{
	size_t i = 1;

	while (i < len) {
		if (s[i] == '\\')
			i += 2;
		else if (s[i] == '"')
			return i + 1;
		else
			i++;
	}
	return len;
}

/*
 * Split "a, b, c" at top-level commas, respecting strings, (), [], {} and fd annotations
 * (`3</path, with comma>`: a '<' right after a digit or an identifier opens one). Returns the
 * number of arguments (at most max). With ret_close, a ')' at the top level ends the list (a
 * call's arguments: its index goes to *ret_close, len when the line ends first); one pass
 * finds the end of the call and its arguments.
 */
/* The bytes split_args_until looks at; everything else is skipped in one test. */
static const bool split_special[256] = {
	['"'] = true, ['<'] = true, ['>'] = true, ['('] = true, [')'] = true, ['['] = true,
	[']'] = true, ['{'] = true, ['}'] = true, [','] = true,
};

static size_t split_args_until(const char *s, size_t len, struct span *out, size_t max, size_t *ret_close)
{
	size_t n = 0, start = 0, i = 0;
	int depth = 0, angle = 0;

	if (ret_close)
		*ret_close = len;
	while (i < len) {
		char c = s[i];
		if (!split_special[(unsigned char)c]) {
			i++;
			continue;
		}
		if (c == '"') {
			i += skip_string(s + i, len - i);
			continue;
		}
		if (angle) {
			if (c == '<')
				angle++;
			else if (c == '>' && s[i - 1] != '-') /* "->" inside a socket tuple */
				angle--;
		} else if (c == '<' && i > 0 && is_ident(s[i - 1])) {
			angle = 1;
		} else if (c == '(' || c == '[' || c == '{') {
			depth++;
		} else if ((c == ')' || c == ']' || c == '}') && depth > 0) {
			depth--;
		} else if (c == ')' && ret_close) {
			*ret_close = i;
			len = i;
			break;
		} else if (c == ',' && depth == 0) {
			if (n < max) {
				out[n].s = s + start;
				out[n].len = i - start;
				n++;
			}
			start = i + 1;
		}
		i++;
	}
	if (n < max && (len > start || n > 0)) {
		out[n].s = s + start;
		out[n].len = len - start;
		n++;
	}
	for (size_t k = 0; k < n; k++) {
		while (out[k].len && (out[k].s[0] == ' ' || out[k].s[0] == '\t'))
			out[k].s++, out[k].len--;
		while (out[k].len && out[k].s[out[k].len - 1] == ' ')
			out[k].len--;
	}
	return n;
}

static size_t split_args(const char *s, size_t len, struct span *out, size_t max)
{
	return split_args_until(s, len, out, max, NULL);
}

/* Decode a C string literal (with strace's escapes) into st->strs; NUL-terminated copy. */
static const char *c_string(struct state *st, struct span a, bool *ret_truncated)
{
	const char *s = a.s;
	size_t len = a.len, i = 1, start = st->strs.len;
	bool trunc = false;

	if (!len || s[0] != '"')
		return NULL;
	if (len >= 5 && !memcmp(s + len - 3, "...", 3))
		trunc = true;
	while (i < len && s[i] != '"') {
		char c;
		size_t run = i;
		while (run < len && s[run] != '"' && s[run] != '\\')
			run++;
		if (run > i) {
			strbuf_add(&st->strs, s + i, run - i);
			i = run;
			continue;
		}
		c = s[i++];
		if (c == '\\' && i < len) {
			char e = s[i++];
			switch (e) {
			case 'n':
				c = '\n';
				break;
			case 't':
				c = '\t';
				break;
			case 'r':
				c = '\r';
				break;
			case 'v':
				c = '\v';
				break;
			case 'f':
				c = '\f';
				break;
			case 'x': {
				int v = 0, k = 0;
				while (k < 2 && i < len && ((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
							    (s[i] >= 'A' && s[i] <= 'F'))) {
					char h = s[i++];
					v = v * 16 + (h <= '9' ? h - '0' : (h | 32) - 'a' + 10);
					k++;
				}
				c = (char)v;
				break;
			}
			default:
				if (e >= '0' && e <= '7') {
					int v = e - '0', k = 1;
					while (k < 3 && i < len && s[i] >= '0' && s[i] <= '7')
						v = v * 8 + (s[i++] - '0'), k++;
					c = (char)v;
				} else {
					c = e;
				}
			}
		}
		strbuf_addch(&st->strs, c);
	}
	strbuf_addch(&st->strs, '\0');
	if (ret_truncated)
		*ret_truncated = trunc;
	/* strs may move while a line is decoded: callers take offsets, see str_at */
	return (const char *)(uintptr_t)(start + 1);
}

/* c_string returns offset+1 into st->strs (0 is NULL); resolve once the line is decoded. */
static const char *str_at(const struct state *st, const char *off)
{
	return off ? st->strs.buf + ((uintptr_t)off - 1) : NULL;
}

static bool parse_int(struct span a, int64_t *ret)
{
	char tmp[32];
	char *end;
	size_t n = 0;

	while (n < a.len && n < sizeof(tmp) - 1 && (is_ident(a.s[n]) || a.s[n] == '-'))
		n++;
	if (!n)
		return false;
	{
		/* the common case, a plain decimal (no octal 0 prefix, no overflow), without strtoll */
		size_t i = a.s[0] == '-';
		int64_t v = 0;
		if (n > i && n - i <= 18 && (a.s[i] != '0' || n - i == 1)) {
			while (i < n && is_digit(a.s[i]))
				v = v * 10 + (a.s[i++] - '0');
			if (i == n) {
				*ret = a.s[0] == '-' ? -v : v;
				return true;
			}
		}
	}
	memcpy(tmp, a.s, n);
	tmp[n] = '\0';
	errno = 0;
	*ret = (int64_t)strtoll(tmp, &end, 0);
	if (*end || errno) {
		if (errno == ERANGE && tmp[0] == '0' && tmp[1] == 'x') {
			*ret = (int64_t)strtoull(tmp, &end, 16);
			return !*end;
		}
		return false;
	}
	return true;
}

/* An fd annotation's length without the device numbers strace 6 -yy adds to a path
 * ("/dev/null<char 1:3>"): the path alone is the fd's name. */
static size_t hint_len(const char *h, size_t n)
{
	size_t k;

	if (n < 4 || h[0] != '/' || h[n - 1] != '>')
		return n;
	k = n - 1;
	while (k > 0 && (is_digit(h[k - 1]) || h[k - 1] == ':'))
		k--;
	if (k >= 6 && !memcmp(h + k - 6, "<char ", 6))
		return k - 6;
	if (k >= 7 && !memcmp(h + k - 7, "<block ", 7))
		return k - 7;
	return n;
}

/* An fd argument: "3", "3</path>", "AT_FDCWD", "AT_FDCWD</cwd>"; the annotation to *hint. */
static bool parse_fd(struct state *st, struct span a, int64_t *ret_fd, const char **ret_hint)
{
	size_t n = 0;
	const char *lt;

	*ret_hint = NULL;
	if (a.len >= 8 && !memcmp(a.s, "AT_FDCWD", 8)) {
		*ret_fd = -100;
		n = 8;
	} else {
		while (n < a.len && (is_digit(a.s[n]) || (n == 0 && a.s[n] == '-')))
			n++;
		if (!n || !parse_int(a, ret_fd))
			return false;
	}
	lt = a.s + n;
	if (n < a.len && *lt == '<' && a.s[a.len - 1] == '>') {
		size_t start = st->hints.len;
		strbuf_add(&st->hints, lt + 1, hint_len(lt + 1, a.len - n - 2));
		strbuf_addch(&st->hints, '\0');
		*ret_hint = (const char *)(uintptr_t)(start + 1);
	}
	return true;
}

static const char *hint_at(const struct state *st, const char *off)
{
	return off ? st->hints.buf + ((uintptr_t)off - 1) : NULL;
}

static bool has_word(struct span a, const char *w)
{
	size_t n = strlen(w);

	for (size_t i = 0; i + n <= a.len; i++)
		if (!memcmp(a.s + i, w, n) && (i == 0 || !is_ident(a.s[i - 1])) &&
		    (i + n == a.len || !is_ident(a.s[i + n])))
			return true;
	return false;
}

static int64_t open_flags(struct span a)
{
#define NAME(s) s, sizeof(s) - 1
	static const struct {
		const char *name;
		size_t len;
		int64_t bit;
	} names[] = {
		{ NAME("O_WRONLY"), 01 },	   { NAME("O_RDWR"), 02 },	      { NAME("O_CREAT"), 0100 },
		{ NAME("O_EXCL"), 0200 },	   { NAME("O_NOCTTY"), 0400 },      { NAME("O_TRUNC"), 01000 },
		{ NAME("O_APPEND"), 02000 },	   { NAME("O_NONBLOCK"), 04000 },   { NAME("O_DSYNC"), 010000 },
		{ NAME("O_DIRECT"), 040000 },	   { NAME("O_DIRECTORY"), 0200000 }, { NAME("O_NOFOLLOW"), 0400000 },
		{ NAME("O_NOATIME"), 01000000 }, { NAME("O_CLOEXEC"), 02000000 }, { NAME("O_PATH"), 010000000 },
		{ NAME("O_TMPFILE"), 020200000 }, { NAME("O_SYNC"), 04010000 },
	};
#undef NAME
	int64_t v = 0;
	size_t i = 0;

	if (a.len && is_digit(a.s[0]) && parse_int(a, &v))
		return v;
	/* "O_RDONLY|O_CREAT|O_CLOEXEC": each identifier looked up once */
	while (i < a.len) {
		size_t k = i;
		while (k < a.len && is_ident(a.s[k]))
			k++;
		if (k - i > 2 && a.s[i] == 'O' && a.s[i + 1] == '_') {
			for (size_t j = 0; j < sizeof(names) / sizeof(names[0]); j++)
				if (names[j].len == k - i && !memcmp(names[j].name, a.s + i, k - i)) {
					v |= names[j].bit;
					break;
				}
		}
		i = k < a.len ? k + 1 : k;
	}
	return v;
}

/* {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("1.2.3.4")} and friends. */
static bool parse_sockaddr(struct state *st, struct span a, struct sys_sockaddr *sa)
{
	const char *p, *end = a.s + a.len;

	if (a.len < 12 || memcmp(a.s, "{sa_family=", 11))
		return false;
	memset(sa, 0, sizeof(*sa));
	sa->port = BS_NONE;
	p = a.s + 11;
	(void)st;
	if (end - p >= 8 && !memcmp(p, "AF_INET6", 8))
		sa->family = 10;
	else if (end - p >= 7 && !memcmp(p, "AF_INET", 7))
		sa->family = 2;
	else if (end - p >= 7 && (!memcmp(p, "AF_UNIX", 7) || !memcmp(p, "AF_LOCA", 7)))
		sa->family = 1;
	else if (end - p >= 10 && !memcmp(p, "AF_NETLINK", 10))
		sa->family = 16;
	else
		sa->family = -1;
	if (sa->family == 2 || sa->family == 10) {
		const char *port = find_sub(a.s, a.len, "port=htons(", 11);
		const char *addr = sa->family == 2 ? find_sub(a.s, a.len, "inet_addr(\"", 11)
						   : find_sub(a.s, a.len, "AF_INET6, \"", 11);
		if (port)
			sa->port = strtoll(port + 11, NULL, 10);
		if (addr) {
			const char *q = addr + 11, *e = memchr(q, '"', (size_t)(end - q));
			size_t n = e ? (size_t)(e - q) : 0;
			if (n >= sizeof(sa->ip))
				n = sizeof(sa->ip) - 1;
			memcpy(sa->ip, q, n);
			sa->ip[n] = '\0';
		}
	} else if (sa->family == 1) {
		const char *path = find_sub(a.s, a.len, "sun_path=", 9);
		if (path) {
			const char *q = path + 9;
			size_t n = 0;
			bool abstract = q < end && *q == '@';
			if (abstract)
				q++;
			if (q < end && *q == '"') {
				q++;
				if (abstract)
					sa->path[n++] = '@';
				while (q < end && *q != '"' && n + 1 < sizeof(sa->path))
					sa->path[n++] = *q++;
			}
			sa->path[n] = '\0';
		}
	}
	return true;
}

/* ---- time ---- */

/*
 * Without --date, -t/-tt times take the date of the file's last modification: strace wrote its
 * last line then, so that is the day the trace ended. A first time of day later than the
 * file's (beyond a minute of slack) means the trace began the day before.
 */
static void date_from_file(struct imp_ctx *ctx, struct state *st, int64_t first_tod)
{
	const int64_t day = 86400 * BS_NS_PER_SEC;
	int64_t tz = ctx->opts->tz_set ? (int64_t)ctx->opts->tz_offset_sec * BS_NS_PER_SEC : 0;
	int64_t local = st->file_mtime + tz, midnight = local - ((local % day) + day) % day;
	char when[BS_TIME_MAX_LEN], date[BS_TIME_MAX_LEN];
	bool before = first_tod > local - midnight + 60 * BS_NS_PER_SEC;

	st->tod_base = midnight - tz - (before ? day : 0);
	bs_time_format(st->file_mtime, when);
	bs_time_format(st->tod_base + tz, date);
	date[10] = '\0';
	imp_assume(ctx,
		   "strace -t/-tt times have no date and no --date was given: dated %s from the file's modification "
		   "time %s (its last write%s)%s",
		   date, when, before ? "; the first call's time is later in the day, so the trace began the day before" : "",
		   ctx->opts->tz_set ? ", zone from --tz" : ", taken as UTC");
}

static void assume_date(struct imp_ctx *ctx, struct state *st, const char *what)
{
	if (st->assumed_date)
		return;
	st->assumed_date = true;
	if (ctx->opts->date)
		imp_assume(ctx, "strace %s times have no date: dated %s (--date)%s", what, ctx->opts->date,
			   ctx->opts->tz_set ? ", zone from --tz" : ", taken as UTC");
	else
		imp_assume(ctx, "strace %s times have no date and no --date was given: dated 1970-01-01, UTC", what);
}

/* Parse the timestamp at *p (after the pid); returns its kind, the ns value and precision. */
static enum ts_kind parse_ts(const char **pp, const char *end, int64_t *ret_ns, int64_t *ret_prec)
{
	const char *p = *pp;
	int64_t whole = 0, frac = 0, prec = BS_NS_PER_SEC;
	int digits = 0, fd = 0;
	enum ts_kind kind;

	while (p < end && *p == ' ')
		p++;
	if (p >= end || !is_digit(*p))
		return TS_NONE;
	if (end - p >= 8 && is_digit(p[1]) && p[2] == ':' && is_digit(p[3]) && is_digit(p[4]) && p[5] == ':' &&
	    is_digit(p[6]) && is_digit(p[7])) {
		whole = ((p[0] - '0') * 10 + (p[1] - '0')) * 3600 + ((p[3] - '0') * 10 + (p[4] - '0')) * 60 +
			(p[6] - '0') * 10 + (p[7] - '0');
		p += 8;
		kind = TS_TIME_OF_DAY;
	} else {
		const char *q = p;
		while (q < end && is_digit(*q) && digits < 10)
			whole = whole * 10 + (*q++ - '0'), digits++;
		if (q >= end || *q != '.' || whole > 9000000000LL)
			return TS_NONE; /* ns past year 2255 would overflow */
		p = q;
		kind = whole > 100000000 ? TS_EPOCH : TS_RELATIVE;
	}
	if (p < end && *p == '.') {
		static const int64_t scale[10] = { 1000000000, 100000000, 10000000, 1000000, 100000, 10000, 1000, 100, 10, 1 };
		p++;
		while (p < end && is_digit(*p)) {
			if (fd < 9)
				frac = frac * 10 + (*p - '0'), fd++;
			p++;
		}
		frac *= scale[fd];
		prec = scale[fd];
	}
	if (p < end && *p != ' ')
		return TS_NONE;
	if (kind != TS_RELATIVE && end - p > 3 && p[1] == '(' && p[2] == '+') {
		/* -t/-tt/-ttt with -r: "(+     0.000123)" follows; the absolute time is enough */
		const char *q = memchr(p, ')', (size_t)(end - p));
		if (q && q - p < 32)
			p = q + 1;
	}
	*pp = p;
	*ret_ns = whole * BS_NS_PER_SEC + frac;
	*ret_prec = prec;
	return kind;
}

static int64_t resolve_ts(struct imp_ctx *ctx, struct state *st, enum ts_kind kind, int64_t v)
{
	switch (kind) {
	case TS_EPOCH:
		return v;
	case TS_TIME_OF_DAY:
		if (!st->assumed_date && st->file_mtime != BS_NONE) {
			st->assumed_date = true;
			date_from_file(ctx, st, v);
		}
		assume_date(ctx, st, "-t/-tt");
		if (st->last_tod != BS_NONE && v + 12 * 3600 * BS_NS_PER_SEC < st->last_tod &&
		    st->day_offset < 100000LL * 86400 * BS_NS_PER_SEC)
			st->day_offset += 86400 * BS_NS_PER_SEC; /* past midnight (bounded: ~270 years) */
		st->last_tod = v;
		return st->tod_base + st->day_offset + v;
	case TS_RELATIVE:
		if (!st->assumed_date && st->file_pid != BS_NONE) {
			/* strace keeps one -r clock for all tracees: in a -ff file each time is the time
			 * since the line strace wrote before it to whichever file (proclink.h) */
			st->assumed_date = true;
			imp_assume(ctx,
				   "strace -ff -r file: first line +%lld ns; each -r time is the time since the line strace "
				   "printed before it, in any of the run's files: counted from %s, and once the file is "
				   "linked to the clone that created its process, from that clone; so these times are lower "
				   "bounds (the time of the lines written to other files in between is not in this one)",
				   (long long)v, ctx->opts->date ? ctx->opts->date : "1970-01-01T00:00:00Z (no --date)");
		} else if (!st->assumed_date) {
			st->assumed_date = true;
			imp_assume(ctx, "strace -r times are relative to the first call: counted from %s",
				   ctx->opts->date ? ctx->opts->date : "1970-01-01T00:00:00Z (no --date)");
		}
		if (st->rel_sum < INT64_MAX / 4 - v)
			st->rel_sum += v; /* saturates rather than wraps on absurd input */
		return st->day_base + st->rel_sum;
	default:
		if (!st->assumed_none) {
			st->assumed_none = true;
			imp_assume(ctx, "strace output without timestamps: every call dated %s",
				   ctx->opts->date ? ctx->opts->date : "1970-01-01 (no --date)");
		}
		return st->day_base;
	}
}

/* ---- calls ---- */

/* How a call's arguments are laid out; one lookup per line instead of a chain of compares. */
enum shape {
	SH_OTHER, SH_FD_FIRST, SH_OPEN, SH_OPENAT, SH_EXEC, SH_SOCKET, SH_SOCKADDR, SH_SENDTO, SH_DUP,
	SH_FCNTL, SH_PIPE, SH_CLONE, SH_EXIT, SH_CHDIR,
};

/* Sorted by name (bsearch). SH_FD_FIRST: calls whose first argument is the fd they act on
 * (for traces without -y annotations). */
static const struct call_shape {
	const char *name;
	enum shape shape;
} call_shapes[] = {
	{ "_llseek", SH_FD_FIRST },   { "accept", SH_SOCKADDR },	{ "accept4", SH_SOCKADDR },
	{ "bind", SH_SOCKADDR },      { "chdir", SH_CHDIR },		{ "clone", SH_CLONE },
	{ "clone3", SH_CLONE },	      { "close", SH_FD_FIRST },		{ "connect", SH_SOCKADDR },
	{ "creat", SH_OPEN },	      { "dup", SH_DUP },		{ "dup2", SH_DUP },
	{ "dup3", SH_DUP },	      { "execve", SH_EXEC },		{ "execveat", SH_EXEC },
	{ "exit", SH_EXIT },	      { "exit_group", SH_EXIT },	{ "fadvise64", SH_FD_FIRST },
	{ "fchdir", SH_FD_FIRST },    { "fchmod", SH_FD_FIRST },	{ "fchown", SH_FD_FIRST },
	{ "fcntl", SH_FCNTL },	      { "fcntl64", SH_FCNTL },		{ "fdatasync", SH_FD_FIRST },
	{ "fgetxattr", SH_FD_FIRST }, { "flock", SH_FD_FIRST },		{ "fsetxattr", SH_FD_FIRST },
	{ "fstat", SH_FD_FIRST },     { "fstat64", SH_FD_FIRST },	{ "fstatfs", SH_FD_FIRST },
	{ "fstatfs64", SH_FD_FIRST }, { "fsync", SH_FD_FIRST },		{ "ftruncate", SH_FD_FIRST },
	{ "ftruncate64", SH_FD_FIRST }, { "getdents", SH_FD_FIRST },	{ "getdents64", SH_FD_FIRST },
	{ "getpeername", SH_FD_FIRST }, { "getsockname", SH_FD_FIRST }, { "getsockopt", SH_FD_FIRST },
	{ "ioctl", SH_FD_FIRST },     { "listen", SH_FD_FIRST },	{ "lseek", SH_FD_FIRST },
	{ "open", SH_OPEN },	      { "openat", SH_OPENAT },		{ "openat2", SH_OPENAT },
	{ "pipe", SH_PIPE },	      { "pipe2", SH_PIPE },		{ "pread64", SH_FD_FIRST },
	{ "pwrite64", SH_FD_FIRST },  { "read", SH_FD_FIRST },		{ "readv", SH_FD_FIRST },
	{ "recvfrom", SH_SENDTO },    { "recvmmsg", SH_FD_FIRST },	{ "recvmsg", SH_FD_FIRST },
	{ "sendfile", SH_FD_FIRST },  { "sendfile64", SH_FD_FIRST },	{ "sendmmsg", SH_FD_FIRST },
	{ "sendmsg", SH_FD_FIRST },   { "sendto", SH_SENDTO },		{ "setsockopt", SH_FD_FIRST },
	{ "shutdown", SH_FD_FIRST },  { "socket", SH_SOCKET },		{ "socketpair", SH_PIPE },
	{ "write", SH_FD_FIRST },     { "writev", SH_FD_FIRST },
};

/* call_shapes is sorted: the names starting with each letter are one run, found by its first
 * byte ('_' and the 26 lower-case letters; the runs' starts are in the importer's state) and
 * searched in a few compares. */

static int shape_slot(char c)
{
	return c == '_' ? 0 : c >= 'a' && c <= 'z' ? c - 'a' + 1 : -1;
}

static void shape_index(uint8_t shape_first[28])
{
	size_t n = sizeof(call_shapes) / sizeof(call_shapes[0]);
	int slot = 0;

	for (size_t i = 0; i < n; i++) {
		int k = shape_slot(call_shapes[i].name[0]);
		while (slot <= k)
			shape_first[slot++] = (uint8_t)i;
	}
	while (slot < 28)
		shape_first[slot++] = (uint8_t)n;
}

static enum shape shape_of(const uint8_t shape_first[28], const char *name)
{
	int k = shape_slot(name[0]);

	if (k < 0)
		return SH_OTHER;
	for (size_t i = shape_first[k]; i < shape_first[k + 1]; i++)
		if (call_shapes[i].name[1] == name[1] && !strcmp(call_shapes[i].name, name))
			return call_shapes[i].shape;
	return SH_OTHER;
}

struct line_ctx {
	int64_t tid, ts, prec;
	int64_t pid, ppid; /* known before the model knows them: a child seen before its clone returned */
	uint64_t offset;
	const char *raw;
	size_t raw_len;
};

/* A call as its line places it: who, when, where in the file. */
static void call_from_line(struct sys_call *c, const struct imp_ctx *ctx, const struct line_ctx *lc, const char *name)
{
	sys_call_init(c);
	c->name = name;
	c->host = ctx->opts->host;
	c->ts = lc->ts;
	c->ts_precision = lc->prec;
	c->offset = lc->offset;
	c->raw = lc->raw;
	c->raw_len = lc->raw_len;
	c->tid = lc->tid;
	c->pid = lc->pid;
	c->ppid = lc->ppid;
}

static int emit_call(struct imp_ctx *ctx, struct state *st, const struct line_ctx *lc, const char *text, size_t len)
{
	struct sys_call c;
	char name[64];
	size_t nlen = 0, open, close, nargs, i;
	const char *p, *end = text + len;
	const char *fd_hint = NULL, *res_hint = NULL, *path = NULL, *path2 = NULL, *cwd_hint = NULL;
	const char *flags_text_off = NULL;
	struct jsonw_obj o;
	bool truncated = false;
	int64_t v;
	size_t argc = 0;
	bool have_argv = false;
	enum shape shape;

	while (nlen < len && nlen < sizeof(name) - 1 && is_ident(text[nlen]))
		nlen++;
	if (!nlen || nlen >= len || text[nlen] != '(')
		return -EINVAL;
	memcpy(name, text, nlen);
	name[nlen] = '\0';
	open = nlen;
	nargs = split_args_until(text + open + 1, len - open - 1, st->args, MAX_ARGS, &close);
	close = close + open + 1 < len ? close + open + 1 : len;
	call_from_line(&c, ctx, lc, name);
	strbuf_reset(&st->strs);
	strbuf_reset(&st->hints);
	strbuf_reset(&st->fields);
	jsonw_begin(&o, &st->fields);

	/* the result */
	p = close < len ? text + close + 1 : end;
	while (p < end && *p == ' ')
		p++;
	if (p < end && *p == '=') {
		p++;
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == '?') {
			p++;
		} else {
			const char *q = p;
			while (q < end && *q != ' ' && *q != '<')
				q++;
			if (parse_int((struct span){ p, (size_t)(q - p) }, &v)) {
				c.has_res = true;
				c.res = v;
			}
			if (q < end && *q == '<') {
				/* -y annotation of a returned fd: up to the matching '>' */
				int depth = 0;
				const char *h = q;
				for (; q < end; q++) {
					if (*q == '<')
						depth++;
					else if (*q == '>' && q[-1] != '-' && --depth == 0)
						break;
				}
				if (q < end) {
					size_t start = st->hints.len;
					strbuf_add(&st->hints, h + 1, hint_len(h + 1, (size_t)(q - h - 1)));
					strbuf_addch(&st->hints, '\0');
					res_hint = (const char *)(uintptr_t)(start + 1);
					q++;
				}
			}
			p = q;
		}
		while (p < end && *p == ' ')
			p++;
		if (p < end && *p == 'E') {
			const char *q = p;
			while (q < end && is_ident(*q))
				q++;
			v = sys_errno_from_name(p, (size_t)(q - p));
			if (c.has_res && c.res == -1 && v != BS_NONE)
				c.res = -v;
			{
				size_t start = st->hints.len;
				strbuf_add(&st->hints, p, (size_t)(q - p));
				strbuf_addch(&st->hints, '\0');
				c.err = (const char *)(uintptr_t)(start + 1);
			}
			if (!c.has_res && v != BS_NONE) {
				/* "= ? ERESTARTSYS": interrupted, no value */
			}
			p = q;
		}
		{
			const char *dur = NULL;
			for (const char *q = end; q > p; q--)
				if (q[-1] == '<') {
					dur = q;
					break;
				}
			if (dur && end[-1] == '>' && is_digit(*dur)) {
				double d = strtod(dur, NULL);
				jsonw_key_i64(&o, "evt.latency", (int64_t)(d * 1e9 + 0.5));
			}
		}
	}

	if (close >= len)
		jsonw_key_bool(&o, "strace.incomplete", true);

	/* arguments by syscall */
#define ARG(k) ((k) < nargs ? st->args[k] : (struct span){ "", 0 })
	shape = shape_of(st->shape_first, name);
	switch (shape) {
	case SH_OPEN:
		path = c_string(st, ARG(0), &truncated);
		if (name[0] == 'c') {
			c.flags = 01 | 0100 | 01000;
			parse_int(ARG(1), &c.mode);
		} else {
			c.flags = open_flags(ARG(1));
			flags_text_off = ARG(1).len ? (const char *)&st->args[1] : NULL;
			if (nargs > 2)
				parse_int(ARG(2), &c.mode);
		}
		break;
	case SH_OPENAT:
		parse_fd(st, ARG(0), &c.fd, &fd_hint);
		if (c.fd == -100)
			cwd_hint = fd_hint, fd_hint = NULL;
		path = c_string(st, ARG(1), &truncated);
		if (name[6] == '2') {
			struct span how = ARG(2);
			const char *f = find_sub(how.s, how.len, "flags=", 6);
			if (f) {
				struct span fs = { f + 6, (size_t)(how.s + how.len - f - 6) };
				c.flags = open_flags(fs);
			}
		} else {
			c.flags = open_flags(ARG(2));
			flags_text_off = ARG(2).len ? (const char *)&st->args[2] : NULL;
			if (nargs > 3)
				parse_int(ARG(3), &c.mode);
		}
		break;
	case SH_EXEC: {
		size_t base = name[6] == 'a' ? 1 : 0;
		struct span arr = ARG(base + 1), env = ARG(base + 2);
		if (base)
			parse_fd(st, ARG(0), &c.fd, &fd_hint);
		path = c_string(st, ARG(base), &truncated);
		if (arr.len >= 2 && arr.s[0] == '[') {
			struct span items[MAX_ARGS];
			/* split the array itself, a slice at a time to keep the stack small */
			const char *a = arr.s + 1;
			size_t alen = arr.len - 2;
			size_t n = split_args(a, alen, items, MAX_ARGS);
			have_argv = true;
			for (size_t k = 0; k < n && argc < MAX_ARGV; k++) {
				if (items[k].len && items[k].s[0] == '"')
					st->argv[argc++] = c_string(st, items[k], NULL);
				else if (items[k].len >= 3 && !memcmp(items[k].s, "...", 3))
					jsonw_key_bool(&o, "strace.argv_truncated", true);
				else if (items[k].len >= 2 && !memcmp(items[k].s, "/*", 2)) {
					/* the old env format inside the array ("[/\* N vars *\/]") is env, not argv */
				}
			}
			if (n == MAX_ARGS)
				jsonw_key_bool(&o, "strace.argv_truncated", true);
		}
		{
			const char *vars = find_sub(env.s, env.len, "/* ", 3);
			if (!vars && nargs > base + 1) {
				struct span last = ARG(nargs - 1);
				vars = find_sub(last.s, last.len, "/* ", 3);
			}
			if (vars)
				c.envc = strtoll(vars + 3, NULL, 10);
		}
		break;
	}
	case SH_SOCKET: {
		struct span d = ARG(0), t = ARG(1);
		c.sock_domain = has_word(d, "AF_INET6") ? 10 : has_word(d, "AF_INET") ? 2
				: (has_word(d, "AF_UNIX") || has_word(d, "AF_LOCAL")) ? 1
				: has_word(d, "AF_NETLINK") ? 16 : 0;
		c.sock_type = has_word(t, "SOCK_STREAM") ? 1 : has_word(t, "SOCK_DGRAM") ? 2 : has_word(t, "SOCK_RAW") ? 3 : 0;
		if (has_word(t, "SOCK_CLOEXEC"))
			c.sock_type |= 02000000;
		break;
	}
	case SH_SOCKADDR:
		parse_fd(st, ARG(0), &c.fd, &fd_hint);
		parse_sockaddr(st, ARG(1), &c.addr);
		break;
	case SH_SENDTO:
		parse_fd(st, ARG(0), &c.fd, &fd_hint);
		parse_sockaddr(st, ARG(4), &c.addr);
		break;
	case SH_DUP: {
		const char *h2;
		parse_fd(st, ARG(0), &c.fd, &fd_hint);
		if (name[3])
			parse_fd(st, ARG(1), &c.fd2, &h2);
		if (name[3] == '3' && has_word(ARG(2), "O_CLOEXEC"))
			c.flags = 02000000;
		break;
	}
	case SH_FCNTL:
		parse_fd(st, ARG(0), &c.fd, &fd_hint);
		c.flags = has_word(ARG(1), "F_DUPFD") ? 0 : has_word(ARG(1), "F_DUPFD_CLOEXEC") ? 1030 : -1;
		break;
	case SH_PIPE: {
		struct span arr = ARG(name[0] == 's' ? 3 : 0);
		if (arr.len >= 2 && arr.s[0] == '[') {
			struct span two[2];
			if (split_args(arr.s + 1, arr.len - 2, two, 2) == 2) {
				parse_fd(st, two[0], &c.fd, &fd_hint);
				parse_fd(st, two[1], &c.fd2, &res_hint);
			}
		}
		if (name[0] == 'p' && has_word(ARG(1), "O_CLOEXEC"))
			c.flags = 02000000;
		break;
	}
	case SH_CLONE:
		for (i = 0; i < nargs; i++) {
			struct span a = st->args[i];
			const char *f = find_sub(a.s, a.len, "flags=", 6);
			if (f) {
				const char *fe = f + 6;
				while (fe < a.s + a.len && *fe != ',' && *fe != '}' && *fe != ' ')
					fe++;
				size_t start = st->hints.len;
				strbuf_add(&st->hints, f + 6, (size_t)(fe - f - 6));
				strbuf_addch(&st->hints, '\0');
				c.flags_text = (const char *)(uintptr_t)(start + 1);
				c.thread = find_sub(f, (size_t)(fe - f), "CLONE_THREAD", 12) != NULL;
				break;
			}
		}
		break;
	case SH_EXIT:
		if (parse_int(ARG(0), &v))
			c.exit_status = v;
		break;
	case SH_CHDIR:
		path = c_string(st, ARG(0), &truncated);
		break;
	case SH_OTHER:
	case SH_FD_FIRST: {
		/* generic: an fd first argument (annotated, or a known fd-taking call), string paths */
		size_t k = 0;
		if (nargs && parse_fd(st, ARG(0), &v, &fd_hint)) {
			if (v == -100) {
				cwd_hint = fd_hint;
				fd_hint = NULL;
			} else if (fd_hint || shape == SH_FD_FIRST) {
				c.fd = v;
			} else {
				fd_hint = NULL;
			}
			k = 1;
		}
		for (; k < nargs && (!path || !path2); k++) {
			if (st->args[k].len && st->args[k].s[0] == '"') {
				if (!strcmp(name, "write") || !strcmp(name, "read") || !strncmp(name, "send", 4) ||
				    !strncmp(name, "recv", 4) || !strncmp(name, "pread", 5) || !strncmp(name, "pwrite", 6))
					break; /* a data buffer, not a path */
				if (!path)
					path = c_string(st, st->args[k], &truncated);
				else
					path2 = c_string(st, st->args[k], NULL);
			}
		}
		if (!strcmp(name, "setuid") && parse_int(ARG(0), &v))
			jsonw_key_i64(&o, "evt.arg.uid", v);
		if (!strcmp(name, "ptrace") && nargs) {
			/* the request as strace names it (PTRACE_TRACEME ...), and the target pid */
			struct span rq = ARG(0);
			if (rq.len && is_ident(rq.s[0]))
				jsonw_key_strn(&o, "evt.arg.request", rq.s, rq.len);
			if (nargs > 1 && parse_int(ARG(1), &v))
				jsonw_key_i64(&o, "evt.arg.pid", v);
		}
		break;
	}
	}
#undef ARG
	if (truncated)
		jsonw_key_bool(&o, "strace.path_truncated", true);

	if (flags_text_off) {
		const struct span *fs = (const struct span *)(const void *)flags_text_off;
		size_t start = st->hints.len;
		strbuf_add(&st->hints, fs->s, fs->len);
		strbuf_addch(&st->hints, '\0');
		c.flags_text = (const char *)(uintptr_t)(start + 1);
	}
	/* now that st->strs and st->hints hold everything, resolve the offsets */
	c.path = str_at(st, path);
	c.path2 = str_at(st, path2);
	c.fd_hint = hint_at(st, fd_hint);
	c.res_hint = hint_at(st, res_hint);
	c.err = hint_at(st, c.err);
	c.flags_text = hint_at(st, c.flags_text);
	if (cwd_hint)
		c.cwd = hint_at(st, cwd_hint);
	if (have_argv) {
		for (size_t k = 0; k < argc; k++)
			st->argv[k] = str_at(st, st->argv[k]);
		c.argv = st->argv;
		c.argc = argc;
	}
	if (c.err && c.has_res && c.res >= 0)
		c.err = NULL;
	jsonw_end(&o);
	c.extra_fields = st->fields.buf;
	return sys_model_call(st->model, &c);
}

/* ---- unfinished calls ---- */

static bool is_fork_call(const struct strbuf *text)
{
	static const char *const names[] = { "clone(", "clone3(", "fork(", "vfork(" };

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strncmp(text->buf, names[i], strlen(names[i])))
			return true;
	return false;
}

/*
 * strace -f often prints a new thread's first calls before its creator's clone returns. When
 * the thread is unknown and exactly one fork-family call is waiting for its result, that call
 * made it: the line is attributed now (a child process's parent, or a new thread's process), so
 * its events carry the right parent from the first one. The clone's result confirms it later.
 */
static void creator_of_new_thread(struct imp_ctx *ctx, struct state *st, struct line_ctx *lc)
{
	const struct unfinished *creator = NULL;

	if (lc->tid == BS_NONE || st->file_pid != BS_NONE || !st->nunf ||
	    sys_model_pid_of(st->model, ctx->opts->host, lc->tid) != BS_NONE)
		return;
	/* slots are taken lowest first: the waiting calls are found after nunf used slots */
	for (size_t i = 0, seen = 0; i < MAX_UNFINISHED && seen < st->nunf; i++) {
		const struct unfinished *u = &st->unf[i];
		if (u->tid == BS_NONE)
			continue;
		seen++;
		if (u->tid == lc->tid || !is_fork_call(&u->text))
			continue;
		if (creator)
			return; /* two candidates: leave it to the clone results */
		creator = u;
	}
	if (!creator)
		return;
	if (strstr(creator->text.buf, "CLONE_THREAD"))
		lc->pid = sys_model_pid_of(st->model, ctx->opts->host, creator->tid);
	else
		lc->ppid = sys_model_pid_of(st->model, ctx->opts->host, creator->tid);
}

static struct unfinished *unf_take(struct state *st, int64_t tid)
{
	int64_t slot;

	if (tid == BS_NONE || !i64map_get(&st->unf_index, tid, &slot))
		return NULL;
	i64map_remove(&st->unf_index, tid);
	st->nunf--;
	return &st->unf[slot];
}

static void unf_put(struct imp_ctx *ctx, struct state *st, int64_t tid, const char *text, size_t len, uint64_t offset)
{
	struct unfinished *u = unf_take(st, tid);
	size_t slot = 0;

	if (u) {
		imp_warning(ctx, u->offset, "call of thread %lld never resumed", (long long)tid);
		u->tid = BS_NONE;
	}
	if (tid == BS_NONE)
		return;
	if (st->nunf == MAX_UNFINISHED) {
		/* bounded: forget the oldest waiting call */
		uint64_t oldest = UINT64_MAX;
		for (size_t i = 0; i < MAX_UNFINISHED; i++)
			if (st->unf[i].tid != BS_NONE && st->unf[i].seq < oldest)
				oldest = st->unf[i].seq, slot = i;
		imp_warning(ctx, st->unf[slot].offset, "too many unfinished calls: one was dropped");
		i64map_remove(&st->unf_index, st->unf[slot].tid);
		st->unf[slot].tid = BS_NONE;
		st->nunf--;
	} else {
		for (slot = 0; slot < MAX_UNFINISHED && st->unf[slot].tid != BS_NONE; slot++)
			;
	}
	u = &st->unf[slot];
	u->tid = tid;
	u->offset = offset;
	u->seq = ++st->seq;
	strbuf_reset(&u->text);
	strbuf_add(&u->text, text, len);
	i64map_put(&st->unf_index, tid, (int64_t)slot);
	st->nunf++;
}

/* ---- lines ---- */

static int64_t signal_number(const char *s, size_t len)
{
	static const char *const names[] = { NULL, "SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT",
					     "SIGBUS", "SIGFPE", "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2",
					     "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT", "SIGCHLD", "SIGCONT",
					     "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
					     "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR",
					     "SIGSYS" };
	if (len < 5 || memcmp(s, "SIG", 3))
		return BS_NONE;
	for (size_t i = 1; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i][3] == s[3] && strlen(names[i]) == len && !memcmp(names[i], s, len))
			return (int64_t)i;
	return BS_NONE;
}

static int process_event(struct imp_ctx *ctx, struct state *st, const struct line_ctx *lc, const char *name,
			 const char *p, const char *end)
{
	struct sys_call c;
	struct jsonw_obj o;
	const char *q;
	char sig[16] = "";

	call_from_line(&c, ctx, lc, name);
	strbuf_reset(&st->fields);
	jsonw_begin(&o, &st->fields);
	q = find_sub(p, (size_t)(end - p), "SIG", 3);
	if (q) {
		size_t n = 0;
		while (q + n < end && is_ident(q[n]) && n < sizeof(sig) - 1)
			n++;
		memcpy(sig, q, n);
		sig[n] = '\0';
		c.exit_signal = signal_number(sig, n);
		jsonw_key_str(&o, "evt.arg.signame", sig);
	}
	if (!strcmp(name, "procexit")) {
		const char *w = find_sub(p, (size_t)(end - p), "exited with ", 12);
		if (w)
			c.exit_status = strtoll(w + 12, NULL, 10);
		if (find_sub(p, (size_t)(end - p), "core dumped", 11))
			jsonw_key_bool(&o, "evt.arg.core", true);
	} else {
		const char *b = memchr(p, '{', (size_t)(end - p));
		const char *e = b ? memchr(b, '}', (size_t)(end - b)) : NULL;
		if (b && e)
			jsonw_key_strn(&o, "strace.siginfo", b + 1, (size_t)(e - b - 1));
		c.summary_extra = sig[0] ? sig : NULL;
	}
	jsonw_end(&o);
	c.extra_fields = st->fields.buf;
	return sys_model_call(st->model, &c);
}

static int do_line(struct imp_ctx *ctx, struct state *st, const char *line, size_t len, uint64_t offset)
{
	const char *p = line, *end = line + len;
	struct line_ctx lc = { .tid = st->file_pid, .pid = BS_NONE, .ppid = BS_NONE, .offset = offset, .raw = line, .raw_len = len };
	int64_t ts_v = 0, prec = BS_NS_PER_SEC;
	enum ts_kind kind;
	int r;

	if (len >= 5 && !memcmp(p, "[pid ", 5)) {
		p += 5;
		while (p < end && *p == ' ')
			p++;
		lc.tid = 0;
		while (p < end && is_digit(*p))
			lc.tid = lc.tid * 10 + (*p++ - '0');
		if (p >= end || *p != ']')
			return -EINVAL;
		p++;
	} else {
		const char *q = p;
		int64_t v = 0;
		while (q < end && is_digit(*q) && q - p < 10)
			v = v * 10 + (*q++ - '0');
		if (q > p && q < end && *q == ' ') {
			lc.tid = v;
			p = q;
		}
	}
	creator_of_new_thread(ctx, st, &lc);
	kind = parse_ts(&p, end, &ts_v, &prec);
	while (p < end && *p == ' ')
		p++;
	if (p >= end)
		return -EINVAL;
	/* only a line of strace's shapes is dated (an assumption is recorded on first use) */
	if (!(end - p >= 4 && (!memcmp(p, "+++ ", 4) || !memcmp(p, "--- ", 4) || !memcmp(p, "<... ", 4))) &&
	    (!is_ident(*p) || is_digit(*p) || !memchr(p, '(', (size_t)(end - p))))
		return -EINVAL;
	if (kind != TS_NONE)
		st->ts_seen = kind;
	lc.ts = resolve_ts(ctx, st, kind, ts_v);
	lc.prec = kind == TS_NONE ? 86400 * BS_NS_PER_SEC : prec;

	if (end - p >= 4 && !memcmp(p, "+++ ", 4))
		return process_event(ctx, st, &lc, "procexit", p, end);
	if (end - p >= 4 && !memcmp(p, "--- ", 4))
		return process_event(ctx, st, &lc, "signaldeliver", p, end);
	if (end - p >= 5 && !memcmp(p, "<... ", 5)) {
		const char *nm = p + 5, *rs = find_sub(p, (size_t)(end - p), " resumed>", 9);
		struct unfinished *u = unf_take(st, lc.tid);
		if (!rs)
			return -EINVAL;
		rs += 9;
		strbuf_reset(&st->joined);
		if (u) {
			strbuf_add(&st->joined, u->text.buf, u->text.len);
			u->tid = BS_NONE;
		} else {
			size_t n = 0;
			while (nm + n < end && is_ident(nm[n]))
				n++;
			strbuf_add(&st->joined, nm, n);
			strbuf_addch(&st->joined, '(');
			if (!u)
				imp_warning(ctx, offset, "'%.*s resumed' without its unfinished call", (int)n, nm);
		}
		strbuf_add(&st->joined, rs, (size_t)(end - rs));
		r = emit_call(ctx, st, &lc, st->joined.buf, st->joined.len);
		return r == -EINVAL ? 0 : r;
	}
	if (!is_ident(*p) || is_digit(*p))
		return -EINVAL;
	{
		/* strace ends the line with these (trailing blanks were trimmed) */
		const char *un = end - p > 17 && !memcmp(end - 17, " <unfinished ...>", 17) ? end - 17 : NULL;
		const char *det = end - p > 15 && !memcmp(end - 15, " <detached ...>", 15) ? end - 15 : NULL;
		if (un && lc.tid != BS_NONE) {
			unf_put(ctx, st, lc.tid, p, (size_t)(un - p), offset);
			return 0;
		}
		if (un)
			end = un;
		if (det)
			end = det;
	}
	r = emit_call(ctx, st, &lc, p, (size_t)(end - p));
	return r;
}

/* ---- the importer ---- */

static bool looks_like_call(const char *s, size_t len)
{
	const char *p = s, *end = s + len;
	int64_t ns, prec;

	if (len >= 5 && !memcmp(p, "[pid ", 5)) {
		const char *rb = memchr(p, ']', len);
		if (!rb)
			return false;
		p = rb + 1;
	} else {
		const char *q = p;
		while (q < end && is_digit(*q))
			q++;
		if (q > p && q < end && *q == ' ')
			p = q;
	}
	parse_ts(&p, end, &ns, &prec);
	while (p < end && *p == ' ')
		p++;
	if (end - p >= 4 && (!memcmp(p, "+++ ", 4) || !memcmp(p, "--- ", 4)))
		return true;
	if (end - p >= 5 && !memcmp(p, "<... ", 5))
		return true;
	if (p >= end || !((*p >= 'a' && *p <= 'z') || *p == '_'))
		return false;
	while (p < end && is_ident(*p))
		p++;
	if (p >= end || *p != '(')
		return false;
	return find_sub(p, (size_t)(end - p), ") = ", 4) || find_sub(p, (size_t)(end - p), "<unfinished ...>", 16) ||
	       find_sub(p, (size_t)(end - p), ") ", 2);
}

static int probe(const uint8_t *head, size_t len)
{
	const char *s = (const char *)head;
	size_t i = 0, lines = 0, good = 0;

	while (i < len && lines < 16) {
		const char *nl = memchr(s + i, '\n', len - i);
		size_t l = nl ? (size_t)(nl - (s + i)) : len - i;
		if (!nl && lines)
			break; /* a line cut by the probe window proves nothing */
		if (l) {
			lines++;
			if (looks_like_call(s + i, l))
				good++;
		}
		if (!nl)
			break;
		i += l + 1;
	}
	if (!good)
		return 0;
	return good == lines ? 75 : good * 2 >= lines ? 55 : 20;
}

static int64_t pid_from_path(const char *path)
{
	const char *base, *p, *digits = NULL;
	size_t n = 0;

	if (!path)
		return BS_NONE;
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	/* the last ".DIGITS" component: strace.1234, t.1234, x.1234.txt */
	for (p = base; *p; p++) {
		if (*p == '.' && is_digit(p[1])) {
			size_t k = 1;
			while (is_digit(p[k]))
				k++;
			if (p[k] == '\0' || p[k] == '.') {
				digits = p + 1;
				n = k - 1;
			}
		}
	}
	if (!digits || n > 9)
		return BS_NONE;
	return strtoll(digits, NULL, 10);
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
	shape_index(st->shape_first);
	st->file_pid = pid_from_path(ctx->path);
	st->last_tod = BS_NONE;
	if (ctx->opts->date) {
		int64_t ns;
		if (bs_time_parse(ctx->opts->date, strlen(ctx->opts->date), 1, &ns, NULL) == 0)
			st->day_base = ns;
	}
	if (ctx->opts->tz_set)
		st->day_base -= (int64_t)ctx->opts->tz_offset_sec * BS_NS_PER_SEC;
	st->tod_base = st->day_base;
	st->file_mtime = BS_NONE;
	if (!ctx->opts->date && ctx->path && strcmp(ctx->path, "-")) {
		struct stat sb;
		if (stat(ctx->path, &sb) == 0 && S_ISREG(sb.st_mode) && sb.st_mtim.tv_sec > 0)
			st->file_mtime = (int64_t)sb.st_mtim.tv_sec * BS_NS_PER_SEC + sb.st_mtim.tv_nsec;
	}
	if (st->file_pid != BS_NONE)
		imp_assume(ctx, "strace -ff file: pid %lld taken from the file name", (long long)st->file_pid);
	for (size_t i = 0; i < MAX_UNFINISHED; i++) {
		st->unf[i].tid = BS_NONE;
		strbuf_init(&st->unf[i].text);
	}
	i64map_init(&st->unf_index);
	strbuf_init(&st->joined);
	strbuf_init(&st->strs);
	strbuf_init(&st->fields);
	strbuf_init(&st->hints);
	*ret_state = st;
	return 0;
}

static bool ignorable(const char *s, size_t len)
{
	static const struct {
		const char *text;
		size_t len;
	} prefixes[] = { { "strace: ", 8 }, { " | ", 3 }, { "% time", 6 }, { "------", 6 }, { "100.00", 6 }, { "  % time", 8 } };

	if (!len || !(s[0] == 's' || s[0] == ' ' || s[0] == '%' || s[0] == '-' || s[0] == '1'))
		return false; /* the common case: a line starting with a pid or a time */
	for (size_t i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++)
		if (len >= prefixes[i].len && !memcmp(s, prefixes[i].text, prefixes[i].len))
			return true;
	return false;
}

static int next(struct imp_ctx *ctx, void *state)
{
	struct state *st = state;
	const uint8_t *line;
	size_t len;
	uint64_t offset;
	int r;

	for (int batch = 0; batch < 1024; batch++) {
		r = reader_line(ctx->in, &line, &len, &offset);
		if (r == -E2BIG) {
			imp_skipped(ctx, offset, "line longer than %u bytes", READER_MAX);
			continue;
		}
		if (r < 0)
			return r;
		if (r == 0) {
			for (size_t i = 0; i < MAX_UNFINISHED; i++)
				if (st->unf[i].tid != BS_NONE)
					imp_warning(ctx, st->unf[i].offset, "thread %lld: call unfinished at the end of the trace",
						    (long long)st->unf[i].tid);
			return 0;
		}
		st->line_no++;
		while (len && (line[len - 1] == '\r' || line[len - 1] == ' '))
			len--;
		if (!len || ignorable((const char *)line, len))
			continue;
		r = do_line(ctx, st, (const char *)line, len, offset);
		if (r == -EINVAL) {
			imp_skipped(ctx, offset, "line %llu: not a strace call, signal or exit line",
				    (unsigned long long)st->line_no);
			continue;
		}
		if (r < 0)
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
	for (size_t i = 0; i < MAX_UNFINISHED; i++)
		strbuf_release(&st->unf[i].text);
	i64map_release(&st->unf_index);
	strbuf_release(&st->joined);
	strbuf_release(&st->strs);
	strbuf_release(&st->fields);
	strbuf_release(&st->hints);
	free(st);
}

const struct importer imp_strace = {
	.name = "strace",
	.summary = "strace output (-f, -ff, -t/-tt/-ttt/-r/-T, -y/-yy)",
	.version = "1",
	.probe = probe,
	.open = open_,
	.next = next,
	.close = close_,
};
