/* trail-verify: imported CloudTrail log files checked against the digest files imported with
 * them; see trail-verify.h for what is checked and how it is reported. */
#include <errno.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "termsafe.h"
#include "trail-verify.h"

#define MAX_FILE (16u << 20)

#define MAX_KEYS 64

struct trail_key {
	EVP_PKEY *pkey;
	char fingerprint[64]; /* hex, lower case; "" when the file did not say */
	char *origin;         /* file it came from */
};

struct trail_keys {
	struct trail_key keys[MAX_KEYS];
	size_t n;
};

struct digest {
	json_t *doc;
	char name[256]; /* last component of digestS3Object (else the evidence name), without ".gz" */
	char sha[65];   /* SHA-256 of the digest as delivered (uncompressed), from the ledger */
	const char *next_sig; /* previousDigestSignature of the digest that follows it (borrowed) */
	char *given_sig;      /* from --signatures */
};

/* The last component of a path without a ".gz" suffix: a downloaded log may be kept either way. */
static void base_name_into(const char *path, char *out, size_t size)
{
	const char *slash = path ? strrchr(path, '/') : NULL;
	size_t n;

	snprintf(out, size, "%s", path ? (slash ? slash + 1 : path) : "");
	n = strlen(out);
	if (n > 3 && !strcmp(out + n - 3, ".gz"))
		out[n - 3] = '\0';
}

/* Points into a static buffer. */
static const char *base_name(const char *path)
{
	static char buf[1024];

	if (!path)
		return NULL;
	base_name_into(path, buf, sizeof(buf));
	return buf;
}

/* The decompressed SHA-256 of the evidence whose file name is `name`, or NULL (copied to out). */
static bool find_hash(sqlite3_stmt *by_name, const char *name, char out[65])
{
	bool found = false;

	sqlite3_bind_text(by_name, 1, name, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(by_name) == SQLITE_ROW && sqlite3_column_text(by_name, 0)) {
		snprintf(out, 65, "%s", (const char *)sqlite3_column_text(by_name, 0));
		found = true;
	}
	sqlite3_reset(by_name);
	return found;
}

static void print_name(FILE *out, const char *label, const char *name, const char *detail)
{
	struct strbuf sb = STRBUF_INIT;

	strbuf_add_termsafe(&sb, name, strlen(name));
	fprintf(out, "%-8s %s%s%s\n", label, sb.buf, detail ? "  " : "", detail ? detail : "");
	strbuf_release(&sb);
}

/* --- keys and signature files ------------------------------------------------------------ */

static int read_file(const char *path, struct strbuf *out)
{
	FILE *f = fopen(path, "rb");
	char buf[65536];
	size_t n;

	if (!f)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), f)) > 0 && out->len < MAX_FILE)
		strbuf_add(out, buf, n);
	fclose(f);
	return out->len >= MAX_FILE ? -1 : 0;
}

/* Base64 (white space ignored) into out; false when it is not base64. */
static bool unbase64(const char *s, size_t len, struct strbuf *out)
{
	struct strbuf clean = STRBUF_INIT;
	unsigned char *bin;
	int n, pad = 0;
	bool ok = false;

	for (size_t i = 0; i < len; i++)
		if (s[i] != ' ' && s[i] != '\n' && s[i] != '\r' && s[i] != '\t')
			strbuf_addch(&clean, s[i]);
	if (!clean.len || clean.len % 4)
		goto out;
	for (size_t i = 0; i < clean.len; i++) {
		char c = clean.buf[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/' ||
		      (c == '=' && i >= clean.len - 2)))
			goto out;
	}
	pad = clean.buf[clean.len - 1] == '=' ? (clean.buf[clean.len - 2] == '=' ? 2 : 1) : 0;
	bin = malloc(clean.len / 4 * 3 + 1);
	if (!bin)
		goto out;
	n = EVP_DecodeBlock(bin, (const unsigned char *)clean.buf, (int)clean.len);
	if (n >= pad) {
		strbuf_add(out, bin, (size_t)(n - pad));
		ok = true;
	}
	free(bin);
