/* imp-cloudtrail: AWS CloudTrail records, however a responder got them.
 *
 * Follows the CloudTrail record contents reference (userguide/cloudtrail-event-reference-record-
 * contents) and the delivery formats of reference/guardduty.md §6. Accepted containers:
 *   - `{"Records":[…]}` log files, compact or pretty, gzip or not (the stream layer decompresses);
 *     the array is streamed record by record (jsonframe), never loaded whole;
 *   - one record per line (JSON Lines, SIEM / Firehose exports) or concatenated records;
 *   - `aws cloudtrail lookup-events` output: `{"Events":[{…,"CloudTrailEvent":"<record as a JSON
 *     string>"}]}`, each item's string decoded as the record;
 *   - EventBridge events (`"detail-type":"AWS API Call via CloudTrail"` and the other CloudTrail
 *     detail types), the record under `detail`;
 *   - CSV exports (CloudTrail Lake query results, Athena) in which a column holds the whole
 *     record as JSON: the first field of each row that is a JSON object with eventTime is the
 *     record;
 *   - Athena query results over the standard CloudTrail table (`SELECT * FROM cloudtrail_logs`,
 *     docs: athena/latest/ug/cloudtrail-logs.html): one column per record member, lower-case
 *     names (eventtime, useridentity …), requestparameters / responseelements /
 *     additionaleventdata / serviceeventdetails as JSON strings, and useridentity, resources,
 *     tlsdetails, addendum in Athena's struct rendering `{type=IAMUser, arn=…, sessioncontext=
 *     {…}}` / `[{arn=…, type=…}]`. The record is rebuilt with CloudTrail's member names (a table
 *     below maps the lower-case ones back), struct values as strings, `null` as null; an empty
 *     cell is a missing member. The raw record kept is the CSV row (the rebuilt JSON when a
 *     secret had to be redacted). A struct value holding ", name=" cannot be told from two
 *     members, as in Athena's own rendering.
 * Digest files (log file validation) are recognised by digestStartTime + logFiles and kept as
 * `cloudtrail-digest` documents for `backsight verify-trail`, never as events.
 *
 * Each record becomes one aws_cloudtrail event at eventTime (seconds). Typed columns: type =
 * eventName (Insight events: insightDetails.eventName), principal = userIdentity.arn, else the
 * session issuer's arn, principalId, userName or invokedBy; access_key_id, src_ip =
 * sourceIPAddress (an address or a service name as CloudTrail wrote it), user_agent, result =
 * errorCode, else "failure" for a failed ConsoleLogin, else "success"; host = "<recipientAccountId>/<awsRegion>". `fields` carries Falco's
 * cloudtrail plugin names (ct.*, s3.*) — see the table in field_names below — with ct.request,
 * ct.response, ct.additionaleventdata, ct.resources and ct.serviceeventdetails kept whole as
 * JSON so that nested lookups work. Records stream; dedup_key = eventID, so the same record from
 * overlapping downloads is stored once. Secret access keys and session tokens are replaced by
 * "REDACTED" in the fields and in the raw record kept (the raw record is then the redacted JSON).
 *
 * Damage: a record without a valid eventTime is skipped with its offset; a record that is not
 * JSON is skipped in JSON Lines and ends the file (partial, with the offset) inside a Records
 * array, where nothing after it can be framed.
 *
 * Speed: every record is parsed by jansson, the project's JSON library, once, into the calling
 * thread's record arena (jsonu_loadb: no malloc/free per value); fields are read from the
 * record's objects, each looked up once per record (struct parts); the raw record kept is the
 * exact bytes of the file unless a secret had to be redacted. jansson is still most of this
 * importer's time: on generated 1.5 KB records it parses at ~30-40 µs a record on the 2-core
 * reference machine, against ~45-55 µs for the whole importer (tests/bench/bench-cloudtrail.sh
 * prints both). A faster hand-written scanner was tried and taken out: the design card rules
 * out a JSON parser of our own, so jansson's rate is this importer's bound.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bstime.h"
#include "importer.h"
#include "jsonframe.h"
#include "jsonutil.h"

static const char *const containers[] = { "Records", "Events", NULL };
static const char *const secret_keys[] = { "secretAccessKey", "sessionToken", NULL };

#define ATHENA_MAX_COLS 128

struct state {
	bool csv;
	size_t ncols;                       /* CSV header columns, lower case */
	char *cols[ATHENA_MAX_COLS];
	bool athena;                        /* the header is Athena's CloudTrail table */
	struct jframe frame;
	struct strbuf fields, summary, host, raw, text, who;
	struct strbuf cells; /* a CSV row's cells (raw records point into it: import_record uses text) */
	uint64_t digests;
};

static bool has(const uint8_t *head, size_t len, const char *needle)
{
	return memmem(head, len, needle, strlen(needle)) != NULL;
}

/* Case-insensitive `word` (lower case) within head[0, len): the header line of a CSV export. */
static bool has_ci(const uint8_t *head, size_t len, const char *word)
{
	size_t n = strlen(word);

	for (size_t i = 0; i + n <= len; i++)
		if (!strncasecmp((const char *)head + i, word, n))
			return true;
	return false;
}

