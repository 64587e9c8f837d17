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

	snn_hnsw_init();
	snn_runtime_init();
	snn_stream_init();

	MarkGUCPrefixReserved("snn");
}
