/* SPDX-License-Identifier: BSD-3-Clause */
#include "mpi_job.h"

#include <stdlib.h>

#ifdef NETSHARE_CLI_MPI
#include <mpi.h>

static int joined, rank, size = 1;

/* Environment variables the launchers set: OpenMPI's mpirun, PMI (MPICH, Slurm's srun
 * --mpi=pmi2) and PMIx (srun --mpi=pmix). A process started any other way stays
 * alone, so the CLI works without a launcher in an MPI build. */
static int
launched(void)
{
	return getenv("OMPI_COMM_WORLD_SIZE") || getenv("PMI_SIZE") || getenv("PMIX_RANK");
}

void
cli_mpi_begin(void)
{
	if (!launched())
		return;
	int provided;
	MPI_Init_thread(NULL, NULL, MPI_THREAD_FUNNELED, &provided);
	joined = 1;
	MPI_Comm_rank(MPI_COMM_WORLD, &rank);
	MPI_Comm_size(MPI_COMM_WORLD, &size);
}

void
cli_mpi_end(void)
{
	if (joined)
		MPI_Finalize();
	joined = 0;
}

int
cli_mpi_agree(int rc)
{
	if (!joined)
		return rc;
	int worst;
	MPI_Allreduce(&rc, &worst, 1, MPI_INT, MPI_MAX, MPI_COMM_WORLD);
	return worst;
}
#else
static const int rank = 0, size = 1;

void
cli_mpi_begin(void)
{
}

void
cli_mpi_end(void)
{
}

int
cli_mpi_agree(int rc)
{
	return rc;
}
#endif

int
cli_mpi_rank(void)
{
	return rank;
}

int
cli_mpi_size(void)
{
	return size;
}
