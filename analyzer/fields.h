/* fields: the field tables of the rule language — what a condition or an output template can
 * name, per event source, and how each field is answered from a stored event.
 *
 * Every field is a documented row {name, type, flags, description, extractor} (STYLE.md §10);
 * `backsight rules fields` prints them. A field is answered, in this order, from
 *   1. its primary place: a typed column of `events` (the brief's table: proc.name is
 *      events.proc_name ...), the process tree (`processes`, reached by events.process_id and
 *      processes.parent_id: proc.pname, proc.aname[N] ...), or the raw record (json.value[..]);
 *   2. the event's `fields` object, under the field's full name as written in the rule
 *      (`evt.arg.flags`, `ka.req.pod.containers.image`, `proc.aname[2]`), and for an argument
 *      field also under its bare name when that holds an array or object to index.
 * A field nobody can answer makes every comparison on it false (Falco's rule). A field marked
 * FF_UNAVAILABLE is one no backsight importer can produce: a rule needing it is reported
 * "could not run" instead of silently never matching.
 *
 * struct ev is one event as the evaluator sees it; the detect loop and the tests fill it.
 * Ownership: an ev borrows every string it points to; ev_release frees what it parsed (fields,
 * raw record). A ptree owns its nodes; ptree_free accepts NULL.
 */
#ifndef BS_FIELDS_H
#define BS_FIELDS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "arena.h"
#include "event.h"
#include "strbuf.h"

enum field_type {
	FT_STR,  /* text */
	FT_INT,  /* signed 64-bit number */
	FT_BOOL, /* true / false */
	FT_IP,   /* an IPv4/IPv6 address; compares with addresses and CIDR networks */
	FT_LIST, /* several strings (ka.req.pod.containers.image, proc.aname without index) */
};

enum {
	FF_ARG_INDEX = 1u << 0,    /* takes [N] */
	FF_ARG_KEY = 1u << 1,      /* takes [text] */
	FF_ARG_REQUIRED = 1u << 2, /* the argument cannot be left out */
	FF_PREFIX = 1u << 3,       /* name ends in '.', the rest is the argument: evt.arg.NAME */
	FF_ANY = 1u << 4,          /* without its index it stands for every ancestor (proc.aname) */
	FF_UNAVAILABLE = 1u << 5,  /* no importer produces it: rules needing it cannot run */
	FF_FILTER_ONLY = 1u << 6,  /* usable in conditions only (fd.net, fd.ip ...) */
};

/* Column ids, in BS_EVENT_COLUMNS order. */
enum ev_col {
#define X(kind, name, desc) COL_##name,
	BS_EVENT_COLUMNS(X)
#undef X
	COL__COUNT
};

/* The process tree of one case, loaded once per detect run. */
struct pnode {
	int64_t id, pid, ppid, uid, sid, start_ts;
	int64_t parent; /* index into nodes, -1 when unknown */
	const char *exe, *name, *argv0, *cmdline, *args, *cwd, *tty, *container_id;
};

struct ptree {
	struct pnode *nodes;
	size_t n;
	int64_t *by_id; /* processes.id -> index, -1 when absent */
	int64_t max_id;
	struct arena *strings;
};

struct ptree *ptree_new(void);
void ptree_free(struct ptree *pt);
/* Add one process (strings copied); parent_id resolved by ptree_link once all are added. */
void ptree_add(struct ptree *pt, int64_t id, int64_t pid, int64_t ppid, int64_t parent_id, int64_t uid,
	       int64_t sid, const char *exe, const char *name, const char *args_json, const char *cwd,
	       const char *tty, const char *container_id);
void ptree_link(struct ptree *pt);
const struct pnode *ptree_get(const struct ptree *pt, int64_t id);
const struct pnode *ptree_parent(const struct ptree *pt, const struct pnode *p);

struct ev {
	int64_t id, ts;
	int source; /* enum bs_source */
	const char *type, *host;
	/* The typed columns: read through ev_int/ev_str. When `row` is set they are fetched from
	 * it on first use (column row_base + id), so an event pays only for the columns its rules
	 * read; otherwise (tests) they are filled in directly. */
	int64_t icol[COL__COUNT]; /* BS_NONE when absent */
	const char *scol[COL__COUNT]; /* NULL when absent */
	sqlite3_stmt *row;
	int row_base;
	/* With row_cols set, column c is result column row_cols[c] of `row`, or not selected (-1):
	 * then load_col, if set, fetches it (and returns 0), else the column is absent. */
	const int *row_cols;
	int (*load_col)(void *userdata, struct ev *ev, int col);
	void *col_userdata;
	uint64_t loaded;
	const char *fields_text;
	size_t fields_len;
	int64_t process_id; /* BS_NONE when absent */
	const struct ptree *ptree;
	/* The raw record as JSON, for json.value[...] / jevt.value[...]: fetched on first use. */
	int (*load_raw)(void *userdata, int64_t event_id, struct strbuf *out);
	void *raw_userdata;

