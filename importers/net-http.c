/* net-http: HTTP/1.x requests paired with their responses, as `http` events; cloud credentials.
 *
 * Follows RFC 9112 (HTTP/1.1 message syntax: request line, status line, header fields,
 * Content-Length and chunked bodies) and RFC 9110 (semantics: no body for HEAD, 1xx, 204, 304).
 * A request waits in its connection's queue (pipelining: up to QUEUE requests) until the
 * response header arrives; one `http` event then holds method, host, URI, user agent, status and
 * content type. Bodies are skipped by their length without being buffered, except for requests
 * to the instance metadata service (169.254.169.254) and the ECS credential endpoint
 * (169.254.170.2), whose JSON response (AWS's documented credential shape: AccessKeyId,
 * SecretAccessKey, Token, Expiration, RoleArn) is parsed with jansson: the key id, expiration and
 * role are kept for correlation, the secret key and token are never stored — and the raw record
 * of the event is the request packet, with any X-aws-ec2-metadata-token value blanked.
 */
#include <stdio.h>
#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "jsonw.h"
#include "net.h"

#define QUEUE 3
#define MAX_HEADER 16384
#define FRAME_KEEP 640
#define F_METHOD 16
#define F_URI 512
#define F_HOST 256
#define F_UA 256

/* Scalars first: a new request clears them and only the first byte of each text field. */
struct req {
	int64_t ts, precision;
	uint64_t offset;
	uint64_t body_len;
	uint16_t frame_len;
	bool imds, head;
	char method[F_METHOD], uri[F_URI], host[F_HOST], ua[F_UA];
	uint8_t frame[FRAME_KEEP];
};

struct net_http {
	struct req q[QUEUE];
	unsigned head, n;
	uint64_t skip[2];
};

void net_http_free(struct net_http *h)
{
	free(h);
}

/* The "\r\n\r\n" ending a header block, or NULL: line by line with memchr, several times faster
 * than memmem's general search over a segment that holds a body too. */
static const uint8_t *header_end(const uint8_t *p, size_t len)
{
	const uint8_t *s = p, *end = p + len, *nl;

	while (s < end && (nl = memchr(s, '\n', (size_t)(end - s)))) {
		if (nl > p && nl[-1] == '\r' && end - nl >= 3 && nl[1] == '\r' && nl[2] == '\n')
			return nl - 1;
		s = nl + 1;
	}
	return NULL;
}

bool net_http_is_request(const uint8_t *p, size_t len)
{
	static const char *const methods[] = { "GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ",
					       "PATCH ", "CONNECT ", "TRACE " };
	for (size_t i = 0; i < sizeof(methods) / sizeof(methods[0]); i++) {
		size_t ml = strlen(methods[i]);
		if (len >= ml && !memcmp(p, methods[i], ml))
			return true;
	}
	return false;
}

