/*
 * spikes.c: the spikes type (a TTFS pattern, one byte a neuron).
 *
 * Text I/O calls the engine's strict parser and formatter
 * (engine/snn_spikes_text.c); this file adds typmod handling, the versioned
 * binary form, casts to and from int[], accessors, the btree and hash
 * support, and the distance functions over the engine's SIMD kernels.
 * Neurons are numbered from 0, as in the text form.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"

#include <math.h>

#include "snn.h"
#include "snn_spikes_text.h"
#include "spikes.h"

/* The engine and the type must agree on the limits. */
StaticAssertDecl(SPIKES_MAX_DIM == SNN_SPIKES_MAX_DIM, "spikes dimension limits differ");
StaticAssertDecl(SPIKES_MAX_STEP == SNN_SPIKES_MAX_STEP, "spikes step limits differ");

/* First byte of the binary form; recv refuses any other. */
#define SPIKES_BINARY_VERSION	1

PG_FUNCTION_INFO_V1(spikes_in);
PG_FUNCTION_INFO_V1(spikes_out);
PG_FUNCTION_INFO_V1(spikes_typmod_in);
PG_FUNCTION_INFO_V1(spikes_typmod_out);
PG_FUNCTION_INFO_V1(spikes_recv);
PG_FUNCTION_INFO_V1(spikes_send);
PG_FUNCTION_INFO_V1(spikes_coerce);
PG_FUNCTION_INFO_V1(spikes_from_int_array);
PG_FUNCTION_INFO_V1(spikes_to_int_array);
PG_FUNCTION_INFO_V1(spikes_dims);
PG_FUNCTION_INFO_V1(spikes_fired);
PG_FUNCTION_INFO_V1(spikes_first_neuron);
PG_FUNCTION_INFO_V1(spikes_earliest);
PG_FUNCTION_INFO_V1(spikes_eq);
PG_FUNCTION_INFO_V1(spikes_ne);
PG_FUNCTION_INFO_V1(spikes_lt);
PG_FUNCTION_INFO_V1(spikes_le);
PG_FUNCTION_INFO_V1(spikes_gt);
PG_FUNCTION_INFO_V1(spikes_ge);
PG_FUNCTION_INFO_V1(spikes_cmp);
PG_FUNCTION_INFO_V1(spikes_hash);
PG_FUNCTION_INFO_V1(spikes_hash_extended);
PG_FUNCTION_INFO_V1(spikes_l2_distance);
PG_FUNCTION_INFO_V1(spikes_l2_squared_distance);
PG_FUNCTION_INFO_V1(spikes_l1_distance);

/* Reject a pattern whose size does not match the column's spikes(n). */
static void
check_typmod(int dim, int32 typmod)
{
	if (typmod != -1 && dim != typmod)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("expected %d neurons, not %d", typmod, dim)));
}

/* Reject a neuron count outside 1..SPIKES_MAX_DIM. */
static void
check_dim(int64 dim)
{
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("spikes must have at least 1 neuron")));
	if (dim > SPIKES_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("spikes cannot have more than %d neurons", SPIKES_MAX_DIM)));
}

/* Distances are defined only between patterns of the same size. */
static void
check_same_dim(const Spikes *a, const Spikes *b)
{
	if (a->dim != b->dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different spikes dimensions %d and %d", a->dim, b->dim)));
}

/* Text input: the engine parses, we enforce the typmod. */
Datum
spikes_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	int32		typmod = PG_GETARG_INT32(2);
	size_t		cap = snn_spikes_parse_bound(str);
	uint8	   *buf = palloc(cap);
	size_t		dim;
	snn_error	err;
	snn_status	st;
	Spikes	   *result;

	st = snn_spikes_parse(str, buf, cap, &dim, &err);
	if (st != SNN_OK)
		snn_engine_error(&err, 0, NULL, 0, "spikes parser");
	check_typmod((int) dim, typmod);
	result = spikes_alloc((int) dim);
	memcpy(result->t, buf, dim);
	pfree(buf);
	PG_RETURN_SPIKES_P(result);
}

/* Text output: canonical "[0,3,_,12]". */
Datum
spikes_out(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	size_t		cap = SNN_SPIKES_TEXT_CAP(s->dim);
	char	   *buf = palloc(cap);

	if (snn_spikes_format(s->t, s->dim, buf, cap) == 0)
		elog(ERROR, "spikes formatter needs more than %zu bytes", cap);
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_CSTRING(buf);
}

/* spikes(n): one modifier, the number of neurons, 1..SPIKES_MAX_DIM. */
Datum
spikes_typmod_in(PG_FUNCTION_ARGS)
{
	ArrayType  *ta = PG_GETARG_ARRAYTYPE_P(0);
	int32	   *tl;
	int			n;

	tl = ArrayGetIntegerTypmods(ta, &n);
	if (n != 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("invalid type modifier"),
				 errdetail("Type spikes takes one modifier, the number of neurons.")));
	if (tl[0] < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("spikes must have at least 1 neuron")));
	if (tl[0] > SPIKES_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("spikes cannot have more than %d neurons", SPIKES_MAX_DIM)));
	PG_RETURN_INT32(tl[0]);
}

