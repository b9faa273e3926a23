/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model file (netshare-model(5)):
 *
 *   header, 32 bytes: magic "\x89NSHM\r\n\x1a\n", u16 format major, u16 minor, u32 flags,
 *     u64 total length, u32 CRC-32C of the 24 bytes before it, u32 reserved (0);
 *   chunks: u32 tag, u32 flags (bit 0: critical), u64 payload length, zero padding to
 *     a multiple of 32 bytes from the start of the file (tensors stay aligned), the
 *     payload, u32 CRC-32C of the payload;
 *   last, an "END " chunk whose 4-byte payload is the CRC-32C of every byte before that
 *     payload (its own header included).
 * All integers and floats little-endian. Chunks: META (library version, chunks, seed),
 * HPAR (hyperparameters), ENCD (encoder state), then per time chunk GWTS (generator
 * weights and BatchNorm statistics), GAVG (their moving averages, which generate, with
 * the count of updates; only in a full file of a model with ema_decay, whose exported
 * file has the averages as GWTS instead), DWTS (both discriminators' weights) and the
 * optional OPTS (Adam moments and the random state: what an exact resume needs); a DP model
 * (netshare_model_params.epsilon) adds PRIV after ENCD (privacy.h: its epsilon, delta,
 * noise, clip, sampling rates and rounds per chunk, the public data's fingerprint).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "core/alloc.h"
#include "core/buf.h"
#include "core/bytes.h"
#include "core/crc32c.h"
#include "core/params.h"
#include "core/error.h"
#include "encode/encoder.h"
#include "io/outfile.h"
#include "model.h"

#define FORMAT_MAJOR 1
#define FORMAT_MINOR 0
#define HEADER_SIZE 32
#define ALIGN 32
#define FLAG_CRITICAL 1u

static const unsigned char magic[8] = { 0x89, 'N', 'S', 'H', 'M', '\r', '\n', 0x1a };

#define TAG(a, b, c, d) ((uint32_t)(a) | (uint32_t)(b) << 8 | (uint32_t)(c) << 16 | (uint32_t)(d) << 24)
#define TAG_META TAG('M', 'E', 'T', 'A')
#define TAG_HPAR TAG('H', 'P', 'A', 'R')
#define TAG_ENCD TAG('E', 'N', 'C', 'D')
#define TAG_GWTS TAG('G', 'W', 'T', 'S')
#define TAG_GAVG TAG('G', 'A', 'V', 'G')
#define TAG_DWTS TAG('D', 'W', 'T', 'S')
#define TAG_OPTS TAG('O', 'P', 'T', 'S')
#define TAG_PRIV TAG('P', 'R', 'I', 'V')
#define TAG_END TAG('E', 'N', 'D', ' ')

/* The tensors of a chunk model, in file order. */
typedef struct tensor_list {
	float *p[4 * NETSHARE__ADAM_MAX_TENSORS];
	size_t n[4 * NETSHARE__ADAM_MAX_TENSORS];
	size_t count;
} tensor_list;

static void
list_add(tensor_list *l, float *p, size_t n)
{
	l->p[l->count] = p;
	l->n[l->count++] = n;
}

/* Generator: every trained tensor plus BatchNorm statistics. */
static void
generator_tensors(netshare__dg *d, tensor_list *l)
{
	netshare__gen_tensor t[NETSHARE__GEN_MAX_TENSORS];
	size_t n = netshare__generator_tensors(&d->g, t);
	l->count = 0;
	for (size_t k = 0; k < n; k++)
		list_add(l, t[k].w, t[k].size);
}

/* Their moving averages, in the same order. */
static void
average_tensors(netshare__dg *d, tensor_list *l)
{
	l->count = 0;
	float *avg = d->ema.avg;
	for (size_t k = 0; k < d->ema.count; k++) {
		list_add(l, avg, d->ema.t[k].size);
		avg += d->ema.t[k].size;
	}
}

static void
critic_tensors(netshare__dg *d, tensor_list *l)
{
	l->count = 0;
	for (size_t k = 0; k < d->opt_d.n; k++)
		list_add(l, d->opt_d.t[k].param, d->opt_d.t[k].size);
	for (size_t k = 0; k < d->opt_aux.n; k++)
		list_add(l, d->opt_aux.t[k].param, d->opt_aux.t[k].size);
}

static size_t
tensors_bytes(const tensor_list *l)
{
	size_t n = 0;
	for (size_t k = 0; k < l->count; k++)
		n += 4 * l->n[k];
	return n;
}

/* Append one chunk: header, padding, payload, CRC. */
static void
put_chunk(netshare__wbuf *b, uint32_t tag, uint32_t flags, const void *payload, size_t len)
{
	netshare__wbuf_u32(b, tag);
	netshare__wbuf_u32(b, flags);
	netshare__wbuf_u64(b, len);
	static const unsigned char zeros[ALIGN] = { 0 };
	netshare__wbuf_bytes(b, zeros, (ALIGN - b->len % ALIGN) % ALIGN);
	netshare__wbuf_bytes(b, payload, len);
	netshare__wbuf_u32(b, netshare__crc32c(0, payload, len));
}

static void
put_hparams(netshare__wbuf *b, const netshare_model_params *p)
{
	netshare__wbuf_u32(b, p->iterations);
	netshare__wbuf_u32(b, p->fine_tune_divisor);
	const int ints[] = { p->batch_size, p->d_rounds, p->g_rounds, p->attr_noise, p->feat_noise,
	                     p->attr_layers, p->attr_units, p->lstm_units, p->disc_layers,
	                     p->disc_units, p->aux_disc_layers, p->aux_disc_units };
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		netshare__wbuf_u32(b, (uint32_t)ints[i]);
	const float floats[] = { p->lr_g, p->lr_d, p->lr_aux, p->beta1, p->beta2 };
	for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
		netshare__wbuf_f32(b, floats[i]);
	netshare__wbuf_f64(b, p->gp_lambda);
	netshare__wbuf_f64(b, p->aux_gp_lambda);
	netshare__wbuf_f64(b, p->aux_weight);
	netshare__wbuf_u64(b, p->seed);
	/* Optional trailing fields, written only when not 0, so that older libraries read
	 * the files that do without them: disc_embed (since 1.5), ema_decay (1.6),
	 * feature_condition (1.7, written when real; absent: generated, the default and
	 * what every older file trained with), flow_end (1.10, written when drawn),
	 * condition_paths (1.12, written when not 0). */
	int fields = p->condition_paths != 0                         ? 5
	             : p->flow_end == NETSHARE_FLOW_END_DRAWN          ? 4
	             : p->feature_condition == NETSHARE_CONDITION_REAL ? 3
	             : p->ema_decay > 0                                ? 2
	             : p->disc_embed > 0                               ? 1
	                                                               : 0;
	if (fields >= 1)
		netshare__wbuf_u32(b, (uint32_t)p->disc_embed);
	if (fields >= 2)
		netshare__wbuf_f64(b, p->ema_decay);
	if (fields >= 3)
		netshare__wbuf_u32(b, (uint32_t)p->feature_condition);
	if (fields >= 4)
		netshare__wbuf_u32(b, (uint32_t)p->flow_end);
	if (fields >= 5)
		netshare__wbuf_u32(b, (uint32_t)p->condition_paths);
}

static void
get_hparams(netshare__rbuf *r, netshare_model_params *p)
{
	p->iterations = netshare__rbuf_u32(r);
	p->fine_tune_divisor = netshare__rbuf_u32(r);
	int *ints[] = { &p->batch_size, &p->d_rounds, &p->g_rounds, &p->attr_noise, &p->feat_noise,
	                &p->attr_layers, &p->attr_units, &p->lstm_units, &p->disc_layers,
	                &p->disc_units, &p->aux_disc_layers, &p->aux_disc_units };
	for (size_t i = 0; i < sizeof ints / sizeof ints[0]; i++)
		*ints[i] = (int)netshare__rbuf_u32(r);
	float *floats[] = { &p->lr_g, &p->lr_d, &p->lr_aux, &p->beta1, &p->beta2 };
	for (size_t i = 0; i < sizeof floats / sizeof floats[0]; i++)
		*floats[i] = netshare__rbuf_f32(r);
	p->gp_lambda = netshare__rbuf_f64(r);
	p->aux_gp_lambda = netshare__rbuf_f64(r);
	p->aux_weight = netshare__rbuf_f64(r);
	p->seed = netshare__rbuf_u64(r);
	p->disc_embed = r->pos < r->len ? (int)netshare__rbuf_u32(r) : 0;
	p->ema_decay = r->pos < r->len ? netshare__rbuf_f64(r) : 0;
	uint32_t condition = r->pos < r->len ? netshare__rbuf_u32(r) : NETSHARE_CONDITION_GENERATED;
	p->feature_condition = condition <= NETSHARE_CONDITION_REAL ? (int)condition : INT_MAX;
	uint32_t end = r->pos < r->len ? netshare__rbuf_u32(r) : NETSHARE_FLOW_END_LARGER;
	p->flow_end = end <= NETSHARE_FLOW_END_DRAWN ? (int)end : INT_MAX;
	uint32_t paths = r->pos < r->len ? netshare__rbuf_u32(r) : 0;
	p->condition_paths = paths <= (NETSHARE_CONDITION_PATH_STATE |
	                               NETSHARE_CONDITION_PATH_OUTPUT) ? (int)paths : INT_MAX;
}

/* A GWTS or DWTS payload. */
static void
weights_payload(netshare__wbuf *tmp, int chunk, uint64_t iterations, const tensor_list *l)
{
	tmp->len = 0;
	netshare__wbuf_u32(tmp, (uint32_t)chunk);
	netshare__wbuf_u64(tmp, iterations);
	for (size_t k = 0; k < l->count; k++)
		for (size_t i = 0; i < l->n[k]; i++)
			netshare__wbuf_f32(tmp, l->p[k][i]);
}

static void
put_weights(netshare__wbuf *b, netshare__wbuf *tmp, uint32_t tag, int chunk, uint64_t iterations,
            const tensor_list *l)
{
	weights_payload(tmp, chunk, iterations, l);
	if (tmp->status == NETSHARE_OK)
		put_chunk(b, tag, FLAG_CRITICAL, tmp->data, tmp->len);
	else
		b->status = tmp->status;
}

/* The optimisers and the random generator of a chunk model, in file order. */
static const netshare__adam *
optimiser(const netshare__dg *d, int k)
{
	return k == 0 ? &d->opt_g : k == 1 ? &d->opt_d : &d->opt_aux;
}

static size_t
opts_bytes(const netshare__dg *d)
{
	size_t n = 4 + 4 * 8 + 4 + 8;
	for (int k = 0; k < 3; k++) {
		const netshare__adam *a = optimiser(d, k);
		n += 8;
		for (size_t t = 0; t < a->n; t++)
			n += 8 * a->t[t].size;
	}
	return n;
}

static void
opts_payload(netshare__wbuf *tmp, int chunk, const netshare__dg *d)
{
	tmp->len = 0;
	netshare__wbuf_u32(tmp, (uint32_t)chunk);
	for (int i = 0; i < 4; i++)
		netshare__wbuf_u64(tmp, d->rng.s[i]);
	netshare__wbuf_u32(tmp, (uint32_t)d->rng.has_spare);
	netshare__wbuf_f64(tmp, d->rng.spare);
	for (int k = 0; k < 3; k++) {
		const netshare__adam *a = optimiser(d, k);
		netshare__wbuf_u64(tmp, (uint64_t)a->step);
		for (size_t t = 0; t < a->n; t++)
			for (size_t i = 0; i < a->t[t].size; i++) {
				netshare__wbuf_f32(tmp, a->t[t].m[i]);
				netshare__wbuf_f32(tmp, a->t[t].v[i]);
			}
	}
}

static void
put_opts(netshare__wbuf *b, netshare__wbuf *tmp, int chunk, const netshare__dg *d)
{
	opts_payload(tmp, chunk, d);
	if (tmp->status == NETSHARE_OK)
		put_chunk(b, TAG_OPTS, 0, tmp->data, tmp->len);
	else
		b->status = tmp->status;
}

netshare_status
netshare__model_serialize(const netshare_model *m, int full, netshare__wbuf *out)
{
	netshare__wbuf b = { 0 }, tmp = { 0 };
	netshare__wbuf_bytes(&b, magic, sizeof magic);
	netshare__wbuf_u32(&b, FORMAT_MAJOR | (uint32_t)FORMAT_MINOR << 16);
	netshare__wbuf_u32(&b, 0);  /* flags */
	netshare__wbuf_u64(&b, 0);  /* total length, patched below */
	netshare__wbuf_u32(&b, 0);  /* header CRC, patched below */
	netshare__wbuf_u32(&b, 0);
	netshare__wbuf_u32(&tmp, netshare_version_number());
	netshare__wbuf_u32(&tmp, (uint32_t)m->chunks);
	netshare__wbuf_u64(&tmp, m->p.seed);
	put_chunk(&b, TAG_META, 0, tmp.data, tmp.len);
	tmp.len = 0;
	put_hparams(&tmp, &m->p);
	put_chunk(&b, TAG_HPAR, FLAG_CRITICAL, tmp.data, tmp.len);
	tmp.len = 0;
	netshare_status st = netshare__encoder_save(m->enc, &tmp);
	if (st == NETSHARE_OK)
		put_chunk(&b, TAG_ENCD, FLAG_CRITICAL, tmp.data, tmp.len);
	if (m->priv.mode) { /* optional: a reader that skips it only claims less */
		tmp.len = 0;
		netshare__privacy_save(&m->priv, m->chunks, &tmp);
		put_chunk(&b, TAG_PRIV, 0, tmp.data, tmp.len);
	}
	for (int c = 0; c < m->chunks && st == NETSHARE_OK; c++) {
		tensor_list l;
		netshare__dg *d = &m->dg[c];
		int averaged = d->ema.count > 0;
		/* an exported file: the weights that generate */
		(full || !averaged ? generator_tensors : average_tensors)(d, &l);
		put_weights(&b, &tmp, TAG_GWTS, c, (uint64_t)m->dg[c].iterations, &l);
		if (!full)
			continue;
		if (averaged) {
			average_tensors(d, &l);
			put_weights(&b, &tmp, TAG_GAVG, c, d->ema.updates, &l);
		}
		critic_tensors(&m->dg[c], &l);
		put_weights(&b, &tmp, TAG_DWTS, c, (uint64_t)m->dg[c].iterations, &l);
		put_opts(&b, &tmp, c, &m->dg[c]);
	}
	netshare__wbuf_free(&tmp);
	if (st == NETSHARE_OK && b.status == NETSHARE_OK) {
		/* The header's length and checksum first (the END chunk's size is fixed), then
		 * END, whose payload is the CRC of every byte before it (its own header too). */
		size_t end_at = b.len;
		size_t total = (end_at + 16 + ALIGN - 1) / ALIGN * ALIGN + 8;
		netshare__put_le64(b.data + 16, total);
		netshare__put_le32(b.data + 24, netshare__crc32c(0, b.data, 24));
		netshare__wbuf_u32(&b, TAG_END);
		netshare__wbuf_u32(&b, FLAG_CRITICAL);
		netshare__wbuf_u64(&b, 4);
		static const unsigned char zeros[ALIGN] = { 0 };
		netshare__wbuf_bytes(&b, zeros, (ALIGN - b.len % ALIGN) % ALIGN);
		if (b.status == NETSHARE_OK) {
			unsigned char crc[4];
			netshare__put_le32(crc, netshare__crc32c(0, b.data, b.len));
			netshare__wbuf_bytes(&b, crc, 4);
			netshare__wbuf_u32(&b, netshare__crc32c(0, crc, 4));
		}
	}
	if (st == NETSHARE_OK && b.status != NETSHARE_OK)
		st = netshare__error_oom("model file");
	if (st < 0)
		netshare__wbuf_free(&b);
	else
		*out = b;
	return st;
}

/* Write the model; with training state (discriminators, optimisers) when `full`. */
static netshare_status
save(const netshare_model *m, const char *path, int full, const char *fn)
{
	if (!m || !path || !*path)
		return netshare__error(NETSHARE_EINVAL, "%s: %s", fn,
		                       m ? "path is NULL or empty" : "model is NULL");
	if (full && m->generator_only)
		return netshare__error(NETSHARE_ESTATE, "%s: this model was loaded from an exported "
		                       "file and has no training state to save (export it)", fn);
	netshare__wbuf b = { 0 };
	netshare_status st = netshare__model_serialize(m, full, &b);
	if (st == NETSHARE_OK) {
		netshare__outfile out;
		if ((st = netshare__outfile_open(&out, path)) == NETSHARE_OK) {
			netshare__outfile_write(&out, b.data, b.len);
			st = netshare__outfile_commit(&out);
		}
	}
	netshare__wbuf_free(&b);
	return st;
}

NETSHARE_API netshare_status
netshare_model_save(const netshare_model *m, const char *path)
{
	return save(m, path, 1, "netshare_model_save");
}

NETSHARE_API netshare_status
netshare_model_export(const netshare_model *m, const char *path)
{
	return save(m, path, 0, "netshare_model_export");
}

/* A chunk found in the file. */
typedef struct found {
	uint32_t tag, flags;
	const unsigned char *payload;
	size_t len;
} found;

static netshare_status
corrupt(const char *path, const char *what, size_t at)
{
	return netshare__error(NETSHARE_ECORRUPT, "%s: %s at byte %zu", path, what, at);
}

/* Read the whole file (it is all needed, and a size check up front bounds it). */
static netshare_status
slurp(const char *path, unsigned char **data, size_t *len)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return netshare__error_errno(NETSHARE_EIO, errno, "%s", path);
	struct stat sb;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode)) {
		fclose(f);
		return netshare__error(NETSHARE_EIO, "%s: not a regular file", path);
	}
	*len = (size_t)sb.st_size;
	*data = netshare__malloc(*len ? *len : 1);
	if (!*data) {
		fclose(f);
		return netshare__error_oom("model file");
	}
	size_t got = fread(*data, 1, *len, f);
	int bad = ferror(f);
	fclose(f);
	if (bad || got != *len) {
		netshare__free(*data);
		return netshare__error_errno(NETSHARE_EIO, bad ? errno : EIO, "%s: read failed", path);
	}
	return NETSHARE_OK;
}

