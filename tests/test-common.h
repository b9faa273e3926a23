/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared helpers for the Check suites: one main() per suite, status assertions. */
#ifndef NETSHARE_TEST_COMMON_H
#define NETSHARE_TEST_COMMON_H

#include <check.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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

/* A fresh temporary directory for this test (removed by the OS's tmp cleaning; tests
 * remove what they create). The path is static storage; returns NULL on failure. */
static inline const char *
netshare_test_tmpdir(void)
{
	static char dir[256];
	const char *base = getenv("TMPDIR");
	snprintf(dir, sizeof dir, "%s/netshare-test-XXXXXX", base && *base ? base : "/tmp");
	return mkdtemp(dir);
}

/* dir/name into buf. */
static inline const char *
netshare_test_path(char *buf, size_t size, const char *dir, const char *name)
{
	snprintf(buf, size, "%s/%s", dir, name);
	return buf;
}

/* Write `text` to path; returns 0 on success. */
static inline int
netshare_test_write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return -1;
	size_t w = fwrite(data, 1, n, f);
	return fclose(f) == 0 && w == n ? 0 : -1;
}

/* Number of entries in a directory other than . and .. (to catch leftover temp files). */
static inline int
netshare_test_count_files(const char *dir)
{
	DIR *d = opendir(dir);
	int n = 0;
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d)) != NULL;)
		n += strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0;
	closedir(d);
	return n;
}

/* Where a test process notes that it skipped a part for want of data: Check forks each
 * test, so the note goes through a file the runner made (netshare_test_run). */
#define NETSHARE_TEST_SKIP_FILE_ENV "NETSHARE_TEST_SKIP_FILE"

static inline void
netshare_test_note_skip(const char *what)
{
	fprintf(stderr, "note: %s absent, part of this test skipped\n", what);
	const char *mark = getenv(NETSHARE_TEST_SKIP_FILE_ENV);
	FILE *f = mark ? fopen(mark, "a") : NULL;
	if (f) {
		fprintf(f, "%s\n", what);
		fclose(f);
	}
}

/* The shared real traces (../shared/data), or NULL when absent: the test then skips
 * that part, and the suite reports SKIP (exit 77) if nothing failed, so that a run
 * without the data does not pass as if everything had been tested. */
static inline const char *
netshare_test_data(char *buf, size_t size, const char *name)
{
	const char *dir = getenv("NETSHARE_TEST_DATA");
	if (!dir) {
		netshare_test_note_skip("NETSHARE_TEST_DATA");
		return NULL;
	}
	snprintf(buf, size, "%s/%s", dir, name);
	FILE *f = fopen(buf, "rb");
	if (!f) {
		netshare_test_note_skip(buf);
		return NULL;
	}
	fclose(f);
	return buf;
}

/* Seconds one test may take (CK_DEFAULT_TIMEOUT and CK_TIMEOUT_MULTIPLIER still apply). */
#define NETSHARE_TEST_TIMEOUT 120

/* The index of the first record in which a and b differ (labels compared as strings),
 * the shorter one's count if one ends first, or SIZE_MAX if they hold the same records
 * in the same order. */
static inline size_t
netshare_test_first_difference(const netshare_dataset *a, const netshare_dataset *b)
{
	size_t na = netshare_dataset_count(a), nb = netshare_dataset_count(b);
	netshare_record x, y;
	netshare_record_init(&x);
	netshare_record_init(&y);
	for (size_t i = 0; i < na && i < nb; i++) {
		ck_assert_ok(netshare_dataset_get(a, i, &x));
		ck_assert_ok(netshare_dataset_get(b, i, &y));
		if ((x.label || y.label) && !(x.label && y.label && strcmp(x.label, y.label) == 0))
			return i;
		x.label = y.label = NULL;
		if (memcmp(&x, &y, sizeof x) != 0)
			return i;
	}
	return na == nb ? SIZE_MAX : (na < nb ? na : nb);
}

static inline int
netshare_test_same_records(const netshare_dataset *a, const netshare_dataset *b)
{
	return netshare_test_first_difference(a, b) == SIZE_MAX;
}

/* The same records in the same order, or a failure that says where they differ. */
static inline void
netshare_test_assert_same_records(const netshare_dataset *a, const netshare_dataset *b, const char *what)
{
	ck_assert_uint_eq(netshare_dataset_count(a), netshare_dataset_count(b));
	size_t i = netshare_test_first_difference(a, b);
	if (i == SIZE_MAX)
		return;
	netshare_record x, y;
	netshare_record_init(&x);
	netshare_record_init(&y);
	ck_assert_ok(netshare_dataset_get(a, i, &x));
	ck_assert_ok(netshare_dataset_get(b, i, &y));
	ck_abort_msg("%s: record %zu differs (label '%s' vs '%s', time %lld vs %lld, proto %u vs %u, "
	             "dur %lld vs %lld)", what, i, x.label ? x.label : "(null)",
	             y.label ? y.label : "(null)", (long long)x.time_ns, (long long)y.time_ns,
	             x.protocol, y.protocol, (long long)x.duration_ns, (long long)y.duration_ns);
}

/* Monotonic seconds, for tests that bound how long a refusal may take. */
static inline double
netshare_test_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Exit status meson reads as "skipped". */
#define NETSHARE_TEST_EXIT_SKIP 77

static inline int
netshare_test_run(const char *name, const TTest *const *tests, size_t n)
{
	char mark[256];
	const char *base = getenv("TMPDIR");
	snprintf(mark, sizeof mark, "%s/netshare-test-skips-XXXXXX", base && *base ? base : "/tmp");
	int fd = mkstemp(mark);
	if (fd >= 0) {
		close(fd);
		setenv(NETSHARE_TEST_SKIP_FILE_ENV, mark, 1);
	}
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
	struct stat st;
	int skipped = fd >= 0 && stat(mark, &st) == 0 && st.st_size > 0;
	if (fd >= 0)
		unlink(mark);
	if (failed)
		return EXIT_FAILURE;
	if (skipped) {
		printf("%s: SKIP: parts of the suite need ../shared/data (see the notes above); "
		       "everything else passed\n", name);
		return NETSHARE_TEST_EXIT_SKIP;
	}
	return EXIT_SUCCESS;
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
