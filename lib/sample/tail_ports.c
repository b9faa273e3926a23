/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ports of the "other" class: drawn from the ports the real flows of the other end's
 * service used, or from the role's other ports by corpus count.
 *
 * A port that is not one of its role's classes decodes from its word2vec vector to the
 * nearest rarer port. Vectors from a briefly trained generator cluster, so nearest-word
 * decoding maps thousands of flows onto a handful of ephemeral ports, which real traffic
 * spreads over thousands. Drawing among the nearest word's 32 nearest words helped, but
 * kept the cluster's bias: on caida-10k the destination port JSD stayed at 0.30 (the
 * marginal baseline: 0.19) because 63 % of its records have ports outside the classes.
 * So the sampler draws each "other" port from the role's non-class ports in proportion
 * to their word2vec corpus counts (records, as the evaluation weighs them), as the
 * marginal baseline draws every port: 0.22 on the same model. The GAN decides which
 * flows are "other" and everything else about them; the frequent services, where the
 * joint structure is, stay its class heads'. The corpus is the public one in DP mode.
 *
 * When the other end is a service and the encoder has the ports real flows used with
 * it (state v6, encode/service_stats.c), the port is drawn among those, by records:
 * a client port goes with the server port it was seen with, which the source and
 * destination port pairs of the evaluation measure (caida-10k srcport+dstport, same
 * synthetic trace redrawn: 0.52 -> 0.32).
 */
#include <string.h>

#include "core/alloc.h"
#include "core/error.h"
#include "sampler.h"

void
netshare__tail_free(netshare__tail *t)
{
	netshare__free(t->word);
	netshare__free(t->cum);
	netshare__free(t->partner_word);
	netshare__free(t->partner_cum);
	memset(t, 0, sizeof *t);
}

/* The word2vec row of port p of field f (ECORRUPT without one). */
static netshare_status
port_word(const netshare__field *f, uint32_t p, size_t *row)
{
	ptrdiff_t j = netshare__w2v_lookup(f->w2v, NETSHARE__W2V_WORD(NETSHARE__W2V_PORT, p));
	if (j < 0) /* choices come from the corpus the words were trained on */
		return netshare__error(NETSHARE_ECORRUPT, "model: port %u of %s has no word2vec "
		                       "vector", p, f->name);
	*row = (size_t)j;
	return NETSHARE_OK;
}

netshare_status
netshare__tail_init(netshare__tail *t, const netshare_encoder *e, int role,
                    const netshare__field *w2v_field, const netshare__field *class_field,
                    const netshare__field *other_class)
{
	memset(t, 0, sizeof *t);
	const netshare__word2vec *w = w2v_field->w2v;
	if (!class_field || w2v_field->n_choices == 0)
		return NETSHARE_OK; /* NetShare's encoding: nearest-word decoding only */
	const netshare__partner_ports *pp = &e->partner[role];
	size_t n = w2v_field->n_choices, m = pp->n_classes ? pp->start[pp->n_classes] : 0;
	t->word = netshare__mallocarray(n, sizeof *t->word);
	t->cum = netshare__mallocarray(n, sizeof *t->cum);
	t->partner_word = netshare__mallocarray(m ? m : 1, sizeof *t->partner_word);
	t->partner_cum = netshare__mallocarray(m ? m : 1, sizeof *t->partner_cum);
	if (!t->word || !t->cum || !t->partner_word || !t->partner_cum) {
		netshare__tail_free(t);
		return netshare__error_oom("sampler port tails");
	}
	netshare_status st = NETSHARE_OK;
	double total = 0;
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++) {
		if ((st = port_word(w2v_field, w2v_field->choices[i], &t->word[i])) < 0)
			break;
		total += (double)w->count[t->word[i]];
		t->cum[i] = total;
	}
	total = 0;
	for (size_t i = 0; i < m && st == NETSHARE_OK; i++) {
		st = port_word(w2v_field, pp->port[i], &t->partner_word[i]);
		total += (double)pp->records[i];
		t->partner_cum[i] = total;
	}
	if (st < 0) {
		netshare__tail_free(t);
		return st;
	}
	t->field = w2v_field;
	t->class_field = class_field;
	t->n = n;
	if (m && other_class && other_class->dim == pp->n_classes) {
		t->other_class = other_class;
		t->partner = pp;
	}
	return NETSHARE_OK;
}

/* The first of cum[lo .. hi) above u (cum ascending, u below cum[hi - 1]). */
static size_t
first_above(const double *cum, size_t lo, size_t hi, double u)
{
	hi--;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

netshare_status
netshare__tail_draw(const netshare__tail *t, float *rows, size_t n, size_t A,
                      netshare__rng *rng)
{
	if (!t->field)
		return NETSHARE_OK;
	const netshare__field *f = t->field, *cf = t->class_field;
	const netshare__word2vec *w = f->w2v;
	size_t dim = (size_t)w->dim;
	for (size_t i = 0; i < n; i++) {
		if (netshare__field_argmax(cf, rows + i * A + cf->offset) + 1 != cf->dim)
			continue; /* a class port: nothing to draw */
		size_t word;
		const netshare__partner_ports *p = t->partner;
		size_t c = p ? netshare__field_argmax(t->other_class,
		                                      rows + i * A + t->other_class->offset) : 0;
		if (p && p->start[c] < p->start[c + 1]) {
			double base = p->start[c] ? t->partner_cum[p->start[c] - 1] : 0;
			double u = base + netshare__rng_uniform(rng) *
			           (t->partner_cum[p->start[c + 1] - 1] - base);
			word = t->partner_word[first_above(t->partner_cum, p->start[c],
			                                   p->start[c + 1], u)];
		} else {
			double u = netshare__rng_uniform(rng) * t->cum[t->n - 1];
			word = t->word[first_above(t->cum, 0, t->n, u)];
		}
		memcpy(rows + i * A + f->offset, w->vec + word * dim, dim * sizeof *rows);
	}
	return NETSHARE_OK;
}
