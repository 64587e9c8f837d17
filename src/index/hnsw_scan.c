/*
 * hnsw_scan.c: ORDER BY pattern <-> $1 through an snn_hnsw index.
 *
 * The first call descends the graph to layer 0.  With snn.iterative_scan off
 * it then runs one layer-0 search of width snn.ef_search and returns the
 * found elements' heap TIDs in distance order, so a scan yields the rows of
 * at most ef_search elements (the planner refuses a known LIMIT above that).
 * Otherwise it runs the engine's resumable search (snn_hnsw_iter): elements
 * come out one at a time for as long as the executor asks, until every
 * element reachable in the graph has been returned; its lookahead starts at
 * ef_search, stays there for the first ef_search elements given out, then
 * takes the width it would have had growing by two for every element
 * (strict) or one for every two (relaxed) from the first, up to
 * ef_search + 1000.  strict_order skips an
 * element found nearer than one already returned, so rows come out in exact
 * non-decreasing distance; relaxed_order returns it (slightly out of order).
 * A scan that would need more than snn.max_scan_tuples rows or more memory
 * than snn.scan_mem_multiplier * work_mem raises an error rather than ending
 * short.  Without codes (quantize = none) distances are exact, so no recheck
 * is needed.  With codes the search walks the graph by a lower bound of the
 * exact distance, its ties broken by an estimate (SNN_HNSW_KEY), at least
 * lossy_min_ef wide; the scan holds the elements the search gives out and
 * returns them lowest bound first (lossy_next), handing that bound to the
 * executor as the row's ORDER BY value with xs_recheckorderby;
 * the executor computes the exact distance from the heap row and holds rows
 * back in its reorder queue until no later row can come before them.
 * Because the bounds handed out never decrease (strict_order drops an
 * element whose bound is below one already returned; the single search of
 * iterative_scan = off is sorted by bound), the rows come out in exact order.
 */
#include "postgres.h"

#include <math.h>

#include "access/relscan.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/buf_internals.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"

/* graph elements expanded between two interrupt and memory checks */
#define SNN_HNSW_SCAN_BUDGET	32
/*
 * most buffers a scan pins at once to fetch a batch of elements: enough
 * misses in flight, and within the backend's 8 fast pin-count slots
 */
#define SNN_HNSW_SCAN_PINS		6

typedef struct SnnHnswScanOpaqueData
{
	bool		first;
	bool		done;
	int			metric;
	bool		lossy;			/* elements hold codes: recheck the order */
	bool		nullquery;		/* the ORDER BY argument is NULL */
	int			mode;			/* snn.iterative_scan when the scan began */
	MemoryContext cxt;			/* reset at each rescan */
	/* snn.iterative_scan = off: one search's results */
	snn_hnsw_cand *results;
	int			nresults;
	int			pos;
	/* iterative: the resumable search */
	SnnHnswGraph g;
	snn_hnsw_iter it;
	bool		iterating;
	uint64		lastdist;		/* distance of the last element returned */
	int64		returned;		/* heap TIDs returned */
	/* codes: elements given out by the search, a min-heap by bound */
	snn_hnsw_cand *held;
	int			nheld;
	int			capheld;
	bool		iter_done;		/* the search has given out everything */
	int			heldcap;		/* elements held before the first is returned */
	uint64		curdist;		/* graph distance of the current element */
	Size		maxmem;
	/* the heap TIDs of the current element */
	ItemPointerData tids[SNN_HNSW_HEAPTIDS];
	int			ntids;
	int			tidpos;
} SnnHnswScanOpaqueData;

typedef SnnHnswScanOpaqueData *SnnHnswScanOpaque;

static void set_order_value(IndexScanDesc scan);

/*
 * Where a block of an index was last found in shared buffers, by a hash of
 * the relation and the block.  Only the buffer is kept: ReadRecentBuffer
 * checks the buffer's tag under its pin, so a hint left by another block or
 * relation only costs the ordinary ReadBuffer.  Sized for an index of about
 * a million elements (a few bytes each, per backend, touched only where
 * used).
 */
#define SNN_HNSW_BUF_HINTS		(1 << 17)	/* a power of two */

static Buffer buf_hints[SNN_HNSW_BUF_HINTS];

/* the last line pointer that fits in a page: what a peek may read */
#define SNN_HNSW_SCAN_MAXOFF \
	((OffsetNumber) ((BLCKSZ - SizeOfPageHeaderData) / sizeof(ItemIdData)))

