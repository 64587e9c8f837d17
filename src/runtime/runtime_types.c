/*
 * runtime_types.c: network types (named templates kept in the extension's
 * table snn_network_types) and their pools of ready networks.
 *
 * The table is the truth and survives restarts; shared memory holds, for
 * each type in use since the server started, a template image and a pool.
 * A type missing from shared memory (after a restart, or defined in a
 * transaction that rolled back) is loaded from the table on first spawn.
 */
#include "postgres.h"

#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "snn.h"
#include "runtime.h"
#include "runtime_ops.h"

/* Slots (re)defined by this transaction: dropped again if it aborts. */
typedef struct RtTouched
{
	int			slot;
	uint32		generation;
	SubTransactionId subid;
} RtTouched;

static RtTouched rt_touched[RT_MAX_TYPES];
static int	rt_n_touched = 0;

/* The slot of a type of this database, or -1; *generation when found. */
int
rt_type_lookup(Oid dboid, const char *name, uint32 *generation)
{
	int			found = -1;

	LWLockAcquire(rt_control->lock, LW_SHARED);
	for (int i = 0; i < RT_MAX_TYPES; i++)
	{
		RtType	   *t = &rt_control->types[i];

		if (t->in_use && t->dboid == dboid && strcmp(t->name, name) == 0)
		{
			found = i;
			*generation = t->generation;
			break;
		}
	}
	LWLockRelease(rt_control->lock);
	return found;
}

/* Take a slot out of use; returns what the caller must unreference. */
static int
rt_type_clear_locked(RtType *t, dsa_pointer *drop, int max_drop)
{
	int			n = 0;

	SpinLockAcquire(&t->mutex);
	if (DsaPointerIsValid(t->template_obj))
		drop[n++] = t->template_obj;
	for (int i = 0; i < t->n_ready && n < max_drop; i++)
		drop[n++] = t->ready[i];
	t->template_obj = InvalidDsaPointer;
	t->n_ready = 0;
	t->n_inuse = 0;
	t->in_use = false;
	t->generation++;
	SpinLockRelease(&t->mutex);
	return n;
}

/* Unreference objects taken out of a slot. */
static void
rt_drop_objects(dsa_pointer *drop, int n)
{
	for (int i = 0; i < n; i++)
		rt_object_unref(drop[i]);
	if (n > 0)
		rt_wake_waiters();
}

/*
 * Put a type into shared memory from a built network value, replacing a
 * previous definition of the same name (its networks keep their images).
 */
static int
rt_type_install(const char *name, const struct varlena *image,
				int32 pool_min, int32 pool_max, int64 ttl_us)
{
	dsa_pointer template_obj;
	dsa_pointer *drop = palloc(sizeof(dsa_pointer) * (RT_POOL_CAP + 1));
	int			ndrop = 0;
	int			slot = -1;
	RtType	   *t;

	template_obj = rt_object_from_value(image, RT_MEM_TEMPLATES, RT_NONE_SLOT);

	LWLockAcquire(rt_control->lock, LW_EXCLUSIVE);
	for (int i = 0; i < RT_MAX_TYPES; i++)
	{
		t = &rt_control->types[i];
		if (t->in_use && t->dboid == MyDatabaseId && strcmp(t->name, name) == 0)
		{
			slot = i;
			ndrop = rt_type_clear_locked(t, drop, RT_POOL_CAP + 1);
			break;
		}
	}
	for (int i = 0; slot < 0 && i < RT_MAX_TYPES; i++)
		if (!rt_control->types[i].in_use)
			slot = i;
	if (slot < 0)
	{
		LWLockRelease(rt_control->lock);
		rt_object_unref(template_obj);
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many network types in use (the limit is %d)", RT_MAX_TYPES),
				 errhint("Drop unused types with snn_type_drop.")));
	}
	t = &rt_control->types[slot];
	SpinLockAcquire(&t->mutex);
	t->in_use = true;
	t->generation++;
	t->dboid = MyDatabaseId;
	strlcpy(t->name, name, NAMEDATALEN);
	t->pool_min = pool_min;
	t->pool_max = pool_max;
	t->ttl_us = ttl_us;
	t->template_obj = template_obj;
	t->obj_bytes = rt_object(template_obj)->alloc_size;
	t->n_ready = 0;
	t->n_inuse = 0;
	SpinLockRelease(&t->mutex);
	rt_stat_reset_slot(t);
	if (rt_n_touched < RT_MAX_TYPES)
	{
		rt_touched[rt_n_touched].slot = slot;
		rt_touched[rt_n_touched].generation = t->generation;
		rt_touched[rt_n_touched].subid = GetCurrentSubTransactionId();
		rt_n_touched++;
	}
	LWLockRelease(rt_control->lock);

	rt_drop_objects(drop, ndrop);
	pfree(drop);
	rt_wake_worker();
	return slot;
}

