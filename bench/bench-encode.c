/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * bench-encode: fitting an encoder on a 1M-packet trace (tiled from caida-10k and
 * pathspider-real) with NetShare's defaults (10 chunks, word2vec dim 10, T from the
 * longest flow) and encoding every chunk. Prints one JSON line with the time of each
 * stage and total_s = fit + encode. Usage: bench-encode [DATA_DIR] [PACKETS]
 */
#include <stdio.h>
#include <stdlib.h>

#include <netshare/netshare.h>

#include "core/clock.h"
#include "tile.h"

int
main(int argc, char **argv)
{
	const char *data = argc > 1 ? argv[1] : "../shared/data";
	size_t packets = argc > 2 ? strtoul(argv[2], NULL, 10) : 1000000;
	const char *source;
	netshare_dataset *ds = bench_tiled_trace(data, packets, &source);

	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	double t0 = netshare__now();
	netshare_encoder *enc;
	if (netshare_encoder_fit(&enc, ds, &ep) < 0)
		bench_die("fit");
	double t1 = netshare__now();
	netshare_encoder_info in = { .struct_size = sizeof in };
	netshare_encoder_info_get(enc, &in);
	double tensor_bytes = 0;
	size_t flows = 0;
	for (int c = 0; c < in.chunks; c++) {
		netshare_encoded *x;
		if (netshare_encoder_encode(&x, enc, ds, c) < 0)
			bench_die("encode");
		size_t n = netshare_encoded_flows(x);
		flows += n;
		tensor_bytes += (double)n * (in.attribute_dim + in.max_len * in.feature_dim) * 4;
		netshare_encoded_free(x);
	}
	double t2 = netshare__now();
	printf("{\"bench\":\"encode\",\"source\":\"%s\",\"packets\":%zu,\"chunks\":%d,"
	       "\"flows\":%zu,\"T\":%u,\"A\":%zu,\"F\":%zu,\"port_words\":%zu,"
	       "\"fit_s\":%.3f,\"encode_s\":%.3f,\"tensor_gb\":%.2f,\"total_s\":%.3f}\n",
	       source, netshare_dataset_count(ds), in.chunks, flows, in.max_len,
	       in.attribute_dim, in.feature_dim, in.port_words, t1 - t0, t2 - t1,
	       tensor_bytes / 1e9, t2 - t0);
	netshare_encoder_free(enc);
	netshare_dataset_free(ds);
	return 0;
}
