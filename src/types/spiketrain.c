/*
 * spiketrain.c: the spiketrain type (many spikes per neuron).
 *
 * Text I/O calls the engine's parser and formatter
 * (engine/snn_spiketrain_text.c); this file adds the versioned binary
 * form, casts to and from spikes, accessors, the array constructor and
 * equality with hash support.  The stored events are canonical (sorted by
 * step, then neuron, no duplicates), so equality is a byte comparison.
 */
#include "postgres.h"

#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "fmgr.h"
#include "funcapi.h"
#include "libpq/pqformat.h"
#include "utils/array.h"
#include "utils/builtins.h"

#include "snn.h"
#include "snn_events.h"
#include "snn_spiketrain_text.h"
#include "spikes.h"
#include "spiketrain.h"

/* First byte of the binary form; recv refuses any other. */
#define SPIKETRAIN_BINARY_VERSION	1

/* A spiketrain of the largest shape must fit in one palloc. */
StaticAssertDecl(SPIKETRAIN_SIZE(SNN_TRAIN_MAX_EVENTS) <= MaxAllocSize,
				 "spiketrain event limit exceeds MaxAllocSize");

PG_FUNCTION_INFO_V1(spiketrain_in);
PG_FUNCTION_INFO_V1(spiketrain_out);
PG_FUNCTION_INFO_V1(spiketrain_recv);
PG_FUNCTION_INFO_V1(spiketrain_send);
PG_FUNCTION_INFO_V1(spiketrain_to_spikes);
PG_FUNCTION_INFO_V1(spikes_to_spiketrain);
PG_FUNCTION_INFO_V1(spiketrain_neurons);
PG_FUNCTION_INFO_V1(spiketrain_events);
PG_FUNCTION_INFO_V1(spiketrain_duration);
PG_FUNCTION_INFO_V1(spiketrain_neuron_events);
PG_FUNCTION_INFO_V1(spiketrain_unnest);
PG_FUNCTION_INFO_V1(spiketrain_counts);
PG_FUNCTION_INFO_V1(spiketrain_window);
PG_FUNCTION_INFO_V1(spiketrain_from_arrays);
PG_FUNCTION_INFO_V1(spiketrain_eq);
PG_FUNCTION_INFO_V1(spiketrain_ne);
PG_FUNCTION_INFO_V1(spiketrain_lt);
PG_FUNCTION_INFO_V1(spiketrain_le);
PG_FUNCTION_INFO_V1(spiketrain_gt);
PG_FUNCTION_INFO_V1(spiketrain_ge);
PG_FUNCTION_INFO_V1(spiketrain_cmp);
PG_FUNCTION_INFO_V1(spiketrain_hash);
PG_FUNCTION_INFO_V1(spiketrain_hash_extended);

static void report(snn_status st, const snn_error *err, const char *what) pg_attribute_noreturn();

/* Engine failures the user caused become errors with their SQLSTATE. */
static void
report(snn_status st, const snn_error *err, const char *what)
{
	Assert(err->status == st);
	snn_engine_error(err, 0, NULL, 0, what);
}

/* Text input: the engine parses straight into the new value's events. */
Datum
spiketrain_in(PG_FUNCTION_ARGS)
{
	char	   *str = PG_GETARG_CSTRING(0);
	size_t		len = strlen(str);
	size_t		cap = snn_spiketrain_text_max_events(str, len);
	SpikeTrain *t = spiketrain_alloc(0, 0, (uint32) cap);
	size_t		n;
	uint32_t	neurons,
				steps;
	snn_error	err;
	snn_status	st;

	st = snn_spiketrain_parse(str, len, &neurons, &steps, t->events, cap, &n, &err);
	if (st != SNN_OK)
		report(st, &err, "spiketrain parser");
	t->n_neurons = neurons;
	t->n_steps = steps;
	t->n_events = (uint32) n;
	SET_VARSIZE(t, SPIKETRAIN_SIZE(n));
	PG_RETURN_SPIKETRAIN_P(t);
}

