/*
 * runtime_stats.c: latency histograms and the set-returning functions
 * behind the pg_stat_snn_* views of the runtime, built like
 * pg_stat_statements: counters in shared memory, a C function over them,
 * a view over the function.
 */
#include "postgres.h"

#include <math.h>

#include "catalog/pg_authid.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/timestamp.h"

#include "snn.h"
#include "runtime.h"

static const char *const rt_phase_names[RT_NPHASES] = {
	"spawn", "train", "infer", "save", "dispose"
};

static const char *const rt_mem_names[RT_NMEMCAT] = {
	"templates", "pool", "networks", "training", "detectors"
};

/*
 * Histogram bucket of a latency: four buckets an octave, so a percentile
 * read back is within about 12% of the true value.
 */
static int
rt_bucket(int64 us)
{
	int			e;
	int			q;
	int			b;

	if (us < 1)
		return 0;
	e = 63 - __builtin_clzll((uint64) us);
	q = e >= 2 ? (int) ((us >> (e - 2)) & 3) : (e == 1 ? (int) ((us & 1) << 1) : 0);
	b = 1 + 4 * e + q;
	return Min(b, RT_NBUCKETS - 1);
}

/* The middle of a bucket, in microseconds. */
static double
rt_bucket_mid(int b)
{
	int			e;
	int			q;
	double		lo;

	if (b == 0)
		return 0.5;
	e = (b - 1) / 4;
	q = (b - 1) % 4;
	lo = ldexp(1.0 + q / 4.0, e);
	return lo * (1.0 + 0.125 / (1.0 + q / 4.0));
}

/* Count one operation of a phase. */
void
rt_stat_latency(int slot, RtPhase phase, int64 us)
{
	RtLatency  *l = &rt_control->types[slot].lat[phase];

	pg_atomic_fetch_add_u64(&l->count, 1);
	pg_atomic_fetch_add_u64(&l->sum_us, (uint64) Max(us, 0));
	pg_atomic_fetch_add_u64(&l->bucket[rt_bucket(us)], 1);
}

/* Zero the counters of one slot. */
void
rt_stat_reset_slot(RtType *t)
{
	pg_atomic_write_u64(&t->gets, 0);
	pg_atomic_write_u64(&t->hits, 0);
	pg_atomic_write_u64(&t->timeouts, 0);
	pg_atomic_write_u64(&t->errors, 0);
	for (int p = 0; p < RT_NPHASES; p++)
	{
		pg_atomic_write_u64(&t->lat[p].count, 0);
		pg_atomic_write_u64(&t->lat[p].sum_us, 0);
		for (int b = 0; b < RT_NBUCKETS; b++)
			pg_atomic_write_u64(&t->lat[p].bucket[b], 0);
	}
}

/* Percentile p (0..1) of a histogram, NULL-able when empty. */
static double
rt_percentile(RtLatency *l, uint64 count, double p)
{
	uint64		target = (uint64) ceil(p * (double) count);
	uint64		seen = 0;

	if (target < 1)
		target = 1;
	for (int b = 0; b < RT_NBUCKETS; b++)
	{
		seen += pg_atomic_read_u64(&l->bucket[b]);
		if (seen >= target)
			return rt_bucket_mid(b);
	}
	return rt_bucket_mid(RT_NBUCKETS - 1);
}

/* Start a materialised SRF result. */
static void
rt_srf_begin(FunctionCallInfo fcinfo)
{
	rt_require_preload();
	rt_attach();
	InitMaterializedSRF(fcinfo, 0);
}

/* The name of a slot's type, or NULL for a slot no longer in use. */
static bool
rt_slot_name(int slot, char *name, Oid *dboid)
{
	RtType	   *t = &rt_control->types[slot];
	bool		ok;

	SpinLockAcquire(&t->mutex);
	ok = t->in_use || slot == RT_NONE_SLOT;
	if (ok)
	{
		strlcpy(name, t->name, NAMEDATALEN);
		*dboid = t->dboid;
	}
	SpinLockRelease(&t->mutex);
	return ok;
}