	/* Per-event memo of extracted values by field slot (valid when memo_gen[slot] == gen). */
	uint32_t gen;
	uint32_t *memo_gen;
	struct fval *memo;
	size_t memo_cap;
	struct strbuf memo_buf;
	/* fields_text and the raw record, parsed by jansson on first use into the thread's record
	 * arena (jsonutil.h) and released by ev_reset: one ev per thread parses at a time. */
	json_t *fields;
	json_t *raw;
	bool fields_parsed, raw_parsed;
	struct strbuf raw_buf;
};

void ev_init(struct ev *ev);
void ev_load_col(struct ev *ev, int col);

static inline const char *ev_str(struct ev *ev, int col)
{
	if (ev->row && !(ev->loaded & (1ull << col)))
		ev_load_col(ev, col);
	return ev->scol[col];
}

static inline int64_t ev_int(struct ev *ev, int col)
{
	if (ev->row && !(ev->loaded & (1ull << col)))
		ev_load_col(ev, col);
	return ev->icol[col];
}
/* A string member of the event's `fields` by key, or NULL. */
const char *ev_field_text(struct ev *ev, const char *key, size_t *ret_len);
/* Forget the parsed fields and raw record before the next event is loaded into ev. */
void ev_reset(struct ev *ev);
void ev_release(struct ev *ev);
json_t *ev_fields(struct ev *ev);
json_t *ev_raw(struct ev *ev);

/* One extracted value. Strings are borrowed from the event or from the scratch. */
enum fval_kind { V_NONE, V_STR, V_INT, V_BOOL, V_LIST };

#define FVAL_MAX_ITEMS 64

struct fval {
	enum fval_kind kind;
	const char *s;
	size_t len;
	int64_t i;
	size_t n; /* V_LIST: items in the scratch */
};

struct fscratch {
	struct strbuf buf;
	const char *items[FVAL_MAX_ITEMS];
	size_t lens[FVAL_MAX_ITEMS];
	size_t n;
};

struct field_bind;
typedef int (*field_extract_fn)(struct ev *ev, const struct field_bind *b, struct fval *out,
				struct fscratch *sc);

struct field_def {
	const char *name;
	enum field_type type;
	unsigned flags;
	const char *description;
	field_extract_fn extract; /* NULL: answered from `fields` only */
	int param;                /* extractor's parameter (a column id ...) */
};

/* A field as a rule names it, bound to its row. */
struct field_bind {
	const struct field_def *def;
	const char *name;   /* full text: proc.aname[2], evt.arg.flags */
	const char *arg;    /* the argument text, or NULL */
	int64_t index;      /* numeric argument, -1 when none */
	enum field_type type; /* the value type (proc.aname without index: FT_LIST) */
	const char *base;   /* name without argument, for the array/object fallback in `fields` */
	size_t name_len, base_len;
	int slot; /* the same (source, name) has the same slot in every compile: the per-event memo */
};

struct field_table {
	int source;
	const struct field_def *rows;
	size_t n;
};

extern const struct field_def fields_common[];
extern const size_t fields_common_count;
extern const struct field_def fields_syscall[];
extern const size_t fields_syscall_count;
extern const struct field_def fields_cloudtrail[];
extern const size_t fields_cloudtrail_count;
extern const struct field_def fields_k8s[];
extern const size_t fields_k8s_count;
extern const struct field_def fields_network[];
extern const size_t fields_network_count;

/* The table of a source (its own rows; fields_common apply to every source), or NULL. */
const struct field_table *field_table_of(int source);
const char *field_type_name(enum field_type t);

/* Bind NAME (with its argument) for SOURCE. 0, or -ENOENT with err saying what is wrong and,
 * when a close name exists, "(did you mean 'x'?)". */
int field_bind(int source, const char *name, size_t len, struct arena *a, struct field_bind *ret,
	       struct strbuf *err);

/* Extract: 1 present (out filled), 0 missing. */
int field_extract_memo(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc);
int field_extract(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc);
/* Render a value as Falco prints it (lists as (a,b)). */
void fval_render(const struct fval *v, const struct fscratch *sc, struct strbuf *out);

/* Extractors the tables share (fields-common.c). */
int fx_col(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc);
int fx_fields(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc);
int fx_json_pointer_raw(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc);
int fx_evt_type(struct ev *ev, const struct field_bind *b, struct fval *out, struct fscratch *sc);
/* Set out from a JSON value of a field's type; 1 set, 0 null/absent. */
int fval_from_json(json_t *v, enum field_type t, struct fval *out, struct fscratch *sc);

#endif
