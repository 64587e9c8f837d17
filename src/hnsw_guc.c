/*
 * hnsw_guc.c: placeholder for the snn_hnsw settings (issue 3 fills it in).
 */
#include "postgres.h"

#include "snn.h"

/* Register snn_hnsw settings. */
void
snn_hnsw_init(void)
{
}
