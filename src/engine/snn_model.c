/*
 * snn_model.c: how single trained layers start and answer (snn_model.h).
 */
#include "snn_model.h"

#include <math.h>
#include <string.h>

#include "snn_random.h"

/* STDP start weights: 10% to 50% of the span, so both rules have room. */
void
snn_model_stdp_init(float *w, size_t n, const snn_stdp_options *o)
{
	uint64_t	s = o->seed * SNN_GOLDEN_GAMMA + 3;

	for (size_t i = 0; i < n; i++)
		w[i] = o->w_min + (float) (0.1 + 0.4 * snn_rand_unit(&s)) * (o->w_max - o->w_min);
}

/* Hebbian start weights: small and centred, scaled by the fan-in. */
void
snn_model_hebb_init(float *w, size_t n_in, size_t n_out, uint64_t seed)
{
	uint64_t	s = seed * SNN_GOLDEN_GAMMA + 5;
	double		lim = 1.0 / sqrt((double) n_in);

	for (size_t i = 0; i < n_in * n_out; i++)
		w[i] = (float) ((2.0 * snn_rand_unit(&s) - 1.0) * lim);
}

/* Ridge outputs as times: the closer to 1, the earlier. */
void
snn_model_ridge_ttfs(const float *out, uint32_t n, uint8_t *times)
{
	for (uint32_t k = 0; k < n; k++)
	{
		float		v = out[k];

		times[k] = v <= 0.0f ? 255 :
			(uint8_t) lrint((1.0 - (v < 1.0f ? v : 1.0f)) * 254.0);
	}
}

/* Hebbian outputs as times, relative to the winner's. */
void
snn_model_hebb_ttfs(const float *y, uint32_t n, uint32_t best, uint8_t *times)
{
	for (uint32_t j = 0; j < n; j++)
		times[j] = (y[j] <= 0.0f || y[best] <= 0.0f) ? 255 :
			(uint8_t) lrint((1.0 - y[j] / y[best]) * 254.0);
}

/* The centred sample projected on each output's weights; the largest wins. */
uint32_t
snn_model_hebb_winner(const float *w, const float *mean, size_t n_in,
					  size_t n_out, const float *x, float *y)
{
	memset(y, 0, sizeof(float) * n_out);
	for (size_t p = 0; p < n_in; p++)
		for (size_t j = 0; j < n_out; j++)
			y[j] += w[p * n_out + j] * (x[p] - mean[p]);
	return snn_argmax(y, (uint32_t) n_out);
}
