/*
 * hnsw_utils.c: pages, meta page, tuple access and the callbacks through
 * which the engine's graph search walks the index's pages.
 */
#include "postgres.h"

#include "access/generic_xlog.h"
#include "common/hashfn.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"

#include "hnsw.h"

/* id -> pattern cache, for neighbour selection during inserts and VACUUM */
typedef struct SnnHnswVCacheEntry
{
	uint64		key;
	char		status;
	bool		live;
	uint8	   *vec;
} SnnHnswVCacheEntry;

#define SH_PREFIX		snn_hnsw_vcache
#define SH_ELEMENT_TYPE	SnnHnswVCacheEntry
#define SH_KEY_TYPE		uint64
#define SH_KEY			key
#define SH_HASH_KEY(tb, key) hash_combine(murmurhash32((uint32) (key)), murmurhash32((uint32) ((key) >> 32)))
#define SH_EQUAL(tb, a, b)	((a) == (b))
#define SH_SCOPE		static inline
#define SH_DEFINE
#define SH_DECLARE
#include "lib/simplehash.h"

/* Format a fresh data page. */
void
snn_hnsw_init_page(Buffer buf, Page page)
{
	SnnHnswPageOpaque opaque;

	PageInit(page, BufferGetPageSize(buf), sizeof(SnnHnswPageOpaqueData));
	opaque = SnnHnswPageGetOpaque(page);
	opaque->nextblkno = InvalidBlockNumber;
	opaque->page_id = SNN_HNSW_PAGE_ID;
}

/* Format the meta page of an empty index. */
void
snn_hnsw_init_meta(Page page, int m, int efc, int metric, int quantize, int format)
{
	SnnHnswMetaPage meta;
	SnnHnswPageOpaque opaque;

	PageInit(page, BLCKSZ, sizeof(SnnHnswPageOpaqueData));
	opaque = SnnHnswPageGetOpaque(page);
	opaque->nextblkno = InvalidBlockNumber;
	opaque->page_id = SNN_HNSW_PAGE_ID;
	meta = SnnHnswPageGetMeta(page);
	memset(meta, 0, sizeof(*meta));
	meta->magic = SNN_HNSW_MAGIC;
	meta->format = (uint32) format;
	meta->dim = 0;
	meta->m = (uint16) m;
	meta->ef_construction = (uint16) efc;
	meta->metric = (uint16) metric;
	meta->entry_level = -1;
	meta->max_level = 0;
	meta->quantize = (uint16) quantize;
	meta->entry_blkno = InvalidBlockNumber;
	meta->entry_offno = InvalidOffsetNumber;
	meta->insert_page = InvalidBlockNumber;
	((PageHeader) page)->pd_lower = ((char *) meta + sizeof(SnnHnswMetaPageData)) - (char *) page;
}

/* Copy the meta page, checking it is ours. */
void
snn_hnsw_read_meta(Relation index, SnnHnswMetaPageData *out)
{
	Buffer		buf = ReadBuffer(index, SNN_HNSW_METAPAGE);
	SnnHnswMetaPage meta;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	meta = SnnHnswPageGetMeta(BufferGetPage(buf));
	if (meta->magic != SNN_HNSW_MAGIC)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("index \"%s\" is not an snn_hnsw index", RelationGetRelationName(index))));
	if (meta->format != SNN_HNSW_FORMAT && meta->format != SNN_HNSW_FORMAT_COMPACT)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("snn_hnsw index \"%s\" has format %u, this build reads %d and %d",
						RelationGetRelationName(index), meta->format, SNN_HNSW_FORMAT,
						SNN_HNSW_FORMAT_COMPACT),
				 errhint("REINDEX the index.")));
	if (meta->quantize != SNN_QUANT_NONE && meta->quantize != SNN_QUANT_4BIT &&
		meta->quantize != SNN_QUANT_2BIT)
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("snn_hnsw index \"%s\" has an unknown code %u",
						RelationGetRelationName(index), meta->quantize),
				 errhint("REINDEX the index.")));
	*out = *meta;
	UnlockReleaseBuffer(buf);
}

