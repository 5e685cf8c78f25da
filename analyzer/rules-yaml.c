/* rules-yaml: reading rule files with libyaml, and turning positions — of YAML nodes and of
 * offsets inside (joined) condition texts — back into file:line:column with the source line,
 * for diagnostics a user can act on.
 *
 * A condition is a YAML scalar: plain or quoted on one or several lines, or a `>`/`|` block.
 * libyaml gives the scalar's start; an offset into its value is found by walking the source
 * from there, matching the value's characters and treating each run of blanks in the value as
 * a run of blanks (including line breaks and indentation) in the source — which is how YAML
 * folds every style the rule files use.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "rules-int.h"
#include "termsafe.h"

static void add_diag(struct ruleset *rs, bool error, const struct rule_file *f, int line, int col, char *msg)
{
	struct rule_diag *d;

	if (rs->ndiags == rs->capdiags) {
		rs->capdiags = rs->capdiags ? rs->capdiags * 2 : 16;
		rs->diags = realloc(rs->diags, rs->capdiags * sizeof(*rs->diags));
		if (!rs->diags)
			abort();
	}
	d = &rs->diags[rs->ndiags++];
	memset(d, 0, sizeof(*d));
	d->error = error;
	d->file = f ? f->path : "<rules>";
	d->line = line;
	d->col = col;
	d->msg = msg;
	if (f && line > 0) {
		const char *p = f->text, *end = f->text + f->len;
		for (int l = 1; l < line && p < end; l++) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			p = nl ? nl + 1 : end;
		}
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		d->source_line = strndup(p, nl ? (size_t)(nl - p) : (size_t)(end - p));
	}
	if (error)
		rs->nerrors++;
	else
		rs->nwarnings++;
}

static char *vformat(const char *fmt, va_list ap) __attribute__((format(printf, 1, 0)));
static char *vformat(const char *fmt, va_list ap)
{
	char *s;

	if (vasprintf(&s, fmt, ap) < 0)
		abort();
	return s;
}

void rules_diag(struct ruleset *rs, bool error, const struct rule_file *f, int line, int col, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_diag(rs, error, f, line, col, vformat(fmt, ap));
	va_end(ap);
}

void rules_diag_node(struct ruleset *rs, bool error, const struct rule_file *f, const yaml_node_t *n,
		     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	add_diag(rs, error, f, n ? (int)n->start_mark.line + 1 : 0, n ? (int)n->start_mark.column + 1 : 0,
		 vformat(fmt, ap));
	va_end(ap);
}

void rules_text_position(const struct rule_text *t, size_t offset, const struct rule_file **ret_file,
			 int *ret_line, int *ret_col)
{
	const struct rule_seg *seg = NULL;
	const char *v, *p, *end;
	int line, col;

	for (size_t i = 0; i < t->nsegs; i++)
		if (t->segs[i].start <= offset)
			seg = &t->segs[i];
	if (!seg) {
		*ret_file = NULL;
		*ret_line = *ret_col = 0;
		return;
	}
	*ret_file = seg->file;
	line = seg->line;
	col = seg->col;
	if (seg->style < 0 || !seg->file) {
		*ret_line = line;
		*ret_col = col;
		return;
	}
	p = seg->file->text + seg->index;
	end = seg->file->text + seg->file->len;
#define ADVANCE()                                                                                  \
	do {                                                                                       \
		if (*p == '\n') {                                                                  \
			line++;                                                                    \
			col = 1;                                                                   \
		} else {                                                                           \
			col++;                                                                     \
		}                                                                                  \
		p++;                                                                               \
	} while (0)
	if (seg->style == YAML_LITERAL_SCALAR_STYLE || seg->style == YAML_FOLDED_SCALAR_STYLE) {
		while (p < end && *p != '\n')
			ADVANCE();
	} else if (seg->style == YAML_SINGLE_QUOTED_SCALAR_STYLE || seg->style == YAML_DOUBLE_QUOTED_SCALAR_STYLE) {
		ADVANCE();
	}
	v = t->ct.text + seg->start;
	for (const char *target = t->ct.text + offset; v < target && p < end; v++) {
		if (isspace((unsigned char)*v)) {
			if (isspace((unsigned char)*p)) {
				while (p < end && isspace((unsigned char)*p))
					ADVANCE();
				while (v + 1 < target && isspace((unsigned char)v[1]))
					v++;
			}
			continue;
		}
		while (p < end && isspace((unsigned char)*p))
			ADVANCE();
		if (p < end && (*p == '\\' || (*p == '\'' && seg->style == YAML_SINGLE_QUOTED_SCALAR_STYLE)))
			ADVANCE(); /* an escape: two source bytes for one value byte */
		if (p < end)
			ADVANCE();
	}
	while (p < end && isspace((unsigned char)*p) && !isspace((unsigned char)t->ct.text[offset]))
		ADVANCE();