PG_FUNCTION_INFO_V1(snn_stat_pools);
PG_FUNCTION_INFO_V1(snn_stat_networks);
PG_FUNCTION_INFO_V1(snn_stat_lifecycle);
PG_FUNCTION_INFO_V1(snn_stat_memory);
PG_FUNCTION_INFO_V1(snn_stat_reset);

/* One row per network type in shared memory, plus "(none)" for loaded ones. */
Datum
snn_stat_pools(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	rt_srf_begin(fcinfo);
	for (int i = 0; i <= RT_MAX_TYPES; i++)
	{
		RtType	   *t = &rt_control->types[i];
		Datum		v[15];
		bool		n[15] = {0};
		char		name[NAMEDATALEN];
		Oid			dboid = InvalidOid;
		int32		ready,
					inuse,
					pmin,
					pmax;
		int64		ttl;
		uint64		gets,
					errors;
		bool		ok;

		SpinLockAcquire(&t->mutex);
		ok = t->in_use;
		strlcpy(name, t->name, NAMEDATALEN);
		dboid = t->dboid;
		ready = t->n_ready;
		inuse = t->n_inuse;
		pmin = t->pool_min;
		pmax = t->pool_max;
		ttl = t->ttl_us;
		SpinLockRelease(&t->mutex);
		if (i == RT_NONE_SLOT)
		{
			inuse = 0;
			ready = 0;
			ok = pg_atomic_read_u64(&t->gets) > 0;
		}
		if (!ok)
			continue;
		gets = pg_atomic_read_u64(&t->gets);
		errors = pg_atomic_read_u64(&t->errors);
		v[0] = CStringGetTextDatum(name);
		v[1] = ObjectIdGetDatum(dboid);
		n[1] = !OidIsValid(dboid);
		v[2] = Int32GetDatum(ready + inuse);
		v[3] = Int32GetDatum(ready);
		v[4] = Int32GetDatum(inuse);
		v[5] = Int32GetDatum((int32) pg_atomic_read_u32(&t->waiting));
		v[6] = Int64GetDatum((int64) gets);
		v[7] = Int64GetDatum((int64) pg_atomic_read_u64(&t->hits));
		v[8] = Int64GetDatum((int64) pg_atomic_read_u64(&t->timeouts));
		v[9] = Int64GetDatum((int64) errors);
		v[10] = Float8GetDatum(gets > 0 ? 1.0 - (double) Min(errors, gets) / (double) gets : 0);
		n[10] = gets == 0;
		v[11] = Float8GetDatum(ready + inuse > 0 ? (double) inuse / (double) (ready + inuse) : 0);
		n[11] = i == RT_NONE_SLOT;
		v[12] = Int32GetDatum(pmin);
		v[13] = Int32GetDatum(pmax);
		n[12] = n[13] = i == RT_NONE_SLOT;
		v[14] = Int64GetDatum(ttl / 1000);
		n[14] = i == RT_NONE_SLOT || ttl <= 0;
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	return (Datum) 0;
}

/*
 * One row per live network.  Like pg_stat_statements, networks of roles the
 * caller has no privileges of show only id, owner and type, unless the
 * caller has pg_read_all_stats.
 */
Datum
snn_stat_networks(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	dshash_seq_status status;
	RtEntry    *e;
	Oid			me = GetUserId();
	bool		all = has_privs_of_role(me, ROLE_PG_READ_ALL_STATS);

	rt_srf_begin(fcinfo);
	dshash_seq_init(&status, rt_registry(), false);
	while ((e = dshash_seq_next(&status)) != NULL)
	{
		Datum		v[15];
		bool		n[15] = {0};
		char		name[NAMEDATALEN];
		Oid			dboid;
		bool		visible = all || has_privs_of_role(me, e->owner);

		v[0] = Int64GetDatum(e->id);
		v[1] = ObjectIdGetDatum(e->owner);
		if (e->type_slot != RT_NONE_SLOT && rt_slot_name(e->type_slot, name, &dboid) &&
			rt_control->types[e->type_slot].generation == e->type_gen)
			v[2] = CStringGetTextDatum(name);
		else
			n[2] = true;
		v[3] = ObjectIdGetDatum(e->dboid);
		v[4] = CStringGetTextDatum(e->tag);
		n[4] = !visible || e->tag[0] == '\0';
		v[5] = CStringGetTextDatum(e->state == RT_NET_TRAINING ? "training" : "ready");
		v[6] = TimestampTzGetDatum(e->created);
		v[7] = TimestampTzGetDatum(e->last_used);
		v[8] = Int64GetDatum((int64) e->bytes);
		v[9] = Int64GetDatum((int64) e->n_infer);
		v[10] = Int64GetDatum((int64) e->n_train);
		v[11] = Int64GetDatum(e->ttl_us / 1000);
		n[11] = e->ttl_us <= 0;
		/* training progress (0.2.0; a 0.1.0 declaration reads the first 12) */
		v[12] = Int32GetDatum(e->train_epoch);
		v[13] = Int32GetDatum(e->train_epochs);
		v[14] = Float8GetDatum(e->train_loss);
		n[12] = n[13] = n[14] = e->train_epochs == 0;
		if (!visible)
		{
			for (int k = 5; k <= 10; k++)
				n[k] = true;
			n[12] = n[13] = n[14] = true;
		}
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	dshash_seq_term(&status);
	return (Datum) 0;
}

/* One row per (type, phase) that has counted something. */
Datum
snn_stat_lifecycle(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;

	rt_srf_begin(fcinfo);
	for (int i = 0; i <= RT_MAX_TYPES; i++)
	{
		char		name[NAMEDATALEN];
		Oid			dboid;

		if (!rt_slot_name(i, name, &dboid))
			continue;
		for (int p = 0; p < RT_NPHASES; p++)
		{
			RtLatency  *l = &rt_control->types[i].lat[p];
			uint64		count = pg_atomic_read_u64(&l->count);
			Datum		v[6];
			bool		n[6] = {0};

			if (count == 0)
				continue;
			v[0] = CStringGetTextDatum(name);
			v[1] = CStringGetTextDatum(rt_phase_names[p]);
			v[2] = Int64GetDatum((int64) count);
			v[3] = Float8GetDatum((double) pg_atomic_read_u64(&l->sum_us) / (double) count);
			v[4] = Float8GetDatum(rt_percentile(l, count, 0.50));
			v[5] = Float8GetDatum(rt_percentile(l, count, 0.99));
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
		}
	}
	return (Datum) 0;
}

/* Bytes by category, their total, the limit and the high-water mark. */
Datum
snn_stat_memory(PG_FUNCTION_ARGS)
{
	ReturnSetInfo *rsinfo = (ReturnSetInfo *) fcinfo->resultinfo;
	uint64		total = 0;
	Datum		v[2];
	bool		n[2] = {0};

	rt_srf_begin(fcinfo);
	for (int i = 0; i < RT_NMEMCAT; i++)
	{
		uint64		b = pg_atomic_read_u64(&rt_control->mem[i]);

		total += b;
		v[0] = CStringGetTextDatum(rt_mem_names[i]);
		v[1] = Int64GetDatum((int64) b);
		tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	}
	v[0] = CStringGetTextDatum("total");
	v[1] = Int64GetDatum((int64) total);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	v[0] = CStringGetTextDatum("limit");
	v[1] = Int64GetDatum((int64) rt_max_memory_mb * 1024 * 1024);
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	v[0] = CStringGetTextDatum("high_water");
	v[1] = Int64GetDatum((int64) pg_atomic_read_u64(&rt_control->mem_high));
	tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, v, n);
	return (Datum) 0;
}

/*
 * snn_stat_reset(): zero every counter and histogram and the high-water
 * mark (EXECUTE is revoked from PUBLIC in the install script).
 */
Datum
snn_stat_reset(PG_FUNCTION_ARGS)
{
	uint64		total = 0;

	rt_require_preload();
	for (int i = 0; i <= RT_MAX_TYPES; i++)
		rt_stat_reset_slot(&rt_control->types[i]);
	for (int i = 0; i < RT_NMEMCAT; i++)
		total += pg_atomic_read_u64(&rt_control->mem[i]);
	pg_atomic_write_u64(&rt_control->mem_high, total);
	rt_control->stats_reset = GetCurrentTimestamp();
	PG_RETURN_VOID();
}