/*
 * Highest level whose element fits one page (standard: element and
 * neighbour tuple; compact: its one tuple, sized for an uncoded pattern);
 * -1 if none.
 */
int
snn_hnsw_max_level(int format, int dim, int m)
{
	long		room = (long) SNN_HNSW_PAGE_ROOM - (long) SNN_HNSW_ELEMENT_SIZE(dim) -
	2 * (long) sizeof(ItemIdData);
	int			level = -1;

	if (format == SNN_HNSW_FORMAT_COMPACT)
	{
		room = (long) SNN_HNSW_PAGE_ROOM - (long) sizeof(ItemIdData);
		while (level < SNN_HNSW_MAX_LEVEL &&
			   (long) SNN_HNSW_COMPACT_SIZE(dim, level + 1, m) <= room)
			level++;
		return level;
	}
	while (level < SNN_HNSW_MAX_LEVEL &&
		   (long) SNN_HNSW_NEIGHBOR_SIZE(level + 1, m) <= room)
		level++;
	return level;
}

/* Refuse patterns too large to fit a page together with their neighbours. */
void
snn_hnsw_check_dim(int format, int dim, int m)
{
	if (snn_hnsw_max_level(format, dim, m) < 0)
	{
		int			maxdim = dim;

		while (maxdim > 1 && snn_hnsw_max_level(format, maxdim, m) < 0)
			maxdim--;
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("spikes of %d neurons are too large for an snn_hnsw index with m = %d",
						dim, m),
				 errdetail("The largest pattern that fits is %d neurons at this m.", maxdim)));
	}
}

/* Detoast a pattern and check it against the index's dimension (0: any). */
Spikes *
snn_hnsw_check_value(Datum value, int dim)
{
	Spikes	   *s = DatumGetSpikes(value);

	if (dim != 0 && s->dim != dim)
		ereport(ERROR,
				(errcode(ERRCODE_DATA_EXCEPTION),
				 errmsg("different spikes dimensions %d and %d", s->dim, dim),
				 errdetail("The snn_hnsw index holds patterns of %d neurons.", dim)));
	return s;
}

/* Distance under the index's metric: exact integers, no fmgr. */
uint64
snn_hnsw_query_distance(int metric, const uint8 *a, const uint8 *b, int dim)
{
	return snn_hnsw_distance((snn_hnsw_metric) metric, a, b, (size_t) dim);
}

/*
 * Distance from the graph's query to what an element stores: exact without
 * codes; with codes, a lower bound of the distance to every row of the
 * element when the query is a pattern (scans), or the distance between cell
 * centres when the query is a code too (inserts, VACUUM); with g->estimate
 * (scans) a key of the bound and the estimate (SNN_HNSW_KEY).
 */
uint64
snn_hnsw_dist_query(SnnHnswGraph *g, const uint8 *stored)
{
	if (g->quant == SNN_QUANT_NONE)
		return snn_hnsw_query_distance(g->metric, g->query, stored, g->dim);
	if (g->query_code)
		return snn_hnsw_dist_pair(g, g->query, stored);
	if (g->estimate)
	{
		uint64		bound;
		uint64		est = snn_quant_estimate(g->quant, g->metric == SNN_HNSW_L1,
											 g->query, stored, (size_t) g->dim,
											 &bound);

		return SNN_HNSW_KEY(bound, est);
	}
	return snn_quant_lower_bound(g->quant, g->metric == SNN_HNSW_L1, g->query,
								 stored, (size_t) g->dim);
}

/* Distance between what two elements store (neighbour selection). */
uint64
snn_hnsw_dist_pair(SnnHnswGraph *g, const uint8 *a, const uint8 *b)
{
	if (g->quant == SNN_QUANT_NONE)
		return snn_hnsw_query_distance(g->metric, a, b, g->dim);
	return snn_quant_code_distance(g->quant, g->metric == SNN_HNSW_L1, a, b,
								   (size_t) g->dim);
}

