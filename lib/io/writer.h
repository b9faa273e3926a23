/* SPDX-License-Identifier: BSD-3-Clause */
/* Internal: the per-format writers behind netshare_dataset_write. */
#ifndef NETSHARE_IO_WRITER_H
#define NETSHARE_IO_WRITER_H

#include "core/progress.h"
#include "dataset.h"
#include "outfile.h"

/* Records between two looks at the clock for progress reports. */
#define NETSHARE__WRITE_PROGRESS_EVERY 16384

/* pcap, or pcapng if `pcapng`. */
netshare_status netshare__write_pcap(const netshare_dataset *ds, netshare__outfile *out,
                                     const netshare_write_params *p, netshare__progress *pr,
                                     int pcapng);
netshare_status netshare__write_csv(const netshare_dataset *ds, netshare__outfile *out,
                                    int format, netshare__progress *pr);

#endif
