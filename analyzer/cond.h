/* cond: the condition language of Falco rules — compiled once per rule into an expression tree
 * over the field table of the rule's source, then evaluated per event.
 *
 * The pipeline has one file per stage (STYLE.md §4): cond-lex.c (scanning), cond-parse.c
 * (recursive descent; lists substituted while parsing), cond-resolve.c (macros expanded, fields
 * bound, operator/type checks, values compiled, the evt.type set computed), cond-eval.c and
 * cond-dump.c (a canonical dump for tests). Operators are listed once in cond-ops.def.
 * Semantics follow ../shared/reference/falco.md §a: a field the event cannot provide makes a
 * comparison false, whatever the operator; proc.aname without index is any ancestor; regex is
 * a full match; pmatch is a path-prefix match.
 *
 * Ownership: every node, string and compiled value of a compile lives in the arena passed in;
 * arena_free releases it all, except compiled regexes: they are malloc'd and registered in the
 * cond_env (env->regs), whose owner regfree()s and free()s them. Errors are returned in a struct cond_error, never printed.
 */
#ifndef BS_COND_H
#define BS_COND_H

#include <regex.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "fields.h"
#include "strbuf.h"

enum cond_op {
#define OP(id, text, kind) id,
#include "cond-ops.def"
#undef OP
	OP__COUNT
};

enum cond_op_kind { OPK_VALUE, OPK_LIST, OPK_NONE };

const char *cond_op_text(enum cond_op op);
enum cond_op_kind cond_op_kind(enum cond_op op);

/* A string operator's modifier over a list of values (`proc.name startswith anyof (a, b)`):
 * exactly one, at least one, or every value must match. */
enum cond_mod { MOD_NONE, MOD_ONEOF, MOD_ANYOF, MOD_ALLOF };
const char *cond_mod_name(enum cond_mod m);

enum cond_xform { XF_TOLOWER, XF_TOUPPER, XF_B64, XF_BASENAME, XF_LEN, XF__COUNT };
const char *cond_xform_name(enum cond_xform x);

/* Where a piece of condition text came from: the loader maps offsets back to file:line:col. */
struct cond_text {
	const char *text;
	const char *what; /* "rule 'X'", "macro 'm'" */
	const void *origin; /* the loader's handle for the YAML scalar, or NULL */
};

struct cond_error {
	const struct cond_text *at;
	size_t offset;
	struct strbuf msg;
};

#define COND_MAX_XFORMS 4

struct cond_call;

/* A field, possibly wrapped in transformers: tolower(basename(proc.exe)); or, with `call` set, a
 * multi-value transformer (join, concat, getopt: cond-call.c) in place of the field. */
struct cond_operand {
	const char *field; /* text of the field reference (of the whole call, with call) */
	size_t field_len;
	size_t offset;
	const struct cond_text *at;
	enum cond_xform xf[COND_MAX_XFORMS]; /* outermost first */
	int nxf;
	struct cond_call *call;
	struct field_bind bind; /* filled by the resolver */
	enum field_type type;   /* after transformers */
};

/* The multi-value transformers of libs 0.25 (Falco 0.44):
 *   join(SEP, LIST)        the list's values joined by SEP, one string
 *   concat(A, B, ...)      the strings one after the other
 *   getopt(ARGV, OPTS)     getopt(3) over ARGV with optstring OPTS: the options, each followed by
 *                          its argument when it takes one ('?' for an unknown option), a list;
 *   getopt(ARGV, OPTS)[c]  the argument of option c (its last occurrence; "" when it has none)
 * An argument is a quoted string or a number, an operand, or a parenthesised list of those. */
enum cond_call_kind { CALL_JOIN, CALL_CONCAT, CALL_GETOPT, CALL__COUNT };
const char *cond_call_name(enum cond_call_kind k);

struct cond_arg {
	enum { ARG_LITERAL, ARG_OPERAND, ARG_LIST } kind;
	const char *s; /* ARG_LITERAL */
	size_t len;
	size_t offset;
	struct cond_operand operand; /* ARG_OPERAND */
	struct cond_arg *items;      /* ARG_LIST */
	size_t nitems;
	bool is_list; /* resolved: gives several values */
};

