/* imp-scap: sysdig / Falco `.scap` captures, into the syscall model.
 *
 * Follows the savefile format of falcosecurity/libs (userspace/libscap/scap_savefile.h and
 * engine/savefile/scap_savefile.c; summary in reference/falco.md §d): a pcapng-style stream of
 * little-endian blocks `u32 type, u32 total length, body, padding, u32 total length`. The
 * section header comes first (its options, e.g. a comment added by editcap, are skipped by
 * length), then machine info (host name), the process list (V1..V9 and the pre-release
 * 0x80xxABCD codes), one fd list per process, interface and user lists, and the event blocks:
 * EV (format 1.0/1.1, 22-byte event header without a parameter count, which is recovered from
 * the table by trying counts until the lengths add up), EV_V2, EVF (with a u32 flags word) and
 * the V2_LARGE variants whose large-payload events carry u32 parameter lengths. Unknown blocks
 * are skipped by their length.
 *
 * Events are decoded with the generated table (scap-events.in). An enter event waits in a
 * bounded per-thread table for its exit; the pair becomes one struct sys_call (the exit's time,
 * the parameters of both) that the shared syscall model (sys-model.h) turns into a Falco-shaped
 * event; its raw record is the enter event's bytes followed by the exit's, its offset the exit's.
 * The model is seeded from the capture's own process and fd tables, so fd names, process
 * names and the process tree are known from the first event. Events without an exit (procexit,
 * signals, container metadata ...) are events of their own.
 *
 * Damage: a block whose length cannot be trusted (too short, not a multiple of 4, larger than
 * SCAP_MAX_BLOCK, trailer disagreeing) or the file ending inside a block ends the import as
 * partial; an event whose header or parameters do not fit its block is skipped and reported.
 */
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cursor.h"
#include "i64map.h"
#include "importer.h"
#include "jsonw.h"
#include "scap-events.h"
#include "sys-model.h"

#define SHB_TYPE 0x0A0D0D0Au
#define SHB_MAGIC 0x1A2B3C4Du
#define SCAP_MAX_BLOCK (16u << 20)  /* the largest block read; libscap's own limit is lower */
#define SCAP_MAX_PENDING 65536      /* threads with an enter event waiting for its exit */
#define SCAP_MAX_PENDING_LEN 16384  /* an enter event longer than this is not kept */
#define SCAP_MAX_PENDING_BYTES (32u << 20) /* all kept enter events together */
#define SCAP_MAX_TIDS (1u << 20)    /* tid → pid entries before the map is reset */
#define SCAP_DATA_MAX 80            /* bytes of a data buffer kept in fields (sysdig's snaplen) */

enum block_kind {
	B_UNKNOWN, B_SHB, B_MI, B_PL, B_FDL, B_EV, B_IL, B_UL,
};

struct block_type {
	uint32_t code;
	enum block_kind kind;
	int version;   /* PL: 1..9; FDL, IL, UL: 1..2; EV: 1 (22-byte header) or 2 */
	bool flags;    /* EVF: a u32 flags word after the cpu id */
	bool large;    /* V2_LARGE: large-payload events have u32 parameter lengths */
};

static const struct block_type block_types[] = {
	{ 0x201, B_MI, 1, false, false },	{ 0x8002ABCD, B_MI, 1, false, false },
	{ 0x202, B_PL, 1, false, false },	{ 0x8000ABCD, B_PL, 1, false, false },
	{ 0x207, B_PL, 2, false, false },	{ 0x8013ABCD, B_PL, 2, false, false },
	{ 0x209, B_PL, 3, false, false },	{ 0x8014ABCD, B_PL, 3, false, false },
	{ 0x210, B_PL, 4, false, false },	{ 0x211, B_PL, 5, false, false },
	{ 0x212, B_PL, 6, false, false },	{ 0x213, B_PL, 7, false, false },
	{ 0x214, B_PL, 8, false, false },	{ 0x215, B_PL, 9, false, false },
	{ 0x203, B_FDL, 1, false, false },	{ 0x8001ABCD, B_FDL, 1, false, false },
	{ 0x218, B_FDL, 2, false, false },	{ 0x204, B_EV, 1, false, false },
	{ 0x8010ABCD, B_EV, 1, false, false }, { 0x216, B_EV, 2, false, false },
	{ 0x221, B_EV, 2, false, true },	{ 0x208, B_EV, 1, true, false },
	{ 0x217, B_EV, 2, true, false },	{ 0x222, B_EV, 2, true, true },
	{ 0x205, B_IL, 1, false, false },	{ 0x8011ABCD, B_IL, 1, false, false },
	{ 0x219, B_IL, 2, false, false },	{ 0x206, B_UL, 1, false, false },
	{ 0x8012ABCD, B_UL, 1, false, false }, { 0x220, B_UL, 2, false, false },
};

static const struct block_type *block_type_of(uint32_t code)
{
	static const struct block_type shb = { SHB_TYPE, B_SHB, 0, false, false };

	if (code == SHB_TYPE)
		return &shb;
	if (code == 0x216) /* the common case first: EV_V2 */
		return &block_types[19];
	for (size_t i = 0; i < sizeof(block_types) / sizeof(block_types[0]); i++)
		if (block_types[i].code == code)
			return &block_types[i];
	return NULL;
}

/* One decoded event: header and parameter slices (borrowed). */
struct scap_evt {
	uint32_t type;
	int64_t ts, tid;
	uint32_t nparams;
	const uint8_t *p[SCAP_MAX_PARAMS];
	uint32_t l[SCAP_MAX_PARAMS];
	const uint8_t *raw;
	uint32_t raw_len;
	uint64_t offset;
};

struct pending {
	int64_t tid;
	bool used;
	struct scap_evt ev; /* pointers into buf */
	uint8_t *buf;
	size_t cap;
};

/* Parameters an importer looks for, by name; resolved once per event code at open. */
enum role {
	R_RES, R_FD, R_NAME, R_PATH, R_FLAGS, R_MODE, R_DIRFD, R_TUPLE, R_ADDR, R_EXE, R_ARGS, R_TID,
	R_PID, R_PTID, R_CWD, R_COMM, R_CGROUPS, R_UID, R_LOGINUID, R_TRUSTED, R_FILENAME, R_DOMAIN,
	R_TYPE, R_OLDFD, R_NEWFD, R_FD1, R_FD2, R_STATUS, R_SIG, R_NATIVEID, R_OLDPATH, R_NEWPATH,
	R_TARGET, R_LINKPATH, R_DEV, R_DIR, R_JSON, R_ID, R_IMAGE, R_CNAME, R_DATA, R_SID, R_EUID,
	R_MAX
};

static const char *const role_names[R_MAX] = {
	[R_RES] = "res", [R_FD] = "fd", [R_NAME] = "name", [R_PATH] = "path", [R_FLAGS] = "flags",
	[R_MODE] = "mode", [R_DIRFD] = "dirfd", [R_TUPLE] = "tuple", [R_ADDR] = "addr",
	[R_EXE] = "exe", [R_ARGS] = "args", [R_TID] = "tid", [R_PID] = "pid", [R_PTID] = "ptid",
	[R_CWD] = "cwd", [R_COMM] = "comm", [R_CGROUPS] = "cgroups", [R_UID] = "uid",
	[R_LOGINUID] = "loginuid", [R_TRUSTED] = "trusted_exepath", [R_FILENAME] = "filename",
	[R_DOMAIN] = "domain", [R_TYPE] = "type", [R_OLDFD] = "oldfd", [R_NEWFD] = "newfd",
	[R_FD1] = "fd1", [R_FD2] = "fd2", [R_STATUS] = "status", [R_SIG] = "sig",
	[R_NATIVEID] = "nativeID", [R_OLDPATH] = "oldpath", [R_NEWPATH] = "newpath",
	[R_TARGET] = "target", [R_LINKPATH] = "linkpath", [R_DEV] = "dev", [R_DIR] = "dir",
	[R_JSON] = "json", [R_ID] = "id", [R_IMAGE] = "image", [R_CNAME] = "name", [R_DATA] = "data",
	[R_SID] = "sid", [R_EUID] = "euid",
};

/* Parameters the model writes itself under its own names (so `fields` must not repeat them),
 * as a bit set: which of them an event skips depends on what the model made of it. */
enum skip_name {
	S_RES, S_ID, S_NATIVEID, S_TID, S_PID, S_PTID, S_FD, S_NAME, S_FLAGS, S_MODE, S_FILENAME,
	S_ARGS, S_ENV, S_STATUS, S_SIG, S_OLDFD, S_NEWFD, S_OLDPATH, S_NEWPATH, S_TARGET, S_LINKPATH,
	S_DEV, S_DIR, S_PATH, S_MAX
};

