/*
 * snn.h: what every subsystem of the PostgreSQL side uses (src/shared/).
 */
#ifndef SNN_H
#define SNN_H

#include "postgres.h"

#include "nodes/pg_list.h"

#include "snn_status.h"

/*
 * Raise the ereport that matches an engine failure; never returns.
 * snn_engine_error is the one translator (src/shared/snn_error.c says how the
 * arguments word the error); snn_report_error is its common form.
 */
#define SNN_ERR_FIELD_DETAIL	0x01	/* DETAIL: Field: "x". */
#define SNN_ERR_FIELD_IN_MSG	0x02	/* prefix at "x": msg (with a field) */
#define SNN_ERR_CONTEXT			0x04	/* CONTEXT: the caller */
extern void snn_engine_error(const snn_error *err, int sqlstate, const char *prefix,
							 int flags, const char *context) pg_attribute_noreturn();
extern void snn_report_error(const snn_error *err, const char *context) pg_attribute_noreturn();
extern void snn_raise_cancel(void) pg_attribute_noreturn();
extern void snn_interrupt_init(void);

/* Map an engine status to its SQLSTATE. */
extern int	snn_status_sqlstate(snn_status status);

/* True when the library was loaded through shared_preload_libraries. */
extern bool snn_preloaded;

/* ERROR 55000 unless attached (the area's shared state is there). */
extern void snn_require_preload(bool attached, const char *what);

/*
 * Statements the extension runs itself (SPI) are parsed and run under the
 * fixed search_path "pg_catalog, pg_temp" (src/shared/safe_path.c), so that no
 * object a user creates can stand in for one they name.
 */
extern int	snn_safe_path_enter(void);
extern void snn_safe_path_leave(int nest);

/* The OIDs of the databases that exist now (src/shared/live_databases.c). */
extern List *snn_live_databases(void);

#endif							/* SNN_H */
