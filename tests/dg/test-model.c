/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The model handle and its file: parameters, chunked training with warm start, save ->
 * load -> generate bit-identical, and a hostile file: every truncation, every single-byte
 * change, a newer format, unknown optional and critical chunks.
 */
#include <math.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../test-fixtures.h"
#include "core/bytes.h"
#include "core/crc32c.h"
#include "core/rng.h"
#include "dg/model.h"
#include "model-file-bytes.h"

/* The toy trace (*ds, the caller frees it) and an encoder fitted on it in `chunks`. */
static netshare_encoder *
toy_encoder(int chunks, netshare_dataset **ds)
{
	*ds = netshare_test_toy_trace(0);
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = chunks;
	netshare_encoder *enc;
	ck_assert_ok(netshare_encoder_fit(&enc, *ds, &ep));
	return enc;
}

/* A model of enc (freed: the model keeps its own copy) trained on ds with p. */
static netshare_model *
trained(netshare_encoder *enc, const netshare_dataset *ds, const netshare_model_params *p)
{
	netshare_model *m;
	ck_assert_ok(netshare_model_new(&m, enc, p));
	netshare_encoder_free(enc);
	ck_assert_ok(netshare_model_train(m, ds));
	return m;
}

static netshare_model *
trained_model(netshare_dataset **dsp)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(2, &ds);
	netshare_model_params p = netshare_test_small_model_params();
	netshare_model *m = trained(enc, ds, &p);
	*dsp = ds;
	return m;
}

static int calls;

static int
count_progress(const netshare_progress *p, void *user)
{
	(void)user;
	if (p->done > 0)
		ck_assert(!isnan(p->loss_d) && !isnan(p->loss_g) && !isnan(p->wasserstein));
	calls++;
	return 0;
}

