/*
 * hnsw_vacuum.c: VACUUM for snn_hnsw.
 *
 * Only ambulkdelete, which runs when the heap has deleted rows, touches the
 * graph; a VACUUM with nothing to delete reads no index page at all (inserts
 * keep every element reachable themselves, see snn_hnsw_count_inlinks).
 *
 * Pass 1 removes the heap TIDs of deleted rows from every element; elements
 * left with none are dead.  Pass 2 repairs the graph: every live element
 * whose list names a dead one gets a new list, chosen by the selection
 * heuristic among its live neighbours and the live neighbours of its dead
 * ones, so no live element loses its way through the removed region; a dead
 * entry point is replaced by the highest live element.  Pass 3 counts the
 * in-links of the elements around the deleted ones (the dead ones'
 * neighbours and those a new list left out): one with fewer than four is
 * linked again from the neighbours a fresh search chooses for it.  Pass 4
 * marks the dead elements free and records their pages in the free space
 * map: an insert overwrites a free element instead of growing the index.
 * Each page change is one generic WAL record.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

/* A set of element ids (dead ones: sorted, since pages are read in order). */
typedef struct DeadSet
{
	uint64	   *ids;
	int			n;
	int			cap;
} DeadSet;

/* Append an id, growing the array. */
static void
dead_add(DeadSet *d, uint64 id)
{
	if (d->n == d->cap)
	{
		d->cap = d->cap ? d->cap * 2 : 256;
		d->ids = d->ids ? repalloc_huge(d->ids, sizeof(uint64) * d->cap)
			: palloc_extended(sizeof(uint64) * d->cap, MCXT_ALLOC_HUGE);
	}
	d->ids[d->n++] = id;
}

/* qsort comparator of ids. */
static int
id_cmp(const void *a, const void *b)
{
	uint64		x = *(const uint64 *) a;
	uint64		y = *(const uint64 *) b;

	return x < y ? -1 : x > y ? 1 : 0;
}

/* Sort a set and drop repeated ids. */
static void
dead_sort_unique(DeadSet *d)
{
	int			k = 0;

	if (d->n == 0)
		return;
	qsort(d->ids, d->n, sizeof(uint64), id_cmp);
	for (int i = 0; i < d->n; i++)
		if (k == 0 || d->ids[k - 1] != d->ids[i])
			d->ids[k++] = d->ids[i];
	d->n = k;
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

/*
 * Pass 1 on one page: drop the TIDs the callback names.  Returns whether the
 * page holds free elements (an earlier VACUUM's, still to be reused).
 */
static bool
remove_tids(Relation index, Buffer buf, IndexBulkDeleteResult *stats,
			IndexBulkDeleteCallback callback, void *state, DeadSet *dead,
			uint64 *best, int *bestlevel)
{
	Page		page = BufferGetPage(buf);
	OffsetNumber maxoff = PageGetMaxOffsetNumber(page);
	GenericXLogState *xs = NULL;
	BlockNumber blk = BufferGetBlockNumber(buf);
	bool		has_free = false;

	for (OffsetNumber off = FirstOffsetNumber; off <= maxoff; off++)
	{
		SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
		int			keep = 0;
		bool		change = false;
		ItemPointer tids;

		if (!snn_hnsw_is_element(e))
			continue;
		tids = snn_hnsw_elem_heaptids(e);
		for (int i = 0; i < e->ntids; i++)
			if (callback(&tids[i], state))
				change = true;
		if (change && xs == NULL)
		{
			xs = GenericXLogStart(index);
			page = GenericXLogRegisterBuffer(xs, buf, 0);
			e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
			tids = snn_hnsw_elem_heaptids(e);
		}
		if (change)
		{
			for (int i = 0; i < e->ntids; i++)
			{
				if (callback(&tids[i], state))
					stats->tuples_removed++;
				else
					tids[keep++] = tids[i];
			}
			for (int i = keep; i < snn_hnsw_elem_tidcap(e); i++)
				ItemPointerSetInvalid(&tids[i]);
			e->ntids = keep;
		}
		stats->num_index_tuples += e->ntids;
		if (e->ntids == 0 && (e->flags & SNN_HNSW_ELEMENT_FREE))
			has_free = true;
		else if (e->ntids == 0)
			dead_add(dead, snn_hnsw_tid_id(blk, off));
		else if (e->level > *bestlevel)
		{
			*bestlevel = e->level;
			*best = snn_hnsw_tid_id(blk, off);
		}
	}
	if (xs)
		GenericXLogFinish(xs);
	return has_free;
}

/*
 * Pass 2 for one list: replace dead neighbours, if the list still matches.
 * Live elements the new list leaves out lost an in-link: they are added to
 * suspects, for pass 3.
 */
static void
repair_list(SnnHnswGraph *g, const DeadSet *dead, uint64 id, int lc, DeadSet *suspects)
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
			c[k].dist = snn_hnsw_dist_pair(g, base, v);
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
	if (lc != 0)
		return;
	for (int i = 0; i < n; i++)
	{
		bool		kept = dead_has(dead, old[i]);

		for (int j = 0; j < nupd && !kept; j++)
			kept = upd[j] == old[i];
		if (!kept)
			dead_add(suspects, old[i]);
	}
}

