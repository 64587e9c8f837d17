/*
 * snn_convert.c: turning a trained ReLU rate network into a spiking one,
 * and running it with a time-to-first-spike readout.
 *
 * Normalisation is data-based (Diehl et al. 2015, "Fast-classifying,
 * high-accuracy spiking deep networks through weight and threshold
 * balancing"; Rueckauer et al. 2017, "Conversion of continuous-valued deep
 * networks to efficient event-driven networks for image classification"):
 * lambda_l is a high percentile (not the maximum, which outliers dominate)
 * of layer l's positive activations over the training data, and
 *   W'_l = W_l * lambda_{l-1} / lambda_l,   b'_l = b_l / lambda_l.
 * A hidden neuron then integrates and fires with threshold 1 and reset by
 * subtraction, so its spike count over T steps is about T * a_l / lambda_l,
 * the rate network's activation quantised to T levels.
 *
 * Output neurons integrate without leak and without reset: after t steps
 * their potential is about t * z_k / lambda_L, so the first one to reach the
 * output threshold is the rate network's arg max.  A higher threshold waits
 * longer and so averages out more quantisation noise; the automatic choice
 * puts the median sample's winner at one third of the steps.  A sample
 * whose outputs never reach threshold is answered by the highest potential
 * at the last step (the output that would have fired first).
 */
#include "snn_learn.h"

#include <math.h>
#include <string.h>

#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SNN_HOT __attribute__((target_clones("arch=haswell", "default")))
#else
#define SNN_HOT
#endif

void
snn_convert_defaults(snn_convert_options *o)
{
	o->percentile = 99.9f;
	o->steps = 128;
	o->output_threshold = 0.0f;
}

static uint32_t
widest(const snn_mlp_shape *shape)
{
	uint32_t	m = 0;

	for (uint32_t l = 0; l <= shape->n_layers; l++)
		m = shape->sizes[l] > m ? shape->sizes[l] : m;
	return m;
}

/* Floats of workspace: one layer's activations over the data, plus two
 * activation buffers and the medians of the output maxima. */
size_t
snn_convert_workspace_size(const snn_mlp_shape *shape, size_t n)
{
	size_t		w = widest(shape);

	return sizeof(float) * (n * w + 3 * w + n + 16);
}

/* k-th smallest of v[0..n) (quickselect; reorders v). */
static float
select_kth(float *v, size_t n, size_t k)
{
	size_t		lo = 0,
				hi = n - 1;

	while (lo < hi)
	{
		float		pivot = v[lo + (hi - lo) / 2];
		size_t		i = lo,
					j = hi;

		while (i <= j)
		{
			while (v[i] < pivot)
				i++;
			while (v[j] > pivot)
				j--;
			if (i <= j)
			{
				float		t = v[i];

				v[i] = v[j];
				v[j] = t;
				i++;
				if (j == 0)
					break;
				j--;
			}
		}
		if (k <= j)
			hi = j;
		else if (k >= i)
			lo = i;
		else
			break;
	}
	return v[k];
}

/* Percentile (0..100] of the positive values of v (reorders v). */
static float
positive_percentile(float *v, size_t n, float pct)
{
	size_t		m = 0;
	size_t		k;

	for (size_t i = 0; i < n; i++)
		if (v[i] > 0.0f)
			v[m++] = v[i];
	if (m == 0)
		return 1.0f;			/* a dead layer: leave its scale alone */
	k = (size_t) floor((double) pct / 100.0 * (double) (m - 1) + 0.5);
	if (k >= m)
		k = m - 1;
	return select_kth(v, m, k);
}

