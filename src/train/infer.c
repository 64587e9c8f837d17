/*
 * infer.c: snn_infer, snn_predict, their batch forms, and snn_energy.
 *
 * Per-call setup (detoasting the network, validating its trained block,
 * allocating scratch) is done once per query: the prepared network is kept
 * in fn_extra and reused while the argument is the same value.  The key is
 * the TOAST pointer for an out-of-line value (its value id is unique) and
 * the bytes themselves otherwise, so a different network is never mistaken
 * for the cached one.
 */
#include "postgres.h"

#include <float.h>
#include <math.h>

#include "access/detoast.h"
#include "access/htup_details.h"
#include "catalog/pg_type.h"
#include "common/shortest_dec.h"
#include "funcapi.h"
#include "fmgr.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "snn.h"
#include "snn_energy.h"
#include "snn_model.h"
#include "snn_train_methods.h"
#include "spikes.h"
#include "train.h"

PG_FUNCTION_INFO_V1(snn_infer);
PG_FUNCTION_INFO_V1(snn_predict);
PG_FUNCTION_INFO_V1(snn_infer_batch);
PG_FUNCTION_INFO_V1(snn_predict_batch);
PG_FUNCTION_INFO_V1(snn_energy);
PG_FUNCTION_INFO_V1(snn_predict_rate);
PG_FUNCTION_INFO_V1(snn_predict_values);

/* A prepared network and its scratch buffers. */
typedef struct InferCtx
{
	MemoryContext mcxt;			/* holds this struct and everything below */
	TupleDesc	td;				/* snn_infer's blessed result type, or NULL */
	/* cache key */
	bool		ondisk;
	Oid			toastrelid;
	Oid			valueid;
	char	   *raw;			/* copy of the inline bytes, or NULL */
	Size		raw_len;
	/* prepared */
	SnnNetwork *net;
	const snn_image *img;
	const snn_trained *t;
	const float *f;				/* the block's floats */
	snn_ttfs_net ttfs;
	snn_stdp_options so;
	float	   *feat;			/* raw features */
	float	   *xs;				/* scaled features */
	float	   *scratch;
	float	   *states;
	float	   *outputs;
	uint8	   *times;
	void	   *rwork;
	Size		rws;
	char		rettype;		/* snn_predict_values' result: 'r' or 'd' */
} InferCtx;

/* What one inference reports. */
typedef struct InferResult
{
	int32		predicted;
	bool		has_predicted;
	double		confidence;
	uint32		layer_spikes[SNN_MAX_LAYERS];
	uint32		n_layers;
	uint32		steps;
	uint64		synaptic_ops;
	uint64		neuron_updates;
	double		microseconds;
} InferResult;

