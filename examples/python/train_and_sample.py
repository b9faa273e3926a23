#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Train a model of a trace, write a synthetic trace and print how close it is.

    PYTHONPATH=bindings/python python3 examples/python/train_and_sample.py real.pcap syn.pcap [iterations]
"""
import sys

import netshare


def main(real_path, out_path, iterations=200):
    with netshare.Dataset.read(real_path) as real:
        model = netshare.Model.train(real, iterations=iterations)
        with netshare.Sampler(model, seed=1) as sampler:
            synthetic = sampler.generate()
            synthetic.write(out_path)
            print("wrote %d records of %d flows to %s" % (
                len(synthetic), sampler.info["flows"], out_path))
        for name, value in netshare.evaluate(real, synthetic).items():
            print("%-20s %.4g" % (name, value))
        model.close()


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 200)
