/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The HTML report: the metrics table, a CDF plot (inline SVG) per continuous quantity
 * with the real trace and every synthetic one, and bar charts of the most common values
 * of the categorical fields. One file, no script, no external asset: it opens offline.
 * Computed from the records through the public API.
 */
#include "html_report.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "report_floor.h"

#define PLOT_W 560
#define PLOT_H 260
#define MARGIN 48
#define CDF_POINTS 200
#define TOP_K 10

static const char *const colours[] = { "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e",
                                       "#8c564b", "#e377c2", "#17becf" };
#define REAL_COLOUR "#222222"

static void
html_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '"': fputs("&quot;", f); break;
		default: fputc(*s, f);
		}
	}
}

/* Flow index of a dataset by 5-tuple (open addressing): record counts and gaps. */
typedef struct flowkey {
	uint8_t k[40];
	uint64_t records;
	int64_t last_ns;
	int used;
} flowkey;

typedef struct flowmap {
	flowkey *slot;
	size_t cap, n;
} flowmap;

static void
key_of(const netshare_record *r, uint8_t k[40])
{
	memset(k, 0, 40);
	k[0] = r->ip_version;
	k[1] = r->protocol;
	memcpy(k + 2, &r->src_port, 2);
	memcpy(k + 4, &r->dst_port, 2);
	if (r->ip_version == 4) {
		memcpy(k + 8, &r->src_ip, 4);
		memcpy(k + 24, &r->dst_ip, 4);
	} else {
		memcpy(k + 8, r->src_ip6, 16);
		memcpy(k + 24, r->dst_ip6, 16);
	}
}

static flowkey *
flow_find(flowmap *m, const uint8_t k[40])
{
	uint64_t h = 1469598103934665603ULL;
	for (int i = 0; i < 40; i++)
		h = (h ^ k[i]) * 1099511628211ULL;
	for (size_t i = h & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->slot[i].used) {
			memcpy(m->slot[i].k, k, 40);
			m->slot[i].used = 1;
			m->n++;
			return &m->slot[i];
		}
		if (memcmp(m->slot[i].k, k, 40) == 0)
			return &m->slot[i];
	}
}

/* A named sample of values per dataset. */
typedef struct series {
	const char *name, *unit;
	double *v[1 + 64];
	size_t n[1 + 64];
} series;

enum { SER_SIZE, SER_TIME, SER_IAT, SER_FLOW_SIZE, SER_DURATION, SER_PACKETS, N_SERIES };

static int
by_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* Fill the series of dataset `d` (index in the plots). -1 without memory. */
static int
collect(const netshare_dataset *ds, int d, series *s, int flows)
{
	size_t n = netshare_dataset_count(ds);
	flowmap m = { NULL, 2, 0 };
	while (m.cap < 2 * n + 2) /* at most half full: probes stay short */
		m.cap *= 2;
	m.slot = calloc(m.cap, sizeof(flowkey));
	for (int k = 0; k < N_SERIES; k++) {
		s[k].v[d] = malloc((n + 1) * sizeof(double));
		s[k].n[d] = 0;
		if (!s[k].v[d]) {
			free(m.slot);
			return -1;
		}
	}
	if (!m.slot)
		return -1;
	netshare_record r;
	netshare_record_init(&r);
	int64_t t0 = 0;
	for (size_t i = 0; i < n; i++) {
		netshare_dataset_get(ds, i, &r);
		if (i == 0 || r.time_ns < t0)
			t0 = r.time_ns;
	}
	for (size_t i = 0; i < n; i++) {
		netshare_dataset_get(ds, i, &r);
		uint8_t k[40];
		key_of(&r, k);
		flowkey *f = flow_find(&m, k);
		if (f->records && r.time_ns >= f->last_ns)
			s[SER_IAT].v[d][s[SER_IAT].n[d]++] = (double)(r.time_ns - f->last_ns) * 1e-9;
		f->records++;
		f->last_ns = r.time_ns;
		s[SER_TIME].v[d][s[SER_TIME].n[d]++] = (double)(r.time_ns - t0) * 1e-9;
		s[SER_SIZE].v[d][s[SER_SIZE].n[d]++] = flows ? (double)r.bytes : r.ip_length;
		if (flows) {
			s[SER_DURATION].v[d][s[SER_DURATION].n[d]++] = (double)r.duration_ns * 1e-9;
			s[SER_PACKETS].v[d][s[SER_PACKETS].n[d]++] = (double)r.packets;
		}
	}
	for (size_t i = 0; i < m.cap; i++)
		if (m.slot[i].used)
			s[SER_FLOW_SIZE].v[d][s[SER_FLOW_SIZE].n[d]++] = (double)m.slot[i].records;
	free(m.slot);
	for (int k = 0; k < N_SERIES; k++)
		qsort(s[k].v[d], s[k].n[d], sizeof(double), by_double);
	return 0;
}

