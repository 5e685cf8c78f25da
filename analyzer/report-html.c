/* report-html: `--format html` — one self-contained page that opens offline.
 *
 * The page is a fixed skeleton (section elements with ids), the vendored libraries and
 * backsight's report.js inlined from analyzer/report-assets/ (embedded into the binary), and the
 * report model (report.h) as one JSON blob in <script type="application/json" id="case-data">.
 *
 * XSS-safe by construction, because every string from evidence is attacker-controlled:
 *  - no evidence string is ever written into the HTML markup: the only place case data appears
 *    is the JSON blob, written by jsondump/jsonw, which escapes '<', '>' and '&' as \u003c..,
 *    so the text can never contain "</script" or "<!--" and cannot leave its element;
 *  - report.js renders with textContent (and setAttribute on fixed attribute names) only, and
 *    hands vis-timeline DOM nodes, never HTML strings;
 *  - a Content-Security-Policy meta tag allows exactly the inline scripts of this page, by their
 *    SHA-256, and nothing else (default-src 'none': no network, no eval of injected markup).
 *    Styles are allowed inline ('unsafe-inline' in style-src) because vis-timeline positions its
 *    elements through style attributes; no evidence text is ever parsed as CSS.
 * The page holds no wall-clock time: the same case gives byte-identical pages.
 */
#include <errno.h>
#include <string.h>

#include "embedded.h"
#include "jsondump.h"
#include "report.h"
#include "sha256.h"

extern const struct embedded_file report_assets[];

static const char *asset(const char *name)
{
	for (const struct embedded_file *f = report_assets; f->name; f++)
		if (!strcmp(f->name, name))
			return f->text;
	return NULL;
}

static void base64(struct strbuf *sb, const unsigned char *p, size_t n)
{
	static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	for (size_t i = 0; i < n; i += 3) {
		unsigned v = (unsigned)p[i] << 16 | (i + 1 < n ? (unsigned)p[i + 1] << 8 : 0) | (i + 2 < n ? p[i + 2] : 0);
		strbuf_addch(sb, tab[v >> 18 & 63]);
		strbuf_addch(sb, tab[v >> 12 & 63]);
		strbuf_addch(sb, i + 1 < n ? tab[v >> 6 & 63] : '=');
		strbuf_addch(sb, i + 2 < n ? tab[v & 63] : '=');
	}
}

/* 'sha256-BASE64' of a script's text, as CSP wants it. */
static void csp_hash(struct strbuf *sb, const char *text)
{
	char hex[SHA256_HEX_LEN + 1];
	unsigned char bin[32];

	sha256_hex(text, strlen(text), hex);
	for (int i = 0; i < 32; i++) {
		unsigned hi = (unsigned)(hex[2 * i] <= '9' ? hex[2 * i] - '0' : hex[2 * i] - 'a' + 10);
		unsigned lo = (unsigned)(hex[2 * i + 1] <= '9' ? hex[2 * i + 1] - '0' : hex[2 * i + 1] - 'a' + 10);
		bin[i] = (unsigned char)(hi << 4 | lo);
	}
	strbuf_addstr(sb, " 'sha256-");
	base64(sb, bin, 32);
	strbuf_addch(sb, '\'');
}

static bool safe_inline(const char *text)
{
	return !strcasestr(text, "</script") && !strstr(text, "<!--") && !strcasestr(text, "</style");
}

