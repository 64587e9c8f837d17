/*
 * hnsw_build.c: CREATE INDEX for snn_hnsw.
 *
 * The heap is scanned once; rows go into the engine's in-memory graph
 * (snn_hnsw_mem) as long as it fits in maintenance_work_mem.  The graph is
 * then repaired (what a search for an element's own pattern misses gets a
 * link, and every element is made reachable on every layer) and written page
 * by page without WAL.  If it outgrows the memory, what
 * is built so far is written out, a NOTICE says so, and the remaining rows
 * are inserted into the on-disk graph one by one (slower, same result
 * quality).  Either way the whole index is WAL-logged once at the end.
 */
#include "postgres.h"

#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/smgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"

#include "hnsw.h"
#include "snn.h"

typedef struct SnnHnswBuildState
{
	Relation	heap;
	Relation	index;
	int			dim;
	int			m;
	int			efc;
	int			metric;
	int			quantize;		/* snn_quant: elements store codes */
	int			format;			/* SNN_HNSW_FORMAT or SNN_HNSW_FORMAT_COMPACT */
	int			tidsper;		/* heap TIDs an element holds */
	int			maxlevel;
	bool		in_memory;		/* false once the graph went to disk */
	bool		graph_ready;
	snn_hnsw_mem graph;
	ItemPointerData *tids;		/* tidsper per element */
	size_t		tidcap;			/* elements the array can hold */
	size_t		memlimit;
	double		indtuples;
	pg_prng_state prng;
	MemoryContext graphcxt;
	MemoryContext tmpcxt;
} SnnHnswBuildState;

static void *
build_alloc(void *ctx, size_t size)
{
	return MemoryContextAllocHuge((MemoryContext) ctx, size);
}

static void
build_release(void *ctx, void *p)
{
	pfree(p);
}

/* Where an element of the in-memory graph lands on disk. */
typedef struct SnnHnswPlace
{
	BlockNumber blkno;
	OffsetNumber offno;
} SnnHnswPlace;

/*
 * The compact tuple of in-memory element i into ebuf, its lists translated
 * to compact references through place; returns its length.
 */
static Size
compact_tuple(SnnHnswBuildState *bs, uint32 i, const SnnHnswPlace *place, char *ebuf)
{
	snn_hnsw_mem_elem *me = &bs->graph.elems[i];
	SnnHnswCompactTuple ct = (SnnHnswCompactTuple) ebuf;
	int			codesize = (int) snn_quant_code_size(bs->quantize, bs->dim);
	uint8	   *refs = ct->data + codesize;
	Size		sz = offsetof(SnnHnswCompactTupleData, data) + codesize +
	sizeof(uint32) * snn_hnsw_slots(me->level, bs->m);

	memset(ebuf, 0, MAXALIGN(sz));
	ct->type = SNN_HNSW_COMPACT_TUPLE;
	ct->level = me->level;
	ct->ntids = 1;
	ct->heaptid = bs->tids[i];
	snn_quant_encode(bs->quantize, bs->graph.vectors + (size_t) i * bs->dim, bs->dim, ct->data);
	for (int lc = 0; lc <= me->level; lc++)
	{
		int			start = snn_hnsw_layer_start(lc, bs->m);

		for (int j = 0; j < me->counts[lc]; j++)
		{
			const SnnHnswPlace *p = &place[me->nbrs[start + j]];
			uint32		r = (uint32) (p->blkno << 8) | (uint32) p->offno;

			memcpy(refs + sizeof(uint32) * (start + j), &r, sizeof(uint32));
		}
	}
	return sz;
}

/*
 * Repair the finished in-memory graph before it is written: elements greedy
 * searches miss get a link from where those searches end, and what the
 * entry point cannot reach is linked in (snn_hnsw_mem_repair), so that no
 * cluster of rows is an island that only a lucky descent finds.
 */
static void
repair_graph(SnnHnswBuildState *bs)
{
	snn_hnsw_repair_stats st;
	snn_error	err;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, SNN_HNSW_PHASE_REPAIR);
	snn_error_clear(&err);
	if (snn_hnsw_mem_repair(&bs->graph, SNN_HNSW_REPAIR_EF, &st, &err) != SNN_OK)
		snn_report_error(&err, "snn_hnsw build");
	elog(DEBUG1, "snn_hnsw build repair: %llu of %llu self-searches missed, %llu links added; "
		 "%llu unreachable, %llu links added, %llu left",
		 (unsigned long long) st.missed, (unsigned long long) st.searched,
		 (unsigned long long) st.linked, (unsigned long long) st.unreachable,
		 (unsigned long long) st.reconnected, (unsigned long long) st.left);
}

/*
 * Write the in-memory graph: first compute every element's place (pages fill
 * in element order, element and neighbour tuple side by side, or one compact
 * tuple), then fill the pages with neighbour lists already translated to
 * index TIDs (or compact references).
 */