static int probe(const uint8_t *head, size_t len)
{
	bool json = jframe_starts_with(head, len, '{') || jframe_starts_with(head, len, '[');

	if (json && (has(head, len, "\"AWS API Call via CloudTrail\"") ||
		     has(head, len, "\"AWS Console Sign In via CloudTrail\"") || has(head, len, "\"CloudTrailEvent\"")))
		return 95;
	if (json && has(head, len, "\"digestStartTime\"") && has(head, len, "\"logFiles\""))
		return 95;
	if (json) {
		bool ct_keys = has(head, len, "\"eventVersion\"") || has(head, len, "\"eventSource\"");
		if (has(head, len, "\"Records\"") && (ct_keys || has(head, len, "\"eventTime\"")))
			return 90;
		if (ct_keys && has(head, len, "\"eventTime\"") && !has(head, len, "\"auditID\""))
			return 85;
		return 0;
	}
	/* A CSV export: a header naming CloudTrail columns, and a JSON record in a field. */
	{
		const uint8_t *nl = memchr(head, '\n', len);
		size_t n = nl ? (size_t)(nl - head) : len;
		if (memchr(head, ',', n) && (has_ci(head, n, "eventversion") || has_ci(head, n, "eventid")) &&
		    has(head, len, "eventTime"))
			return 60;
		/* Athena's CloudTrail table: its column names on the header line. */
		if (memchr(head, ',', n) && memmem(head, n, "eventtime", 9) &&
		    (memmem(head, n, "useridentity", 12) || memmem(head, n, "eventsource", 11)))
			return 60;
	}
	return 0;
}

static int open_(struct imp_ctx *ctx, void **ret_state)
{
	struct state *st = calloc(1, sizeof(*st));
	size_t n;

	if (!st)
		return -ENOMEM;
	jframe_init(&st->frame, containers);
	strbuf_init(&st->fields);
	strbuf_init(&st->summary);
	strbuf_init(&st->host);
	strbuf_init(&st->raw);
	strbuf_init(&st->text);
	strbuf_init(&st->who);
	strbuf_init(&st->cells);
	n = reader_fill(ctx->in, IMP_PROBE_LEN);
	st->csv = n && !jframe_starts_with(reader_data(ctx->in), n, '{') && !jframe_starts_with(reader_data(ctx->in), n, '[');
	if (st->csv)
		imp_assume(ctx, "CSV export: each row's first field holding a JSON CloudTrail record is the record");
	*ret_state = st;
	return 0;
}

static void close_(void *state)
{
	struct state *st = state;

	jsonu_arena_release(); /* a record that ended in an error may still hold it */
	if (!st)
		return;
	jframe_release(&st->frame);
	strbuf_release(&st->fields);
	strbuf_release(&st->summary);
	strbuf_release(&st->host);
	strbuf_release(&st->raw);
	strbuf_release(&st->text);
	strbuf_release(&st->who);
	strbuf_release(&st->cells);
	for (size_t i = 0; i < st->ncols; i++)
		free(st->cols[i]);
	free(st);
}

/*
 * The objects of a record that fields are read from, each looked up once per record (a dotted
 * path per field would hash the same parent names again for every field). NULL where the
 * record has no such object.
 */
enum part { P_REC, P_UID, P_SCTX, P_ISSUER, P_ATTRS, P_WEBID, P_REQ, P_RESP, P_ADDENDUM, P_TLS, P_INSIGHT, P_COUNT };

struct parts {
	json_t *p[P_COUNT];
};

static json_t *member_obj(json_t *parent, const char *name)
{
	json_t *v = parent ? json_object_get(parent, name) : NULL;

	return json_is_object(v) ? v : NULL;
}

static void parts_of(json_t *rec, struct parts *ps)
{
	json_t **p = ps->p;

	p[P_REC] = rec;
	p[P_UID] = member_obj(rec, "userIdentity");
	p[P_SCTX] = member_obj(p[P_UID], "sessionContext");
	p[P_ISSUER] = member_obj(p[P_SCTX], "sessionIssuer");
	p[P_ATTRS] = member_obj(p[P_SCTX], "attributes");
	p[P_WEBID] = member_obj(p[P_SCTX], "webIdFederationData");
	p[P_REQ] = member_obj(rec, "requestParameters");
	p[P_RESP] = member_obj(rec, "responseElements");
	p[P_ADDENDUM] = member_obj(rec, "addendum");
	p[P_TLS] = member_obj(rec, "tlsDetails");
	p[P_INSIGHT] = member_obj(rec, "insightDetails");
}

static json_t *part_get(const struct parts *ps, enum part part, const char *name)
{
	return ps->p[part] ? json_object_get(ps->p[part], name) : NULL;
}

/* A member's string value when it is a non-empty string (as jsonu_str), else NULL. */
static const char *part_str(const struct parts *ps, enum part part, const char *name)
{
	const char *s = json_string_value(part_get(ps, part, name));

	return s && *s ? s : NULL;
}