/* Walk and check the container: header, every chunk's CRC, END. Fills chunks[]. */
static netshare_status
parse_container(const char *path, const unsigned char *d, size_t len, found *chunks,
                size_t max, size_t *n)
{
	if (len < sizeof magic || memcmp(d, magic, sizeof magic) != 0)
		return netshare__error(NETSHARE_EFORMAT, "%s: not a libnetshare model file (bad "
		                       "magic)", path);
	if (len < HEADER_SIZE)
		return corrupt(path, "truncated header", len);
	if (netshare__le32(d + 24) != netshare__crc32c(0, d, 24))
		return corrupt(path, "header checksum mismatch", 24);
	unsigned major = netshare__le16(d + 8), minor = netshare__le16(d + 10);
	if (major != FORMAT_MAJOR)
		return netshare__error(major > FORMAT_MAJOR ? NETSHARE_EVERSION : NETSHARE_ECORRUPT,
		                       "%s: model format %u.%u; this library reads %d.x", path, major,
		                       minor, FORMAT_MAJOR);
	if (netshare__le64(d + 16) != len)
		return corrupt(path, "length differs from the header's (truncated?)", len);
	if (netshare__le32(d + 12) != 0 || netshare__le32(d + 28) != 0)
		return corrupt(path, "non-zero flags or reserved header bytes (netshare-model(5): "
		                     "both are 0 in this format)", 12);
	size_t at = HEADER_SIZE;
	*n = 0;
	for (;;) {
		if (len - at < 16)
			return corrupt(path, "truncated chunk header", at);
		uint32_t tag = netshare__le32(d + at), flags = netshare__le32(d + at + 4);
		uint64_t plen = netshare__le64(d + at + 8);
		size_t start = at + 16 + (ALIGN - (at + 16) % ALIGN) % ALIGN;
		if (start > len || plen > len - start || len - start - plen < 4)
			return corrupt(path, "chunk runs past the end of the file", at);
		const unsigned char *payload = d + start;
		if (netshare__le32(payload + plen) != netshare__crc32c(0, payload, plen))
			return corrupt(path, "chunk checksum mismatch", at);
		if (tag == TAG_END) {
			if (plen != 4 || netshare__le32(payload) != netshare__crc32c(0, d, start))
				return corrupt(path, "whole-file checksum mismatch", at);
			if (start + plen + 4 != len)
				return corrupt(path, "data after the END chunk", start + plen + 4);
			break;
		}
		if (*n == max)
			return corrupt(path, "too many chunks", at);
		chunks[(*n)++] = (found){ tag, flags, payload, (size_t)plen };
		at = start + (size_t)plen + 4;
	}
	/* Only now that every byte is known to be as written: chunks this version lacks. */
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		uint32_t tag = chunks[i].tag;
		for (size_t j = 0; j < i && (tag == TAG_META || tag == TAG_HPAR || tag == TAG_ENCD ||
		                            tag == TAG_PRIV);
		     j++)
			if (chunks[j].tag == tag)
				return corrupt(path, "a META, HPAR, ENCD or PRIV chunk appears twice", 0);
		if (tag == TAG_META || tag == TAG_HPAR || tag == TAG_ENCD || tag == TAG_GWTS ||
		    tag == TAG_GAVG || tag == TAG_DWTS || tag == TAG_OPTS || tag == TAG_PRIV) {
			chunks[kept++] = chunks[i];
		} else if (chunks[i].flags & FLAG_CRITICAL) {
			char name[5];
			memcpy(name, &tag, 4); /* tags are stored little-endian: bytes as in the file */
			name[4] = '\0';
			return netshare__error(NETSHARE_EUNSUPPORTED, "%s: critical chunk '%s' is not "
			                       "known to this version", path, name);
		} /* unknown optional chunks are skipped */
	}
	*n = kept;
	return NETSHARE_OK;
}

