/*
 * snn_worker.h: what the extension's background workers share.
 *
 * The pool worker (runtime) and the stream worker (streams) both connect
 * to no database, reread the configuration on SIGHUP, wake every naptime
 * on their latch, absorb ProcSignalBarriers, and every SNN_SWEEP_MS free
 * what dropped databases left in shared memory.  A subsystem describes its
 * worker with an SnnWorker and runs it with snn_worker_run.
 */
#ifndef SNN_WORKER_H
#define SNN_WORKER_H

#include "postgres.h"

#include "nodes/pg_list.h"

/* how often a worker looks for what dropped databases left */
#define SNN_SWEEP_MS 10000

typedef struct SnnWorker
{
	const char *name;			/* "snn pool worker": bgw_type, appname */
	void		(*start) (void);	/* once, before the first round; or NULL */
	void		(*reload) (void);	/* after SIGHUP rereads settings; or NULL */
	void		(*round) (void);	/* every naptime */
	long		(*naptime_ms) (void);	/* sleep between rounds */

	/*
	 * At SIGTERM, before exiting (saving state); NULL ends the worker at once
	 * like a backend (die).
	 */
	void		(*shutdown) (void);

	/* Sweeps: NULL held_databases means none. */
	bool		(*sweep_ready) (void);	/* something could be held; or NULL */
	List	   *(*held_databases) (void);	/* OIDs it keeps something for */
	void		(*discard_database) (Oid dboid);	/* free it all; log */
} SnnWorker;

/* Ask the postmaster to run function (in snn.so) as the worker name. */
extern void snn_worker_register(const char *name, const char *function);

/* A worker's whole life: set up, then rounds until SIGTERM. */
extern void snn_worker_run(const SnnWorker *w) pg_attribute_noreturn();

#endif							/* SNN_WORKER_H */
