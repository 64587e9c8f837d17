/*
 * snn_learn_common.c: input checks, scaling and small helpers shared by the
 * learning rules.
 */
#include "snn_learn.h"

#include <math.h>
#include <time.h>

/* Reject empty sets and non-finite values before any learning starts. */
snn_status
snn_check_data(const float *x, size_t n, size_t dim, const char *field,
			   snn_error *err)
{
	if (n == 0)
		return snn_fail(err, SNN_E_EMPTY, field, "no training samples");
	if (dim == 0)
		return snn_fail(err, SNN_E_EMPTY, field, "samples have no features");
	for (size_t i = 0; i < n * dim; i++)
		if (!isfinite(x[i]))
			return snn_fail(err, SNN_E_NAN, field,
							"sample %zu feature %zu is not a finite number",
							i / dim + 1, i % dim + 1);
	return SNN_OK;
}

/* Labels index the output neurons, so they must lie in [0, n_classes). */
snn_status
snn_check_labels(const int32_t *y, size_t n, uint32_t n_classes, snn_error *err)
{
	if (n_classes < 2 || n_classes > SNN_LEARN_MAX_CLASSES)
		return snn_fail(err, SNN_E_CONFIG, "outputs",
						"a classifier needs 2 to %d output neurons, not %u",
						SNN_LEARN_MAX_CLASSES, n_classes);
	for (size_t i = 0; i < n; i++)
		if (y[i] < 0 || (uint32_t) y[i] >= n_classes)
			return snn_fail(err, SNN_E_RANGE, "labels",
							"label %d of sample %zu is outside [0, %u)",
							y[i], i + 1, n_classes);
	return SNN_OK;
}

/* Monotonic seconds, for training times. */
double
snn_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double) ts.tv_sec + ts.tv_nsec * 1e-9;
}

/* First index of the maximum. */
uint32_t
snn_argmax(const float *v, uint32_t n)
{
	uint32_t	best = 0;

	for (uint32_t i = 1; i < n; i++)
		if (v[i] > v[best])
			best = i;
	return best;
}

/* Per-feature minimum and 1/range; constant features get scale 0. */
void
snn_minmax_fit(const float *x, size_t n, size_t dim, float *offset, float *scale)
{
	for (size_t j = 0; j < dim; j++)
	{
		float		lo = x[j],
					hi = x[j];

		for (size_t i = 1; i < n; i++)
		{
			float		v = x[i * dim + j];

			lo = v < lo ? v : lo;
			hi = v > hi ? v : hi;
		}
		offset[j] = lo;
		scale[j] = hi > lo ? 1.0f / (hi - lo) : 0.0f;
	}
}

/* Scale rows into [0, 1], clipping values outside the fitted range. */
void
snn_minmax_apply(const float *x, size_t n, size_t dim, const float *offset,
				 const float *scale, float *out)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = 0; j < dim; j++)
		{
			float		v = (x[i * dim + j] - offset[j]) * scale[j];

			out[i * dim + j] = v < 0.0f ? 0.0f : (v > 1.0f ? 1.0f : v);
		}
}

/* One-hot rows for ridge classification. */
void
snn_one_hot(const int32_t *labels, size_t n, uint32_t k, float *y)
{
	for (size_t i = 0; i < n; i++)
		for (uint32_t c = 0; c < k; c++)
			y[i * k + c] = (labels[i] == (int32_t) c) ? 1.0f : 0.0f;
}