/* Remove a type from shared memory (its live networks stay); true if found. */
static bool
rt_type_uninstall(Oid dboid, const char *name, int only_slot, uint32 only_gen)
{
	dsa_pointer *drop = palloc(sizeof(dsa_pointer) * (RT_POOL_CAP + 1));
	int			ndrop = 0;
	bool		found = false;

	LWLockAcquire(rt_control->lock, LW_EXCLUSIVE);
	for (int i = 0; i < RT_MAX_TYPES; i++)
	{
		RtType	   *t = &rt_control->types[i];

		if (!t->in_use)
			continue;
		if (only_slot >= 0 ? (i == only_slot && t->generation == only_gen) :
			(t->dboid == dboid && strcmp(t->name, name) == 0))
		{
			ndrop = rt_type_clear_locked(t, drop, RT_POOL_CAP + 1);
			found = true;
			break;
		}
	}
	LWLockRelease(rt_control->lock);
	rt_drop_objects(drop, ndrop);
	pfree(drop);
	return found;
}

/*
 * Take every type of a database out of shared memory with its template and
 * ready pool (the database was dropped, or the extension in it); its live
 * networks keep their images.  Returns how many types there were.
 */
int
rt_types_discard_database(Oid dboid)
{
	dsa_pointer *drop = palloc(sizeof(dsa_pointer) * (RT_POOL_CAP + 1));
	int			n = 0;

	for (int i = 0; i < RT_MAX_TYPES; i++)
	{
		RtType	   *t = &rt_control->types[i];
		int			ndrop = 0;

		LWLockAcquire(rt_control->lock, LW_EXCLUSIVE);
		if (t->in_use && t->dboid == dboid)
		{
			ndrop = rt_type_clear_locked(t, drop, RT_POOL_CAP + 1);
			n++;
		}
		LWLockRelease(rt_control->lock);
		rt_drop_objects(drop, ndrop);
	}
	pfree(drop);
	return n;
}

/* Add the databases that have network types in shared memory to dbs. */
List *
rt_types_databases(List *dbs)
{
	LWLockAcquire(rt_control->lock, LW_SHARED);
	for (int i = 0; i < RT_MAX_TYPES; i++)
	{
		RtType	   *t = &rt_control->types[i];

		if (t->in_use)
			dbs = list_append_unique_oid(dbs, t->dboid);
	}
	LWLockRelease(rt_control->lock);
	return dbs;
}

/* A transaction that defined types aborted: forget what it installed. */
void
rt_types_xact_abort(void)
{
	for (int i = 0; i < rt_n_touched; i++)
		(void) rt_type_uninstall(InvalidOid, "", rt_touched[i].slot, rt_touched[i].generation);
	rt_n_touched = 0;
}

/* A savepoint ended: hand its types to the parent, or forget them. */
void
rt_types_subxact(bool commit, SubTransactionId mySubid, SubTransactionId parentSubid)
{
	for (int i = rt_n_touched - 1; i >= 0; i--)
	{
		if (rt_touched[i].subid != mySubid)
			continue;
		if (commit)
			rt_touched[i].subid = parentSubid;
		else
		{
			(void) rt_type_uninstall(InvalidOid, "", rt_touched[i].slot, rt_touched[i].generation);
			rt_touched[i] = rt_touched[--rt_n_touched];
		}
	}
}

/* Forget the touched list at commit. */
void
rt_types_xact_commit(void)
{
	rt_n_touched = 0;
}

/* Check the type parameters a user gives. */
static void
rt_type_check_args(const char *name, int32 pool_min, int32 pool_max, int64 ttl_us)
{
	if (name[0] == '\0' || strlen(name) >= NAMEDATALEN)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("network type name must have 1 to %d bytes", NAMEDATALEN - 1)));
	if (pool_min < 0 || pool_min > RT_POOL_CAP)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pool_min must be between 0 and %d", RT_POOL_CAP)));
	if (pool_max < 1 || pool_max > 10000000 || pool_max < pool_min)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("pool_max must be between max(pool_min, 1) and 10000000")));
	if (ttl_us < 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ttl must not be negative")));
}

