/*
 * hnsw_guc.c: settings of the snn_hnsw index.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "hnsw.h"
#include "snn.h"

int			snn_hnsw_ef_search = 40;


/* Register snn.ef_search and the index options. */
void
snn_hnsw_init(void)
{
	DefineCustomIntVariable("snn.ef_search",
							"Candidate list size of an snn_hnsw index scan.",
							"Larger finds more of the true nearest rows, slower; "
							"a scan returns at most this many elements.",
							&snn_hnsw_ef_search,
							40, 1, SNN_HNSW_MAX_EF_SEARCH,
							PGC_USERSET, 0, NULL, NULL, NULL);
	snn_hnsw_init_reloptions();
}
