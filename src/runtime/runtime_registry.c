/*
 * runtime_registry.c: the lifecycle of ephemeral networks (spawn, load,
 * infer, train, save, dispose), ownership checks, and releasing networks a
 * failed transaction spawned.
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/ipc.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"

#include "snn.h"
#include "runtime.h"
#include "runtime_ops.h"
#include "train.h"

/* A network spawned by the current transaction, released if it aborts. */
typedef struct RtPending
{
	int64		id;
	SubTransactionId subid;
} RtPending;

static RtPending *rt_pending = NULL;
static int	rt_n_pending = 0;
static int	rt_max_pending = 0;

/* References this process holds while it reads an image in place. */
#define RT_MAX_HELD 8
static dsa_pointer rt_held[RT_MAX_HELD];
static int	rt_n_held = 0;

/* The network this process is training, reset if the process exits. */
static int64 rt_training_id = 0;

static bool rt_callbacks_done = false;

static void rt_release_pending(SubTransactionId subid);

/* Elapsed microseconds since start. */
static int64
rt_elapsed_us(instr_time start)
{
	instr_time	now;

	INSTR_TIME_SET_CURRENT(now);
	INSTR_TIME_SUBTRACT(now, start);
	return (int64) INSTR_TIME_GET_MICROSEC(now);
}

/* Remember a network spawned in this (sub)transaction. */
static void
rt_pending_add(int64 id)
{
	if (rt_n_pending == rt_max_pending)
	{
		int			n = Max(16, rt_max_pending * 2);

		rt_pending = rt_pending == NULL ?
			MemoryContextAlloc(TopMemoryContext, n * sizeof(RtPending)) :
			repalloc(rt_pending, n * sizeof(RtPending));
		rt_max_pending = n;
	}
	rt_pending[rt_n_pending].id = id;
	rt_pending[rt_n_pending].subid = GetCurrentSubTransactionId();
	rt_n_pending++;
}

/* Forget a disposed network. */
static void
rt_pending_forget(int64 id)
{
	for (int i = rt_n_pending - 1; i >= 0; i--)
		if (rt_pending[i].id == id)
		{
			rt_pending[i] = rt_pending[--rt_n_pending];
			return;
		}
}

/* Raise before taking a reference when no hold slot is left (nesting). */
static void
rt_hold_check(void)
{
	if (rt_n_held >= RT_MAX_HELD)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("too many snn networks read at once in one process (nested calls)")));
}

/* Record a reference taken for an in-place read (room checked before). */
static void
rt_hold(dsa_pointer dp)
{
	Assert(rt_n_held < RT_MAX_HELD);
	rt_held[rt_n_held++] = dp;
}

/* Release the most recent hold. */
static void
rt_unhold(dsa_pointer dp)
{
	for (int i = rt_n_held - 1; i >= 0; i--)
		if (rt_held[i] == dp)
		{
			rt_held[i] = rt_held[--rt_n_held];
			rt_object_unref(dp);
			return;
		}
}

/* Put a training network back to ready (error, cancel or exit). */
static void
rt_training_abandon(int64 id)
{
	RtEntry    *e = dshash_find(rt_registry(), &id, true);

	if (e != NULL)
	{
		if (e->state == RT_NET_TRAINING && e->trainer_pid == MyProcPid)
		{
			e->state = RT_NET_READY;
			e->trainer_pid = 0;
		}
		dshash_release_lock(rt_registry(), e);
	}
	rt_training_id = 0;
	snn_train_progress_hook = NULL;
}

/*
 * Release what this process holds when it exits, even through FATAL (which
 * skips PG_FINALLY): in-place reads, a training in progress, and networks of
 * an unfinished transaction.
 */
static void
rt_before_shmem_exit(int code, Datum arg)
{
	LWLockReleaseAll();
	while (rt_n_held > 0)
		rt_unhold(rt_held[rt_n_held - 1]);
	if (rt_training_id != 0)
		rt_training_abandon(rt_training_id);
	rt_release_pending(InvalidSubTransactionId);
}

