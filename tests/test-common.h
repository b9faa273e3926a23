/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers for the Check suites: one main() per suite, status assertions. */
#ifndef NETSHARE_TEST_COMMON_H
#define NETSHARE_TEST_COMMON_H

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include <netshare/netshare.h>

/* Assert a status and, for errors, that a message was recorded. */
#define ck_assert_status(expr, expected)                                                  \
	do {                                                                              \
		netshare_clear_error();                                                   \
		int st_ = (int)(expr);                                                    \
		ck_assert_msg(st_ == (int)(expected), "%s returned %s (%d), expected %s: %s", \
		              #expr, netshare_status_name(st_), st_,                      \
		              netshare_status_name(expected), netshare_last_error());     \
		if ((int)(expected) < 0)                                                  \
			ck_assert_msg(netshare_last_error()[0] != '\0',                   \
			              "%s failed without an error message", #expr);       \
	} while (0)

#define ck_assert_ok(expr) ck_assert_status(expr, NETSHARE_OK)

/* Assert the last error message contains `needle`. */
#define ck_assert_error_contains(needle)                                                  \
	ck_assert_msg(strstr(netshare_last_error(), (needle)) != NULL,                     \
	              "last error \"%s\" does not mention \"%s\"", netshare_last_error(),   \
	              (needle))

/* Seconds one test may take (CK_DEFAULT_TIMEOUT and CK_TIMEOUT_MULTIPLIER still apply). */
#define NETSHARE_TEST_TIMEOUT 120

static inline int
netshare_test_run(const char *name, const TTest *const *tests, size_t n)
{
	Suite *s = suite_create(name);
	TCase *tc = tcase_create(name);
	tcase_set_timeout(tc, NETSHARE_TEST_TIMEOUT);
	for (size_t i = 0; i < n; i++)
		_tcase_add_test(tc, tests[i], 0, 0, 0, 1);
	suite_add_tcase(s, tc);
	SRunner *sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* int main(void) running the listed START_TEST functions as the suite `name`. Check forks
 * each test, so a crash fails that test only; CK_FORK=no runs them in-process (gdb). */
#define NETSHARE_TEST_MAIN(name, ...)                                                     \
	int main(void)                                                                    \
	{                                                                                 \
		const TTest *const tests_[] = { __VA_ARGS__ };                            \
		return netshare_test_run(name, tests_, sizeof tests_ / sizeof tests_[0]); \
	}

#endif