struct cond_call {
	enum cond_call_kind kind;
	struct cond_arg *args;
	size_t nargs;
	char selector; /* getopt(...)[c]; 0 for the whole list */
};

/* Resolve a call operand's arguments for SOURCE and type it (cond_resolve_operand does this
 * for an operand with a call). 0 or -EINVAL with err set. */
int cond_call_resolve(struct arena *a, struct cond_operand *o, int source, struct cond_error *err);
/* The call's value into out (strings in sc); 1, or 0 when an argument is missing. */
int cond_call_value(const struct cond_call *c, struct ev *ev, struct fval *out, struct fscratch *sc);
/* Each field the operand reads: the operand itself, or every field operand among its call's
 * arguments (resolved operands only). */
void cond_operand_fields(const struct cond_operand *o, void (*fn)(const struct cond_operand *f, void *ud), void *ud);

struct cond_value {
	const char *s;
	size_t len;
	bool quoted;
	size_t offset;
	/* compiled by the resolver */
	int64_t i;
	bool is_int;
	uint8_t ip[16];
	int ip_family; /* 0 none, 4, 6 */
	int prefix;    /* CIDR prefix length, or the full length */
	regex_t *re;
};

/* A check's text values as an open-addressing hash set (built by the resolver, in the arena):
 * `in` over a list of names is one probe instead of a walk of the list, and `pmatch` one probe
 * per '/' of the path. slot[i] is a value index + 1, or 0 for empty. */
struct cond_vset {
	uint32_t *slot;
	uint32_t mask;
	const struct cond_value *vals;
	const size_t *vlen; /* pmatch: each value's length without its trailing slashes */
	bool root;          /* pmatch: "/" is a value (matches every absolute path) */
};

static inline uint64_t cond_hash(const char *s, size_t len)
{
	uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h ^ (h >> 29);
}

/* Is s/len one of the set's values (its pmatch length for a pmatch set)? */
bool cond_vset_has(const struct cond_vset *set, const char *s, size_t len);

enum cnode_kind { CN_AND, CN_OR, CN_NOT, CN_CHECK, CN_MACRO };

struct cnode {
	enum cnode_kind kind;
	const struct cond_text *at;
	size_t offset;
	/* CN_AND / CN_OR: kids; CN_NOT: kids[0] */
	struct cnode **kids;
	size_t nkids;
	/* CN_MACRO */
	const char *name;
	size_t name_len;
	/* CN_CHECK */
	struct cond_operand lhs;
	enum cond_op op;
	enum cond_mod mod; /* with a modifier, vals is its list */
	bool rhs_is_field;
	struct cond_operand rhs;
	struct cond_value *vals;
	size_t nvals;
	const struct cond_vset *set; /* `in`/`intersects` on text, `pmatch`: vals hashed, or NULL */
	unsigned memo; /* CN_CHECK: its slot in cond_scratch's per-event memo (0: none) */
	bool ipcmp;   /* values compare as addresses / CIDR networks */
};

/* What the parser and the resolver look names up in (the rule set). */
struct cond_list {
	const char *name;
	const char **items;
	bool *quoted;
	size_t n;
};

struct cond_macro {
	const char *name;
	struct cond_text text;
	size_t index; /* load position: a macro sees only macros defined before it */
};

struct cond_env {
	const struct cond_list *(*find_list)(void *ud, const char *name, size_t len);
	const struct cond_macro *(*find_macro)(void *ud, const char *name, size_t len);
	void *ud;
	/* Compiled regexes are appended here so that the owner can regfree them. */
	regex_t **regs;
	size_t nregs, capregs;
};

/* Parse a condition; lists named in list values are substituted. 0 or -EINVAL with err set. */
int cond_parse(struct arena *a, const struct cond_text *text, const struct cond_env *env, struct cnode **ret,
	       struct cond_error *err);

/* Expand macros, bind fields for SOURCE, check operators and types, compile values.
 * ret_unavailable receives the first field marked unavailable the condition needs (or NULL).
 * macro_limit: only macros with index < macro_limit are visible (SIZE_MAX for a rule). */
