/* i64map: a hash map from int64 keys to int64 values (pids, process keys, row ids).
 *
 * Open addressing with linear probing; INT64_MIN is reserved as the empty key. Grows by
 * doubling at 50% load. Ownership: the map owns its slots; i64map_release frees them.
 */
#ifndef BS_I64MAP_H
#define BS_I64MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct i64map_slot {
	int64_t key;
	int64_t value;
};

struct i64map {
	struct i64map_slot *slots;
	size_t cap; /* a power of two, or 0 */
	size_t len;
};

void i64map_init(struct i64map *m);
void i64map_release(struct i64map *m);
/* Insert or replace. key must not be INT64_MIN. */
void i64map_put(struct i64map *m, int64_t key, int64_t value);
/* The value, or false when the key is absent. */
bool i64map_get(const struct i64map *m, int64_t key, int64_t *ret_value);
bool i64map_remove(struct i64map *m, int64_t key);

#endif