static netshare_status
load_opts(const char *path, const found *f, netshare__dg *d, int chunk)
{
	if (f->len != opts_bytes(d) || (int)netshare__le32(f->payload) != chunk)
		return corrupt(path, "optimiser state of the wrong size or chunk", 0);
	netshare__rbuf r = { f->payload + 4, f->len - 4, 0, 0 };
	for (int i = 0; i < 4; i++)
		d->rng.s[i] = netshare__rbuf_u64(&r);
	d->rng.has_spare = netshare__rbuf_u32(&r) != 0;
	d->rng.spare = netshare__rbuf_f64(&r);
	for (int k = 0; k < 3; k++) {
		netshare__adam *a = (netshare__adam *)optimiser(d, k);
		a->step = (long)netshare__rbuf_u64(&r);
		for (size_t t = 0; t < a->n; t++)
			for (size_t i = 0; i < a->t[t].size; i++) {
				a->t[t].m[i] = netshare__rbuf_f32(&r);
				a->t[t].v[i] = netshare__rbuf_f32(&r);
			}
	}
	return r.bad ? corrupt(path, "truncated optimiser state", 0) : NETSHARE_OK;
}

/* A GWTS, GAVG or DWTS payload into d (GAVG's count is that of the average's updates). */
static netshare_status
load_weights(const char *path, const found *f, netshare__dg *d, int want_chunk)
{
	tensor_list l;
	if (f->tag == TAG_GWTS)
		generator_tensors(d, &l);
	else if (f->tag == TAG_GAVG)
		average_tensors(d, &l);
	else
		critic_tensors(d, &l);
	if (f->len != 12 + tensors_bytes(&l) || (int)netshare__le32(f->payload) != want_chunk)
		return corrupt(path, "weights of the wrong size or chunk", 0);
	const unsigned char *p = f->payload + 12;
	for (size_t k = 0; k < l.count; k++)
		for (size_t i = 0; i < l.n[k]; i++, p += 4)
			if (!isfinite(l.p[k][i] = netshare__lef32(p)))
				return corrupt(path, "a weight that is not a finite number",
				               (size_t)(p - f->payload));
	uint64_t it = netshare__le64(f->payload + 4);
	if (it > (1ull << 40))
		return corrupt(path, "implausible iteration count", 0);
	if (f->tag == TAG_GAVG)
		d->ema.updates = it;
	else
		d->iterations = (long)it;
	return NETSHARE_OK;
}