/* Transaction end: keep networks of a commit, release those of an abort. */
static void
rt_xact_callback(XactEvent event, void *arg)
{
	rt_sweep_xact(event);
	switch (event)
	{
		case XACT_EVENT_COMMIT:
		case XACT_EVENT_PARALLEL_COMMIT:
		case XACT_EVENT_PREPARE:
			rt_n_pending = 0;
			rt_types_xact_commit();
			break;
		case XACT_EVENT_ABORT:
		case XACT_EVENT_PARALLEL_ABORT:
			rt_release_pending(InvalidSubTransactionId);
			rt_types_xact_abort();
			break;
		default:
			break;
	}
}

/* Subtransaction end: hand networks to the parent, or release them. */
static void
rt_subxact_callback(SubXactEvent event, SubTransactionId mySubid,
					SubTransactionId parentSubid, void *arg)
{
	rt_sweep_subxact(event, mySubid, parentSubid);
	if (event == SUBXACT_EVENT_COMMIT_SUB)
	{
		for (int i = 0; i < rt_n_pending; i++)
			if (rt_pending[i].subid == mySubid)
				rt_pending[i].subid = parentSubid;
		rt_types_subxact(true, mySubid, parentSubid);
	}
	else if (event == SUBXACT_EVENT_ABORT_SUB)
	{
		rt_release_pending(mySubid);
		rt_types_subxact(false, mySubid, parentSubid);
	}
}

/* Install the callbacks once per process (from rt_attach). */
void
rt_backend_callbacks(void)
{
	if (rt_callbacks_done)
		return;
	RegisterXactCallback(rt_xact_callback, NULL);
	RegisterSubXactCallback(rt_subxact_callback, NULL);
	before_shmem_exit(rt_before_shmem_exit, (Datum) 0);
	rt_callbacks_done = true;
}

/* Dispose of an entry held exclusively: unlinks it and frees its network. */
static void
rt_delete_locked(RtEntry *e)
{
	dsa_pointer obj = e->obj;
	int			slot = e->type_slot;
	uint32		gen = e->type_gen;

	dshash_delete_entry(rt_registry(), e);
	pg_atomic_fetch_sub_u32(&rt_control->n_live, 1);
	rt_object_unref(obj);
	rt_type_release_inuse(slot, gen);
	rt_wake_waiters();
}

/* Release pending networks of subid (or all): never raises. */
static void
rt_release_pending(SubTransactionId subid)
{
	for (int i = rt_n_pending - 1; i >= 0; i--)
	{
		RtEntry    *e;
		int64		id = rt_pending[i].id;

		if (subid != InvalidSubTransactionId && rt_pending[i].subid != subid)
			continue;
		rt_pending[i] = rt_pending[--rt_n_pending];
		e = dshash_find(rt_registry(), &id, true);
		if (e != NULL)
			rt_delete_locked(e);
	}
}

/*
 * Enter an object into the registry under a new id owned by the current
 * user, waiting up to snn.acquire_timeout while snn.max_networks are alive.
 * On failure the object's reference is dropped, so nothing is left behind.
 */
