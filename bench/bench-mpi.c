/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-mpi: the chunk phase of netshare_model_train_mpi against the number of ranks.
 * Run under a launcher: `mpirun -n N build/bench/bench-mpi TRACE [CHUNKS [ITERATIONS
 * [RECORDS [data-parallel]]]]`. Every rank reads the trace (the first RECORDS records, default all),
 * fits the encoder, creates the model (NetShare's default sizes, 1 thread per rank)
 * and trains over MPI; rank 0 prints one JSON line: ranks, chunks, iterations,
 * chunk0_s (rank 0's chunk 0, the same for any rank count), chunk_phase_s (from the end
 * of chunk 0 to the gathered model: broadcast, the later chunks, the gather),
 * model_bytes (what the broadcast and each gather move) and per_chunk_s (the chunk
 * phase's seconds per later chunk on the slowest rank, for the estimates in
 * docs/DEVELOPING.md, "MPI"). Oversubscribed ranks share cores: then the timing shows
 * the protocol's overhead, not a speed-up.
 */
#include <mpi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netshare/netshare.h>

#include "core/buf.h"
#include "core/clock.h"
#include "dg/model.h"

static double chunk0_end;

static int
progress(const netshare_progress *p, void *user)
{
	(void)user;
	if (p->chunk == 0)
		chunk0_end = netshare__now();
	return 0;
}

int
main(int argc, char **argv)
{
	MPI_Init(&argc, &argv);
	int rank, size;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
	if (argc < 2) {
		if (rank == 0)
			fprintf(stderr, "usage: mpirun -n N bench-mpi TRACE [CHUNKS [ITERATIONS "
			        "[RECORDS [data-parallel]]]]\n");
		MPI_Finalize();
		return 2;
	}
	int chunks = argc > 2 ? atoi(argv[2]) : 7;
	unsigned iterations = argc > 3 ? (unsigned)atoi(argv[3]) : 40;
	netshare_read_params rp;
	netshare_read_params_init(&rp);
	rp.max_records = argc > 4 ? strtoull(argv[4], NULL, 10) : 0;
	int data_parallel = argc > 5 && strcmp(argv[5], "data-parallel") == 0;
	netshare_dataset *ds = NULL;
	netshare_encoder *enc = NULL;
	netshare_model *m = NULL;
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = chunks;
	netshare_model_params mp;
	netshare_model_params_init(&mp);
	mp.iterations = iterations;
	mp.threads = 1;
	mp.progress = progress;
	netshare_status st = netshare_dataset_read(&ds, argv[1], &rp);
	if (st == NETSHARE_OK)
		st = netshare_encoder_fit(&enc, ds, &ep);
	if (st == NETSHARE_OK)
		st = netshare_model_new(&m, enc, &mp);
	int ok = st == NETSHARE_OK, all;
	MPI_Allreduce(&ok, &all, 1, MPI_INT, MPI_MIN, MPI_COMM_WORLD);
	if (!all) {
		if (!ok)
			fprintf(stderr, "bench-mpi: rank %d: %s\n", rank, netshare_last_error());
		MPI_Finalize();
		return 1;
	}
	MPI_Barrier(MPI_COMM_WORLD);
	double t0 = netshare__now();
	st = netshare_model_train_mpi(m, ds, NULL, data_parallel ? NETSHARE_MPI_DATA_PARALLEL : 0);
	double t1 = netshare__now();
	if (st < 0) {
		if (rank == 0)
			fprintf(stderr, "bench-mpi: %s\n", netshare_last_error());
		MPI_Finalize();
		return 1;
	}
	if (rank == 0) {
		/* The model file's size, from its bytes in memory (no file written). */
		netshare__wbuf b = { 0 };
		long bytes = netshare__model_serialize(m, 1, &b) == NETSHARE_OK ? (long)b.len : -1;
		netshare__wbuf_free(&b);
		int per_rank = (chunks - 1 + size - 1) / size;
		double phase = t1 - chunk0_end;
		printf("{\"bench\":\"mpi-chunks\",\"trace\":\"%s\",\"ranks\":%d,\"chunks\":%d,"
		       "\"iterations\":%u,\"chunk0_s\":%.3f,\"chunk_phase_s\":%.3f,\"total_s\":%.3f,"
		       "\"model_bytes\":%ld,\"per_chunk_s\":%.3f,\"data_parallel\":%s}\n", argv[1],
		       size, chunks, iterations, chunk0_end - t0, phase, t1 - t0, bytes,
		       per_rank ? phase / per_rank : 0.0, data_parallel ? "true" : "false");
	}
	netshare_model_free(m);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
	MPI_Finalize();
	return 0;
}
