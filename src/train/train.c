/*
 * train.c: snn_train and snn_train_query, training a network value.
 *
 * Training never changes its input: it works in a private memory context
 * on a copy of the image and returns a new value (updated synapse weights,
 * the trained block in SNN_SEC_NORM and one more history record).  Any
 * error, or a cancel (interrupts are checked every epoch), abandons the
 * context, so a failed training leaves nothing behind.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "fmgr.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "jsonb_opts.h"
#include "snn_model.h"
#include "snn.h"
#include "train.h"

PG_FUNCTION_INFO_V1(snn_train);
PG_FUNCTION_INFO_V1(snn_train_query);
PG_FUNCTION_INFO_V1(snn_train_history);

#define MAX_TRAIN_BYTES ((Size) 1 << 30)	/* 1 GB of samples or states */

/* ---------------------------------------------------------------------
 * Reading arrays.
 */

/* A 2-D float4/float8 array as rows x cols floats, rejecting NULLs. */
void
snn_read_matrix(ArrayType *a, const char *what, float **out, int *rows, int *cols)
{
	Oid			elt = ARR_ELEMTYPE(a);
	int			n;
	Datum	   *vals;
	bool	   *nulls;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	float	   *x;

	if (ARR_NDIM(a) == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%s is empty", what)));
	if (ARR_NDIM(a) != 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must be a two-dimensional array (one row a sample), not %d-dimensional",
						what, ARR_NDIM(a))));
	if (elt != FLOAT4OID && elt != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%s must be real[][] or double precision[][]", what)));
	*rows = ARR_DIMS(a)[0];
	*cols = ARR_DIMS(a)[1];
	if ((Size) *rows * *cols * sizeof(float) > MAX_TRAIN_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("%s has more than 1 GB of values", what)));
	get_typlenbyvalalign(elt, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elt, typlen, typbyval, typalign, &vals, &nulls, &n);
	x = palloc_extended(sizeof(float) * Max(n, 1), MCXT_ALLOC_HUGE);
	for (int i = 0; i < n; i++)
	{
		double		v;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s holds a NULL at row %d, column %d", what,
							i / *cols + 1, i % *cols + 1)));
		v = elt == FLOAT4OID ? DatumGetFloat4(vals[i]) : DatumGetFloat8(vals[i]);
		if (!isfinite(v) || fabs(v) > FLT_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_FLOATING_POINT_EXCEPTION),
					 errmsg("%s holds a non-finite value at row %d, column %d", what,
							i / *cols + 1, i % *cols + 1)));
		x[i] = (float) v;
	}
	*out = x;
}

/* A vector of exactly dim finite values; what names an element in errors. */
static float *
read_vector(ArrayType *a, int dim, float *buf, const char *what)
{
	Oid			elt = ARR_ELEMTYPE(a);
	int			n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
	char	   *p;
	bits8	   *nullmap = ARR_NULLBITMAP(a);

	if (elt != FLOAT4OID && elt != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("%ss must be real[] or double precision[]", what)));
	/* one sample is one row: a 2-D array is never flattened into it */
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%ss must be a one-dimensional array (one sample), not %d-dimensional",
						what, ARR_NDIM(a))));
	if (n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("%ss are empty", what)));
	if (n != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%d %ss were given where %d are needed", n, what, dim)));
	p = ARR_DATA_PTR(a);
	for (int i = 0; i < n; i++)
	{
		double		v;

		if (nullmap && !(nullmap[i / 8] & (1 << (i % 8))))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("%s %d is NULL", what, i + 1)));
		if (elt == FLOAT4OID)
		{
			v = *(float4 *) p;
			p += sizeof(float4);
		}
		else
		{
			v = *(float8 *) p;
			p += sizeof(float8);
		}
		if (!isfinite(v) || fabs(v) > FLT_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_FLOATING_POINT_EXCEPTION),
					 errmsg("%s %d is not a finite number", what, i + 1)));
		buf[i] = (float) v;
	}
	return buf;
}

/*
 * One feature vector, checked against the network's input count: the one
 * reader of a sample for snn_infer, snn_predict, snn_energy and the rows of
 * snn_train_query, with the rule snn_train applies to each of its rows.
 */
float *
snn_read_features(ArrayType *a, int dim, float *buf)
{
	int			n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));

	if (n != dim && n != 0 && ARR_NDIM(a) <= 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the network has %d inputs but %d features were given", dim, n)));
	return read_vector(a, dim, buf, "feature");
}

/* True for the element types of integer label arrays. */
static bool
is_label_type(Oid elt)
{
	return elt == INT2OID || elt == INT4OID || elt == INT8OID;
}

/* Labels (smallint[], integer[] or bigint[]) as int32, one per sample, no NULLs. */
static int32 *
read_labels(ArrayType *a, int n)
{
	Oid			elt = ARR_ELEMTYPE(a);
	int			m;
	Datum	   *vals;
	bool	   *nulls;
	int16		typlen;
	bool		typbyval;
	char		typalign;
	int32	   *y;

	if (!is_label_type(elt))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("labels must be integer[]")));
	if (ARR_NDIM(a) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("labels must be a one-dimensional array")));
	get_typlenbyvalalign(elt, &typlen, &typbyval, &typalign);
	deconstruct_array(a, elt, typlen, typbyval, typalign, &vals, &nulls, &m);
	if (m != n)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%d labels for %d samples", m, n)));
	y = palloc(sizeof(int32) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		int64		v;

		if (nulls[i])
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("label %d is NULL", i + 1)));
		v = elt == INT2OID ? DatumGetInt16(vals[i]) :
			elt == INT4OID ? DatumGetInt32(vals[i]) : DatumGetInt64(vals[i]);
		if (v < PG_INT32_MIN || v > PG_INT32_MAX)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("label %d is out of range for integer", i + 1)));
		y[i] = (int32) v;
	}
	return y;
}

