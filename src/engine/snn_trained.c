/*
 * snn_trained.c: the trained block of a network image, dense access to
 * feed-forward weights, and reservoir states for ridge read-outs.
 */
#include "snn_trained.h"

#include <math.h>
#include <string.h>

#include "snn_encode.h"

static const char *const method_names[] = {NULL, "backprop", "ridge", "stdp", "hebbian"};

const char *
snn_method_name(uint32_t method)
{
	if (method >= 1 && method <= 4)
		return method_names[method];
	return "unknown";
}

int
snn_method_from_name(const char *name)
{
	for (int m = 1; m <= 4; m++)
		if (strcmp(name, method_names[m]) == 0)
			return m;
	return 0;
}

/* An array [off, off + len) lies inside the block's floats. */
static int
span_ok(const snn_trained *t, uint32_t off, uint64_t len)
{
	return (uint64_t) off + len <= t->n_floats;
}

snn_status
snn_trained_validate(const snn_image *img, const void *block, size_t size,
					 snn_error *err)
{
	const snn_trained *t = block;
	const float *f;
	uint32_t	nf,
				no;

	if (size < sizeof(snn_trained) || t->magic != SNN_TRAINED_MAGIC ||
		t->version != SNN_TRAINED_VERSION)
		return snn_fail(err, SNN_E_FORMAT, "trained", "bad trained block header");
	if ((uint64_t) t->n_floats * sizeof(float) + sizeof(snn_trained) != size)
		return snn_fail(err, SNN_E_FORMAT, "trained", "trained block size does not match");
	nf = t->n_features;
	no = t->n_outputs;
	if (t->method < 1 || t->method > 4 || nf != img->n_inputs || no == 0 ||
		no > SNN_MAX_NEURONS || (t->n_classes != 0 && t->n_classes != no &&
								 t->method == SNN_METHOD_BACKPROP))
		return snn_fail(err, SNN_E_FORMAT, "trained", "trained block does not match the network");
	if (!span_ok(t, t->off_offset, nf) || !span_ok(t, t->off_scale, nf))
		return snn_fail(err, SNN_E_FORMAT, "trained", "bad input scaling offsets");
	f = snn_trained_floats(t);
	for (uint32_t i = 0; i < t->n_floats; i++)
		if (!isfinite(f[i]))
			return snn_fail(err, SNN_E_FORMAT, "trained", "trained block holds a non-finite value");
	switch (t->method)
	{
		case SNN_METHOD_BACKPROP:
			{
				snn_error	e2;

				if (snn_mlp_check_shape(&t->shape, &e2) != SNN_OK ||
					t->shape.sizes[0] != nf || t->shape.sizes[t->shape.n_layers] != no ||
					t->n_params != snn_mlp_param_count(&t->shape) ||
					!span_ok(t, t->off_params, t->n_params) ||
					!span_ok(t, t->off_rate, t->n_params) ||
					!span_ok(t, t->off_lambda, t->shape.n_layers) ||
					t->steps < 1 || t->steps > SNN_CONV_MAX_STEPS ||
					!(t->output_threshold > 0.0f))
					return snn_fail(err, SNN_E_FORMAT, "trained", "bad converted network");
				break;
			}
		case SNN_METHOD_RIDGE:
			if (t->state_dim != img->n_neurons ||
				t->n_readout != (uint64_t) (t->state_dim + 1) * no ||
				!span_ok(t, t->off_readout, t->n_readout) ||
				t->steps < 1 || t->steps > 100000 ||
				!(t->max_rate > 0.0f && t->max_rate <= 1.0f))
				return snn_fail(err, SNN_E_FORMAT, "trained", "bad ridge read-out");
			break;
		case SNN_METHOD_STDP:
		case SNN_METHOD_HEBBIAN:
			if (!span_ok(t, t->off_weights, (uint64_t) nf * no) ||
				!span_ok(t, t->off_labels, no) || !span_ok(t, t->off_theta, no) ||
				!span_ok(t, t->off_mean, nf) ||
				t->steps < 1 || t->steps > 100000 ||
				!(t->max_rate > 0.0f && t->max_rate <= 1.0f) ||
				!(t->tau_m > 0.0f) || !(t->v_th > 0.0f) || !(t->dt > 0.0f))
				return snn_fail(err, SNN_E_FORMAT, "trained", "bad learnt layer");
			for (uint32_t j = 0; j < no; j++)
			{
				float		c = f[t->off_labels + j];

				if (c != floorf(c) || c < -1.0f || (t->n_classes && c >= (float) t->n_classes))
					return snn_fail(err, SNN_E_FORMAT, "trained", "bad neuron label");
			}
			break;
	}
	return SNN_OK;
}

const snn_trained *
snn_trained_of(const snn_image *img)
{
	if (!(img->flags & SNN_FLAG_HAS_NORM) || img->sec[SNN_SEC_NORM].size < sizeof(snn_trained))
		return NULL;
	return (const snn_trained *) snn_sec(img, SNN_SEC_NORM);
}

/* Layer of a current slot (excitatory or inhibitory), and its index. */
static int
slot_layer(const snn_image *img, uint32_t target, uint32_t *index)
{
	const snn_layer *L = snn_layers(img);
	uint32_t	slot = target >= img->n_slots ? target - img->n_slots : target;

	for (uint32_t l = 0; l < img->n_layers; l++)
		if (slot >= L[l].first_slot && slot < L[l].first_slot + L[l].size)
		{
			*index = slot - L[l].first_slot;
			return (int) l;
		}
	return -1;
}

/*
 * Visit every synapse feeding layer l from its source (inputs for l = 0,
 * layer l - 1 otherwise): fn(arg, source index, target index, &target, &weight).
 */