/* Falco's ct.user: who acted, by identity type (the plugin's rules compare it to user names). */
static const char *ct_user(const struct parts *ps)
{
	const char *type = part_str(ps, P_UID, "type");
	const char *name = part_str(ps, P_UID, "userName");

	if (!type)
		return name;
	if (!strcmp(type, "AssumedRole") || !strcmp(type, "Role")) {
		const char *issuer = part_str(ps, P_ISSUER, "userName");
		return issuer ? issuer : type;
	}
	if (!strcmp(type, "AWSService"))
		return part_str(ps, P_UID, "invokedBy");
	if (!strcmp(type, "Root") && !name)
		return "root";
	if (name)
		return name;
	if (!strcmp(type, "AWSAccount") || !strcmp(type, "FederatedUser"))
		return type;
	return NULL;
}

/* {fields key, object, member} written as they are when present (strings, booleans, objects). */
static const struct {
	const char *key;
	enum part part;
	const char *member;
} field_names[] = {
	{ "ct.id", P_REC, "eventID" },
	{ "ct.src", P_REC, "eventSource" },
	{ "ct.region", P_REC, "awsRegion" },
	{ "ct.error", P_REC, "errorCode" },
	{ "ct.errormessage", P_REC, "errorMessage" },
	{ "ct.readonly", P_REC, "readOnly" },
	{ "ct.managementevent", P_REC, "managementEvent" },
	{ "ct.requestid", P_REC, "requestID" },
	{ "ct.eventtype", P_REC, "eventType" },
	{ "ct.eventversion", P_REC, "eventVersion" },
	{ "ct.eventcategory", P_REC, "eventCategory" },
	{ "ct.apiversion", P_REC, "apiVersion" },
	{ "ct.recipientaccountid", P_REC, "recipientAccountId" },
	{ "ct.sharedeventid", P_REC, "sharedEventID" },
	{ "ct.vpcendpointid", P_REC, "vpcEndpointId" },
	{ "ct.sessioncredentialfromconsole", P_REC, "sessionCredentialFromConsole" },
	{ "ct.addendum.reason", P_ADDENDUM, "reason" },
	{ "ct.addendum.updatedfields", P_ADDENDUM, "updatedFields" },
	{ "ct.addendum.originalrequestid", P_ADDENDUM, "originalRequestID" },
	{ "ct.addendum.originaleventid", P_ADDENDUM, "originalEventID" },
	{ "ct.tlsdetails.tlsversion", P_TLS, "tlsVersion" },
	{ "ct.tlsdetails.ciphersuite", P_TLS, "cipherSuite" },
	{ "ct.tlsdetails.clientprovidedhostheader", P_TLS, "clientProvidedHostHeader" },
	{ "ct.user.identitytype", P_UID, "type" },
	{ "ct.user.principalid", P_UID, "principalId" },
	{ "ct.user.arn", P_UID, "arn" },
	{ "ct.user.accountid", P_UID, "accountId" },
	{ "ct.user.username", P_UID, "userName" },
	{ "ct.user.invokedby", P_UID, "invokedBy" },
	{ "ct.user.credentialid", P_UID, "credentialId" },
	{ "ct.user.sessionissuer.type", P_ISSUER, "type" },
	{ "ct.user.sessionissuer.arn", P_ISSUER, "arn" },
	{ "ct.user.sessionissuer.username", P_ISSUER, "userName" },
	{ "ct.user.sessionissuer.principalid", P_ISSUER, "principalId" },
	{ "ct.user.sessionissuer.accountid", P_ISSUER, "accountId" },
	{ "ct.user.mfaauthenticated", P_ATTRS, "mfaAuthenticated" },
	{ "ct.user.sessioncreationdate", P_ATTRS, "creationDate" },
	{ "ct.user.sourceidentity", P_SCTX, "sourceIdentity" },
	{ "ct.user.ec2roledelivery", P_SCTX, "ec2RoleDelivery" },
	{ "ct.user.webidfederation.provider", P_WEBID, "federatedProvider" },
	{ "ct.request.availabilityzone", P_REQ, "availabilityZone" },
	{ "ct.request.cluster", P_REQ, "cluster" },
	{ "ct.request.functionname", P_REQ, "functionName" },
	{ "ct.request.groupname", P_REQ, "groupName" },
	{ "ct.request.host", P_REQ, "Host" },
	{ "ct.request.serialnumber", P_REQ, "serialNumber" },
	{ "ct.request.servicename", P_REQ, "serviceName" },
	{ "ct.request.subnetid", P_REQ, "subnetId" },
	{ "ct.request.taskdefinition", P_REQ, "taskDefinition" },
	{ "ct.request.username", P_REQ, "userName" },
	{ "ct.response.subnetid", P_RESP, "subnetId" },
	{ "ct.response.reservationid", P_RESP, "reservationId" },
	{ "s3.bucket", P_REQ, "bucketName" },
	{ "s3.key", P_REQ, "key" },
	/* Kept whole, as JSON, for nested and json-pointer lookups. */
	{ "ct.request", P_REC, "requestParameters" },
	{ "ct.response", P_REC, "responseElements" },
	{ "ct.additionaleventdata", P_REC, "additionalEventData" },
	{ "ct.serviceeventdetails", P_REC, "serviceEventDetails" },
	{ "ct.edgedevicedetails", P_REC, "edgeDeviceDetails" },
	{ "ct.resources", P_REC, "resources" },
	{ "ct.insightdetails", P_REC, "insightDetails" },
};