/* The hint slot of a block of the index. */
static inline Buffer *
scan_hint(Relation index, BlockNumber blk)
{
	return &buf_hints[(blk ^ (index->rd_node.relNode * 2654435761U)) & (SNN_HNSW_BUF_HINTS - 1)];
}

/* Forget the current search (its memory goes with the context). */
static void
reset_state(SnnHnswScanOpaque so)
{
	MemoryContextReset(so->cxt);
	so->first = true;
	so->done = false;
	so->results = NULL;
	so->nresults = so->pos = so->ntids = so->tidpos = 0;
	so->iterating = false;
	so->held = NULL;
	so->nheld = so->capheld = 0;
	so->iter_done = false;
	so->lastdist = 0;
	so->returned = 0;
	so->curdist = 0;
}

/* ambeginscan */
IndexScanDesc
snn_hnsw_beginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	SnnHnswScanOpaque so = palloc0(sizeof(SnnHnswScanOpaqueData));

	so->metric = snn_hnsw_get_metric(index);
	so->cxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw scan",
									ALLOCSET_DEFAULT_SIZES);
	/* the executor reads these when the order is rechecked */
	if (norderbys > 0)
	{
		scan->xs_orderbyvals = palloc0(sizeof(Datum) * norderbys);
		scan->xs_orderbynulls = palloc(sizeof(bool) * norderbys);
		memset(scan->xs_orderbynulls, true, sizeof(bool) * norderbys);
	}
	reset_state(so);
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
	reset_state(so);
	/* each search counts once in pg_stat_*_indexes.idx_scan, as btree's do */
	pgstat_count_index_scan(scan->indexRelation);
}

/* Remember whether the query is NULL (its ORDER BY values are then NULL). */
static void
so_nullquery(IndexScanDesc scan, bool isnull)
{
	((SnnHnswScanOpaque) scan->opaque)->nullquery = isnull;
}

/* The query pattern, checked against the index (all silent for NULL). */
static const uint8 *
scan_query(IndexScanDesc scan, int dim)
{
	uint8	   *silent;

	if (scan->numberOfOrderBys == 0 || scan->orderByData == NULL)
		ereport(ERROR,
				(errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				 errmsg("an snn_hnsw index can only be scanned with ORDER BY its distance operator")));
	so_nullquery(scan, false);
	if (!(scan->orderByData[0].sk_flags & SK_ISNULL))
		return snn_hnsw_check_value(scan->orderByData[0].sk_argument, dim)->t;
	/* every distance is NULL: any order is right, use an all-silent query */
	so_nullquery(scan, true);
	silent = palloc(dim);
	memset(silent, SNN_SILENT, dim);
	return silent;
}

/*
 * Pin a block of the index, first trying the buffer that held it last time
 * (ReadRecentBuffer checks the buffer's tag under its pin), which skips the
 * shared buffer mapping lookup that a scan otherwise pays for each of its
 * scattered page reads.  The hints are per backend and survive scans, so a
 * series of queries over the same index reuses them; a wrong hint only
 * costs the ordinary ReadBuffer.  Temporary indexes use ReadBuffer.
 */
static Buffer
scan_read_buffer(Relation index, BlockNumber blk)
{
	Buffer	   *h;
	Buffer		buf;

	if (RelationUsesLocalBuffers(index))
		return ReadBuffer(index, blk);
	h = scan_hint(index, blk);
	if (BufferIsValid(*h) &&
		ReadRecentBuffer(index->rd_node, MAIN_FORKNUM, blk, *h))
		return *h;
	buf = ReadBuffer(index, blk);
	*h = buf;
	return buf;
}

/* Callback: distance from the query to one element, through the buffer hints. */
static uint64
scan_dist_query(void *ctx, uint64 id, bool *live)
{
	SnnHnswGraph *g = ctx;

	return snn_hnsw_buffer_dist_query(g, scan_read_buffer(g->index, snn_hnsw_id_blk(id)),
									  id, live);
}

/* Callback: an element's neighbours at a layer, through the buffer hints. */
static int
scan_neighbors(void *ctx, uint64 id, int layer, uint64 *out, int cap)
{
	SnnHnswGraph *g = ctx;
	Buffer		buf = scan_read_buffer(g->index, snn_hnsw_id_blk(id));
	Page		page;
	SnnHnswElementTuple e;
	int			n = 0;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	e = snn_hnsw_page_element(g->index, page, snn_hnsw_id_off(id));
	if (layer <= e->level)
		n = snn_hnsw_get_neighbors(page, snn_hnsw_id_off(id), layer, g->m, out, cap);
	UnlockReleaseBuffer(buf);
	return n;
}

