/*
 * wta.c: snn_wta_winner, the winner-take-all competition of snn_allocate
 * over a candidate set the caller gathered itself.
 *
 * snn_allocate finds its candidates in one table.  Across shards, the
 * candidates come from several servers (snn_shard_allocate merges each
 * shard's nearest rows); this function lets them compete in the same LIF
 * layer (engine: snn_wta.c) with the same currents, so a sharded allocation
 * picks the same winner as a single-node one over the same candidates.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_type.h"
#include "fmgr.h"
#include "utils/array.h"

#include "snn.h"
#include "snn_wta.h"

/* The distances as a C array: one-dimensional, no NULL, at most the layer. */
static const double *
distance_array(ArrayType *arr, int *n)
{
	int			count;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("distances must be one-dimensional, not %d-dimensional", ARR_NDIM(arr))));
	if (ARR_ELEMTYPE(arr) != FLOAT8OID)
		elog(ERROR, "distances must be float8[], got type %u", ARR_ELEMTYPE(arr));
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("distances must not contain NULL")));
	count = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	if (count > SNN_WTA_MAX_NEURONS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("at most %d candidates can compete, not %d", SNN_WTA_MAX_NEURONS, count)));
	*n = count;
	return (const double *) ARR_DATA_PTR(arr);
}

PG_FUNCTION_INFO_V1(snn_wta_winner);

/*
 * snn_wta_winner(distances float8[], vigilance float8) -> integer: the
 * 1-based position of the candidate that fires first, NULL when none does.
 */
Datum
snn_wta_winner(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	double		vigilance = PG_GETARG_FLOAT8(1);
	snn_wta_params params;
	snn_wta_result res;
	snn_error	err;
	const double *dist;
	double	   *current,
			   *v;
	int			n;

	if (isnan(vigilance) || isinf(vigilance))
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("vigilance must be a finite distance")));
	if (vigilance < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("vigilance must not be negative")));
	dist = distance_array(arr, &n);
	for (int i = 0; i < n; i++)
		if (isnan(dist[i]) || dist[i] < 0)
			ereport(ERROR,
					(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
					 errmsg("distance %d is not a non-negative number", i + 1)));

	current = palloc(sizeof(double) * (n > 0 ? n : 1));
	v = palloc(sizeof(double) * (n > 0 ? n : 1));
	snn_wta_default_params(&params);
	snn_error_clear(&err);
	if (snn_wta_currents(dist, n, vigilance, &params, current, &err) != SNN_OK ||
		snn_wta_run(current, n, &params, v, &res, &err) != SNN_OK)
		snn_report_error(&err, "snn_wta_winner");
	pfree(current);
	pfree(v);
	if (res.winner < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(res.winner + 1);
}
