/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: rate-limited progress reporting with cancellation. */
#ifndef NETSHARE_CORE_PROGRESS_H
#define NETSHARE_CORE_PROGRESS_H

#include <netshare/common.h>

/* Default minimum time between two reports of a streaming stage (reading, generation):
 * ten a second is smooth for a progress bar and costs nothing. */
#define NETSHARE__PROGRESS_INTERVAL_S 0.1

typedef struct netshare__progress {
	netshare_progress_fn fn;  /* NULL: reporting is a no-op */
	void *user;
	netshare_progress info;   /* what the callback sees */
	double start;             /* netshare__now() at begin */
	double last;              /* time of the last report */
	double interval;          /* minimum seconds between non-forced reports */
} netshare__progress;

/* Start a stage and report it once (done = 0). Training fields are set to NaN.
 * Returns ECANCELED (with a message naming the stage) if the callback cancels. */
netshare_status netshare__progress_begin(netshare__progress *p, netshare_progress_fn fn,
                                         void *user, const char *stage, int chunk,
                                         uint64_t total, double interval_s);

/* The same for a stage that continues where an earlier call left off: the first report
 * says `done` (a training round resumed after a checkpoint), not 0, so that a caller
 * summing progress over chunks does not see it go back. */
netshare_status netshare__progress_begin_at(netshare__progress *p, netshare_progress_fn fn,
                                            void *user, const char *stage, int chunk,
                                            uint64_t done, uint64_t total, double interval_s);

/* Record `done` and report it if `force` or the interval has passed since the last
 * report. Returns ECANCELED if the callback returns non-zero. */
netshare_status netshare__progress_update(netshare__progress *p, uint64_t done, int force);

#endif
