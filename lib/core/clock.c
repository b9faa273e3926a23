/* SPDX-License-Identifier: BSD-3-Clause */
#include "clock.h"

#include <time.h>

double
netshare__now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}
