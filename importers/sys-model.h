/* sys-model: the one syscall model behind every host source (auditd, strace, later .scap).
 *
 * A host importer parses its own format into a struct sys_call (one completed syscall, enter
 * and exit merged) and hands it to sys_model_call(). The model keeps what the evidence tells
 * about the processes of each host — a process table (pid → process with a unique key, exe,
 * comm, argv, cwd, ids, tty, parent; pid reuse split by start time; exec replaces the image,
 * clone/fork create children, exit ends them) and a file-descriptor table per process (open →
 * path, socket/connect/accept/bind → 5-tuple, dup/dup2/dup3/fcntl(F_DUPFD), close, pipe) —
 * emits struct bs_process rows when they change, and fills the struct bs_event of the call
 * with Falco's field semantics (falco.md §b): the typed columns (proc_name = proc.name, exe =
 * proc.exepath, cmdline, pid, ppid, tid, uid, user_name, cwd, fd_name = fd.name, l4proto,
 * src = client side fd.cip/cport, dst = server side fd.sip/sport, result = evt.res) and
 * `fields` keyed by Falco field names for the rest (evt.rawres, evt.arg.*, fd.typechar,
 * fd.directory, fd.filename, fd.num, evt.is_open_read/_write/_create, proc.exe, proc.args,
 * proc.tty, proc.sid, user.loginuid, proc.pname, proc.pcmdline).
 *
 * What a source cannot tell stays absent (NULL / BS_NONE); nothing is guessed. Memory is
 * bounded: at most SYS_MAX_PROCS live processes per model (the least recently seen are
 * forgotten first), SYS_MAX_FDS descriptors per process and SYS_MAX_FDS_TOTAL in all; the
 * descriptors of a process that ended are freed at once.
 *
 * Ownership: the model owns its tables; every pointer in a struct sys_call is borrowed for the
 * duration of the call; the event filled by sys_model_call points into the model and is valid
 * until the next call.
 */
#ifndef BS_SYS_MODEL_H
#define BS_SYS_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "importer.h"

#define SYS_MAX_PROCS 65536
#define SYS_MAX_FDS 4096
#define SYS_MAX_FDS_TOTAL 262144
#define SYS_MAX_ARGV 4096

enum sys_arch { SYS_ARCH_UNKNOWN, SYS_ARCH_X86_64, SYS_ARCH_I386, SYS_ARCH_AARCH64 };

/* The generated number → name table of an architecture (syscalls/ARCH.in); entries may be NULL. */
const char *const *sys_syscall_table(enum sys_arch arch, size_t *ret_len);
/* The name of syscall `nr`, or NULL when the table does not know it. */
const char *sys_syscall_name(enum sys_arch arch, int64_t nr);
/* An auditd `arch=` value (AUDIT_ARCH_*: c000003e, 40000003, c00000b7) as an architecture. */
enum sys_arch sys_arch_from_audit(uint32_t audit_arch);
/* "ENOENT" for 2; NULL when unknown. */
const char *sys_errno_name(int64_t err);
/* 2 for "ENOENT"; BS_NONE when unknown. */
int64_t sys_errno_from_name(const char *name, size_t len);

/* A socket address as the evidence gave it. family 0: none. */
struct sys_sockaddr {
	int family;       /* AF_INET, AF_INET6, AF_UNIX, AF_NETLINK ... (Linux numbers) */
	char ip[48];      /* text form, for inet and inet6 */
	int64_t port;     /* BS_NONE when absent */
	char path[112];   /* AF_UNIX path ('@' for the abstract namespace) */
};

/* One completed syscall (or a process event: procexit), as an importer parsed it. */
struct sys_call {
	const char *host;
	int64_t ts, ts_precision;
	uint64_t offset;
	const void *raw;
	size_t raw_len;

	const char *name;           /* evt.type: "openat", "execve", "procexit" ... */
	int64_t pid, tid, ppid;     /* BS_NONE when unknown; tid defaults to pid */
	bool has_res;
	int64_t res;                /* evt.rawres: the return value, or -errno */
	const char *err;            /* errno name of a failure when the source names it */