/*
 * Prefetch what pinning and reading element id will touch first: the
 * descriptor of the buffer its block was last found in (ReadRecentBuffer's
 * header lock otherwise waits for that miss) and the line of its line
 * pointer.  Only addresses are computed, nothing is read: a stale hint costs
 * a useless prefetch, never a wrong read (the read itself pins and locks).
 */
static inline void
scan_prefetch_hint(Relation index, uint64 id)
{
	Buffer		h = *scan_hint(index, snn_hnsw_id_blk(id));

	if (h <= 0 || h > NBuffers)
		return;
	__builtin_prefetch(GetBufferDescriptor(h - 1));
	__builtin_prefetch((const char *) BufferGetBlock(h) +
					   Min(offsetof(PageHeaderData, pd_linp) +
						   sizeof(ItemIdData) * (snn_hnsw_id_off(id) - 1), BLCKSZ - 64));
}

/*
 * Prefetch the tuple of element id through the buffer its block was last
 * found in, before pinning it: the line pointer is peeked without a pin or
 * lock, only to compute an address to prefetch (clamped into the page), so
 * a stale or changing hint costs a useless prefetch, never a wrong read;
 * everything used is read again under the pin and share lock.
 */
static inline void
scan_prefetch_item(Relation index, uint64 id)
{
	Buffer		h = *scan_hint(index, snn_hnsw_id_blk(id));
	const char *page;
	OffsetNumber off;
	ItemIdData	lp;

	if (h <= 0 || h > NBuffers)
		return;
	page = (const char *) BufferGetBlock(h);
	off = Max(Min(snn_hnsw_id_off(id), SNN_HNSW_SCAN_MAXOFF), FirstOffsetNumber);
	lp = *(volatile ItemIdData *) PageGetItemId((Page) page, off);
	page += Min(lp.lp_off, BLCKSZ - 192);
	__builtin_prefetch(page);
	__builtin_prefetch(page + 64);
	__builtin_prefetch(page + 128);
}

/*
 * Distances to a chunk of elements (unvisited neighbours of one element).
 * Each element costs a few cache misses on its own page
 * (header, line pointer, tuple) and the pages are scattered, so they are
 * pinned first and their lines prefetched, then read under a share lock one
 * at a time.  The line pointer is peeked before the lock only to choose
 * what to prefetch; everything used is read under the lock.
 */
static void
scan_dist_chunk(SnnHnswGraph *g, const uint64 *ids, int n, uint64 *dist, bool *live)
{
	Buffer		bufs[SNN_HNSW_SCAN_PINS];
	Page		pages[SNN_HNSW_SCAN_PINS];

	Assert(n <= SNN_HNSW_SCAN_PINS);
	for (int i = 0; i < n; i++)
	{
		bufs[i] = scan_read_buffer(g->index, snn_hnsw_id_blk(ids[i]));
		pages[i] = BufferGetPage(bufs[i]);
		__builtin_prefetch(pages[i]);
		__builtin_prefetch(PageGetItemId(pages[i], snn_hnsw_id_off(ids[i])));
	}
	for (int i = 0; i < n; i++)
	{
		const char *item = (const char *) pages[i] +
		Min(ItemIdGetOffset(PageGetItemId(pages[i], snn_hnsw_id_off(ids[i]))), BLCKSZ - 256);

		__builtin_prefetch(item);
		__builtin_prefetch(item + 64);
		__builtin_prefetch(item + 128);
	}
	for (int i = 0; i < n; i++)
	{
		SnnHnswElementTuple e;

		LockBuffer(bufs[i], BUFFER_LOCK_SHARE);
		e = snn_hnsw_page_element(g->index, pages[i], snn_hnsw_id_off(ids[i]));
		live[i] = e->ntids > 0;
		dist[i] = snn_hnsw_dist_query(g, snn_hnsw_elem_data(e));
		UnlockReleaseBuffer(bufs[i]);
	}
}

/*
 * Callback: distances to a batch of elements, in chunks of at most
 * SNN_HNSW_SCAN_PINS pins, fewer when shared_buffers is tiny.  The whole
 * batch's buffer descriptors and line pointers, then its tuples, are
 * prefetched first, so the misses of later chunks overlap the work of
 * earlier ones.
 */
