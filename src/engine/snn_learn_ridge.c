/*
 * snn_learn_ridge.c: closed-form ridge regression for linear readouts of
 * reservoir states,
 *     W = (S'S + alpha I)^-1 S'Y,
 * with a bias column appended to S and left unpenalised.  The normal
 * equations are accumulated in double precision and solved by Cholesky
 * factorisation; k outputs share one factorisation.
 */
#include "snn_learn.h"

#include <math.h>
#include <string.h>

/* Bytes: the (d+1)^2 normal matrix and the (d+1) x k right-hand side. */
size_t
snn_ridge_workspace_size(size_t dim, size_t k)
{
	size_t		m = dim + 1;

	return sizeof(double) * (m * m + m * k + m) + 64;
}

/* Fit W[dim + 1][k]; fails without touching w when the system is singular. */
snn_status
snn_ridge_fit(const float *s, size_t n, size_t dim, const float *y, size_t k,
			  double alpha, float *w, void *work, size_t work_size,
			  snn_error *err)
{
	snn_status	st;
	size_t		m = dim + 1;
	double	   *a,
			   *b,
			   *row;

	if ((st = snn_check_data(s, n, dim, "states", err)) != SNN_OK ||
		(st = snn_check_data(y, n, k, "targets", err)) != SNN_OK)
		return st;
	if (!(alpha >= 0.0) || !isfinite(alpha))
		return snn_fail(err, SNN_E_RANGE, "alpha", "alpha must be a finite number >= 0");
	if (work_size < snn_ridge_workspace_size(dim, k))
		return snn_fail(err, SNN_E_NOMEM, "workspace", "ridge workspace too small");
	a = (double *) work;
	b = a + m * m;
	row = b + m * k;
	memset(a, 0, sizeof(double) * m * m);
	memset(b, 0, sizeof(double) * m * k);

	/* accumulate the upper triangle of S'S and S'Y */
	for (size_t i = 0; i < n; i++)
	{
		const float *si = s + i * dim;
		const float *yi = y + i * k;

		/* half the normal matrix and k columns a sample */
		if (snn_interrupted((uint64_t) m * (m / 2 + k + 1)))
			return snn_cancelled(err);
		for (size_t p = 0; p < dim; p++)
			row[p] = si[p];
		row[dim] = 1.0;
		for (size_t p = 0; p < m; p++)
		{
			double		rp = row[p];
			double	   *ap = a + p * m;

			if (rp == 0.0)
				continue;
			for (size_t q = p; q < m; q++)
				ap[q] += rp * row[q];
			for (size_t c = 0; c < k; c++)
				b[p * k + c] += rp * yi[c];
		}
	}
	for (size_t p = 0; p < dim; p++)
		a[p * m + p] += alpha;

	/* Cholesky in place: lower factor L in the lower triangle */
	for (size_t j = 0; j < m; j++)
	{
		double		d = a[j * m + j];

		/* column j of the factor: (m - j) dot products of length j */
		if (snn_interrupted((uint64_t) (m - j) * (j + 1)))
			return snn_cancelled(err);
		for (size_t q = 0; q < j; q++)
			d -= a[j * m + q] * a[j * m + q];
		if (!(d > 1e-12 * (1.0 + fabs(a[j * m + j]))))
		{
			/* constant or collinear states with alpha = 0 */
			return snn_fail(err, SNN_E_RANGE, "alpha",
							"the ridge system is singular (constant or collinear states); use alpha > 0");
		}
		d = sqrt(d);
		a[j * m + j] = d;
		for (size_t i = j + 1; i < m; i++)
		{
			double		v = a[j * m + i];	/* upper triangle holds A[j][i] */

			for (size_t q = 0; q < j; q++)
				v -= a[i * m + q] * a[j * m + q];
			a[i * m + j] = v / d;
		}
	}
	/* forward then backward substitution for every output column */
	for (size_t c = 0; c < k; c++)
	{
		if (snn_interrupted((uint64_t) m * m))
			return snn_cancelled(err);
		for (size_t i = 0; i < m; i++)
		{
			double		v = b[i * k + c];

			for (size_t q = 0; q < i; q++)
				v -= a[i * m + q] * b[q * k + c];
			b[i * k + c] = v / a[i * m + i];
		}
		for (size_t i = m; i-- > 0;)
		{
			double		v = b[i * k + c];

			for (size_t q = i + 1; q < m; q++)
				v -= a[q * m + i] * b[q * k + c];
			b[i * k + c] = v / a[i * m + i];
		}
	}
	for (size_t i = 0; i < m * k; i++)
		if (!isfinite(b[i]))
			return snn_fail(err, SNN_E_NAN, "alpha", "the ridge solution is not finite; use a larger alpha");
	for (size_t i = 0; i < m * k; i++)
		w[i] = (float) b[i];
	return SNN_OK;
}

/* Linear readout of one state vector. */
void
snn_ridge_predict(const float *w, size_t dim, size_t k, const float *s, float *out)
{
	memcpy(out, w + dim * k, sizeof(float) * k);
	for (size_t p = 0; p < dim; p++)
	{
		float		sp = s[p];

		if (sp == 0.0f)
			continue;
		for (size_t c = 0; c < k; c++)
			out[c] += sp * w[p * k + c];
	}
}
