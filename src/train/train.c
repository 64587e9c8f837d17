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
#include "lib/stringinfo.h"
#include "miscadmin.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "jsonb_opts.h"
#include "snn.h"
#include "snn_train_methods.h"
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
 * Options: a flat jsonb object of the method's options (its list in
 * engine/snn_train_methods.c); unknown keys, wrong types and values out of
 * range are errors naming the option.
 */
static const JsonbOptsStyle opt_style = {"option \"%s\"", false};

/* One key of the options: an error unless the method knows it. */
static void
opt_check_key(void *ctx, const char *key, JsonbValue *v)
{
	const snn_train_method *m = (const snn_train_method *) ctx;

	for (int i = 0; i < m->n_options; i++)
		if (strcmp(key, m->options[i].name) == 0)
			return;
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown option \"%s\" for method %s", key, m->name)));
}

/* A number option, in its range. */
static double
opt_number(const snn_opt_def *o, JsonbValue *v)
{
	double		d = jsonb_opts_number(&opt_style, o->name, v);

	if (!(d >= o->lo && d <= o->hi))
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("option \"%s\" must be between %g and %g, not %g", o->name, o->lo, o->hi, d)));
	if (o->kind == SNN_OPT_INTEGER && d != floor(d))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("option \"%s\" must be an integer", o->name)));
	return d;
}

/* A choice option: the index of its name; the error lists the names. */
static double
opt_choice(const snn_opt_def *o, JsonbValue *v)
{
	StringInfoData names;
	int			n = 0;

	for (int i = 0; o->choices[i]; i++, n++)
		if (v->type == jbvString && v->val.string.len == strlen(o->choices[i]) &&
			strncmp(v->val.string.val, o->choices[i], v->val.string.len) == 0)
			return i;
	initStringInfo(&names);
	for (int i = 0; i < n; i++)
		appendStringInfo(&names, "%s\"%s\"", i == 0 ? "" : i == n - 1 ? " or " : ", ",
						 o->choices[i]);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("option \"%s\" must be %s", o->name, names.data)));
	return 0;					/* not reached */
}

/* The options of method m from jsonb (NULL: none), typed and in range. */
static void
read_options(const snn_train_method *m, Jsonb *jb, snn_train_options *out)
{
	memset(out, 0, sizeof(*out));
	if (jb == NULL)
		return;
	if (!JB_ROOT_IS_OBJECT(jb))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("options must be a JSON object")));
	jsonb_opts_walk(&jb->root, opt_check_key, (void *) m);
	for (int i = 0; i < m->n_options && i < SNN_TRAIN_MAX_OPTIONS; i++)
	{
		const snn_opt_def *o = &m->options[i];
		JsonbValue *v = jsonb_opts_find(&jb->root, o->name);

		if (v == NULL || v->type == jbvNull)
			continue;
		out->given[i] = 1;
		if (o->kind == SNN_OPT_BOOL)
			out->value[i] = jsonb_opts_bool(&opt_style, o->name, v) ? 1 : 0;
		else if (o->kind == SNN_OPT_CHOICE)
			out->value[i] = opt_choice(o, v);
		else
			out->value[i] = opt_number(o, v);
	}
}

/* ---------------------------------------------------------------------
 * Entry points.
 */

snn_train_progress_hook_type snn_train_progress_hook = NULL;

/* Epoch progress from the engine, handed to the runtime's hook when set. */
static void
train_progress(void *arg, uint32_t epoch, uint32_t epochs, double loss)
{
	(void) arg;
	if (snn_train_progress_hook)
		snn_train_progress_hook(epoch, epochs, loss);
}

/* The engine's memory for a training: the current (private) context. */
static void *
train_alloc(void *arg, size_t size, int zero)
{
	(void) arg;
	return palloc_extended(size, MCXT_ALLOC_HUGE | (zero ? MCXT_ALLOC_ZERO : 0));
}

/*
 * What the network, data or options lack for the method: the engine's
 * wording; a method that needs a feed-forward network hints at one.
 */