/* Show the modifier as "(n)". */
Datum
spikes_typmod_out(PG_FUNCTION_ARGS)
{
	int32		typmod = PG_GETARG_INT32(0);

	if (typmod < 0)
		PG_RETURN_CSTRING(pstrdup(""));
	PG_RETURN_CSTRING(psprintf("(%d)", typmod));
}

/*
 * Binary input: version byte, uint16 neuron count, one byte a neuron.
 * Every byte value is a valid neuron (0..254 a step, 255 silent), so the
 * checks are on the version, the count and the exact length.
 */
Datum
spikes_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int32		typmod = PG_GETARG_INT32(2);
	int			version;
	int			dim;
	int			left;
	Spikes	   *result;

	if (buf->len - buf->cursor < 3)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("spikes binary value is too short (%d bytes)",
						buf->len - buf->cursor)));
	version = pq_getmsgbyte(buf);
	if (version != SPIKES_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported spikes binary format version %d", version),
				 errdetail("This server reads version %d.", SPIKES_BINARY_VERSION)));
	dim = (int) pq_getmsgint(buf, 2);
	if (dim < 1)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("spikes binary value has 0 neurons")));
	left = buf->len - buf->cursor;
	if (left != dim)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("spikes binary value has %d bytes of neurons, expected %d",
						left, dim)));
	check_typmod(dim, typmod);
	result = spikes_alloc(dim);
	pq_copymsgbytes(buf, (char *) result->t, dim);
	PG_RETURN_SPIKES_P(result);
}

/* Binary output, the counterpart of spikes_recv. */
Datum
spikes_send(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SPIKES_BINARY_VERSION);
	pq_sendint16(&buf, s->dim);
	pq_sendbytes(&buf, (const char *) s->t, s->dim);
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/* Length coercion cast spikes -> spikes(n): sizes must already match. */
Datum
spikes_coerce(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);

	check_typmod(s->dim, PG_GETARG_INT32(1));
	PG_RETURN_SPIKES_P(s);
}

/* An element of a smallint[], integer[] or bigint[] as int64. */
static int64
int_array_elem(Datum d, Oid elt)
{
	if (elt == INT2OID)
		return DatumGetInt16(d);
	if (elt == INT4OID)
		return DatumGetInt32(d);
	return DatumGetInt64(d);
}

/*
 * smallint[], int[] or bigint[] -> spikes: element i is neuron i's step,
 * NULL when it is silent (one C function behind the three casts).
 */
Datum
spikes_from_int_array(PG_FUNCTION_ARGS)
{
	ArrayType  *arr = PG_GETARG_ARRAYTYPE_P(0);
	int32		typmod = PG_GETARG_INT32(1);
	Oid			elt = ARR_ELEMTYPE(arr);
	int16		typlen;
	bool		typbyval;
	char		typalign;
	Datum	   *elems;
	bool	   *nulls;
	int			n;
	Spikes	   *result;

	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("array must be one-dimensional, not %d-dimensional",
						ARR_NDIM(arr))));
	if (elt != INT2OID && elt != INT4OID && elt != INT8OID)
		elog(ERROR, "spikes cast expects an integer array, got type %u", elt);
	check_dim(ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr)));
	get_typlenbyvalalign(elt, &typlen, &typbyval, &typalign);
	deconstruct_array(arr, elt, typlen, typbyval, typalign, &elems, &nulls, &n);
	check_typmod(n, typmod);
	result = spikes_alloc(n);
	for (int i = 0; i < n; i++)
	{
		int64		v;

		if (nulls[i])
			continue;			/* already SNN_SILENT */
		v = int_array_elem(elems[i], elt);
		if (v < 0 || v > SPIKES_MAX_STEP)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("spike step %lld at neuron %d is out of range (0 to %d, or NULL for silent)",
							(long long) v, i, SPIKES_MAX_STEP)));
		result->t[i] = (uint8) v;
	}
	pfree(elems);
	pfree(nulls);
	PG_RETURN_SPIKES_P(result);
}

/* spikes -> int[]: one element a neuron, NULL for a silent one. */
Datum
spikes_to_int_array(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	Datum	   *elems = palloc(sizeof(Datum) * s->dim);
	bool	   *nulls = palloc(sizeof(bool) * s->dim);
	int			dims[1];
	int			lbs[1] = {1};
	ArrayType  *result;

	for (int i = 0; i < s->dim; i++)
	{
		nulls[i] = s->t[i] == SNN_SILENT;
		elems[i] = Int32GetDatum(nulls[i] ? 0 : (int32) s->t[i]);
	}
	dims[0] = s->dim;
	result = construct_md_array(elems, nulls, 1, dims, lbs, INT4OID,
								sizeof(int32), true, TYPALIGN_INT);
	pfree(elems);
	pfree(nulls);
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_ARRAYTYPE_P(result);
}

