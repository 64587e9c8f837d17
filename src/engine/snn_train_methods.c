/*
 * snn_train_methods.c: the table of training methods and what each does
 * (snn_train_methods.h): backprop (a rate network converted to TTFS),
 * ridge (a read-out of reservoir states), stdp and hebbian (one layer
 * learnt without labels, its neurons named by the labels when given).
 */
#include "snn_train_methods.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "snn_interrupt.h"
#include "snn_model.h"

#define SEED_MAX 9223372036854775807.0	/* seeds are SQL bigints */

/* ---------------------------------------------------------------------
 * Options: read by position in the method's list (given, else the default).
 */

/* An option's value, or def when it was not given. */
static double
opt(const snn_train_request *rq, int i, double def)
{
	return rq->options.given[i] ? rq->options.value[i] : def;
}

/* The caller's memory; NULL is an out-of-memory error. */
static void *
take(const snn_train_request *rq, size_t size, int zero)
{
	return rq->alloc(rq->alloc_arg, size ? size : 1, zero);
}

#define TAKE_OR_FAIL(p, rq, size, zero, err) \
	do { \
		if (((p) = take((rq), (size), (zero))) == NULL) \
			return snn_fail((err), SNN_E_LIMIT, "", "out of memory"); \
	} while (0)

/* Unix time in microseconds, for the history record. */
static int64_t
unix_time_us(void)
{
	struct timespec ts;

	timespec_get(&ts, TIME_UTC);
	return (int64_t) ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* ---------------------------------------------------------------------
 * What every method shares: the block, the scaling, the result image.
 */

/* A zeroed trained block with room for n_floats floats after the header. */
static snn_trained *
block_alloc(const snn_train_request *rq, uint32_t n_floats)
{
	snn_trained *t = take(rq, sizeof(snn_trained) + sizeof(float) * (size_t) n_floats, 1);

	if (t == NULL)
		return NULL;
	t->magic = SNN_TRAINED_MAGIC;
	t->version = SNN_TRAINED_VERSION;
	t->method = rq->method->method;
	t->n_features = rq->img->n_inputs;
	t->n_floats = n_floats;
	return t;
}

/* Per-feature min-max scaling into the block; xs gets the scaled data. */
static void
fit_scaling(const snn_train_data *d, snn_trained *t, float *xs)
{
	float	   *f = (float *) (t + 1);

	t->off_offset = 0;
	t->off_scale = d->dim;
	snn_minmax_fit(d->x, d->n, d->dim, f + t->off_offset, f + t->off_scale);
	snn_minmax_apply(d->x, d->n, d->dim, f + t->off_offset, f + t->off_scale, xs);
}

/* A writable copy of the network's image. */
static snn_image *
image_copy(const snn_train_request *rq)
{
	snn_image  *c = take(rq, rq->img->total_size, 0);

	if (c != NULL)
		memcpy(c, rq->img, rq->img->total_size);
	return c;
}

/* Scale of image weights: the layer's threshold above rest, in mV. */
static float
layer_span(const snn_image *img, uint32_t l)
{
	const snn_layer *L = snn_layers(img);
	float		span = L[l].p.v_th - L[l].p.v_rest;

	return span > 0.0f ? span : 1.0f;
}

/* One more history record after the image's, describing r. */
static void
history_record(const snn_image *img, snn_history_rec *hist, snn_method method,
			   const snn_train_result *r)
{
	snn_history_rec *h = &hist[img->n_history];

	if (img->n_history > 0)
		memcpy(hist, snn_sec(img, SNN_SEC_HISTORY), sizeof(snn_history_rec) * img->n_history);
	h->method = method;
	h->epochs = r->epochs;
	h->samples = r->samples;
	/* the image keeps only finite numbers: -1 stands for "no accuracy" */
	h->loss = isfinite(r->loss) ? r->loss : -1.0;
	h->metric = isnan(r->val_accuracy) ? r->accuracy : r->val_accuracy;
	if (!isfinite(h->metric))
		h->metric = -1.0;
	h->time_us = unix_time_us();
	snprintf(h->note, sizeof(h->note), "%s %.1f ms",
			 r->converged ? "converged" : "max epochs", r->seconds * 1000.0);
}

/*
 * The result: img (the trained copy) with one more history record and the
 * block in NORM, after out_header bytes, validated.
 */
static snn_status
assemble(const snn_train_request *rq, const snn_image *img, const snn_trained *block,
		 const snn_train_result *r, void **out, size_t *size, snn_error *err)
{
	size_t		hsz = sizeof(snn_history_rec) * ((size_t) img->n_history + 1);
	size_t		bsz = sizeof(snn_trained) + sizeof(float) * (size_t) block->n_floats;
	snn_history_rec *hist;
	size_t		s1,
				s2;
	void	   *tmp;
	char	   *res;
	snn_image  *ni;

	TAKE_OR_FAIL(hist, rq, hsz, 1, err);
	history_record(img, hist, rq->method->method, r);
	s1 = snn_image_with_section(img, SNN_SEC_HISTORY, hist, hsz, NULL, 0);
	TAKE_OR_FAIL(tmp, rq, s1, 0, err);
	snn_image_with_section(img, SNN_SEC_HISTORY, hist, hsz, tmp, s1);
	s2 = snn_image_with_section(tmp, SNN_SEC_NORM, block, bsz, NULL, 0);
	if (s2 > SIZE_MAX / 4 - rq->out_header)
		return snn_fail(err, SNN_E_LIMIT, "", "the trained network is too large");
	TAKE_OR_FAIL(res, rq, rq->out_header + s2, 1, err);
	ni = (snn_image *) (res + rq->out_header);
	snn_image_with_section(tmp, SNN_SEC_NORM, block, bsz, ni, s2);
	ni->flags |= SNN_FLAG_TRAINED | SNN_FLAG_HAS_NORM;
	if (snn_image_validate(ni, s2, err) != SNN_OK ||
		snn_trained_validate(ni, snn_sec(ni, SNN_SEC_NORM), bsz, err) != SNN_OK)
	{
		if (err->status == SNN_E_CANCELLED)
			return SNN_E_CANCELLED;
		return snn_fail(err, SNN_E_INTERNAL, "", "trained network fails validation: %s", err->msg);
	}
	*out = res;
	*size = s2;
	return SNN_OK;
}

/* Feed-forward layers must be fully connected for weight learning. */
static snn_status
require_dense(const snn_train_request *rq, snn_error *err)
{
	const snn_image *img = rq->img;
	const snn_layer *L = snn_layers(img);
	const char *method = rq->method->name;

	if (img->kind != SNN_KIND_FEEDFORWARD)
		return snn_fail(err, SNN_E_CONFIG, "kind", "method %s needs a feed-forward network, not a %s",
						method, snn_kind_name(img->kind));
	for (uint32_t l = 0; l < img->n_layers; l++)
	{
		uint64_t	fan_in = l == 0 ? img->n_inputs : L[l - 1].size;

		if (snn_layer_dense_count(img, l) != fan_in * L[l].size)
			return snn_fail(err, SNN_E_CONFIG, "", "method %s needs fully connected layers; layer %u has connectivity below 1",
							method, l);
	}
	return SNN_OK;
}

/* What every method needs: samples, of the network's width. */
static snn_status
check_data(const snn_train_request *rq, snn_error *err)
{
	if (rq->data.n == 0)
		return snn_fail(err, SNN_E_EMPTY, "", "no training samples");
	if (rq->data.dim != rq->img->n_inputs)
		return snn_fail(err, SNN_E_DIM, "", "the network has %u inputs but the samples have %u features",
						rq->img->n_inputs, rq->data.dim);
	if (rq->img->n_history >= SNN_MAX_HISTORY)
		return snn_fail(err, SNN_E_LIMIT, "", "the network already has %d training records",
						SNN_MAX_HISTORY);
	return SNN_OK;
}

/* ---------------------------------------------------------------------
 * backprop: rate network, Adam, conversion to a TTFS spiking network.
 */
enum
{
	BP_EPOCHS, BP_BATCH, BP_LR, BP_BETA1, BP_BETA2, BP_EPSILON, BP_L2, BP_SPLIT,
	BP_PATIENCE, BP_TOLERANCE, BP_TARGET, BP_SEED, BP_PERCENTILE, BP_STEPS,
	BP_THRESHOLD, BP_N
};

static const snn_opt_def bp_options[BP_N] = {
	{"epochs", SNN_OPT_INTEGER, 1, 100000, NULL},
	{"batch_size", SNN_OPT_INTEGER, 1, 65536, NULL},
	{"learning_rate", SNN_OPT_NUMBER, 1e-9, 10, NULL},
	{"beta1", SNN_OPT_NUMBER, 0, 0.999999, NULL},
	{"beta2", SNN_OPT_NUMBER, 0, 0.999999, NULL},
	{"epsilon", SNN_OPT_NUMBER, 1e-12, 0.5, NULL},
	{"l2", SNN_OPT_NUMBER, 0, 0.5, NULL},
	{"validation_split", SNN_OPT_NUMBER, 0, 0.9, NULL},
	{"patience", SNN_OPT_INTEGER, 1, 100000, NULL},
	{"tolerance", SNN_OPT_NUMBER, 0, 0.999, NULL},
	{"target_loss", SNN_OPT_NUMBER, 0, 1e6, NULL},
	{"seed", SNN_OPT_INTEGER, 0, SEED_MAX, NULL},
	{"percentile", SNN_OPT_NUMBER, 1e-3, 100, NULL},
	{"steps", SNN_OPT_INTEGER, 1, SNN_CONV_MAX_STEPS, NULL},
	{"output_threshold", SNN_OPT_NUMBER, 0, 1e9, NULL},
};

/* Labels in range; a feed-forward, fully connected network of at most 8 layers. */
static snn_status
bp_check(const snn_train_request *rq, snn_error *err)
{
	const snn_image *img = rq->img;
	const snn_layer *L = snn_layers(img);
	uint32_t	k = img->n_layers ? L[img->n_layers - 1].size : 0;

	if (rq->data.y)
		for (size_t i = 0; i < rq->data.n; i++)
			if (rq->data.y[i] < 0 || (uint32_t) rq->data.y[i] >= k)
				return snn_fail(err, SNN_E_RANGE, "", "label %d of sample %zu is outside [0, %u): the output layer has %u neurons",
								rq->data.y[i], i + 1, k, k);
	if (require_dense(rq, err) != SNN_OK)
		return err->status;
	if (img->n_layers > SNN_MLP_MAX_LAYERS)
		return snn_fail(err, SNN_E_LIMIT, "", "backprop trains at most %d layers, the network has %u",
						SNN_MLP_MAX_LAYERS, img->n_layers);
	return SNN_OK;
}

/* The learning rule's and the conversion's options. */
static void
bp_read(const snn_train_request *rq, snn_bp_options *o, snn_convert_options *co)
{
	snn_bp_defaults(o);
	o->max_epochs = (uint32_t) opt(rq, BP_EPOCHS, o->max_epochs);
	o->batch_size = (uint32_t) opt(rq, BP_BATCH, o->batch_size);
	o->learning_rate = (float) opt(rq, BP_LR, o->learning_rate);
	o->beta1 = (float) opt(rq, BP_BETA1, o->beta1);
	o->beta2 = (float) opt(rq, BP_BETA2, o->beta2);
	o->epsilon = (float) opt(rq, BP_EPSILON, o->epsilon);
	o->l2 = (float) opt(rq, BP_L2, o->l2);
	o->validation_split = (float) opt(rq, BP_SPLIT, o->validation_split);
	o->patience = (uint32_t) opt(rq, BP_PATIENCE, o->patience);
	o->tolerance = (float) opt(rq, BP_TOLERANCE, o->tolerance);
	o->target_loss = (float) opt(rq, BP_TARGET, o->target_loss);
	o->seed = rq->options.given[BP_SEED] ?
		(uint64_t) rq->options.value[BP_SEED] : rq->img->seed;
	o->progress = rq->progress;
	o->progress_arg = rq->progress_arg;
	snn_convert_defaults(co);
	co->percentile = (float) opt(rq, BP_PERCENTILE, co->percentile);
	co->steps = (uint32_t) opt(rq, BP_STEPS, co->steps);
	co->output_threshold = (float) opt(rq, BP_THRESHOLD, 0);
}

/* Train the rate network, convert it, carry its weights into the image. */
static snn_status
bp_fit(const snn_train_request *rq, void **out, size_t *size, snn_error *err)
{
	const snn_image *img = rq->img;
	const snn_layer *L = snn_layers(img);
	const snn_train_data *d = &rq->data;
	uint32_t	nf = img->n_inputs;
	snn_mlp_shape shape;
	snn_bp_options o;
	snn_convert_options co;
	snn_train_result r;
	snn_trained *t;
	snn_image  *ni;
	float	   *f,
			   *xs,
			   *params;
	size_t		P,
				ws;
	void	   *work;

	memset(&shape, 0, sizeof(shape));
	shape.n_layers = img->n_layers;
	shape.sizes[0] = nf;
	for (uint32_t l = 0; l < img->n_layers; l++)
		shape.sizes[l + 1] = L[l].size;
	bp_read(rq, &o, &co);
	P = snn_mlp_param_count(&shape);
	if ((t = block_alloc(rq, (uint32_t) (2 * nf + 2 * P + shape.n_layers))) == NULL)
		return snn_fail(err, SNN_E_LIMIT, "", "out of memory");
	f = (float *) (t + 1);
	t->shape = shape;
	t->n_classes = shape.sizes[shape.n_layers];
	t->n_outputs = t->n_classes;
	t->n_params = (uint32_t) P;
	t->off_params = 2 * nf;
	t->off_rate = (uint32_t) (2 * nf + P);
	t->off_lambda = (uint32_t) (2 * nf + 2 * P);
	t->steps = co.steps;
	t->seed = o.seed;
	TAKE_OR_FAIL(xs, rq, sizeof(float) * d->n * d->dim, 0, err);
	fit_scaling(d, t, xs);

	params = f + t->off_rate;
	snn_mlp_init(&shape, params, o.seed);
	ws = snn_bp_workspace_size(&shape, d->n, &o);
	if (snn_convert_workspace_size(&shape, d->n) > ws)
		ws = snn_convert_workspace_size(&shape, d->n);
	TAKE_OR_FAIL(work, rq, ws, 0, err);
	if (snn_bp_train(&shape, params, xs, d->y, d->n, &o, work, ws, &r, err) != SNN_OK)
		return err->status;
	if (snn_convert(&shape, params, xs, d->n, &co, f + t->off_params, f + t->off_lambda,
					&t->output_threshold, work, ws, err) != SNN_OK)
		return err->status;

	/* the image carries the normalised weights, in mV of each layer */
	if ((ni = image_copy(rq)) == NULL)
		return snn_fail(err, SNN_E_LIMIT, "", "out of memory");
	for (uint32_t l = 0; l < shape.n_layers; l++)
		snn_layer_set_dense(ni, l, f + t->off_params + snn_mlp_weight_offset(&shape, l),
							layer_span(img, l));
	return assemble(rq, ni, t, &r, out, size, err);
}

/* ---------------------------------------------------------------------
 * ridge: reservoir states, closed-form linear read-out.
 */
enum
{
	RIDGE_ALPHA, RIDGE_STEPS, RIDGE_MAX_RATE, RIDGE_SEED, RIDGE_N
};

static const snn_opt_def ridge_options[RIDGE_N] = {
	{"alpha", SNN_OPT_NUMBER, 0, 1e12, NULL},
	{"steps", SNN_OPT_INTEGER, 1, 100000, NULL},
	{"max_rate", SNN_OPT_NUMBER, 1e-6, 1, NULL},
	{"seed", SNN_OPT_INTEGER, 0, SEED_MAX, NULL},
};

/* Outputs of the read-out: the classes (labels) or the targets a sample. */
static uint32_t
ridge_outputs(const snn_train_data *d)
{
	int32_t		maxl = 0;

	if (d->y == NULL)
		return d->k;
	for (size_t i = 0; i < d->n; i++)
		if (d->y[i] > maxl)
			maxl = d->y[i];
	return maxl + 1 > 2 ? (uint32_t) maxl + 1 : 2;
}

/* A reservoir; labels in range; the read-out and its states under 1 GB. */
static snn_status
ridge_check(const snn_train_request *rq, snn_error *err)
{
	const snn_image *img = rq->img;
	const snn_train_data *d = &rq->data;
	size_t		nn = img->n_neurons;

	if (img->kind != SNN_KIND_RESERVOIR)
		return snn_fail(err, SNN_E_CONFIG, "kind", "method ridge needs a reservoir network, not a %s",
						snn_kind_name(img->kind));
	if (d->y)
	{
		for (size_t i = 0; i < d->n; i++)
			if (d->y[i] < 0)
				return snn_fail(err, SNN_E_RANGE, "", "label %d of sample %zu is negative",
								d->y[i], i + 1);
		if (ridge_outputs(d) > SNN_LEARN_MAX_CLASSES)
			return snn_fail(err, SNN_E_RANGE, "", "labels must be below %d",
							SNN_LEARN_MAX_CLASSES);
	}
	if ((nn + 1) * (nn + 1) * sizeof(double) > SNN_TRAIN_MAX_BYTES)
		return snn_fail(err, SNN_E_LIMIT, "", "a ridge read-out of %zu neurons needs more than 1 GB", nn);
	if (d->n * nn * sizeof(float) > SNN_TRAIN_MAX_BYTES)
		return snn_fail(err, SNN_E_LIMIT, "", "reservoir states of %zu samples x %zu neurons exceed 1 GB",
						d->n, nn);
	return SNN_OK;
}

/* Reservoir states of every sample, s[n][n_neurons]. */
static snn_status
ridge_states(const snn_train_request *rq, const float *xs, uint32_t steps,
			 float max_rate, uint64_t seed, float *s, snn_error *err)
{
	const snn_image *img = rq->img;
	size_t		nn = img->n_neurons;
	size_t		ws = snn_reservoir_work_size(img, steps);
	void	   *work;

	TAKE_OR_FAIL(work, rq, ws, 0, err);
	for (size_t i = 0; i < rq->data.n; i++)
	{
		if (snn_interrupted((uint64_t) nn * steps))
			return snn_cancelled(err);
		if (snn_reservoir_states(img, xs + i * img->n_inputs, steps, max_rate,
								 seed, s + i * nn, work, ws, NULL, err) != SNN_OK)
			return err->status;
	}
	return SNN_OK;
}

/* The training fit: accuracy (classification) and mean squared error. */
static void
ridge_score(const snn_train_data *d, const float *readout, size_t nn, uint32_t k,
			const float *states, const float *targets, float *scratch,
			snn_train_result *r)
{
	double		sse = 0.0;
	size_t		ok = 0;

	for (size_t i = 0; i < d->n; i++)
	{
		snn_ridge_predict(readout, nn, k, states + i * nn, scratch);
		if (d->y)
			ok += (int32_t) snn_argmax(scratch, k) == d->y[i];
		for (uint32_t c = 0; c < k; c++)
		{
			double		e = scratch[c] - targets[i * k + c];

			sse += e * e;
		}
	}
	memset(r, 0, sizeof(*r));
	r->epochs = 1;
	r->best_epoch = 1;
	r->samples = d->n;
	r->loss = sse / ((double) d->n * k);
	r->accuracy = d->y ? (double) ok / d->n : NAN;
	r->val_loss = NAN;
	r->val_accuracy = NAN;
	r->converged = 1;
}

/* States of every sample, then the read-out that maps them to the targets. */
static snn_status
ridge_fit(const snn_train_request *rq, void **out, size_t *size, snn_error *err)
{
	const snn_image *img = rq->img;
	const snn_train_data *d = &rq->data;
	uint32_t	nf = img->n_inputs,
				nn = img->n_neurons,
				k = ridge_outputs(d);
	double		alpha = opt(rq, RIDGE_ALPHA, 1.0);
	uint32_t	steps = (uint32_t) opt(rq, RIDGE_STEPS, 50);
	float		max_rate = (float) opt(rq, RIDGE_MAX_RATE, 0.5);
	uint64_t	seed = img->seed;
	double		t0 = snn_now();
	snn_trained *t;
	snn_train_result r;
	float	   *f,
			   *xs,
			   *states,
			   *targets,
			   *scratch;
	size_t		ws;
	void	   *work;

	if (rq->options.given[RIDGE_SEED])
		seed = (uint64_t) rq->options.value[RIDGE_SEED];
	if ((t = block_alloc(rq, 2 * nf + (nn + 1) * k)) == NULL)
		return snn_fail(err, SNN_E_LIMIT, "", "out of memory");
	f = (float *) (t + 1);
	t->n_classes = d->y ? k : 0;
	t->n_outputs = k;
	t->state_dim = nn;
	t->off_readout = 2 * nf;
	t->n_readout = (nn + 1) * k;
	t->steps = steps;
	t->max_rate = max_rate;
	t->seed = seed;
	TAKE_OR_FAIL(xs, rq, sizeof(float) * d->n * d->dim, 0, err);
	fit_scaling(d, t, xs);
	TAKE_OR_FAIL(states, rq, sizeof(float) * d->n * nn, 0, err);
	if (ridge_states(rq, xs, steps, max_rate, seed, states, err) != SNN_OK)
		return err->status;
	if (d->y)
	{
		TAKE_OR_FAIL(targets, rq, sizeof(float) * d->n * k, 0, err);
		snn_one_hot(d->y, d->n, k, targets);
	}
	else
		targets = (float *) d->t;
	ws = snn_ridge_workspace_size(nn, k);
	TAKE_OR_FAIL(work, rq, ws, 0, err);
	if (snn_ridge_fit(states, d->n, nn, targets, k, alpha, f + t->off_readout, work, ws,
					  err) != SNN_OK)
		return err->status;
	TAKE_OR_FAIL(scratch, rq, sizeof(float) * k, 0, err);
	ridge_score(d, f + t->off_readout, nn, k, states, targets, scratch, &r);
	r.seconds = snn_now() - t0;
	return assemble(rq, img, t, &r, out, size, err);
}

/* ---------------------------------------------------------------------
 * stdp and hebbian: unsupervised learning of a single layer; labels,
 * when given, name each output neuron by the class it answers most.
 */
enum
{
	STDP_EPOCHS, STDP_STEPS, STDP_TAU_PRE, STDP_TAU_POST, STDP_A_PLUS,
	STDP_A_MINUS, STDP_W_MIN, STDP_W_MAX, STDP_TAU_M, STDP_V_TH, STDP_MAX_RATE,
	STDP_WTA, STDP_HOMEOSTASIS, STDP_THETA_PLUS, STDP_TAU_THETA, STDP_SEED, STDP_N
};

static const snn_opt_def stdp_options[STDP_N] = {
	{"epochs", SNN_OPT_INTEGER, 1, 10000, NULL},
	{"steps", SNN_OPT_INTEGER, 1, 100000, NULL},
	{"tau_pre", SNN_OPT_NUMBER, 1e-6, 1e6, NULL},
	{"tau_post", SNN_OPT_NUMBER, 1e-6, 1e6, NULL},
	{"a_plus", SNN_OPT_NUMBER, 0, 1, NULL},
	{"a_minus", SNN_OPT_NUMBER, 0, 1, NULL},
	{"w_min", SNN_OPT_NUMBER, -1e6, 1e6, NULL},
	{"w_max", SNN_OPT_NUMBER, -1e6, 1e6, NULL},
	{"tau_m", SNN_OPT_NUMBER, 1e-6, 1e6, NULL},
	{"v_th", SNN_OPT_NUMBER, 1e-6, 1e6, NULL},
	{"max_rate", SNN_OPT_NUMBER, 1e-6, 1, NULL},
	{"wta", SNN_OPT_BOOL, 0, 1, NULL},
	{"homeostasis", SNN_OPT_BOOL, 0, 1, NULL},
	{"theta_plus", SNN_OPT_NUMBER, 0, 1e6, NULL},
	{"tau_theta", SNN_OPT_NUMBER, 1e-6, 1e9, NULL},
	{"seed", SNN_OPT_INTEGER, 0, SEED_MAX, NULL},
};

enum
{
	HEBB_EPOCHS, HEBB_LR, HEBB_RULE, HEBB_SEED, HEBB_N
};

static const char *const hebb_rules[] = {"oja", "sanger", NULL};

static const snn_opt_def hebb_options[HEBB_N] = {
	{"epochs", SNN_OPT_INTEGER, 1, 100000, NULL},
	{"learning_rate", SNN_OPT_NUMBER, 1e-9, 1, NULL},
	{"rule", SNN_OPT_CHOICE, 0, 0, hebb_rules},
	{"seed", SNN_OPT_INTEGER, 0, SEED_MAX, NULL},
};

/* The STDP rule's options (dt is the network's). */
static void
stdp_read(const snn_train_request *rq, snn_stdp_options *o)
{
	snn_stdp_defaults(o);
	o->epochs = (uint32_t) opt(rq, STDP_EPOCHS, o->epochs);
	o->steps = (uint32_t) opt(rq, STDP_STEPS, o->steps);
	o->dt = rq->img->dt;
	o->tau_pre = (float) opt(rq, STDP_TAU_PRE, o->tau_pre);
	o->tau_post = (float) opt(rq, STDP_TAU_POST, o->tau_post);
	o->a_plus = (float) opt(rq, STDP_A_PLUS, o->a_plus);
	o->a_minus = (float) opt(rq, STDP_A_MINUS, o->a_minus);
	o->w_min = (float) opt(rq, STDP_W_MIN, o->w_min);
	o->w_max = (float) opt(rq, STDP_W_MAX, o->w_max);
	o->tau_m = (float) opt(rq, STDP_TAU_M, o->tau_m);
	o->v_th = (float) opt(rq, STDP_V_TH, o->v_th);
	o->max_rate = (float) opt(rq, STDP_MAX_RATE, o->max_rate);
	o->wta = opt(rq, STDP_WTA, 1) != 0;
	o->homeostasis = opt(rq, STDP_HOMEOSTASIS, 1) != 0;
	o->theta_plus = (float) opt(rq, STDP_THETA_PLUS, o->theta_plus);
	o->tau_theta = (float) opt(rq, STDP_TAU_THETA, o->tau_theta);
	o->seed = rq->options.given[STDP_SEED] ?
		(uint64_t) rq->options.value[STDP_SEED] : rq->img->seed;
	o->progress = rq->progress;
	o->progress_arg = rq->progress_arg;
}

/* What inference needs of the STDP rule's options, kept in the trained block. */
static void
stdp_keep(snn_trained *t, const snn_stdp_options *o)
{
	t->steps = o->steps;
	t->dt = o->dt;
	t->tau_m = o->tau_m;
	t->v_th = o->v_th;
	t->max_rate = o->max_rate;
	t->wta = o->wta;
	t->seed = o->seed;
}

/* The STDP rule's options for inference: the inverse of stdp_keep. */
void
snn_trained_stdp_options(const snn_trained *t, snn_stdp_options *o)
{
	snn_stdp_defaults(o);
	o->steps = t->steps;
	o->dt = t->dt;
	o->tau_m = t->tau_m;
	o->v_th = t->v_th;
	o->max_rate = t->max_rate;
	o->wta = t->wta;
}

/* The Hebbian rule's options. */
static void
hebb_read(const snn_train_request *rq, snn_hebb_options *o)
{
	snn_hebb_defaults(o);
	o->epochs = (uint32_t) opt(rq, HEBB_EPOCHS, o->epochs);
	o->learning_rate = (float) opt(rq, HEBB_LR, o->learning_rate);
	o->seed = rq->options.given[HEBB_SEED] ?
		(uint64_t) rq->options.value[HEBB_SEED] : rq->img->seed;
	o->progress = rq->progress;
	o->progress_arg = rq->progress_arg;
	if (rq->options.given[HEBB_RULE])
		o->sanger = rq->options.value[HEBB_RULE] == 1;
}

/* A single fully connected layer; labels in range; stdp: w_min < w_max. */
static snn_status
single_check(const snn_train_request *rq, snn_error *err)
{
	const snn_image *img = rq->img;
	const snn_train_data *d = &rq->data;

	if (require_dense(rq, err) != SNN_OK)
		return err->status;
	if (img->n_layers != 1)
		return snn_fail(err, SNN_E_CONFIG, "", "method %s learns a single layer; the network has %u layers",
						rq->method->name, img->n_layers);
	if (rq->method->method == SNN_METHOD_STDP)
	{
		snn_stdp_options o;

		stdp_read(rq, &o);
		if (!(o.w_min < o.w_max))
			return snn_fail(err, SNN_E_CONFIG, "w_min", "option \"w_min\" must be below \"w_max\"");
	}
	if (d->y)
		for (size_t i = 0; i < d->n; i++)
			if (d->y[i] < 0 || d->y[i] >= SNN_LEARN_MAX_CLASSES)
				return snn_fail(err, SNN_E_RANGE, "", "label %d of sample %zu is outside [0, %d)",
								d->y[i], i + 1, SNN_LEARN_MAX_CLASSES);
	return SNN_OK;
}

/* Number of classes in the labels (max + 1, at least 2), 0 without. */
static uint32_t
count_classes(const snn_train_data *d)
{
	int32_t		maxl = -1;

	if (!d->y)
		return 0;
	for (size_t i = 0; i < d->n; i++)
		if (d->y[i] > maxl)
			maxl = d->y[i];
	return maxl + 1 > 2 ? (uint32_t) maxl + 1 : 2;
}

/* Label each neuron with the class it wins most often; returns accuracy. */
static double
label_neurons(const snn_train_data *d, const int32_t *winner, uint32_t n_out,
			  uint32_t k, uint32_t *votes, float *labels)
{
	size_t		ok = 0;

	for (uint32_t j = 0; j < n_out; j++)
		labels[j] = -1.0f;
	if (k == 0)
		return NAN;
	for (size_t i = 0; i < d->n; i++)
		if (winner[i] >= 0)
			votes[(size_t) winner[i] * k + d->y[i]]++;
	for (uint32_t j = 0; j < n_out; j++)
	{
		uint32_t	best = 0;

		for (uint32_t c = 1; c < k; c++)
			if (votes[(size_t) j * k + c] > votes[(size_t) j * k + best])
				best = c;
		if (votes[(size_t) j * k + best] > 0)
			labels[j] = (float) best;
	}
	for (size_t i = 0; i < d->n; i++)
		if (winner[i] >= 0 && labels[winner[i]] == (float) d->y[i])
			ok++;
	return (double) ok / d->n;
}

/* STDP: learn w and the thresholds, then each sample's first output. */
static snn_status
stdp_learn(const snn_train_request *rq, snn_trained *t, const float *xs,
		   int32_t *winner, snn_train_result *r, snn_error *err)
{
	const snn_train_data *d = &rq->data;
	uint32_t	nf = rq->img->n_inputs,
				no = snn_layers(rq->img)[0].size;
	float	   *f = (float *) (t + 1);
	float	   *w = f + t->off_weights;
	snn_stdp_options o;
	float	   *scratch;
	size_t		ws = snn_stdp_workspace_size(nf, no);
	void	   *work;

	stdp_read(rq, &o);
	TAKE_OR_FAIL(scratch, rq, sizeof(float) * (nf + no + 16), 0, err);
	TAKE_OR_FAIL(work, rq, ws, 0, err);
	snn_model_stdp_init(w, (size_t) nf * no, &o);
	if (snn_stdp_train(w, f + t->off_theta, nf, no, xs, d->n, &o, work, ws, r, err) != SNN_OK)
		return err->status;
	stdp_keep(t, &o);
	for (size_t i = 0; i < d->n; i++)
	{
		if (snn_interrupted((uint64_t) nf * no * o.steps))
			return snn_cancelled(err);
		winner[i] = snn_wta_first(w, f + t->off_theta, nf, no, xs + i * nf, &o,
								  o.seed, NULL, scratch, NULL, NULL, NULL);
	}
	return SNN_OK;
}

/* Hebbian: learn w and the mean, then each sample's projection winner. */
static snn_status
hebb_learn(const snn_train_request *rq, snn_trained *t, const float *xs,
		   int32_t *winner, snn_train_result *r, snn_error *err)
{
	const snn_train_data *d = &rq->data;
	uint32_t	nf = rq->img->n_inputs,
				no = snn_layers(rq->img)[0].size;
	float	   *f = (float *) (t + 1);
	float	   *w = f + t->off_weights;
	snn_hebb_options o;
	float	   *y;
	size_t		ws = snn_hebb_workspace_size(nf, no);
	void	   *work;

	hebb_read(rq, &o);
	TAKE_OR_FAIL(y, rq, sizeof(float) * no, 0, err);
	TAKE_OR_FAIL(work, rq, ws, 0, err);
	snn_model_hebb_init(w, nf, no, o.seed);
	if (snn_hebb_train(w, f + t->off_mean, nf, no, xs, d->n, &o, work, ws, r, err) != SNN_OK)
		return err->status;
	t->steps = 1;
	t->dt = rq->img->dt;
	t->tau_m = 1.0f;
	t->v_th = 1.0f;
	t->max_rate = 1.0f;
	t->seed = o.seed;
	for (size_t i = 0; i < d->n; i++)
		winner[i] = (int32_t) snn_model_hebb_winner(w, f + t->off_mean, nf, no,
													xs + i * nf, y);
	return SNN_OK;
}

/* Either rule on the layer, then neuron labels and the layer's weights. */
static snn_status
single_fit(const snn_train_request *rq, void **out, size_t *size, snn_error *err)
{
	const snn_image *img = rq->img;
	const snn_train_data *d = &rq->data;
	uint32_t	nf = img->n_inputs,
				no = snn_layers(img)[0].size,
				k = count_classes(d);
	snn_trained *t;
	snn_train_result r;
	snn_image  *ni;
	float	   *f,
			   *xs;
	int32_t    *winner;
	uint32_t   *votes;

	if ((t = block_alloc(rq, 3 * nf + nf * no + 2 * no)) == NULL)
		return snn_fail(err, SNN_E_LIMIT, "", "out of memory");
	f = (float *) (t + 1);
	t->n_classes = k;
	t->n_outputs = no;
	t->off_weights = 2 * nf;
	t->off_mean = 2 * nf + nf * no;
	t->off_theta = 3 * nf + nf * no;
	t->off_labels = 3 * nf + nf * no + no;
	TAKE_OR_FAIL(xs, rq, sizeof(float) * d->n * d->dim, 0, err);
	fit_scaling(d, t, xs);
	TAKE_OR_FAIL(winner, rq, sizeof(int32_t) * d->n, 0, err);
	if ((rq->method->method == SNN_METHOD_STDP ?
		 stdp_learn(rq, t, xs, winner, &r, err) :
		 hebb_learn(rq, t, xs, winner, &r, err)) != SNN_OK)
		return err->status;
	TAKE_OR_FAIL(votes, rq, sizeof(uint32_t) * no * (k ? k : 1), 1, err);
	r.accuracy = label_neurons(d, winner, no, k, votes, f + t->off_labels);
	if ((ni = image_copy(rq)) == NULL)
		return snn_fail(err, SNN_E_LIMIT, "", "out of memory");
	snn_layer_set_dense(ni, 0, f + t->off_weights, layer_span(img, 0));
	return assemble(rq, ni, t, &r, out, size, err);
}

/* ---------------------------------------------------------------------
 * The table and the entry points.
 */
static const snn_train_method methods[] = {
	{SNN_METHOD_BACKPROP, "backprop", SNN_TRAIN_NEEDS_LABELS, bp_options, BP_N,
	bp_check, bp_fit},
	{SNN_METHOD_RIDGE, "ridge", SNN_TRAIN_NEEDS_LABELS | SNN_TRAIN_TAKES_TARGETS,
	ridge_options, RIDGE_N, ridge_check, ridge_fit},
	{SNN_METHOD_STDP, "stdp", 0, stdp_options, STDP_N, single_check, single_fit},
	{SNN_METHOD_HEBBIAN, "hebbian", 0, hebb_options, HEBB_N, single_check, single_fit},
};

#define N_METHODS ((int) (sizeof(methods) / sizeof(methods[0])))

/* The i-th method, NULL past the last. */
const snn_train_method *
snn_train_method_at(int i)
{
	return i >= 0 && i < N_METHODS ? &methods[i] : NULL;
}

/* The method of a name, NULL when there is none. */
const snn_train_method *
snn_train_method_find(const char *name)
{
	for (int i = 0; i < N_METHODS; i++)
		if (strcmp(methods[i].name, name) == 0)
			return &methods[i];
	return NULL;
}

/* Data, labels or targets as the method takes them, then its own checks. */
snn_status
snn_train_check(const snn_train_request *rq, snn_error *err)
{
	const snn_train_method *m = rq->method;

	if (m == NULL)
		return snn_fail(err, SNN_E_CONFIG, "method", "unknown training method");
	if (check_data(rq, err) != SNN_OK)
		return err->status;
	if (rq->data.t != NULL && !(m->flags & SNN_TRAIN_TAKES_TARGETS))
		return snn_fail(err, SNN_E_CONFIG, "", "method %s needs integer class labels; real targets are for ridge regression",
						m->name);
	if (rq->data.y == NULL && rq->data.t == NULL && (m->flags & SNN_TRAIN_NEEDS_LABELS))
		return snn_fail(err, SNN_E_CONFIG, "", "method %s needs labels", m->name);
	if (rq->data.t != NULL && rq->data.k == 0)
		return snn_fail(err, SNN_E_DIM, "", "targets with no value a sample");
	for (int i = 0; i < m->n_options && i < SNN_TRAIN_MAX_OPTIONS; i++)
	{
		double		v = rq->options.value[i];
		const snn_opt_def *o = &m->options[i];

		if (rq->options.given[i] && o->kind != SNN_OPT_CHOICE && o->kind != SNN_OPT_BOOL &&
			!(v >= o->lo && v <= o->hi))
			return snn_fail(err, SNN_E_RANGE, o->name, "option \"%s\" must be between %g and %g, not %g",
							o->name, o->lo, o->hi, v);
	}
	return m->check(rq, err);
}

/* Check, then train; the result after out_header bytes of the caller's. */
snn_status
snn_train_run(const snn_train_request *rq, void **out, size_t *size, snn_error *err)
{
	if (snn_train_check(rq, err) != SNN_OK)
		return err->status;
	return rq->method->fit(rq, out, size, err);
}
