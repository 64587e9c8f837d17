/*
 * snn_interrupt.c: the per-process interrupt hook of the engine (see
 * snn_interrupt.h for the rule a hook follows).
 */
#include "snn_interrupt.h"

snn_interrupt_state snn_interrupt = {NULL, NULL, SNN_INTERRUPT_QUANTUM, 0, 0};

/* Install the hook the long loops call; a host does it once at load. */
void
snn_interrupt_set(snn_interrupt_fn fn, void *arg, uint64_t quantum)
{
	snn_interrupt.fn = fn;
	snn_interrupt.arg = arg;
	snn_interrupt.quantum = quantum ? quantum : SNN_INTERRUPT_QUANTUM;
	snn_interrupt.work = 0;
	snn_interrupt.calls = 0;
}

/* Reset the work count and ask the hook whether to stop. */
int
snn_interrupt_poll(void)
{
	snn_interrupt.work = 0;
	if (snn_interrupt.fn == NULL)
		return 0;
	snn_interrupt.calls++;
	return snn_interrupt.fn(snn_interrupt.arg) != 0;
}

/* The status a loop returns when the hook asked to stop. */
snn_status
snn_cancelled(snn_error *err)
{
	return snn_fail(err, SNN_E_CANCELLED, "", "canceled by an interrupt");
}