/* A CDF plot of one series over every dataset; log x axis when the values span more than
 * two decades. */
static void
cdf_plot(FILE *f, const series *s, int n_sets, const char *const *labels)
{
	double lo = INFINITY, hi = -INFINITY;
	for (int d = 0; d < n_sets; d++)
		if (s->n[d]) {
			lo = fmin(lo, s->v[d][0]);
			hi = fmax(hi, s->v[d][s->n[d] - 1]);
		}
	if (!(hi >= lo))
		return;
	int logx = lo >= 0 && hi > 0 && hi / fmax(lo, hi * 1e-9) > 100;
	double a = logx ? log10(fmax(lo, hi * 1e-6)) : lo, b = logx ? log10(hi) : hi;
	if (b <= a)
		b = a + 1;
	fprintf(f, "<figure><figcaption>%s (%s%s)</figcaption>\n"
	        "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" "
	        "role=\"img\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
	        s->name, s->unit, logx ? ", log scale" : "", PLOT_W, PLOT_H);
	int x0 = MARGIN, y0 = PLOT_H - MARGIN / 2 - 12, w = PLOT_W - MARGIN - 16, h = PLOT_H - MARGIN;
	fprintf(f, "<path d=\"M%d %d H%d M%d %d V%d\" stroke=\"#888\" fill=\"none\"/>\n", x0, y0,
	        x0 + w, x0, y0, y0 - h);
	fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\">%.4g</text>"
	        "<text x=\"%d\" y=\"%d\" font-size=\"11\" text-anchor=\"end\">%.4g</text>"
	        "<text x=\"4\" y=\"%d\" font-size=\"11\">1</text>"
	        "<text x=\"4\" y=\"%d\" font-size=\"11\">0</text>\n",
	        x0, y0 + 14, logx ? pow(10, a) : a, x0 + w, y0 + 14, logx ? pow(10, b) : b,
	        y0 - h + 4, y0);
	for (int d = 0; d < n_sets; d++) {
		if (!s->n[d])
			continue;
		fprintf(f, "<polyline fill=\"none\" stroke-width=\"2\" stroke=\"%s\" points=\"",
		        d ? colours[(d - 1) % 8] : REAL_COLOUR);
		for (int p = 0; p <= CDF_POINTS; p++) {
			size_t i = (size_t)((double)p / CDF_POINTS * (double)(s->n[d] - 1));
			double x = s->v[d][i];
			x = logx ? log10(fmax(x, pow(10, a))) : x;
			fprintf(f, "%.1f,%.1f ", x0 + (x - a) / (b - a) * w,
			        y0 - (double)(i + 1) / (double)s->n[d] * h);
		}
		fputs("\"/>\n", f);
	}
	for (int d = 0; d < n_sets; d++) {
		fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"11\" fill=\"%s\">", x0 + 8,
		        y0 - h + 14 + 13 * d, d ? colours[(d - 1) % 8] : REAL_COLOUR);
		html_text(f, labels[d]);
		fputs("</text>\n", f);
	}
	fputs("</svg></figure>\n", f);
}

/* Bar chart of the TOP_K most common values of a field in the real trace. */
static void
bar_chart(FILE *f, const char *title, const netshare_dataset *const *sets, int n_sets, int field)
{
	double *count[65];
	for (int d = 0; d < n_sets; d++) {
		count[d] = calloc(65536, sizeof(double));
		if (!count[d]) {
			while (d--)
				free(count[d]);
			return;
		}
		netshare_record r;
		netshare_record_init(&r);
		size_t n = netshare_dataset_count(sets[d]);
		for (size_t i = 0; i < n; i++) {
			netshare_dataset_get(sets[d], i, &r);
			count[d][field == 0 ? r.dst_port : field == 1 ? r.src_port : r.protocol] +=
				1.0 / (double)(n ? n : 1);
		}
	}
	int top[TOP_K], n_top = 0;
	for (; n_top < TOP_K; n_top++) {
		int best = -1;
		for (int v = 0; v < 65536; v++) {
			int taken = 0;
			for (int t = 0; t < n_top; t++)
				taken |= top[t] == v;
			if (!taken && count[0][v] > 0 && (best < 0 || count[0][v] > count[0][best]))
				best = v;
		}
		if (best < 0)
			break;
		top[n_top] = best;
	}
	double max = 0;
	for (int d = 0; d < n_sets; d++)
		for (int t = 0; t < n_top; t++)
			max = fmax(max, count[d][top[t]]);
	int x0 = MARGIN, y0 = PLOT_H - MARGIN / 2 - 12, h = PLOT_H - MARGIN;
	double group = (double)(PLOT_W - MARGIN - 16) / (n_top ? n_top : 1);
	double bw = group * 0.8 / n_sets;
	fprintf(f, "<figure><figcaption>%s: share of records, top %d values of the real trace"
	        "</figcaption>\n<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" "
	        "height=\"%d\" role=\"img\">\n<rect width=\"100%%\" height=\"100%%\" fill=\"#fff\"/>\n",
	        title, n_top, PLOT_W, PLOT_H);
	for (int t = 0; t < n_top; t++) {
		for (int d = 0; d < n_sets; d++) {
			double bh = max > 0 ? count[d][top[t]] / max * h : 0;
			fprintf(f, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
			        "fill=\"%s\"/>\n", x0 + t * group + d * bw, y0 - bh, bw, bh,
			        d ? colours[(d - 1) % 8] : REAL_COLOUR);
		}
		fprintf(f, "<text x=\"%.1f\" y=\"%d\" font-size=\"10\">%d</text>\n", x0 + t * group,
		        y0 + 12, top[t]);
	}
	fprintf(f, "<text x=\"4\" y=\"%d\" font-size=\"11\">%.2g</text></svg></figure>\n",
	        y0 - h + 4, max);
	for (int d = 0; d < n_sets; d++)
		free(count[d]);
}

