/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: little-endian serialisation into a growable buffer, and bounds-checked
 * reading back. Writers remember the first allocation failure; readers remember the
 * first read past the end and return zeros after it, so a decoder checks once at the
 * end (or before trusting a count) instead of after every field.
 */
#ifndef NETSHARE_CORE_BUF_H
#define NETSHARE_CORE_BUF_H

#include <stddef.h>
#include <stdint.h>

#include <netshare/common.h>

typedef struct netshare__wbuf {
	unsigned char *data;
	size_t len, cap;
	netshare_status status; /* ENOMEM after a failed growth */
} netshare__wbuf;

void netshare__wbuf_free(netshare__wbuf *b);
void netshare__wbuf_bytes(netshare__wbuf *b, const void *p, size_t n);
void netshare__wbuf_u8(netshare__wbuf *b, uint8_t v);
void netshare__wbuf_u32(netshare__wbuf *b, uint32_t v);
void netshare__wbuf_u64(netshare__wbuf *b, uint64_t v);
void netshare__wbuf_f32(netshare__wbuf *b, float v);
void netshare__wbuf_f64(netshare__wbuf *b, double v);
/* u32 length, then the bytes (no NUL). */
void netshare__wbuf_str(netshare__wbuf *b, const char *s);

typedef struct netshare__rbuf {
	const unsigned char *p;
	size_t len, pos;
	int bad;                /* a read went past the end */
} netshare__rbuf;

/* n bytes, or NULL (and bad set) if fewer remain. */
const unsigned char *netshare__rbuf_bytes(netshare__rbuf *r, size_t n);
uint8_t netshare__rbuf_u8(netshare__rbuf *r);
uint32_t netshare__rbuf_u32(netshare__rbuf *r);
uint64_t netshare__rbuf_u64(netshare__rbuf *r);
float netshare__rbuf_f32(netshare__rbuf *r);
double netshare__rbuf_f64(netshare__rbuf *r);
/* A string written by netshare__wbuf_str into buf (NUL-terminated); bad if it does not
 * fit in size - 1 bytes. */
void netshare__rbuf_str(netshare__rbuf *r, char *buf, size_t size);
/* True if at least n items of `size` bytes each can still be read: check this before
 * allocating for a count read from the input. */
int netshare__rbuf_has(const netshare__rbuf *r, uint64_t n, size_t size);

#endif