/* Text output: canonical, events in (step, neuron) order. */
Datum
spiketrain_out(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	size_t		cap = snn_spiketrain_text_size(t->n_neurons, t->n_steps,
											   t->events, t->n_events);
	char	   *buf;
	size_t		len;
	snn_error	err;
	snn_status	st;

	if (cap > MaxAllocSize)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("spiketrain text would need %zu bytes, more than the limit of %zu",
						cap, (size_t) MaxAllocSize)));
	buf = palloc(cap);
	st = snn_spiketrain_format(t->n_neurons, t->n_steps, t->events, t->n_events,
							   buf, cap, &len, &err);
	if (st != SNN_OK)
		report(st, &err, "spiketrain formatter");
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_CSTRING(buf);
}

/*
 * Binary input: version byte 1, then uint32 neurons, steps and event
 * count, then per event uint32 step and uint32 neuron, all in network
 * order.  The shape and the exact length are checked before anything is
 * allocated, the events (order, duplicates, bounds) before returning.
 */
Datum
spiketrain_recv(PG_FUNCTION_ARGS)
{
	StringInfo	buf = (StringInfo) PG_GETARG_POINTER(0);
	int			version;
	uint32		neurons,
				steps,
				n;
	SpikeTrain *t;
	snn_error	err;
	snn_status	st;

	if (buf->len - buf->cursor < 13)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("spiketrain binary value is too short (%d bytes, at least 13 needed)",
						buf->len - buf->cursor)));
	version = pq_getmsgbyte(buf);
	if (version != SPIKETRAIN_BINARY_VERSION)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("unsupported spiketrain binary format version %d", version),
				 errdetail("This server reads version %d.", SPIKETRAIN_BINARY_VERSION)));
	neurons = pq_getmsgint(buf, 4);
	steps = pq_getmsgint(buf, 4);
	n = pq_getmsgint(buf, 4);
	st = snn_train_check_shape(neurons, steps, n, &err);
	if (st != SNN_OK)
		snn_engine_error(&err, ERRCODE_INVALID_BINARY_REPRESENTATION,
						 "invalid spiketrain binary value", 0, "spiketrain_recv");
	if ((uint64) (buf->len - buf->cursor) != (uint64) n * 8)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_BINARY_REPRESENTATION),
				 errmsg("spiketrain binary value has %d bytes of events, expected %llu for %u events",
						buf->len - buf->cursor, (unsigned long long) n * 8, n)));
	t = spiketrain_alloc(neurons, steps, n);
	for (uint32 i = 0; i < n; i++)
	{
		t->events[i].step = pq_getmsgint(buf, 4);
		t->events[i].neuron = pq_getmsgint(buf, 4);
	}
	st = snn_train_validate(neurons, steps, t->events, n, &err);
	if (st != SNN_OK)
		snn_engine_error(&err, ERRCODE_INVALID_BINARY_REPRESENTATION,
						 "invalid spiketrain binary value", 0, "spiketrain_recv");
	PG_RETURN_SPIKETRAIN_P(t);
}

/* Binary output, the counterpart of spiketrain_recv. */
Datum
spiketrain_send(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	StringInfoData buf;

	pq_begintypsend(&buf);
	pq_sendbyte(&buf, SPIKETRAIN_BINARY_VERSION);
	pq_sendint32(&buf, t->n_neurons);
	pq_sendint32(&buf, t->n_steps);
	pq_sendint32(&buf, t->n_events);
	for (uint32 i = 0; i < t->n_events; i++)
	{
		pq_sendint32(&buf, t->events[i].step);
		pq_sendint32(&buf, t->events[i].neuron);
	}
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_BYTEA_P(pq_endtypsend(&buf));
}

