/* rules-int: what the rules module's own files share (rules-yaml.c, rules-load.c,
 * rules-compile.c). Not for other modules. */
#ifndef BS_RULES_INT_H
#define BS_RULES_INT_H

#include <yaml.h>

#include "rules.h"

/* Diagnostics. */
void rules_diag(struct ruleset *rs, bool error, const struct rule_file *f, int line, int col, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void rules_diag_node(struct ruleset *rs, bool error, const struct rule_file *f, const yaml_node_t *n,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* At an offset of a (possibly joined) text: maps it back to the file. */
void rules_diag_text(struct ruleset *rs, bool error, const struct rule_text *t, size_t offset, const char *fmt,
		     ...) __attribute__((format(printf, 5, 6)));
/* Falco's load warnings about a rule just compiled (rules-warn.c). */
void rules_warn(struct ruleset *rs, const struct rule *r);
void rules_text_position(const struct rule_text *t, size_t offset, const struct rule_file **ret_file,
			 int *ret_line, int *ret_col);

/* Texts. */
void rules_text_init(struct rule_text *t, const char *what);
void rules_text_append(struct ruleset *rs, struct rule_text *t, const char *sep, const char *s,
		       const struct rule_file *f, const yaml_node_t *n, bool generated);

/* YAML helpers. */
const char *yaml_str(yaml_document_t *d, yaml_node_t *n); /* a scalar's value, or NULL */
yaml_node_t *yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key);
bool yaml_bool(yaml_document_t *d, yaml_node_t *n, bool *ret);

#endif
