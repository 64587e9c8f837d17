/*
 * snn_learn_backprop.c: a ReLU rate network trained by minibatch gradient
 * descent with Adam (Kingma and Ba 2015), softmax cross-entropy loss, a
 * held-out validation split with early stopping, and an optional target
 * loss.  Deterministic for a given seed.
 *
 * Weights are stored input-major (W[in][out]) so that the forward pass and
 * the weight gradient are both "axpy" loops over contiguous outputs, which
 * the compiler vectorises without reassociating float sums.
 */
#include "snn_learn.h"

#include <math.h>
#include <string.h>

#define ALIGN_UP(x) (((x) + 63) & ~(size_t) 63)

/*
 * The hot loops get an AVX2+FMA clone picked at load time on x86-64 with
 * GCC (the build itself stays generic x86-64); elsewhere one plain version.
 */
#if defined(__GNUC__) && !defined(__clang__) && defined(__x86_64__)
#define SNN_HOT __attribute__((target_clones("arch=haswell", "default")))
#else
#define SNN_HOT
#endif

/* Number of floats of all weights and biases. */
size_t
snn_mlp_param_count(const snn_mlp_shape *shape)
{
	size_t		p = 0;

	for (uint32_t l = 0; l < shape->n_layers; l++)
		p += (size_t) shape->sizes[l] * shape->sizes[l + 1] + shape->sizes[l + 1];
	return p;
}

/* Offset of layer l's weights in the parameter array. */
size_t
snn_mlp_weight_offset(const snn_mlp_shape *shape, uint32_t layer)
{
	size_t		p = 0;

	for (uint32_t l = 0; l < layer; l++)
		p += (size_t) shape->sizes[l] * shape->sizes[l + 1] + shape->sizes[l + 1];
	return p;
}

/* Offset of layer l's biases (right after its weights). */
size_t
snn_mlp_bias_offset(const snn_mlp_shape *shape, uint32_t layer)
{
	return snn_mlp_weight_offset(shape, layer) +
		(size_t) shape->sizes[layer] * shape->sizes[layer + 1];
}

/* Layer count and widths within the documented limits. */
snn_status
snn_mlp_check_shape(const snn_mlp_shape *shape, snn_error *err)
{
	if (shape->n_layers < 1 || shape->n_layers > SNN_MLP_MAX_LAYERS)
		return snn_fail(err, SNN_E_LIMIT, "layers",
						"a rate network has 1 to %d weight layers, not %u",
						SNN_MLP_MAX_LAYERS, shape->n_layers);
	for (uint32_t l = 0; l <= shape->n_layers; l++)
		if (shape->sizes[l] == 0 || shape->sizes[l] > SNN_MLP_MAX_WIDTH)
			return snn_fail(err, shape->sizes[l] ? SNN_E_LIMIT : SNN_E_EMPTY, "layers",
							"layer %u has %u neurons; allowed 1 to %d",
							l, shape->sizes[l], SNN_MLP_MAX_WIDTH);
	return SNN_OK;
}

static uint32_t
max_width(const snn_mlp_shape *shape)
{
	uint32_t	m = 0;

	for (uint32_t l = 0; l <= shape->n_layers; l++)
		m = shape->sizes[l] > m ? shape->sizes[l] : m;
	return m;
}

/* Glorot-uniform initialisation, the usual choice for ReLU MLPs. */
void
snn_mlp_init(const snn_mlp_shape *shape, float *params, uint64_t seed)
{
	uint64_t	s = seed * SNN_GOLDEN_GAMMA + 0x1234567ULL;

	if (s == 0)
		s = 1;
	for (uint32_t l = 0; l < shape->n_layers; l++)
	{
		uint32_t	in = shape->sizes[l],
					out = shape->sizes[l + 1];
		float	   *w = params + snn_mlp_weight_offset(shape, l);
		float	   *b = params + snn_mlp_bias_offset(shape, l);
		double		lim = sqrt(6.0 / (in + out));

		for (size_t i = 0; i < (size_t) in * out; i++)
			w[i] = (float) ((2.0 * snn_rand_unit(&s) - 1.0) * lim);
		memset(b, 0, sizeof(float) * out);
	}
}

#define BLK 32					/* outputs kept in registers at a time */

