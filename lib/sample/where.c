/* SPDX-License-Identifier: BSD-3-Clause */
/* Conditions on generated flows: parsing against a model, and matching a drawn flow. */
#include "where.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/error.h"

/* Longest condition text accepted (terms are short; this bounds the copy). */
#define WHERE_MAX_TEXT 1024

/* Whether the model's vocabulary has this port or protocol: a value the trace never
 * had cannot be generated, and rejection would only end in the acceptance error. */
static int
in_vocabulary(const netshare_encoder *e, int kind, uint32_t v)
{
	ptrdiff_t j = netshare__w2v_lookup(&e->w2v, NETSHARE__W2V_WORD(kind, v));
	return j >= 0 && (e->w2v.word[j] & 0xffff) == v;
}

static int
parse_number(const char *s, uint32_t max, uint32_t *out)
{
	if (!*s || strlen(s) > 5)
		return -1;
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p))
			return -1;
	unsigned long v = strtoul(s, NULL, 10);
	if (v > max)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

static netshare_status
parse_proto(const netshare_encoder *e, const char *value, netshare__where_term *t)
{
	t->kind = WHERE_PROTO;
	if (parse_number(value, 255, &t->value) < 0) {
		int found = -1;
		for (int p = 0; p < 256 && found < 0; p++) {
			const char *name = netshare_protocol_name(p);
			if (name && strcasecmp(name, value) == 0)
				found = p;
		}
		if (found < 0)
			return netshare__error(NETSHARE_EINVAL, "where: unknown protocol '%s' (a name "
			                       "such as TCP, UDP, ICMP, or a number 0-255)", value);
		t->value = (uint32_t)found;
	}
	if (!in_vocabulary(e, NETSHARE__W2V_PROTO, t->value))
		return netshare__error(NETSHARE_EINVAL, "where: proto=%s: the model's trace has no "
		                       "such flows, so it cannot generate them", value);
	return NETSHARE_OK;
}

static netshare_status
parse_port(const netshare_encoder *e, const char *name, const char *value,
           netshare__where_term *t)
{
	t->kind = name[0] == 's' ? WHERE_SPORT : WHERE_DPORT;
	if (parse_number(value, 65535, &t->value) < 0)
		return netshare__error(NETSHARE_EINVAL, "where: %s=%s: a port is a number 0-65535",
		                       name, value);
	if (!in_vocabulary(e, NETSHARE__W2V_PORT, t->value))
		return netshare__error(NETSHARE_EINVAL, "where: %s=%s: the model's trace has no "
		                       "port %s, so it cannot generate it", name, value, value);
	return NETSHARE_OK;
}

/* The name a condition gives a label or categorical extra attribute. */
static const char *
category_name(const netshare_encoder *e, const netshare__field *f)
{
	return f->source == SRC_LABEL ? "label" : e->extra_name[f->index];
}

/* The categorical flow attribute (label or extra column) called `name`, or NULL. */
static const netshare__field *
cat_attribute(const netshare_encoder *e, const char *name)
{
	for (size_t k = 0; k < e->attr.n_fields; k++) {
		const netshare__field *f = &e->attr.field[k];
		if (!netshare__field_is_flow_category(f))
			continue;
		if (strcmp(category_name(e, f), name) == 0)
			return f;
		/* The label read from another column answers to that column's name too. */
		if (f->source == SRC_LABEL && e->label_column[0] && strcmp(e->label_column, name) == 0)
			return f;
	}
	return NULL;
}