int cond_resolve(struct arena *a, struct cnode **root, int source, struct cond_env *env, size_t macro_limit,
		 const char **ret_unavailable, struct cond_error *err);

/* Parse one operand — a field, possibly inside transformers: tolower(basename(proc.exe)) — at
 * *pos of text, for the output template compiler; *pos moves past it. 0 or -EINVAL with err set. */
int cond_parse_operand(struct arena *a, const struct cond_text *text, size_t *pos, struct cond_operand *o,
		       struct cond_error *err);

/* Bind and type one operand (also used for output templates). */
int cond_resolve_operand(struct arena *a, struct cond_operand *o, int source, struct cond_error *err);

/* The tree specialised for events of type TYPE: every check on the event type (evt.type, ct.name)
 * decided and folded away. Returns COND_FALSE when no event of that type can match, COND_TRUE
 * when every one does, or a new tree (sharing unchanged subtrees) in the arena. */
extern struct cnode cond_true_node, cond_false_node;
#define COND_TRUE (&cond_true_node)
#define COND_FALSE (&cond_false_node)
const struct cnode *cond_specialize(struct arena *a, const struct cnode *n, const char *type);

/* The evt.type values the condition can match: a NULL-terminated array in the arena, or NULL
 * when it can match any type. */
const char **cond_evttypes(struct arena *a, const struct cnode *root);

/* What an evaluator reuses between checks and events. The check memo: a check met by several
 * rules (the same macro expanded into each) is evaluated once per event; bump `gen` for each
 * new event (cond_scratch_next). */
struct cond_scratch {
	struct fscratch lhs, rhs;
	struct strbuf tmp;
	uint32_t gen;
	uint32_t *cgen;
	unsigned char *cval;
	size_t ccap;
};
void cond_scratch_memo(struct cond_scratch *s, size_t slots);
void cond_scratch_next(struct cond_scratch *s);
void cond_scratch_init(struct cond_scratch *s);
void cond_scratch_release(struct cond_scratch *s);

bool cond_eval(const struct cnode *n, struct ev *ev, struct cond_scratch *s);
/* One CN_CHECK node, without its memo (the detect loop keeps the memo itself). */
bool cond_eval_check(const struct cnode *n, struct ev *ev, struct cond_scratch *s);
/* Extract an operand's value (transformers applied); 1 present, 0 missing. */
int cond_operand_value(const struct cond_operand *o, struct ev *ev, struct fval *out, struct fscratch *sc,
		       struct strbuf *tmp);

void cond_dump(const struct cnode *n, struct strbuf *out);

/* Scanning, shared by the parser and the output template compiler (cond-lex.c). */
struct cond_lexer {
	const char *s;
	size_t pos;
};
void cond_lex_ws(struct cond_lexer *l);
bool cond_lex_keyword(struct cond_lexer *l, const char *kw);
bool cond_lex_char(struct cond_lexer *l, char c);
size_t cond_lex_field(struct cond_lexer *l);
size_t cond_lex_ident(struct cond_lexer *l);
int cond_lex_op(struct cond_lexer *l); /* an enum cond_op, or -1 */
int cond_lex_xform(struct cond_lexer *l); /* an enum cond_xform followed by '(', or -1 */
int cond_lex_mod(struct cond_lexer *l);   /* an enum cond_mod keyword, or MOD_NONE */
int cond_lex_call(struct cond_lexer *l);  /* an enum cond_call_kind followed by '(', or -1 */
/* Does a transformer (one-value or call) start here? Moves nothing. */
bool cond_lex_transformer_follows(const struct cond_lexer *l);
/* A quoted or bare string; 1 found, 0 none, -EINVAL bad quoting (unterminated). */
int cond_lex_value(struct cond_lexer *l, struct arena *a, const char **ret, size_t *ret_len, bool *ret_quoted);

void cond_error_init(struct cond_error *e);
void cond_error_release(struct cond_error *e);
void cond_error_set(struct cond_error *e, const struct cond_text *at, size_t offset, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

#endif