/*
 * spiketrain -> spikes: each neuron's first spike.  A pattern holds steps
 * 0..254 only, so a neuron whose first spike is later is an error rather
 * than silently dropped (silence would claim it never fired).
 */
Datum
spiketrain_to_spikes(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	uint32_t   *first;
	Spikes	   *s;

	if (t->n_neurons > SPIKES_MAX_DIM)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("spiketrain has %u neurons, more than the %d a spikes pattern holds",
						t->n_neurons, SPIKES_MAX_DIM)));
	first = palloc(sizeof(uint32_t) * t->n_neurons);
	snn_events_first_spikes(t->events, t->n_events, t->n_neurons, first);
	s = spikes_alloc((int) t->n_neurons);
	for (uint32 i = 0; i < t->n_neurons; i++)
	{
		if (first[i] == UINT32_MAX)
			continue;			/* never fires: stays silent */
		if (first[i] > SPIKES_MAX_STEP)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("neuron %u first fires at step %u, after step %d, the last a spikes pattern holds",
							i, first[i], SPIKES_MAX_STEP)));
		s->t[i] = (uint8) first[i];
	}
	pfree(first);
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_SPIKES_P(s);
}

/*
 * spikes -> spiketrain: one event a neuron that fired, over the 255 steps
 * (0..254) a pattern spans.
 */
Datum
spikes_to_spiketrain(PG_FUNCTION_ARGS)
{
	Spikes	   *s = PG_GETARG_SPIKES_P(0);
	uint32		fired = 0;
	SpikeTrain *t;

	for (int i = 0; i < s->dim; i++)
		fired += s->t[i] != SNN_SILENT;
	t = spiketrain_alloc(s->dim, SPIKES_MAX_STEP + 1, fired);
	fired = 0;
	for (int i = 0; i < s->dim; i++)
	{
		if (s->t[i] == SNN_SILENT)
			continue;
		t->events[fired].step = s->t[i];
		t->events[fired].neuron = (uint32) i;
		fired++;
	}
	t->n_events = (uint32) snn_events_normalise(t->events, fired);
	PG_FREE_IF_COPY(s, 0);
	PG_RETURN_SPIKETRAIN_P(t);
}

/*
 * The shape fields of a train, reading only the header when the value is
 * toasted: a slice of the first bytes instead of the whole event array.
 */
static void
train_header(Datum d, uint32 *neurons, uint32 *steps, uint32 *events)
{
	SpikeTrain *t;

	if (VARATT_IS_EXTENDED(DatumGetPointer(d)))
		t = (SpikeTrain *) PG_DETOAST_DATUM_SLICE(d, 0,
												  offsetof(SpikeTrain, events) - VARHDRSZ);
	else
		t = (SpikeTrain *) DatumGetPointer(d);
	if (VARSIZE(t) < offsetof(SpikeTrain, events))
		elog(ERROR, "spiketrain value is truncated (%u bytes)", (unsigned) VARSIZE(t));
	*neurons = t->n_neurons;
	*steps = t->n_steps;
	*events = t->n_events;
	if ((Pointer) t != DatumGetPointer(d))
		pfree(t);
}

/* Number of neurons (the shape, not only those that fire). */
Datum
spiketrain_neurons(PG_FUNCTION_ARGS)
{
	uint32		neurons,
				steps,
				events;

	train_header(PG_GETARG_DATUM(0), &neurons, &steps, &events);
	PG_RETURN_INT32((int32) neurons);
}

/* Number of spike events. */
Datum
spiketrain_events(PG_FUNCTION_ARGS)
{
	uint32		neurons,
				steps,
				events;

	train_header(PG_GETARG_DATUM(0), &neurons, &steps, &events);
	PG_RETURN_INT32((int32) events);
}

/* Duration in steps. */
Datum
spiketrain_duration(PG_FUNCTION_ARGS)
{
	uint32		neurons,
				steps,
				events;

	train_header(PG_GETARG_DATUM(0), &neurons, &steps, &events);
	PG_RETURN_INT32((int32) steps);
}

