/* redact: remove AWS secrets from text before it is stored (the loader, for every event's text
 * and raw record) or leaves the case (the evidence package's exports).
 *
 * What is a secret (DESIGN.md: "secret keys and session tokens ... redacted in every output; the
 * key id is kept"):
 *   - the value after a secret-bearing name: aws_secret_access_key, secret_access_key,
 *     SecretAccessKey, aws_session_token, session_token, sessionToken, SessionToken, Token,
 *     x-amz-security-token (any case; the name, then optional quotes or backslashes, then ':' or
 *     '=', then optional quotes) when the value is a run of 16 or more base64 characters;
 *   - a run of exactly 40 base64 characters that follows an access key id (AKIA…/ASIA…, 20
 *     characters) after up to 8 separator characters, as in a credentials CSV line.
 * The value becomes REDACTION_MARK; the name and the access key id stay.
 */
#ifndef BS_REDACT_H
#define BS_REDACT_H

#include <stdbool.h>
#include <stddef.h>

#include "strbuf.h"

#define REDACTION_MARK "[REDACTED]"

/* Whether `in` might hold a secret: false means redact_secrets would change nothing. A few
 * memchr scans, cheap enough to run on every string an import stores. */
bool redact_may_hold(const char *in, size_t len);

/* Append `in` to `out` with every secret replaced; returns how many values were replaced. */
size_t redact_secrets(const char *in, size_t len, struct strbuf *out);

#endif
