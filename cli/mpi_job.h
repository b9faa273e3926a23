/* SPDX-License-Identifier: BSD-3-Clause */
/* `mpirun -n N netshare train ...`: a CLI built with MPI joins the job when a launcher
 * (mpirun, srun) started it; otherwise (or built without MPI) it is one process, rank 0
 * of 1. */
#ifndef NETSHARE_CLI_MPI_JOB_H
#define NETSHARE_CLI_MPI_JOB_H

/* Join the job if launched by an MPI launcher (MPI_Init); call once, before any other
 * cli_mpi_ function. */
void cli_mpi_begin(void);
/* Leave it (MPI_Finalize), if joined. */
void cli_mpi_end(void);
int cli_mpi_rank(void);
int cli_mpi_size(void);
/* The worst of every rank's exit code `rc` (each rank must call it); rc itself
 * outside a job. */
int cli_mpi_agree(int rc);

#endif