/*
 * out = b + a * W for one layer: blocks of BLK outputs accumulate in
 * registers over all inputs (skipping zero inputs), the rest plainly.
 */
static inline void
layer_forward(const float *restrict w, const float *restrict b,
			  const float *restrict a, uint32_t in, uint32_t out,
			  float *restrict z)
{
	uint32_t	j0 = 0;

	for (; j0 + BLK <= out; j0 += BLK)
	{
		float		acc[BLK];

		for (uint32_t k = 0; k < BLK; k++)
			acc[k] = b[j0 + k];
		for (uint32_t i = 0; i < in; i++)
		{
			float		ai = a[i];
			const float *wr = w + (size_t) i * out + j0;

			if (ai == 0.0f)
				continue;
			for (uint32_t k = 0; k < BLK; k++)
				acc[k] += ai * wr[k];
		}
		for (uint32_t k = 0; k < BLK; k++)
			z[j0 + k] = acc[k];
	}
	if (j0 < out)
	{
		memcpy(z + j0, b + j0, sizeof(float) * (out - j0));
		for (uint32_t i = 0; i < in; i++)
		{
			float		ai = a[i];
			const float *wr = w + (size_t) i * out;

			if (ai == 0.0f)
				continue;
			for (uint32_t j = j0; j < out; j++)
				z[j] += ai * wr[j];
		}
	}
}

/* Logits of one sample through ReLU hidden layers. */
SNN_HOT void
snn_mlp_forward(const snn_mlp_shape *shape, const float *params,
				const float *x, float *logits, float *scratch)
{
	uint32_t	mw = max_width(shape);
	float	   *bufs[2] = {scratch, scratch + mw};
	const float *a = x;

	for (uint32_t l = 0; l < shape->n_layers; l++)
	{
		uint32_t	in = shape->sizes[l],
					out = shape->sizes[l + 1];
		float	   *z = (l + 1 == shape->n_layers) ? logits : bufs[l & 1];

		layer_forward(params + snn_mlp_weight_offset(shape, l),
					  params + snn_mlp_bias_offset(shape, l), a, in, out, z);
		if (l + 1 < shape->n_layers)
			for (uint32_t j = 0; j < out; j++)
				z[j] = z[j] > 0.0f ? z[j] : 0.0f;
		a = z;
	}
}

/* Softmax in place; returns -log p[label] (label < 0: no loss). */
static double
softmax_xent(float *z, uint32_t k, int32_t label)
{
	float		m = z[0];
	double		sum = 0.0,
				loss = 0.0;

	for (uint32_t j = 1; j < k; j++)
		m = z[j] > m ? z[j] : m;
	for (uint32_t j = 0; j < k; j++)
	{
		z[j] = expf(z[j] - m);
		sum += z[j];
	}
	for (uint32_t j = 0; j < k; j++)
		z[j] = (float) (z[j] / sum);
	if (label >= 0)
		loss = -log(z[label] > 1e-30f ? (double) z[label] : 1e-30);
	return loss;
}

void
snn_bp_defaults(snn_bp_options *o)
{
	memset(o, 0, sizeof(*o));
	o->max_epochs = 100;
	o->batch_size = 64;
	o->learning_rate = 0.01f;
	o->beta1 = 0.9f;
	o->beta2 = 0.999f;
	o->epsilon = 1e-8f;
	o->l2 = 1e-4f;
	o->validation_split = 0.1f;
	o->patience = 8;
	o->tolerance = 0.01f;
	o->target_loss = 0.0f;
	o->seed = 42;
}

