/*
 * snn_status.c: filling engine error details.
 */
#include "snn_status.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Record a failure so the caller can report field and message. */
snn_status
snn_fail(snn_error *err, snn_status status, const char *field,
		 const char *fmt,...)
{
	va_list		ap;

	if (err == NULL)
		return status;
	err->status = status;
	snprintf(err->field, sizeof(err->field), "%s", field ? field : "");
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return status;
}

/* Start from a clean slate before a fallible call. */
void
snn_error_clear(snn_error *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof(*err));
	err->status = SNN_OK;
}
