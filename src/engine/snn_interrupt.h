/*
 * snn_interrupt.h: the one interrupt check of the engine.
 *
 * Every engine loop that can run long (network build, spectral radius,
 * simulation, ridge, backprop, conversion, STDP, Hebbian, HNSW graph
 * build) counts its work in units (about one multiply-add or one synapse
 * each) through snn_interrupted(); every SNN_INTERRUPT_QUANTUM units (about
 * 1 ms of work) it calls the hook the host installed with
 * snn_interrupt_set().
 *
 * The rule: the hook must RETURN, never longjmp.  It returns nonzero to ask
 * the engine to stop; the loop then returns SNN_E_CANCELLED (through every
 * engine caller up to the host) with its output buffers in an unspecified
 * state, having allocated nothing.  The host then raises its own error
 * (PostgreSQL: CHECK_FOR_INTERRUPTS(), see src/shared/snn_error.c), after undoing
 * whatever it had started (shared memory, locks).  Returning keeps the
 * engine free of cleanup rules: it may hold malloc'd memory (the HNSW
 * graph) at a check point.
 *
 * The hook and the work counter are per process (the engine is
 * single-threaded in each PostgreSQL backend).  Without a hook nothing is
 * ever interrupted.
 */
#ifndef SNN_INTERRUPT_H
#define SNN_INTERRUPT_H

#include <stdint.h>

#include "snn_status.h"

/* Return nonzero to stop the running engine call; never longjmp. */
typedef int (*snn_interrupt_fn) (void *arg);

/* Default work units between two calls of the hook (about 1 ms). */
#define SNN_INTERRUPT_QUANTUM	(UINT64_C(1) << 20)

typedef struct snn_interrupt_state
{
	snn_interrupt_fn fn;		/* NULL: never interrupted */
	void	   *arg;
	uint64_t	quantum;		/* units between two calls */
	uint64_t	work;			/* units since the last call */
	uint64_t	calls;			/* calls of the hook so far (for tests) */
} snn_interrupt_state;

extern snn_interrupt_state snn_interrupt;

/* Install (fn may be NULL) the hook; quantum 0 means the default. */
void		snn_interrupt_set(snn_interrupt_fn fn, void *arg, uint64_t quantum);

/* Call the hook now (the slow path of snn_interrupted). */
int			snn_interrupt_poll(void);

/* Fill err with SNN_E_CANCELLED and return it. */
snn_status	snn_cancelled(snn_error *err);

/*
 * Count units of work done; nonzero when the hook asked to stop (the
 * caller then returns SNN_E_CANCELLED, e.g. through snn_cancelled()).
 */
static inline int
snn_interrupted(uint64_t units)
{
	snn_interrupt.work += units;
	if (snn_interrupt.work < snn_interrupt.quantum)
		return 0;
	return snn_interrupt_poll();
}

#endif							/* SNN_INTERRUPT_H */