/* The element tuple at off of a locked page, checked (a corrupt index is an error). */
SnnHnswElementTuple
snn_hnsw_page_element(Relation index, Page page, OffsetNumber off)
{
	SnnHnswElementTuple e;

	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("snn_hnsw index \"%s\" points to a missing item %u",
						RelationGetRelationName(index), off)));
	e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, off));
	if (!snn_hnsw_is_element(e))
		ereport(ERROR,
				(errcode(ERRCODE_INDEX_CORRUPTED),
				 errmsg("snn_hnsw index \"%s\" has no element at item %u",
						RelationGetRelationName(index), off)));
	return e;
}

/* The neighbour tuple of an element, on the same page. */
static SnnHnswNeighborTuple
page_neighbors(Page page, SnnHnswElementTuple e)
{
	return (SnnHnswNeighborTuple) PageGetItem(page, PageGetItemId(page, e->neighbor_offno));
}

/* Read the used slots of an element's list at a layer. */
int
snn_hnsw_read_neighbors(Relation index, uint64 id, int layer, int m,
						uint64 *out, int cap, int *level)
{
	Buffer		buf = ReadBuffer(index, snn_hnsw_id_blk(id));
	Page		page;
	SnnHnswElementTuple e;
	int			n = 0;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	page = BufferGetPage(buf);
	e = snn_hnsw_page_element(index, page, snn_hnsw_id_off(id));
	if (level)
		*level = e->level;
	if (layer <= e->level)
		n = snn_hnsw_get_neighbors(page, snn_hnsw_id_off(id), layer, m, out, cap);
	UnlockReleaseBuffer(buf);
	return n;
}

/* Pack an index TID into a compact reference (0: unused slot). */
static inline uint32
compact_ref(uint64 id)
{
	return (uint32) (snn_hnsw_id_blk(id) << 8) | (uint32) snn_hnsw_id_off(id);
}

/* The references of a compact element: the last bytes of its tuple. */
static uint8 *
compact_refs(Page page, OffsetNumber elemoff, int m)
{
	ItemId		iid = PageGetItemId(page, elemoff);
	SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, iid);
	Size		refsz = sizeof(uint32) * snn_hnsw_slots(e->level, m);

	return (uint8 *) e + offsetof(SnnHnswCompactTupleData, data) +
		(ItemIdGetLength(iid) - offsetof(SnnHnswCompactTupleData, data) - refsz);
}

/* Slot i of a compact element's references, as a graph id (0: unused). */
static inline uint64
compact_slot(const uint8 *refs, int i)
{
	uint32		r;

	memcpy(&r, refs + sizeof(uint32) * i, sizeof(uint32));
	return r == 0 ? 0 : snn_hnsw_tid_id(r >> 8, r & 0xFF);
}

/* Refuse a page a compact reference cannot name (54000, at insert). */
void
snn_hnsw_compact_check_block(Relation index, BlockNumber blk)
{
	if (blk >= SNN_HNSW_COMPACT_MAX_BLOCKS)
		ereport(ERROR,
				(errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
				 errmsg("snn_hnsw index \"%s\" in the compact format cannot grow beyond %u blocks",
						RelationGetRelationName(index), SNN_HNSW_COMPACT_MAX_BLOCKS),
				 errhint("Rebuild it with format = standard, or split the table.")));
}

/* Read a compact element's list at a layer. */
static int
compact_get_neighbors(Page page, OffsetNumber elemoff, int layer, int m,
					  uint64 *out, int cap)
{
	const uint8 *refs = compact_refs(page, elemoff, m);
	int			start = snn_hnsw_layer_start(layer, m);
	int			lcap = Min(snn_hnsw_layer_cap(layer, m), cap);
	int			n = 0;

	for (; n < lcap; n++)
	{
		uint64		id = compact_slot(refs, start + n);

		if (id == 0)
			break;
		out[n] = id;
	}
	return n;
}