out:
	strbuf_release(&clean);
	return ok;
}

/* An RSA public key from DER: SubjectPublicKeyInfo or PKCS#1 RSAPublicKey. */
static EVP_PKEY *key_from_der(const void *der, size_t len)
{
	const unsigned char *p = der;
	EVP_PKEY *k = d2i_PUBKEY(NULL, &p, (long)len);

	if (!k) {
		p = der;
		k = d2i_PublicKey(EVP_PKEY_RSA, NULL, &p, (long)len);
	}
	return k;
}

static int add_key(struct trail_key *keys, size_t *n, EVP_PKEY *k, const char *fingerprint, const char *origin)
{
	if (*n == MAX_KEYS) {
		EVP_PKEY_free(k);
		return -1;
	}
	keys[*n].pkey = k;
	snprintf(keys[*n].fingerprint, sizeof(keys[*n].fingerprint), "%s", fingerprint ? fingerprint : "");
	for (char *c = keys[*n].fingerprint; *c; c++)
		if (*c >= 'A' && *c <= 'F')
			*c = (char)(*c - 'A' + 'a');
	keys[*n].origin = strdup(origin);
	(*n)++;
	return 0;
}

/* Every key in one file; returns how many, or -1 (err says why). */
static int load_keys(const char *path, struct trail_key *keys, size_t *n, struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT, der = STRBUF_INIT;
	int found = 0;
	json_t *j = NULL;

	if (read_file(path, &body) < 0) {
		strbuf_addf(err, "cannot read public key file '%s'", path);
		goto out;
	}
	if ((j = json_loadb(body.buf, body.len, 0, NULL)) != NULL) {
		/* `aws cloudtrail list-public-keys` output, or one of its entries. */
		json_t *list = json_object_get(j, "PublicKeyList"), *one;
		size_t i;
		if (!list && json_is_object(j)) {
			list = json_array();
			json_array_append(list, j);
		} else
			json_incref(list);
		json_array_foreach(list, i, one) {
			const char *v = json_string_value(json_object_get(one, "Value"));
			EVP_PKEY *k;
			strbuf_reset(&der);
			if (!v || !unbase64(v, strlen(v), &der) || !(k = key_from_der(der.buf, der.len)))
				continue;
			if (add_key(keys, n, k, json_string_value(json_object_get(one, "Fingerprint")), path) == 0)
				found++;
		}
		json_decref(list);
	} else {
		/* PEM blocks, else base64 DER, else DER. */
		const char *p = body.buf;
		while ((p = strstr(p, "-----BEGIN ")) != NULL) {
			const char *start = strchr(p, '\n');
			const char *end = start ? strstr(start, "-----END ") : NULL;
			EVP_PKEY *k;
			if (!end)
				break;
			strbuf_reset(&der);
			if (unbase64(start, (size_t)(end - start), &der) && (k = key_from_der(der.buf, der.len)) &&
			    add_key(keys, n, k, NULL, path) == 0)
				found++;
			p = end + 9;
		}
		if (!found && !strstr(body.buf, "-----BEGIN ")) {
			EVP_PKEY *k = NULL;
			strbuf_reset(&der);
			if (unbase64(body.buf, body.len, &der))
				k = key_from_der(der.buf, der.len);
			if (!k)
				k = key_from_der(body.buf, body.len);
			if (k && add_key(keys, n, k, NULL, path) == 0)
				found++;
		}
	}
	if (!found)
		strbuf_addf(err, "no RSA public key in '%s' (PEM, DER, base64 DER or list-public-keys JSON expected)", path);
out:
	json_decref(j);
	strbuf_release(&body);
	strbuf_release(&der);
	return found ? found : -1;
}