/* Prepare a network for inference in mcxt (validates the trained block). */
static InferCtx *
ctx_build(MemoryContext parent, struct varlena *raw)
{
	MemoryContext mcxt = AllocSetContextCreate(parent, "snn inference",
											   ALLOCSET_SMALL_SIZES);
	MemoryContext old = MemoryContextSwitchTo(mcxt);
	InferCtx   *c = palloc0(sizeof(InferCtx));
	const snn_trained *t;
	snn_error	err;
	uint32		nf,
				no;

	if (VARATT_IS_EXTERNAL_ONDISK(raw))
	{
		struct varatt_external ext;

		VARATT_EXTERNAL_GET_POINTER(ext, raw);
		c->ondisk = true;
		c->toastrelid = ext.va_toastrelid;
		c->valueid = ext.va_valueid;
	}
	else if (!VARATT_IS_EXTERNAL(raw))
	{
		c->raw_len = VARSIZE_ANY(raw);
		c->raw = palloc(c->raw_len);
		memcpy(c->raw, raw, c->raw_len);
	}
	c->mcxt = mcxt;
	c->net = (SnnNetwork *) detoast_attr(raw);
	if ((struct varlena *) c->net == raw)
	{
		SnnNetwork *copy = palloc(VARSIZE(raw));

		memcpy(copy, raw, VARSIZE(raw));
		c->net = copy;
	}
	c->img = SnnNetworkImage(c->net);
	t = snn_trained_of(c->img);
	if (t == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("the network is not trained"),
				 errhint("Train it with snn_train(), or run it on spike trains with snn_simulate().")));
	snn_error_clear(&err);
	if (snn_trained_validate(c->img, t, c->img->sec[SNN_SEC_NORM].size, &err) != SNN_OK)
		snn_report_error(&err, "snn trained block");
	c->t = t;
	c->f = snn_trained_floats(t);
	nf = t->n_features;
	no = t->n_outputs;
	c->feat = palloc(sizeof(float) * nf);
	c->xs = palloc(sizeof(float) * nf);
	c->outputs = palloc(sizeof(float) * no);
	c->times = palloc(no);
	switch (t->method)
	{
		case SNN_METHOD_BACKPROP:
			c->ttfs.shape = t->shape;
			c->ttfs.steps = t->steps;
			c->ttfs.output_threshold = t->output_threshold;
			c->ttfs.params = c->f + t->off_params;
			c->ttfs.lambda = c->f + t->off_lambda;
			c->scratch = palloc(sizeof(float) * snn_ttfs_scratch_size(&t->shape));
			break;
		case SNN_METHOD_RIDGE:
			c->states = palloc(sizeof(float) * c->img->n_neurons);
			c->rws = snn_reservoir_work_size(c->img, t->steps);
			c->rwork = palloc_extended(c->rws, MCXT_ALLOC_HUGE);
			break;
		default:
			snn_trained_stdp_options(t, &c->so);
			c->scratch = palloc(sizeof(float) * (nf + no + 16));
			break;
	}
	MemoryContextSwitchTo(old);
	return c;
}

/* The prepared network for argument argno, from fn_extra when unchanged. */
static InferCtx *
ctx_get(FunctionCallInfo fcinfo, int argno)
{
	struct varlena *raw = (struct varlena *) DatumGetPointer(PG_GETARG_DATUM(argno));
	InferCtx   *c = (InferCtx *) fcinfo->flinfo->fn_extra;

	if (c)
	{
		if (VARATT_IS_EXTERNAL_ONDISK(raw))
		{
			struct varatt_external ext;

			VARATT_EXTERNAL_GET_POINTER(ext, raw);
			if (c->ondisk && c->toastrelid == ext.va_toastrelid && c->valueid == ext.va_valueid)
				return c;
		}
		else if (c->raw && !VARATT_IS_EXTERNAL(raw) && VARSIZE_ANY(raw) == c->raw_len &&
				 memcmp(raw, c->raw, c->raw_len) == 0)
			return c;
		/* a different network: free the old one, prepare the new one */
		fcinfo->flinfo->fn_extra = NULL;
		MemoryContextDelete(c->mcxt);
	}
	c = ctx_build(fcinfo->flinfo->fn_mcxt, raw);
	fcinfo->flinfo->fn_extra = c;
	return c;
}

/* Map the first output neuron to its class (STDP/Hebbian labels). */
static void
set_label(InferCtx *c, int32 winner, InferResult *r)
{
	if (winner < 0)
		return;
	r->has_predicted = true;
	r->predicted = winner;
	if (c->t->n_classes > 0)
	{
		float		lab = c->f[c->t->off_labels + winner];

		if (lab >= 0.0f)
			r->predicted = (int32) lab;
		else
			r->has_predicted = false;
	}
}