static void
scan_dist_batch(void *ctx, const uint64 *ids, int n, uint64 *dist, bool *live)
{
	SnnHnswGraph *g = ctx;
	int			chunk = Max(1, Min(SNN_HNSW_SCAN_PINS, NBuffers / 64));

	if (!RelationUsesLocalBuffers(g->index))
	{
		for (int i = 0; i < n; i++)
			scan_prefetch_hint(g->index, ids[i]);
		for (int i = 0; i < n; i++)
			scan_prefetch_item(g->index, ids[i]);
	}
	for (int start = 0; start < n; start += chunk)
		scan_dist_chunk(g, ids + start, Min(chunk, n - start), dist + start, live + start);
}

/* Callback: the neighbours of id are likely read next; prefetch its tuple. */
static void
scan_prefetch(void *ctx, uint64 id)
{
	SnnHnswGraph *g = ctx;

	if (!RelationUsesLocalBuffers(g->index))
	{
		scan_prefetch_hint(g->index, id);
		scan_prefetch_item(g->index, id);
	}
}

/*
 * Narrowest iterative search of an index of codes.  The executor releases a
 * row only once the bound handed out passes its k-th exact distance, so a
 * first search that misses the query's neighbourhood makes the scan walk on
 * until the loose bounds pass the far rows it found: on 100,000 x 128
 * patterns, a 2-bit scan at m = 8 handed the executor 8,139 rows a query at
 * snn.ef_search 10 and 54 at 100, and at m = 5 243 rows at 100 and 54 at
 * 130.  The looser the code and the fewer the links (m), the wider the
 * search it needs.
 */
static int
lossy_min_ef(int quantize, int m)
{
	return (quantize == SNN_QUANT_4BIT ? 320 : 800) / Min(Max(m, 1), 8);
}

/* Reorder found elements of an index of codes by their bounds. */
static void
sort_by_bound(snn_hnsw_cand *c, int n)
{
	for (int i = 0; i < n; i++)
		c[i].dist = SNN_HNSW_KEY_BOUND(c[i].dist);
	snn_hnsw_sort(c, n);
}

/* Descend to layer 0, then run one search (off) or start the iteration. */
static void
start_search(IndexScanDesc scan)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;
	Relation	index = scan->indexRelation;
	SnnHnswMetaPageData meta;
	snn_hnsw_cand entry;
	bool		live;
	int			ef = snn_hnsw_ef_search;

	so->mode = snn_hnsw_iterative_scan;
	snn_hnsw_read_meta(index, &meta);
	if (meta.entry_level < 0)
	{
		(void) scan_query(scan, 0);
		so->done = true;
		return;
	}
	snn_hnsw_graph_init(&so->g, index, meta.dim, meta.m, so->metric, meta.quantize, false);
	so->lossy = meta.quantize != SNN_QUANT_NONE;
	/* codes: distances are keys of the bound and estimate (SNN_HNSW_KEY) */
	so->g.estimate = so->lossy;
	so->g.query = scan_query(scan, meta.dim);

	/*
	 * every page read of the scan goes through the buffer hints, and the
	 * neighbours of an element are read as one batch (descent, single search
	 * and iteration alike)
	 */
	so->g.cb.dist_query = scan_dist_query;
	so->g.cb.neighbors = scan_neighbors;
	so->g.cb.dist_batch = scan_dist_batch;
	so->g.cb.prefetch = scan_prefetch;
	entry.id = snn_hnsw_tid_id(meta.entry_blkno, meta.entry_offno);
	entry.dist = so->g.cb.dist_query(&so->g, entry.id, &live);
	snn_hnsw_descend(&so->g.cb, &so->g.work, &entry, meta.entry_level, 0, 2 * meta.m);
	if (so->mode == SNN_HNSW_ITERATIVE_OFF)
	{
		so->results = palloc(sizeof(snn_hnsw_cand) * ef);
		so->nresults = snn_hnsw_search_layer(&so->g.cb, &so->g.work, &entry, 1, ef, 0,
											 2 * meta.m, so->results);
		if (so->lossy)
			sort_by_bound(so->results, so->nresults);
		return;
	}
	so->maxmem = (Size) ((double) work_mem * 1024.0 * snn_hnsw_scan_mem_multiplier);
	/* codes: a search at least lossy_min_ef wide, and as many held */
	if (so->lossy)
		ef = Max(ef, lossy_min_ef(meta.quantize, meta.m));
	so->heldcap = ef;
	snn_hnsw_iter_start(&so->g.cb, &so->it, &entry, ef, 0, 2 * meta.m);

	/*
	 * A deep scan widens its front once it has gone past its first ef_search
	 * elements, to the width it would have had widening from the first
	 * (strict skips, so it needs a wider one); a shallow one, such as LIMIT
	 * 10, keeps the width of ef_search: widening it from the first row cost
	 * up to 58 % more distances at ef_search 20 for no recall.  Not with
	 * codes, whose held elements (lossy_next) are the lookahead.
	 */
	so->it.widen = so->lossy ? 0 : so->mode == SNN_HNSW_ITERATIVE_STRICT ? 1 : 2;
	so->it.widen_by = so->mode == SNN_HNSW_ITERATIVE_STRICT ? 2 : 1;
	so->it.widen_after = (uint64) ef;
	so->iterating = true;
}