static const char *short_src(const char *src, size_t *ret_len)
{
	const char *dot = src ? strstr(src, ".amazonaws.com") : NULL;

	*ret_len = src ? (dot ? (size_t)(dot - src) : strlen(src)) : 0;
	return src;
}

static void build_fields(struct state *st, const struct parts *ps, const char *name, const char *user)
{
	struct jsonw_obj o;
	const char *src = part_str(ps, P_REC, "eventSource");
	const char *bucket = part_str(ps, P_REQ, "bucketName");
	const char *key = part_str(ps, P_REQ, "key");
	size_t slen;

	strbuf_reset(&st->fields);
	jsonw_begin(&o, &st->fields);
	if (name)
		jsonw_key_str(&o, "ct.name", name);
	if (src) {
		short_src(src, &slen);
		jsonw_key_strn(&o, "ct.shortsrc", src, slen);
	}
	if (user)
		jsonw_key_str(&o, "ct.user", user);
	for (size_t i = 0; i < sizeof(field_names) / sizeof(field_names[0]); i++)
		jsonu_key_value(&o, &st->fields, field_names[i].key, part_get(ps, field_names[i].part, field_names[i].member));
	if (bucket) {
		strbuf_reset(&st->text);
		strbuf_addf(&st->text, "s3://%s/%s", bucket, key ? key : "");
		jsonw_key_str(&o, "s3.uri", st->text.buf);
	}
	jsonw_key_str(&o, "ct.info", st->summary.buf);
	jsonw_end(&o);
}

/*
 * One record. `root` is what the raw record holds (the record itself, or its EventBridge
 * envelope); `raw`/`raw_len` its original bytes, replaced by the redacted JSON of root when a
 * secret had to be removed.
 */
static int import_record(struct imp_ctx *ctx, struct state *st, json_t *rec, json_t *root, const void *raw,
			 size_t raw_len, uint64_t offset, uint64_t index)
{
	struct bs_event ev;
	struct parts ps;
	const char *time = jsonu_str(rec, "eventTime");
	const char *name = jsonu_str(rec, "eventName");
	const char *acct = jsonu_str(rec, "recipientAccountId"), *region = jsonu_str(rec, "awsRegion");
	const char *src, *user, *ip, *err, *login;
	int64_t prec = 1000000000;
	size_t slen;

	bs_event_init(&ev);
	if (!time || bs_time_parse(time, strlen(time), 0, &ev.ts, &prec) < 0) {
		if (time)
			imp_skipped(ctx, offset, "record %llu: eventTime \"%.64s\" is not a valid time",
				    (unsigned long long)index + 1, time);
		else
			imp_skipped(ctx, offset, "record %llu: no eventTime (the record cannot be placed in time)",
				    (unsigned long long)index + 1);
		return 0;
	}
	if (jsonu_may_hold(raw, raw_len, secret_keys) && jsonu_redact(root, secret_keys) > 0) {
		strbuf_reset(&st->raw);
		jsonu_write(&st->raw, root);
		raw = st->raw.buf;
		raw_len = st->raw.len;
	}
	ev.ts_precision = prec > 1000000000 ? 1000000000 : prec;
	ev.source = SRC_CLOUDTRAIL;
	parts_of(rec, &ps);
	if (!name)
		name = part_str(&ps, P_INSIGHT, "eventName");
	src = part_str(&ps, P_REC, "eventSource");
	if (!src)
		src = part_str(&ps, P_INSIGHT, "eventSource");
	ev.type = name ? name : part_str(&ps, P_REC, "eventType") ? part_str(&ps, P_REC, "eventType") : "unknown";
	ev.principal = part_str(&ps, P_UID, "arn");
	if (!ev.principal)
		ev.principal = part_str(&ps, P_ISSUER, "arn");
	if (!ev.principal)
		ev.principal = part_str(&ps, P_UID, "principalId");
	if (!ev.principal)
		ev.principal = part_str(&ps, P_UID, "userName");
	if (!ev.principal)
		ev.principal = part_str(&ps, P_UID, "invokedBy");
	ev.access_key_id = part_str(&ps, P_UID, "accessKeyId");
	ev.src_ip = ip = part_str(&ps, P_REC, "sourceIPAddress");
	ev.user_agent = part_str(&ps, P_REC, "userAgent");
	err = part_str(&ps, P_REC, "errorCode");
	/* A failed console sign-in has no errorCode: responseElements.ConsoleLogin says "Failure". */
	login = part_str(&ps, P_RESP, "ConsoleLogin");
	ev.result = err ? err : login && !strcmp(login, "Failure") ? "failure" : "success";
	strbuf_reset(&st->host);
	if (acct && region)
		strbuf_addf(&st->host, "%s/%s", acct, region);
	else if (acct || region)
		strbuf_addstr(&st->host, acct ? acct : region);
	ev.host = st->host.len ? st->host.buf : ctx->opts->host;
	user = ct_user(&ps);

	strbuf_reset(&st->summary);
	if (part_str(&ps, P_INSIGHT, "insightType")) {
		strbuf_addf(&st->summary, "insight %s %s on ", part_str(&ps, P_INSIGHT, "insightType"),
			    part_str(&ps, P_INSIGHT, "state") ? part_str(&ps, P_INSIGHT, "state") : "");
	} else {
		strbuf_addstr(&st->summary, user ? user : ev.principal ? ev.principal : "unknown identity");
		strbuf_addch(&st->summary, ' ');
	}
	if (src) {
		short_src(src, &slen);
		strbuf_add(&st->summary, src, slen);
		strbuf_addch(&st->summary, ':');
	}
	strbuf_addstr(&st->summary, ev.type);
	if (ip)
		strbuf_addf(&st->summary, " from %s", ip);
	if (err)
		strbuf_addf(&st->summary, " failed: %s", err);
	ev.summary = st->summary.buf;
	ev.offset = offset;
	ev.raw = raw;
	ev.raw_len = raw_len;
	ev.dedup_key = part_str(&ps, P_REC, "eventID");
	build_fields(st, &ps, name, user);
	ev.fields = st->fields.buf;
	return imp_emit(ctx, &ev);
}

