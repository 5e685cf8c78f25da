/* rules-warn: the warnings Falco's rule loader gives about a compiled rule, given here too, so
 * that a detection engineer sees before deploying what Falco would say (Falco's
 * falco_load_result.cpp and filter_warning_resolver.cpp name them):
 *   LOAD_DEPRECATED_ITEM   a field that needs enter events, which Falco 0.43 and later no
 *                          longer capture (evt.dir, evt.latency*, evt.wait_latency), in the
 *                          condition or the output, pointed at where it is used;
 *   LOAD_UNSAFE_NA_CHECK   a ka.* or jevt.* field compared for equality with "<NA>", a value
 *                          those fields never hold (a missing one makes the comparison false);
 *   LOAD_NO_EVTTYPE        a syscall rule that does not restrict evt.type, unless it says
 *                          warn_evttypes: false (a condition no type can meet is not this).
 * A warning never stops a rule; `rules check --strict` counts it as an error.
 */
#include <string.h>

#include "rules-int.h"

static const char *const deprecated_fields[] = { "evt.dir",	     "evt.latency",	  "evt.latency.s",
						 "evt.latency.ns", "evt.latency.human", "evt.wait_latency" };

struct warn_ctx {
	struct ruleset *rs;
	const struct rule *r;
};

static void warn_deprecated(const struct cond_operand *f, void *ud)
{
	const struct warn_ctx *w = ud;
	const struct rule_text *t = f->at ? f->at->origin : NULL;
	static const char what[] = "rule '%s': field '%s' is deprecated: Falco no longer captures enter events";

	for (size_t i = 0; i < sizeof(deprecated_fields) / sizeof(deprecated_fields[0]); i++) {
		if (strcmp(f->bind.def->name, deprecated_fields[i]))
			continue;
		if (t)
			rules_diag_text(w->rs, false, t, (size_t)(f->field - f->at->text), what, w->r->name,
					deprecated_fields[i]);
		else
			rules_diag(w->rs, false, w->r->file, w->r->line, w->r->col, what, w->r->name, deprecated_fields[i]);
	}
}

static void warn_unsafe_na(const struct cnode *n, const struct warn_ctx *w)
{
	const char *f = n->lhs.call ? "" : n->lhs.bind.name;

	if (strncmp(f, "ka.", 3) && strncmp(f, "jevt.", 5))
		return;
	if (n->op != OP_EQ && n->op != OP_NE && n->op != OP_IN && n->op != OP_INTERSECTS && n->op != OP_PMATCH)
		return;
	for (size_t i = 0; i < n->nvals; i++) {
		if (strcmp(n->vals[i].s, "<NA>"))
			continue;
		rules_diag_text(w->rs, false, n->at->origin, n->vals[i].offset,
				"rule '%s': comparing '%s' with <NA> is unsafe (a missing value makes the comparison "
				"false): use 'exists'",
				w->r->name, f);
		return;
	}
}

static void warn_tree(const struct cnode *n, const struct warn_ctx *w)
{
	if (n->kind == CN_CHECK) {
		cond_operand_fields(&n->lhs, warn_deprecated, (void *)w);
		if (n->rhs_is_field)
			cond_operand_fields(&n->rhs, warn_deprecated, (void *)w);
		else if (n->at && n->at->origin)
			warn_unsafe_na(n, w);
	}
	for (size_t i = 0; i < n->nkids; i++)
		warn_tree(n->kids[i], w);
}

void rules_warn(struct ruleset *rs, const struct rule *r)
{
	struct warn_ctx w = { rs, r };

	warn_tree(r->tree, &w);
	for (size_t i = 0; i < r->nout; i++)
		if (r->out[i].has_field)
			cond_operand_fields(&r->out[i].field, warn_deprecated, &w);
	if (r->source == SRC_SYSCALL && !r->evttypes && r->warn_evttypes)
		rules_diag(rs, false, r->file, r->line, r->col,
			   "rule '%s' matches every evt.type: each syscall event is checked against it (restrict "
			   "evt.type, or set warn_evttypes: false)",
			   r->name);
}
