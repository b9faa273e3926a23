/* SPDX-License-Identifier: BSD-3-Clause */
/* netshare_sampler: creation, options, writing to a file, what the last run did. */
#include "sampler.h"

#include <math.h>
#include <stddef.h>
#include <string.h>
#include <unistd.h>

#include "core/alloc.h"
#include "core/error.h"
#include "core/params.h"
#include "dg/model.h"

NETSHARE_API void
netshare_sample_params_init(netshare_sample_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->struct_size = sizeof *p;
	p->time_scale = 1.0;
	p->seed = 1;
	p->class_temperature = NETSHARE__DEFAULT_CLASS_TEMPERATURE;
	p->draw_partner_ports = p->cap_flow_lengths = p->payload_floors = 1;
	p->enforce_flow_counts = p->repick_ports = 1;
}

NETSHARE_API void
netshare_sample_params_raw(netshare_sample_params *p)
{
	if (!p)
		return;
	p->draw_partner_ports = p->cap_flow_lengths = p->payload_floors = 0;
	p->enforce_flow_counts = p->repick_ports = 0;
}

static netshare_status
check_params(const netshare_sample_params *p)
{
	if (p->flows > NETSHARE_SAMPLE_MAX_FLOWS)
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params.flows = %llu is more "
		                       "than %llu", (unsigned long long)p->flows,
		                       (unsigned long long)NETSHARE_SAMPLE_MAX_FLOWS);
	if (p->threads > NETSHARE__MAX_THREADS)
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params.threads = %u is more "
		                       "than %d", p->threads, NETSHARE__MAX_THREADS);
	if (!(p->time_scale > 0 && p->time_scale <= 1e6))
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params.time_scale = %g is "
		                       "outside (0, 1e6]", p->time_scale);
	if (!(p->class_temperature >= 0 && p->class_temperature <= NETSHARE_MAX_CLASS_TEMPERATURE))
		return netshare__error(NETSHARE_EINVAL, "netshare_sample_params.class_temperature = "
		                       "%g is outside [0, %g]", p->class_temperature,
		                       NETSHARE_MAX_CLASS_TEMPERATURE);
	return NETSHARE_OK;
}

/* Where the tags and the flow start sit in an attribute row. */
static void
find_offsets(netshare_sampler *s)
{
	s->start_tag = s->flow_start = -1;
	for (int c = 0; c < NETSHARE_MAX_CHUNKS; c++)
		s->chunk_tag[c] = -1;
	for (size_t k = 0; k < s->enc->attr.n_fields; k++) {
		const netshare__field *f = &s->enc->attr.field[k];
		if (f->source == SRC_TAG_START)
			s->start_tag = (long)f->offset;
		else if (f->source == SRC_TAG_CHUNK)
			s->chunk_tag[f->index] = (long)f->offset;
		else if (f->source == SRC_FLOW_START)
			s->flow_start = (long)f->offset;
		else if (f->source == SRC_SPORT && f->type == FIELD_W2V)
			s->sport_field = f;
		else if (f->source == SRC_DPORT && f->type == FIELD_W2V)
			s->dport_field = f;
		else if (f->source == SRC_PROTO)
			s->proto_field = f;
		else if (f->source == SRC_SPORT_CLASS)
			s->sport_class = f;
		else if (f->source == SRC_DPORT_CLASS)
			s->dport_class = f;
	}
}