/* Every option in range, naming the offending one. */
snn_status
snn_bp_check_options(const snn_bp_options *o, snn_error *err)
{
	if (o->max_epochs < 1 || o->max_epochs > 100000)
		return snn_fail(err, SNN_E_RANGE, "epochs", "epochs must be between 1 and 100000");
	if (o->batch_size < 1 || o->batch_size > 65536)
		return snn_fail(err, SNN_E_RANGE, "batch_size", "batch_size must be between 1 and 65536");
	if (!(o->learning_rate > 0.0f && o->learning_rate <= 10.0f))
		return snn_fail(err, SNN_E_RANGE, "learning_rate", "learning_rate must be in (0, 10]");
	if (!(o->beta1 >= 0.0f && o->beta1 < 1.0f))
		return snn_fail(err, SNN_E_RANGE, "beta1", "beta1 must be in [0, 1)");
	if (!(o->beta2 >= 0.0f && o->beta2 < 1.0f))
		return snn_fail(err, SNN_E_RANGE, "beta2", "beta2 must be in [0, 1)");
	if (!(o->epsilon > 0.0f && o->epsilon < 1.0f))
		return snn_fail(err, SNN_E_RANGE, "epsilon", "epsilon must be in (0, 1)");
	if (!(o->l2 >= 0.0f && o->l2 < 1.0f))
		return snn_fail(err, SNN_E_RANGE, "l2", "l2 must be in [0, 1)");
	if (!(o->validation_split >= 0.0f && o->validation_split < 1.0f))
		return snn_fail(err, SNN_E_RANGE, "validation_split", "validation_split must be in [0, 1)");
	if (o->patience < 1 || o->patience > 100000)
		return snn_fail(err, SNN_E_RANGE, "patience", "patience must be between 1 and 100000");
	if (!(o->tolerance >= 0.0f && o->tolerance < 1.0f))
		return snn_fail(err, SNN_E_RANGE, "tolerance", "tolerance must be in [0, 1)");
	if (!(o->target_loss >= 0.0f) || !isfinite(o->target_loss))
		return snn_fail(err, SNN_E_RANGE, "target_loss", "target_loss must be a finite number >= 0");
	return SNN_OK;
}

/* Workspace layout, shared by the size function and the trainer. */
typedef struct bp_layout
{
	size_t		best,
				xb,
				dbatch,
				grad,
				m,
				v,
				order,
				acts,
				scratch,
				total;
	size_t		act_per_sample;
} bp_layout;

static void
bp_plan(const snn_mlp_shape *shape, size_t n, const snn_bp_options *o,
		bp_layout *L)
{
	size_t		p = snn_mlp_param_count(shape);
	uint32_t	mw = max_width(shape);
	size_t		off = 0;
	uint32_t	bs = o->batch_size ? o->batch_size : 1;

	L->act_per_sample = 0;
	for (uint32_t l = 1; l <= shape->n_layers; l++)
		L->act_per_sample += shape->sizes[l];
	L->best = off;
	off = ALIGN_UP(off + p * sizeof(float));
	L->grad = off;
	off = ALIGN_UP(off + p * sizeof(float));
	L->m = off;
	off = ALIGN_UP(off + p * sizeof(float));
	L->v = off;
	off = ALIGN_UP(off + p * sizeof(float));
	L->order = off;
	off = ALIGN_UP(off + n * sizeof(uint32_t));
	L->acts = off;
	off = ALIGN_UP(off + (size_t) bs * L->act_per_sample * sizeof(float));
	L->dbatch = off;
	off = ALIGN_UP(off + (size_t) bs * L->act_per_sample * sizeof(float));
	L->xb = off;
	off = ALIGN_UP(off + (size_t) bs * shape->sizes[0] * sizeof(float));
	L->scratch = off;
	off = ALIGN_UP(off + 3 * (size_t) mw * sizeof(float));
	L->total = off + 64;
}

size_t
snn_bp_workspace_size(const snn_mlp_shape *shape, size_t n,
					  const snn_bp_options *o)
{
	bp_layout	L;

	bp_plan(shape, n, o, &L);
	return L.total;
}

/* Mean loss and accuracy of params over the samples idx[0..cnt). */
static void
bp_evaluate(const snn_mlp_shape *shape, const float *params, const float *x,
			const int32_t *y, const uint32_t *idx, size_t cnt, float *scratch,
			double *loss, double *acc)
{
	uint32_t	in = shape->sizes[0],
				k = shape->sizes[shape->n_layers];
	uint32_t	mw = max_width(shape);
	float	   *logits = scratch + 2 * mw;
	double		l = 0.0;
	size_t		ok = 0;

	for (size_t s = 0; s < cnt; s++)
	{
		size_t		i = idx[s];

		snn_mlp_forward(shape, params, x + i * in, logits, scratch);
		if (snn_argmax(logits, k) == (uint32_t) y[i])
			ok++;
		l += softmax_xent(logits, k, y[i]);
	}
	*loss = cnt ? l / cnt : NAN;
	*acc = cnt ? (double) ok / cnt : NAN;
}