/*
 * Before anything is allocated or initialised: every weight chunk must have exactly the
 * size the hyperparameters and the encoder give, and what loading allocates must stay
 * within a small multiple of the file (MODEL_MEMORY_PER_BYTE times its length, plus
 * MODEL_MEMORY_SLACK): a file of a few kilobytes that claims 8192 LSTM units or 16,384
 * discriminator units is refused at once, not after minutes of orthogonal
 * initialisation and gigabytes of memory.
 */
#define MODEL_MEMORY_PER_BYTE 64.0
#define MODEL_MEMORY_SLACK (256.0 * 1024 * 1024)

static netshare_status
check_sizes(const char *path, const netshare_encoder *enc, const netshare_model_params *p,
            const found *chunks, size_t n, size_t file_len, uint64_t memory_limit,
            int generator_only)
{
	netshare__gen_shape s;
	if (netshare__model_shape(&s, enc, p) < 0)
		return corrupt(path, "an encoder and hyperparameters that make no model", 0);
	int T = s.sample_len * s.steps;
	double X = (double)T * s.F + s.A;
	double gen = netshare__generator_floats(&s, 0), gen_trained = netshare__generator_floats(&s, 1);
	double crit = netshare__critic_floats((int)(X < 2e9 ? X : 2e9), T, s.F, p->disc_embed,
	                                      p->disc_units, p->disc_layers - 1) +
	              netshare__critic_floats(s.A, 0, 0, 0, p->aux_disc_units,
	                                      p->aux_disc_layers - 1);
	double gwts = 12 + 4 * gen, dwts = 12 + 4 * crit;
	double opts = 4 + 4 * 8 + 4 + 8 + 3 * 8 + 8 * (gen_trained + crit);
	for (size_t i = 0; i < n; i++) {
		double want = chunks[i].tag == TAG_GWTS || chunks[i].tag == TAG_GAVG ? gwts :
		              chunks[i].tag == TAG_DWTS ? dwts :
		              chunks[i].tag == TAG_OPTS ? opts : -1;
		if (want >= 0 && (double)chunks[i].len != want)
			return corrupt(path, "weights of the wrong size for the hyperparameters and the "
			                     "encoder", 0);
	}
	/* Weights, gradients and two Adam moments of everything, each generator's workspace
	 * (which grows with the sequence length: an exported file has no weight that does),
	 * and the training batch's workspace (real, fake and interpolated inputs with their
	 * gradients); an exported model has its generators only. */
	double work = netshare__generator_workspace_floats(&s, p->batch_size);
	double bytes = generator_only ? 4.0 * (4 * gen + work) * enc->chunks :
	               4.0 * ((5 * gen + 4 * crit + work) * enc->chunks + 7.0 * p->batch_size * X);
	double limit = memory_limit ? (double)memory_limit :
	               MODEL_MEMORY_PER_BYTE * (double)file_len + MODEL_MEMORY_SLACK;
	if (bytes > limit) {
		if (memory_limit)
			return netshare__error(NETSHARE_ENOMEM, "%s: the model would take %.0f MB, more "
			                       "than the %.0f MB netshare_load_params.memory_limit "
			                       "allows", path, bytes / 1e6, limit / 1e6);
		return corrupt(path, "hyperparameters that would take far more memory than the "
		                     "file could hold weights for", 0);
	}
	return NETSHARE_OK;
}