/* A numeric[] as a double precision[] of the same shape (NULLs kept). */
static ArrayType *
numeric_to_float8_array(ArrayType *a)
{
	Datum	   *vals;
	bool	   *nulls;
	int			n;

	deconstruct_array(a, NUMERICOID, -1, false, TYPALIGN_INT, &vals, &nulls, &n);
	for (int i = 0; i < n; i++)
		if (!nulls[i])
			vals[i] = DirectFunctionCall1(numeric_float8, vals[i]);
	return construct_md_array(vals, nulls, ARR_NDIM(a), ARR_DIMS(a), ARR_LBOUND(a),
							  FLOAT8OID, 8, FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
}

/* Regression targets: real[] with one value a sample, or real[][] rows. */
static void
read_targets(ArrayType *a, int n, SnnDataSet *d)
{
	Oid			elt = ARR_ELEMTYPE(a);
	int			rows;

	if (elt == NUMERICOID)
	{
		a = numeric_to_float8_array(a);
		elt = FLOAT8OID;
	}
	if (elt != FLOAT4OID && elt != FLOAT8OID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("labels must be an integer array (classes) or a real, double precision or numeric array (regression targets), not %s",
						format_type_be(ARR_ELEMTYPE(a)))));
	if (ARR_NDIM(a) == 1)
	{
		rows = ARR_DIMS(a)[0];
		if (rows != n)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("%d targets for %d samples", rows, n)));
		d->t = palloc(sizeof(float) * Max(n, 1));
		d->k = 1;
		read_vector(a, n, d->t, "target");
		return;
	}
	snn_read_matrix(a, "targets", &d->t, &rows, &d->k);
	if (rows != n)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%d target rows for %d samples", rows, n)));
}

/* ---------------------------------------------------------------------
 * Options: a flat jsonb object; unknown keys and wrong types are errors.
 */
static const JsonbOptsStyle opt_style = {"option \"%s\"", false};

typedef struct OptKeys
{
	const char *method;
	const char *const *allowed;
} OptKeys;

/* One key of the options: an error unless the method knows it. */
static void
opt_check_key(void *ctx, const char *key, JsonbValue *v)
{
	OptKeys    *k = (OptKeys *) ctx;

	for (int i = 0; k->allowed[i]; i++)
		if (strcmp(key, k->allowed[i]) == 0)
			return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown option \"%s\" for method %s", key, k->method)));
}

/* The options must be an object of keys the method knows. */
static void
opt_check_keys(Jsonb *jb, const char *method, const char *const *allowed)
{
	OptKeys		k = {method, allowed};

	if (jb == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object")));
	jsonb_opts_walk(&jb->root, opt_check_key, &k);
}

/* The value of an option, or NULL when absent. */
static JsonbValue *
opt_get(Jsonb *jb, const char *key)
{
	return jb ? jsonb_opts_find(&jb->root, key) : NULL;
}

/* A number option in [lo, hi], or def when absent. */
static double
opt_num(Jsonb *jb, const char *key, double def, double lo, double hi)
{
	JsonbValue *v = opt_get(jb, key);
	double		d;

	if (v == NULL || v->type == jbvNull)
		return def;
	d = jsonb_opts_number(&opt_style, key, v);
	if (!(d >= lo && d <= hi))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("option \"%s\" must be between %g and %g, not %g", key, lo, hi, d)));
	return d;
}

