/* SPDX-License-Identifier: BSD-3-Clause */
/* MPI plumbing shared by training and generation over ranks (see mpi_comm.h). */
#include "mpi_comm.h"

/* ISO C wants a translation unit to declare something; without MPI this one has only
 * this. */
typedef int netshare__mpi_comm_built;

#ifdef NETSHARE_HAVE_MPI
#include <stdio.h>

#include "core/alloc.h"
#include "core/error.h"

netshare_status
netshare__mpi_comm(const char *fn, const void *comm, MPI_Comm *out)
{
	int init = 0;
	MPI_Initialized(&init);
	if (!init)
		return netshare__error(NETSHARE_ESTATE, "%s: MPI is not initialised (MPI_Init)", fn);
	*out = comm ? *(const MPI_Comm *)comm : MPI_COMM_WORLD;
	return NETSHARE_OK;
}

/* The worst status of all ranks; if one failed, every rank returns it with the
 * message of the lowest failing rank, named. */
netshare_status
netshare__mpi_agree(MPI_Comm comm, netshare_status st)
{
	int rank;
	MPI_Comm_rank(comm, &rank);
	struct {
		int status, rank;
	} mine = { st < 0 ? 0 : 1, rank }, first;
	/* MINLOC over (ok flag, rank): the lowest rank with status < 0 if any. */
	MPI_Allreduce(&mine, &first, 1, MPI_2INT, MPI_MINLOC, comm);
	if (first.status == 1)
		return NETSHARE_OK;
	struct {
		int status;
		char msg[480];
	} err = { st, "" };
	if (rank == first.rank)
		snprintf(err.msg, sizeof err.msg, "%s", netshare_last_error());
	MPI_Bcast(&err, (int)sizeof err, MPI_BYTE, first.rank, comm);
	return netshare__error(err.status, "rank %d: %s", first.rank, err.msg);
}

/*
 * Rank `from`'s bytes `b` to rank `to`, or to every rank (to < 0); every rank calls it.
 * The receivers allocate first and all ranks agree on that, so a receiver out of memory
 * stops every rank instead of leaving the sender blocked; then the bytes move in parts
 * of at most 1 GiB (MPI counts are ints). On a receiver `b` is replaced.
 */
netshare_status
netshare__mpi_move_bytes(MPI_Comm comm, int from, int to, netshare__wbuf *b)
{
	int rank;
	MPI_Comm_rank(comm, &rank);
	int sends = rank == from, receives = to < 0 ? !sends : rank == to;
	unsigned long long len = b->len;
	if (to < 0)
		MPI_Bcast(&len, 1, MPI_UNSIGNED_LONG_LONG, from, comm);
	else if (sends)
		MPI_Send(&len, 1, MPI_UNSIGNED_LONG_LONG, to, 0, comm);
	else if (receives)
		MPI_Recv(&len, 1, MPI_UNSIGNED_LONG_LONG, from, 0, comm, MPI_STATUS_IGNORE);
	netshare_status st = NETSHARE_OK;
	if (receives) {
		netshare__wbuf_free(b);
		if ((b->data = netshare__malloc(len ? (size_t)len : 1)))
			b->len = b->cap = (size_t)len;
		else
			st = netshare__error_oom("model transfer between ranks");
	}
	if ((st = netshare__mpi_agree(comm, st)) < 0)
		return st;
	for (size_t at = 0; at < len;) {
		int part = len - at > (1u << 30) ? 1 << 30 : (int)(len - at);
		if (to < 0)
			MPI_Bcast(b->data + at, part, MPI_BYTE, from, comm);
		else if (sends)
			MPI_Send(b->data + at, part, MPI_BYTE, to, 1, comm);
		else if (receives)
			MPI_Recv(b->data + at, part, MPI_BYTE, from, 1, comm, MPI_STATUS_IGNORE);
		at += (size_t)part;
	}
	return NETSHARE_OK;
}
#endif
