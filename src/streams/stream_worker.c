/*
 * stream_worker.c: the "snn stream worker" background worker.  It saves the
 * detector states to $PGDATA/pg_snn/detectors.state every
 * snn.detector_save_interval (when events were scored since the last save)
 * and once more when the server shuts down (SIGTERM), so that states
 * survive a clean restart.  After a crash the states of the last save come
 * back.  Every SNN_SWEEP_MS it also frees the streams of databases that were
 * dropped, whose states no session could reach or discard any more.  Its
 * life is src/shared/snn_worker.c's.
 */
#include "postgres.h"

#include "utils/memutils.h"
#include "utils/timestamp.h"

#include "snn.h"
#include "snn_worker.h"
#include "stream.h"

/* when the states were last saved (or the worker started) */
static TimestampTz ss_last_save = 0;

PGDLLEXPORT void snn_stream_worker_main(Datum arg);

/* Ask the postmaster to run the worker (from _PG_init when preloaded). */
void
ss_worker_register(void)
{
	snn_worker_register("snn stream worker", "snn_stream_worker_main");
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

/* The interval starts with the worker. */
static void
ss_worker_start(void)
{
	ss_last_save = GetCurrentTimestamp();
}

/* One round: save when the interval passed and events were scored. */
static void
ss_worker_round(void)
{
	if (ss_save_interval_s > 0 && ss_attached_once() && ss_unsaved_steps() > 0 &&
		TimestampDifferenceExceeds(ss_last_save, GetCurrentTimestamp(), ss_save_interval_s * 1000))
	{
		ss_worker_save("interval");
		ss_last_save = GetCurrentTimestamp();
	}
}

/* SIGTERM: a last save, so that states survive a clean restart. */
static void
ss_worker_shutdown(void)
{
	ss_worker_save("shutdown");
}

/* A round a second: the save interval is counted in seconds. */
static long
ss_worker_naptime(void)
{
	return 1000L;
}

/* The databases that have streams, for the sweep. */
static List *
ss_worker_held_databases(void)
{
	Oid		   *have;
	int			n = ss_databases(&have);
	List	   *dbs = NIL;

	for (int i = 0; i < n; i++)
		dbs = lappend_oid(dbs, have[i]);
	pfree(have);
	return dbs;
}

/* Free the streams of a dropped database, and say so. */
static void
ss_worker_discard_database(Oid dboid)
{
	/* not inside ereport: its arguments are skipped when LOG is not logged */
	int64		freed = ss_discard_database(dboid);

	ereport(LOG,
			(errmsg("snn: freed %lld detector stream states of dropped database %u",
					(long long) freed, dboid)));
}

static const SnnWorker ss_worker = {
	.name = "snn stream worker",
	.start = ss_worker_start,
	.reload = NULL,
	.round = ss_worker_round,
	.naptime_ms = ss_worker_naptime,
	.shutdown = ss_worker_shutdown,
	.sweep_ready = ss_attached_once,
	.held_databases = ss_worker_held_databases,
	.discard_database = ss_worker_discard_database,
};

/* The worker's entry point (bgw_function_name). */
void
snn_stream_worker_main(Datum arg)
{
	snn_worker_run(&ss_worker);
}
