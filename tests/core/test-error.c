/* SPDX-License-Identifier: BSD-3-Clause */
/* Status codes, the thread-local last error, and the log callback. */
#include <pthread.h>
#include <stdio.h>

#include "../test-common.h"
#include "core/error.h"
#include "core/log.h"

START_TEST(every_status_has_a_name_and_text)
{
	for (int s = 0; s >= NETSHARE_STATUS_MIN; s--) {
		ck_assert_str_ne(netshare_strerror(s), "unknown status");
		ck_assert_str_ne(netshare_status_name(s), "NETSHARE_UNKNOWN");
		ck_assert_msg(strncmp(netshare_status_name(s), "NETSHARE_", 9) == 0, "%d", s);
		for (int t = s + 1; t <= 0; t++)
			ck_assert_str_ne(netshare_status_name(s), netshare_status_name(t));
	}
	/* The values are ABI: pin them. */
	ck_assert_int_eq(NETSHARE_OK, 0);
	ck_assert_int_eq(NETSHARE_EINVAL, -2);
	ck_assert_int_eq(NETSHARE_EFORMAT, -5);
	ck_assert_int_eq(NETSHARE_ECORRUPT, -7);
	ck_assert_int_eq(NETSHARE_EABI, -10);
	ck_assert_int_eq(NETSHARE_ENUMERIC, -12);
	ck_assert_str_eq(netshare_strerror(NETSHARE_EINVAL), "invalid argument");
	ck_assert_str_eq(netshare_status_name(NETSHARE_ECORRUPT), "NETSHARE_ECORRUPT");
}
END_TEST

START_TEST(unknown_status_is_named_unknown)
{
	const int unknown[] = { 1, 77, NETSHARE_STATUS_MIN - 1, -1000, 1 << 30 };
	for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
		ck_assert_str_eq(netshare_strerror(unknown[i]), "unknown status");
		ck_assert_str_eq(netshare_status_name(unknown[i]), "NETSHARE_UNKNOWN");
	}
}
END_TEST

START_TEST(last_error_records_and_clears)
{
	ck_assert_ptr_nonnull(netshare_last_error());
	netshare_clear_error();
	ck_assert_str_eq(netshare_last_error(), "");
	ck_assert_int_eq(netshare__error(NETSHARE_EFORMAT, "f.pcap: packet %d", 12),
	                 NETSHARE_EFORMAT);
	ck_assert_str_eq(netshare_last_error(), "f.pcap: packet 12");
	ck_assert_int_eq(netshare__error_prefix(NETSHARE_EFORMAT, "in %s", "x"),
	                 NETSHARE_EFORMAT);
	ck_assert_str_eq(netshare_last_error(), "in x: f.pcap: packet 12");
	netshare_clear_error();
	ck_assert_str_eq(netshare_last_error(), "");
}
END_TEST