static void
flush_graph(SnnHnswBuildState *bs)
{
	bool		compact = bs->format == SNN_HNSW_FORMAT_COMPACT;
	int			codesize = (int) snn_quant_code_size(bs->quantize, bs->dim);
	snn_hnsw_mem *g = &bs->graph;
	SnnHnswPlace *place;
	BlockNumber blk = 1;
	Size		room = SNN_HNSW_PAGE_ROOM;
	OffsetNumber off = FirstOffsetNumber;
	Size		esz = SNN_HNSW_ELEMENT_SIZE(snn_quant_code_size(bs->quantize, bs->dim));
	char	   *ebuf = palloc0(Max(esz, SNN_HNSW_COMPACT_SIZE(codesize, SNN_HNSW_MAX_LEVEL, bs->m)));
	char	   *nbuf = palloc0(SNN_HNSW_NEIGHBOR_SIZE(SNN_HNSW_MAX_LEVEL, bs->m));
	Buffer		buf = InvalidBuffer;
	Page		page = NULL;
	Buffer		metabuf;
	SnnHnswMetaPage meta;

	repair_graph(bs);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, SNN_HNSW_PHASE_WRITE);
	place = MemoryContextAllocHuge(bs->graphcxt, sizeof(SnnHnswPlace) * Max(g->n, 1));
	for (uint32 i = 0; i < g->n; i++)
	{
		Size		need = esz + SNN_HNSW_NEIGHBOR_SIZE(g->elems[i].level, bs->m) +
		2 * sizeof(ItemIdData);

		if (compact)
			need = SNN_HNSW_COMPACT_SIZE(codesize, g->elems[i].level, bs->m) +
				sizeof(ItemIdData);
		if (need > room)
		{
			blk++;
			room = SNN_HNSW_PAGE_ROOM;
			off = FirstOffsetNumber;
		}
		if (compact)
			snn_hnsw_compact_check_block(bs->index, blk);
		place[i].blkno = blk;
		place[i].offno = off;
		off += compact ? 1 : 2;
		room -= need;
	}

	for (uint32 i = 0; i < g->n; i++)
	{
		snn_hnsw_mem_elem *me = &g->elems[i];
		SnnHnswElementTuple et = (SnnHnswElementTuple) ebuf;
		SnnHnswNeighborTuple nt = (SnnHnswNeighborTuple) nbuf;
		int			slots = snn_hnsw_slots(me->level, bs->m);
		Size		nsz = SNN_HNSW_NEIGHBOR_SIZE(me->level, bs->m);

		CHECK_FOR_INTERRUPTS();
		if (page == NULL || place[i].blkno != BufferGetBlockNumber(buf))
		{
			if (page != NULL)
			{
				MarkBufferDirty(buf);
				UnlockReleaseBuffer(buf);
			}
			buf = ReadBufferExtended(bs->index, MAIN_FORKNUM, P_NEW, RBM_NORMAL, NULL);
			if (BufferGetBlockNumber(buf) != place[i].blkno)
				elog(ERROR, "snn_hnsw build: expected block %u, got %u",
					 place[i].blkno, BufferGetBlockNumber(buf));
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			page = BufferGetPage(buf);
			snn_hnsw_init_page(buf, page);
		}
		if (compact)
		{
			Size		sz = compact_tuple(bs, i, place, ebuf);

			if (place[i].offno > 0xFF ||
				PageAddItem(page, (Item) ebuf, sz, InvalidOffsetNumber, false, false) != place[i].offno)
				elog(ERROR, "snn_hnsw build: failed to place element %u", i);
			continue;
		}

		memset(ebuf, 0, esz);
		et->type = SNN_HNSW_ELEMENT_TUPLE;
		et->level = me->level;
		et->ntids = me->ndup + 1;
		et->neighbor_offno = place[i].offno + 1;
		et->dim = bs->dim;
		for (int t = 0; t < SNN_HNSW_HEAPTIDS; t++)
		{
			if (t < et->ntids)
				et->heaptids[t] = bs->tids[(size_t) i * bs->tidsper + t];
			else
				ItemPointerSetInvalid(&et->heaptids[t]);
		}
		/* the graph was built on exact patterns; the pages keep their codes */
		snn_quant_encode(bs->quantize, g->vectors + (size_t) i * bs->dim, bs->dim, et->data);

		memset(nbuf, 0, nsz);
		nt->type = SNN_HNSW_NEIGHBOR_TUPLE;
		nt->count = slots;
		for (int lc = 0; lc <= me->level; lc++)
		{
			int			start = snn_hnsw_layer_start(lc, bs->m);
			int			cap = snn_hnsw_layer_cap(lc, bs->m);

			for (int j = 0; j < cap; j++)
			{
				if (j < me->counts[lc])
				{
					uint32		nb = me->nbrs[start + j];

					ItemPointerSet(&nt->tids[start + j], place[nb].blkno, place[nb].offno);
				}
				else
					ItemPointerSetInvalid(&nt->tids[start + j]);
			}
		}

		if (PageAddItem(page, (Item) ebuf, esz, InvalidOffsetNumber, false, false) != place[i].offno ||
			PageAddItem(page, (Item) nbuf, nsz, InvalidOffsetNumber, false, false) != place[i].offno + 1)
			elog(ERROR, "snn_hnsw build: failed to place element %u", i);
	}
	if (page != NULL)
	{
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}

	metabuf = ReadBuffer(bs->index, SNN_HNSW_METAPAGE);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	meta = SnnHnswPageGetMeta(BufferGetPage(metabuf));
	meta->dim = bs->dim;
	meta->max_level = bs->maxlevel;
	if (g->n > 0)
	{
		meta->entry_level = g->entry_level;
		meta->entry_blkno = place[g->entry].blkno;
		meta->entry_offno = place[g->entry].offno;
		meta->insert_page = blk;
	}
	MarkBufferDirty(metabuf);
	UnlockReleaseBuffer(metabuf);
	pfree(ebuf);
	pfree(nbuf);
}

