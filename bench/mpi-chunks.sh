#!/bin/bash
# The chunk phase of `netshare_model_train_mpi` against rank count (docs/DEVELOPING.md,
# "MPI"): build/bench/bench-mpi with 1, 2 and 3 ranks (or RANKS="..."), one JSON line
# each. On a 2-core machine 3 ranks oversubscribe: their time shows overhead, not speed.
#   bench/mpi-chunks.sh TRACE [CHUNKS [ITERATIONS [RECORDS]]]
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bench=${BENCH_MPI:-$here/../build/bench/bench-mpi}
for n in ${RANKS:-1 2 3}; do
	mpirun --allow-run-as-root --oversubscribe -n "$n" "$bench" "$@"
done
