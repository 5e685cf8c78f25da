/* i64map: open-addressing int64 → int64 hash map; see i64map.h. */
#include "i64map.h"

#include <stdio.h>
#include <stdlib.h>

#define EMPTY INT64_MIN

void i64map_init(struct i64map *m)
{
	m->slots = NULL;
	m->cap = m->len = 0;
}

void i64map_release(struct i64map *m)
{
	free(m->slots);
	i64map_init(m);
}

static size_t hash(int64_t key)
{
	uint64_t x = (uint64_t)key;

	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	return (size_t)x;
}

static void grow(struct i64map *m)
{
	size_t cap = m->cap ? m->cap * 2 : 64;
	struct i64map_slot *slots = malloc(cap * sizeof(*slots)), *old = m->slots;
	size_t old_cap = m->cap;

	if (!slots) {
		fputs("backsight: out of memory\n", stderr);
		abort();
	}
	for (size_t i = 0; i < cap; i++)
		slots[i].key = EMPTY;
	m->slots = slots;
	m->cap = cap;
	m->len = 0;
	for (size_t i = 0; i < old_cap; i++)
		if (old[i].key != EMPTY)
			i64map_put(m, old[i].key, old[i].value);
	free(old);
}

void i64map_put(struct i64map *m, int64_t key, int64_t value)
{
	size_t i;

	if ((m->len + 1) * 2 > m->cap)
		grow(m);
	for (i = hash(key) & (m->cap - 1); m->slots[i].key != EMPTY; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key) {
			m->slots[i].value = value;
			return;
		}
	m->slots[i].key = key;
	m->slots[i].value = value;
	m->len++;
}

static struct i64map_slot *find(const struct i64map *m, int64_t key)
{
	if (!m->cap || key == EMPTY)
		return NULL;
	for (size_t i = hash(key) & (m->cap - 1); m->slots[i].key != EMPTY; i = (i + 1) & (m->cap - 1))
		if (m->slots[i].key == key)
			return &m->slots[i];
	return NULL;
}

bool i64map_get(const struct i64map *m, int64_t key, int64_t *ret_value)
{
	struct i64map_slot *s = find(m, key);

	if (!s)
		return false;
	if (ret_value)
		*ret_value = s->value;
	return true;
}

bool i64map_remove(struct i64map *m, int64_t key)
{
	struct i64map_slot *s = find(m, key);
	size_t i, j;

	if (!s)
		return false;
	/* Backward-shift deletion keeps every probe chain intact without tombstones. */
	i = (size_t)(s - m->slots);
	m->slots[i].key = EMPTY;
	m->len--;
	for (j = (i + 1) & (m->cap - 1); m->slots[j].key != EMPTY; j = (j + 1) & (m->cap - 1)) {
		size_t home = hash(m->slots[j].key) & (m->cap - 1);
		bool movable = i <= j ? (home <= i || home > j) : (home <= i && home > j);
		if (movable) {
			m->slots[i] = m->slots[j];
			m->slots[j].key = EMPTY;
			i = j;
		}
	}
	return true;
}
