/*
 * safe_path.c: the fixed search_path of the statements the extension runs.
 *
 * Every statement built in C (SPI) names its objects schema-qualified, and
 * is parsed and executed while search_path is "pg_catalog, pg_temp": a
 * function or operator a user creates in a schema of their own (say
 * row_to_json(snn_anomalies), or = on text) can then never be chosen over
 * the built-in one, even for a statement run as the extension's owner.
 * Temporary objects come last, and functions and operators are never
 * looked up there.  Like the RI triggers of PostgreSQL, the setting lives
 * in a GUC nest level of its own: leaving restores the caller's value, and
 * an error unwinds it with the (sub)transaction.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "snn.h"

/* Enter the fixed search_path; returns the nest level to leave. */
int
snn_safe_path_enter(void)
{
	int			nest = NewGUCNestLevel();

	(void) set_config_option("search_path", "pg_catalog, pg_temp",
							 PGC_USERSET, PGC_S_SESSION,
							 GUC_ACTION_SAVE, true, 0, false);
	return nest;
}

/* Restore the caller's search_path (a plain return, not an error). */
void
snn_safe_path_leave(int nest)
{
	AtEOXact_GUC(true, nest);
}