/* Forward one sample keeping every layer's activations in acts. */
static double
bp_forward_keep(const snn_mlp_shape *shape, const float *params,
				const float *x, int32_t label, float *acts)
{
	const float *a = x;
	float	   *z = acts;
	uint32_t	L = shape->n_layers;

	for (uint32_t l = 0; l < L; l++)
	{
		uint32_t	in = shape->sizes[l],
					out = shape->sizes[l + 1];

		layer_forward(params + snn_mlp_weight_offset(shape, l),
					  params + snn_mlp_bias_offset(shape, l), a, in, out, z);
		if (l + 1 < L)
			for (uint32_t j = 0; j < out; j++)
				z[j] = z[j] > 0.0f ? z[j] : 0.0f;
		a = z;
		z += out;
	}
	/* the output slice becomes softmax probabilities */
	return softmax_xent((float *) a, shape->sizes[L], label);
}

/* Adam step over all parameters; L2 decay on weights only. */
static void
bp_adam(const snn_mlp_shape *shape, float *params, float *grad, float *m,
		float *v, const snn_bp_options *o, uint64_t t)
{
	float		b1 = o->beta1,
				b2 = o->beta2;
	float		c1 = 1.0f / (1.0f - powf(b1, (float) t));
	float		c2 = 1.0f / (1.0f - powf(b2, (float) t));
	float		lr = o->learning_rate,
				eps = o->epsilon;

	for (uint32_t l = 0; l < shape->n_layers; l++)
	{
		size_t		w0 = snn_mlp_weight_offset(shape, l);
		size_t		nw = (size_t) shape->sizes[l] * shape->sizes[l + 1];
		size_t		nb = shape->sizes[l + 1];

		if (o->l2 > 0.0f)
			for (size_t i = w0; i < w0 + nw; i++)
				grad[i] += o->l2 * params[i];
		for (size_t i = w0; i < w0 + nw + nb; i++)
		{
			float		g = grad[i];

			m[i] = b1 * m[i] + (1.0f - b1) * g;
			v[i] = b2 * v[i] + (1.0f - b2) * g * g;
			params[i] -= lr * (m[i] * c1) / (sqrtf(v[i] * c2) + eps);
			grad[i] = 0.0f;
		}
	}
}

/* gw[i][:] += sum over the batch of A_s[i] * D_s[:] (register blocks). */
static inline void
grad_batch(float *restrict gw, const float *restrict A, size_t stride_a,
		   const float *restrict D, size_t stride_d, size_t bn, uint32_t in,
		   uint32_t out)
{
	for (uint32_t i = 0; i < in; i++)
	{
		float	   *restrict gr = gw + (size_t) i * out;
		uint32_t	j0 = 0;

		for (; j0 + BLK <= out; j0 += BLK)
		{
			float		acc[BLK];

			for (uint32_t k = 0; k < BLK; k++)
				acc[k] = gr[j0 + k];
			for (size_t s = 0; s < bn; s++)
			{
				float		as = A[s * stride_a + i];
				const float *d = D + s * stride_d + j0;

				if (as == 0.0f)
					continue;
				for (uint32_t k = 0; k < BLK; k++)
					acc[k] += as * d[k];
			}
			for (uint32_t k = 0; k < BLK; k++)
				gr[j0 + k] = acc[k];
		}
		if (j0 < out)
			for (size_t s = 0; s < bn; s++)
			{
				float		as = A[s * stride_a + i];
				const float *d = D + s * stride_d;

				if (as == 0.0f)
					continue;
				for (uint32_t j = j0; j < out; j++)
					gr[j] += as * d[j];
			}
	}
}

