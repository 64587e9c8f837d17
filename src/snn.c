/*
 * snn.c: module entry point.  _PG_init sets up the shared layer
 * (src/shared/), then calls each subsystem's init, which defines its
 * settings and, when preloaded, registers its shared memory, hooks and
 * workers there.  Nothing else depends on this file.
 */
#include "postgres.h"

#include "fmgr.h"
#include "utils/guc.h"

#include "snn.h"
#include "snn_hooks.h"
#include "index_init.h"
#include "runtime.h"
#include "stream.h"

PG_MODULE_MAGIC;

void		_PG_init(void);

/* Register settings and hooks of every area once per backend. */
void
_PG_init(void)
{
	snn_shared_init();
	snn_hnsw_init();
	snn_allocate_init();
	snn_runtime_init();
	snn_stream_init();

	MarkGUCPrefixReserved("snn");
}
