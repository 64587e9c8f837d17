/*
 * runtime_worker.c: the "snn pool worker" background worker.  It keeps each
 * type's pool at pool_min ready networks and disposes of networks idle past
 * their ttl, and every SNN_SWEEP_MS frees the types, pools and networks of
 * dropped databases (runtime_sweep.c).  It connects to no database (shared
 * memory is all it needs) yet shows in pg_stat_activity; SIGHUP rereads the
 * configuration, SIGTERM ends it, and the postmaster restarts it after a
 * crash or an error.  Its life is src/shared/snn_worker.c's.
 */
#include "postgres.h"

#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/proc.h"

#include "snn.h"
#include "snn_worker.h"
#include "runtime.h"

PGDLLEXPORT void snn_pool_worker_main(Datum arg);

/* Ask the postmaster to run the worker (from _PG_init when preloaded). */
void
rt_worker_register(void)
{
	snn_worker_register("snn pool worker", "snn_pool_worker_main");
}

/* Forget the worker's latch when it exits, so nobody sets a stale one. */
static void
rt_worker_exit(int code, Datum arg)
{
	if (rt_control->worker_procno == MyProc->pgprocno)
		rt_control->worker_procno = -1;
}

/* Attach, and let backends wake the worker through its latch. */
static void
rt_worker_start(void)
{
	rt_attach();
	rt_control->worker_procno = MyProc->pgprocno;
	before_shmem_exit(rt_worker_exit, (Datum) 0);
	elog(LOG, "snn pool worker started");
}

/* A reload may change snn.max_memory: apply it. */
static void
rt_worker_reload(void)
{
	rt_attach();
}

/* One round: refill the pools, reap idle networks. */
static void
rt_worker_round(void)
{
	pgstat_report_activity(STATE_RUNNING, "refilling pools");
	rt_pool_refill_all();
	pgstat_report_activity(STATE_RUNNING, "reaping idle networks");
	rt_reap_idle();
}

/* snn.worker_naptime, which a reload may change. */
static long
rt_worker_naptime(void)
{
	return rt_worker_naptime_ms;
}

static const SnnWorker rt_worker = {
	.name = "snn pool worker",
	.start = rt_worker_start,
	.reload = rt_worker_reload,
	.round = rt_worker_round,
	.naptime_ms = rt_worker_naptime,
	.shutdown = NULL,
	.sweep_ready = NULL,
	.held_databases = rt_sweep_held_databases,
	.discard_database = rt_sweep_discard_database,
};

/* The worker's entry point (bgw_function_name). */
void
snn_pool_worker_main(Datum arg)
{
	snn_worker_run(&rt_worker);
}