NETSHARE_API void
netshare_load_params_init(netshare_load_params *p)
{
	if (!p)
		return;
	memset(p, 0, sizeof *p);
	p->struct_size = sizeof *p;
}

NETSHARE_API netshare_status
netshare_model_load(netshare_model **out, const char *path, const netshare_load_params *params)
{
	if (!out)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_load: out is NULL");
	*out = NULL;
	if (!path || !*path)
		return netshare__error(NETSHARE_EINVAL, "netshare_model_load: path is NULL or empty");
	netshare_load_params lp;
	netshare_load_params_init(&lp);
	netshare_status st;
	if (params && (st = netshare__params_copy(&lp, sizeof lp, sizeof lp, params,
	                                          "netshare_load_params")) < 0)
		return st;
	unsigned char *d = NULL;
	size_t len = 0;
	if ((st = slurp(path, &d, &len)) < 0)
		return st;
	st = netshare__model_load_buffer(out, path, d, len, &lp);
	netshare__free(d);
	return st;
}

/* The privacy record, and the params it came from. */
static netshare_status
load_privacy(netshare_model *m, const found *f, const char *path)
{
	netshare_status st = netshare__privacy_load(&m->priv, m->chunks, f->payload, f->len, path);
	if (st < 0)
		return st;
	m->p.epsilon = m->priv.epsilon_target;
	m->p.delta = m->priv.delta;
	m->p.dp_clip = m->priv.clip;
	m->p.public_iterations = m->priv.public_iterations;
	return NETSHARE_OK;
}

