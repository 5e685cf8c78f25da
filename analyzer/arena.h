/* arena: a bump allocator. Everything one condition compile (or one rule set) allocates comes
 * from one arena and is released in one arena_free call, so no compiled tree node is ever freed
 * on its own and no error path leaks.
 *
 * Ownership: an arena owns every block it handed out; arena_free accepts NULL. Allocation
 * failure aborts, as strbuf does.
 */
#ifndef BS_ARENA_H
#define BS_ARENA_H

#include <stddef.h>

struct arena;

struct arena *arena_new(void);
void arena_free(struct arena *a);
/* Zeroed, aligned for any type. */
void *arena_alloc(struct arena *a, size_t size);
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