static const char *const skip_names[S_MAX] = {
	[S_RES] = "res", [S_ID] = "ID", [S_NATIVEID] = "nativeID", [S_TID] = "tid", [S_PID] = "pid",
	[S_PTID] = "ptid", [S_FD] = "fd", [S_NAME] = "name", [S_FLAGS] = "flags", [S_MODE] = "mode",
	[S_FILENAME] = "filename", [S_ARGS] = "args", [S_ENV] = "env", [S_STATUS] = "status",
	[S_SIG] = "sig", [S_OLDFD] = "oldfd", [S_NEWFD] = "newfd", [S_OLDPATH] = "oldpath",
	[S_NEWPATH] = "newpath", [S_TARGET] = "target", [S_LINKPATH] = "linkpath", [S_DEV] = "dev",
	[S_DIR] = "dir", [S_PATH] = "path",
};

#define SKIP(name) (UINT32_C(1) << (name))

/* What `fields` needs of each parameter of each event code, computed once at open. */
struct param_meta {
	uint32_t key_off; /* its key, `"evt.arg.NAME":`, in state.keys */
	uint8_t key_len;
	int8_t skip;      /* enum skip_name, or -1 */
	int8_t in_exit;   /* of an enter event: the index of the same name in its exit, or -1 */
};

/* What an importer does with an event, by name; computed once per event code at open. */
enum ev_class {
	C_OTHER, C_META, C_GENERIC, C_ASYNC, C_OPEN, C_EXEC, C_EXECVEAT, C_CLONE, C_PROCEXIT, C_CONTAINER,
	C_DUP, C_PIPE, C_SOCKET, C_ACCEPT, C_SENDRECV, C_RENAME, C_SYMLINK, C_MOUNT, C_NAMEPATH, C_SETUID,
	C_SETXUID,
};

static uint8_t classify(const char *name)
{
	static const struct {
		const char *name;
		uint8_t cls;
	} t[] = {
		{ "procinfo", C_META }, { "drop", C_META }, { "switch", C_META }, { "useradded", C_META },
		{ "groupadded", C_META }, { "userdeleted", C_META }, { "groupdeleted", C_META },
		{ "scapevent", C_META }, { "syscall", C_GENERIC }, { "asyncevent", C_ASYNC },
		{ "open", C_OPEN }, { "openat", C_OPEN }, { "openat2", C_OPEN }, { "creat", C_OPEN },
		{ "open_by_handle_at", C_OPEN }, { "execve", C_EXEC }, { "execveat", C_EXECVEAT },
		{ "clone", C_CLONE }, { "clone3", C_CLONE }, { "fork", C_CLONE }, { "vfork", C_CLONE },
		{ "procexit", C_PROCEXIT }, { "container", C_CONTAINER }, { "dup", C_DUP }, { "dup2", C_DUP },
		{ "dup3", C_DUP }, { "pipe", C_PIPE }, { "pipe2", C_PIPE }, { "socketpair", C_PIPE },
		{ "socket", C_SOCKET }, { "accept", C_ACCEPT }, { "accept4", C_ACCEPT }, { "rename", C_RENAME },
		{ "renameat", C_RENAME }, { "renameat2", C_RENAME }, { "link", C_RENAME }, { "linkat", C_RENAME },
		{ "symlink", C_SYMLINK }, { "symlinkat", C_SYMLINK }, { "mount", C_MOUNT },
		{ "unlinkat", C_NAMEPATH }, { "umount2", C_NAMEPATH }, { "memfd_create", C_NAMEPATH },
		{ "setuid", C_SETUID }, { "setresuid", C_SETXUID }, { "setreuid", C_SETXUID },
	};

	if (!name)
		return C_OTHER;
	if (!strncmp(name, "send", 4) || !strncmp(name, "recv", 4))
		return C_SENDRECV;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(name, t[i].name))
			return t[i].cls;
	return C_OTHER;
}

struct state {
	struct sys_model *model;
	bool seen_shb;
	uint16_t major, minor;
	char hostname[129];
	const char *host;

	struct i64map pend_index; /* tid → slot */
	struct pending *pend;
	size_t npend, cappend;
	bool pend_warned;
	size_t pend_bytes;        /* buffer bytes held by the pending table */

	struct i64map tid_pid;    /* tid → pid, from the process list, clone and execve */
	struct i64map containers; /* pid → container id (48 bits) | 1 << 62; 0: host */
	struct i64map uid_names;  /* uid → index in user_names */
	struct i64map pid_uid;    /* pid → user.uid, from the process list, execve, clone, setuid */
	char **user_names;
	char **user_json;         /* `"user.name":"NAME"` of each, escaped once */
	size_t nusers;
	int64_t cid_packed;       /* the container id last written to cid_text (BS_NONE: none) */
	char cid_text[16];

	int8_t roles[SCAP_EVENT_MAX][R_MAX];
	uint8_t cls[SCAP_EVENT_MAX];
	bool has_exit[SCAP_EVENT_MAX]; /* an enter event completed by code + 1 */
	struct param_meta pm[SCAP_EVENT_MAX][SCAP_MAX_PARAMS];
	struct strbuf keys;            /* the param_meta keys */

	struct strbuf extra, argbuf, strs[6], cid, raw;
	const char **argv;
	size_t capargv;
	bool warned_type;
	bool assumed_arch;
	const char *generic_names[1024]; /* libs syscall id → name, learnt from generic events */
};

/* ---- probe ---- */

static int probe(const uint8_t *head, size_t len)
{
	struct cursor c = cursor_make(head, len);
	uint32_t type = cursor_le32(&c), total = cursor_le32(&c), magic = cursor_le32(&c);
	uint16_t major = cursor_le16(&c);

	if (c.truncated || type != SHB_TYPE || magic != SHB_MAGIC || major != 1)
		return 0;
	/* pcapng shares the section header (and its magic): the next block decides */
	if (total < 28 || total % 4 || total > len - 8)
		return 50;
	c = cursor_make(head + total, len - total);
	type = cursor_le32(&c);
	return block_type_of(type) ? 100 : 0;
}

/* ---- state ---- */

static void state_free(struct state *st)
{
	if (!st)
		return;
	sys_model_free(st->model);
	for (size_t i = 0; i < st->npend; i++)
		free(st->pend[i].buf);
	free(st->pend);
	i64map_release(&st->pend_index);
	i64map_release(&st->tid_pid);
	i64map_release(&st->containers);
	i64map_release(&st->uid_names);
	i64map_release(&st->pid_uid);
	for (size_t i = 0; i < st->nusers; i++) {
		free(st->user_names[i]);
		free(st->user_json[i]);
	}
	free(st->user_names);
	free(st->user_json);
	strbuf_release(&st->keys);
	strbuf_release(&st->extra);
	strbuf_release(&st->argbuf);
	strbuf_release(&st->cid);
	strbuf_release(&st->raw);
	for (size_t i = 0; i < sizeof(st->strs) / sizeof(st->strs[0]); i++)
		strbuf_release(&st->strs[i]);
	free(st->argv);
	free(st);
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
	i64map_init(&st->pend_index);
	i64map_init(&st->tid_pid);
	i64map_init(&st->containers);
	i64map_init(&st->uid_names);
	i64map_init(&st->pid_uid);
	strbuf_init(&st->extra);
	strbuf_init(&st->argbuf);
	strbuf_init(&st->cid);
	strbuf_init(&st->raw);
	for (size_t i = 0; i < sizeof(st->strs) / sizeof(st->strs[0]); i++)
		strbuf_init(&st->strs[i]);
	strbuf_init(&st->keys);
	st->cid_packed = BS_NONE;
	for (uint32_t code = 0; code < SCAP_EVENT_MAX; code++) {
		for (int r = 0; r < R_MAX; r++)
			st->roles[code][r] = (int8_t)scap_param_find(code, role_names[r]);
		st->cls[code] = classify(scap_events[code].name);
		st->has_exit[code] = scap_event_has_exit(code);
	}
	for (uint32_t code = 0; code < SCAP_EVENT_MAX; code++) {
		const struct scap_event_info *info = &scap_events[code];
		for (uint32_t i = 0; info->name && i < info->nparams && i < SCAP_MAX_PARAMS; i++) {
			struct param_meta *pm = &st->pm[code][i];
			const char *name = info->params[i].name;
			pm->key_off = (uint32_t)st->keys.len;
			strbuf_addstr(&st->keys, "\"evt.arg."); /* table names are identifiers: no escapes */
			strbuf_addstr(&st->keys, name);
			strbuf_add(&st->keys, "\":", 2);
			pm->key_len = (uint8_t)(st->keys.len - pm->key_off);
			pm->skip = -1;
			for (int k = 0; k < S_MAX; k++)
				if (!strcmp(skip_names[k], name))
					pm->skip = (int8_t)k;
			pm->in_exit = st->has_exit[code] ? (int8_t)scap_param_find(code + 1, name) : -1;
		}
	}
	st->host = ctx->opts ? ctx->opts->host : NULL;
	*ret_state = st;
	return 0;
}

