/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: conditions on generated flows (netshare_sample_params.where). */
#ifndef NETSHARE_SAMPLE_WHERE_H
#define NETSHARE_SAMPLE_WHERE_H

#include <netshare/dataset.h>

#include "encode/encoder.h"

typedef enum netshare__where_kind {
	WHERE_PROTO,  /* the flow's protocol number */
	WHERE_SPORT,  /* its source port */
	WHERE_DPORT,  /* its destination port */
	WHERE_CAT     /* a categorical flow attribute (label or extra column): a string code */
} netshare__where_kind;

typedef struct netshare__where_term {
	netshare__where_kind kind;
	const netshare__field *field; /* WHERE_CAT: the attribute field */
	uint32_t value;               /* protocol, port or string code */
} netshare__where_term;

/* Terms of one condition: every one must hold. */
#define NETSHARE__WHERE_MAX_TERMS 16

typedef struct netshare__where {
	size_t n;
	netshare__where_term term[NETSHARE__WHERE_MAX_TERMS];
} netshare__where;

/* Parse "field=value,..." against the model's encoder: fields label, proto (name or
 * number), srcport, dstport and the categorical extra columns; each value must be one
 * the model can generate. NULL or "" gives no terms. */
netshare_status netshare__where_parse(netshare__where *w, const netshare_encoder *e,
                                      const char *text);

/* Whether the flow of attribute row `row`, whose 5-tuple `key` was decoded from it,
 * satisfies every term (categorical attributes decoded as the output decodes them). */
int netshare__where_match(const netshare__where *w, const float *row,
                          const netshare_record *key);

#endif