/* An integer option in [lo, hi]. */
static int64
opt_int(Jsonb *jb, const char *key, int64 def, int64 lo, int64 hi)
{
	double		d = opt_num(jb, key, (double) def, (double) lo, (double) hi);

	if (d != floor(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be an integer", key)));
	return (int64) d;
}

/* A boolean option, or def when absent. */
static bool
opt_bool(Jsonb *jb, const char *key, bool def)
{
	JsonbValue *v = opt_get(jb, key);

	if (v == NULL || v->type == jbvNull)
		return def;
	return jsonb_opts_bool(&opt_style, key, v);
}

snn_train_progress_hook_type snn_train_progress_hook = NULL;

/* Epoch progress from the engine, handed to the runtime's hook when set. */
static void
train_progress(void *arg, uint32_t epoch, uint32_t epochs, double loss)
{
	(void) arg;
	if (snn_train_progress_hook)
		snn_train_progress_hook(epoch, epochs, loss);
}

/* Engine failure during training: an error with the method as context. */
static void
train_fail(const snn_error *err, const char *method)
{
	char		ctx[64];

	snprintf(ctx, sizeof(ctx), "snn_train, method %s", method);
	snn_report_error(err, ctx);
}

/* ---------------------------------------------------------------------
 * Assembling the result.
 */

/* A trained block with room for n_floats floats after the header. */
static snn_trained *
block_alloc(const snn_image *img, snn_method method, uint32 n_floats)
{
	snn_trained *t = palloc0(sizeof(snn_trained) + sizeof(float) * (Size) n_floats);

	t->magic = SNN_TRAINED_MAGIC;
	t->version = SNN_TRAINED_VERSION;
	t->method = method;
	t->n_features = img->n_inputs;
	t->n_floats = n_floats;
	return t;
}

/* The result value: img with the block in NORM and one more history record. */
static SnnNetwork *
assemble(const snn_image *img, const snn_trained *block, snn_method method,
		 const snn_train_result *r)
{
	Size		hsz = sizeof(snn_history_rec) * ((Size) img->n_history + 1);
	snn_history_rec *hist = palloc0(hsz);
	snn_history_rec *h = &hist[img->n_history];
	Size		bsz = sizeof(snn_trained) + sizeof(float) * (Size) block->n_floats;
	size_t		s1,
				s2;
	void	   *tmp;
	SnnNetwork *out;
	snn_error	err;

	if (img->n_history >= SNN_MAX_HISTORY)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the network already has %d training records", SNN_MAX_HISTORY)));
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
	h->time_us = (int64) GetCurrentTimestamp() +
		(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY;
	snprintf(h->note, sizeof(h->note), "%s %.1f ms",
			 r->converged ? "converged" : "max epochs", r->seconds * 1000.0);

	s1 = snn_image_with_section(img, SNN_SEC_HISTORY, hist, hsz, NULL, 0);
	tmp = palloc_extended(s1, MCXT_ALLOC_HUGE);
	snn_image_with_section(img, SNN_SEC_HISTORY, hist, hsz, tmp, s1);
	s2 = snn_image_with_section(tmp, SNN_SEC_NORM, block, bsz, NULL, 0);
	if (s2 > MaxAllocHugeSize - SNN_NETWORK_HDRSZ)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the trained network is too large")));
	out = palloc_extended(SNN_NETWORK_HDRSZ + s2, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	SET_VARSIZE(out, SNN_NETWORK_HDRSZ + s2);
	snn_image_with_section(tmp, SNN_SEC_NORM, block, bsz, out->image, s2);
	((snn_image *) out->image)->flags |= SNN_FLAG_TRAINED | SNN_FLAG_HAS_NORM;
	snn_error_clear(&err);
	if (snn_image_validate(out->image, s2, &err) != SNN_OK ||
		snn_trained_validate((const snn_image *) out->image,
							 snn_sec((const snn_image *) out->image, SNN_SEC_NORM), bsz,
							 &err) != SNN_OK)
	{
		if (err.status == SNN_E_CANCELLED)
			snn_raise_cancel();
		elog(ERROR, "trained network fails validation: %s", err.msg);
	}
	return out;
}

/* A writable copy of an image. */
static snn_image *
image_copy(const snn_image *img)
{
	snn_image  *c = palloc_extended(img->total_size, MCXT_ALLOC_HUGE);

	memcpy(c, img, img->total_size);
	return c;
}

/* Feed-forward layers must be fully connected for weight learning. */
static void
require_dense(const snn_image *img, const char *method)
{
	const snn_layer *L = snn_layers(img);

	if (img->kind != SNN_KIND_FEEDFORWARD)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("method %s needs a feed-forward network, not a %s",
						method, snn_kind_name(img->kind)),
				 errhint("Create one with snn_create('{\"kind\": \"feedforward\", ...}').")));
	for (uint32 l = 0; l < img->n_layers; l++)
	{
		uint64		fan_in = l == 0 ? img->n_inputs : L[l - 1].size;

		if (snn_layer_dense_count(img, l) != fan_in * L[l].size)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("method %s needs fully connected layers; layer %u has connectivity below 1",
							method, l)));
	}
}

/* Scale of image weights: the layer's threshold above rest, in mV. */
static float
layer_span(const snn_image *img, uint32 l)
{
	const snn_layer *L = snn_layers(img);
	float		span = L[l].p.v_th - L[l].p.v_rest;

	return span > 0.0f ? span : 1.0f;
}

/* Per-feature min-max scaling into the block, and the scaled data. */
static float *
fit_scaling(SnnDataSet *d, snn_trained *t)
{
	float	   *f = (float *) (t + 1);
	float	   *xs = palloc_extended(sizeof(float) * (Size) d->n * d->dim, MCXT_ALLOC_HUGE);

	t->off_offset = 0;
	t->off_scale = d->dim;
	snn_minmax_fit(d->x, d->n, d->dim, f + t->off_offset, f + t->off_scale);
	snn_minmax_apply(d->x, d->n, d->dim, f + t->off_offset, f + t->off_scale, xs);
	return xs;
}

/* ---------------------------------------------------------------------
 * backprop: rate network, Adam, conversion to a TTFS spiking network.
 */
static const char *const bp_keys[] = {
	"epochs", "batch_size", "learning_rate", "beta1", "beta2", "epsilon", "l2",
	"validation_split", "patience", "tolerance", "target_loss", "seed", "percentile",
	"steps", "output_threshold", NULL
};