static netshare_status
parse_cat(const netshare_encoder *e, const netshare__field *f, const char *name,
          const char *value, netshare__where_term *t)
{
	t->kind = WHERE_CAT;
	t->field = f;
	int64_t id = netshare__intern_find(&e->strings, value, strlen(value));
	if (id >= 0 && netshare__field_choice(f, (uint32_t)id + 1) >= 0) {
		t->value = (uint32_t)id + 1;
		return NETSHARE_OK;
	}
	/* Name the values it can take: what the user most likely wants to know. */
	char known[256] = "";
	size_t used = 0;
	for (uint32_t k = 0; k < f->n_choices && used + 1 < sizeof known; k++) {
		uint32_t code = f->choices[k];
		const char *s = code ? netshare__intern_get(&e->strings, code - 1, NULL) : "(missing)";
		int n = snprintf(known + used, sizeof known - used, "%s%s", used ? ", " : "", s);
		if (n < 0 || (size_t)n >= sizeof known - used) {
			memcpy(known + sizeof known - 4, "...", 4); /* cut short: say so */
			break;
		}
		used += (size_t)n;
	}
	return netshare__error(NETSHARE_EINVAL, "where: %s=%s: the model's %s takes the values %s",
	                       name, value, name, known);
}

/* The names a condition may use, for messages. */
static void
field_names(const netshare_encoder *e, char *out, size_t size)
{
	size_t used = (size_t)snprintf(out, size, "proto, srcport, dstport");
	for (size_t k = 0; k < e->attr.n_fields && used < size; k++) {
		const netshare__field *f = &e->attr.field[k];
		if (netshare__field_is_flow_category(f))
			used += (size_t)snprintf(out + used, size - used, ", %s", category_name(e, f));
	}
}

netshare_status
netshare__where_parse(netshare__where *w, const netshare_encoder *e, const char *text)
{
	memset(w, 0, sizeof *w);
	if (!text || !*text)
		return NETSHARE_OK;
	if (strlen(text) >= WHERE_MAX_TEXT)
		return netshare__error(NETSHARE_EINVAL, "where: longer than %d characters",
		                       WHERE_MAX_TEXT - 1);
	char copy[WHERE_MAX_TEXT], *save = NULL;
	memcpy(copy, text, strlen(text) + 1);
	for (char *term = strtok_r(copy, ",", &save); term; term = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(term, '=');
		if (!eq || eq == term || !eq[1])
			return netshare__error(NETSHARE_EINVAL, "where: '%s' is not field=value", term);
		if (w->n == NETSHARE__WHERE_MAX_TERMS)
			return netshare__error(NETSHARE_EINVAL, "where: more than %d terms",
			                       NETSHARE__WHERE_MAX_TERMS);
		*eq = '\0';
		const char *name = term, *value = eq + 1;
		netshare__where_term *t = &w->term[w->n];
		const netshare__field *f = NULL;
		netshare_status st;
		if (strcmp(name, "proto") == 0)
			st = parse_proto(e, value, t);
		else if (strcmp(name, "srcport") == 0 || strcmp(name, "dstport") == 0)
			st = parse_port(e, name, value, t);
		else if ((f = cat_attribute(e, name)) != NULL)
			st = parse_cat(e, f, name, value, t);
		else {
			char names[512];
			field_names(e, names, sizeof names);
			return netshare__error(NETSHARE_EINVAL, "where: '%s' is not a flow attribute "
			                       "of this model (conditions may name %s)", name, names);
		}
		if (st < 0)
			return st;
		for (size_t k = 0; k < w->n; k++)
			if (w->term[k].kind == t->kind && w->term[k].field == t->field)
				return netshare__error(NETSHARE_EINVAL, "where: %s is given twice", name);
		w->n++;
	}
	if (w->n == 0)
		return netshare__error(NETSHARE_EINVAL, "where: '%s' has no terms", text);
	return NETSHARE_OK;
}

int
netshare__where_match(const netshare__where *w, const float *row, const netshare_record *key)
{
	for (size_t k = 0; k < w->n; k++) {
		const netshare__where_term *t = &w->term[k];
		uint32_t v;
		switch (t->kind) {
		case WHERE_PROTO: v = key->protocol; break;
		case WHERE_SPORT: v = key->src_port; break;
		case WHERE_DPORT: v = key->dst_port; break;
		default: {
			netshare__value x;
			netshare__field_decode(t->field, row, 0, 1, &x); /* categorical: no allocation */
			v = x.code;
			break;
		}
		}
		if (v != t->value)
			return 0;
	}
	return 1;
}