/* Run one inference on c->feat; times (n_outputs) gets output spike steps. */
static void
infer_one(InferCtx *c, InferResult *r)
{
	const snn_trained *t = c->t;
	uint32		nf = t->n_features,
				no = t->n_outputs;
	instr_time	start,
				dur;

	memset(r, 0, sizeof(*r));
	INSTR_TIME_SET_CURRENT(start);
	snn_minmax_apply(c->feat, 1, nf, c->f + t->off_offset, c->f + t->off_scale, c->xs);
	switch (t->method)
	{
		case SNN_METHOD_BACKPROP:
			{
				snn_ttfs_result tr;

				snn_ttfs_run(&c->ttfs, c->xs, c->times, c->scratch, &tr);
				r->has_predicted = true;
				r->predicted = tr.predicted;
				r->confidence = tr.confidence;
				r->n_layers = t->shape.n_layers;
				for (uint32 l = 0; l < r->n_layers; l++)
					r->layer_spikes[l] = tr.layer_spikes[l];
				r->steps = tr.steps;
				r->synaptic_ops = tr.synaptic_ops;
				r->neuron_updates = tr.neuron_updates;
				break;
			}
		case SNN_METHOD_RIDGE:
			{
				snn_counters cnt;
				snn_error	err;

				memset(&cnt, 0, sizeof(cnt));
				snn_error_clear(&err);
				if (snn_reservoir_states(c->img, c->xs, t->steps, t->max_rate, t->seed,
										 c->states, c->rwork, c->rws, &cnt, &err) != SNN_OK)
					snn_report_error(&err, "snn_infer");
				snn_ridge_predict(c->f + t->off_readout, t->state_dim, no, c->states, c->outputs);
				snn_model_ridge_ttfs(c->outputs, no, c->times);
				if (t->n_classes > 0)
				{
					uint32		best = snn_argmax(c->outputs, no);
					float		second = -INFINITY;

					for (uint32 k = 0; k < no; k++)
						if (k != best && c->outputs[k] > second)
							second = c->outputs[k];
					r->has_predicted = true;
					r->predicted = (int32) best;
					r->confidence = Max(0.0, Min(1.0, c->outputs[best] - second));
				}
				r->n_layers = 1;
				r->layer_spikes[0] = (uint32) cnt.layer_spikes[0];
				r->steps = (uint32) cnt.steps;
				r->synaptic_ops = cnt.synaptic_events;
				r->neuron_updates = cnt.neuron_updates;
				break;
			}
		case SNN_METHOD_STDP:
			{
				uint64		syn = 0;
				uint32		steps = 0;
				int32		w;

				w = snn_wta_first(c->f + t->off_weights, c->f + t->off_theta, nf, no, c->xs,
								  &c->so, t->seed, NULL, c->scratch, &syn, c->times, &steps);
				set_label(c, w, r);
				r->confidence = w >= 0 ? 1.0 - (double) (steps - 1) / t->steps : 0.0;
				r->n_layers = 1;
				for (uint32 k = 0; k < no; k++)
					r->layer_spikes[0] += c->times[k] != 255;
				r->steps = steps;
				r->synaptic_ops = syn;
				r->neuron_updates = (uint64) steps * no;
				break;
			}
		case SNN_METHOD_HEBBIAN:
			{
				const float *w = c->f + t->off_weights;
				const float *mean = c->f + t->off_mean;
				float	   *y = c->outputs;
				uint32		best;
				float		second = 0.0f;

				best = snn_model_hebb_winner(w, mean, nf, no, c->xs, y);
				snn_model_hebb_ttfs(y, no, best, c->times);
				for (uint32 j = 0; j < no; j++)
					if (j != best && y[j] > second)
						second = y[j];
				set_label(c, (int32) best, r);
				r->confidence = y[best] > 0.0f ? (y[best] - second) / y[best] : 0.0;
				r->n_layers = 1;
				for (uint32 j = 0; j < no; j++)
					r->layer_spikes[0] += c->times[j] != 255;
				r->steps = 1;
				r->synaptic_ops = (uint64) nf * no;
				r->neuron_updates = no;
				break;
			}
	}
	INSTR_TIME_SET_CURRENT(dur);
	INSTR_TIME_SUBTRACT(dur, start);
	r->microseconds = INSTR_TIME_GET_DOUBLE(dur) * 1e6;
}