static bool is_digest(json_t *v)
{
	return json_is_object(v) && json_object_get(v, "digestStartTime") && json_is_array(json_object_get(v, "logFiles"));
}

/* A parsed top-level value or container element: find the record(s) in it. */
static int dispatch(struct imp_ctx *ctx, struct state *st, json_t *v, const uint8_t *span, size_t len,
		    uint64_t offset, uint64_t index)
{
	json_t *detail, *inner;
	const char *text;
	int r;

	if (!json_is_object(v)) {
		imp_skipped(ctx, offset, "record %llu: not a JSON object", (unsigned long long)index + 1);
		return 0;
	}
	if (is_digest(v)) {
		strbuf_reset(&st->text);
		strbuf_add(&st->text, span, len);
		st->digests++;
		imp_warning(ctx, offset, "CloudTrail digest file: kept for 'backsight verify-trail', not imported as events");
		return imp_document(ctx, "cloudtrail-digest", offset, st->text.buf);
	}
	text = json_string_value(json_object_get(v, "CloudTrailEvent"));
	if (text) {
		json_error_t jerr;
		inner = jsonu_loads(text, 0, &jerr);
		if (!json_is_object(inner)) {
			imp_skipped(ctx, offset, "record %llu: CloudTrailEvent is not a JSON object: %s",
				    (unsigned long long)index + 1, inner ? "another JSON value" : jerr.text);
			json_decref(inner);
			return 0;
		}
		r = import_record(ctx, st, inner, inner, text, strlen(text), offset, index);
		json_decref(inner);
		return r;
	}
	detail = json_object_get(v, "detail");
	if (json_is_object(detail) && json_object_get(v, "detail-type")) {
		if (!jsonu_str(detail, "eventTime") && !jsonu_str(detail, "eventName")) {
			imp_skipped(ctx, offset, "record %llu: EventBridge event of type \"%.64s\" holds no CloudTrail record",
				    (unsigned long long)index + 1, json_string_value(json_object_get(v, "detail-type")));
			return 0;
		}
		return import_record(ctx, st, detail, v, span, len, offset, index);
	}
	return import_record(ctx, st, v, v, span, len, offset, index);
}

static int parse_and_dispatch(struct imp_ctx *ctx, struct state *st, const uint8_t *span, size_t len, uint64_t offset,
			      uint64_t index, bool in_array)
{
	json_error_t jerr;
	json_t *v = jsonu_loadb((const char *)span, len, 0, &jerr);
	int r;

	if (!v) {
		uint64_t at = offset + (jerr.position > 0 ? (uint64_t)jerr.position : 0);
		if (in_array) {
			imp_truncated(ctx, at, "record %llu (at byte %llu) is not valid JSON: %s (byte %llu); "
				      "the records after it cannot be framed",
				      (unsigned long long)index + 1, (unsigned long long)offset, jerr.text,
				      (unsigned long long)at);
			return -EBADMSG;
		}
		imp_skipped(ctx, at, "record %llu (at byte %llu) is not valid JSON: %s (line %d, column %d of the record)",
			    (unsigned long long)index + 1, (unsigned long long)offset, jerr.text, jerr.line, jerr.column);
		return 0;
	}
	r = dispatch(ctx, st, v, span, len, offset, index);
	json_decref(v);
	return r;
}

