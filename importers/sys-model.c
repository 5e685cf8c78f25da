/* sys-model: process table, fd tables and Falco-shaped syscall events; see sys-model.h.
 *
 * Field meanings follow shared/reference/falco.md §b (libsinsp's filterchecks): fd.name of a
 * socket is "cip:cport->sip:sport", evt.res is "SUCCESS" or the errno name, proc.name is the
 * comm (exe basename cut to 15 bytes), proc.exe is argv[0], proc.args the arguments after it,
 * proc.tty the tty device number (0: none).
 */
#include "sys-model.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "i64map.h"
#include "jsonw.h"

#define MAX_HOSTS 256

struct fdent {
	int64_t fd;
	char typechar; /* f d 4 6 u p n o (Falco's fd.typechar) */
	bool cloexec;
	const char *l4proto;
	char *name;
	char lip[48], rip[48];
	int64_t lport, rport;
	bool is_server; /* accepted: the local end is the server */
};

struct proc {
	bool used;
	uint32_t gen;
	size_t slot; /* its index in sys_model.procs */
	int host;
	int64_t key, parent_key, pid, ppid, start_ts, end_ts, last_seen;
	int64_t uid, euid, loginuid, sid, tty_nr, exit_status;
	struct strbuf exe, name, args_json, cmdline, argv0, args, cwd, tty;
	struct fdent *fds;
	size_t nfds, capfds;
	size_t *fd_budget; /* the model's count of fd entries, shared by all processes */
};

struct sys_model {
	struct imp_ctx *ctx;
	char *hosts[MAX_HOSTS];
	int nhosts;
	struct proc **procs; /* slots */
	size_t nslots, capslots, nlive;
	size_t *free_slots;
	size_t nfree;
	struct i64map index; /* (host, pid or tid) → gen << 32 | slot */
	int64_t next_key;
	struct strbuf fields, summary, tmp, fdname, path;
	bool proc_dirty;
	size_t nfds_total; /* fd entries over all processes, at most SYS_MAX_FDS_TOTAL */
	uint8_t kind_first[27]; /* see kind_of */
};

void sys_call_init(struct sys_call *c)
{
	memset(c, 0, sizeof(*c));
	c->ts_precision = 1;
	c->pid = c->tid = c->ppid = BS_NONE;
	c->uid = c->euid = c->loginuid = c->sid = BS_NONE;
	c->fd = c->fd2 = BS_NONE;
	c->flags = c->mode = BS_NONE;
	c->addr.port = c->laddr.port = BS_NONE;
	c->envc = BS_NONE;
	c->exit_status = c->exit_signal = BS_NONE;
}

/* ---- tables ---- */

const char *sys_syscall_name(enum sys_arch arch, int64_t nr)
{
	size_t len;
	const char *const *t = sys_syscall_table(arch, &len);

	if (!t || nr < 0 || (uint64_t)nr >= len)
		return NULL;
	return t[nr];
}

enum sys_arch sys_arch_from_audit(uint32_t audit_arch)
{
	switch (audit_arch) {
	case 0xc000003eu:
		return SYS_ARCH_X86_64;
	case 0x40000003u:
		return SYS_ARCH_I386;
	case 0xc00000b7u:
		return SYS_ARCH_AARCH64;
	default:
		return SYS_ARCH_UNKNOWN;
	}
}