START_TEST(parameters_training_and_info)
{
	netshare_dataset *ds = netshare_test_toy_trace(0);
	netshare_encoder *enc;
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 2;
	ck_assert_ok(netshare_encoder_fit(&enc, ds, &ep));
	netshare_model *m = (netshare_model *)1;
	netshare_model_params p = netshare_test_small_model_params();
	p.batch_size = 0;
	ck_assert_status(netshare_model_new(&m, enc, &p), NETSHARE_EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_error_contains("netshare_model_params.batch_size = 0");
	p = netshare_test_small_model_params();
	p.disc_layers = 1;
	ck_assert_status(netshare_model_new(&m, enc, &p), NETSHARE_EINVAL);
	ck_assert_error_contains("disc_layers");
	p = netshare_test_small_model_params();
	p.progress = count_progress;
	ck_assert_ok(netshare_model_new(&m, enc, &p));
	ck_assert_ptr_nonnull(netshare_model_encoder(m));
	ck_assert_ok(netshare_model_train(m, ds));
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(m, &in));
	ck_assert_int_eq(in.chunks, 2);
	ck_assert_uint_eq(in.iterations_chunk0, 8);
	ck_assert_uint_eq(in.iterations_total, 8 + 8 / 4);
	ck_assert_uint_gt(in.params_generator, 1000);
	ck_assert_uint_gt(in.params_discriminator, in.params_aux_discriminator);
	ck_assert(!isnan(in.loss_g));
	ck_assert_int_ge(calls, 10);
	/* Training again does nothing more: the iterations are done. */
	ck_assert_ok(netshare_model_train(m, ds));
	ck_assert_ok(netshare_model_info_get(m, &in));
	ck_assert_uint_eq(in.iterations_total, 10);
	netshare_model_free(m);
	netshare_model_free(NULL);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

/*
 * Fewer iterations than the fine-tune divisor: the later chunks train 0 iterations, and
 * still start from chunk 0's weights (every generator tensor equal), not from random
 * ones; so do their weight averages, which are what generates.
 */
START_TEST(short_training_still_warm_starts)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(3, &ds);
	for (uint32_t its = 1; its <= 3; its++) {
		netshare_model_params p = netshare_test_small_model_params();
		p.iterations = its;
		p.ema_decay = 0.9;
		netshare_model *m;
		ck_assert_ok(netshare_model_new(&m, enc, &p));
		ck_assert_ok(netshare_model_train(m, ds));
		const netshare__adam *g0 = &m->dg[0].opt_g;
		for (int c = 1; c < m->chunks; c++) {
			const netshare__adam *gc = &m->dg[c].opt_g;
			ck_assert_uint_eq(m->dg[c].iterations, 0);
			ck_assert_uint_eq(m->dg[c].ema.n, m->dg[0].ema.n);
			ck_assert_msg(memcmp(m->dg[c].ema.avg, m->dg[0].ema.avg,
			                     m->dg[0].ema.n * sizeof(float)) == 0,
			              "%u iterations: chunk %d's average is not chunk 0's", its, c);
			ck_assert_uint_eq(gc->n, g0->n);
			for (size_t k = 0; k < g0->n; k++)
				ck_assert_msg(memcmp(gc->t[k].param, g0->t[k].param,
				                     g0->t[k].size * sizeof(float)) == 0,
				              "%u iterations: chunk %d tensor %zu is not chunk 0's", its, c, k);
		}
		netshare_model_free(m);
	}
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(save_load_generate_identical)
{
	netshare_dataset *ds;
	netshare_model *m = trained_model(&ds), *back;
	const char *dir = netshare_test_tmpdir();
	char path[512], path2[512];
	netshare_test_path(path, sizeof path, dir, "m.nsm");
	netshare_test_path(path2, sizeof path2, dir, "m2.nsm");
	ck_assert_ok(netshare_model_save(m, path));
	/* A memory limit below what the model takes: a clean ENOMEM before allocating. */
	netshare_load_params lp;
	netshare_load_params_init(&lp);
	lp.memory_limit = 4096;
	ck_assert_status(netshare_model_load(&back, path, &lp), NETSHARE_ENOMEM);
	ck_assert_ptr_null(back);
	ck_assert_error_contains("memory_limit");
	lp.memory_limit = UINT64_C(1) << 40;
	ck_assert_ok(netshare_model_load(&back, path, &lp));
	netshare_model_free(back);
	ck_assert_ok(netshare_model_load(&back, path, NULL));
	for (int c = 0; c < 2; c++) {
		ck_assert_ok(netshare__model_generate(m, c, 42, 20));
		ck_assert_ok(netshare__model_generate(back, c, 42, 20));
		const netshare__generator *a = &m->dg[c].g, *b = &back->dg[c].g;
		ck_assert_mem_eq(a->attributes, b->attributes, 20 * (size_t)m->shape.A * sizeof(float));
		ck_assert_mem_eq(a->features, b->features,
		                 20 * (size_t)m->shape.sample_len * m->shape.steps * m->shape.F * sizeof(float));
		ck_assert_int_eq(m->dg[c].iterations, back->dg[c].iterations);
	}
	/* Saving the loaded model gives the same bytes. */
	ck_assert_ok(netshare_model_save(back, path2));
	size_t l1, l2;
	unsigned char *d1 = read_all(path, &l1), *d2 = read_all(path2, &l2);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(d1, d2, l1);
	free(d1);
	free(d2);
	unlink(path);
	unlink(path2);
	rmdir(dir);
	netshare_model_free(back);
	netshare_model_free(m);
	netshare_dataset_free(ds);
}
END_TEST

static netshare_status
load_bytes(const char *path, const unsigned char *d, size_t n)
{
	netshare_model *m = (netshare_model *)1;
	netshare_load_params defaults;
	netshare_load_params_init(&defaults);
	netshare_status st = netshare__model_load_buffer(&m, path, d, n, &defaults);
	if (st == NETSHARE_OK)
		netshare_model_free(m);
	else
		ck_assert_ptr_null(m);
	return st;
}

/* Offset of the END chunk's header, walking the container independently. */
static size_t
end_chunk(const unsigned char *d, size_t len)
{
	size_t at = 32;
	for (;;) {
		uint64_t plen = netshare__le64(d + at + 8);
		size_t start = (at + 16 + 31) / 32 * 32;
		if (memcmp(d + at, "END ", 4) == 0)
			return at;
		at = start + (size_t)plen + 4;
		ck_assert_uint_lt(at, len);
	}
}

/* Insert a chunk before END and fix the lengths and checksums, as a newer writer would. */
static unsigned char *
with_extra_chunk(const unsigned char *d, size_t len, const char *tag, uint32_t flags, size_t *out)
{
	size_t end = end_chunk(d, len);
	unsigned char *o = calloc(len + 256, 1);
	memcpy(o, d, end);
	size_t at = end;
	memcpy(o + at, tag, 4);
	netshare__put_le32(o + at + 4, flags);
	netshare__put_le64(o + at + 8, 5);
	size_t start = (at + 16 + 31) / 32 * 32;
	memcpy(o + start, "hello", 5);
	netshare__put_le32(o + start + 5, netshare__crc32c(0, "hello", 5));
	at = start + 9;
	memcpy(o + at, "END ", 4);
	netshare__put_le32(o + at + 4, 1);
	netshare__put_le64(o + at + 8, 4);
	start = (at + 16 + 31) / 32 * 32;
	*out = start + 8;
	netshare__put_le64(o + 16, *out);
	netshare__put_le32(o + 24, netshare__crc32c(0, o, 24));
	netshare__put_le32(o + start, netshare__crc32c(0, o, start));
	netshare__put_le32(o + start + 4, netshare__crc32c(0, o + start, 4));
	return o;
}

/*
 * Model files with valid checksums and hostile contents are refused within a second and
 * without allocating for what they claim: huge LSTM or discriminator widths, a huge
 * batch, weights that are not finite, non-zero reserved bytes.
 */
START_TEST(hostile_contents_with_valid_checksums)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(2, &ds);
	netshare_model_params p = netshare_test_small_model_params();
	p.iterations = 2;
	netshare_model *m = trained(enc, ds, &p);
	const char *dir = netshare_test_tmpdir();
	char path[512];
	for (int keep = 0; keep < 2; keep++) {
		netshare_test_path(path, sizeof path, dir, keep ? "full.nsm" : "export.nsm");
		ck_assert_ok(keep ? netshare_model_save(m, path) : netshare_model_export(m, path));
		size_t len, hlen, glen;
		unsigned char *orig = read_all(path, &len);
		size_t hpar = chunk_payload(orig, len, "HPAR", &hlen);
		size_t gwts = chunk_payload(orig, len, "GWTS", &glen);
		ck_assert_uint_gt(hpar, 0);
		ck_assert_uint_gt(gwts, 0);
		/* HPAR: u32 iterations, u32 divisor, then batch_size (8), ..., lstm_units (36),
		 * disc_layers (40), disc_units (44). */
		static const struct { size_t at; uint32_t value; } edits[] = {
			{ 36, 8192 }, { 36, 4096 }, { 44, 16384 }, { 8, 1u << 24 }, { 28, 1u << 20 },
		};
		unsigned char *d = malloc(len);
		ck_assert_ptr_nonnull(d);
		/* ENCD: u32 version, u8 kind, u32 chunks, two u64 times, then max_flow_len (25),
		 * sample_len (29), max_len (33). */
		size_t elen, encd = chunk_payload(orig, len, "ENCD", &elen);
		ck_assert_uint_gt(encd, 0);
		uint32_t sample_len = netshare__le32(orig + encd + 29);
		ck_assert_uint_ge(sample_len, 1);
		ck_assert_uint_eq(netshare__le32(orig + encd + 33) % sample_len, 0);
		ck_assert_uint_le(netshare__le32(orig + encd + 25), netshare__le32(orig + encd + 33));
		for (size_t e = 0; e < sizeof edits / sizeof edits[0] + 4; e++) {
			memcpy(d, orig, len);
			const char *what;
			if (e < sizeof edits / sizeof edits[0]) {
				netshare__put_le32(d + hpar + edits[e].at, edits[e].value);
				what = "hyperparameters";
			} else if (e == sizeof edits / sizeof edits[0]) {
				float nan = NAN;
				uint32_t bits;
				memcpy(&bits, &nan, 4);
				netshare__put_le32(d + gwts + 12 + 8, bits);
				what = "a NaN weight";
			} else if (e == sizeof edits / sizeof edits[0] + 1) {
				d[28] = 1; /* reserved header bytes */
				what = "reserved bytes";
			} else if (e == sizeof edits / sizeof edits[0] + 2) {
				/* No weight grows with the sequence length: only the memory check
				 * stands between an exported file and flows of 65,536 records. */
				netshare__put_le32(d + encd + 25, 65536);
				netshare__put_le32(d + encd + 33, (65536 + sample_len - 1) / sample_len *
				                                  sample_len);
				what = "a sequence length of 65,536";
			} else {
				d[12] = 4; /* header flags: none defined */
				what = "header flags";
			}
			fix_checksums(d, len);
			struct rusage before, after;
			getrusage(RUSAGE_SELF, &before);
			double t0 = netshare_test_now();
			netshare_status st = load_bytes(path, d, len);
			double spent = netshare_test_now() - t0;
			getrusage(RUSAGE_SELF, &after);
			/* An exported file builds no discriminator (it cannot train): a huge
			 * disc_units there costs nothing and loads. */
			int harmless = !keep && e == 2;
			ck_assert_msg(st == (harmless ? NETSHARE_OK : NETSHARE_ECORRUPT),
			              "%s (edit %zu, %s file): status %d", what, e,
			              keep ? "full" : "exported", st);
			ck_assert_msg(spent < 1.0, "%s: refused after %.2f s", what, spent);
			ck_assert_msg(after.ru_maxrss - before.ru_maxrss < 100 * 1024,
			              "%s: peak memory grew by %ld KiB", what,
			              after.ru_maxrss - before.ru_maxrss);
		}
		free(d);
		free(orig);
	}
	netshare_model_free(m);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(damaged_and_foreign_files)
{
	/* A one-chunk model with tiny layers keeps the file small enough to damage every
	 * byte of it. */
	netshare_dataset *ds = netshare_test_toy_trace(0);
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 1;
	ep.word2vec_dim = 2;
	netshare_encoder *enc;
	ck_assert_ok(netshare_encoder_fit(&enc, ds, &ep));
	netshare_model_params p = netshare_test_small_model_params();
	p.attr_units = p.disc_units = p.aux_disc_units = 3;
	p.lstm_units = 2;
	p.iterations = 2;
	netshare_model *m = trained(enc, ds, &p);
	const char *dir = netshare_test_tmpdir();
	char path[512], bad[512];
	netshare_test_path(path, sizeof path, dir, "m.nsm");
	netshare_test_path(bad, sizeof bad, dir, "bad.nsm");
	ck_assert_ok(netshare_model_save(m, path));
	size_t len;
	unsigned char *d = read_all(path, &len);
	ck_assert_ok(load_bytes(bad, d, len));
	/* Every truncation. */
	for (size_t cut = 0; cut < len; cut++) {
		netshare_status st = load_bytes(bad, d, cut);
		ck_assert_msg(st == NETSHARE_ECORRUPT || st == NETSHARE_EFORMAT, "cut %zu: %s", cut,
		              netshare_status_name(st));
	}
	/* Every single-byte change. */
	for (size_t at = 0; at < len; at++) {
		d[at] ^= 0x01;
		netshare_status st = load_bytes(bad, d, len);
		ck_assert_msg(st == NETSHARE_ECORRUPT || st == NETSHARE_EFORMAT, "byte %zu: %s", at,
		              netshare_status_name(st));
		ck_assert(netshare_last_error()[0] != '\0');
		d[at] ^= 0x01;
	}
	/* A newer major version (header checksum intact): EVERSION. */
	unsigned char *v = malloc(len);
	memcpy(v, d, len);
	netshare__put_le16(v + 8, 2);
	netshare__put_le32(v + 24, netshare__crc32c(0, v, 24));
	ck_assert_status(load_bytes(bad, v, len), NETSHARE_EVERSION);
	free(v);
	/* Unknown chunks: optional ones are skipped, critical ones refused. */
	size_t n2;
	unsigned char *opt = with_extra_chunk(d, len, "XTRA", 0, &n2);
	ck_assert_ok(load_bytes(bad, opt, n2));
	free(opt);
	unsigned char *crit = with_extra_chunk(d, len, "XTRA", 1, &n2);
	ck_assert_status(load_bytes(bad, crit, n2), NETSHARE_EUNSUPPORTED);
	ck_assert_error_contains("critical chunk 'XTRA'");
	free(crit);
	ck_assert_status(load_bytes(bad, (const unsigned char *)"hello world", 11), NETSHARE_EFORMAT);
	netshare_model *x;
	ck_assert_status(netshare_model_load(&x, "/nonexistent/m.nsm", NULL), NETSHARE_EIO);
	netshare_load_params lp;
	netshare_load_params_init(&lp);
	lp.struct_size = 1;
	ck_assert_status(netshare_model_load(&x, "/nonexistent/m.nsm", &lp), NETSHARE_EABI);
	ck_assert_status(netshare_model_save(m, "/nonexistent-dir/m.nsm"), NETSHARE_EIO);
	free(d);
	unlink(path);
	unlink(bad);
	rmdir(dir);
	netshare_model_free(m);
	netshare_dataset_free(ds);
}
END_TEST

static uint64_t cancel_at;

static int
cancel_progress(const netshare_progress *p, void *user)
{
	(void)user;
	return p->chunk == 0 && p->done >= cancel_at;
}

START_TEST(killed_run_resumes_exactly)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(2, &ds);
	const char *dir = netshare_test_tmpdir();
	char ck[512];
	netshare_test_path(ck, sizeof ck, dir, "checkpoint.nsm");
	netshare_model_params p = netshare_test_small_model_params();
	p.iterations = 12;
	netshare_model *a, *b, *c;
	ck_assert_ok(netshare_model_new(&a, enc, &p));
	ck_assert_ok(netshare_model_train(a, ds));
	/* The same run, checkpointing every 5 iterations and killed after 7. */
	p.checkpoint_path = ck;
	p.checkpoint_every = 5;
	p.progress = cancel_progress;
	cancel_at = 7;
	ck_assert_ok(netshare_model_new(&b, enc, &p));
	ck_assert_status(netshare_model_train(b, ds), NETSHARE_ECANCELED);
	netshare_model_free(b);
	ck_assert_ok(netshare_model_load(&c, ck, NULL));
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(c, &in));
	ck_assert_uint_eq(in.iterations_chunk0, 5);
	ck_assert_ok(netshare_model_set_training(c, NULL));
	ck_assert_ok(netshare_model_train(c, ds));
	for (int k = 0; k < 2; k++) {
		ck_assert_int_eq(a->dg[k].iterations, c->dg[k].iterations);
		ck_assert_mem_eq(a->dg[k].d.hidden[0].w, c->dg[k].d.hidden[0].w,
		                 (size_t)a->dg[k].d.in * 16 * sizeof(float));
		ck_assert_ok(netshare__model_generate(a, k, 5, 20));
		ck_assert_ok(netshare__model_generate(c, k, 5, 20));
		ck_assert_mem_eq(a->dg[k].g.attributes, c->dg[k].g.attributes,
		                 20 * (size_t)a->shape.A * sizeof(float));
	}
	netshare_model_free(a);
	netshare_model_free(c);
	unlink(ck);
	rmdir(dir);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