/* A framing error inside a container: ask jansson where the record first goes wrong. */
static void report_frame_error(struct imp_ctx *ctx, struct state *st)
{
	struct reader *in = ctx->in;
	size_t n = reader_avail(in);
	uint64_t base = reader_offset(in);
	json_error_t jerr;

	if (st->frame.fatal && n && st->frame.err_offset > base && st->frame.err_offset - base < n) {
		size_t upto = (size_t)(st->frame.err_offset - base) + 1;
		json_t *v = json_loadb((const char *)reader_data(in), upto, 0, &jerr);
		if (!v && jerr.position > 0) {
			uint64_t at = base + (uint64_t)jerr.position;
			imp_truncated(ctx, at, "malformed JSON in the record at byte %llu: %s at byte %llu (line %d of the "
				      "record); the records after it cannot be framed",
				      (unsigned long long)base, jerr.text, (unsigned long long)at, jerr.line);
			return;
		}
		json_decref(v);
	}
	if (st->frame.fatal)
		imp_truncated(ctx, st->frame.err_offset, "%s", st->frame.err.buf);
	else
		imp_skipped(ctx, st->frame.err_offset, "%s", st->frame.err.buf);
}

/* --- CSV exports ------------------------------------------------------------------------- */

/* The next CSV row (quotes may hold newlines): its span in the reader window, or 0 at the end. */
static int csv_row(struct reader *in, size_t *ret_len)
{
	size_t pos = 0;
	bool quoted = false;

	for (;;) {
		size_t n = reader_avail(in);
		const uint8_t *d = reader_data(in);
		for (; pos < n; pos++) {
			if (d[pos] == '"')
				quoted = !quoted;
			else if (d[pos] == '\n' && !quoted) {
				*ret_len = pos + 1;
				return 1;
			}
		}
		if (pos >= READER_MAX)
			return -E2BIG;
		if (reader_fill(in, n * 2 > 65536 ? n * 2 : 65536) <= n) {
			*ret_len = n;
			return n ? 1 : 0;
		}
	}
}

/* Athena's lower-case names and CloudTrail's, for the members the record reference names. */
static const char *const athena_names[][2] = {
	{ "eventversion", "eventVersion" }, { "useridentity", "userIdentity" }, { "eventtime", "eventTime" },
	{ "eventsource", "eventSource" }, { "eventname", "eventName" }, { "awsregion", "awsRegion" },
	{ "sourceipaddress", "sourceIPAddress" }, { "useragent", "userAgent" }, { "errorcode", "errorCode" },
	{ "errormessage", "errorMessage" }, { "requestparameters", "requestParameters" },
	{ "responseelements", "responseElements" }, { "additionaleventdata", "additionalEventData" },
	{ "requestid", "requestID" }, { "eventid", "eventID" }, { "resources", "resources" },
	{ "eventtype", "eventType" }, { "apiversion", "apiVersion" }, { "readonly", "readOnly" },
	{ "recipientaccountid", "recipientAccountId" }, { "serviceeventdetails", "serviceEventDetails" },
	{ "sharedeventid", "sharedEventID" }, { "vpcendpointid", "vpcEndpointId" },
	{ "managementevent", "managementEvent" }, { "eventcategory", "eventCategory" },
	{ "tlsdetails", "tlsDetails" }, { "sessioncredentialfromconsole", "sessionCredentialFromConsole" },
	{ "edgedevicedetails", "edgeDeviceDetails" }, { "addendum", "addendum" }, { "insightdetails", "insightDetails" },
	/* inside the structs */
	{ "principalid", "principalId" }, { "accountid", "accountId" }, { "invokedby", "invokedBy" },
	{ "accesskeyid", "accessKeyId" }, { "username", "userName" }, { "sessioncontext", "sessionContext" },
	{ "attributes", "attributes" }, { "mfaauthenticated", "mfaAuthenticated" }, { "creationdate", "creationDate" },
	{ "sessionissuer", "sessionIssuer" }, { "ec2roledelivery", "ec2RoleDelivery" },
	{ "webidfederationdata", "webIdFederationData" }, { "federatedprovider", "federatedProvider" },
	{ "sourceidentity", "sourceIdentity" }, { "credentialid", "credentialId" }, { "onbehalfof", "onBehalfOf" },
	{ "identitystorearn", "identityStoreArn" }, { "userid", "userId" }, { "arn", "arn" },
	{ "tlsversion", "tlsVersion" }, { "ciphersuite", "cipherSuite" },
	{ "clientprovidedhostheader", "clientProvidedHostHeader" }, { "reason", "reason" },
	{ "updatedfields", "updatedFields" }, { "originalrequestid", "originalRequestID" },
	{ "originaleventid", "originalEventID" },
};
/* Columns Athena declares as strings that hold JSON. */
static const char *const athena_json_cols[] = { "requestparameters", "responseelements", "additionaleventdata",
						"serviceeventdetails", "edgedevicedetails", "insightdetails", NULL };

