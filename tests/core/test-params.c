/* SPDX-License-Identifier: BSD-3-Clause */
/* The struct_size convention: older, newer and garbage callers of a params struct. */
#include "../test-common.h"
#include "core/params.h"

/* What an old caller compiled against version 1 of a params struct sees ... */
typedef struct params_v1 {
	size_t struct_size;
	int a;
	double b;
} params_v1;

/* ... and what a newer library (or a newer caller) has: one field appended. */
typedef struct params_v2 {
	size_t struct_size;
	int a;
	double b;
	int c;
} params_v2;

static params_v2
defaults_v2(void)
{
	params_v2 d;
	memset(&d, 0, sizeof d);
	d.struct_size = sizeof d;
	d.a = 1;
	d.b = 2.5;
	d.c = 7;
	return d;
}

START_TEST(null_params_is_einval)
{
	params_v2 dst = defaults_v2();
	ck_assert_status(netshare__params_copy(&dst, sizeof dst, sizeof(params_v1), NULL, "p"),
	                 NETSHARE_EINVAL);
	ck_assert_error_contains("p is NULL");
}
END_TEST

START_TEST(garbage_sizes_are_eabi)
{
	params_v2 dst = defaults_v2();
	const size_t bad[] = { 0, sizeof(size_t), sizeof(params_v1) - 1, 4097, (size_t)-1 };
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		params_v2 src = defaults_v2();
		src.struct_size = bad[i];
		ck_assert_status(netshare__params_copy(&dst, sizeof dst, sizeof(params_v1), &src,
		                                       "netshare_x_params"), NETSHARE_EABI);
		ck_assert_error_contains("netshare_x_params: struct_size");
		ck_assert_error_contains("_params_init");
	}
	/* Nothing was copied on failure. */
	ck_assert_int_eq(dst.a, 1);
}
END_TEST

START_TEST(older_caller_keeps_new_defaults)
{
	params_v2 dst = defaults_v2();
	params_v1 old = { sizeof old, 42, -1.0 };
	ck_assert_ok(netshare__params_copy(&dst, sizeof dst, sizeof old, &old, "p"));
	ck_assert_int_eq(dst.a, 42);
	ck_assert_double_eq(dst.b, -1.0);
	ck_assert_int_eq(dst.c, 7);                   /* the field the caller lacks */
	ck_assert_uint_eq(dst.struct_size, sizeof dst);
}
END_TEST

START_TEST(newer_caller_with_defaulted_fields_is_accepted)
{
	/* Library knows v1; caller passes v2 with the new field zero (its default). */
	params_v1 dst = { sizeof dst, 1, 2.5 };
	params_v2 src;
	memset(&src, 0, sizeof src);
	src.struct_size = sizeof src;
	src.a = 5;
	src.b = 6.0;
	ck_assert_ok(netshare__params_copy(&dst, sizeof dst, sizeof dst, &src, "p"));
	ck_assert_int_eq(dst.a, 5);
	ck_assert_double_eq(dst.b, 6.0);
	ck_assert_uint_eq(dst.struct_size, sizeof dst);
}
END_TEST

START_TEST(newer_caller_using_new_fields_is_eabi)
{
	params_v1 dst = { sizeof dst, 1, 2.5 };
	params_v2 src;
	memset(&src, 0, sizeof src);
	src.struct_size = sizeof src;
	src.c = 3;
	ck_assert_status(netshare__params_copy(&dst, sizeof dst, sizeof dst, &src, "p"),
	                 NETSHARE_EABI);
	ck_assert_error_contains("newer libnetshare");
	ck_assert_int_eq(dst.a, 1);
}
END_TEST

NETSHARE_TEST_MAIN("core-params",
	null_params_is_einval,
	garbage_sizes_are_eabi,
	older_caller_keeps_new_defaults,
	newer_caller_with_defaulted_fields_is_accepted,
	newer_caller_using_new_fields_is_eabi)
