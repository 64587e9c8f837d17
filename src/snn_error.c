/*
 * snn_error.c: turning engine status codes into PostgreSQL errors.
 */
#include "postgres.h"

#include "miscadmin.h"
#include "utils/elog.h"

#include "snn_interrupt.h"

#include "snn.h"

/* One SQLSTATE per engine status, so callers can catch classes of errors. */
int
snn_status_sqlstate(snn_status status)
{
	switch (status)
	{
		case SNN_OK:
			return ERRCODE_SUCCESSFUL_COMPLETION;
		case SNN_E_SYNTAX:
			return ERRCODE_INVALID_TEXT_REPRESENTATION;
		case SNN_E_RANGE:
			return ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE;
		case SNN_E_LIMIT:
			return ERRCODE_PROGRAM_LIMIT_EXCEEDED;
		case SNN_E_DIM:
			return ERRCODE_DATA_EXCEPTION;
		case SNN_E_EMPTY:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case SNN_E_NAN:
			return ERRCODE_FLOATING_POINT_EXCEPTION;
		case SNN_E_CONFIG:
			return ERRCODE_INVALID_PARAMETER_VALUE;
		case SNN_E_NOMEM:
			return ERRCODE_OUT_OF_MEMORY;
		case SNN_E_FORMAT:
			return ERRCODE_INVALID_BINARY_REPRESENTATION;
		case SNN_E_INTERNAL:
			return ERRCODE_INTERNAL_ERROR;
		case SNN_E_CANCELLED:
			return ERRCODE_QUERY_CANCELED;
	}
	return ERRCODE_INTERNAL_ERROR;
}

/*
 * The engine's interrupt hook: stop the engine (it returns SNN_E_CANCELLED)
 * when a cancel, a statement timeout or a termination is pending and could
 * be processed here.  It must not longjmp (snn_interrupt.h), so it only
 * looks at the flags; snn_raise_cancel then processes them.  Other pending
 * interrupts wait for the next CHECK_FOR_INTERRUPTS after the engine call.
 */
static int
snn_pg_interrupt(void *arg)
{
	(void) arg;
	return INTERRUPTS_PENDING_CONDITION() && INTERRUPTS_CAN_BE_PROCESSED() &&
		(QueryCancelPending || ProcDiePending);
}

/* Install the hook once per process (from _PG_init). */
void
snn_interrupt_init(void)
{
	snn_interrupt_set(snn_pg_interrupt, NULL, 0);
}

/*
 * An engine call stopped for a pending interrupt: process it, which raises
 * the cancel or timeout error (57014) or terminates; should the flag have
 * been cleared meanwhile, still fail rather than return a partial result.
 */
void
snn_raise_cancel(void)
{
	CHECK_FOR_INTERRUPTS();
	ereport(ERROR,
			(errcode(ERRCODE_QUERY_CANCELED),
			 errmsg("canceling statement due to user request")));
}

/* Raise the error an engine call reported, naming the field when known. */
void
snn_report_error(const snn_error *err, const char *context)
{
	if (err->status == SNN_E_CANCELLED)
		snn_raise_cancel();
	if (err->status == SNN_E_INTERNAL)
		elog(ERROR, "snn internal error in %s: %s", context, err->msg);

	ereport(ERROR,
			(errcode(snn_status_sqlstate(err->status)),
			 errmsg("%s", err->msg),
			 err->field[0] ? errdetail("Field: \"%s\".", err->field) : 0,
			 context ? errcontext("%s", context) : 0));
}
