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
			return ERRCODE_INTERNAL_ERROR;	/* a caller's sizing bug */
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

/*
 * The one translation of an engine failure into a PostgreSQL error; every
 * caller words its errors through here so that a status means the same
 * everywhere.  sqlstate 0 takes the status's own (snn_status_sqlstate);
 * prefix, when given, leads the message ("prefix: msg"); with
 * SNN_ERR_FIELD_IN_MSG the prefix is used only when the engine named a field,
 * as "prefix at "field": msg" (or "prefix: msg" when msg already starts
 * with the field); SNN_ERR_FIELD_DETAIL names the field in a DETAIL line;
 * context names the caller, in a CONTEXT line with SNN_ERR_CONTEXT.  A cancel raises the usual
 * 57014; a broken invariant or a buffer the caller sized too small
 * (SNN_E_NOMEM: "a caller's buffer is too small", which every caller here
 * sizes from the engine's own bounds) is a bug of ours, an internal error.
 */
void
snn_engine_error(const snn_error *err, int sqlstate, const char *prefix,
				 int flags, const char *context)
{
	const char *field = err->field;
	int			code = sqlstate ? sqlstate : snn_status_sqlstate(err->status);
	bool		detail = (flags & SNN_ERR_FIELD_DETAIL) && field[0];
	const char *ctx = (flags & SNN_ERR_CONTEXT) ? context : NULL;

	if (err->status == SNN_E_CANCELLED)
		snn_raise_cancel();
	if (err->status == SNN_E_INTERNAL || err->status == SNN_E_NOMEM)
		elog(ERROR, "snn internal error in %s: %s",
			 context ? context : prefix ? prefix : "the engine", err->msg);
	if ((flags & SNN_ERR_FIELD_IN_MSG) && !field[0])
		prefix = NULL;
	if (prefix && (flags & SNN_ERR_FIELD_IN_MSG) &&
		strncmp(err->msg, field, strlen(field)) != 0)
		ereport(ERROR,
				(errcode(code),
				 errmsg("%s at \"%s\": %s", prefix, field, err->msg),
				 detail ? errdetail("Field: \"%s\".", field) : 0,
				 ctx ? errcontext("%s", ctx) : 0));
	ereport(ERROR,
			(errcode(code),
			 prefix ? errmsg("%s: %s", prefix, err->msg) : errmsg("%s", err->msg),
			 detail ? errdetail("Field: \"%s\".", field) : 0,
			 ctx ? errcontext("%s", ctx) : 0));
}

/* The common wording: the engine's message, its field and a context. */
void
snn_report_error(const snn_error *err, const char *context)
{
	snn_engine_error(err, 0, NULL, SNN_ERR_FIELD_DETAIL | SNN_ERR_CONTEXT, context);
}