/* Whether an element's list names a dead element at any of its layers. */
static bool
names_dead(Page page, OffsetNumber off, int m, const DeadSet *dead)
{
	uint64		ids[2 * SNN_HNSW_MAX_M * (SNN_HNSW_MAX_LEVEL + 2)];
	int			n = snn_hnsw_all_neighbors(page, off, m, ids);

	for (int i = 0; i < n; i++)
		if (dead_has(dead, ids[i]))
			return true;
	return false;
}

/* Add the layer 0 neighbours of an element of a locked page to a set. */
static void
add_neighbors(Page page, OffsetNumber off, int m, DeadSet *set)
{
	uint64		nb[2 * SNN_HNSW_MAX_M];
	int			n = snn_hnsw_get_neighbors(page, off, 0, m, nb, 2 * m);

	for (int i = 0; i < n; i++)
		dead_add(set, nb[i]);
}

/*
 * Pass 2: repair every list that names a dead element, page by page; the
 * live neighbours of dead elements are added to suspects for pass 3 (whose
 * array the caller allocated, so it outlives this pass's context).  The
 * pattern cache is kept within maintenance_work_mem.
 */
static void
repair_lists(IndexVacuumInfo *info, const SnnHnswMetaPageData *meta,
			 const DeadSet *dead, DeadSet *suspects, BlockNumber nblocks)
{
	Relation	index = info->index;
	MemoryContext cxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw vacuum cache",
											  ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	SnnHnswGraph g;

	snn_hnsw_graph_init(&g, index, meta->dim, meta->m, snn_hnsw_get_metric(index),
						meta->quantize, true);
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

			if (!snn_hnsw_is_element(e))
				continue;
			if (e->ntids == 0)
			{
				if (dead_has(dead, snn_hnsw_tid_id(blk, off)))
					add_neighbors(page, off, meta->m, suspects);
			}
			else if (names_dead(page, off, meta->m, dead))
			{
				ids[n] = snn_hnsw_tid_id(blk, off);
				levels[n++] = e->level;
			}
		}
		UnlockReleaseBuffer(buf);
		for (int i = 0; i < n; i++)
			for (int lc = 0; lc <= levels[i]; lc++)
				repair_list(&g, dead, ids[i], lc, suspects);
		if (MemoryContextMemAllocated(cxt, true) > (Size) maintenance_work_mem * 1024)
		{
			MemoryContextReset(cxt);
			snn_hnsw_graph_init(&g, index, meta->dim, meta->m, snn_hnsw_get_metric(index),
								meta->quantize, true);
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
}

/*
 * Link an element back from the neighbours an insert would choose for it
 * now; when none keeps it, the nearest must.  Its own first neighbour is the
 * last resort when the search found nothing else.
 */