static void
train_refuse(const snn_error *err, const snn_image *img)
{
	if (strcmp(err->field, "kind") == 0 && img->kind != SNN_KIND_FEEDFORWARD)
		ereport(ERROR,
				(errcode(snn_status_sqlstate(err->status)),
				 errmsg("%s", err->msg),
				 errhint("Create one with snn_create('{\"kind\": \"feedforward\", ...}').")));
	snn_engine_error(err, 0, NULL, 0, NULL);
}

/* Engine failure during training: an error with the method as context. */
static void
train_fail(const snn_error *err, const char *method)
{
	char		ctx[64];

	snprintf(ctx, sizeof(ctx), "snn_train, method %s", method);
	snn_report_error(err, ctx);
}

/* The method of a name; an unknown one lists them all. */
static const snn_train_method *
train_method(const char *name)
{
	const snn_train_method *m = snn_train_method_find(name);
	StringInfoData names;
	int			n = 0;

	if (m != NULL)
		return m;
	while (snn_train_method_at(n) != NULL)
		n++;
	initStringInfo(&names);
	for (int i = 0; i < n; i++)
		appendStringInfo(&names, "%s%s", i == 0 ? "" : i == n - 1 ? " or " : ", ",
						 snn_train_method_at(i)->name);
	ereport(ERROR,
			(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
			 errmsg("unknown training method \"%s\"", name),
			 errhint("Use %s.", names.data)));
	return NULL;				/* not reached */
}

/* The data set against the method: samples, width, labels or targets. */
static void
check_data(const snn_train_method *m, const snn_image *img, SnnDataSet *d)
{
	if (d->n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("no training samples")));
	if (d->dim != (int) img->n_inputs)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("the network has %u inputs but the samples have %d features",
						img->n_inputs, d->dim)));
	if (d->t != NULL && !(m->flags & SNN_TRAIN_TAKES_TARGETS))
		ereport(ERROR,
				(errcode(ERRCODE_DATATYPE_MISMATCH),
				 errmsg("method %s needs integer class labels; real targets are for ridge regression",
						m->name)));
	if (d->y == NULL && d->t == NULL && (m->flags & SNN_TRAIN_NEEDS_LABELS))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("method %s needs labels", m->name)));
}

/*
 * Train a copy of net in a private context (the engine's memory, freed at
 * once, also on an error or a cancel); the input value is untouched.
 */
SnnNetwork *
snn_train_network(SnnNetwork *net, SnnDataSet *d, const char *method, Jsonb *options)
{
	const snn_image *img = SnnNetworkImage(net);
	const snn_train_method *m = train_method(method);
	snn_train_request rq;
	snn_error	err;
	MemoryContext ctx,
				old;
	void	   *res;
	size_t		size;
	SnnNetwork *out;

	check_data(m, img, d);
	memset(&rq, 0, sizeof(rq));
	rq.img = img;
	rq.method = m;
	rq.data.n = d->n;
	rq.data.dim = d->dim;
	rq.data.x = d->x;
	rq.data.y = d->y;
	rq.data.k = d->k;
	rq.data.t = d->t;
	read_options(m, options, &rq.options);
	rq.progress = train_progress;
	rq.alloc = train_alloc;
	rq.out_header = SNN_NETWORK_HDRSZ;
	snn_error_clear(&err);
	if (snn_train_check(&rq, &err) != SNN_OK)
		train_refuse(&err, img);

	ctx = AllocSetContextCreate(CurrentMemoryContext, "snn train", ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(ctx);
	if (snn_train_run(&rq, &res, &size, &err) != SNN_OK)
		train_fail(&err, m->name);
	MemoryContextSwitchTo(old);
	out = palloc_extended(SNN_NETWORK_HDRSZ + size, MCXT_ALLOC_HUGE);
	memcpy(out, res, SNN_NETWORK_HDRSZ + size);
	SET_VARSIZE(out, SNN_NETWORK_HDRSZ + size);
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
