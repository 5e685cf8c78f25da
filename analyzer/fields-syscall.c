/* fields-syscall: the field table of source `syscall` — Falco's libsinsp field names (evt.*,
 * proc.*, thread.*, user.*, group.*, fd.*, fs.*) and the container plugin's (container.*, k8s.*),
 * answered from events from auditd, strace and .scap captures.
 *
 * Follows ../shared/reference/falco.md §b (field classes, semantics) and the brief's column
 * table. Every field any upstream syscall rule names is here. Derived fields (proc.cmdline,
 * fd.directory, evt.is_open_write ...) are computed from the typed columns the way libsinsp
 * computes them when the importer did not put them in `fields` itself.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

static void set_str(struct fval *out, const char *s, size_t len)
{
	out->kind = V_STR;
	out->s = s;
	out->len = len;
}

static const char *scratch_printf_str(struct fscratch *sc, struct fval *out, const char *a, size_t alen,
				      const char *b, size_t blen)
{
	size_t off = sc->buf.len;

	strbuf_add(&sc->buf, a, alen);
	if (b && blen) {
		strbuf_addch(&sc->buf, ' ');
		strbuf_add(&sc->buf, b, blen);
	}
	out->kind = V_STR;
	out->len = sc->buf.len - off;
	strbuf_addch(&sc->buf, '\0');
	out->s = sc->buf.buf + off;
	return out->s;
}

static const struct pnode *self_node(struct ev *ev)
{
	return ev->process_id == BS_NONE ? NULL : ptree_get(ev->ptree, ev->process_id);
}

/* What follows argv[0] in a command line joined by spaces. */
static const char *after_first_word(const char *s)
{
	const char *sp = strchr(s, ' ');
	return sp ? sp + 1 : s + strlen(s);
}

enum attr { A_NAME, A_EXEPATH, A_EXE, A_CMDLINE, A_ARGS, A_PID, A_PPID, A_CWD, A_TTY, A_SID, A_UID };

/* The actor's own attribute: its typed column first, then its process-tree row. */
static int proc_attr(struct ev *ev, const struct pnode *node, int attr, struct fval *out, struct fscratch *sc)
{
	const char *s = NULL;
	int64_t i = BS_NONE;

	switch (attr) {
	case A_NAME:
		s = ev_str(ev, COL_proc_name);
		if (!s && ev_str(ev, COL_exe)) {
			const char *slash = strrchr(ev_str(ev, COL_exe), '/');
			s = slash ? slash + 1 : ev_str(ev, COL_exe);
		}
		if (!s && node)
			s = node->name;
		break;
	case A_EXEPATH:
		s = ev_str(ev, COL_exe) ? ev_str(ev, COL_exe) : node ? node->exe : NULL;
		break;
	case A_EXE:
		if (ev_str(ev, COL_cmdline)) {
			const char *c = ev_str(ev, COL_cmdline), *sp = strchr(c, ' ');
			set_str(out, c, sp ? (size_t)(sp - c) : strlen(c));
			return 1;
		}
		s = node ? (node->argv0 ? node->argv0 : node->exe) : NULL;
		break;
	case A_CMDLINE: {
		struct fval name;
		if (ev_str(ev, COL_cmdline) && proc_attr(ev, node, A_NAME, &name, sc)) {
			const char *args = after_first_word(ev_str(ev, COL_cmdline));
			scratch_printf_str(sc, out, name.s, name.len, args, strlen(args));
			return 1;
		}
		s = ev_str(ev, COL_cmdline) ? ev_str(ev, COL_cmdline) : node ? node->cmdline : NULL;
		break;
	}
	case A_ARGS:
		s = ev_str(ev, COL_cmdline) ? after_first_word(ev_str(ev, COL_cmdline)) : node ? node->args : NULL;
		break;
	case A_PID:
		i = ev_int(ev, COL_pid) != BS_NONE ? ev_int(ev, COL_pid) : node ? node->pid : BS_NONE;
		break;
	case A_PPID:
		i = ev_int(ev, COL_ppid) != BS_NONE ? ev_int(ev, COL_ppid) : node ? node->ppid : BS_NONE;
		break;
	case A_UID:
		i = ev_int(ev, COL_uid) != BS_NONE ? ev_int(ev, COL_uid) : node ? node->uid : BS_NONE;
		break;
	case A_SID:
		i = node ? node->sid : BS_NONE;
		break;
	case A_CWD:
		s = ev_str(ev, COL_cwd) ? ev_str(ev, COL_cwd) : node ? node->cwd : NULL;
		break;
	case A_TTY:
		s = node ? node->tty : NULL;
		break;
	}
	if (s) {
		set_str(out, s, strlen(s));
		return 1;
	}
	if (i != BS_NONE && i != 0x7fffffffffffffffLL) {
		out->kind = V_INT;
		out->i = i;
		return 1;
	}
	return 0;
}

