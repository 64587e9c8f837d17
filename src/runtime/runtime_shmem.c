/*
 * runtime_shmem.c: settings, the control struct, the DSA area and registry,
 * allocation under snn.max_memory, and waiting for a limit to clear.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "storage/shmem.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/wait_event.h"

#include "snn.h"
#include "snn_hooks.h"
#include "runtime.h"

RtControl  *rt_control = NULL;
int			rt_max_networks = 10000;
int			rt_max_memory_mb = 256;
int			rt_acquire_timeout_ms = 1000;
int			rt_worker_naptime_ms = 1000;

/* This backend's mapping of the area and the registry (NULL until first use). */
static dsa_area *rt_area_p = NULL;
static dshash_table *rt_hash_p = NULL;
static int	rt_applied_limit_mb = 0;

/* start of the id counter of the last shared memory this postmaster made */
static uint64 rt_last_id_start = 0;



static const dshash_parameters rt_hash_params = {
	sizeof(int64),
	sizeof(RtEntry),
	dshash_memcmp,
	dshash_memhash,
	0							/* tranche id, set at run time */
};

/* Every runtime entry point starts here: a clear error without preload. */
void
rt_require_preload(void)
{
	snn_require_preload(rt_control != NULL, "the snn runtime needs");
}

/* Reserve the control struct and its lock before shared memory is sized. */
static void
rt_shmem_request(void)
{
	RequestAddinShmemSpace(MAXALIGN(sizeof(RtControl)));
	RequestNamedLWLockTranche("snn_runtime", 1);
}

/* Create (or, after a crash restart, recreate) the control struct: empty. */
static void
rt_shmem_startup(void)
{
	bool		found;

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	rt_control = ShmemInitStruct("snn runtime", sizeof(RtControl), &found);
	if (!found)
	{
		RtControl  *c = rt_control;
		uint64		epoch;

		memset(c, 0, sizeof(RtControl));
		c->lock = &(GetNamedLWLockTranche("snn_runtime"))->lock;
		c->dsa_tranche = LWLockNewTrancheId();
		c->hash_tranche = LWLockNewTrancheId();
		c->area = DSA_HANDLE_INVALID;
		c->registry = InvalidDsaPointer;

		/*
		 * Ids are never reused while the server runs and, since the counter
		 * starts from the clock (microseconds since 2000, times 256), not
		 * across restarts either, so an id kept in a table after a restart
		 * does not silently name another network. A crash restart can come
		 * within the same second as the start, so seconds are not enough; ids
		 * stay unique unless more than 256 were taken per microsecond.
		 */
		epoch = (uint64) Max(GetCurrentTimestamp(), 1) << 8;
		epoch = Max(epoch, rt_last_id_start + 1);
		rt_last_id_start = epoch;
		pg_atomic_init_u64(&c->next_id, epoch);
		pg_atomic_init_u64(&c->next_serial, 1);
		pg_atomic_init_u32(&c->n_live, 0);
		for (int i = 0; i < RT_NMEMCAT; i++)
			pg_atomic_init_u64(&c->mem[i], 0);
		pg_atomic_init_u64(&c->mem_high, 0);
		ConditionVariableInit(&c->cv);
		c->worker_procno = -1;
		c->stats_reset = GetCurrentTimestamp();
		for (int i = 0; i <= RT_MAX_TYPES; i++)
		{
			RtType	   *t = &c->types[i];

			SpinLockInit(&t->mutex);
			t->template_obj = InvalidDsaPointer;
			pg_atomic_init_u32(&t->waiting, 0);
			pg_atomic_init_u64(&t->gets, 0);
			pg_atomic_init_u64(&t->hits, 0);
			pg_atomic_init_u64(&t->timeouts, 0);
			pg_atomic_init_u64(&t->errors, 0);
			for (int p = 0; p < RT_NPHASES; p++)
			{
				pg_atomic_init_u64(&t->lat[p].count, 0);
				pg_atomic_init_u64(&t->lat[p].sum_us, 0);
				for (int b = 0; b < RT_NBUCKETS; b++)
					pg_atomic_init_u64(&t->lat[p].bucket[b], 0);
			}
		}
		strlcpy(c->types[RT_NONE_SLOT].name, "(none)", NAMEDATALEN);
	}
	LWLockRelease(AddinShmemInitLock);
}