static const char *const errno_names[] = {
	[1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO",
	[7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN",
	[12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [16] = "EBUSY", [17] = "EEXIST",
	[18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR", [22] = "EINVAL",
	[23] = "ENFILE", [24] = "EMFILE", [25] = "ENOTTY", [26] = "ETXTBSY", [27] = "EFBIG",
	[28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS", [31] = "EMLINK", [32] = "EPIPE",
	[34] = "ERANGE", [36] = "ENAMETOOLONG", [38] = "ENOSYS", [39] = "ENOTEMPTY",
	[40] = "ELOOP", [61] = "ENODATA", [88] = "ENOTSOCK", [95] = "EOPNOTSUPP",
	[97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL", [101] = "ENETUNREACH",
	[104] = "ECONNRESET", [106] = "EISCONN", [107] = "ENOTCONN", [110] = "ETIMEDOUT",
	[111] = "ECONNREFUSED", [113] = "EHOSTUNREACH", [114] = "EALREADY", [115] = "EINPROGRESS",
	[512] = "ERESTARTSYS", [513] = "ERESTARTNOINTR", [514] = "ERESTARTNOHAND",
	[516] = "ERESTART_RESTARTBLOCK",
};

const char *sys_errno_name(int64_t err)
{
	if (err <= 0 || (uint64_t)err >= sizeof(errno_names) / sizeof(errno_names[0]))
		return NULL;
	return errno_names[err];
}

enum kind {
	K_OTHER, K_OPEN, K_SOCKET, K_CONNECT, K_ACCEPT, K_BIND, K_DUP, K_DUP2, K_FCNTL, K_CLOSE,
	K_PIPE, K_EXEC, K_CLONE, K_EXIT, K_EXIT_THREAD, K_PROCEXIT, K_CHDIR, K_FCHDIR, K_MEMFD,
	K_SOCKETPAIR,
};

/* Sorted by name for bsearch; arg1/arg2 are the evt.arg names of path and path2. */
static const struct call_kind {
	const char *name;
	enum kind kind;
	const char *arg1, *arg2;
} call_kinds[] = {
	{ "accept", K_ACCEPT, NULL, NULL },
	{ "accept4", K_ACCEPT, NULL, NULL },
	{ "bind", K_BIND, NULL, NULL },
	{ "chdir", K_CHDIR, "path", NULL },
	{ "clone", K_CLONE, NULL, NULL },
	{ "clone3", K_CLONE, NULL, NULL },
	{ "close", K_CLOSE, NULL, NULL },
	{ "connect", K_CONNECT, NULL, NULL },
	{ "creat", K_OPEN, "name", NULL },
	{ "dup", K_DUP, NULL, NULL },
	{ "dup2", K_DUP2, NULL, NULL },
	{ "dup3", K_DUP2, NULL, NULL },
	{ "execve", K_EXEC, "filename", NULL },
	{ "execveat", K_EXEC, "filename", NULL },
	{ "exit", K_EXIT_THREAD, NULL, NULL },
	{ "exit_group", K_EXIT, NULL, NULL },
	{ "fchdir", K_FCHDIR, NULL, NULL },
	{ "fcntl", K_FCNTL, NULL, NULL },
	{ "fcntl64", K_FCNTL, NULL, NULL },
	{ "fork", K_CLONE, NULL, NULL },
	{ "link", K_OTHER, "oldpath", "newpath" },
	{ "linkat", K_OTHER, "oldpath", "newpath" },
	{ "memfd_create", K_MEMFD, "name", NULL },
	{ "mkdirat", K_OTHER, "path", NULL },
	{ "mount", K_OTHER, "dev", "dir" },
	{ "open", K_OPEN, "name", NULL },
	{ "open_by_handle_at", K_OPEN, "name", NULL },
	{ "openat", K_OPEN, "name", NULL },
	{ "openat2", K_OPEN, "name", NULL },
	{ "pipe", K_PIPE, NULL, NULL },
	{ "pipe2", K_PIPE, NULL, NULL },
	{ "procexit", K_PROCEXIT, NULL, NULL },
	{ "rename", K_OTHER, "oldpath", "newpath" },
	{ "renameat", K_OTHER, "oldpath", "newpath" },
	{ "renameat2", K_OTHER, "oldpath", "newpath" },
	{ "socket", K_SOCKET, NULL, NULL },
	{ "socketpair", K_SOCKETPAIR, NULL, NULL },
	{ "symlink", K_OTHER, "target", "linkpath" },
	{ "symlinkat", K_OTHER, "target", "linkpath" },
	{ "umount2", K_OTHER, "name", NULL },
	{ "unlinkat", K_OTHER, "name", NULL },
	{ "vfork", K_CLONE, NULL, NULL },
};

#define NKINDS (sizeof(call_kinds) / sizeof(call_kinds[0]))

/* kinds[first[c - 'a'] .. first[c - 'a' + 1]) are the names starting with c (the table is sorted). */
static void kind_index(uint8_t first[27])
{
	size_t i = 0;

	for (int c = 'a'; c <= 'z' + 1; c++) {
		while (i < NKINDS && (unsigned char)call_kinds[i].name[0] < c)
			i++;
		first[c - 'a'] = (uint8_t)i;
	}
}

/* Called for every event: most names are not in the table and are turned away on their first
 * two letters, without a string comparison. */
static const struct call_kind *kind_of(const struct sys_model *m, const char *name)
{
	unsigned c;

	if (!name || (c = (unsigned char)name[0] - 'a') >= 26)
		return NULL;
	for (size_t i = m->kind_first[c]; i < m->kind_first[c + 1]; i++)
		if (call_kinds[i].name[1] == name[1] && !strcmp(call_kinds[i].name, name))
			return &call_kinds[i];
	return NULL;
}

/* ---- model ---- */

struct sys_model *sys_model_new(struct imp_ctx *ctx)
{
	struct sys_model *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->ctx = ctx;
	kind_index(m->kind_first);
	i64map_init(&m->index);
	strbuf_init(&m->fields);
	strbuf_init(&m->summary);
	strbuf_init(&m->tmp);
	strbuf_init(&m->fdname);
	strbuf_init(&m->path);
	return m;
}

static void fd_clear(struct fdent *f)
{
	free(f->name);
	f->name = NULL;
}

/* A process that ended has no descriptors left: free them (and their share of the budget). */
static void proc_drop_fds(struct proc *p)
{
	for (size_t i = 0; i < p->nfds; i++)
		fd_clear(&p->fds[i]);
	if (p->fd_budget)
		*p->fd_budget -= p->nfds;
	free(p->fds);
	p->fds = NULL;
	p->nfds = p->capfds = 0;
}

static void proc_release(struct proc *p)
{
	strbuf_release(&p->exe);
	strbuf_release(&p->name);
	strbuf_release(&p->args_json);
	strbuf_release(&p->cmdline);
	strbuf_release(&p->argv0);
	strbuf_release(&p->args);
	strbuf_release(&p->cwd);
	strbuf_release(&p->tty);
	proc_drop_fds(p);
}

void sys_model_free(struct sys_model *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->nslots; i++) {
		if (m->procs[i]) {
			proc_release(m->procs[i]);
			free(m->procs[i]);
		}
	}
	free(m->procs);
	free(m->free_slots);
	for (int i = 0; i < m->nhosts; i++)
		free(m->hosts[i]);
	i64map_release(&m->index);
	strbuf_release(&m->fields);
	strbuf_release(&m->summary);
	strbuf_release(&m->tmp);
	strbuf_release(&m->fdname);
	strbuf_release(&m->path);
	free(m);
}

size_t sys_model_nprocs(const struct sys_model *m)
{
	return m->nlive;
}

static int host_index(struct sys_model *m, const char *host)
{
	if (!host)
		host = "";
	for (int i = m->nhosts - 1; i >= 0; i--)
		if (!strcmp(m->hosts[i], host))
			return i;
	if (m->nhosts == MAX_HOSTS)
		return MAX_HOSTS - 1; /* bounded: a log naming more hosts shares the last table */
	m->hosts[m->nhosts] = strdup(host);
	if (!m->hosts[m->nhosts])
		abort();
	return m->nhosts++;
}

static int64_t index_key(int host, int64_t pid)
{
	return (int64_t)((uint64_t)host << 40 | ((uint64_t)pid & 0xffffffffffull));
}

static struct proc *lookup(struct sys_model *m, int host, int64_t pid)
{
	int64_t v;
	struct proc *p;

	if (pid == BS_NONE || !i64map_get(&m->index, index_key(host, pid), &v))
		return NULL;
	if ((size_t)(v & 0xffffffff) >= m->nslots)
		return NULL;
	p = m->procs[v & 0xffffffff];
	if (!p || !p->used || p->gen != (uint32_t)((uint64_t)v >> 32) || p->host != host)
		return NULL;
	return p;
}

static void index_put(struct sys_model *m, struct proc *p, size_t slot, int64_t id)
{
	i64map_put(&m->index, index_key(p->host, id), (int64_t)((uint64_t)p->gen << 32 | slot));
}

static size_t slot_of(struct sys_model *m, const struct proc *p)
{
	(void)m;
	return p->slot;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return x < y ? -1 : x > y;
}

static void proc_drop(struct sys_model *m, size_t slot)
{
	struct proc *p = m->procs[slot];

	proc_release(p);
	p->used = false;
	m->free_slots[m->nfree++] = slot;
	m->nlive--;
}

/* Forget ended processes, then the least recently seen half, and rebuild the index. */
static void evict(struct sys_model *m)
{
	int64_t *seen = malloc(m->nslots * sizeof(*seen));
	size_t n = 0;
	int64_t cut = INT64_MIN;

	if (!seen)
		abort();
	for (size_t i = 0; i < m->nslots; i++)
		if (m->procs[i] && m->procs[i]->used && m->procs[i]->end_ts != BS_NONE)
			proc_drop(m, i);
	for (size_t i = 0; i < m->nslots; i++)
		if (m->procs[i] && m->procs[i]->used)
			seen[n++] = m->procs[i]->last_seen;
	if (n > SYS_MAX_PROCS / 2) {
		qsort(seen, n, sizeof(*seen), cmp_i64);
		cut = seen[n / 2];
		for (size_t i = 0; i < m->nslots; i++)
			if (m->procs[i] && m->procs[i]->used && m->procs[i]->last_seen < cut)
				proc_drop(m, i);
	}
	free(seen);
	i64map_release(&m->index);
	i64map_init(&m->index);
	for (size_t i = 0; i < m->nslots; i++)
		if (m->procs[i] && m->procs[i]->used)
			index_put(m, m->procs[i], i, m->procs[i]->pid);
	imp_warning(m->ctx, 0, "process table full (%d): forgot the least recently seen processes", SYS_MAX_PROCS);
}

static struct proc *proc_new(struct sys_model *m, int host, int64_t pid)
{
	struct proc *p;
	size_t slot;

	if (m->nlive >= SYS_MAX_PROCS)
		evict(m);
	if (m->nfree) {
		slot = m->free_slots[--m->nfree];
	} else {
		if (m->nslots == m->capslots) {
			size_t cap = m->capslots ? m->capslots * 2 : 64;
			struct proc **np = realloc(m->procs, cap * sizeof(*np));
			size_t *nf = realloc(m->free_slots, cap * sizeof(*nf));
			if (!np || !nf)
				abort();
			m->procs = np;
			m->free_slots = nf;
			m->capslots = cap;
		}
		slot = m->nslots++;
		m->procs[slot] = calloc(1, sizeof(struct proc));
		if (!m->procs[slot])
			abort();
	}
	p = m->procs[slot];
	{
		uint32_t gen = p->gen + 1;
		memset(p, 0, sizeof(*p));
		p->gen = gen;
	}
	p->used = true;
	p->slot = slot;
	p->fd_budget = &m->nfds_total;
	p->host = host;
	p->key = ++m->next_key;
	p->parent_key = BS_NONE;
	p->pid = pid;
	p->ppid = p->start_ts = p->end_ts = p->last_seen = BS_NONE;
	p->uid = p->euid = p->loginuid = p->sid = p->tty_nr = p->exit_status = BS_NONE;
	strbuf_init(&p->exe);
	strbuf_init(&p->name);
	strbuf_init(&p->args_json);
	strbuf_init(&p->cmdline);
	strbuf_init(&p->argv0);
	strbuf_init(&p->args);
	strbuf_init(&p->cwd);
	strbuf_init(&p->tty);
	m->nlive++;
	index_put(m, p, slot, pid);
	return p;
}

static int emit_proc(struct sys_model *m, const struct proc *p)
{
	struct bs_process r;

	bs_process_init(&r);
	r.key = p->key;
	r.parent_key = p->parent_key;
	r.host = m->hosts[p->host][0] ? m->hosts[p->host] : NULL;
	r.pid = p->pid;
	r.ppid = p->ppid;
	r.start_ts = p->start_ts;
	r.end_ts = p->end_ts;
	r.exe = p->exe.len ? p->exe.buf : NULL;
	r.name = p->name.len ? p->name.buf : NULL;
	r.args_json = p->args_json.len ? p->args_json.buf : NULL;
	r.cwd = p->cwd.len ? p->cwd.buf : NULL;
	r.tty = p->tty.len ? p->tty.buf : NULL;
	r.uid = p->uid;
	r.euid = p->euid;
	r.loginuid = p->loginuid;
	r.sid = p->sid;
	r.exit_status = p->exit_status;
	return imp_process(m->ctx, &r);
}

/* ---- small helpers ---- */

static bool set_str(struct strbuf *sb, const char *s)
{
	size_t len;

	if (!s)
		return false;
	len = strlen(s);
	if (sb->len == len && !memcmp(sb->buf, s, len))
		return false;
	strbuf_reset(sb);
	strbuf_add(sb, s, len);
	return true;
}

static bool set_int(int64_t *dst, int64_t v)
{
	if (v == BS_NONE || *dst == v)
		return false;
	*dst = v;
	return true;
}

static const char *base_name(const char *path)
{
	const char *s = strrchr(path, '/');
	return s ? s + 1 : path;
}

/* Linux tty_nr of a terminal name ("pts3", "/dev/pts/3", "tty1", "ttyS0"); 0 for none. */
static int64_t tty_number(const char *tty)
{
	unsigned long major, minor;
	char *end;

	if (!tty || !*tty)
		return BS_NONE;
	if (!strcmp(tty, "(none)") || !strcmp(tty, "?") || !strcmp(tty, "none"))
		return 0;
	if (!strncmp(tty, "/dev/", 5))
		tty += 5;
	if (!strncmp(tty, "pts/", 4) || !strncmp(tty, "pts", 3)) {
		tty += tty[3] == '/' ? 4 : 3;
		major = 136;
	} else if (!strncmp(tty, "ttyS", 4)) {
		tty += 4;
		major = 4;
		minor = strtoul(tty, &end, 10);
		if (end == tty || *end)
			return BS_NONE;
		minor += 64;
		return (int64_t)((minor & 0xff) | (major << 8) | ((minor & ~0xfful) << 12));
	} else if (!strncmp(tty, "tty", 3)) {
		tty += 3;
		major = 4;
	} else {
		return BS_NONE;
	}
	minor = strtoul(tty, &end, 10);
	if (end == tty || *end || minor > 1048575)
		return BS_NONE;
	return (int64_t)((minor & 0xff) | (major << 8) | ((minor & ~0xfful) << 12));
}

static void set_argv(struct proc *p, const char *const *argv, size_t argc)
{
	strbuf_reset(&p->args_json);
	strbuf_reset(&p->cmdline);
	strbuf_reset(&p->argv0);
	strbuf_reset(&p->args);
	strbuf_addch(&p->args_json, '[');
	for (size_t i = 0; i < argc && i < SYS_MAX_ARGV; i++) {
		const char *a = argv[i] ? argv[i] : "";
		if (i)
			strbuf_addch(&p->args_json, ',');
		jsonw_cstr(&p->args_json, a);
		if (i)
			strbuf_addch(&p->cmdline, ' ');
		strbuf_addstr(&p->cmdline, a);
		if (!i) {
			strbuf_addstr(&p->argv0, a);
		} else {
			if (i > 1)
				strbuf_addch(&p->args, ' ');
			strbuf_addstr(&p->args, a);
		}
	}
	strbuf_addch(&p->args_json, ']');
}

/* The absolute form of `path` for process p (into sb); `dirfd` as openat's, BS_NONE for cwd. */
static const char *resolve(struct sys_model *m, struct proc *p, struct strbuf *sb, const char *path, int64_t dirfd);

static struct fdent *fd_find(struct proc *p, int64_t fd)
{
	if (!p || fd == BS_NONE)
		return NULL;
	for (size_t i = 0; i < p->nfds; i++)
		if (p->fds[i].fd == fd)
			return &p->fds[i];
	return NULL;
}

static struct fdent *fd_add(struct proc *p, int64_t fd)
{
	struct fdent *f = fd_find(p, fd);

	if (f) {
		fd_clear(f);
	} else {
		if (p->nfds == SYS_MAX_FDS || (p->fd_budget && *p->fd_budget >= SYS_MAX_FDS_TOTAL))
			return NULL; /* bounded: past the limits, new descriptors are not tracked */
		if (p->nfds == p->capfds) {
			size_t cap = p->capfds ? p->capfds * 2 : 8;
			struct fdent *n = realloc(p->fds, cap * sizeof(*n));
			if (!n)
				abort();
			p->fds = n;
			p->capfds = cap;
		}
		f = &p->fds[p->nfds++];
		if (p->fd_budget)
			(*p->fd_budget)++;
	}
	memset(f, 0, sizeof(*f));
	f->fd = fd;
	f->lport = f->rport = BS_NONE;
	return f;
}

static void fd_remove(struct proc *p, int64_t fd)
{
	struct fdent *f = fd_find(p, fd);

	if (!f)
		return;
	fd_clear(f);
	*f = p->fds[--p->nfds];
	if (p->fd_budget)
		(*p->fd_budget)--;
}

static void fd_set_name(struct fdent *f, const char *name)
{
	if (name && f->name && !strcmp(f->name, name))
		return; /* strace -y names the fd on every call: mostly the name it has */
	free(f->name);
	f->name = name ? strdup(name) : NULL;
	if (name && !f->name)
		abort();
}

static void fd_copy(struct fdent *dst, const struct fdent *src)
{
	int64_t fd = dst->fd;

	*dst = *src;
	dst->fd = fd;
	dst->cloexec = false;
	dst->name = NULL;
	fd_set_name(dst, src->name);
}

static const char *resolve(struct sys_model *m, struct proc *p, struct strbuf *sb, const char *path, int64_t dirfd)
{
	const char *dir = NULL;
	struct fdent *f;

	(void)m;
	if (!path)
		return NULL;
	if (path[0] == '/' || !path[0])
		return path;
	if (dirfd != BS_NONE && dirfd != -100) {
		f = fd_find(p, dirfd);
		dir = f && f->name && f->name[0] == '/' ? f->name : NULL;
	} else if (p && p->cwd.len && p->cwd.buf[0] == '/') {
		dir = p->cwd.buf;
	}
	if (!dir)
		return path;
	strbuf_reset(sb);
	strbuf_addstr(sb, dir);
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (!strcmp(path, "."))
		return sb->buf;
	if (sb->len && sb->buf[sb->len - 1] != '/')
		strbuf_addch(sb, '/');
	strbuf_addstr(sb, path);
	return sb->buf;
}

static char family_typechar(int family)
{
	switch (family) {
	case 2:
		return '4';
	case 10:
		return '6';
	case 1:
		return 'u';
	case 16:
		return 'n';
	default:
		return 'o';
	}
}

static const char *type_l4proto(int domain, int type)
{
	if (domain == 1)
		return "unix";
	switch (type & 0xf) {
	case 1:
		return "tcp";
	case 2:
		return "udp";
	default:
		return NULL;
	}
}

/* Falco's socket fd.name: "cip:cport->sip:sport" (IPv6 addresses as they are). */
/* v in decimal at o, as strbuf_addi64 writes it; returns the end */
static char *put_i64(char *o, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;

	do
		tmp[n++] = (char)('0' + u % 10);
	while ((u /= 10));
	if (v < 0)
		*o++ = '-';
	while (n)
		*o++ = tmp[--n];
	return o;
}

/* The name of an inet socket, "client:port->server:port", built on the stack: a socket is
 * renamed on every strace -y call that names it, mostly to the name it has. */
static void socket_name(struct fdent *f)
{
	char buf[2 * sizeof(f->lip) + 2 * 24 + 8], *o = buf;
	const char *cip = f->is_server ? f->rip : f->lip, *sip = f->is_server ? f->lip : f->rip;
	int64_t cport = f->is_server ? f->rport : f->lport, sport = f->is_server ? f->lport : f->rport;

	if (f->typechar != '4' && f->typechar != '6')
		return;
	if (!cip[0] && !sip[0])
		return;
	if (cip[0]) {
		size_t n = strnlen(cip, sizeof(f->lip) - 1);
		memcpy(o, cip, n);
		o += n;
		*o++ = ':';
		if (cport != BS_NONE)
			o = put_i64(o, cport);
	}
	if (sip[0]) {
		size_t n = strnlen(sip, sizeof(f->lip) - 1);
		if (cip[0])
			*o++ = '-', *o++ = '>';
		memcpy(o, sip, n);
		o += n;
		*o++ = ':';
		if (sport != BS_NONE)
			o = put_i64(o, sport);
	}
	*o = '\0';
	fd_set_name(f, buf);
}

static void fd_from_addr(struct fdent *f, const struct sys_sockaddr *a, bool local)
{
	if (!a->family)
		return;
	if (f->typechar == 0 || f->typechar == 'o')
		f->typechar = family_typechar(a->family);
	if (a->family == 1) {
		if (a->path[0])
			fd_set_name(f, a->path);
		if (!f->l4proto)
			f->l4proto = "unix";
		return;
	}
	if (a->family != 2 && a->family != 10)
		return;
	if (local) {
		memcpy(f->lip, a->ip, sizeof(f->lip));
		f->lport = a->port;
	} else {
		memcpy(f->rip, a->ip, sizeof(f->rip));
		f->rport = a->port;
	}
	f->lip[sizeof(f->lip) - 1] = f->rip[sizeof(f->rip) - 1] = '\0';
}

/* What strace -y/-yy printed for an fd ("/etc/passwd", "TCP:[1.2.3.4:5->6.7.8.9:10]",
 * "pipe:[123]", "socket:[9]", "UNIX-STREAM:[5->6]" ...) into an fd entry. */
static void fd_from_hint(struct fdent *f, const char *hint)
{
	const char *br;

	if (!hint || !*hint)
		return;
	if (hint[0] == '/') {
		if (!f->typechar || f->typechar == 'o')
			f->typechar = 'f';
		fd_set_name(f, hint);
		return;
	}
	br = strchr(hint, '[');
	if (!strncmp(hint, "pipe:", 5)) {
		f->typechar = 'p';
		fd_set_name(f, hint);
		return;
	}
	if (!strncmp(hint, "TCP", 3) || !strncmp(hint, "UDP", 3)) {
		bool v6 = hint[3] == 'v' && hint[4] == '6';
		const char *arrow, *end;
		f->typechar = v6 ? '6' : '4';
		f->l4proto = hint[0] == 'T' ? "tcp" : "udp";
		if (!br)
			return;
		arrow = strstr(br, "->");
		end = strrchr(br, ']');
		if (!end)
			return;
		/* local side [br+1, arrow or end), remote side (arrow+2, end) */
		{
			const char *ls = br + 1, *le = arrow ? arrow : end;
			const char *parts[2][2] = { { ls, le }, { arrow ? arrow + 2 : NULL, end } };
			for (int side = 0; side < 2; side++) {
				const char *s = parts[side][0], *e = parts[side][1], *colon;
				char *ip = side ? f->rip : f->lip;
				int64_t *port = side ? &f->rport : &f->lport;
				size_t n;
				if (!s || s >= e)
					continue;
				colon = NULL;
				for (const char *q = s; q < e; q++)
					if (*q == ':')
						colon = q;
				if (!colon)
					continue; /* an inode number only */
				if (*s == '[' && colon > s && colon[-1] == ']') {
					s++;
					n = (size_t)(colon - 1 - s);
				} else {
					n = (size_t)(colon - s);
				}
				if (n >= sizeof(f->lip))
					n = sizeof(f->lip) - 1;
				memcpy(ip, s, n);
				ip[n] = '\0';
				*port = strtoll(colon + 1, NULL, 10);
			}
		}
		socket_name(f);
		return;
	}
	if (!strncmp(hint, "UNIX", 4)) {
		const char *q = br ? strchr(br, '"') : NULL;
		f->typechar = 'u';
		f->l4proto = "unix";
		if (q) {
			const char *e = strchr(q + 1, '"');
			if (e) {
				char tmp[112];
				size_t n = (size_t)(e - q - 1);
				if (n >= sizeof(tmp))
					n = sizeof(tmp) - 1;
				memcpy(tmp, q + 1, n);
				tmp[n] = '\0';
				fd_set_name(f, tmp);
				return;
			}
		}
		if (!f->name)
			fd_set_name(f, hint);
		return;
	}
	if (!strncmp(hint, "NETLINK", 7)) {
		f->typechar = 'n';
		fd_set_name(f, hint);
		return;
	}
	if (!strncmp(hint, "anon_inode:", 11)) {
		const char *what = hint + 11;
		f->typechar = strstr(what, "eventpoll")  ? 'l'
			      : strstr(what, "eventfd")  ? 'e'
			      : strstr(what, "signalfd") ? 's'
			      : strstr(what, "inotify")  ? 'i'
			      : strstr(what, "timerfd")  ? 't'
			      : strstr(what, "bpf")      ? 'b'
							 : 'o';
		fd_set_name(f, hint);
		return;
	}
	if (!strncmp(hint, "socket:", 7)) {
		if (!f->typechar)
			f->typechar = 'o';
		if (!f->name)
			fd_set_name(f, hint);
		return;
	}
	if (!f->name)
		fd_set_name(f, hint);
	if (!f->typechar)
		f->typechar = 'o';
}

/* Falco's evt.arg.flags of open: PPM names of the O_* bits. */
static void open_flags_text(struct strbuf *sb, int64_t flags)
{
	static const struct {
		int64_t bit;
		const char *name;
	} bits[] = {
		{ 0100, "O_CREAT" },	   { 0200, "O_EXCL" },	       { 0400, "O_NOCTTY" },
		{ 01000, "O_TRUNC" },	   { 02000, "O_APPEND" },      { 04000, "O_NONBLOCK" },
		{ 010000, "O_DSYNC" },	   { 040000, "O_DIRECT" },     { 0100000, "O_LARGEFILE" },
		{ 0200000, "O_DIRECTORY" },
		{ 0400000, "O_NOFOLLOW" }, { 01000000, "O_NOATIME" },  { 02000000, "O_CLOEXEC" },
		{ 010000000, "O_PATH" },   { 020000000, "O_TMPFILE" },
	};
	switch (flags & 3) {
	case 0:
		strbuf_addstr(sb, "O_RDONLY");
		break;
	case 1:
		strbuf_addstr(sb, "O_WRONLY");
		break;
	default:
		strbuf_addstr(sb, "O_RDWR");
		break;
	}
	for (size_t i = 0; i < sizeof(bits) / sizeof(bits[0]); i++)
		if ((flags & bits[i].bit) == bits[i].bit && (bits[i].bit != 020000000 || !(flags & 0200000)))
			strbuf_addf(sb, "|%s", bits[i].name);
}

/* ---- the process of a call ---- */

static struct proc *proc_for_call(struct sys_model *m, const struct sys_call *c, int host)
{
	int64_t pid = c->pid;
	struct proc *p = NULL, *parent;

	if (pid == BS_NONE && c->tid != BS_NONE) {
		/* a source naming only the thread (strace): the thread's process, or a new one */
		p = lookup(m, host, c->tid);
		pid = p ? p->pid : c->tid;
	} else {
		if (pid == BS_NONE)
			pid = -1; /* a source without pids (strace -ff file without its suffix): one process */
		if (c->tid != BS_NONE && c->tid != pid)
			p = lookup(m, host, c->tid);
		if (!p)
			p = lookup(m, host, pid);
	}
	if (p && p->pid != pid)
		p = NULL;
	/* pid reuse: the pid ended, or a new parent other than a reaper adopting an orphan */
	if (p && ((p->end_ts != BS_NONE && !(c->name && !strcmp(c->name, "procexit"))) ||
		  (c->ppid != BS_NONE && p->ppid != BS_NONE && c->ppid != p->ppid && c->ppid != 1))) {
		p = NULL; /* the old row keeps what it had; its end is not in the evidence */
	}
	if (!p) {
		p = proc_new(m, host, pid);
		p->ppid = c->ppid;
		parent = lookup(m, host, c->ppid);
		if (parent && parent->end_ts == BS_NONE)
			p->parent_key = parent->key;
		if (parent && parent->end_ts == BS_NONE && !c->cwd && parent->cwd.len)
			strbuf_addstr(&p->cwd, parent->cwd.buf);
		m->proc_dirty = true;
	}
	if (c->pid != BS_NONE && c->tid != BS_NONE && c->tid != pid && !lookup(m, host, c->tid))
		index_put(m, p, slot_of(m, p), c->tid);
	p->last_seen = c->ts;
	m->proc_dirty |= set_int(&p->ppid, c->ppid);
	m->proc_dirty |= set_int(&p->uid, c->uid);
	m->proc_dirty |= set_int(&p->euid, c->euid);
	m->proc_dirty |= set_int(&p->loginuid, c->loginuid);
	m->proc_dirty |= set_int(&p->sid, c->sid);
	if (c->tty) {
		/* tty_nr follows the name: parsed again only when the name changed */
		bool changed = set_str(&p->tty, c->tty);
		if (changed || p->tty_nr == BS_NONE)
			p->tty_nr = tty_number(c->tty);
		m->proc_dirty |= changed;
	}
	if (c->cwd)
		m->proc_dirty |= set_str(&p->cwd, c->cwd);
	/* Identity the source states on every call (auditd comm=/exe=) describes the image after
	 * the call, which for execve is the new one: applied here for every kind. */
	if (c->comm)
		m->proc_dirty |= set_str(&p->name, c->comm);
	if (c->exe)
		m->proc_dirty |= set_str(&p->exe, c->exe);
	if (c->argv && c->argc && c->argv_is_title && !p->args_json.len) {
		set_argv(p, c->argv, c->argc);
		m->proc_dirty = true;
	}
	return p;
}

static void exec_image(struct sys_model *m, struct proc *p, const struct sys_call *c)
{
	const char *exe = c->exe;

	if (!exe && c->path)
		exe = resolve(m, p, &m->path, c->path, c->name && !strcmp(c->name, "execveat") ? c->fd : BS_NONE);
	if (exe)
		set_str(&p->exe, exe);
	if (c->comm) {
		set_str(&p->name, c->comm);
	} else if (exe) {
		const char *b = base_name(exe);
		strbuf_reset(&p->name);
		strbuf_add(&p->name, b, strnlen(b, 15));
	}
	if (c->argv && !c->argv_is_title)
		set_argv(p, c->argv, c->argc);
	/* descriptors opened close-on-exec are gone */
	for (size_t i = 0; i < p->nfds;) {
		if (p->fds[i].cloexec) {
			fd_clear(&p->fds[i]);
			p->fds[i] = p->fds[--p->nfds];
		} else {
			i++;
		}
	}
	m->proc_dirty = true;
}

static struct proc *fork_child(struct sys_model *m, struct proc *parent, int64_t child_pid, const struct sys_call *c)
{
	struct proc *ch = lookup(m, parent->host, child_pid);

	/* The child may have been seen before its parent's fork returned (strace -f prints the
	 * child's first calls first): that row, without a parent yet or with this one guessed, is
	 * adopted. Any other live
	 * row holding child_pid is an older process whose end was not recorded: the new child gets
	 * its own row (pid reuse, told apart by start time). */
	if (ch && ch->pid == child_pid && ch->end_ts == BS_NONE &&
	    (ch->parent_key == BS_NONE || ch->parent_key == parent->key) &&
	    (ch->ppid == BS_NONE || ch->ppid == parent->pid) && ch != parent) {
		ch->ppid = parent->pid;
		ch->parent_key = parent->key;
		ch->start_ts = c->ts;
		if (ch->uid == BS_NONE)
			ch->uid = parent->uid;
		if (ch->euid == BS_NONE)
			ch->euid = parent->euid;
		if (ch->loginuid == BS_NONE)
			ch->loginuid = parent->loginuid;
		if (ch->sid == BS_NONE)
			ch->sid = parent->sid;
		if (!ch->exe.len) {
			strbuf_addstr(&ch->exe, parent->exe.buf);
			strbuf_addstr(&ch->name, parent->name.buf);
			strbuf_addstr(&ch->args_json, parent->args_json.buf);
			strbuf_addstr(&ch->cmdline, parent->cmdline.buf);
			strbuf_addstr(&ch->argv0, parent->argv0.buf);
			strbuf_addstr(&ch->args, parent->args.buf);
		}
		if (!ch->cwd.len)
			strbuf_addstr(&ch->cwd, parent->cwd.buf);
		for (size_t i = 0; i < parent->nfds; i++) {
			struct fdent *f;
			if (fd_find(ch, parent->fds[i].fd))
				continue;
			if ((f = fd_add(ch, parent->fds[i].fd)))
				fd_copy(f, &parent->fds[i]);
		}
		return ch;
	}
	ch = proc_new(m, parent->host, child_pid);
	ch->ppid = parent->pid;
	ch->parent_key = parent->key;
	ch->start_ts = c->ts;
	ch->last_seen = c->ts;
	ch->uid = parent->uid;
	ch->euid = parent->euid;
	ch->loginuid = parent->loginuid;
	ch->sid = parent->sid;
	ch->tty_nr = parent->tty_nr;
	strbuf_addstr(&ch->exe, parent->exe.buf);
	strbuf_addstr(&ch->name, parent->name.buf);
	strbuf_addstr(&ch->args_json, parent->args_json.buf);
	strbuf_addstr(&ch->cmdline, parent->cmdline.buf);
	strbuf_addstr(&ch->argv0, parent->argv0.buf);
	strbuf_addstr(&ch->args, parent->args.buf);
	strbuf_addstr(&ch->cwd, parent->cwd.buf);
	strbuf_addstr(&ch->tty, parent->tty.buf);
	for (size_t i = 0; i < parent->nfds; i++) {
		struct fdent *f = fd_add(ch, parent->fds[i].fd);
		if (!f)
			break;
		fd_copy(f, &parent->fds[i]);
		f->cloexec = parent->fds[i].cloexec;
	}
	return ch;
}

/* ---- the event ---- */

/* jsonw_key_bool with a literal key, written in one go like jsonw_lkey_* */
#define lkey_bool(o, lit, val) \
	(jsonw_lkey((o), lit), (val) ? strbuf_add((o)->sb, "true", 4) : strbuf_add((o)->sb, "false", 5))


int sys_model_call(struct sys_model *m, const struct sys_call *c)
{
	const struct call_kind *ck = kind_of(m, c->name);
	enum kind kind = ck ? ck->kind : K_OTHER;
	int host = host_index(m, c->host);
	struct proc *p, *child = NULL, *parent;
	struct fdent *f = NULL, *src;
	int64_t ev_fd = c->fd;
	bool ok = c->has_res ? c->res >= 0 : true;
	const char *arg1 = NULL;
	struct bs_event ev;
	struct jsonw_obj o;
	char tmp[64];
	int r;

	m->proc_dirty = false;
	p = proc_for_call(m, c, host);
	/* the path argument made absolute (Falco's fs.path.name); *at calls are relative to dirfd */
	if (c->path) {
		size_t nl = c->name ? strlen(c->name) : 0;
		bool at = kind == K_OPEN || (nl > 2 && !strcmp(c->name + nl - 2, "at"));
		arg1 = resolve(m, p, &m->path, c->path, at ? c->fd : BS_NONE);
	}

	/* what the source says the fd argument is (strace -y) is fresher than what we tracked */
	if (c->fd != BS_NONE && c->fd_hint && kind != K_PIPE && kind != K_SOCKETPAIR && (f = fd_find(p, c->fd)))
		fd_from_hint(f, c->fd_hint);
	f = NULL;

	switch (kind) {
	case K_OPEN:
	case K_MEMFD:
		ev_fd = c->has_res ? c->res : BS_NONE;
		if (ok && c->has_res && (f = fd_add(p, c->res))) {
			if (kind == K_MEMFD) {
				f->typechar = 'f';
				snprintf(tmp, sizeof(tmp), "memfd:%.50s", c->path ? c->path : "");
				fd_set_name(f, tmp);
			} else {
				f->typechar = c->flags != BS_NONE && (c->flags & 0200000) ? 'd' : 'f';
				fd_set_name(f, c->res_hint && c->res_hint[0] == '/' ? c->res_hint : arg1);
				f->cloexec = c->flags != BS_NONE && (c->flags & 02000000);
			}
		}
		break;
	case K_SOCKET:
		ev_fd = c->has_res ? c->res : BS_NONE;
		if (ok && c->has_res && (f = fd_add(p, c->res))) {
			f->typechar = family_typechar(c->sock_domain);
			f->l4proto = type_l4proto(c->sock_domain, c->sock_type);
			f->cloexec = (c->sock_type & 02000000) != 0;
			if (c->res_hint)
				fd_from_hint(f, c->res_hint);
		}
		break;
	case K_CONNECT:
	case K_BIND:
		f = fd_find(p, c->fd);
		if (!f && c->fd != BS_NONE && (c->addr.family || c->fd_hint))
			f = fd_add(p, c->fd);
		if (f && c->fd_hint)
			fd_from_hint(f, c->fd_hint);
		if (f && (ok || (c->has_res && c->res == -115))) {
			fd_from_addr(f, &c->addr, kind == K_BIND);
			if (c->laddr.family)
				fd_from_addr(f, &c->laddr, true);
			f->is_server = kind == K_BIND; /* a connecting socket is the client */
			socket_name(f);
		}
		break;
	case K_ACCEPT:
		ev_fd = c->has_res ? c->res : BS_NONE;
		src = fd_find(p, c->fd);
		if (ok && c->has_res) {
			struct fdent lis = { .lport = BS_NONE };
			if (src) {
				lis.typechar = src->typechar;
				lis.l4proto = src->l4proto;
				memcpy(lis.lip, src->lip, sizeof(lis.lip));
				lis.lport = src->lport;
			}
			if (!(f = fd_add(p, c->res)))
				break;
			f->typechar = lis.typechar;
			f->l4proto = lis.l4proto;
			memcpy(f->lip, lis.lip, sizeof(f->lip));
			f->lport = lis.lport;
			f->is_server = true;
			fd_from_addr(f, &c->addr, false);
			if (c->laddr.family)
				fd_from_addr(f, &c->laddr, true);
			if (c->res_hint)
				fd_from_hint(f, c->res_hint);
			f->is_server = true;
			socket_name(f);
		}
		break;
	case K_DUP:
	case K_DUP2:
	case K_FCNTL:
		src = fd_find(p, c->fd);
		if (!src && c->fd_hint && c->fd != BS_NONE && (src = fd_add(p, c->fd)))
			fd_from_hint(src, c->fd_hint);
		if (kind == K_FCNTL && !(c->flags == 0 || c->flags == 1030))
			break; /* only F_DUPFD / F_DUPFD_CLOEXEC duplicate */
		ev_fd = c->has_res ? c->res : (kind == K_DUP2 ? c->fd2 : BS_NONE);
		if (ok && ev_fd != BS_NONE && ev_fd != c->fd) {
			src = fd_find(p, c->fd); /* fd_add may have moved the table */
			if (src) {
				struct fdent copy = *src;
				copy.name = src->name ? strdup(src->name) : NULL;
				if ((f = fd_add(p, ev_fd))) {
					fd_copy(f, &copy);
					if (kind == K_DUP2 && c->flags != BS_NONE && (c->flags & 02000000))
						f->cloexec = true;
				}
				free(copy.name);
			} else {
				fd_remove(p, ev_fd);
				if (c->res_hint && (f = fd_add(p, ev_fd)))
					fd_from_hint(f, c->res_hint);
			}
		}
		f = fd_find(p, ev_fd);
		break;
	case K_CLOSE:
		f = fd_find(p, c->fd);
		if (f && c->fd_hint && !f->name)
			fd_from_hint(f, c->fd_hint);
		break; /* removed after the event is written */
	case K_PIPE:
	case K_SOCKETPAIR:
		if (ok && c->fd != BS_NONE && c->fd2 != BS_NONE) {
			int64_t fds[2] = { c->fd, c->fd2 };
			for (int i = 0; i < 2; i++) {
				if (!(f = fd_add(p, fds[i])))
					continue;
				f->typechar = kind == K_PIPE ? 'p' : 'u';
				if (kind == K_SOCKETPAIR)
					f->l4proto = "unix";
				f->cloexec = c->flags != BS_NONE && (c->flags & 02000000);
				fd_set_name(f, kind == K_PIPE ? "pipe" : "socketpair");
				if (i == 0 && c->fd_hint)
					fd_from_hint(f, c->fd_hint);
				if (i == 1 && c->res_hint)
					fd_from_hint(f, c->res_hint);
			}
			f = fd_find(p, c->fd);
			ev_fd = c->fd;
		}
		break;
	case K_EXEC:
		if (ok)
			exec_image(m, p, c);
		break;
	case K_CLONE:
		if (ok && c->has_res && c->res > 0) {
			struct proc *known = lookup(m, host, c->res);
			if (!c->thread && known && known->pid == c->res && known->end_ts == BS_NONE &&
			    known->parent_key == p->key)
				break; /* the child's own side of the clone came first (.scap) */
			if (c->thread)
				index_put(m, p, slot_of(m, p), c->res);
			else
				child = fork_child(m, p, c->res, c);
		}
		break;
	case K_CHDIR:
		if (ok && arg1) {
			set_str(&p->cwd, arg1);
			m->proc_dirty = true;
		}
		break;
	case K_FCHDIR:
		f = fd_find(p, c->fd);
		if (ok && f && f->name && f->name[0] == '/') {
			set_str(&p->cwd, f->name);
			m->proc_dirty = true;
		}
		break;
	case K_PROCEXIT:
		if (c->tid != BS_NONE && c->tid != p->pid)
			break; /* one thread of the process ended (.scap procexit of a thread) */
		__attribute__((fallthrough));
	case K_EXIT:
		p->end_ts = c->ts;
		proc_drop_fds(p);
		if (c->exit_status != BS_NONE)
			p->exit_status = c->exit_status;
		else if (kind == K_EXIT && c->fd == BS_NONE && c->flags != BS_NONE)
			p->exit_status = c->flags;
		m->proc_dirty = true;
		break;
	case K_EXIT_THREAD:
		if (c->tid == BS_NONE || c->tid == p->pid) {
			p->end_ts = c->ts;
			m->proc_dirty = true;
		}
		break;
	case K_OTHER:
		break;
	}
	if (!f && ev_fd != BS_NONE) {
		f = fd_find(p, ev_fd);
		if (!f && c->fd_hint && ev_fd == c->fd && (f = fd_add(p, ev_fd)))
			fd_from_hint(f, c->fd_hint);
	}

	if (m->proc_dirty && (r = emit_proc(m, p)) < 0)
		return r;
	if (child && (r = emit_proc(m, child)) < 0)
		return r;

	bs_event_init(&ev);
	ev.ts = c->ts;
	ev.ts_precision = c->ts_precision;
	ev.source = SRC_SYSCALL;
	ev.type = c->name ? c->name : "unknown";
	ev.host = c->host;
	ev.offset = c->offset;
	ev.raw = c->raw;
	ev.raw_len = c->raw_len;
	ev.pid = p->pid >= 0 ? p->pid : BS_NONE;
	ev.ppid = p->ppid;
	ev.tid = c->tid != BS_NONE ? c->tid : ev.pid;
	ev.uid = p->uid;
	ev.user_name = c->user_name ? c->user_name : p->uid == 0 ? "root" : NULL;
	ev.proc_name = p->name.len ? p->name.buf : NULL;
	ev.exe = p->exe.len ? p->exe.buf : NULL;
	ev.cmdline = p->cmdline.len ? p->cmdline.buf : NULL;
	ev.cwd = p->cwd.len ? p->cwd.buf : NULL;
	ev.process_key = p->key;
	ev.container_id = c->container_id;
	if (c->has_res && kind != K_EXIT && kind != K_EXIT_THREAD)
		ev.result = c->res >= 0 ? "SUCCESS" : c->err ? c->err : sys_errno_name(-c->res) ? sys_errno_name(-c->res) : "EUNKNOWN";
	else if (c->err)
		ev.result = c->err;

	strbuf_reset(&m->fdname);
	if (f && !f->name && !f->lip[0] && !f->rip[0] && (c->addr.family || (kind == K_OPEN && arg1)))
		f = NULL; /* nothing known of the fd: name the event by the address it was given */
	if (f) {
		if (f->name)
			strbuf_addstr(&m->fdname, f->name);
		ev.l4proto = f->l4proto;
		if (f->typechar == '4' || f->typechar == '6') {
			const char *cip = f->is_server ? f->rip : f->lip, *sip = f->is_server ? f->lip : f->rip;
			int64_t cport = f->is_server ? f->rport : f->lport, sport = f->is_server ? f->lport : f->rport;
			ev.src_ip = cip[0] ? cip : NULL;
			ev.src_port = cip[0] ? cport : BS_NONE;
			ev.dst_ip = sip[0] ? sip : NULL;
			ev.dst_port = sip[0] ? sport : BS_NONE;
		}
	} else if (c->addr.family == 2 || c->addr.family == 10) {
		/* a peer address without a tracked socket: still the server side of a connect */
		if (kind == K_ACCEPT) {
			ev.src_ip = c->addr.ip;
			ev.src_port = c->addr.port;
		} else {
			ev.dst_ip = c->addr.ip;
			ev.dst_port = c->addr.port;
		}
		strbuf_addstr(&m->fdname, c->addr.ip);
		strbuf_addch(&m->fdname, ':');
		if (c->addr.port != BS_NONE)
			strbuf_addi64(&m->fdname, c->addr.port);
	} else if (c->addr.family == 1 && c->addr.path[0]) {
		strbuf_addstr(&m->fdname, c->addr.path);
		ev.l4proto = "unix";
	} else if (kind == K_OPEN && arg1) {
		strbuf_addstr(&m->fdname, arg1); /* a failed open still names its file */
	}
	ev.fd_name = m->fdname.len ? m->fdname.buf : NULL;

	strbuf_reset(&m->fields);
	jsonw_begin(&o, &m->fields);
	if (c->has_res)
		jsonw_lkey_i64(&o, "evt.rawres", c->res);
	if (c->path) {
		/* evt.arg.* as the call passed it; fs.path.name absolute */
		static const char *const arg_keys[] = { "evt.arg.path", "evt.arg.name", "evt.arg.filename" };
		const char *key = arg_keys[0];
		if (ck && ck->arg1) {
			if (!strcmp(ck->arg1, "name"))
				key = arg_keys[1];
			else if (!strcmp(ck->arg1, "filename"))
				key = arg_keys[2];
			else
				snprintf(tmp, sizeof(tmp), "evt.arg.%s", ck->arg1), key = tmp;
		}
		jsonw_key_str(&o, key, c->path);
		if (arg1 && arg1[0] == '/' && strcmp(arg1, c->path))
			jsonw_lkey_str(&o, "fs.path.name", arg1);
	}
	if (c->path2) {
		snprintf(tmp, sizeof(tmp), "evt.arg.%s", ck && ck->arg2 ? ck->arg2 : "newpath");
		jsonw_key_str(&o, tmp, c->path2);
	}
	if (kind == K_OPEN && c->flags != BS_NONE) {
		strbuf_reset(&m->tmp);
		open_flags_text(&m->tmp, c->flags);
		jsonw_lkey_str(&o, "evt.arg.flags", c->flags_text ? c->flags_text : m->tmp.buf);
		lkey_bool(&o, "evt.is_open_read", (c->flags & 3) != 1);
		lkey_bool(&o, "evt.is_open_write", (c->flags & 3) != 0);
		lkey_bool(&o, "evt.is_open_create", (c->flags & 0100) != 0);
		if (c->mode != BS_NONE && (c->flags & (0100 | 020000000))) {
			snprintf(tmp, sizeof(tmp), "0%llo", (unsigned long long)c->mode & 07777);
			jsonw_lkey_str(&o, "evt.arg.mode", tmp);
		}
	} else if (c->flags_text) {
		jsonw_lkey_str(&o, "evt.arg.flags", c->flags_text);
	}
	if (kind == K_DUP2) {
		jsonw_lkey_i64(&o, "evt.arg.oldfd", c->fd);
		if (c->fd2 != BS_NONE)
			jsonw_lkey_i64(&o, "evt.arg.newfd", c->fd2);
	}
	if (kind == K_CLONE && c->has_res && c->res > 0)
		jsonw_lkey_i64(&o, "evt.arg.child_pid", c->res);
	if ((kind == K_EXIT || kind == K_PROCEXIT) && p->exit_status != BS_NONE)
		jsonw_lkey_i64(&o, "evt.arg.status", p->exit_status);
	if (c->exit_signal != BS_NONE)
		jsonw_lkey_i64(&o, "evt.arg.sig", c->exit_signal);
	if (c->envc != BS_NONE)
		jsonw_lkey_i64(&o, "proc.env_count", c->envc);
	if (ev_fd != BS_NONE && ev_fd >= 0)
		jsonw_lkey_i64(&o, "fd.num", ev_fd);
	if (f && f->typechar) {
		tmp[0] = f->typechar;
		tmp[1] = '\0';
		jsonw_lkey_str(&o, "fd.typechar", tmp);
		/* fd.directory and fd.filename are not stored: the rule engine cuts them from fd.name */
	} else if (kind == K_OPEN && arg1 && arg1[0] == '/') {
		jsonw_lkey_str(&o, "fd.typechar", "f");
	} else if (!f && (c->addr.family == 2 || c->addr.family == 10 || c->addr.family == 1)) {
		tmp[0] = family_typechar(c->addr.family);
		tmp[1] = '\0';
		jsonw_lkey_str(&o, "fd.typechar", tmp);
	}
	/* The image and lineage (proc.exe, proc.args, proc.pname, proc.pcmdline, proc.aname[N])
	 * are the processes row's, reached through process_id; events that change them carry them
	 * too, so that a rule on execve/clone needs no join. Repeating them on every event would
	 * triple the size of a case. */
	if (kind == K_EXEC || kind == K_CLONE) {
		if (p->argv0.len)
			jsonw_lkey_str(&o, "proc.exe", p->argv0.buf);
		if (p->args_json.len)
			jsonw_lkey_str(&o, "proc.args", p->args.buf);
	}
	if (p->tty_nr != BS_NONE)
		jsonw_lkey_i64(&o, "proc.tty", p->tty_nr);
	if (p->sid != BS_NONE)
		jsonw_lkey_i64(&o, "proc.sid", p->sid);
	if (p->loginuid != BS_NONE)
		jsonw_lkey_i64(&o, "user.loginuid", p->loginuid);
	if (kind == K_EXEC && p->euid != BS_NONE)
		jsonw_lkey_i64(&o, "user.euid", p->euid); /* a setuid program shows here (auditd euid=) */
	parent = p->parent_key != BS_NONE && (kind == K_EXEC || kind == K_CLONE) ? lookup(m, host, p->ppid) : NULL;
	if (parent && parent->key == p->parent_key) {
		if (parent->name.len)
			jsonw_lkey_str(&o, "proc.pname", parent->name.buf);
		if (parent->cmdline.len)
			jsonw_lkey_str(&o, "proc.pcmdline", parent->cmdline.buf);
		if (parent->exe.len)
			jsonw_lkey_str(&o, "proc.pexepath", parent->exe.buf);
	}
	if (c->extra_fields && c->extra_fields[0] == '{') {
		size_t n = strlen(c->extra_fields);
		if (n > 2 && c->extra_fields[n - 1] == '}') {
			if (!o.first)
				strbuf_addch(&m->fields, ',');
			strbuf_add(&m->fields, c->extra_fields + 1, n - 2);
			o.first = false;
		}
	}
	jsonw_end(&o);
	ev.fields = m->fields.buf;

	strbuf_reset(&m->summary);
	strbuf_addstr(&m->summary, ev.type);
	if (kind == K_EXEC && p->cmdline.len && ok) {
		strbuf_addch(&m->summary, ' ');
		strbuf_add(&m->summary, p->cmdline.buf, p->cmdline.len > 200 ? 200 : p->cmdline.len);
	} else if (ev.fd_name) {
		strbuf_addch(&m->summary, ' ');
		strbuf_add(&m->summary, ev.fd_name, m->fdname.len > 200 ? 200 : m->fdname.len);
	} else if (arg1) {
		strbuf_addch(&m->summary, ' ');
		strbuf_addstr(&m->summary, arg1);
	}
	if (kind == K_DUP2 && c->fd2 != BS_NONE) {
		strbuf_add(&m->summary, " onto fd ", 9);
		strbuf_addi64(&m->summary, c->fd2);
	}
	if (kind == K_CLONE && c->has_res && c->res > 0) {
		strbuf_add(&m->summary, " child ", 7);
		strbuf_addi64(&m->summary, c->res);
	}
	if (ev.result && strcmp(ev.result, "SUCCESS")) {
		strbuf_add(&m->summary, " = ", 3);
		strbuf_addstr(&m->summary, ev.result);
	}
	if (c->summary_extra) {
		strbuf_addch(&m->summary, ' ');
		strbuf_addstr(&m->summary, c->summary_extra);
	}
	strbuf_add(&m->summary, " (", 2);
	if (p->name.len) {
		strbuf_add(&m->summary, p->name.buf, p->name.len);
		strbuf_addch(&m->summary, ' ');
	}
	if (ev.pid != BS_NONE) {
		strbuf_add(&m->summary, "pid ", 4);
		strbuf_addi64(&m->summary, ev.pid);
		strbuf_addch(&m->summary, ')');
	} else {
		strbuf_addstr(&m->summary, "pid ?)");
	}
	ev.summary = m->summary.buf;

	r = imp_emit(m->ctx, &ev);
	if (kind == K_CLOSE && ok)
		fd_remove(p, c->fd);
	return r;
}

int64_t sys_model_process_key(struct sys_model *m, const char *host, int64_t pid, int64_t ts)
{
	int h = host_index(m, host);
	struct proc *p;

	if (pid == BS_NONE)
		return BS_NONE;
	p = lookup(m, h, pid);
	if (p && p->end_ts == BS_NONE)
		return p->key;
	p = proc_new(m, h, pid);
	p->last_seen = ts;
	if (emit_proc(m, p) < 0)
		return BS_NONE;
	return p->key;
}

int64_t sys_model_pid_of(struct sys_model *m, const char *host, int64_t tid)
{
	struct proc *p = tid == BS_NONE ? NULL : lookup(m, host_index(m, host), tid);

	return p && p->end_ts == BS_NONE ? p->pid : BS_NONE;
}

int sys_model_seed_process(struct sys_model *m, const struct sys_seed_proc *s)
{
	int h = host_index(m, s->host);
	struct proc *p = lookup(m, h, s->pid), *parent;
	bool dirty = false;

	if (s->pid == BS_NONE)
		return 0;
	if (!p || p->pid != s->pid || p->end_ts != BS_NONE) {
		p = proc_new(m, h, s->pid);
		dirty = true;
	}
	if (s->tid != BS_NONE && s->tid != s->pid) {
		index_put(m, p, slot_of(m, p), s->tid);
		if (!dirty)
			return 0; /* a thread of a process already seeded */
	}
	dirty |= set_int(&p->ppid, s->ppid);
	parent = s->ppid != BS_NONE ? lookup(m, h, s->ppid) : NULL;
	if (parent && parent != p && parent->end_ts == BS_NONE && p->parent_key != parent->key) {
		p->parent_key = parent->key;
		dirty = true;
	}
	dirty |= set_int(&p->uid, s->uid);
	dirty |= set_int(&p->euid, s->uid);
	dirty |= set_int(&p->loginuid, s->loginuid);
	dirty |= set_int(&p->sid, s->sid);
	dirty |= set_str(&p->name, s->comm);
	dirty |= set_str(&p->exe, s->exe);
	dirty |= set_str(&p->cwd, s->cwd);
	if (s->argv && s->argc) {
		set_argv(p, s->argv, s->argc);
		dirty = true;
	}
	return dirty ? emit_proc(m, p) : 0;
}

void sys_model_seed_fd(struct sys_model *m, const struct sys_seed_fd *s)
{
	int h = host_index(m, s->host);
	struct proc *p = lookup(m, h, s->pid);
	struct fdent *f;

	if (!p || p->pid != s->pid || s->fd < 0 || !(f = fd_add(p, s->fd)))
		return;
	f->typechar = s->typechar ? s->typechar : 'o';
	f->l4proto = s->l4proto;
	f->is_server = s->is_server;
	if (s->name)
		fd_set_name(f, s->name);
	if (f->typechar == '4' || f->typechar == '6') {
		fd_from_addr(f, &s->local, true);
		fd_from_addr(f, &s->remote, false);
		socket_name(f);
	}
}

int64_t sys_errno_from_name(const char *name, size_t len)
{
	for (size_t i = 0; i < sizeof(errno_names) / sizeof(errno_names[0]); i++)
		if (errno_names[i] && strlen(errno_names[i]) == len && !memcmp(errno_names[i], name, len))
			return (int64_t)i;
	return BS_NONE;
}

/*
 * What each host source can say about the Falco fields upstream rules use (falco.md §b), so
 * that a rule needing a field the evidence lacks is reported as "could not run" rather than as
 * a silent pass. "yes": filled; "derived": from the processes table or another field; anything
 * else says why not.
 */
const struct sys_field_coverage sys_field_coverage[] = {
	{ "evt.type", "yes", "yes" },
	{ "evt.res / evt.rawres", "yes (exit=)", "yes" },
	{ "evt.arg.flags", "yes for open/openat/creat (a1/a2), clone (a0)", "yes, as printed" },
	{ "evt.arg.*", "path arguments from PATH records", "path and fd arguments as printed" },
	{ "evt.is_open_read/_write/_create", "yes (flags from a1/a2)", "yes" },
	{ "proc.name", "yes (comm=)", "basename of the exec'd file, cut to 15 bytes" },
	{ "proc.exepath", "yes (exe=)", "the exec'd path, after an execve in the trace" },
	{ "proc.exe / proc.args / proc.cmdline", "EXECVE, else PROCTITLE (cut at 128 bytes)", "after an execve in the trace" },
	{ "proc.pid / proc.ppid", "yes", "pid yes; ppid only for children forked in the trace (with -ff, in any file of the run)" },
	{ "proc.pname / proc.pcmdline / proc.aname[N]", "derived: processes row of the parent, when its calls are audited",
	  "derived: processes row, for processes forked in the trace" },
	{ "proc.cwd", "CWD record", "AT_FDCWD annotations (-y), chdir" },
	{ "proc.tty", "yes (tty=)", "not available from strace" },
	{ "proc.sid", "not available (ses= is the login session, under audit.ses)", "not available from strace" },
	{ "proc.env", "not available from auditd", "not available (only the count)" },
	{ "user.uid", "yes (uid=)", "not available from strace" },
	{ "user.name", "uid 0 as root; others only in the enriched log format", "not available from strace" },
	{ "user.loginuid", "yes (auid=, -1 unset)", "not available from strace" },
	{ "user.euid", "yes on execve (euid=)", "not available from strace" },
	{ "fd.name / fd.typechar / fd.directory / fd.filename", "for fds opened by audited calls, and paths", "yes with -y/-yy; else fds opened in the trace" },
	{ "fd.sip / fd.sport / fd.cip / fd.cport / fd.l4proto", "remote end from SOCKADDR; local end not recorded",
	  "both ends with -yy; remote end from the sockaddr otherwise" },
	{ "evt.buffer", "not available from auditd", "not kept (strings are in the raw record)" },
	{ "container.id", "not available from auditd", "not available from strace" },
	{ "thread.cap_*", "not available (CAPSET/BPRM_FCAPS records not mapped)", "not available from strace" },
	{ "proc.is_exe_writable / _upper_layer / _from_memfd", "not available from auditd", "not available from strace" },
	{ NULL, NULL, NULL },
};