/* The plain sentence of a group: which trace is closest to the held-out traffic. */
static void
closest_sentence(FILE *f, const cli_reports *c, const char *group)
{
	double g[64];
	int used, best = cli_group_closest(c, group, g, &used);
	if (best < 0)
		return;
	fprintf(f, "<tr class=\"closest\"><td colspan=\"%d\">Closest to the held-out real "
	        "traffic: <b>", 3 + c->n);
	html_text(f, c->names[best]);
	fprintf(f, "</b>: its distances are within %.2f&times; of the noise floor's, either "
	        "way (geometric mean over %d metric%s", g[best], used, used > 1 ? "s" : "");
	for (int k = 0; k < c->n; k++)
		if (k != best && k != c->floor) {
			fputs("; ", f);
			html_text(f, c->names[k]);
			fprintf(f, " %.2f&times;", g[k]);
		}
	fputs(").</td></tr>\n", f);
}

static void
metrics_table(FILE *f, const cli_reports *c)
{
	fputs("<table><tr><th>metric</th><th>kind</th><th>unit</th>", f);
	for (int k = 0; k < c->n; k++) {
		fputs(k == c->floor ? "<th class=\"floor\">noise floor: " : "<th>", f);
		html_text(f, c->names[k]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	const char *group = "";
	const char *notes[128];
	int n_notes = 0;
	netshare_metric m = { .struct_size = sizeof m };
	for (size_t i = 0; i < netshare_report_count(c->reports[0]); i++) {
		netshare_report_get(c->reports[0], i, &m);
		if (strcmp(m.group, group) != 0) {
			if (*group)
				closest_sentence(f, c, group);
			group = m.group;
			fprintf(f, "<tr class=\"group\"><td colspan=\"%d\">%s</td></tr>\n", 3 + c->n,
			        group);
		}
		fprintf(f, "<tr><td>%s</td><td>%s</td><td>%s</td>", m.name, m.kind, m.unit);
		for (int k = 0; k < c->n; k++) {
			netshare_report_get(c->reports[k], i, &m);
			fputs(k == c->floor ? "<td class=\"floor\">" : "<td>", f);
			if (isfinite(m.value)) {
				fprintf(f, "%.6g", m.value);
			} else {
				int j = 0;
				while (j < n_notes && strcmp(notes[j], m.note ? m.note : "") != 0)
					j++;
				if (j == n_notes && n_notes < 128)
					notes[n_notes++] = m.note ? m.note : "";
				fprintf(f, "n/a<sup>%d</sup>", j + 1);
			}
			double r = cli_floor_ratio(c, k, i);
			if (k != c->floor && !isnan(r))
				fprintf(f, " <small>(%.2f&times;)</small>", r);
			fputs("</td>", f);
		}
		fputs("</tr>\n", f);
	}
	if (*group)
		closest_sentence(f, c, group);
	fputs("</table>\n", f);
	if (n_notes) {
		fputs("<ol class=\"notes\">", f);
		for (int j = 0; j < n_notes; j++) {
			fputs("<li>n/a: ", f);
			html_text(f, *notes[j] ? notes[j] : "not computed");
			fputs("</li>", f);
		}
		fputs("</ol>\n", f);
	}
}

int
cli_write_html(const char *path, const netshare_dataset *real, netshare_dataset *const *syn,
               const cli_reports *c)
{
	const char *real_name = c->reference;
	const char *const *names = c->names;
	int n = c->n;
	if (n > 64)
		n = 64;
	size_t len = strlen(path) + 32;
	char *tmp = malloc(len);
	if (!tmp) {
		cli_error("out of memory");
		return CLI_EXIT_RUNTIME;
	}
	snprintf(tmp, len, "%s.tmp-%ld", path, (long)getpid());
	FILE *f = fopen(tmp, "w");
	if (!f) {
		cli_error("%s: %s", path, strerror(errno));
		free(tmp);
		return CLI_EXIT_RUNTIME;
	}
	int flows = netshare_dataset_kind(real) == NETSHARE_RECORDS_FLOWS;
	series s[N_SERIES];
	memset(s, 0, sizeof s);
	const char *titles[N_SERIES][2] = {
		{ flows ? "bytes per flow record" : "IP packet length", "bytes" },
		{ "time since the first record", "s" },
		{ "inter-arrival time within a flow", "s" },
		{ "flow size (records per 5-tuple)", "records" },
		{ "flow record duration", "s" }, { "packets per flow record", "packets" },
	};
	const netshare_dataset *sets[65];
	const char *labels[65];
	sets[0] = real;
	labels[0] = real_name;
	for (int k = 0; k < n; k++) {
		sets[k + 1] = syn[k];
		labels[k + 1] = names[k];
	}
	int ok = 1;
	for (int d = 0; d <= n && ok; d++)
		ok = collect(sets[d], d, s, flows) == 0;
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<title>netshare fidelity report</title>\n<style>\n"
	      "body{font-family:sans-serif;margin:2em;color:#222}"
	      "table{border-collapse:collapse;margin:1em 0}"
	      "td,th{border:1px solid #ccc;padding:2px 8px;text-align:right}"
	      "td:first-child{text-align:left}tr.group td{background:#eef;text-align:left;"
	      "font-weight:bold}tr.closest td{text-align:left;font-style:italic}"
	      "th.floor,td.floor{background:#f4f4f4}figure{display:inline-block;margin:0.5em}"
	      "figcaption{font-size:0.9em}\n</style></head><body>\n"
	      "<h1>Fidelity report</h1>\n<p>Real trace: <b>", f);
	html_text(f, real_name);
	fputs("</b>. Synthetic: ", f);
	for (int k = 0; k < n; k++) {
		fprintf(f, "%s<b style=\"color:%s\">", k == c->floor ? ". Held out: " : k ? ", " : "",
		        colours[k % 8]);
		html_text(f, names[k]);
		fputs("</b>", f);
	}
	fputs(".</p>\n<p>jsd: Jensen-Shannon divergence in nats (0 = same, ln 2 = 0.693 = "
	      "disjoint); emd: Wasserstein-1 distance in the unit shown; share: fraction in "
	      "0..1; error / relerr / rho: sketch heavy-hitter errors, their relative "
	      "difference, Spearman's rank correlation.</p>\n<h2>Metrics</h2>\n", f);
	if (c->floor >= 0) {
		fputs("<p>Every trace is compared with the first part of the real trace (what the "
		      "model was trained on). The column <b>noise floor</b> is the real trace's "
		      "held-out rest compared the same way: how far fresh traffic of the same "
		      "network is. Each distance is also shown as a multiple of it (1&times;: as "
		      "close as fresh traffic).</p>\n", f);
	} else {
		fputs("<p>No held-out part: the traces are compared with the trace the model was "
		      "trained on (netshare eval --holdout F gives the noise floor).</p>\n", f);
	}
	metrics_table(f, c);
	fputs("<h2>Distributions (CDF)</h2>\n", f);
	for (int k = 0; k < N_SERIES && ok; k++) {
		if (!flows && (k == SER_DURATION || k == SER_PACKETS))
			continue;
		s[k].name = titles[k][0];
		s[k].unit = titles[k][1];
		cdf_plot(f, &s[k], n + 1, labels);
	}
	fputs("<h2>Most common values</h2>\n", f);
	bar_chart(f, "destination port", sets, n + 1, 0);
	bar_chart(f, "source port", sets, n + 1, 1);
	bar_chart(f, "protocol", sets, n + 1, 2);
	fputs("</body></html>\n", f);
	for (int k = 0; k < N_SERIES; k++)
		for (int d = 0; d <= n; d++)
			free(s[k].v[d]);
	int failed = ferror(f) | (fclose(f) != 0);
	if (!ok || failed || rename(tmp, path) != 0) {
		cli_error("%s: %s", path, !ok ? "out of memory" : strerror(errno));
		unlink(tmp);
		free(tmp);
		return CLI_EXIT_RUNTIME;
	}
	free(tmp);
	return CLI_EXIT_OK;
}