netshare_status
netshare__model_load_buffer(netshare_model **out, const char *path, const unsigned char *d,
                            size_t len, const netshare_load_params *lp)
{
	*out = NULL;
	netshare_status st;
	enum { MAX_FOUND = 4 + 4 * NETSHARE_MAX_CHUNKS + 64 }; /* + unknown optional chunks */
	found chunks[MAX_FOUND];
	size_t n = 0;
	const found *hpar = NULL, *encd = NULL, *priv = NULL;
	netshare_encoder *enc = NULL;
	netshare_model *m = NULL;
	if ((st = parse_container(path, d, len, chunks, MAX_FOUND, &n)) < 0)
		goto done;
	for (size_t i = 0; i < n; i++) {
		if (chunks[i].tag == TAG_HPAR)
			hpar = &chunks[i];
		if (chunks[i].tag == TAG_ENCD)
			encd = &chunks[i];
		if (chunks[i].tag == TAG_PRIV)
			priv = &chunks[i];
	}
	if (!hpar || !encd) {
		st = corrupt(path, "missing hyperparameters or encoder", 0);
		goto done;
	}
	netshare_model_params p;
	netshare_model_params_init(&p);
	netshare__rbuf r = { hpar->payload, hpar->len, 0, 0 };
	get_hparams(&r, &p);
	if (r.bad || r.pos != r.len || netshare__model_check_params(&p) < 0) {
		st = corrupt(path, "bad hyperparameters", 0);
		goto done;
	}
	if ((st = netshare__encoder_load(&enc, encd->payload, encd->len)) < 0) {
		st = netshare__error_prefix(st, "%s", path);
		goto done;
	}
	/* An exported file (generator weights only) makes a model without critics. */
	int generator_only = 1;
	for (size_t i = 0; i < n; i++)
		if (chunks[i].tag == TAG_DWTS || chunks[i].tag == TAG_OPTS)
			generator_only = 0;
	if ((st = check_sizes(path, enc, &p, chunks, n, len, lp->memory_limit,
	                      generator_only)) < 0 ||
	    (st = netshare__model_create(&m, enc, &p, generator_only)) < 0 ||
	    (priv && (st = load_privacy(m, priv, path)) < 0))
		goto done;
	uint64_t have_g = 0, have_d = 0, have_avg = 0, all;
	uint64_t have_opts = 0;
	for (size_t i = 0; i < n && st == NETSHARE_OK; i++) {
		if (chunks[i].tag == TAG_OPTS) {
			int c = chunks[i].len >= 4 ? (int)netshare__le32(chunks[i].payload) : -1;
			if (c < 0 || c >= m->chunks || (have_opts >> c & 1u))
				st = corrupt(path, "optimiser state for an unknown or repeated chunk", 0);
			else
				st = load_opts(path, &chunks[i], &m->dg[c], c);
			have_opts |= c >= 0 && c < 64 ? 1ull << c : 0;
			continue;
		}
		uint32_t tag = chunks[i].tag;
		if (tag != TAG_GWTS && tag != TAG_DWTS && tag != TAG_GAVG)
			continue;
		int c = chunks[i].len >= 4 ? (int)netshare__le32(chunks[i].payload) : -1;
		uint64_t *have = tag == TAG_GWTS ? &have_g : tag == TAG_DWTS ? &have_d : &have_avg;
		if (c < 0 || c >= m->chunks || (*have >> c & 1u)) {
			st = corrupt(path, "weights for an unknown or repeated chunk", 0);
			break;
		}
		if (tag == TAG_GAVG && !m->dg[c].ema.count) {
			st = corrupt(path, "weight averages in a model that keeps none", 0);
			break;
		}
		st = load_weights(path, &chunks[i], &m->dg[c], c);
		*have |= 1ull << c;
	}
	all = m ? (m->chunks == 64 ? ~0ull : (1ull << m->chunks) - 1) : 0;
	/* An exported file has generators only; otherwise every chunk has both, and their
	 * averages if the model keeps them. */
	int averaged = m && m->dg[0].ema.count > 0; /* a trainer with ema_decay */
	if (st == NETSHARE_OK && (have_g != all || (have_d != all && (have_d || have_opts)) ||
	                          have_avg != (averaged ? all : 0)))
		st = corrupt(path, "weights missing for a chunk", 0);
done:
	netshare_encoder_free(enc);
	if (st < 0) {
		netshare_model_free(m);
		return st;
	}
	*out = m;
	return NETSHARE_OK;
}