static SnnNetwork *
train_backprop(const snn_image *img, SnnDataSet *d, Jsonb *opts)
{
	const snn_layer *L = snn_layers(img);
	snn_mlp_shape shape;
	snn_bp_options o;
	snn_convert_options co;
	snn_train_result r;
	snn_error	err;
	snn_trained *t;
	snn_image  *ni;
	float	   *f,
			   *xs,
			   *params;
	Size		P,
				ws;
	void	   *work;
	uint32		nf = img->n_inputs;

	opt_check_keys(opts, "backprop", bp_keys);
	require_dense(img, "backprop");
	if (img->n_layers > SNN_MLP_MAX_LAYERS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("backprop trains at most %d layers, the network has %u",
						SNN_MLP_MAX_LAYERS, img->n_layers)));
	memset(&shape, 0, sizeof(shape));
	shape.n_layers = img->n_layers;
	shape.sizes[0] = nf;
	for (uint32 l = 0; l < img->n_layers; l++)
		shape.sizes[l + 1] = L[l].size;
	snn_bp_defaults(&o);
	o.max_epochs = opt_int(opts, "epochs", o.max_epochs, 1, 100000);
	o.batch_size = opt_int(opts, "batch_size", o.batch_size, 1, 65536);
	o.learning_rate = opt_num(opts, "learning_rate", o.learning_rate, 1e-9, 10);
	o.beta1 = opt_num(opts, "beta1", o.beta1, 0, 0.999999);
	o.beta2 = opt_num(opts, "beta2", o.beta2, 0, 0.999999);
	o.epsilon = opt_num(opts, "epsilon", o.epsilon, 1e-12, 0.5);
	o.l2 = opt_num(opts, "l2", o.l2, 0, 0.5);
	o.validation_split = opt_num(opts, "validation_split", o.validation_split, 0, 0.9);
	o.patience = opt_int(opts, "patience", o.patience, 1, 100000);
	o.tolerance = opt_num(opts, "tolerance", o.tolerance, 0, 0.999);
	o.target_loss = opt_num(opts, "target_loss", o.target_loss, 0, 1e6);
	o.seed = opt_int(opts, "seed", (int64) img->seed, 0, PG_INT64_MAX);
	o.progress = train_progress;
	snn_convert_defaults(&co);
	co.percentile = opt_num(opts, "percentile", co.percentile, 1e-3, 100);
	co.steps = opt_int(opts, "steps", co.steps, 1, SNN_CONV_MAX_STEPS);
	co.output_threshold = opt_num(opts, "output_threshold", 0, 0, 1e9);

	P = snn_mlp_param_count(&shape);
	t = block_alloc(img, SNN_METHOD_BACKPROP, 2 * nf + 2 * P + shape.n_layers);
	f = (float *) (t + 1);
	t->shape = shape;
	t->n_classes = shape.sizes[shape.n_layers];
	t->n_outputs = t->n_classes;
	t->n_params = P;
	t->off_params = 2 * nf;
	t->off_rate = 2 * nf + P;
	t->off_lambda = 2 * nf + 2 * P;
	t->steps = co.steps;
	t->seed = o.seed;
	xs = fit_scaling(d, t);

	params = f + t->off_rate;
	snn_mlp_init(&shape, params, o.seed);
	ws = snn_bp_workspace_size(&shape, d->n, &o);
	ws = Max(ws, snn_convert_workspace_size(&shape, d->n));
	work = palloc_extended(ws, MCXT_ALLOC_HUGE);
	snn_error_clear(&err);
	if (snn_bp_train(&shape, params, xs, d->y, d->n, &o, work, ws, &r, &err) != SNN_OK)
		train_fail(&err, "backprop");
	if (snn_convert(&shape, params, xs, d->n, &co, f + t->off_params, f + t->off_lambda,
					&t->output_threshold, work, ws, &err) != SNN_OK)
		train_fail(&err, "backprop");

	/* the image carries the normalised weights, in mV of each layer */
	ni = image_copy(img);
	for (uint32 l = 0; l < shape.n_layers; l++)
		snn_layer_set_dense(ni, l, f + t->off_params + snn_mlp_weight_offset(&shape, l),
							layer_span(img, l));
	return assemble(ni, t, SNN_METHOD_BACKPROP, &r);
}

/* ---------------------------------------------------------------------
 * ridge: reservoir states, closed-form linear read-out.
 */
static const char *const ridge_keys[] = {"alpha", "steps", "max_rate", "seed", NULL};

/* Reservoir states of every sample: [n][n_neurons]. */
static float *
reservoir_states(const snn_image *img, const float *xs, int n, uint32 steps,
				 float max_rate, uint64 seed)
{
	Size		nn = img->n_neurons;
	float	   *s;
	Size		ws = snn_reservoir_work_size(img, steps);
	void	   *work = palloc_extended(ws, MCXT_ALLOC_HUGE);
	snn_error	err;

	if ((Size) n * nn * sizeof(float) > MAX_TRAIN_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("reservoir states of %d samples x %zu neurons exceed 1 GB", n, nn)));
	s = palloc_extended(sizeof(float) * (Size) n * nn, MCXT_ALLOC_HUGE);
	snn_error_clear(&err);
	for (int i = 0; i < n; i++)
	{
		if ((i & 63) == 0)
			CHECK_FOR_INTERRUPTS();
		if (snn_reservoir_states(img, xs + (Size) i * img->n_inputs, steps, max_rate,
								 seed, s + (Size) i * nn, work, ws, NULL, &err) != SNN_OK)
			train_fail(&err, "ridge");
	}
	return s;
}