/* Copy the heap TIDs of element id; false when it has none (dead). */
static bool
load_element(IndexScanDesc scan, uint64 id)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;
	Buffer		buf = scan_read_buffer(scan->indexRelation, snn_hnsw_id_blk(id));
	Page		page;
	SnnHnswElementTuple e;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	e = snn_hnsw_page_element(scan->indexRelation, page, snn_hnsw_id_off(id));
	so->ntids = Min(e->ntids, SNN_HNSW_HEAPTIDS);
	memcpy(so->tids, snn_hnsw_elem_heaptids(e), sizeof(ItemPointerData) * so->ntids);
	UnlockReleaseBuffer(buf);
	so->tidpos = 0;
	return so->ntids > 0;
}

/* The scan needs more memory than it may use: an error, never a short result. */
static void
memory_exceeded(IndexScanDesc scan)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;

	ereport(ERROR,
			(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			 errmsg("snn_hnsw scan of index \"%s\" needs more than snn.scan_mem_multiplier * work_mem (%zu kB)",
					RelationGetRelationName(scan->indexRelation), so->maxmem / 1024),
			 errdetail("The scan had returned %lld rows and visited %llu graph elements; ending it here would return fewer rows than the query asks for.",
					   (long long) so->returned, (unsigned long long) so->it.w.nvisited),
			 errhint("Raise work_mem or snn.scan_mem_multiplier, or run the query without the index (SET enable_indexscan = off).")));
}

/* The resumable search's next element; false when it has given out all. */
static bool
iter_pull(IndexScanDesc scan, snn_hnsw_cand *c)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;

	for (;;)
	{
		switch (snn_hnsw_iter_next(&so->g.cb, &so->it, SNN_HNSW_SCAN_BUDGET, c))
		{
			case SNN_HNSW_ITER_DONE:
				return false;
			case SNN_HNSW_ITER_PAUSED:
				CHECK_FOR_INTERRUPTS();
				if (snn_hnsw_iter_bytes(&so->it) > so->maxmem)
					memory_exceeded(scan);
				continue;
			case SNN_HNSW_ITER_FOUND:
				return true;
		}
	}
}

/* Push onto the min-heap of held elements (by bound, then id). */
static void
held_push(SnnHnswScanOpaque so, snn_hnsw_cand c)
{
	int			i;

	if (so->nheld == so->capheld)
	{
		so->capheld = Max(64, 2 * so->capheld);
		so->held = so->held ? repalloc(so->held, sizeof(snn_hnsw_cand) * so->capheld) :
			palloc(sizeof(snn_hnsw_cand) * so->capheld);
	}
	i = so->nheld++;
	while (i > 0)
	{
		int			p = (i - 1) / 2;

		if (so->held[p].dist < c.dist ||
			(so->held[p].dist == c.dist && so->held[p].id <= c.id))
			break;
		so->held[i] = so->held[p];
		i = p;
	}
	so->held[i] = c;
}