/* The steps one neuron fires at, ascending; {} when it never fires. */
Datum
spiketrain_neuron_events(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	int32		neuron = PG_GETARG_INT32(1);
	Datum	   *elems;
	int			n = 0;
	ArrayType  *result;

	if (neuron < 0 || (uint32) neuron >= t->n_neurons)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("neuron %d is outside 0..%u", neuron, t->n_neurons - 1)));
	for (uint32 i = 0; i < t->n_events; i++)
		n += t->events[i].neuron == (uint32) neuron;
	elems = palloc(sizeof(Datum) * Max(n, 1));
	n = 0;
	for (uint32 i = 0; i < t->n_events; i++)
		if (t->events[i].neuron == (uint32) neuron)
			elems[n++] = Int32GetDatum((int32) t->events[i].step);
	result = construct_array(elems, n, INT4OID, sizeof(int32), true, TYPALIGN_INT);
	pfree(elems);
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_ARRAYTYPE_P(result);
}

/* Spikes of each neuron, one element a neuron. */
Datum
spiketrain_counts(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	uint32_t   *counts = palloc(sizeof(uint32_t) * t->n_neurons);
	Datum	   *elems = palloc(sizeof(Datum) * t->n_neurons);
	ArrayType  *result;

	snn_events_counts(t->events, t->n_events, t->n_neurons, counts);
	for (uint32 i = 0; i < t->n_neurons; i++)
		elems[i] = Int32GetDatum((int32) counts[i]);
	result = construct_array(elems, (int) t->n_neurons, INT4OID, sizeof(int32), true,
							 TYPALIGN_INT);
	pfree(counts);
	pfree(elems);
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_ARRAYTYPE_P(result);
}

/*
 * spiketrain_window(train, from_step, steps): the events of steps
 * from_step .. from_step + steps - 1, shifted to start at 0, in a train of
 * steps steps.  The window may reach past the end (nothing fires there).
 * With from_step 0 and steps 255 it keeps what a spikes pattern can hold.
 */
Datum
spiketrain_window(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	int32		from = PG_GETARG_INT32(1);
	int32		steps = PG_GETARG_INT32(2);
	SpikeTrain *w;
	size_t		n;
	snn_error	err;
	snn_status	st;

	if (from < 0)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("from_step %d must not be negative", from)));
	if (steps < 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("steps %d is outside 1..%d", steps, SNN_TRAIN_MAX_STEPS)));
	st = snn_train_check_shape(t->n_neurons, (uint64) steps, 0, &err);
	if (st != SNN_OK)
		report(st, &err, "spiketrain_window");
	w = spiketrain_alloc(t->n_neurons, (uint32) steps, t->n_events);
	n = snn_events_window(t->events, t->n_events, (uint32) from, (uint32) steps, w->events);
	w->n_events = (uint32) n;
	SET_VARSIZE(w, SPIKETRAIN_SIZE(n));
	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_SPIKETRAIN_P(w);
}

/* One row (step, neuron) an event, in (step, neuron) order. */
Datum
spiketrain_unnest(PG_FUNCTION_ARGS)
{
	FuncCallContext *fc;
	SpikeTrain *t;

	if (SRF_IS_FIRSTCALL())
	{
		MemoryContext old;
		TupleDesc	tupdesc;

		fc = SRF_FIRSTCALL_INIT();
		old = MemoryContextSwitchTo(fc->multi_call_memory_ctx);
		if (get_call_result_type(fcinfo, NULL, &tupdesc) != TYPEFUNC_COMPOSITE)
			elog(ERROR, "spiketrain_unnest must return a composite type");
		fc->tuple_desc = BlessTupleDesc(tupdesc);
		/* detoast once, into the memory that lives across calls */
		fc->user_fctx = PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
		fc->max_calls = ((SpikeTrain *) fc->user_fctx)->n_events;
		MemoryContextSwitchTo(old);
	}
	fc = SRF_PERCALL_SETUP();
	t = (SpikeTrain *) fc->user_fctx;
	if (fc->call_cntr < fc->max_calls)
	{
		Datum		values[2];
		bool		nulls[2] = {false, false};
		snn_event	ev = t->events[fc->call_cntr];

		values[0] = Int32GetDatum((int32) ev.step);
		values[1] = Int32GetDatum((int32) ev.neuron);
		SRF_RETURN_NEXT(fc, HeapTupleGetDatum(heap_form_tuple(fc->tuple_desc, values, nulls)));
	}
	SRF_RETURN_DONE(fc);
}