/*
 * The deepest networks the parameters allow train and checkpoint (every generator
 * tensor in one optimiser: 16-17 attribute layers once failed with an internal
 * "more than 64 tensors"), and a layer more is refused by name.
 */
START_TEST(deepest_networks_train_and_checkpoint)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(1, &ds);
	const char *dir = netshare_test_tmpdir();
	char ck[512];
	netshare_test_path(ck, sizeof ck, dir, "deep.nsm");
	netshare_model_params p = netshare_test_small_model_params();
	netshare_model *m = (netshare_model *)1, *back;
	p.attr_layers = NETSHARE__GEN_MAX_LAYERS + 2;
	ck_assert_status(netshare_model_new(&m, enc, &p), NETSHARE_EINVAL);
	ck_assert_ptr_null(m);
	ck_assert_error_contains("attr_layers");
	p.attr_layers = NETSHARE__GEN_MAX_LAYERS + 1;
	p.disc_layers = p.aux_disc_layers = NETSHARE__CRITIC_MAX_LAYERS + 1;
	p.iterations = 4;
	p.checkpoint_path = ck;
	p.checkpoint_every = 2;
	ck_assert_ok(netshare_model_new(&m, enc, &p));
	ck_assert_ok(netshare_model_train(m, ds));
	ck_assert_ok(netshare_model_load(&back, ck, NULL));
	netshare_model_info a = { .struct_size = sizeof a }, b = { .struct_size = sizeof b };
	ck_assert_ok(netshare_model_info_get(m, &a));
	ck_assert_ok(netshare_model_info_get(back, &b));
	ck_assert_uint_eq(b.iterations_chunk0, 4);
	ck_assert_uint_eq(a.params_generator, b.params_generator);
	ck_assert_ok(netshare__model_generate(m, 0, 7, 20));
	ck_assert_ok(netshare__model_generate(back, 0, 7, 20));
	ck_assert_mem_eq(m->dg[0].g.attributes, back->dg[0].g.attributes,
	                 20 * (size_t)m->shape.A * sizeof(float));
	netshare_model_free(back);
	netshare_model_free(m);
	unlink(ck);
	rmdir(dir);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

/* Cancels once a later chunk reports iteration cancel_at. */
static int
cancel_later_chunk(const netshare_progress *p, void *user)
{
	(void)user;
	return p->chunk == 2 && p->done >= cancel_at;
}

/* The model file's bytes. */
static unsigned char *
file_bytes(netshare_model *m, const char *path, size_t *len)
{
	ck_assert_ok(netshare_model_save(m, path));
	FILE *f = fopen(path, "rb");
	ck_assert_ptr_nonnull(f);
	fseek(f, 0, SEEK_END);
	*len = (size_t)ftell(f);
	rewind(f);
	unsigned char *b = malloc(*len);
	ck_assert_ptr_nonnull(b);
	ck_assert_uint_eq(fread(b, 1, *len, f), *len);
	fclose(f);
	unlink(path);
	return b;
}