/* Number of neurons. */
Datum
spikes_dims(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	int32		dim = s->dim;

	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_INT32(dim);
}

/* Number of neurons that fired (not silent). */
Datum
spikes_fired(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	int32		fired = 0;

	for (int i = 0; i < s->dim; i++)
		fired += s->t[i] != SNN_SILENT;
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_INT32(fired);
}

/* Index (from 0) of the earliest neuron, lowest on ties; -1 if all silent. */
static int
first_neuron(const Spikes *s)
{
	int			best = -1;
	int			best_t = SNN_SILENT;

	for (int i = 0; i < s->dim; i++)
	{
		if (s->t[i] < best_t)
		{
			best_t = s->t[i];
			best = i;
		}
	}
	return best;
}

/* The neuron that fired first (the TTFS winner), NULL when none fired. */
Datum
spikes_first_neuron(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	int			i = first_neuron(s);

	PG_FREE_IF_COPY(s, 0);
	if (i < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(i);
}

/* The step of the earliest spike, NULL when none fired. */
Datum
spikes_earliest(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	int			i = first_neuron(s);
	int32		step = i < 0 ? 0 : s->t[i];

	PG_FREE_IF_COPY(s, 0);
	if (i < 0)
		PG_RETURN_NULL();
	PG_RETURN_INT32(step);
}

/*
 * Total order: neuron by neuron (silent sorts after every step), then the
 * shorter pattern first when one is a prefix of the other.
 */
static int
spikes_cmp_internal(const Spikes *a, const Spikes *b)
{
	int			c = memcmp(a->t, b->t, Min(a->dim, b->dim));

	if (c != 0)
		return c < 0 ? -1 : 1;
	if (a->dim != b->dim)
		return a->dim < b->dim ? -1 : 1;
	return 0;
}

/* Compare the two arguments and free detoasted copies (sorts call this a lot). */
static int
spikes_cmp_args(FunctionCallInfo fcinfo)
{
	Spikes	   *a = PG_GETARG_SPIKES_P(0);
	Spikes	   *b = PG_GETARG_SPIKES_P(1);
	int			c = spikes_cmp_internal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return c;
}

/* Same neurons, same steps. */
Datum
spikes_eq(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(spikes_cmp_args(fcinfo) == 0);
}

/* Not spikes_eq. */
Datum
spikes_ne(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(spikes_cmp_args(fcinfo) != 0);
}

/* Ordering operators for the btree class. */
Datum
spikes_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(spikes_cmp_args(fcinfo) < 0);
}

/* a <= b in the btree order. */
Datum
spikes_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(spikes_cmp_args(fcinfo) <= 0);
}

/* a > b in the btree order. */
Datum
spikes_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(spikes_cmp_args(fcinfo) > 0);
}

/* a >= b in the btree order. */
Datum
spikes_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(spikes_cmp_args(fcinfo) >= 0);
}

/* btree support function 1. */
Datum
spikes_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(spikes_cmp_args(fcinfo));
}

/* hash support function 1: equal patterns have equal bytes. */
Datum
spikes_hash(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	Datum		h = hash_any(s->t, s->dim);

	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_DATUM(h);
}

/* hash support function 2 (seeded, 64-bit), used by hash partitioning. */
Datum
spikes_hash_extended(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	Datum		h = hash_any_extended(s->t, s->dim, PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_DATUM(h);
}

/* Euclidean distance: square root of the exact integer squared distance. */
Datum
spikes_l2_distance(PG_FUNCTION_ARGS)
{
	Spikes	   *a = PG_GETARG_SPIKES_P(0);
	Spikes	   *b = PG_GETARG_SPIKES_P(1);
	uint64		d;

	check_same_dim(a, b);
	d = snn_l2sq_u8(a->t, b->t, a->dim);
	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_FLOAT8(sqrt((double) d));
}

/* Squared Euclidean distance, exact (an integer below 2^53). */
Datum
spikes_l2_squared_distance(PG_FUNCTION_ARGS)
{
	Spikes	   *a = PG_GETARG_SPIKES_P(0);
	Spikes	   *b = PG_GETARG_SPIKES_P(1);
	uint64		d;

	check_same_dim(a, b);
	d = snn_l2sq_u8(a->t, b->t, a->dim);
	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_FLOAT8((double) d);
}

/* Manhattan distance: sum of absolute step differences, exact. */
Datum
spikes_l1_distance(PG_FUNCTION_ARGS)
{
	Spikes	   *a = PG_GETARG_SPIKES_P(0);
	Spikes	   *b = PG_GETARG_SPIKES_P(1);
	uint64		d;

	check_same_dim(a, b);
	d = snn_l1_u8(a->t, b->t, a->dim);
	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_FLOAT8((double) d);
}