int64
rt_register(dsa_pointer obj, int slot, uint32 generation, int64 ttl_us,
			const char *tag)
{
	int64		id;
	RtEntry    *e;
	bool		found;
	TimestampTz now;
	int			wslot = slot < 0 ? RT_NONE_SLOT : slot;

	/* make sure the pending list has room before the entry exists */
	PG_TRY();
	{
		rt_pending_add(0);
		rt_n_pending--;
	}
	PG_CATCH();
	{
		rt_object_unref(obj);
		rt_type_release_inuse(slot, generation);
		PG_RE_THROW();
	}
	PG_END_TRY();

	PG_TRY();
	{
		if (pg_atomic_add_fetch_u32(&rt_control->n_live, 1) > (uint32) rt_max_networks)
		{
			TimestampTz start = GetCurrentTimestamp();

			pg_atomic_fetch_sub_u32(&rt_control->n_live, 1);
			rt_wait_begin(wslot);
			PG_TRY();
			{
				for (;;)
				{
					if (pg_atomic_add_fetch_u32(&rt_control->n_live, 1) <= (uint32) rt_max_networks)
						break;
					pg_atomic_fetch_sub_u32(&rt_control->n_live, 1);
					rt_wait_sleep(start, wslot, "networks",
								  "Raise snn.max_networks, dispose of networks with snn_dispose, or raise snn.acquire_timeout.");
				}
			}
			PG_FINALLY();
			{
				rt_wait_end(wslot);
			}
			PG_END_TRY();
		}
	}
	PG_CATCH();
	{
		rt_object_unref(obj);
		rt_type_release_inuse(slot, generation);
		PG_RE_THROW();
	}
	PG_END_TRY();

	id = (int64) pg_atomic_fetch_add_u64(&rt_control->next_id, 1);
	PG_TRY();
	{
		e = dshash_find_or_insert(rt_registry(), &id, &found);
	}
	PG_CATCH();
	{
		pg_atomic_fetch_sub_u32(&rt_control->n_live, 1);
		rt_object_unref(obj);
		rt_type_release_inuse(slot, generation);
		PG_RE_THROW();
	}
	PG_END_TRY();
	if (found)
		elog(PANIC, "snn network id " INT64_FORMAT " allocated twice", id);
	now = GetCurrentTimestamp();
	e->owner = GetUserId();
	e->dboid = MyDatabaseId;
	e->type_slot = slot < 0 ? RT_NONE_SLOT : slot;
	e->type_gen = generation;
	e->state = RT_NET_READY;
	e->trainer_pid = 0;
	e->train_epoch = 0;
	e->train_epochs = 0;
	e->train_loss = 0;
	e->created = now;
	e->last_used = now;
	e->ttl_us = ttl_us;
	e->obj = obj;
	e->bytes = rt_object(obj)->alloc_size;
	e->n_infer = 0;
	e->n_train = 0;
	memset(e->tag, 0, RT_TAG_LEN);
	if (tag)
		strlcpy(e->tag, tag, RT_TAG_LEN);
	dshash_release_lock(rt_registry(), e);
	rt_pending_add(id);
	return id;
}

/*
 * Find a network the current user may use, locked (exclusively when asked);
 * raises when it does not exist or belongs to a role the user has no
 * privileges of.
 */
static RtEntry *
rt_find(int64 id, bool exclusive)
{
	RtEntry    *e = dshash_find(rt_registry(), &id, exclusive);
	Oid			owner;

	if (e == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_UNDEFINED_OBJECT),
				 errmsg("snn network " INT64_FORMAT " does not exist", id),
				 errhint("It was disposed of, reaped after its ttl, released by a rollback, or lost in a server restart.")));
	owner = e->owner;
	if (!has_privs_of_role(GetUserId(), owner))
	{
		dshash_release_lock(rt_registry(), e);
		ereport(ERROR,
				(errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
				 errmsg("permission denied for snn network " INT64_FORMAT, id),
				 errdetail("Only its owner, members of the owner's role, and superusers may use it.")));
	}
	return e;
}

/* Check a tag argument. */
static char *
rt_tag_arg(FunctionCallInfo fcinfo, int argno)
{
	char	   *tag;

	if (PG_NARGS() <= argno || PG_ARGISNULL(argno))
		return NULL;
	tag = text_to_cstring(PG_GETARG_TEXT_PP(argno));
	if (strlen(tag) >= RT_TAG_LEN)
		ereport(ERROR,
				(errcode(ERRCODE_STRING_DATA_RIGHT_TRUNCATION),
				 errmsg("snn network tag must be shorter than %d bytes", RT_TAG_LEN)));
	return tag;
}

PG_FUNCTION_INFO_V1(snn_spawn_type);
PG_FUNCTION_INFO_V1(snn_spawn_value);
PG_FUNCTION_INFO_V1(snn_save_id);
PG_FUNCTION_INFO_V1(snn_dispose_id);
PG_FUNCTION_INFO_V1(snn_infer_id);
PG_FUNCTION_INFO_V1(snn_predict_id);
PG_FUNCTION_INFO_V1(snn_train_id);
PG_FUNCTION_INFO_V1(snn_train_query_id);

