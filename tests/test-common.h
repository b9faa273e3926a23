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

/* int main(void) running the suite built by `make_suite`. Check forks each test, so a
 * crash fails that test only; CK_FORK=no runs them in-process (for gdb and valgrind). */
#define NETSHARE_TEST_MAIN(make_suite)                                                    \
	int main(void)                                                                    \
	{                                                                                 \
		SRunner *sr = srunner_create(make_suite());                               \
		srunner_run_all(sr, CK_NORMAL);                                           \
		int failed = srunner_ntests_failed(sr);                                   \
		srunner_free(sr);                                                         \
		return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;                         \
	}

#endif
