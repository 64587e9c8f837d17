/*
 * snn_learn_stdp.c: unsupervised feature learning on one feed-forward layer
 * with pair-based spike-timing-dependent plasticity (Bi and Poo 1998; the
 * trace formulation of Morrison, Diesmann and Gerstner 2008), a
 * winner-take-all output and optional homeostatic thresholds (Diehl and
 * Cook 2015).
 *
 * Each input neuron i keeps a presynaptic trace x_i and each output neuron
 * j a postsynaptic trace y_j; both decay exponentially (tau_pre, tau_post)
 * and jump by 1 at each of their spikes.  Then
 *   at a presynaptic spike of i:   w_ij -= A- * y_j   (post before pre)
 *   at a postsynaptic spike of j:  w_ij += A+ * x_i   (pre before post)
 * and weights are clipped to [w_min, w_max] (hard bounds).  Inputs are
 * Poisson spike trains whose probability per step is max_rate * x (x
 * scaled to [0, 1]).  Output neurons are leaky integrate-and-fire in
 * normalised units (rest 0, threshold v_th + theta_j); with winner-take-all
 * only the neuron most above threshold fires in a step and every output is
 * reset (lateral inhibition).  Homeostasis raises theta_j by theta_plus at
 * each spike of j and lets it decay with tau_theta, so no neuron wins
 * every sample.
 */
#include "snn_learn.h"
#include "snn_fanin.h"

#include <math.h>
#include <string.h>

void
snn_stdp_defaults(snn_stdp_options *o)
{
	memset(o, 0, sizeof(*o));
	o->epochs = 1;
	o->steps = 50;
	o->dt = 1.0f;
	o->tau_pre = 20.0f;
	o->tau_post = 20.0f;
	o->a_plus = 0.01f;
	o->a_minus = 0.0105f;
	o->w_min = 0.0f;
	o->w_max = 1.0f;
	o->tau_m = 20.0f;
	o->v_th = 1.0f;
	o->max_rate = 0.2f;
	o->wta = 1;
	o->homeostasis = 1;
	o->theta_plus = 0.05f;
	o->tau_theta = 1.0e4f;
	o->seed = 42;
}

#define POSITIVE(f, name) \
	if (!(o->f > 0.0f) || !isfinite(o->f)) \
		return snn_fail(err, SNN_E_RANGE, name, name " must be a finite number > 0")
#define NONNEG(f, name) \
	if (!(o->f >= 0.0f) || !isfinite(o->f)) \
		return snn_fail(err, SNN_E_RANGE, name, name " must be a finite number >= 0")

/* Every option in range, naming the offending one. */
snn_status
snn_stdp_check_options(const snn_stdp_options *o, snn_error *err)
{
	if (o->epochs < 1 || o->epochs > 10000)
		return snn_fail(err, SNN_E_RANGE, "epochs", "epochs must be between 1 and 10000");
	if (o->steps < 1 || o->steps > 100000)
		return snn_fail(err, SNN_E_RANGE, "steps", "steps must be between 1 and 100000");
	POSITIVE(dt, "dt");
	POSITIVE(tau_pre, "tau_pre");
	POSITIVE(tau_post, "tau_post");
	NONNEG(a_plus, "a_plus");
	NONNEG(a_minus, "a_minus");
	POSITIVE(tau_m, "tau_m");
	POSITIVE(v_th, "v_th");
	POSITIVE(tau_theta, "tau_theta");
	NONNEG(theta_plus, "theta_plus");
	if (!isfinite(o->w_min) || !isfinite(o->w_max) || !(o->w_min < o->w_max))
		return snn_fail(err, SNN_E_RANGE, "w_max", "w_min must be below w_max, both finite");
	if (!(o->max_rate > 0.0f && o->max_rate <= 1.0f))
		return snn_fail(err, SNN_E_RANGE, "max_rate", "max_rate must be in (0, 1]");
	return SNN_OK;
}

/* Floats: traces, potentials, a pre-spike list and the sample order. */
size_t
snn_stdp_workspace_size(size_t n_in, size_t n_out)
{
	return sizeof(float) * (2 * n_in + 3 * n_out + 16);
}