/* snn_spawn(type text, tag text): a ready network of the type, by id. */
Datum
snn_spawn_type(PG_FUNCTION_ARGS)
{
	char	   *name;
	char	   *tag;
	int			slot;
	uint32		gen;
	dsa_pointer obj;
	int64		id;
	instr_time	start;

	rt_require_preload();
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("network type must not be null")));
	INSTR_TIME_SET_CURRENT(start);
	name = text_to_cstring(PG_GETARG_TEXT_PP(0));
	tag = rt_tag_arg(fcinfo, 1);
	rt_attach();
	slot = -1;
	PG_TRY();
	{
		obj = rt_type_acquire(name, get_func_namespace(fcinfo->flinfo->fn_oid), &slot, &gen);
		id = rt_register(obj, slot, gen, rt_control->types[slot].ttl_us, tag);
	}
	PG_CATCH();
	{
		if (slot >= 0)
			pg_atomic_fetch_add_u64(&rt_control->types[slot].errors, 1);
		PG_RE_THROW();
	}
	PG_END_TRY();
	rt_stat_latency(slot, RT_PHASE_SPAWN, rt_elapsed_us(start));
	PG_RETURN_INT64(id);
}

/*
 * snn_spawn(net snn, tag text) and its deprecated alias snn_load: copy a
 * value in, by id.
 */
Datum
snn_spawn_value(PG_FUNCTION_ARGS)
{
	struct varlena *value;
	char	   *tag;
	dsa_pointer obj;
	int64		id;
	instr_time	start;

	rt_require_preload();
	if (PG_ARGISNULL(0))
		ereport(ERROR,
				(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
				 errmsg("network must not be null")));
	INSTR_TIME_SET_CURRENT(start);
	value = PG_DETOAST_DATUM(PG_GETARG_DATUM(0));
	tag = rt_tag_arg(fcinfo, 1);
	rt_attach();
	pg_atomic_fetch_add_u64(&rt_control->types[RT_NONE_SLOT].gets, 1);
	PG_TRY();
	{
		obj = rt_object_from_value(value, RT_MEM_NETWORKS, RT_NONE_SLOT);
		id = rt_register(obj, -1, 0, 0, tag);
	}
	PG_CATCH();
	{
		pg_atomic_fetch_add_u64(&rt_control->types[RT_NONE_SLOT].errors, 1);
		PG_RE_THROW();
	}
	PG_END_TRY();
	rt_stat_latency(RT_NONE_SLOT, RT_PHASE_SPAWN, rt_elapsed_us(start));
	PG_RETURN_INT64(id);
}

/* snn_save(id): the network's current image as an snn value. */
Datum
snn_save_id(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(0);
	RtEntry    *e;
	RtObject   *obj;
	struct varlena *copy;
	int			slot;
	instr_time	start;

	rt_require_preload();
	INSTR_TIME_SET_CURRENT(start);
	rt_attach();
	e = rt_find(id, false);
	obj = rt_object(e->obj);
	slot = e->type_slot;
	copy = palloc_extended(obj->image_len, MCXT_ALLOC_NO_OOM);
	if (copy != NULL)
		memcpy(copy, rt_object_image(obj), obj->image_len);
	dshash_release_lock(rt_registry(), e);
	if (copy == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_OUT_OF_MEMORY),
				 errmsg("out of memory copying snn network " INT64_FORMAT, id)));
	rt_stat_latency(slot, RT_PHASE_SAVE, rt_elapsed_us(start));
	PG_RETURN_POINTER(copy);
}

/* snn_dispose(id): free the network now. */
Datum
snn_dispose_id(PG_FUNCTION_ARGS)
{
	int64		id = PG_GETARG_INT64(0);
	RtEntry    *e;
	int			slot;
	instr_time	start;

	rt_require_preload();
	INSTR_TIME_SET_CURRENT(start);
	rt_attach();
	e = rt_find(id, true);
	slot = e->type_slot;
	rt_delete_locked(e);
	rt_pending_forget(id);
	rt_stat_latency(slot, RT_PHASE_DISPOSE, rt_elapsed_us(start));
	PG_RETURN_VOID();
}

/*
 * snn_infer(id, ...) and snn_predict(id, ...): the value-level function on
 * the shared image, handed in place under a reference (any number of
 * sessions at once; a training swapping in new weights meanwhile does not
 * disturb it).
 */
