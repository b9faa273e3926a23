/* SPDX-License-Identifier: BSD-3-Clause */
/* Seeds for the fuzzer: writes the saved state of a small fitted encoder to stdout; with
 * an argument, a small trained model file to that path (with a second argument
 * "export", the generators only: small enough for the fuzzer's input limit whole). */
#include <stdio.h>
#include <string.h>

#include <netshare/netshare.h>

#include "core/buf.h"
#include "encode/encoder.h"

int
main(int argc, char **argv)
{
	netshare_dataset *ds;
	if (netshare_dataset_new(&ds, NETSHARE_RECORDS_FLOWS) < 0)
		return 1;
	for (int i = 0; i < 50; i++) {
		netshare_record r;
		netshare_record_init(&r);
		r.time_ns = i * 1000;
		r.ip_version = 4;
		r.src_ip = 0x0a000000u + (uint32_t)(i % 5);
		r.dst_ip = 0x08080808;
		r.protocol = i % 3 ? 6 : 17;
		r.src_port = (uint16_t)(1024 + i % 7);
		r.dst_port = i % 2 ? 80 : 53;
		r.duration_ns = i * 100;
		r.packets = 1 + (uint64_t)i;
		r.bytes = 60 * (1 + (uint64_t)i);
		r.label = i % 4 ? "background" : "attack";
		if (netshare_dataset_append(ds, &r) < 0)
			return 1;
	}
	netshare_encoder_params ep;
	netshare_encoder_params_init(&ep);
	ep.chunks = 3;
	netshare_encoder *e;
	netshare__wbuf b = { 0 };
	if (netshare_encoder_fit(&e, ds, &ep) < 0 || netshare__encoder_save(e, &b) < 0)
		return 1;
	if (argc > 1) {
		netshare_model_params mp;
		netshare_model_params_init(&mp);
		mp.iterations = 1;
		mp.batch_size = 4;
		mp.d_rounds = 1;
		mp.attr_layers = mp.disc_layers = mp.aux_disc_layers = 2;
		mp.attr_units = mp.disc_units = mp.aux_disc_units = 4;
		mp.lstm_units = 3;
		netshare_model *m;
		int export = argc > 2 && strcmp(argv[2], "export") == 0;
		if (netshare_model_new(&m, e, &mp) < 0 || netshare_model_train(m, ds) < 0 ||
		    (export ? netshare_model_export(m, argv[1]) : netshare_model_save(m, argv[1])) < 0)
			return 1;
		netshare_model_free(m);
	} else {
		fwrite(b.data, 1, b.len, stdout);
	}
	netshare__wbuf_free(&b);
	netshare_encoder_free(e);
	netshare_dataset_free(ds);
	return 0;
}