NETSHARE_API netshare_status
netshare_sampler_new(netshare_sampler **out, const netshare_model *model,
                     const netshare_sample_params *params)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_sampler_new: out is NULL");
	*out = NULL;
	if (!model)
		return netshare__error(NETSHARE_EINVAL, "netshare_sampler_new: model is NULL");
	netshare_sample_params p;
	netshare_sample_params_init(&p);
	netshare_status st;
	/* Callers built before the sampling-step switches get them on, as before. */
	if (params && (st = netshare__params_copy(&p, sizeof p,
	                                          offsetof(netshare_sample_params,
	                                                   draw_partner_ports), params,
	                                          "netshare_sample_params")) < 0)
		return st;
	if ((st = check_params(&p)) < 0)
		return st;
	netshare_sampler *s = netshare__calloc(1, sizeof *s);
	if (!s)
		return netshare__error_oom("sampler");
	s->model = model;
	s->enc = model->enc;
	s->p = p;
	s->p.where = NULL; /* the caller's text, read here only */
	s->mpi_size = 1;
	if ((st = netshare__span_check(s)) < 0 ||
	    (st = netshare__where_parse(&s->where, s->enc, p.where)) < 0) {
		netshare__free(s);
		return st;
	}
	s->A = (size_t)model->shape.A;
	s->batch = NETSHARE__SAMPLE_BATCH;
	find_offsets(s);
	long cpus = sysconf(_SC_NPROCESSORS_ONLN);
	s->workers = p.threads ? p.threads : cpus > 0 ? (unsigned)cpus : 1;
	netshare__gen_shape shape = model->shape;
	shape.max_batch = s->batch;
	s->carried = netshare__calloc((size_t)s->enc->chunks, sizeof *s->carried);
	s->g = netshare__calloc(s->workers, sizeof *s->g);
	st = !s->carried || !s->g ? netshare__error_oom("sampler") : NETSHARE_OK;
	for (unsigned w = 0; w < s->workers && st == NETSHARE_OK; w++)
		st = netshare__generator_init(&s->g[w], &shape);
	if (st == NETSHARE_OK && s->sport_field)
		st = netshare__tail_init(&s->tail[0], s->enc, 0, s->sport_field, s->sport_class,
		                         s->dport_class);
	if (st == NETSHARE_OK && s->dport_field)
		st = netshare__tail_init(&s->tail[1], s->enc, 1, s->dport_field, s->dport_class,
		                         s->sport_class);
	if (st == NETSHARE_OK && s->p.repick_ports && s->sport_field)
		st = netshare__repick_init(&s->repick[0], &s->enc->w2v, s->sport_field);
	if (st == NETSHARE_OK && s->p.repick_ports && s->dport_field)
		st = netshare__repick_init(&s->repick[1], &s->enc->w2v, s->dport_field);
	if (st == NETSHARE_OK && s->workers > 1)
		st = netshare__pool_new(&s->pool, s->workers);
	if (st < 0) {
		netshare_sampler_free(s);
		return st;
	}
	*out = s;
	return NETSHARE_OK;
}

NETSHARE_API void
netshare_sampler_free(netshare_sampler *s)
{
	if (!s)
		return;
	for (int c = 0; s->carried && c < s->enc->chunks; c++)
		netshare__rows_free(&s->carried[c]);
	netshare__free(s->carried);
	netshare__intern_free(&s->seen);
	netshare__free(s->emitted);
	netshare__tail_free(&s->tail[0]);
	netshare__tail_free(&s->tail[1]);
	netshare__repick_free(&s->repick[0]);
	netshare__repick_free(&s->repick[1]);
	for (unsigned w = 0; s->g && w < s->workers; w++)
		netshare__generator_free(&s->g[w]);
	netshare__free(s->g);
	netshare__pool_free(s->pool);
	netshare__free(s);
}

NETSHARE_API netshare_status
netshare_sampler_write(netshare_sampler *s, const char *path, const netshare_write_params *params)
{
	if (!path || !*path)
		return netshare__error(NETSHARE_EINVAL, "netshare_sampler_write: path is NULL or "
		                       "empty");
	netshare_dataset *ds;
	netshare_status st = netshare_sampler_generate(&ds, s);
	if (st < 0)
		return st;
	st = netshare_dataset_write(ds, path, params);
	netshare_dataset_free(ds);
	return st;
}

NETSHARE_API netshare_status
netshare_sampler_info_get(const netshare_sampler *s, netshare_sample_info *info)
{
	if (!s || !info)
		return netshare__error(NETSHARE_EINVAL, "netshare_sampler_info_get: %s is NULL",
		                       s ? "info" : "sampler");
	netshare_status st = netshare__check_out_struct(info, "netshare_sample_info");
	if (st < 0)
		return st;
	netshare_sample_info filled, *caller = info;
	memset(&filled, 0, sizeof filled);
	filled.struct_size = sizeof filled;
	info = &filled;
	*info = s->info;
	info->struct_size = sizeof *info;
	netshare__out_struct_put(caller, &filled, sizeof filled);
	return NETSHARE_OK;
}