/* One chunk's state for another process of the same model: its GWTS, DWTS and OPTS
 * payloads and, if the model averages its generator, GAVG's, each after its u64 length,
 * then the last losses (f64 x 4). */
static const uint32_t chunk_state_tags[] = { TAG_GWTS, TAG_DWTS, TAG_OPTS, TAG_GAVG };

static int
chunk_state_parts(const netshare__dg *d)
{
	return d->ema.count ? 4 : 3;
}

netshare_status
netshare__model_chunk_save(const netshare_model *m, int c, netshare__wbuf *b)
{
	netshare__dg *d = (netshare__dg *)&m->dg[c];
	netshare__wbuf tmp = { 0 };
	tensor_list l;
	for (int part = 0; part < chunk_state_parts(d); part++) {
		uint32_t tag = chunk_state_tags[part];
		if (tag == TAG_OPTS) {
			opts_payload(&tmp, c, d);
		} else {
			(tag == TAG_GWTS ? generator_tensors : tag == TAG_DWTS ? critic_tensors
			                                                         : average_tensors)(d, &l);
			weights_payload(&tmp, c, tag == TAG_GAVG ? d->ema.updates : (uint64_t)d->iterations,
			                &l);
		}
		netshare__wbuf_u64(b, tmp.len);
		netshare__wbuf_bytes(b, tmp.data, tmp.len);
		if (tmp.status != NETSHARE_OK)
			b->status = tmp.status;
	}
	netshare__wbuf_free(&tmp);
	const double loss[] = { d->loss_d, d->loss_aux, d->loss_g, d->wasserstein };
	for (int k = 0; k < 4; k++)
		netshare__wbuf_f64(b, loss[k]);
	return b->status == NETSHARE_OK ? NETSHARE_OK : netshare__error_oom("chunk state");
}

