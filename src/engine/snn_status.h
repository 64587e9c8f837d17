/*
 * snn_status.h: status codes and error details returned by the engine.
 *
 * The engine never raises errors itself: every fallible function returns an
 * snn_status and may fill an snn_error, which the PostgreSQL side turns into
 * an ereport with an SQLSTATE (src/shared/snn_error.c).  Plain C11, no postgres.h.
 */
#ifndef SNN_STATUS_H
#define SNN_STATUS_H

#include <stddef.h>

typedef enum snn_status
{
	SNN_OK = 0,
	SNN_E_SYNTAX,				/* malformed text input */
	SNN_E_RANGE,				/* a value outside its allowed range */
	SNN_E_LIMIT,				/* a size over a documented limit */
	SNN_E_DIM,					/* dimensions that do not match */
	SNN_E_EMPTY,				/* empty input, layer or data set */
	SNN_E_NAN,					/* NaN or infinity where a finite number is
								 * needed */
	SNN_E_CONFIG,				/* an invalid configuration field */
	SNN_E_NOMEM,				/* a caller's buffer is too small */
	SNN_E_FORMAT,				/* a binary image that fails validation */
	SNN_E_INTERNAL,				/* a broken invariant: a bug */
	SNN_E_CANCELLED				/* the interrupt hook asked to stop
								 * (snn_interrupt.h) */
} snn_status;

/* Details of a failure; msg is lower case, without a trailing period. */
typedef struct snn_error
{
	snn_status	status;
	size_t		pos;			/* byte offset in a parsed text, or 0 */
	char		field[64];		/* offending field or token, or "" */
	char		msg[256];
} snn_error;

/* Fill err (when not NULL) and return status; printf-style message. */
snn_status	snn_fail(snn_error *err, snn_status status, const char *field,
					 const char *fmt,...)
#if defined(__GNUC__)
			__attribute__((format(printf, 4, 5)))
#endif
		   ;

/* Reset err to SNN_OK with empty texts. */
void		snn_error_clear(snn_error *err);

#endif							/* SNN_STATUS_H */