/* Tell the user the graph outgrew memory, write it, and go on on disk. */
static void
spill_to_disk(SnnHnswBuildState *bs)
{
	ereport(NOTICE,
			(errmsg("snn_hnsw graph no longer fits into maintenance_work_mem after %.0f rows",
					bs->indtuples),
			 errdetail("The rest of the build inserts into the index on disk, which is much slower."),
			 errhint("Increase maintenance_work_mem (now %d kB) to build in memory.",
					 maintenance_work_mem)));
	flush_graph(bs);
	bs->in_memory = false;
	snn_hnsw_mem_free(&bs->graph);
	MemoryContextReset(bs->graphcxt);
	bs->tids = NULL;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, SNN_HNSW_PHASE_LOAD);
}

/* Add one heap row to the in-memory graph. */
static void
add_in_memory(SnnHnswBuildState *bs, const uint8 *vec, ItemPointer tid)
{
	bool		merged;
	int			level = snn_hnsw_random_level(pg_prng_double(&bs->prng), bs->m, bs->maxlevel);
	uint32		id;

	if (!bs->graph_ready)
	{
		snn_error	err;

		snn_error_clear(&err);
		if (snn_hnsw_mem_init(&bs->graph, (snn_hnsw_metric) bs->metric, bs->dim, bs->m,
							  bs->efc, bs->maxlevel, bs->tidsper - 1, bs->graphcxt,
							  build_alloc, build_release, &err) != SNN_OK)
			snn_report_error(&err, "snn_hnsw build");
		bs->graph_ready = true;
	}
	if (bs->graph.n >= bs->tidcap)
	{
		size_t		ncap = bs->tidcap ? bs->tidcap * 2 : 1024;
		ItemPointerData *nt = MemoryContextAllocHuge(bs->graphcxt,
													 ncap * bs->tidsper * sizeof(ItemPointerData));

		if (bs->tids)
		{
			memcpy(nt, bs->tids, bs->tidcap * bs->tidsper * sizeof(ItemPointerData));
			pfree(bs->tids);
		}
		bs->tids = nt;
		bs->tidcap = ncap;
	}
	id = snn_hnsw_mem_insert(&bs->graph, vec, level, &merged);
	bs->tids[(size_t) id * bs->tidsper + (merged ? bs->graph.elems[id].ndup : 0)] = *tid;
}

/* Bytes the build holds for its graph. */
static size_t
build_memory(SnnHnswBuildState *bs)
{
	return bs->graph.bytes + bs->tidcap * bs->tidsper * sizeof(ItemPointerData);
}

/* table_index_build_scan callback: one heap row. */
static void
build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull,
			   bool tupleIsAlive, void *state)
{
	SnnHnswBuildState *bs = state;
	MemoryContext old;
	Spikes	   *s;

	if (isnull[0])
		return;
	old = MemoryContextSwitchTo(bs->tmpcxt);
	s = snn_hnsw_check_value(values[0], bs->dim);
	if (bs->dim == 0)
	{
		snn_hnsw_check_dim(bs->format, s->dim, bs->m);
		bs->dim = s->dim;
		bs->maxlevel = snn_hnsw_max_level(bs->format, bs->dim, bs->m);
	}
	if (bs->in_memory)
	{
		MemoryContextSwitchTo(bs->graphcxt);
		add_in_memory(bs, s->t, tid);
		MemoryContextSwitchTo(bs->tmpcxt);
		if (build_memory(bs) > bs->memlimit)
			spill_to_disk(bs);
	}
	else
		snn_hnsw_insert_value(index, s->t, bs->dim, tid, true);
	bs->indtuples++;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) bs->indtuples);
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tmpcxt);
}

