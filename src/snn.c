/*
 * snn.c: module entry point.  Each area registers itself from _PG_init.
 */
#include "postgres.h"

#include "fmgr.h"
#include "miscadmin.h"
#include "utils/guc.h"

#include "snn.h"

PG_MODULE_MAGIC;

bool		snn_preloaded = false;

void		_PG_init(void);

/* Register settings and hooks of every area once per backend. */
void
_PG_init(void)
{
	snn_preloaded = process_shared_preload_libraries_in_progress;

	snn_interrupt_init();
	snn_hnsw_init();
	snn_allocate_init();
	snn_runtime_init();
	snn_stream_init();

	MarkGUCPrefixReserved("snn");
}

/*
 * Functions that keep shared state need the preloaded library: raise 55000
 * naming the setting.  what is the subject of the message ("snn detectors
 * need", "the snn runtime needs"), so each area keeps its own wording.
 */
void
snn_require_preload(bool attached, const char *what)
{
	if (!attached)
		ereport(ERROR,
				(errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
				 errmsg("%s shared_preload_libraries = 'snn'", what),
				 errhint("Add snn to shared_preload_libraries in postgresql.conf and restart the server; value-level functions work without it.")));
}