#undef ADVANCE
	*ret_line = line;
	*ret_col = col;
}

void rules_diag_text(struct ruleset *rs, bool error, const struct rule_text *t, size_t offset, const char *fmt, ...)
{
	const struct rule_file *f;
	int line, col;
	va_list ap;

	rules_text_position(t, offset, &f, &line, &col);
	va_start(ap, fmt);
	add_diag(rs, error, f, line, col, vformat(fmt, ap));
	va_end(ap);
}

void rule_diag_format(const struct rule_diag *d, struct strbuf *out)
{
	/* rule files and the messages quoting them may hold control bytes: never pass them raw */
	strbuf_add_termsafe(out, d->file, strlen(d->file));
	if (d->line > 0)
		strbuf_addf(out, ":%d:%d", d->line, d->col);
	strbuf_addf(out, ": %s: ", d->error ? "error" : "warning");
	strbuf_add_termsafe(out, d->msg, strlen(d->msg));
	strbuf_addch(out, '\n');
	if (d->source_line && d->col > 0) {
		strbuf_addstr(out, "  ");
		strbuf_add_termsafe(out, d->source_line, strlen(d->source_line));
		strbuf_addstr(out, "\n  ");
		for (int i = 1; i < d->col && d->source_line[i - 1]; i++)
			strbuf_addch(out, d->source_line[i - 1] == '\t' ? '\t' : ' ');
		strbuf_addstr(out, "^\n");
	}
}

void rules_text_init(struct rule_text *t, const char *what)
{
	memset(t, 0, sizeof(*t));
	t->ct.text = "";
	t->ct.what = what;
	t->ct.origin = t;
}

void rules_text_append(struct ruleset *rs, struct rule_text *t, const char *sep, const char *s,
		       const struct rule_file *f, const yaml_node_t *n, bool generated)
{
	size_t old = strlen(t->ct.text), seplen = old ? strlen(sep) : 0;
	char *joined = arena_alloc(rs->a, old + seplen + strlen(s) + 1);
	struct rule_seg *seg;

	memcpy(joined, t->ct.text, old);
	memcpy(joined + old, sep, seplen);
	strcpy(joined + old + seplen, s);
	if (t->nsegs == t->capsegs) {
		size_t cap = t->capsegs ? t->capsegs * 2 : 2;
		struct rule_seg *grown = arena_alloc(rs->a, cap * sizeof(*grown));
		if (t->nsegs)
			memcpy(grown, t->segs, t->nsegs * sizeof(*grown));
		t->segs = grown;
		t->capsegs = cap;
	}
	seg = &t->segs[t->nsegs++];
	seg->start = old + seplen;
	seg->file = f;
	seg->index = n ? n->start_mark.index : 0;
	seg->line = n ? (int)n->start_mark.line + 1 : 0;
	seg->col = n ? (int)n->start_mark.column + 1 : 0;
	seg->style = generated || !n ? -1 : (int)n->data.scalar.style;
	t->ct.text = joined;
}

const char *yaml_str(yaml_document_t *d, yaml_node_t *n)
{
	(void)d;
	return n && n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : NULL;
}

yaml_node_t *yaml_get(yaml_document_t *d, yaml_node_t *map, const char *key)
{
	if (!map || map->type != YAML_MAPPING_NODE)
		return NULL;
	for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top; p++) {
		const char *k = yaml_str(d, yaml_document_get_node(d, p->key));
		if (k && !strcmp(k, key))
			return yaml_document_get_node(d, p->value);
	}
	return NULL;
}

bool yaml_bool(yaml_document_t *d, yaml_node_t *n, bool *ret)
{
	const char *s = yaml_str(d, n);

	if (!s)
		return false;
	if (!strcasecmp(s, "true") || !strcasecmp(s, "yes") || !strcasecmp(s, "on")) {
		*ret = true;
		return true;
	}
	if (!strcasecmp(s, "false") || !strcasecmp(s, "no") || !strcasecmp(s, "off")) {
		*ret = false;
		return true;
	}
	return false;
}