/* a and b save to the same bytes (through path). */
static void
assert_same_file(netshare_model *a, netshare_model *b, const char *path, const char *what)
{
	size_t na, nb;
	unsigned char *ba = file_bytes(a, path, &na), *bb = file_bytes(b, path, &nb);
	ck_assert_uint_eq(na, nb);
	ck_assert_msg(memcmp(ba, bb, na) == 0, "%s: another model", what);
	free(ba);
	free(bb);
}

/* The run of p killed after 7 iterations of chunk 0 while checkpointing to ck every 5,
 * then loaded from the checkpoint and trained to its end on two threads. */
static netshare_model *
resumed_after_kill(const netshare_encoder *enc, const netshare_dataset *ds,
                   netshare_model_params p, const char *ck)
{
	p.checkpoint_path = ck;
	p.checkpoint_every = 5;
	p.progress = cancel_progress;
	p.threads = 2;
	cancel_at = 7;
	netshare_model *killed, *resumed;
	ck_assert_ok(netshare_model_new(&killed, enc, &p));
	ck_assert_status(netshare_model_train(killed, ds), NETSHARE_ECANCELED);
	netshare_model_free(killed);
	ck_assert_ok(netshare_model_load(&resumed, ck, NULL));
	ck_assert_ok(netshare_model_set_training(resumed, NULL));
	ck_assert_ok(netshare_model_train(resumed, ds));
	return resumed;
}

/* Cancels at chunk 1's first iteration, when chunk 0 is done and checkpointed. */
static int
cancel_after_chunk0(const netshare_progress *p, void *user)
{
	(void)user;
	return p->chunk == 1;
}

/*
 * Chunks 1..3 one after another or side by side -> same bytes; and a run killed while
 * they train side by side resumes to the same bytes.
 */
/*
 * The thread count changes no bit of a model: chunk 0's critics step side by side on two
 * threads with single-threaded OpenBLAS, in the serial order of random draws, and a lone
 * later chunk trains the same way (chunks = 2), several side by side (chunks = 4).
 */
START_TEST(thread_count_does_not_change_the_model)
{
	netshare_dataset *ds = netshare_test_toy_trace(1);
	const char *dir = netshare_test_tmpdir();
	char out[512];
	netshare_test_path(out, sizeof out, dir, "out.nsm");
	for (int chunks = 2; chunks <= 4; chunks += 2) {
		netshare_encoder_params ep;
		netshare_encoder_params_init(&ep);
		ep.chunks = chunks;
		netshare_encoder *enc;
		ck_assert_ok(netshare_encoder_fit(&enc, ds, &ep));
		unsigned char *bytes[3];
		size_t n[3];
		for (unsigned t = 1; t <= 3; t++) {
			netshare_model_params p = netshare_test_small_model_params();
			p.iterations = 8;
			p.fine_tune_divisor = 2;
			p.threads = t;
			netshare_model *m;
			ck_assert_ok(netshare_model_new(&m, enc, &p));
			ck_assert_ok(netshare_model_train(m, ds));
			bytes[t - 1] = file_bytes(m, out, &n[t - 1]);
			netshare_model_free(m);
		}
		for (int t = 1; t < 3; t++) {
			ck_assert_uint_eq(n[0], n[t]);
			ck_assert_msg(memcmp(bytes[0], bytes[t], n[0]) == 0,
			              "%d chunks: %d threads give another model than 1", chunks, t + 1);
		}
		for (int t = 0; t < 3; t++)
			free(bytes[t]);
		netshare_encoder_free(enc);
	}
	unlink(out);
	rmdir(dir);
	netshare_dataset_free(ds);
}
END_TEST

/*
 * The discriminator's front (disc_embed): resolved and reported, in the file (a killed
 * run resumes to the same weights, front included), independent of the thread count,
 * bounded, and auto off for the toy's short flows.
 */
START_TEST(discriminator_front)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(2, &ds);
	const char *dir = netshare_test_tmpdir();
	char ck[512], out[512];
	netshare_test_path(ck, sizeof ck, dir, "checkpoint.nsm");
	netshare_test_path(out, sizeof out, dir, "out.nsm");
	netshare_model_params p = netshare_test_small_model_params();
	netshare_model *plain, *a, *c;
	netshare_model_info in = { .struct_size = sizeof in }, pin = in;
	ck_assert_ok(netshare_model_new(&plain, enc, &p));
	ck_assert_ok(netshare_model_info_get(plain, &pin));
	ck_assert_int_eq(pin.disc_embed, 0); /* auto: the toy's flows are short */
	ck_assert_int_eq(plain->dg[0].d.steps, 0);
	p.disc_embed = 3;
	p.iterations = 12;
	p.threads = 1;
	ck_assert_ok(netshare_model_new(&a, enc, &p));
	ck_assert_ok(netshare_model_info_get(a, &in));
	ck_assert_int_eq(in.disc_embed, 3);
	int T = a->dg[0].T, F = a->dg[0].F, A = a->dg[0].A;
	ck_assert_int_eq(a->dg[0].d.steps, T);
	ck_assert_int_eq(a->dg[0].d.in0, 3 * T + A);
	ck_assert_uint_eq(in.params_discriminator, pin.params_discriminator -
	                  (uint64_t)(T * F - 3 * T) * 16 + 3 * F + 3);
	ck_assert_ok(netshare_model_train(a, ds));
	/* Killed after 7 iterations, resumed from the checkpoint on two threads. */
	c = resumed_after_kill(enc, ds, p, ck);
	ck_assert_ok(netshare_model_info_get(c, &in));
	ck_assert_int_eq(in.disc_embed, 3);
	assert_same_file(a, c, out, "resumed on 2 threads");
	ck_assert_mem_eq(a->dg[0].d.front.w, c->dg[0].d.front.w, (size_t)3 * F * sizeof(float));
	p = netshare_test_small_model_params();
	p.disc_embed = NETSHARE_MAX_DISC_EMBED + 1;
	netshare_model *d = (netshare_model *)1;
	ck_assert_status(netshare_model_new(&d, enc, &p), NETSHARE_EINVAL);
	ck_assert_error_contains("disc_embed");
	/* Auto on a flow of 2000 packets: a front of 8 takes T x (F - 8) inputs off D. */
	netshare_dataset *lds = netshare_test_small_trace();
	for (int j = 0; j < 2000; j++)
		netshare_test_add_udp(lds, 100 + j, 9, 9000);
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 1;
	netshare_encoder *lenc;
	ck_assert_ok(netshare_encoder_fit(&lenc, lds, &ep));
	p = netshare_test_small_model_params();
	ck_assert_ok(netshare_model_new(&d, lenc, &p));
	ck_assert_ok(netshare_model_info_get(d, &in));
	int lt = d->dg[0].T, lf = d->dg[0].F;
	ck_assert_int_eq(lt, 2000);
	ck_assert_int_gt(lt * (lf - 8), NETSHARE_DISC_EMBED_AUTO_INPUTS);
	ck_assert_int_eq(in.disc_embed, 8);
	ck_assert_int_eq(d->dg[0].d.in0, 8 * lt + d->dg[0].A);
	netshare_model_free(d);
	netshare_encoder_free(lenc);
	netshare_dataset_free(lds);
	netshare_model_free(plain);
	netshare_model_free(a);
	netshare_model_free(c);
	unlink(ck);
	rmdir(dir);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(parallel_chunks_match_serial_and_resume)
{
	netshare_dataset *ds = netshare_test_toy_trace(1);
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 4;
	netshare_encoder *enc;
	ck_assert_ok(netshare_encoder_fit(&enc, ds, &ep));
	const char *dir = netshare_test_tmpdir();
	char ck[512], out[512];
	netshare_test_path(ck, sizeof ck, dir, "checkpoint.nsm");
	netshare_test_path(out, sizeof out, dir, "out.nsm");
	netshare_model_params p = netshare_test_small_model_params();
	p.iterations = 12;
	p.fine_tune_divisor = 2;
	netshare_model *serial, *first, *parallel, *killed, *resumed;
	p.threads = 1;
	ck_assert_ok(netshare_model_new(&serial, enc, &p));
	ck_assert_ok(netshare_model_train(serial, ds));
	/* The same chunk 0, then the later chunks side by side on three threads. */
	p.checkpoint_path = ck;
	p.checkpoint_every = 4;
	p.progress = cancel_after_chunk0;
	ck_assert_ok(netshare_model_new(&first, enc, &p));
	ck_assert_status(netshare_model_train(first, ds), NETSHARE_ECANCELED);
	netshare_model_free(first);
	ck_assert_ok(netshare_model_load(&parallel, ck, NULL));
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(parallel, &in));
	ck_assert_uint_eq(in.iterations_chunk0, 12);
	ck_assert_uint_eq(in.iterations_total, 12);
	netshare_model_params run;
	netshare_model_params_init(&run);
	run.threads = 3;
	ck_assert_ok(netshare_model_set_training(parallel, &run));
	ck_assert_ok(netshare_model_train(parallel, ds));
	size_t n1, n2, n3;
	unsigned char *a = file_bytes(serial, out, &n1), *b = file_bytes(parallel, out, &n2);
	ck_assert_uint_eq(n1, n2);
	ck_assert_mem_eq(a, b, n1);
	/* Killed while chunks 1..3 train side by side, resumed from the last checkpoint. */
	cancel_at = 5;
	ck_assert_ok(netshare_model_load(&killed, ck, NULL));
	run.progress = cancel_later_chunk;
	run.checkpoint_path = ck;
	run.checkpoint_every = 4;
	ck_assert_ok(netshare_model_set_training(killed, &run));
	ck_assert_status(netshare_model_train(killed, ds), NETSHARE_ECANCELED);
	netshare_model_free(killed);
	ck_assert_ok(netshare_model_load(&resumed, ck, NULL));
	ck_assert_ok(netshare_model_info_get(resumed, &in));
	ck_assert_uint_eq(in.iterations_chunk0, 12);
	ck_assert_uint_eq(in.iterations_total, 12 + 3 * 4);
	run.progress = NULL;
	run.checkpoint_path = NULL;
	run.checkpoint_every = 0;
	ck_assert_ok(netshare_model_set_training(resumed, &run));
	ck_assert_ok(netshare_model_train(resumed, ds));
	unsigned char *c = file_bytes(resumed, out, &n3);
	ck_assert_uint_eq(n1, n3);
	ck_assert_mem_eq(a, c, n1);
	free(a);
	free(b);
	free(c);
	netshare_model_free(serial);
	netshare_model_free(parallel);
	netshare_model_free(resumed);
	unlink(ck);
	rmdir(dir);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

