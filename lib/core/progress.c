/* SPDX-License-Identifier: BSD-3-Clause */
/* Progress reports: rate limiting, elapsed time, and cancellation by the callback. */
#include "progress.h"

#include <math.h>
#include <string.h>

#include "clock.h"
#include "error.h"

static netshare_status
report(netshare__progress *p, double now)
{
	p->last = now;
	p->info.elapsed_s = now - p->start;
	if (p->fn(&p->info, p->user) != 0)
		return netshare__error(NETSHARE_ECANCELED, "%s canceled by the progress callback "
		                       "at %llu of %llu", p->info.stage,
		                       (unsigned long long)p->info.done,
		                       (unsigned long long)p->info.total);
	return NETSHARE_OK;
}

netshare_status
netshare__progress_begin(netshare__progress *p, netshare_progress_fn fn, void *user,
                         const char *stage, int chunk, uint64_t total, double interval_s)
{
	return netshare__progress_begin_at(p, fn, user, stage, chunk, 0, total, interval_s);
}

netshare_status
netshare__progress_begin_at(netshare__progress *p, netshare_progress_fn fn, void *user,
                            const char *stage, int chunk, uint64_t done, uint64_t total,
                            double interval_s)
{
	memset(p, 0, sizeof *p);
	p->info.done = done;
	p->fn = fn;
	p->user = user;
	p->interval = interval_s;
	p->info.struct_size = sizeof p->info;
	p->info.stage = stage;
	p->info.chunk = chunk;
	p->info.total = total;
	p->info.loss_d = p->info.loss_aux_d = p->info.loss_g = p->info.wasserstein = NAN;
	p->start = netshare__now();
	if (!fn)
		return NETSHARE_OK;
	return report(p, p->start);
}

netshare_status
netshare__progress_update(netshare__progress *p, uint64_t done, int force)
{
	p->info.done = done;
	if (!p->fn)
		return NETSHARE_OK;
	double now = netshare__now();
	if (!force && now - p->last < p->interval)
		return NETSHARE_OK;
	return report(p, now);
}