/* A one-dimensional int[] without NULLs; returns its elements. */
static int32 *
int_array_elems(ArrayType *arr, const char *name, int *n)
{
	if (ARR_NDIM(arr) > 1)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("%s must be one-dimensional, not %d-dimensional", name, ARR_NDIM(arr))));
	if (ARR_ELEMTYPE(arr) != INT4OID)
		elog(ERROR, "%s must be int4[], got type %u", name, ARR_ELEMTYPE(arr));
	if (array_contains_nulls(arr))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("%s must not contain NULL", name)));
	*n = ArrayGetNItems(ARR_NDIM(arr), ARR_DIMS(arr));
	return (int32 *) ARR_DATA_PTR(arr);
}

/*
 * spiketrain(neurons, steps, event_steps, event_neurons): event i fires
 * neuron event_neurons[i] at step event_steps[i].  Like text input, the
 * events are sorted and repeats dropped.
 */
Datum
spiketrain_from_arrays(PG_FUNCTION_ARGS)
{
	int32		neurons = PG_GETARG_INT32(0);
	int32		steps = PG_GETARG_INT32(1);
	ArrayType  *as = PG_GETARG_ARRAYTYPE_P(2);
	ArrayType  *an = PG_GETARG_ARRAYTYPE_P(3);
	int32	   *es,
			   *en;
	int			ns,
				nn;
	SpikeTrain *t;
	snn_error	err;
	snn_status	st;

	if (neurons < 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("spiketrain neurons %d is outside 1..%d", neurons, SNN_TRAIN_MAX_NEURONS)));
	if (steps < 1)
		ereport(ERROR,
				(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
				 errmsg("spiketrain steps %d is outside 1..%d", steps, SNN_TRAIN_MAX_STEPS)));
	es = int_array_elems(as, "event_steps", &ns);
	en = int_array_elems(an, "event_neurons", &nn);
	if (ns != nn)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("event_steps has %d elements but event_neurons has %d", ns, nn)));
	st = snn_train_check_shape(neurons, steps, (uint64) ns, &err);
	if (st != SNN_OK)
		report(st, &err, "spiketrain");
	t = spiketrain_alloc((uint32) neurons, (uint32) steps, (uint32) ns);
	for (int i = 0; i < ns; i++)
	{
		if (es[i] < 0 || es[i] >= steps)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("event %d: step %d is outside 0..%d", i + 1, es[i], steps - 1)));
		if (en[i] < 0 || en[i] >= neurons)
			ereport(ERROR,
					(errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
					 errmsg("event %d: neuron %d is outside 0..%d", i + 1, en[i], neurons - 1)));
		t->events[i].step = (uint32) es[i];
		t->events[i].neuron = (uint32) en[i];
	}
	t->n_events = (uint32) snn_events_normalise(t->events, (size_t) ns);
	SET_VARSIZE(t, SPIKETRAIN_SIZE(t->n_events));
	PG_RETURN_SPIKETRAIN_P(t);
}

/* Bytes after the varlena header that define the value. */
static inline Size
payload_size(const SpikeTrain *t)
{
	return SPIKETRAIN_SIZE(t->n_events) - offsetof(SpikeTrain, n_neurons);
}