/* An interval as microseconds, rejecting months (their length varies). */
static int64
rt_interval_us(Interval *iv)
{
	if (iv->month != 0)
		ereport(ERROR,
				(errcode(ERRCODE_INVALID_PARAMETER_VALUE),
				 errmsg("ttl must not use months or years")));
	return iv->time + (int64) iv->day * USECS_PER_DAY;
}

/* Read a type row from the table (in the function's schema) and install it. */
int
rt_type_load(const char *name, Oid fn_namespace)
{
	char	   *nsp = get_namespace_name(fn_namespace);
	StringInfoData q;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	Datum		config;
	int32		pool_min,
				pool_max;
	int64		ttl_us;
	bool		isnull;
	struct varlena *image;
	MemoryContext caller = CurrentMemoryContext;
	int			slot;
	int			nest;
	int			rc;

	initStringInfo(&q);
	appendStringInfo(&q,
					 "SELECT config, pool_min, pool_max, "
					 "COALESCE(EXTRACT(epoch FROM ttl) OPERATOR(pg_catalog.*) 1000000, 0)::pg_catalog.int8 "
					 "FROM %s.snn_network_types WHERE name OPERATOR(pg_catalog.=) $1",
					 quote_identifier(nsp));
	args[0] = CStringGetTextDatum(name);
	SPI_connect();
	nest = snn_safe_path_enter();
	rc = SPI_execute_with_args(q.data, 1, argtypes, args, NULL, true, 1);
	snn_safe_path_leave(nest);
	if (rc != SPI_OK_SELECT)
		elog(ERROR, "could not read snn_network_types");
	if (SPI_processed == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("snn network type \"%s\" does not exist", name),
				 errhint("Create it with snn_type_create(name, config); for a network value, cast the argument to snn.")));
	config = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
	{
		MemoryContext spi = MemoryContextSwitchTo(caller);

		config = PointerGetDatum(PG_DETOAST_DATUM_COPY(config));
		MemoryContextSwitchTo(spi);
	}
	pool_min = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2, &isnull));
	pool_max = DatumGetInt32(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 3, &isnull));
	ttl_us = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 4, &isnull));
	SPI_finish();

	image = rt_ops_create(config);
	slot = rt_type_install(name, image, pool_min, pool_max, ttl_us);
	/* loaded from committed data: nothing to undo if this transaction aborts */
	if (rt_n_touched > 0 && rt_touched[rt_n_touched - 1].slot == slot)
		rt_n_touched--;
	return slot;
}

/* Refill every pool below its minimum, without waiting for memory. */
void
rt_pool_refill_all(void)
{
	for (int i = 0; i < RT_MAX_TYPES; i++)
	{
		RtType	   *t = &rt_control->types[i];

		for (;;)
		{
			dsa_pointer tmpl = InvalidDsaPointer;
			dsa_pointer obj;
			uint32		gen = 0;
			bool		pushed = false;

			LWLockAcquire(rt_control->lock, LW_SHARED);
			SpinLockAcquire(&t->mutex);
			if (t->in_use && t->n_ready < t->pool_min &&
				t->n_ready + t->n_inuse < t->pool_max)
			{
				tmpl = t->template_obj;
				gen = t->generation;
			}
			SpinLockRelease(&t->mutex);
			if (DsaPointerIsValid(tmpl))
				rt_object_ref(tmpl);
			LWLockRelease(rt_control->lock);
			if (!DsaPointerIsValid(tmpl))
				break;

			obj = rt_object_copy(tmpl, RT_MEM_POOL, -1);
			rt_object_unref(tmpl);
			if (!DsaPointerIsValid(obj))
				return;			/* at snn.max_memory: try again later */

			SpinLockAcquire(&t->mutex);
			if (t->in_use && t->generation == gen && t->n_ready < t->pool_min &&
				t->n_ready + t->n_inuse < t->pool_max)
			{
				t->ready[t->n_ready++] = obj;
				pushed = true;
			}
			SpinLockRelease(&t->mutex);
			if (!pushed)
			{
				rt_object_unref(obj);
				break;
			}
			rt_wake_waiters();
			CHECK_FOR_INTERRUPTS();
		}
	}
}

typedef enum RtAcquire
{
	RT_ACQ_HIT,					/* popped a ready network */
	RT_ACQ_BUILD,				/* room to build one from the template */
	RT_ACQ_FULL,				/* pool_max networks alive: wait */
	RT_ACQ_GONE					/* the type was dropped or redefined */
} RtAcquire;

