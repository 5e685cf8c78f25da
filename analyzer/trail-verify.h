/* trail-verify: imported CloudTrail log files checked against the digest files imported with
 * them (CloudTrail log file integrity validation, userguide cloudtrail-log-file-validation-intro
 * and cloudtrail-log-file-custom-validation; reference/guardduty.md §6). `verify-trail` prints
 * the check; a package keeps it (data/report/cloudtrail-digests.txt).
 *
 * For each `cloudtrail-digest` document in the case (kept by the CloudTrail importer), every
 * entry of its logFiles[] is matched by file name (the last component of s3Object) to the
 * evidence ledger, and the SHA-256 CloudTrail recorded (of the uncompressed log) is compared
 * with the SHA-256 of the decompressed stream backsight read. The chain is checked the same
 * way: a digest's previousDigestHashValue against the imported previous digest file.
 *
 * Signatures (SHA256withRSA, PKCS#1 v1.5) are checked when a public key is given. The signed
 * string is "digestEndTime\ndigestS3Bucket/digestS3Object\nhex(SHA-256 of the uncompressed
 * digest)\npreviousDigestSignature" ("null" for the first digest of a chain). A digest's own
 * signature lives in S3 object metadata (x-amz-meta-signature), which a plain download loses, so
 * it is taken from, in this order: the signatures file (lines "NAME HEX", NAME the digest's file
 * name or S3 key, as recorded at acquisition), or the previousDigestSignature of the next digest
 * in the case (which CloudTrail copied there when it wrote that digest; that copy is only as
 * trustworthy as the next digest, whose own signature is checked the same way). When both are
 * present and differ, the digest is reported. Keys: PEM ("PUBLIC KEY" or "RSA PUBLIC KEY"), DER,
 * the base64 DER of one key, or the JSON output of `aws cloudtrail list-public-keys`
 * (PublicKeyList[].Value, .Fingerprint); a key whose fingerprint is known is used for the
 * digests naming that fingerprint (digestPublicKeyFingerprint), other keys are tried in turn.
 *
 * Reported per file: ok, ALTERED (hash differs), MISSING (named by a digest, not in the case);
 * per digest: chain ok, chain BROKEN (previous digest differs) or previous digest not in the
 * case; signed (verifies), BADSIG (does not verify with any key offered, or the two copies of
 * the signature differ), unsigned (no signature or no key: not checked); and CloudTrail log
 * files in the case that no digest covers.
 *
 * Ownership: trail_keys_new/trail_keys_free; trail_verify borrows everything.
 */
#ifndef BS_TRAIL_VERIFY_H
#define BS_TRAIL_VERIFY_H

#include <stddef.h>
#include <stdio.h>

#include "casedb.h"
#include "strbuf.h"

struct trail_keys;

struct trail_counts {
	size_t digests;
	unsigned long ok, altered, missing, broken, uncovered;
	unsigned long sig_ok, sig_bad, sig_unchecked;
};

struct trail_keys *trail_keys_new(void);
void trail_keys_free(struct trail_keys *k);
/* Add the public keys a file holds; a negative errno with err set when it holds none. */
int trail_keys_load(struct trail_keys *k, const char *path, struct strbuf *err);

/* Check the case's digests (keys may be NULL: signatures not checked; sigfile may be NULL),
 * one line per file and digest to `out`, then the summary line. 0, or a negative errno with
 * err set when the case cannot be read. Something altered, missing, broken or badly signed is
 * in the counts, not an error. */
int trail_verify(struct casedb *cdb, const struct trail_keys *keys, const char *sigfile, FILE *out,
		 struct trail_counts *counts, struct strbuf *err);

#endif