/* "NAME HEX" lines: the digests' x-amz-meta-signature values. Returns 0 or -1. */
static int load_signatures(const char *path, struct digest *d, size_t nd, struct strbuf *err)
{
	struct strbuf body = STRBUF_INIT;
	char *line, *save = NULL;

	if (read_file(path, &body) < 0) {
		strbuf_addf(err, "cannot read signatures file '%s'", path);
		strbuf_release(&body);
		return -1;
	}
	for (line = strtok_r(body.buf, "\r\n", &save); line; line = strtok_r(NULL, "\r\n", &save)) {
		char name[256], *sp;
		while (*line == ' ' || *line == '\t')
			line++;
		if (!*line || *line == '#')
			continue;
		sp = strpbrk(line, " \t");
		if (!sp)
			continue;
		*sp++ = '\0';
		while (*sp == ' ' || *sp == '\t')
			sp++;
		sp[strcspn(sp, " \t")] = '\0';
		base_name_into(line, name, sizeof(name));
		for (size_t i = 0; i < nd; i++)
			if (!strcmp(d[i].name, name)) {
				free(d[i].given_sig);
				d[i].given_sig = strdup(sp);
			}
	}
	strbuf_release(&body);
	return 0;
}

static int hexval(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* Hex into bytes; false when it is not hex. */
static bool unhex(const char *s, struct strbuf *out)
{
	size_t n = strlen(s);

	if (!n || n % 2)
		return false;
	for (size_t i = 0; i < n; i += 2) {
		int hi = hexval(s[i]), lo = hexval(s[i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		strbuf_addch(out, (char)(hi << 4 | lo));
	}
	return true;
}

static bool rsa_sha256_verify(EVP_PKEY *k, const struct strbuf *msg, const struct strbuf *sig)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	bool ok = ctx && EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, k) == 1 &&
		  EVP_DigestVerify(ctx, (const unsigned char *)sig->buf, sig->len, (const unsigned char *)msg->buf,
				   msg->len) == 1;

	EVP_MD_CTX_free(ctx);
	return ok;
}

/* Check one digest's signature: 1 verified, 0 not checked, -1 bad. `why` says which. */
static int check_signature(const struct digest *d, const struct trail_key *keys, size_t nkeys, struct strbuf *why)
{
	const char *end = json_string_value(json_object_get(d->doc, "digestEndTime"));
	const char *bucket = json_string_value(json_object_get(d->doc, "digestS3Bucket"));
	const char *object = json_string_value(json_object_get(d->doc, "digestS3Object"));
	const char *alg = json_string_value(json_object_get(d->doc, "digestSignatureAlgorithm"));
	const char *fp = json_string_value(json_object_get(d->doc, "digestPublicKeyFingerprint"));
	json_t *prev = json_object_get(d->doc, "previousDigestSignature");
	const char *sig_hex = d->given_sig ? d->given_sig : d->next_sig;
	struct strbuf msg = STRBUF_INIT, sig = STRBUF_INIT;
	int rc = 0;
	bool fp_known = false;

	if (!sig_hex) {
		strbuf_addstr(why, "no signature: give it with --signatures (x-amz-meta-signature), or import the next digest");
		return 0;
	}
	if (d->given_sig && d->next_sig && strcasecmp(d->given_sig, d->next_sig)) {
		strbuf_addstr(why, "the signature given differs from the copy in the next digest's previousDigestSignature");
		return -1;
	}
	if (!nkeys) {
		strbuf_addstr(why, "no public key given (--public-key): signature not checked");
		return 0;
	}
	if (alg && strcmp(alg, "SHA256withRSA")) {
		strbuf_addf(why, "signature algorithm \"%.40s\" is not supported: not checked", alg);
		return 0;
	}
	if (!end || !bucket || !object) {
		strbuf_addstr(why, "digestEndTime, digestS3Bucket or digestS3Object missing: the signed string cannot be built");
		return -1;
	}
	if (!unhex(sig_hex, &sig)) {
		strbuf_addstr(why, "the signature is not hexadecimal");
		rc = -1;
		goto out;
	}
	strbuf_addf(&msg, "%s\n%s/%s\n%s\n%s", end, bucket, object, d->sha,
		    json_is_string(prev) ? json_string_value(prev) : "null");
	for (int pass = 0; pass < 2 && rc == 0; pass++) {
		/* First the keys whose fingerprint is the digest's, then those of unknown fingerprint. */
		for (size_t i = 0; i < nkeys; i++) {
			bool match = fp && keys[i].fingerprint[0] && !strcasecmp(fp, keys[i].fingerprint);
			if (match)
				fp_known = true;
			if (pass == 0 ? !match : keys[i].fingerprint[0] != '\0')
				continue;
			if (rsa_sha256_verify(keys[i].pkey, &msg, &sig)) {
				strbuf_addf(why, "signature ok (key %s%s%s)", keys[i].fingerprint[0] ? keys[i].fingerprint : "from ",
					    keys[i].fingerprint[0] ? "" : keys[i].origin, d->given_sig ? "" : ", signature from the next digest");
				rc = 1;
				break;
			}
		}
	}
	if (rc == 0) {
		bool any_unknown = false;
		for (size_t i = 0; i < nkeys; i++)
			any_unknown |= keys[i].fingerprint[0] == '\0';
		if (!fp_known && !any_unknown) {
			strbuf_addf(why, "no public key with fingerprint %s given: signature not checked", fp ? fp : "(none)");
		} else {
			strbuf_addstr(why, "signature does NOT verify: the digest was changed after CloudTrail signed it, or the "
					   "signature or key is not the trail's");
			rc = -1;
		}
	}
out:
	strbuf_release(&msg);
	strbuf_release(&sig);
	return rc;
}

/* --- the check ------------------------------------------------------------------------- */

struct trail_keys *trail_keys_new(void)
{
	return calloc(1, sizeof(struct trail_keys));
}

void trail_keys_free(struct trail_keys *k)
{
	if (!k)
		return;
	for (size_t i = 0; i < k->n; i++) {
		EVP_PKEY_free(k->keys[i].pkey);
		free(k->keys[i].origin);
	}
	free(k);
}

int trail_keys_load(struct trail_keys *k, const char *path, struct strbuf *err)
{
	return load_keys(path, k->keys, &k->n, err);
}

/* One verify-trail run: the case's statements, the digests read, where to print, the counts. */
struct run {
	struct casedb *cdb;
	const struct trail_keys *keys;
	FILE *out;
	struct trail_counts *c;
	sqlite3_stmt *docs, *by_name, *covered;
	struct digest *d;
	size_t nd, cap;
};

static int prepare_run(struct run *run, struct strbuf *err)
{
	struct casedb *cdb = run->cdb;

	if (casedb_exec(cdb, "CREATE TEMP TABLE IF NOT EXISTS covered (name TEXT PRIMARY KEY); DELETE FROM temp.covered",
			err) < 0 ||
	    casedb_prepare(cdb,
			   "SELECT d.body, e.name, coalesce(e.stream_sha256, e.sha256) FROM evidence_documents d"
			   " JOIN evidence e ON e.id = d.evidence_id WHERE d.kind = 'cloudtrail-digest'"
			   " ORDER BY json_extract(d.body, '$.digestEndTime'), e.id",
			   &run->docs, err) < 0 ||
	    /* Evidence names are paths as given: match their last component. */
	    casedb_prepare(cdb,
			   "SELECT coalesce(stream_sha256, sha256) FROM evidence WHERE status <> 'failed'"
			   " AND (name IN (?1, ?1 || '.gz') OR substr(name, -length(?1) - 1) = '/' || ?1"
			   " OR substr(name, -length(?1) - 4) = '/' || ?1 || '.gz') ORDER BY id LIMIT 1",
			   &run->by_name, err) < 0 ||
	    casedb_prepare(cdb, "INSERT OR IGNORE INTO temp.covered VALUES (?)", &run->covered, err) < 0)
		return -EIO;
	return 0;
}

static void release_run(struct run *run)
{
	for (size_t i = 0; i < run->nd; i++) {
		json_decref(run->d[i].doc);
		free(run->d[i].given_sig);
	}
	free(run->d);
	sqlite3_finalize(run->docs);
	sqlite3_finalize(run->by_name);
	sqlite3_finalize(run->covered);
}

/* Every digest document of the case, in digestEndTime order. */
static int read_digests(struct run *run)
{
	while (sqlite3_step(run->docs) == SQLITE_ROW) {
		json_t *doc = json_loads((const char *)sqlite3_column_text(run->docs, 0), 0, NULL);
		const char *own, *sha = (const char *)sqlite3_column_text(run->docs, 2);
		struct digest *d;
		if (!json_is_object(doc)) {
			json_decref(doc);
			continue;
		}
		if (run->nd == run->cap) {
			size_t cap = run->cap ? run->cap * 2 : 16;
			struct digest *grown = realloc(run->d, cap * sizeof(*grown));
			if (!grown) {
				json_decref(doc);
				return -ENOMEM;
			}
			run->d = grown;
			run->cap = cap;
		}
		d = &run->d[run->nd++];
		memset(d, 0, sizeof(*d));
		d->doc = doc;
		own = json_string_value(json_object_get(doc, "digestS3Object"));
		base_name_into(own ? own : (const char *)sqlite3_column_text(run->docs, 1), d->name, sizeof(d->name));
		snprintf(d->sha, sizeof(d->sha), "%s", sha ? sha : "");
	}
	return 0;
}

/* A digest's signature is also in the digest after it (previousDigestSignature). */
static void link_next_signatures(struct run *run)
{
	for (size_t i = 0; i < run->nd; i++) {
		const char *prev = json_string_value(json_object_get(run->d[i].doc, "previousDigestS3Object"));
		const char *sig = json_string_value(json_object_get(run->d[i].doc, "previousDigestSignature"));
		if (!prev || !sig)
			continue;
		for (size_t k = 0; k < run->nd; k++)
			if (k != i && !strcmp(run->d[k].name, base_name(prev)))
				run->d[k].next_sig = sig;
	}
}

static const char *doc_string(const struct digest *d, const char *key)
{
	return json_string_value(json_object_get(d->doc, key));
}

static void verify_signature(struct run *run, const struct digest *d)
{
	struct strbuf why = STRBUF_INIT;
	int s = check_signature(d, run->keys->keys, run->keys->n, &why);

	print_name(run->out, s > 0 ? "signed" : s < 0 ? "BADSIG" : "unsigned", d->name, why.buf);
	strbuf_release(&why);
	if (s > 0)
		run->c->sig_ok++;
	else if (s < 0)
		run->c->sig_bad++;
	else
		run->c->sig_unchecked++;
}

/* Each log file the digest names: in the case, with the SHA-256 the digest gives? */
static void verify_log_files(struct run *run, const struct digest *d)
{
	json_t *files = json_object_get(d->doc, "logFiles");
	char have[65];

	for (size_t i = 0; i < json_array_size(files); i++) {
		json_t *lf = json_array_get(files, i);
		const char *object = json_string_value(json_object_get(lf, "s3Object"));
		const char *want = json_string_value(json_object_get(lf, "hashValue"));
		char name[1024];
		if (!object || !want)
			continue;
		snprintf(name, sizeof(name), "%s", base_name(object));
		sqlite3_bind_text(run->covered, 1, name, -1, SQLITE_TRANSIENT);
		sqlite3_step(run->covered);
		sqlite3_reset(run->covered);
		if (!find_hash(run->by_name, name, have)) {
			run->c->missing++;
			print_name(run->out, "MISSING", name, "named by the digest, not in the case");
		} else if (strcasecmp(have, want)) {
			run->c->altered++;
			print_name(run->out, "ALTERED", name, "SHA-256 differs from the digest");
		} else {
			run->c->ok++;
			print_name(run->out, "ok", name, NULL);
		}
	}
}

/* The digest's link to the one before it (previousDigestHashValue). */
static void verify_chain(struct run *run, const struct digest *d)
{
	const char *prev_obj = doc_string(d, "previousDigestS3Object");
	const char *prev_hash = doc_string(d, "previousDigestHashValue");
	char name[1024], have[65];

	if (!prev_obj || !prev_hash || !*prev_hash)
		return;
	snprintf(name, sizeof(name), "%s", base_name(prev_obj));
	if (!find_hash(run->by_name, name, have)) {
		print_name(run->out, "chain", name, "previous digest not in the case: chain not checked");
	} else if (strcasecmp(have, prev_hash)) {
		run->c->broken++;
		print_name(run->out, "BROKEN", name, "previous digest's SHA-256 differs from previousDigestHashValue");
	} else {
		print_name(run->out, "chain", name, "previous digest ok");
	}
}

/* CloudTrail log files in the case that no digest covers. */
static void report_uncovered(struct run *run)
{
	sqlite3_stmt *logs = NULL, *seen = NULL;
	struct strbuf ignored = STRBUF_INIT;

	if (casedb_prepare(run->cdb, "SELECT name FROM evidence WHERE importer = 'aws_cloudtrail' AND events > 0 ORDER BY id",
			   &logs, &ignored) == 0 &&
	    casedb_prepare(run->cdb, "SELECT 1 FROM temp.covered WHERE name = ?", &seen, &ignored) == 0) {
		while (sqlite3_step(logs) == SQLITE_ROW) {
			const char *name = (const char *)sqlite3_column_text(logs, 0);
			sqlite3_bind_text(seen, 1, base_name(name), -1, SQLITE_TRANSIENT);
			if (sqlite3_step(seen) != SQLITE_ROW) {
				run->c->uncovered++;
				print_name(run->out, "nodigest", name, "imported, but no digest in the case covers it");
			}
			sqlite3_reset(seen);
		}
	}
	sqlite3_finalize(logs);
	sqlite3_finalize(seen);
	strbuf_release(&ignored);
}

int trail_verify(struct casedb *cdb, const struct trail_keys *keys, const char *sigfile, FILE *out,
		 struct trail_counts *c, struct strbuf *err)
{
	static const struct trail_keys no_keys;
	struct run run = { .cdb = cdb, .keys = keys ? keys : &no_keys, .out = out, .c = c };
	int r;

	memset(c, 0, sizeof(*c));
	if ((r = prepare_run(&run, err)) < 0 || (r = read_digests(&run)) < 0)
		goto out;
	link_next_signatures(&run);
	if (sigfile && (r = load_signatures(sigfile, run.d, run.nd, err)) < 0)
		goto out;
	for (size_t i = 0; i < run.nd; i++) {
		const struct digest *d = &run.d[i];
		fprintf(out, "digest   %s (%s .. %s)\n", d->name, doc_string(d, "digestStartTime") ?: "?",
			doc_string(d, "digestEndTime") ?: "?");
		verify_signature(&run, d);
		verify_log_files(&run, d);
		verify_chain(&run, d);
	}
	if (run.nd)
		report_uncovered(&run);
	c->digests = run.nd;
	fprintf(out,
		"%zu digest(s): %lu log file(s) ok, %lu altered, %lu missing, %lu chain link(s) broken, "
		"%lu imported log file(s) not covered; signatures: %lu ok, %lu bad, %lu not checked\n",
		run.nd, c->ok, c->altered, c->missing, c->broken, c->uncovered, c->sig_ok, c->sig_bad, c->sig_unchecked);
out:
	release_run(&run);
	return r;
}