	/* Who ran it, when the source says so on every call (auditd); NULL / BS_NONE otherwise. */
	int64_t uid, euid, loginuid, sid;
	const char *user_name, *comm, *exe, *tty, *cwd;

	/* Arguments, by role; BS_NONE / NULL when the call has none or the source lacks them. */
	int64_t fd, fd2;            /* the fd argument; dup2/dup3 newfd, the second fd of pipe */
	const char *fd_hint;        /* what the source says fd is (strace -y); used if unknown */
	const char *res_hint;       /* what the source says the returned fd is (strace -y) */
	const char *path, *path2;   /* file path arguments (open name, rename target ...) */
	int64_t flags, mode;        /* open flags (x86/generic Linux O_* bits), clone flags, fcntl cmd */
	const char *flags_text;     /* evt.arg.flags as the source printed it, if it did */
	int sock_domain, sock_type; /* socket(), 0 when unknown */
	struct sys_sockaddr addr;   /* connect/bind/sendto peer, accept's remote */
	struct sys_sockaddr laddr;  /* the local end, when the source knows it */
	const char *const *argv;    /* execve argv (or the process title when that is all) */
	size_t argc;
	bool argv_is_title;         /* argv came from a process title: describes, does not exec */
	int64_t envc;               /* execve environment size, BS_NONE unknown */
	int64_t exit_status, exit_signal; /* procexit */
	bool thread;                /* clone created a thread (CLONE_THREAD) */

	/* Extra members of `fields`, as JSON object text ("{...}") written by the importer. */
	const char *extra_fields;
	const char *summary_extra;  /* appended to the summary */

	const char *container_id;   /* container.id, when the source tells it (.scap); NULL otherwise */
};

void sys_call_init(struct sys_call *c);

/* Which Falco fields auditd and strace evidence can answer; NULL-terminated. */
struct sys_field_coverage {
	const char *field, *auditd, *strace;
};
extern const struct sys_field_coverage sys_field_coverage[];

struct sys_model;

struct sys_model *sys_model_new(struct imp_ctx *ctx);
void sys_model_free(struct sys_model *m);

/*
 * Apply a call to the model (process and fd state), emit the processes it created or changed,
 * then emit its event. Returns 0 or the sink's negative errno.
 */
int sys_model_call(struct sys_model *m, const struct sys_call *c);

/* A process or thread as a capture's own process table shows it at capture start (.scap). */
struct sys_seed_proc {
	const char *host;
	int64_t pid, tid, ppid;    /* tid != pid: a thread of pid */
	int64_t uid, loginuid, sid; /* BS_NONE when unknown */
	const char *comm, *exe, *cwd; /* exe: proc.exepath */
	const char *const *argv;    /* argv[0] is proc.exe */
	size_t argc;
};

/* Create or update the process of a capture's table (its start predates the capture), index
 * its thread id, and emit its row. Returns 0 or the sink's negative errno. */
int sys_model_seed_process(struct sys_model *m, const struct sys_seed_proc *s);

/* A descriptor a capture's fd table lists for a process at capture start. */
struct sys_seed_fd {
	const char *host;
	int64_t pid, fd;
	char typechar;              /* Falco's fd.typechar: f d 4 6 u p e s l i t n b o */
	const char *name;           /* files, pipes, unix sockets ... (sockets inet: from the ends) */
	const char *l4proto;        /* "tcp", "udp", "unix", NULL */
	struct sys_sockaddr local, remote; /* inet sockets */
	bool is_server;             /* a listening or accepted socket: local is the server side */
};

/* Add a descriptor to a seeded process (ignored when the process is unknown). */
void sys_model_seed_fd(struct sys_model *m, const struct sys_seed_fd *s);

/* The process key of (host, pid), creating a bare process row if unknown; BS_NONE for no pid. */
int64_t sys_model_process_key(struct sys_model *m, const char *host, int64_t pid, int64_t ts);

/* The pid of the live process a thread id belongs to; BS_NONE when no live process has it. */
int64_t sys_model_pid_of(struct sys_model *m, const char *host, int64_t tid);

/* Number of live processes (tests). */
size_t sys_model_nprocs(const struct sys_model *m);

#endif