static SnnNetwork *
train_ridge(const snn_image *img, SnnDataSet *d, Jsonb *opts)
{
	uint32		nf = img->n_inputs,
				nn = img->n_neurons,
				k;
	double		alpha;
	uint32		steps;
	float		max_rate;
	uint64		seed;
	snn_trained *t;
	float	   *f,
			   *xs,
			   *states,
			   *targets;
	snn_train_result r;
	snn_error	err;
	Size		ws;
	void	   *work;
	double		t0 = snn_now(),
				sse = 0.0;
	int			ok = 0;

	opt_check_keys(opts, "ridge", ridge_keys);
	if (img->kind != SNN_KIND_RESERVOIR)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("method ridge needs a reservoir network, not a %s",
						snn_kind_name(img->kind))));
	alpha = opt_num(opts, "alpha", 1.0, 0, 1e12);
	steps = opt_int(opts, "steps", 50, 1, 100000);
	max_rate = opt_num(opts, "max_rate", 0.5, 1e-6, 1);
	seed = opt_int(opts, "seed", (int64) img->seed, 0, PG_INT64_MAX);
	if (d->y)
	{
		int32		maxl = 0;

		for (int i = 0; i < d->n; i++)
		{
			if (d->y[i] < 0)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("label %d of sample %d is negative", d->y[i], i + 1)));
			maxl = Max(maxl, d->y[i]);
		}
		if (maxl >= SNN_LEARN_MAX_CLASSES)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("labels must be below %d", SNN_LEARN_MAX_CLASSES)));
		k = Max(maxl + 1, 2);
	}
	else
		k = d->k;
	if ((Size) (nn + 1) * (nn + 1) * sizeof(double) > MAX_TRAIN_BYTES)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("a ridge read-out of %u neurons needs more than 1 GB", nn)));

	t = block_alloc(img, SNN_METHOD_RIDGE, 2 * nf + (nn + 1) * k);
	f = (float *) (t + 1);
	t->n_classes = d->y ? k : 0;
	t->n_outputs = k;
	t->state_dim = nn;
	t->off_readout = 2 * nf;
	t->n_readout = (nn + 1) * k;
	t->steps = steps;
	t->max_rate = max_rate;
	t->seed = seed;
	xs = fit_scaling(d, t);
	states = reservoir_states(img, xs, d->n, steps, max_rate, seed);
	if (d->y)
	{
		targets = palloc_extended(sizeof(float) * (Size) d->n * k, MCXT_ALLOC_HUGE);
		snn_one_hot(d->y, d->n, k, targets);
	}
	else
		targets = d->t;
	ws = snn_ridge_workspace_size(nn, k);
	work = palloc_extended(ws, MCXT_ALLOC_HUGE);
	snn_error_clear(&err);
	if (snn_ridge_fit(states, d->n, nn, targets, k, alpha, f + t->off_readout, work, ws,
					  &err) != SNN_OK)
		train_fail(&err, "ridge");

	/* training fit: accuracy (classification) or mean squared error */
	{
		float	   *out = palloc(sizeof(float) * k);

		for (int i = 0; i < d->n; i++)
		{
			snn_ridge_predict(f + t->off_readout, nn, k, states + (Size) i * nn, out);
			if (d->y)
				ok += (int32) snn_argmax(out, k) == d->y[i];
			for (uint32 c = 0; c < k; c++)
			{
				double		e = out[c] - targets[(Size) i * k + c];

				sse += e * e;
			}
		}
	}
	memset(&r, 0, sizeof(r));
	r.epochs = 1;
	r.best_epoch = 1;
	r.samples = d->n;
	r.loss = sse / ((double) d->n * k);
	r.accuracy = d->y ? (double) ok / d->n : NAN;
	r.val_loss = NAN;
	r.val_accuracy = NAN;
	r.converged = 1;
	r.seconds = snn_now() - t0;
	return assemble(img, t, SNN_METHOD_RIDGE, &r);
}

/* ---------------------------------------------------------------------
 * stdp and hebbian: unsupervised learning of a single layer; labels,
 * when given, name each output neuron by the class it answers most.
 */
static const char *const stdp_keys[] = {
	"epochs", "steps", "tau_pre", "tau_post", "a_plus", "a_minus", "w_min",
	"w_max", "tau_m", "v_th", "max_rate", "wta", "homeostasis", "theta_plus",
	"tau_theta", "seed", NULL
};
static const char *const hebb_keys[] = {"epochs", "learning_rate", "rule", "seed", NULL};

/* Number of classes in the labels (max + 1), or 0 without labels. */
static uint32
count_classes(SnnDataSet *d, uint32 n_out)
{
	int32		maxl = -1;

	if (!d->y)
		return 0;
	for (int i = 0; i < d->n; i++)
	{
		if (d->y[i] < 0 || d->y[i] >= SNN_LEARN_MAX_CLASSES)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("label %d of sample %d is outside [0, %d)", d->y[i], i + 1,
							SNN_LEARN_MAX_CLASSES)));
		maxl = Max(maxl, d->y[i]);
	}
	(void) n_out;
	return Max(maxl + 1, 2);
}

/* Label each neuron with the class it wins most often; returns accuracy. */
static double
label_neurons(SnnDataSet *d, const int32 *winner, uint32 n_out, uint32 k, float *labels)
{
	uint32	   *votes = palloc0(sizeof(uint32) * (Size) n_out * k);
	int			ok = 0;

	for (uint32 j = 0; j < n_out; j++)
		labels[j] = -1.0f;
	if (k == 0)
		return NAN;
	for (int i = 0; i < d->n; i++)
		if (winner[i] >= 0)
			votes[(Size) winner[i] * k + d->y[i]]++;
	for (uint32 j = 0; j < n_out; j++)
	{
		uint32		best = 0;

		for (uint32 c = 1; c < k; c++)
			if (votes[(Size) j * k + c] > votes[(Size) j * k + best])
				best = c;
		if (votes[(Size) j * k + best] > 0)
			labels[j] = (float) best;
	}
	for (int i = 0; i < d->n; i++)
		if (winner[i] >= 0 && labels[winner[i]] == (float) d->y[i])
			ok++;
	return (double) ok / d->n;
}