static void close_(void *state)
{
	state_free(state);
}

/* ---- small helpers ---- */

/* A string parameter as a C string: borrowed when NUL-terminated, else copied to one of a few
 * rotating buffers. NULL when absent. */
static const char *param_str(struct state *st, const uint8_t *p, uint32_t len, unsigned *rot)
{
	struct strbuf *sb;
	const uint8_t *nul;

	if (!p)
		return NULL;
	if (len && (nul = memchr(p, '\0', len)))
		return (const char *)p;
	sb = &st->strs[(*rot)++ % (sizeof(st->strs) / sizeof(st->strs[0]))];
	strbuf_reset(sb);
	strbuf_add(sb, p, len);
	return sb->buf ? sb->buf : "";
}

/* The container id in a cgroup list: the first run of exactly 64 hex digits (docker, cri-o,
 * containerd and podman paths all carry one); its first 12 digits packed into 48 bits. */
static int64_t cgroups_container(const uint8_t *p, size_t len)
{
	size_t run = 0;

	if (!p)
		return BS_NONE;
	for (size_t i = 0; i <= len; i++) {
		bool hex = i < len && ((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f'));
		if (hex) {
			run++;
			continue;
		}
		if (run == 64) {
			int64_t v = 0;
			for (size_t k = i - 64; k < i - 52; k++)
				v = v << 4 | (p[k] <= '9' ? p[k] - '0' : p[k] - 'a' + 10);
			return v | (INT64_C(1) << 62);
		}
		run = 0;
	}
	return 0;
}

static const char *container_text(struct state *st, int64_t packed)
{
	static const char hexd[] = "0123456789abcdef";

	if (packed == st->cid_packed)
		return st->cid_text; /* the same container as the last event: most of the time */
	st->cid_packed = packed;
	if (packed == 0) {
		memcpy(st->cid_text, "host", 5);
		return st->cid_text;
	}
	for (int i = 11; i >= 0; i--)
		st->cid_text[11 - i] = hexd[(packed >> (i * 4)) & 0xf];
	st->cid_text[12] = '\0';
	return st->cid_text;
}

static void tid_pid_put(struct state *st, int64_t tid, int64_t pid)
{
	if (st->tid_pid.len >= SCAP_MAX_TIDS) {
		i64map_release(&st->tid_pid);
		i64map_init(&st->tid_pid);
	}
	if (tid != INT64_MIN)
		i64map_put(&st->tid_pid, tid, pid);
}

static void containers_put(struct state *st, int64_t pid, int64_t packed)
{
	if (st->containers.len >= SCAP_MAX_TIDS) { /* bounded: start again */
		i64map_release(&st->containers);
		i64map_init(&st->containers);
	}
	if (pid != INT64_MIN)
		i64map_put(&st->containers, pid, packed);
}

static int64_t pid_of(struct state *st, int64_t tid)
{
	int64_t pid;

	return i64map_get(&st->tid_pid, tid, &pid) ? pid : tid;
}

/* NUL-separated list (argv, after argv[0]) into st->argv, the strings copied to argbuf. */
static size_t split_args(struct state *st, const char *argv0, const uint8_t *p, uint32_t len)
{
	size_t n = 0, off;
	size_t starts[1 + 1024];

	strbuf_reset(&st->argbuf);
	if (argv0) {
		starts[n++] = 0;
		strbuf_add(&st->argbuf, argv0, strlen(argv0) + 1);
	}
	off = 0;
	while (p && off < len && n < sizeof(starts) / sizeof(starts[0])) {
		const uint8_t *e = memchr(p + off, '\0', len - off);
		size_t l = e ? (size_t)(e - (p + off)) : len - off;
		starts[n++] = st->argbuf.len;
		strbuf_add(&st->argbuf, p + off, l);
		strbuf_addch(&st->argbuf, '\0');
		off += l + 1;
	}
	if (n > st->capargv) {
		const char **a = realloc(st->argv, n * sizeof(*a));
		if (!a)
			return 0;
		st->argv = a;
		st->capargv = n;
	}
	for (size_t i = 0; i < n; i++)
		st->argv[i] = st->argbuf.buf + starts[i];
	return n;
}

/* ---- tables at capture start ---- */

static int read_string16(struct cursor *c, const uint8_t **ret, uint16_t *ret_len)
{
	uint16_t n = cursor_le16(c);
	const uint8_t *p = cursor_bytes(c, n);

	*ret = p;
	*ret_len = p ? n : 0;
	return c->truncated ? -1 : 0;
}

static const char *cstr16(struct state *st, struct cursor *c, unsigned *rot)
{
	const uint8_t *p;
	uint16_t n;

	if (read_string16(c, &p, &n) < 0)
		return NULL;
	/* a list entry's string is not NUL-terminated: copy it */
	{
		struct strbuf *sb = &st->strs[(*rot)++ % (sizeof(st->strs) / sizeof(st->strs[0]))];
		strbuf_reset(sb);
		strbuf_add(sb, p, n);
		strbuf_addch(sb, '\0');
		return sb->buf;
	}
}

/* One pass over a process list block; the second pass (relink) only links children listed
 * before their parents. */
static int read_proclist(struct imp_ctx *ctx, struct state *st, const struct block_type *bt, const uint8_t *body,
			 size_t len, uint64_t offset, bool relink)
{
	struct cursor c = cursor_make(body, len);
	int ver = bt->version, r;

	while (cursor_remaining(&c) >= 4) {
		struct cursor e = c;
		size_t start = cursor_offset(&c);
		uint32_t sub_len = 0;
		unsigned rot = 0;
		struct sys_seed_proc sp = { 0 };
		const char *exe, *exepath = NULL;
		const uint8_t *args, *cgroups = NULL;
		uint16_t args_len, cg_len = 0;

		if (ver == 9) {
			sub_len = cursor_le32(&c);
			if (sub_len < 4 || sub_len > cursor_remaining(&c) + 4) {
				imp_skipped(ctx, offset + start, "process list entry length %u does not fit its block",
					    sub_len);
				return 0;
			}
			e = cursor_sub(&c, sub_len - 4);
		} else {
			e = c;
		}
		sp.host = st->host;
		sp.tid = (int64_t)cursor_le64(&e);
		sp.pid = (int64_t)cursor_le64(&e);
		sp.ppid = (int64_t)cursor_le64(&e);
		sp.sid = ver >= 6 ? (int64_t)cursor_le64(&e) : BS_NONE;
		if (ver >= 8)
			cursor_skip(&e, 8); /* vpgid */
		sp.comm = cstr16(st, &e, &rot);
		exe = cstr16(st, &e, &rot);
		if (ver >= 7)
			exepath = cstr16(st, &e, &rot);
		read_string16(&e, &args, &args_len);
		sp.cwd = cstr16(st, &e, &rot);
		cursor_skip(&e, 8 + 4); /* fdlimit, flags */
		sp.uid = cursor_le32(&e);
		cursor_skip(&e, 4); /* gid */
		if (ver >= 2)
			cursor_skip(&e, 4 + 4 + 4 + 8 + 8); /* vmsize, vmrss, vmswap, pfmajor, pfminor */
		if (ver >= 3) {
			const uint8_t *env;
			uint16_t env_len;
			read_string16(&e, &env, &env_len);
		}
		if (ver >= 4) {
			cursor_skip(&e, 16); /* vtid, vpid */
			read_string16(&e, &cgroups, &cg_len);
		}
		if (ver >= 5) {
			const uint8_t *root;
			uint16_t root_len;
			read_string16(&e, &root, &root_len);
		}
		sp.loginuid = BS_NONE;
		if (ver == 9 && !e.truncated) {
			/* appended fields: [pidns_init_start_ts, tty,] loginuid ... */
			if (cursor_remaining(&e) > 29)
				cursor_skip(&e, 12);
			if (cursor_remaining(&e) >= 4) {
				uint32_t lu = cursor_le32(&e);
				sp.loginuid = lu == UINT32_MAX ? -1 : (int64_t)lu;
			}
		}
		if (e.truncated) {
			if (!relink)
				imp_skipped(ctx, offset + start, "process list entry for tid %lld is cut short",
					    (long long)sp.tid);
			return 0;
		}
		if (relink) {
			if (ver != 9)
				c = e;
			if (sp.tid != sp.pid || sp.ppid <= 0)
				continue;
			struct sys_seed_proc link = { .host = st->host, .pid = sp.pid, .tid = sp.pid, .ppid = sp.ppid,
						      .uid = BS_NONE, .loginuid = BS_NONE, .sid = BS_NONE };
			if ((r = sys_model_seed_process(st->model, &link)) < 0)
				return r;
			continue;
		}
		if (ver != 9)
			c = e; /* no entry length before V9: the entry ends where its fields do */
		if (sp.uid == UINT32_MAX)
			sp.uid = BS_NONE;
		sp.exe = exepath && exepath[0] ? exepath : exe;
		sp.argc = split_args(st, exe, args, args_len);
		sp.argv = st->argv;
		if (sp.ppid <= 0)
			sp.ppid = BS_NONE;
		tid_pid_put(st, sp.tid, sp.pid);
		if (cgroups && (sp.tid == sp.pid || !i64map_get(&st->containers, sp.pid, &(int64_t){ 0 })))
			containers_put(st, sp.pid, cgroups_container(cgroups, cg_len));
		if (sp.uid != BS_NONE && sp.pid != INT64_MIN && st->pid_uid.len < SCAP_MAX_TIDS)
			i64map_put(&st->pid_uid, sp.pid, sp.uid);
		if ((r = sys_model_seed_process(st->model, &sp)) < 0)
			return r;
	}
	return 0;
}

static char fd_typechar(uint8_t type)
{
	static const char map[] = {
		[1] = 'f', [2] = 'd', [3] = '4', [4] = '6', [5] = '4', [6] = '6', [7] = 'p', [8] = 'u',
		[9] = 'e', [10] = 'o', [11] = 's', [12] = 'l', [13] = 'i', [14] = 't', [15] = 'n',
		[16] = 'f', [17] = 'b', [18] = 'u', [19] = 'r', [20] = 'm', [21] = 'P',
	};
	return type < sizeof(map) && map[type] ? map[type] : 'o';
}

static const char *l4_name(uint8_t l4)
{
	switch (l4) {
	case 2:
		return "tcp";
	case 3:
		return "udp";
	case 4:
		return "icmp";
	case 5:
		return "raw";
	default:
		return NULL;
	}
}

static void inet_end(struct cursor *c, int family, struct sys_sockaddr *a, const uint8_t *ip, uint16_t port)
{
	uint8_t tmp[19];
	size_t n = family == 10 ? 16 : 4;

	(void)c;
	memset(a, 0, sizeof(*a));
	a->port = BS_NONE;
	if (!ip)
		return;
	tmp[0] = (uint8_t)family;
	memcpy(tmp + 1, ip, n);
	tmp[n + 1] = (uint8_t)(port & 0xff);
	tmp[n + 2] = (uint8_t)(port >> 8);
	scap_param_sockaddr(tmp, n + 3, a);
}

static void read_fdlist(struct imp_ctx *ctx, struct state *st, const struct block_type *bt, const uint8_t *body,
			size_t len, uint64_t offset)
{
	struct cursor c = cursor_make(body, len);
	int64_t tid = (int64_t)cursor_le64(&c), pid = pid_of(st, tid);

	while (cursor_remaining(&c) >= 4) {
		size_t start = cursor_offset(&c);
		uint32_t sub_len = 0;
		struct cursor e;
		struct sys_seed_fd sf = { 0 };
		uint8_t type;
		unsigned rot = 0;

		if (bt->version == 2) {
			sub_len = cursor_le32(&c);
			if (sub_len < 4 || sub_len - 4 > cursor_remaining(&c)) {
				imp_skipped(ctx, offset + start, "fd list entry length %u does not fit its block", sub_len);
				return;
			}
			e = cursor_sub(&c, sub_len - 4);
		} else {
			e = c;
		}
		sf.host = st->host;
		sf.pid = pid;
		sf.fd = (int64_t)cursor_le64(&e);
		cursor_skip(&e, 8); /* ino */
		type = cursor_u8(&e);
		sf.typechar = fd_typechar(type);
		switch (type) {
		case 3: /* IPv4 socket: sip, dip, sport, dport, l4 */
		case 4: {
			size_t n = type == 4 ? 16 : 4;
			int fam = type == 4 ? 10 : 2;
			const uint8_t *sip = cursor_bytes(&e, n), *dip = cursor_bytes(&e, n);
			uint16_t sport = cursor_le16(&e), dport = cursor_le16(&e);
			sf.l4proto = l4_name(cursor_u8(&e));
			inet_end(&e, fam, &sf.local, sip, sport);
			inet_end(&e, fam, &sf.remote, dip, dport);
			break;
		}
		case 5: /* server socket: ip, port, l4 */
		case 6: {
			size_t n = type == 6 ? 16 : 4;
			const uint8_t *ip = cursor_bytes(&e, n);
			uint16_t port = cursor_le16(&e);
			sf.l4proto = l4_name(cursor_u8(&e));
			inet_end(&e, type == 6 ? 10 : 2, &sf.local, ip, port);
			sf.is_server = true;
			break;
		}
		case 8: /* unix: u64 src, u64 dst, name */
			cursor_skip(&e, 16);
			sf.name = cstr16(st, &e, &rot);
			sf.l4proto = "unix";
			break;
		case 16: /* FILE_V2: open flags, name, [dev] */
			cursor_skip(&e, 4);
			sf.name = cstr16(st, &e, &rot);
			if (bt->version == 2 && cursor_remaining(&e) >= 4)
				cursor_skip(&e, 4);
			break;
		case 0:
			break;
		default:
			if (type <= 21)
				sf.name = cstr16(st, &e, &rot);
			break;
		}
		if (e.truncated) {
			imp_skipped(ctx, offset + start, "fd list entry %lld of tid %lld is cut short", (long long)sf.fd,
				    (long long)tid);
			return;
		}
		if (bt->version != 2)
			c = e;
		if (sf.name) {
			/* unix socket names come from /proc/net/unix lines: drop the line end */
			char *nm = (char *)sf.name;
			size_t nl = strlen(nm);
			while (nl && (nm[nl - 1] == '\n' || nm[nl - 1] == '\r'))
				nm[--nl] = '\0';
			if (!nl)
				sf.name = NULL;
		}
		if ((type == 3 || type == 4) && sf.local.port != BS_NONE && sf.remote.port != BS_NONE &&
		    sf.local.port < sf.remote.port)
			sf.is_server = true; /* the table does not say: the lower port is taken as the server's */
		sys_model_seed_fd(st->model, &sf);
	}
}

static void read_userlist(struct state *st, const struct block_type *bt, const uint8_t *body, size_t len)
{
	struct cursor c = cursor_make(body, len);

	while (cursor_remaining(&c) >= 4 && st->nusers < 65536) {
		struct cursor e;
		unsigned rot = 0;
		uint8_t type;

		if (bt->version == 2) {
			uint32_t sub_len = cursor_le32(&c);
			if (sub_len < 4 || sub_len - 4 > cursor_remaining(&c))
				return;
			e = cursor_sub(&c, sub_len - 4);
		} else {
			e = c;
		}
		type = cursor_u8(&e);
		if (type == 0) {
			uint32_t uid = cursor_le32(&e);
			const char *name;
			cursor_skip(&e, 4);
			name = cstr16(st, &e, &rot);
			cstr16(st, &e, &rot);
			cstr16(st, &e, &rot);
			if (e.truncated)
				return;
			if (name && name[0] && strlen(name) <= 256 && !i64map_get(&st->uid_names, uid, &(int64_t){ 0 })) {
				struct strbuf js = STRBUF_INIT;
				char **n = realloc(st->user_names, (st->nusers + 1) * sizeof(*n));
				if (!n)
					return;
				st->user_names = n;
				n = realloc(st->user_json, (st->nusers + 1) * sizeof(*n));
				if (!n)
					return;
				st->user_json = n;
				jsonw_cstr(&js, "user.name");
				strbuf_addch(&js, ':');
				jsonw_cstr(&js, name);
				st->user_names[st->nusers] = strdup(name);
				st->user_json[st->nusers] = strbuf_detach(&js, NULL);
				if (!st->user_names[st->nusers]) {
					free(st->user_json[st->nusers]);
					return;
				}
				i64map_put(&st->uid_names, uid, (int64_t)st->nusers++);
			}
		} else {
			cursor_skip(&e, 4);
			cstr16(st, &e, &rot);
			if (e.truncated)
				return;
		}
		if (bt->version != 2)
			c = e;
	}
}

static void read_machine_info(struct state *st, const uint8_t *body, size_t len)
{
	struct cursor c = cursor_make(body, len);
	const uint8_t *name;
	size_t n = 0;

	cursor_skip(&c, 4 + 8 + 8); /* num_cpus, memory, max_pid */
	name = cursor_bytes(&c, 128);
	if (!name)
		return;
	while (n < 128 && name[n] >= 0x21 && name[n] < 0x7f)
		n++;
	if (n < 128 && name[n] != '\0')
		return;
	memcpy(st->hostname, name, n);
	st->hostname[n] = '\0';
	if (!st->host && n)
		st->host = st->hostname;
}

/* ---- events ---- */

static int64_t param_i(const struct state *st, const struct scap_evt *x, const struct scap_evt *e, int role)
{
	for (int k = 0; k < 2; k++) {
		const struct scap_evt *ev = k ? e : x;
		int idx;
		int64_t v;
		if (!ev)
			continue;
		idx = st->roles[ev->type][role];
		if (idx >= 0 && (uint32_t)idx < ev->nparams &&
		    scap_param_int(scap_events[ev->type].params[idx].type, ev->p[idx], ev->l[idx], &v))
			return v;
	}
	return BS_NONE;
}

static bool param_raw(const struct state *st, const struct scap_evt *x, const struct scap_evt *e, int role,
		      const uint8_t **ret_p, uint32_t *ret_len, int *ret_idx, bool *ret_from_exit)
{
	for (int k = 0; k < 2; k++) {
		const struct scap_evt *ev = k ? e : x;
		int idx;
		if (!ev)
			continue;
		idx = st->roles[ev->type][role];
		if (idx >= 0 && (uint32_t)idx < ev->nparams) {
			*ret_p = ev->p[idx];
			*ret_len = ev->l[idx];
			if (ret_idx)
				*ret_idx = idx;
			if (ret_from_exit)
				*ret_from_exit = !k;
			return true;
		}
	}
	return false;
}

static const char *param_s(struct state *st, const struct scap_evt *x, const struct scap_evt *e, int role,
			   unsigned *rot)
{
	const uint8_t *p;
	uint32_t len;

	if (!param_raw(st, x, e, role, &p, &len, NULL, NULL))
		return NULL;
	return param_str(st, p, len, rot);
}

/* "evt.arg.NAME": (the key written at open) */
static void extra_key(struct strbuf *sb, bool *first, const char *key, size_t key_len)
{
	if (!*first)
		strbuf_addch(sb, ',');
	strbuf_add(sb, key, key_len);
	*first = false;
}

static void extra_param(struct strbuf *sb, bool *first, const char *key, size_t key_len, uint8_t type,
			const uint8_t *p, uint32_t len)
{
	int64_t v;
	struct sys_sockaddr a, b;
	char t[160];

	switch (type) {
	case SCAP_PT_CHARBUF:
	case SCAP_PT_FSPATH:
	case SCAP_PT_FSRELPATH:
	case SCAP_PT_BYTEBUF: {
		size_t n = len;
		if (type != SCAP_PT_BYTEBUF) {
			const uint8_t *nul = memchr(p, '\0', len);
			if (nul)
				n = (size_t)(nul - p);
		} else if (n > SCAP_DATA_MAX) {
			n = SCAP_DATA_MAX;
		}
		extra_key(sb, first, key, key_len);
		jsonw_string(sb, (const char *)p, n);
		return;
	}
	case SCAP_PT_SOCKADDR:
		scap_param_sockaddr(p, len, &a);
		if (!a.family)
			return;
		extra_key(sb, first, key, key_len);
		if (a.family == 1) {
			jsonw_cstr(sb, a.path);
		} else {
			snprintf(t, sizeof(t), "%s:%lld", a.ip, (long long)a.port);
			jsonw_cstr(sb, t);
		}
		return;
	case SCAP_PT_SOCKTUPLE:
		scap_param_socktuple(p, len, &a, &b);
		if (a.family != 2 && a.family != 10)
			return;
		extra_key(sb, first, key, key_len);
		snprintf(t, sizeof(t), "%s:%lld->%s:%lld", a.ip, (long long)a.port, b.ip, (long long)b.port);
		jsonw_cstr(sb, t);
		return;
	default:
		if (!scap_param_int(type, p, len, &v))
			return;
		extra_key(sb, first, key, key_len);
		strbuf_addi64(sb, v);
		return;
	}
}

static void build_extra(struct state *st, const struct scap_evt *x, const struct scap_evt *e, uint32_t skip,
			const char *user_json)
{
	bool first = true;

	strbuf_reset(&st->extra);
	strbuf_addch(&st->extra, '{');
	for (int k = 0; k < 2; k++) {
		const struct scap_evt *ev = k ? e : x;
		const struct scap_event_info *info;
		if (!ev)
			continue;
		info = &scap_events[ev->type];
		for (uint32_t i = 0; i < ev->nparams && i < info->nparams; i++) {
			const struct param_meta *pm = &st->pm[ev->type][i];
			if (pm->skip >= 0 && (skip & SKIP(pm->skip)))
				continue;
			if (k == 1) {
				int fi = x->type == ev->type + 1 ? pm->in_exit : scap_param_find(x->type, info->params[i].name);
				if (fi >= 0 && (uint32_t)fi < x->nparams)
					continue; /* the exit already had it */
			}
			extra_param(&st->extra, &first, st->keys.buf + pm->key_off, pm->key_len, info->params[i].type,
				    ev->p[i], ev->l[i]);
		}
	}
	if (user_json) {
		if (!first)
			strbuf_addch(&st->extra, ',');
		strbuf_addstr(&st->extra, user_json);
		first = false;
	}
	strbuf_addch(&st->extra, '}');
}

/* Container metadata events: container.* fields from the JSON or the old id/name/image params. */
static void container_fields(struct state *st, const struct scap_evt *x, struct sys_call *c, unsigned *rot)
{
	const char *json = param_s(st, x, NULL, R_JSON, rot);
	const char *id = NULL, *name = NULL, *image = NULL;
	json_t *root = NULL, *ct;
	int priv = -1;
	struct jsonw_obj o;

	if (!json && x->type == 402) { /* asyncevent: data is the container plugin's JSON */
		const uint8_t *p;
		uint32_t len;
		if (param_raw(st, x, NULL, R_DATA, &p, &len, NULL, NULL))
			json = param_str(st, p, len, rot);
	}
	if (json) {
		root = json_loads(json, 0, NULL);
		ct = json_object_get(root, "container");
		if (!ct)
			ct = json_object_get(root, "value");
		id = json_string_value(json_object_get(ct, "id"));
		name = json_string_value(json_object_get(ct, "name"));
		image = json_string_value(json_object_get(ct, "image"));
		if (json_is_boolean(json_object_get(ct, "privileged")))
			priv = json_is_true(json_object_get(ct, "privileged"));
	} else {
		id = param_s(st, x, NULL, R_ID, rot);
		name = param_s(st, x, NULL, R_CNAME, rot);
		image = param_s(st, x, NULL, R_IMAGE, rot);
	}
	strbuf_reset(&st->extra);
	jsonw_begin(&o, &st->extra);
	if (name)
		jsonw_key_str(&o, "container.name", name);
	if (image)
		jsonw_key_str(&o, "container.image", image);
	if (priv >= 0)
		jsonw_key_bool(&o, "container.privileged", priv);
	jsonw_end(&o);
	if (id) {
		strbuf_reset(&st->cid);
		strbuf_add(&st->cid, id, strnlen(id, 64));
		c->container_id = st->cid.buf;
	}
	c->extra_fields = st->extra.buf;
	json_decref(root);
}

/* One completed syscall (x: the exit or a standalone event; e: its enter, or NULL). */
static int emit_call(struct imp_ctx *ctx, struct state *st, const struct scap_evt *x, const struct scap_evt *e)
{
	const struct scap_event_info *info = &scap_events[x->type];
	struct sys_call c;
	uint32_t skip = SKIP(S_RES);
	unsigned rot = 0;
	int64_t v, packed = BS_NONE, ptid;
	const char *name = info->name, *user_name = NULL, *user_json = NULL;
	const uint8_t *p;
	uint32_t len;
	char flags_text[160];
	uint8_t cls = st->cls[x->type];
	bool is_open, is_clone, is_exec;

	sys_call_init(&c);
	c.host = st->host;
	c.ts = x->ts;
	c.offset = x->offset;
	c.raw = x->raw;
	c.raw_len = x->raw_len;
	if (e) { /* the record kept is both events, enter first: nothing read is lost */
		strbuf_reset(&st->raw);
		strbuf_add(&st->raw, e->raw, e->raw_len);
		strbuf_add(&st->raw, x->raw, x->raw_len);
		c.raw = st->raw.buf;
		c.raw_len = st->raw.len;
	}
	c.tid = x->tid;
	c.uid = c.euid = c.loginuid = c.sid = BS_NONE;
	c.fd = c.fd2 = c.flags = c.mode = c.envc = c.exit_status = c.exit_signal = BS_NONE;
	c.addr.port = c.laddr.port = BS_NONE;

	if (cls == C_GENERIC) { /* generic: the native syscall number names it */
		const char *sn = NULL;
		int64_t id = param_i(st, x, e, R_ID);
		v = param_i(st, x, e, R_NATIVEID);
		if (v != BS_NONE) {
			sn = sys_syscall_name(SYS_ARCH_X86_64, v);
			if (sn && !st->assumed_arch) {
				imp_assume(ctx, "generic syscall events named by x86_64 syscall numbers (the capture does "
						"not record its architecture)");
				st->assumed_arch = true;
			}
		}
		if (sn && id >= 0 && id < (int64_t)(sizeof(st->generic_names) / sizeof(st->generic_names[0])))
			st->generic_names[id] = sn;
		else if (!sn && id >= 0 && id < (int64_t)(sizeof(st->generic_names) / sizeof(st->generic_names[0])))
			sn = st->generic_names[id]; /* an enter alone carries only the libs id: learnt from pairs */
		skip |= SKIP(S_ID) | SKIP(S_NATIVEID);
		if (sn)
			name = sn; /* a string of the static syscall table */
	} else if (cls == C_ASYNC) {
		const char *an = param_s(st, x, NULL, R_NAME, &rot);
		if (an && !strcmp(an, "container")) {
			name = "container";
			cls = C_CONTAINER;
		}
	}
	c.name = name;
	is_open = cls == C_OPEN;
	is_clone = cls == C_CLONE;
	is_exec = cls == C_EXEC || cls == C_EXECVEAT;

	/* who: clone and execve say who the caller is */
	if (is_clone || is_exec) {
		int64_t ptid_v = param_i(st, x, e, R_PTID), tid_v = param_i(st, x, e, R_TID), pid_v = param_i(st, x, e, R_PID);
		if (tid_v != BS_NONE && pid_v != BS_NONE) {
			tid_pid_put(st, tid_v, pid_v);
			if (tid_v == x->tid)
				c.pid = pid_v;
		}
		ptid = ptid_v;
		if (ptid != BS_NONE && ptid > 0)
			c.ppid = pid_of(st, ptid);
		if (param_raw(st, x, e, R_CGROUPS, &p, &len, NULL, NULL) && c.pid != BS_NONE)
			containers_put(st, c.pid, cgroups_container(p, len));
		skip |= SKIP(S_TID);
		skip |= SKIP(S_PID);
		skip |= SKIP(S_PTID);
	}
	if (c.pid == BS_NONE)
		c.pid = pid_of(st, x->tid);
	if (i64map_get(&st->containers, c.pid, &packed))
		c.container_id = container_text(st, packed);

	/* the result */
	v = param_i(st, x, NULL, R_RES);
	if (v == BS_NONE && info->is_exit && (info->flags & SCAP_EF_CREATES_FD)) {
		v = param_i(st, x, NULL, R_FD);
		if (v != BS_NONE)
			skip |= SKIP(S_FD);
	}
	if (v != BS_NONE && info->is_exit) {
		c.has_res = true;
		c.res = v;
		if (v < 0)
			c.err = sys_errno_name(-v);
	}

	/* arguments */
	if (is_open) {
		const char *path = param_s(st, x, e, R_NAME, &rot);
		int64_t flags = param_i(st, x, e, R_FLAGS);
		c.path = path;
		c.fd = param_i(st, x, e, R_DIRFD);
		if (flags != BS_NONE) {
			c.flags = scap_open_flags_linux((uint32_t)flags);
			scap_open_flags_text((uint32_t)flags, flags_text, sizeof(flags_text));
			c.flags_text = flags_text;
		}
		c.mode = param_i(st, x, e, R_MODE);
		skip |= SKIP(S_NAME);
		skip |= SKIP(S_FLAGS);
		skip |= SKIP(S_MODE);
	} else if (is_exec) {
		const char *exe = param_s(st, x, e, R_EXE, &rot), *trusted = param_s(st, x, e, R_TRUSTED, &rot);
		const char *filename = param_s(st, x, e, R_FILENAME, &rot);
		c.comm = param_s(st, x, e, R_COMM, &rot);
		c.cwd = param_s(st, x, e, R_CWD, &rot);
		if (trusted && trusted[0])
			c.exe = trusted;
		else if (filename && filename[0])
			c.path = filename; /* the model resolves it against the cwd */
		else if (exe && exe[0])
			c.exe = exe; /* old captures: argv[0] as recorded, never resolved by guess */
		if (param_raw(st, x, e, R_ARGS, &p, &len, NULL, NULL)) {
			c.argc = split_args(st, exe ? exe : "", p, len);
			c.argv = st->argv;
		}
		v = param_i(st, x, e, R_UID);
		if (v != BS_NONE && v != UINT32_MAX)
			c.uid = c.euid = v;
		v = param_i(st, x, e, R_LOGINUID);
		if (v != BS_NONE)
			c.loginuid = v == UINT32_MAX ? -1 : v;
		if (cls == C_EXECVEAT)
			c.fd = param_i(st, x, e, R_DIRFD);
		skip |= SKIP(S_FILENAME);
		skip |= SKIP(S_ARGS);
		skip |= SKIP(S_ENV);
	} else if (is_clone) {
		const char *exe = param_s(st, x, e, R_EXE, &rot);
		int64_t flags = param_i(st, x, e, R_FLAGS);
		c.comm = param_s(st, x, e, R_COMM, &rot);
		if (!c.comm && exe) {
			const char *b = strrchr(exe, '/');
			c.comm = b ? b + 1 : exe;
		}
		c.cwd = param_s(st, x, e, R_CWD, &rot);
		if (param_raw(st, x, e, R_ARGS, &p, &len, NULL, NULL)) {
			c.argc = split_args(st, exe ? exe : "", p, len);
			c.argv = st->argv;
			c.argv_is_title = true;
		}
		if (flags != BS_NONE)
			c.thread = (flags & SCAP_CLONE_THREAD) != 0;
		v = param_i(st, x, e, R_UID);
		if (v != BS_NONE && v != UINT32_MAX)
			c.uid = c.euid = v;
		skip |= SKIP(S_ARGS);
		skip |= SKIP(S_ENV);
	} else if (cls == C_PROCEXIT) {
		c.exit_status = param_i(st, x, e, R_STATUS);
		v = param_i(st, x, e, R_SIG);
		c.exit_signal = v == 0 ? BS_NONE : v;
		skip |= SKIP(S_STATUS);
		skip |= SKIP(S_SIG);
	} else if (cls == C_CONTAINER) {
		container_fields(st, x, &c, &rot);
	} else {
		struct sys_sockaddr src, dst;
		uint8_t fl = info->flags | (e ? scap_events[e->type].flags : 0);
		/* fd.* belong to events that use an fd (Falco's EF_USES_FD ...): mmap's fd is an argument */
		if (fl & (SCAP_EF_USES_FD | SCAP_EF_CREATES_FD | SCAP_EF_DESTROYS_FD)) {
			c.fd = param_i(st, x, e, R_FD);
			if (c.fd != BS_NONE)
				skip |= SKIP(S_FD);
		}
		if (cls == C_DUP) {
			int64_t o = param_i(st, x, e, R_OLDFD);
			if (o != BS_NONE)
				c.fd = o;
			c.fd2 = param_i(st, x, e, R_NEWFD);
			if (c.fd2 != BS_NONE && c.name && !strcmp(c.name, "dup"))
				c.name = "dup2"; /* old captures name dup2/dup3 "dup" */
			skip |= SKIP(S_OLDFD);
			skip |= SKIP(S_NEWFD);
		} else if (cls == C_PIPE) {
			c.fd = param_i(st, x, e, R_FD1);
			c.fd2 = param_i(st, x, e, R_FD2);
		} else if (cls == C_SOCKET) {
			v = param_i(st, x, e, R_DOMAIN);
			c.sock_domain = v == BS_NONE ? 0 : (int)v;
			v = param_i(st, x, e, R_TYPE);
			c.sock_type = v == BS_NONE ? 0 : (int)v;
			c.fd = BS_NONE;
		} else if (cls == C_ACCEPT) {
			c.fd = BS_NONE;
		}
		if (cls == C_SENDRECV) {
			(void)0; /* the peer stays in evt.arg.*: fd.name is the socket's own */
		} else if (param_raw(st, x, e, R_TUPLE, &p, &len, NULL, NULL)) {
			scap_param_socktuple(p, len, &src, &dst);
			if (cls == C_ACCEPT) {
				c.addr = src; /* the client */
				c.laddr = dst;
			} else {
				c.addr = dst;
				c.laddr = src;
			}
		} else if (param_raw(st, x, e, R_ADDR, &p, &len, NULL, NULL)) {
			scap_param_sockaddr(p, len, &c.addr);
		}
		/* path arguments under the model's own names */
		if (cls == C_RENAME) {
			c.path = param_s(st, x, e, R_OLDPATH, &rot);
			c.path2 = param_s(st, x, e, R_NEWPATH, &rot);
			skip |= SKIP(S_OLDPATH);
			skip |= SKIP(S_NEWPATH);
		} else if (cls == C_SYMLINK) {
			c.path = param_s(st, x, e, R_TARGET, &rot);
			c.path2 = param_s(st, x, e, R_LINKPATH, &rot);
			skip |= SKIP(S_TARGET);
			skip |= SKIP(S_LINKPATH);
		} else if (cls == C_MOUNT) {
			c.path = param_s(st, x, e, R_DEV, &rot);
			c.path2 = param_s(st, x, e, R_DIR, &rot);
			skip |= SKIP(S_DEV);
			skip |= SKIP(S_DIR);
		} else if (cls == C_NAMEPATH) {
			c.path = param_s(st, x, e, R_NAME, &rot);
			skip |= SKIP(S_NAME);
		} else if (st->roles[x->type][R_PATH] >= 0 || (e && st->roles[e->type][R_PATH] >= 0)) {
			c.path = param_s(st, x, e, R_PATH, &rot);
			skip |= SKIP(S_PATH);
		}
	}
	/* user.uid: what execve / clone said, a successful setuid family call, else what we knew */
	if (c.uid == BS_NONE && c.has_res && c.res == 0 &&
	    (cls == C_SETUID || cls == C_SETXUID)) {
		v = param_i(st, x, e, cls == C_SETUID ? R_UID : R_EUID);
		if (v != BS_NONE && v != UINT32_MAX && v != -1)
			c.uid = c.euid = v;
	}
	if (c.uid != BS_NONE && c.pid != BS_NONE) {
		if (st->pid_uid.len >= SCAP_MAX_TIDS) {
			i64map_release(&st->pid_uid);
			i64map_init(&st->pid_uid);
		}
		i64map_put(&st->pid_uid, c.pid, c.uid);
	} else if (c.pid != BS_NONE && !i64map_get(&st->pid_uid, c.pid, &c.uid)) {
		/* a child the capture saw born: its parent's */
		if (c.ppid == BS_NONE || !i64map_get(&st->pid_uid, c.ppid, &c.uid))
			c.uid = BS_NONE;
	}
	if (c.uid != BS_NONE && st->nusers) {
		int64_t idx;
		if (i64map_get(&st->uid_names, c.uid, &idx)) {
			user_name = st->user_names[idx];
			user_json = st->user_json[idx];
		}
	}
	if (!c.extra_fields) {
		build_extra(st, x, e, skip, user_json);
		c.extra_fields = st->extra.buf;
	}
	c.user_name = user_name;
	return sys_model_call(st->model, &c);
}

static int emit_call(struct imp_ctx *ctx, struct state *st, const struct scap_evt *x, const struct scap_evt *e);

/* Keep an enter event for its exit: the bytes are copied, the slices rebased. An enter still
 * waiting on the same thread never got its exit: it becomes an event of its own first. */
static int pending_put(struct imp_ctx *ctx, struct state *st, const struct scap_evt *ev)
{
	int64_t slot;
	struct pending *pd;
	int r;

	if (ev->raw_len > SCAP_MAX_PENDING_LEN || ev->tid == INT64_MIN)
		return 0;
	if (i64map_get(&st->pend_index, ev->tid, &slot)) {
		if (st->pend[slot].used && st->pend[slot].tid == ev->tid) {
			st->pend[slot].used = false;
			if ((r = emit_call(ctx, st, &st->pend[slot].ev, NULL)) < 0)
				return r;
		}
	} else {
		if (st->npend >= SCAP_MAX_PENDING) {
			/* bounded: forget every waiting enter (their exits become events of their own) */
			for (size_t i = 0; i < st->npend; i++)
				st->pend[i].used = false;
			i64map_release(&st->pend_index);
			i64map_init(&st->pend_index);
			if (!st->pend_warned)
				imp_warning(ctx, ev->offset, "more than %d threads inside a syscall: enter events forgotten",
					    SCAP_MAX_PENDING);
			st->pend_warned = true;
			st->npend = 0;
		}
		if (st->npend == st->cappend) {
			size_t cap = st->cappend ? st->cappend * 2 : 64;
			struct pending *n = realloc(st->pend, cap * sizeof(*n));
			if (!n)
				return -ENOMEM;
			memset(n + st->cappend, 0, (cap - st->cappend) * sizeof(*n));
			st->pend = n;
			st->cappend = cap;
		}
		slot = (int64_t)st->npend++;
		i64map_put(&st->pend_index, ev->tid, slot);
	}
	pd = &st->pend[slot];
	if (pd->cap < ev->raw_len) {
		size_t cap = ev->raw_len < 256 ? 256 : ev->raw_len;
		uint8_t *b;
		if (st->pend_bytes - pd->cap + cap > SCAP_MAX_PENDING_BYTES)
			return 0; /* bounded: this enter is not kept, its exit will stand alone */
		b = realloc(pd->buf, cap);
		if (!b)
			return -ENOMEM;
		st->pend_bytes = st->pend_bytes - pd->cap + cap;
		pd->buf = b;
		pd->cap = cap;
	}
	memcpy(pd->buf, ev->raw, ev->raw_len);
	pd->ev.type = ev->type; /* the parameters it has, not the whole struct */
	pd->ev.ts = ev->ts;
	pd->ev.tid = ev->tid;
	pd->ev.nparams = ev->nparams;
	pd->ev.raw = pd->buf;
	pd->ev.raw_len = ev->raw_len;
	pd->ev.offset = ev->offset;
	for (uint32_t i = 0; i < ev->nparams; i++) {
		pd->ev.p[i] = pd->buf + (ev->p[i] - ev->raw);
		pd->ev.l[i] = ev->l[i];
	}
	pd->tid = ev->tid;
	pd->used = true;
	return 0;
}

static int cmp_pending_ts(const void *a, const void *b)
{
	const struct pending *x = *(const struct pending *const *)a, *y = *(const struct pending *const *)b;

	return x->ev.ts < y->ev.ts ? -1 : x->ev.ts > y->ev.ts;
}

/* At the end: enter events whose exit never came (exit_group, a call cut by the capture's end). */
static int pending_flush(struct imp_ctx *ctx, struct state *st)
{
	struct pending **list;
	size_t n = 0;
	int r = 0;

	if (!st->npend)
		return 0;
	list = malloc(st->npend * sizeof(*list));
	if (!list)
		return -ENOMEM;
	for (size_t i = 0; i < st->npend; i++)
		if (st->pend[i].used)
			list[n++] = &st->pend[i];
	qsort(list, n, sizeof(*list), cmp_pending_ts);
	for (size_t i = 0; i < n && r >= 0; i++) {
		list[i]->used = false;
		r = emit_call(ctx, st, &list[i]->ev, NULL);
	}
	free(list);
	return r < 0 ? r : 0;
}

static const struct scap_evt *pending_take(struct state *st, int64_t tid, uint32_t enter_type)
{
	int64_t slot;
	struct pending *pd;

	if (!i64map_get(&st->pend_index, tid, &slot) || (size_t)slot >= st->npend)
		return NULL;
	pd = &st->pend[slot];
	if (!pd->used || pd->tid != tid)
		return NULL;
	pd->used = false;
	return pd->ev.type == enter_type ? &pd->ev : NULL;
}

/* Decode an event block body into ev; returns 0, or -1 after reporting the damage. */
static int decode_event(struct imp_ctx *ctx, const struct block_type *bt, const uint8_t *body, size_t len,
			uint64_t offset, struct scap_evt *ev)
{
	struct cursor c = cursor_make(body, len);
	const struct scap_event_info *info;
	size_t hdr = bt->version == 2 ? 26 : 22, evt_off, avail;
	uint32_t evlen, lensz;
	const uint8_t *evp;

	cursor_skip(&c, 2); /* cpu id */
	if (bt->flags)
		cursor_skip(&c, 4);
	evt_off = cursor_offset(&c);
	evp = c.pos;
	ev->ts = (int64_t)cursor_le64(&c);
	ev->tid = (int64_t)cursor_le64(&c);
	evlen = cursor_le32(&c);
	ev->type = cursor_le16(&c);
	ev->nparams = bt->version == 2 ? cursor_le32(&c) : 0;
	if (c.truncated) {
		imp_skipped(ctx, offset, "event block of %zu bytes is too short for an event header", len);
		return -1;
	}
	avail = len - evt_off;
	if (bt->version == 1 && (ev->type == 280 || ev->type == 286) && evlen >= hdr + 3)
		evlen -= 3; /* libscap's own adjustment for these two in format 1.x */
	if (evlen < hdr || evlen > avail) {
		imp_skipped(ctx, offset, "event length %u does not fit its block (%zu bytes)", evlen, avail);
		return -1;
	}
	ev->raw = evp;
	ev->raw_len = evlen;
	ev->offset = offset;
	info = scap_event_info(ev->type);
	if (!info)
		return 1; /* a type this table does not define: skipped like libscap does */
	lensz = bt->large && (info->flags & SCAP_EF_LARGE) ? 4 : 2;
	if (bt->version == 1) {
		/* no parameter count: the largest count whose lengths add up to the event */
		bool done = false;
		for (int n = info->nparams; n >= 0 && !done; n--) {
			struct cursor lc = cursor_make(evp + hdr, evlen - hdr);
			uint64_t sum = 0;
			for (int i = 0; i < n; i++)
				sum += cursor_le16(&lc);
			if (lc.truncated)
				continue;
			if (hdr + (uint64_t)n * 2 + sum == evlen) {
				ev->nparams = (uint32_t)n;
				done = true;
			}
		}
		if (!done) {
			imp_skipped(ctx, offset, "%s event: parameter lengths do not add up to its length %u", info->name,
				    evlen);
			return -1;
		}
	}
	if (ev->nparams > SCAP_MAX_PARAMS) {
		imp_skipped(ctx, offset, "%s event claims %u parameters", info->name, ev->nparams);
		return -1;
	}
	{
		struct cursor lc = cursor_make(evp + hdr, evlen - hdr);
		uint64_t off = hdr + (uint64_t)ev->nparams * lensz;
		if (off <= evlen && lensz == 2) {
			/* the length array is inside the event (checked once): read it directly */
			const uint8_t *lp = evp + hdr;
			for (uint32_t i = 0; i < ev->nparams; i++) {
				uint32_t l = (uint32_t)lp[2 * i] | (uint32_t)lp[2 * i + 1] << 8;
				ev->l[i] = l;
				ev->p[i] = evp + off;
				off += l;
			}
		} else {
			for (uint32_t i = 0; i < ev->nparams; i++) {
				uint32_t l = lensz == 4 ? cursor_le32(&lc) : cursor_le16(&lc);
				ev->l[i] = l;
				ev->p[i] = evp + off;
				off += l;
			}
		}
		if (lc.truncated || off > evlen) {
			imp_skipped(ctx, offset, "%s event: parameters overrun the event (%llu > %u bytes)", info->name,
				    (unsigned long long)off, evlen);
			return -1;
		}
	}
	return 0;
}

static int handle_event(struct imp_ctx *ctx, struct state *st, const struct block_type *bt, const uint8_t *body,
			size_t len, uint64_t offset)
{
	struct scap_evt ev;
	const struct scap_event_info *info;
	const struct scap_evt *enter = NULL;
	int r = decode_event(ctx, bt, body, len, offset, &ev);

	if (r != 0) {
		if (r > 0 && !st->warned_type) {
			imp_warning(ctx, offset, "event type %u is not in the event table: such events skipped", ev.type);
			st->warned_type = true;
		}
		return 0;
	}
	info = &scap_events[ev.type];
	if (!info->is_exit && st->has_exit[ev.type])
		return pending_put(ctx, st, &ev);
	if (info->is_exit && ev.type > 0 && st->has_exit[ev.type - 1])
		enter = pending_take(st, ev.tid, ev.type - 1);
	else if (info->is_exit)
		return 0; /* an exit without a defined enter (unused pairs) */
	if (st->cls[ev.type] == C_META)
		return 0; /* capture bookkeeping: CPU usage, drops, context switches, user db updates */
	if (!info->is_exit && st->cls[ev.type] == C_PROCEXIT) {
		/* the thread's last call never returned (exit_group): it comes before its end */
		int64_t slot;
		if (i64map_get(&st->pend_index, ev.tid, &slot) && st->pend[slot].used && st->pend[slot].tid == ev.tid) {
			st->pend[slot].used = false;
			if ((r = emit_call(ctx, st, &st->pend[slot].ev, NULL)) < 0)
				return r;
		}
	}
	return emit_call(ctx, st, &ev, enter);
}

/* ---- blocks ---- */

static int next_block(struct imp_ctx *ctx, struct state *st)
{
	struct reader *in = ctx->in;
	uint64_t offset = reader_offset(in);
	size_t avail = reader_fill(in, 8);
	const struct block_type *bt;
	const uint8_t *data;
	uint32_t type, total, trailer;
	struct cursor c;
	int r = 0;

	if (avail == 0) {
		if (in->err) {
			imp_truncated(ctx, offset, "the stream is damaged after %llu bytes", (unsigned long long)offset);
			return 0;
		}
		if (!st->seen_shb) {
			imp_truncated(ctx, 0, "empty file: no section header block");
		}
		return 0;
	}
	if (avail < 8) {
		imp_truncated(ctx, offset, "file ends inside a block header");
		return 0;
	}
	c = cursor_make(reader_data(in), 8);
	type = cursor_le32(&c);
	total = cursor_le32(&c);
	if (total < 12 || total % 4 || total > SCAP_MAX_BLOCK) {
		imp_truncated(ctx, offset, "block of type 0x%x has an impossible length %u", type, total);
		return 0;
	}
	if (!st->seen_shb && type != SHB_TYPE) {
		imp_truncated(ctx, offset, "not a capture: the first block (type 0x%x) is not a section header", type);
		return 0;
	}
	if (reader_fill(in, total) < total) {
		imp_truncated(ctx, offset, "file ends inside a block of type 0x%x (%u bytes)", type, total);
		return 0;
	}
	data = reader_data(in);
	c = cursor_make(data + total - 4, 4);
	trailer = cursor_le32(&c);
	if (trailer != total) {
		imp_truncated(ctx, offset, "block of type 0x%x: trailing length %u differs from leading length %u", type,
			      trailer, total);
		return 0;
	}
	bt = block_type_of(type);
	if (bt) {
		const uint8_t *body = data + 8;
		size_t body_len = total - 12;
		switch (bt->kind) {
		case B_SHB: {
			struct cursor h = cursor_make(body, body_len);
			uint32_t magic = cursor_le32(&h);
			st->major = cursor_le16(&h);
			st->minor = cursor_le16(&h);
			if (h.truncated || magic != SHB_MAGIC) {
				imp_truncated(ctx, offset, "section header: bad byte-order magic 0x%08x", magic);
				return 0;
			}
			if (st->major != 1) {
				imp_truncated(ctx, offset, "section header: format version %u.%u is not supported", st->major,
					      st->minor);
				return 0;
			}
			st->seen_shb = true;
			break;
		}
		case B_MI:
			read_machine_info(st, body, body_len);
			break;
		case B_PL:
			r = read_proclist(ctx, st, bt, body, body_len, offset + 8, false);
			if (r >= 0)
				r = read_proclist(ctx, st, bt, body, body_len, offset + 8, true);
			break;
		case B_FDL:
			read_fdlist(ctx, st, bt, body, body_len, offset + 8);
			break;
		case B_UL:
			read_userlist(st, bt, body, body_len);
			break;
		case B_EV:
			r = handle_event(ctx, st, bt, body, body_len, offset);
			break;
		case B_IL:
		case B_UNKNOWN:
			break;
		}
	}
	reader_consume(in, total);
	return r < 0 ? r : 1;
}

static int next(struct imp_ctx *ctx, void *state)
{
	struct state *st = state;
	int r = next_block(ctx, st);

	if (r == 0) { /* the end, or nothing more to trust: enters still waiting become events */
		int f = pending_flush(ctx, st);
		if (f < 0)
			return f;
	}
	return r;
}

const struct importer imp_scap = {
	.name = "scap",
	.summary = "sysdig / Falco .scap syscall capture (plain or gzip)",
	.version = "1",
	.probe = probe,
	.open = open_,
	.next = next,
	.close = close_,
};