/* Read an element's list at a layer from a page the caller has locked. */
int
snn_hnsw_get_neighbors(Page page, OffsetNumber elemoff, int layer, int m,
					   uint64 *out, int cap)
{
	SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, elemoff));
	SnnHnswNeighborTuple nt;
	int			start = snn_hnsw_layer_start(layer, m);
	int			lcap = Min(snn_hnsw_layer_cap(layer, m), cap);
	int			n = 0;

	if (e->type == SNN_HNSW_COMPACT_TUPLE)
		return compact_get_neighbors(page, elemoff, layer, m, out, cap);
	nt = page_neighbors(page, e);
	for (; n < lcap && start + n < nt->count; n++)
	{
		ItemPointer tid = &nt->tids[start + n];

		if (!ItemPointerIsValid(tid))
			break;
		out[n] = snn_hnsw_tid_id(ItemPointerGetBlockNumberNoCheck(tid),
								 ItemPointerGetOffsetNumberNoCheck(tid));
	}
	return n;
}

/* Overwrite an element's list at a layer in a page the caller has locked. */
void
snn_hnsw_set_neighbors(Page page, OffsetNumber elemoff, int layer, int m,
					   const uint64 *ids, int n)
{
	SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, elemoff));
	SnnHnswNeighborTuple nt;
	int			start = snn_hnsw_layer_start(layer, m);
	int			cap = snn_hnsw_layer_cap(layer, m);

	Assert(layer <= e->level && n <= cap);
	if (e->type == SNN_HNSW_COMPACT_TUPLE)
	{
		uint8	   *refs = compact_refs(page, elemoff, m);

		for (int i = 0; i < cap; i++)
		{
			uint32		r = i < n ? compact_ref(ids[i]) : 0;

			memcpy(refs + sizeof(uint32) * (start + i), &r, sizeof(uint32));
		}
		return;
	}
	nt = page_neighbors(page, e);
	for (int i = 0; i < cap; i++)
	{
		if (i < n)
			ItemPointerSet(&nt->tids[start + i], snn_hnsw_id_blk(ids[i]), snn_hnsw_id_off(ids[i]));
		else
			ItemPointerSetInvalid(&nt->tids[start + i]);
	}
}

/* Clear every slot of an element's lists (an element written anew). */
void
snn_hnsw_clear_neighbors(Page page, OffsetNumber elemoff, int m)
{
	SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, elemoff));

	if (e->type == SNN_HNSW_COMPACT_TUPLE)
	{
		memset(compact_refs(page, elemoff, m), 0,
			   sizeof(uint32) * snn_hnsw_slots(e->level, m));
		return;
	}
	for (int lc = 0; lc <= e->level; lc++)
		snn_hnsw_set_neighbors(page, elemoff, lc, m, NULL, 0);
}

/* Every used slot of an element's lists, all layers (out: room for all slots). */
int
snn_hnsw_all_neighbors(Page page, OffsetNumber elemoff, int m, uint64 *out)
{
	SnnHnswElementTuple e = (SnnHnswElementTuple) PageGetItem(page, PageGetItemId(page, elemoff));
	int			n = 0;

	for (int lc = 0; lc <= e->level; lc++)
		n += snn_hnsw_get_neighbors(page, elemoff, lc, m, out + n,
									snn_hnsw_layer_cap(lc, m));
	return n;
}

/* Read an element's pattern into the cache (once) and return it. */
const uint8 *
snn_hnsw_cached_vector(SnnHnswGraph *g, uint64 id, bool *live)
{
	bool		found;
	SnnHnswVCacheEntry *ent = snn_hnsw_vcache_insert(g->cache, id, &found);

	if (!found)
	{
		Buffer		buf = ReadBuffer(g->index, snn_hnsw_id_blk(id));
		SnnHnswElementTuple e;

		LockBuffer(buf, BUFFER_LOCK_SHARE);
		e = snn_hnsw_page_element(g->index, BufferGetPage(buf), snn_hnsw_id_off(id));
		ent->live = e->ntids > 0;
		ent->vec = MemoryContextAlloc(g->mcxt, g->codesize);
		memcpy(ent->vec, snn_hnsw_elem_data(e), g->codesize);
		UnlockReleaseBuffer(buf);
	}
	if (live)
		*live = ent->live;
	return ent->vec;
}