static SnnNetwork *
train_unsupervised(const snn_image *img, SnnDataSet *d, Jsonb *opts, snn_method method)
{
	const snn_layer *L = snn_layers(img);
	const char *mname = snn_method_name(method);
	uint32		nf = img->n_inputs,
				no;
	snn_trained *t;
	float	   *f,
			   *xs,
			   *w;
	snn_train_result r;
	snn_error	err;
	int32	   *winner;
	uint32		k;
	Size		ws;
	void	   *work;

	opt_check_keys(opts, mname, method == SNN_METHOD_STDP ? stdp_keys : hebb_keys);
	require_dense(img, mname);
	if (img->n_layers != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("method %s learns a single layer; the network has %u layers",
						mname, img->n_layers)));
	no = L[0].size;
	k = count_classes(d, no);
	t = block_alloc(img, method, 3 * nf + nf * no + 2 * no);
	f = (float *) (t + 1);
	t->n_classes = k;
	t->n_outputs = no;
	t->off_weights = 2 * nf;
	t->off_mean = 2 * nf + nf * no;
	t->off_theta = 3 * nf + nf * no;
	t->off_labels = 3 * nf + nf * no + no;
	xs = fit_scaling(d, t);
	w = f + t->off_weights;
	winner = palloc(sizeof(int32) * d->n);
	snn_error_clear(&err);

	if (method == SNN_METHOD_STDP)
	{
		snn_stdp_options o;
		float	   *scratch = palloc(sizeof(float) * (nf + no + 16));

		snn_stdp_defaults(&o);
		o.epochs = opt_int(opts, "epochs", o.epochs, 1, 10000);
		o.steps = opt_int(opts, "steps", o.steps, 1, 100000);
		o.dt = img->dt;
		o.tau_pre = opt_num(opts, "tau_pre", o.tau_pre, 1e-6, 1e6);
		o.tau_post = opt_num(opts, "tau_post", o.tau_post, 1e-6, 1e6);
		o.a_plus = opt_num(opts, "a_plus", o.a_plus, 0, 1);
		o.a_minus = opt_num(opts, "a_minus", o.a_minus, 0, 1);
		o.w_min = opt_num(opts, "w_min", o.w_min, -1e6, 1e6);
		o.w_max = opt_num(opts, "w_max", o.w_max, -1e6, 1e6);
		o.tau_m = opt_num(opts, "tau_m", o.tau_m, 1e-6, 1e6);
		o.v_th = opt_num(opts, "v_th", o.v_th, 1e-6, 1e6);
		o.max_rate = opt_num(opts, "max_rate", o.max_rate, 1e-6, 1);
		o.wta = opt_bool(opts, "wta", true);
		o.homeostasis = opt_bool(opts, "homeostasis", true);
		o.theta_plus = opt_num(opts, "theta_plus", o.theta_plus, 0, 1e6);
		o.tau_theta = opt_num(opts, "tau_theta", o.tau_theta, 1e-6, 1e9);
		o.seed = opt_int(opts, "seed", (int64) img->seed, 0, PG_INT64_MAX);
		o.progress = train_progress;
		if (!(o.w_min < o.w_max))
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("option \"w_min\" must be below \"w_max\"")));
		snn_model_stdp_init(w, (Size) nf * no, &o);
		ws = snn_stdp_workspace_size(nf, no);
		work = palloc(ws);
		if (snn_stdp_train(w, f + t->off_theta, nf, no, xs, d->n, &o, work, ws, &r, &err) != SNN_OK)
			train_fail(&err, mname);
		t->steps = o.steps;
		t->dt = o.dt;
		t->tau_m = o.tau_m;
		t->v_th = o.v_th;
		t->max_rate = o.max_rate;
		t->wta = o.wta;
		t->seed = o.seed;
		for (int i = 0; i < d->n; i++)
		{
			if ((i & 255) == 0)
				CHECK_FOR_INTERRUPTS();
			winner[i] = snn_wta_first(w, f + t->off_theta, nf, no, xs + (Size) i * nf, &o,
									  o.seed, NULL, scratch, NULL, NULL, NULL);
		}
	}
	else
	{
		snn_hebb_options o;
		JsonbValue *rule = opt_get(opts, "rule");
		float	   *y = palloc(sizeof(float) * no);

		snn_hebb_defaults(&o);
		o.epochs = opt_int(opts, "epochs", o.epochs, 1, 100000);
		o.learning_rate = opt_num(opts, "learning_rate", o.learning_rate, 1e-9, 1);
		o.seed = opt_int(opts, "seed", (int64) img->seed, 0, PG_INT64_MAX);
		o.progress = train_progress;
		if (rule && rule->type != jbvNull)
		{
			if (rule->type == jbvString && rule->val.string.len == 3 &&
				strncmp(rule->val.string.val, "oja", 3) == 0)
				o.sanger = 0;
			else if (rule->type == jbvString && rule->val.string.len == 6 &&
					 strncmp(rule->val.string.val, "sanger", 6) == 0)
				o.sanger = 1;
			else
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("option \"rule\" must be \"oja\" or \"sanger\"")));
		}
		snn_model_hebb_init(w, nf, no, o.seed);
		ws = snn_hebb_workspace_size(nf, no);
		work = palloc(ws);
		if (snn_hebb_train(w, f + t->off_mean, nf, no, xs, d->n, &o, work, ws, &r, &err) != SNN_OK)
			train_fail(&err, mname);
		t->steps = 1;
		t->dt = img->dt;
		t->tau_m = 1.0f;
		t->v_th = 1.0f;
		t->max_rate = 1.0f;
		t->seed = o.seed;
		for (int i = 0; i < d->n; i++)
			winner[i] = (int32) snn_model_hebb_winner(w, f + t->off_mean, nf, no,
													  xs + (Size) i * nf, y);
	}
	r.accuracy = label_neurons(d, winner, no, k, f + t->off_labels);
	{
		snn_image  *ni = image_copy(img);

		snn_layer_set_dense(ni, 0, w, layer_span(img, 0));
		return assemble(ni, t, method, &r);
	}
}

