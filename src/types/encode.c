/*
 * encode.c: SQL wrappers of the encoders and decoders (engine/snn_encode.c).
 *
 * Each wrapper turns SQL arrays into C arrays (one-dimensional, no NULLs),
 * lets the engine validate and compute, and builds the result value.  Rate
 * and Poisson codes run in two phases: count, allocate once, fill.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include <math.h>

#include "snn.h"
#include "snn_encode.h"
#include "spikes.h"
#include "spiketrain.h"

StaticAssertDecl(SNN_PATTERN_MAX_DIM == SPIKES_MAX_DIM, "pattern limits differ");
StaticAssertDecl(SNN_TTFS_SILENT == SNN_SILENT, "silent bytes differ");

PG_FUNCTION_INFO_V1(snn_encode_ttfs_sql);
PG_FUNCTION_INFO_V1(snn_decode_ttfs_sql);
PG_FUNCTION_INFO_V1(snn_encode_rate_sql);
PG_FUNCTION_INFO_V1(snn_decode_rate_sql);
PG_FUNCTION_INFO_V1(snn_encode_poisson_sql);
PG_FUNCTION_INFO_V1(snn_encode_population_sql);
PG_FUNCTION_INFO_V1(snn_decode_population_sql);
PG_FUNCTION_INFO_V1(snn_encode_delta_sql);
PG_FUNCTION_INFO_V1(snn_decode_delta_sql);

static void report(snn_status st, const snn_error *err, const char *fn) pg_attribute_noreturn();

/* Raise an engine failure with its SQLSTATE. */
static void
report(snn_status st, const snn_error *err, const char *fn)
{
	Assert(err->status == st);
	snn_engine_error(err, 0, NULL, 0, fn);
}

/* float8[] argument as a C array: one-dimensional, no NULL elements. */
static double *
float_array(ArrayType *arr, const char *name, size_t *n)
{
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must be one-dimensional, not %d-dimensional", name, ARR_NDIM(arr))));
	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		elog(ERROR, "%s must be float8[], got type %u", name, ARR_ELEMTYPE(arr));
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain NULL", name)));
	*n = (size_t) ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	return (double *) ARR_DATA_PTR(arr);
}

/*
 * An int argument that the engine takes as a count of at least 1.  Above
 * max it is a size limit (54000), except for TTFS steps, where 255 is a
 * property of the code (22003).
 */