/* Depression at presynaptic spikes (uses y_post before this step's posts). */
static void
stdp_pre(float *w, size_t n_out, const uint32_t *pre_list, size_t n_pre,
		 const float *y_post, float a_minus, float w_min)
{
	for (size_t s = 0; s < n_pre; s++)
	{
		float	   *wr = w + (size_t) pre_list[s] * n_out;

		for (size_t j = 0; j < n_out; j++)
		{
			float		nw = wr[j] - a_minus * y_post[j];

			wr[j] = nw < w_min ? w_min : nw;
		}
	}
}

/* Potentiation of every input synapse of output j at its spike. */
static void
stdp_post(float *w, size_t n_in, size_t n_out, size_t j, const float *x_pre,
		  float a_plus, float w_max)
{
	for (size_t i = 0; i < n_in; i++)
	{
		float		nw = w[i * n_out + j] + a_plus * x_pre[i];

		w[i * n_out + j] = nw > w_max ? w_max : nw;
	}
}

/* Apply STDP for given pre/post spike rasters (0/1 bytes, row a step). */
void
snn_stdp_apply(float *w, size_t n_in, size_t n_out, const uint8_t *pre,
			   const uint8_t *post, uint32_t steps, const snn_stdp_options *o,
			   float *x_pre, float *y_post)
{
	float		dpre = expf(-o->dt / o->tau_pre),
				dpost = expf(-o->dt / o->tau_post);

	for (uint32_t t = 0; t < steps; t++)
	{
		const uint8_t *pr = pre + (size_t) t * n_in;
		const uint8_t *po = post + (size_t) t * n_out;

		for (size_t i = 0; i < n_in; i++)
			x_pre[i] *= dpre;
		for (size_t j = 0; j < n_out; j++)
			y_post[j] *= dpost;
		for (size_t i = 0; i < n_in; i++)
			if (pr[i])
			{
				uint32_t	one = (uint32_t) i;

				stdp_pre(w, n_out, &one, 1, y_post, o->a_minus, o->w_min);
				x_pre[i] += 1.0f;
			}
		for (size_t j = 0; j < n_out; j++)
			if (po[j])
			{
				stdp_post(w, n_in, n_out, j, x_pre, o->a_plus, o->w_max);
				y_post[j] += 1.0f;
			}
	}
}

/*
 * Simulate one sample through the layer; with learn, apply STDP.  Returns
 * the first output to fire (-1: none); counts[n_out] (may be NULL) gets
 * spike counts.  scratch: n_in + n_out (+ traces when learning) floats.
 */
static int32_t
stdp_sample(float *w, float *theta, size_t n_in, size_t n_out, const float *x,
			const snn_stdp_options *o, uint64_t *rng, int learn,
			uint32_t *counts, float *v, float *x_pre, float *y_post,
			uint32_t *pre_list, uint64_t *n_syn, uint8_t *times,
			uint32_t *steps_run)
{
	float		dm = expf(-o->dt / o->tau_m);
	float		dpre = expf(-o->dt / o->tau_pre),
				dpost = expf(-o->dt / o->tau_post);
	float		dth = expf(-o->dt / o->tau_theta);
	int32_t		first = -1;
	uint32_t	t;

	memset(v, 0, sizeof(float) * n_out);
	if (learn)
	{
		memset(x_pre, 0, sizeof(float) * n_in);
		memset(y_post, 0, sizeof(float) * n_out);
	}
	if (counts)
		memset(counts, 0, sizeof(uint32_t) * n_out);
	if (times)
		memset(times, 255, n_out);
	for (t = 0; t < o->steps; t++)
	{
		size_t		n_pre = 0;

		/* Poisson input spikes */
		for (size_t i = 0; i < n_in; i++)
			if (x[i] > 0.0f && snn_rand_unit(rng) < (double) (o->max_rate * x[i]))
				pre_list[n_pre++] = (uint32_t) i;
		if (learn)
		{
			for (size_t i = 0; i < n_in; i++)
				x_pre[i] *= dpre;
			for (size_t j = 0; j < n_out; j++)
				y_post[j] *= dpost;
			stdp_pre(w, n_out, pre_list, n_pre, y_post, o->a_minus, o->w_min);
			for (size_t s = 0; s < n_pre; s++)
				x_pre[pre_list[s]] += 1.0f;
		}
		/* integrate */
		for (size_t j = 0; j < n_out; j++)
			v[j] *= dm;
		for (size_t s = 0; s < n_pre; s++)
		{
			const float *wr = w + (size_t) pre_list[s] * n_out;

			for (size_t j = 0; j < n_out; j++)
				v[j] += wr[j];
		}
		if (n_syn)
			*n_syn += (uint64_t) n_pre * n_out;
		/* fire */
		{
			int32_t		best = -1;
			float		best_over = 0.0f;

			for (size_t j = 0; j < n_out; j++)
			{
				float		over = v[j] - (o->v_th + (theta ? theta[j] : 0.0f));

				if (over >= 0.0f)
				{
					if (!o->wta)
					{
						v[j] = 0.0f;
						if (counts)
							counts[j]++;
						if (times && times[j] == 255)
							times[j] = (uint8_t) (t < 254 ? t : 254);
						if (first < 0)
							first = (int32_t) j;
						if (learn)
						{
							stdp_post(w, n_in, n_out, j, x_pre, o->a_plus, o->w_max);
							y_post[j] += 1.0f;
							if (o->homeostasis && theta)
								theta[j] += o->theta_plus;
						}
					}
					else if (best < 0 || over > best_over)
					{
						best = (int32_t) j;
						best_over = over;
					}
				}
			}
			if (o->wta && best >= 0)
			{
				memset(v, 0, sizeof(float) * n_out);	/* lateral inhibition */
				if (counts)
					counts[best]++;
				if (times && times[best] == 255)
					times[best] = (uint8_t) (t < 254 ? t : 254);
				if (first < 0)
					first = best;
				if (learn)
				{
					stdp_post(w, n_in, n_out, (size_t) best, x_pre, o->a_plus, o->w_max);
					y_post[best] += 1.0f;
					if (o->homeostasis && theta)
						theta[best] += o->theta_plus;
				}
			}
		}
		if (learn && o->homeostasis && theta)
			for (size_t j = 0; j < n_out; j++)
				theta[j] *= dth;
		if (!learn && counts == NULL && first >= 0)
		{
			t++;
			break;
		}
	}
	if (steps_run)
		*steps_run = t;
	return first;
}

