/* rules: Falco rule files — loading (YAML items, load order, append/override, exceptions),
 * compiling every rule's condition and output, and what the CLI and the detect run need.
 *
 * Follows ../shared/reference/falco.md §a: items `rule`, `macro`, `list`,
 * `required_engine_version`, `required_plugin_versions`; a list sees only lists loaded before
 * it, a macro only macros loaded before it, a rule every list and macro; `append` / `override`
 * per key; exceptions compiled into the condition. Several files load in order into one set.
 *
 * Diagnostics name file:line:column, carry the source line and say what is wrong; one bad rule
 * does not stop the others (the rule is marked RULE_ERROR) unless the set is strict.
 * Library code never prints: the CLI prints the diagnostics.
 *
 * Ownership: a ruleset owns its files' text, every rule, macro, list, compiled condition and
 * diagnostic (one arena plus the regexes it registered); ruleset_free accepts NULL.
 */
#ifndef BS_RULES_H
#define BS_RULES_H

#include <stdbool.h>
#include <stddef.h>

#include "arena.h"
#include "cond.h"
#include "sha256.h"

/* The rule-file engine version backsight implements: Falco 0.44's, whose condition language
 * (transformers join/concat/getopt, modifiers oneof/anyof/allof) it reads in full. */
#define RULES_ENGINE_VERSION "0.62.0"

enum rule_priority {
	PRI_EMERGENCY, PRI_ALERT, PRI_CRITICAL, PRI_ERROR, PRI_WARNING, PRI_NOTICE, PRI_INFORMATIONAL, PRI_DEBUG,
};
const char *rule_priority_name(enum rule_priority p);
/* Case-insensitive, INFO accepted; -1 when unknown. */
int rule_priority_parse(const char *s);

enum rule_status {
	RULE_OK,         /* compiled; runs */
	RULE_DISABLED,   /* enabled: false */
	RULE_CANNOT_RUN, /* compiled, but needs a field or source the evidence cannot give */
	RULE_ERROR,      /* did not compile (the diagnostic says why) */
};

struct rule_file {
	char *path;
	char *text;
	size_t len;
	char sha256[SHA256_HEX_LEN + 1];
};

/* Where a piece of text (a condition, possibly appended to) sits in which file. */
struct rule_seg {
	size_t start;                /* offset in the joined text */
	const struct rule_file *file;
	size_t index;                /* byte offset of the YAML scalar in the file */
	int line, col;               /* 1-based, of the scalar */
	int style;                   /* yaml_scalar_style_t, or -1: generated text */
};

struct rule_text {
	struct cond_text ct; /* ct.origin points back to this */
	struct rule_seg *segs;
	size_t nsegs, capsegs;
};

struct rule_diag {
	bool error; /* else a warning */
	const char *file;
	int line, col;
	char *msg;
	char *source_line; /* may be NULL */
};

struct rule_output_part {
	const char *lit; /* literal text before the field */
	size_t lit_len;
	struct cond_operand field; /* field.field NULL: no field (the tail) */
	const char *key; /* its name among the output fields: the field, or the transformer call
			  * as Falco prints it (tolower(proc.name), join(->,(proc.name,fd.name))) */
	size_t key_len;
	bool has_field;
};

struct rule_exception {
	const char *name;
	const char **fields, **comps;
	size_t nfields;
	bool fields_is_list;
	/* values: per row, per field, one value or a list */
	struct rule_exc_value {
		const char **items;
		size_t n;
		bool is_list;
	} **rows;
	size_t nrows;
	const struct rule_file *file;
	int line, col;
};

struct rule {
	const char *name;
	const char *desc;
	const char *output;
	const char *source_name;
	int source; /* enum bs_source or -1 */
	enum rule_priority priority;
	const char **tags;
	size_t ntags;
	bool enabled, capture, skip_if_unknown_filter, warn_evttypes;
	struct rule_text cond;
	struct rule_text out_text; /* the output as written (r->output is it trimmed) */
	struct rule_exception *exceptions;
	size_t nexceptions;
	const struct rule_file *file;
	int line, col;

	/* compiled */
	enum rule_status status;
	const char *why; /* RULE_CANNOT_RUN / RULE_ERROR: the reason */
	struct cnode *tree;
	const char **evttypes; /* NULL: any */
	struct rule_output_part *out;
	size_t nout;
	/* The output-fields object's members in the order rule_render writes them: sorted by key,
	 * the last of equal keys kept (as a JSON object keyed by field name holds them), each key
	 * already written as JSON ("proc.name":). Built with out by the compiler. */
	struct rule_ofield {
		size_t part; /* index into out */
		const char *key_json;
		size_t key_json_len;
	} *ofields;
	size_t nofields;
};

struct rule_macro {
	struct cond_macro m;
	struct rule_text cond;
	bool used;
};

struct rule_list {
	struct cond_list l;
	size_t index;
	size_t cap;
};

struct ruleset {
	struct arena *a;
	struct rule_file **files;
	size_t nfiles;
	struct rule **rules;
	size_t nrules, caprules;
	struct rule_macro **macros;
	size_t nmacros, capmacros;
	struct rule_list **lists;
	size_t nlists, caplists;
	struct rule_diag *diags;
	size_t ndiags, capdiags, nerrors, nwarnings;
	struct cond_env env;
	bool strict;
};

struct ruleset *ruleset_new(bool strict);
void ruleset_free(struct ruleset *rs);

/* Load one file (its items join the set in order). 0, or a negative errno when the file could
 * not be read or is not YAML at all; item-level problems become diagnostics. */
int ruleset_load_file(struct ruleset *rs, const char *path);
/* Load a rule file's text from memory, NAME standing for its path in diagnostics. */
int ruleset_load_text(struct ruleset *rs, const char *name, const char *text, size_t len);
/* Load a file, or every *.yaml / *.yml file of a directory in name order and then the
 * directory's indicators/ subdirectory; an indicator file (.txt, .list, .csv) is loaded as
 * ruleset_load_indicators does. */
int ruleset_load_path(struct ruleset *rs, const char *path);
/* Indicator files (one file, or every .txt/.list/.csv of a directory in name order): plain
 * lists of domains, addresses, networks or hashes, one per line (first field; '#' comments;
 * Tor exit lists' ExitAddress lines), appended to the rule list named by a '# list: NAME' line
 * or by the file's name without extension. Entries are lower-cased. The list must be defined by
 * a rule file loaded before. */
int ruleset_load_indicators(struct ruleset *rs, const char *path);
bool ruleset_is_indicator_file(const char *path);
/* Compile every rule (conditions, outputs, evt.type sets). Returns the number of errors. */
int ruleset_compile(struct ruleset *rs);

/* One diagnostic as the CLI prints it: "file:line:col: error: msg\n  line\n  ^\n". */
void rule_diag_format(const struct rule_diag *d, struct strbuf *out);

/* Render a rule's output for an event, and the output fields as a JSON object. */
void rule_render(const struct rule *r, struct ev *ev, struct cond_scratch *s, struct strbuf *out,
		 struct strbuf *fields_json);

#endif