static const char *athena_name(const char *lower, size_t n, bool in_resources)
{
	static char buf[64];

	if (in_resources && n == 3 && !memcmp(lower, "arn", 3))
		return "ARN"; /* resources[].ARN */
	for (size_t i = 0; i < sizeof(athena_names) / sizeof(athena_names[0]); i++)
		if (strlen(athena_names[i][0]) == n && !memcmp(athena_names[i][0], lower, n))
			return athena_names[i][1];
	snprintf(buf, sizeof(buf), "%.*s", (int)(n < 63 ? n : 63), lower);
	return buf;
}

static json_t *struct_value(const char **p, const char *end, bool in_resources, int depth);

/* A scalar of Athena's rendering: up to ", name=" or the closing bracket of its level. */
static json_t *struct_scalar(const char **p, const char *end, char close)
{
	const char *s = *p, *q = s;

	while (q < end && *q != close) {
		if (*q == ',' && q + 1 < end && q[1] == ' ') {
			const char *k = q + 2;
			while (k < end && ((*k >= 'a' && *k <= 'z') || (*k >= '0' && *k <= '9') || *k == '_'))
				k++;
			if (close == ']' || (k < end && *k == '=' && k > q + 2))
				break;
		}
		q++;
	}
	*p = q;
	if (q - s == 4 && !memcmp(s, "null", 4))
		return json_null();
	return json_stringn(s, (size_t)(q - s));
}

/* {name=value, …} or [value, …]; *p at the bracket, on return past its partner. */
static json_t *struct_value(const char **p, const char *end, bool in_resources, int depth)
{
	const char *q = *p;
	json_t *v;

	if (depth > 16 || q >= end)
		return NULL;
	if (*q == '{') {
		v = json_object();
		q++;
		while (q < end && *q != '}') {
			const char *k = q, *eq = memchr(q, '=', (size_t)(end - q));
			json_t *m;
			if (!eq)
				goto bad;
			q = eq + 1;
			m = q < end && (*q == '{' || *q == '[') ? struct_value(&q, end, in_resources, depth + 1)
								 : struct_scalar(&q, end, '}');
			if (!m)
				goto bad;
			json_object_set_new(v, athena_name(k, (size_t)(eq - k), in_resources), m);
			if (q < end && *q == ',')
				q += q + 1 < end && q[1] == ' ' ? 2 : 1;
		}
	} else if (*q == '[') {
		v = json_array();
		q++;
		while (q < end && *q != ']') {
			json_t *m = *q == '{' || *q == '[' ? struct_value(&q, end, in_resources, depth + 1)
							   : struct_scalar(&q, end, ']');
			if (!m)
				goto bad;
			json_array_append_new(v, m);
			if (q < end && *q == ',')
				q += q + 1 < end && q[1] == ' ' ? 2 : 1;
		}
	} else {
		return NULL;
	}
	if (q >= end)
		goto bad;
	*p = q + 1;
	return v;
bad:
	json_decref(v);
	return NULL;
}

/* One row of Athena's table as a CloudTrail record; *why says what could not be read. */
static json_t *athena_record(const struct state *st, const char *const *cells, const size_t *lens, size_t n,
			     const char **why)
{
	json_t *rec = json_object();

	for (size_t c = 0; c < n && c < st->ncols; c++) {
		const char *col = st->cols[c], *v = cells[c];
		size_t len = lens[c];
		json_t *m = NULL;
		bool is_json = false;
		if (!len)
			continue; /* NULL */
		for (size_t k = 0; athena_json_cols[k]; k++)
			is_json |= !strcmp(col, athena_json_cols[k]);
		if (is_json) {
			m = json_loadb(v, len, JSON_DECODE_ANY, NULL);
			if (!m)
				m = json_stringn(v, len); /* keep what was there */
		} else if ((v[0] == '{' || v[0] == '[') &&
			   (!strcmp(col, "useridentity") || !strcmp(col, "resources") || !strcmp(col, "tlsdetails") ||
			    !strcmp(col, "addendum"))) {
			const char *p = v;
			m = struct_value(&p, v + len, !strcmp(col, "resources"), 0);
			if (!m) {
				*why = col;
				json_decref(rec);
				return NULL;
			}
		} else if (!strcmp(col, "readonly") || !strcmp(col, "managementevent") ||
			   !strcmp(col, "sessioncredentialfromconsole")) {
			m = len == 4 && !memcmp(v, "true", 4) ? json_true() : len == 5 && !memcmp(v, "false", 5) ? json_false()
												: json_stringn(v, len);
		} else {
			m = json_stringn(v, len);
		}
		if (m)
			json_object_set_new(rec, athena_name(col, strlen(col), false), m);
	}
	return rec;
}

