/*
 * snn_error.c: turning engine status codes into PostgreSQL errors.
 */
#include "postgres.h"

#include "utils/elog.h"

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
	}
	return ERRCODE_INTERNAL_ERROR;
}

/* Raise the error an engine call reported, naming the field when known. */
void
snn_report_error(const snn_error *err, const char *context)
{
	if (err->status == SNN_E_INTERNAL)
		elog(ERROR, "snn internal error in %s: %s", context, err->msg);

	ereport(ERROR,
			(errcode(snn_status_sqlstate(err->status)),
			 errmsg("%s", err->msg),
			 err->field[0] ? errdetail("Field: \"%s\".", err->field) : 0,
			 context ? errcontext("%s", context) : 0));
}
