/*
 * runtime_worker.c: the "snn pool worker" background worker.  It keeps each
 * type's pool at pool_min ready networks and disposes of networks idle past
 * their ttl, and every RT_SWEEP_MS frees the types, pools and networks of
 * dropped databases (runtime_sweep.c).  It connects to no database (shared memory is all it needs) yet
 * shows in pg_stat_activity; SIGHUP rereads the configuration, SIGTERM ends
 * it, and the postmaster restarts it after a crash or an error.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/proc.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "snn.h"
#include "runtime.h"

/* how often the worker looks for what dropped databases left */
#define RT_SWEEP_MS 10000

PGDLLEXPORT void snn_pool_worker_main(Datum arg);

/* Ask the postmaster to run the worker (from _PG_init when preloaded). */
void
rt_worker_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	strlcpy(worker.bgw_library_name, "snn", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "snn_pool_worker_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "snn pool worker", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "snn pool worker", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

/* Forget the worker's latch when it exits, so nobody sets a stale one. */
static void
rt_worker_exit(int code, Datum arg)
{
	if (rt_control->worker_procno == MyProc->pgprocno)
		rt_control->worker_procno = -1;
}

/* The worker's main loop: refill, reap, sleep; until SIGTERM. */
void
snn_pool_worker_main(Datum arg)
{
	MemoryContext loop_cxt;
	TimestampTz last_sweep = 0;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("snn pool worker");

	CurrentResourceOwner = ResourceOwnerCreate(NULL, "snn pool worker");
	rt_attach();
	rt_control->worker_procno = MyProc->pgprocno;
	before_shmem_exit(rt_worker_exit, (Datum) 0);
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "snn pool worker",
									 ALLOCSET_DEFAULT_SIZES);
	elog(LOG, "snn pool worker started");

	for (;;)
	{
		MemoryContext old;

		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			rt_attach();		/* applies a new snn.max_memory */
		}
		old = MemoryContextSwitchTo(loop_cxt);
		pgstat_report_activity(STATE_RUNNING, "refilling pools");
		rt_pool_refill_all();
		pgstat_report_activity(STATE_RUNNING, "reaping idle networks");
		rt_reap_idle();
		if (TimestampDifferenceExceeds(last_sweep, GetCurrentTimestamp(), RT_SWEEP_MS))
		{
			pgstat_report_activity(STATE_RUNNING, "freeing what dropped databases left");
			rt_sweep_databases();
			last_sweep = GetCurrentTimestamp();
		}
		pgstat_report_activity(STATE_IDLE, NULL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(loop_cxt);

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 rt_worker_naptime_ms, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