/* ---------------------------------------------------------------------
 * Entry points.
 */

/* Train a copy of net in a private context; the input value is untouched. */
SnnNetwork *
snn_train_network(SnnNetwork *net, SnnDataSet *d, const char *method, Jsonb *options)
{
	const snn_image *img = SnnNetworkImage(net);
	int			m = snn_method_from_name(method);
	MemoryContext ctx,
				old;
	SnnNetwork *res,
			   *out;

	if (m == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("unknown training method \"%s\"", method),
				 errhint("Use backprop, ridge, stdp or hebbian.")));
	if (d->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no training samples")));
	if (d->dim != (int) img->n_inputs)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the network has %u inputs but the samples have %d features",
						img->n_inputs, d->dim)));
	if (d->t != NULL && m != SNN_METHOD_RIDGE)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("method %s needs integer class labels; real targets are for ridge regression",
						method)));
	if (d->y == NULL && d->t == NULL && (m == SNN_METHOD_BACKPROP || m == SNN_METHOD_RIDGE))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("method %s needs labels", method)));
	if (m == SNN_METHOD_BACKPROP && d->y)
	{
		const snn_layer *L = snn_layers(img);
		uint32		k = img->n_layers ? L[img->n_layers - 1].size : 0;

		for (int i = 0; i < d->n; i++)
			if (d->y[i] < 0 || (uint32) d->y[i] >= k)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("label %d of sample %d is outside [0, %u): the output layer has %u neurons",
								d->y[i], i + 1, k, k)));
	}

	ctx = AllocSetContextCreate(CurrentMemoryContext, "snn train", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	switch (m)
	{
		case SNN_METHOD_BACKPROP:
			res = train_backprop(img, d, options);
			break;
		case SNN_METHOD_RIDGE:
			res = train_ridge(img, d, options);
			break;
		default:
			res = train_unsupervised(img, d, options, (snn_method) m);
			break;
	}
	MemoryContextSwitchTo(old);
	out = palloc_extended(VARSIZE(res), MCXT_ALLOC_HUGE);
	memcpy(out, res, VARSIZE(res));
	MemoryContextDelete(ctx);
	return out;
}

/* snn_train(net, inputs, labels, method, options): arrays in, network out. */
Datum
snn_train(PG_FUNCTION_ARGS)
{
	SnnNetwork *net;
	SnnDataSet	d;
	char	   *method;
	Jsonb	   *opts;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	net = PG_GETARG_SNN_P(0);
	memset(&d, 0, sizeof(d));
	snn_read_matrix(PG_GETARG_ARRAYTYPE_P(1), "inputs", &d.x, &d.n, &d.dim);
	if (!PG_ARGISNULL(2))
	{
		ArrayType  *la = PG_GETARG_ARRAYTYPE_P(2);

		if (is_label_type(ARR_ELEMTYPE(la)))
			d.y = read_labels(la, d.n);
		else
			read_targets(la, d.n, &d);
	}
	method = text_to_cstring(PG_GETARG_TEXT_PP(3));
	opts = PG_ARGISNULL(4) ? NULL : PG_GETARG_JSONB_P(4);
	PG_RETURN_POINTER(snn_train_network(net, &d, method, opts));
}

/*
 * snn_train_query(net, query, method, options): the samples are the rows
 * of a query whose first column is the features (real[] or double
 * precision[]) and whose optional second column is the integer label.
 */