/* The record of snn_infer. */
static HeapTuple
result_tuple(InferCtx *c, const InferResult *r, TupleDesc td)
{
	Datum		values[8];
	bool		nulls[8] = {false};
	Spikes	   *sp = spikes_alloc((int) c->t->n_outputs);
	Datum	   *ls = palloc(sizeof(Datum) * Max(r->n_layers, 1));

	memcpy(sp->t, c->times, c->t->n_outputs);
	for (uint32 l = 0; l < r->n_layers; l++)
		ls[l] = Int32GetDatum((int32) Min(r->layer_spikes[l], (uint32) PG_INT32_MAX));
	values[0] = Int32GetDatum(r->predicted);
	nulls[0] = !r->has_predicted;
	values[1] = PointerGetDatum(sp);
	values[2] = Float8GetDatum(r->confidence);
	values[3] = PointerGetDatum(construct_array(ls, r->n_layers, INT4OID, 4, true, TYPALIGN_INT));
	values[4] = Int32GetDatum((int32) r->steps);
	values[5] = Int64GetDatum((int64) r->synaptic_ops);
	values[6] = Int64GetDatum((int64) r->neuron_updates);
	values[7] = Float8GetDatum(r->microseconds);
	return heap_form_tuple(td, values, nulls);
}

/* The spikes type's dimension limit applies to the outputs. */
static void
check_outputs(InferCtx *c)
{
	if (c->t->n_outputs > SPIKES_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("the network has %u outputs; spikes holds at most %d",
						c->t->n_outputs, SPIKES_MAX_DIM)));
}

/* snn_infer(net, features): one inference with its spikes and counts. */
Datum
snn_infer(PG_FUNCTION_ARGS)
{
	InferCtx   *c = ctx_get(fcinfo, 0);
	ArrayType  *a = PG_GETARG_ARRAYTYPE_P(1);
	InferResult r;

	if (c->td == NULL)
	{
		MemoryContext old = MemoryContextSwitchTo(c->mcxt);
		TupleDesc	td;

		if (get_call_result_type(fcinfo, NULL, &td) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "snn_infer must return a record");
		c->td = BlessTupleDesc(CreateTupleDescCopy(td));
		MemoryContextSwitchTo(old);
	}
	check_outputs(c);
	snn_read_features(a, (int) c->t->n_features, c->feat);
	infer_one(c, &r);
	PG_RETURN_DATUM(HeapTupleGetDatum(result_tuple(c, &r, c->td)));
}

/* snn_predict(net, features): the class alone, for WHERE and ORDER BY. */
Datum
snn_predict(PG_FUNCTION_ARGS)
{
	InferCtx   *c = ctx_get(fcinfo, 0);
	InferResult r;

	snn_read_features(PG_GETARG_ARRAYTYPE_P(1), (int) c->t->n_features, c->feat);
	infer_one(c, &r);
	if (!r.has_predicted)
		PG_RETURN_NULL();
	PG_RETURN_INT32(r.predicted);
}

/* Row i of a 2-D features array into c->feat. */
static void
batch_row(InferCtx *c, const float *m, int i)
{
	memcpy(c->feat, m + (Size) i * c->t->n_features, sizeof(float) * c->t->n_features);
}

/* Read a batch: rows x n_features. */
static float *
batch_read(InferCtx *c, ArrayType *a, int *rows)
{
	float	   *m;
	int			cols;

	snn_read_matrix(a, "features", &m, rows, &cols);
	if (cols != (int) c->t->n_features)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the network has %u inputs but the rows have %d features",
						c->t->n_features, cols)));
	return m;
}