/* Normalise the rate network into a spiking one (see the file comment). */
snn_status
snn_convert(const snn_mlp_shape *shape, const float *params, const float *x,
			size_t n, const snn_convert_options *o, float *out_params,
			float *lambda, float *out_threshold, void *work, size_t work_size,
			snn_error *err)
{
	snn_status	st;
	uint32_t	L = shape->n_layers;
	size_t		w = widest(shape);
	float	   *acts,
			   *cur,
			   *nxt,
			   *tmp,
			   *maxes;
	float		lam_prev = 1.0f;

	if ((st = snn_mlp_check_shape(shape, err)) != SNN_OK ||
		(st = snn_check_data(x, n, shape->sizes[0], "inputs", err)) != SNN_OK)
		return st;
	if (!(o->percentile > 0.0f && o->percentile <= 100.0f))
		return snn_fail(err, SNN_E_RANGE, "percentile", "percentile must be in (0, 100]");
	if (o->steps < 1 || o->steps > SNN_CONV_MAX_STEPS)
		return snn_fail(err, SNN_E_RANGE, "steps", "steps must be between 1 and %d",
						SNN_CONV_MAX_STEPS);
	if (!(o->output_threshold >= 0.0f) || !isfinite(o->output_threshold))
		return snn_fail(err, SNN_E_RANGE, "output_threshold",
						"output_threshold must be a finite number >= 0");
	if (work_size < snn_convert_workspace_size(shape, n))
		return snn_fail(err, SNN_E_NOMEM, "workspace", "conversion workspace too small");
	acts = (float *) work;
	cur = acts + n * w;
	nxt = cur + w;
	tmp = nxt + w;
	maxes = tmp + w;

	memcpy(out_params, params, sizeof(float) * snn_mlp_param_count(shape));
	for (uint32_t l = 0; l < L; l++)
	{
		uint32_t	out = shape->sizes[l + 1];
		float	   *ow = out_params + snn_mlp_weight_offset(shape, l);
		float	   *ob = out_params + snn_mlp_bias_offset(shape, l);
		float		lam;

		/*
		 * activations of layer l over the data, through the already
		 * normalised layers below (so errors do not compound)
		 */
		for (size_t s = 0; s < n; s++)
		{
			const float *a = x + s * shape->sizes[0];

			if (snn_interrupted(snn_mlp_param_count(shape)))
				return snn_cancelled(err);

			for (uint32_t q = 0; q <= l; q++)
			{
				uint32_t	qi = shape->sizes[q],
							qo = shape->sizes[q + 1];
				const float *qw = (q == l) ? params + snn_mlp_weight_offset(shape, q)
				: out_params + snn_mlp_weight_offset(shape, q);
				const float *qb = (q == l) ? params + snn_mlp_bias_offset(shape, q)
				: out_params + snn_mlp_bias_offset(shape, q);
				float	   *z = (q & 1) ? nxt : cur;

				memcpy(z, qb, sizeof(float) * qo);
				for (uint32_t i = 0; i < qi; i++)
				{
					float		ai = a[i] * ((q == l) ? lam_prev : 1.0f);

					if (ai != 0.0f)
						for (uint32_t j = 0; j < qo; j++)
							z[j] += ai * qw[(size_t) i * qo + j];
				}
				if (q + 1 < L)
					for (uint32_t j = 0; j < qo; j++)
						z[j] = z[j] > 0.0f ? z[j] : 0.0f;
				a = z;
			}
			memcpy(acts + s * out, a, sizeof(float) * out);
			if (l + 1 == L)
			{
				float		mx = a[0];

				for (uint32_t j = 1; j < out; j++)
					mx = a[j] > mx ? a[j] : mx;
				maxes[s] = mx;
			}
		}
		lam = positive_percentile(acts, n * out, o->percentile);
		lambda[l] = lam;
		for (size_t i = 0; i < (size_t) shape->sizes[l] * out; i++)
			ow[i] = ow[i] * lam_prev / lam;
		for (uint32_t j = 0; j < out; j++)
			ob[j] = ob[j] / lam;
		if (l + 1 == L)
		{
			/* median winning potential per step, in units of lambda_L */
			float		med = positive_percentile(maxes, n, 50.0f) / lam;

			if (o->output_threshold > 0.0f)
				*out_threshold = o->output_threshold;
			else
				*out_threshold = med * (float) o->steps / 3.0f;
			if (!(*out_threshold > 0.0f) || !isfinite(*out_threshold))
				*out_threshold = 1.0f;
		}
		lam_prev = lam;
	}
	for (size_t i = 0; i < snn_mlp_param_count(shape); i++)
		if (!isfinite(out_params[i]))
			return snn_fail(err, SNN_E_NAN, "weights",
							"normalised weights are not finite");
	return SNN_OK;
}

/* Potentials of every layer, the constant input current and spike lists. */
size_t
snn_ttfs_scratch_size(const snn_mlp_shape *shape)
{
	size_t		f = 0;

	for (uint32_t l = 1; l <= shape->n_layers; l++)
		f += shape->sizes[l];
	return f + 3 * (size_t) widest(shape) + 16;
}