Datum
snn_train_query(PG_FUNCTION_ARGS)
{
	SnnNetwork *net;
	char	   *query,
			   *method;
	Jsonb	   *opts;
	SnnDataSet	d;
	MemoryContext caller = CurrentMemoryContext;
	uint64		nrows;
	int			ret;
	TupleDesc	td;
	bool		has_label;
	bool		is_target = false;

	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(2))
		PG_RETURN_NULL();
	net = PG_GETARG_SNN_P(0);
	query = text_to_cstring(PG_GETARG_TEXT_PP(1));
	method = text_to_cstring(PG_GETARG_TEXT_PP(2));
	opts = PG_ARGISNULL(3) ? NULL : PG_GETARG_JSONB_P(3);
	memset(&d, 0, sizeof(d));

	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	ret = SPI_execute(query, true, 0);
	if (ret != SPI_OK_SELECT)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the training query must be a SELECT returning (features, label)")));
	td = SPI_tuptable->tupdesc;
	nrows = SPI_processed;
	if (td->natts < 1 || td->natts > 2)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the training query must return one or two columns (features, label), not %d",
						td->natts)));
	if (SPI_gettypeid(td, 1) != FLOAT4ARRAYOID && SPI_gettypeid(td, 1) != FLOAT8ARRAYOID)
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("the first column of the training query must be real[] or double precision[]")));
	has_label = td->natts == 2;
	if (has_label)
	{
		Oid			lt = SPI_gettypeid(td, 2);

		if (lt == FLOAT4OID || lt == FLOAT8OID)
			is_target = true;
		else if (lt != INT4OID && lt != INT2OID && lt != INT8OID)
			ereport(ERROR,
					(errcode(ERRCODE_DATATYPE_MISMATCH),
					 errmsg("the second column of the training query must be an integer label or a real target")));
	}
	if (nrows > (uint64) (MAX_TRAIN_BYTES / sizeof(float)))
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many training rows")));
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		d.n = (int) nrows;
		d.y = has_label && !is_target ? palloc(sizeof(int32) * Max(nrows, 1)) : NULL;
		d.t = is_target ? palloc(sizeof(float) * Max(nrows, 1)) : NULL;
		d.k = is_target ? 1 : 0;
		MemoryContextSwitchTo(spi);
	}
	for (uint64 i = 0; i < nrows; i++)
	{
		HeapTuple	tup = SPI_tuptable->vals[i];
		bool		isnull;
		Datum		fv = SPI_getbinval(tup, td, 1, &isnull);
		ArrayType  *a;
		int			n;

		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("row %llu of the training query has NULL features",
							(unsigned long long) i + 1)));
		a = DatumGetArrayTypeP(fv);
		n = ArrayGetNItems(ARR_NDIM(a), ARR_DIMS(a));
		if (i == 0)
		{
			MemoryContext spi = MemoryContextSwitchTo(caller);

			d.dim = n;
			if (n == 0)
				ereport(ERROR,
						(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
						 errmsg("row 1 of the training query has no features")));
			if ((Size) nrows * n * sizeof(float) > MAX_TRAIN_BYTES)
				ereport(ERROR,
						(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
						 errmsg("the training data exceed 1 GB")));
			d.x = palloc_extended(sizeof(float) * (Size) nrows * n, MCXT_ALLOC_HUGE);
			MemoryContextSwitchTo(spi);
		}
		if (n != d.dim)
			ereport(ERROR,
					(errcode(ERRCODE_DATA_EXCEPTION),
					 errmsg("row %llu of the training query has %d features, row 1 has %d",
							(unsigned long long) i + 1, n, d.dim)));
		snn_read_features(a, d.dim, d.x + (Size) i * d.dim);
		if (has_label)
		{
			Datum		lv = SPI_getbinval(tup, td, 2, &isnull);
			Oid			lt = SPI_gettypeid(td, 2);
			int64		l;

			if (isnull)
				ereport(ERROR,
						(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
						 errmsg("row %llu of the training query has a NULL label",
								(unsigned long long) i + 1)));
			if (is_target)
			{
				double		tv = lt == FLOAT4OID ? DatumGetFloat4(lv) : DatumGetFloat8(lv);

				if (!isfinite(tv) || fabs(tv) > FLT_MAX)
					ereport(ERROR,
							(errcode(ERRCODE_FLOATING_POINT_EXCEPTION),
							 errmsg("the target of row %llu is not a finite number",
									(unsigned long long) i + 1)));
				d.t[i] = (float) tv;
				continue;
			}
			l = lt == INT4OID ? DatumGetInt32(lv) :
				lt == INT2OID ? DatumGetInt16(lv) : DatumGetInt64(lv);
			if (l < PG_INT32_MIN || l > PG_INT32_MAX)
				ereport(ERROR,
						(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
						 errmsg("label of row %llu is out of range", (unsigned long long) i + 1)));
			d.y[i] = (int32) l;
		}
	}
	SPI_finish();
	PG_RETURN_POINTER(snn_train_network(net, &d, method, opts));
}

/* snn_train_history(net): the training records, decoded. */
Datum
snn_train_history(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	SnnNetwork *net = PG_GETARG_SNN_P(0);
	const snn_image *img = SnnNetworkImage(net);
	const snn_history_rec *h = snn_sec(img, SNN_SEC_HISTORY);

	InitMaterializedSRF(fcinfo, 0);
	for (uint32 i = 0; i < img->n_history; i++)
	{
		Datum		values[9];
		bool		nulls[9] = {false};
		char		note[sizeof(h->note) + 1];
		double		ms = 0.0;
		char	   *num;

		memcpy(note, h[i].note, sizeof(h->note));
		note[sizeof(h->note)] = '\0';
		num = strpbrk(note, "0123456789");
		if (num)
			ms = strtod(num, NULL);
		values[0] = Int32GetDatum(i + 1);
		values[1] = CStringGetTextDatum(snn_method_name(h[i].method));
		values[2] = Int32GetDatum((int32) h[i].epochs);
		values[3] = Int64GetDatum((int64) h[i].samples);
		values[4] = Float8GetDatum(h[i].loss);
		nulls[4] = !isfinite(h[i].loss) || h[i].loss < 0.0;
		values[5] = Float8GetDatum(h[i].metric);
		nulls[5] = !isfinite(h[i].metric) || h[i].metric < 0.0;
		values[6] = BoolGetDatum(strncmp(note, "converged", 9) == 0);
		values[7] = Float8GetDatum(ms);
		nulls[7] = num == NULL;
		values[8] = TimestampTzGetDatum(h[i].time_us -
										(int64) (POSTGRES_EPOCH_JDATE - UNIX_EPOCH_JDATE) * USECS_PER_DAY);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}