/* What the model generates with seed 7 (every sampling step as by default). */
static netshare_dataset *
generated(const netshare_model *m)
{
	netshare_sample_params sp;
	netshare_sample_params_init(&sp);
	sp.seed = 7;
	netshare_sampler *s;
	netshare_dataset *out;
	ck_assert_ok(netshare_sampler_new(&s, m, &sp));
	ck_assert_ok(netshare_sampler_generate(&out, s));
	netshare_sampler_free(s);
	return out;
}

/* The generator's i-th tensor (the model file's order) and its size. */
static const float *
generator_tensor(netshare_model *m, int chunk, size_t i, size_t *size)
{
	netshare__gen_tensor t[NETSHARE__GEN_MAX_TENSORS];
	ck_assert_uint_lt(i, netshare__generator_tensors(&m->dg[chunk].g, t));
	*size = t[i].size;
	return t[i].w;
}

/*
 * The moving average of the generator's weights (ema_decay): kept apart from the
 * weights that train, one update per generator step, its count restarted for each
 * fine-tuned chunk; generation uses it (an exported file, which holds the averages as
 * its weights, generates what the full model does, and the last weights generate
 * something else); a full file keeps both and loads to the same bytes; a killed run
 * resumes to the same file; files whose averages are missing or unexpected are
 * refused; out-of-range decays are refused.
 */
START_TEST(generator_average)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(2, &ds);
	netshare_model_params p = netshare_test_small_model_params();
	p.iterations = 12;
	p.ema_decay = 0.9;
	netshare_model *m, *off, *back, *ex;
	ck_assert_ok(netshare_model_new(&m, enc, &p));
	ck_assert_ok(netshare_model_train(m, ds));
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(m, &in));
	ck_assert_double_eq(in.ema_decay, 0.9);
	ck_assert_uint_eq(m->dg[0].ema.updates, 12);
	ck_assert_uint_eq(m->dg[1].ema.updates, 3);
	size_t n0, n;
	const float *w0 = generator_tensor(m, 0, 0, &n0);
	ck_assert_uint_eq(m->dg[0].ema.count, netshare__generator_tensors(&m->dg[0].g,
	                  (netshare__gen_tensor[NETSHARE__GEN_MAX_TENSORS]){ { 0 } }));
	ck_assert_msg(memcmp(w0, m->dg[0].ema.avg, n0 * sizeof *w0) != 0,
	              "the average is the last weights");
	/* The same training without the average: the same last weights, other records. */
	p.ema_decay = 0;
	ck_assert_ok(netshare_model_new(&off, enc, &p));
	ck_assert_ok(netshare_model_train(off, ds));
	ck_assert_uint_eq(off->dg[0].ema.count, 0);
	ck_assert_mem_eq(generator_tensor(off, 0, 0, &n), w0, n0 * sizeof *w0);
	netshare_dataset *with = generated(m), *without = generated(off);
	ck_assert_msg(!netshare_test_same_records(with, without),
	              "the averages generate what the last weights do");
	/* Exported: the averages are its weights, and it generates the same records. */
	const char *dir = netshare_test_tmpdir();
	char path[512], path2[512];
	netshare_test_path(path, sizeof path, dir, "avg.nsm");
	netshare_test_path(path2, sizeof path2, dir, "avg2.nsm");
	ck_assert_ok(netshare_model_export(m, path));
	ck_assert_ok(netshare_model_load(&ex, path, NULL));
	for (int c = 0; c < 2; c++) {
		netshare__gen_tensor t[NETSHARE__GEN_MAX_TENSORS];
		size_t k = netshare__generator_tensors(&ex->dg[c].g, t);
		const float *avg = m->dg[c].ema.avg;
		for (size_t i = 0; i < k; avg += t[i].size, i++)
			ck_assert_mem_eq(t[i].w, avg, t[i].size * sizeof *avg);
	}
	netshare_dataset *exported = generated(ex);
	netshare_test_assert_same_records(with, exported, "exported averages");
	/* Full file: both, the same bytes again after loading, the same records. */
	ck_assert_ok(netshare_model_save(m, path));
	ck_assert_ok(netshare_model_load(&back, path, NULL));
	ck_assert_uint_eq(back->dg[0].ema.updates, 12);
	ck_assert_mem_eq(back->dg[1].ema.avg, m->dg[1].ema.avg, m->dg[1].ema.n * sizeof(float));
	ck_assert_ok(netshare_model_save(back, path2));
	size_t l1, l2, plen;
	unsigned char *d1 = read_all(path, &l1), *d2 = read_all(path2, &l2);
	ck_assert_uint_eq(l1, l2);
	ck_assert_mem_eq(d1, d2, l1);
	netshare_dataset *reloaded = generated(back);
	netshare_test_assert_same_records(with, reloaded, "reloaded");
	/* Averages missing (their chunk renamed to an unknown optional one). */
	size_t at = chunk_payload(d1, l1, "GAVG", &plen);
	ck_assert_uint_gt(at, 0);
	size_t head = at - 16; /* the header ends at most 31 bytes of padding before */
	while (memcmp(d1 + head, "GAVG", 4) != 0)
		head--;
	memcpy(d2, d1, l1);
	memcpy(d2 + head, "XAVG", 4);
	netshare__put_le32(d2 + head + 4, 0);
	fix_checksums(d2, l1);
	ck_assert_status(load_bytes(path, d2, l1), NETSHARE_ECORRUPT);
	ck_assert_error_contains("weights missing");
	/* Averages in a model whose hyperparameters say it keeps none (HPAR's last field,
	 * the decay, set to 0). */
	memcpy(d2, d1, l1);
	size_t hat = chunk_payload(d2, l1, "HPAR", &plen);
	netshare__put_le64(d2 + hat + plen - 8, 0);
	fix_checksums(d2, l1);
	ck_assert_status(load_bytes(path, d2, l1), NETSHARE_ECORRUPT);
	ck_assert_error_contains("averages");
	free(d1);
	free(d2);
	/* Killed after 7 iterations and resumed from its checkpoint on two threads: the
	 * same file, averages and their update counts included. */
	char ck[512];
	netshare_test_path(ck, sizeof ck, dir, "avg-checkpoint.nsm");
	p.ema_decay = 0.9;
	netshare_model *resumed = resumed_after_kill(enc, ds, p, ck);
	assert_same_file(m, resumed, path, "resumed with averages");
	netshare_model_free(resumed);
	unlink(ck);
	p = netshare_test_small_model_params();
	/* Bounds. */
	const double bad[] = { -0.1, 1.0, NAN };
	for (size_t i = 0; i < 3; i++) {
		netshare_model *x = (netshare_model *)1;
		p.ema_decay = bad[i];
		ck_assert_status(netshare_model_new(&x, enc, &p), NETSHARE_EINVAL);
		ck_assert_error_contains("ema_decay");
	}
	unlink(path);
	unlink(path2);
	rmdir(dir);
	netshare_dataset_free(with);
	netshare_dataset_free(without);
	netshare_dataset_free(exported);
	netshare_dataset_free(reloaded);
	netshare_model_free(m);
	netshare_model_free(off);
	netshare_model_free(back);
	netshare_model_free(ex);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