static int node_attr(const struct pnode *p, int attr, struct fval *out)
{
	const char *s = NULL;
	int64_t i = BS_NONE;

	switch (attr) {
	case A_NAME: s = p->name; break;
	case A_EXEPATH: s = p->exe; break;
	case A_EXE: s = p->argv0 ? p->argv0 : p->exe; break;
	case A_CMDLINE: s = p->cmdline; break;
	case A_ARGS: s = p->args; break;
	case A_CWD: s = p->cwd; break;
	case A_TTY: s = p->tty; break;
	case A_PID: i = p->pid; break;
	case A_PPID: i = p->ppid; break;
	case A_UID: i = p->uid; break;
	case A_SID: i = p->sid; break;
	}
	if (s) {
		set_str(out, s, strlen(s));
		return 1;
	}
	if (i != BS_NONE) {
		out->kind = V_INT;
		out->i = i;
		return 1;
	}
	return 0;
}

/* Integer attributes rendered as text when the field is a string, and the reverse. */
static int coerce(const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	if (out->kind == V_INT && b->type == FT_STR) {
		size_t off = sc->buf.len;
		strbuf_addi64(&sc->buf, out->i);
		set_str(out, NULL, sc->buf.len - off);
		strbuf_addch(&sc->buf, '\0');
		out->s = sc->buf.buf + off;
	} else if (out->kind == V_STR && b->type == FT_INT) {
		char *end;
		long long v = strtoll(out->s, &end, 10);
		if (end == out->s || *end)
			return 0;
		out->kind = V_INT;
		out->i = v;
	}
	return 1;
}

/* param: attribute | level << 8; level 0xff: the field's [N] argument, or every ancestor. */
static int fx_proc(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	int attr = b->def->param & 0xff, level = b->def->param >> 8;
	const struct pnode *node = self_node(ev);

	if (level == 0xff && b->index < 0) { /* proc.aname: every ancestor, the parent first */
		size_t n = 0;
		struct fval v;
		size_t offs[FVAL_MAX_ITEMS];
		for (const struct pnode *p = ptree_parent(ev->ptree, node); p && n < FVAL_MAX_ITEMS;
		     p = ptree_parent(ev->ptree, p)) {
			if (!node_attr(p, attr, &v))
				continue;
			offs[n] = sc->buf.len;
			if (v.kind == V_INT) {
				strbuf_addi64(&sc->buf, v.i);
				sc->lens[n] = sc->buf.len - offs[n];
			} else {
				strbuf_add(&sc->buf, v.s, v.len);
				sc->lens[n] = v.len;
			}
			strbuf_addch(&sc->buf, '\0');
			n++;
		}
		if (!n)
			return 0;
		for (size_t i = 0; i < n; i++)
			sc->items[i] = sc->buf.buf + offs[i];
		sc->n = out->n = n;
		out->kind = V_LIST;
		return 1;
	}
	if (level == 0xff)
		level = (int)b->index;
	if (level == 0) {
		if (!proc_attr(ev, node, attr, out, sc))
			return 0;
		if (attr == A_ARGS && b->index >= 0 && (b->def->flags & FF_ARG_INDEX) && (b->def->param >> 8) == 0) {
			/* proc.args[N]: the Nth argument after argv[0] */
			const char *s = out->s, *end = s + out->len;
			for (int64_t k = 0; k < b->index && s < end; k++) {
				const char *sp = memchr(s, ' ', (size_t)(end - s));
				s = sp ? sp + 1 : end;
			}
			if (s >= end)
				return 0;
			const char *sp = memchr(s, ' ', (size_t)(end - s));
			set_str(out, s, sp ? (size_t)(sp - s) : (size_t)(end - s));
		}
		return coerce(b, out, sc);
	}
	for (; level > 0 && node; level--)
		node = ptree_parent(ev->ptree, node);
	if (!node || !node_attr(node, attr, out))
		return 0;
	return coerce(b, out, sc);
}

/* fd.directory / fd.filename: of fd.name when it is a file's or a directory's path (a unix
 * socket's path is none: Falco gives those fields for files only). */