/* snn_infer_batch(net, features[][]): one row of results per sample. */
Datum
snn_infer_batch(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	InferCtx   *c = ctx_get(fcinfo, 0);
	float	   *m;
	int			rows;
	TupleDesc	td,
				one;

	check_outputs(c);
	m = batch_read(c, PG_GETARG_ARRAYTYPE_P(1), &rows);
	InitMaterializedSRF(fcinfo, 0);
	td = rsinfo->setDesc;
	/* the record of snn_infer, with the row number first */
	one = CreateTemplateTupleDesc(td->natts - 1);
	for (int k = 1; k < td->natts; k++)
		TupleDescCopyEntry(one, k, td, k + 1);
	for (int i = 0; i < rows; i++)
	{
		InferResult r;
		HeapTuple	tup,
					inner;
		Datum		values[9];
		bool		nulls[9];

		CHECK_FOR_INTERRUPTS();
		batch_row(c, m, i);
		infer_one(c, &r);
		inner = result_tuple(c, &r, one);
		heap_deform_tuple(inner, one, values + 1, nulls + 1);
		values[0] = Int32GetDatum(i + 1);
		nulls[0] = false;
		tup = heap_form_tuple(td, values, nulls);
		tuplestore_puttuple(rsinfo->setResult, tup);
	}
	return (Datum) 0;
}

/* snn_predict_batch(net, features[][]): classes as an int[], in row order. */
Datum
snn_predict_batch(PG_FUNCTION_ARGS)
{
	InferCtx   *c = ctx_get(fcinfo, 0);
	float	   *m;
	int			rows;
	Datum	   *out;
	bool	   *nulls;
	int			dims[1],
				lbs[1] = {1};

	m = batch_read(c, PG_GETARG_ARRAYTYPE_P(1), &rows);
	out = palloc(sizeof(Datum) * Max(rows, 1));
	nulls = palloc(sizeof(bool) * Max(rows, 1));
	for (int i = 0; i < rows; i++)
	{
		InferResult r;

		if ((i & 255) == 0)
			CHECK_FOR_INTERRUPTS();
		batch_row(c, m, i);
		infer_one(c, &r);
		out[i] = Int32GetDatum(r.predicted);
		nulls[i] = !r.has_predicted;
	}
	dims[0] = rows;
	PG_RETURN_ARRAYTYPE_P(construct_md_array(out, nulls, 1, dims, lbs, INT4OID, 4, true,
											 TYPALIGN_INT));
}

/* Multiply-accumulates of the equivalent rate (non-spiking) network. */
static uint64
ann_macs(InferCtx *c, const InferResult *r)
{
	const snn_trained *t = c->t;

	switch (t->method)
	{
		case SNN_METHOD_BACKPROP:
			{
				uint64		m = 0;

				for (uint32 l = 0; l < t->shape.n_layers; l++)
					m += (uint64) t->shape.sizes[l] * t->shape.sizes[l + 1];
				return m;
			}
		case SNN_METHOD_RIDGE:
			/* the same synapses as rate units, every step, plus the read-out */
			return (c->img->n_in_syn + c->img->n_rec_syn) * (uint64) Max(r->steps, 1) +
				(uint64) (t->state_dim + 1) * t->n_outputs;
		default:
			return (uint64) t->n_features * t->n_outputs;
	}
}

/* snn_energy(net, features): estimated energy of one inference per platform. */
Datum
snn_energy(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	InferCtx   *c = ctx_get(fcinfo, 0);
	InferResult r;
	int			np;
	const snn_energy_platform *pl = snn_energy_platforms(&np);
	double		ann_nj;

	snn_read_features(PG_GETARG_ARRAYTYPE_P(1), (int) c->t->n_features, c->feat);
	infer_one(c, &r);
	ann_nj = (double) ann_macs(c, &r) * snn_energy_mac_pj() / 1000.0;
	InitMaterializedSRF(fcinfo, 0);
	for (int i = 0; i < np; i++)
	{
		Datum		values[6];
		bool		nulls[6] = {false};

		values[0] = CStringGetTextDatum(pl[i].name);
		values[1] = Int64GetDatum((int64) r.synaptic_ops);
		values[2] = Int64GetDatum((int64) r.neuron_updates);
		values[3] = Float8GetDatum(snn_energy_nj(&pl[i], r.synaptic_ops, r.neuron_updates));
		values[4] = Float8GetDatum(ann_nj);
		values[5] = CStringGetTextDatum(pl[i].source);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
	}
	return (Datum) 0;
}

