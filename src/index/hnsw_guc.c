/*
 * hnsw_guc.c: settings of the snn_hnsw index.
 */
#include "postgres.h"

#include "utils/guc.h"

#include "hnsw.h"
#include "index_init.h"
#include "snn.h"

int			snn_hnsw_ef_search = 40;
int			snn_hnsw_iterative_scan = SNN_HNSW_ITERATIVE_STRICT;
int			snn_hnsw_max_scan_tuples = 0;
double		snn_hnsw_scan_mem_multiplier = 2.0;

static const struct config_enum_entry iterative_scan_options[] = {
	{"off", SNN_HNSW_ITERATIVE_OFF, false},
	{"relaxed_order", SNN_HNSW_ITERATIVE_RELAXED, false},
	{"strict_order", SNN_HNSW_ITERATIVE_STRICT, false},
	{NULL, 0, false}
};

/* Register the scan settings and the index options. */
void
snn_hnsw_init(void)
{
	DefineCustomIntVariable("snn.ef_search",
							"Candidate list size of an snn_hnsw index scan.",
							"Larger finds more of the true nearest rows, slower.",
							&snn_hnsw_ef_search,
							40, 1, SNN_HNSW_MAX_EF_SEARCH,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("snn.iterative_scan",
							 "How an snn_hnsw scan goes on once its first ef_search elements are used up.",
							 "strict_order: continues, rows in exact distance order; "
							 "relaxed_order: continues, rows may be slightly out of order; "
							 "off: ends, so a scan may return fewer rows than asked for.",
							 &snn_hnsw_iterative_scan,
							 SNN_HNSW_ITERATIVE_STRICT, iterative_scan_options,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("snn.max_scan_tuples",
							"Most rows one iterative snn_hnsw scan returns (0: no limit).",
							"Asking for more raises an error instead of ending the scan short.",
							&snn_hnsw_max_scan_tuples,
							0, 0, INT_MAX,
							PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable("snn.scan_mem_multiplier",
							 "Memory of one iterative snn_hnsw scan, as a multiple of work_mem.",
							 "A scan that needs more raises an error instead of ending short.",
							 &snn_hnsw_scan_mem_multiplier,
							 2.0, 1.0, 1000.0,
							 PGC_USERSET, 0, NULL, NULL, NULL);
	snn_hnsw_init_reloptions();
}
