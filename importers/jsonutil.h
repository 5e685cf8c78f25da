/* jsonutil: small helpers over jansson values shared by the JSON importers (CloudTrail,
 * Kubernetes audit, GuardDuty): dotted-path lookups, writing a value into a `fields` object
 * through jsonw's safe escaping, and redacting secrets in place.
 *
 * Ownership: lookups return borrowed references (or NULL); nothing here takes a reference.
 */
#ifndef BS_JSONUTIL_H
#define BS_JSONUTIL_H

#include <jansson.h>
#include <stdbool.h>

#include "jsonw.h"
#include "strbuf.h"

/* The value at a dotted path ("userIdentity.sessionContext.sessionIssuer.arn"), or NULL. */
json_t *jsonu_get(json_t *obj, const char *path);
/* Its string value when it is a non-empty string, else NULL. */
const char *jsonu_str(json_t *obj, const char *path);

/* Append a jansson value as JSON text (object keys in their order, strings escaped by jsonw). */
void jsonu_write(struct strbuf *sb, const json_t *v);
/* key: value into an object writer, when v is neither NULL nor JSON null. */
void jsonu_key_value(struct jsonw_obj *o, struct strbuf *sb, const char *key, const json_t *v);

/*
 * Replace, anywhere under v, string values of members named in `keys` (compared without case)
 * by "REDACTED". Values already hidden by the source (HIDDEN_DUE_TO_SECURITY_REASONS) are left
 * alone. Returns how many were replaced.
 */
int jsonu_redact(json_t *v, const char *const *keys);

/* Could the bytes hold a member named in `keys`? A fast pre-check before jsonu_redact. */
bool jsonu_may_hold(const void *data, size_t len, const char *const *keys);

#endif