START_TEST(divergence_is_reported)
{
	netshare_dataset *ds;
	netshare_model *m = trained_model(&ds);
	netshare_model_params p = netshare_test_small_model_params();
	(void)p;
	m->dg[0].d.hidden[0].w[0] = NAN; /* what a blown-up step leaves behind */
	m->p.iterations = 20;
	ck_assert_status(netshare_model_train(m, ds), NETSHARE_ENUMERIC);
	ck_assert_error_contains("chunk 0: training diverged at iteration 9");
	netshare_model_free(m);
	netshare_dataset_free(ds);
}
END_TEST

/* Two models trained alike but for one setting (`what`) have different LSTM input
 * weights (the tensor after the attribute MLP's) in chunk 0. */
static void
assert_lstm_inputs_differ(netshare_model *a, netshare_model *b, const char *what)
{
	size_t n, n2, k = (size_t)4 * (size_t)(a->p.attr_layers - 1) + 2;
	const float *wa = generator_tensor(a, 0, k, &n);
	const float *wb = generator_tensor(b, 0, k, &n2);
	ck_assert_uint_eq(n, n2);
	ck_assert_msg(memcmp(wa, wb, n * sizeof *wa) != 0,
	              "%s trained the same feature generator", what);
}

/*
 * A trailing HPAR field: `with`'s HPAR is `plain`'s (which ends before the field, as
 * the older files) plus `extra` bytes, its last u32 is `value`; the file loads back
 * (returned, for the caller's checks), and hostile values of that u32 (the smallest
 * out of range and all ones) with valid checksums are refused as bad hyperparameters.
 */
static netshare_model *
trailing_hpar_field(netshare_model *plain, netshare_model *with, const char *name,
                    size_t extra, uint32_t value, uint32_t first_hostile)
{
	const char *dir = netshare_test_tmpdir();
	char path[512];
	netshare_test_path(path, sizeof path, dir, name);
	size_t len, plen = 0;
	ck_assert_ok(netshare_model_save(plain, path));
	unsigned char *d = read_all(path, &len);
	chunk_payload(d, len, "HPAR", &plen);
	size_t plain_len = plen;
	free(d);
	ck_assert_ok(netshare_model_save(with, path));
	d = read_all(path, &len);
	size_t at = chunk_payload(d, len, "HPAR", &plen);
	ck_assert_uint_eq(plen, plain_len + extra);
	ck_assert_uint_eq(netshare__le32(d + at + plen - 4), value);
	netshare_model *back;
	ck_assert_ok(netshare_model_load(&back, path, NULL));
	const uint32_t hostile[] = { first_hostile, 0xffffffffu };
	for (size_t i = 0; i < 2; i++) {
		netshare__put_le32(d + at + plen - 4, hostile[i]);
		fix_checksums(d, len);
		ck_assert_status(load_bytes(path, d, len), NETSHARE_ECORRUPT);
		ck_assert_error_contains("hyperparameters");
	}
	free(d);
	unlink(path);
	rmdir(dir);
	return back;
}

/*
 * feature_condition: generated attributes by default, real on request (refused with
 * epsilon); the info and the file keep it (a generated model's HPAR is the one 1.6
 * wrote, without the field), and the choice changes what
 * trains (the same seed gives other LSTM weights); out-of-range values and hostile
 * file values are refused.
 */