static void copy_field(char *dst, size_t cap, const uint8_t *s, size_t len)
{
	if (len >= cap)
		len = cap - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

/* Find the header named `name` in [p, end); value trimmed. */
static bool header(const uint8_t *p, const uint8_t *end, const char *name, const uint8_t **ret_v, size_t *ret_len)
{
	size_t nl = strlen(name);

	while (p < end) {
		const uint8_t *eol = memchr(p, '\n', (size_t)(end - p));
		const uint8_t *le = eol ? eol : end;
		if ((size_t)(le - p) > nl && p[nl] == ':' && !strncasecmp((const char *)p, name, nl)) {
			const uint8_t *v = p + nl + 1;
			while (v < le && (*v == ' ' || *v == '\t'))
				v++;
			while (le > v && (le[-1] == '\r' || le[-1] == ' ' || le[-1] == '\t'))
				le--;
			*ret_v = v;
			*ret_len = (size_t)(le - v);
			return true;
		}
		p = eol ? eol + 1 : end;
	}
	return false;
}

static uint64_t header_u64(const uint8_t *p, const uint8_t *end, const char *name, bool *ret_found)
{
	const uint8_t *v;
	size_t l;
	uint64_t n = 0;

	*ret_found = false;
	if (!header(p, end, name, &v, &l))
		return 0;
	for (size_t i = 0; i < l && v[i] >= '0' && v[i] <= '9' && n < (UINT64_C(1) << 50); i++) {
		n = n * 10 + (uint64_t)(v[i] - '0');
		*ret_found = true;
	}
	return n;
}

static bool chunked(const uint8_t *p, const uint8_t *end)
{
	const uint8_t *v;
	size_t l;

	if (!header(p, end, "Transfer-Encoding", &v, &l))
		return false;
	for (size_t i = 0; i + 7 <= l; i++)
		if (!strncasecmp((const char *)v + i, "chunked", 7))
			return true;
	return false;
}

static void blank_token_header(uint8_t *p, size_t len)
{
	static const char name[] = "x-aws-ec2-metadata-token:";
	size_t nl = sizeof(name) - 1;

	for (size_t i = 0; i + nl <= len; i++) {
		if ((p[i] | 32) == 'x' && !strncasecmp((const char *)p + i, name, nl)) {
			size_t k = i + nl;
			while (k < len && p[k] == ' ')
				k++;
			while (k < len && p[k] != '\r' && p[k] != '\n')
				p[k++] = 'X';
		}
	}
}

static bool is_imds(const struct net_tuple *t)
{
	static const uint8_t a[4] = { 169, 254, 169, 254 }, b[4] = { 169, 254, 170, 2 };
	return t->ipver == 4 && (!memcmp(t->srv, a, 4) || !memcmp(t->srv, b, 4));
}

static const char *after_prefix(const char *s, const char *prefix)
{
	size_t l = strlen(prefix);
	return strncmp(s, prefix, l) ? NULL : s + l;
}

/* Credentials from a metadata response body, into the event. Secrets are read, never kept. */
static void credentials(struct jsonw_obj *j, struct bs_event *ev, const struct req *rq, const uint8_t *body,
			size_t len, struct strbuf *keep, struct strbuf *keep_arn)
{
	const char *role = after_prefix(rq->uri, "/latest/meta-data/iam/security-credentials/");
	json_t *doc;

	if (role && *role) {
		jsonw_key_str(j, "aws.role_name", role);
	} else if (role && len && len < 256) {
		/* the listing: one role name per line */
		size_t l = len;
		while (l && (body[l - 1] == '\n' || body[l - 1] == '\r'))
			l--;
		jsonw_key_strn(j, "aws.role_name", (const char *)body, l);
	}
	doc = json_loadb((const char *)body, len, 0, NULL);
	if (json_is_object(doc)) {
		const char *akid = json_string_value(json_object_get(doc, "AccessKeyId"));
		const char *exp = json_string_value(json_object_get(doc, "Expiration"));
		const char *arn = json_string_value(json_object_get(doc, "RoleArn"));
		const char *type = json_string_value(json_object_get(doc, "Type"));
		if (akid) {
			strbuf_reset(keep);
			strbuf_addstr(keep, akid);
			ev->access_key_id = keep->buf;
			jsonw_key_bool(j, "aws.secret_redacted", json_object_get(doc, "SecretAccessKey") ||
									  json_object_get(doc, "Token"));
		}
		if (exp)
			jsonw_key_str(j, "aws.expiration", exp);
		if (type)
			jsonw_key_str(j, "aws.credential_type", type);
		if (arn) {
			const char *slash = strstr(arn, ":role/");
			jsonw_key_str(j, "aws.role_arn", arn);
			strbuf_reset(keep_arn);
			strbuf_addstr(keep_arn, arn);
			ev->principal = keep_arn->buf; /* the identity these credentials act as */
			if (slash && !(role && *role))
				jsonw_key_str(j, "aws.role_name", strrchr(arn, '/') + 1);
		}
	}
	json_decref(doc);
}

static int emit(struct net_state *ns, const struct net_tuple *t, struct req *rq, int status, const uint8_t *ctype,
		size_t ctype_len, uint64_t resp_offset, uint64_t resp_body_len, const uint8_t *body, size_t body_len)
{
	struct net_out *o = &ns->out;
	struct bs_event ev;
	struct net_pkt pkt = { 0 };
	struct jsonw_obj j;
	char cbuf[46], sbuf[46], st[16];
	struct strbuf akid = STRBUF_INIT, arn = STRBUF_INIT;
	int r;

	pkt.ts = rq->ts;
	pkt.ts_precision = rq->precision;
	pkt.offset = rq->offset;
	pkt.frame = rq->frame;
	pkt.frame_len = rq->frame_len;
	net_event_fill(&ev, t, &pkt, "http", cbuf, sbuf);
	strbuf_reset(&o->fields);
	jsonw_begin(&j, &o->fields);
	jsonw_lkey_str(&j, "http.method", rq->method);
	jsonw_lkey_str(&j, "http.uri", rq->uri);
	if (rq->host[0])
		jsonw_lkey_str(&j, "http.host", rq->host);
	jsonw_lkey_i64(&j, "http.request_body_len", (int64_t)rq->body_len);
	if (status >= 0) {
		jsonw_lkey_i64(&j, "http.status", status);
		snprintf(st, sizeof(st), "%d", status);
		ev.result = st;
		jsonw_lkey_i64(&j, "http.response_offset", (int64_t)resp_offset);
		jsonw_lkey_i64(&j, "http.response_body_len", (int64_t)resp_body_len);
		if (ctype)
			jsonw_lkey_strn(&j, "http.content_type", (const char *)ctype, ctype_len);
	}
	if (rq->imds) {
		NET_LKEY_BOOL(&j, "http.metadata_service", true);
		if (body && status == 200)
			credentials(&j, &ev, rq, body, body_len, &akid, &arn);
	}
	jsonw_end(&j);
	if (rq->ua[0])
		ev.user_agent = rq->ua;
	strbuf_reset(&o->summary);
	strbuf_addstr(&o->summary, "http ");
	strbuf_addstr(&o->summary, rq->method);
	strbuf_addch(&o->summary, ' ');
	strbuf_addstr(&o->summary, rq->host);
	strbuf_add(&o->summary, rq->uri, strnlen(rq->uri, 200));
	if (status >= 0) {
		strbuf_addstr(&o->summary, " -> ");
		strbuf_addstr(&o->summary, st);
	}
	if (ev.access_key_id)
		strbuf_addf(&o->summary, " credentials %s", ev.access_key_id);
	ev.fields = o->fields.buf;
	ev.summary = o->summary.buf;
	o->events[3]++;
	r = imp_emit(o->ctx, &ev);
	strbuf_release(&akid);
	strbuf_release(&arn);
	return r;
}

static int request(struct net_state *ns, struct net_http *h, const struct net_tuple *t, const struct net_pkt *pkt,
		   const uint8_t *p, size_t hdr_len)
{
	const uint8_t *end = p + hdr_len, *eol = memchr(p, '\n', hdr_len), *sp1, *sp2, *v;
	struct req *rq;
	size_t l;
	bool found;
	int r;

	if (h->n == QUEUE) { /* a full pipeline: the oldest request goes out unanswered */
		r = emit(ns, t, &h->q[h->head], -1, NULL, 0, 0, 0, NULL, 0);
		h->head = (h->head + 1) % QUEUE;
		h->n--;
		if (r < 0)
			return r;
	}
	rq = &h->q[(h->head + h->n) % QUEUE];
	memset(rq, 0, offsetof(struct req, method));
	rq->method[0] = rq->uri[0] = rq->host[0] = rq->ua[0] = '\0';
	sp1 = memchr(p, ' ', (size_t)(eol - p));
	sp2 = sp1 ? memchr(sp1 + 1, ' ', (size_t)(eol - sp1 - 1)) : NULL;
	if (!sp1 || !sp2)
		return 0;
	copy_field(rq->method, F_METHOD, p, (size_t)(sp1 - p));
	copy_field(rq->uri, F_URI, sp1 + 1, (size_t)(sp2 - sp1 - 1));
	if (header(eol + 1, end, "Host", &v, &l))
		copy_field(rq->host, F_HOST, v, l);
	if (header(eol + 1, end, "User-Agent", &v, &l))
		copy_field(rq->ua, F_UA, v, l);
	rq->body_len = header_u64(eol + 1, end, "Content-Length", &found);
	rq->ts = pkt->ts;
	rq->precision = pkt->ts_precision;
	rq->offset = pkt->offset;
	rq->frame_len = (uint16_t)(pkt->frame_len < FRAME_KEEP ? pkt->frame_len : FRAME_KEEP);
	memcpy(rq->frame, pkt->frame, rq->frame_len);
	blank_token_header(rq->frame, rq->frame_len);
	rq->imds = is_imds(t);
	rq->head = !strcmp(rq->method, "HEAD");
	h->n++;
	h->skip[0] = rq->body_len;
	return 0;
}

/* Un-chunk a complete chunked body in [p, end) into out; false if not complete yet. */
static bool dechunk(const uint8_t *p, const uint8_t *end, struct strbuf *out, size_t *ret_used)
{
	const uint8_t *s = p;

	strbuf_reset(out);
	for (;;) {
		uint64_t n = 0;
		const uint8_t *eol = memchr(s, '\n', (size_t)(end - s));
		if (!eol)
			return false;
		for (const uint8_t *q = s; q < eol; q++) {
			int d = (*q >= '0' && *q <= '9') ? *q - '0' : ((*q | 32) >= 'a' && (*q | 32) <= 'f') ? (*q | 32) - 'a' + 10 : -1;
			if (d < 0)
				break;
			n = n * 16 + (uint64_t)d;
			if (n > MAX_HEADER * 4)
				return false;
		}
		s = eol + 1;
		if (!n) {
			const uint8_t *fin = memchr(s, '\n', (size_t)(end - s));
			if (!fin)
				return false;
			*ret_used = (size_t)(fin + 1 - p);
			return true;
		}
		if ((uint64_t)(end - s) < n + 2)
			return false;
		strbuf_add(out, s, n);
		s += n + 2;
	}
}

int net_http_data(struct net_state *ns, struct net_http **hp, const struct net_tuple *t, const struct net_pkt *pkt,
		  const uint8_t *data, size_t len, bool from_client, bool at_end, bool *ret_done)
{
	struct net_http *h = *hp;
	int dir = from_client ? 0 : 1;
	size_t used = 0;
	int r;

	(void)at_end;
	*ret_done = false;
	if (!h) {
		if (!from_client) {
			*ret_done = true;
			return 0;
		}
		/* once per HTTP connection; requests are cleared as they are queued (request()) */
		h = *hp = malloc(sizeof(*h));
		if (!h)
			return -ENOMEM;
		h->head = h->n = 0;
		h->skip[0] = h->skip[1] = 0;
	}
	while (used < len) {
		const uint8_t *p = data + used, *hend;
		size_t avail = len - used, hdr_len;
		if (h->skip[dir]) {
			size_t n = avail < h->skip[dir] ? avail : (size_t)h->skip[dir];
			h->skip[dir] -= n;
			used += n;
			continue;
		}
		hend = header_end(p, avail);
		if (!hend) {
			if (avail > MAX_HEADER)
				*ret_done = true;
			break;
		}
		hdr_len = (size_t)(hend - p) + 4;
		if (from_client) {
			if (!net_http_is_request(p, avail)) {
				*ret_done = true;
				break;
			}
			if ((r = request(ns, h, t, pkt, p, hdr_len)) < 0)
				return r;
			used += hdr_len;
			continue;
		}
		/* a response */
		{
			const uint8_t *eol = memchr(p, '\n', hdr_len), *ct = NULL;
			size_t ctl = 0;
			int status = 0;
			bool has_len, chunk, no_body;
			uint64_t blen;
			struct req *rq;
			if (avail < 12 || memcmp(p, "HTTP/1.", 7) || !eol) {
				*ret_done = true;
				break;
			}
			for (int i = 9; i < 12; i++)
				status = status * 10 + (p[i] >= '0' && p[i] <= '9' ? p[i] - '0' : 0);
			blen = header_u64(eol + 1, p + hdr_len, "Content-Length", &has_len);
			chunk = chunked(eol + 1, p + hdr_len);
			if (status >= 100 && status < 200) {
				used += hdr_len;
				continue;
			}
			rq = h->n ? &h->q[h->head] : NULL;
			no_body = status == 204 || status == 304 || (rq && rq->head);
			header(eol + 1, p + hdr_len, "Content-Type", &ct, &ctl);
			if (!ct)
				ctl = 0;
			if (rq && rq->imds && status == 200 && !no_body) {
				/* the body is needed: wait until all of it is here */
				const uint8_t *body = p + hdr_len;
				size_t have = avail - hdr_len, body_used;
				if (chunk) {
					if (!dechunk(body, body + have, &ns->out.l1, &body_used)) {
						if (avail > 65536)
							*ret_done = true;
						break;
					}
					r = emit(ns, t, rq, status, ct, ctl, pkt->offset, ns->out.l1.len,
						 (const uint8_t *)ns->out.l1.buf, ns->out.l1.len);
					used += hdr_len + body_used;
				} else {
					if (!has_len)
						blen = have; /* read until close: take what is here */
					if (have < blen) {
						if (avail > 65536)
							*ret_done = true;
						break;
					}
					r = emit(ns, t, rq, status, ct, ctl, pkt->offset, blen, body, (size_t)blen);
					used += hdr_len + (size_t)blen;
				}
			} else {
				r = rq ? emit(ns, t, rq, status, ct, ctl, pkt->offset, no_body ? 0 : blen, NULL, 0) : 0;
				used += hdr_len;
				if (!no_body) {
					if (chunk) {
						*ret_done = true; /* chunked bodies are not followed (except IMDS) */
						h->skip[dir] = 0;
					} else {
						h->skip[dir] = blen;
					}
				}
			}
			if (rq) {
				h->head = (h->head + 1) % QUEUE;
				h->n--;
			}
			if (r < 0)
				return r;
			if (*ret_done)
				break;
		}
	}
	return (int)used;
}

int net_http_flush(struct net_state *ns, struct net_http **hp, const struct net_tuple *t)
{
	struct net_http *h = *hp;
	int r = 0;

	while (h && h->n && r >= 0) {
		r = emit(ns, t, &h->q[h->head], -1, NULL, 0, 0, 0, NULL, 0);
		h->head = (h->head + 1) % QUEUE;
		h->n--;
	}
	return r;
}
