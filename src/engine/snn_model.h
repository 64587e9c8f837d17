/*
 * snn_model.h: the model layer of training, what a trained single layer is
 * made of beyond its learning rule: how STDP and Hebbian layers start, and
 * how a Hebbian layer answers a sample (its projection and winner).  The
 * PostgreSQL side (train.c) reads data and options and calls these.
 *
 * Plain C11, no postgres.h.
 */
#ifndef SNN_MODEL_H
#define SNN_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "snn_learn.h"

/*
 * Start weights of an STDP layer, w[n]: uniform in the lower half of
 * [o->w_min, o->w_max] (from 10% to 50% of the span), drawn from o->seed.
 */
void		snn_model_stdp_init(float *w, size_t n, const snn_stdp_options *o);

/*
 * Start weights of a Hebbian layer, w[n_in][n_out]: uniform in
 * +-1/sqrt(n_in), drawn from seed.
 */
void		snn_model_hebb_init(float *w, size_t n_in, size_t n_out, uint64_t seed);

/*
 * The Hebbian projection of one sample: y[n_out] = W^T (x - mean) with
 * w[n_in][n_out]; returns the output neuron with the largest y (the first
 * on ties).
 */
uint32_t	snn_model_hebb_winner(const float *w, const float *mean, size_t n_in,
								  size_t n_out, const float *x, float *y);

/*
 * A ridge read-out's outputs out[n] as first-spike times (0 .. 254, 255
 * silent): an output of 1 (a one-hot target) fires at 0, one of 0 or less
 * never.
 */
void		snn_model_ridge_ttfs(const float *out, uint32_t n, uint8_t *times);

/*
 * A Hebbian projection y[n] as first-spike times: the winner y[best] fires
 * at 0, the others later in proportion, outputs of 0 or less never (and
 * none when y[best] is not positive).
 */
void		snn_model_hebb_ttfs(const float *y, uint32_t n, uint32_t best, uint8_t *times);

#endif							/* SNN_MODEL_H */