/* Deltas of every layer of one sample (same layout as its activations). */
static void
bp_deltas(const snn_mlp_shape *shape, const float *params, int32_t label,
		  const float *acts, float *dl, float inv_b)
{
	uint32_t	L = shape->n_layers;
	size_t		off[SNN_MLP_MAX_LAYERS + 1] = {0};
	size_t		o = 0;

	for (uint32_t l = 1; l <= L; l++)
	{
		off[l] = o;
		o += shape->sizes[l];
	}
	/* output: (softmax - onehot) / B */
	for (uint32_t j = 0; j < shape->sizes[L]; j++)
		dl[off[L] + j] = acts[off[L] + j] * inv_b;
	dl[off[L] + label] -= inv_b;
	/* hidden: back through W_l where the ReLU was active */
	for (uint32_t l = L - 1; l >= 1; l--)
	{
		uint32_t	n = shape->sizes[l],
					out = shape->sizes[l + 1];
		const float *w = params + snn_mlp_weight_offset(shape, l);
		const float *d = dl + off[l + 1];

		for (uint32_t i = 0; i < n; i++)
		{
			const float *wr = w + (size_t) i * out;
			float		s0 = 0,
						s1 = 0,
						s2 = 0,
						s3 = 0;
			uint32_t	j = 0;

			if (acts[off[l] + i] <= 0.0f)
			{
				dl[off[l] + i] = 0.0f;
				continue;
			}
			for (; j + 4 <= out; j += 4)
			{
				s0 += wr[j] * d[j];
				s1 += wr[j + 1] * d[j + 1];
				s2 += wr[j + 2] * d[j + 2];
				s3 += wr[j + 3] * d[j + 3];
			}
			for (; j < out; j++)
				s0 += wr[j] * d[j];
			dl[off[l] + i] = (s0 + s1) + (s2 + s3);
		}
	}
}

/* One minibatch: forward, backward and the Adam step; returns summed loss. */
SNN_HOT static double
bp_batch(const snn_mlp_shape *shape, float *params, const float *x,
		 const int32_t *y, const uint32_t *idx, size_t bn, float *acts,
		 size_t act_per_sample, float *dbatch, float *xb, float *grad,
		 float *m, float *v, const snn_bp_options *o, uint64_t t)
{
	uint32_t	in = shape->sizes[0];
	uint32_t	L = shape->n_layers;
	float		inv_b = 1.0f / (float) bn;
	double		loss = 0.0;
	size_t		off = 0;

	for (size_t s = 0; s < bn; s++)
	{
		size_t		i = idx[s];
		float	   *as = acts + s * act_per_sample;

		memcpy(xb + s * in, x + i * in, sizeof(float) * in);
		loss += bp_forward_keep(shape, params, xb + s * in, y[i], as);
		bp_deltas(shape, params, y[i], as, dbatch + s * act_per_sample, inv_b);
	}
	for (uint32_t l = 0; l < L; l++)
	{
		uint32_t	n_in = shape->sizes[l],
					out = shape->sizes[l + 1];
		float	   *gb = grad + snn_mlp_bias_offset(shape, l);
		const float *A = l == 0 ? xb : acts + (off - shape->sizes[l]);
		size_t		stride_a = l == 0 ? in : act_per_sample;

		for (size_t s = 0; s < bn; s++)
		{
			const float *d = dbatch + s * act_per_sample + off;

			for (uint32_t j = 0; j < out; j++)
				gb[j] += d[j];
		}
		grad_batch(grad + snn_mlp_weight_offset(shape, l), A, stride_a,
				   dbatch + off, act_per_sample, bn, n_in, out);
		off += out;
	}
	bp_adam(shape, params, grad, m, v, o, t);
	return loss;
}