static void
relink(SnnHnswGraph *g, const SnnHnswMetaPageData *meta, uint64 id, snn_hnsw_cand *w,
	   DeadSet *dropped)
{
	uint64		drop[2 * SNN_HNSW_MAX_M];
	int			ndrop;
	snn_hnsw_cand entry;
	bool		live;
	int			nw;
	int			k = 0;
	bool		linked = false;
	uint64		nbuf[2 * SNN_HNSW_MAX_M];

	g->query = snn_hnsw_cached_vector(g, id, NULL);
	g->query_code = true;
	entry.id = snn_hnsw_tid_id(meta->entry_blkno, meta->entry_offno);
	entry.dist = g->cb.dist_query(g, entry.id, &live);
	snn_hnsw_descend(&g->cb, &g->work, &entry, meta->entry_level, 0, 2 * meta->m);
	nw = snn_hnsw_search_layer(&g->cb, &g->work, &entry, 1, meta->ef_construction, 0,
							   2 * meta->m, w);
	for (int j = 0; j < nw; j++)
		if (w[j].id != id)
			w[k++] = w[j];
	k = snn_hnsw_select(&g->cb, w, k, 2 * meta->m, w);
	for (int j = 0; j <= k; j++)
	{
		uint64		nb = j < k ? w[j].id : w[0].id;

		/* the last round forces it into the nearest list when none kept it */
		if (j == k && (linked || k == 0))
			break;
		ndrop = 0;
		linked |= snn_hnsw_link(g, nb, id, 0, j == k, false, drop, &ndrop);
		for (int d = 0; d < ndrop && dropped; d++)
			dead_add(dropped, drop[d]);
	}
	if (!linked &&
		snn_hnsw_read_neighbors(g->index, id, 0, meta->m, nbuf, 2 * meta->m, NULL) > 0)
		(void) snn_hnsw_link(g, nbuf[0], id, 0, true, false, NULL, NULL);
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
 * Exact layer 0 in-degree of each suspect (sorted, unique): one sequential
 * pass over the pages, counting the links of live elements.
 */
static int *
count_indegrees(IndexVacuumInfo *info, int m, const DeadSet *suspects, BlockNumber nblocks)
{
	int		   *indeg = palloc_extended(sizeof(int) * Max(suspects->n, 1),
										MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);

	for (BlockNumber blk = SNN_HNSW_METAPAGE + 1; blk < nblocks; blk++)
	{
		Buffer		buf = ReadBufferExtended(info->index, MAIN_FORKNUM, blk, RBM_NORMAL,
											 info->strategy);
		Page		page;

		vacuum_delay_point();
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		page = BufferGetPage(buf);
		for (OffsetNumber off = FirstOffsetNumber; off <= PageGetMaxOffsetNumber(page); off++)
		{
			SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
			uint64		nb[2 * SNN_HNSW_MAX_M];
			int			n;

			if (!snn_hnsw_is_element(e) || e->ntids == 0)
				continue;
			n = snn_hnsw_get_neighbors(page, off, 0, m, nb, 2 * m);
			for (int i = 0; i < n; i++)
			{
				int			pos = find_id(suspects->ids, suspects->n, nb[i]);

				if (pos >= 0)
					indeg[pos]++;
			}
		}
		UnlockReleaseBuffer(buf);
	}
	return indeg;
}

/*
 * Pass 3: each suspect (a live element next to a deleted one, or left out
 * of a repaired list) that fewer than four live elements link to is linked
 * again: one in-link is easily lost to the next pruning, and a small group
 * linking only each other is as lost as an element with none.  Elements
 * those new links push out of a list are checked by their neighbours' links
 * and linked again when none links back.  The in-degrees come from one more
 * read of the pages; searches run only for the suspects below four.
 */
#define SNN_HNSW_VACUUM_INLINKS 4

static int
restore_reachability(IndexVacuumInfo *info, const DeadSet *dead, DeadSet *suspects,
					 BlockNumber nblocks)
{
	int			nrelinked = 0;
	Relation	index = info->index;
	SnnHnswMetaPageData meta;
	MemoryContext cxt,
				old;
	SnnHnswGraph g;
	snn_hnsw_cand *w;
	DeadSet		pushed = {0};
	int		   *indeg;
	uint64		entry;

	snn_hnsw_read_meta(index, &meta);
	if (meta.entry_level < 0 || suspects->n == 0)
		return 0;
	entry = snn_hnsw_tid_id(meta.entry_blkno, meta.entry_offno);
	dead_sort_unique(suspects);
	indeg = count_indegrees(info, meta.m, suspects, nblocks);
	w = palloc(sizeof(snn_hnsw_cand) * (meta.ef_construction + 1));
	pushed.cap = 256;
	pushed.ids = palloc(sizeof(uint64) * pushed.cap);
	cxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw vacuum relink",
								ALLOCSET_DEFAULT_SIZES);
	old = MemoryContextSwitchTo(cxt);
	snn_hnsw_graph_init(&g, index, meta.dim, meta.m, snn_hnsw_get_metric(index),
						meta.quantize, true);
	for (int i = 0; i < suspects->n; i++)
	{
		uint64		id = suspects->ids[i];
		bool		live;

		vacuum_delay_point();
		if (indeg[i] >= SNN_HNSW_VACUUM_INLINKS || dead_has(dead, id) || id == entry)
			continue;
		(void) snn_hnsw_cached_vector(&g, id, &live);
		if (!live)
			continue;
		pushed.n = 0;
		relink(&g, &meta, id, w, &pushed);
		nrelinked++;
		/* what the new links pushed out keeps a way in (checked once) */
		for (int j = 0; j < pushed.n; j++)
		{
			uint64		x = pushed.ids[j];

			(void) snn_hnsw_cached_vector(&g, x, &live);
			if (live && x != id && x != entry &&
				snn_hnsw_count_inlinks(&g, x, 0, 1, SNN_HNSW_NO_ID) == 0)
			{
				relink(&g, &meta, x, w, NULL);
				nrelinked++;
			}
		}
		if (MemoryContextMemAllocated(cxt, true) > (Size) maintenance_work_mem * 1024)
		{
			MemoryContextReset(cxt);
			snn_hnsw_graph_init(&g, index, meta.dim, meta.m, snn_hnsw_get_metric(index),
								meta.quantize, true);
		}
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	pfree(w);
	pfree(indeg);
	pfree(pushed.ids);
	return nrelinked;
}

/*
 * Pass 4: mark the dead elements free, page by page, and offer their pages
 * to inserts through the free space map.  The entry point is never freed
 * (it is dead only when no live element is left).
 */
static void
mark_free(Relation index, const DeadSet *dead)
{
	SnnHnswMetaPageData meta;
	uint64		entry;

	snn_hnsw_read_meta(index, &meta);
	entry = meta.entry_level >= 0 ? snn_hnsw_tid_id(meta.entry_blkno, meta.entry_offno) : 0;
	for (int i = 0; i < dead->n;)
	{
		BlockNumber blk = snn_hnsw_id_blk(dead->ids[i]);
		Buffer		buf = ReadBuffer(index, blk);
		GenericXLogState *xs = GenericXLogStart(index);
		Page		page;
		bool		any = false;

		vacuum_delay_point();
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		page = GenericXLogRegisterBuffer(xs, buf, 0);
		for (; i < dead->n && snn_hnsw_id_blk(dead->ids[i]) == blk; i++)
		{
			OffsetNumber off = snn_hnsw_id_off(dead->ids[i]);
			SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));

			/* dead stays dead: no insert revives an element without rows */
			if (dead->ids[i] == entry || e->ntids != 0)
				continue;
			e->flags |= SNN_HNSW_ELEMENT_FREE;
			any = true;
		}
		if (any)
			GenericXLogFinish(xs);
		else
			GenericXLogAbort(xs);
		UnlockReleaseBuffer(buf);
		if (any)
			RecordFreeIndexPage(index, blk);
	}
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
	DeadSet		suspects = {0};
	uint64		best = 0;
	int			bestlevel = -1;
	int			nrelinked;

	if (stats == NULL)
		stats = palloc0(sizeof(IndexBulkDeleteResult));
	stats->num_index_tuples = 0;
	snn_hnsw_read_meta(index, &meta);

	for (BlockNumber blk = SNN_HNSW_METAPAGE + 1; blk < nblocks; blk++)
	{
		Buffer		buf;
		bool		has_free;

		vacuum_delay_point();
		buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, info->strategy);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		has_free = remove_tids(index, buf, stats, callback, callback_state, &dead,
							   &best, &bestlevel);
		UnlockReleaseBuffer(buf);
		/* the free space map is not crash safe: tell it again */
		if (has_free)
			RecordFreeIndexPage(index, blk);
	}

	if (dead.n > 0 && meta.dim > 0)
	{
		suspects.cap = 1024;
		suspects.ids = palloc(sizeof(uint64) * suspects.cap);
		repair_lists(info, &meta, &dead, &suspects, nblocks);
		repair_entry(index, &dead, best, bestlevel);
		nrelinked = restore_reachability(info, &dead, &suspects, nblocks);
		elog(DEBUG1, "snn_hnsw vacuum of \"%s\": %d dead elements, %d elements around them, %d linked again",
			 RelationGetRelationName(index), dead.n, suspects.n, nrelinked);
		mark_free(index, &dead);
	}
	IndexFreeSpaceMapVacuum(index);
	stats->num_pages = nblocks;
	if (dead.ids)
		pfree(dead.ids);
	if (suspects.ids)
		pfree(suspects.ids);
	return stats;
}

/*
 * amvacuumcleanup: the graph needs nothing when no bulk delete ran (inserts
 * keep their elements reachable), so no page is read; NULL leaves the
 * statistics as they are.
 */
IndexBulkDeleteResult *
snn_hnsw_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only || stats == NULL)
		return stats;
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}
