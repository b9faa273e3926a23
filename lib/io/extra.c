/* SPDX-License-Identifier: BSD-3-Clause */
/* User-declared extra columns of flow datasets (see the "Extra columns" API group). */
#include <math.h>
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "dataset.h"

/* Names of built-in fields: an extra column may not shadow them in CSV output. */
static const char *const reserved[] = {
	"srcip", "dstip", "srcport", "dstport", "proto", "ts", "te", "td", "pkt", "byt",
	"type", "label",
};

int
netshare__dataset_extra_find(const netshare_dataset *ds, const char *name, size_t len)
{
	for (size_t i = 0; i < ds->n_extra; i++)
		if (strlen(ds->extra[i].name) == len && memcmp(ds->extra[i].name, name, len) == 0)
			return (int)i;
	return -1;
}

netshare_status
netshare__extra_grow(netshare__extra *e, size_t from, size_t cap)
{
	if (e->categorical) {
		uint32_t *p = netshare__reallocarray(e->cat, cap ? cap : 1, sizeof *p);
		if (!p)
			return netshare__error_oom("extra column");
		e->cat = p;
		memset(p + from, 0, (cap - from) * sizeof *p);
	} else {
		double *p = netshare__reallocarray(e->num, cap ? cap : 1, sizeof *p);
		if (!p)
			return netshare__error_oom("extra column");
		e->num = p;
		for (size_t i = from; i < cap; i++)
			p[i] = NAN;
	}
	return NETSHARE_OK;
}

NETSHARE_API size_t
netshare_dataset_extra_count(const netshare_dataset *ds)
{
	return ds ? ds->n_extra : 0;
}

NETSHARE_API const char *
netshare_dataset_extra_name(const netshare_dataset *ds, size_t col)
{
	return ds && col < ds->n_extra ? ds->extra[col].name : NULL;
}

NETSHARE_API int
netshare_dataset_extra_is_categorical(const netshare_dataset *ds, size_t col)
{
	return ds && col < ds->n_extra ? ds->extra[col].categorical : -1;
}

NETSHARE_API netshare_status
netshare_dataset_add_extra(netshare_dataset *ds, const char *name, int categorical)
{
	if (!ds || !name || !*name)
		return netshare__error(NETSHARE_EINVAL, "netshare_dataset_add_extra: %s",
		                       !ds ? "dataset is NULL" : "the column needs a name");
	if (ds->kind != NETSHARE_RECORDS_FLOWS)
		return netshare__error(NETSHARE_EINVAL, "extra column '%s': only flow datasets have "
		                       "extra columns", name);
	if (strpbrk(name, ",\t\r\n\":"))
		return netshare__error(NETSHARE_EINVAL, "extra column '%s': the name may not contain "
		                       "commas, tabs, quotes, colons or newlines", name);
	for (size_t i = 0; i < sizeof reserved / sizeof reserved[0]; i++)
		if (strcmp(name, reserved[i]) == 0)
			return netshare__error(NETSHARE_EINVAL, "extra column '%s': the name of a "
			                       "built-in field", name);
	if (netshare__dataset_extra_find(ds, name, strlen(name)) >= 0)
		return netshare__error(NETSHARE_EINVAL, "extra column '%s' declared twice", name);
	if (ds->n_extra == NETSHARE_MAX_EXTRA_COLUMNS)
		return netshare__error(NETSHARE_EINVAL, "extra column '%s': at most %d extra columns",
		                       name, NETSHARE_MAX_EXTRA_COLUMNS);
	netshare__extra *e = &ds->extra[ds->n_extra];
	memset(e, 0, sizeof *e);
	e->categorical = categorical != 0;
	e->name = netshare__strdup(name);
	netshare_status st = e->name ? netshare__extra_grow(e, 0, ds->cap)
	                             : netshare__error_oom("extra column name");
	if (st < 0) {
		netshare__free(e->name);
		netshare__free(e->num);
		netshare__free(e->cat);
		memset(e, 0, sizeof *e);
		return st;
	}
	ds->n_extra++;
	return NETSHARE_OK;
}