/* Minibatch Adam with early stopping on the validation split. */
snn_status
snn_bp_train(const snn_mlp_shape *shape, float *params, const float *x,
			 const int32_t *y, size_t n, const snn_bp_options *o, void *work,
			 size_t work_size, snn_train_result *res, snn_error *err)
{
	bp_layout	L;
	snn_status	st;
	size_t		p = snn_mlp_param_count(shape);
	char	   *base;
	float	   *best,
			   *grad,
			   *m,
			   *v,
			   *acts,
			   *dbatch,
			   *xb,
			   *scratch;
	uint32_t   *order;
	size_t		n_val,
				n_train;
	uint64_t	rng,
				t = 0;
	double		t0 = snn_now();
	double		best_score = INFINITY;
	uint32_t	since_best = 0,
				epoch;

	if ((st = snn_mlp_check_shape(shape, err)) != SNN_OK ||
		(st = snn_bp_check_options(o, err)) != SNN_OK ||
		(st = snn_check_data(x, n, shape->sizes[0], "inputs", err)) != SNN_OK ||
		(st = snn_check_labels(y, n, shape->sizes[shape->n_layers], err)) != SNN_OK)
		return st;
	bp_plan(shape, n, o, &L);
	if (work_size < L.total)
		return snn_fail(err, SNN_E_NOMEM, "workspace", "training workspace too small");
	base = (char *) (((uintptr_t) work + 63) & ~(uintptr_t) 63);
	if (base + L.total - 64 > (char *) work + work_size)
		return snn_fail(err, SNN_E_NOMEM, "workspace", "training workspace too small");
	best = (float *) (base + L.best);
	grad = (float *) (base + L.grad);
	m = (float *) (base + L.m);
	v = (float *) (base + L.v);
	order = (uint32_t *) (base + L.order);
	acts = (float *) (base + L.acts);
	dbatch = (float *) (base + L.dbatch);
	xb = (float *) (base + L.xb);
	scratch = (float *) (base + L.scratch);
	memset(grad, 0, p * sizeof(float));
	memset(m, 0, p * sizeof(float));
	memset(v, 0, p * sizeof(float));
	memcpy(best, params, p * sizeof(float));

	/* deterministic shuffle, then the last part is the validation split */
	rng = o->seed ^ 0xA5A5A5A5DEADBEEFULL;
	if (rng == 0)
		rng = 1;
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t) i;
	for (size_t i = n - 1; i > 0; i--)
	{
		size_t		j = snn_rand_next(&rng) % (i + 1);
		uint32_t	tmp = order[i];

		order[i] = order[j];
		order[j] = tmp;
	}
	n_val = (size_t) floor(o->validation_split * (double) n);
	if (n_val > 0 && n - n_val < 1)
		n_val = n - 1;
	n_train = n - n_val;

	memset(res, 0, sizeof(*res));
	res->val_loss = NAN;
	res->val_accuracy = NAN;
	for (epoch = 1; epoch <= o->max_epochs; epoch++)
	{
		double		epoch_loss = 0.0;
		double		score;

		/* reshuffle the training part only */
		for (size_t i = n_train - 1; i > 0; i--)
		{
			size_t		j = snn_rand_next(&rng) % (i + 1);
			uint32_t	tmp = order[i];

			order[i] = order[j];
			order[j] = tmp;
		}
		for (size_t b0 = 0; b0 < n_train; b0 += o->batch_size)
		{
			size_t		bn = n_train - b0 < o->batch_size ? n_train - b0 : o->batch_size;

			epoch_loss += bp_batch(shape, params, x, y, order + b0, bn, acts,
								   L.act_per_sample, dbatch, xb, grad, m, v, o, ++t);
			/* forward, backward and gradient: about 3 multiply-adds a weight */
			if (snn_interrupted(3 * (uint64_t) bn * p + p))
				return snn_cancelled(err);
		}
		epoch_loss /= (double) n_train;
		if (!isfinite(epoch_loss))
			return snn_fail(err, SNN_E_NAN, "learning_rate",
							"training diverged at epoch %u (loss is not finite); lower learning_rate",
							epoch);
		res->epochs = epoch;
		if (o->progress)
			o->progress(o->progress_arg, epoch, o->max_epochs, epoch_loss);
		if (n_val > 0)
		{
			double		vl,
						va;

			bp_evaluate(shape, params, x, y, order + n_train, n_val, scratch, &vl, &va);
			score = vl;
		}
		else
			score = epoch_loss;
		if (isinf(best_score) || score < best_score - 1e-6 - (double) o->tolerance * best_score)
		{
			best_score = score;
			since_best = 0;
			res->best_epoch = epoch;
			memcpy(best, params, p * sizeof(float));
		}
		else
			since_best++;
		if (o->target_loss > 0.0f && epoch_loss <= o->target_loss)
		{
			res->converged = 1;
			break;
		}
		if (since_best >= o->patience)
		{
			res->converged = 1;
			break;
		}
	}
	memcpy(params, best, p * sizeof(float));
	bp_evaluate(shape, params, x, y, order, n_train, scratch, &res->loss, &res->accuracy);
	if (n_val > 0)
		bp_evaluate(shape, params, x, y, order + n_train, n_val, scratch,
					&res->val_loss, &res->val_accuracy);
	res->samples = n_train;
	res->seconds = snn_now() - t0;
	return SNN_OK;
}