/* One try at taking a network of a type; see RtAcquire. */
static RtAcquire
rt_type_try_acquire(int slot, uint32 gen, dsa_pointer *obj)
{
	RtType	   *t = &rt_control->types[slot];
	RtAcquire	r;
	bool		low = false;

	SpinLockAcquire(&t->mutex);
	if (!t->in_use || t->generation != gen)
		r = RT_ACQ_GONE;
	else if (t->n_ready > 0)
	{
		*obj = t->ready[--t->n_ready];
		t->n_inuse++;
		/* wake the worker at half the minimum, so it refills in batches */
		low = t->n_ready <= t->pool_min / 2;
		r = RT_ACQ_HIT;
	}
	else if (t->n_inuse < t->pool_max)
	{
		t->n_inuse++;
		low = t->pool_min > 0 && t->n_ready + t->n_inuse < t->pool_max;
		r = RT_ACQ_BUILD;
	}
	else
		r = RT_ACQ_FULL;
	SpinLockRelease(&t->mutex);
	if (low)
		rt_wake_worker();
	return r;
}

/* A network of the type ended (disposed, reaped): room for another. */
void
rt_type_release_inuse(int slot, uint32 generation)
{
	RtType	   *t;
	bool		low = false;

	if (slot < 0 || slot >= RT_MAX_TYPES)
		return;
	t = &rt_control->types[slot];
	SpinLockAcquire(&t->mutex);
	if (t->in_use && t->generation == generation && t->n_inuse > 0)
	{
		t->n_inuse--;
		low = t->n_ready <= t->pool_min / 2;
	}
	SpinLockRelease(&t->mutex);
	rt_wake_waiters();
	if (low)
		rt_wake_worker();
}

/* A ready copy of the type's template, counted in use; may wait. */
static dsa_pointer
rt_type_build(int slot, uint32 gen)
{
	dsa_pointer tmpl = InvalidDsaPointer;
	dsa_pointer obj = InvalidDsaPointer;
	RtType	   *t = &rt_control->types[slot];

	LWLockAcquire(rt_control->lock, LW_SHARED);
	if (t->in_use && t->generation == gen)
	{
		tmpl = t->template_obj;
		rt_object_ref(tmpl);
	}
	LWLockRelease(rt_control->lock);
	if (!DsaPointerIsValid(tmpl))
	{
		rt_type_release_inuse(slot, gen);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("snn network type was dropped or redefined while spawning")));
	}
	PG_TRY();
	{
		obj = rt_object_copy(tmpl, RT_MEM_NETWORKS, slot);
	}
	PG_CATCH();
	{
		rt_object_unref(tmpl);
		rt_type_release_inuse(slot, gen);
		PG_RE_THROW();
	}
	PG_END_TRY();
	rt_object_unref(tmpl);
	return obj;
}

/*
 * Take a network of the named type: pop a ready one or build one, waiting
 * up to snn.acquire_timeout while the type has pool_max networks alive.
 * Returns the object (one reference) and its slot and generation.
 */
