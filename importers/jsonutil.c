/* jsonutil: the record arena, path lookups, writing and redaction over jansson values; see
 * jsonutil.h. */
#include "jsonutil.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>

#include "jsondump.h"

/* --- the record arena ------------------------------------------------------------------- */

#define ARENA_SLOTS 32u         /* threads parsing at the same time; more fall back to malloc */
#define ARENA_KEEP (1u << 20)   /* bytes of a slot kept resident between records */
#define ARENA_ALIGN 16u         /* malloc's alignment on the 64-bit targets */

struct arena {
	char *base;    /* this thread's slot while it holds one */
	unsigned slot;
	size_t used;
	bool routing;  /* inside jsonu_loadb: jansson's allocations come from the slot */
};

static pthread_once_t install_once = PTHREAD_ONCE_INIT;
static pthread_once_t reserve_once = PTHREAD_ONCE_INIT;
static json_malloc_t next_malloc = malloc;
static json_free_t next_free = free;
static _Atomic uintptr_t region;        /* the slots' address range, 0 when not reserved */
static _Atomic uint32_t busy_slots;     /* bit i: slot i is held by a thread */
static _Thread_local struct arena arena;

static void *arena_malloc(size_t n)
{
	struct arena *a = &arena;

	if (a->routing) {
		size_t need = (n + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
		if (need >= n && need <= JSONU_ARENA_SLOT - a->used) {
			void *p = a->base + a->used;
			a->used += need;
			return p;
		}
	}
	return next_malloc(n);
}

/* A block of an arena is recycled with its slot; anything else was next_malloc's. */
static void arena_free(void *p)
{
	uintptr_t base = atomic_load_explicit(&region, memory_order_acquire);

	if (base && (uintptr_t)p - base < (uintptr_t)ARENA_SLOTS * JSONU_ARENA_SLOT)
		return;
	next_free(p);
}

static void install(void)
{
	json_malloc_t m = NULL;
	json_free_t f = NULL;

	json_get_alloc_funcs(&m, &f);
	if (m && f && m != arena_malloc) {
		next_malloc = m;
		next_free = f;
	}
	json_set_alloc_funcs(arena_malloc, arena_free);
}

/* Before main, while the process has one thread: every jansson allocation goes through the
 * hook from the start (installing it later would be safe too, as free tells blocks apart by
 * address, but would race with other threads' reads of jansson's function pointers). */
__attribute__((constructor)) static void install_at_start(void)
{
	pthread_once(&install_once, install);
}

static void reserve(void)
{
	void *p = mmap(NULL, (size_t)ARENA_SLOTS * JSONU_ARENA_SLOT, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);

	if (p != MAP_FAILED)
		atomic_store_explicit(&region, (uintptr_t)p, memory_order_release);
}

static bool arena_acquire(struct arena *a)
{
	uintptr_t base;
	uint32_t busy;

	if (a->base)
		return true;
	pthread_once(&reserve_once, reserve);
	base = atomic_load_explicit(&region, memory_order_acquire);
	if (!base)
		return false;
	busy = atomic_load_explicit(&busy_slots, memory_order_relaxed);
	for (;;) {
		unsigned i = 0;
		while (i < ARENA_SLOTS && (busy & (1u << i)))
			i++;
		if (i == ARENA_SLOTS)
			return false;
		if (atomic_compare_exchange_weak_explicit(&busy_slots, &busy, busy | (1u << i), memory_order_acquire,
							  memory_order_relaxed)) {
			a->slot = i;
			a->base = (char *)base + (size_t)i * JSONU_ARENA_SLOT;
			a->used = 0;
			return true;
		}
	}
}

void jsonu_arena_release(void)
{
	struct arena *a = &arena;

	if (!a->base)
		return;
	if (a->used > ARENA_KEEP)
		madvise(a->base + ARENA_KEEP, a->used - ARENA_KEEP, MADV_DONTNEED);
	a->used = 0;
	a->base = NULL;
	atomic_fetch_and_explicit(&busy_slots, ~(1u << a->slot), memory_order_release);
}

json_t *jsonu_loadb(const char *buf, size_t len, size_t flags, json_error_t *err)
{
	struct arena *a = &arena;
	json_t *v;

	pthread_once(&install_once, install);
	a->routing = arena_acquire(a);
	v = json_loadb(buf, len, flags, err);
	a->routing = false;
	return v;
}

json_t *jsonu_loads(const char *text, size_t flags, json_error_t *err)
{
	return jsonu_loadb(text, strlen(text), flags, err);
}

/* --- lookups, writing, redaction ------------------------------------------------------------ */

json_t *jsonu_get(json_t *obj, const char *path)
{
	const char *p = path;

	while (obj && *p) {
		const char *dot = strchr(p, '.');
		size_t n = dot ? (size_t)(dot - p) : strlen(p);
		if (!json_is_object(obj))
			return NULL;
		obj = json_object_getn(obj, p, n);
		p += n + (dot ? 1 : 0);
	}
	return obj;
}

const char *jsonu_str(json_t *obj, const char *path)
{
	const char *s = json_string_value(jsonu_get(obj, path));

	return s && *s ? s : NULL;
}

void jsonu_write(struct strbuf *sb, const json_t *v)
{
	jsondump(sb, v, 0);
}

void jsonu_key_value(struct jsonw_obj *o, struct strbuf *sb, const char *key, const json_t *v)
{
	if (!v || json_is_null(v))
		return;
	jsonw_key(o, key);
	jsonu_write(sb, v);
}

static bool listed(const char *key, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		if (!strcasecmp(key, keys[i]))
			return true;
	return false;
}

int jsonu_redact(json_t *v, const char *const *keys)
{
	int n = 0;

	if (json_is_object(v)) {
		const char *key;
		json_t *m;
		json_object_foreach(v, key, m) {
			if (json_is_string(m) && listed(key, keys)) {
				if (strcmp(json_string_value(m), "HIDDEN_DUE_TO_SECURITY_REASONS") &&
				    strcmp(json_string_value(m), "REDACTED")) {
					json_string_set(m, "REDACTED");
					n++;
				}
			} else {
				n += jsonu_redact(m, keys);
			}
		}
	} else if (json_is_array(v)) {
		for (size_t i = 0; i < json_array_size(v); i++)
			n += jsonu_redact(json_array_get(v, i), keys);
	}
	return n;
}

bool jsonu_may_hold(const void *data, size_t len, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++) {
		size_t klen = strlen(keys[i]);
		/* Compare from the second byte: key names differ in the case of their first letter. */
		if (klen > 1 && memmem(data, len, keys[i] + 1, klen - 1))
			return true;
	}
	return false;
}
