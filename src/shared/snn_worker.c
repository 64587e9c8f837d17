/*
 * snn_worker.c: the life of an snn background worker (snn_worker.h): its
 * registration, signals, connection, the round / sleep loop, and the sweep
 * of what dropped databases left, which lists the databases the worker
 * holds something for before it reads pg_database, so that a database
 * created in between is never taken for a dropped one.
 */
#include "postgres.h"

#include "access/xact.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "postmaster/bgworker.h"
#include "postmaster/interrupt.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "tcop/tcopprot.h"
#include "utils/guc.h"
#include "utils/memutils.h"
#include "utils/resowner.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "snn.h"
#include "snn_worker.h"

/* Ask the postmaster to run the worker (from _PG_init when preloaded). */
void
snn_worker_register(const char *name, const char *function)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	strlcpy(worker.bgw_library_name, "snn", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, function, BGW_MAXLEN);
	strlcpy(worker.bgw_name, name, BGW_MAXLEN);
	strlcpy(worker.bgw_type, name, BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

/*
 * Free what databases that no longer exist left: the held databases are
 * listed before pg_database is read.  The commit leaves no resource owner,
 * so the worker gets its own back.
 */
static void
snn_worker_sweep(const SnnWorker *w)
{
	MemoryContext cxt = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	List	   *have;
	List	   *live;
	ListCell   *lc;

	have = w->held_databases();
	if (have == NIL)
		return;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	live = snn_live_databases();
	PopActiveSnapshot();
	MemoryContextSwitchTo(cxt);
	foreach(lc, have)
	{
		Oid			dboid = lfirst_oid(lc);

		if (!list_member_oid(live, dboid))
			w->discard_database(dboid);
	}
	CommitTransactionCommand();
	CurrentResourceOwner = owner;
	MemoryContextSwitchTo(cxt);
	list_free(have);
}

/* Signals, no database, a resource owner: what every round needs. */
static void
snn_worker_setup(const SnnWorker *w)
{
	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, w->shutdown ? SignalHandlerForShutdownRequest : die);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname(w->name);
	CurrentResourceOwner = ResourceOwnerCreate(NULL, w->name);
}

/* The worker's main loop: round, sweep when due, sleep; until SIGTERM. */
void
snn_worker_run(const SnnWorker *w)
{
	MemoryContext loop_cxt;
	TimestampTz last_sweep = 0;

	snn_worker_setup(w);
	loop_cxt = AllocSetContextCreate(TopMemoryContext, "snn worker round",
									 ALLOCSET_DEFAULT_SIZES);
	if (w->start)
		w->start();
	for (;;)
	{
		MemoryContext old;

		/* absorbs ProcSignalBarriers, which DROP DATABASE waits for */
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
			if (w->reload)
				w->reload();
		}
		if (ShutdownRequestPending)
		{
			w->shutdown();
			proc_exit(0);
		}
		old = MemoryContextSwitchTo(loop_cxt);
		w->round();
		if (w->held_databases && (w->sweep_ready == NULL || w->sweep_ready()) &&
			TimestampDifferenceExceeds(last_sweep, GetCurrentTimestamp(), SNN_SWEEP_MS))
		{
			pgstat_report_activity(STATE_RUNNING, "freeing what dropped databases left");
			snn_worker_sweep(w);
			last_sweep = GetCurrentTimestamp();
		}
		pgstat_report_activity(STATE_IDLE, NULL);
		MemoryContextSwitchTo(old);
		MemoryContextReset(loop_cxt);

		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 w->naptime_ms(), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
