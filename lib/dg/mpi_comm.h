/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: status agreement and byte transfers between MPI ranks (built with MPI only). */
#ifndef NETSHARE_DG_MPI_COMM_H
#define NETSHARE_DG_MPI_COMM_H

#ifdef NETSHARE_HAVE_MPI
#include <mpi.h>

#include <netshare/common.h>

#include "core/buf.h"

/* The communicator a public entry point `fn` was given (an `MPI_Comm *`; NULL: the
 * world) into *out; ::NETSHARE_ESTATE if MPI is not initialised. */
netshare_status netshare__mpi_comm(const char *fn, const void *comm, MPI_Comm *out);

/* The worst status of all ranks (every rank calls it); if one failed, every rank
 * returns it with the message of the lowest failing rank, named. */
netshare_status netshare__mpi_agree(MPI_Comm comm, netshare_status st);

/* Rank `from`'s bytes `b` to rank `to`, or to every rank (to < 0); every rank calls it.
 * Receivers allocate first and all ranks agree on that; on a receiver `b` is replaced. */
netshare_status netshare__mpi_move_bytes(MPI_Comm comm, int from, int to, netshare__wbuf *b);
#endif

#endif