static int fx_dir_or_file(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	const char *name = ev_str(ev, COL_fd_name), *slash, *type;
	size_t tlen = 0;

	if (!name || name[0] != '/')
		return 0;
	type = ev_field_text(ev, "fd.typechar", &tlen);
	if (type && tlen == 1 && type[0] != 'f' && type[0] != 'd')
		return 0;
	slash = strrchr(name, '/');
	if (b->def->param == 0) { /* fd.directory */
		set_str(out, name, slash == name ? 1 : (size_t)(slash - name));
	} else {
		set_str(out, slash + 1, strlen(slash + 1));
	}
	return 1;
}

static bool is_server_side(const struct ev *ev)
{
	return ev->type && (!strncmp(ev->type, "accept", 6) || !strcmp(ev->type, "listen") ||
			    !strcmp(ev->type, "bind"));
}

/* fd.ip / fd.port / fd.net: either end; fd.lip/fd.rip ...: local or remote by the event's side. */
enum { E_BOTH, E_LOCAL, E_REMOTE };

static int fx_endpoint(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	int which = b->def->param & 0xf, port = b->def->param >> 4;
	int ccol = port ? COL_src_port : COL_src_ip, scol = port ? COL_dst_port : COL_dst_ip;
	int cols[2], n = 0;

	if (which == E_BOTH) {
		cols[n++] = ccol;
		cols[n++] = scol;
	} else {
		bool server = is_server_side(ev);
		bool local = which == E_LOCAL;
		cols[n++] = (server == local) ? scol : ccol;
	}
	if (n == 1 || b->type != FT_LIST) {
		for (int i = 0; i < n; i++) {
			if (port && ev_int(ev, cols[i]) != BS_NONE) {
				out->kind = V_INT;
				out->i = ev_int(ev, cols[i]);
				if (n == 1)
					return 1;
			} else if (!port && ev_str(ev, cols[i])) {
				set_str(out, ev_str(ev, cols[i]), strlen(ev_str(ev, cols[i])));
				if (n == 1)
					return 1;
			}
		}
		if (n == 1)
			return 0;
	}
	/* both ends: a list of the ends present */
	size_t offs[2], k = 0;
	for (int i = 0; i < n; i++) {
		offs[k] = sc->buf.len;
		if (port && ev_int(ev, cols[i]) != BS_NONE)
			strbuf_addi64(&sc->buf, ev_int(ev, cols[i]));
		else if (!port && ev_str(ev, cols[i]))
			strbuf_addstr(&sc->buf, ev_str(ev, cols[i]));
		else
			continue;
		sc->lens[k] = sc->buf.len - offs[k];
		strbuf_addch(&sc->buf, '\0');
		k++;
	}
	if (!k)
		return 0;
	for (size_t i = 0; i < k; i++)
		sc->items[i] = sc->buf.buf + offs[i];
	sc->n = out->n = k;
	out->kind = V_LIST;
	return 1;
}

static int fx_typechar(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	const char *name = ev_str(ev, COL_fd_name), *proto = ev_str(ev, COL_l4proto), *ip;
	const char *type = NULL, *ch = NULL;

	if (fx_fields(ev, b, out, sc))
		return 1;
	ip = ev_str(ev, COL_dst_ip) ? ev_str(ev, COL_dst_ip) : ev_str(ev, COL_src_ip);
	if (ip) {
		bool v6 = strchr(ip, ':') != NULL;
		type = v6 ? "ipv6" : "ipv4";
		ch = v6 ? "6" : "4";
	} else if (proto && !strcmp(proto, "unix")) {
		type = "unix";
		ch = "u";
	} else if (name && name[0] == '/') {
		type = "file";
		ch = "f";
	}
	if (!type)
		return 0;
	if (b->def->param) {
		set_str(out, ch, 1);
	} else {
		set_str(out, type, strlen(type));
	}
	return 1;
}

static int fx_sockfamily(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	const char *ip = ev_str(ev, COL_dst_ip) ? ev_str(ev, COL_dst_ip) : ev_str(ev, COL_src_ip);
	const char *proto = ev_str(ev, COL_l4proto);

	if (ip) {
		set_str(out, "ip", 2);
		return 1;
	}
	if (proto && !strcmp(proto, "unix")) {
		set_str(out, "unix", 4);
		return 1;
	}
	return 0;
}