START_TEST(feature_condition)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(1, &ds);
	netshare_model_params p = netshare_test_small_model_params();
	ck_assert_int_eq(p.feature_condition, NETSHARE_CONDITION_GENERATED);
	netshare_model *real, *gen, *back;
	ck_assert_ok(netshare_model_new(&gen, enc, &p));
	p.feature_condition = NETSHARE_CONDITION_REAL;
	ck_assert_ok(netshare_model_new(&real, enc, &p));
	ck_assert_ok(netshare_model_train(real, ds));
	ck_assert_ok(netshare_model_train(gen, ds));
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(real, &in));
	ck_assert_int_eq(in.feature_condition, NETSHARE_CONDITION_REAL);
	ck_assert_ok(netshare_model_info_get(gen, &in));
	ck_assert_int_eq(in.feature_condition, NETSHARE_CONDITION_GENERATED);
	assert_lstm_inputs_differ(real, gen, "conditioning on real attributes");
	/* Files: the value survives; a generated model's HPAR ends at the seed, as 1.6's. */
	const char *dir = netshare_test_tmpdir();
	char path[512];
	netshare_test_path(path, sizeof path, dir, "condition.nsm");
	ck_assert_ok(netshare_model_save(gen, path));
	ck_assert_ok(netshare_model_load(&back, path, NULL));
	ck_assert_ok(netshare_model_info_get(back, &in));
	ck_assert_int_eq(in.feature_condition, NETSHARE_CONDITION_GENERATED);
	netshare_model_free(back);
	unlink(path);
	rmdir(dir);
	/* disc_embed, ema_decay, condition */
	back = trailing_hpar_field(gen, real, "condition.nsm", 4 + 8 + 4, NETSHARE_CONDITION_REAL,
	                           2);
	ck_assert_ok(netshare_model_info_get(back, &in));
	ck_assert_int_eq(in.feature_condition, NETSHARE_CONDITION_REAL);
	netshare_model_free(back);
	/* Bounds, and real attributes with DP. */
	const int bad[] = { -1, 2 };
	for (size_t i = 0; i < 2; i++) {
		netshare_model *x = (netshare_model *)1;
		p.feature_condition = bad[i];
		ck_assert_status(netshare_model_new(&x, enc, &p), NETSHARE_EINVAL);
		ck_assert_ptr_null(x);
		ck_assert_error_contains("feature_condition");
	}
	p.feature_condition = NETSHARE_CONDITION_REAL;
	p.epsilon = 4;
	netshare_model *x = (netshare_model *)1;
	ck_assert_status(netshare_model_new(&x, enc, &p), NETSHARE_EINVAL);
	ck_assert_error_contains("not private");
	netshare_model_free(real);
	netshare_model_free(gen);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

/*
 * flow_end: the larger flag, or drawn on request; the generators (the trainer's
 * and those a sampler copies) read it with the band; info and file keep it (HPAR's
 * field after feature_condition, absent for larger, so 1.9 reads such files); drawing
 * changes what trains; out-of-range and hostile file values are refused.
 */
START_TEST(flow_end)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(1, &ds);
	netshare_model_params p = netshare_test_small_model_params();
	netshare_model *larger, *drawn, *back;
	ck_assert_ok(netshare_model_new(&larger, enc, &p));
	ck_assert_int_eq(larger->shape.drawn_flags, 0);
	ck_assert_float_eq(larger->shape.flag_band, 0);
	p.flow_end = NETSHARE_FLOW_END_DRAWN;
	ck_assert_ok(netshare_model_new(&drawn, enc, &p));
	ck_assert_int_eq(drawn->shape.drawn_flags, 1);
	ck_assert_float_eq(drawn->shape.flag_band, NETSHARE__FLOW_END_BAND);
	ck_assert_int_eq(drawn->dg[0].g.s.drawn_flags, 1);
	ck_assert_ok(netshare_model_train(drawn, ds));
	ck_assert_ok(netshare_model_train(larger, ds));
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(drawn, &in));
	ck_assert_int_eq(in.flow_end, NETSHARE_FLOW_END_DRAWN);
	ck_assert_ok(netshare_model_info_get(larger, &in));
	ck_assert_int_eq(in.flow_end, NETSHARE_FLOW_END_LARGER);
	assert_lstm_inputs_differ(drawn, larger, "drawn flow ends");
	/* Files: disc_embed, ema_decay, feature_condition (generated), flow_end. */
	back = trailing_hpar_field(larger, drawn, "flow-end.nsm", 4 + 8 + 4 + 4,
	                           NETSHARE_FLOW_END_DRAWN, 2);
	ck_assert_ok(netshare_model_info_get(back, &in));
	ck_assert_int_eq(in.flow_end, NETSHARE_FLOW_END_DRAWN);
	ck_assert_int_eq(in.feature_condition, NETSHARE_CONDITION_GENERATED);
	ck_assert_int_eq(back->shape.drawn_flags, 1);
	ck_assert_float_eq(back->shape.flag_band, NETSHARE__FLOW_END_BAND);
	netshare_model_free(back);
	const int bad[] = { -2, 2 };
	for (size_t i = 0; i < 2; i++) {
		netshare_model *x = (netshare_model *)1;
		p.flow_end = bad[i];
		ck_assert_status(netshare_model_new(&x, enc, &p), NETSHARE_EINVAL);
		ck_assert_ptr_null(x);
		ck_assert_error_contains("flow_end");
	}
	netshare_model_free(drawn);
	netshare_model_free(larger);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

/* 1 if any of the n floats at w is not 0. */
static int
any_nonzero(const float *w, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (w[i] != 0)
			return 1;
	return 0;
}

/*
 * condition_paths: none by default; each bit adds its layer (both: the state map's
 * weight and bias, then the output offset's) to every chunk's generator after the
 * output layer, and the sampler's copies follow; untrained, the layers are zero and
 * the model generates what the plain one does; trained, they are not and it generates
 * other records; info and file keep the paths and the layers (HPAR's field after
 * flow_end, absent for none, so 1.11 reads such files; reloaded, the same records);
 * out-of-range and hostile file values are refused.
 */
START_TEST(condition_paths)
{
	netshare_dataset *ds;
	netshare_encoder *enc = toy_encoder(2, &ds);
	netshare_model_params p = netshare_test_small_model_params();
	ck_assert_int_eq(p.condition_paths, 0);
	netshare_model *plain, *both, *back;
	ck_assert_ok(netshare_model_new(&plain, enc, &p));
	const int bits[] = { NETSHARE_CONDITION_PATH_STATE, NETSHARE_CONDITION_PATH_OUTPUT };
	for (int i = 0; i < 2; i++) {
		netshare_model *x;
		p.condition_paths = bits[i];
		ck_assert_ok(netshare_model_new(&x, enc, &p));
		for (int c = 0; c < 2; c++) {
			ck_assert_int_eq(x->dg[c].g.s.state_from_condition, i == 0);
			ck_assert_int_eq(x->dg[c].g.s.output_from_condition, i == 1);
		}
		ck_assert_int_eq(x->shape.state_from_condition, i == 0);
		ck_assert_int_eq(x->shape.output_from_condition, i == 1);
		netshare_model_free(x);
	}
	p.condition_paths = NETSHARE_CONDITION_PATH_STATE | NETSHARE_CONDITION_PATH_OUTPUT;
	ck_assert_ok(netshare_model_new(&both, enc, &p));
	netshare__gen_tensor t[NETSHARE__GEN_MAX_TENSORS];
	size_t n_plain = netshare__generator_tensors(&plain->dg[0].g, t);
	ck_assert_uint_eq(netshare__generator_tensors(&both->dg[0].g, t), n_plain + 4);
	size_t added = (size_t)4 * (size_t)(p.attr_layers - 1) + 8, n = 0;
	size_t A = (size_t)both->shape.A, H = (size_t)p.lstm_units;
	size_t SF = (size_t)both->shape.sample_len * (size_t)both->shape.F;
	const size_t sizes[] = { A * 2 * H, 2 * H, A * SF, SF };
	for (size_t k = 0; k < 4; k++) {
		const float *w = generator_tensor(both, 0, added + k, &n);
		ck_assert_uint_eq(n, sizes[k]);
		ck_assert_msg(!any_nonzero(w, n), "layer tensor %zu not zero untrained", k);
	}
	netshare_dataset *a = generated(plain), *b = generated(both);
	netshare_test_assert_same_records(a, b, "untrained condition paths");
	netshare_dataset_free(a);
	netshare_dataset_free(b);
	ck_assert_ok(netshare_model_train(plain, ds));
	ck_assert_ok(netshare_model_train(both, ds));
	for (int c = 0; c < 2; c++)
		for (size_t k = 0; k < 4; k++) {
			const float *w = generator_tensor(both, c, added + k, &n);
			ck_assert_msg(any_nonzero(w, n), "chunk %d: layer tensor %zu untrained", c, k);
		}
	netshare_model_info in = { .struct_size = sizeof in }, pin = { .struct_size = sizeof pin };
	ck_assert_ok(netshare_model_info_get(both, &in));
	ck_assert_ok(netshare_model_info_get(plain, &pin));
	ck_assert_int_eq(in.condition_paths, p.condition_paths);
	ck_assert_int_eq(pin.condition_paths, 0);
	ck_assert_uint_eq(in.params_generator, pin.params_generator + sizes[0] + sizes[1] +
	                                       sizes[2] + sizes[3]);
	a = generated(plain);
	b = generated(both);
	ck_assert_msg(!netshare_test_same_records(a, b), "trained paths generate the same");
	/* Files: disc_embed, ema_decay, feature_condition, flow_end, condition_paths. */
	back = trailing_hpar_field(plain, both, "paths.nsm", 4 + 8 + 4 + 4 + 4,
	                           (uint32_t)p.condition_paths, 4);
	ck_assert_ok(netshare_model_info_get(back, &in));
	ck_assert_int_eq(in.condition_paths, p.condition_paths);
	for (size_t k = 0; k < 4; k++) {
		size_t n2;
		const float *w = generator_tensor(both, 1, added + k, &n);
		ck_assert_mem_eq(generator_tensor(back, 1, added + k, &n2), w, n * sizeof *w);
	}
	netshare_dataset *reloaded = generated(back);
	netshare_test_assert_same_records(b, reloaded, "reloaded condition paths");
	netshare_dataset_free(reloaded);
	netshare_dataset_free(a);
	netshare_dataset_free(b);
	netshare_model_free(back);
	const int bad[] = { -1, 4 };
	for (size_t i = 0; i < 2; i++) {
		netshare_model *x = (netshare_model *)1;
		p.condition_paths = bad[i];
		ck_assert_status(netshare_model_new(&x, enc, &p), NETSHARE_EINVAL);
		ck_assert_ptr_null(x);
		ck_assert_error_contains("condition_paths");
	}
	netshare_model_free(both);
	netshare_model_free(plain);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
}
END_TEST

