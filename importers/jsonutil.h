/* jsonutil: small helpers over jansson values shared by the JSON importers (CloudTrail,
 * Kubernetes audit, GuardDuty): parsing a record into a per-thread arena, dotted-path lookups,
 * writing a value into a `fields` object through jsonw's safe escaping, and redacting secrets in
 * place.
 *
 * The record arena. jansson mallocs every value, key and string of a record and frees each
 * again on json_decref: for a 1.5 KB CloudTrail record that is ~150 malloc/free pairs. Through
 * jansson's documented hook (json_set_alloc_funcs, installed once for the whole process before
 * main) jsonu_loadb parses into a bump arena owned by the calling thread; the values are used
 * and json_decref'd as usual, and jsonu_arena_release recycles the arena in one step when the
 * record is done. jansson itself still parses every byte.
 *   - The hook is global, so it is written for every jansson user in the process: an
 *     allocation is served from an arena only inside jsonu_loadb on the thread that called it;
 *     every other allocation (other threads, other modules, values a caller adds to a parsed
 *     tree afterwards) is malloc's, and free tells the two apart by address (the arenas are
 *     slots of one reserved address range), so no block ever reaches the wrong free.
 *   - Arenas are slots taken by a thread at its first jsonu_loadb and given back by
 *     jsonu_arena_release: several importer threads each get their own. With no slot left, an
 *     arena full (a record larger than JSONU_ARENA_SLOT), or the range not reservable, jansson
 *     simply gets malloc: the arena is a speed-up, never a limit.
 *   - Values parsed by jsonu_loadb must not outlive jsonu_arena_release on the same thread.
 *     Memory stays bounded: a slot's pages past the first MiB are returned to the system when
 *     a large record is released.
 *
 * Ownership: lookups return borrowed references (or NULL); nothing here takes a reference.
 */
#ifndef BS_JSONUTIL_H
#define BS_JSONUTIL_H

#include <jansson.h>
#include <stdbool.h>

#include "jsonw.h"
#include "strbuf.h"

#define JSONU_ARENA_SLOT (16u << 20)

/* json_loadb into the calling thread's record arena (see above); same contract as json_loadb. */
json_t *jsonu_loadb(const char *buf, size_t len, size_t flags, json_error_t *err);
/* json_loads of a NUL-terminated text, into the arena. */
json_t *jsonu_loads(const char *text, size_t flags, json_error_t *err);
/* The record is done: every value parsed since the last release has been json_decref'd. */
void jsonu_arena_release(void);

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