typedef void (*syn_fn) (void *arg, uint32_t src, uint32_t dst, uint32_t *target,
						float *weight);

static void
visit_layer(const snn_image *img, uint32_t l, syn_fn fn, void *arg)
{
	const snn_layer *L = snn_layers(img);
	const uint32_t *rowptr;
	uint32_t   *target;
	float	   *weight;
	uint32_t	n_src,
				first;

	if (l == 0)
	{
		rowptr = snn_sec(img, SNN_SEC_IN_ROWPTR);
		target = (uint32_t *) snn_sec(img, SNN_SEC_IN_TARGET);
		weight = (float *) snn_sec(img, SNN_SEC_IN_WEIGHT);
		n_src = img->n_inputs;
		first = 0;
	}
	else
	{
		rowptr = snn_sec(img, SNN_SEC_REC_ROWPTR);
		target = (uint32_t *) snn_sec(img, SNN_SEC_REC_TARGET);
		weight = (float *) snn_sec(img, SNN_SEC_REC_WEIGHT);
		n_src = L[l - 1].size;
		first = L[l - 1].first_slot;
	}
	for (uint32_t s = 0; s < n_src; s++)
		for (uint32_t e = rowptr[first + s]; e < rowptr[first + s + 1]; e++)
		{
			uint32_t	idx = 0;

			if (slot_layer(img, target[e], &idx) == (int) l)
				fn(arg, s, idx, &target[e], &weight[e]);
		}
}

static void
count_fn	(void *arg, uint32_t src, uint32_t dst, uint32_t *target, float *weight)
{
	(void) src;
	(void) dst;
	(void) target;
	(void) weight;
	(*(uint64_t *) arg)++;
}

uint64_t
snn_layer_dense_count(const snn_image *img, uint32_t layer)
{
	uint64_t	n = 0;

	visit_layer(img, layer, count_fn, &n);
	return n;
}

typedef struct dense_arg
{
	const snn_image *img;
	float	   *w;
	const float *cw;
	uint32_t	size;
	uint32_t	first_slot;
	float		scale;
} dense_arg;

static void
get_fn(void *arg, uint32_t src, uint32_t dst, uint32_t *target, float *weight)
{
	dense_arg  *a = arg;

	(void) target;
	a->w[(size_t) src * a->size + dst] = *weight;
}

static void
set_fn(void *arg, uint32_t src, uint32_t dst, uint32_t *target, float *weight)
{
	dense_arg  *a = arg;
	float		v = a->cw[(size_t) src * a->size + dst] * a->scale;

	*weight = v;
	*target = a->first_slot + dst + (v < 0.0f ? a->img->n_slots : 0);
}

void
snn_layer_get_dense(const snn_image *img, uint32_t layer, float *w)
{
	const snn_layer *L = snn_layers(img);
	uint32_t	fan_in = layer == 0 ? img->n_inputs : L[layer - 1].size;
	dense_arg	a = {img, w, NULL, L[layer].size, L[layer].first_slot, 1.0f};

	memset(w, 0, sizeof(float) * fan_in * L[layer].size);
	visit_layer(img, layer, get_fn, &a);
}

void
snn_layer_set_dense(snn_image *img, uint32_t layer, const float *w, float scale)
{
	const snn_layer *L = snn_layers(img);
	dense_arg	a = {img, NULL, w, L[layer].size, L[layer].first_slot, scale};

	visit_layer(img, layer, set_fn, &a);
}

typedef struct count_sink
{
	float	   *out;
	uint32_t	n_neurons;
} count_sink;

static int
sink_fn(void *arg, uint32_t step, const uint32_t *neurons, uint32_t n)
{
	count_sink *c = arg;

	(void) step;
	for (uint32_t i = 0; i < n; i++)
		if (neurons[i] < c->n_neurons)
			c->out[neurons[i]] += 1.0f;
	return 0;
}

size_t
snn_reservoir_work_size(const snn_image *img, uint32_t steps)
{
	return img->state_size + 64 + sizeof(double) * img->n_inputs +
		sizeof(snn_event) * ((size_t) img->n_inputs * steps + 1) +
		sizeof(uint32_t) * ((size_t) steps + 1);
}

snn_status
snn_reservoir_states(const snn_image *img, const float *x, uint32_t steps,
					 float max_rate, uint64_t seed, float *out, void *work,
					 size_t work_size, snn_counters *counters, snn_error *err)
{
	char	   *state = (char *) (((uintptr_t) work + 63) & ~(uintptr_t) 63);
	double	   *vals = (double *) (state + img->state_size);
	snn_event  *ev = (snn_event *) (vals + img->n_inputs);
	uint32_t   *step_scratch = (uint32_t *) (ev + (size_t) img->n_inputs * steps + 1);
	size_t		n_ev = 0;
	snn_status	st;
	count_sink	cs = {out, img->n_neurons};

	if (work_size < snn_reservoir_work_size(img, steps))
		return snn_fail(err, SNN_E_NOMEM, "workspace", "reservoir workspace too small");
	for (uint32_t i = 0; i < img->n_inputs; i++)
		vals[i] = x[i];
	if ((st = snn_encode_rate(vals, img->n_inputs, 0.0, 1.0, steps, max_rate, ev,
							  (size_t) img->n_inputs * steps + 1, &n_ev, step_scratch,
							  err)) != SNN_OK)
		return st;
	snn_state_init(img, state, seed);
	memset(out, 0, sizeof(float) * img->n_neurons);
	if ((st = snn_run(img, state, ev, n_ev, 0, steps, sink_fn, &cs, counters, 0, err)) != SNN_OK)
		return st;
	for (uint32_t j = 0; j < img->n_neurons; j++)
		out[j] /= (float) steps;
	return SNN_OK;
}