static netshare_status
check_cell(const netshare_dataset *ds, size_t row, size_t col, const char *fn)
{
	if (!ds)
		return netshare__error(NETSHARE_EINVAL, "%s: dataset is NULL", fn);
	if (col >= ds->n_extra)
		return netshare__error(NETSHARE_EINVAL, "%s: extra column %zu out of range (%zu "
		                       "columns)", fn, col, ds->n_extra);
	if (row >= ds->n)
		return netshare__error(NETSHARE_EINVAL, "%s: record %zu out of range (%zu records)",
		                       fn, row, ds->n);
	return NETSHARE_OK;
}

NETSHARE_API netshare_status
netshare_dataset_extra_get(const netshare_dataset *ds, size_t row, size_t col, double *number,
                           const char **text)
{
	netshare_status st = check_cell(ds, row, col, "netshare_dataset_extra_get");
	if (st < 0)
		return st;
	const netshare__extra *e = &ds->extra[col];
	if (number)
		*number = e->categorical ? NAN : e->num[row];
	if (text)
		*text = e->categorical && e->cat[row] ?
		        netshare__intern_get(&ds->strings, e->cat[row] - 1, NULL) : NULL;
	return NETSHARE_OK;
}

NETSHARE_API netshare_status
netshare_dataset_extra_set(netshare_dataset *ds, size_t row, size_t col, double number,
                           const char *text)
{
	netshare_status st = check_cell(ds, row, col, "netshare_dataset_extra_set");
	if (st < 0)
		return st;
	netshare__extra *e = &ds->extra[col];
	if (!e->categorical) {
		e->num[row] = number;
		return NETSHARE_OK;
	}
	uint32_t id = 0;
	if (text && (st = netshare__intern_add(&ds->strings, text, strlen(text), &id)) < 0)
		return st;
	e->cat[row] = text ? id + 1 : 0;
	return NETSHARE_OK;
}

netshare_status
netshare__dataset_declare_extras(netshare_dataset *ds, const char *spec)
{
	char buf[1024];
	if (strlen(spec) >= sizeof buf)
		return netshare__error(NETSHARE_EINVAL, "extra_columns is longer than %zu characters",
		                       sizeof buf - 1);
	memcpy(buf, spec, strlen(spec) + 1);
	char *save = NULL;
	for (char *item = strtok_r(buf, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *colon = strchr(item, ':');
		int categorical = 1;
		if (colon) {
			*colon = '\0';
			if (strcmp(colon + 1, "num") == 0)
				categorical = 0;
			else if (strcmp(colon + 1, "cat") != 0)
				return netshare__error(NETSHARE_EINVAL, "extra_columns: '%s:%s': the type "
				                       "is 'num' or 'cat'", item, colon + 1);
		}
		netshare_status st = netshare_dataset_add_extra(ds, item, categorical);
		if (st < 0)
			return netshare__error_prefix(st, "extra_columns");
	}
	return NETSHARE_OK;
}

netshare_status
netshare__dataset_copy_row(netshare_dataset *dst, const netshare_dataset *src, size_t i,
                           const netshare_record *rec)
{
	netshare_record r;
	if (!rec) {
		netshare_record_init(&r);
		netshare__dataset_row(src, i, &r);
		rec = &r;
	}
	netshare_status st = netshare__dataset_push(dst, rec);
	for (size_t x = 0; st == NETSHARE_OK && x < src->n_extra; x++) {
		const netshare__extra *e = &src->extra[x];
		const char *text = e->categorical && e->cat[i] ?
		                   netshare__intern_get(&src->strings, e->cat[i] - 1, NULL) : NULL;
		st = netshare_dataset_extra_set(dst, dst->n - 1, x, e->categorical ? 0 : e->num[i],
		                                text);
	}
	return st;
}
