/* SPDX-License-Identifier: BSD-3-Clause */
/**
 * @file netshare/netshare.h
 * @brief Umbrella header: include this one to use libnetshare.
 *
 * libnetshare learns a generative model (a DoppelGANger-style GAN, as in NetShare,
 * SIGCOMM 2022) of a real packet or flow trace and samples synthetic traces that keep
 * its statistics without copying its records. See libnetshare(3) for an overview and
 * common.h for the conventions every function follows.
 *
 * Link with `pkg-config --cflags --libs netshare`.
 */
#ifndef NETSHARE_NETSHARE_H
#define NETSHARE_NETSHARE_H

#include <netshare/version.h>
#include <netshare/common.h>
#include <netshare/dataset.h>
#include <netshare/encoder.h>
#include <netshare/model.h>
#include <netshare/sampler.h>
#include <netshare/eval.h>

#endif /* NETSHARE_NETSHARE_H */