/* An encoder of a trace of flows with the given packet counts (one flow each). */
static netshare_encoder *
lengths_encoder(const int *lengths, int flows)
{
	netshare_dataset *ds;
	ck_assert_ok(netshare_dataset_new(&ds, NETSHARE_RECORDS_PACKETS));
	for (int f = 0; f < flows; f++)
		for (int j = 0; j < lengths[f]; j++) {
			netshare_record r;
			netshare_record_init(&r);
			r.time_ns = (int64_t)f * 10000000 + j * 1000;
			r.ip_version = 4;
			r.src_ip = 0x0a000000u + (uint32_t)f;
			r.dst_ip = 0x5db8d822u;
			r.protocol = 6;
			r.src_port = (uint16_t)(30000 + f);
			r.dst_port = 443;
			r.ip_length = 60;
			r.ttl = 64;
			ck_assert_ok(netshare_dataset_append(ds, &r));
		}
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 1;
	netshare_encoder *enc;
	ck_assert_ok(netshare_encoder_fit(&enc, ds, &ep));
	netshare_dataset_free(ds);
	return enc;
}

/* The flow end NETSHARE_FLOW_END_AUTO resolves to for enc, by the model and its info. */
static int
auto_flow_end(const netshare_encoder *enc)
{
	netshare_model_params p = netshare_test_small_model_params();
	p.flow_end = NETSHARE_FLOW_END_AUTO;
	netshare_model *m;
	ck_assert_ok(netshare_model_new(&m, enc, &p));
	netshare_model_info in = { .struct_size = sizeof in };
	ck_assert_ok(netshare_model_info_get(m, &in));
	ck_assert_int_eq(m->shape.drawn_flags, in.flow_end == NETSHARE_FLOW_END_DRAWN);
	netshare_model_free(m);
	return in.flow_end;
}

/*
 * flow_end AUTO, the default: larger when more than half of the fitted flows share one
 * length of two or more records, drawn otherwise (one-packet flows commonest, no length
 * in the majority, exactly half); the model's encoder keeps what decides, an encoder
 * read from a model file does not (larger).
 */
START_TEST(flow_end_auto)
{
	netshare_model_params d;
	netshare_model_params_init(&d);
	ck_assert_int_eq(d.flow_end, NETSHARE_FLOW_END_AUTO);
	enum { N = 40 };
	int len[N];
	for (int f = 0; f < N; f++)
		len[f] = 4;
	netshare_encoder *fours = lengths_encoder(len, N);
	ck_assert_int_eq(auto_flow_end(fours), NETSHARE_FLOW_END_LARGER);
	for (int f = 0; f < N; f++) /* 4 for exactly half, the rest 2 and 3 */
		len[f] = f < N / 2 ? 4 : 2 + f % 2;
	netshare_encoder *half = lengths_encoder(len, N);
	ck_assert_int_eq(auto_flow_end(half), NETSHARE_FLOW_END_DRAWN);
	for (int f = 0; f < N; f++) /* 4 for one more than half */
		len[f] = f <= N / 2 ? 4 : 2 + f % 2;
	netshare_encoder *most = lengths_encoder(len, N);
	ck_assert_int_eq(auto_flow_end(most), NETSHARE_FLOW_END_LARGER);
	for (int f = 0; f < N; f++) /* one packet the commonest, though not in the majority */
		len[f] = f % 3 ? 3 + f % 2 : 1;
	netshare_encoder *ones = lengths_encoder(len, N);
	ck_assert_int_eq(auto_flow_end(ones), NETSHARE_FLOW_END_DRAWN);
	netshare_dataset *ds;
	netshare_encoder *toy = toy_encoder(1, &ds);
	ck_assert_int_eq(auto_flow_end(toy), NETSHARE_FLOW_END_DRAWN);
	/* A model's own encoder decides as the fitted one; one read from a file cannot. */
	netshare_model_params p = netshare_test_small_model_params();
	netshare_model *m, *back;
	ck_assert_ok(netshare_model_new(&m, ones, &p));
	ck_assert_int_eq(auto_flow_end(netshare_model_encoder(m)), NETSHARE_FLOW_END_DRAWN);
	char path[512];
	netshare_test_path(path, sizeof path, netshare_test_tmpdir(), "flow-end-auto.nsm");
	ck_assert_ok(netshare_model_save(m, path));
	ck_assert_ok(netshare_model_load(&back, path, NULL));
	ck_assert_int_eq(auto_flow_end(netshare_model_encoder(back)), NETSHARE_FLOW_END_LARGER);
	netshare_model_free(back);
	netshare_model_free(m);
	netshare_encoder_free(toy);
	netshare_dataset_free(ds);
	netshare_encoder_free(ones);
	netshare_encoder_free(most);
	netshare_encoder_free(half);
	netshare_encoder_free(fours);
}
END_TEST

NETSHARE_TEST_MAIN("dg-model",
	killed_run_resumes_exactly, parallel_chunks_match_serial_and_resume,
	thread_count_does_not_change_the_model,
	discriminator_front,
	generator_average,
	feature_condition,
	flow_end,
	flow_end_auto,
	condition_paths,
	deepest_networks_train_and_checkpoint,
	divergence_is_reported,
	parameters_training_and_info,
	save_load_generate_identical,
	damaged_and_foreign_files,
	short_training_still_warm_starts,
	hostile_contents_with_valid_checksums)