START_TEST(long_messages_are_cut_not_overflowed)
{
	char big[3 * NETSHARE__ERROR_MAX];
	memset(big, 'a', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	netshare__error(NETSHARE_EINVAL, "%s", big);
	const char *msg = netshare_last_error();
	ck_assert_uint_eq(strlen(msg), NETSHARE__ERROR_MAX - 1);
	ck_assert_str_eq(msg + strlen(msg) - 3, "...");
	/* Prefixing a full message stays within bounds too. */
	netshare__error_prefix(NETSHARE_EINVAL, "%s", big);
	ck_assert_uint_eq(strlen(netshare_last_error()), NETSHARE__ERROR_MAX - 1);
}
END_TEST

START_TEST(oom_and_errno_messages)
{
	ck_assert_int_eq(netshare__error_oom("flow table"), NETSHARE_ENOMEM);
	ck_assert_str_eq(netshare_last_error(), "flow table: out of memory");
	ck_assert_int_eq(netshare__error_oom(NULL), NETSHARE_ENOMEM);
	ck_assert_str_eq(netshare_last_error(), "out of memory");
	ck_assert_int_eq(netshare__error_errno(NETSHARE_EIO, 2, "cannot open %s", "x.pcap"),
	                 NETSHARE_EIO);
	ck_assert_str_eq(netshare_last_error(), "cannot open x.pcap: No such file or directory");
}
END_TEST

struct thread_case {
	const char *mine;
	pthread_barrier_t *barrier;
	char seen_before[64];
	char seen_after[64];
};

static void *
thread_sets_own_error(void *p)
{
	struct thread_case *tc = p;
	snprintf(tc->seen_before, sizeof tc->seen_before, "%s", netshare_last_error());
	netshare__error(NETSHARE_EINVAL, "%s", tc->mine);
	/* Both threads have now set their message before either reads it back. */
	pthread_barrier_wait(tc->barrier);
	snprintf(tc->seen_after, sizeof tc->seen_after, "%s", netshare_last_error());
	pthread_barrier_wait(tc->barrier);
	return NULL;
}

START_TEST(last_error_is_per_thread)
{
	pthread_barrier_t barrier;
	pthread_barrier_init(&barrier, NULL, 2);
	netshare__error(NETSHARE_EIO, "main thread message");
	struct thread_case a = { .mine = "error of thread A", .barrier = &barrier };
	struct thread_case b = { .mine = "error of thread B", .barrier = &barrier };
	pthread_t ta, tb;
	ck_assert_int_eq(pthread_create(&ta, NULL, thread_sets_own_error, &a), 0);
	ck_assert_int_eq(pthread_create(&tb, NULL, thread_sets_own_error, &b), 0);
	pthread_join(ta, NULL);
	pthread_join(tb, NULL);
	pthread_barrier_destroy(&barrier);
	ck_assert_str_eq(a.seen_before, "");
	ck_assert_str_eq(b.seen_before, "");
	ck_assert_str_eq(a.seen_after, "error of thread A");
	ck_assert_str_eq(b.seen_after, "error of thread B");
	ck_assert_str_eq(netshare_last_error(), "main thread message");
}
END_TEST

struct log_capture {
	int calls;
	int last_level;
	char last[128];
};

static void
capture_log(int level, const char *message, void *user)
{
	struct log_capture *c = user;
	c->calls++;
	c->last_level = level;
	snprintf(c->last, sizeof c->last, "%s", message);
}

START_TEST(log_callback_filters_by_level)
{
	struct log_capture cap = { 0 };
	netshare__log(NETSHARE_LOG_ERROR, "nobody listens");
	ck_assert_ok(netshare_log_set(capture_log, NETSHARE_LOG_INFO, &cap));
	netshare__log(NETSHARE_LOG_WARN, "dropped %d flows", 3);
	ck_assert_int_eq(cap.calls, 1);
	ck_assert_int_eq(cap.last_level, NETSHARE_LOG_WARN);
	ck_assert_str_eq(cap.last, "dropped 3 flows");
	netshare__log(NETSHARE_LOG_DEBUG, "too detailed");
	ck_assert_int_eq(cap.calls, 1);
	netshare__log(NETSHARE_LOG_INFO, "chunks: %d", 10);
	ck_assert_int_eq(cap.calls, 2);

	/* A bad level is rejected and the old callback stays. */
	ck_assert_status(netshare_log_set(NULL, 9, NULL), NETSHARE_EINVAL);
	ck_assert_error_contains("max_level 9");
	ck_assert_status(netshare_log_set(NULL, -1, NULL), NETSHARE_EINVAL);
	netshare__log(NETSHARE_LOG_ERROR, "still here");
	ck_assert_int_eq(cap.calls, 3);

	ck_assert_ok(netshare_log_set(NULL, NETSHARE_LOG_DEBUG, NULL));
	netshare__log(NETSHARE_LOG_ERROR, "off");
	ck_assert_int_eq(cap.calls, 3);
}
END_TEST

NETSHARE_TEST_MAIN("core-error",
	every_status_has_a_name_and_text,
	unknown_status_is_named_unknown,
	last_error_records_and_clears,
	long_messages_are_cut_not_overflowed,
	oom_and_errno_messages,
	last_error_is_per_thread,
	log_callback_filters_by_level)
