/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: an interning table mapping byte strings to dense ids 0, 1, 2, ...
 *
 * Datasets keep labels, categorical values and IPv6 addresses once each and store a
 * 32-bit id per record: a column of ids is 4 bytes a row however long the value.
 */
#ifndef NETSHARE_CORE_INTERN_H
#define NETSHARE_CORE_INTERN_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/common.h>

typedef struct netshare__intern {
	char *arena;        /* values, each followed by a NUL byte */
	size_t arena_len, arena_cap;
	size_t *offset;     /* offset of value id in arena */
	uint32_t *length;   /* length of value id */
	size_t n, cap;      /* ids in use, allocated */
	uint32_t *slots;    /* open addressing: id + 1, 0 = empty */
	size_t n_slots;     /* power of two, at least 2 * n */
} netshare__intern;

/* An empty table needs no allocation: zero-initialise it. */
void netshare__intern_free(netshare__intern *t);

/* The id of `key` (len bytes), adding it if new. ENOMEM, or EINVAL past 2^31 values. */
netshare_status netshare__intern_add(netshare__intern *t, const void *key, size_t len,
                                     uint32_t *id);

/* The id of `key` or -1 if absent. */
int64_t netshare__intern_find(const netshare__intern *t, const void *key, size_t len);

/* The value of `id` (NUL-terminated; `len` may be NULL). Valid until the next add. */
const char *netshare__intern_get(const netshare__intern *t, uint32_t id, size_t *len);

#endif