netshare_status
netshare__model_chunk_load(netshare_model *m, int c, const unsigned char *data, size_t len)
{
	netshare__dg *d = &m->dg[c];
	netshare__rbuf r = { data, len, 0, 0 };
	static const char what[] = "chunk state from another process";
	netshare_status st = NETSHARE_OK;
	for (int part = 0; part < chunk_state_parts(d) && st == NETSHARE_OK; part++) {
		uint64_t n = netshare__rbuf_u64(&r);
		const unsigned char *p = n <= len ? netshare__rbuf_bytes(&r, (size_t)n) : NULL;
		if (!p)
			return corrupt(what, "truncated", 0);
		found f = { chunk_state_tags[part], 0, p, (size_t)n };
		st = f.tag == TAG_OPTS ? load_opts(what, &f, d, c) : load_weights(what, &f, d, c);
	}
	double *loss[] = { &d->loss_d, &d->loss_aux, &d->loss_g, &d->wasserstein };
	for (int k = 0; k < 4 && st == NETSHARE_OK; k++)
		*loss[k] = netshare__rbuf_f64(&r);
	if (st == NETSHARE_OK && (r.bad || r.pos != r.len))
		st = corrupt(what, "bad length", 0);
	return st;
}

uint32_t
netshare__model_identity(const netshare_model *m)
{
	netshare__wbuf b = { 0 };
	put_hparams(&b, &m->p);
	netshare__encoder_save(m->enc, &b);
	uint32_t crc = b.status == NETSHARE_OK ? netshare__crc32c(0, b.data, b.len) : 0;
	netshare__wbuf_free(&b);
	return crc;
}