static uint32
positive_arg(int32 v, const char *name, int64 max)
{
	bool		limit = v > max && max != SNN_TTFS_MAX_STEPS;

	if (v < 1 || v > max)
		ereport(ERROR,
				(errcode(limit ? ERRCODE_PROGRAM_LIMIT_EXCEEDED : ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("%s %d is outside 1..%lld", name, v, (long long) max)));
	return (uint32) v;
}

/* float8[] result; NaN elements become NULL (no value to give). */
static ArrayType *
float_result(const double *v, size_t n)
{
	Datum	   *elems = palloc(sizeof(Datum) * Max(n, 1));
	bool	   *nulls = palloc(sizeof(bool) * Max(n, 1));
	int			dims[1] = {(int) n};
	int			lbs[1] = {1};
	ArrayType  *r;

	for (size_t i = 0; i < n; i++)
	{
		nulls[i] = isnan(v[i]);
		elems[i] = Float8GetDatum(nulls[i] ? 0.0 : v[i]);
	}
	r = construct_md_array(elems, nulls, 1, dims, lbs, FLOAT8OID,
						   sizeof(float8), FLOAT8PASSBYVAL, TYPALIGN_DOUBLE);
	pfree(elems);
	pfree(nulls);
	return r;
}

/* snn_encode_ttfs(values, lo, hi, steps) -> spikes. */
Datum
snn_encode_ttfs_sql(PG_FUNCTION_ARGS)
{
	size_t		n;
	double	   *v = float_array(PG_GETARG_ARRAYTYPE_P(0), "values", &n);
	uint32		steps = positive_arg(PG_GETARG_INT32(3), "steps", SNN_TTFS_MAX_STEPS);
	uint8	   *out = palloc(Max(n, 1));
	snn_error	err;
	snn_status	st;
	Spikes	   *s;

	st = snn_encode_ttfs(v, n, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), steps, out, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_encode_ttfs");
	s = spikes_alloc((int) n);
	memcpy(s->t, out, n);
	pfree(out);
	PG_RETURN_SPIKES_P(s);
}

/* snn_decode_ttfs(spikes, lo, hi, steps) -> float8[]. */
Datum
snn_decode_ttfs_sql(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	uint32		steps = positive_arg(PG_GETARG_INT32(3), "steps", SNN_TTFS_MAX_STEPS);
	double	   *out = palloc(sizeof(double) * Max(s->dim, 1));
	snn_error	err;
	snn_status	st;

	st = snn_decode_ttfs(s->t, s->dim, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2),
						 steps, out, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_decode_ttfs");
	PG_RETURN_ARRAYTYPE_P(float_result(out, s->dim));
}

/* snn_encode_rate(values, lo, hi, steps, max_rate) -> spiketrain. */
Datum
snn_encode_rate_sql(PG_FUNCTION_ARGS)
{
	size_t		n,
				count;
	double	   *v = float_array(PG_GETARG_ARRAYTYPE_P(0), "values", &n);
	double		lo = PG_GETARG_FLOAT8(1);
	double		hi = PG_GETARG_FLOAT8(2);
	uint32		steps = positive_arg(PG_GETARG_INT32(3), "steps", SNN_TRAIN_MAX_STEPS);
	double		rate = PG_GETARG_FLOAT8(4);
	uint32	   *scratch;
	snn_error	err;
	snn_status	st;
	SpikeTrain *t;

	st = snn_encode_rate(v, n, lo, hi, steps, rate, NULL, 0, &count, NULL, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_encode_rate");
	t = spiketrain_alloc((uint32) n, steps, (uint32) count);
	scratch = palloc(sizeof(uint32) * ((Size) steps + 1));
	st = snn_encode_rate(v, n, lo, hi, steps, rate, t->events, count, &count, scratch, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_encode_rate");
	pfree(scratch);
	PG_RETURN_SPIKETRAIN_P(t);
}

/* snn_decode_rate(train, lo, hi, max_rate) -> float8[]. */
Datum
snn_decode_rate_sql(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	double	   *out = palloc(sizeof(double) * t->n_neurons);
	snn_error	err;
	snn_status	st;

	st = snn_decode_rate(t->n_neurons, t->n_steps, t->events, t->n_events,
						 PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), PG_GETARG_FLOAT8(3),
						 out, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_decode_rate");
	PG_RETURN_ARRAYTYPE_P(float_result(out, t->n_neurons));
}

/* snn_encode_poisson(values, lo, hi, steps, max_rate, seed) -> spiketrain. */
Datum
snn_encode_poisson_sql(PG_FUNCTION_ARGS)
{
	size_t		n,
				count;
	double	   *v = float_array(PG_GETARG_ARRAYTYPE_P(0), "values", &n);
	double		lo = PG_GETARG_FLOAT8(1);
	double		hi = PG_GETARG_FLOAT8(2);
	uint32		steps = positive_arg(PG_GETARG_INT32(3), "steps", SNN_TRAIN_MAX_STEPS);
	double		rate = PG_GETARG_FLOAT8(4);
	uint64		seed = (uint64) PG_GETARG_INT64(5);
	uint64	   *scratch = NULL;
	snn_error	err;
	snn_status	st;
	SpikeTrain *t;

	/* per-neuron scratch only once the size is known to be acceptable */
	if (n >= 1 && n <= SNN_TRAIN_MAX_NEURONS)
		scratch = palloc(sizeof(uint64) * 2 * n);
	st = snn_encode_poisson(v, n, lo, hi, steps, rate, seed, NULL, 0, &count, scratch, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_encode_poisson");
	t = spiketrain_alloc((uint32) n, steps, (uint32) count);
	st = snn_encode_poisson(v, n, lo, hi, steps, rate, seed, t->events, count, &count, scratch, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_encode_poisson");
	pfree(scratch);
	PG_RETURN_SPIKETRAIN_P(t);
}

/*
 * snn_encode_population(values, lo, hi, neurons_per_value, steps, sigma,
 * min_activation) -> spikes.
 */
Datum
snn_encode_population_sql(PG_FUNCTION_ARGS)
{
	size_t		n;
	double	   *v = float_array(PG_GETARG_ARRAYTYPE_P(0), "values", &n);
	uint32		per = positive_arg(PG_GETARG_INT32(3), "neurons_per_value",
								   SNN_POPULATION_MAX_PER_VALUE);
	uint32		steps = positive_arg(PG_GETARG_INT32(4), "steps", SNN_TTFS_MAX_STEPS);
	uint8	   *out;
	snn_error	err;
	snn_status	st;
	Spikes	   *s;

	/* n * per is checked by the engine; allocate only what it accepts */
	if (n == 0 || (uint64) n * per > SNN_PATTERN_MAX_DIM)
		out = palloc(1);
	else
		out = palloc(n * per);
	st = snn_encode_population(v, n, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), per, steps,
							   PG_GETARG_FLOAT8(5), PG_GETARG_FLOAT8(6), out, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_encode_population");
	s = spikes_alloc((int) (n * per));
	memcpy(s->t, out, n * per);
	pfree(out);
	PG_RETURN_SPIKES_P(s);
}

/*
 * snn_decode_population(spikes, lo, hi, neurons_per_value, steps, sigma,
 * min_activation) -> float8[], NULL for a group that stayed silent.
 */
Datum
snn_decode_population_sql(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	uint32		per = positive_arg(PG_GETARG_INT32(3), "neurons_per_value",
								   SNN_POPULATION_MAX_PER_VALUE);
	uint32		steps = positive_arg(PG_GETARG_INT32(4), "steps", SNN_TTFS_MAX_STEPS);
	size_t		n = s->dim / per;
	double	   *out;
	snn_error	err;
	snn_status	st;

	if (s->dim % per != 0)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("spikes has %d neurons, not a multiple of neurons_per_value %u",
						s->dim, per)));
	out = palloc(sizeof(double) * Max(n, 1));
	st = snn_decode_population(s->t, n, PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), per, steps,
							   PG_GETARG_FLOAT8(5), PG_GETARG_FLOAT8(6), out, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_decode_population");
	PG_RETURN_ARRAYTYPE_P(float_result(out, n));
}

/* snn_encode_delta(values, threshold) -> spiketrain of 2 neurons. */
Datum
snn_encode_delta_sql(PG_FUNCTION_ARGS)
{
	size_t		n,
				count;
	double	   *v = float_array(PG_GETARG_ARRAYTYPE_P(0), "values", &n);
	snn_error	err;
	snn_status	st;
	SpikeTrain *t;

	/* room for one event a step, but only once the size is known good */
	if (n == 0 || n > SNN_TRAIN_MAX_STEPS)
		t = spiketrain_alloc(2, 1, 0);
	else
		t = spiketrain_alloc(2, (uint32) n, (uint32) n);
	st = snn_encode_delta(v, n, PG_GETARG_FLOAT8(1), t->events, t->n_events, &count, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_encode_delta");
	t->n_events = (uint32) count;
	SET_VARSIZE(t, SPIKETRAIN_SIZE(count));
	PG_RETURN_SPIKETRAIN_P(t);
}

/* snn_decode_delta(train, initial, threshold) -> float8[], one a step. */
Datum
snn_decode_delta_sql(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	double	   *out = palloc(sizeof(double) * t->n_steps);
	snn_error	err;
	snn_status	st;

	st = snn_decode_delta(t->n_neurons, t->n_steps, t->events, t->n_events,
						  PG_GETARG_FLOAT8(1), PG_GETARG_FLOAT8(2), out, &err);
	if (st != SNN_OK)
		report(st, &err, "snn_decode_delta");
	PG_RETURN_ARRAYTYPE_P(float_result(out, t->n_steps));
}
