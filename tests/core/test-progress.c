/* SPDX-License-Identifier: BSD-3-Clause */
/* Progress reports: first and forced reports, rate limiting, cancellation. */
#include <math.h>

#include "../test-common.h"
#include "core/progress.h"

struct seen {
	int calls;
	int cancel_at;  /* cancel on this call number (0: never) */
	netshare_progress last;
};

static int
record(const netshare_progress *p, void *user)
{
	struct seen *s = user;
	s->calls++;
	s->last = *p;
	return s->cancel_at && s->calls >= s->cancel_at;
}

START_TEST(begin_reports_once_with_nan_losses)
{
	struct seen s = { 0 };
	netshare__progress p;
	ck_assert_ok(netshare__progress_begin(&p, record, &s, "read", -1, 100, 1000.0));
	ck_assert_int_eq(s.calls, 1);
	ck_assert_str_eq(s.last.stage, "read");
	ck_assert_int_eq(s.last.chunk, -1);
	ck_assert_uint_eq(s.last.done, 0);
	ck_assert_uint_eq(s.last.total, 100);
	ck_assert_uint_eq(s.last.struct_size, sizeof(netshare_progress));
	ck_assert(isnan(s.last.loss_d) && isnan(s.last.loss_g));
	ck_assert(isnan(s.last.loss_aux_d) && isnan(s.last.wasserstein));
	ck_assert(s.last.elapsed_s >= 0.0);
}
END_TEST

START_TEST(updates_are_rate_limited_unless_forced)
{
	struct seen s = { 0 };
	netshare__progress p;
	ck_assert_ok(netshare__progress_begin(&p, record, &s, "read", -1, 0, 1000.0));
	for (uint64_t i = 1; i <= 50; i++)
		ck_assert_ok(netshare__progress_update(&p, i, 0));
	ck_assert_int_eq(s.calls, 1);
	ck_assert_ok(netshare__progress_update(&p, 51, 1));
	ck_assert_int_eq(s.calls, 2);
	ck_assert_uint_eq(s.last.done, 51);

	/* Interval 0: every update reports. */
	struct seen t = { 0 };
	ck_assert_ok(netshare__progress_begin(&p, record, &t, "train", 3, 10, 0.0));
	for (uint64_t i = 1; i <= 10; i++)
		ck_assert_ok(netshare__progress_update(&p, i, 0));
	ck_assert_int_eq(t.calls, 11);
	ck_assert_int_eq(t.last.chunk, 3);

	/* A stage resumed after a checkpoint reports where it stands, not 0. */
	struct seen u = { 0 };
	ck_assert_ok(netshare__progress_begin_at(&p, record, &u, "train", 1, 200, 300, 0.0));
	ck_assert_int_eq(u.calls, 1);
	ck_assert_uint_eq(u.last.done, 200);
	ck_assert_uint_eq(u.last.total, 300);
}
END_TEST

START_TEST(nonzero_return_cancels)
{
	struct seen s = { .cancel_at = 3 };
	netshare__progress p;
	ck_assert_ok(netshare__progress_begin(&p, record, &s, "generate", -1, 9, 0.0));
	ck_assert_ok(netshare__progress_update(&p, 1, 0));
	ck_assert_status(netshare__progress_update(&p, 2, 0), NETSHARE_ECANCELED);
	ck_assert_error_contains("generate canceled");

	struct seen first = { .cancel_at = 1 };
	ck_assert_status(netshare__progress_begin(&p, record, &first, "eval", -1, 0, 0.0),
	                 NETSHARE_ECANCELED);
}
END_TEST

START_TEST(no_callback_is_a_no_op)
{
	netshare__progress p;
	ck_assert_ok(netshare__progress_begin(&p, NULL, NULL, "read", -1, 0, 0.0));
	ck_assert_ok(netshare__progress_update(&p, 5, 1));
}
END_TEST

NETSHARE_TEST_MAIN("core-progress",
	begin_reports_once_with_nan_losses,
	updates_are_rate_limited_unless_forced,
	nonzero_return_cancels,
	no_callback_is_a_no_op)
