/* SPDX-License-Identifier: BSD-3-Clause */
/* Growable little-endian write buffer and bounds-checked reader (see buf.h). */
#include "buf.h"

#include <string.h>

#include "alloc.h"
#include "bytes.h"

void
netshare__wbuf_free(netshare__wbuf *b)
{
	netshare__free(b->data);
	memset(b, 0, sizeof *b);
}

void
netshare__wbuf_bytes(netshare__wbuf *b, const void *p, size_t n)
{
	if (b->status != NETSHARE_OK)
		return;
	if (b->len + n > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n)
			cap *= 2;
		unsigned char *d = netshare__reallocarray(b->data, cap, 1);
		if (!d) {
			b->status = NETSHARE_ENOMEM;
			return;
		}
		b->data = d;
		b->cap = cap;
	}
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
netshare__wbuf_u8(netshare__wbuf *b, uint8_t v)
{
	netshare__wbuf_bytes(b, &v, 1);
}

void
netshare__wbuf_u32(netshare__wbuf *b, uint32_t v)
{
	unsigned char x[4];
	netshare__put_le32(x, v);
	netshare__wbuf_bytes(b, x, 4);
}

void
netshare__wbuf_u64(netshare__wbuf *b, uint64_t v)
{
	unsigned char x[8];
	netshare__put_le64(x, v);
	netshare__wbuf_bytes(b, x, 8);
}

void
netshare__wbuf_f32(netshare__wbuf *b, float v)
{
	unsigned char x[4];
	netshare__put_lef32(x, v);
	netshare__wbuf_bytes(b, x, 4);
}

void
netshare__wbuf_f64(netshare__wbuf *b, double v)
{
	uint64_t u;
	memcpy(&u, &v, sizeof u);
	netshare__wbuf_u64(b, u);
}

void
netshare__wbuf_str(netshare__wbuf *b, const char *s)
{
	size_t n = strlen(s);
	netshare__wbuf_u32(b, (uint32_t)n);
	netshare__wbuf_bytes(b, s, n);
}

const unsigned char *
netshare__rbuf_bytes(netshare__rbuf *r, size_t n)
{
	if (r->bad || n > r->len - r->pos) {
		r->bad = 1;
		return NULL;
	}
	const unsigned char *p = r->p + r->pos;
	r->pos += n;
	return p;
}

uint8_t
netshare__rbuf_u8(netshare__rbuf *r)
{
	const unsigned char *p = netshare__rbuf_bytes(r, 1);
	return p ? p[0] : 0;
}

uint32_t
netshare__rbuf_u32(netshare__rbuf *r)
{
	const unsigned char *p = netshare__rbuf_bytes(r, 4);
	return p ? netshare__le32(p) : 0;
}

uint64_t
netshare__rbuf_u64(netshare__rbuf *r)
{
	const unsigned char *p = netshare__rbuf_bytes(r, 8);
	return p ? netshare__le64(p) : 0;
}

float
netshare__rbuf_f32(netshare__rbuf *r)
{
	const unsigned char *p = netshare__rbuf_bytes(r, 4);
	return p ? netshare__lef32(p) : 0.0f;
}

double
netshare__rbuf_f64(netshare__rbuf *r)
{
	uint64_t u = netshare__rbuf_u64(r);
	double v;
	memcpy(&v, &u, sizeof v);
	return v;
}

void
netshare__rbuf_str(netshare__rbuf *r, char *buf, size_t size)
{
	uint32_t n = netshare__rbuf_u32(r);
	const unsigned char *p = n < size ? netshare__rbuf_bytes(r, n) : NULL;
	if (!p) {
		r->bad = 1;
		buf[0] = '\0';
		return;
	}
	memcpy(buf, p, n);
	buf[n] = '\0';
}

int
netshare__rbuf_has(const netshare__rbuf *r, uint64_t n, size_t size)
{
	return !r->bad && (size == 0 || n <= (r->len - r->pos) / size);
}
