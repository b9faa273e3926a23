/* SPDX-License-Identifier: BSD-3-Clause */
/* TCP sequence spaces per connection for the pcap writers (see tcp_stream.h). */
#include "tcp_stream.h"

#include <string.h>

#include "core/alloc.h"
#include "core/error.h"

enum { TCP_FIN = 0x01, TCP_SYN = 0x02, TCP_ACK = 0x10 };

/* How far ahead of an old sequence space a new one starts: a quarter of the space, far
 * enough to be past anything acknowledged, near enough to compare as later. */
#define SPACE_AHEAD (UINT32_C(1) << 30)

/* One endpoint: address (IPv4 in the first four bytes) and port. */
typedef struct endpoint {
	uint8_t addr[16];
	uint16_t port;
} endpoint;

struct netshare__tcp_conn {
	endpoint lo, hi;       /* the two endpoints, ordered, so both directions meet here */
	uint8_t ip_version;    /* 0: empty slot */
	uint8_t seen[2];       /* direction d has sent a packet (d = 0: lo to hi) */
	uint8_t acked[2];      /* direction d has acknowledged the other before it sent */
	uint32_t next_seq[2];  /* where direction d's next segment starts */
	uint32_t isn[2];
};

static void
endpoints_of(const netshare_record *r, endpoint *src, endpoint *dst)
{
	memset(src, 0, sizeof *src);
	memset(dst, 0, sizeof *dst);
	if (r->ip_version == 4) {
		for (int i = 0; i < 4; i++) {
			src->addr[i] = (uint8_t)(r->src_ip >> (24 - 8 * i));
			dst->addr[i] = (uint8_t)(r->dst_ip >> (24 - 8 * i));
		}
	} else {
		memcpy(src->addr, r->src_ip6, 16);
		memcpy(dst->addr, r->dst_ip6, 16);
	}
	src->port = r->src_port;
	dst->port = r->dst_port;
}

static int
endpoint_cmp(const endpoint *a, const endpoint *b)
{
	int c = memcmp(a->addr, b->addr, 16);
	return c ? c : (int)a->port - (int)b->port;
}

/* FNV-1a over the bytes, then a final mix (the low bits pick the slot). */
static uint64_t
hash_bytes(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ULL;
	return h;
}

static uint64_t
mix(uint64_t h)
{
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdULL;
	h ^= h >> 33;
	return h;
}

static uint64_t
endpoint_hash(uint64_t h, const endpoint *e)
{
	h = hash_bytes(h, e->addr, 16);
	return hash_bytes(h, &e->port, sizeof e->port);
}

netshare_status
netshare__tcp_streams_init(netshare__tcp_streams *s, size_t connections)
{
	memset(s, 0, sizeof *s);
	size_t cap = 16;
	while (cap < connections + connections / 2 + 1) {
		if (cap > SIZE_MAX / 4)
			return netshare__error_oom("TCP connection table");
		cap *= 2;
	}
	s->slots = netshare__calloc(cap, sizeof *s->slots);
	if (!s->slots)
		return netshare__error_oom("TCP connection table");
	s->cap = cap;
	return NETSHARE_OK;
}

void
netshare__tcp_streams_free(netshare__tcp_streams *s)
{
	netshare__free(s->slots);
	memset(s, 0, sizeof *s);
}

void
netshare__tcp_streams_next(netshare__tcp_streams *s, const netshare_record *r,
                           size_t payload, uint32_t *seq, uint32_t *ack)
{
	endpoint src, dst;
	endpoints_of(r, &src, &dst);
	int d = endpoint_cmp(&src, &dst) <= 0 ? 0 : 1;
	const endpoint *lo = d == 0 ? &src : &dst, *hi = d == 0 ? &dst : &src;
	uint64_t h = endpoint_hash(endpoint_hash(0xcbf29ce484222325ULL ^ r->ip_version, lo), hi);
	size_t i = (size_t)mix(h) & (s->cap - 1);
	netshare__tcp_conn *c;
	for (;; i = (i + 1) & (s->cap - 1)) {
		c = &s->slots[i];
		if (!c->ip_version) {
			/* The caller sized the table for every TCP record: a free slot remains. */
			c->ip_version = r->ip_version;
			c->lo = *lo;
			c->hi = *hi;
			uint64_t k = mix(h ^ 0x9e3779b97f4a7c15ULL);
			c->isn[0] = (uint32_t)k;
			c->isn[1] = (uint32_t)(k >> 32);
			s->used++;
			break;
		}
		if (c->ip_version == r->ip_version && !endpoint_cmp(&c->lo, lo) &&
		    !endpoint_cmp(&c->hi, hi))
			break;
	}
	int syn = (r->tcp_flags & TCP_SYN) != 0;
	int o = 1 - d;
	if (syn && c->seen[d]) {
		/* A SYN after this direction has sent opens a new connection on the same ports
		 * (as a client reusing its port does): a new ISN, and for a SYN without ACK
		 * the other direction starts again too. Going on in the old space would be a
		 * SYN in the middle of the stream, a retransmission to every analyser. The new
		 * spaces start ahead of the old (analysers that keep the old session see no
		 * segment go back). */
		c->isn[d] = c->next_seq[d] + SPACE_AHEAD;
		c->seen[d] = 0;
		if (!(r->tcp_flags & TCP_ACK)) {
			c->isn[o] = (c->seen[o] ? c->next_seq[o] : c->isn[o]) + SPACE_AHEAD;
			c->seen[o] = 0;
			c->acked[o] = c->acked[d] = 0;
		}
	}
	if (syn && !c->seen[d] && c->acked[o]) {
		/* The other side acknowledged this direction before its SYN (the generator
		 * placed the two directions' first packets out of order): a SYN at or below
		 * what was acknowledged reads as a retransmission, so this SYN starts a new
		 * space ahead of it. */
		c->isn[d] += SPACE_AHEAD;
	}
	if (!c->seen[d]) {
		c->seen[d] = 1;
		c->next_seq[d] = c->isn[d] + (syn ? 0u : 1u);
	}
	*seq = c->next_seq[d];
	c->next_seq[d] += (uint32_t)payload + (uint32_t)syn + ((r->tcp_flags & TCP_FIN) ? 1u : 0u);
	if (!(r->tcp_flags & TCP_ACK)) {
		*ack = 0;
		return;
	}
	*ack = c->seen[o] ? c->next_seq[o] : c->isn[o] + 1;
	c->acked[d] |= !c->seen[o];
}