/* Create block 0 with an empty meta page (no WAL: logged with the rest). */
static void
create_meta(Relation index, ForkNumber fork, int m, int efc, int metric, int quantize,
			int format)
{
	Buffer		buf = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, NULL);

	if (BufferGetBlockNumber(buf) != SNN_HNSW_METAPAGE)
		elog(ERROR, "snn_hnsw build: index \"%s\" is not empty", RelationGetRelationName(index));
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	snn_hnsw_init_meta(BufferGetPage(buf), m, efc, metric, quantize, format);
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
}

/* ambuild: scan the heap, build the graph, write it, log it. */
IndexBuildResult *
snn_hnsw_build(Relation heap, Relation index, IndexInfo *indexInfo)
{
	SnnHnswBuildState bs;
	IndexBuildResult *result;
	double		reltuples;

	memset(&bs, 0, sizeof(bs));
	bs.heap = heap;
	bs.index = index;
	bs.m = snn_hnsw_get_m(index);
	bs.efc = snn_hnsw_get_ef_construction(index);
	bs.metric = snn_hnsw_get_metric(index);
	bs.quantize = snn_hnsw_get_quantize(index);
	bs.format = snn_hnsw_get_format(index);
	bs.tidsper = bs.format == SNN_HNSW_FORMAT_COMPACT ? 1 : SNN_HNSW_HEAPTIDS;
	bs.in_memory = true;
	bs.memlimit = (size_t) maintenance_work_mem * 1024;
	pg_prng_seed(&bs.prng, UINT64CONST(0x5EED5EED));
	bs.graphcxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw build graph",
										ALLOCSET_DEFAULT_SIZES);
	bs.tmpcxt = AllocSetContextCreate(CurrentMemoryContext, "snn_hnsw build row",
									  ALLOCSET_DEFAULT_SIZES);

	/* a typmod fixes the dimension before the first row */
	if (TupleDescAttr(RelationGetDescr(index), 0)->atttypmod > 0)
	{
		bs.dim = TupleDescAttr(RelationGetDescr(index), 0)->atttypmod;
		snn_hnsw_check_dim(bs.format, bs.dim, bs.m);
		bs.maxlevel = snn_hnsw_max_level(bs.format, bs.dim, bs.m);
	}

	create_meta(index, MAIN_FORKNUM, bs.m, bs.efc, bs.metric, bs.quantize, bs.format);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, SNN_HNSW_PHASE_LOAD);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL,
								 (int64) Max(heap->rd_rel->reltuples, 0));
	reltuples = table_index_build_scan(heap, index, indexInfo, true, true,
									   build_callback, &bs, NULL);

	if (bs.in_memory)
	{
		if (bs.graph_ready)
			flush_graph(&bs);
		else if (bs.dim > 0)
		{
			/* no rows: still record a typmod's dimension */
			Buffer		buf = ReadBuffer(index, SNN_HNSW_METAPAGE);

			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			SnnHnswPageGetMeta(BufferGetPage(buf))->dim = bs.dim;
			SnnHnswPageGetMeta(BufferGetPage(buf))->max_level = bs.maxlevel;
			MarkBufferDirty(buf);
			UnlockReleaseBuffer(buf);
		}
	}
	if (bs.graph_ready && bs.in_memory)
		snn_hnsw_mem_free(&bs.graph);

	/* the whole index in one go, instead of a record per row */
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	MemoryContextDelete(bs.graphcxt);
	MemoryContextDelete(bs.tmpcxt);

	result = palloc(sizeof(IndexBuildResult));
	result->heap_tuples = reltuples;
	result->index_tuples = bs.indtuples;
	return result;
}

/* ambuildempty: the init fork of an unlogged index is a bare meta page. */
void
snn_hnsw_buildempty(Relation index)
{
	Page		page = (Page) palloc(BLCKSZ);

	snn_hnsw_init_meta(page, snn_hnsw_get_m(index), snn_hnsw_get_ef_construction(index),
					   snn_hnsw_get_metric(index), snn_hnsw_get_quantize(index),
					   snn_hnsw_get_format(index));
	PageSetChecksumInplace(page, SNN_HNSW_METAPAGE);
	smgrwrite(RelationGetSmgr(index), INIT_FORKNUM, SNN_HNSW_METAPAGE, (char *) page, true);
	log_newpage(&(RelationGetSmgr(index))->smgr_rnode.node, INIT_FORKNUM,
				SNN_HNSW_METAPAGE, page, true);
	smgrimmedsync(RelationGetSmgr(index), INIT_FORKNUM);
	pfree(page);
}