/* Canonical storage makes equality a byte comparison. */
static bool
train_equal(const SpikeTrain *a, const SpikeTrain *b)
{
	return a->n_neurons == b->n_neurons && a->n_steps == b->n_steps &&
		a->n_events == b->n_events &&
		memcmp(a->events, b->events, (Size) a->n_events * sizeof(snn_event)) == 0;
}

/* Same shape and same events. */
Datum
spiketrain_eq(PG_FUNCTION_ARGS)
{
	SpikeTrain *a = PG_GETARG_SPIKETRAIN_P(0);
	SpikeTrain *b = PG_GETARG_SPIKETRAIN_P(1);
	bool		r = train_equal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(r);
}

/* Not spiketrain_eq. */
Datum
spiketrain_ne(PG_FUNCTION_ARGS)
{
	SpikeTrain *a = PG_GETARG_SPIKETRAIN_P(0);
	SpikeTrain *b = PG_GETARG_SPIKETRAIN_P(1);
	bool		r = !train_equal(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_BOOL(r);
}

/*
 * A total order for sorting, DISTINCT and unique indexes: by neurons, then
 * steps, then the events compared pairwise in (step, neuron) order, a
 * train that is a prefix of another first.  It has no physical meaning.
 */
static int
train_cmp(const SpikeTrain *a, const SpikeTrain *b)
{
	uint32		n = Min(a->n_events, b->n_events);

	if (a->n_neurons != b->n_neurons)
		return a->n_neurons < b->n_neurons ? -1 : 1;
	if (a->n_steps != b->n_steps)
		return a->n_steps < b->n_steps ? -1 : 1;
	for (uint32 i = 0; i < n; i++)
	{
		if (a->events[i].step != b->events[i].step)
			return a->events[i].step < b->events[i].step ? -1 : 1;
		if (a->events[i].neuron != b->events[i].neuron)
			return a->events[i].neuron < b->events[i].neuron ? -1 : 1;
	}
	if (a->n_events != b->n_events)
		return a->n_events < b->n_events ? -1 : 1;
	return 0;
}

/* Compare two arguments, freeing detoasted copies. */
static int
cmp_args(FunctionCallInfo fcinfo)
{
	SpikeTrain *a = PG_GETARG_SPIKETRAIN_P(0);
	SpikeTrain *b = PG_GETARG_SPIKETRAIN_P(1);
	int			r = train_cmp(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	return r;
}

/* btree support: -1, 0 or 1. */
Datum
spiketrain_cmp(PG_FUNCTION_ARGS)
{
	PG_RETURN_INT32(cmp_args(fcinfo));
}

/* a < b in the spiketrain order. */
Datum
spiketrain_lt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cmp_args(fcinfo) < 0);
}

/* a <= b in the spiketrain order. */
Datum
spiketrain_le(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cmp_args(fcinfo) <= 0);
}

/* a > b in the spiketrain order. */
Datum
spiketrain_gt(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cmp_args(fcinfo) > 0);
}

/* a >= b in the spiketrain order. */
Datum
spiketrain_ge(PG_FUNCTION_ARGS)
{
	PG_RETURN_BOOL(cmp_args(fcinfo) >= 0);
}

/* Hash of the canonical bytes, consistent with equality. */
Datum
spiketrain_hash(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	Datum		h = hash_any((const unsigned char *) &t->n_neurons, (int) payload_size(t));

	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_DATUM(h);
}

/* Seeded 64-bit hash, for hash partitioning. */
Datum
spiketrain_hash_extended(PG_FUNCTION_ARGS)
{
	SpikeTrain *t = PG_GETARG_SPIKETRAIN_P(0);
	Datum		h = hash_any_extended((const unsigned char *) &t->n_neurons,
									  (int) payload_size(t), PG_GETARG_INT64(1));

	PG_FREE_IF_COPY(t, 0);
	PG_RETURN_DATUM(h);
}