/*
 * Distance from the query to element id, whose page buf has pinned: the one
 * element read of the graph's distance callbacks (the scan pins through its
 * buffer hints, the others with ReadBuffer).  Releases buf.
 */
uint64
snn_hnsw_buffer_dist_query(SnnHnswGraph *g, Buffer buf, uint64 id, bool *live)
{
	SnnHnswElementTuple e;
	uint64		d;

	LockBuffer(buf, BUFFER_LOCK_SHARE);
	e = snn_hnsw_page_element(g->index, BufferGetPage(buf), snn_hnsw_id_off(id));
	*live = e->ntids > 0;
	d = snn_hnsw_dist_query(g, snn_hnsw_elem_data(e));
	UnlockReleaseBuffer(buf);
	return d;
}

/* Callback: distance from the query to an element, straight off its page. */
static uint64
graph_dist_query(void *ctx, uint64 id, bool *live)
{
	SnnHnswGraph *g = ctx;

	if (g->cache_vectors)
	{
		const uint8 *v = snn_hnsw_cached_vector(g, id, live);

		return snn_hnsw_dist_query(g, v);
	}
	else
		return snn_hnsw_buffer_dist_query(g, ReadBuffer(g->index, snn_hnsw_id_blk(id)),
										  id, live);
}

/* Callback: an element's neighbours at a layer. */
static int
graph_neighbors(void *ctx, uint64 id, int layer, uint64 *out, int cap)
{
	SnnHnswGraph *g = ctx;

	return snn_hnsw_read_neighbors(g->index, id, layer, g->m, out, cap, NULL);
}

/* Callback: distance between two elements, through the cache. */
static uint64
graph_dist_pair(void *ctx, uint64 a, uint64 b)
{
	SnnHnswGraph *g = ctx;
	const uint8 *va = snn_hnsw_cached_vector(g, a, NULL);
	const uint8 *vb = snn_hnsw_cached_vector(g, b, NULL);

	return snn_hnsw_dist_pair(g, va, vb);
}

static void *
graph_alloc(void *ctx, size_t size)
{
	SnnHnswGraph *g = ctx;

	return MemoryContextAllocHuge(g->mcxt, size);
}

static void
graph_release(void *ctx, void *p)
{
	pfree(p);
}

/* Prepare callbacks over the index's pages in the current memory context. */
void
snn_hnsw_graph_init(SnnHnswGraph *g, Relation index, int dim, int m, int metric,
					int quantize, bool cache_vectors)
{
	memset(g, 0, sizeof(*g));
	g->index = index;
	g->dim = dim;
	g->m = m;
	g->metric = metric;
	g->quant = (snn_quant) quantize;
	g->codesize = (int) snn_quant_code_size(g->quant, (size_t) dim);
	g->cache_vectors = cache_vectors;
	g->mcxt = CurrentMemoryContext;
	if (cache_vectors)
		g->cache = snn_hnsw_vcache_create(g->mcxt, 256, NULL);
	g->cb.ctx = g;
	g->cb.dist_query = graph_dist_query;
	g->cb.neighbors = graph_neighbors;
	g->cb.dist_pair = graph_dist_pair;
	g->cb.alloc = graph_alloc;
	g->cb.release = graph_release;
}

/* Forget cached patterns (their memory goes with the context). */
void
snn_hnsw_graph_reset_cache(SnnHnswGraph *g)
{
	if (g->cache)
		snn_hnsw_vcache_reset(g->cache);
}
