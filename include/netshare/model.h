/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file netshare/model.h
 * @brief netshare_model: the DoppelGANger models of a trace's time chunks, and their file.
 *
 * A model holds a copy of the encoder it was created with and one DoppelGANger (an
 * attribute MLP with BatchNorm, an LSTM feature generator, a discriminator and an
 * auxiliary attribute discriminator, trained with WGAN-GP) per time chunk. Chunk 0
 * trains from scratch; chunks 1..K-1 start from chunk 0's weights and train
 * iterations / fine_tune_divisor (NetShare section 4). One model file holds everything
 * needed to generate.
 *
 * Intended usage:
 * @code
 *   netshare_model_params mp;
 *   netshare_model_params_init(&mp);
 *   mp.iterations = 2000;
 *   netshare_model *m;
 *   netshare_model_new(&m, enc, &mp);
 *   netshare_model_train(m, ds);
 *   netshare_model_save(m, "trace.nsm");
 *   netshare_model_free(m);
 * @endcode
 *
 * Thread safety: training modifies the model; a trained or loaded model is not modified
 * by saving or querying it and may be shared by threads that only read it.
 */
#ifndef NETSHARE_MODEL_H
#define NETSHARE_MODEL_H

#include <netshare/common.h>
#include <netshare/dataset.h>
#include <netshare/encoder.h>

