/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: monotonic time for progress reports and benchmarks. */
#ifndef NETSHARE_CORE_CLOCK_H
#define NETSHARE_CORE_CLOCK_H

/* Seconds on the monotonic clock (arbitrary origin). */
double netshare__now(void);

#endif
