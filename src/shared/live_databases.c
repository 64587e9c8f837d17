/*
 * live_databases.c: the databases that exist now, for the workers' sweeps.
 *
 * The pool worker and the stream worker free what dropped databases left
 * in shared memory (network types and pools, detector streams).  Each lists
 * the databases it holds something for first, then reads pg_database here,
 * so a database created in between is never taken for a dropped one.
 */
#include "postgres.h"

#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/pg_database.h"
#include "utils/rel.h"

#include "snn.h"

/* The OIDs of the databases in pg_database now (call in a transaction). */
List *
snn_live_databases(void)
{
	List	   *dbs = NIL;
	Relation	rel;
	TableScanDesc scan;
	HeapTuple	tup;

	rel = table_open(DatabaseRelationId, AccessShareLock);
	scan = table_beginscan_catalog(rel, 0, NULL);
	while ((tup = heap_getnext(scan, ForwardScanDirection)) != NULL)
		dbs = lappend_oid(dbs, ((Form_pg_database) GETSTRUCT(tup))->oid);
	table_endscan(scan);
	table_close(rel, AccessShareLock);
	return dbs;
}