#ifdef __cplusplus
extern "C" {
#endif

/** Opaque model: encoder + one DoppelGANger per time chunk. */
typedef struct netshare_model netshare_model;

/** Hyperparameters (defaults: NetShare's, DESIGN.md section 5). */
typedef struct netshare_model_params {
	size_t struct_size;        /**< sizeof(netshare_model_params). */
	uint32_t iterations;       /**< Batches chunk 0 trains on; default 2000. */
	uint32_t fine_tune_divisor;/**< Chunks 1..K-1 train iterations / this; default 4. */
	int batch_size;            /**< Default 100. */
	int d_rounds;              /**< Discriminator steps per iteration; default 5. */
	int g_rounds;              /**< Generator steps per iteration; default 1. */
	int attr_noise;            /**< Attribute noise dims; default 5. */
	int feat_noise;            /**< Feature noise dims; default 5. */
	int attr_layers;           /**< Attribute generator layers (hidden + output); default 5. */
	int attr_units;            /**< Default 512. */
	int lstm_units;            /**< Feature generator LSTM units; default 100. */
	int disc_layers;           /**< Discriminator layers (hidden + output); default 5. */
	int disc_units;            /**< Default 512. */
	int aux_disc_layers;       /**< Auxiliary discriminator layers; default 5. */
	int aux_disc_units;        /**< Default 512. */
	float lr_g, lr_d, lr_aux;  /**< Adam learning rates; default 5e-4 (NetShare: 1e-4, for
	                                about 40 times more iterations). */
	float beta1, beta2;        /**< Adam betas; default 0, 0.9 (WGAN-GP's; DoppelGANger
	                                and NetShare use 0.5, 0.999). */
	double gp_lambda;          /**< Gradient-penalty weight of the discriminator; default 10. */
	double aux_gp_lambda;      /**< ... of the auxiliary discriminator; default 10. */
	double aux_weight;         /**< Weight of the auxiliary discriminator in the generator
	                                loss; default 1. */
	uint64_t seed;             /**< Seed of every weight and noise draw; default 1. */
	netshare_progress_fn progress; /**< Called every iteration (stage "train", the chunk,
	                                    the losses); non-zero cancels. */
	void *progress_user;       /**< Passed to @p progress. */
	unsigned threads;          /**< Threads for training; 0 (default): one per online
	                                CPU. Chunk 0 uses two at most (its two critics, or
	                                for long flows the blocks of their products, side by
	                                side), the later chunks one each, side by side;
	                                OpenBLAS runs single-threaded meanwhile (its thread
	                                count is process-wide). The thread count changes no
	                                bit of the model: the same data, parameters and seed
	                                give the same model bytes. */
	const char *checkpoint_path; /**< If set, the model is saved here (atomically) every
	                                  checkpoint_every iterations of each chunk, with the
	                                  optimiser and random state, so that loading it and
	                                  training again continues exactly. Default NULL. */
	uint32_t checkpoint_every; /**< Default 0: no checkpoints. */
	/* Since 1.2: differential privacy (netshare_model_pretrain()). */
	double epsilon;            /**< The epsilon of the (epsilon, delta)-DP the whole model
	                                file satisfies, per flow (adding or removing one
	                                flow of the private trace): every chunk trains both
	                                discriminators with DP-SGD and the counts per chunk
	                                are released with Gaussian noise, under one RDP
	                                accountant; the encoder must have been fitted on
	                                public data, which netshare_model_pretrain() trains
	                                on first. 0 (default): not private. INFINITY: the
	                                same pipeline without clipping or noise and with the
	                                exact counts (not private: the end point of a
	                                fidelity-versus-epsilon comparison). */
	double delta;              /**< Default 1e-5; must be below 1 / flows of the trace to
	                                mean anything. */
	double dp_clip;            /**< Each example's discriminator gradient is clipped to
	                                this L2 norm; default 1 (NetShare). */
	uint32_t public_iterations;/**< Iterations netshare_model_pretrain() trains on the
	                                public data; 0 (default): @p iterations. */
	/* Since 1.5. */
	int disc_embed;            /**< Floats the discriminator maps each flow record to
	                                (one linear map shared by the records) before its
	                                first layer, whose cost then grows with the records
	                                times this instead of times the encoded record's
	                                floats. -1 (default): 8 when that takes more than
	                                NETSHARE_DISC_EMBED_AUTO_INPUTS inputs off the
	                                discriminator's first layer (records x (floats per
	                                record - 8): long flows of many floats, as caida's
	                                packets), else 0; 0: NetShare's discriminator on
	                                the whole flow. Up to NETSHARE_MAX_DISC_EMBED. */
	/* Since 1.6. */
	double ema_decay;          /**< Generation uses a moving average of the generator's
	                                weights over the iterations (Polyak averaging), not
	                                the last iteration's: after each generator step
	                                avg = b avg + (1 - b) w, b = min(ema_decay,
	                                (1 + u) / (10 + u)) at the u-th step of the chunk.
	                                The generator trains on its own weights; the model
	                                file keeps both (an exported file only the
	                                averages). 0: off (the last weights generate, as
	                                NetShare); up to NETSHARE_MAX_EMA_DECAY. Default
	                                NETSHARE_DEFAULT_EMA_DECAY. */
	/* Since 1.7. */
	int feature_condition;     /**< What the feature generator is conditioned on while the
	                                discriminator trains it: NETSHARE_CONDITION_GENERATED
	                                (NetShare: the attribute generator's output, so the
	                                discriminator's gradient trains both generators
	                                together) or NETSHARE_CONDITION_REAL (attributes of
	                                training flows, so the feature generator learns each
	                                service's flows from as many examples as the trace
	                                has, whatever the attribute generator draws yet; the
	                                attribute generator then learns from the auxiliary
	                                discriminator alone). Generation is the same either
	                                way: features conditioned on generated attributes.
	                                Default NETSHARE_CONDITION_GENERATED (real wins on
	                                pathspider's short flows and loses on caida's long
	                                ones). REAL with a DP model
	                                (netshare_model_params.epsilon) is NETSHARE_EINVAL:
	                                real attributes in the generator's input would reach
	                                it without clipping or noise. */
	/* Since 1.10. */
	int flow_end;              /**< How a flow's end is read off the generator's
	                                per-record gen flag (a softmax over continue and
	                                last): NETSHARE_FLOW_END_LARGER (NetShare: the first
	                                record whose "last" is the larger ends the flow, so
	                                every length is a deterministic function of the
	                                noise) or NETSHARE_FLOW_END_DRAWN (each record ends
	                                the flow with its "last" probability, drawn, in
	                                training and generation alike, and the
	                                discriminator shown the drawn flags; probabilities
	                                within 0.05 of 0 or 1 are rounded, so a length the
	                                generator is sure of comes out every time), or
	                                NETSHARE_FLOW_END_AUTO (since 1.11, the default):
	                                larger when more than half of the fitted flow
	                                segments share one length of two or more records
	                                (drawn would spread that length), drawn otherwise;
	                                netshare_model_new() decides from the encoder's fit
	                                (under DP the public trace's), and the model keeps
	                                and reports the choice. An encoder read back from a
	                                model file does not keep the flow lengths: AUTO
	                                is larger there. Before 1.11 the default was
	                                larger. */
	/* Since 1.12. */
	int condition_paths;       /**< Paths from a flow's attributes (its service) to its
	                                records beside NetShare's, where the attributes are
	                                the LSTM's input at every step: a bit set of
	                                NETSHARE_CONDITION_PATH_STATE (the LSTM's initial
	                                state a trained linear map of the attributes plus
	                                the state's noise) and
	                                NETSHARE_CONDITION_PATH_OUTPUT (every step's output
	                                layer gains a trained linear map of the attributes:
	                                a per-service offset of every record). Both start
	                                at zero weights, so an untrained model generates as
	                                without them. Default 0 (NetShare's generator). */
} netshare_model_params;

/** netshare_model_params.feature_condition: the attribute generator's output (NetShare). */
#define NETSHARE_CONDITION_GENERATED 0
/** netshare_model_params.feature_condition: attributes of training flows. */
#define NETSHARE_CONDITION_REAL 1

/** netshare_model_params.flow_end: the first record whose "last" is the larger
 * (NetShare). */
#define NETSHARE_FLOW_END_LARGER 0
/** netshare_model_params.flow_end: drawn from each record's "last" probability. */
#define NETSHARE_FLOW_END_DRAWN 1
/** netshare_model_params.flow_end: larger or drawn, chosen from the fitted flow
 * lengths when the model is made (since 1.11). */
#define NETSHARE_FLOW_END_AUTO (-1)

/** netshare_model_params.condition_paths: the LSTM's initial state from the attributes. */
#define NETSHARE_CONDITION_PATH_STATE 1
/** netshare_model_params.condition_paths: an offset of every record from the attributes. */
#define NETSHARE_CONDITION_PATH_OUTPUT 2

/** Default of netshare_model_params.ema_decay. */
#define NETSHARE_DEFAULT_EMA_DECAY 0
/** Largest netshare_model_params.ema_decay. */
#define NETSHARE_MAX_EMA_DECAY 0.999999

/** A discriminator with netshare_model_params.disc_embed -1 embeds the records when that
 * takes more than this many inputs off its first layer. */
#define NETSHARE_DISC_EMBED_AUTO_INPUTS 4096
/** Most floats per record of netshare_model_params.disc_embed. */
#define NETSHARE_MAX_DISC_EMBED 256

/** Set the defaults. */
NETSHARE_API void netshare_model_params_init(netshare_model_params *p);

/**
 * Create an untrained model for the data @p enc was fitted on (the model keeps its own
 * copy of the encoder; @p enc may be freed afterwards).
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL (a parameter out of range, named in the
 *         message), ::NETSHARE_ENOMEM, ::NETSHARE_EABI.
 */
NETSHARE_API netshare_status netshare_model_new(netshare_model **out, const netshare_encoder *enc,
                                                const netshare_model_params *params);

/**
 * Train every chunk model on the flows of @p ds (encoded with the model's encoder):
 * chunk 0 to params.iterations, then each other chunk from chunk 0's weights to
 * iterations / fine_tune_divisor. Iterations already done (a loaded model) are not
 * repeated: loading a checkpoint and training again resumes a killed run, and gives the
 * same weights as an uninterrupted one. A chunk without flows keeps chunk 0's weights.
 * @return ::NETSHARE_OK; ::NETSHARE_EINVAL (dataset of another kind);
 *         ::NETSHARE_ESTATE (a model loaded from an exported file);
 *         ::NETSHARE_ENUMERIC (training diverged: chunk and iteration in the message);
 *         ::NETSHARE_ECANCELED; ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_model_train(netshare_model *m, const netshare_dataset *ds);

/**
 * Differential privacy, step 1: train on public data before netshare_model_train() fine-
 * tunes on the private trace with DP (NetShare section 4.3; params.epsilon must be set).
 * @p pub must be the dataset the model's encoder was fitted on (checked by fingerprint),
 * so that every statistic the encoder holds (bounds, vocabularies, classes, service
 * tables) is public; fit it with netshare_encoder_params.window_start_ns and
 * window_end_ns set to the private trace's capture window, which the chunks divide. The
 * public flows of all chunks (under their own time span) train one DoppelGANger without
 * DP for params.public_iterations; chunk 0 starts from it. Not checkpointed: an
 * interrupted pretraining starts again.
 * @return ::NETSHARE_OK (also when already pretrained: a loaded checkpoint);
 *         ::NETSHARE_EINVAL (not a DP model, another dataset than the encoder's, another
 *         kind); ::NETSHARE_ESTATE (exported model, or private training already begun);
 *         ::NETSHARE_ENUMERIC; ::NETSHARE_ECANCELED; ::NETSHARE_ENOMEM.
 * Thread safety: as netshare_model_train().
 */
NETSHARE_API netshare_status netshare_model_pretrain(netshare_model *m, const netshare_dataset *pub);

/**
 * Train as netshare_model_train() does, over the ranks of an MPI communicator. Every
 * rank calls it with a model of the same encoder and parameters and the same dataset
 * (each rank reads the trace itself; the ranks check that their hyperparameters and
 * encoder states agree, else ::NETSHARE_EINVAL). Rank 0 trains chunk 0 (params.threads,
 * checkpoints) and broadcasts its state; chunk c >= 1 trains on rank (c - 1) mod size,
 * from chunk 0's weights, with single-threaded OpenBLAS; rank 0 then gathers those
 * chunks' states. Rank 0's model is then the one
 * netshare_model_train() gives with the same settings (the same file bytes); the other
 * ranks' hold chunk 0 and their own chunks: write the model from rank 0.
 * @param comm  a pointer to the MPI_Comm to use (the caller's type, so that this header
 *              needs no MPI header), or NULL for MPI_COMM_WORLD; MPI must be
 *              initialised.
 * @param flags 0, or ::NETSHARE_MPI_DATA_PARALLEL: chunk 0 data-parallel over all ranks
 *              (a rank that fails in that phase aborts the job with MPI_Abort, its
 *              message on stderr: the others wait in a collective and cannot be told;
 *              resuming it from a checkpoint is not exact, the other ranks' random
 *              streams are not in the file).
 * @return as netshare_model_train(), the same status on every rank: one rank's failure
 *         is every rank's, with its message prefixed "rank R: ";
 *         ::NETSHARE_EUNSUPPORTED in a library built without MPI (see
 *         netshare_mpi_available()) or for a DP model; ::NETSHARE_ESTATE without
 *         MPI_Init.
 * Thread safety: as netshare_model_train(); the MPI calls are made from the calling
 * thread only (MPI_THREAD_FUNNELED is enough). Since 1.2.
 */
NETSHARE_API netshare_status netshare_model_train_mpi(netshare_model *m, const netshare_dataset *ds,
                                                      const void *comm, unsigned flags);

/** netshare_model_train_mpi() flag: chunk 0 trains on every rank in step, each on its
 *  own batches, the gradients averaged over the ranks before every optimiser step (an
 *  effective batch of ranks x batch_size; the same model for the same rank count and
 *  seed, another one than without the flag). */
#define NETSHARE_MPI_DATA_PARALLEL 1u

/** 1 if this library was built with MPI (netshare_model_train_mpi() works), else 0. */
NETSHARE_API int netshare_mpi_available(void);

/** Free a model. NULL is a no-op. */
NETSHARE_API void netshare_model_free(netshare_model *m);

/** The model's encoder (owned by the model). */
NETSHARE_API const netshare_encoder *netshare_model_encoder(const netshare_model *m);

/** Facts about a model. */
typedef struct netshare_model_info {
	size_t struct_size;          /**< Caller sets sizeof(netshare_model_info). */
	int chunks;                  /**< Chunk models. */
	uint64_t iterations_chunk0;  /**< Iterations chunk 0 has trained. */
	uint64_t iterations_total;   /**< Over all chunks. */
	uint32_t iterations;         /**< Planned iterations of chunk 0 (the other chunks:
	                                  iterations / fine_tune_divisor). */
	uint32_t fine_tune_divisor;  /**< As in netshare_model_params. */
	uint64_t params_generator;   /**< Trainable parameters of one chunk's generator. */
	uint64_t params_discriminator;     /**< ... of its discriminator. */
	uint64_t params_aux_discriminator; /**< ... of its auxiliary discriminator. */
	double loss_d, loss_aux_d, loss_g, wasserstein; /**< Last trained iteration (NaN if none). */
	/* Since 1.2: privacy. */
	int privacy;                 /**< 0: not private (trained on the trace without DP); 1:
	                                  (epsilon, delta)-DP per flow, as below; 2: the DP
	                                  pipeline at epsilon infinite (public encoder and
	                                  pretraining, no noise): not private. */
	double epsilon;              /**< privacy 1: the epsilon the accountant gives the whole
	                                  planned training and count release at @p delta (at
	                                  most @p epsilon_target); INFINITY otherwise. */
	double epsilon_target;       /**< netshare_model_params.epsilon (0: not private). */
	double delta;                /**< The delta of @p epsilon (0 when not private). */
	double dp_sigma;             /**< Noise multiplier of DP-SGD: each discriminator's
	                                  summed clipped gradient gets N(0, (sigma C)^2). */
	double dp_clip;              /**< C. */
	double dp_sampling_rate;     /**< The largest Poisson sampling rate of any chunk. */
	uint64_t dp_steps;           /**< Noised discriminator rounds planned, all chunks. */
	double count_noise_sd;       /**< Standard deviation of the noise on each count per
	                                  chunk. */
	uint64_t public_fingerprint; /**< Fingerprint of the public dataset (0: none). */
	uint64_t public_records;     /**< Its records. */
	uint64_t public_iterations;  /**< Pretraining iterations done on it. */
	double count_epsilon;        /**< privacy 1: the epsilon of the count release alone at
	                                  @p delta, its share of the budget (DP-SGD has the
	                                  rest, composed); 0 otherwise. */
	/* Since 1.5. */
	int disc_embed;              /**< netshare_model_params.disc_embed as the model
	                                  resolved it: floats per record of its discriminator's
	                                  front, 0 for NetShare's discriminator. */
	/* Since 1.6. */
	double ema_decay;            /**< netshare_model_params.ema_decay (0: the last
	                                  weights generate). */
	/* Since 1.7. */
	int feature_condition;       /**< netshare_model_params.feature_condition:
	                                  NETSHARE_CONDITION_GENERATED or
	                                  NETSHARE_CONDITION_REAL. */
	/* Since 1.10. */
	int flow_end;                /**< netshare_model_params.flow_end as the model
	                                  resolved it: NETSHARE_FLOW_END_LARGER or
	                                  NETSHARE_FLOW_END_DRAWN, never AUTO. */
	/* Since 1.12. */
	int condition_paths;         /**< netshare_model_params.condition_paths. */
} netshare_model_info;

/** Fill @p info. @return ::NETSHARE_OK, ::NETSHARE_EINVAL, ::NETSHARE_EABI. */
NETSHARE_API netshare_status netshare_model_info_get(const netshare_model *m,
                                                     netshare_model_info *info);

/**
 * Write the model (encoder, hyperparameters, every chunk's weights) to @p path in the
 * format of netshare-model(5): tagged chunks with CRC-32C checksums. The file is written
 * to a temporary name and renamed into place when complete.
 * @return ::NETSHARE_OK, ::NETSHARE_EINVAL, ::NETSHARE_EIO, ::NETSHARE_ENOMEM,
 *         ::NETSHARE_ESTATE (a model loaded from an exported file).
 */
NETSHARE_API netshare_status netshare_model_save(const netshare_model *m, const char *path);

/**
 * Write only what generation needs (encoder, hyperparameters, every chunk's generator) to
 * @p path, in the same format: a fraction of netshare_model_save()'s size, since the
 * discriminators and optimiser state are left out. A model loaded from such a file
 * generates the same records but cannot be trained further or saved
 * (::NETSHARE_ESTATE).
 * @return ::NETSHARE_OK, ::NETSHARE_EIO, ::NETSHARE_ENOMEM.
 */
NETSHARE_API netshare_status netshare_model_export(const netshare_model *m, const char *path);

/**
 * Set how the next netshare_model_train() runs: the run settings of @p params
 * (progress, progress_user, threads, checkpoint_path, checkpoint_every), e.g. for a model
 * just loaded from a checkpoint, whose file does not keep them. The hyperparameters in
 * @p params are checked but not applied: they were fixed when the model was created.
 *
 * @param params  the settings, or NULL for the defaults (no callback, no checkpoints,
 *                every online CPU). @p params->checkpoint_path is not copied: it must
 *                stay valid until training ends or the settings are replaced.
 * @return ::NETSHARE_OK; ::NETSHARE_EINVAL (NULL model, a field out of range);
 *         ::NETSHARE_EABI.
 * Thread safety: not while @p m trains.
 */
NETSHARE_API netshare_status netshare_model_set_training(netshare_model *m,
                                                         const netshare_model_params *params);

/** Options for netshare_model_load(). Initialise with netshare_load_params_init(). */
typedef struct netshare_load_params {
	size_t struct_size;     /**< sizeof(netshare_load_params). */
	uint64_t memory_limit;  /**< Most bytes the loaded model may take (weights, optimiser
	                             state, training workspace), checked before anything is
	                             allocated: a larger model fails with ::NETSHARE_ENOMEM.
	                             Default 0: 64 times the file's size plus 256 MiB, and a
	                             model beyond that is ::NETSHARE_ECORRUPT (no file holds
	                             weights for it). */
} netshare_load_params;

/** Set the defaults. */
NETSHARE_API void netshare_load_params_init(netshare_load_params *p);

/**
 * Load a model file (netshare-model(5)). Every dimension is checked against the stored
 * weights, and the memory the model takes against the limit, before anything is
 * allocated or initialised; non-finite weights and contradictory fields are refused.
 *
 * @param[out] out  the model; NULL on failure. Free with netshare_model_free().
 * @param params    options, or NULL for the defaults.
 * @return ::NETSHARE_OK; ::NETSHARE_EINVAL; ::NETSHARE_EIO; ::NETSHARE_EFORMAT (not a
 *         model file); ::NETSHARE_ECORRUPT (a checksum fails, the file is truncated or
 *         inconsistent); ::NETSHARE_EVERSION (written by a newer format major version);
 *         ::NETSHARE_EUNSUPPORTED (a critical chunk this version does not know);
 *         ::NETSHARE_ENOMEM (also: over params->memory_limit); ::NETSHARE_EABI.
 * Thread safety: loads of different files may run at once.
 */
NETSHARE_API netshare_status netshare_model_load(netshare_model **out, const char *path,
                                                 const netshare_load_params *params);

#ifdef __cplusplus
}
#endif

#endif /* NETSHARE_MODEL_H */