/* Settings, and when preloaded the shared-memory hooks and the worker. */
void
snn_runtime_init(void)
{
	DefineCustomIntVariable("snn.max_networks",
							"Most ephemeral networks alive at once (spawned or loaded).",
							"Pooled ready networks do not count; they count against snn.max_memory.",
							&rt_max_networks, 10000, 1, 10000000,
							PGC_SIGHUP, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("snn.max_memory",
							"Size limit of the shared memory area that holds ephemeral networks.",
							NULL,
							&rt_max_memory_mb, 256, 4, INT_MAX / 2,
							PGC_SIGHUP, GUC_UNIT_MB, NULL, NULL, NULL);
	DefineCustomIntVariable("snn.acquire_timeout",
							"How long a caller waits for a runtime limit to clear before an error.",
							"0 fails at once.",
							&rt_acquire_timeout_ms, 1000, 0, INT_MAX,
							PGC_USERSET, GUC_UNIT_MS, NULL, NULL, NULL);
	DefineCustomIntVariable("snn.worker_naptime",
							"How often the snn pool worker refills pools and reaps idle networks.",
							NULL,
							&rt_worker_naptime_ms, 1000, 10, 3600000,
							PGC_SIGHUP, GUC_UNIT_MS, NULL, NULL, NULL);

	if (!process_shared_preload_libraries_in_progress)
		return;

	snn_shmem_register(rt_shmem_request, rt_shmem_startup);
	rt_worker_register();
	rt_sweep_install_hooks();
}

/* Keep the area's size limit equal to snn.max_memory (it may be reloaded). */
static void
rt_apply_limit(void)
{
	if (rt_applied_limit_mb != rt_max_memory_mb)
	{
		dsa_set_size_limit(rt_area_p, (size_t) rt_max_memory_mb * 1024 * 1024);
		rt_applied_limit_mb = rt_max_memory_mb;
	}
}

/*
 * Map the area and the registry in this process, creating both if this is
 * the first process of the server's life to need them.
 */
void
rt_attach(void)
{
	MemoryContext old;
	dshash_parameters params = rt_hash_params;

	if (rt_hash_p != NULL)
	{
		rt_apply_limit();
		return;
	}
	rt_require_preload();

	LWLockRegisterTranche(rt_control->dsa_tranche, "snn_runtime_area");
	LWLockRegisterTranche(rt_control->hash_tranche, "snn_runtime_registry");
	params.tranche_id = rt_control->hash_tranche;

	old = MemoryContextSwitchTo(TopMemoryContext);
	LWLockAcquire(rt_control->lock, LW_EXCLUSIVE);
	if (rt_control->area == DSA_HANDLE_INVALID)
	{
		rt_area_p = dsa_create(rt_control->dsa_tranche);
		dsa_pin(rt_area_p);
		dsa_pin_mapping(rt_area_p);
		rt_applied_limit_mb = 0;
		rt_apply_limit();
		rt_hash_p = dshash_create(rt_area_p, &params, NULL);
		rt_control->registry = dshash_get_hash_table_handle(rt_hash_p);
		rt_control->area = dsa_get_handle(rt_area_p);
	}
	else
	{
		rt_area_p = dsa_attach(rt_control->area);
		dsa_pin_mapping(rt_area_p);
		rt_hash_p = dshash_attach(rt_area_p, &params, rt_control->registry, NULL);
	}
	LWLockRelease(rt_control->lock);
	MemoryContextSwitchTo(old);
	rt_apply_limit();
	rt_backend_callbacks();
}

/* The area, mapped. */
dsa_area *
rt_area(void)
{
	rt_attach();
	return rt_area_p;
}

/* The registry, mapped. */
dshash_table *
rt_registry(void)
{
	rt_attach();
	return rt_hash_p;
}

/* Count bytes in a category and keep the high-water mark. */
void
rt_account(RtMemCat cat, int64 delta)
{
	uint64		total = 0;
	uint64		high;

	pg_atomic_fetch_add_u64(&rt_control->mem[cat], delta);
	if (delta <= 0)
		return;
	for (int i = 0; i < RT_NMEMCAT; i++)
		total += pg_atomic_read_u64(&rt_control->mem[i]);
	high = pg_atomic_read_u64(&rt_control->mem_high);
	while (total > high)
	{
		if (pg_atomic_compare_exchange_u64(&rt_control->mem_high, &high, total))
			break;
	}
}

/* Something was freed: let waiters try again. */
void
rt_wake_waiters(void)
{
	ConditionVariableBroadcast(&rt_control->cv);
}

/* Nudge the pool worker (a pool fell below its minimum). */
void
rt_wake_worker(void)
{
	int			procno = rt_control->worker_procno;

	if (procno >= 0)
		SetLatch(&ProcGlobal->allProcs[procno].procLatch);
}

/* Start waiting for a limit: counted as waiting on the slot's pool. */
void
rt_wait_begin(int slot)
{
	pg_atomic_fetch_add_u32(&rt_control->types[slot].waiting, 1);
	ConditionVariablePrepareToSleep(&rt_control->cv);
}

/* Stop waiting (on success, error or cancel). */
void
rt_wait_end(int slot)
{
	ConditionVariableCancelSleep();
	pg_atomic_fetch_sub_u32(&rt_control->types[slot].waiting, 1);
}

/*
 * Sleep until something is freed, at most until snn.acquire_timeout has
 * passed since start; then count a timeout and raise the error for `what`.
 */
bool
rt_wait_sleep(TimestampTz start, int slot, const char *what, const char *hint)
{
	long		waited = TimestampDifferenceMilliseconds(start, GetCurrentTimestamp());
	long		left = (long) rt_acquire_timeout_ms - waited;

	if (left <= 0)
	{
		pg_atomic_fetch_add_u64(&rt_control->types[slot].timeouts, 1);
		ereport(ERROR,
				(errcode(strcmp(what, "memory") == 0 ? ERRCODE_OUT_OF_MEMORY :
						 strcmp(what, "networks") == 0 ? ERRCODE_CONFIGURATION_LIMIT_EXCEEDED :
						 ERRCODE_INSUFFICIENT_RESOURCES),
				 errmsg("snn runtime: %s limit reached, gave up after waiting %d ms",
						what, rt_acquire_timeout_ms),
				 errhint("%s", hint)));
	}
	/* wake now and then even without a broadcast: the worker frees quietly */
	ConditionVariableTimedSleep(&rt_control->cv, Min(left, 50), PG_WAIT_EXTENSION);
	return true;
}

/*
 * Allocate from the area, waiting up to snn.acquire_timeout while it is at
 * snn.max_memory; accounts the bytes under cat.  With slot < 0 (the
 * worker) it does not wait and returns InvalidDsaPointer instead.
 */
dsa_pointer
rt_alloc(Size size, RtMemCat cat, int slot)
{
	dsa_area   *area = rt_area();
	dsa_pointer dp;
	TimestampTz start;

	dp = dsa_allocate_extended(area, size, DSA_ALLOC_NO_OOM);
	if (DsaPointerIsValid(dp))
	{
		rt_account(cat, size);
		return dp;
	}
	if (slot < 0)
		return InvalidDsaPointer;
	start = GetCurrentTimestamp();
	rt_wait_begin(slot);
	PG_TRY();
	{
		for (;;)
		{
			dp = dsa_allocate_extended(area, size, DSA_ALLOC_NO_OOM);
			if (DsaPointerIsValid(dp))
				break;
			rt_wait_sleep(start, slot, "memory",
						  "Raise snn.max_memory, or dispose of networks (snn_dispose) and lower pool_min of network types.");
		}
	}
	PG_FINALLY();
	{
		rt_wait_end(slot);
	}
	PG_END_TRY();
	rt_account(cat, size);
	return dp;
}