/* Simulate the converted network on one input (see the file comment). */
SNN_HOT void
snn_ttfs_run(const snn_ttfs_net *net, const float *x, uint8_t *out_times,
			 float *scratch, snn_ttfs_result *res)
{
	const snn_mlp_shape *shape = &net->shape;
	uint32_t	L = shape->n_layers;
	uint32_t	k = shape->sizes[L];
	uint32_t	mw = widest(shape);
	float	   *v[SNN_MLP_MAX_LAYERS];
	float	   *drive;
	uint32_t   *spk_a,
			   *spk_b;
	float		theta = net->output_threshold;
	float	   *vo;
	uint32_t	t;
	uint64_t	synops = 0,
				updates = 0;

	{
		float	   *p = scratch;

		for (uint32_t l = 0; l < L; l++)
		{
			v[l] = p;
			memset(p, 0, sizeof(float) * shape->sizes[l + 1]);
			p += shape->sizes[l + 1];
		}
		drive = p;
		spk_a = (uint32_t *) (p + mw);
		spk_b = (uint32_t *) (p + 2 * mw);
	}
	vo = v[L - 1];
	memset(res, 0, sizeof(*res));
	res->predicted = -1;
	res->runner_up = -1;
	if (out_times)
		memset(out_times, 255, k);

	/* the analog input enters the first layer as a constant current */
	{
		uint32_t	in = shape->sizes[0],
					h = shape->sizes[1];
		const float *w = net->params + snn_mlp_weight_offset(shape, 0);

		memcpy(drive, net->params + snn_mlp_bias_offset(shape, 0), sizeof(float) * h);
		for (uint32_t i = 0; i < in; i++)
		{
			float		xi = x[i];

			if (xi == 0.0f)
				continue;
			for (uint32_t j = 0; j < h; j++)
				drive[j] += xi * w[(size_t) i * h + j];
			synops += h;
		}
	}

	for (t = 0; t < net->steps && res->predicted < 0; t++)
	{
		uint32_t	n_spk = 0;

		for (uint32_t l = 0; l < L; l++)
		{
			uint32_t	out = shape->sizes[l + 1];
			float	   *vl = v[l];

			if (l == 0)
				for (uint32_t j = 0; j < out; j++)
					vl[j] += drive[j];
			else
			{
				const float *b = net->params + snn_mlp_bias_offset(shape, l);
				const float *w = net->params + snn_mlp_weight_offset(shape, l);

				for (uint32_t j = 0; j < out; j++)
					vl[j] += b[j];
				for (uint32_t s = 0; s < n_spk; s++)
				{
					const float *wr = w + (size_t) spk_a[s] * out;

					for (uint32_t j = 0; j < out; j++)
						vl[j] += wr[j];
				}
				synops += (uint64_t) n_spk * out;
			}
			updates += out;
			if (l + 1 < L)
			{
				/* hidden: threshold 1, reset by subtraction */
				uint32_t	n_new = 0;
				uint32_t   *tp;

				for (uint32_t j = 0; j < out; j++)
					if (vl[j] >= 1.0f)
					{
						vl[j] -= 1.0f;
						spk_b[n_new++] = j;
					}
				res->layer_spikes[l] += n_new;
				tp = spk_a;
				spk_a = spk_b;
				spk_b = tp;
				n_spk = n_new;
			}
			else
			{
				/*
				 * output: every crossing at this step spikes; the highest
				 * wins
				 */
				for (uint32_t j = 0; j < out; j++)
					if (vl[j] >= theta)
					{
						if (out_times)
							out_times[j] = (uint8_t) (t < 254 ? t : 254);
						res->layer_spikes[l]++;
						if (res->predicted < 0 || vl[j] > vl[res->predicted])
							res->predicted = (int32_t) j;
					}
			}
		}
	}
	res->steps = t;
	res->synaptic_ops = synops;
	res->neuron_updates = updates;
	res->fired = res->predicted >= 0;
	if (!res->fired)
		res->predicted = (int32_t) snn_argmax(vo, k);	/* nearest threshold */
	/* runner-up: the highest other potential; margin relative to threshold */
	if (k > 1)
	{
		int32_t		r = -1;
		double		c;

		for (uint32_t j = 0; j < k; j++)
			if ((int32_t) j != res->predicted && (r < 0 || vo[j] > vo[r]))
				r = (int32_t) j;
		res->runner_up = r;
		c = (vo[res->predicted] - vo[r]) / theta;
		res->confidence = c < 0.0 ? 0.0 : (c > 1.0 ? 1.0 : c);
	}
}
