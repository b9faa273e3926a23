/* SPDX-License-Identifier: BSD-3-Clause */
/* netshare_dataset_split_time: a trace cut in time into a training part and a held-out
 * part, the honest yardstick of DESIGN.md §8 (train on A, compare with B). */
#include <stdlib.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "dataset.h"

static int
by_value(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* A new dataset of ds's kind, source facts and extra columns, with no records. */
static netshare_status
empty_like(const netshare_dataset *ds, netshare_dataset **out)
{
	netshare_status st = netshare_dataset_new(out, ds->kind);
	if (st < 0)
		return st;
	netshare_dataset *p = *out;
	p->format = ds->format;
	p->link_type = ds->link_type;
	if (ds->label_column && !(p->label_column = netshare__strdup(ds->label_column)))
		return netshare__error_oom("dataset split");
	if (ds->column_map && !(p->column_map = netshare__strdup(ds->column_map)))
		return netshare__error_oom("dataset split");
	for (size_t x = 0; x < ds->n_extra && st == NETSHARE_OK; x++)
		st = netshare_dataset_add_extra(p, ds->extra[x].name, ds->extra[x].categorical);
	return st;
}

/* Facts that count frames rather than records: a part gets them where they hold for
 * every record of the whole (all or none truncated; checksums all good), else none. */
static void
carry_frame_facts(const netshare_dataset *whole, netshare_dataset *part)
{
	if (whole->n && whole->truncated_frames == whole->n)
		part->truncated_frames = part->n;
	if (whole->header_checksums && whole->bad_header_checksums == 0 &&
	    whole->header_checksums == whole->ipv4)
		part->header_checksums = part->ipv4;
}

NETSHARE_API netshare_status
netshare_dataset_split_time(const netshare_dataset *ds, double holdout,
                            netshare_dataset **first, netshare_dataset **rest)
{
	if (!first || !rest)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_split_time: %s is NULL",
		                       first ? "rest" : "first");
	*first = *rest = NULL;
	if (!ds)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_split_time: ds is NULL");
	if (!(holdout > 0 && holdout < 1))
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_split_time: the held-out "
		                       "share %g is not between 0 and 1 (exclusive)", holdout);
	if (ds->n < 2)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_split_time: %zu records "
		                       "cannot be split in two", ds->n);
	int64_t *t = netshare__mallocarray(ds->n, sizeof *t);
	if (!t)
		return netshare__error_oom("dataset split");
	memcpy(t, ds->time_ns, ds->n * sizeof *t);
	qsort(t, ds->n, sizeof *t, by_value);
	/* The (1 - holdout) quantile of record times: records before it train, the rest
	 * (ties included) are held out. */
	size_t k = (size_t)((1.0 - holdout) * (double)ds->n);
	if (k == 0)
		k = 1;
	int64_t cut = t[k < ds->n ? k : ds->n - 1];
	int64_t first_time = t[0];
	netshare__free(t);
	if (cut == first_time)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_split_time: every record "
		                       "up to the %g quantile has the first time stamp; no time "
		                       "splits the trace", 1.0 - holdout);
	netshare_dataset *part[2] = { NULL, NULL };
	netshare_status st = empty_like(ds, &part[0]);
	if (st == NETSHARE_OK)
		st = empty_like(ds, &part[1]);
	for (size_t i = 0; i < ds->n && st == NETSHARE_OK; i++)
		st = netshare__dataset_copy_row(part[ds->time_ns[i] >= cut], ds, i, NULL);
	if (st < 0) {
		netshare_dataset_free(part[0]);
		netshare_dataset_free(part[1]);
		return st;
	}
	carry_frame_facts(ds, part[0]);
	carry_frame_facts(ds, part[1]);
	*first = part[0];
	*rest = part[1];
	return NETSHARE_OK;
}
