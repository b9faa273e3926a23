/* SPDX-License-Identifier: BSD-3-Clause */
/* Allocation wrappers: overflow checks and failure injection, plus byte helpers. */
#include <stdint.h>

#include "../test-common.h"
#include "core/alloc.h"
#include "core/bytes.h"

START_TEST(overflowing_sizes_fail)
{
	ck_assert_ptr_null(netshare__mallocarray(SIZE_MAX / 2, 4));
	ck_assert_ptr_null(netshare__calloc(SIZE_MAX / 8 + 1, 16));
	void *p = netshare__malloc(8);
	ck_assert_ptr_nonnull(p);
	ck_assert_ptr_null(netshare__reallocarray(p, SIZE_MAX / 4, 8));
	netshare__free(p); /* a failed realloc leaves the block alive */
}
END_TEST

START_TEST(injected_failure_hits_the_nth_allocation)
{
	netshare__alloc_fail_after(3);
	void *a = netshare__malloc(16), *b = netshare__calloc(2, 8), *c = netshare__malloc(16);
	void *d = netshare__malloc(16);
	ck_assert_ptr_nonnull(a);
	ck_assert_ptr_nonnull(b);
	ck_assert_ptr_null(c);
	ck_assert_ptr_nonnull(d);  /* one failure, then back to normal */
	netshare__free(a);
	netshare__free(b);
	netshare__free(d);
	netshare__alloc_fail_after(1);
	ck_assert_ptr_null(netshare__strdup("x"));
	char *s = netshare__strdup("flow");
	ck_assert_str_eq(s, "flow");
	netshare__free(s);
}
END_TEST

START_TEST(byte_order_helpers)
{
	unsigned char b[8];
	netshare__put_le32(b, 0x11223344u);
	ck_assert_uint_eq(b[0], 0x44);
	ck_assert_uint_eq(netshare__le32(b), 0x11223344u);
	ck_assert_uint_eq(netshare__be32(b), 0x44332211u);
	netshare__put_be16(b, 0xABCD);
	ck_assert_uint_eq(b[0], 0xAB);
	ck_assert_uint_eq(netshare__be16(b), 0xABCD);
	ck_assert_uint_eq(netshare__le16(b), 0xCDAB);
	netshare__put_le64(b, 0x0102030405060708ULL);
	ck_assert_uint_eq(b[7], 0x01);
	ck_assert_uint_eq(netshare__le64(b), 0x0102030405060708ULL);
	netshare__put_lef32(b, -1.5f);
	ck_assert_uint_eq(netshare__le32(b), 0xBFC00000u);
	ck_assert(netshare__lef32(b) == -1.5f);
	netshare__put_be32(b, 0xC0A80001u);
	ck_assert_uint_eq(b[0], 192);
	ck_assert_uint_eq(b[3], 1);
}
END_TEST

NETSHARE_TEST_MAIN("core-alloc",
	overflowing_sizes_fail,
	injected_failure_hits_the_nth_allocation,
	byte_order_helpers)
