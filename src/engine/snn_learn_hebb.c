/*
 * snn_learn_hebb.c: Hebbian learning with Oja's rule (Oja 1982), which adds
 * a decay term to plain Hebbian learning so that the weights stay bounded:
 *     y_j = w_j . x,    dw_j = eta y_j (x - y_j w_j)
 * A single output converges to the unit-norm first principal component of
 * the (centred) data.  With several outputs, Sanger's generalised Hebbian
 * algorithm (Sanger 1989), dw_j = eta y_j (x - sum_{k<=j} y_k w_k), makes
 * output j converge to the j-th component, so outputs do not all learn the
 * same thing; it is the default for more than one output.
 */
#include "snn_learn.h"

#include <math.h>
#include <string.h>

void
snn_hebb_defaults(snn_hebb_options *o)
{
	memset(o, 0, sizeof(*o));
	o->epochs = 20;
	o->learning_rate = 0.01f;
	o->sanger = 1;
	o->seed = 42;
}

snn_status
snn_hebb_check_options(const snn_hebb_options *o, snn_error *err)
{
	if (o->epochs < 1 || o->epochs > 100000)
		return snn_fail(err, SNN_E_RANGE, "epochs", "epochs must be between 1 and 100000");
	if (!(o->learning_rate > 0.0f && o->learning_rate <= 1.0f))
		return snn_fail(err, SNN_E_RANGE, "learning_rate", "learning_rate must be in (0, 1]");
	return SNN_OK;
}

/* Floats: outputs, the centred sample, the running reconstruction, order. */
size_t
snn_hebb_workspace_size(size_t n_in, size_t n_out)
{
	return sizeof(float) * (n_out + 2 * n_in + 16);
}

/* Train w[n_in][n_out] (caller-initialised) with Oja's or Sanger's rule. */
snn_status
snn_hebb_train(float *w, float *mean, size_t n_in, size_t n_out,
			   const float *x, size_t n, const snn_hebb_options *o,
			   void *work, size_t work_size, snn_train_result *res,
			   snn_error *err)
{
	snn_status	st;
	float	   *y,
			   *xc,
			   *rec;
	double		t0 = snn_now();
	double		loss = 0.0;

	if ((st = snn_hebb_check_options(o, err)) != SNN_OK ||
		(st = snn_check_data(x, n, n_in, "inputs", err)) != SNN_OK)
		return st;
	if (n_out == 0)
		return snn_fail(err, SNN_E_EMPTY, "outputs", "the layer has no output neurons");
	if (work_size < snn_hebb_workspace_size(n_in, n_out))
		return snn_fail(err, SNN_E_NOMEM, "workspace", "hebbian workspace too small");
	y = (float *) work;
	xc = y + n_out;
	rec = xc + n_in;

	for (size_t i = 0; i < n_in; i++)
	{
		double		m = 0.0;

		for (size_t s = 0; s < n; s++)
			m += x[s * n_in + i];
		mean[i] = (float) (m / (double) n);
	}
	memset(res, 0, sizeof(*res));
	for (uint32_t e = 1; e <= o->epochs; e++)
	{
		/* a slowly decaying rate helps the components settle */
		float		eta = o->learning_rate / (1.0f + 0.1f * (float) (e - 1));
		double		num = 0.0,
					den = 0.0;

		for (size_t s = 0; s < n; s++)
		{
			const float *xs = x + s * n_in;

			if (snn_interrupted(3 * (uint64_t) n_in * n_out + n_in))
				return snn_cancelled(err);

			for (size_t i = 0; i < n_in; i++)
				xc[i] = xs[i] - mean[i];
			memset(y, 0, sizeof(float) * n_out);
			for (size_t i = 0; i < n_in; i++)
				for (size_t j = 0; j < n_out; j++)
					y[j] += w[i * n_out + j] * xc[i];
			if (o->sanger || n_out == 1)
			{
				/* rec accumulates sum_{k<=j} y_k w_k as j grows */
				memset(rec, 0, sizeof(float) * n_in);
				for (size_t j = 0; j < n_out; j++)
					for (size_t i = 0; i < n_in; i++)
					{
						rec[i] += y[j] * w[i * n_out + j];
						w[i * n_out + j] += eta * y[j] * (xc[i] - rec[i]);
					}
			}
			else
				for (size_t j = 0; j < n_out; j++)
					for (size_t i = 0; i < n_in; i++)
						w[i * n_out + j] += eta * y[j] * (xc[i] - y[j] * w[i * n_out + j]);
			/* relative reconstruction error with the updated weights */
			for (size_t i = 0; i < n_in; i++)
			{
				double		r = 0.0;

				for (size_t j = 0; j < n_out; j++)
					r += (double) y[j] * w[i * n_out + j];
				num += (xc[i] - r) * (xc[i] - r);
				den += (double) xc[i] * xc[i];
			}
		}
		for (size_t i = 0; i < n_in * n_out; i++)
			if (!isfinite(w[i]))
				return snn_fail(err, SNN_E_NAN, "learning_rate",
								"hebbian weights diverged at epoch %u; lower learning_rate", e);
		loss = den > 0 ? num / den : 0.0;
		res->epochs = e;
		if (o->progress)
			o->progress(o->progress_arg, e, o->epochs, loss);
	}
	res->best_epoch = res->epochs;
	res->samples = n;
	res->loss = loss;
	res->accuracy = NAN;
	res->val_loss = NAN;
	res->val_accuracy = NAN;
	res->converged = 1;
	res->seconds = snn_now() - t0;
	return SNN_OK;
}