static Datum
rt_infer_common(FunctionCallInfo fcinfo, const RtValueFn *fn)
{
	int64		id = PG_GETARG_INT64(0);
	RtEntry    *e;
	dsa_pointer dp;
	int			slot;
	Datum		result;
	bool		isnull = false;
	instr_time	start;

	rt_require_preload();
	INSTR_TIME_SET_CURRENT(start);
	rt_attach();
	rt_hold_check();
	e = rt_find(id, true);
	dp = e->obj;
	slot = e->type_slot;
	rt_object_ref(dp);
	e->last_used = GetCurrentTimestamp();
	e->n_infer++;
	dshash_release_lock(rt_registry(), e);

	rt_hold(dp);
	PG_TRY();
	{
		RtObject   *obj = rt_object(dp);

		result = rt_ops_call_value_fn(fn, fcinfo, rt_object_image(obj),
									  obj->serial, &isnull);
	}
	PG_FINALLY();
	{
		rt_unhold(dp);
	}
	PG_END_TRY();
	rt_stat_latency(slot, RT_PHASE_INFER, rt_elapsed_us(start));
	if (isnull)
		PG_RETURN_NULL();
	PG_RETURN_DATUM(result);
}

/* snn_infer(id, features): see rt_infer_common. */
Datum
snn_infer_id(PG_FUNCTION_ARGS)
{
	return rt_infer_common(fcinfo, &rt_value_infer);
}

/* snn_predict(id, features): see rt_infer_common. */
Datum
snn_predict_id(PG_FUNCTION_ARGS)
{
	return rt_infer_common(fcinfo, &rt_value_predict);
}

/*
 * Epoch progress of the live network this backend trains, written into its
 * registry entry (under the entry's partition lock, once an epoch) for
 * pg_stat_snn_networks.
 */
static void
rt_train_progress(uint32 epoch, uint32 epochs, double loss)
{
	RtEntry    *e;

	if (rt_training_id == 0)
		return;
	e = dshash_find(rt_registry(), &rt_training_id, true);
	if (e == NULL)
		return;
	e->train_epoch = (int32) Min(epoch, (uint32) PG_INT32_MAX);
	e->train_epochs = (int32) Min(epochs, (uint32) PG_INT32_MAX);
	e->train_loss = loss;
	dshash_release_lock(rt_registry(), e);
}

/*
 * snn_train(id, ...) and snn_train_query(id, ...): the value-level function
 * on the shared image; the new network it returns is copied into shared
 * memory and swapped in.  An error or cancel before the swap leaves the old
 * weights in place.
 */
static Datum
rt_train_common(FunctionCallInfo fcinfo, const RtValueFn *fn)
{
	int64		id = PG_GETARG_INT64(0);
	RtEntry    *e;
	dsa_pointer dp;
	dsa_pointer newdp = InvalidDsaPointer;
	dsa_pointer old;
	int			slot;
	bool		isnull = false;
	instr_time	start;

	rt_require_preload();
	INSTR_TIME_SET_CURRENT(start);
	rt_attach();
	rt_hold_check();
	e = rt_find(id, true);
	if (e->state == RT_NET_TRAINING)
	{
		int			pid = e->trainer_pid;

		dshash_release_lock(rt_registry(), e);
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_IN_USE),
				 errmsg("snn network " INT64_FORMAT " is being trained by another session", id),
				 errdetail("Process %d is training it.", pid)));
	}
	e->state = RT_NET_TRAINING;
	e->trainer_pid = MyProcPid;
	e->train_epoch = 0;
	e->train_epochs = 0;
	e->train_loss = 0;
	dp = e->obj;
	slot = e->type_slot;
	rt_object_ref(dp);
	dshash_release_lock(rt_registry(), e);
	rt_training_id = id;
	snn_train_progress_hook = rt_train_progress;
	rt_hold(dp);

	PG_TRY();
	{
		Datum		trained;
		struct varlena *value;

		trained = rt_ops_call_value_fn(fn, fcinfo,
									   rt_object_image(rt_object(dp)), 0, &isnull);
		if (isnull)
			ereport(ERROR,
					(errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
					 errmsg("training returned no network")));
		value = PG_DETOAST_DATUM(trained);
		newdp = rt_object_from_value(value, RT_MEM_TRAINING, slot);
	}
	PG_CATCH();
	{
		rt_unhold(dp);
		rt_training_abandon(id);
		PG_RE_THROW();
	}
	PG_END_TRY();
	rt_unhold(dp);
	snn_train_progress_hook = NULL;

	/* swap the new image in; the old one lives until its last reader ends */
	e = dshash_find(rt_registry(), &id, true);
	if (e == NULL)
	{
		rt_object_unref(newdp);
		rt_training_id = 0;
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("snn network " INT64_FORMAT " was disposed of during its training", id)));
	}
	old = e->obj;
	rt_object_recategorize(newdp, RT_MEM_NETWORKS);
	e->obj = newdp;
	e->bytes = rt_object(newdp)->alloc_size;
	e->state = RT_NET_READY;
	e->trainer_pid = 0;
	e->n_train++;
	e->last_used = GetCurrentTimestamp();
	dshash_release_lock(rt_registry(), e);
	rt_training_id = 0;
	rt_object_unref(old);
	rt_stat_latency(slot, RT_PHASE_TRAIN, rt_elapsed_us(start));
	PG_RETURN_INT64(id);
}