/* Train the layer; see the file comment. */
snn_status
snn_stdp_train(float *w, float *theta, size_t n_in, size_t n_out,
			   const float *x, size_t n, const snn_stdp_options *o,
			   void *work, size_t work_size, snn_train_result *res,
			   snn_error *err)
{
	snn_status	st;
	float	   *x_pre,
			   *y_post,
			   *v;
	uint32_t   *pre_list;
	uint64_t	rng = o->seed * SNN_GOLDEN_GAMMA + 7;
	double		t0 = snn_now();
	double		err_sum = 0.0;
	size_t		fired = 0;

	if ((st = snn_stdp_check_options(o, err)) != SNN_OK ||
		(st = snn_check_data(x, n, n_in, "inputs", err)) != SNN_OK)
		return st;
	if (n_out == 0)
		return snn_fail(err, SNN_E_EMPTY, "outputs", "the layer has no output neurons");
	for (size_t i = 0; i < n * n_in; i++)
		if (x[i] < 0.0f || x[i] > 1.0f)
			return snn_fail(err, SNN_E_RANGE, "inputs", "stdp inputs must be scaled to [0, 1]");
	if (work_size < snn_stdp_workspace_size(n_in, n_out))
		return snn_fail(err, SNN_E_NOMEM, "workspace", "stdp workspace too small");
	x_pre = (float *) work;
	pre_list = (uint32_t *) (x_pre + n_in);
	y_post = x_pre + 2 * n_in;
	v = y_post + n_out;
	if (rng == 0)
		rng = 1;
	memset(res, 0, sizeof(*res));
	for (uint32_t e = 1; e <= o->epochs; e++)
	{
		err_sum = 0.0;
		fired = 0;
		for (size_t s = 0; s < n; s++)
		{
			const float *xs = x + s * n_in;
			int32_t		win;

			/* a sample: steps of input spikes and n_out membrane updates */
			if (snn_interrupted((uint64_t) o->steps * (n_in + n_out) + n_in * n_out))
				return snn_cancelled(err);
			win = stdp_sample(w, theta, n_in, n_out, xs, o, &rng, 1, NULL, v,
							  x_pre, y_post, pre_list, NULL, NULL, NULL);
			if (win >= 0)
			{
				/* 1 - cosine between the sample and the winner's weights */
				double		dot = 0,
							nx = 0,
							nw = 0;

				for (size_t i = 0; i < n_in; i++)
				{
					double		wi = w[i * n_out + win];

					dot += wi * xs[i];
					nx += (double) xs[i] * xs[i];
					nw += wi * wi;
				}
				err_sum += (nx > 0 && nw > 0) ? 1.0 - dot / sqrt(nx * nw) : 1.0;
				fired++;
			}
			else
				err_sum += 1.0;
		}
		res->epochs = e;
		if (o->progress)
			o->progress(o->progress_arg, e, o->epochs, err_sum / (double) n);
	}
	res->best_epoch = res->epochs;
	res->samples = n;
	res->loss = err_sum / (double) n;
	res->accuracy = (double) fired / (double) n;	/* fraction answered */
	res->val_loss = NAN;
	res->val_accuracy = NAN;
	res->converged = 1;
	res->seconds = snn_now() - t0;
	return SNN_OK;
}

