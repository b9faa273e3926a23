/* SPDX-License-Identifier: BSD-3-Clause */
/* Grouped output activations (see heads.h). */
#include "heads.h"

#include <string.h>

#include "activation.h"

void
netshare__heads_forward(const netshare__head *h, size_t n, float *x, size_t rows, size_t width)
{
	for (size_t k = 0; k < n; k++) {
		if (h[k].activation == 0) {
			netshare__softmax_forward(x, rows, width, h[k].offset, h[k].dim);
			continue;
		}
		for (size_t r = 0; r < rows; r++) {
			float *v = x + r * width + h[k].offset;
			if (h[k].activation == 1)
				netshare__sigmoid_forward(v, h[k].dim);
			else
				netshare__tanh_forward(v, h[k].dim);
		}
	}
}

void
netshare__heads_backward(const netshare__head *h, size_t n, const float *y, float *dy,
                         size_t rows, size_t width)
{
	for (size_t k = 0; k < n; k++) {
		if (h[k].activation == 0) {
			netshare__softmax_backward(y, dy, rows, width, h[k].offset, h[k].dim);
			continue;
		}
		for (size_t r = 0; r < rows; r++) {
			size_t o = r * width + h[k].offset;
			if (h[k].activation == 1)
				netshare__sigmoid_backward(y + o, dy + o, h[k].dim);
			else
				netshare__tanh_backward(y + o, dy + o, h[k].dim);
		}
	}
}

void
netshare__heads_discretize(const netshare__head *h, size_t n, const float *y, float *out,
                           size_t rows, size_t width)
{
	memcpy(out, y, rows * width * sizeof *out);
	for (size_t k = 0; k < n; k++) {
		if (h[k].activation != 0)
			continue;
		for (size_t r = 0; r < rows; r++) {
			const float *v = y + r * width + h[k].offset;
			float *o = out + r * width + h[k].offset;
			size_t best = 0;
			for (size_t j = 1; j < h[k].dim; j++)
				if (v[j] > v[best])
					best = j;
			for (size_t j = 0; j < h[k].dim; j++)
				o[j] = j == best;
		}
	}
}