/* evt.is_open_read/_write/_create/_exec from evt.arg.flags when the importer did not say. */
static int fx_open_flag(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	const char *flags;
	size_t flen;
	bool v = false;

	if (fx_fields(ev, b, out, sc))
		return 1;
	if (!ev->type || strncmp(ev->type, "open", 4))
		return 0;
	flags = ev_field_text(ev, "evt.arg.flags", &flen);
	if (!flags)
		return 0;
#define HAS(x) (memmem(flags, flen, x, strlen(x)) != NULL)
	switch (b->def->param) {
	case 0: v = HAS("O_RDONLY") || HAS("O_RDWR"); break;
	case 1: v = HAS("O_WRONLY") || HAS("O_RDWR"); break;
	case 2: v = HAS("O_CREAT"); break;
	case 3: v = HAS("O_EXEC"); break;
	}
#undef HAS
	out->kind = V_BOOL;
	out->i = v;
	return 1;
}

/* evt.rawres / evt.failed from evt.res: a number, SUCCESS (0) or an errno name (negative). */
static int fx_rawres(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	const char *res = ev_str(ev, COL_result);
	int64_t v;

	if (fx_fields(ev, b, out, sc))
		return 1;
	if (!res || !*res)
		return 0;
	if (!strcmp(res, "SUCCESS")) {
		v = 0;
	} else if (res[0] == 'E' && res[1] >= 'A' && res[1] <= 'Z') {
		v = -1;
	} else {
		char *end;
		v = strtoll(res, &end, 0);
		if (*end)
			return 0;
	}
	if (b->def->param) {
		out->kind = V_BOOL;
		out->i = v < 0;
	} else {
		out->kind = V_INT;
		out->i = v;
	}
	return 1;
}

static int fx_evt_res(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	const char *res = ev_str(ev, COL_result);
	char *end;

	if (!res)
		return 0;
	if (res[0] >= '0' && res[0] <= '9' && (strtoll(res, &end, 10), !*end)) {
		set_str(out, "SUCCESS", 7); /* libsinsp prints a non-negative return as SUCCESS */
		return 1;
	}
	set_str(out, res, strlen(res));
	return 1;
}

static int fx_dir(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	if (fx_fields(ev, b, out, sc))
		return 1;
	set_str(out, "<", 1);
	return 1;
}

static int fx_container_id(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	const struct pnode *node;

	if (ev_str(ev, COL_container_id)) {
		set_str(out, ev_str(ev, COL_container_id), strlen(ev_str(ev, COL_container_id)));
		return 1;
	}
	node = self_node(ev);
	if (node && node->container_id) {
		set_str(out, node->container_id, strlen(node->container_id));
		return 1;
	}
	return 0;
}

/*
 * fs.path.name / .source / .target (libsinsp's "fs" class): the path a filesystem syscall acted
 * on, absolute. The importer's own value in `fields` wins; else it is derived as libsinsp
 * derives it: fs.path.name from an open's fd.name or the path argument (evt.arg.path, name,
 * filename, pathname; else an absolute fd.name), fs.path.source from evt.arg.oldpath / evt.arg.target (symlink), and
 * fs.path.target from evt.arg.newpath / evt.arg.linkpath. A relative argument is joined to
 * proc.cwd when the event has one, and left unanswered when it does not.
 */
enum { FS_NAME, FS_SOURCE, FS_TARGET };

static bool is_open_call(const char *type)
{
	return type && (!strcmp(type, "open") || !strcmp(type, "openat") || !strcmp(type, "openat2") ||
			!strcmp(type, "creat") || !strcmp(type, "open_by_handle_at"));
}

static int fx_fs_path(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc)
{
	static const char *const keys[][4] = {
		[FS_NAME] = { "evt.arg.path", "evt.arg.name", "evt.arg.filename", "evt.arg.pathname" },
		[FS_SOURCE] = { "evt.arg.oldpath", "evt.arg.target", NULL, NULL },
		[FS_TARGET] = { "evt.arg.newpath", "evt.arg.linkpath", NULL, NULL },
	};
	int which = b->def->param;
	const char *s = NULL, *cwd;
	size_t len = 0;

	if (fx_fields(ev, b, out, sc))
		return 1;
	out->kind = V_NONE;
	if (which == FS_NAME && is_open_call(ev->type)) {
		s = ev_str(ev, COL_fd_name);
		if (s && s[0] == '/') {
			set_str(out, s, strlen(s));
			return 1;
		}
		s = NULL;
	}
	for (size_t i = 0; i < 4 && keys[which][i] && !s; i++)
		s = ev_field_text(ev, keys[which][i], &len);
	if ((!s || !len) && which == FS_NAME) {
		/* a source that names the file only as the event's fd.name (unlinkat ... in a timeline) */
		s = ev_str(ev, COL_fd_name);
		if (s && s[0] == '/') {
			set_str(out, s, strlen(s));
			return 1;
		}
		return 0;
	}
	if (!s || !len)
		return 0;
	if (s[0] == '/') {
		set_str(out, s, len);
		return 1;
	}
	cwd = ev_str(ev, COL_cwd);
	if (!cwd || cwd[0] != '/')
		return 0;
	{
		size_t off = sc->buf.len, clen = strlen(cwd);
		strbuf_add(&sc->buf, cwd, clen);
		if (clen && cwd[clen - 1] != '/')
			strbuf_addch(&sc->buf, '/');
		if (len >= 2 && s[0] == '.' && s[1] == '/')
			s += 2, len -= 2;
		strbuf_add(&sc->buf, s, len);
		out->kind = V_STR;
		out->len = sc->buf.len - off;
		strbuf_addch(&sc->buf, '\0');
		out->s = sc->buf.buf + off;
	}
	return 1;
}