dsa_pointer
rt_type_acquire(const char *name, Oid fn_namespace, int *slot_out, uint32 *gen_out)
{
	uint32		gen = 0;
	int			slot = rt_type_lookup(MyDatabaseId, name, &gen);
	dsa_pointer obj = InvalidDsaPointer;
	TimestampTz start = 0;
	bool		waiting = false;
	RtAcquire	r;

	if (slot < 0)
	{
		(void) rt_type_load(name, fn_namespace);
		slot = rt_type_lookup(MyDatabaseId, name, &gen);
		if (slot < 0)
			ereport(ERROR,
					(errcode(ERRCODE_OBJECT_IN_USE),
					 errmsg("snn network type \"%s\" was dropped while spawning", name)));
	}
	pg_atomic_fetch_add_u64(&rt_control->types[slot].gets, 1);
	*slot_out = slot;
	*gen_out = gen;

	PG_TRY();
	{
		for (;;)
		{
			r = rt_type_try_acquire(slot, gen, &obj);
			if (r == RT_ACQ_HIT || r == RT_ACQ_BUILD)
				break;
			if (r == RT_ACQ_GONE)
				ereport(ERROR,
						(errcode(ERRCODE_OBJECT_IN_USE),
						 errmsg("snn network type \"%s\" was dropped or redefined while spawning", name)));
			if (!waiting)
			{
				start = GetCurrentTimestamp();
				rt_wait_begin(slot);
				waiting = true;
				continue;
			}
			rt_wait_sleep(start, slot, "pool",
						  "Every network of this type is in use: raise pool_max with snn_type_create, dispose of networks, or raise snn.acquire_timeout.");
		}
	}
	PG_CATCH();
	{
		if (waiting)
			rt_wait_end(slot);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (waiting)
		rt_wait_end(slot);

	if (r == RT_ACQ_HIT)
	{
		pg_atomic_fetch_add_u64(&rt_control->types[slot].hits, 1);
		rt_object_recategorize(obj, RT_MEM_NETWORKS);
	}
	else
		obj = rt_type_build(slot, gen);
	*slot_out = slot;
	*gen_out = gen;
	return obj;
}

PG_FUNCTION_INFO_V1(snn_define_type);
PG_FUNCTION_INFO_V1(snn_drop_type);

/*
 * snn_type_create(name, config, pool_min, pool_max, ttl), also the C symbol
 * of its 0.1.0 name snn_define_type: build the template
 * (which validates the configuration), keep the row in snn_network_types,
 * and put the type with an empty pool into shared memory for the worker to fill.
 */
Datum
snn_define_type(PG_FUNCTION_ARGS)
{
	char	   *name;
	Datum		config;
	int32		pool_min;
	int32		pool_max;
	int64		ttl_us;
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	struct varlena *image;
	StringInfoData q;
	Oid			argtypes[5] = {TEXTOID, JSONBOID, INT4OID, INT4OID, INTERVALOID};
	Datum		args[5];
	char		nulls[5] = {' ', ' ', ' ', ' ', PG_ARGISNULL(4) ? 'n' : ' '};
	int			nest;
	int			rc;

	rt_require_preload();
	for (int i = 0; i < 4; i++)
		if (PG_ARGISNULL(i))
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("snn_type_create: name, config, pool_min and pool_max must not be null")));
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	config = PG_GETARG_DATUM(1);
	pool_min = PG_GETARG_INT32(2);
	pool_max = PG_GETARG_INT32(3);
	ttl_us = PG_ARGISNULL(4) ? 0 : rt_interval_us(PG_GETARG_INTERVAL_P(4));
	rt_attach();
	rt_type_check_args(name, pool_min, pool_max, ttl_us);
	image = rt_ops_create(config);
	(void) rt_ops_check_image(image);

	initStringInfo(&q);
	appendStringInfo(&q,
					 "INSERT INTO %s.snn_network_types AS t (name, config, pool_min, pool_max, ttl) "
					 "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (name) DO UPDATE SET "
					 "config = excluded.config, pool_min = excluded.pool_min, "
					 "pool_max = excluded.pool_max, ttl = excluded.ttl, defined_at = pg_catalog.now()",
					 quote_identifier(get_namespace_name(nsp)));
	args[0] = PG_GETARG_DATUM(0);
	args[1] = config;
	args[2] = Int32GetDatum(pool_min);
	args[3] = Int32GetDatum(pool_max);
	args[4] = PG_ARGISNULL(4) ? (Datum) 0 : PG_GETARG_DATUM(4);
	SPI_connect();
	nest = snn_safe_path_enter();
	rc = SPI_execute_with_args(q.data, 5, argtypes, args, nulls, false, 0);
	snn_safe_path_leave(nest);
	if (rc != SPI_OK_INSERT)
		elog(ERROR, "could not write snn_network_types");
	SPI_finish();

	rt_type_install(name, image, pool_min, pool_max, ttl_us);
	PG_RETURN_VOID();
}

/*
 * snn_type_drop(name), also the C symbol of its 0.1.0 name snn_drop_type:
 * delete the row and the pool; networks already
 * spawned from it live on until disposed of.
 */
Datum
snn_drop_type(PG_FUNCTION_ARGS)
{
	char	   *name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	Oid			nsp = get_func_namespace(fcinfo->flinfo->fn_oid);
	StringInfoData q;
	Oid			argtypes[1] = {TEXTOID};
	Datum		args[1];
	uint64		n;
	int			nest;
	int			rc;

	rt_require_preload();
	rt_attach();
	initStringInfo(&q);
	appendStringInfo(&q, "DELETE FROM %s.snn_network_types WHERE name OPERATOR(pg_catalog.=) $1",
					 quote_identifier(get_namespace_name(nsp)));
	args[0] = PG_GETARG_DATUM(0);
	SPI_connect();
	nest = snn_safe_path_enter();
	rc = SPI_execute_with_args(q.data, 1, argtypes, args, NULL, false, 0);
	snn_safe_path_leave(nest);
	if (rc != SPI_OK_DELETE)
		elog(ERROR, "could not delete from snn_network_types");
	n = SPI_processed;
	SPI_finish();
	/* also when only shared memory has it (the extension was recreated) */
	if (!rt_type_uninstall(MyDatabaseId, name, -1, 0) && n == 0)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("snn network type \"%s\" does not exist", name)));
	PG_RETURN_VOID();
}
