/*
 * hnsw_vacuum.c: VACUUM for snn_hnsw.
 *
 * Pass 1 removes the heap TIDs of deleted rows from every element; elements
 * left with none are dead.  Pass 2 repairs the graph: every live element
 * whose list names a dead one gets a new list, chosen by the selection
 * heuristic among its live neighbours and the live neighbours of its dead
 * ones, so no live element loses its way through the removed region; a dead
 * entry point is replaced by the highest live element.  Dead elements then
 * have no links pointing to them and are never visited again (their space is
 * not reused: REINDEX compacts).  Each page change is one generic WAL record.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"

#include "hnsw.h"

/* Sorted set of dead element ids. */
typedef struct DeadSet
{
	uint64	   *ids;
	int			n;
	int			cap;
} DeadSet;

static void
dead_add(DeadSet *d, uint64 id)
{
	if (d->n == d->cap)
	{
		d->cap = d->cap ? d->cap * 2 : 256;
		d->ids = d->ids ? repalloc_huge(d->ids, sizeof(uint64) * d->cap)
			: palloc_extended(sizeof(uint64) * d->cap, MCXT_ALLOC_HUGE);
	}
	d->ids[d->n++] = id;		/* pages are read in order: ids ascend */
}

static bool
dead_has(const DeadSet *d, uint64 id)
{
	int			lo = 0,
				hi = d->n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (d->ids[mid] == id)
			return true;
		if (d->ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return false;
}

/* Pass 1 on one page: drop the TIDs the callback names. */
static void
remove_tids(Relation index, Buffer buf, IndexBulkDeleteResult *stats,
			IndexBulkDeleteCallback callback, void *state, DeadSet *dead,
			uint64 *best, int *bestlevel)
{
	Page		page = BufferGetPage(buf);
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	GenericXLogState *xs = NULL;
	BlockNumber blk = BufferGetBlockNumber(buf);

	for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
	{
		SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
		int			keep = 0;
		bool		change = false;

		if (e->type != SNN_HNSW_ELEMENT_TUPLE)
			continue;
		for (int i = 0; i < e->ntids; i++)
			if (callback(&e->heaptids[i], state))
				change = true;
		if (change && xs == NULL)
		{
			xs = GenericXLogStart(index);
			page = GenericXLogRegisterBuffer(xs, buf, 0);
			e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
		}
		if (change)
		{
			for (int i = 0; i < e->ntids; i++)
			{
				if (callback(&e->heaptids[i], state))
					stats->tuples_removed++;
				else
					e->heaptids[keep++] = e->heaptids[i];
			}
			for (int i = keep; i < SNN_HNSW_HEAPTIDS; i++)
				ItemPointerSetInvalid(&e->heaptids[i]);
			e->ntids = keep;
		}
		stats->num_index_tuples += e->ntids;
		if (e->ntids == 0)
			dead_add(dead, snn_hnsw_tid_id(blk, off));
		else if (e->level > *bestlevel)
		{
			*bestlevel = e->level;
			*best = snn_hnsw_tid_id(blk, off);
		}
	}
	if (xs)
		GenericXLogFinish(xs);
}

/* Pass 2 for one list: replace dead neighbours, if the list still matches. */
static void
repair_list(SnnHnswGraph *g, const DeadSet *dead, uint64 id, int lc)
{
	int			cap = snn_hnsw_layer_cap(lc, g->m);
	uint64		old[2 * SNN_HNSW_MAX_M];
	uint64		hop[2 * SNN_HNSW_MAX_M];
	uint64		upd[2 * SNN_HNSW_MAX_M];
	snn_hnsw_cand *c;
	int			n = snn_hnsw_read_neighbors(g->index, id, lc, g->m, old, cap, NULL);
	int			nc = 0,
				nupd;
	bool		any = false;
	const uint8 *base;
	Buffer		buf;
	Page		page;
	GenericXLogState *xs;

	for (int i = 0; i < n && !any; i++)
		any = dead_has(dead, old[i]);
	if (!any)
		return;

	base = snn_hnsw_cached_vector(g, id, NULL);
	c = palloc(sizeof(snn_hnsw_cand) * (n * (cap + 1) + 1));
	for (int i = 0; i < n; i++)
	{
		if (!dead_has(dead, old[i]))
		{
			c[nc].id = old[i];
			nc++;
			continue;
		}
		/* reach past the dead neighbour to its live neighbours */
		{
			int			nh = snn_hnsw_read_neighbors(g->index, old[i], lc, g->m, hop, cap, NULL);

			for (int j = 0; j < nh; j++)
			{
				if (hop[j] == id || dead_has(dead, hop[j]))
					continue;
				c[nc].id = hop[j];
				nc++;
			}
		}
	}
	/* with equal distances the sort orders by id: drop repeated ids */
	for (int i = 0; i < nc; i++)
		c[i].dist = 0;
	snn_hnsw_sort(c, nc);
	{
		int			k = 0;

		for (int i = 0; i < nc; i++)
		{
			bool		live;
			const uint8 *v;

			if (k > 0 && c[k - 1].id == c[i].id)
				continue;
			v = snn_hnsw_cached_vector(g, c[i].id, &live);
			if (!live)
				continue;
			c[k].id = c[i].id;
			c[k].dist = snn_hnsw_query_distance(g->metric, base, v, g->dim);
			k++;
		}
		nc = k;
	}
	snn_hnsw_sort(c, nc);
	nupd = snn_hnsw_select(&g->cb, c, nc, cap, c);
	for (int i = 0; i < nupd; i++)
		upd[i] = c[i].id;
	pfree(c);

	buf = ReadBuffer(g->index, snn_hnsw_id_blk(id));
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	{
		uint64		now[2 * SNN_HNSW_MAX_M];
		int			nnow = snn_hnsw_get_neighbors(BufferGetPage(buf), snn_hnsw_id_off(id),
												  lc, g->m, now, cap);

		/* changed by a concurrent insert: leave it for the next VACUUM */
		if (nnow != n || memcmp(now, old, sizeof(uint64) * n) != 0)
		{
			UnlockReleaseBuffer(buf);
			return;
		}
	}
	xs = GenericXLogStart(g->index);
	page = GenericXLogRegisterBuffer(xs, buf, 0);
	snn_hnsw_set_neighbors(page, snn_hnsw_id_off(id), lc, g->m, upd, nupd);
	GenericXLogFinish(xs);
	UnlockReleaseBuffer(buf);
}

/* Position of id in the ascending array ids[0..n), or -1. */
static int
find_id(const uint64 *ids, int n, uint64 id)
{
	int			lo = 0,
				hi = n - 1;

	while (lo <= hi)
	{
		int			mid = (lo + hi) / 2;

		if (ids[mid] == id)
			return mid;
		if (ids[mid] < id)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/*
 * Pass 3: a live element that no live element links to at layer 0 can no
 * longer be found, and one with a single in-link is hard to find.  Count
 * in-links; each element with fewer than SNN_HNSW_MIN_INDEGREE is linked
 * back from the neighbours a fresh search chooses for it, as an insert would.
 */
#define SNN_HNSW_MIN_INDEGREE 4

static void
restore_reachability(Relation index, IndexVacuumInfo *info, BlockNumber nblocks)
{
	SnnHnswMetaPageData meta;
	uint64	   *ids = NULL;
	int		   *indeg = NULL;
	int			n = 0,
				cap = 0;
	SnnHnswGraph g;
	uint64		nbuf[2 * SNN_HNSW_MAX_M];
	snn_hnsw_cand *w;

	snn_hnsw_read_meta(index, &meta);
	if (meta.entry_level < 0)
		return;
	for (int pass = 0; pass < 2; pass++)
	{
		if (pass == 1)
			indeg = palloc_extended(sizeof(int) * Max(n, 1), MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
		for (BlockNumber blk = SNN_HNSW_METAPAGE + 1; blk < nblocks; blk++)
		{
			Buffer		buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, info->strategy);
			Page		page;

			vacuum_delay_point();
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
			for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
			{
				SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
				SnnHnswNeighborTuple nt;

				if (e->type != SNN_HNSW_ELEMENT_TUPLE || e->ntids == 0)
					continue;
				if (pass == 0)
				{
					if (n == cap)
					{
						cap = cap ? cap * 2 : 1024;
						ids = ids ? repalloc_huge(ids, sizeof(uint64) * cap)
							: palloc_extended(sizeof(uint64) * cap, MCXT_ALLOC_HUGE);
					}
					ids[n++] = snn_hnsw_tid_id(blk, off);
					continue;
				}
				nt = (SnnHnswNeighborTuple) PageGetItem(page, PageGetItemId(page, e->neighbor_offno));
				for (int i = 0; i < 2 * meta.m && ItemPointerIsValid(&nt->tids[i]); i++)
				{
					int			pos = find_id(ids, n,
											  snn_hnsw_tid_id(ItemPointerGetBlockNumberNoCheck(&nt->tids[i]),
															  ItemPointerGetOffsetNumberNoCheck(&nt->tids[i])));

					if (pos >= 0)
						indeg[pos]++;
				}
			}
			UnlockReleaseBuffer(buf);
		}
	}

	snn_hnsw_graph_init(&g, index, meta.dim, meta.m, snn_hnsw_get_metric(index), true);
	w = palloc(sizeof(snn_hnsw_cand) * (meta.ef_construction + 1));
	for (int i = 0; i < n; i++)
	{
		snn_hnsw_cand entry;
		bool		live;
		int			nw;

		if (indeg[i] >= SNN_HNSW_MIN_INDEGREE ||
			ids[i] == snn_hnsw_tid_id(meta.entry_blkno, meta.entry_offno))
			continue;
		vacuum_delay_point();
		g.query = snn_hnsw_cached_vector(&g, ids[i], NULL);
		entry.id = snn_hnsw_tid_id(meta.entry_blkno, meta.entry_offno);
		entry.dist = g.cb.dist_query(&g, entry.id, &live);
		snn_hnsw_descend(&g.cb, &g.work, &entry, meta.entry_level, 0, 2 * meta.m);
		nw = snn_hnsw_search_layer(&g.cb, &g.work, &entry, 1, meta.ef_construction, 0,
								   2 * meta.m, w);
		/*
		 * Link it back from the neighbours an insert would choose now; when
		 * none keeps it, the nearest must.  Its own first neighbour is the
		 * last resort when the search found nothing else.
		 */
		{
			int			k = 0;
			bool		linked = false;

			for (int j = 0; j < nw; j++)
				if (w[j].id != ids[i])
					w[k++] = w[j];
			k = snn_hnsw_select(&g.cb, w, k, 2 * meta.m, w);
			for (int j = 0; j < k; j++)
				linked |= snn_hnsw_link(&g, w[j].id, ids[i], 0, false, false, NULL, NULL);
			if (!linked && k > 0)
				linked = snn_hnsw_link(&g, w[0].id, ids[i], 0, true, false, NULL, NULL);
			if (!linked &&
				snn_hnsw_read_neighbors(index, ids[i], 0, meta.m, nbuf, 2 * meta.m, NULL) > 0)
				(void) snn_hnsw_link(&g, nbuf[0], ids[i], 0, true, false, NULL, NULL);
		}
	}
	if (ids)
		pfree(ids);
}

/* Replace a dead entry point by the highest live element (or none). */
static void
repair_entry(Relation index, const DeadSet *dead, uint64 best, int bestlevel)
{
	Buffer		buf;
	Page		page;
	SnnHnswMetaPage meta;
	GenericXLogState *xs;

	LockPage(index, SNN_HNSW_UPDATE_LOCK, ExclusiveLock);
	buf = ReadBuffer(index, SNN_HNSW_METAPAGE);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	meta = SnnHnswPageGetMeta(BufferGetPage(buf));
	if (meta->entry_level >= 0 &&
		dead_has(dead, snn_hnsw_tid_id(meta->entry_blkno, meta->entry_offno)))
	{
		xs = GenericXLogStart(index);
		page = GenericXLogRegisterBuffer(xs, buf, 0);
		meta = SnnHnswPageGetMeta(page);
		if (bestlevel >= 0)
		{
			meta->entry_level = bestlevel;
			meta->entry_blkno = snn_hnsw_id_blk(best);
			meta->entry_offno = snn_hnsw_id_off(best);
		}
		else
		{
			meta->entry_level = -1;
			meta->entry_blkno = InvalidBlockNumber;
			meta->entry_offno = InvalidOffsetNumber;
		}
		GenericXLogFinish(xs);
	}
	UnlockReleaseBuffer(buf);
	UnlockPage(index, SNN_HNSW_UPDATE_LOCK, ExclusiveLock);
}

/* ambulkdelete: remove rows, then repair the graph around dead elements. */
IndexBulkDeleteResult *
snn_hnsw_bulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
					IndexBulkDeleteCallback callback, void *callback_state)
{
	Relation	index = info->index;
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	SnnHnswMetaPageData meta;
	DeadSet		dead = {0};
	uint64		best = 0;
	int			bestlevel = -1;
	MemoryContext cxt,
				old;

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	stats->num_index_tuples = 0;
	snn_hnsw_read_meta(index, &meta);

	for (BlockNumber blk = SNN_HNSW_METAPAGE + 1; blk < nblocks; blk++)
	{
		Buffer		buf;

		vacuum_delay_point();
		buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		remove_tids(index, buf, stats, callback, callback_state, &dead, &best, &bestlevel);
		UnlockReleaseBuffer(buf);
	}

	if (dead.n > 0 && meta.dim > 0)
	{
		SnnHnswGraph g;

		cxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw vacuum",
									ALLOCSET_DEFAULT_SIZES);
		old = MemoryContextSwitchTo(cxt);
		snn_hnsw_graph_init(&g, index, meta.dim, meta.m, snn_hnsw_get_metric(index), true);
		for (BlockNumber blk = SNN_HNSW_METAPAGE + 1; blk < nblocks; blk++)
		{
			uint64		ids[MaxOffsetNumber];
			int			levels[MaxOffsetNumber];
			int			n = 0;
			Buffer		buf;
			Page		page;

			vacuum_delay_point();
			buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, info->strategy);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			page = BufferGetPage(buf);
			for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
			{
				SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));

				if (e->type == SNN_HNSW_ELEMENT_TUPLE && e->ntids > 0)
				{
					ids[n] = snn_hnsw_tid_id(blk, off);
					levels[n++] = e->level;
				}
			}
			UnlockReleaseBuffer(buf);
			for (int i = 0; i < n; i++)
				for (int lc = 0; lc <= levels[i]; lc++)
					repair_list(&g, &dead, ids[i], lc);
			/* keep the pattern cache within maintenance_work_mem */
			if (MemoryContextMemAllocated(cxt, true) > (Size) maintenance_work_mem * 1024)
			{
				MemoryContextSwitchTo(old);
				MemoryContextReset(cxt);
				MemoryContextSwitchTo(cxt);
				snn_hnsw_graph_init(&g, index, meta.dim, meta.m, snn_hnsw_get_metric(index), true);
			}
		}
		repair_entry(index, &dead, best, bestlevel);
		MemoryContextReset(cxt);
		restore_reachability(index, info, nblocks);
		MemoryContextSwitchTo(old);
		MemoryContextDelete(cxt);
	}
	stats->num_pages = nblocks;
	if (dead.ids)
		pfree(dead.ids);
	return stats;
}

/*
 * amvacuumcleanup: when no bulk delete ran (nothing was deleted), still
 * link back elements that concurrent inserts left with too few in-links
 * (an insert's pruning of a neighbour's list can drop another insert's only
 * way in), then count what is left.
 */
IndexBulkDeleteResult *
snn_hnsw_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	Relation	index = info->index;
	BlockNumber nblocks;
	MemoryContext cxt,
				old;

	if (info->analyze_only)
		return stats;
	if (stats != NULL)
		return stats;
	stats = palloc0(sizeof(IndexBulkDeleteResult));
	nblocks = RelationGetNumberOfBlocks(index);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw vacuum cleanup",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	restore_reachability(index, info, nblocks);
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	for (BlockNumber blk = SNN_HNSW_METAPAGE + 1; blk < nblocks; blk++)
	{
		Buffer		buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, info->strategy);
		Page		page;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));

			if (e->type == SNN_HNSW_ELEMENT_TUPLE)
				stats->num_index_tuples += e->ntids;
		}
		UnlockReleaseBuffer(buf);
	}
	stats->num_pages = nblocks;
	return stats;
}
