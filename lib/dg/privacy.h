/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Internal: a model's differential privacy (netshare_model_params.epsilon): public
 * pretraining, the release of the counts per chunk, the privacy plan (sigma for the
 * requested epsilon over every noised round of every chunk and the count release, one
 * RDP accountant) and its record in the model file. Mechanisms, sensitivities and why:
 * docs/PRIVACY.md.
 */
#ifndef NETSHARE_DG_PRIVACY_H
#define NETSHARE_DG_PRIVACY_H

#include <netshare/model.h>

struct netshare__wbuf;
struct netshare__rbuf;

typedef struct netshare__privacy {
	int mode;                /* netshare_model_info.privacy: 0, 1 (DP), 2 (epsilon inf) */
	int pretrained;          /* public pretraining done */
	int released;            /* counts released and plan made: private training begun */
	double epsilon_target, delta, clip;
	double sigma;            /* DP-SGD noise multiplier (each critic) */
	double epsilon;          /* the accountant's epsilon of the whole plan */
	double count_noise;      /* standard deviation of each count's noise */
	uint32_t public_iterations;  /* planned */
	uint64_t public_done, public_fingerprint, public_records;
	double rate[NETSHARE_MAX_CHUNKS];   /* Poisson sampling rate per chunk */
	double rounds[NETSHARE_MAX_CHUNKS]; /* noised critic rounds planned per chunk */
} netshare__privacy;

/* Share of epsilon the count release takes on its own (the rest goes to DP-SGD, found
 * by the noise search for the whole composition). */
#define NETSHARE__DP_COUNT_SHARE 0.1
/* Defaults of netshare_model_params.delta and dp_clip. */
#define NETSHARE__DP_DEFAULT_DELTA 1e-5
#define NETSHARE__DP_DEFAULT_CLIP 1.0

struct netshare_model;

/* The mode and targets from checked params. */
void netshare__privacy_init(netshare__privacy *v, const netshare_model_params *p);

/* Before private training (mode != 0): check the dataset is not the encoder's, release
 * the counts per chunk (noised in mode 1), plan the noise; once per model. Then (every
 * time) set each chunk's DP parameters and seed its DP draws from the OS. EINVAL (not
 * pretrained, the encoder's own dataset, epsilon unreachable), EIO (no OS randomness). */
netshare_status netshare__privacy_begin(struct netshare_model *m, const netshare_dataset *ds);

/* The PRIV chunk of the model file (model_file.c). Load: ECORRUPT for inconsistent
 * values (`path` in the message). */
void netshare__privacy_save(const netshare__privacy *v, int chunks, struct netshare__wbuf *b);
netshare_status netshare__privacy_load(netshare__privacy *v, int chunks, const void *data,
                                       size_t len, const char *path);

#endif
