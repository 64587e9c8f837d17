/*
 * hnsw_scan.c: ORDER BY pattern <-> $1 through an snn_hnsw index.
 *
 * The first call searches the graph once (descent, then a layer-0 search of
 * width snn.ef_search) and then returns the found elements' heap TIDs in
 * distance order.  A scan therefore yields the rows of at most ef_search
 * elements; the planner's cost estimate refuses a known LIMIT above that.
 * Distances are exact, so no recheck is needed.
 */
#include "postgres.h"

#include "access/relscan.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

typedef struct SnnHnswScanOpaqueData
{
	bool		first;
	int			metric;
	MemoryContext cxt;			/* reset at each rescan */
	snn_hnsw_cand *results;
	int			nresults;
	int			pos;
	ItemPointerData tids[SNN_HNSW_HEAPTIDS];
	int			ntids;
	int			tidpos;
} SnnHnswScanOpaqueData;

typedef SnnHnswScanOpaqueData *SnnHnswScanOpaque;

/* ambeginscan */
IndexScanDesc
snn_hnsw_beginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	SnnHnswScanOpaque so = palloc0(sizeof(SnnHnswScanOpaqueData));

	so->first = true;
	so->metric = snn_hnsw_get_metric(index);
	so->cxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw scan",
									ALLOCSET_DEFAULT_SIZES);
	scan->opaque = so;
	return scan;
}

/* amrescan: a new query value; the search runs at the first gettuple. */
void
snn_hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys,
				ScanKey orderbys, int norderbys)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
	MemoryContextReset(so->cxt);
	so->first = true;
	so->results = NULL;
	so->nresults = so->pos = so->ntids = so->tidpos = 0;
}

/* Run the graph search for the scan's query. */
static void
run_search(IndexScanDesc scan)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;
	SnnHnswMetaPageData meta;
	SnnHnswGraph g;
	snn_hnsw_cand entry;
	const uint8 *q;
	bool		live;
	int			ef = snn_hnsw_ef_search;

	if (scan->numberOfOrderBys == 0 || scan->orderByData == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("an snn_hnsw index can only be scanned with ORDER BY its distance operator")));

	snn_hnsw_read_meta(index, &meta);
	if (meta.entry_level < 0)
		return;
	if (scan->orderByData[0].sk_flags & SK_ISNULL)
	{
		/* every distance is NULL: any order is right, use an all-silent query */
		uint8	   *silent = palloc(meta.dim);

		memset(silent, SNN_SILENT, meta.dim);
		q = silent;
	}
	else
		q = snn_hnsw_check_value(scan->orderByData[0].sk_argument, meta.dim)->t;

	snn_hnsw_graph_init(&g, index, meta.dim, meta.m, so->metric, false);
	g.query = q;
	entry.id = snn_hnsw_tid_id(meta.entry_blkno, meta.entry_offno);
	entry.dist = g.cb.dist_query(&g, entry.id, &live);
	snn_hnsw_descend(&g.cb, &g.work, &entry, meta.entry_level, 0, 2 * meta.m);
	so->results = palloc(sizeof(snn_hnsw_cand) * ef);
	so->nresults = snn_hnsw_search_layer(&g.cb, &g.work, &entry, 1, ef, 0, 2 * meta.m,
										 so->results);
}

/* Load the heap TIDs of the next result element. */
static bool
next_element(IndexScanDesc scan)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;

	while (so->pos < so->nresults)
	{
		uint64		id = so->results[so->pos++].id;
		Buffer		buf = ReadBuffer(scan->indexRelation, snn_hnsw_id_blk(id));
		Page		page;
		SnnHnswElementTuple e;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, snn_hnsw_id_off(id)));
		so->ntids = Min(e->ntids, SNN_HNSW_HEAPTIDS);
		memcpy(so->tids, e->heaptids, sizeof(ItemPointerData) * so->ntids);
		UnlockReleaseBuffer(buf);
		so->tidpos = 0;
		if (so->ntids > 0)
			return true;
	}
	return false;
}

/* amgettuple: the next heap TID in distance order. */
bool
snn_hnsw_gettuple(IndexScanDesc scan, ScanDirection dir)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;

	if (!ScanDirectionIsForward(dir))
		elog(ERROR, "snn_hnsw scans only forward");
	if (so->first)
	{
		MemoryContext old = MemoryContextSwitchTo(so->cxt);

		run_search(scan);
		MemoryContextSwitchTo(old);
		so->first = false;
	}
	if (so->tidpos >= so->ntids && !next_element(scan))
		return false;
	scan->xs_heaptid = so->tids[so->tidpos++];
	scan->xs_recheck = false;
	scan->xs_recheckorderby = false;
	return true;
}

/* amendscan */
void
snn_hnsw_endscan(IndexScanDesc scan)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;

	MemoryContextDelete(so->cxt);
	pfree(so);
	scan->opaque = NULL;
}