/* First output to fire for x under a fixed seed (inference, no learning). */
int32_t
snn_wta_first(const float *w, const float *theta, size_t n_in, size_t n_out,
			  const float *x, const snn_stdp_options *o, uint64_t seed,
			  uint32_t *counts, float *scratch, uint64_t *synaptic_ops,
			  uint8_t *times, uint32_t *steps_run)
{
	uint64_t	rng = seed ? seed : 1;
	snn_stdp_options q = *o;

	q.homeostasis = 0;
	return stdp_sample((float *) w, (float *) theta, n_in, n_out, x, &q, &rng, 0,
					   counts, scratch, NULL, NULL, (uint32_t *) (scratch + n_out),
					   synaptic_ops, times, steps_run);
}

/* ---------------------------------------------------------------------
 * Online STDP on a fixed fan-in recurrent block (snn_fanin.h).
 */

/*
 * One change of a weight: sign kept (Dale), magnitude in [0, wmax], no
 * change when dw is 0 or when skip is set.  The selects are masks on the
 * bits: the weight's sign and a change's clamp at 0 are coin flips, which
 * as branches mispredicted (most of a detector step's time).  A weight of
 * -0 counts as excitatory, as "old < 0" says.
 */
static inline void
fanin_apply(float *w, float dw, float wmax, int skip)
{
	float		old = *w,
				mag = fabsf(old) + dw;
	uint32_t	ob,
				mb,
				neg = -(uint32_t) (old < 0.0f),
				low = -(uint32_t) (mag < 0.0f),
				keep = -(uint32_t) (dw != 0.0f && !skip);

	mag = mag > wmax ? wmax : mag;
	memcpy(&ob, &old, sizeof(ob));
	memcpy(&mb, &mag, sizeof(mb));
	mb &= ~low;					/* below 0: +0 */
	mb ^= neg & 0x80000000u;	/* the sign of the old weight */
	mb = (mb & keep) | (ob & ~keep);
	memcpy(w, &mb, sizeof(mb));
}

void
snn_stdp_fanin_fired(const snn_fanin *b, const float *trace,
					 const uint8_t *spiked, const uint16_t *fired,
					 uint32_t n_fired, float a_plus, float a_minus, float w_max)
{
	uint32_t	k = b->k;

	/* the inputs of each neuron that fired */
	for (uint32_t f = 0; f < n_fired; f++)
	{
		uint32_t	i = fired[f];
		const uint16_t *ri = b->pre + (size_t) i * k;
		float	   *wi = b->w + (size_t) i * k;

		for (uint32_t j = 0; j < k; j++)
		{
			uint32_t	p = ri[j];
			float		dw = 0.0f;

			dw += a_plus * trace[p];	/* pre before post: potentiate */
			/* post before pre: depress (b * 0 = +0 takes nothing off) */
			dw -= a_minus * trace[i] * (float) spiked[p];
			fanin_apply(&wi[j], dw, w_max, 0);
		}
	}
	/* the outputs of each neuron that fired, onto silent neurons */
	for (uint32_t f = 0; f < n_fired; f++)
	{
		uint32_t	p = fired[f];

		for (uint32_t at = b->out_ptr[p]; at < b->out_ptr[p + 1]; at++)
		{
			uint32_t	i = b->out_post[at];
			float		dw = 0.0f;

			dw -= a_minus * trace[i];	/* post before pre: depress */
			/* a synapse onto a firing neuron was done above */
			fanin_apply(&b->w[b->out_slot[at]], dw, w_max, spiked[i]);
		}
	}
}