/* Pop the held element of the lowest bound. */
static snn_hnsw_cand
held_pop(SnnHnswScanOpaque so)
{
	snn_hnsw_cand top = so->held[0];
	snn_hnsw_cand last = so->held[--so->nheld];
	int			i = 0;

	for (;;)
	{
		int			l = 2 * i + 1,
					s = l;

		if (l >= so->nheld)
			break;
		if (l + 1 < so->nheld &&
			(so->held[l + 1].dist < so->held[l].dist ||
			 (so->held[l + 1].dist == so->held[l].dist && so->held[l + 1].id < so->held[l].id)))
			s = l + 1;
		if (so->held[s].dist > last.dist ||
			(so->held[s].dist == last.dist && so->held[s].id >= last.id))
			break;
		so->held[i] = so->held[s];
		i = s;
	}
	if (so->nheld > 0)
		so->held[i] = last;
	return top;
}

/*
 * Next element of an index of codes.  The search gives its elements out
 * nearly in bound order; they are held in a heap of as many as its width and
 * returned lowest bound first, so fewer come out of order.  strict_order
 * drops an element whose bound is below one already returned, so the
 * bounds handed out never decrease and the rows come out in exact order.
 */
static bool
lossy_next(IndexScanDesc scan, snn_hnsw_cand *out)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;
	snn_hnsw_cand c;

	for (;;)
	{
		while (!so->iter_done && so->nheld < so->heldcap)
		{
			if (!iter_pull(scan, &c))
			{
				so->iter_done = true;
				break;
			}
			c.dist = SNN_HNSW_KEY_BOUND(c.dist);
			if (so->mode == SNN_HNSW_ITERATIVE_STRICT && c.dist < so->lastdist)
				continue;
			held_push(so, c);
		}
		if (so->nheld == 0)
			return false;
		c = held_pop(so);
		if (so->mode == SNN_HNSW_ITERATIVE_STRICT && c.dist < so->lastdist)
			continue;
		*out = c;
		return true;
	}
}

/* Next element of the resumable search, in order for strict_order. */
static bool
next_element_iter(IndexScanDesc scan)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;
	snn_hnsw_cand c;

	for (;;)
	{
		if (!(so->lossy ? lossy_next(scan, &c) : iter_pull(scan, &c)))
			return false;
		/* strict order: one found nearer than the last returned is skipped */
		if (so->mode == SNN_HNSW_ITERATIVE_STRICT && c.dist < so->lastdist)
			continue;
		so->lastdist = Max(so->lastdist, c.dist);
		so->curdist = c.dist;
		if (load_element(scan, c.id))
			return true;
	}
}

/* Next element of the single search (snn.iterative_scan = off). */
static bool
next_element_off(IndexScanDesc scan)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;

	while (so->pos < so->nresults)
	{
		so->curdist = so->results[so->pos].dist;
		if (load_element(scan, so->results[so->pos++].id))
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

		so->first = false;
		start_search(scan);
		MemoryContextSwitchTo(old);
	}
	if (so->done)
		return false;
	if (so->tidpos >= so->ntids)
	{
		MemoryContext old = MemoryContextSwitchTo(so->cxt);
		bool		more = so->iterating ? next_element_iter(scan) : next_element_off(scan);

		MemoryContextSwitchTo(old);
		if (!more)
		{
			so->done = true;
			return false;
		}
	}
	if (so->iterating && snn_hnsw_max_scan_tuples > 0 &&
		so->returned >= snn_hnsw_max_scan_tuples)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("snn_hnsw scan of index \"%s\" reached snn.max_scan_tuples (%d)",
						RelationGetRelationName(scan->indexRelation), snn_hnsw_max_scan_tuples),
				 errdetail("Ending the scan here would return fewer rows than the query asks for."),
				 errhint("Raise snn.max_scan_tuples (0: no limit), or run the query without the index (SET enable_indexscan = off).")));
	so->returned++;
	scan->xs_heaptid = so->tids[so->tidpos++];
	scan->xs_recheck = false;
	scan->xs_recheckorderby = so->lossy;
	if (so->lossy)
		set_order_value(scan);
	return true;
}

/*
 * The ORDER BY value of a row of a lossy element: its lower bound, in the
 * operator's units (the square root of a squared L2 bound, so that it stays
 * below sqrt of the exact integer the operator computes; L1 as it is).
 */
static void
set_order_value(IndexScanDesc scan)
{
	SnnHnswScanOpaque so = (SnnHnswScanOpaque) scan->opaque;
	double		v = (double) so->curdist;

	if (so->metric == SNN_HNSW_L2)
		v = sqrt(v);
	scan->xs_orderbyvals[0] = Float8GetDatum(v);
	scan->xs_orderbynulls[0] = so->nullquery;
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