/*
 * snn_predict_rate(net, features): the class the rate network trained by
 * backprop predicts (arg max of its logits), to compare with the spiking
 * network converted from it.
 */
Datum
snn_predict_rate(PG_FUNCTION_ARGS)
{
	InferCtx   *c = ctx_get(fcinfo, 0);
	const snn_trained *t = c->t;
	float	   *logits,
			   *scratch;
	uint32		mw = 0;

	if (t->method != SNN_METHOD_BACKPROP)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snn_predict_rate needs a network trained by backprop, not by %s",
						snn_method_name(t->method))));
	snn_read_features(PG_GETARG_ARRAYTYPE_P(1), (int) t->n_features, c->feat);
	snn_minmax_apply(c->feat, 1, t->n_features, c->f + t->off_offset, c->f + t->off_scale, c->xs);
	for (uint32 l = 0; l <= t->shape.n_layers; l++)
		mw = Max(mw, t->shape.sizes[l]);
	logits = palloc(sizeof(float) * t->n_outputs);
	scratch = palloc(sizeof(float) * 2 * mw);
	snn_mlp_forward(&t->shape, c->f + t->off_rate, c->xs, logits, scratch);
	PG_RETURN_INT32((int32) snn_argmax(logits, t->n_outputs));
}

/*
 * The double nearest a single-precision value's shortest decimal form, so
 * that 2.028732f reads back as 2.028732 and not as 2.0287320613861084.
 */
static double
float_as_decimal(float f)
{
	char		buf[FLOAT_SHORTEST_DECIMAL_LEN];

	float_to_shortest_decimal_buf(f, buf);
	return strtod(buf, NULL);
}

/*
 * snn_predict_values(net, features): the read-out values of a ridge
 * network (regression outputs, or one score a class), as double precision[]
 * like every other array of values; real[] for the 0.1.0 declaration, which
 * a database keeps until ALTER EXTENSION snn UPDATE.
 */
Datum
snn_predict_values(PG_FUNCTION_ARGS)
{
	InferCtx   *c = ctx_get(fcinfo, 0);
	InferResult r;
	Datum	   *d;
	bool		as_real;

	if (c->t->method != SNN_METHOD_RIDGE)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("snn_predict_values needs a network trained by ridge, not by %s",
						snn_method_name(c->t->method))));
	/* the declared result type, looked up once per prepared network */
	if (c->rettype == 0)
		c->rettype = get_func_rettype(fcinfo->flinfo->fn_oid) == FLOAT4ARRAYOID ? 'r' : 'd';
	as_real = c->rettype == 'r';
	snn_read_features(PG_GETARG_ARRAYTYPE_P(1), (int) c->t->n_features, c->feat);
	infer_one(c, &r);
	d = palloc(sizeof(Datum) * c->t->n_outputs);
	for (uint32 k = 0; k < c->t->n_outputs; k++)
		d[k] = as_real ? Float4GetDatum(c->outputs[k])
			: Float8GetDatum(float_as_decimal(c->outputs[k]));
	if (as_real)
		PG_RETURN_ARRAYTYPE_P(construct_array(d, c->t->n_outputs, FLOAT4OID, 4, true, TYPALIGN_INT));
	PG_RETURN_ARRAYTYPE_P(construct_array(d, c->t->n_outputs, FLOAT8OID, 8, FLOAT8PASSBYVAL,
										  TYPALIGN_DOUBLE));
}
