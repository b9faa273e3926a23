/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * 02-train-and-sample: learn a model of a trace and write a synthetic one, in 40 lines.
 *
 *   cc 02-train-and-sample.c $(pkg-config --cflags --libs netshare) -o 02-train-and-sample
 *   ./02-train-and-sample real.pcap synthetic.pcap [model.nsm]
 *
 * NETSHARE_EXAMPLE_ITERATIONS sets the training iterations (default 200; real use: 2000+).
 * Test: $TRACE $DIR/synthetic.pcap $DIR/model.nsm
 */
#include <stdio.h>
#include <stdlib.h>

#include <netshare/netshare.h>

#define CHECK(call) \
	do { if ((call) != NETSHARE_OK) { fprintf(stderr, "%s\n", netshare_last_error()); return 1; } } while (0)

int
main(int argc, char **argv)
{
	if (argc < 3) {
		fprintf(stderr, "usage: %s REAL SYNTHETIC [MODEL]\n", argv[0]);
		return 2;
	}
	netshare_dataset *real;
	CHECK(netshare_dataset_read(&real, argv[1], NULL));
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = NETSHARE_CHUNKS_AUTO;          /* one chunk per 1000 flows, 1..10 */
	netshare_encoder *enc;
	CHECK(netshare_encoder_fit(&enc, real, &ep));
	netshare_model_params mp;
	netshare_model_params_init(&mp);
	const char *it = getenv("NETSHARE_EXAMPLE_ITERATIONS");
	mp.iterations = it ? (uint32_t)atoi(it) : 200;
	netshare_model *model;
	CHECK(netshare_model_new(&model, enc, &mp));
	CHECK(netshare_model_train(model, real));
	if (argc > 3)
		CHECK(netshare_model_export(model, argv[3]));
	netshare_sampler *sampler;
	CHECK(netshare_sampler_new(&sampler, model, NULL));
	CHECK(netshare_sampler_write(sampler, argv[2], NULL));
	netshare_sample_info info = { .struct_size = sizeof info };
	CHECK(netshare_sampler_info_get(sampler, &info));
	printf("wrote %llu synthetic records (%llu flows) to %s\n",
	       (unsigned long long)info.records, (unsigned long long)info.flows, argv[2]);
	netshare_sampler_free(sampler);
	netshare_model_free(model);
	netshare_encoder_free(enc);
	netshare_dataset_free(real);
	return 0;
}