#define COLF(name, type, col, desc) { name, type, 0, desc, fx_col, COL_##col }
#define PROC(name, type, attr, level, flags, desc) { name, type, flags, desc, fx_proc, (attr) | ((level) << 8) }
#define FLD(name, type, flags, desc) { name, type, flags, desc, NULL, 0 }
#define NA(name, type, flags, desc) { name, type, (flags) | FF_UNAVAILABLE, desc, NULL, 0 }
#define ANC (FF_ARG_INDEX | FF_ANY)

const struct field_def fields_syscall[] = {
	/* evt.* */
	{ "evt.arg.", FT_STR, FF_PREFIX,
	  "a syscall parameter by name, as Falco formats it (evt.arg.flags, evt.arg.path): fields key 'evt.arg.NAME'",
	  NULL, 0 },
	{ "evt.rawarg.", FT_STR, FF_PREFIX,
	  "a syscall parameter by name, unformatted (numbers compare as numbers): fields key 'evt.rawarg.NAME'", NULL, 0 },
	FLD("evt.arg", FT_STR, FF_ARG_INDEX | FF_ARG_REQUIRED,
	    "a syscall parameter by position, evt.arg[0] the first: fields key 'evt.arg[N]' or array 'evt.arg'"),
	FLD("evt.args", FT_STR, 0, "every parameter of the event as one string, name=value separated by spaces"),
	{ "evt.res", FT_STR, 0, "the syscall's result: SUCCESS or an errno name such as ENOENT (events.result)",
	  fx_evt_res, 0 },
	{ "evt.rawres", FT_INT, 0, "the syscall's return value as a number (from evt.res when not in fields; an errno name gives -1)",
	  fx_rawres, 0 },
	{ "evt.failed", FT_BOOL, 0, "true when the syscall returned an error", fx_rawres, 1 },
	{ "evt.dir", FT_STR, 0, "event direction: '>' enter, '<' exit; stored events are exits or whole calls, so '<'",
	  fx_dir, 0 },
	FLD("evt.category", FT_STR, 0, "event category: file, net, process, ipc, memory ..."),
	FLD("evt.info", FT_STR, 0, "the event's parameters, or a description for non-syscall events"),
	FLD("evt.buffer", FT_STR, 0, "the data buffer of a read/write/send/recv, as text"),
	FLD("evt.buflen", FT_INT, 0, "length of the data buffer of a read/write/send/recv"),
	FLD("evt.cpu", FT_INT, 0, "the CPU the event was recorded on"),
	FLD("evt.abspath", FT_STR, 0, "absolute path of a path-taking syscall, resolved against the directory fd"),
	FLD("evt.abspath.src", FT_STR, 0, "absolute source path of rename/link style syscalls"),
	FLD("evt.abspath.dst", FT_STR, 0, "absolute destination path of rename/link style syscalls"),
	{ "evt.is_open_read", FT_BOOL, 0, "an open* that asked for reading (from evt.arg.flags O_RDONLY/O_RDWR)",
	  fx_open_flag, 0 },
	{ "evt.is_open_write", FT_BOOL, 0, "an open* that asked for writing (from evt.arg.flags O_WRONLY/O_RDWR)",
	  fx_open_flag, 1 },
	{ "evt.is_open_create", FT_BOOL, 0, "an open* with O_CREAT", fx_open_flag, 2 },
	{ "evt.is_open_exec", FT_BOOL, 0, "an open* of a file with execute permission requested (O_EXEC)",
	  fx_open_flag, 3 },
	{ "syscall.type", FT_STR, 0, "the syscall name (same as evt.type for syscall events)", fx_evt_type, 0 },
	{ "fs.path.name", FT_STR, 0,
	  "path a filesystem syscall acted on, absolute (an open's fd.name, else evt.arg.path/name/filename)",
	  fx_fs_path, FS_NAME },
	{ "fs.path.source", FT_STR, 0, "source path of a rename/link/symlink, absolute (evt.arg.oldpath, symlink's target)",
	  fx_fs_path, FS_SOURCE },
	{ "fs.path.target", FT_STR, 0, "target path of a rename/link/symlink, absolute (evt.arg.newpath, linkpath)",
	  fx_fs_path, FS_TARGET },

	/* proc.* */
	PROC("proc.name", FT_STR, A_NAME, 0, 0, "process name (comm, at most 15 characters) of the actor (events.proc_name)"),
	PROC("proc.exe", FT_STR, A_EXE, 0, 0, "argv[0] of the actor: the first word of events.cmdline"),
	PROC("proc.exepath", FT_STR, A_EXEPATH, 0, 0, "full path of the actor's executable (events.exe)"),
	PROC("proc.cmdline", FT_STR, A_CMDLINE, 0, 0, "process name and arguments, as Falco prints it: proc.name then argv[1..]"),
	PROC("proc.args", FT_STR, A_ARGS, 0, FF_ARG_INDEX, "the arguments after argv[0], joined by spaces; proc.args[N] the Nth"),
	PROC("proc.pid", FT_INT, A_PID, 0, 0, "process id of the actor (events.pid)"),
	PROC("proc.ppid", FT_INT, A_PPID, 0, 0, "parent process id of the actor (events.ppid)"),
	PROC("proc.cwd", FT_STR, A_CWD, 0, 0, "working directory of the actor (events.cwd)"),
	PROC("proc.tty", FT_INT, A_TTY, 0, 0, "controlling terminal of the actor (processes.tty)"),
	PROC("proc.sid", FT_INT, A_SID, 0, 0, "session id of the actor (processes.sid)"),
	PROC("proc.pname", FT_STR, A_NAME, 1, 0, "name of the parent process (process tree)"),
	PROC("proc.pexe", FT_STR, A_EXE, 1, 0, "argv[0] of the parent process (process tree)"),
	PROC("proc.pexepath", FT_STR, A_EXEPATH, 1, 0, "executable path of the parent process (process tree)"),
	PROC("proc.pcmdline", FT_STR, A_CMDLINE, 1, 0, "command line of the parent process (process tree)"),
	PROC("proc.pcwd", FT_STR, A_CWD, 1, 0, "working directory of the parent process (process tree)"),
	PROC("proc.aname", FT_STR, A_NAME, 0xff, ANC,
	     "name of an ancestor: proc.aname[1] the parent, [2] the grandparent; without index any ancestor"),
	PROC("proc.apid", FT_INT, A_PID, 0xff, ANC, "pid of an ancestor: proc.apid[N]; without index any ancestor"),
	PROC("proc.aexe", FT_STR, A_EXE, 0xff, ANC, "argv[0] of an ancestor: proc.aexe[N]; without index any ancestor"),
	PROC("proc.aexepath", FT_STR, A_EXEPATH, 0xff, ANC,
	     "executable path of an ancestor: proc.aexepath[N]; without index any ancestor"),
	PROC("proc.acmdline", FT_STR, A_CMDLINE, 0xff, ANC,
	     "command line of an ancestor: proc.acmdline[N]; without index any ancestor"),
	FLD("proc.sname", FT_STR, 0, "name of the actor's session leader"),
	FLD("proc.vpid", FT_INT, 0, "process id of the actor as seen inside its pid namespace"),
	FLD("proc.vpgid", FT_INT, 0, "process group id as seen inside its pid namespace"),
	FLD("proc.is_vpgid_leader", FT_BOOL, 0, "true when the actor leads its process group (in its namespace)"),
	FLD("proc.env", FT_STR, FF_ARG_KEY,
	    "environment of the actor; proc.env[NAME] one variable (fields: 'proc.env' object or 'proc.env[NAME]')"),
	FLD("proc.duration", FT_INT, 0, "nanoseconds since the actor process started"),
	FLD("proc.pidns_init_start_ts", FT_INT, 0, "start time of the pid namespace's init process, ns"),
	NA("proc.is_exe_writable", FT_BOOL, 0, "the actor's executable is writable by it (needs live inode state)"),
	NA("proc.is_exe_upper_layer", FT_BOOL, 0,
	   "the executable lives in the upper (writable) layer of an overlayfs (needs live inode state)"),
	NA("proc.is_exe_from_memfd", FT_BOOL, 0, "the executable was loaded from a memfd (needs live fd state)"),
	NA("proc.exe_ino", FT_INT, 0, "inode number of the executable (needs live inode state)"),
	NA("proc.exe_ino.ctime", FT_INT, 0, "ctime of the executable's inode (needs live inode state)"),
	NA("proc.exe_ino.mtime", FT_INT, 0, "mtime of the executable's inode (needs live inode state)"),
	NA("proc.exe_ino.ctime_duration_proc_start", FT_INT, 0,
	   "ns between the executable's ctime and the process start (needs live inode state)"),
	COLF("thread.tid", FT_INT, tid, "thread id of the actor (events.tid)"),
	FLD("thread.vtid", FT_INT, 0, "thread id as seen inside its pid namespace"),
	FLD("thread.ismain", FT_BOOL, 0, "true when the thread is its process's main thread"),
	NA("thread.cap_permitted", FT_STR, 0, "permitted capability set of the thread (needs live credentials)"),
	NA("thread.cap_effective", FT_STR, 0, "effective capability set of the thread (needs live credentials)"),
	NA("thread.cap_inheritable", FT_STR, 0, "inheritable capability set of the thread (needs live credentials)"),

	/* user.*, group.* */
	PROC("user.uid", FT_INT, A_UID, 0, 0, "user id of the actor (events.uid)"),
	COLF("user.name", FT_STR, user_name, "user name of the actor (events.user_name)"),
	FLD("user.loginuid", FT_INT, 0, "audit login uid (auid) of the actor, -1 when unset"),
	FLD("user.euid", FT_INT, 0,
	    "effective user id after an execve (backsight's; auditd euid=): 0 with user.uid not 0 is a setuid-root program"),
	FLD("user.loginname", FT_STR, 0, "user name of the login uid"),
	FLD("user.homedir", FT_STR, 0, "home directory of the actor's user"),
	FLD("user.shell", FT_STR, 0, "login shell of the actor's user"),
	FLD("group.gid", FT_INT, 0, "group id of the actor"),
	FLD("group.name", FT_STR, 0, "group name of the actor"),

	/* fd.* */
	COLF("fd.name", FT_STR, fd_name, "file path or connection tuple the event acted on (events.fd_name)"),
	FLD("fd.nameraw", FT_STR, 0, "the file path exactly as the syscall passed it, not normalised"),
	{ "fd.directory", FT_STR, 0, "directory of fd.name when it is a file path", fx_dir_or_file, 0 },
	{ "fd.filename", FT_STR, 0, "last component of fd.name when it is a file path", fx_dir_or_file, 1 },
	FLD("fd.num", FT_INT, 0, "file descriptor number the event acted on"),
	{ "fd.type", FT_STR, 0, "fd type: file, directory, ipv4, ipv6, unix, pipe, event, signalfd, eventpoll, inotify, memfd",
	  fx_typechar, 0 },
	{ "fd.typechar", FT_STR, 0, "fd type as one letter: f file, 4 ipv4, 6 ipv6, u unix, p pipe, e event ...",
	  fx_typechar, 1 },
	COLF("fd.l4proto", FT_STR, l4proto, "transport protocol of a socket: tcp, udp, icmp, raw (events.l4proto)"),
	{ "fd.sockfamily", FT_STR, 0, "socket family: ip or unix", fx_sockfamily, 0 },
	COLF("fd.cip", FT_IP, src_ip, "client address of a connection (events.src_ip)"),
	COLF("fd.sip", FT_IP, dst_ip, "server address of a connection (events.dst_ip)"),
	COLF("fd.cport", FT_INT, src_port, "client port of a connection (events.src_port)"),
	COLF("fd.sport", FT_INT, dst_port, "server port of a connection (events.dst_port)"),
	{ "fd.lip", FT_IP, 0, "local address: the server end for accept/listen/bind, else the client end", fx_endpoint, E_LOCAL },
	{ "fd.rip", FT_IP, 0, "remote address: the client end for accept/listen/bind, else the server end", fx_endpoint,
	  E_REMOTE },
	{ "fd.lport", FT_INT, 0, "local port (see fd.lip)", fx_endpoint, E_LOCAL | 1 << 4 },
	{ "fd.rport", FT_INT, 0, "remote port (see fd.rip)", fx_endpoint, E_REMOTE | 1 << 4 },
	{ "fd.ip", FT_LIST, FF_FILTER_ONLY, "either address of a connection (matches the client or the server)", fx_endpoint,
	  E_BOTH },
	{ "fd.port", FT_LIST, FF_FILTER_ONLY, "either port of a connection (matches the client or the server)", fx_endpoint,
	  E_BOTH | 1 << 4 },
	{ "fd.net", FT_LIST, FF_FILTER_ONLY, "either address, compared with a CIDR network: fd.net = 10.0.0.0/8",
	  fx_endpoint, E_BOTH },
	COLF("fd.cnet", FT_IP, src_ip, "client address compared with a CIDR network"),
	COLF("fd.snet", FT_IP, dst_ip, "server address compared with a CIDR network"),
	{ "fd.lnet", FT_IP, FF_FILTER_ONLY, "local address compared with a CIDR network", fx_endpoint, E_LOCAL },
	{ "fd.rnet", FT_IP, FF_FILTER_ONLY, "remote address compared with a CIDR network", fx_endpoint, E_REMOTE },
	FLD("fd.cip.name", FT_STR, 0, "domain name the client address was resolved from (DNS seen in the evidence)"),
	FLD("fd.sip.name", FT_STR, 0, "domain name the server address was resolved from (DNS seen in the evidence)"),
	FLD("fd.lip.name", FT_STR, 0, "domain name of the local address"),
	FLD("fd.rip.name", FT_STR, 0, "domain name of the remote address"),
	FLD("fd.connected", FT_BOOL, 0, "the socket is connected"),
	FLD("fd.is_server", FT_BOOL, 0, "the process is the server end of the connection"),
	FLD("fd.name_changed", FT_BOOL, 0, "the fd's name changed during the event (connect on a UDP socket ...)"),
	FLD("fd.dev", FT_INT, 0, "device number of the file"),
	FLD("fd.ino", FT_INT, 0, "inode number of the file"),
	NA("fd.is_upper_layer", FT_BOOL, 0, "the file is in the upper layer of an overlayfs (needs live inode state)"),

	/* container.*, k8s.* (the container plugin's fields) */
	{ "container.id", FT_STR, 0, "container id (12 characters) or 'host' (events.container_id)", fx_container_id, 0 },
	FLD("container.name", FT_STR, 0, "container name"),
	FLD("container.image", FT_STR, 0, "container image name with its tag"),
	FLD("container.image.repository", FT_STR, 0, "container image repository (docker.io/library/nginx)"),
	FLD("container.image.tag", FT_STR, 0, "container image tag"),
	FLD("container.image.digest", FT_STR, 0, "container image digest"),
	FLD("container.image.id", FT_STR, 0, "container image id"),
	FLD("container.type", FT_STR, 0, "container runtime: docker, containerd, cri-o, podman ..."),
	FLD("container.privileged", FT_BOOL, 0, "the container runs privileged"),
	FLD("container.mounts", FT_STR, 0, "the container's mounts, as Falco prints them"),
	FLD("container.mount.dest", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED,
	    "the mount source at destination path ARG: container.mount.dest[/var/run/docker.sock]"),
	FLD("container.mount.source", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED, "the mount destination of source path ARG"),
	FLD("container.start_ts", FT_INT, 0, "container start time, ns since the epoch"),
	FLD("container.host_pid", FT_BOOL, 0, "the container shares the host's pid namespace"),
	FLD("container.host_network", FT_BOOL, 0, "the container shares the host's network namespace"),
	FLD("container.host_ipc", FT_BOOL, 0, "the container shares the host's ipc namespace"),
	FLD("container.label", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED, "a container label: container.label[key]"),
	FLD("k8s.ns.name", FT_STR, 0, "Kubernetes namespace of the pod the container belongs to"),
	FLD("k8s.pod.name", FT_STR, 0, "Kubernetes pod name"),
	FLD("k8s.pod.uid", FT_STR, 0, "Kubernetes pod uid"),
	FLD("k8s.pod.ip", FT_IP, 0, "Kubernetes pod address"),
	FLD("k8s.pod.label", FT_STR, FF_ARG_KEY | FF_ARG_REQUIRED, "a Kubernetes pod label: k8s.pod.label[key]"),
	FLD("k8s.pod.labels", FT_STR, 0, "every Kubernetes pod label, key:value separated by commas"),
};
const size_t fields_syscall_count = sizeof(fields_syscall) / sizeof(fields_syscall[0]);
