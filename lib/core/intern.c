/* SPDX-License-Identifier: BSD-3-Clause */
/* Interning table: a byte arena plus an open-addressing hash of ids (see intern.h). */
#include "intern.h"

#include <string.h>

#include "alloc.h"
#include "error.h"

static uint64_t
hash_bytes(const void *key, size_t len)
{
	/* FNV-1a, then a final avalanche so the low bits used for slots are well mixed. */
	const unsigned char *p = key;
	uint64_t h = 0xcbf29ce484222325ULL;
	for (size_t i = 0; i < len; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	return h ^ (h >> 33);
}

void
netshare__intern_free(netshare__intern *t)
{
	netshare__free(t->arena);
	netshare__free(t->offset);
	netshare__free(t->length);
	netshare__free(t->slots);
	memset(t, 0, sizeof *t);
}

static int
same(const netshare__intern *t, uint32_t id, const void *key, size_t len)
{
	return t->length[id] == len && memcmp(t->arena + t->offset[id], key, len) == 0;
}

int64_t
netshare__intern_find(const netshare__intern *t, const void *key, size_t len)
{
	if (t->n_slots == 0)
		return -1;
	size_t mask = t->n_slots - 1;
	for (size_t s = hash_bytes(key, len) & mask;; s = (s + 1) & mask) {
		uint32_t v = t->slots[s];
		if (v == 0)
			return -1;
		if (same(t, v - 1, key, len))
			return v - 1;
	}
}

static netshare_status
rehash(netshare__intern *t, size_t n_slots)
{
	uint32_t *slots = netshare__calloc(n_slots, sizeof *slots);
	if (!slots)
		return netshare__error_oom("intern table");
	size_t mask = n_slots - 1;
	for (size_t id = 0; id < t->n; id++) {
		size_t s = hash_bytes(t->arena + t->offset[id], t->length[id]) & mask;
		while (slots[s])
			s = (s + 1) & mask;
		slots[s] = (uint32_t)id + 1;
	}
	netshare__free(t->slots);
	t->slots = slots;
	t->n_slots = n_slots;
	return NETSHARE_OK;
}

netshare_status
netshare__intern_add(netshare__intern *t, const void *key, size_t len, uint32_t *id)
{
	int64_t found = netshare__intern_find(t, key, len);
	if (found >= 0) {
		*id = (uint32_t)found;
		return NETSHARE_OK;
	}
	if (t->n >= (1u << 31) || len >= (1u << 31))
		return netshare__error(NETSHARE_EINVAL, "too many distinct values (limit 2^31)");
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		size_t *off = netshare__reallocarray(t->offset, cap, sizeof *off);
		if (!off)
			return netshare__error_oom("intern table");
		t->offset = off;
		uint32_t *ln = netshare__reallocarray(t->length, cap, sizeof *ln);
		if (!ln)
			return netshare__error_oom("intern table");
		t->length = ln;
		t->cap = cap;
	}
	if (t->arena_len + len + 1 > t->arena_cap) {
		size_t cap = t->arena_cap ? t->arena_cap : 256;
		while (cap < t->arena_len + len + 1)
			cap *= 2;
		char *a = netshare__reallocarray(t->arena, cap, 1);
		if (!a)
			return netshare__error_oom("intern table");
		t->arena = a;
		t->arena_cap = cap;
	}
	if (2 * (t->n + 1) > t->n_slots) {
		netshare_status st = rehash(t, t->n_slots ? t->n_slots * 2 : 32);
		if (st < 0)
			return st;
	}
	memcpy(t->arena + t->arena_len, key, len);
	t->arena[t->arena_len + len] = '\0';
	t->offset[t->n] = t->arena_len;
	t->length[t->n] = (uint32_t)len;
	t->arena_len += len + 1;
	size_t mask = t->n_slots - 1;
	size_t s = hash_bytes(key, len) & mask;
	while (t->slots[s])
		s = (s + 1) & mask;
	t->slots[s] = (uint32_t)t->n + 1;
	*id = (uint32_t)t->n++;
	return NETSHARE_OK;
}

const char *
netshare__intern_get(const netshare__intern *t, uint32_t id, size_t *len)
{
	if (len)
		*len = t->length[id];
	return t->arena + t->offset[id];
}