/* The cells of one CSV row (RFC 4180 quoting), unquoted into `text`, NUL-separated. */
static size_t csv_cells(const uint8_t *d, size_t len, struct strbuf *text, size_t *offs, size_t *lens, size_t max)
{
	size_t i = 0, n = 0;

	strbuf_reset(text);
	strbuf_grow(text, len + max);
	while (i < len && n < max) {
		size_t start = text->len;
		if (d[i] == '\r' || d[i] == '\n')
			break;
		if (d[i] == '"') {
			for (i++; i < len; i++) {
				if (d[i] == '"' && i + 1 < len && d[i + 1] == '"')
					strbuf_addch(text, '"'), i++;
				else if (d[i] == '"')
					break;
				else
					strbuf_addch(text, (char)d[i]);
			}
			while (i < len && d[i] != ',' && d[i] != '\n')
				i++;
		} else {
			size_t s = i;
			while (i < len && d[i] != ',' && d[i] != '\n' && d[i] != '\r')
				i++;
			strbuf_add(text, d + s, i - s);
			while (i < len && d[i] != ',' && d[i] != '\n')
				i++;
		}
		offs[n] = start;
		lens[n] = text->len - start;
		strbuf_addch(text, '\0');
		n++;
		if (i < len && d[i] == ',')
			i++;
		else
			break;
	}
	return n;
}

static int csv_next(struct imp_ctx *ctx, struct state *st)
{
	struct reader *in = ctx->in;
	uint64_t offset = reader_offset(in);
	const uint8_t *d;
	size_t len, n, offs[ATHENA_MAX_COLS], lens[ATHENA_MAX_COLS];
	const char *cells[ATHENA_MAX_COLS];
	int r = csv_row(in, &len);
	bool found = false;

	if (r == -E2BIG) {
		imp_truncated(ctx, offset, "CSV row longer than %u bytes", READER_MAX);
		return 0;
	}
	if (r <= 0)
		return r;
	d = reader_data(in);
	n = csv_cells(d, len, &st->cells, offs, lens, ATHENA_MAX_COLS);
	for (size_t i = 0; i < n; i++)
		cells[i] = st->cells.buf + offs[i];
	if (offset == 0 && !st->ncols) {
		/* The header: remember the names; Athena's table has eventtime and useridentity. */
		bool has_time = false, has_ident = false;
		for (size_t i = 0; i < n; i++) {
			char *c = strndup(cells[i], lens[i]);
			for (char *p = c; p && *p; p++)
				if (*p >= 'A' && *p <= 'Z')
					*p = (char)(*p - 'A' + 'a');
			st->cols[st->ncols++] = c;
			has_time |= c && !strcmp(c, "eventtime");
			has_ident |= c && (!strcmp(c, "useridentity") || !strcmp(c, "eventsource"));
		}
		st->athena = has_time && has_ident;
		if (st->athena)
			imp_assume(ctx, "Athena CloudTrail table export: records rebuilt from its columns and struct rendering");
		reader_consume(in, len);
		return 1;
	}
	/* A cell holding the whole record as JSON (CloudTrail Lake, SELECT of a JSON column). */
	for (size_t i = 0; i < n && !found; i++) {
		if (lens[i] && cells[i][0] == '{') {
			json_t *v = jsonu_loadb(cells[i], lens[i], 0, NULL);
			if (json_is_object(v) && (json_object_get(v, "eventTime") || json_object_get(v, "eventName"))) {
				found = true;
				r = import_record(ctx, st, v, v, cells[i], lens[i], offset, ctx->events + ctx->skipped);
			}
			json_decref(v);
		}
	}
	if (!found && st->athena && n > 1) {
		const char *why = NULL;
		json_t *rec = athena_record(st, cells, lens, n, &why);
		if (!rec) {
			imp_skipped(ctx, offset, "Athena row: column %s is not in Athena's struct rendering", why ? why : "?");
		} else {
			size_t raw_len = len;
			while (raw_len && (d[raw_len - 1] == '\n' || d[raw_len - 1] == '\r'))
				raw_len--;
			found = true;
			r = import_record(ctx, st, rec, rec, d, raw_len, offset,
					  ctx->events + ctx->skipped);
			json_decref(rec);
		}
	} else if (!found && n > 0 && !(n == 1 && !lens[0])) {
		imp_skipped(ctx, offset, "CSV row holds no CloudTrail record as JSON");
	}
	reader_consume(in, len);
	return r < 0 ? r : 1;
}

static int next(struct imp_ctx *ctx, void *state)
{
	struct state *st = state;
	struct jframe_record rec;
	int r;

	if (st->csv) {
		r = csv_next(ctx, st);
		jsonu_arena_release();
		return r;
	}
	r = jframe_next(&st->frame, ctx->in, &rec);
	if (r == 0)
		return 0;
	if (r < 0) {
		report_frame_error(ctx, st);
		return st->frame.fatal ? 0 : 1;
	}
	r = parse_and_dispatch(ctx, st, rec.data, rec.len, rec.offset, rec.index, rec.container != NULL);
	jsonu_arena_release();
	if (r == -EBADMSG)
		return 0;
	return r < 0 ? r : 1;
}

const struct importer imp_cloudtrail = {
	.name = "aws_cloudtrail",
	.summary = "AWS CloudTrail logs: Records files (.json/.json.gz), JSON Lines, lookup-events, EventBridge, CSV",
	.version = "2",
	.probe = probe,
	.open = open_,
	.next = next,
	.close = close_,
};