static const char page_css[] =
	"body{font:14px/1.45 system-ui,-apple-system,'Segoe UI',sans-serif;margin:0 auto;max-width:1200px;"
	"padding:0 1.5em 3em;color:#1b1f24}"
	"h1{margin:.8em 0 .2em}h2{border-bottom:2px solid #d0d7de;padding-bottom:.2em;margin-top:1.8em}"
	"table{border-collapse:collapse;margin:.5em 0 1em;width:100%}"
	"th,td{border:1px solid #d0d7de;padding:.25em .5em;text-align:left;vertical-align:top;"
	"overflow-wrap:anywhere}th{background:#f6f8fa}"
	"table.kv td:first-child{width:12em;font-weight:600}"
	"nav a{margin-right:1em}.note{color:#57606a}.headline{font-size:1.15em;font-weight:600;"
	"background:#fff8c5;padding:.6em;border-left:4px solid #d4a72c}"
	".sev{padding:0 .4em;border-radius:3px;font-weight:600}.sev-critical{background:#82071e;color:#fff}"
	".sev-high{background:#cf222e;color:#fff}.sev-medium{background:#bf8700;color:#fff}"
	".sev-low{background:#0969da;color:#fff}"
	"article.finding{border:1px solid #d0d7de;border-radius:6px;padding:0 1em;margin:1em 0}"
	".vis-item.ev-alert{background:#cf222e;border-color:#82071e;color:#fff}"
	".vis-item.ev-corr{background:#bf8700;border-color:#7d4e00}"
	".event-detail{font-family:ui-monospace,monospace;font-size:12px;white-space:pre-wrap}"
	"noscript p{background:#ffebe9;padding:.6em}\n";

static const char skeleton[] =
	"<header><h1>Incident report</h1><p class=\"note\">backsight offline forensic report. Every time is UTC.</p>\n"
	"<nav><a href=\"#summary\">Summary</a><a href=\"#timeline\">Timeline</a><a href=\"#findings\">Findings</a>"
	"<a href=\"#correlation\">CloudTrail</a><a href=\"#attack\">ATT&amp;CK</a><a href=\"#resources\">Resources</a>"
	"<a href=\"#indicators\">Indicators</a>"
	"<a href=\"#coverage\">Coverage</a><a href=\"#method\">Method</a></nav></header>\n"
	"<noscript><p>This report renders its content with JavaScript (inline, no network access). The Markdown "
	"report (backsight report -F md) holds the same content as text.</p></noscript>\n"
	"<main>\n<section id=\"summary\"></section>\n<section id=\"timeline\"></section>\n"
	"<section id=\"findings\"></section>\n<section id=\"finding-details\"></section>\n"
	"<section id=\"correlation\"></section>\n<section id=\"attack\"></section>\n"
	"<section id=\"resources\"></section>\n<section id=\"indicators\"></section>\n"
	"<section id=\"coverage\"></section>\n"
	"<section id=\"method\"></section>\n</main>\n";

int report_write_html(struct strbuf *out, const json_t *model, struct casedb *cdb, struct strbuf *err)
{
	const char *scripts[] = { asset("vis-timeline-graph2d.min.js"), asset("uPlot.iife.min.js"), asset("report.js") };
	const char *styles[] = { asset("vis-timeline-graph2d.min.css"), asset("uPlot.min.css"), page_css };

	for (size_t i = 0; i < 3; i++) {
		if (!scripts[i] || !styles[i] || !safe_inline(scripts[i]) || !safe_inline(styles[i])) {
			strbuf_addstr(err, "the embedded report assets are missing or cannot be inlined");
			return -EINVAL;
		}
	}
	strbuf_addstr(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
			   "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src");
	for (size_t i = 0; i < 3; i++)
		csp_hash(out, scripts[i]);
	strbuf_addstr(out, "; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'\">\n"
			   "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
			   "<meta name=\"referrer\" content=\"no-referrer\">\n"
			   "<title>backsight incident report</title>\n");
	for (size_t i = 0; i < 3; i++) {
		strbuf_addstr(out, "<style>");
		strbuf_addstr(out, styles[i]);
		strbuf_addstr(out, "</style>\n");
	}
	strbuf_addstr(out, "</head>\n<body>\n");
	strbuf_addstr(out, skeleton);
	strbuf_addstr(out, "<script type=\"application/json\" id=\"case-data\">");
	jsondump(out, model, 0);
	strbuf_addstr(out, "</script>\n");
	for (size_t i = 0; i < 3; i++) {
		strbuf_addstr(out, "<script>");
		strbuf_addstr(out, scripts[i]);
		strbuf_addstr(out, "</script>\n");
	}
	strbuf_addstr(out, "</body>\n</html>\n");
	return 0;
}
