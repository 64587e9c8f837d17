/*
 * stream_worker.c: the "snn stream worker" background worker.  It saves the
 * detector states to $PGDATA/pg_snn/detectors.state every
 * snn.detector_save_interval (when events were scored since the last save)
 * and once more when the server shuts down (SIGTERM), so that states
 * survive a clean restart.  After a crash the states of the last save come
 * back.  Every SS_SWEEP_MS it also frees the streams of databases that were
 * dropped, whose states no session could reach or discard any more.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_database.h"
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
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
#include "utils/wait_event.h"

#include "snn.h"
#include "runtime.h"
#include "stream.h"

/* how often the worker looks for the streams of dropped databases */
#define SS_SWEEP_MS 10000

PGDLLEXPORT void snn_stream_worker_main(Datum arg);

/* Ask the postmaster to run the worker (from _PG_init when preloaded). */
void
ss_worker_register(void)
{
	BackgroundWorker worker;

	memset(&worker, 0, sizeof(worker));
	worker.bgw_flags = BGWORKER_SHMEM_ACCESS | BGWORKER_BACKEND_DATABASE_CONNECTION;
	worker.bgw_start_time = BgWorkerStart_RecoveryFinished;
	worker.bgw_restart_time = 5;
	strlcpy(worker.bgw_library_name, "snn", BGW_MAXLEN);
	strlcpy(worker.bgw_function_name, "snn_stream_worker_main", BGW_MAXLEN);
	strlcpy(worker.bgw_name, "snn stream worker", BGW_MAXLEN);
	strlcpy(worker.bgw_type, "snn stream worker", BGW_MAXLEN);
	RegisterBackgroundWorker(&worker);
}

/* Save, logging instead of dying on an error (the old file stays). */
static void
ss_worker_save(const char *why)
{
	MemoryContext cxt = CurrentMemoryContext;

	PG_TRY();
	{
		int64		n = ss_save();

		if (n >= 0)
			elog(DEBUG1, "snn stream worker: saved %lld detector streams (%s)", (long long) n, why);
	}
	PG_CATCH();
	{
		MemoryContextSwitchTo(cxt);
		EmitErrorReport();
		FlushErrorState();
	}
	PG_END_TRY();
}

/*
 * Free the streams of databases that no longer exist.  The databases with
 * streams are listed before pg_database is read, so a database created in
 * between cannot be taken for a dropped one.
 */
static void
ss_sweep_databases(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	Oid		   *have;
	int			n;
	List	   *live;

	n = ss_databases(&have);
	if (n == 0)
		return;
	SetCurrentStatementStartTimestamp();
	StartTransactionCommand();
	PushActiveSnapshot(GetTransactionSnapshot());
	live = snn_live_databases();
	PopActiveSnapshot();
	MemoryContextSwitchTo(cxt);
	for (int i = 0; i < n; i++)
	{
		int64		freed;

		if (list_member_oid(live, have[i]))
			continue;
		/* not inside ereport: its arguments are skipped when LOG is not logged */
		freed = ss_discard_database(have[i]);
		ereport(LOG,
				(errmsg("snn: freed %lld detector stream states of dropped database %u",
						(long long) freed, have[i])));
	}
	CommitTransactionCommand();
	MemoryContextSwitchTo(cxt);
	pfree(have);
}

/* Main loop: periodic saves, a last one at shutdown. */
void
snn_stream_worker_main(Datum arg)
{
	TimestampTz last = GetCurrentTimestamp();
	TimestampTz last_sweep = last;

	pqsignal(SIGHUP, SignalHandlerForConfigReload);
	pqsignal(SIGTERM, SignalHandlerForShutdownRequest);
	BackgroundWorkerUnblockSignals();
	BackgroundWorkerInitializeConnection(NULL, NULL, 0);
	pgstat_report_appname("snn stream worker");
	CurrentResourceOwner = ResourceOwnerCreate(NULL, "snn stream worker");

	for (;;)
	{
		/* absorbs ProcSignalBarriers, which DROP DATABASE waits for */
		CHECK_FOR_INTERRUPTS();
		if (ConfigReloadPending)
		{
			ConfigReloadPending = false;
			ProcessConfigFile(PGC_SIGHUP);
		}
		if (ShutdownRequestPending)
		{
			ss_worker_save("shutdown");
			proc_exit(0);
		}
		if (ss_save_interval_s > 0 && ss_attached_once() && ss_unsaved_steps() > 0 &&
			TimestampDifferenceExceeds(last, GetCurrentTimestamp(), ss_save_interval_s * 1000))
		{
			ss_worker_save("interval");
			last = GetCurrentTimestamp();
		}
		if (ss_attached_once() &&
			TimestampDifferenceExceeds(last_sweep, GetCurrentTimestamp(), SS_SWEEP_MS))
		{
			ss_sweep_databases();
			last_sweep = GetCurrentTimestamp();
		}
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 1000L, PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}