/*
 * snn_train(id, inputs, labels, method, options): see rt_train_common.
 * Not strict, so that NULL labels (stdp, hebbian) train; NULL id, inputs
 * or method give NULL like snn_train(snn, ...).
 */
Datum
snn_train_id(PG_FUNCTION_ARGS)
{
	if (PG_ARGISNULL(0) || PG_ARGISNULL(1) || PG_ARGISNULL(3))
		PG_RETURN_NULL();
	return rt_train_common(fcinfo, &rt_value_train);
}

/* snn_train_query(id, query, method, options): see rt_train_common. */
Datum
snn_train_query_id(PG_FUNCTION_ARGS)
{
	return rt_train_common(fcinfo, &rt_value_train_query);
}

/* Add the databases that have live networks to dbs. */
List *
rt_networks_databases(List *dbs)
{
	dshash_seq_status status;
	RtEntry    *e;

	dshash_seq_init(&status, rt_registry(), false);
	while ((e = dshash_seq_next(&status)) != NULL)
		dbs = list_append_unique_oid(dbs, e->dboid);
	dshash_seq_term(&status);
	return dbs;
}

/*
 * Dispose of the live networks of a dropped database (no session can reach
 * them any more); one still marked as training is left to a later sweep,
 * after its trainer let it go.  Returns how many were disposed of.
 */
int64
rt_networks_discard_database(Oid dboid)
{
	dshash_seq_status status;
	RtEntry    *e;
	int64		n = 0;

	dshash_seq_init(&status, rt_registry(), true);
	while ((e = dshash_seq_next(&status)) != NULL)
	{
		dsa_pointer obj;
		int			slot;
		uint32		gen;

		if (e->dboid != dboid || e->state == RT_NET_TRAINING)
			continue;
		obj = e->obj;
		slot = e->type_slot;
		gen = e->type_gen;
		dshash_delete_current(&status);
		pg_atomic_fetch_sub_u32(&rt_control->n_live, 1);
		rt_object_unref(obj);
		rt_type_release_inuse(slot, gen);
		n++;
	}
	dshash_seq_term(&status);
	if (n > 0)
		rt_wake_waiters();
	return n;
}

/* Dispose of networks idle past their ttl (the pool worker calls this). */
void
rt_reap_idle(void)
{
	dshash_seq_status status;
	RtEntry    *e;
	TimestampTz now = GetCurrentTimestamp();

	dshash_seq_init(&status, rt_registry(), true);
	while ((e = dshash_seq_next(&status)) != NULL)
	{
		dsa_pointer obj;
		int			slot;
		uint32		gen;

		if (e->ttl_us <= 0 || e->state == RT_NET_TRAINING ||
			now - e->last_used < e->ttl_us)
			continue;
		obj = e->obj;
		slot = e->type_slot;
		gen = e->type_gen;
		dshash_delete_current(&status);
		pg_atomic_fetch_sub_u32(&rt_control->n_live, 1);
		rt_object_unref(obj);
		rt_type_release_inuse(slot, gen);
	}
	dshash_seq_term(&status);
}
